//! The leaf vocabulary shared by models, step solvers and loops: what a step solver needs
//! ([`Needs`]), what it reports about a trial step ([`StepStatus`], [`StepInfo`]), and the
//! counters of user-function evaluations ([`Evaluations`]).
//!
//! Nothing here depends on the rest of the crate, so every layer can name these types without
//! importing a layer above it.

use serde::Serialize;

/// Which second-order information a step solver needs from the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Needs {
    /// Only products `v -> Bv` (matrix-free).
    Products,
    /// The dense matrix `B`.
    DenseMatrix,
    /// The matrix `B`, dense or sparse (lower triangle): the exact step factorizes either.
    Matrix,
    /// The dense Jacobian `J` and the residuals `r` of a least-squares model (`B = J'J`,
    /// `g = J'r`): the Levenberg-Marquardt step factorizes `J` itself.
    DenseJacobian,
}

/// Why a step solver stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum StepStatus {
    /// The step is the (approximate) unconstrained minimizer of the model, strictly inside.
    Interior,
    /// The step lies on the boundary of the trust region.
    Boundary,
    /// Negative curvature was found and followed to the boundary.
    NegativeCurvature,
    /// The hard case of the exact subproblem: a multiple of the leftmost eigenvector was added.
    HardCase,
    /// The inner iteration hit its cap; the step is the best iterate so far.
    IterationCap,
    /// The preferred step was unavailable (for example, `B` is not positive definite for
    /// dogleg) and the solver fell back to the Cauchy point.
    Fallback,
}

/// What a step solver reports about one trial step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StepInfo {
    /// `||s||` in the solver's trust-region norm (the norm `radius` bounds).
    pub step_norm: f64,
    /// `m(0) - m(s)`, computed in a cancellation-free way by the solver.
    pub predicted_reduction: f64,
    /// Whether the step lies on the boundary (to the solver's relative tolerance).
    pub hits_boundary: bool,
    /// Why the solver stopped.
    pub status: StepStatus,
    /// Inner iterations (CG iterations, or lambda iterations for the exact step).
    pub inner_iterations: usize,
    /// Matrix factorizations performed for this trial.
    pub factorizations: usize,
}

/// Counters of user-function evaluations, one type for every loop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Evaluations {
    /// Objective values (for least squares and systems: residual evaluations, each gives `f`;
    /// for the Hessian-free loop: trial losses).
    pub f: usize,
    /// Gradients.
    pub g: usize,
    /// Hessian-vector products.
    pub hv: usize,
    /// Hessian evaluations (dense or sparse values, or a sparse approximation).
    pub h: usize,
    /// Residual vectors (finite-difference evaluations included).
    pub residuals: usize,
    /// Jacobians (analytic or finite-difference).
    pub jacobian: usize,
    /// Gradients spent on finite-difference Hessian-vector products
    /// ([`Newton::finite_differences`](crate::model::Newton::finite_differences)); already
    /// included in [`Evaluations::g`], reported here separately.
    pub g_fd: usize,
}
