//! Diagonal sums and arrowheads: the Hessian is a diagonal (QING, DQRTIC/QUARTC, DQDRTIC) or
//! a diagonal or narrow band plus a few dense rows and columns, for variables shared by every
//! element (`x_1`, `x_{n/2}`, `x_n`: ARWHEAD, LIARWHD, EG2, NONDQUAR, BDQRTIC, BOX). Sources and SIF conventions: [`super`].

use super::elemental::{dedup, p4, range_vars, sq};
use super::{by_elements, Cutest, Listing, MAX_ELEMENT_VARS, S2MPJ};
use crate::mgh::Scalar;

/// QING: `f = sum_{i=1}^{n} (x_i^2 - i)^2`; x0 = (1, ..., 1); f* = 0 at `x_i = +-sqrt(i)`.
/// Listed size n = 100 (f(x0) = 328350); any n >= 1.
/// Source: QING.SIF (SciPy global-optimization benchmark, N. Gould 2020) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Qing {
    n: usize,
}

impl Qing {
    /// The registry entry.
    pub const LISTING: Listing =
        Listing { name: "QING", n: 100, source: S2MPJ, f_star: |_| Some(0.0), build: |n| by_elements(Qing::new(n)) };

    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl Cutest for Qing {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        1
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        sq(x[0] * x[0] - (e + 1) as f64)
    }
}

/// DQRTIC and QUARTC: the diagonal quartic `f = sum_{i=1}^n (x_i - i)^4`, which two SIF files
/// define identically (same groups, same start): DQRTIC.SIF (Ph. Toint, 1989) and QUARTC.SIF
/// (Ph. Toint, 1991), both from Buckley (1989), problem 157. One formula, two listings.
///
/// Any `n >= 1` (listed size 5000 for both); x0 = (2, ..., 2), `f(x0) = sum_i (2 - i)^4`;
/// f* = 0 at `x_i = i`.
#[derive(Clone, Copy, Debug)]
pub struct DiagonalQuartic {
    n: usize,
}

impl DiagonalQuartic {
    /// The registry entry of DQRTIC.
    pub const DQRTIC: Listing = Listing {
        name: "DQRTIC",
        n: 5000,
        source: "CUTEst DQRTIC.SIF (S2MPJ translation); A. R. Buckley, TR 1989CS-3, problem 157",
        f_star: |_| Some(0.0),
        build: |n| by_elements(DiagonalQuartic::new(n)),
    };

    /// The registry entry of QUARTC.
    pub const QUARTC: Listing = Listing {
        name: "QUARTC",
        n: 5000,
        source: "CUTEst QUARTC.SIF (S2MPJ translation); A. R. Buckley, TR 1989CS-3, problem 157",
        f_star: |_| Some(0.0),
        build: |n| by_elements(DiagonalQuartic::new(n)),
    };

    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl Cutest for DiagonalQuartic {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![2.0; self.n]
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

/// DQDRTIC: diagonal quadratic, `f = sum_{i <= n-2} (x_i^2 + 100 x_{i+1}^2 + 100 x_{i+2}^2)`;
/// x0 = (3, ..., 3); f* = 0 at 0. Any n >= 3 (listed size 5000).
/// SIF: DQDRTIC.SIF; Ph. L. Toint, Test problems for partially separable optimization (1983), problem 22.
#[derive(Clone, Copy, Debug)]
pub struct Dqdrtic {
    n: usize,
}

impl Dqdrtic {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "DQDRTIC",
        n: 5000,
        source:
            "CUTEst DQDRTIC.SIF; Ph. L. Toint, Test problems for partially separable optimization (1983), problem 22",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Dqdrtic::new(n)),
    };

    /// `None` for `n < 3`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3).then_some(Self { n })
    }
}

impl Cutest for Dqdrtic {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![3.0; self.n]
    }
    fn elements(&self) -> usize {
        self.n - 2
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        vars[1] = e + 1;
        vars[2] = e + 2;
        3
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        xs[0] * xs[0] + xs[1] * xs[1] * 100.0 + xs[2] * xs[2] * 100.0
    }
}

/// ARWHEAD: arrowhead function, `f = sum_{i<n} (-4 x_i + 3) + sum_{i<n} (x_i^2 + x_n^2)^2`;
/// x0 = (1, ..., 1); f* = 0 at (1, ..., 1, 0). Any n >= 2 (listed size 5000).
/// SIF: ARWHEAD.SIF; A. R. Conn, N. I. M. Gould, M. Lescrenier, Ph. L. Toint (1994), problem 55.
#[derive(Clone, Copy, Debug)]
pub struct Arwhead {
    n: usize,
}

impl Arwhead {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "ARWHEAD",
        n: 5000,
        source: "CUTEst ARWHEAD.SIF; Conn, Gould, Lescrenier & Toint, Performance of a multifrontal scheme for partially separable optimization (1994), problem 55",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Arwhead::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Arwhead {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        vars[1] = self.n - 1;
        2
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let q = xs[0] * xs[0] + xs[1] * xs[1];
        q * q - xs[0] * 4.0 + 3.0
    }
}

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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "LIARWHD",
        n: 5000,
        source: "CUTEst LIARWHD.SIF (S2MPJ translation); G. Li, The secant/finite difference algorithm for solving sparse nonlinear systems of equations (1990)",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Liarwhd::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Liarwhd {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![4.0; self.n]
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

/// EG2: the LANCELOT manual's example,
/// `f = sum_{i=1}^{n-1} sin(x_1 + x_i^2 - 1) + sin(x_n^2) / 2`; x0 = 0; f* = -998.9473933 at
/// n = 1000 (not stated in the SIF file, which warns of several local minima; the value both
/// step solvers reach here). Listed size n = 1000 (f(x0) = -999 sin 1); any n >= 2.
/// Source: EG2.SIF (Conn, Gould & Toint 1992, section 1.2.4) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Eg2 {
    n: usize,
}

impl Eg2 {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "EG2",
        n: 1000,
        source: S2MPJ,
        f_star: |n| (n == 1000).then_some(-998.9473933),
        build: |n| by_elements(Eg2::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Eg2 {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.0; self.n]
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        if e == 0 || e == self.n - 1 {
            vars[0] = e;
            1
        } else {
            vars[0] = 0;
            vars[1] = e;
            2
        }
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        if e == self.n - 1 {
            (x[0] * x[0]).sin() * 0.5
        } else if e == 0 {
            (x[0] + x[0] * x[0] - 1.0).sin()
        } else {
            (x[0] + x[1] * x[1] - 1.0).sin()
        }
    }
}

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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "NONDQUAR",
        n: 5000,
        source: "CUTEst NONDQUAR.SIF (S2MPJ translation); Conn, Gould, Lescrenier & Toint, Report 88/4, FUNDP (1988), problem 57",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Nondquar::new(n)),
    };

    /// `None` for `n < 3`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3).then_some(Self { n })
    }
}

impl Cutest for Nondquar {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect()
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "BDQRTIC",
        n: 5000,
        source: "CUTEst BDQRTIC.SIF (S2MPJ translation); Conn, Gould, Lescrenier & Toint, Report 88/4, FUNDP (1988), problem 61",
        f_star: |_| None,
        build: |n| by_elements(Bdqrtic::new(n)),
    };

    /// `None` for `n < 5`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 5).then_some(Self { n })
    }
}

impl Cutest for Bdqrtic {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "BOX",
        n: 10000,
        source: "CUTEst BOX.SIF (N. Gould, 2009; github.com/ralna/SIF)",
        f_star: |_| None,
        build: |n| by_elements(BoxQuartic::new(n)),
    };

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
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.0; self.n]
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
