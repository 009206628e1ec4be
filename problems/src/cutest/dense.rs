//! Problems with a term that couples every variable (a dense Hessian): the ones written with a
//! hand-derived gradient instead of element functions (HILBERTB, TRIGON1, VARDIM, ARGLINA,
//! PENALTY3, INTEQNELS, MSQRTALS), and POWER.
//!
//! A problem implements [`HandGradient`]: its value and gradient in closed form, written once,
//! generic over the scalar ([`Scalar`]). The adapter [`Hand`] derives the rest exactly:
//!
//! - value and gradient: the closed form in `f64` (O(n) or O(n^2) work, see each problem);
//! - Hessian-vector product: the gradient evaluated at the dual point `x + eps v`
//!   (`Dual64::new(x_i, v_i)`); the dual parts are `(H v)_i`, exact, at about the cost of one
//!   gradient (no O(n^3) work per product);
//! - dense Hessian (offered for `n <= 2000`): column `k` is `H e_k`, computed for all columns in
//!   parallel (rayon; each column is independent, so the result does not depend on the number of
//!   threads) and symmetrized, unless the problem supplies a cheaper closed form
//!   ([`HandGradient::closed_form_hessian`], checked against the products in the tests);
//! - sparse Hessian (same range of `n`): the full lower triangle in a fixed compressed-column
//!   pattern, values copied from the dense Hessian.
//!
//! POWER (one group over every variable) writes its derivatives by hand directly.
//! PENALTY3, whose S2MPJ translation was not available to us, was read from the JAX port in
//! `johannahaffner/sif2jax`. Sources and SIF conventions: [`super`].

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use num_dual::Dual64;
use rayon::prelude::*;
use trust_region::problem::{DenseHessian, HessianProduct, Objective, SparseHessian};

use super::{by_hand, Formulation, Listing, DENSE_HESSIAN_MAX_N, S2MPJ};
use crate::mgh::Scalar;

/// A problem given by its value and hand-derived gradient, generic over the scalar: the formula
/// only (name, listed size, f* and source are the registry's, [`Listing`]).
pub trait HandGradient: Send + Sync {
    /// Number of variables.
    fn n(&self) -> usize;
    /// The SIF starting point.
    fn x0(&self) -> Vec<f64>;
    /// Writes the gradient at `x` into `g` (both of length `n`) and returns the value.
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D;
    /// Writes the full Hessian at `x` (column-major, `n * n`) and returns `true` when the
    /// problem has a closed form cheaper than `n` Hessian-vector products; the default returns
    /// `false` and the adapter uses the products.
    fn closed_form_hessian(&self, _x: &[f64], _h: &mut [f64]) -> bool {
        false
    }
}

/// The adapter from [`HandGradient`] to the library's derivative traits and [`Formulation`].
#[derive(Debug)]
pub struct Hand<P> {
    /// The problem.
    pub problem: P,
    /// Full lower triangle, built once (only for `n <= DENSE_HESSIAN_MAX_N`).
    pattern: Option<SymbolicSparseColMat<usize>>,
}

impl<P: HandGradient> Hand<P> {
    /// Wraps `problem` (and builds the dense lower-triangle pattern when `n` is small enough).
    pub fn new(problem: P) -> Self {
        let n = problem.n();
        let pattern = (n <= DENSE_HESSIAN_MAX_N).then(|| dense_lower_pattern(n));
        Self { problem, pattern }
    }

    /// Column `k` of the Hessian at `x`, written into `col`, using the scratch buffers.
    fn hessian_column(&self, x: &[f64], k: usize, xd: &mut [Dual64], gd: &mut [Dual64], col: &mut [f64]) {
        for (d, &v) in xd.iter_mut().zip(x) {
            *d = Dual64::new(v, 0.0);
        }
        xd[k].eps = 1.0;
        self.problem.value_gradient(xd, gd);
        for (c, d) in col.iter_mut().zip(gd.iter()) {
            *c = d.eps;
        }
    }

    /// The symmetrized dense Hessian, column-major in a plain vector.
    fn dense(&self, x: &[f64]) -> Vec<f64> {
        let n = self.problem.n();
        let mut h = vec![0.0; n * n];
        if self.problem.closed_form_hessian(x, &mut h) {
            return h;
        }
        h.par_chunks_mut(n.max(1)).enumerate().for_each_init(
            || (vec![Dual64::from(0.0); n], vec![Dual64::from(0.0); n]),
            |(xd, gd), (k, col)| self.hessian_column(x, k, xd, gd, col),
        );
        for j in 0..n {
            for i in (j + 1)..n {
                let s = 0.5 * (h[i + j * n] + h[j + i * n]);
                h[i + j * n] = s;
                h[j + i * n] = s;
            }
        }
        h
    }
}

impl<P: HandGradient> Objective for Hand<P> {
    fn dim(&self) -> usize {
        self.problem.n()
    }
    fn value(&self, x: &[f64]) -> f64 {
        let mut g = vec![0.0; x.len()];
        self.problem.value_gradient(x, &mut g)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.problem.value_gradient(x, g);
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        self.problem.value_gradient(x, g)
    }
}

impl<P: HandGradient> HessianProduct for Hand<P> {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let xd: Vec<Dual64> = x.iter().zip(v).map(|(&a, &b)| Dual64::new(a, b)).collect();
        let mut gd = vec![Dual64::from(0.0); x.len()];
        self.problem.value_gradient(&xd, &mut gd);
        for (h, d) in hv.iter_mut().zip(&gd) {
            *h = d.eps;
        }
    }
}

impl<P: HandGradient> DenseHessian for Hand<P> {
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        let n = self.problem.n();
        let h = self.dense(x);
        for j in 0..n {
            for i in 0..n {
                hess[(i, j)] = h[i + j * n];
            }
        }
    }
}

impl<P: HandGradient> SparseHessian for Hand<P> {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.pattern.clone().expect("the sparse Hessian is offered only for n <= DENSE_HESSIAN_MAX_N")
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        let n = self.problem.n();
        let h = self.dense(x);
        let mut k = 0;
        for j in 0..n {
            for i in j..n {
                values[k] = h[i + j * n];
                k += 1;
            }
        }
    }
}

impl<P: HandGradient> Formulation for Hand<P> {
    fn n(&self) -> usize {
        self.problem.n()
    }
    fn x0(&self) -> Vec<f64> {
        self.problem.x0()
    }
    fn products(&self) -> &dyn HessianProduct {
        self
    }
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        self.pattern.is_some().then_some(self as &dyn DenseHessian)
    }
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        self.pattern.is_some().then_some(self as &dyn SparseHessian)
    }
}

#[inline]
fn zero<D: Scalar>() -> D {
    D::from(0.0)
}

/// HILBERTB: the perturbed Hilbert quadratic,
/// `f = sum_{i=1}^{n} (1 / (2 (2i - 1)) + D) x_i^2 + sum_{i=2}^{n} sum_{j<i} x_i x_j / (i + j - 1)`,
/// i.e. `x' (H + 2 D I) x / 2` with the Hilbert matrix `H`, `D = 5`; x0 = (-3, ..., -3);
/// f* = 0 at 0. Listed size n = 10; any n >= 1. Gradient O(n^2) (dense quadratic).
/// Source: HILBERTB.SIF (Buckley problem 19) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Hilbertb {
    n: usize,
}

impl Hilbertb {
    /// The registry entry.
    pub const LISTING: Listing =
        Listing { name: "HILBERTB", n: 10, source: S2MPJ, f_star: |_| Some(0.0), build: |n| by_hand(Hilbertb::new(n)) };

    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl HandGradient for Hilbertb {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![-3.0; self.n]
    }
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        const D_PARAM: f64 = 5.0;
        let n = self.n;
        let mut f = zero::<D>();
        for i in 0..n {
            // 1-based I = i + 1: diagonal weight 1 / (2 (2I - 1)) + D, H_IJ = 1 / (I + J - 1).
            let coeff = 0.5 * (1.0 / (2 * i + 1) as f64) + D_PARAM;
            f += x[i] * x[i] * coeff;
            let mut gi = x[i] * (2.0 * coeff);
            for j in 0..n {
                if j != i {
                    gi += x[j] * (1.0 / (i + j + 1) as f64);
                }
            }
            for j in 0..i {
                f += x[i] * x[j] * (1.0 / (i + j + 1) as f64);
            }
            g[i] = gi;
        }
        f
    }
}

/// TRIGON1: SciPy's Trigonometric01 as least squares,
/// `f = sum_{i=1}^{n} F_i^2`, `F_i = sum_{j != i} cos x_j + (i + 1) cos x_i + i sin x_i - (n + i)`;
/// x0 = (0.1, ..., 0.1); f* = 0 at 0. Listed size n = 10; any n >= 1.
/// With `S = sum_j cos x_j`, `F_i = S + i (cos x_i + sin x_i) - (n + i)` and
/// `grad f = 2 (-T sin x + F o a)`, `T = sum_i F_i`, `a_i = i (cos x_i - sin x_i)`: O(n).
/// Source: TRIGON1.SIF (N. Gould 2020) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Trigon1 {
    n: usize,
}

impl Trigon1 {
    /// The registry entry.
    pub const LISTING: Listing =
        Listing { name: "TRIGON1", n: 10, source: S2MPJ, f_star: |_| Some(0.0), build: |n| by_hand(Trigon1::new(n)) };

    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl HandGradient for Trigon1 {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.1; self.n]
    }
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        let n = self.n;
        let mut s = zero::<D>();
        for &xi in x {
            s += xi.cos();
        }
        // First pass: F_i into g, T and f.
        let mut t = zero::<D>();
        let mut f = zero::<D>();
        for i in 0..n {
            let ri = (i + 1) as f64;
            let fi = s + (x[i].cos() + x[i].sin()) * ri - (n as f64 + ri);
            t += fi;
            f += fi * fi;
            g[i] = fi;
        }
        for i in 0..n {
            let ri = (i + 1) as f64;
            let (si, ci) = (x[i].sin(), x[i].cos());
            g[i] = (-t * si + g[i] * (ci - si) * ri) * 2.0;
        }
        f
    }
}

/// VARDIM: variably dimensioned,
/// `f = sum_{i=1}^{n} (x_i - 1)^2 + s^2 + s^4`, `s = sum_i i x_i - n (n + 1) / 2`;
/// x0_i = 1 - i / n; f* = 0 at (1, ..., 1). Listed size n = 200; any n >= 1. O(n).
/// Source: VARDIM.SIF (MGH problem 25) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Vardim {
    n: usize,
}

impl Vardim {
    /// The registry entry.
    pub const LISTING: Listing =
        Listing { name: "VARDIM", n: 200, source: S2MPJ, f_star: |_| Some(0.0), build: |n| by_hand(Vardim::new(n)) };

    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl HandGradient for Vardim {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let rn = self.n as f64;
        (1..=self.n).map(|i| 1.0 - i as f64 * (1.0 / rn)).collect()
    }
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        let n = self.n;
        let rn = n as f64;
        let sumj = 0.5 * (rn * (rn + 1.0));
        let mut s = zero::<D>();
        let mut f = zero::<D>();
        for i in 0..n {
            s += x[i] * (i + 1) as f64;
            f += (x[i] - 1.0) * (x[i] - 1.0);
        }
        s -= sumj;
        let s2 = s * s;
        f += s2 + s2 * s2;
        let ds = s * 2.0 + s2 * s * 4.0;
        for i in 0..n {
            g[i] = (x[i] - 1.0) * 2.0 + ds * (i + 1) as f64;
        }
        f
    }
}

/// ARGLINA: linear function of full rank, `m = 2n` groups,
/// `f = sum_{i=1}^{n} (x_i - (2/m) sum_j x_j - 1)^2 + (m - n) ((2/m) sum_j x_j + 1)^2`;
/// x0 = (1, ..., 1); f* = m - n = n at `x = -1`. Listed size n = 200 (m = 400, the SIF
/// default; f(x0) = 1000); any n >= 1. O(n).
/// Source: ARGLINA.SIF (MGH problem 32) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Arglina {
    n: usize,
}

impl Arglina {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "ARGLINA",
        n: 200,
        source: S2MPJ,
        f_star: |n| Some(n as f64),
        build: |n| by_hand(Arglina::new(n)),
    };

    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl HandGradient for Arglina {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        let n = self.n;
        let m = 2 * n;
        let c = 2.0 / m as f64;
        let mut s = zero::<D>();
        for &xi in x {
            s += xi;
        }
        let cs = s * c;
        // Groups n+1..m share the value -(2/m) S - 1.
        let tail = -cs - 1.0;
        let mut f = tail * tail * (m - n) as f64;
        let mut sum_g = tail * (m - n) as f64;
        for i in 0..n {
            let gi = x[i] - cs - 1.0;
            f += gi * gi;
            sum_g += gi;
            g[i] = gi;
        }
        for gi in g.iter_mut() {
            *gi = *gi * 2.0 - sum_g * (2.0 * c);
        }
        f
    }
}

/// PENALTY3: a penalty problem by Gill, Murray and Pitfield (dense Hessian),
/// `f = -a + a (e^{x_n} R + e^{x_{n-1}} S + R S) + T^2 + U` with `a = 0.001`,
/// `R = sum_{i=1}^{n-2} (x_i + 2 x_{i+1} + 10 x_{i+2} - 1)^2`,
/// `S = sum_{i=1}^{n-2} (2 x_i + x_{i+1} - 3)^2`, `T = sum_{i=1}^{n} (x_i^2 - n)`,
/// `U = sum_{i=1}^{n/2} (x_i - 1)^2`; x0 = (1, -1, 1, -1, ...); f* = -0.001, derived: every
/// term but `-a` is nonnegative, and `S = U = T = 0` with `e^{x_n} R` below 1e-80 is possible
/// (`x_n` near `-n`); both step solvers reach -0.001 (the SIF file states no value).
/// Listed size n = 200 (N/2 = 100); any even n >= 4. O(n).
/// Source: PENALTY3.SIF (Buckley problem 114, N. Gould 1990) via the sif2jax port
/// (johannahaffner/sif2jax, PENALTY3), which agrees with an independent Julia port up to the
/// constant `-a`.
#[derive(Clone, Copy, Debug)]
pub struct Penalty3 {
    n: usize,
}

impl Penalty3 {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "PENALTY3",
        n: 200,
        source: "PENALTY3.SIF (Buckley problem 114) as ported in johannahaffner/sif2jax",
        f_star: |_| Some(-0.001),
        build: |n| by_hand(Penalty3::new(n)),
    };

    /// `None` unless `n` is even and at least 4.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 4 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl HandGradient for Penalty3 {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect()
    }
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        const A: f64 = 0.001;
        let n = self.n;
        let rn = n as f64;
        // g temporarily holds dR/dx; dS/dx is accumulated in a second pass below.
        for gi in g.iter_mut() {
            *gi = zero();
        }
        let mut r = zero::<D>();
        let mut s = zero::<D>();
        for i in 0..n - 2 {
            let ri = x[i] + x[i + 1] * 2.0 + x[i + 2] * 10.0 - 1.0;
            let si = x[i] * 2.0 + x[i + 1] - 3.0;
            r += ri * ri;
            s += si * si;
        }
        let mut t = zero::<D>();
        for &xi in x {
            t += xi * xi - rn;
        }
        let mut u = zero::<D>();
        for &xi in &x[..n / 2] {
            u += (xi - 1.0) * (xi - 1.0);
        }
        let e1 = x[n - 1].exp();
        let e2 = x[n - 2].exp();
        let f = (e1 * r + e2 * s + r * s) * A + t * t + u - A;
        // grad = a [(e1 + S) dR + (e2 + R) dS] + a e1 R e_n + a e2 S e_{n-1} + 4 T x + dU.
        let wr = (e1 + s) * A;
        let ws = (e2 + r) * A;
        for i in 0..n - 2 {
            let ri2 = (x[i] + x[i + 1] * 2.0 + x[i + 2] * 10.0 - 1.0) * 2.0;
            let si2 = (x[i] * 2.0 + x[i + 1] - 3.0) * 2.0;
            g[i] += wr * ri2 + ws * si2 * 2.0;
            g[i + 1] += wr * ri2 * 2.0 + ws * si2;
            g[i + 2] += wr * ri2 * 10.0;
        }
        g[n - 1] += e1 * r * A;
        g[n - 2] += e2 * s * A;
        for i in 0..n {
            g[i] += x[i] * t * 4.0;
        }
        for i in 0..n / 2 {
            g[i] += (x[i] - 1.0) * 2.0;
        }
        f
    }
}

/// INTEQNELS: the discrete integral equation (MGH problem 29) without fixed variables, in
/// least-squares form. With `N = n - 2`, `h = 1 / (N + 1)`, `t_j = j h` and
/// `c_j = (x_j + 1 + t_j)^3`:
/// `f = x_0^2 + x_{N+1}^2 + sum_{i=1}^{N} G_i^2`,
/// `G_i = x_i + (h/2) [(1 - t_i) sum_{j<=i} t_j c_j + t_i sum_{j>i} (1 - t_j) c_j]`
/// (variables `X0 .. X(N+1)`); x0: `x_0 = x_{N+1} = 0`, `x_i = t_i (t_i - 1)`; f* = 0.
/// Listed size n = 502 (N = 500); any n >= 3. Prefix and suffix sums make value and gradient O(n).
/// Source: INTEQNELS.SIF (MGH problem 29; N. Gould 2015) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Inteqnels {
    n: usize,
}

impl Inteqnels {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "INTEQNELS",
        n: 502,
        source: S2MPJ,
        f_star: |_| Some(0.0),
        build: |n| by_hand(Inteqnels::new(n)),
    };

    /// `None` for `n < 3`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3).then_some(Self { n })
    }
}

impl HandGradient for Inteqnels {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let big_n = self.n - 2;
        let h = 1.0 / (big_n + 1) as f64;
        let mut x = vec![0.0; self.n];
        for i in 1..=big_n {
            let ih = i as f64 * h;
            x[i] = ih * (ih - 1.0);
        }
        x
    }
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        let big_n = self.n - 2;
        let h = 1.0 / (big_n + 1) as f64;
        let half_h = 0.5 * h;
        let t = |j: usize| j as f64 * h;
        // g[j] temporarily holds c_j (j = 1..N); lower[i] = sum_{j<=i} t_j c_j is built in
        // place of G below, upper sums run backwards.
        for j in 1..=big_n {
            let v = x[j] + 1.0 + t(j);
            g[j] = v * v * v;
        }
        // G_i, stored in a scratch vector.
        let mut gi = vec![zero::<D>(); big_n + 2];
        let mut lower = zero::<D>();
        for i in 1..=big_n {
            lower += g[i] * t(i);
            gi[i] = lower * (1.0 - t(i));
        }
        let mut upper = zero::<D>();
        for i in (1..=big_n).rev() {
            gi[i] = x[i] + (gi[i] + upper * t(i)) * half_h;
            upper += g[i] * (1.0 - t(i));
        }
        let mut f = x[0] * x[0] + x[big_n + 1] * x[big_n + 1];
        for i in 1..=big_n {
            f += gi[i] * gi[i];
        }
        // grad_k = 2 G_k + h c'_k [t_k sum_{i>=k} (1 - t_i) G_i + (1 - t_k) sum_{i<k} t_i G_i].
        let mut suffix = vec![zero::<D>(); big_n + 2];
        let mut acc = zero::<D>();
        for i in (1..=big_n).rev() {
            acc += gi[i] * (1.0 - t(i));
            suffix[i] = acc;
        }
        let mut prefix = zero::<D>();
        g[0] = x[0] * 2.0;
        g[big_n + 1] = x[big_n + 1] * 2.0;
        for k in 1..=big_n {
            let v = x[k] + 1.0 + t(k);
            let dc = v * v * 3.0;
            g[k] = gi[k] * 2.0 + dc * (suffix[k] * t(k) + prefix * (1.0 - t(k))) * h;
            prefix += gi[k] * t(k);
        }
        f
    }
}

/// MSQRTALS: the dense matrix square root problem (Nocedal & Liu, case 0) in least squares,
/// `f = ||X X - A||_F^2` over the `p x p` matrix `X` (row-major, `n = p^2`), `A = B B`,
/// `B_ij = sin(k^2)` with `k = (i - 1) p + j`; x0 = `B_ij - 0.8 sin(k^2)` (= 0.2 B);
/// f* = 0 at `X = B`. Listed size n = 1024 (p = 32); any n = p^2 >= 1.
/// Gradient `2 (R X' + X' R)`, `R = X X - A`: O(p^3) = O(n^1.5).
/// Source: MSQRTALS.SIF (Buckley problem 201) via S2MPJ.
#[derive(Clone, Debug)]
pub struct Msqrtals {
    p: usize,
    /// `B` row-major.
    b: Vec<f64>,
    /// `A = B B` row-major.
    a: Vec<f64>,
}

impl Msqrtals {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "MSQRTALS",
        n: 1024,
        source: S2MPJ,
        f_star: |_| Some(0.0),
        build: |n| by_hand(Msqrtals::new(n)),
    };

    /// `None` unless `n` is a positive perfect square.
    pub fn new(n: usize) -> Option<Self> {
        let p = (n as f64).sqrt().round() as usize;
        if n == 0 || p * p != n {
            return None;
        }
        let b: Vec<f64> = (1..=n)
            .map(|k| {
                let k = k as f64;
                (k * k).sin()
            })
            .collect();
        let mut a = vec![0.0; n];
        for i in 0..p {
            for j in 0..p {
                let mut s = 0.0;
                for k in 0..p {
                    s += b[i * p + k] * b[k * p + j];
                }
                a[i * p + j] = s;
            }
        }
        Some(Self { p, b, a })
    }
}

impl HandGradient for Msqrtals {
    fn n(&self) -> usize {
        self.p * self.p
    }
    fn x0(&self) -> Vec<f64> {
        // XIJ = B_IJ + (-0.8 sin(K^2)), as the SIF file computes it.
        self.b.iter().map(|&bij| bij + -0.8 * bij).collect()
    }
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        let p = self.p;
        let mut r = vec![zero::<D>(); p * p];
        let mut f = zero::<D>();
        for i in 0..p {
            for j in 0..p {
                let mut s = zero::<D>();
                for t in 0..p {
                    s += x[i * p + t] * x[t * p + j];
                }
                let rij = s - self.a[i * p + j];
                f += rij * rij;
                r[i * p + j] = rij;
            }
        }
        // G_ij = 2 (sum_t R_it X_jt + sum_t X_ti R_tj).
        for i in 0..p {
            for j in 0..p {
                let mut s = zero::<D>();
                for t in 0..p {
                    s += r[i * p + t] * x[j * p + t] + x[t * p + i] * r[t * p + j];
                }
                g[i * p + j] = s * 2.0;
            }
        }
        f
    }
    /// `H_(ab),(cd) = 2 ([a = c] (X X')_bd + X_bd X_ac + X_ca X_db + [b = d] (X'X)_ac
    /// + [b = c] R_ad + [a = d] R_cb)` for variables `X_ab`, `X_cd` (from
    /// `dR_ij / dX_ab = [i = a] X_bj + X_ia [j = b]`): O(n^2) instead of n products of O(n^1.5).
    fn closed_form_hessian(&self, x: &[f64], h: &mut [f64]) -> bool {
        let p = self.p;
        let n = p * p;
        let mut xxt = vec![0.0; n];
        let mut xtx = vec![0.0; n];
        let mut r = vec![0.0; n];
        for i in 0..p {
            for j in 0..p {
                let (mut s1, mut s2, mut s3) = (0.0, 0.0, 0.0);
                for t in 0..p {
                    s1 += x[i * p + t] * x[j * p + t];
                    s2 += x[t * p + i] * x[t * p + j];
                    s3 += x[i * p + t] * x[t * p + j];
                }
                xxt[i * p + j] = s1;
                xtx[i * p + j] = s2;
                r[i * p + j] = s3 - self.a[i * p + j];
            }
        }
        for a in 0..p {
            for b in 0..p {
                let col = (a * p + b) * n;
                for c in 0..p {
                    for d in 0..p {
                        let mut v = x[b * p + d] * x[a * p + c] + x[c * p + a] * x[d * p + b];
                        if a == c {
                            v += xxt[b * p + d];
                        }
                        if b == d {
                            v += xtx[a * p + c];
                        }
                        if b == c {
                            v += r[a * p + d];
                        }
                        if a == d {
                            v += r[c * p + b];
                        }
                        h[col + c * p + d] = 2.0 * v;
                    }
                }
            }
        }
        true
    }
}

/// Largest `n` for which POWER and FMINSURF offer a sparse Hessian (its
/// pattern is the full lower triangle, `n (n + 1) / 2` entries): the same bound as the dense
/// Hessian.
pub const DENSE_PATTERN_MAX_N: usize = DENSE_HESSIAN_MAX_N;

/// The full lower triangle of an `n x n` matrix as a compressed-column pattern.
pub(super) fn dense_lower_pattern(n: usize) -> SymbolicSparseColMat<usize> {
    let mut col_ptr = Vec::with_capacity(n + 1);
    let mut row_idx = Vec::with_capacity(n * (n + 1) / 2);
    col_ptr.push(0);
    for j in 0..n {
        row_idx.extend(j..n);
        col_ptr.push(row_idx.len());
    }
    SymbolicSparseColMat::new_checked(n, n, col_ptr, None, row_idx)
}

/// Index of entry `(i, j)`, `i >= j`, in the values of [`dense_lower_pattern`].
#[inline]
pub(super) fn dense_lower_slot(n: usize, i: usize, j: usize) -> usize {
    // Column `j` starts after `sum_{k<j} (n - k) = j n - j (j - 1) / 2` entries and holds rows `j..n`.
    j * n - j * (j + 1) / 2 + i
}

/// POWER: Oren's power function, `f = (sum_{i=1}^n i x_i^2)^2`.
///
/// One group of type L2 over `n` weighted square elements: the Hessian
/// `8 (i x_i)(j x_j) + 4 S i delta_ij`, `S = sum_k k x_k^2`, is dense, so the derivatives are
/// written by hand (`g_i = 4 S i x_i`, `(H v)_i = 8 i x_i sum_k k x_k v_k + 4 S i v_i`); the
/// sparse Hessian (full lower triangle) is offered for `n <= 2000` only, like the dense one.
/// Any `n >= 1` (listed size 10000); x0 = (1, ..., 1), `f(x0) = (n (n+1) / 2)^2`; f* = 0 at 0.
/// Source: POWER.SIF (Ph. Toint, 1989; S2MPJ translation); S. S. Oren, Management Sci. 20
/// (1974) 863-874; Buckley (1989), problem 179.
#[derive(Clone, Copy, Debug)]
pub struct Power {
    n: usize,
}

impl Power {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "POWER",
        n: 10000,
        source: "CUTEst POWER.SIF (S2MPJ translation); S. S. Oren, Management Sci. 20 (1974) 863-874",
        f_star: |_| Some(0.0),
        build: |n| Some(Box::new(Power::new(n)?)),
    };

    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }

    /// `S = sum_i i x_i^2`.
    #[inline]
    fn s(x: &[f64]) -> f64 {
        x.iter().enumerate().map(|(i, &xi)| (i + 1) as f64 * xi * xi).sum()
    }
}

impl Objective for Power {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        let s = Self::s(x);
        s * s
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.value_and_gradient(x, g);
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let s = Self::s(x);
        for (i, (gi, &xi)) in g.iter_mut().zip(x).enumerate() {
            *gi = 4.0 * s * (i + 1) as f64 * xi;
        }
        s * s
    }
}

impl HessianProduct for Power {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let s = Self::s(x);
        let t: f64 = x.iter().zip(v).enumerate().map(|(i, (&xi, &vi))| (i + 1) as f64 * xi * vi).sum();
        for (i, (h, (&xi, &vi))) in hv.iter_mut().zip(x.iter().zip(v)).enumerate() {
            let w = (i + 1) as f64;
            *h = 8.0 * w * xi * t + 4.0 * s * w * vi;
        }
    }
}

impl DenseHessian for Power {
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        let s = Self::s(x);
        for j in 0..self.n {
            let uj = (j + 1) as f64 * x[j];
            for i in 0..self.n {
                hess[(i, j)] = 8.0 * (i + 1) as f64 * x[i] * uj;
            }
            hess[(j, j)] += 4.0 * s * (j + 1) as f64;
        }
    }
}

impl SparseHessian for Power {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        dense_lower_pattern(self.n)
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        let s = Self::s(x);
        let mut k = 0;
        for j in 0..self.n {
            let uj = (j + 1) as f64 * x[j];
            for i in j..self.n {
                values[k] = 8.0 * (i + 1) as f64 * x[i] * uj;
                if i == j {
                    values[k] += 4.0 * s * (j + 1) as f64;
                }
                k += 1;
            }
        }
    }
}

impl Formulation for Power {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn products(&self) -> &dyn HessianProduct {
        self
    }
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        (self.n <= DENSE_HESSIAN_MAX_N).then_some(self as &dyn DenseHessian)
    }
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        (self.n <= DENSE_PATTERN_MAX_N).then_some(self as &dyn SparseHessian)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_lower_slots_follow_the_pattern() {
        let n = 7;
        let pattern = dense_lower_pattern(n);
        for j in 0..n {
            for (k, &i) in
                (pattern.col_ptr()[j]..pattern.col_ptr()[j + 1]).zip(&pattern.row_idx()[pattern.col_ptr()[j]..])
            {
                assert_eq!(dense_lower_slot(n, i, j), k);
            }
        }
    }
}
