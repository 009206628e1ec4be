//! The large scalable bound-constrained problems of the spec's list: EXPLIN (EXPLIN.SIF),
//! EXPLIN2 (EXPLIN2.SIF), CHARDIS0 (CHARDIS0.SIF), BDEXP (BDEXP.SIF, through its sif2jax
//! re-implementation), QUDLIN (QUDLIN.SIF), CVXBQP1 (CVXBQP1.SIF), NCVXBQP1-3 (NCVXBQP*.SIF,
//! S2MPJ translations), OBSTCLAE (OBSTCLAE.SIF), OBSTCLAL, OBSTCLBL, OBSTCLBM, OBSTCLBU
//! (S2MPJ translations) and TORSION1-6, TORSIONA (TORSION*.SIF).
//!
//! Every problem is a sum of element functions ([`Cutest`]) wrapped with its box in an
//! [`ElementBox`]: the element adapter [`Elemental`] gives the exact gradient, the
//! Hessian-vector products and the sparse Hessian (lower triangle, every diagonal entry, a
//! fixed pattern) in `O(number of elements)` without allocating per evaluation. The families:
//! - this file: the chains EXPLIN, EXPLIN2 and QUDLIN (a linear term on every variable, a
//!   product term on the first `M` pairs), BDEXP (a banded exponential) and CHARDIS0 (all pairs
//!   of charges: `O(n^2)` elements by its nature, a dense Hessian);
//! - `bqp`: CVXBQP1 and NCVXBQP1-3 (squares of three variables `i`, `2i`, `3i` mod `n`);
//! - `grid`: the obstacle problems OBSTCL* and the elastic torsion problems TORSION* on a
//!   square grid (a 5-point stencil; the boundary of the grid fixed at 0 by the bounds).
//!
//! SIF conventions (see [`crate::cutest`]): a group with `SCALE s` contributes `g(.) / s`;
//! a variable that the `BOUNDS` section does not mention has the SIF default bounds
//! `[0, +inf)`; a variable absent from `START POINT` starts at 0. The start point is the
//! SIF's, not projected onto the box (the solvers project it). Indices in the docs are 1-based
//! as in the SIF files, the code's are 0-based.

use std::f64::consts::FRAC_PI_2;

use trust_region::problem::{DenseHessian, HessianProduct, SparseHessian};

use super::{BoundedProblem, Entry};
use crate::cutest::{Cutest, Elemental, DENSE_HESSIAN_MAX_N, MAX_ELEMENT_VARS};
use crate::mgh::Scalar;
use crate::{ProblemInfo, SuiteProblem};

#[path = "bqp.rs"]
mod bqp;
#[path = "grid.rs"]
mod grid;

use bqp::Bqp;
use grid::{Grid, HalfStencil, Obstacle, Torsion};

/// Where the formulas of the S2MPJ-translated problems come from.
pub(crate) const S2MPJ: &str = "S2MPJ translation of the CUTEst SIF file (GrattonToint/S2MPJ, python_problems)";

/// A bound-constrained problem written as element functions: what the registry records
/// besides the formula.
pub trait BoundedElements: Cutest {
    /// The SIF name.
    fn name(&self) -> &'static str;
    /// The SIF file (or translation) the formula was read from.
    fn source(&self) -> &'static str;
    /// The optimal value the SIF file states at this size, if any.
    fn f_star(&self) -> Option<f64>;
    /// The box of the SIF `BOUNDS` section (with the SIF default `[0, +inf)` where a variable
    /// is not mentioned).
    fn bounds(&self) -> (Vec<f64>, Vec<f64>);
}

/// An element-sum problem with its box: [`SuiteProblem`] (suite `"bounded"`) and
/// [`BoundedProblem`] over the exact derivatives of [`Elemental`].
#[derive(Debug)]
pub struct ElementBox<P> {
    elements: Elemental<P>,
}

impl<P: BoundedElements> ElementBox<P> {
    /// Builds the element index and the Hessian pattern once.
    pub fn new(problem: P) -> Self {
        Self { elements: Elemental::new(problem) }
    }
}

impl<P: BoundedElements> SuiteProblem for ElementBox<P> {
    fn info(&self) -> ProblemInfo {
        let p = &self.elements.problem;
        ProblemInfo {
            suite: "bounded",
            name: p.name().to_string(),
            n: p.n(),
            m: None,
            f_star: p.f_star(),
            source: p.source(),
        }
    }
    fn x0(&self) -> Vec<f64> {
        self.elements.problem.x0()
    }
    fn products(&self) -> Option<&dyn HessianProduct> {
        Some(&self.elements)
    }
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        (self.elements.problem.n() <= DENSE_HESSIAN_MAX_N).then_some(&self.elements as &dyn DenseHessian)
    }
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        Some(&self.elements)
    }
}

impl<P: BoundedElements> BoundedProblem for ElementBox<P> {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        self.elements.problem.bounds()
    }
}

/// An entry's `build` for an element-sum problem.
fn boxed<P: BoundedElements + 'static>(problem: Option<P>) -> Option<Box<dyn BoundedProblem>> {
    Some(Box::new(ElementBox::new(problem?)))
}

/// The entries of this file, in the spec's order.
pub(super) const ENTRIES: &[Entry] = &[
    Entry { name: "EXPLIN", build: |n| boxed(Chain::by_size(ChainKind::Explin, n.unwrap_or(1200))) },
    Entry { name: "EXPLIN2", build: |n| boxed(Chain::by_size(ChainKind::Explin2, n.unwrap_or(1200))) },
    Entry { name: "CHARDIS0", build: |n| boxed(Chardis0::by_size(n.unwrap_or(2000))) },
    Entry { name: "BDEXP", build: |n| boxed(Bdexp::new(n.unwrap_or(5000))) },
    Entry { name: "QUDLIN", build: |n| boxed(Chain::by_size(ChainKind::Qudlin, n.unwrap_or(5000))) },
    Entry { name: "CVXBQP1", build: |n| boxed(Bqp::cvxbqp1(n.unwrap_or(100_000))) },
    Entry { name: "NCVXBQP1", build: |n| boxed(Bqp::ncvxbqp(1, n.unwrap_or(10_000))) },
    Entry { name: "NCVXBQP2", build: |n| boxed(Bqp::ncvxbqp(2, n.unwrap_or(10_000))) },
    Entry { name: "NCVXBQP3", build: |n| boxed(Bqp::ncvxbqp(3, n.unwrap_or(10_000))) },
    Entry { name: "OBSTCLAE", build: |n| boxed(Grid::obstacle_by_size(Obstacle::Ae, n.unwrap_or(10_000))) },
    Entry { name: "OBSTCLAL", build: |n| boxed(Grid::obstacle_by_size(Obstacle::Al, n.unwrap_or(10_000))) },
    Entry { name: "OBSTCLBL", build: |n| boxed(Grid::obstacle_by_size(Obstacle::Bl, n.unwrap_or(10_000))) },
    Entry { name: "OBSTCLBM", build: |n| boxed(Grid::obstacle_by_size(Obstacle::Bm, n.unwrap_or(10_000))) },
    Entry { name: "OBSTCLBU", build: |n| boxed(Grid::obstacle_by_size(Obstacle::Bu, n.unwrap_or(10_000))) },
    Entry { name: "TORSION1", build: |n| boxed(Grid::torsion_by_size(Torsion::T1, n.unwrap_or(5476))) },
    Entry { name: "TORSION2", build: |n| boxed(Grid::torsion_by_size(Torsion::T2, n.unwrap_or(5476))) },
    Entry { name: "TORSION3", build: |n| boxed(Grid::torsion_by_size(Torsion::T3, n.unwrap_or(5476))) },
    Entry { name: "TORSION4", build: |n| boxed(Grid::torsion_by_size(Torsion::T4, n.unwrap_or(5476))) },
    Entry { name: "TORSION5", build: |n| boxed(Grid::torsion_by_size(Torsion::T5, n.unwrap_or(5476))) },
    Entry { name: "TORSION6", build: |n| boxed(Grid::torsion_by_size(Torsion::T6, n.unwrap_or(5476))) },
    Entry { name: "TORSIONA", build: |n| boxed(HalfStencil::torsiona_by_size(n.unwrap_or(5476))) },
];

/// Which of the three chain problems ([`Chain`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainKind {
    /// EXPLIN.SIF: product terms `exp(0.1 x_i x_{i+1})`.
    Explin,
    /// EXPLIN2.SIF: product terms `exp(0.1 (i/M) x_i x_{i+1})`.
    Explin2,
    /// QUDLIN.SIF: product terms `x_i x_{i+1}`.
    Qudlin,
}

/// EXPLIN, EXPLIN2 and QUDLIN (EXPLIN.SIF, EXPLIN2.SIF, QUDLIN.SIF; Ph. Toint 1992, updated
/// 2026): one linear group `OBJ` with coefficient `-10 i` on `x_i` and the elements `E(i)` of
/// the first `M` pairs,
///
/// `f = sum_{i=1}^{N} -10 i x_i + sum_{i=1}^{M} e_i(x_i, x_{i+1})`,
///
/// `e_i = exp(0.1 x y)` (EXPLIN), `exp(0.1 (i/M) x y)` (EXPLIN2), `x y` (QUDLIN). Bounds
/// `0 <= x_i <= 10` (`XU 'DEFAULT' 10`, the SIF default lower bound 0); x0 = 0 (no
/// `START POINT` entries). The SIF files state no optimal value (their `LO 0.0` is an
/// object bound, not a solution). One element per variable: the linear term of `x_i` plus,
/// for `i <= M`, `e_i`.
///
/// Sizes: EXPLIN and EXPLIN2 N = 1200, M = 100 (listed); QUDLIN N = 5000, M = 2500 (listed).
/// [`Chain::by_size`] maps `n` to `M = n / 12` for EXPLIN and EXPLIN2 (`n` a multiple of 12:
/// the SIF's 120/10 and 1200/100; its 12/6 variant needs [`Chain::new`]) and to `M = n / 2`
/// for QUDLIN (every SIF variant).
#[derive(Clone, Copy, Debug)]
pub struct Chain {
    kind: ChainKind,
    n: usize,
    m: usize,
}

impl Chain {
    /// `N = n`, `M = m`; `None` unless `1 <= m < n`.
    pub fn new(kind: ChainKind, n: usize, m: usize) -> Option<Self> {
        (m >= 1 && m < n).then_some(Self { kind, n, m })
    }

    /// The SIF's `M` for `N = n` (type docs).
    pub fn by_size(kind: ChainKind, n: usize) -> Option<Self> {
        match kind {
            ChainKind::Explin | ChainKind::Explin2 => n.is_multiple_of(12).then_some(())?,
            ChainKind::Qudlin => (),
        }
        let m = if kind == ChainKind::Qudlin { n / 2 } else { n / 12 };
        Self::new(kind, n, m)
    }
}

impl Cutest for Chain {
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
        vars[0] = e;
        if e < self.m {
            vars[1] = e + 1;
            2
        } else {
            1
        }
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        // SIF: RI = I, C = RI * (-10).
        let linear = xs[0] * ((e + 1) as f64 * -10.0);
        if e >= self.m {
            return linear;
        }
        let (x, y) = (xs[0], xs[1]);
        let term = match self.kind {
            ChainKind::Explin => (x * 0.1 * y).exp(),
            ChainKind::Explin2 => {
                let p = (e + 1) as f64 / self.m as f64;
                (x * (0.1 * p) * y).exp()
            }
            ChainKind::Qudlin => x * y,
        };
        linear + term
    }
}

impl BoundedElements for Chain {
    fn name(&self) -> &'static str {
        match self.kind {
            ChainKind::Explin => "EXPLIN",
            ChainKind::Explin2 => "EXPLIN2",
            ChainKind::Qudlin => "QUDLIN",
        }
    }
    fn source(&self) -> &'static str {
        match self.kind {
            ChainKind::Explin => "CUTEst EXPLIN.SIF (Ph. Toint 1992; ralna/SIF)",
            ChainKind::Explin2 => "CUTEst EXPLIN2.SIF (Ph. Toint 1992; ralna/SIF)",
            ChainKind::Qudlin => "CUTEst QUDLIN.SIF (ralna/SIF)",
        }
    }
    fn f_star(&self) -> Option<f64> {
        None
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0; self.n], vec![10.0; self.n])
    }
}

/// BDEXP: a banded exponential problem (BDEXP.SIF, Ph. Toint 1989; Conn, Gould, Lescrenier &
/// Toint, Report 88/4, FUNDP 1988, problem 56),
///
/// `f = sum_{i=1}^{N-2} (x_i + x_{i+1}) exp(-x_{i+2} (x_i + x_{i+1}))`
///
/// (element DEXP with internal variables `U1 = x_i + x_{i+1}`, `U2 = -x_{i+2}`,
/// `F = U1 exp(U1 U2)`). x0 = (1, ..., 1); bounds: the SIF default `[0, +inf)` on every
/// variable; f* = 0 (SIF SOLTN; `f >= 0` on the box and `f(0) = 0`). Listed size N = 5000;
/// any `N >= 3`.
///
/// The SIF file is not in ralna/SIF nor in the S2MPJ translations available here: the formula,
/// start, bounds and SOLTN were read from the sif2jax re-implementation of BDEXP.SIF
/// (github.com/johannahaffner/sif2jax), which transcribes them from the SIF file.
#[derive(Clone, Copy, Debug)]
pub struct Bdexp {
    n: usize,
}

impl Bdexp {
    /// `None` for `n < 3`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3).then_some(Self { n })
    }
}

impl Cutest for Bdexp {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
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
        let u1 = xs[0] + xs[1];
        let u2 = -xs[2];
        (u1 * u2).exp() * u1
    }
}

impl BoundedElements for Bdexp {
    fn name(&self) -> &'static str {
        "BDEXP"
    }
    fn source(&self) -> &'static str {
        "CUTEst BDEXP.SIF (Ph. Toint 1989) as transcribed by sif2jax (johannahaffner/sif2jax); \
         Conn, Gould, Lescrenier & Toint, Report 88/4, FUNDP (1988), problem 56"
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0; self.n], vec![f64::INFINITY; self.n])
    }
}

/// CHARDIS0: distribution of `NP1` equal charges in the square `[-10, 10]^2`
/// (CHARDIS0.SIF, R. Felkel 1999, corrected by S. Gratton & Ph. Toint 2024). Variables
/// `X(1), Y(1), X(2), Y(2), ...` (`n = 2 NP1`); one group per pair `i < j`, of type REZIP
/// (`1/alpha`) with `SCALE 0.01`, on the elements `(X(i) - X(j))^2` and `(Y(i) - Y(j))^2`:
///
/// `f = sum_{i<j} 100 / ((x_i - x_j)^2 + (y_i - y_j)^2)`,
///
/// bounds `-10 <= x_i, y_i <= 10`. x0 (with `N = NP1 - 1`, `r_i = 10 (NP1 - i) / N`,
/// `phi_i = 2 pi i / N`): `x_i = r_i cos(phi_i) / 2`, `y_i = r_i sin(phi_i) / 2`. No f* in
/// the SIF file. Listed size NP1 = 1000 (n = 2000); any even `n >= 4`.
///
/// One element per pair: `NP1 (NP1 - 1) / 2` elements and a dense Hessian (the cost of every
/// evaluation is `O(n^2)`, the problem's own; the pairs are listed once at construction).
#[derive(Clone, Debug)]
pub struct Chardis0 {
    np1: usize,
    /// The pairs `(i, j)`, `i < j`, in the SIF's loop order.
    pairs: Vec<[u32; 2]>,
}

impl Chardis0 {
    /// `NP1 = np1` charges; `None` for `np1 < 2`.
    pub fn new(np1: usize) -> Option<Self> {
        (np1 >= 2 && np1 <= u32::MAX as usize).then_some(())?;
        let pairs = (0..np1).flat_map(|i| (i + 1..np1).map(move |j| [i as u32, j as u32])).collect();
        Some(Self { np1, pairs })
    }

    /// `n = 2 NP1`; `None` for odd `n` or `n < 4`.
    pub fn by_size(n: usize) -> Option<Self> {
        n.is_multiple_of(2).then_some(())?;
        Self::new(n / 2)
    }
}

impl Cutest for Chardis0 {
    fn n(&self) -> usize {
        2 * self.np1
    }
    fn x0(&self) -> Vec<f64> {
        // SIF: halfPI = ARCSIN(1), 2PI = 4 halfPI, 2PIqN = 2PI / N, RqN = R / N.
        let nr = (self.np1 - 1) as f64;
        let two_pi_q_n = (FRAC_PI_2 * 4.0) / nr;
        let r_q_n = 10.0 / nr;
        let mut x = vec![0.0; self.n()];
        for i in 1..=self.np1 {
            let phi = two_pi_q_n * i as f64;
            let r = r_q_n * (self.np1 as f64 - i as f64);
            x[2 * (i - 1)] = phi.cos() * r * 0.5;
            x[2 * (i - 1) + 1] = phi.sin() * r * 0.5;
        }
        x
    }
    fn elements(&self) -> usize {
        self.pairs.len()
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let [i, j] = self.pairs[e];
        let (i, j) = (i as usize, j as usize);
        vars[0] = 2 * i;
        vars[1] = 2 * j;
        vars[2] = 2 * i + 1;
        vars[3] = 2 * j + 1;
        4
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let dx = xs[0] - xs[1];
        let dy = xs[2] - xs[3];
        let alpha = dx * dx + dy * dy;
        // REZIP group 1/alpha, divided by the scale 0.01.
        alpha.recip() / 0.01
    }
}

impl BoundedElements for Chardis0 {
    fn name(&self) -> &'static str {
        "CHARDIS0"
    }
    fn source(&self) -> &'static str {
        "CUTEst CHARDIS0.SIF (R. Felkel 1999, corrected by S. Gratton & Ph. Toint 2024; ralna/SIF)"
    }
    fn f_star(&self) -> Option<f64> {
        None
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![-10.0; self.n()], vec![10.0; self.n()])
    }
}
