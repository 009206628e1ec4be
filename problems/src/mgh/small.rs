//! Problems 1-19 of More, Garbow & Hillstrom (1981): fixed `n`, data-fitting and classic
//! valleys. Notation of the paper, 1-based in the formulas (`x1` is `x[0]`).
//!
//! Every value `f*` is quoted from the paper as `sum r_i^2` and stored halved
//! (`f = ||r||^2 / 2`).

use super::{cst, Mgh, MghBuild, Scalar};

/// Problem 1, Rosenbrock.
///
/// `r1 = 10 (x2 - x1^2)`, `r2 = 1 - x1`; n = m = 2; x0 = (-1.2, 1);
/// published f* = 0 at (1, 1) (stored 0). f(x0) = 24.2 / 2.
/// Reference: H. H. Rosenbrock, Comput. J. 3 (1960) 175-184; MGH (1981) problem 1.
#[derive(Clone, Debug, Default)]
pub struct Rosenbrock;

impl Mgh for Rosenbrock {
    fn number(&self) -> usize {
        1
    }
    fn name(&self) -> &'static str {
        "rosenbrock"
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        2
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.2, 1.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        r[0] = (x[1] - x[0] * x[0]) * 10.0;
        r[1] = -x[0] + 1.0;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        emit(0, 0, x[0] * -20.0);
        emit(0, 1, cst(10.0));
        emit(1, 0, cst(-1.0));
    }
}

impl MghBuild for Rosenbrock {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 2, Freudenstein and Roth.
///
/// `r1 = -13 + x1 + ((5 - x2) x2 - 2) x2`, `r2 = -29 + x1 + ((x2 + 1) x2 - 14) x2`;
/// n = m = 2; x0 = (0.5, -2); published f* = 0 at (5, 4) (stored 0) and a local minimum
/// f = 48.9842 at (11.41..., -0.8968...) (stored 24.4921, see [`Mgh::local_f_star`]).
/// f(x0) = 400.5 / 2 (MINPACK-1 initial norm 20.012496).
/// Reference: F. Freudenstein, B. Roth, J. ACM 10 (1963) 550-556; MGH (1981) problem 2.
#[derive(Clone, Debug, Default)]
pub struct FreudensteinRoth;

impl Mgh for FreudensteinRoth {
    fn number(&self) -> usize {
        2
    }
    fn name(&self) -> &'static str {
        "freudenstein_roth"
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        2
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.5, -2.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn local_f_star(&self) -> Option<f64> {
        Some(48.9842 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let (x1, x2) = (x[0], x[1]);
        r[0] = x1 - 13.0 + ((-x2 + 5.0) * x2 - 2.0) * x2;
        r[1] = x1 - 29.0 + ((x2 + 1.0) * x2 - 14.0) * x2;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let x2 = x[1];
        emit(0, 0, cst(1.0));
        // d/dx2 (5 x2^2 - x2^3 - 2 x2) = 10 x2 - 3 x2^2 - 2
        emit(0, 1, x2 * 10.0 - x2 * x2 * 3.0 - 2.0);
        emit(1, 0, cst(1.0));
        // d/dx2 (x2^3 + x2^2 - 14 x2) = 3 x2^2 + 2 x2 - 14
        emit(1, 1, x2 * x2 * 3.0 + x2 * 2.0 - 14.0);
    }
}

impl MghBuild for FreudensteinRoth {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 3, Powell badly scaled.
///
/// `r1 = 10^4 x1 x2 - 1`, `r2 = exp(-x1) + exp(-x2) - 1.0001`; n = m = 2; x0 = (0, 1);
/// published f* = 0 at (1.098...e-5, 9.106...) (stored 0).
/// Reference: M. J. D. Powell, in Numerical Methods for Nonlinear Algebraic Equations (1970);
/// MGH (1981) problem 3.
#[derive(Clone, Debug, Default)]
pub struct PowellBadlyScaled;

impl Mgh for PowellBadlyScaled {
    fn number(&self) -> usize {
        3
    }
    fn name(&self) -> &'static str {
        "powell_badly_scaled"
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        2
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.0, 1.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        r[0] = x[0] * x[1] * 1.0e4 - 1.0;
        r[1] = (-x[0]).exp() + (-x[1]).exp() - 1.0001;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        emit(0, 0, x[1] * 1.0e4);
        emit(0, 1, x[0] * 1.0e4);
        emit(1, 0, -(-x[0]).exp());
        emit(1, 1, -(-x[1]).exp());
    }
}

impl MghBuild for PowellBadlyScaled {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 4, Brown badly scaled.
///
/// `r1 = x1 - 10^6`, `r2 = x2 - 2 10^-6`, `r3 = x1 x2 - 2`; n = 2, m = 3; x0 = (1, 1);
/// published f* = 0 at (10^6, 2 10^-6) (stored 0).
/// Reference: K. M. Brown, private communication (in MGH); MGH (1981) problem 4.
#[derive(Clone, Debug, Default)]
pub struct BrownBadlyScaled;

impl Mgh for BrownBadlyScaled {
    fn number(&self) -> usize {
        4
    }
    fn name(&self) -> &'static str {
        "brown_badly_scaled"
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        3
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0, 1.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        r[0] = x[0] - 1.0e6;
        r[1] = x[1] - 2.0e-6;
        r[2] = x[0] * x[1] - 2.0;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        emit(0, 0, cst(1.0));
        emit(1, 1, cst(1.0));
        emit(2, 0, x[1]);
        emit(2, 1, x[0]);
    }
}

impl MghBuild for BrownBadlyScaled {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 5, Beale.
///
/// `r_i = y_i - x1 (1 - x2^i)`, i = 1..3, y = (1.5, 2.25, 2.625); n = 2, m = 3; x0 = (1, 1);
/// published f* = 0 at (3, 0.5) (stored 0). f(x0) = 14.203125 / 2.
/// Reference: E. M. L. Beale, Tech. Rep. 25, Princeton (1958); MGH (1981) problem 5.
#[derive(Clone, Debug, Default)]
pub struct Beale;

const BEALE_Y: [f64; 3] = [1.5, 2.25, 2.625];

impl Mgh for Beale {
    fn number(&self) -> usize {
        5
    }
    fn name(&self) -> &'static str {
        "beale"
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        3
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0, 1.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let mut p = x[1]; // x2^i
        for (i, ri) in r.iter_mut().enumerate() {
            *ri = -(x[0] * (-p + 1.0)) + BEALE_Y[i];
            p *= x[1];
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let mut p_prev: D = cst(1.0); // x2^(i-1)
        for i in 0..3 {
            let p = p_prev * x[1];
            emit(i, 0, p - 1.0);
            emit(i, 1, x[0] * p_prev * (i as f64 + 1.0));
            p_prev = p;
        }
    }
}

impl MghBuild for Beale {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 6, Jennrich and Sampson.
///
/// `r_i = 2 + 2 i - (exp(i x1) + exp(i x2))`, i = 1..m; n = 2, m >= 2 (default 10);
/// x0 = (0.3, 0.4); published f* = 124.362 at x1 = x2 = 0.2578 for m = 10 (stored 62.181).
/// Reference: R. I. Jennrich, P. F. Sampson, Technometrics 10 (1968) 63-72;
/// MGH (1981) problem 6.
#[derive(Clone, Debug)]
pub struct JennrichSampson {
    m: usize,
}

impl JennrichSampson {
    /// The problem with `m >= 2` residuals; `None` otherwise.
    pub fn try_new(m: usize) -> Option<Self> {
        (m >= 2).then_some(Self { m })
    }
    /// The problem with `m` residuals.
    ///
    /// # Panics
    /// If `m < 2`.
    pub fn new(m: usize) -> Self {
        Self::try_new(m).expect("jennrich_sampson needs m >= 2")
    }
}

impl Default for JennrichSampson {
    fn default() -> Self {
        Self { m: 10 }
    }
}

impl Mgh for JennrichSampson {
    fn number(&self) -> usize {
        6
    }
    fn name(&self) -> &'static str {
        "jennrich_sampson"
    }
    fn n(&self) -> usize {
        2
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.3, 0.4]
    }
    fn f_star(&self) -> Option<f64> {
        (self.m == 10).then_some(124.362 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let i = k as f64 + 1.0;
            *ri = -((x[0] * i).exp() + (x[1] * i).exp()) + (2.0 + 2.0 * i);
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..self.m {
            let i = k as f64 + 1.0;
            emit(k, 0, (x[0] * i).exp() * -i);
            emit(k, 1, (x[1] * i).exp() * -i);
        }
    }
}

impl MghBuild for JennrichSampson {
    fn default_size() -> Self {
        Self::default()
    }
}

/// Problem 7, helical valley.
///
/// `r1 = 10 (x3 - 10 theta(x1, x2))`, `r2 = 10 (sqrt(x1^2 + x2^2) - 1)`, `r3 = x3`, with
/// `2 pi theta = arctan(x2 / x1)` for x1 > 0 and `arctan(x2 / x1) + pi` for x1 < 0
/// (`theta = 0.25 sign(x2)` at x1 = 0, as in the MINPACK-1 code); n = m = 3; x0 = (-1, 0, 0);
/// published f* = 0 at (1, 0, 0) (stored 0). f(x0) = 2500 / 2.
/// Reference: R. Fletcher, M. J. D. Powell, Comput. J. 6 (1963) 163-168; MGH (1981) problem 7.
#[derive(Clone, Debug, Default)]
pub struct HelicalValley;

impl HelicalValley {
    fn theta<D: Scalar>(x1: D, x2: D) -> D {
        let tpi = 2.0 * std::f64::consts::PI;
        if x1.re() > 0.0 {
            (x2 / x1).atan() / tpi
        } else if x1.re() < 0.0 {
            (x2 / x1).atan() / tpi + 0.5
        } else {
            // theta is locally constant in x1 = 0 (x2 != 0); the value of MINPACK-1.
            cst(if x2.re() >= 0.0 { 0.25 } else { -0.25 })
        }
    }
}

impl Mgh for HelicalValley {
    fn number(&self) -> usize {
        7
    }
    fn name(&self) -> &'static str {
        "helical_valley"
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        3
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.0, 0.0, 0.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let theta = Self::theta(x[0], x[1]);
        r[0] = (x[2] - theta * 10.0) * 10.0;
        r[1] = ((x[0] * x[0] + x[1] * x[1]).sqrt() - 1.0) * 10.0;
        r[2] = x[2];
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let tpi = 2.0 * std::f64::consts::PI;
        let rho2 = x[0] * x[0] + x[1] * x[1];
        let rho = rho2.sqrt();
        // d theta / dx1 = -x2 / (2 pi rho^2), d theta / dx2 = x1 / (2 pi rho^2)
        emit(0, 0, x[1] / (rho2 * tpi) * 100.0);
        emit(0, 1, -(x[0] / (rho2 * tpi) * 100.0));
        emit(0, 2, cst(10.0));
        emit(1, 0, x[0] / rho * 10.0);
        emit(1, 1, x[1] / rho * 10.0);
        emit(2, 2, cst(1.0));
    }
}

impl MghBuild for HelicalValley {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 8, Bard.
///
/// `r_i = y_i - (x1 + u_i / (v_i x2 + w_i x3))`, `u_i = i`, `v_i = 16 - i`,
/// `w_i = min(u_i, v_i)`, i = 1..15; n = 3, m = 15; x0 = (1, 1, 1); published
/// f* = 8.21487e-3 (stored halved) and f = 17.4286 at (0.8406, -inf, -inf) (a limit; stored
/// halved as [`Mgh::local_f_star`]).
/// Reference: Y. Bard, SIAM J. Numer. Anal. 7 (1970) 157-186; MGH (1981) problem 8.
#[derive(Clone, Debug, Default)]
pub struct Bard;

const BARD_Y: [f64; 15] = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39];

impl Mgh for Bard {
    fn number(&self) -> usize {
        8
    }
    fn name(&self) -> &'static str {
        "bard"
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        15
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0, 1.0, 1.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(8.21487e-3 / 2.0)
    }
    fn local_f_star(&self) -> Option<f64> {
        Some(17.4286 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let u = k as f64 + 1.0;
            let v = 16.0 - u;
            let w = u.min(v);
            let d = x[1] * v + x[2] * w;
            *ri = -(x[0] + (d.recip() * u)) + BARD_Y[k];
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..15 {
            let u = k as f64 + 1.0;
            let v = 16.0 - u;
            let w = u.min(v);
            let d = x[1] * v + x[2] * w;
            let d2 = d * d;
            emit(k, 0, cst(-1.0));
            emit(k, 1, d2.recip() * (u * v));
            emit(k, 2, d2.recip() * (u * w));
        }
    }
}

impl MghBuild for Bard {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 9, Gaussian.
///
/// `r_i = x1 exp(-x2 (t_i - x3)^2 / 2) - y_i`, `t_i = (8 - i) / 2`, i = 1..15 (y symmetric,
/// from 0.0009 to 0.3989); n = 3, m = 15; x0 = (0.4, 1, 0); published f* = 1.12793e-8
/// (stored halved).
/// Reference: MGH (1981) problem 9.
#[derive(Clone, Debug, Default)]
pub struct Gaussian;

const GAUSSIAN_Y: [f64; 15] = [
    0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044,
    0.0009,
];

impl Mgh for Gaussian {
    fn number(&self) -> usize {
        9
    }
    fn name(&self) -> &'static str {
        "gaussian"
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        15
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.4, 1.0, 0.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(1.12793e-8 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let t = (8.0 - (k as f64 + 1.0)) / 2.0;
            let d = -x[2] + t;
            *ri = x[0] * (-(x[1] * d * d) * 0.5).exp() - GAUSSIAN_Y[k];
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..15 {
            let t = (8.0 - (k as f64 + 1.0)) / 2.0;
            let d = -x[2] + t;
            let e = (-(x[1] * d * d) * 0.5).exp();
            emit(k, 0, e);
            emit(k, 1, -(x[0] * e * d * d) * 0.5);
            emit(k, 2, x[0] * e * x[1] * d);
        }
    }
}

impl MghBuild for Gaussian {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 10, Meyer.
///
/// `r_i = x1 exp(x2 / (t_i + x3)) - y_i`, `t_i = 45 + 5 i`, i = 1..16 (y from 34780 down to
/// 2872); n = 3, m = 16; x0 = (0.02, 4000, 250); published f* = 87.9458 (stored halved).
/// Reference: R. R. Meyer, in Nonlinear Programming (1970) 465-486; MGH (1981) problem 10.
#[derive(Clone, Debug, Default)]
pub struct Meyer;

const MEYER_Y: [f64; 16] = [
    34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0, 8261.0, 7030.0, 6005.0, 5147.0, 4427.0,
    3820.0, 3307.0, 2872.0,
];

impl Mgh for Meyer {
    fn number(&self) -> usize {
        10
    }
    fn name(&self) -> &'static str {
        "meyer"
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        16
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.02, 4000.0, 250.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(87.9458 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let t = 45.0 + 5.0 * (k as f64 + 1.0);
            *ri = x[0] * (x[1] / (x[2] + t)).exp() - MEYER_Y[k];
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..16 {
            let t = 45.0 + 5.0 * (k as f64 + 1.0);
            let d = x[2] + t;
            let e = (x[1] / d).exp();
            emit(k, 0, e);
            emit(k, 1, x[0] * e / d);
            emit(k, 2, -(x[0] * e * x[1] / (d * d)));
        }
    }
}

impl MghBuild for Meyer {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 11, Gulf research and development.
///
/// `r_i = exp(-|y_i - x2|^x3 / x1) - t_i`, `t_i = i / 100`,
/// `y_i = 25 + (-50 ln t_i)^(2/3)`, i = 1..m; n = 3, 3 <= m <= 100 (default 99);
/// x0 = (5, 2.5, 0.15); published f* = 0 at (50, 25, 1.5) (stored 0).
/// The paper prints `|y_i m i x2|`; the `m i` is a typesetting error for a minus sign (the
/// MINPACK-2 / funconstrain reading, which also makes (50, 25, 1.5) a zero residual).
/// Reference: MGH (1981) problem 11.
#[derive(Clone, Debug)]
pub struct Gulf {
    m: usize,
    t: Vec<f64>,
    y: Vec<f64>,
}

impl Gulf {
    /// The problem with `3 <= m <= 100` residuals; `None` otherwise.
    pub fn try_new(m: usize) -> Option<Self> {
        if !(3..=100).contains(&m) {
            return None;
        }
        let t: Vec<f64> = (1..=m).map(|i| i as f64 / 100.0).collect();
        let y = t.iter().map(|&t| 25.0 + (-50.0 * t.ln()).powf(2.0 / 3.0)).collect();
        Some(Self { m, t, y })
    }
    /// The problem with `m` residuals.
    ///
    /// # Panics
    /// If `m` is outside `3..=100`.
    pub fn new(m: usize) -> Self {
        Self::try_new(m).expect("gulf needs 3 <= m <= 100")
    }
}

impl Default for Gulf {
    fn default() -> Self {
        Self::new(99)
    }
}

impl Mgh for Gulf {
    fn number(&self) -> usize {
        11
    }
    fn name(&self) -> &'static str {
        "gulf"
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        vec![5.0, 2.5, 0.15]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let a = (-x[1] + self.y[k]).abs();
            let p = (a.ln() * x[2]).exp(); // |y - x2|^x3
            *ri = (-(p / x[0])).exp() - self.t[k];
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..self.m {
            let d = -x[1] + self.y[k];
            let la = d.abs().ln();
            let p = (la * x[2]).exp();
            let e = (-(p / x[0])).exp();
            emit(k, 0, e * p / (x[0] * x[0]));
            // d p / d x2 = -x3 p / d
            emit(k, 1, e * x[2] * p / (x[0] * d));
            emit(k, 2, -(e * p * la / x[0]));
        }
    }
}

impl MghBuild for Gulf {
    fn default_size() -> Self {
        Self::default()
    }
}

/// Problem 12, Box three-dimensional.
///
/// `r_i = exp(-t_i x1) - exp(-t_i x2) - x3 (exp(-t_i) - exp(-10 t_i))`, `t_i = 0.1 i`,
/// i = 1..m; n = 3, m >= 3 (default 10); x0 = (0, 10, 20); published f* = 0 at (1, 10, 1),
/// (10, 1, -1) and wherever x1 = x2, x3 = 0 (stored 0).
/// Reference: M. J. Box, Comput. J. 9 (1966) 67-77; MGH (1981) problem 12.
#[derive(Clone, Debug)]
pub struct Box3d {
    m: usize,
}

impl Box3d {
    /// The problem with `m >= 3` residuals; `None` otherwise.
    pub fn try_new(m: usize) -> Option<Self> {
        (m >= 3).then_some(Self { m })
    }
    /// The problem with `m` residuals.
    ///
    /// # Panics
    /// If `m < 3`.
    pub fn new(m: usize) -> Self {
        Self::try_new(m).expect("box3d needs m >= 3")
    }
}

impl Default for Box3d {
    fn default() -> Self {
        Self { m: 10 }
    }
}

impl Mgh for Box3d {
    fn number(&self) -> usize {
        12
    }
    fn name(&self) -> &'static str {
        "box3d"
    }
    fn n(&self) -> usize {
        3
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.0, 10.0, 20.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let t = 0.1 * (k as f64 + 1.0);
            let c = (-t).exp() - (-10.0 * t).exp();
            *ri = (x[0] * -t).exp() - (x[1] * -t).exp() - x[2] * c;
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..self.m {
            let t = 0.1 * (k as f64 + 1.0);
            let c = (-t).exp() - (-10.0 * t).exp();
            emit(k, 0, (x[0] * -t).exp() * -t);
            emit(k, 1, (x[1] * -t).exp() * t);
            emit(k, 2, cst(-c));
        }
    }
}

impl MghBuild for Box3d {
    fn default_size() -> Self {
        Self::default()
    }
}

/// Problem 13, Powell singular.
///
/// `r1 = x1 + 10 x2`, `r2 = sqrt(5) (x3 - x4)`, `r3 = (x2 - 2 x3)^2`,
/// `r4 = sqrt(10) (x1 - x4)^2`; n = m = 4; x0 = (3, -1, 0, 1); published f* = 0 at the origin
/// (stored 0), where the Jacobian is singular. f(x0) = 215 / 2.
/// Reference: M. J. D. Powell, Comput. J. 5 (1962) 147-151; MGH (1981) problem 13.
#[derive(Clone, Debug, Default)]
pub struct PowellSingular;

impl Mgh for PowellSingular {
    fn number(&self) -> usize {
        13
    }
    fn name(&self) -> &'static str {
        "powell_singular"
    }
    fn n(&self) -> usize {
        4
    }
    fn m(&self) -> usize {
        4
    }
    fn x0(&self) -> Vec<f64> {
        vec![3.0, -1.0, 0.0, 1.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        powell_block(&x[0..4], &mut r[0..4]);
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        powell_block_jacobian(&x[0..4], 0, emit);
    }
}

impl MghBuild for PowellSingular {
    fn default_size() -> Self {
        Self
    }
}

/// Residuals of one Powell singular block (shared with the extended problem 22).
pub(crate) fn powell_block<D: Scalar>(x: &[D], r: &mut [D]) {
    let s5 = 5.0f64.sqrt();
    let s10 = 10.0f64.sqrt();
    r[0] = x[0] + x[1] * 10.0;
    r[1] = (x[2] - x[3]) * s5;
    let a = x[1] - x[2] * 2.0;
    r[2] = a * a;
    let b = x[0] - x[3];
    r[3] = b * b * s10;
}

/// Jacobian entries of one Powell singular block whose first variable and first residual
/// have index `base`.
pub(crate) fn powell_block_jacobian<D: Scalar>(x: &[D], base: usize, emit: &mut dyn FnMut(usize, usize, D)) {
    let s5 = 5.0f64.sqrt();
    let s10 = 10.0f64.sqrt();
    let a = x[1] - x[2] * 2.0;
    let b = x[0] - x[3];
    emit(base, base, cst(1.0));
    emit(base, base + 1, cst(10.0));
    emit(base + 1, base + 2, cst(s5));
    emit(base + 1, base + 3, cst(-s5));
    emit(base + 2, base + 1, a * 2.0);
    emit(base + 2, base + 2, a * -4.0);
    emit(base + 3, base, b * (2.0 * s10));
    emit(base + 3, base + 3, b * (-2.0 * s10));
}

/// Problem 14, Wood.
///
/// `r1 = 10 (x2 - x1^2)`, `r2 = 1 - x1`, `r3 = sqrt(90) (x4 - x3^2)`, `r4 = 1 - x3`,
/// `r5 = sqrt(10) (x2 + x4 - 2)`, `r6 = (x2 - x4) / sqrt(10)`; n = 4, m = 6;
/// x0 = (-3, -1, -3, -1); published f* = 0 at (1, 1, 1, 1) (stored 0). f(x0) = 19192 / 2.
/// Reference: A. R. Colville, IBM NY Sci. Center Rep. 320-2949 (1968); MGH (1981) problem 14.
#[derive(Clone, Debug, Default)]
pub struct Wood;

impl Mgh for Wood {
    fn number(&self) -> usize {
        14
    }
    fn name(&self) -> &'static str {
        "wood"
    }
    fn n(&self) -> usize {
        4
    }
    fn m(&self) -> usize {
        6
    }
    fn x0(&self) -> Vec<f64> {
        vec![-3.0, -1.0, -3.0, -1.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let s90 = 90.0f64.sqrt();
        let s10 = 10.0f64.sqrt();
        r[0] = (x[1] - x[0] * x[0]) * 10.0;
        r[1] = -x[0] + 1.0;
        r[2] = (x[3] - x[2] * x[2]) * s90;
        r[3] = -x[2] + 1.0;
        r[4] = (x[1] + x[3] - 2.0) * s10;
        r[5] = (x[1] - x[3]) / s10;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let s90 = 90.0f64.sqrt();
        let s10 = 10.0f64.sqrt();
        emit(0, 0, x[0] * -20.0);
        emit(0, 1, cst(10.0));
        emit(1, 0, cst(-1.0));
        emit(2, 2, x[2] * (-2.0 * s90));
        emit(2, 3, cst(s90));
        emit(3, 2, cst(-1.0));
        emit(4, 1, cst(s10));
        emit(4, 3, cst(s10));
        emit(5, 1, cst(1.0 / s10));
        emit(5, 3, cst(-1.0 / s10));
    }
}

impl MghBuild for Wood {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 15, Kowalik and Osborne.
///
/// `r_i = y_i - x1 (u_i^2 + u_i x2) / (u_i^2 + u_i x3 + x4)`, i = 1..11; n = 4, m = 11;
/// x0 = (0.25, 0.39, 0.415, 0.39); published f* = 3.07505e-4 (stored halved) and
/// f = 1.02734e-3 at (+inf, -14.07..., -inf, -inf) (a limit; stored halved as
/// [`Mgh::local_f_star`]).
/// Reference: J. Kowalik, M. R. Osborne, Methods for Unconstrained Optimization Problems
/// (1968); MGH (1981) problem 15.
#[derive(Clone, Debug, Default)]
pub struct KowalikOsborne;

const KO_Y: [f64; 11] = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
const KO_U: [f64; 11] = [4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];

impl Mgh for KowalikOsborne {
    fn number(&self) -> usize {
        15
    }
    fn name(&self) -> &'static str {
        "kowalik_osborne"
    }
    fn n(&self) -> usize {
        4
    }
    fn m(&self) -> usize {
        11
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.25, 0.39, 0.415, 0.39]
    }
    fn f_star(&self) -> Option<f64> {
        Some(3.07505e-4 / 2.0)
    }
    fn local_f_star(&self) -> Option<f64> {
        Some(1.02734e-3 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let u = KO_U[k];
            let num = x[1] * u + u * u;
            let den = x[2] * u + x[3] + u * u;
            *ri = -(x[0] * num / den) + KO_Y[k];
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for (k, &u) in KO_U.iter().enumerate() {
            let num = x[1] * u + u * u;
            let den = x[2] * u + x[3] + u * u;
            let q = x[0] * num / (den * den);
            emit(k, 0, -(num / den));
            emit(k, 1, -(x[0] / den) * u);
            emit(k, 2, q * u);
            emit(k, 3, q);
        }
    }
}

impl MghBuild for KowalikOsborne {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 16, Brown and Dennis.
///
/// `r_i = (x1 + t_i x2 - exp(t_i))^2 + (x3 + x4 sin t_i - cos t_i)^2`, `t_i = i / 5`,
/// i = 1..m; n = 4, m >= 4 (default 20); x0 = (25, 5, -5, -1); published f* = 85822.2 for
/// m = 20 (stored halved).
/// Reference: K. M. Brown, J. E. Dennis, Numer. Math. 18 (1971) 289-297; MGH (1981) problem 16.
#[derive(Clone, Debug)]
pub struct BrownDennis {
    m: usize,
}

impl BrownDennis {
    /// The problem with `m >= 4` residuals; `None` otherwise.
    pub fn try_new(m: usize) -> Option<Self> {
        (m >= 4).then_some(Self { m })
    }
    /// The problem with `m` residuals.
    ///
    /// # Panics
    /// If `m < 4`.
    pub fn new(m: usize) -> Self {
        Self::try_new(m).expect("brown_dennis needs m >= 4")
    }
}

impl Default for BrownDennis {
    fn default() -> Self {
        Self { m: 20 }
    }
}

impl Mgh for BrownDennis {
    fn number(&self) -> usize {
        16
    }
    fn name(&self) -> &'static str {
        "brown_dennis"
    }
    fn n(&self) -> usize {
        4
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        vec![25.0, 5.0, -5.0, -1.0]
    }
    fn f_star(&self) -> Option<f64> {
        (self.m == 20).then_some(85822.2 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let t = (k as f64 + 1.0) / 5.0;
            let a = x[0] + x[1] * t - t.exp();
            let b = x[2] + x[3] * t.sin() - t.cos();
            *ri = a * a + b * b;
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..self.m {
            let t = (k as f64 + 1.0) / 5.0;
            let a = x[0] + x[1] * t - t.exp();
            let b = x[2] + x[3] * t.sin() - t.cos();
            emit(k, 0, a * 2.0);
            emit(k, 1, a * (2.0 * t));
            emit(k, 2, b * 2.0);
            emit(k, 3, b * (2.0 * t.sin()));
        }
    }
}

impl MghBuild for BrownDennis {
    fn default_size() -> Self {
        Self::default()
    }
}

/// Problem 17, Osborne 1.
///
/// `r_i = y_i - (x1 + x2 exp(-t_i x4) + x3 exp(-t_i x5))`, `t_i = 10 (i - 1)`, i = 1..33;
/// n = 5, m = 33; x0 = (0.5, 1.5, -1, 0.01, 0.02); published f* = 5.46489e-5 (stored halved).
/// Reference: M. R. Osborne, in Numerical Methods for Nonlinear Optimization (1972) 171-189;
/// MGH (1981) problem 17.
#[derive(Clone, Debug, Default)]
pub struct Osborne1;

const OSBORNE1_Y: [f64; 33] = [
    0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603,
    0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411,
    0.406,
];

impl Mgh for Osborne1 {
    fn number(&self) -> usize {
        17
    }
    fn name(&self) -> &'static str {
        "osborne1"
    }
    fn n(&self) -> usize {
        5
    }
    fn m(&self) -> usize {
        33
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.5, 1.5, -1.0, 0.01, 0.02]
    }
    fn f_star(&self) -> Option<f64> {
        Some(5.46489e-5 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let t = 10.0 * k as f64;
            *ri = -(x[0] + x[1] * (x[3] * -t).exp() + x[2] * (x[4] * -t).exp()) + OSBORNE1_Y[k];
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..33 {
            let t = 10.0 * k as f64;
            let e4 = (x[3] * -t).exp();
            let e5 = (x[4] * -t).exp();
            emit(k, 0, cst(-1.0));
            emit(k, 1, -e4);
            emit(k, 2, -e5);
            emit(k, 3, x[1] * e4 * t);
            emit(k, 4, x[2] * e5 * t);
        }
    }
}

impl MghBuild for Osborne1 {
    fn default_size() -> Self {
        Self
    }
}

/// Problem 18, Biggs EXP6.
///
/// `r_i = x3 exp(-t_i x1) - x4 exp(-t_i x2) + x6 exp(-t_i x5) - y_i`, `t_i = 0.1 i`,
/// `y_i = exp(-t_i) - 5 exp(-10 t_i) + 3 exp(-4 t_i)`, i = 1..m; n = 6, m >= 6 (default 13);
/// x0 = (1, 2, 1, 1, 1, 1); published f* = 0 at (1, 10, 1, 5, 4, 3) (stored 0) and, for
/// m = 13, a local minimum f = 5.65565e-3 (stored halved as [`Mgh::local_f_star`]).
/// Reference: M. C. Biggs, J. Inst. Math. Appl. 8 (1971) 315-327; MGH (1981) problem 18.
#[derive(Clone, Debug)]
pub struct BiggsExp6 {
    m: usize,
}

impl BiggsExp6 {
    /// The problem with `m >= 6` residuals; `None` otherwise.
    pub fn try_new(m: usize) -> Option<Self> {
        (m >= 6).then_some(Self { m })
    }
    /// The problem with `m` residuals.
    ///
    /// # Panics
    /// If `m < 6`.
    pub fn new(m: usize) -> Self {
        Self::try_new(m).expect("biggs_exp6 needs m >= 6")
    }
}

impl Default for BiggsExp6 {
    fn default() -> Self {
        Self { m: 13 }
    }
}

impl Mgh for BiggsExp6 {
    fn number(&self) -> usize {
        18
    }
    fn name(&self) -> &'static str {
        "biggs_exp6"
    }
    fn n(&self) -> usize {
        6
    }
    fn m(&self) -> usize {
        self.m
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0, 2.0, 1.0, 1.0, 1.0, 1.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn local_f_star(&self) -> Option<f64> {
        (self.m == 13).then_some(5.65565e-3 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let t = 0.1 * (k as f64 + 1.0);
            let y = (-t).exp() - 5.0 * (-10.0 * t).exp() + 3.0 * (-4.0 * t).exp();
            *ri = x[2] * (x[0] * -t).exp() - x[3] * (x[1] * -t).exp() + x[5] * (x[4] * -t).exp() - y;
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..self.m {
            let t = 0.1 * (k as f64 + 1.0);
            let e1 = (x[0] * -t).exp();
            let e2 = (x[1] * -t).exp();
            let e5 = (x[4] * -t).exp();
            emit(k, 0, x[2] * e1 * -t);
            emit(k, 1, x[3] * e2 * t);
            emit(k, 2, e1);
            emit(k, 3, -e2);
            emit(k, 4, x[5] * e5 * -t);
            emit(k, 5, e5);
        }
    }
}

impl MghBuild for BiggsExp6 {
    fn default_size() -> Self {
        Self::default()
    }
}

/// Problem 19, Osborne 2.
///
/// `r_i = y_i - (x1 exp(-t_i x5) + x2 exp(-(t_i - x9)^2 x6) + x3 exp(-(t_i - x10)^2 x7) +
/// x4 exp(-(t_i - x11)^2 x8))`, `t_i = (i - 1) / 10`, i = 1..65; n = 11, m = 65;
/// x0 = (1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5); published f* = 4.01377e-2
/// (stored halved).
/// Reference: M. R. Osborne, in Numerical Methods for Nonlinear Optimization (1972) 171-189;
/// MGH (1981) problem 19.
#[derive(Clone, Debug, Default)]
pub struct Osborne2;

const OSBORNE2_Y: [f64; 65] = [
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608, 0.655, 0.616, 0.606,
    0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.500, 0.423,
    0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668,
    0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098,
    0.054,
];

impl Mgh for Osborne2 {
    fn number(&self) -> usize {
        19
    }
    fn name(&self) -> &'static str {
        "osborne2"
    }
    fn n(&self) -> usize {
        11
    }
    fn m(&self) -> usize {
        65
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5]
    }
    fn f_star(&self) -> Option<f64> {
        Some(4.01377e-2 / 2.0)
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for (k, ri) in r.iter_mut().enumerate() {
            let t = k as f64 / 10.0;
            let mut model = x[0] * (x[4] * -t).exp();
            for l in 0..3 {
                let d = -x[8 + l] + t;
                model += x[1 + l] * (-(d * d * x[5 + l])).exp();
            }
            *ri = -model + OSBORNE2_Y[k];
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for k in 0..65 {
            let t = k as f64 / 10.0;
            let e0 = (x[4] * -t).exp();
            // Gaussian bumps l = 0, 1, 2: amplitude x[1 + l], width x[5 + l], centre x[8 + l].
            let d: [D; 3] = std::array::from_fn(|l| -x[8 + l] + t);
            let e: [D; 3] = std::array::from_fn(|l| (-(d[l] * d[l] * x[5 + l])).exp());
            emit(k, 0, -e0);
            for (l, &el) in e.iter().enumerate() {
                emit(k, 1 + l, -el);
            }
            emit(k, 4, x[0] * e0 * t);
            for l in 0..3 {
                emit(k, 5 + l, x[1 + l] * e[l] * d[l] * d[l]);
            }
            for l in 0..3 {
                // d/dx_{9+l} of -(t - x)^2 x_{6+l} is 2 x_{6+l} (t - x)
                emit(k, 8 + l, -(x[1 + l] * e[l] * x[5 + l] * d[l] * 2.0));
            }
        }
    }
}

impl MghBuild for Osborne2 {
    fn default_size() -> Self {
        Self
    }
}
