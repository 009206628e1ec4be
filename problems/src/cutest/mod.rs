//! CUTEst unconstrained problems (SIF formulations), specs/problems.md section 2: the registry.
//!
//! Every problem is listed once, in [`LISTINGS`] (the order of the spec's list), by a
//! [`Listing`]: its SIF name, listed size, source, what is known of `f*`, and how to build the
//! formula at a size. The listing is written next to the formula it builds (an associated
//! const of the problem's type, `Arwhead::LISTING`); [`names`], [`suite`] and [`by_name`] read
//! the table, and [`SuiteProblem::info`] of a built problem comes from its listing and the
//! formula's `n`. Two SIF files that define the same function (DQRTIC and QUARTC) are two
//! listings of one formula.
//!
//! The formulas, by structure:
//! - [`elemental`]: the adapter from a sum of element functions ([`Cutest`]) to every
//!   derivative interface, exact and bitwise reproducible on any number of threads, and the
//!   helpers for writing elements;
//! - `small`: the fixed-size problems (`n <= 11`: More, Garbow & Hillstrom in their SIF form,
//!   and the small classics);
//! - `diagonal`: diagonal sums and arrowheads (a diagonal Hessian, or a diagonal or narrow
//!   band plus the rows and columns of a few variables shared by every element);
//! - `chained`: chained and block sums (elements on a window of consecutive variables:
//!   chained Rosenbrock and Woods, Dennis-Schnabel, Freudenstein-Roth, ...);
//! - `banded`: banded least squares (the Broyden tridiagonal and banded systems) and CURLY10;
//! - `strided`: couplings a stride apart (`x_i` with `x_{i+m}`, `x_{i+2m}` in the
//!   Dixon-Maany family; with `x_{k i mod n}` in NONCVXUN and SPARSINE);
//! - `dense`: a term couples every variable (dense Hessian): the problems written with a
//!   hand-derived gradient ([`HandGradient`], adapter [`Hand`]) and POWER;
//! - `surface`: FMINSURF, the minimum surface on a grid plus a rank-one term.
//!
//! Sources and conventions. The formulas were read from the SIF files themselves where the
//! public SIF repository (github.com/ralna/SIF) holds them, otherwise from the S2MPJ
//! translations of the SIF files (S. Gratton, Ph. L. Toint, "S2MPJ and CUTEst optimization
//! problems for Matlab, Python and Julia", 2024; github.com/GrattonToint/S2MPJ,
//! `python_problems/NAME.py`: one generated file per SIF file, constants, group scalings,
//! element and group types and starting points kept), cross-checked where noted against the
//! AMPL models of H. Y. Benson (as distributed in github.com/cvanaret/Uno, `ampl_models/`) and
//! the sif2jax re-implementations (github.com/johannahaffner/sif2jax); each listing names its
//! source. The Rust was written from the formulas. SIF semantics used throughout: a group is
//! `g(sum_e w_e phi_e + a'x - c)` (the constant is subtracted) and a group with `SCALE s`
//! contributes `g(.) / s`. Indices in the doc comments are 1-based as in the SIF files;
//! variables in the code are 0-based (`x[0]` is the SIF `X1`).

use std::sync::OnceLock;

use trust_region::problem::{DenseHessian, HessianProduct, SparseHessian, SparseHessianApproximation};

use crate::{ProblemInfo, SuiteProblem};

pub mod elemental;

mod banded;
mod chained;
mod dense;
mod diagonal;
mod small;
mod strided;
mod surface;

pub use banded::{Broydn3dls, Broydn7d, Curly10, Sbrybnd};
pub use chained::{
    Chainwoo, Chnrosnb, Cosine, Cragglvy, Dixon3dq, Edensch, Engval1, Errinros, Fletchcr, Freuroth, Genhumps, Genrose,
    Srosenbr, Tointgss, Woods,
};
pub use dense::{Arglina, Hand, HandGradient, Hilbertb, Inteqnels, Msqrtals, Penalty3, Power, Trigon1, Vardim};
pub use diagonal::{Arwhead, Bdqrtic, BoxQuartic, DiagonalQuartic, Dqdrtic, Eg2, Liarwhd, Nondquar, Qing};
pub use elemental::{
    derivative_size, Cutest, ElementDerivatives, Elemental, Kernels, CALIBRATION_MIN_ELEMENTS, CHUNK_ELEMENTS,
    DENSE_HESSIAN_MAX_N, MAX_ELEMENT_VARS, PARALLEL_MIN_ELEMENTS, PARALLEL_MIN_SECONDS,
};
pub use small::{
    Allinitu, Bard, Beale, Biggs6, Box3, Brownbs, Brownden, Cube, Denschnc, Denschnd, Denschnf, Djtl, Engval2, Expfit,
    Gaussian, Hairy, Hatfldd, Hatflde, Heart8ls, Helix, Himmelbg, Himmelbh, Jensmp, Kowosb, Loghairy, Maratosb, Mexhat,
    Osbornea, Osborneb, Rosenbr, Sisser, Snail, Zangwil2,
};
pub use strided::{Dixmaan, Dixmaana1, Noncvxun, Sparsine};
pub use surface::{Fminsurf, FminsurfArea};

/// The source of the listings read from an S2MPJ translation without a further reference.
const S2MPJ: &str = "S2MPJ translation of the CUTEst SIF file (GrattonToint/S2MPJ, python_problems)";

/// What the suite records about one problem besides its formula, written once.
#[derive(Clone, Copy, Debug)]
pub struct Listing {
    /// The SIF name, upper case (`"ARWHEAD"`).
    pub name: &'static str,
    /// The listed size (specs/problems.md section 2), built by `by_name(name, None)`.
    pub n: usize,
    /// Where the formulation comes from (SIF file, translation, paper).
    pub source: &'static str,
    /// The optimal value at size `n` where it is known (SIF file comment or literature).
    f_star: fn(usize) -> Option<f64>,
    /// The formula at size `n`; `None` when `n` is not admissible.
    build: fn(usize) -> Option<Box<dyn Formulation>>,
}

impl Listing {
    /// The optimal value at size `n`, where it is known.
    pub fn f_star(&self, n: usize) -> Option<f64> {
        (self.f_star)(n)
    }

    /// The problem at size `n` (the listed size for `None`); `None` when `n` is not admissible.
    pub fn build(&'static self, n: Option<usize>) -> Option<Box<dyn SuiteProblem>> {
        let formulation = (self.build)(n.unwrap_or(self.n))?;
        Some(Box::new(Listed { listing: self, formulation }))
    }
}

/// What a formula offers the runner: its size, start point and derivative interfaces (every
/// CUTEst formula has Hessian-vector products).
pub trait Formulation: Send + Sync {
    /// Number of variables.
    fn n(&self) -> usize;
    /// The SIF starting point.
    fn x0(&self) -> Vec<f64>;
    /// Objective with Hessian-vector products.
    fn products(&self) -> &dyn HessianProduct;
    /// Objective with a dense Hessian, where `n` is small enough.
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        None
    }
    /// Objective with a sparse Hessian.
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        None
    }
    /// Hessian-vector products with a sparse approximation of the Hessian.
    fn sparse_approximation(&self) -> Option<&dyn SparseHessianApproximation> {
        None
    }
}

/// A built problem: its listing and its formula.
struct Listed {
    listing: &'static Listing,
    formulation: Box<dyn Formulation>,
}

impl SuiteProblem for Listed {
    fn info(&self) -> ProblemInfo {
        let n = self.formulation.n();
        ProblemInfo {
            suite: "cutest",
            name: self.listing.name.to_string(),
            n,
            m: None,
            f_star: self.listing.f_star(n),
            source: self.listing.source,
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
    fn sparse_approximation(&self) -> Option<&dyn SparseHessianApproximation> {
        self.formulation.sparse_approximation()
    }
}

/// A listing's `build` for an element-sum formula.
fn by_elements<P: Cutest + 'static>(problem: Option<P>) -> Option<Box<dyn Formulation>> {
    Some(Box::new(Elemental::new(problem?)))
}

/// A listing's `build` for a hand-gradient formula.
fn by_hand<P: HandGradient + 'static>(problem: Option<P>) -> Option<Box<dyn Formulation>> {
    Some(Box::new(Hand::new(problem?)))
}

/// Every problem of the suite, in the order of specs/problems.md section 2.
pub static LISTINGS: &[Listing] = &[
    Rosenbr::LISTING,
    Beale::LISTING,
    Brownbs::LISTING,
    Helix::LISTING,
    Jensmp::LISTING,
    Bard::LISTING,
    Box3::LISTING,
    Biggs6::LISTING,
    Kowosb::LISTING,
    Osbornea::LISTING,
    Osborneb::LISTING,
    Brownden::LISTING,
    Cube::LISTING,
    Denschnc::LISTING,
    Denschnd::LISTING,
    Denschnf::LISTING,
    Gaussian::LISTING,
    Hairy::LISTING,
    Himmelbg::LISTING,
    Himmelbh::LISTING,
    Mexhat::LISTING,
    Sisser::LISTING,
    Snail::LISTING,
    Zangwil2::LISTING,
    Allinitu::LISTING,
    Engval2::LISTING,
    Hatfldd::LISTING,
    Hatflde::LISTING,
    Expfit::LISTING,
    Djtl::LISTING,
    Maratosb::LISTING,
    Hilbertb::LISTING,
    Heart8ls::LISTING,
    Trigon1::LISTING,
    Loghairy::LISTING,
    Dixmaana1::LISTING,
    Chnrosnb::LISTING,
    Errinros::LISTING,
    Qing::LISTING,
    Vardim::LISTING,
    Arglina::LISTING,
    Penalty3::LISTING,
    Genrose::LISTING,
    Inteqnels::LISTING,
    Fletchcr::LISTING,
    Eg2::LISTING,
    Msqrtals::LISTING,
    Edensch::LISTING,
    Arwhead::LISTING,
    Bdqrtic::LISTING,
    BoxQuartic::LISTING,
    Broydn3dls::LISTING,
    Broydn7d::LISTING,
    Chainwoo::LISTING,
    Cosine::LISTING,
    Cragglvy::LISTING,
    Curly10::LISTING,
    Dixmaan::DIXMAANB,
    Dixmaan::DIXMAANC,
    Dixmaan::DIXMAAND,
    Dixmaan::DIXMAANE1,
    Dixmaan::DIXMAANF,
    Dixmaan::DIXMAANG,
    Dixmaan::DIXMAANH,
    Dixmaan::DIXMAANI1,
    Dixmaan::DIXMAANJ,
    Dixmaan::DIXMAANK,
    Dixmaan::DIXMAANL,
    Dixon3dq::LISTING,
    Dqdrtic::LISTING,
    DiagonalQuartic::DQRTIC,
    Engval1::LISTING,
    Fminsurf::LISTING,
    Freuroth::LISTING,
    Genhumps::LISTING,
    Liarwhd::LISTING,
    Noncvxun::LISTING,
    Nondquar::LISTING,
    Power::LISTING,
    DiagonalQuartic::QUARTC,
    Sbrybnd::LISTING,
    Sparsine::LISTING,
    Srosenbr::LISTING,
    Tointgss::LISTING,
    Woods::LISTING,
];

/// Every CUTEst problem at its listed size (specs/problems.md section 2), in list order.
pub fn suite() -> Vec<Box<dyn SuiteProblem>> {
    LISTINGS.iter().filter_map(|listing| listing.build(None)).collect()
}

/// The names of the problems in the suite, in list order.
pub fn names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| LISTINGS.iter().map(|listing| listing.name).collect())
}

/// The listing of a problem by SIF name (case-insensitive).
pub fn listing(name: &str) -> Option<&'static Listing> {
    LISTINGS.iter().find(|listing| listing.name.eq_ignore_ascii_case(name))
}

/// Builds a problem by SIF name (case-insensitive) at its listed size, or at `n` for the
/// scalable ones (`None` when the name is unknown or `n` is not admissible).
pub fn by_name(name: &str, n: Option<usize>) -> Option<Box<dyn SuiteProblem>> {
    listing(name)?.build(n)
}
