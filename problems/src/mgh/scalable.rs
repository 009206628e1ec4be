//! Problems 20-35 of More, Garbow & Hillstrom (1981): variable dimension. Notation of the
//! paper, 1-based in the formulas (`x_1` is `x[0]`).
//!
//! Every value `f*` is quoted from the paper as `sum r_i^2` and stored halved
//! (`f = ||r||^2 / 2`). Constructors `new` panic on an invalid size (documented per problem),
//! `try_new` returns `None` instead.

use super::small::{powell_block, powell_block_jacobian};
use super::{cst, Mgh, MghBuild, Scalar};

macro_rules! sized_ctor {
    ($ty:ident, $valid:expr, $what:literal) => {
        impl $ty {
            /// The problem with `n` variables, or `None` if `n` is not a valid size.
            pub fn try_new(n: usize) -> Option<Self> {
                let valid: fn(usize) -> bool = $valid;
                valid(n).then_some(Self { n })
            }
            /// The problem with `n` variables.
            ///
            /// # Panics
            #[doc = concat!("If ", $what, ".")]
            pub fn new(n: usize) -> Self {
                Self::try_new(n).expect(concat!(stringify!($ty), ": ", $what))
            }
        }

        impl MghBuild for $ty {
            fn default_size() -> Self {
                Self::default()
            }
            fn with_size(n: usize) -> Option<Self> {
                Self::try_new(n)
            }
        }
    };
}

/// Problem 20, Watson.
///
/// `r_i = sum_{j=2..n} (j - 1) x_j t_i^(j-2) - (sum_{j=1..n} x_j t_i^(j-1))^2 - 1`,
/// `t_i = i / 29`, i = 1..29; `r_30 = x_1`, `r_31 = x_2 - x_1^2 - 1`; 2 <= n <= 31
/// (default 6), m = 31; x0 = 0; published f* = 2.28767e-3 (n = 6), 1.39976e-6 (n = 9),
/// 4.72238e-10 (n = 12) (stored halved; `None` for other n). f(x0) = 30 / 2.
/// Reference: J. Kowalik, M. R. Osborne, Methods for Unconstrained Optimization Problems
/// (1968); MGH (1981) problem 20.
#[derive(Clone, Debug)]
pub struct Watson {
    n: usize,
}

impl Default for Watson {
    fn default() -> Self {
        Self { n: 6 }
    }
}

sized_ctor!(Watson, |n| (2..=31).contains(&n), "n is outside 2..=31");

impl Mgh for Watson {
    fn number(&self) -> usize {
        20
    }
    fn name(&self) -> &'static str {
        "watson"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        31
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        match self.n {
            6 => Some(2.28767e-3 / 2.0),
            9 => Some(1.39976e-6 / 2.0),
            12 => Some(4.72238e-10 / 2.0),
            _ => None,
        }
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (i, ri) in r.iter_mut().enumerate().take(29) {
            let t = (i as f64 + 1.0) / 29.0;
            let (s1, s2) = watson_sums(x, t);
            *ri = s1 - s2 * s2 - 1.0;
        }
        r[29] = x[0];
        r[30] = x[1] - x[0] * x[0] - 1.0;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for i in 0..29 {
            let t = (i as f64 + 1.0) / 29.0;
            let (_, s2) = watson_sums(x, t);
            // d r_i / d x_j = (j - 1) t^(j-2) - 2 s2 t^(j-1)   (1-based j)
            let mut tpow = 1.0; // t^(j-1) for 0-based j
            let mut tprev = 0.0; // t^(j-2), 0 for the first column
            for j in 0..self.n {
                emit(i, j, s2 * (-2.0 * tpow) + j as f64 * tprev);
                tprev = tpow;
                tpow *= t;
            }
        }
        emit(29, 0, cst(1.0));
        emit(30, 0, x[0] * -2.0);
        emit(30, 1, cst(1.0));
    }
}

/// `(sum_{j>=2} (j-1) x_j t^(j-2), sum_j x_j t^(j-1))` for the Watson residuals.
fn watson_sums<D: Scalar>(x: &[D], t: f64) -> (D, D) {
    let mut s1: D = cst(0.0);
    let mut s2: D = cst(0.0);
    let mut tpow = 1.0;
    let mut tprev = 0.0;
    for (j, &xj) in x.iter().enumerate() {
        s1 += xj * (j as f64 * tprev);
        s2 += xj * tpow;
        tprev = tpow;
        tpow *= t;
    }
    (s1, s2)
}

/// Problem 21, extended Rosenbrock.
///
/// `r_{2i-1} = 10 (x_{2i} - x_{2i-1}^2)`, `r_{2i} = 1 - x_{2i-1}`, i = 1..n/2; n even
/// (default 10), m = n; x0 = (-1.2, 1, -1.2, 1, ...); published f* = 0 at (1, ..., 1)
/// (stored 0). f(x0) = 12.1 n. Evaluation is O(n) in time and memory (3n/2 Jacobian
/// entries), fit for n = 10^5 and beyond.
/// Reference: H. H. Rosenbrock, Comput. J. 3 (1960); Spedicato (1975); MGH (1981) problem 21.
#[derive(Clone, Debug)]
pub struct ExtendedRosenbrock {
    n: usize,
}

impl Default for ExtendedRosenbrock {
    fn default() -> Self {
        Self { n: 10 }
    }
}

sized_ctor!(ExtendedRosenbrock, |n| n >= 2 && n % 2 == 0, "n is odd or zero");

impl Mgh for ExtendedRosenbrock {
    fn number(&self) -> usize {
        21
    }
    fn name(&self) -> &'static str {
        "extended_rosenbrock"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|j| if j % 2 == 0 { -1.2 } else { 1.0 }).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (xp, rp) in x.chunks_exact(2).zip(r.chunks_exact_mut(2)) {
            rp[0] = (xp[1] - xp[0] * xp[0]) * 10.0;
            rp[1] = -xp[0] + 1.0;
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in (0..self.n).step_by(2) {
            emit(k, k, x[k] * -20.0);
            emit(k, k + 1, cst(10.0));
            emit(k + 1, k, cst(-1.0));
        }
    }
}

/// Problem 22, extended Powell singular.
///
/// For each block of four, `r_{4i-3} = x_{4i-3} + 10 x_{4i-2}`,
/// `r_{4i-2} = sqrt(5) (x_{4i-1} - x_{4i})`, `r_{4i-1} = (x_{4i-2} - 2 x_{4i-1})^2`,
/// `r_{4i} = sqrt(10) (x_{4i-3} - x_{4i})^2`; n a multiple of 4 (default 12), m = n;
/// x0 = (3, -1, 0, 1, 3, -1, 0, 1, ...); published f* = 0 at the origin (stored 0), with a
/// singular Jacobian there. f(x0) = 215 n / 8.
/// Reference: M. J. D. Powell, Comput. J. 5 (1962); Spedicato (1975); MGH (1981) problem 22.
#[derive(Clone, Debug)]
pub struct ExtendedPowellSingular {
    n: usize,
}

impl Default for ExtendedPowellSingular {
    fn default() -> Self {
        Self { n: 12 }
    }
}

sized_ctor!(ExtendedPowellSingular, |n| n >= 4 && n % 4 == 0, "n is not a positive multiple of 4");

impl Mgh for ExtendedPowellSingular {
    fn number(&self) -> usize {
        22
    }
    fn name(&self) -> &'static str {
        "extended_powell_singular"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|j| [3.0, -1.0, 0.0, 1.0][j % 4]).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (xb, rb) in x.chunks_exact(4).zip(r.chunks_exact_mut(4)) {
            powell_block(xb, rb);
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in (0..self.n).step_by(4) {
            powell_block_jacobian(&x[k..k + 4], k, emit);
        }
    }
}

/// `sqrt(1e-5)`, the weight of the penalty functions' first group.
const PENALTY_SQRT_A: f64 = 3.1622776601683794e-3;

/// Problem 23, penalty function I.
///
/// `r_i = sqrt(a) (x_i - 1)`, i = 1..n, `r_{n+1} = sum_j x_j^2 - 1/4`, a = 1e-5; n >= 1
/// (default 4), m = n + 1; x0 = (1, 2, ..., n); published f* = 2.24997e-5 (n = 4),
/// 7.08765e-5 (n = 10) (stored halved; `None` for other n).
/// Reference: P. E. Gill, W. Murray, R. A. Pitfield, NPL Rep. NAC 11 (1972);
/// MGH (1981) problem 23.
#[derive(Clone, Debug)]
pub struct Penalty1 {
    n: usize,
}

impl Default for Penalty1 {
    fn default() -> Self {
        Self { n: 4 }
    }
}

sized_ctor!(Penalty1, |n| n >= 1, "n is zero");

impl Mgh for Penalty1 {
    fn number(&self) -> usize {
        23
    }
    fn name(&self) -> &'static str {
        "penalty1"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n + 1
    }
    fn x0(&self) -> Vec<f64> {
        (1..=self.n).map(|j| j as f64).collect()
    }
    fn f_star(&self) -> Option<f64> {
        match self.n {
            4 => Some(2.24997e-5 / 2.0),
            10 => Some(7.08765e-5 / 2.0),
            _ => None,
        }
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let mut s: D = cst(-0.25);
        for (j, &xj) in x.iter().enumerate() {
            r[j] = (xj - 1.0) * PENALTY_SQRT_A;
            s += xj * xj;
        }
        r[self.n] = s;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for j in 0..self.n {
            emit(j, j, cst(PENALTY_SQRT_A));
        }
        for (j, &xj) in x.iter().enumerate() {
            emit(self.n, j, xj * 2.0);
        }
    }
}

/// Problem 24, penalty function II.
///
/// `r_1 = x_1 - 0.2`; `r_i = sqrt(a) (exp(x_i/10) + exp(x_{i-1}/10) - y_i)`, i = 2..n, with
/// `y_i = exp(i/10) + exp((i-1)/10)`; `r_i = sqrt(a) (exp(x_{i-n+1}/10) - exp(-1/10))`,
/// i = n+1..2n-1; `r_{2n} = sum_j (n - j + 1) x_j^2 - 1`; a = 1e-5; n >= 1 (default 4),
/// m = 2n; x0 = (1/2, ..., 1/2); published f* = 9.37629e-6 (n = 4), 2.93660e-4 (n = 10)
/// (stored halved; `None` for other n).
/// Reference: P. E. Gill, W. Murray, R. A. Pitfield, NPL Rep. NAC 11 (1972);
/// MGH (1981) problem 24.
#[derive(Clone, Debug)]
pub struct Penalty2 {
    n: usize,
}

impl Default for Penalty2 {
    fn default() -> Self {
        Self { n: 4 }
    }
}

sized_ctor!(Penalty2, |n| n >= 1, "n is zero");

impl Mgh for Penalty2 {
    fn number(&self) -> usize {
        24
    }
    fn name(&self) -> &'static str {
        "penalty2"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        2 * self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.5; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        match self.n {
            4 => Some(9.37629e-6 / 2.0),
            10 => Some(2.93660e-4 / 2.0),
            _ => None,
        }
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let n = self.n;
        let e: Vec<D> = x.iter().map(|&xj| (xj * 0.1).exp()).collect();
        r[0] = x[0] - 0.2;
        for i in 1..n {
            // paper index i + 1
            let y = ((i as f64 + 1.0) / 10.0).exp() + (i as f64 / 10.0).exp();
            r[i] = (e[i] + e[i - 1] - y) * PENALTY_SQRT_A;
        }
        for k in n..(2 * n - 1) {
            r[k] = (e[k - n + 1] - (-0.1f64).exp()) * PENALTY_SQRT_A;
        }
        let mut s: D = cst(-1.0);
        for (j, &xj) in x.iter().enumerate() {
            s += xj * xj * (n - j) as f64;
        }
        r[2 * n - 1] = s;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let n = self.n;
        let c = 0.1 * PENALTY_SQRT_A;
        emit(0, 0, cst(1.0));
        for i in 1..n {
            emit(i, i - 1, (x[i - 1] * 0.1).exp() * c);
            emit(i, i, (x[i] * 0.1).exp() * c);
        }
        for k in n..(2 * n - 1) {
            let j = k - n + 1;
            emit(k, j, (x[j] * 0.1).exp() * c);
        }
        for (j, &xj) in x.iter().enumerate() {
            emit(2 * n - 1, j, xj * (2.0 * (n - j) as f64));
        }
    }
}

/// Problem 25, variably dimensioned.
///
/// `r_i = x_i - 1`, i = 1..n; `r_{n+1} = sum_j j (x_j - 1)`; `r_{n+2} = (sum_j j (x_j - 1))^2`;
/// n >= 1 (default 10), m = n + 2; x0_j = 1 - j/n; published f* = 0 at (1, ..., 1)
/// (stored 0).
/// Reference: MGH (1981) problem 25.
#[derive(Clone, Debug)]
pub struct VariablyDimensioned {
    n: usize,
}

impl Default for VariablyDimensioned {
    fn default() -> Self {
        Self { n: 10 }
    }
}

sized_ctor!(VariablyDimensioned, |n| n >= 1, "n is zero");

impl VariablyDimensioned {
    fn weighted_sum<D: Scalar>(x: &[D]) -> D {
        let mut s: D = cst(0.0);
        for (j, &xj) in x.iter().enumerate() {
            s += (xj - 1.0) * (j as f64 + 1.0);
        }
        s
    }
}

impl Mgh for VariablyDimensioned {
    fn number(&self) -> usize {
        25
    }
    fn name(&self) -> &'static str {
        "variably_dimensioned"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n + 2
    }
    fn x0(&self) -> Vec<f64> {
        (1..=self.n).map(|j| 1.0 - j as f64 / self.n as f64).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (ri, &xj) in r.iter_mut().zip(x) {
            *ri = xj - 1.0;
        }
        let s = Self::weighted_sum(x);
        r[self.n] = s;
        r[self.n + 1] = s * s;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for j in 0..self.n {
            emit(j, j, cst(1.0));
        }
        for j in 0..self.n {
            emit(self.n, j, cst(j as f64 + 1.0));
        }
        let s = Self::weighted_sum(x);
        for j in 0..self.n {
            emit(self.n + 1, j, s * (2.0 * (j as f64 + 1.0)));
        }
    }
}

/// Problem 26, trigonometric.
///
/// `r_i = n - sum_j cos x_j + i (1 - cos x_i) - sin x_i`, i = 1..n; n >= 1 (default 10),
/// m = n; x0 = (1/n, ..., 1/n); published f* = 0 (stored 0). The problem has other local
/// minima that the paper does not list; from x0 with n = 10, MINPACK-1's `hybrj` stops at
/// ||r|| = 5.2964e-3 (f ~ 2.805e-5 / 2), which is not recorded as a published local minimum.
/// Reference: E. Spedicato, CISE-N-175 (1975); MGH (1981) problem 26.
#[derive(Clone, Debug)]
pub struct Trigonometric {
    n: usize,
}

impl Default for Trigonometric {
    fn default() -> Self {
        Self { n: 10 }
    }
}

sized_ctor!(Trigonometric, |n| n >= 1, "n is zero");

impl Mgh for Trigonometric {
    fn number(&self) -> usize {
        26
    }
    fn name(&self) -> &'static str {
        "trigonometric"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0 / self.n as f64; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let mut s: D = cst(self.n as f64);
        for &xj in x {
            s -= xj.cos();
        }
        for (i, (ri, &xi)) in r.iter_mut().zip(x).enumerate() {
            let (sin, cos) = xi.sin_cos();
            *ri = s + (-cos + 1.0) * (i as f64 + 1.0) - sin;
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let sc: Vec<(D, D)> = x.iter().map(|xj| xj.sin_cos()).collect();
        for i in 0..self.n {
            for (j, &(sin, cos)) in sc.iter().enumerate() {
                let v = if i == j { sin * (i as f64 + 2.0) - cos } else { sin };
                emit(i, j, v);
            }
        }
    }
}

/// Problem 27, Brown almost-linear.
///
/// `r_i = x_i + sum_j x_j - (n + 1)`, i = 1..n-1; `r_n = prod_j x_j - 1`; n >= 1
/// (default 10), m = n; x0 = (1/2, ..., 1/2); published f* = 0 at (a, ..., a, a^(1-n)) with
/// `n a^n - (n + 1) a^(n-1) + 1 = 0`, in particular (1, ..., 1) (stored 0), and f = 1 at
/// (0, ..., 0, n + 1) (stored 1/2 as [`Mgh::local_f_star`]). f(x0) = 273.2480 / 2 for n = 10
/// (MINPACK-1 initial norm 16.530216).
/// Reference: K. M. Brown, SIAM J. Numer. Anal. 6 (1969) 560-569; MGH (1981) problem 27.
#[derive(Clone, Debug)]
pub struct BrownAlmostLinear {
    n: usize,
}

impl Default for BrownAlmostLinear {
    fn default() -> Self {
        Self { n: 10 }
    }
}

sized_ctor!(BrownAlmostLinear, |n| n >= 1, "n is zero");

impl Mgh for BrownAlmostLinear {
    fn number(&self) -> usize {
        27
    }
    fn name(&self) -> &'static str {
        "brown_almost_linear"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.5; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn local_f_star(&self) -> Option<f64> {
        Some(0.5)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let n = self.n;
        let mut s: D = cst(-(n as f64 + 1.0));
        let mut p: D = cst(1.0);
        for &xj in x {
            s += xj;
            p *= xj;
        }
        for i in 0..n - 1 {
            r[i] = x[i] + s;
        }
        r[n - 1] = p - 1.0;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let n = self.n;
        for i in 0..n - 1 {
            for j in 0..n {
                emit(i, j, cst(if i == j { 2.0 } else { 1.0 }));
            }
        }
        // prod_{k != j} x_k from prefix and suffix products (no division, exact at zeros).
        let mut suffix: Vec<D> = vec![cst(1.0); n + 1];
        for j in (0..n).rev() {
            suffix[j] = suffix[j + 1] * x[j];
        }
        let mut prefix: D = cst(1.0);
        for j in 0..n {
            emit(n - 1, j, prefix * suffix[j + 1]);
            prefix *= x[j];
        }
    }
}

/// Problem 28, discrete boundary value.
///
/// `r_i = 2 x_i - x_{i-1} - x_{i+1} + h^2 (x_i + t_i + 1)^3 / 2`, `h = 1/(n+1)`, `t_i = i h`,
/// `x_0 = x_{n+1} = 0`; n >= 1 (default 10), m = n; x0_j = t_j (t_j - 1); published f* = 0
/// (stored 0).
/// Reference: J. J. More, M. Y. Cosnard, ACM TOMS 5 (1979) 64-85; MGH (1981) problem 28.
#[derive(Clone, Debug)]
pub struct DiscreteBoundaryValue {
    n: usize,
}

impl Default for DiscreteBoundaryValue {
    fn default() -> Self {
        Self { n: 10 }
    }
}

sized_ctor!(DiscreteBoundaryValue, |n| n >= 1, "n is zero");

impl Mgh for DiscreteBoundaryValue {
    fn number(&self) -> usize {
        28
    }
    fn name(&self) -> &'static str {
        "discrete_boundary_value"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let h = 1.0 / (self.n as f64 + 1.0);
        (1..=self.n).map(|j| j as f64 * h * (j as f64 * h - 1.0)).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let n = self.n;
        let h = 1.0 / (n as f64 + 1.0);
        for i in 0..n {
            let t = (i as f64 + 1.0) * h;
            let u = x[i] + t + 1.0;
            let mut v = x[i] * 2.0 + u * u * u * (0.5 * h * h);
            if i > 0 {
                v -= x[i - 1];
            }
            if i + 1 < n {
                v -= x[i + 1];
            }
            r[i] = v;
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let n = self.n;
        let h = 1.0 / (n as f64 + 1.0);
        for (i, &xi) in x.iter().enumerate() {
            let t = (i as f64 + 1.0) * h;
            let u = xi + t + 1.0;
            if i > 0 {
                emit(i, i - 1, cst(-1.0));
            }
            emit(i, i, u * u * (1.5 * h * h) + 2.0);
            if i + 1 < n {
                emit(i, i + 1, cst(-1.0));
            }
        }
    }
}

/// Problem 29, discrete integral equation.
///
/// `r_i = x_i + h [(1 - t_i) sum_{j<=i} t_j (x_j + t_j + 1)^3 +
/// t_i sum_{j>i} (1 - t_j) (x_j + t_j + 1)^3] / 2`, `h = 1/(n+1)`, `t_i = i h`; n >= 1
/// (default 10), m = n (dense Jacobian); x0_j = t_j (t_j - 1); published f* = 0 (stored 0).
/// Residuals cost O(n) (prefix sums), the Jacobian O(n^2).
/// Reference: J. J. More, M. Y. Cosnard, ACM TOMS 5 (1979) 64-85; MGH (1981) problem 29.
#[derive(Clone, Debug)]
pub struct DiscreteIntegralEquation {
    n: usize,
}

impl Default for DiscreteIntegralEquation {
    fn default() -> Self {
        Self { n: 10 }
    }
}

sized_ctor!(DiscreteIntegralEquation, |n| n >= 1, "n is zero");

impl Mgh for DiscreteIntegralEquation {
    fn number(&self) -> usize {
        29
    }
    fn name(&self) -> &'static str {
        "discrete_integral_equation"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let h = 1.0 / (self.n as f64 + 1.0);
        (1..=self.n).map(|j| j as f64 * h * (j as f64 * h - 1.0)).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let n = self.n;
        let h = 1.0 / (n as f64 + 1.0);
        let cube: Vec<D> = x
            .iter()
            .enumerate()
            .map(|(j, &xj)| {
                let u = xj + (j as f64 + 1.0) * h + 1.0;
                u * u * u
            })
            .collect();
        // below[i] = sum_{j<=i} t_j c_j, above[i] = sum_{j>i} (1 - t_j) c_j
        let mut above: Vec<D> = vec![cst(0.0); n];
        let mut acc: D = cst(0.0);
        for j in (0..n).rev() {
            above[j] = acc;
            let t = (j as f64 + 1.0) * h;
            acc += cube[j] * (1.0 - t);
        }
        let mut below: D = cst(0.0);
        for i in 0..n {
            let t = (i as f64 + 1.0) * h;
            below += cube[i] * t;
            r[i] = x[i] + (below * (1.0 - t) + above[i] * t) * (0.5 * h);
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let n = self.n;
        let h = 1.0 / (n as f64 + 1.0);
        let dcube: Vec<D> = x
            .iter()
            .enumerate()
            .map(|(j, &xj)| {
                let u = xj + (j as f64 + 1.0) * h + 1.0;
                u * u * 3.0
            })
            .collect();
        for i in 0..n {
            let ti = (i as f64 + 1.0) * h;
            for (j, &dc) in dcube.iter().enumerate() {
                let tj = (j as f64 + 1.0) * h;
                let w = if j <= i { (1.0 - ti) * tj } else { ti * (1.0 - tj) };
                let mut v = dc * (0.5 * h * w);
                if i == j {
                    v += 1.0;
                }
                emit(i, j, v);
            }
        }
    }
}

/// Problem 30, Broyden tridiagonal.
///
/// `r_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1`, `x_0 = x_{n+1} = 0`; n >= 1
/// (default 10), m = n; x0 = (-1, ..., -1); published f* = 0 (stored 0). f(x0) = 21 / 2 for
/// n = 10 (MINPACK-1 initial norm 4.5825757).
/// Reference: C. G. Broyden, Math. Comp. 19 (1965) 577-593; MGH (1981) problem 30.
#[derive(Clone, Debug)]
pub struct BroydenTridiagonal {
    n: usize,
}

impl Default for BroydenTridiagonal {
    fn default() -> Self {
        Self { n: 10 }
    }
}

sized_ctor!(BroydenTridiagonal, |n| n >= 1, "n is zero");

impl Mgh for BroydenTridiagonal {
    fn number(&self) -> usize {
        30
    }
    fn name(&self) -> &'static str {
        "broyden_tridiagonal"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let n = self.n;
        for i in 0..n {
            let mut v = (-(x[i] * 2.0) + 3.0) * x[i] + 1.0;
            if i > 0 {
                v -= x[i - 1];
            }
            if i + 1 < n {
                v -= x[i + 1] * 2.0;
            }
            r[i] = v;
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let n = self.n;
        for (i, &xi) in x.iter().enumerate() {
            if i > 0 {
                emit(i, i - 1, cst(-1.0));
            }
            emit(i, i, -(xi * 4.0) + 3.0);
            if i + 1 < n {
                emit(i, i + 1, cst(-2.0));
            }
        }
    }
}

/// Problem 31, Broyden banded.
///
/// `r_i = x_i (2 + 5 x_i^2) + 1 - sum_{j in J_i} x_j (1 + x_j)`,
/// `J_i = {j != i : max(1, i - 5) <= j <= min(n, i + 1)}` (ml = 5, mu = 1); n >= 1
/// (default 10), m = n; x0 = (-1, ..., -1); published f* = 0 (stored 0). f(x0) = 36 n / 2.
/// Reference: C. G. Broyden, Comput. J. 14 (1971) 22-26; MGH (1981) problem 31.
#[derive(Clone, Debug)]
pub struct BroydenBanded {
    n: usize,
}

impl Default for BroydenBanded {
    fn default() -> Self {
        Self { n: 10 }
    }
}

sized_ctor!(BroydenBanded, |n| n >= 1, "n is zero");

impl BroydenBanded {
    /// Column range `max(0, i - 5) ..= min(n - 1, i + 1)` (0-based) of row `i`.
    fn band(&self, i: usize) -> std::ops::RangeInclusive<usize> {
        i.saturating_sub(5)..=(i + 1).min(self.n - 1)
    }
}

impl Mgh for BroydenBanded {
    fn number(&self) -> usize {
        31
    }
    fn name(&self) -> &'static str {
        "broyden_banded"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for i in 0..self.n {
            let mut v = x[i] * (x[i] * x[i] * 5.0 + 2.0) + 1.0;
            for j in self.band(i) {
                if j != i {
                    v -= x[j] * (x[j] + 1.0);
                }
            }
            r[i] = v;
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for i in 0..self.n {
            for j in self.band(i) {
                let v = if j == i { x[i] * x[i] * 15.0 + 2.0 } else { -(x[j] * 2.0 + 1.0) };
                emit(i, j, v);
            }
        }
    }
}

/// Problem 32, linear function - full rank.
///
/// `r_i = x_i - (2/m) sum_j x_j - 1`, i = 1..n; `r_i = -(2/m) sum_j x_j - 1`, i = n+1..m;
/// m >= n >= 1 (default n = 10, m = 20; [`MghBuild::with_size`] takes m = 2n); x0 = (1, ..., 1);
/// published f* = m - n at x = (-1, ..., -1) (stored (m - n)/2). f(x0) = 50 / 2 at the
/// default size.
/// Reference: MGH (1981) problem 32.
#[derive(Clone, Debug)]
pub struct LinearFullRank {
    n: usize,
    m: usize,
}

/// Problem 33, linear function - rank 1.
///
/// `r_i = i (sum_j j x_j) - 1`, i = 1..m; m >= n >= 1 (default n = 10, m = 20;
/// [`MghBuild::with_size`] takes m = 2n); x0 = (1, ..., 1); published
/// f* = m (m - 1) / (2 (2m + 1)) on the hyperplane `sum_j j x_j = 3 / (2m + 1)` (stored halved).
/// Reference: MGH (1981) problem 33.
#[derive(Clone, Debug)]
pub struct LinearRank1 {
    n: usize,
    m: usize,
}

/// Problem 34, linear function - rank 1 with zero columns and rows.
///
/// `r_1 = -1`, `r_i = (i - 1) (sum_{j=2..n-1} j x_j) - 1`, i = 2..m-1, `r_m = -1`;
/// m >= n >= 3 (default n = 10, m = 20; [`MghBuild::with_size`] takes m = 2n);
/// x0 = (1, ..., 1); published f* = (m^2 + 3m - 6) / (2 (2m - 3)) on the hyperplane
/// `sum_{j=2..n-1} j x_j = 3 / (2m - 3)` (stored halved).
/// Reference: MGH (1981) problem 34.
#[derive(Clone, Debug)]
pub struct LinearRank1ZeroColumnsRows {
    n: usize,
    m: usize,
}

macro_rules! linear_ctor {
    ($ty:ident, $min_n:expr) => {
        impl $ty {
            /// The problem with `n` variables and `m` residuals, or `None` unless
            #[doc = concat!("`m >= n >= ", stringify!($min_n), "`.")]
            pub fn try_new(n: usize, m: usize) -> Option<Self> {
                (n >= $min_n && m >= n).then_some(Self { n, m })
            }
            /// The problem with `n` variables and `m` residuals.
            ///
            /// # Panics
            #[doc = concat!("Unless `m >= n >= ", stringify!($min_n), "`.")]
            pub fn new(n: usize, m: usize) -> Self {
                Self::try_new(n, m).expect(concat!(stringify!($ty), ": invalid (n, m)"))
            }
        }

        impl Default for $ty {
            fn default() -> Self {
                Self { n: 10, m: 20 }
            }
        }

        impl MghBuild for $ty {
            fn default_size() -> Self {
                Self::default()
            }
            /// `n` variables and `m = 2n` residuals.
            fn with_size(n: usize) -> Option<Self> {
                Self::try_new(n, n.checked_mul(2)?)
            }
        }
    };
}

linear_ctor!(LinearFullRank, 1);
linear_ctor!(LinearRank1, 1);
linear_ctor!(LinearRank1ZeroColumnsRows, 3);

impl Mgh for LinearFullRank {
    fn number(&self) -> usize {
        32
    }
    fn name(&self) -> &'static str {
        "linear_full_rank"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some((self.m - self.n) as f64 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let mut s: D = cst(0.0);
        for &xj in x {
            s += xj;
        }
        let c = s * (-2.0 / self.m as f64) - 1.0;
        for (i, ri) in r.iter_mut().enumerate() {
            *ri = if i < self.n { x[i] + c } else { c };
        }
    }
    fn jacobian<D: Scalar>(&self, _x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let c = -2.0 / self.m as f64;
        for i in 0..self.m {
            for j in 0..self.n {
                emit(i, j, cst(if i == j { 1.0 + c } else { c }));
            }
        }
    }
}

impl Mgh for LinearRank1 {
    fn number(&self) -> usize {
        33
    }
    fn name(&self) -> &'static str {
        "linear_rank1"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        let m = self.m as f64;
        Some(m * (m - 1.0) / (2.0 * (2.0 * m + 1.0)) / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let mut s: D = cst(0.0);
        for (j, &xj) in x.iter().enumerate() {
            s += xj * (j as f64 + 1.0);
        }
        for (i, ri) in r.iter_mut().enumerate() {
            *ri = s * (i as f64 + 1.0) - 1.0;
        }
    }
    fn jacobian<D: Scalar>(&self, _x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for i in 0..self.m {
            for j in 0..self.n {
                emit(i, j, cst((i as f64 + 1.0) * (j as f64 + 1.0)));
            }
        }
    }
}

impl Mgh for LinearRank1ZeroColumnsRows {
    fn number(&self) -> usize {
        34
    }
    fn name(&self) -> &'static str {
        "linear_rank1_zero"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        let m = self.m as f64;
        Some((m * m + 3.0 * m - 6.0) / (2.0 * (2.0 * m - 3.0)) / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let mut s: D = cst(0.0);
        for (j, &xj) in x.iter().enumerate().take(self.n - 1).skip(1) {
            s += xj * (j as f64 + 1.0);
        }
        for (i, ri) in r.iter_mut().enumerate() {
            *ri = if i == 0 || i + 1 == self.m { cst(-1.0) } else { s * i as f64 - 1.0 };
        }
    }
    fn jacobian<D: Scalar>(&self, _x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for i in 1..self.m - 1 {
            for j in 1..self.n - 1 {
                emit(i, j, cst(i as f64 * (j as f64 + 1.0)));
            }
        }
    }
}

/// Problem 35, Chebyquad.
///
/// `r_i = (1/n) sum_j T_i(x_j) - integral_0^1 T_i`, i = 1..m, with `T_i` the Chebyshev
/// polynomial shifted to [0, 1] (`T_i(x) = C_i(2x - 1)`), whose integral is 0 for odd i and
/// `-1/(i^2 - 1)` for even i; m >= n >= 1 (default n = m = 8; [`MghBuild::with_size`] takes
/// m = n); x0_j = j / (n + 1); published f* (m = n) = 0 for n = 1..7 and 9,
/// 3.51687e-3 for n = 8, 6.50395e-3 for n = 10 (stored halved; `None` otherwise).
/// Reference: R. Fletcher, Comput. J. 8 (1965) 33-41; MGH (1981) problem 35.
#[derive(Clone, Debug)]
pub struct Chebyquad {
    n: usize,
    m: usize,
}

impl Chebyquad {
    /// The problem with `n` variables and `m` residuals, or `None` unless `m >= n >= 1`.
    pub fn try_new(n: usize, m: usize) -> Option<Self> {
        (n >= 1 && m >= n).then_some(Self { n, m })
    }
    /// The problem with `n` variables and `m` residuals.
    ///
    /// # Panics
    /// Unless `m >= n >= 1`.
    pub fn new(n: usize, m: usize) -> Self {
        Self::try_new(n, m).expect("chebyquad: invalid (n, m)")
    }
}

impl Default for Chebyquad {
    fn default() -> Self {
        Self { n: 8, m: 8 }
    }
}

impl MghBuild for Chebyquad {
    fn default_size() -> Self {
        Self::default()
    }
    /// `n` variables and `m = n` residuals.
    fn with_size(n: usize) -> Option<Self> {
        Self::try_new(n, n)
    }
}

impl Mgh for Chebyquad {
    fn number(&self) -> usize {
        35
    }
    fn name(&self) -> &'static str {
        "chebyquad"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        (1..=self.n).map(|j| j as f64 / (self.n as f64 + 1.0)).collect()
    }
    fn f_star(&self) -> Option<f64> {
        if self.m != self.n {
            return None;
        }
        match self.n {
            1..=7 | 9 => Some(0.0),
            8 => Some(3.51687e-3 / 2.0),
            10 => Some(6.50395e-3 / 2.0),
            _ => None,
        }
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        r.fill(cst(0.0));
        for &xj in x {
            let y = xj * 2.0 - 1.0;
            let mut t_prev: D = cst(1.0);
            let mut t = y;
            for (i, ri) in r.iter_mut().enumerate() {
                if i > 0 {
                    let next = y * t * 2.0 - t_prev;
                    t_prev = t;
                    t = next;
                }
                *ri += t;
            }
        }
        let inv_n = 1.0 / self.n as f64;
        for (i, ri) in r.iter_mut().enumerate() {
            let k = i as f64 + 1.0;
            *ri *= inv_n;
            if (i + 1) % 2 == 0 {
                *ri += 1.0 / (k * k - 1.0);
            }
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let inv_n = 1.0 / self.n as f64;
        for (j, &xj) in x.iter().enumerate() {
            // T_1 = y, T_{k+1} = 2 y T_k - T_{k-1}; with dy/dx = 2:
            // T_1' = 2, T_{k+1}' = 4 T_k + 2 y T_k' - T_{k-1}'.
            let y = xj * 2.0 - 1.0;
            let (mut t_prev, mut t): (D, D) = (cst(1.0), y);
            let (mut d_prev, mut d): (D, D) = (cst(0.0), cst(2.0));
            for i in 0..self.m {
                if i > 0 {
                    let d_next = t * 4.0 + y * d * 2.0 - d_prev;
                    let t_next = y * t * 2.0 - t_prev;
                    d_prev = d;
                    d = d_next;
                    t_prev = t;
                    t = t_next;
                }
                emit(i, j, d * inv_n);
            }
        }
    }
}
