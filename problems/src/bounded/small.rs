//! The fixed-size and small scalable bound-constrained problems of the spec's list (HS1 to
//! HADAMALS).
//!
//! Every problem is written as in the unconstrained set ([`crate::cutest`]): as a sum of element
//! functions ([`Cutest`], adapter [`Elemental`]: exact gradient, Hessian-vector products,
//! sparse and dense Hessians from num-dual numbers), or with a hand-derived gradient
//! ([`HandGradient`], adapter [`Hand`]) where one group couples many variables (HADAMALS, HS110; TRIGON1B
//! through TRIGON1).
//! The fixed-size problems of at most a few variables use one element per SIF group, each over
//! all `n` variables (the `fixed!` macro), which keeps the element a direct transcription of
//! the group. Two problems are an unconstrained CUTEst formula in a box and reuse it: QINGB is
//! QING ([`crate::cutest::Qing`]) at n = 5, TRIGON1B is TRIGON1 ([`crate::cutest::Trigon1`]).
//! BQPGABIM and BQPGASIM share one quadratic (a linear group plus 172 elements `w x_i x_j` and
//! `w x_i^2 / 2`), transcribed as data tables from the S2MPJ translation and checked by
//! solving both to the optimal values their files state.
//!
//! SIF semantics (as in [`crate::cutest`]): a group is `g(sum_e w_e phi_e + a'x - c)` (the
//! constant is subtracted), a group with `SCALE s` contributes `g(.) / s`, and a variable the
//! `BOUNDS` section does not mention has the SIF default bounds `[0, +inf)`; S2MPJ translations
//! write every bound out. Starts are the SIF ones, not projected (several lie outside the box:
//! HS2, HS45, LOGROS, HADAMALS's fixed column). Indices in the docs are 1-based as in the SIF
//! files; variables in the code are 0-based.

use super::{BoundedProblem, Entry};
use crate::cutest::{Cutest, Elemental, Formulation, Hand, HandGradient, Qing, Trigon1, MAX_ELEMENT_VARS};
use crate::mgh::Scalar;
use crate::{ProblemInfo, SuiteProblem};
use trust_region::problem::{DenseHessian, HessianProduct, SparseHessian};

/// The source string of the problems read from an S2MPJ translation.
macro_rules! s2mpj {
    ($file:literal) => {
        concat!(
            "CUTEst ",
            $file,
            " (S2MPJ translation, GrattonToint/S2MPJ python_problems; the SIF file is not in the ralna/SIF index)"
        )
    };
}

/// The source string of the problems read from the SIF file.
macro_rules! sif {
    ($file:literal) => {
        concat!("CUTEst ", $file, " (ralna/SIF)")
    };
}

/// A free side of a box.
const INF: f64 = f64::INFINITY;

/// A built problem: what the registry records, the formula and the box.
struct Listed {
    name: &'static str,
    source: &'static str,
    f_star: Option<f64>,
    formulation: Box<dyn Formulation>,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl SuiteProblem for Listed {
    fn info(&self) -> ProblemInfo {
        ProblemInfo {
            suite: "bounded",
            name: self.name.to_string(),
            n: self.formulation.n(),
            m: None,
            f_star: self.f_star,
            source: self.source,
        }
    }
    fn x0(&self) -> Vec<f64> {
        self.formulation.x0()
    }
    fn products(&self) -> Option<&dyn HessianProduct> {
        Some(self.formulation.products())
    }
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        self.formulation.dense_hessian()
    }
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        self.formulation.sparse_hessian()
    }
}

impl BoundedProblem for Listed {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (self.lower.clone(), self.upper.clone())
    }
}

/// What a problem type records besides its formula.
trait Described {
    /// SIF name.
    fn name(&self) -> &'static str;
    /// Where the formulation was read.
    fn source(&self) -> &'static str;
    /// The optimal value at this size, where the SIF file (or the literature) states it.
    fn f_star(&self) -> Option<f64>;
    /// The box of the SIF `BOUNDS` section at this size.
    fn bounds(&self) -> (Vec<f64>, Vec<f64>);
}

/// An entry's `build` for an element-sum formula.
fn by_elements<P: Cutest + Described + 'static>(p: Option<P>) -> Option<Box<dyn BoundedProblem>> {
    let p = p?;
    let (lower, upper) = p.bounds();
    let (name, source, f_star) = (p.name(), p.source(), p.f_star());
    let formulation = Box::new(Elemental::new(p));
    Some(Box::new(Listed { name, source, f_star, formulation, lower, upper }))
}

/// An entry's `build` for a hand-gradient formula.
fn by_hand<P: HandGradient + Described + 'static>(p: Option<P>) -> Option<Box<dyn BoundedProblem>> {
    let p = p?;
    let (lower, upper) = p.bounds();
    let (name, source, f_star) = (p.name(), p.source(), p.f_star());
    let formulation = Box::new(Hand::new(p));
    Some(Box::new(Listed { name, source, f_star, formulation, lower, upper }))
}

/// The entries of this file, in the spec's order.
pub(super) const ENTRIES: &[Entry] = &[
    Hs1::ENTRY,
    Hs2::ENTRY,
    Hs3::ENTRY,
    Hs3mod::ENTRY,
    Hs4::ENTRY,
    Hs5::ENTRY,
    Hs25::ENTRY,
    Hs38::ENTRY,
    Hs45::ENTRY,
    Hs110::ENTRY,
    Hatflda::ENTRY,
    Hatfldb::ENTRY,
    Hatfldc::ENTRY,
    Palmer1::ENTRY,
    Palmer2::ENTRY,
    QINGB,
    S368::ENTRY,
    Logros::ENTRY,
    Exp2b::ENTRY,
    TRIGON1B,
    Bqpga::BQPGABIM,
    Bqpga::BQPGASIM,
    Levymont::ENTRY,
    Hadamals::ENTRY,
];

/// A fixed-size problem with `$m` elements (one per SIF group), each depending on all `$n`
/// variables, its box and its entry (built at `n = $n` only).
macro_rules! fixed {
    (
        $(#[$meta:meta])*
        $ty:ident, $name:literal, source = $src:expr, n = $n:literal, elements = $m:expr,
        x0 = $x0:expr, lower = $lo:expr, upper = $up:expr, f_star = $fs:expr,
        |$e:ident, $x:ident| $body:block
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default)]
        struct $ty;

        impl $ty {
            /// The registry entry (the problem exists at its SIF size only).
            const ENTRY: Entry = Entry { name: $name, build: |n| by_elements((n.unwrap_or($n) == $n).then_some($ty)) };
        }

        impl Described for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn source(&self) -> &'static str {
                $src
            }
            fn f_star(&self) -> Option<f64> {
                $fs
            }
            fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
                let lower: [f64; $n] = $lo;
                let upper: [f64; $n] = $up;
                (lower.to_vec(), upper.to_vec())
            }
        }

        impl Cutest for $ty {
            fn n(&self) -> usize {
                $n
            }
            fn x0(&self) -> Vec<f64> {
                let x0: [f64; $n] = $x0;
                x0.to_vec()
            }
            fn elements(&self) -> usize {
                $m
            }
            fn element_vars(&self, _e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
                for (i, v) in vars.iter_mut().take($n).enumerate() {
                    *v = i;
                }
                $n
            }
            #[allow(unused_variables)]
            fn element<D: Scalar>(&self, $e: usize, $x: &[D]) -> D $body
        }
    };
}

/// `t^2`.
#[inline]
fn sq<D: Scalar>(t: D) -> D {
    t * t
}

fixed! {
    /// HS1: Hock & Schittkowski problem 1, Rosenbrock's function with a lower bound on `x2`:
    /// `f = (x2 - x1^2)^2 / 0.01 + (x1 - 1)^2` (group G1 has SCALE 0.01), `x2 >= -1.5`.
    /// x0 = (-2, 1), `f(x0) = 909`; f* = 0 at (1, 1). Source: HS1.SIF via S2MPJ.
    Hs1, "HS1", source = s2mpj!("HS1.SIF"), n = 2, elements = 2, x0 = [-2.0, 1.0],
    lower = [-INF, -1.5], upper = [INF, INF], f_star = Some(0.0),
    |e, x| {
        if e == 0 {
            sq(x[1] - x[0] * x[0]) / 0.01
        } else {
            sq(x[0] - 1.0)
        }
    }
}

fixed! {
    /// HS2: Hock & Schittkowski problem 2, HS1 with the bound `x2 >= 1.5`, which cuts off the
    /// minimizer of Rosenbrock's function: `f = (x2 - x1^2)^2 / 0.01 + (x1 - 1)^2`.
    /// x0 = (-2, 1), outside the box; `f(x0) = 909`. f* = 0.0504261879 at
    /// (1.2243707487, 1.5) (the SIF file states 0.050426 and the local value 4.941229; the
    /// digits here solve the stationarity condition on `x2 = 1.5`). Source: HS2.SIF via S2MPJ.
    Hs2, "HS2", source = s2mpj!("HS2.SIF"), n = 2, elements = 2, x0 = [-2.0, 1.0],
    lower = [-INF, 1.5], upper = [INF, INF], f_star = Some(0.050_426_187_893_607_075),
    |e, x| {
        if e == 0 {
            sq(x[1] - x[0] * x[0]) / 0.01
        } else {
            sq(x[0] - 1.0)
        }
    }
}

fixed! {
    /// HS3: Hock & Schittkowski problem 3, `f = x2 + (x2 - x1)^2 / 1e5` (group G2 has SCALE
    /// 100000), `x2 >= 0`. x0 = (10, 1), `f(x0) = 1.00081`; f* = 0 at (0, 0).
    /// Source: HS3.SIF via S2MPJ.
    Hs3, "HS3", source = s2mpj!("HS3.SIF"), n = 2, elements = 2, x0 = [10.0, 1.0],
    lower = [-INF, 0.0], upper = [INF, INF], f_star = Some(0.0),
    |e, x| {
        if e == 0 {
            x[1]
        } else {
            sq(x[1] - x[0]) / 100000.0
        }
    }
}

fixed! {
    /// HS3MOD: HS3 without the scaling, `f = x2 + (x2 - x1)^2`, `x2 >= 0`. x0 = (10, 1),
    /// `f(x0) = 82`; f* = 0 at (0, 0). Source: HS3MOD.SIF via S2MPJ.
    Hs3mod, "HS3MOD", source = s2mpj!("HS3MOD.SIF"), n = 2, elements = 2, x0 = [10.0, 1.0],
    lower = [-INF, 0.0], upper = [INF, INF], f_star = Some(0.0),
    |e, x| {
        if e == 0 {
            x[1]
        } else {
            sq(x[1] - x[0])
        }
    }
}

fixed! {
    /// HS4: Hock & Schittkowski problem 4, `f = (x1 + 1)^3 / 3 + x2` (group G1: type CUBE,
    /// SCALE 3, constant -1), `x1 >= 1` and `x2 >= 0` (the SIF default bound: the BOUNDS
    /// section sets only `x1`). x0 = (1.125, 0.125), `f(x0) = 3.323568...`; f* = 8/3 at (1, 0)
    /// (SIF: 2.66666). Source: HS4.SIF (ralna/SIF).
    Hs4, "HS4", source = sif!("HS4.SIF"), n = 2, elements = 2, x0 = [1.125, 0.125],
    lower = [1.0, 0.0], upper = [INF, INF], f_star = Some(8.0 / 3.0),
    |e, x| {
        if e == 0 {
            let t = x[0] + 1.0;
            t * t * t / 3.0
        } else {
            x[1]
        }
    }
}

fixed! {
    /// HS5: Hock & Schittkowski problem 5, `f = sin(x1 + x2) + (x1 - x2)^2 - 1.5 x1 + 2.5 x2 + 1`
    /// (group G3 is linear with constant -1), `-1.5 <= x1 <= 4`, `-3 <= x2 <= 3`. x0 = (0, 0)
    /// (no START POINT section), `f(x0) = 1`; f* = -sqrt(3)/2 - pi/3 = -1.9132229549 at
    /// (-pi/3 + 1/2, -pi/3 - 1/2) (SIF: -1.9132229). Source: HS5.SIF via S2MPJ.
    Hs5, "HS5", source = s2mpj!("HS5.SIF"), n = 2, elements = 3, x0 = [0.0, 0.0],
    lower = [-1.5, -3.0], upper = [4.0, 3.0],
    f_star = Some(-(3.0f64.sqrt() / 2.0 + std::f64::consts::PI / 3.0)),
    |e, x| {
        match e {
            0 => (x[0] + x[1]).sin(),
            1 => sq(x[0] - x[1]),
            _ => x[0] * (-1.5) + x[1] * 2.5 + 1.0,
        }
    }
}

fixed! {
    /// HS25: Hock & Schittkowski problem 25, a least-squares fit,
    /// `f = sum_{i=1}^{99} (exp(-(u_i - x2)^x3 / x1) - i/100)^2`,
    /// `u_i = 25 + exp((2/3) ln(-50 ln(i/100)))` with the SIF's 2/3 = 0.6666666666;
    /// `0.1 <= x1 <= 100`, `0 <= x2 <= 25.6`, `0 <= x3 <= 5`. x0 = (100, 12.5, 3),
    /// `f(x0) = 32.835` (Hock & Schittkowski); f* = 0 at (50, 25, 1.5).
    /// Source: HS25.SIF (ralna/SIF).
    Hs25, "HS25", source = sif!("HS25.SIF"), n = 3, elements = 99, x0 = [100.0, 12.5, 3.0],
    lower = [0.1, 0.0, 0.0], upper = [100.0, 25.6, 5.0], f_star = Some(0.0),
    |e, x| {
        let t = (e + 1) as f64 * 0.01;
        let u = ((-50.0 * t.ln()).ln() * 0.666_666_666_6).exp() + 25.0;
        let w = -x[1] + u;
        let phi = (-(w.ln() * x[2]).exp() / x[0]).exp();
        sq(phi - t)
    }
}

fixed! {
    /// HS38: Hock & Schittkowski problem 38 (Colville 4),
    /// `f = (x1 - 1)^2 + 10.1 (x2 - 1)^2 + (x3 - 1)^2 + 10.1 (x4 - 1)^2 + 100 (x2 - x1^2)^2 +
    /// 90 (x4 - x3^2)^2 + 19.8 (1 - x2)(1 - x4)`, written as the SIF groups (SCALE 1/10.1 on
    /// G2 and G4, 0.01 on G5, 1/90 on G6); `-10 <= x_i <= 10`. x0 = (-3, -1, -3, -1) (the
    /// S2MPJ translation stores X2 and X4 as a second column, `y0`; the SIF start and Hock &
    /// Schittkowski's are all four), `f(x0) = 19192`; f* = 0 at (1, 1, 1, 1).
    /// Source: HS38.SIF via S2MPJ.
    Hs38, "HS38", source = s2mpj!("HS38.SIF"), n = 4, elements = 7, x0 = [-3.0, -1.0, -3.0, -1.0],
    lower = [-10.0; 4], upper = [10.0; 4], f_star = Some(0.0),
    |e, x| {
        match e {
            0 => sq(x[0] - 1.0),
            1 => sq(x[1] - 1.0) / (1.0 / 10.1),
            2 => sq(x[2] - 1.0),
            3 => sq(x[3] - 1.0) / (1.0 / 10.1),
            4 => sq(x[1] - x[0] * x[0]) / 0.01,
            5 => sq(x[3] - x[2] * x[2]) / (1.0 / 90.0),
            _ => (-x[1] + 1.0) * (-x[3] + 1.0) * 19.8,
        }
    }
}

fixed! {
    /// HS45: Hock & Schittkowski problem 45, `f = 2 - x1 x2 x3 x4 x5 / 120` (element weight
    /// 1/(-120), constant -2), `0 <= x_i <= i`. x0 = (2, ..., 2), outside the box (`x1 <= 1`);
    /// `f(x0) = 2 - 32/120`; f* = 1 at (1, 2, 3, 4, 5). Source: HS45.SIF via S2MPJ.
    Hs45, "HS45", source = s2mpj!("HS45.SIF"), n = 5, elements = 1, x0 = [2.0; 5],
    lower = [0.0; 5], upper = [1.0, 2.0, 3.0, 4.0, 5.0], f_star = Some(1.0),
    |e, x| {
        x[0] * x[1] * x[2] * x[3] * x[4] * (1.0 / -120.0) + 2.0
    }
}

/// HS110: Hock & Schittkowski problem 110 (Paviani) as the SIF file writes it,
/// `f = sum_{i=1}^{n} (ln(x_i - 2)^2 + ln(10 - x_i)^2) - exp(0.2 sum_{i=1}^{n} ln x_i)`
/// (groups 2LOG(i) and 10LOG(i) of type LOGSQR on `x_i - 2` and `10 - x_i`, group GEXP of type
/// EXP, `-exp(0.2 t)`, on the sum of the elements `ln x_i`: the last term is
/// `-(prod_i x_i)^0.2`), `2.001 <= x_i <= 9.999`. Listed size n = 10 (the SIF default); any
/// n >= 1. x0 = (9, ..., 9), `f(x0) = n ln(7)^2 - 9^(0.2 n)` (-43.134337 for n = 10);
/// f* = -45.77846971 for n = 10 (SIF) at `x_i = 9.35025655`. GEXP couples every variable
/// (a dense Hessian), so the gradient is written by hand:
/// `g_i = 2 ln(x_i - 2) / (x_i - 2) - 2 ln(10 - x_i) / (10 - x_i) - 0.2 exp(0.2 t) / x_i`.
/// Source: HS110.SIF (A. R. Conn, 1990), read from the mastsif mirror
/// (optimizers/mastsif-mirror; not in ralna/SIF's index, no S2MPJ translation available).
#[derive(Clone, Copy, Debug)]
struct Hs110 {
    n: usize,
}

impl Hs110 {
    /// The registry entry.
    const ENTRY: Entry = Entry { name: "HS110", build: |n| by_hand(Hs110::new(n.unwrap_or(10))) };

    fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl Described for Hs110 {
    fn name(&self) -> &'static str {
        "HS110"
    }
    fn source(&self) -> &'static str {
        "CUTEst HS110.SIF (optimizers/mastsif-mirror; not in the ralna/SIF index)"
    }
    fn f_star(&self) -> Option<f64> {
        (self.n == 10).then_some(-45.778_469_71)
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![2.001; self.n], vec![9.999; self.n])
    }
}

impl HandGradient for Hs110 {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![9.0; self.n]
    }
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        let mut f = D::from(0.0);
        let mut t = D::from(0.0);
        for (gi, &xi) in g.iter_mut().zip(x) {
            let (a, b) = (xi - 2.0, -xi + 10.0);
            let (la, lb) = (a.ln(), b.ln());
            f += la * la + lb * lb;
            *gi = la * 2.0 / a - lb * 2.0 / b;
            t += xi.ln();
        }
        let e = (t * 0.2).exp();
        for (gi, &xi) in g.iter_mut().zip(x) {
            *gi -= e * 0.2 / xi;
        }
        f - e
    }
}

fixed! {
    /// HATFLDA: a test problem from the OPTIMA user manual,
    /// `f = (x1 - 1)^2 + sum_{i=2}^{4} (x_{i-1} - sqrt(x_i))^2`, `x_i >= 1e-7`. x0 = (0.1, ...,
    /// 0.1), `f(x0) = 0.81 + 3 (0.1 - sqrt(0.1))^2`; f* = 0 at (1, 1, 1, 1).
    /// Source: HATFLDA.SIF via S2MPJ.
    Hatflda, "HATFLDA", source = s2mpj!("HATFLDA.SIF"), n = 4, elements = 4, x0 = [0.1; 4],
    lower = [0.000_000_1; 4], upper = [INF; 4], f_star = Some(0.0),
    |e, x| {
        if e == 0 {
            sq(x[0] - 1.0)
        } else {
            sq(x[e - 1] - x[e].sqrt())
        }
    }
}

fixed! {
    /// HATFLDB: HATFLDA with the upper bound `x2 <= 0.8`,
    /// `f = (x1 - 1)^2 + sum_{i=2}^{4} (x_{i-1} - sqrt(x_i))^2`, `x_i >= 1e-7`. x0 = (0.1, ...,
    /// 0.1); f* = 5.57281e-3 (SIF). Source: HATFLDB.SIF via S2MPJ.
    Hatfldb, "HATFLDB", source = s2mpj!("HATFLDB.SIF"), n = 4, elements = 4, x0 = [0.1; 4],
    lower = [0.000_000_1; 4], upper = [INF, 0.8, INF, INF], f_star = Some(5.57281e-3),
    |e, x| {
        if e == 0 {
            sq(x[0] - 1.0)
        } else {
            sq(x[e - 1] - x[e].sqrt())
        }
    }
}

/// HATFLDC: a test problem from the OPTIMA user manual, n = 25,
/// `f = (x1 - 1)^2 + sum_{i=2}^{24} (x_{i+1} - x_i^2)^2 + (x25 - 1)^2`, `0 <= x_i <= 10` for
/// `i <= 24`, `x25` free. x0 = (0.9, ..., 0.9), `f(x0) = 0.02 + 23 (0.09)^2`; f* = 0 at
/// (1, ..., 1). Source: HATFLDC.SIF via S2MPJ.
#[derive(Clone, Copy, Debug, Default)]
struct Hatfldc;

impl Hatfldc {
    /// The registry entry (n = 25 only: the SIF file fixes N).
    const ENTRY: Entry = Entry { name: "HATFLDC", build: |n| by_elements((n.unwrap_or(25) == 25).then_some(Hatfldc)) };
}

impl Described for Hatfldc {
    fn name(&self) -> &'static str {
        "HATFLDC"
    }
    fn source(&self) -> &'static str {
        s2mpj!("HATFLDC.SIF")
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let mut lower = vec![0.0; 25];
        let mut upper = vec![10.0; 25];
        lower[24] = -INF;
        upper[24] = INF;
        (lower, upper)
    }
}

impl Cutest for Hatfldc {
    fn n(&self) -> usize {
        25
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.9; 25]
    }
    fn elements(&self) -> usize {
        25
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        if e == 0 || e == 24 {
            vars[0] = e;
            1
        } else {
            vars[0] = e + 1;
            vars[1] = e;
            2
        }
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        if e == 0 || e == 24 {
            sq(x[0] - 1.0)
        } else {
            sq(x[0] - x[1] * x[1])
        }
    }
}

/// PALMER1's abscissae (angles) `X_i`, i = 1..31 (SIF data: multiples of pi/180 to six
/// digits, kept as printed).
#[allow(clippy::approx_constant)]
const PALMER1_X: [f64; 31] = [
    -1.788963, -1.745329, -1.658063, -1.570796, -1.483530, -1.396263, -1.308997, -1.218612, -1.134464, -1.047198,
    -0.872665, -0.698132, -0.523599, -0.349066, -0.174533, 0.0, 1.788963, 1.745329, 1.658063, 1.570796, 1.483530,
    1.396263, 1.308997, 1.218612, 1.134464, 1.047198, 0.872665, 0.698132, 0.523599, 0.349066, 0.174533,
];

/// PALMER1's data `Y_i`, i = 1..31.
const PALMER1_Y: [f64; 31] = [
    78.596218, 65.77963, 43.96947, 27.038816, 14.6126, 6.2614, 1.538330, 0.0, 1.188045, 4.6841, 16.9321, 33.6988,
    52.3664, 70.1630, 83.4221, 88.3995, 78.596218, 65.77963, 43.96947, 27.038816, 14.6126, 6.2614, 1.538330, 0.0,
    1.188045, 4.6841, 16.9321, 33.6988, 52.3664, 70.1630, 83.4221,
];

/// PALMER2's abscissae (angles) `X_i`, i = 1..23 (SIF data, kept as printed).
#[allow(clippy::approx_constant)]
const PALMER2_X: [f64; 23] = [
    -1.745329, -1.570796, -1.396263, -1.221730, -1.047198, -0.937187, -0.872665, -0.698132, -0.523599, -0.349066,
    -0.174533, 0.0, 0.174533, 0.349066, 0.523599, 0.698132, 0.872665, 0.937187, 1.047198, 1.221730, 1.396263, 1.570796,
    1.745329,
];

/// PALMER2's data `Y_i`, i = 1..23.
const PALMER2_Y: [f64; 23] = [
    72.676767, 40.149455, 18.8548, 6.4762, 0.8596, 0.0, 0.2730, 3.2043, 8.1080, 13.4291, 17.7149, 19.4529, 17.7149,
    13.4291, 8.1080, 3.2053, 0.2730, 0.0, 0.8596, 6.4762, 18.8548, 40.149455, 72.676767,
];

/// The PALMER residual `A X^2 + B / (C + X^2 / D) - Y` (group: linear in `A` with coefficient
/// `X^2`, element QUOT `B / (C + X^2 / D)`, constant `Y`), squared.
#[inline]
fn palmer<D: Scalar>(x: &[D], xi: f64, yi: f64) -> D {
    let xsqr = xi * xi;
    sq(x[0] * xsqr + x[1] / (x[2] + x[3].recip() * xsqr) - yi)
}

fixed! {
    /// PALMER1: a least-squares fit from chemical kinetics (M. Palmer),
    /// `f = sum_{i=1}^{31} (A X_i^2 + B / (C + X_i^2 / D) - Y_i)^2`, variables (A, B, C, D),
    /// `A` free and `B, C, D >= 1e-5`. x0 = (1, 1, 1, 1); f* = 11754.6025 (SIF).
    /// Source: PALMER1.SIF via S2MPJ.
    Palmer1, "PALMER1", source = s2mpj!("PALMER1.SIF"), n = 4, elements = 31, x0 = [1.0; 4],
    lower = [-INF, 0.00001, 0.00001, 0.00001], upper = [INF; 4], f_star = Some(11754.6025),
    |e, x| {
        palmer(x, PALMER1_X[e], PALMER1_Y[e])
    }
}

fixed! {
    /// PALMER2: a least-squares fit from chemical kinetics (M. Palmer),
    /// `f = sum_{i=1}^{23} (A X_i^2 + B / (C + X_i^2 / D) - Y_i)^2`, variables (A, B, C, D),
    /// `A` free and `B, C, D >= 1e-5`. x0 = (1, 1, 1, 1); f* = 3651.097532 (SIF).
    /// Source: PALMER2.SIF via S2MPJ.
    Palmer2, "PALMER2", source = s2mpj!("PALMER2.SIF"), n = 4, elements = 23, x0 = [1.0; 4],
    lower = [-INF, 0.00001, 0.00001, 0.00001], upper = [INF; 4], f_star = Some(3651.097532),
    |e, x| {
        palmer(x, PALMER2_X[e], PALMER2_Y[e])
    }
}

/// QINGB: SciPy's Qing function in a box, `f = sum_{i=1}^{n} (x_i^2 - i)^2`,
/// `-500 <= x_i <= 500`; the formula of QING ([`crate::cutest::Qing`]). SIF size N = 5 (the
/// last `IE N` line of the file); any n >= 1. x0 = (1, ..., 1), `f(x0) = sum_i (1 - i)^2`;
/// f* = 0 at `x_i = +-sqrt(i)`. Source: QINGB.SIF (ralna/SIF).
const QINGB: Entry = Entry { name: "QINGB", build: |n| by_elements(Qing::new(n.unwrap_or(5))) };

impl Described for Qing {
    fn name(&self) -> &'static str {
        "QINGB"
    }
    fn source(&self) -> &'static str {
        sif!("QINGB.SIF")
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let n = Cutest::n(self);
        (vec![-500.0; n], vec![500.0; n])
    }
}

/// S368: Wolfe's problem (Schittkowski 368 for n = 8),
/// `f = sum_{j=1}^{n} sum_{i=1}^{n} (-x_i^2 x_j^4 + x_i^3 x_j^3)`, `0 <= x_i <= 1`. Listed size
/// n = 8; any n >= 1. x0_i = i / (n + 1); f* not stated in the SIF file. One element per
/// pair (i, j) (groups M(i,j) and P(i,j) together), over `x_i` and `x_j`, one variable when
/// `i = j`. Source: S368.SIF via S2MPJ; P. Wolfe, Math. Programming 2 (1972) 258-260.
#[derive(Clone, Copy, Debug)]
struct S368 {
    n: usize,
}

impl S368 {
    /// The registry entry.
    const ENTRY: Entry = Entry { name: "S368", build: |n| by_elements(S368::new(n.unwrap_or(8))) };

    fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl Described for S368 {
    fn name(&self) -> &'static str {
        "S368"
    }
    fn source(&self) -> &'static str {
        s2mpj!("S368.SIF")
    }
    fn f_star(&self) -> Option<f64> {
        None
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0; self.n], vec![1.0; self.n])
    }
}

impl Cutest for S368 {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        (1..=self.n).map(|i| i as f64 / (self.n + 1) as f64).collect()
    }
    fn elements(&self) -> usize {
        self.n * self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let (i, j) = (e % self.n, e / self.n);
        vars[0] = i;
        if i == j {
            1
        } else {
            vars[1] = j;
            2
        }
    }
    fn element<D: Scalar>(&self, _e: usize, x: &[D]) -> D {
        let (xi, xj) = (x[0], x[x.len() - 1]);
        -(xi * xi * xj.powi(4)) + xi.powi(3) * xj.powi(3)
    }
}

fixed! {
    /// LOGROS: a logarithmic rescaling of Rosenbrock's function (Ph. Toint),
    /// `f = ln(1 + 10000 (y - x^2)^2 + (1 - x)^2)` (group type LOG over element ROS); no BOUNDS
    /// section, so both variables have the SIF default bounds `[0, +inf)`. x0 = (-1.2, 1),
    /// outside the box, `f(x0) = ln(1941.84)`; f* = 0 at (1, 1) (the SIF file gives the lower
    /// bound 0, attained there). Source: LOGROS.SIF (ralna/SIF).
    Logros, "LOGROS", source = sif!("LOGROS.SIF"), n = 2, elements = 1, x0 = [-1.2, 1.0],
    lower = [0.0, 0.0], upper = [INF, INF], f_star = Some(0.0),
    |e, x| {
        let t = x[1] - x[0] * x[0];
        (t * t * 10000.0 + sq(-x[0] + 1.0) + 1.0).ln()
    }
}

fixed! {
    /// EXP2B: SciPy's Exp2 in a box,
    /// `f = sum_{i=0}^{9} (exp(-i x1 / 10) - 5 exp(-i x2 / 10) - exp(-i / 10) + 5 exp(-i))^2`,
    /// `0 <= x_i <= 20`. x0 = (1, 5), `f(x0) = 25 sum_i (exp(-i) - exp(-i/2))^2`; f* = 0 at
    /// (1, 10). Source: EXP2B.SIF via S2MPJ.
    Exp2b, "EXP2B", source = s2mpj!("EXP2B.SIF"), n = 2, elements = 10, x0 = [1.0, 5.0],
    lower = [0.0, 0.0], upper = [20.0, 20.0], f_star = Some(0.0),
    |e, x| {
        let ri = e as f64;
        let p = 0.1 * -ri;
        let y = p.exp() + -5.0 * (-ri).exp();
        sq((x[0] * p).exp() + (x[1] * p).exp() * -5.0 - y)
    }
}

/// TRIGON1B: SciPy's Trigonometric01 in a box, the formula of TRIGON1
/// ([`crate::cutest::Trigon1`]): `f = sum_{i=1}^{n} F_i^2`,
/// `F_i = sum_{j != i} cos x_j + (i + 1) cos x_i + i sin x_i - (n + i)`,
/// `0 <= x_i <= 3.141592653` (the SIF constant). Listed size n = 10; any n >= 1.
/// x0 = (0.1, ..., 0.1); f* = 0 at 0. Source: TRIGON1B.SIF (ralna/SIF).
const TRIGON1B: Entry = Entry { name: "TRIGON1B", build: |n| by_hand(Trigon1::new(n.unwrap_or(10))) };

/// TRIGON1B's upper bound, the SIF constant (pi to ten digits, not `PI`).
#[allow(clippy::approx_constant)]
const TRIGON1B_UPPER: f64 = 3.141592653;

impl Described for Trigon1 {
    fn name(&self) -> &'static str {
        "TRIGON1B"
    }
    fn source(&self) -> &'static str {
        sif!("TRIGON1B.SIF")
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let n = HandGradient::n(self);
        (vec![0.0; n], vec![TRIGON1B_UPPER; n])
    }
}

/// The linear coefficients of BQPGABIM and BQPGASIM (group LINGROUP), variables 1..50.
const BQPGA_LINEAR: [f64; 50] = [
    5.6987e-02,
    -6.1847e-03,
    5.2516e-03,
    1.1729e-02,
    4.9596e-03,
    -4.9271e-03,
    1.2185e-02,
    1.3238e-02,
    -1.5134e-02,
    -1.2247e-02,
    2.3741e-02,
    -9.7666e-02,
    9.8702e-02,
    7.8901e-04,
    5.1663e-04,
    -1.7477e-04,
    1.1795e-03,
    -1.7351e-02,
    1.3439e-03,
    -5.6977e-02,
    1.0040e-02,
    -8.3380e-02,
    -3.7526e-03,
    -9.4555e-04,
    -4.9258e-03,
    -1.3959e-03,
    -4.3749e-03,
    -4.3677e-03,
    -2.7985e-02,
    1.8839e-03,
    -1.2340e-03,
    -6.8139e-04,
    -3.5838e-02,
    -3.4857e-02,
    2.8724e-03,
    1.6625e-02,
    1.3571e-02,
    -7.2447e-03,
    -4.6034e-04,
    -1.6225e-02,
    2.2034e-05,
    5.8844e-02,
    3.0725e-03,
    2.8227e-03,
    -2.0681e-02,
    -5.4952e-03,
    6.2552e-04,
    3.3782e-02,
    -4.8584e-03,
    -1.4371e-03,
];

/// The quadratic elements of BQPGABIM and BQPGASIM in the SIF order, `(i, j, w)` 1-based:
/// `w x_i^2 / 2` (element type DIAG) when `i = j`, `w x_i x_j` (OFFDIAG) otherwise.
const BQPGA_QUADRATIC: [(usize, usize, f64); 172] = [
    (1, 1, 1.0624e+03),
    (1, 11, -9.9819e+01),
    (11, 11, 7.8331e+02),
    (1, 12, -9.9709e+01),
    (11, 12, 1.0000e+02),
    (12, 12, 1.0000e+02),
    (1, 20, -1.0000e+02),
    (20, 20, 7.8331e+02),
    (1, 21, -1.0000e+02),
    (20, 21, 1.0000e+02),
    (21, 21, 1.0000e+02),
    (1, 29, 9.0362e+01),
    (29, 29, 7.8331e+02),
    (1, 36, 6.5103e+01),
    (36, 36, 7.8331e+02),
    (1, 37, 6.5140e+01),
    (36, 37, 1.0000e+02),
    (37, 37, 1.0000e+02),
    (1, 41, 7.5507e+01),
    (41, 41, 7.8331e+02),
    (1, 42, 7.5507e+01),
    (41, 42, 1.0000e+02),
    (42, 42, 1.0000e+02),
    (1, 49, -9.7537e+01),
    (49, 49, 7.8331e+02),
    (2, 2, 1.0624e+03),
    (2, 11, -9.9213e+01),
    (2, 13, -9.9709e+01),
    (11, 13, 9.9608e+01),
    (13, 13, 1.0000e+02),
    (2, 20, -9.9698e+01),
    (2, 22, -1.0000e+02),
    (20, 22, 9.9608e+01),
    (22, 22, 1.0000e+02),
    (2, 29, 8.9945e+01),
    (2, 30, 9.0300e+01),
    (29, 30, 9.9608e+01),
    (30, 30, 1.0000e+02),
    (2, 36, 6.4885e+01),
    (2, 38, 6.5140e+01),
    (36, 38, 9.9608e+01),
    (38, 38, 1.0000e+02),
    (2, 41, 7.5197e+01),
    (2, 49, -9.7167e+01),
    (3, 3, 1.0624e+03),
    (3, 11, 8.1209e+01),
    (3, 20, 8.1463e+01),
    (3, 23, -1.0000e+02),
    (20, 23, -8.1463e+01),
    (23, 23, 1.0000e+02),
    (3, 29, -7.3536e+01),
    (3, 36, -5.3119e+01),
    (3, 41, -6.1506e+01),
    (3, 43, 7.5507e+01),
    (41, 43, -8.1463e+01),
    (43, 43, 1.0000e+02),
    (3, 49, 7.9480e+01),
    (3, 50, -9.7566e+01),
    (49, 50, -8.1463e+01),
    (50, 50, 1.0000e+02),
    (4, 4, 1.0624e+03),
    (4, 11, 2.8141e+01),
    (4, 14, -9.9709e+01),
    (11, 14, -2.8225e+01),
    (14, 14, 1.0000e+02),
    (4, 20, 2.8228e+01),
    (4, 29, -2.5487e+01),
    (4, 31, 9.0300e+01),
    (29, 31, -2.8225e+01),
    (31, 31, 1.0000e+02),
    (4, 36, -1.8370e+01),
    (4, 41, -2.1312e+01),
    (4, 44, 7.5507e+01),
    (41, 44, -2.8225e+01),
    (44, 44, 1.0000e+02),
    (4, 49, 2.7539e+01),
    (5, 5, 1.0624e+03),
    (5, 11, 2.6350e+01),
    (5, 15, -9.9709e+01),
    (11, 15, -2.6427e+01),
    (15, 15, 1.0000e+02),
    (5, 20, 2.6427e+01),
    (5, 24, -1.0000e+02),
    (20, 24, -2.6427e+01),
    (24, 24, 1.0000e+02),
    (5, 29, -2.3863e+01),
    (5, 32, 9.0300e+01),
    (29, 32, -2.6427e+01),
    (32, 32, 1.0000e+02),
    (5, 36, -1.7205e+01),
    (5, 39, 6.5140e+01),
    (36, 39, -2.6427e+01),
    (39, 39, 1.0000e+02),
    (5, 41, -1.9971e+01),
    (5, 45, 7.5507e+01),
    (41, 45, -2.6427e+01),
    (45, 45, 1.0000e+02),
    (5, 49, 2.5757e+01),
    (6, 6, 1.0624e+03),
    (6, 11, 9.9709e+01),
    (6, 16, -9.9709e+01),
    (11, 16, -1.0000e+02),
    (16, 16, 1.0000e+02),
    (6, 20, 1.0000e+02),
    (6, 25, -1.0000e+02),
    (20, 25, -1.0000e+02),
    (25, 25, 1.0000e+02),
    (6, 29, -9.0289e+01),
    (6, 33, 9.0300e+01),
    (29, 33, -1.0000e+02),
    (33, 33, 1.0000e+02),
    (6, 36, -6.5144e+01),
    (6, 41, -7.5509e+01),
    (6, 46, 7.5507e+01),
    (41, 46, -1.0000e+02),
    (46, 46, 1.0000e+02),
    (6, 49, 9.7565e+01),
    (7, 7, 1.0624e+03),
    (7, 11, -9.9320e+01),
    (7, 17, -9.9709e+01),
    (11, 17, 9.9610e+01),
    (17, 17, 1.0000e+02),
    (7, 20, -9.9631e+01),
    (7, 29, 8.9946e+01),
    (7, 34, 9.0300e+01),
    (29, 34, 9.9610e+01),
    (34, 34, 1.0000e+02),
    (7, 36, 6.4890e+01),
    (7, 41, 7.5199e+01),
    (7, 49, -9.7188e+01),
    (8, 8, 1.0624e+03),
    (8, 11, 9.7157e+01),
    (8, 20, 9.7417e+01),
    (8, 29, -8.7973e+01),
    (8, 36, -6.3446e+01),
    (8, 40, 6.5140e+01),
    (36, 40, -9.7431e+01),
    (40, 40, 1.0000e+02),
    (8, 41, -7.3586e+01),
    (8, 49, 9.5052e+01),
    (9, 9, 1.0624e+03),
    (9, 11, -2.9055),
    (9, 20, -2.9605),
    (9, 26, -1.0000e+02),
    (20, 26, 2.9604),
    (26, 26, 1.0000e+02),
    (9, 29, 2.6517),
    (9, 35, 9.0300e+01),
    (29, 35, 2.9604),
    (35, 35, 1.0000e+02),
    (9, 36, 1.9168),
    (9, 41, 2.2464),
    (9, 49, -2.9243),
    (10, 10, 1.0624e+03),
    (10, 11, 2.9135e+01),
    (10, 20, 2.9241e+01),
    (10, 29, -2.6379e+01),
    (10, 36, -1.9046e+01),
    (10, 41, -2.2065e+01),
    (10, 47, 7.5507e+01),
    (41, 47, -2.9232e+01),
    (47, 47, 1.0000e+02),
    (11, 18, -1.0000e+02),
    (18, 18, 1.0000e+02),
    (20, 27, -1.0000e+02),
    (27, 27, 1.0000e+02),
    (11, 19, -1.0000e+02),
    (19, 19, 1.0000e+02),
    (20, 28, -1.0000e+02),
    (28, 28, 1.0000e+02),
    (41, 48, -1.0000e+02),
    (48, 48, 1.0000e+02),
];

/// The bounds BQPGABIM and BQPGASIM share besides the default `[-0.1, 0.1]`:
/// `(i, lower, upper)`, 1-based, `None` where the SIF file keeps the default.
const BQPGA_BOUNDS: [(usize, Option<f64>, Option<f64>); 34] = [
    (2, Some(-3.9206e-03), None),
    (3, None, Some(9.9999e-02)),
    (4, Some(-1.0001e-01), Some(9.9990e-02)),
    (5, None, Some(9.9997e-02)),
    (6, Some(-9.9994e-02), Some(6.1561e-06)),
    (7, Some(-3.9119e-03), Some(9.9986e-02)),
    (8, Some(-1.0001e-01), Some(2.5683e-02)),
    (9, Some(-9.9987e-02), Some(1.0001e-01)),
    (10, Some(-9.9988e-02), Some(1.0001e-01)),
    (11, Some(-1.0001e-01), Some(2.8998e-03)),
    (12, Some(-9.9952e-02), Some(4.7652e-05)),
    (13, Some(-4.5551e-05), Some(9.9954e-02)),
    (14, Some(-9.9999e-02), None),
    (16, Some(-7.2801e-02), None),
    (18, Some(-9.9992e-02), Some(8.3681e-06)),
    (20, Some(-9.9956e-02), Some(4.3809e-05)),
    (22, Some(-9.9961e-02), Some(3.9248e-05)),
    (25, Some(-4.1110e-03), None),
    (29, Some(-9.6988e-02), Some(1.0002e-01)),
    (32, Some(-5.8439e-02), None),
    (33, Some(-4.5616e-06), Some(9.9995e-02)),
    (34, Some(-9.9999e-02), Some(7.3117e-07)),
    (35, Some(-9.9991e-02), Some(9.3168e-06)),
    (36, Some(-9.9977e-02), Some(1.0002e-01)),
    (37, Some(-9.9984e-02), Some(1.5812e-05)),
    (39, Some(-3.9611e-06), Some(9.9996e-02)),
    (40, Some(-8.8262e-06), Some(9.9991e-02)),
    (41, Some(-1.0001e-01), Some(9.9986e-02)),
    (43, Some(-1.9873e-06), Some(9.9998e-02)),
    (45, Some(-9.9993e-02), Some(7.4220e-06)),
    (46, Some(-9.9999e-02), Some(8.2308e-07)),
    (47, Some(-3.0424e-06), Some(9.9997e-02)),
    (48, Some(-9.9985e-02), Some(1.5119e-05)),
    (49, Some(-1.0004e-01), Some(2.4305e-02)),
];

/// BQPGABIM and BQPGASIM: the first 50-variable subproblem of BQPGAUSS (N. Gould, 1990), a
/// quadratic `f = c'x + sum_(i,j,w) w q_ij(x)` over one linear
/// group with 172 quadratic elements ([`BQPGA_QUADRATIC`]), in the box of [`BQPGA_BOUNDS`]
/// (default `[-0.1, 0.1]`). BQPGASIM: `-5.4966e-5 <= x1 <= 9.9945e-2`; BQPGABIM: the same
/// problem with `x1, x15, x42, x50` fixed at 0. x0 = 0 (`f(x0) = 0`). f* = -5.519814e-5
/// (BQPGASIM) and -3.790343e-5 (BQPGABIM), the values of the files' OBJECT BOUND lines.
/// Source: BQPGABIM.SIF and BQPGASIM.SIF via S2MPJ (the element data were read from the
/// BQPGABIM translation; BQPGASIM's file holds the same linear and element data).
#[derive(Clone, Copy, Debug)]
struct Bqpga {
    /// BQPGABIM (four variables fixed) rather than BQPGASIM.
    fixed: bool,
}

impl Bqpga {
    /// The registry entry of BQPGABIM (n = 50 only).
    const BQPGABIM: Entry =
        Entry { name: "BQPGABIM", build: |n| by_elements((n.unwrap_or(50) == 50).then_some(Bqpga { fixed: true })) };
    /// The registry entry of BQPGASIM (n = 50 only).
    const BQPGASIM: Entry =
        Entry { name: "BQPGASIM", build: |n| by_elements((n.unwrap_or(50) == 50).then_some(Bqpga { fixed: false })) };
}

impl Described for Bqpga {
    fn name(&self) -> &'static str {
        if self.fixed {
            "BQPGABIM"
        } else {
            "BQPGASIM"
        }
    }
    fn source(&self) -> &'static str {
        if self.fixed {
            s2mpj!("BQPGABIM.SIF")
        } else {
            s2mpj!("BQPGASIM.SIF")
        }
    }
    fn f_star(&self) -> Option<f64> {
        Some(if self.fixed { -3.790343e-5 } else { -5.519814e-5 })
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let mut lower = vec![-0.1; 50];
        let mut upper = vec![0.1; 50];
        for &(i, l, u) in &BQPGA_BOUNDS {
            if let Some(l) = l {
                lower[i - 1] = l;
            }
            if let Some(u) = u {
                upper[i - 1] = u;
            }
        }
        if self.fixed {
            for i in [1, 15, 42, 50] {
                lower[i - 1] = 0.0;
                upper[i - 1] = 0.0;
            }
        } else {
            lower[0] = -5.4966e-05;
            upper[0] = 9.9945e-02;
        }
        (lower, upper)
    }
}

impl Cutest for Bqpga {
    fn n(&self) -> usize {
        50
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.0; 50]
    }
    fn elements(&self) -> usize {
        BQPGA_QUADRATIC.len() + 50
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        match BQPGA_QUADRATIC.get(e) {
            Some(&(i, j, _)) if i != j => {
                vars[0] = i - 1;
                vars[1] = j - 1;
                2
            }
            Some(&(i, _, _)) => {
                vars[0] = i - 1;
                1
            }
            None => {
                vars[0] = e - BQPGA_QUADRATIC.len();
                1
            }
        }
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        match BQPGA_QUADRATIC.get(e) {
            Some(&(i, j, w)) if i != j => x[0] * x[1] * w,
            Some(&(_, _, w)) => x[0] * x[0] * 0.5 * w,
            None => x[0] * BQPGA_LINEAR[e - BQPGA_QUADRATIC.len()],
        }
    }
}

/// LEVYMONT: Levy & Montalvo's problem 5 with the SIF parameters for larger n (A = 1,
/// K = 10, L = 1, C = 0),
/// `f = (pi / n) sum_{i=1}^{n} (L x_i + C - A)^2 + (K pi / n) (sin^2(pi (L x_1 + C)) +
/// sum_{i=2}^{n} (L x_{i-1} + C - A)^2 sin^2(pi (L x_i + C)))`
/// (groups Q(i): SCALE n/pi; groups N(i): element weight sqrt(K pi / n), type L2);
/// `-10 <= x_i <= 10`. Listed size n = 100; any n >= 1. x0 = (-8, 8, 8, ..., 8) (the first
/// of the SIF's start points, LEVYMONTA); f* = 0 at (1, ..., 1). One element per i, over
/// `x_i` and `x_{i-1}`, holding both groups of index i.
/// Source: LEVYMONT.SIF (ralna/SIF); A. V. Levy, A. Montalvo, SIAM J. Sci. Stat. Comput. 6
/// (1985) 15-29.
#[derive(Clone, Copy, Debug)]
struct Levymont {
    n: usize,
}

impl Levymont {
    /// The registry entry.
    const ENTRY: Entry = Entry { name: "LEVYMONT", build: |n| by_elements(Levymont::new(n.unwrap_or(100))) };
    const A: f64 = 1.0;
    const K: f64 = 10.0;
    const L: f64 = 1.0;
    const C: f64 = 0.0;

    fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }
}

impl Described for Levymont {
    fn name(&self) -> &'static str {
        "LEVYMONT"
    }
    fn source(&self) -> &'static str {
        sif!("LEVYMONT.SIF")
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![-10.0; self.n], vec![10.0; self.n])
    }
}

impl Cutest for Levymont {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        let mut x0 = vec![8.0; self.n];
        x0[0] = -8.0;
        x0
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        if e == 0 {
            1
        } else {
            vars[1] = e - 1;
            2
        }
    }
    fn element<D: Scalar>(&self, e: usize, x: &[D]) -> D {
        let (a, k, l, c) = (Self::A, Self::K, Self::L, Self::C);
        let pi = 4.0 * 1.0f64.atan();
        let rn = self.n as f64;
        let root_kpi_n = (k * (pi / rn)).sqrt();
        let n_pi = rn / pi;
        let q = sq(x[0] * l - (a - c)) / n_pi;
        let pil = pi * l;
        let sinv = (x[0] * pil + pi * c).sin();
        let elem = if e == 0 { sinv } else { (x[1] * l + c - a) * sinv };
        q + sq(elem * root_kpi_n)
    }
}

/// HADAMALS: an attempt to find a Hadamard matrix of order N (A. Edelman) as bound-constrained
/// least squares in the entries of `Q` (N x N, `n = N^2`, variable `Q(i,j)` at index
/// `(j - 1) N + (i - 1)`, column by column as the SIF file declares them):
/// `f = sum_{1 <= i <= j <= N} (sum_k Q(k,i) Q(k,j) - N delta_ij)^2 +
/// sum_{j=1}^{N} sum_{i=2}^{N} (Q(i,j)^2 - 1)^2` (groups O(i,j) of type L2, groups S(i,j) of
/// type LARGEL2 with FACTOR 1); `-1 <= Q(i,j) <= 1`, the first column fixed: `Q(i,1) = 1` for
/// `i <= N/2` and `-1` below. Listed size N = 20 (n = 400); any N >= 2 (`n = N^2`).
/// x0: `Q(i,j) = 0.9` for `i <= N/2`, `-0.9` below (the fixed column's start is outside its
/// box). f* not stated in the SIF file. Every O group couples two whole columns (a dense
/// Hessian), so the gradient is written by hand: with `r_ij` the residual of O(i,j),
/// `d/dQ(k,i) += 2 r_ij Q(k,j)` and `d/dQ(k,j) += 2 r_ij Q(k,i)`.
/// Source: HADAMALS.SIF via S2MPJ.
#[derive(Clone, Copy, Debug)]
struct Hadamals {
    order: usize,
}

impl Hadamals {
    /// The registry entry (the size is `n = N^2`).
    const ENTRY: Entry = Entry { name: "HADAMALS", build: |n| by_hand(Hadamals::with_n(n.unwrap_or(400))) };
    /// FACTOR of the LARGEL2 groups.
    const FACTOR: f64 = 1.0;

    /// `None` unless `n = N^2` with `N >= 2`.
    fn with_n(n: usize) -> Option<Self> {
        let order = (1..=n).take_while(|k| k * k <= n).last()?;
        (order >= 2 && order * order == n).then_some(Self { order })
    }
}

impl Described for Hadamals {
    fn name(&self) -> &'static str {
        "HADAMALS"
    }
    fn source(&self) -> &'static str {
        s2mpj!("HADAMALS.SIF")
    }
    fn f_star(&self) -> Option<f64> {
        None
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let m = self.order;
        let mut lower = vec![-1.0; m * m];
        let mut upper = vec![1.0; m * m];
        for i in 0..m {
            let v = if i < m / 2 { 1.0 } else { -1.0 };
            lower[i] = v;
            upper[i] = v;
        }
        (lower, upper)
    }
}

impl HandGradient for Hadamals {
    fn n(&self) -> usize {
        self.order * self.order
    }
    fn x0(&self) -> Vec<f64> {
        let m = self.order;
        (0..m * m).map(|t| if t % m < m / 2 { 0.9 } else { -0.9 }).collect()
    }
    fn value_gradient<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        let m = self.order;
        let zero = D::from(0.0);
        g.iter_mut().for_each(|gi| *gi = zero);
        let mut f = zero;
        for j in 0..m {
            for i in 0..=j {
                let (ci, cj) = (&x[i * m..(i + 1) * m], &x[j * m..(j + 1) * m]);
                let mut r = zero;
                for k in 0..m {
                    r += ci[k] * cj[k];
                }
                if i == j {
                    r -= m as f64;
                }
                f += r * r;
                let r2 = r * 2.0;
                for k in 0..m {
                    let (a, b) = (x[i * m + k], x[j * m + k]);
                    g[i * m + k] += r2 * b;
                    g[j * m + k] += r2 * a;
                }
            }
        }
        for j in 0..m {
            for i in 1..m {
                let q = x[j * m + i];
                let s = q * q - 1.0;
                f += s * s * Self::FACTOR;
                g[j * m + i] += s * q * (4.0 * Self::FACTOR);
            }
        }
        f
    }
}
