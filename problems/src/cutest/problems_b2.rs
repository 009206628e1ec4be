//! CUTEst problems, batch B (continued): problems with a term that couples many variables
//! (a dense Hessian), written with a hand-derived gradient instead of element functions.
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
//! Formulas are read from the SIF files as translated by S2MPJ (repository
//! `GrattonToint/S2MPJ`, `python_problems/<NAME>.py`); PENALTY3, whose S2MPJ translation was not
//! available to us, from the JAX port in `johannahaffner/sif2jax`. SIF semantics as in
//! batch B (`problems_b.rs`). Variables are 0-based (`x[0]` is the SIF `X1`).

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use num_dual::Dual64;
use rayon::prelude::*;
use trust_region::problem::{DenseHessian, HessianProduct, Objective, SparseHessian};

use super::DENSE_HESSIAN_MAX_N;
use crate::mgh::Scalar;
use crate::{ProblemInfo, SuiteProblem};

const S2MPJ: &str = "S2MPJ translation of the CUTEst SIF file (GrattonToint/S2MPJ, python_problems)";

/// A problem given by its value and hand-derived gradient, generic over the scalar.
pub trait HandGradient: Send + Sync {
    /// The SIF name, upper case.
    fn name(&self) -> &'static str;
    /// Number of variables.
    fn n(&self) -> usize;
    /// The SIF starting point.
    fn x0(&self) -> Vec<f64>;
    /// The optimal value at this size where it is known.
    fn f_star(&self) -> Option<f64> {
        None
    }
    /// Where the formulation comes from.
    fn source(&self) -> &'static str;
    /// Writes the gradient at `x` into `g` (both of length `n`) and returns the value.
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D;
    /// Writes the full Hessian at `x` (column-major, `n * n`) and returns `true` when the
    /// problem has a closed form cheaper than `n` Hessian-vector products; the default returns
    /// `false` and the adapter uses the products.
    fn closed_form_hessian(&self, _x: &[f64], _h: &mut [f64]) -> bool {
        false
    }
}

/// The adapter from [`HandGradient`] to the library's derivative traits and [`SuiteProblem`].
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
        let pattern = (n <= DENSE_HESSIAN_MAX_N).then(|| {
            let mut col_ptr = Vec::with_capacity(n + 1);
            let mut row_idx = Vec::with_capacity(n * (n + 1) / 2);
            col_ptr.push(0);
            for j in 0..n {
                row_idx.extend(j..n);
                col_ptr.push(row_idx.len());
            }
            SymbolicSparseColMat::new_checked(n, n, col_ptr, None, row_idx)
        });
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

impl<P: HandGradient> SuiteProblem for Hand<P> {
    fn info(&self) -> ProblemInfo {
        ProblemInfo {
            suite: "cutest",
            name: self.problem.name().to_string(),
            n: self.problem.n(),
            m: None,
            f_star: self.problem.f_star(),
            source: self.problem.source(),
        }
    }
    fn x0(&self) -> Vec<f64> {
        self.problem.x0()
    }
    fn products(&self) -> Option<&dyn HessianProduct> {
        Some(self)
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
    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl HandGradient for Hilbertb {
    fn name(&self) -> &'static str {
        "HILBERTB"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![-3.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        S2MPJ
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
    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl HandGradient for Trigon1 {
    fn name(&self) -> &'static str {
        "TRIGON1"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.1; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        S2MPJ
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
    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl HandGradient for Vardim {
    fn name(&self) -> &'static str {
        "VARDIM"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let rn = self.n as f64;
        (1..=self.n).map(|i| 1.0 - i as f64 * (1.0 / rn)).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        S2MPJ
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
    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl HandGradient for Arglina {
    fn name(&self) -> &'static str {
        "ARGLINA"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(self.n as f64)
    }
    fn source(&self) -> &'static str {
        S2MPJ
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
    /// `None` unless `n` is even and at least 4.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 4 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl HandGradient for Penalty3 {
    fn name(&self) -> &'static str {
        "PENALTY3"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(-0.001)
    }
    fn source(&self) -> &'static str {
        "PENALTY3.SIF (Buckley problem 114) as ported in johannahaffner/sif2jax"
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
    /// `None` for `n < 3`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3).then_some(Self { n })
    }
}

impl HandGradient for Inteqnels {
    fn name(&self) -> &'static str {
        "INTEQNELS"
    }
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
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        S2MPJ
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
    fn name(&self) -> &'static str {
        "MSQRTALS"
    }
    fn n(&self) -> usize {
        self.p * self.p
    }
    fn x0(&self) -> Vec<f64> {
        // XIJ = B_IJ + (-0.8 sin(K^2)), as the SIF file computes it.
        self.b.iter().map(|&bij| bij + -0.8 * bij).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        S2MPJ
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
