//! Quadratics on a square grid whose boundary the bounds fix at 0: the obstacle problems of
//! Dembo & Tulowitzki (OBSTCLAE.SIF; OBSTCLAL, OBSTCLBL, OBSTCLBM, OBSTCLBU through their
//! S2MPJ translations) and the elastic torsion problems of More & Toraldo (TORSION1.SIF to
//! TORSION6.SIF, TORSIONA.SIF).
//!
//! The variable `X(I,J)` of the `P x P` grid (`I, J = 1..P`) is number `(J-1) P + I` (the SIF
//! declares it with `J` in the outer loop); in the code `x[j p + i]` with 0-based `i, j`.
//! Every element is `w (x_a - x_b)^2` (element type ISQ: `U = V1 - V2`, `U^2`) with the
//! weight of its group, plus the linear coefficient `LC` of an interior node's group.

use super::{BoundedElements, S2MPJ};
use crate::cutest::{Cutest, MAX_ELEMENT_VARS};
use crate::mgh::Scalar;

/// The OBSTCL variant: obstacle A (`sin(3.2 xi) sin(3.3 eta)` below, 2000 above) or B
/// (`(sin(9.2 xi) sin(9.3 eta))^3` below, `(sin(9.2 xi) sin(9.3 eta))^2 + 0.02` above), and
/// the start (E: 1 inside; L: the lower obstacle; M: midway; U: the upper obstacle).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Obstacle {
    /// OBSTCLAE.SIF: obstacle A, start E.
    Ae,
    /// OBSTCLAL (S2MPJ): obstacle A, start L.
    Al,
    /// OBSTCLBL (S2MPJ): obstacle B, start L.
    Bl,
    /// OBSTCLBM (S2MPJ): obstacle B, start M.
    Bm,
    /// OBSTCLBU (S2MPJ): obstacle B, start U.
    Bu,
}

/// The TORSION1-6 variant: force constant `c` and start (U: the upper bounds; Z: the origin).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Torsion {
    /// TORSION1.SIF: `c = 5`, start U.
    T1,
    /// TORSION2.SIF: `c = 5`, start Z.
    T2,
    /// TORSION3.SIF: `c = 10`, start U.
    T3,
    /// TORSION4.SIF: `c = 10`, start Z.
    T4,
    /// TORSION5.SIF: `c = 20`, start U.
    T5,
    /// TORSION6.SIF: `c = 20`, start Z.
    T6,
}

/// The element sum of OBSTCL* and TORSION1-6: one group per interior node `(I,J)`,
/// `I, J = 2..P-1` (`I` in the outer loop), with the linear term `LC x(I,J)` and the four
/// elements `A = (x(I+1,J) - x(I,J))^2`, `B = (x(I,J+1) - x(I,J))^2`,
/// `C = (x(I-1,J) - x(I,J))^2`, `D = (x(I,J-1) - x(I,J))^2` with weights `wi` (A, C) and
/// `wj` (B, D).
#[derive(Clone, Copy, Debug)]
pub struct Stencil {
    p: usize,
    lc: f64,
    wi: f64,
    wj: f64,
}

/// The element sum of TORSIONA (the MINPACK-2 form): groups `GR(I,J)` (`I, J = 1..P-1`) with
/// `0.25 (x(I+1,J) - x(I,J))^2 + 0.25 (x(I,J+1) - x(I,J))^2`, groups `GL(I,J)`
/// (`I, J = 2..P`) with `0.25 (x(I-1,J) - x(I,J))^2 + 0.25 (x(I,J-1) - x(I,J))^2`, and one
/// linear group `G = sum_{interior} LC x(I,J)`, whose terms go into the element `GR(I,J)` of
/// the same node.
#[derive(Clone, Copy, Debug)]
pub struct HalfStencil {
    p: usize,
    lc: f64,
}

/// The two element sums of this file.
#[derive(Clone, Copy, Debug)]
enum Form {
    Full(Stencil),
    Half(HalfStencil),
}

/// An OBSTCL or TORSION problem: the element sum, the box and the start of its SIF file.
///
/// **OBSTCLAE, OBSTCLAL, OBSTCLBL, OBSTCLBM, OBSTCLBU** (Ph. Toint 1989, OBSTCLAE corrected by
/// S. Gratton & Ph. Toint 2024; R. Dembo & U. Tulowitzki, WP 71, Yale 1983; More 1989
/// problems A and B): `PX = PY = P` points per side, `hx = hy = 1/(P-1)`, force constant
/// `C = 1`;
///
/// `f = sum_{interior (I,J)} [-hx hy C x(I,J) + hy/(4 hx) (A + C) + hx/(4 hy) (B + D)]`
///
/// ([`Stencil`]); bounds: the boundary fixed at 0, inside `low(I,J) <= x(I,J) <= upp(I,J)`
/// with `xi = (I-1) hy`, `eta = (J-1) hx`: obstacle A `low = sin(3.2 xi) sin(3.3 eta)`,
/// `upp = 2000`; obstacle B `l1 = sin(9.2 xi) sin(9.3 eta)`, `low = l1^3`,
/// `upp = l1^2 + 0.02`. x0: 0 on the boundary; inside 1 (AE), `low` (AL, BL),
/// `(low + upp) / 2` (BM), `upp` (BU). f* (SIF SOLTN, P = 4, 10, 23, 32): A 0.753659753
/// (AL: ...754), 1.397897560, 1.678027027, 1.748270031; B -0.0081108, 2.87503823,
/// 6.51932527, 6.88708670. Listed size P = 100 (n = 10000); any `n = P^2`, `P >= 3`.
///
/// **TORSION1-6** (Ph. Toint 1989; J. More & G. Toraldo, SIAM J. Optim. 1 (1991) 93-113):
/// `P = 2Q` points per side, `h = 1/(P-1)`, force constant `c` ([`Torsion`]);
///
/// `f = sum_{interior (I,J)} [-h^2 c x(I,J) + (A + B + C + D) / 4]`;
///
/// bounds: the boundary fixed at 0, inside `|x(I,J)| <= h min(I-1, J-1, P-I, P-J)` (the
/// distance to the boundary); x0: the upper bounds (TORSION1, 3, 5) or 0 (TORSION2, 4, 6).
/// f* (SIF SOLTN at Q = 2, 5, 11): c = 5: -0.51851852, -0.49234185, -0.45608771; c = 10:
/// -1.2592592567, -1.2705380252, -1.2422498827; c = 20: -2.7407407353, -2.8971193358,
/// -2.8847068155.
///
/// **TORSIONA** (TORSIONA.SIF: TORSION1 modified by P. Chen after MINPACK-2, 1992): `c = 5`,
/// the element sum of [`HalfStencil`] (every grid edge counted in two groups, boundary edges
/// included), the bounds and start (U) of TORSION1. f* (SIF SOLTN at Q = 2, 5, 11, 16, 37,
/// 50, 61): -0.30864, -0.4057, -0.41611, -0.4174, -0.4183, -0.41839, -0.41842.
///
/// TORSION sizes: listed Q = 37 (n = 5476); any `n = 4 Q^2`, `Q >= 2`.
#[derive(Clone, Debug)]
pub struct Grid {
    form: Form,
    name: &'static str,
    source: &'static str,
    f_star: Option<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    x0: Vec<f64>,
}

/// The `P` with `P^2 = n`, if any.
fn exact_side(n: usize) -> Option<usize> {
    let mut p = (n as f64).sqrt() as usize;
    while p * p > n {
        p -= 1;
    }
    while (p + 1) * (p + 1) <= n {
        p += 1;
    }
    (p * p == n).then_some(p)
}

impl Grid {
    /// An OBSTCL problem with `P = p` points per side; `None` for `p < 3`.
    pub fn obstacle(variant: Obstacle, p: usize) -> Option<Self> {
        (p >= 3).then_some(())?;
        let c = 1.0;
        // SIF: HX = 1 / (PX-1), HY = 1 / (PY-1), HY/4HX = 0.25 HY (1/HX), HX/4HY = 0.25 HX (1/HY),
        // LINC = -(HX HY C).
        let hx = 1.0 / (p - 1) as f64;
        let hy = hx;
        let wi = hy * (1.0 / hx) * 0.25;
        let wj = hx * (1.0 / hy) * 0.25;
        let lc = -(hx * hy * c);
        let n = p * p;
        let (mut lower, mut upper, mut x0) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let a = matches!(variant, Obstacle::Ae | Obstacle::Al);
        let (fi, fj) = if a { (3.2, 3.3) } else { (9.2, 9.3) };
        for i in 1..p - 1 {
            let s1 = ((i as f64 * hy) * fi).sin();
            for j in 1..p - 1 {
                let s2 = ((j as f64 * hx) * fj).sin();
                let (low, upp) = if a {
                    (s1 * s2, 2000.0)
                } else {
                    let l1 = s1 * s2;
                    let l2 = l1 * l1;
                    (l2 * l1, 0.02 + l2)
                };
                let k = j * p + i;
                lower[k] = low;
                upper[k] = upp;
                x0[k] = match variant {
                    Obstacle::Ae => 1.0,
                    Obstacle::Al | Obstacle::Bl => low,
                    Obstacle::Bm => 0.5 * (low + upp),
                    Obstacle::Bu => upp,
                };
            }
        }
        let (name, source) = match variant {
            Obstacle::Ae => ("OBSTCLAE", "CUTEst OBSTCLAE.SIF (Ph. Toint 1989, corrected 2024; ralna/SIF)"),
            Obstacle::Al => ("OBSTCLAL", S2MPJ),
            Obstacle::Bl => ("OBSTCLBL", S2MPJ),
            Obstacle::Bm => ("OBSTCLBM", S2MPJ),
            Obstacle::Bu => ("OBSTCLBU", S2MPJ),
        };
        let solutions: [f64; 4] = match variant {
            Obstacle::Ae => [0.753659753, 1.397897560, 1.678027027, 1.748270031],
            Obstacle::Al => [0.753659754, 1.397897560, 1.678027027, 1.748270031],
            _ => [-0.0081108, 2.87503823, 6.51932527, 6.88708670],
        };
        let f_star = [4, 10, 23, 32].iter().position(|&s| s == p).map(|k| solutions[k]);
        let form = Form::Full(Stencil { p, lc, wi, wj });
        Some(Self { form, name, source, f_star, lower, upper, x0 })
    }

    /// An OBSTCL problem with `n = P^2` variables; `None` unless `n` is such a square, `P >= 3`.
    pub fn obstacle_by_size(variant: Obstacle, n: usize) -> Option<Self> {
        Self::obstacle(variant, exact_side(n)?)
    }

    /// A TORSION1-6 problem with `P = 2q` points per side; `None` for `q < 2`.
    pub fn torsion(variant: Torsion, q: usize) -> Option<Self> {
        let c = match variant {
            Torsion::T1 | Torsion::T2 => 5.0,
            Torsion::T3 | Torsion::T4 => 10.0,
            Torsion::T5 | Torsion::T6 => 20.0,
        };
        let upper_start = matches!(variant, Torsion::T1 | Torsion::T3 | Torsion::T5);
        let (name, solutions) = match variant {
            Torsion::T1 => ("TORSION1", [-5.1851852e-1, -4.9234185e-1, -4.5608771e-1]),
            Torsion::T2 => ("TORSION2", [-5.1851852e-1, -4.9234185e-1, -4.5608771e-1]),
            Torsion::T3 => ("TORSION3", [-1.2592592567, -1.2705380252, -1.2422498827]),
            Torsion::T4 => ("TORSION4", [-1.2592592567, -1.2705380252, -1.2422498827]),
            Torsion::T5 => ("TORSION5", [-2.7407407353, -2.8971193358, -2.8847068155]),
            Torsion::T6 => ("TORSION6", [-2.7407407353, -2.8971193358, -2.8847068155]),
        };
        let source = match variant {
            Torsion::T1 => "CUTEst TORSION1.SIF (Ph. Toint 1989; ralna/SIF)",
            Torsion::T2 => "CUTEst TORSION2.SIF (Ph. Toint 1989; ralna/SIF)",
            Torsion::T3 => "CUTEst TORSION3.SIF (Ph. Toint 1989; ralna/SIF)",
            Torsion::T4 => "CUTEst TORSION4.SIF (Ph. Toint 1989; ralna/SIF)",
            Torsion::T5 => "CUTEst TORSION5.SIF (Ph. Toint 1989; ralna/SIF)",
            Torsion::T6 => "CUTEst TORSION6.SIF (Ph. Toint 1989; ralna/SIF)",
        };
        let f_star = [2, 5, 11].iter().position(|&s| s == q).map(|k| solutions[k]);
        let (p, lc, mut grid) = Self::torsion_box(q, c, upper_start)?;
        grid.form = Form::Full(Stencil { p, lc, wi: 0.25, wj: 0.25 });
        grid.name = name;
        grid.source = source;
        grid.f_star = f_star;
        Some(grid)
    }

    /// A TORSION1-6 problem with `n = 4 Q^2` variables; `None` unless `n` is of that form with
    /// `Q >= 2`.
    pub fn torsion_by_size(variant: Torsion, n: usize) -> Option<Self> {
        Self::torsion(variant, torsion_q(n)?)
    }

    /// `P`, `LC` and the box and start shared by the TORSION problems (the form, name, source
    /// and f* are the caller's).
    fn torsion_box(q: usize, c: f64, upper_start: bool) -> Option<(usize, f64, Self)> {
        (q >= 2).then_some(())?;
        let p = 2 * q;
        // SIF: 1/H = P-1, H = 1 / (1/H), LC = -(H^2 C).
        let h = 1.0 / (p - 1) as f64;
        let lc = -(h * h * c);
        let n = p * p;
        let (mut lower, mut upper, mut x0) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for j in 1..p - 1 {
            for i in 1..p - 1 {
                let d = i.min(j).min(p - 1 - i).min(p - 1 - j);
                let upp = d as f64 * h;
                let k = j * p + i;
                upper[k] = upp;
                lower[k] = -upp;
                if upper_start {
                    x0[k] = upp;
                }
            }
        }
        let form = Form::Half(HalfStencil { p, lc });
        Some((p, lc, Self { form, name: "", source: "", f_star: None, lower, upper, x0 }))
    }
}

/// The `Q` with `4 Q^2 = n`, if any.
fn torsion_q(n: usize) -> Option<usize> {
    n.is_multiple_of(4).then_some(())?;
    exact_side(n / 4)
}

impl HalfStencil {
    /// TORSIONA with `P = 2q` points per side; `None` for `q < 2`.
    pub fn torsiona(q: usize) -> Option<Grid> {
        let (_, _, mut grid) = Grid::torsion_box(q, 5.0, true)?;
        grid.name = "TORSIONA";
        grid.source = "CUTEst TORSIONA.SIF (Ph. Toint 1989, MINPACK-2 form by P. Chen 1992; ralna/SIF)";
        let solutions = [-0.3086400, -0.4057000, -0.4161100, -0.4174000, -0.4183000, -0.4183900, -0.4184200];
        grid.f_star = [2, 5, 11, 16, 37, 50, 61].iter().position(|&s| s == q).map(|k| solutions[k]);
        Some(grid)
    }

    /// TORSIONA with `n = 4 Q^2` variables; `None` unless `n` is of that form with `Q >= 2`.
    pub fn torsiona_by_size(n: usize) -> Option<Grid> {
        Self::torsiona(torsion_q(n)?)
    }
}

impl Cutest for Grid {
    fn n(&self) -> usize {
        self.x0.len()
    }
    fn x0(&self) -> Vec<f64> {
        self.x0.clone()
    }
    fn elements(&self) -> usize {
        match self.form {
            Form::Full(s) => (s.p - 2) * (s.p - 2),
            Form::Half(s) => 2 * (s.p - 1) * (s.p - 1),
        }
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        match self.form {
            Form::Full(s) => {
                let p = s.p;
                let (i, j) = (1 + e / (p - 2), 1 + e % (p - 2));
                let k = j * p + i;
                vars[..5].copy_from_slice(&[k, k + 1, k + p, k - 1, k - p]);
                5
            }
            Form::Half(s) => {
                let p = s.p;
                let m = (p - 1) * (p - 1);
                if e < m {
                    let k = (e % (p - 1)) * p + e / (p - 1);
                    vars[..3].copy_from_slice(&[k, k + 1, k + p]);
                } else {
                    let e = e - m;
                    let k = (1 + e % (p - 1)) * p + 1 + e / (p - 1);
                    vars[..3].copy_from_slice(&[k, k - 1, k - p]);
                }
                3
            }
        }
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        let sq = |a: D, b: D| {
            let u = a - b;
            u * u
        };
        match self.form {
            Form::Full(s) => {
                let x = xs[0];
                x * s.lc + sq(xs[1], x) * s.wi + sq(xs[2], x) * s.wj + sq(xs[3], x) * s.wi + sq(xs[4], x) * s.wj
            }
            Form::Half(s) => {
                let x = xs[0];
                let quadratic = sq(xs[1], x) * 0.25 + sq(xs[2], x) * 0.25;
                let p = s.p;
                let m = (p - 1) * (p - 1);
                let (i, j) = (e / (p - 1), e % (p - 1));
                if e < m && i >= 1 && j >= 1 {
                    x * s.lc + quadratic
                } else {
                    quadratic
                }
            }
        }
    }
}

impl BoundedElements for Grid {
    fn name(&self) -> &'static str {
        self.name
    }
    fn source(&self) -> &'static str {
        self.source
    }
    fn f_star(&self) -> Option<f64> {
        self.f_star
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (self.lower.clone(), self.upper.clone())
    }
}
