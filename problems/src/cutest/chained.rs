//! Chained and block sums: every element lies on a window of a few consecutive variables, so
//! the Hessian is banded with a small bandwidth (chained Rosenbrock: CHNROSNB, ERRINROS,
//! GENROSE, FLETCHCR, SROSENBR; Woods blocks: CHAINWOO, WOODS; EDENSCH, ENGVAL1, FREUROTH,
//! GENHUMPS, COSINE, DIXON3DQ, TOINTGSS, CRAGGLVY). Sources and SIF conventions:
//! [`super`].

use super::elemental::{p4, range_vars, sq};
use super::{by_elements, Cutest, Listing, MAX_ELEMENT_VARS, S2MPJ};
use crate::mgh::{cst, Scalar};

/// The SIF parameters `alpha_i` of CHNROSNB and ERRINROS (i = 1..50).
const CHNROSNB_ALPHA: [f64; 50] = [
    1.25, 1.40, 2.40, 1.40, 1.75, 1.20, 2.25, 1.20, 1.00, 1.10, 1.50, 1.60, 1.25, 1.25, 1.20, 1.20, 1.40, 0.50, 0.50,
    1.25, 1.80, 0.75, 1.25, 1.40, 1.60, 2.00, 1.00, 1.60, 1.25, 2.75, 1.25, 1.25, 1.25, 3.00, 1.50, 2.00, 1.25, 1.40,
    1.80, 1.50, 2.20, 1.40, 1.50, 1.25, 2.00, 1.50, 1.25, 1.40, 0.60, 1.50,
];

/// CHNROSNB: Toint's chained Rosenbrock,
/// `f = sum_{i=2}^{n} [16 alpha_i^2 (x_{i-1} - x_i^2)^2 + (x_i - 1)^2]` (group SQ_i has SCALE
/// `1 / (16 alpha_i^2)`); x0 = (-1, ..., -1); f* = 0 at (1, ..., 1). Listed size n = 50;
/// any 2 <= n <= 50 (the SIF data has 50 alphas).
/// Source: CHNROSNB.SIF (Toint 1978) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Chnrosnb {
    n: usize,
}

impl Chnrosnb {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "CHNROSNB",
        n: 50,
        source: S2MPJ,
        f_star: |_| Some(0.0),
        build: |n| by_elements(Chnrosnb::new(n)),
    };

    /// `None` unless `2 <= n <= 50`.
    pub fn new(n: usize) -> Option<Self> {
        (2..=50).contains(&n).then_some(Self { n })
    }
}

impl Cutest for Chnrosnb {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.0; self.n]
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        vars[1] = e + 1;
        2
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        let a = CHNROSNB_ALPHA[e + 1];
        let scale = 1.0 / (16.0 * (a * a));
        sq(x[0] - x[1] * x[1]) / scale + sq(x[1] - 1.0)
    }
}

/// ERRINROS: the "erroneous" chained Rosenbrock,
/// `f = sum_{i=2}^{n} [(x_{i-1} - 16 alpha_i^2 x_i^2)^2 + (x_i - 1)^2]`; x0 = (-1, ..., -1);
/// f* = 39.9041540 at n = 50 (SIF SOLTN; 6.69463214 at n = 10, 18.4609060 at n = 25).
/// Listed size n = 50; any 2 <= n <= 50. Source: ERRINROS.SIF (Ph. Toint) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Errinros {
    n: usize,
}

impl Errinros {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "ERRINROS",
        n: 50,
        source: S2MPJ,
        f_star: |n| match n {
            10 => Some(6.69463214),
            25 => Some(18.4609060),
            50 => Some(39.9041540),
            _ => None,
        },
        build: |n| by_elements(Errinros::new(n)),
    };

    /// `None` unless `2 <= n <= 50`.
    pub fn new(n: usize) -> Option<Self> {
        (2..=50).contains(&n).then_some(Self { n })
    }
}

impl Cutest for Errinros {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.0; self.n]
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        vars[1] = e + 1;
        2
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        let a = CHNROSNB_ALPHA[e + 1];
        let w = 16.0 * (a * a);
        sq(x[0] - x[1] * x[1] * w) + sq(x[1] - 1.0)
    }
}

/// GENROSE: Nash's generalized Rosenbrock,
/// `f = 1 + sum_{i=2}^{n} [100 (x_i - x_{i-1}^2)^2 + (x_i - 1)^2]` (groups Q_i have SCALE 0.01,
/// the objective group carries the constant 1); x0_i = i / (n + 1); f* = 1 at (1, ..., 1).
/// Listed size n = 500; any n >= 2. Source: GENROSE.SIF (Nash 1984, problem 5) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Genrose {
    n: usize,
}

impl Genrose {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "GENROSE",
        n: 500,
        source: S2MPJ,
        f_star: |_| Some(1.0),
        build: |n| by_elements(Genrose::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Genrose {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let rn1 = (self.n + 1) as f64;
        (1..=self.n).map(|i| i as f64 / rn1).collect()
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        vars[1] = e + 1;
        2
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        let v = sq(x[1] - x[0] * x[0]) / 0.01 + sq(x[1] - 1.0);
        if e == 0 {
            v + 1.0
        } else {
            v
        }
    }
}

/// FLETCHCR: Fletcher's chained Rosenbrock,
/// `f = sum_{i=1}^{n-1} [100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2]` (groups SQ1_i have SCALE 0.01);
/// x0 = 0; f* = 0 at (1, ..., 1). Listed size n = 1000 (f(x0) = 999); any n >= 2.
/// Source: FLETCHCR.SIF (Fletcher 1992) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Fletchcr {
    n: usize,
}

impl Fletchcr {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "FLETCHCR",
        n: 1000,
        source: S2MPJ,
        f_star: |_| Some(0.0),
        build: |n| by_elements(Fletchcr::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Fletchcr {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.0; self.n]
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        vars[1] = e + 1;
        2
    }
    fn element<D: Scalar>(&self, _e: usize, x: &[D]) -> D {
        sq(x[1] - x[0] * x[0]) / 0.01 + sq(-x[0] + 1.0)
    }
}

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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "SROSENBR",
        n: 5000,
        source: "CUTEst SROSENBR.SIF (via Benson's AMPL srosenbr.mod); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 21",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Srosenbr::new(n)),
    };

    /// `None` unless `n` is even and positive.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl Cutest for Srosenbr {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect()
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "CHAINWOO",
        n: 4000,
        source: "CUTEst CHAINWOO.SIF (via Benson's AMPL chainwoo.mod); Conn, Gould & Toint, Math. Comp. 50 (1988) 399-430, problem 8",
        f_star: |_| Some(1.0),
        build: |n| by_elements(Chainwoo::new(n)),
    };

    /// `None` unless `n` is even and `n >= 4`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 4 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl Cutest for Chainwoo {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let mut x = vec![-2.0; self.n];
        x[..4].copy_from_slice(&[-3.0, -1.0, -3.0, -1.0]);
        x
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "WOODS",
        n: 4000,
        source: "CUTEst WOODS.SIF (S2MPJ translation); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 14",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Woods::new(n)),
    };

    /// `None` unless `n` is a positive multiple of 4.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 4 && n.is_multiple_of(4)).then_some(Self { n })
    }
}

impl Cutest for Woods {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (0..self.n).map(|i| if i % 2 == 0 { -3.0 } else { -1.0 }).collect()
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

/// EDENSCH: Li's extended Dennis-Schnabel problem,
/// `f = sum_{i=1}^{n-1} [(x_i - 2)^4 + (x_i x_{i+1} - 2 x_{i+1})^2 + (x_{i+1} + 1)^2] + 16`
/// (the last group `(0 x_n - 2)^4` is the constant 16); x0 = (8, ..., 8);
/// f* = 1.20032e4 at n = 2000 (SIF SOLTN; 219.28 at n = 36). Listed size n = 2000; any n >= 2.
/// Source: EDENSCH.SIF (G. Li 1990) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Edensch {
    n: usize,
}

impl Edensch {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "EDENSCH",
        n: 2000,
        source: S2MPJ,
        f_star: |n| match n {
            36 => Some(219.28),
            2000 => Some(1.20032e4),
            _ => None,
        },
        build: |n| by_elements(Edensch::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Edensch {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![8.0; self.n]
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        vars[1] = e + 1;
        2
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        let v = sq(sq(x[0] - 2.0)) + sq(x[0] * x[1] - x[1] * 2.0) + sq(x[1] + 1.0);
        if e == self.n - 2 {
            v + cst::<D>(16.0)
        } else {
            v
        }
    }
}

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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "ENGVAL1",
        n: 5000,
        source: "CUTEst ENGVAL1.SIF (S2MPJ translation); Ph. L. Toint, Report 83/4, FUNDP (1983), problem 31",
        f_star: |_| None,
        build: |n| by_elements(Engval1::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Engval1 {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![2.0; self.n]
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "FREUROTH",
        n: 5000,
        source: "CUTEst FREUROTH.SIF (S2MPJ translation); More, Garbow & Hillstrom, ACM TOMS 7 (1981), problem 2",
        f_star: |_| None,
        build: |n| by_elements(Freuroth::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Freuroth {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let mut x = vec![0.0; self.n];
        x[0] = 0.5;
        x[1] = -2.0;
        x
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "GENHUMPS",
        n: 5000,
        source: "CUTEst GENHUMPS.SIF (N. Gould & Ph. Toint, 1997; S2MPJ translation)",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Genhumps::new(n)),
    };

    const ZETA: f64 = 20.0;

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Genhumps {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let mut x = vec![-506.2; self.n];
        x[0] = -506.0;
        x
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "COSINE",
        n: 10000,
        source: "CUTEst COSINE.SIF (N. Gould, 1996; github.com/ralna/SIF)",
        f_star: |n| Some(-((n - 1) as f64)),
        build: |n| by_elements(Cosine::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Cosine {
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
        range_vars(e, e + 1, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        (xs[0] * xs[0] - xs[1] * 0.5).cos()
    }
}

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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "DIXON3DQ",
        n: 10000,
        source: "CUTEst DIXON3DQ.SIF (S2MPJ translation); A. R. Buckley, Test functions for unconstrained minimization, TR 1989CS-3, problem 156",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Dixon3dq::new(n)),
    };

    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Dixon3dq {
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "TOINTGSS",
        n: 5000,
        source: "CUTEst TOINTGSS.SIF (S2MPJ translation); Ph. L. Toint, Report 83/4, FUNDP (1983), problem 21",
        f_star: |_| Some(10.0),
        build: |n| by_elements(Tointgss::new(n)),
    };

    /// `None` for `n < 3`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3).then_some(Self { n })
    }
}

impl Cutest for Tointgss {
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
        range_vars(e, e + 2, vars)
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let ap = 10.0 / (self.n - 2) as f64;
        let c2 = xs[2] * xs[2];
        let u = xs[0] - xs[1];
        (c2 + ap) * (-(-(u * u) / (c2 + 0.1)).exp() + 2.0)
    }
}

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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "CRAGGLVY",
        n: 5000,
        source: "CUTEst CRAGGLVY.SIF (S2MPJ translation); Ph. L. Toint, Report 83/4, FUNDP (1983), problem 32",
        f_star: |_| None,
        build: |n| by_elements(Cragglvy::new(n)),
    };

    /// `None` unless `n` is even and `n >= 4`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 4 && n.is_multiple_of(2)).then_some(Self { n })
    }
}

impl Cutest for Cragglvy {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let mut x = vec![2.0; self.n];
        x[0] = 1.0;
        x
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
