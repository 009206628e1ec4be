//! Layer 2: trust-region subproblem solvers.
//!
//! Each solver approximately minimizes the quadratic model
//! `m(s) = f + g's + s'Bs/2` subject to `||s|| <= radius` (the norm is the solver's own:
//! Euclidean, or the preconditioner's `M`-norm for preconditioned CG).
//!
//! Protocol, enforced by the outer loop:
//! 1. [`StepSolver::initialize`] once per solve with the dimension (all workspace is allocated
//!    here; `prepare` and `solve` do not allocate);
//! 2. [`StepSolver::prepare`] once per accepted point (factorizations, products with `g`);
//! 3. [`StepSolver::solve`] once per trial radius at that point, reusing what `prepare` did.
//!
//! A step solver never calls user code directly; it sees the model through [`Model`], and it
//! returns facts ([`StepInfo`]); the outer loop decides what to do with them.

pub mod affine_dogleg;
pub mod cauchy;
pub mod dogleg;
pub mod exact;
pub mod gltr;
pub mod ichol;
pub mod steihaug;

pub use cauchy::Cauchy;
pub use dogleg::Dogleg;
pub use exact::MoreSorensen;
pub use gltr::{Gltr, GltrOptions};
pub use ichol::IncompleteCholeskyPreconditioner;
pub use steihaug::{DiagonalPreconditioner, IdentityPreconditioner, Preconditioner, Steihaug};

use crate::model::Model;
pub use crate::step::{Needs, StepInfo, StepStatus};

/// A trust-region subproblem solver.
pub trait StepSolver {
    /// Short lower-case name (`"cauchy"`, `"dogleg"`, `"steihaug"`, `"exact"`).
    fn name(&self) -> &'static str;
    /// Which second-order information the solver needs.
    fn needs(&self) -> Needs;
    /// Checks the solver's options; called before the first evaluation.
    fn validate(&self) -> Result<(), crate::error::SetupError> {
        Ok(())
    }
    /// Allocates workspace for `n` variables. Called once per solve.
    fn initialize(&mut self, n: usize);
    /// Work done once per accepted point (factorizations, `Bg`, preconditioner setup).
    fn prepare(&mut self, model: &mut dyn Model);
    /// Computes a trial step for `radius` into `step` (length `n`).
    fn solve(&mut self, model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo;
    /// Symbolic analyses of a sparse matrix (fill-reducing ordering, elimination tree) run since
    /// the last [`StepSolver::initialize`]; `0` for solvers that never factorize a sparse matrix.
    fn symbolic_analyses(&self) -> usize {
        0
    }
}

impl<S: StepSolver + ?Sized> StepSolver for Box<S> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn needs(&self) -> Needs {
        (**self).needs()
    }
    fn validate(&self) -> Result<(), crate::error::SetupError> {
        (**self).validate()
    }
    fn initialize(&mut self, n: usize) {
        (**self).initialize(n)
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        (**self).prepare(model)
    }
    fn solve(&mut self, model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        (**self).solve(model, radius, step)
    }
    fn symbolic_analyses(&self) -> usize {
        (**self).symbolic_analyses()
    }
}
