//! Banded least squares: the Broyden tridiagonal and banded systems as sums of squared (or
//! `|.|^(7/3)`) residuals, one element per residual on its band of variables (BROYDN3DLS,
//! BROYDN7D, SBRYBND), and CURLY10, whose groups sum a band of 11 variables. Sources and SIF
//! conventions: [`super`].

use super::elemental::{range_vars, sq};
use super::{by_elements, Cutest, Listing, MAX_ELEMENT_VARS};
use crate::mgh::Scalar;

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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "BROYDN3DLS",
        n: 5000,
        source: "CUTEst BROYDN3DLS.SIF (S2MPJ translation); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 30",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Broydn3dls::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Broydn3dls {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.0; self.n]
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "BROYDN7D",
        n: 5000,
        source: "CUTEst BROYDN7D.SIF (github.com/ralna/SIF); Ph. L. Toint, Math. Comp. 32 (1978) 839-852",
        f_star: |_| None,
        build: |n| by_elements(Broydn7d::new(n)),
    };

    /// `None` unless `n` is even and `n >= 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl Cutest for Broydn7d {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "SBRYBND",
        n: 5000,
        source: "CUTEst SBRYBND.SIF (S2MPJ translation); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 31",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Sbrybnd::new(n)),
    };

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
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        self.scale.iter().map(|s| 1.0 / s).collect()
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "CURLY10",
        n: 10000,
        source: "CUTEst CURLY10.SIF (N. Gould, 1997; github.com/ralna/SIF)",
        f_star: |_| None,
        build: |n| by_elements(Curly10::new(n)),
    };

    /// Semi-bandwidth.
    const K: usize = 10;

    /// `None` for `n <= 10`.
    pub fn new(n: usize) -> Option<Self> {
        (n > Self::K).then_some(Self { n })
    }
}

impl Cutest for Curly10 {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let rn1 = (self.n + 1) as f64;
        (1..=self.n).map(|i| i as f64 / rn1 * 0.0001).collect()
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
