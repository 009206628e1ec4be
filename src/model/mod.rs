//! The quadratic model `m(s) = f + g's + s'Bs/2` and the models that build it from user
//! problems.
//!
//! [`Model`] is what a step solver sees: the value, the gradient, products `v -> Bv`, and,
//! where available, the matrix `B` itself (dense, or sparse as its lower triangle) or its
//! diagonal (for preconditioners). [`DenseMatrixModel`] and [`MatrixModel`] mark the models
//! that hold `B` as a matrix: a step solver that needs one is only paired with such a model
//! ([`crate::subproblem::StepSolverFor`]), so a mismatch does not compile.
//!
//! [`Oracle`] is what the outer loop sees: a model that can move to a new point. Two generic
//! models turn user problems into oracles:
//!
//! | model | problem traits | `B` | available as |
//! |---|---|---|---|
//! | [`Newton::products`] | [`HessianProduct`](crate::problem::HessianProduct) | `H(x)` | products |
//! | [`Newton::dense`] | [`DenseHessian`](crate::problem::DenseHessian) | `H(x)` | dense matrix and products |
//! | [`Newton::sparse`] | [`SparseHessian`](crate::problem::SparseHessian) | `H(x)` | sparse matrix (lower triangle), products, diagonal |
//! | [`Newton::approximated`] | [`SparseHessianApproximation`](crate::problem::SparseHessianApproximation) | `H(x)` | products; a sparse `A(x) ~ H(x)` for preconditioners |
//! | [`Newton::finite_differences`] | [`Objective`](crate::problem::Objective) (gradient only) | `H(x)` by differences of `g` | products (one gradient each) |
//! | [`Newton::sr1`], [`Newton::bfgs`] | [`Objective`](crate::problem::Objective) (gradient only) | secant updates | dense matrix, products, diagonal |
//! | [`Newton::lsr1`], [`Newton::lbfgs`] | [`Objective`](crate::problem::Objective) (gradient only) | limited-memory secant updates | compact form ([`CompactForm`]), products, diagonal |
//! | [`GaussNewton::dense`] | [`DenseJacobian`](crate::problem::DenseJacobian) | `J'J` | products; dense matrix on demand |
//! | [`GaussNewton::sparse`] | [`SparseJacobian`](crate::problem::SparseJacobian) | `J'J` | products, diagonal |
//!
//! [`Newton`] is generic over its [`Curvature`] source, [`GaussNewton`] over its
//! [`JacobianStore`](jacobian::JacobianStore) (the one the interior loop uses too); both share the point bookkeeping (value, gradient, trial gradient,
//! evaluation counts). The gradient-only sources ([`FiniteDifferenceCurvature`],
//! [`DenseQuasiNewton`], [`LimitedMemory`]) see every gradient the model evaluates through
//! [`Curvature::observe`]; SR1 and L-SR1 also learn from rejected trials ([`Oracle::reject`]).
//! The exact limited-memory step
//! ([`LimitedMemoryExact`](crate::subproblem::LimitedMemoryExact)) needs a [`CompactModel`].
//!
//! For Gauss-Newton, `f = ||r||^2/2`, `g = J'r` and the predicted reduction of a step `s` is
//! evaluated as `-(Js)'(r + Js/2)`: with `g's = r'Js` and `s'J'Js = ||Js||^2` this is exactly
//! `-(g's + s'Bs/2)`, but it never forms `J'J` and loses no digits to cancellation between
//! `g's` and `s'Bs/2` beyond the single inner product.

mod compact;
mod finite_difference;
mod gauss_newton;
pub mod jacobian;
mod limited_memory;
pub mod loss;
mod newton;
mod quasi_newton;

pub use compact::CompactForm;
pub use finite_difference::{DifferenceScheme, FiniteDifferenceCurvature};
pub use gauss_newton::GaussNewton;
pub use limited_memory::{CompactModel, LimitedMemory, LimitedMemoryOptions};
pub use loss::{Correction, Loss};
pub use newton::{
    ApproximateCurvature, Curvature, DenseCurvature, GradientPoint, Newton, ProductCurvature, SparseCurvature,
};
pub use quasi_newton::{DenseQuasiNewton, SecantUpdate};

use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};
use faer::{Mat, MatRef};

use crate::error::SetupError;
use crate::linalg::{self, dense, sparse};
use crate::step::{Evaluations, Needs};

/// The quadratic model at the current point, as step solvers see it.
pub trait Model {
    /// Number of variables.
    fn dim(&self) -> usize;
    /// Objective value `f` at the current point.
    fn value(&self) -> f64;
    /// Gradient `g` at the current point.
    fn gradient(&self) -> &[f64];
    /// `out <- B v`.
    fn apply(&mut self, v: &[f64], out: &mut [f64]);
    /// The dense symmetric `B`, if the model holds one.
    fn dense_hessian(&self) -> Option<MatRef<'_, f64>> {
        None
    }
    /// The sparse symmetric `B` as its lower triangle (every diagonal entry stored, fixed
    /// pattern across points), if the model holds one.
    fn sparse_hessian(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        None
    }
    /// Writes the diagonal of `B` into `out` and returns `true`, or returns `false` when the
    /// diagonal is not available cheaply.
    fn diagonal(&self, out: &mut [f64]) -> bool {
        let _ = out;
        false
    }
    /// A sparse symmetric matrix (lower triangle, every diagonal entry stored, fixed pattern)
    /// from which a preconditioner may be built: `B` itself when the model holds it sparse
    /// (the default), or an approximation of `B` (see [`Newton::approximated`]). Step solvers
    /// must not use it as `B`.
    fn preconditioning_matrix(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.sparse_hessian()
    }
    /// The compact form `B = gamma I + Psi M Psi'` of a limited-memory quasi-Newton model
    /// ([`LimitedMemory`]), if the model is one.
    fn compact(&self) -> Option<CompactForm<'_>> {
        None
    }
    /// The least-squares form `B = J'J`, `g = J'r` of a Gauss-Newton model with a dense
    /// Jacobian ([`LeastSquaresRef`]; with a robust loss, the corrected `J` and `r`, see
    /// [`loss`]), if the model is one and was started for a step solver that needs it
    /// ([`Needs::DenseJacobian`]).
    fn least_squares(&self) -> Option<LeastSquaresRef<'_>> {
        None
    }
}

/// A view of a least-squares model: `B = J'J` and `g = J'r`.
#[derive(Clone, Copy, Debug)]
pub struct LeastSquaresRef<'a> {
    /// The dense `m x n` Jacobian `J`.
    pub jacobian: MatRef<'a, f64>,
    /// The residuals `r` (length `m`).
    pub residuals: &'a [f64],
}

/// An explicit dense model `m(s) = f + g's + s'Bs/2`, convenient for tests and for users who
/// want to call a step solver directly.
#[derive(Clone, Debug)]
pub struct DenseModel {
    /// Value `f`.
    pub f: f64,
    /// Gradient `g`.
    pub g: Vec<f64>,
    /// Symmetric `B` (both triangles).
    pub hess: Mat<f64>,
    /// Number of products `Bv` computed so far.
    pub products: usize,
}

impl DenseModel {
    /// A model with value 0.
    pub fn new(g: Vec<f64>, hess: Mat<f64>) -> Self {
        Self { f: 0.0, g, hess, products: 0 }
    }

    /// `m(s) - f = g's + s'Bs/2` (plain evaluation, for checks).
    pub fn change(&self, s: &[f64]) -> f64 {
        let mut bs = vec![0.0; s.len()];
        dense::matvec(self.hess.as_ref(), s, &mut bs);
        linalg::dot(&self.g, s) + 0.5 * linalg::dot(s, &bs)
    }
}

impl Model for DenseModel {
    fn dim(&self) -> usize {
        self.g.len()
    }
    fn value(&self) -> f64 {
        self.f
    }
    fn gradient(&self) -> &[f64] {
        &self.g
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        self.products += 1;
        dense::matvec(self.hess.as_ref(), v, out);
    }
    fn dense_hessian(&self) -> Option<MatRef<'_, f64>> {
        Some(self.hess.as_ref())
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.hess[(i, i)];
        }
        true
    }
}

/// What happened when the loop asked an oracle to move to a trial point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Acceptance {
    /// The point, its gradient and its curvature are now the current model.
    Accepted,
    /// The gradient (or Jacobian) at the trial point is not finite; nothing changed.
    NonFiniteGradient,
    /// The gradient was fine but the curvature (Hessian) is not finite; the point moved but the
    /// model is unusable.
    NonFiniteCurvature,
}

/// A model that can move: the outer loop's view of a problem.
///
/// Implemented by [`Newton`] and [`GaussNewton`]; implement it yourself for a custom model
/// (for example a quasi-Newton `B`).
pub trait Oracle: Model {
    /// Evaluates value, gradient and curvature at `x0`; setup errors for sizes, non-finite
    /// values, or a step solver that needs what this model cannot provide.
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError>;
    /// The objective at a trial point (may be non-finite). Does not change the model.
    fn trial_value(&mut self, x: &[f64]) -> f64;
    /// Moves the model to the last trial point `x` with value `f`.
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance;
    /// Evaluation counters so far.
    fn evaluations(&self) -> Evaluations;
    /// A model-specific predicted reduction of `s` (Gauss-Newton: `-(Js)'(r + Js/2)`), or
    /// `None` to use the step solver's value.
    fn predicted_reduction(&mut self, s: &[f64]) -> Option<f64> {
        let _ = s;
        None
    }
    /// The oracle as a plain model (for the step solver).
    fn as_model(&mut self) -> &mut dyn Model;
    /// Asks for the gradient together with the value at trial points (one
    /// [`Objective::value_and_gradient`](crate::problem::Objective::value_and_gradient) call),
    /// so that an accepted trial needs no second evaluation. Oracles that cannot share the
    /// work (Gauss-Newton: the gradient needs the Jacobian) ignore the request.
    fn set_trial_gradient(&mut self, on: bool) {
        let _ = on;
    }
    /// `||g||_inf` at the last trial point `x` (the gradient is kept, so that an
    /// [`Oracle::accept`] that follows does not evaluate it again), or `None` when the oracle
    /// cannot give it cheaply (the Gauss-Newton models: their gradient needs the Jacobian).
    /// The loop asks for it only when `f` cannot tell the trial point from the current one.
    fn trial_gradient_inf(&mut self, x: &[f64]) -> Option<f64> {
        let _ = x;
        None
    }
    /// The loop rejected the last trial point `x` (finite value `f`, ratio too small). Models
    /// that learn from rejected trials (SR1, which is updated with the trial gradient, Nocedal
    /// & Wright 2006, Algorithm 6.2) update and return `true`: the model changed and the step
    /// solver must prepare again. Default: nothing changes, `false`.
    fn reject(&mut self, x: &[f64], f: f64) -> bool {
        let _ = (x, f);
        false
    }
    /// Whether an accepted interior step that predicts only round-off ends the run
    /// ([`Termination::RoundOffLimit`](crate::termination::Termination::RoundOffLimit)). True
    /// (the default) where `B` is the Hessian or its Gauss-Newton part: the interior minimizer
    /// of the model is then the Newton step, and a negligible prediction means no
    /// representable progress is left. Quasi-Newton models return `false`: their `B` may
    /// overestimate the curvature by orders of magnitude, so a negligible prediction says
    /// little about the progress left, and the run goes on (flat steps are then decided by the
    /// gradient, and the radius bounds the attempts).
    fn round_off_ends_run(&self) -> bool {
        true
    }
    /// MINPACK's scale-free gradient measure at the current point, for least-squares models:
    /// `max_j |(J'r)_j| / (||J e_j|| ||r||)`, the largest cosine of the angle between the
    /// residuals and a column of the Jacobian (columns with `||J e_j|| = 0` skipped; 0 when
    /// `r = 0`; NaN when a norm is not finite). What
    /// [`Tolerances::gtol_cosine`](crate::termination::Tolerances::gtol_cosine) compares
    /// (More, Garbow & Hillstrom 1980, `lmder`'s `gtol`). `None` (the default) for models
    /// without residuals and a Jacobian; the loop then refuses a positive `gtol_cosine`.
    /// [`GaussNewton`] computes it, dense or sparse, with the corrected `J` and `r` of a
    /// robust loss.
    fn gradient_cosine(&mut self) -> Option<f64> {
        None
    }
}

/// A model that holds `B` as a dense matrix ([`Model::dense_hessian`] returns it once the
/// model is started for a step solver that needs it): what the dogleg step needs.
pub trait DenseMatrixModel: Model {}

/// A model that holds `B` as a matrix, dense or sparse (lower triangle): what the exact
/// (More-Sorensen) step needs.
pub trait MatrixModel: Model {}

/// A least-squares model with a dense Jacobian ([`Model::least_squares`] returns it once the
/// model is started for a step solver that needs it): what the Levenberg-Marquardt step needs.
pub trait DenseJacobianModel: Model {}

impl DenseMatrixModel for DenseModel {}
impl MatrixModel for DenseModel {}

impl<M: Model + ?Sized> Model for &mut M {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn value(&self) -> f64 {
        (**self).value()
    }
    fn gradient(&self) -> &[f64] {
        (**self).gradient()
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        (**self).apply(v, out)
    }
    fn dense_hessian(&self) -> Option<MatRef<'_, f64>> {
        (**self).dense_hessian()
    }
    fn sparse_hessian(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        (**self).sparse_hessian()
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        (**self).diagonal(out)
    }
    fn preconditioning_matrix(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        (**self).preconditioning_matrix()
    }
    fn compact(&self) -> Option<CompactForm<'_>> {
        (**self).compact()
    }
    fn least_squares(&self) -> Option<LeastSquaresRef<'_>> {
        (**self).least_squares()
    }
}

impl<M: DenseMatrixModel + ?Sized> DenseMatrixModel for &mut M {}
impl<M: MatrixModel + ?Sized> MatrixModel for &mut M {}
impl<M: DenseJacobianModel + ?Sized> DenseJacobianModel for &mut M {}

impl<M: Oracle + ?Sized> Oracle for &mut M {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        (**self).start(x0, needs)
    }
    fn trial_value(&mut self, x: &[f64]) -> f64 {
        (**self).trial_value(x)
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        (**self).accept(x, f)
    }
    fn evaluations(&self) -> Evaluations {
        (**self).evaluations()
    }
    fn predicted_reduction(&mut self, s: &[f64]) -> Option<f64> {
        (**self).predicted_reduction(s)
    }
    fn as_model(&mut self) -> &mut dyn Model {
        (**self).as_model()
    }
    fn set_trial_gradient(&mut self, on: bool) {
        (**self).set_trial_gradient(on)
    }
    fn trial_gradient_inf(&mut self, x: &[f64]) -> Option<f64> {
        (**self).trial_gradient_inf(x)
    }
    fn reject(&mut self, x: &[f64], f: f64) -> bool {
        (**self).reject(x, f)
    }
    fn round_off_ends_run(&self) -> bool {
        (**self).round_off_ends_run()
    }
    fn gradient_cosine(&mut self) -> Option<f64> {
        (**self).gradient_cosine()
    }
}

/// For the adapters that offer products only: a step solver that needs the matrix gets
/// [`SetupError::Unsupported`], with `needs` saying what it would need and what there is.
pub(crate) fn products_only(needs: Needs, what: &'static str) -> Result<(), SetupError> {
    match needs {
        Needs::DenseMatrix | Needs::Matrix => Err(SetupError::Unsupported { solver: "this step solver", needs: what }),
        Needs::DenseJacobian => Err(no_jacobian()),
        _ => Ok(()),
    }
}

/// The refusal of a model that has no dense Jacobian for a step solver that needs one.
pub(crate) fn no_jacobian() -> SetupError {
    SetupError::Unsupported {
        solver: "this step solver",
        needs: "a dense Jacobian and residuals (GaussNewton::dense; the model offers none)",
    }
}

pub(crate) fn check_start(n: usize, x0: &[f64]) -> Result<(), SetupError> {
    if n == 0 {
        return Err(SetupError::EmptyProblem);
    }
    if x0.len() != n {
        return Err(SetupError::DimensionMismatch { what: "x0", expected: n, found: x0.len() });
    }
    if let Some((index, &value)) = x0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(SetupError::NonFiniteStart { index, value });
    }
    Ok(())
}

/// How pattern errors name the matrix whose pattern is checked.
pub(crate) struct PatternNames {
    pub(crate) what: &'static str,
    pub(crate) upper: &'static str,
    pub(crate) no_diagonal: &'static str,
}

pub(crate) const HESSIAN_PATTERN: PatternNames = PatternNames {
    what: "Hessian pattern",
    upper: "Hessian pattern has an entry above the diagonal (store the lower triangle)",
    no_diagonal: "Hessian pattern misses a diagonal entry",
};

pub(crate) const APPROXIMATION_PATTERN: PatternNames = PatternNames {
    what: "Hessian approximation pattern",
    upper: "Hessian approximation pattern has an entry above the diagonal (store the lower triangle)",
    no_diagonal: "Hessian approximation pattern misses a diagonal entry",
};

/// Checks a lower-triangle pattern and returns its diagonal positions.
pub(crate) fn check_lower_pattern(
    sym: &SymbolicSparseColMat<usize>,
    n: usize,
    names: &PatternNames,
) -> Result<Vec<usize>, SetupError> {
    if sym.nrows() != n || sym.ncols() != n {
        return Err(SetupError::DimensionMismatch {
            what: names.what,
            expected: n,
            found: sym.nrows().max(sym.ncols()),
        });
    }
    for j in 0..n {
        if sym.row_idx()[sym.col_range(j)].iter().any(|&i| i < j) {
            return Err(SetupError::InvalidPattern(names.upper));
        }
    }
    sparse::diagonal_positions(sym.as_ref()).map_err(|_| SetupError::InvalidPattern(names.no_diagonal))
}
