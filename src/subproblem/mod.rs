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
//!
//! What a step solver needs from the model is a trait bound: [`StepSolverFor<M>`] holds for
//! the models `M` it can work with (every model for the matrix-free solvers, a
//! [`DenseMatrixModel`] for the dogleg, a [`MatrixModel`] for the exact step, a
//! [`DenseJacobianModel`] for Levenberg-Marquardt), and the loops'
//! entry points require it, so a mismatched pairing does not compile. [`MatrixFree`] marks
//! the solvers that need products only (what the Hessian-free loop accepts).

pub mod affine_dogleg;
pub mod cauchy;
pub mod dogleg;
pub mod exact;
pub mod gltr;
pub mod ichol;
pub mod levenberg_marquardt;
pub mod limited_memory;
pub mod projected;
pub mod steihaug;

pub use cauchy::Cauchy;
pub use dogleg::Dogleg;
pub use exact::MoreSorensen;
pub use gltr::{Gltr, GltrOptions};
pub use ichol::IncompleteCholeskyPreconditioner;
pub use levenberg_marquardt::{ColumnScaling, LevenbergMarquardt, LevenbergMarquardtOptions};
pub use limited_memory::LimitedMemoryExact;
pub use steihaug::{DiagonalPreconditioner, IdentityPreconditioner, Preconditioner, Steihaug};

use std::time::Instant;

use crate::model::{CompactModel, DenseJacobianModel, DenseMatrixModel, MatrixModel, Model};
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
    /// The wall-clock deadline of the run ([`crate::Limits::max_time`]), set by the loop
    /// before the first step. Iterative solvers check it inside their inner iterations and
    /// return the inner iterate reached so far (status [`StepStatus::IterationCap`]) once it
    /// has passed, so that a run overshoots its time limit by at most one inner iteration.
    /// The default ignores it.
    fn set_deadline(&mut self, deadline: Option<Instant>) {
        let _ = deadline;
    }
    /// Symbolic analyses of a sparse matrix (fill-reducing ordering, elimination tree) run since
    /// the last [`StepSolver::initialize`]; `0` for solvers that never factorize a sparse matrix.
    fn symbolic_analyses(&self) -> usize {
        0
    }
    /// The norm the solver's trust region is measured in, applied to `v` (length `n`), at
    /// the last prepared point: `None` (the default) for the Euclidean norm; the
    /// Levenberg-Marquardt step gives `||D v||` with its column scaling `D`.
    fn region_norm(&self, v: &[f64]) -> Option<f64> {
        let _ = v;
        None
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
    fn set_deadline(&mut self, deadline: Option<Instant>) {
        (**self).set_deadline(deadline)
    }
    fn symbolic_analyses(&self) -> usize {
        (**self).symbolic_analyses()
    }
    fn region_norm(&self, v: &[f64]) -> Option<f64> {
        (**self).region_norm(v)
    }
}

/// The models a step solver works with: the loops' entry points require `S: StepSolverFor<M>`
/// for the step solver `S` and the model `M`, so that a pairing that cannot work (the dogleg
/// on Hessian-vector products, the exact step without a matrix) does not compile.
///
/// Steihaug on Hessian-vector products compiles:
///
/// ```
/// use trust_region::subproblem::Steihaug;
/// use trust_region::{HessianProduct, Objective, TrustRegion};
/// struct Bowl;
/// impl Objective for Bowl {
///     fn dim(&self) -> usize { 1 }
///     fn value(&self, x: &[f64]) -> f64 { x[0] * x[0] }
///     fn gradient(&self, x: &[f64], g: &mut [f64]) { g[0] = 2.0 * x[0]; }
/// }
/// impl HessianProduct for Bowl {
///     fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) { hv[0] = 2.0 * v[0]; }
/// }
/// let report = TrustRegion::new(Steihaug::new()).minimize(&Bowl, &[1.0]).unwrap();
/// assert!(report.converged());
/// ```
///
/// The same call with the dogleg, which needs the Hessian as a dense matrix, does not:
///
/// ```compile_fail
/// use trust_region::subproblem::Dogleg;
/// use trust_region::{HessianProduct, Objective, TrustRegion};
/// struct Bowl;
/// impl Objective for Bowl {
///     fn dim(&self) -> usize { 1 }
///     fn value(&self, x: &[f64]) -> f64 { x[0] * x[0] }
///     fn gradient(&self, x: &[f64], g: &mut [f64]) { g[0] = 2.0 * x[0]; }
/// }
/// impl HessianProduct for Bowl {
///     fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) { hv[0] = 2.0 * v[0]; }
/// }
/// let report = TrustRegion::new(Dogleg::new()).minimize(&Bowl, &[1.0]).unwrap();
/// ```
pub trait StepSolverFor<M: ?Sized>: StepSolver {}

/// A step solver that needs products `v -> Bv` only: it works with every model.
pub trait MatrixFree: StepSolver {}

impl<M: Model + ?Sized> StepSolverFor<M> for Cauchy {}
impl<M: Model + ?Sized, P: Preconditioner> StepSolverFor<M> for Steihaug<P> {}
impl<M: Model + ?Sized, P: Preconditioner> StepSolverFor<M> for Gltr<P> {}
impl<M: DenseMatrixModel + ?Sized> StepSolverFor<M> for Dogleg {}
impl<M: MatrixModel + ?Sized> StepSolverFor<M> for MoreSorensen {}
impl<M: CompactModel + ?Sized> StepSolverFor<M> for LimitedMemoryExact {}
impl<M: DenseJacobianModel + ?Sized> StepSolverFor<M> for LevenbergMarquardt {}
impl<M: ?Sized, S: StepSolverFor<M> + ?Sized> StepSolverFor<M> for Box<S> {}

/// A step solver that works on any explicit model, so also on the scaled model
/// `D^1/2 B D^1/2 + C` of the scaled interior method
/// ([`crate::solver::scaled_interior`]): every solver but the limited-memory exact step, whose
/// compact form the scaling destroys.
pub trait ScaledSpace: StepSolver {}

impl ScaledSpace for Cauchy {}
impl<P: Preconditioner> ScaledSpace for Steihaug<P> {}
impl<P: Preconditioner> ScaledSpace for Gltr<P> {}
impl ScaledSpace for Dogleg {}
impl ScaledSpace for MoreSorensen {}
impl<S: ScaledSpace + ?Sized> ScaledSpace for Box<S> {}
impl<S: ScaledSpace> ScaledSpace for RuntimeChecked<S> {}

impl MatrixFree for Cauchy {}
impl<P: Preconditioner> MatrixFree for Steihaug<P> {}
impl<P: Preconditioner> MatrixFree for Gltr<P> {}
impl<S: MatrixFree + ?Sized> MatrixFree for Box<S> {}

/// A step solver paired with models at run time instead of compile time: it implements
/// [`StepSolverFor`] for every model, and a model that cannot give what the solver needs
/// refuses it when the run starts ([`crate::SetupError::Unsupported`]). For code that chooses
/// the model at run time (a suite runner that takes whatever a problem offers); prefer the
/// plain solver where the model is known.
#[derive(Clone, Debug)]
pub struct RuntimeChecked<S>(pub S);

impl<S: StepSolver> StepSolver for RuntimeChecked<S> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn needs(&self) -> Needs {
        self.0.needs()
    }
    fn validate(&self) -> Result<(), crate::error::SetupError> {
        self.0.validate()
    }
    fn initialize(&mut self, n: usize) {
        self.0.initialize(n)
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        self.0.prepare(model)
    }
    fn solve(&mut self, model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        self.0.solve(model, radius, step)
    }
    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.0.set_deadline(deadline)
    }
    fn symbolic_analyses(&self) -> usize {
        self.0.symbolic_analyses()
    }
    fn region_norm(&self, v: &[f64]) -> Option<f64> {
        self.0.region_norm(v)
    }
}

impl<M: ?Sized, S: StepSolver> StepSolverFor<M> for RuntimeChecked<S> {}
