//! Couplings a stride apart: `x_i` with `x_{i+m}` and `x_{i+2m}` in the Dixon-Maany family
//! (DIXMAANA1, DIXMAANB..L, `n = 3m`), with `x_{(k i - 1) mod n + 1}` for a few `k` in NONCVXUN
//! and SPARSINE. Sources and SIF conventions: [`super`].

use super::elemental::{dedup, sq};
use super::{by_elements, Cutest, Listing, MAX_ELEMENT_VARS, S2MPJ};
use crate::mgh::Scalar;

// Scalable problems with small elements

/// DIXMAANA1: Dixon-Maany problem A without its beta = 0 terms,
/// `f = 1 + sum_{i=1}^{n} x_i^2 + 0.125 sum_{i=1}^{2m} x_i^2 x_{i+m}^4 +
/// 0.125 sum_{i=1}^{m} x_i x_{i+2m}`, `n = 3m`; x0 = (2, ..., 2); f* = 1 at 0.
/// Listed size n = 3 (m = 1, f(x0) = 29.5); any n = 3m >= 3.
/// Source: DIXMAANA1.SIF (Dixon & Maany 1988, N. Gould's 2022 update) via S2MPJ.
#[derive(Clone, Copy, Debug)]
pub struct Dixmaana1 {
    m: usize,
}

impl Dixmaana1 {
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "DIXMAANA1",
        n: 3,
        source: S2MPJ,
        f_star: |_| Some(1.0),
        build: |n| by_elements(Dixmaana1::new(n)),
    };

    /// `None` unless `n` is a positive multiple of 3.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3 && n.is_multiple_of(3)).then_some(Self { m: n / 3 })
    }
}

impl Cutest for Dixmaana1 {
    fn n(&self) -> usize {
        3 * self.m
    }
    fn x0(&self) -> Vec<f64> {
        vec![2.0; 3 * self.m]
    }
    fn elements(&self) -> usize {
        // n squares, 2m quartic couplings, m bilinear couplings.
        6 * self.m
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let (m, n) = (self.m, 3 * self.m);
        if e < n {
            vars[0] = e;
            1
        } else if e < n + 2 * m {
            let i = e - n;
            vars[0] = i;
            vars[1] = i + m;
            2
        } else {
            let i = e - n - 2 * m;
            vars[0] = i;
            vars[1] = i + 2 * m;
            2
        }
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        let (m, n) = (self.m, 3 * self.m);
        if e < n {
            // Group GA carries the constant: the SIF constant -1 adds 1 to f.
            let a = x[0] * x[0];
            if e == 0 {
                a + 1.0
            } else {
                a
            }
        } else if e < n + 2 * m {
            x[0] * x[0] * x[1].powi(4) * 0.125
        } else {
            x[0] * x[1] * 0.125
        }
    }
}

/// DIXMAANB, C, D, E1, F, G, H, I1, J, K, L: the Dixon-Maany family.
///
/// With `n = 3m`,
/// ```text
/// f = 1 + sum_{i=1}^n alpha (i/n)^K1 x_i^2 + sum_{i=1}^{n-1} beta (i/n)^K2 x_i^2 (x_{i+1} + x_{i+1}^2)^2
///       + sum_{i=1}^{2m} gamma (i/n)^K3 x_i^2 x_{i+m}^4 + sum_{i=1}^m delta (i/n)^K4 x_i x_{i+2m}
/// ```
/// (four linear groups; the 1 is the constant -1 of group `GA`). Parameters
/// `(alpha, beta, gamma, delta; K1, K2, K3, K4)`:
///
/// | variant | alpha | beta | gamma | delta | K1 K2 K3 K4 |
/// |---|---|---|---|---|---|
/// | B | 1 | 0.0625 | 0.0625 | 0.0625 | 0 0 0 0 |
/// | C | 1 | 0.125 | 0.125 | 0.125 | 0 0 0 0 |
/// | D | 1 | 0.26 | 0.26 | 0.26 | 0 0 0 0 |
/// | E1 | 1 | 0 | 0.125 | 0.125 | 1 - 0 1 |
/// | F | 1 | 0.0625 | 0.0625 | 0.0625 | 1 0 0 1 |
/// | G | 1 | 0.125 | 0.125 | 0.125 | 1 0 0 1 |
/// | H | 1 | 0.26 | 0.26 | 0.26 | 1 0 0 1 |
/// | I1 | 1 | 0 | 0.125 | 0.125 | 2 - 0 2 |
/// | J | 1 | 0.0625 | 0.0625 | 0.0625 | 2 0 0 2 |
/// | K | 1 | 0.125 | 0.125 | 0.125 | 2 0 0 2 |
/// | L | 1 | 0.26 | 0.26 | 0.26 | 2 0 0 2 |
///
/// (E1 and I1 have no beta elements at all, which matters for the Hessian pattern.)
/// `n` a multiple of 3, `n >= 3` (the SIF parameter is `M`; listed size 3000); x0 = (2, ..., 2);
/// f* = 1 at 0 (SIF SOLTN 1.0; the quadratic part is positive definite since `delta^2 < 4`).
/// Elements: `alpha` terms (1 variable; the constant rides on the first), `beta` terms,
/// `gamma` terms, `delta` terms (2 variables each).
/// Source: DIXMAAN*.SIF (Ph. Toint 1989, Ph. Shott 1995, N. Gould 2022; S2MPJ translations,
/// cross-checked with sif2jax); L. C. W. Dixon & Z. Maany, TR 206, Numerical Optimization
/// Centre, Hatfield Polytechnic (1988).
#[derive(Clone, Copy, Debug)]
pub struct Dixmaan {
    n: usize,
    coef: [f64; 4],
    k: [i32; 4],
}

/// The listing of one Dixon-Maany variant: `(alpha, beta, gamma, delta)` and `K1..K4`.
macro_rules! dixmaan {
    ($name:literal, $coef:expr, $k:expr) => {
        Listing {
            name: $name,
            n: 3000,
            source: "CUTEst DIXMAAN*.SIF (S2MPJ translations); L. C. W. Dixon & Z. Maany, TR 206, Numerical Optimization Centre, Hatfield Polytechnic (1988)",
            f_star: |_| Some(1.0),
            build: |n| by_elements(Dixmaan::new($coef, $k, n)),
        }
    };
}

impl Dixmaan {
    /// The registry entries of the variants (SIF preambles of DIXMAANB..DIXMAANL; E1 and I1
    /// are the August 2022 versions of E and I without the `beta = 0` groups).
    pub const DIXMAANB: Listing = dixmaan!("DIXMAANB", [1.0, 0.0625, 0.0625, 0.0625], [0, 0, 0, 0]);
    pub const DIXMAANC: Listing = dixmaan!("DIXMAANC", [1.0, 0.125, 0.125, 0.125], [0, 0, 0, 0]);
    pub const DIXMAAND: Listing = dixmaan!("DIXMAAND", [1.0, 0.26, 0.26, 0.26], [0, 0, 0, 0]);
    pub const DIXMAANE1: Listing = dixmaan!("DIXMAANE1", [1.0, 0.0, 0.125, 0.125], [1, 0, 0, 1]);
    pub const DIXMAANF: Listing = dixmaan!("DIXMAANF", [1.0, 0.0625, 0.0625, 0.0625], [1, 0, 0, 1]);
    pub const DIXMAANG: Listing = dixmaan!("DIXMAANG", [1.0, 0.125, 0.125, 0.125], [1, 0, 0, 1]);
    pub const DIXMAANH: Listing = dixmaan!("DIXMAANH", [1.0, 0.26, 0.26, 0.26], [1, 0, 0, 1]);
    pub const DIXMAANI1: Listing = dixmaan!("DIXMAANI1", [1.0, 0.0, 0.125, 0.125], [2, 0, 0, 2]);
    pub const DIXMAANJ: Listing = dixmaan!("DIXMAANJ", [1.0, 0.0625, 0.0625, 0.0625], [2, 0, 0, 2]);
    pub const DIXMAANK: Listing = dixmaan!("DIXMAANK", [1.0, 0.125, 0.125, 0.125], [2, 0, 0, 2]);
    pub const DIXMAANL: Listing = dixmaan!("DIXMAANL", [1.0, 0.26, 0.26, 0.26], [2, 0, 0, 2]);

    /// The variant with coefficients `coef = (alpha, beta, gamma, delta)` and exponents
    /// `k = (K1, K2, K3, K4)` at size `n`; `None` unless `n` is a positive multiple of 3.
    pub fn new(coef: [f64; 4], k: [i32; 4], n: usize) -> Option<Self> {
        (n >= 3 && n.is_multiple_of(3)).then_some(Self { n, coef, k })
    }

    /// Number of `beta` elements (none when `beta = 0`, as in the E1 and I1 SIF files).
    fn beta_elements(&self) -> usize {
        if self.coef[1] == 0.0 {
            0
        } else {
            self.n - 1
        }
    }

    /// `coef[t] (i/n)^k[t]` for the 1-based index `i`.
    #[inline]
    fn weight(&self, t: usize, i: usize) -> f64 {
        self.coef[t] * (i as f64 / self.n as f64).powi(self.k[t])
    }

    /// Element `e` as (term type, 0-based `i`).
    #[inline]
    fn split(&self, e: usize) -> (usize, usize) {
        let (n, m, nb) = (self.n, self.n / 3, self.beta_elements());
        if e < n {
            (0, e)
        } else if e < n + nb {
            (1, e - n)
        } else if e < n + nb + 2 * m {
            (2, e - n - nb)
        } else {
            (3, e - n - nb - 2 * m)
        }
    }
}

impl Cutest for Dixmaan {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![2.0; self.n]
    }
    fn elements(&self) -> usize {
        let m = self.n / 3;
        self.n + self.beta_elements() + 2 * m + m
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let m = self.n / 3;
        let (t, i) = self.split(e);
        vars[0] = i;
        match t {
            0 => return 1,
            1 => vars[1] = i + 1,
            2 => vars[1] = i + m,
            _ => vars[1] = i + 2 * m,
        }
        2
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        let (t, i) = self.split(e);
        let w = self.weight(t, i + 1);
        match t {
            0 => {
                let a = xs[0] * xs[0] * w;
                if i == 0 {
                    a + 1.0
                } else {
                    a
                }
            }
            1 => sq(xs[0]) * sq(xs[1] + xs[1] * xs[1]) * w,
            2 => sq(xs[0]) * sq(sq(xs[1])) * w,
            _ => xs[0] * xs[1] * w,
        }
    }
}

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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "NONCVXUN",
        n: 5000,
        source: "CUTEst NONCVXUN.SIF (N. Gould, 1996; S2MPJ translation)",
        f_star: |_| None,
        build: |n| by_elements(Noncvxun::new(n)),
    };

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
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (1..=self.n).map(|i| i as f64).collect()
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
    /// The registry entry.
    pub const LISTING: Listing = Listing {
        name: "SPARSINE",
        n: 5000,
        source: "CUTEst SPARSINE.SIF (N. Gould, 1995; S2MPJ translation)",
        f_star: |_| Some(0.0),
        build: |n| by_elements(Sparsine::new(n)),
    };

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
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.5; self.n]
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
