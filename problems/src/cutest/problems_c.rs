//! CUTEst problems, batch C: the large scalable problems of specs/problems.md section 2,
//! written as element sums (see the module docs of [`super`]).
//!
//! Conventions in the doc comments: indices are 1-based as in the SIF files (the code is
//! 0-based); a SIF group `g` with `'SCALE' s` contributes `g(.) / s`; a SIF constant `c` of
//! group `i` enters as `(linear part + elements) - c`.
//!
//! Sources. The formulas were read from the SIF files themselves where the public SIF
//! repository (github.com/ralna/SIF) holds them (BOX, BROYDN7D, COSINE, CURLY10), otherwise
//! from the S2MPJ translations of the SIF files (github.com/GrattonToint/S2MPJ,
//! `python_problems/NAME.py`: one generated file per SIF file, constants, scalings, element
//! and group types kept), cross-checked against the AMPL models of H. Y. Benson (as
//! distributed in github.com/cvanaret/Uno, `ampl_models/`) and the sif2jax re-implementations
//! (github.com/johannahaffner/sif2jax). The Rust was written from the formulas.

use super::{Cutest, MAX_ELEMENT_VARS};
use crate::mgh::Scalar;

/// `t^2`.
#[inline]
pub(crate) fn sq<D: Scalar>(t: D) -> D {
    t * t
}

/// `t^4`.
#[inline]
pub(crate) fn p4<D: Scalar>(t: D) -> D {
    let s = t * t;
    s * s
}

/// `|t|^(7/3)` with exact derivatives at `t = 0` (value, first and second derivative are all
/// zero there; num-dual's `powf` would form `0^(-2/3) * 0 = NaN`).
#[inline]
fn abs_pow_7_3<D: Scalar>(t: D) -> D {
    if t.re() == 0.0 {
        t * 0.0
    } else {
        t.abs().powf(7.0 / 3.0)
    }
}

/// Writes `lo..=hi` into `vars` and returns the count.
#[inline]
fn range_vars(lo: usize, hi: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
    for (k, v) in (lo..=hi).enumerate() {
        vars[k] = v;
    }
    hi - lo + 1
}

/// The distinct entries of `idx` in first-occurrence order (written to `vars`, count
/// returned) and, for every entry of `idx`, its position among them (`pos`).
#[inline]
fn dedup(idx: &[usize], vars: &mut [usize], pos: &mut [usize]) -> usize {
    let mut k = 0;
    for (a, &i) in idx.iter().enumerate() {
        match vars[..k].iter().position(|&v| v == i) {
            Some(p) => pos[a] = p,
            None => {
                vars[k] = i;
                pos[a] = k;
                k += 1;
            }
        }
    }
    k
}

// ---------------------------------------------------------------------------------------------

/// BDQRTIC: quartic with a banded Hessian (bandwidth 9) and an arrow.
///
/// `f = sum_{i=1}^{n-4} [ (-4 x_i + 3)^2 + (x_i^2 + 2 x_{i+1}^2 + 3 x_{i+2}^2 + 4 x_{i+3}^2 + 5 x_n^2)^2 ]`
/// (groups `L(i)`, constant -3, and `G(i)`, both of type L2). Any `n >= 5` (listed size 5000);
/// x0 = (1, ..., 1), `f(x0) = 226 (n - 4)`. SIF SOLTN: 378.769 (n = 100), 1981.01 (500),
/// 3983.82 (1000); none for n = 5000, so `f_star` is not set.
/// One element per `i` on `(x_i, x_{i+1}, x_{i+2}, x_{i+3}, x_n)`.
/// Source: BDQRTIC.SIF (S2MPJ translation); Conn, Gould, Lescrenier & Toint, Report 88/4,
/// FUNDP (1988), problem 61.
#[derive(Clone, Copy, Debug)]
pub struct Bdqrtic {
    n: usize,
}

impl Bdqrtic {
    /// `None` for `n < 5`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 5).then_some(Self { n })
    }
}

impl Cutest for Bdqrtic {
    fn name(&self) -> &'static str {
        "BDQRTIC"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn source(&self) -> &'static str {
        "CUTEst BDQRTIC.SIF (S2MPJ translation); Conn, Gould, Lescrenier & Toint, Report 88/4, FUNDP (1988), problem 61"
    }
    fn elements(&self) -> usize {
        self.n - 4
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[..4].copy_from_slice(&[e, e + 1, e + 2, e + 3]);
        vars[4] = self.n - 1;
        5
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let l = xs[0] * -4.0 + 3.0;
        let g = sq(xs[0]) + sq(xs[1]) * 2.0 + sq(xs[2]) * 3.0 + sq(xs[3]) * 4.0 + sq(xs[4]) * 5.0;
        l * l + g * g
    }
}

// ---------------------------------------------------------------------------------------------

/// BOX (named `BoxQuartic` here, `Box` being Rust's): a quartic with a non-trivial sparsity
/// pattern (every variable coupled to `x_1`, `x_{n/2}` and `x_n`).
///
/// `f = sum_{i=1}^n [ (x_i + x_1)^2 + (x_i + x_n)^2 + (x_i + x_{n/2})^2 + x_i^4 - x_i / 2 ]`
/// with `n/2` the integer quotient (groups `A(i)`, `B(i)`, `C(i)` of type SQR, `Q(i)` QUARTIC,
/// one linear group `D`). For `i = 1` the SIF group `A(1)` lists `X(1)` twice; the two
/// coefficients add up (`(2 x_1)^2`), as in the S2MPJ and sif2jax readings of the file.
/// Any `n >= 2` (listed size 10000); x0 = 0 (the SIF file has no START POINT), `f(x0) = 0`.
/// SOLTN unknown (OBJECT BOUND `-(n-1)`).
/// One element per `i` on the distinct variables among `(x_i, x_1, x_n, x_{n/2})`.
/// Source: BOX.SIF (N. Gould, 2009), read from github.com/ralna/SIF.
#[derive(Clone, Copy, Debug)]
pub struct BoxQuartic {
    n: usize,
}

impl BoxQuartic {
    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }

    /// Distinct variables of element `i` (`vars`, count returned) and the positions of
    /// `x_i, x_1, x_n, x_{n/2}` among them.
    #[inline]
    fn layout(&self, i: usize, vars: &mut [usize], pos: &mut [usize; 4]) -> usize {
        dedup(&[i, 0, self.n - 1, self.n / 2 - 1], vars, pos)
    }
}

impl Cutest for BoxQuartic {
    fn name(&self) -> &'static str {
        "BOX"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.0; self.n]
    }
    fn source(&self) -> &'static str {
        "CUTEst BOX.SIF (N. Gould, 2009; github.com/ralna/SIF)"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let mut pos = [0; 4];
        self.layout(e, vars, &mut pos)
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        let mut vars = [0usize; 4];
        let mut pos = [0; 4];
        self.layout(e, &mut vars, &mut pos);
        let xi = xs[pos[0]];
        sq(xi + xs[pos[1]]) + sq(xi + xs[pos[2]]) + sq(xi + xs[pos[3]]) + p4(xi) - xi * 0.5
    }
}

// ---------------------------------------------------------------------------------------------

/// The Broyden tridiagonal residual `(3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1` (missing
/// neighbours omitted at the ends) of element `i` over `xs = x_{lo..=hi}`.
#[inline]
fn broyden_tridiagonal<D: Scalar>(i: usize, n: usize, xs: &[D]) -> D {
    let lo = i.saturating_sub(1);
    let xi = xs[i - lo];
    let mut r = (xi * -2.0 + 3.0) * xi + 1.0;
    if i > 0 {
        r -= xs[0];
    }
    if i + 1 < n {
        r -= xs[i - lo + 1] * 2.0;
    }
    r
}

/// BROYDN3DLS: Broyden tridiagonal system in the least-squares sense.
///
/// `f = sum_{i=1}^n E_i^2`, `E_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1` with
/// `x_0 = x_{n+1} = 0` (KAPPA1 = 2, KAPPA2 = 1, group constant `-KAPPA2`). Any `n >= 2`
/// (listed size 5000); x0 = (-1, ..., -1), `f(x0) = n + 11` (`E_1 = -2`, `E_n = -3`, the others
/// -1); f* = 0 (SOLTN). One element per `i` on `x_{i-1..i+1}`.
/// Source: BROYDN3DLS.SIF (S2MPJ translation); More, Garbow & Hillstrom (1981), problem 30.
#[derive(Clone, Copy, Debug)]
pub struct Broydn3dls {
    n: usize,
}

impl Broydn3dls {
    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Broydn3dls {
    fn name(&self) -> &'static str {
        "BROYDN3DLS"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst BROYDN3DLS.SIF (S2MPJ translation); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 30"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(e.saturating_sub(1), (e + 1).min(self.n - 1), vars)
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        sq(broyden_tridiagonal(e, self.n, xs))
    }
}

// ---------------------------------------------------------------------------------------------

/// BROYDN7D: seven-diagonal variant of the Broyden tridiagonal system, with a band far from
/// the diagonal.
///
/// `f = sum_{i=1}^n |E_i|^(7/3) + sum_{i=1}^{n/2} |x_i + x_{i+n/2}|^(7/3)` with `E_i` the
/// Broyden tridiagonal residual of [`Broydn3dls`] (every group of type L7/3). `n` even,
/// `n >= 2` (the SIF parameter is `N/2`; listed size 5000); x0 = (1, ..., 1),
/// `f(x0) = n - 1 + (n/2) 2^(7/3)` (`E_1 = 0`, `E_n = 1`, the others -1).
/// SIF SOLTN 1.2701 (for the original n = 10); `f_star` not set.
/// Elements: `E_i` on `x_{i-1..i+1}` (index `i - 1`), then `S_i` on `(x_i, x_{i+n/2})`.
/// Source: BROYDN7D.SIF (github.com/ralna/SIF); Ph. L. Toint, Math. Comp. 32 (1978) 839-852.
#[derive(Clone, Copy, Debug)]
pub struct Broydn7d {
    n: usize,
}

impl Broydn7d {
    /// `None` unless `n` is even and `n >= 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl Cutest for Broydn7d {
    fn name(&self) -> &'static str {
        "BROYDN7D"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn source(&self) -> &'static str {
        "CUTEst BROYDN7D.SIF (github.com/ralna/SIF); Ph. L. Toint, Math. Comp. 32 (1978) 839-852"
    }
    fn elements(&self) -> usize {
        self.n + self.n / 2
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        if e < self.n {
            range_vars(e.saturating_sub(1), (e + 1).min(self.n - 1), vars)
        } else {
            let i = e - self.n;
            vars[0] = i;
            vars[1] = i + self.n / 2;
            2
        }
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        if e < self.n {
            abs_pow_7_3(broyden_tridiagonal(e, self.n, xs))
        } else {
            abs_pow_7_3(xs[0] + xs[1])
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// One block of the Woods function on `(a, b, c, d)`:
/// `100 (b - a^2)^2 + (1 - a)^2 + 90 (d - c^2)^2 + (1 - c)^2 + 10 (b + d - 2)^2 + (b - d)^2 / 10`
/// (SIF groups A..F with scales 0.01, 1, 1/90, 1, 0.1, 10).
#[inline]
fn woods_block<D: Scalar>(xs: &[D]) -> D {
    let (a, b, c, d) = (xs[0], xs[1], xs[2], xs[3]);
    sq(b - a * a) * 100.0
        + sq(-a + 1.0)
        + sq(d - c * c) * 90.0
        + sq(-c + 1.0)
        + sq(b + d - 2.0) * 10.0
        + sq(b - d) * 0.1
}

/// CHAINWOO: the chained Woods problem.
///
/// `f = 1 + sum_{i=1}^{ns} w(x_{2i-1}, x_{2i}, x_{2i+1}, x_{2i+2})`, `w(a, b, c, d) =
/// 100 (b - a^2)^2 + (1 - a)^2 + 90 (d - c^2)^2 + (1 - c)^2 + 10 (b + d - 2)^2 + (b - d)^2 / 10`,
/// `ns = n/2 - 1` overlapping blocks (the constant 1 is the group `CONST` with constant -1).
/// `n = 2 ns + 2`: any even `n >= 4` (listed size 4000 = 2 * 1999 + 2); x0 = (-3, -1, -3, -1,
/// -2, ..., -2), `f(x0) = 1 + 19192 + 13515.1 + 7218 (ns - 2)` for `ns >= 2`; f* = 1 at
/// `x = (1, ..., 1)` (every block vanishes there and is nonnegative).
/// One element per block (the constant rides on the first).
/// Source: CHAINWOO.SIF (N. Gould & Ph. Toint, 1995) as transcribed in H. Y. Benson's AMPL
/// model chainwoo.mod, cross-checked with OptimizationProblems.jl and sif2jax; Conn, Gould &
/// Toint, Math. Comp. 50 (1988) 399-430, problem 8.
#[derive(Clone, Copy, Debug)]
pub struct Chainwoo {
    n: usize,
}

impl Chainwoo {
    /// `None` unless `n` is even and `n >= 4`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 4 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl Cutest for Chainwoo {
    fn name(&self) -> &'static str {
        "CHAINWOO"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let mut x = vec![-2.0; self.n];
        x[..4].copy_from_slice(&[-3.0, -1.0, -3.0, -1.0]);
        x
    }
    fn f_star(&self) -> Option<f64> {
        Some(1.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst CHAINWOO.SIF (via Benson's AMPL chainwoo.mod); Conn, Gould & Toint, Math. Comp. 50 (1988) 399-430, problem 8"
    }
    fn elements(&self) -> usize {
        self.n / 2 - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(2 * e, 2 * e + 3, vars)
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        let w = woods_block(xs);
        if e == 0 {
            w + 1.0
        } else {
            w
        }
    }
}

/// WOODS: the extended Woods problem (Buckley's sum-of-squares form).
///
/// `f = sum_{i=1}^{n/4} w(x_{4i-3}, x_{4i-2}, x_{4i-1}, x_{4i})` with the block `w` of
/// [`Chainwoo`] (disjoint blocks; the group `CONST` has no constant, so no `+1`).
/// `n` a multiple of 4 (the SIF parameter is `NS = n/4`; listed size 4000); x0 = (-3, -1, -3,
/// -1, ...) (odd -3, even -1), `f(x0) = 19192 n/4`; f* = 0 at `x = (1, ..., 1)`.
/// Source: WOODS.SIF (S2MPJ translation); More, Garbow & Hillstrom (1981), problem 14.
#[derive(Clone, Copy, Debug)]
pub struct Woods {
    n: usize,
}

impl Woods {
    /// `None` unless `n` is a positive multiple of 4.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 4 && n.is_multiple_of(4)).then_some(Self { n })
    }
}

impl Cutest for Woods {
    fn name(&self) -> &'static str {
        "WOODS"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|i| if i % 2 == 0 { -3.0 } else { -1.0 }).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst WOODS.SIF (S2MPJ translation); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 14"
    }
    fn elements(&self) -> usize {
        self.n / 4
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(4 * e, 4 * e + 3, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        woods_block(xs)
    }
}

// ---------------------------------------------------------------------------------------------

/// COSINE: nontrivial groups with repetitious elements.
///
/// `f = sum_{i=1}^{n-1} cos(x_i^2 - x_{i+1} / 2)`. Any `n >= 2` (listed size 10000);
/// x0 = (1, ..., 1), `f(x0) = (n - 1) cos(1/2)`; f* = -(n - 1) (the SIF OBJECT BOUND; attained,
/// since `x_{i+1} = 2 (x_i^2 - pi)` makes every cosine -1).
/// Source: COSINE.SIF (N. Gould, 1996; github.com/ralna/SIF).
#[derive(Clone, Copy, Debug)]
pub struct Cosine {
    n: usize,
}

impl Cosine {
    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Cosine {
    fn name(&self) -> &'static str {
        "COSINE"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(-((self.n - 1) as f64))
    }
    fn source(&self) -> &'static str {
        "CUTEst COSINE.SIF (N. Gould, 1996; github.com/ralna/SIF)"
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(e, e + 1, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        (xs[0] * xs[0] - xs[1] * 0.5).cos()
    }
}

// ---------------------------------------------------------------------------------------------

/// CRAGGLVY: extended Cragg and Levy problem.
///
/// ```text
/// f = sum_{i=1}^m [ (e^{x_{2i-1}} - x_{2i})^4 + 100 (x_{2i} - x_{2i+1})^6
///                   + (tan(x_{2i+1} - x_{2i+2}) + x_{2i+1} - x_{2i+2})^4 + x_{2i-1}^8 + (x_{2i+2} - 1)^2 ]
/// ```
/// (groups A L4, B L6 with scale 0.01, C L4, D L8, F L2 with constant 1). `n = 2m + 2`: any
/// even `n >= 4` (listed size 5000, m = 2499); x0 = (1, 2, ..., 2),
/// `f(x0) = (e - 2)^4 + 2 + (m - 1) ((e^2 - 2)^4 + 257)`. SIF SOLTN 1688.2 (m = 2499), 336.42
/// (499), 167.45 (249); `f_star` not set (5 digits only, and only for listed sizes).
/// One element per `i` on `x_{2i-1..2i+2}`.
/// Source: CRAGGLVY.SIF (S2MPJ translation); Ph. L. Toint, Report 83/4, FUNDP (1983), problem 32.
#[derive(Clone, Copy, Debug)]
pub struct Cragglvy {
    n: usize,
}

impl Cragglvy {
    /// `None` unless `n` is even and `n >= 4`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 4 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl Cutest for Cragglvy {
    fn name(&self) -> &'static str {
        "CRAGGLVY"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let mut x = vec![2.0; self.n];
        x[0] = 1.0;
        x
    }
    fn source(&self) -> &'static str {
        "CUTEst CRAGGLVY.SIF (S2MPJ translation); Ph. L. Toint, Report 83/4, FUNDP (1983), problem 32"
    }
    fn elements(&self) -> usize {
        (self.n - 2) / 2
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(2 * e, 2 * e + 3, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let (a, b, c, d) = (xs[0], xs[1], xs[2], xs[3]);
        let u = c - d;
        let b6 = sq(b - c);
        p4(a.exp() - b) + b6 * b6 * b6 * 100.0 + p4(u.tan() + u) + sq(p4(a)) + sq(d - 1.0)
    }
}

// ---------------------------------------------------------------------------------------------

/// CURLY10: banded function with semi-bandwidth 10 and negative curvature near x0.
///
/// `f = sum_{i=1}^n P(q_i)`, `q_i = sum_{j=i}^{min(i+10, n)} x_j`, `P(q) = q^4 - 20 q^2 - q/10`
/// (group type P4). Any `n >= 11` (listed size 10000); x0_i = 1e-4 i / (n + 1).
/// SIF SOLTN -1.003163e5 (n = 1000); `f_star` not set. One element per group (up to 11
/// variables).
/// Source: CURLY10.SIF (N. Gould, 1997; github.com/ralna/SIF).
#[derive(Clone, Copy, Debug)]
pub struct Curly10 {
    n: usize,
}

impl Curly10 {
    /// Semi-bandwidth.
    const K: usize = 10;

    /// `None` for `n <= 10`.
    pub fn new(n: usize) -> Option<Self> {
        (n > Self::K).then_some(Self { n })
    }
}

impl Cutest for Curly10 {
    fn name(&self) -> &'static str {
        "CURLY10"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let rn1 = (self.n + 1) as f64;
        (1..=self.n).map(|i| i as f64 / rn1 * 0.0001).collect()
    }
    fn source(&self) -> &'static str {
        "CUTEst CURLY10.SIF (N. Gould, 1997; github.com/ralna/SIF)"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(e, (e + Self::K).min(self.n - 1), vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let mut q = xs[0];
        for &x in &xs[1..] {
            q += x;
        }
        q * ((q * q - 20.0) * q - 0.1)
    }
}

// ---------------------------------------------------------------------------------------------

/// DIXON3DQ: Dixon's tridiagonal quadratic.
///
/// `f = (x_1 - 1)^2 + sum_{i=2}^{n-1} (x_i - x_{i+1})^2 + (x_n - 1)^2`. Any `n >= 2` (listed
/// size 10000); x0 = (-1, ..., -1), `f(x0) = 8`; f* = 0 at `x = (1, ..., 1)`.
/// Source: DIXON3DQ.SIF (S2MPJ translation); Buckley (1989), problem 156.
#[derive(Clone, Copy, Debug)]
pub struct Dixon3dq {
    n: usize,
}

impl Dixon3dq {
    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Dixon3dq {
    fn name(&self) -> &'static str {
        "DIXON3DQ"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst DIXON3DQ.SIF (S2MPJ translation); A. R. Buckley, Test functions for unconstrained minimization, TR 1989CS-3, problem 156"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        if e == 0 || e == self.n - 1 {
            1
        } else {
            vars[1] = e + 1;
            2
        }
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        if e == 0 || e == self.n - 1 {
            sq(xs[0] - 1.0)
        } else {
            sq(xs[0] - xs[1])
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// DQRTIC: variable-dimension diagonal quartic, `f = sum_{i=1}^n (x_i - i)^4`.
///
/// Any `n >= 1` (listed size 5000); x0 = (2, ..., 2), `f(x0) = sum_i (2 - i)^4`; f* = 0 at
/// `x_i = i`. Source: DQRTIC.SIF (Ph. Toint, 1989; S2MPJ translation); Buckley (1989),
/// problem 157. [`Quartc`] is the same function from another SIF file.
#[derive(Clone, Copy, Debug)]
pub struct Dqrtic {
    n: usize,
}

impl Dqrtic {
    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl Cutest for Dqrtic {
    fn name(&self) -> &'static str {
        "DQRTIC"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![2.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst DQRTIC.SIF (S2MPJ translation); A. R. Buckley, TR 1989CS-3, problem 157"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        1
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        p4(xs[0] - (e + 1) as f64)
    }
}

/// QUARTC: a simple quartic, `f = sum_{i=1}^n (x_i - i)^4` (the same function as [`Dqrtic`],
/// SIF input by Ph. Toint, 1991).
///
/// Any `n >= 1` (listed size 5000); x0 = (2, ..., 2); f* = 0 at `x_i = i`.
/// Source: QUARTC.SIF (S2MPJ translation); Buckley (1989), problem 157.
#[derive(Clone, Copy, Debug)]
pub struct Quartc {
    n: usize,
}

impl Quartc {
    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl Cutest for Quartc {
    fn name(&self) -> &'static str {
        "QUARTC"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![2.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst QUARTC.SIF (S2MPJ translation); A. R. Buckley, TR 1989CS-3, problem 157"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        1
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        p4(xs[0] - (e + 1) as f64)
    }
}

// ---------------------------------------------------------------------------------------------

/// ENGVAL1: Toint's problem 31.
///
/// `f = sum_{i=1}^{n-1} [ (x_i^2 + x_{i+1}^2)^2 + (3 - 4 x_i) ]`: the groups `E(i)` are L2,
/// the groups `L(i)` (coefficient -4, constant -3) are linear, not squared. Any `n >= 2`
/// (listed size 5000); x0 = (2, ..., 2), `f(x0) = 59 (n - 1)`. SIF SOLTN 0.0 is only a bound;
/// `f_star` not set. Source: ENGVAL1.SIF (S2MPJ translation; Benson's engval1.mod agrees);
/// Ph. L. Toint, Report 83/4, FUNDP (1983), problem 31.
#[derive(Clone, Copy, Debug)]
pub struct Engval1 {
    n: usize,
}

impl Engval1 {
    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Engval1 {
    fn name(&self) -> &'static str {
        "ENGVAL1"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![2.0; self.n]
    }
    fn source(&self) -> &'static str {
        "CUTEst ENGVAL1.SIF (S2MPJ translation); Ph. L. Toint, Report 83/4, FUNDP (1983), problem 31"
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(e, e + 1, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        sq(xs[0] * xs[0] + xs[1] * xs[1]) - xs[0] * 4.0 + 3.0
    }
}

// ---------------------------------------------------------------------------------------------

/// FREUROTH: extended Freudenstein and Roth function.
///
/// ```text
/// f = sum_{i=1}^{n-1} [ (x_i - 2 x_{i+1} + (5 - x_{i+1}) x_{i+1}^2 - 13)^2
///                       + (x_i - 14 x_{i+1} + (1 + x_{i+1}) x_{i+1}^2 - 29)^2 ]
/// ```
/// Any `n >= 2` (listed size 5000); x0 = (0.5, -2, 0, ..., 0), `f(x0) = 400.5 + 1186 + 1010 (n - 3)` for `n >= 3`.
/// SIF SOLTN 6.0816e5 (n = 5000, 5 digits); `f_star` not set.
/// Source: FREUROTH.SIF (S2MPJ translation); More, Garbow & Hillstrom (1981), problem 2.
#[derive(Clone, Copy, Debug)]
pub struct Freuroth {
    n: usize,
}

impl Freuroth {
    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Freuroth {
    fn name(&self) -> &'static str {
        "FREUROTH"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let mut x = vec![0.0; self.n];
        x[0] = 0.5;
        x[1] = -2.0;
        x
    }
    fn source(&self) -> &'static str {
        "CUTEst FREUROTH.SIF (S2MPJ translation); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 2"
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(e, e + 1, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let (a, b) = (xs[0], xs[1]);
        let r = a + ((-b + 5.0) * b - 2.0) * b - 13.0;
        let s = a + ((b + 1.0) * b - 14.0) * b - 29.0;
        r * r + s * s
    }
}

// ---------------------------------------------------------------------------------------------

/// GENHUMPS: multi-dimensional variant of HUMPS.
///
/// `f = sum_{i=1}^{n-1} [ sin(z x_i)^2 sin(z x_{i+1})^2 + 0.05 (x_i^2 + x_{i+1}^2) ]`, z = 20
/// (ZETA). Any `n >= 2` (listed size 5000); x0 = (-506, -506.2, ..., -506.2); f* = 0 at 0.
/// Source: GENHUMPS.SIF (N. Gould & Ph. Toint, 1997; S2MPJ translation).
#[derive(Clone, Copy, Debug)]
pub struct Genhumps {
    n: usize,
}

impl Genhumps {
    const ZETA: f64 = 20.0;

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Genhumps {
    fn name(&self) -> &'static str {
        "GENHUMPS"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let mut x = vec![-506.2; self.n];
        x[0] = -506.0;
        x
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst GENHUMPS.SIF (N. Gould & Ph. Toint, 1997; S2MPJ translation)"
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(e, e + 1, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let (a, b) = (xs[0], xs[1]);
        sq((a * Self::ZETA).sin() * (b * Self::ZETA).sin()) + (a * a + b * b) * 0.05
    }
}

// ---------------------------------------------------------------------------------------------

/// LIARWHD: simplified NONDIA (G. Li).
///
/// `f = sum_{i=1}^n [ 4 (x_i^2 - x_1)^2 + (x_i - 1)^2 ]` (groups `A(i)` with scale 0.25).
/// Any `n >= 2` (listed size 5000); x0 = (4, ..., 4), `f(x0) = 585 n`; f* = 0 at 1.
/// Source: LIARWHD.SIF (S2MPJ translation); G. Li, SIAM J. Optim. (1990).
#[derive(Clone, Copy, Debug)]
pub struct Liarwhd {
    n: usize,
}

impl Liarwhd {
    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Liarwhd {
    fn name(&self) -> &'static str {
        "LIARWHD"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![4.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst LIARWHD.SIF (S2MPJ translation); G. Li, The secant/finite difference algorithm for solving sparse nonlinear systems of equations (1990)"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        if e == 0 {
            1
        } else {
            vars[1] = 0;
            2
        }
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        let xi = xs[0];
        let x1 = if e == 0 { xi } else { xs[1] };
        sq(xi * xi - x1) * 4.0 + sq(xi - 1.0)
    }
}

// ---------------------------------------------------------------------------------------------

/// NONCVXUN: a nonconvex unconstrained function with a unique minimum value.
///
/// `f = sum_{i=1}^n [ u_i^2 + 4 cos(u_i) ]`, `u_i = x_i + x_{j(i)} + x_{k(i)}`,
/// `j(i) = mod(2i - 1, n) + 1`, `k(i) = mod(3i - 1, n) + 1` (repeated indices add up, e.g.
/// `u_n = 3 x_n`). Any `n >= 1` (listed size 5000); x0_i = i. SIF comment: 1.1584042e4
/// (n = 5000, a local value); `f_star` not set.
/// Source: NONCVXUN.SIF (N. Gould, 1996; S2MPJ translation).
#[derive(Clone, Copy, Debug)]
pub struct Noncvxun {
    n: usize,
}

impl Noncvxun {
    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }

    #[inline]
    fn layout(&self, i: usize, vars: &mut [usize], pos: &mut [usize; 3]) -> usize {
        let r = i + 1;
        dedup(&[i, (2 * r - 1) % self.n, (3 * r - 1) % self.n], vars, pos)
    }
}

impl Cutest for Noncvxun {
    fn name(&self) -> &'static str {
        "NONCVXUN"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (1..=self.n).map(|i| i as f64).collect()
    }
    fn source(&self) -> &'static str {
        "CUTEst NONCVXUN.SIF (N. Gould, 1996; S2MPJ translation)"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let mut pos = [0; 3];
        self.layout(e, vars, &mut pos)
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        let mut vars = [0usize; 3];
        let mut pos = [0; 3];
        self.layout(e, &mut vars, &mut pos);
        let u = xs[pos[0]] + xs[pos[1]] + xs[pos[2]];
        u * u + u.cos() * 4.0
    }
}

// ---------------------------------------------------------------------------------------------

/// NONDQUAR: nondiagonal quartic with an arrow-head Hessian, singular at the solution.
///
/// `f = sum_{i=1}^{n-2} (x_i + x_{i+1} + x_n)^4 + (x_1 - x_2)^2 + (x_{n-1} - x_n)^2`.
/// Any `n >= 3` (listed size 5000); x0 = (1, -1, 1, -1, ...) (the SIF loop sets pairs, so
/// the SIF file needs `n` even; odd `n` continues the pattern), `f(x0) = n + 6` for even `n`;
/// f* = 0 at 0. Source: NONDQUAR.SIF (S2MPJ translation); Conn, Gould, Lescrenier & Toint,
/// Report 88/4, FUNDP (1988), problem 57.
#[derive(Clone, Copy, Debug)]
pub struct Nondquar {
    n: usize,
}

impl Nondquar {
    /// `None` for `n < 3`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3).then_some(Self { n })
    }
}

impl Cutest for Nondquar {
    fn name(&self) -> &'static str {
        "NONDQUAR"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst NONDQUAR.SIF (S2MPJ translation); Conn, Gould, Lescrenier & Toint, Report 88/4, FUNDP (1988), problem 57"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let n = self.n;
        if e < n - 2 {
            vars[..3].copy_from_slice(&[e, e + 1, n - 1]);
            3
        } else if e == n - 2 {
            range_vars(0, 1, vars)
        } else {
            range_vars(n - 2, n - 1, vars)
        }
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        if e < self.n - 2 {
            p4(xs[0] + xs[1] + xs[2])
        } else {
            sq(xs[0] - xs[1])
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// SBRYBND: Broyden banded system in the least-squares sense, scaled.
///
/// With `s_j = exp(12 (j - 1) / (n - 1))`, `y_j = s_j x_j` and `J_i = {max(1, i-5), ...,
/// min(n, i+1)} \ {i}`, `f = sum_{i=1}^n G_i^2`,
/// `G_i = 2 y_i - sum_{j in J_i} y_j + 5 y_i^3 - sum_{j in J_i} y_j^2` for `i <= 5` and
/// `i >= n - 1`, and, in the middle rows `6 <= i <= n - 2`,
/// `G_i = 2 y_i - sum_{j in J_i} y_j + 5 y_i^2 - sum_{j in J_i, j < i} y_j^3 - y_{i+1}^2`
/// (KAPPA1 = 2, KAPPA2 = 5, KAPPA3 = 1; the SIF file swaps the square and cube elements in
/// the middle rows, and has no constants, so `x = 0` solves the system). Any `n >= 7`
/// (listed size 5000); x0_j = 1 / s_j (`y = 1`), `f(x0) = 25 n - 96`; f* = 0 at 0.
/// One element per row on `x_{max(1,i-5)..min(n,i+1)}`.
/// Source: SBRYBND.SIF (Ph. Toint & N. Gould, 1997; S2MPJ translation, cross-checked with
/// sif2jax); More, Garbow & Hillstrom (1981), problem 31.
#[derive(Clone, Debug)]
pub struct Sbrybnd {
    n: usize,
    scale: Vec<f64>,
}

impl Sbrybnd {
    const LB: usize = 5;
    const UB: usize = 1;

    /// `None` for `n < 7`.
    pub fn new(n: usize) -> Option<Self> {
        if n < Self::LB + Self::UB + 1 {
            return None;
        }
        let scale = (0..n).map(|j| (12.0 * j as f64 / (n - 1) as f64).exp()).collect();
        Some(Self { n, scale })
    }
}

impl Cutest for Sbrybnd {
    fn name(&self) -> &'static str {
        "SBRYBND"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        self.scale.iter().map(|s| 1.0 / s).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst SBRYBND.SIF (S2MPJ translation); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 31"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(e.saturating_sub(Self::LB), (e + Self::UB).min(self.n - 1), vars)
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        let lo = e.saturating_sub(Self::LB);
        let middle = e >= Self::LB && e + Self::UB + 1 < self.n;
        let yi = xs[e - lo] * self.scale[e];
        let mut g = if middle { yi * 2.0 + yi * yi * 5.0 } else { yi * 2.0 + yi * yi * yi * 5.0 };
        for (k, &x) in xs.iter().enumerate() {
            let j = lo + k;
            if j == e {
                continue;
            }
            let y = x * self.scale[j];
            let nonlinear = if middle && j < e { y * y * y } else { y * y };
            g -= y + nonlinear;
        }
        g * g
    }
}

// ---------------------------------------------------------------------------------------------

/// SPARSINE: a sparse problem with sine functions.
///
/// `f = sum_{i=1}^n (i/2) (sin x_i + sin x_{j2} + sin x_{j3} + sin x_{j5} + sin x_{j7} + sin x_{j11})^2`,
/// `j_k = mod(k i - 1, n) + 1` (group type SQR with parameter `P = i`: `P g^2 / 2`; repeated
/// indices add up). Any `n >= 1` (listed size 5000); x0 = (0.5, ..., 0.5),
/// `f(x0) = 9 n (n + 1) sin(1/2)^2`; f* = 0 at 0.
/// Source: SPARSINE.SIF (N. Gould, 1995; S2MPJ translation).
#[derive(Clone, Copy, Debug)]
pub struct Sparsine {
    n: usize,
}

impl Sparsine {
    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }

    #[inline]
    fn layout(&self, i: usize, vars: &mut [usize], pos: &mut [usize; 6]) -> usize {
        let (r, n) = (i + 1, self.n);
        let idx = [i, (2 * r - 1) % n, (3 * r - 1) % n, (5 * r - 1) % n, (7 * r - 1) % n, (11 * r - 1) % n];
        dedup(&idx, vars, pos)
    }
}

impl Cutest for Sparsine {
    fn name(&self) -> &'static str {
        "SPARSINE"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.5; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst SPARSINE.SIF (N. Gould, 1995; S2MPJ translation)"
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let mut pos = [0; 6];
        self.layout(e, vars, &mut pos)
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        let mut vars = [0usize; 6];
        let mut pos = [0; 6];
        let k = self.layout(e, &mut vars, &mut pos);
        let mut sines = [D::from(0.0); 6];
        for (s, &x) in sines.iter_mut().zip(&xs[..k]) {
            *s = x.sin();
        }
        let mut g = sines[pos[0]];
        for &p in &pos[1..] {
            g += sines[p];
        }
        g * g * (0.5 * (e + 1) as f64)
    }
}

// ---------------------------------------------------------------------------------------------

/// SROSENBR: separable extension of Rosenbrock's function.
///
/// `f = sum_{i=1}^{n/2} [ 100 (x_{2i} - x_{2i-1}^2)^2 + (x_{2i-1} - 1)^2 ]`. `n` even
/// (listed size 5000); x0 = (-1.2, 1, -1.2, 1, ...), `f(x0) = 12.1 n`; f* = 0 at 1.
/// Source: SROSENBR.SIF (Ph. Toint, 1989) as transcribed in Benson's AMPL srosenbr.mod;
/// More, Garbow & Hillstrom (1981), problem 21.
#[derive(Clone, Copy, Debug)]
pub struct Srosenbr {
    n: usize,
}

impl Srosenbr {
    /// `None` unless `n` is even and positive.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl Cutest for Srosenbr {
    fn name(&self) -> &'static str {
        "SROSENBR"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect()
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst SROSENBR.SIF (via Benson's AMPL srosenbr.mod); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 21"
    }
    fn elements(&self) -> usize {
        self.n / 2
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(2 * e, 2 * e + 1, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        sq(xs[1] - xs[0] * xs[0]) * 100.0 + sq(xs[0] - 1.0)
    }
}

// ---------------------------------------------------------------------------------------------

/// TOINTGSS: Toint's Gaussian problem.
///
/// `f = sum_{i=1}^{n-2} (10/(n-2) + x_{i+2}^2) (2 - exp(-(x_i - x_{i+1})^2 / (0.1 + x_{i+2}^2)))`.
/// Any `n >= 3` (listed size 5000); x0 = (3, ..., 3), `f(x0) = 10 + 9 (n - 2)`; f* = 10 at 0
/// (every term is at least `10/(n-2)`; SIF SOLTN unknown).
/// Source: TOINTGSS.SIF (S2MPJ translation); Ph. L. Toint, Report 83/4, FUNDP (1983), problem 21.
#[derive(Clone, Copy, Debug)]
pub struct Tointgss {
    n: usize,
}

impl Tointgss {
    /// `None` for `n < 3`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3).then_some(Self { n })
    }
}

impl Cutest for Tointgss {
    fn name(&self) -> &'static str {
        "TOINTGSS"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![3.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(10.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst TOINTGSS.SIF (S2MPJ translation); Ph. L. Toint, Report 83/4, FUNDP (1983), problem 21"
    }
    fn elements(&self) -> usize {
        self.n - 2
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        range_vars(e, e + 2, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let ap = 10.0 / (self.n - 2) as f64;
        let c2 = xs[2] * xs[2];
        let u = xs[0] - xs[1];
        (c2 + ap) * (-(-(u * u) / (c2 + 0.1)).exp() + 2.0)
    }
}
