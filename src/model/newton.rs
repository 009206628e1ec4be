//! The Newton model `B = H(x)`, generic over where the curvature comes from.
//!
//! [`Newton`] keeps the point (value, gradient, a buffer for the gradient at trial points, the
//! evaluation counts) and asks its [`Curvature`] source for products `H(x) v` and, where the
//! source holds one, the matrix:
//!
//! - [`ProductCurvature`]: Hessian-vector products of a
//!   [`HessianProduct`] problem (matrix-free);
//! - [`DenseCurvature`]: the dense Hessian of a [`DenseHessian`] problem;
//! - [`SparseCurvature`]: the lower triangle of a [`SparseHessian`] problem in a fixed
//!   pattern (products by the symmetric sparse kernel, the diagonal for Jacobi);
//! - [`ApproximateCurvature`]: exact products of a [`SparseHessianApproximation`] problem plus
//!   its sparse `A(x) ~ H(x)`, offered only as the preconditioning matrix.
//!
//! A curvature source that the step solver cannot use is refused before the first evaluation
//! ([`SetupError::Unsupported`]); the loops' entry points also rule such pairings out at
//! compile time through [`DenseMatrixModel`] and [`MatrixModel`].

use faer::sparse::{SparseColMat, SparseColMatRef};
use faer::{Mat, MatRef};

use super::{
    check_lower_pattern, check_start, products_only, Acceptance, CompactForm, DenseMatrixModel, MatrixModel, Model,
    Oracle, APPROXIMATION_PATTERN, HESSIAN_PATTERN,
};
use crate::error::SetupError;
use crate::linalg::{self, all_finite, dense, sparse};
use crate::problem::{DenseHessian, HessianProduct, Objective, SparseHessian, SparseHessianApproximation};
use crate::step::{Evaluations, Needs};

/// State shared by the Newton adapters: point, value, gradient, a trial-gradient buffer.
#[derive(Debug, Default)]
struct Point {
    x: Vec<f64>,
    f: f64,
    g: Vec<f64>,
    g_trial: Vec<f64>,
    evals: Evaluations,
    /// Evaluate the gradient with the value at trial points.
    trial_gradient: bool,
    /// `g_trial` holds the gradient at the last trial point.
    g_trial_ready: bool,
}

impl Point {
    fn start<P: Objective + ?Sized>(&mut self, p: &P, x0: &[f64]) -> Result<(), SetupError> {
        let n = p.dim();
        check_start(n, x0)?;
        self.x = x0.to_vec();
        self.g = vec![0.0; n];
        self.g_trial = vec![0.0; n];
        self.f = p.value_and_gradient(&self.x, &mut self.g);
        self.evals.f += 1;
        self.evals.g += 1;
        if !self.f.is_finite() {
            return Err(SetupError::NonFiniteAtStart { what: "value" });
        }
        if !all_finite(&self.g) {
            return Err(SetupError::NonFiniteAtStart { what: "gradient" });
        }
        Ok(())
    }

    fn trial<P: Objective + ?Sized>(&mut self, p: &P, x: &[f64]) -> f64 {
        self.evals.f += 1;
        self.g_trial_ready = self.trial_gradient;
        if self.trial_gradient {
            self.evals.g += 1;
            p.value_and_gradient(x, &mut self.g_trial)
        } else {
            p.value(x)
        }
    }

    /// `||g||_inf` at the trial point, evaluating the gradient into the spare buffer unless it
    /// is there already.
    fn trial_gradient_inf<P: Objective + ?Sized>(&mut self, p: &P, x: &[f64]) -> f64 {
        if !self.g_trial_ready {
            p.gradient(x, &mut self.g_trial);
            self.evals.g += 1;
            self.g_trial_ready = true;
        }
        linalg::norm_inf(&self.g_trial)
    }

    /// Gradient at the trial point into the spare buffer (unless [`Point::trial`] or
    /// [`Point::trial_gradient_inf`] computed it already); on success swaps it in.
    fn accept<P: Objective + ?Sized>(&mut self, p: &P, x: &[f64], f: f64) -> bool {
        if !std::mem::take(&mut self.g_trial_ready) {
            p.gradient(x, &mut self.g_trial);
            self.evals.g += 1;
        }
        if !all_finite(&self.g_trial) {
            return false;
        }
        std::mem::swap(&mut self.g, &mut self.g_trial);
        self.x.copy_from_slice(x);
        self.f = f;
        true
    }
}

/// Where a [`Newton`] model's curvature comes from (module docs).
pub trait Curvature<P: ?Sized> {
    /// Refuses, before any evaluation, a step solver that needs what this source cannot give.
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError>;
    /// Sets up and evaluates the curvature at the start point `x` (after the value and the
    /// gradient); setup errors for malformed patterns or a non-finite Hessian.
    fn start(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> Result<(), SetupError>;
    /// Re-evaluates at the new point `x`; `false` when the curvature is not finite there.
    fn refresh(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> bool;
    /// `out <- H(x) v`.
    fn apply(&mut self, problem: &P, x: &[f64], v: &[f64], out: &mut [f64], evals: &mut Evaluations);
    /// The dense Hessian, if the source holds one.
    fn dense(&self) -> Option<MatRef<'_, f64>> {
        None
    }
    /// The sparse Hessian (lower triangle), if the source holds one.
    fn sparse(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        None
    }
    /// Writes the diagonal of `H` into `out` and returns `true`, if it is known cheaply.
    fn diagonal(&self, out: &mut [f64]) -> bool {
        let _ = out;
        false
    }
    /// The sparse matrix a preconditioner may factor (default: the sparse Hessian).
    fn preconditioning_matrix(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.sparse()
    }
    /// The compact form `B = gamma I + Psi M Psi'` of a limited-memory source.
    fn compact(&self) -> Option<CompactForm<'_>> {
        None
    }
    /// Sources built from gradients (finite differences, secant updates) see every point whose
    /// gradient the model knows: the start point, each accepted point (after the gradient, before
    /// [`Curvature::refresh`]) and, if [`Curvature::wants_rejected_trials`], each rejected trial
    /// point with a finite gradient. Returns whether the curvature changed at a rejected trial
    /// (the step solver then prepares again). Default: ignores them.
    fn observe(&mut self, x: &[f64], g: &[f64], point: GradientPoint) -> bool {
        let _ = (x, g, point);
        false
    }
    /// Whether [`Curvature::observe`] wants rejected trial points (their gradient costs one
    /// evaluation each). Default `false`.
    fn wants_rejected_trials(&self) -> bool {
        false
    }
    /// Whether `H` is a secant approximation (quasi-Newton) rather than the Hessian (see
    /// [`Oracle::round_off_ends_run`]). Default `false`.
    fn is_secant(&self) -> bool {
        false
    }
}

/// Which point a [`Curvature::observe`] call reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GradientPoint {
    /// The start point.
    Start,
    /// A trial point the loop accepted: the new current point.
    Accepted,
    /// A trial point the loop rejected (the current point is unchanged).
    Rejected,
}

/// Hessian-vector products only (matrix-free).
#[derive(Clone, Copy, Debug, Default)]
pub struct ProductCurvature;

impl<P: HessianProduct + ?Sized> Curvature<P> for ProductCurvature {
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError> {
        products_only(needs, "a Hessian matrix (the problem offers Hessian-vector products only)")
    }
    fn start(&mut self, _: &P, _: &[f64], _: &mut Evaluations) -> Result<(), SetupError> {
        Ok(())
    }
    fn refresh(&mut self, _: &P, _: &[f64], _: &mut Evaluations) -> bool {
        true
    }
    fn apply(&mut self, problem: &P, x: &[f64], v: &[f64], out: &mut [f64], evals: &mut Evaluations) {
        evals.hv += 1;
        problem.hessian_product(x, v, out);
    }
}

/// The dense Hessian.
#[derive(Clone, Debug)]
pub struct DenseCurvature {
    hess: Mat<f64>,
}

impl DenseCurvature {
    fn eval<P: DenseHessian + ?Sized>(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> bool {
        problem.hessian(x, self.hess.as_mut());
        evals.h += 1;
        let n = self.hess.nrows();
        (0..n).all(|j| (0..n).all(|i| self.hess[(i, j)].is_finite()))
    }
}

impl<P: DenseHessian + ?Sized> Curvature<P> for DenseCurvature {
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError> {
        if needs == Needs::DenseJacobian {
            return Err(super::no_jacobian());
        }
        Ok(())
    }
    fn start(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> Result<(), SetupError> {
        let n = x.len();
        self.hess = Mat::zeros(n, n);
        if !self.eval(problem, x, evals) {
            return Err(SetupError::NonFiniteAtStart { what: "Hessian" });
        }
        Ok(())
    }
    fn refresh(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> bool {
        self.eval(problem, x, evals)
    }
    fn apply(&mut self, _: &P, _: &[f64], v: &[f64], out: &mut [f64], _: &mut Evaluations) {
        dense::matvec(self.hess.as_ref(), v, out);
    }
    fn dense(&self) -> Option<MatRef<'_, f64>> {
        Some(self.hess.as_ref())
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.hess[(i, i)];
        }
        true
    }
}

/// A sparse Hessian (lower triangle, fixed pattern).
#[derive(Clone, Debug, Default)]
pub struct SparseCurvature {
    hess: Option<SparseColMat<usize, f64>>,
    diag: Vec<usize>,
}

impl SparseCurvature {
    fn eval<P: SparseHessian + ?Sized>(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> bool {
        let Some(h) = self.hess.as_mut() else { return false };
        let vals = h.val_mut();
        problem.hessian_values(x, vals);
        evals.h += 1;
        all_finite(vals)
    }
}

impl<P: SparseHessian + ?Sized> Curvature<P> for SparseCurvature {
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError> {
        if needs == Needs::DenseMatrix {
            return Err(SetupError::Unsupported {
                solver: "this step solver",
                needs: "a dense Hessian (the problem offers a sparse one)",
            });
        }
        if needs == Needs::DenseJacobian {
            return Err(super::no_jacobian());
        }
        Ok(())
    }
    fn start(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> Result<(), SetupError> {
        let sym = problem.hessian_pattern();
        self.diag = check_lower_pattern(&sym, x.len(), &HESSIAN_PATTERN)?;
        let nnz = sym.row_idx().len();
        self.hess = Some(SparseColMat::new(sym, vec![0.0; nnz]));
        if !self.eval(problem, x, evals) {
            return Err(SetupError::NonFiniteAtStart { what: "Hessian" });
        }
        Ok(())
    }
    fn refresh(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> bool {
        self.eval(problem, x, evals)
    }
    fn apply(&mut self, _: &P, _: &[f64], v: &[f64], out: &mut [f64], _: &mut Evaluations) {
        if let Some(h) = self.hess.as_ref() {
            sparse::symmetric_lower_matvec(h.as_ref(), v, out);
        }
    }
    fn sparse(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.hess.as_ref().map(|h| h.as_ref())
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        let Some(h) = self.hess.as_ref() else { return false };
        let vals = h.val();
        for (o, &k) in out.iter_mut().zip(&self.diag) {
            *o = vals[k];
        }
        true
    }
}

/// Exact Hessian-vector products plus a sparse approximation `A(x)` of the Hessian for the
/// preconditioner ([`SparseHessianApproximation`]).
///
/// `B = H(x)` as for [`ProductCurvature`]; [`Model::preconditioning_matrix`] gives `A(x)`,
/// refreshed at every accepted point (counted in [`Evaluations::h`]), so that
/// [`IncompleteCholeskyPreconditioner`](crate::subproblem::IncompleteCholeskyPreconditioner)
/// factors `A` while CG multiplies by `H`. A non-finite `A` is not an error: the
/// preconditioner's own checks (breakdown, fallback to Jacobi or the identity) apply.
/// [`Model::diagonal`] is not offered (the diagonal of `H` is not known from products), so
/// the Jacobi preconditioner is the identity here. `A` is evaluated at every accepted point
/// whether or not the step solver's preconditioner reads it: pair this source with one that
/// does.
#[derive(Clone, Debug, Default)]
pub struct ApproximateCurvature {
    approx: Option<SparseColMat<usize, f64>>,
}

impl ApproximateCurvature {
    fn eval<P: SparseHessianApproximation + ?Sized>(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) {
        if let Some(a) = self.approx.as_mut() {
            problem.approximation_values(x, a.val_mut());
            evals.h += 1;
        }
    }
}

impl<P: SparseHessianApproximation + ?Sized> Curvature<P> for ApproximateCurvature {
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError> {
        products_only(needs, "a Hessian matrix (the problem offers Hessian-vector products and an approximation only)")
    }
    fn start(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> Result<(), SetupError> {
        let sym = problem.approximation_pattern();
        check_lower_pattern(&sym, x.len(), &APPROXIMATION_PATTERN)?;
        let nnz = sym.row_idx().len();
        self.approx = Some(SparseColMat::new(sym, vec![0.0; nnz]));
        self.eval(problem, x, evals);
        Ok(())
    }
    fn refresh(&mut self, problem: &P, x: &[f64], evals: &mut Evaluations) -> bool {
        self.eval(problem, x, evals);
        true
    }
    fn apply(&mut self, problem: &P, x: &[f64], v: &[f64], out: &mut [f64], evals: &mut Evaluations) {
        evals.hv += 1;
        problem.hessian_product(x, v, out);
    }
    fn preconditioning_matrix(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.approx.as_ref().map(|a| a.as_ref())
    }
}

/// The Newton model `B = H(x)` of an [`Objective`], with curvature from `C` (module docs).
///
/// Build it with [`Newton::products`], [`Newton::dense`], [`Newton::sparse`] or
/// [`Newton::approximated`] and hand it to [`crate::TrustRegion::solve`].
#[derive(Debug)]
pub struct Newton<'a, P: ?Sized, C> {
    problem: &'a P,
    pt: Point,
    curvature: C,
}

impl<'a, P: HessianProduct + ?Sized> Newton<'a, P, ProductCurvature> {
    /// The model with Hessian-vector products only (matrix-free step solvers).
    pub fn products(problem: &'a P) -> Self {
        Self { problem, pt: Point::default(), curvature: ProductCurvature }
    }
}

impl<'a, P: DenseHessian + ?Sized> Newton<'a, P, DenseCurvature> {
    /// The model with the dense Hessian (every step solver).
    pub fn dense(problem: &'a P) -> Self {
        Self { problem, pt: Point::default(), curvature: DenseCurvature { hess: Mat::zeros(0, 0) } }
    }
}

impl<'a, P: SparseHessian + ?Sized> Newton<'a, P, SparseCurvature> {
    /// The model with the sparse Hessian (matrix-free step solvers, preconditioners on the
    /// matrix, and the sparse exact step).
    pub fn sparse(problem: &'a P) -> Self {
        Self { problem, pt: Point::default(), curvature: SparseCurvature::default() }
    }

    /// The current sparse Hessian (lower triangle), once started.
    pub fn hessian(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        Curvature::<P>::sparse(&self.curvature)
    }
}

impl<'a, P: SparseHessianApproximation + ?Sized> Newton<'a, P, ApproximateCurvature> {
    /// The model with exact Hessian-vector products and a sparse approximation of the Hessian
    /// for the preconditioner (matrix-free step solvers; pair with
    /// [`IncompleteCholeskyPreconditioner`](crate::subproblem::IncompleteCholeskyPreconditioner)).
    pub fn approximated(problem: &'a P) -> Self {
        Self { problem, pt: Point::default(), curvature: ApproximateCurvature::default() }
    }

    /// The current approximation `A(x)` (lower triangle), once started.
    pub fn approximation(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        Curvature::<P>::preconditioning_matrix(&self.curvature)
    }
}

impl<'a, P: ?Sized, C> Newton<'a, P, C> {
    /// A model of `problem` with the curvature source `curvature` (for sources built outside
    /// the constructors, such as a [`LimitedMemory`](crate::model::LimitedMemory) with options).
    pub fn with_curvature(problem: &'a P, curvature: C) -> Self {
        Self { problem, pt: Point::default(), curvature }
    }

    /// The curvature source (for its counters, or the quasi-Newton matrix).
    pub fn curvature(&self) -> &C {
        &self.curvature
    }
}

impl<P: Objective + ?Sized, C: Curvature<P>> Model for Newton<'_, P, C> {
    fn dim(&self) -> usize {
        self.pt.x.len()
    }
    fn value(&self) -> f64 {
        self.pt.f
    }
    fn gradient(&self) -> &[f64] {
        &self.pt.g
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        self.curvature.apply(self.problem, &self.pt.x, v, out, &mut self.pt.evals);
    }
    fn dense_hessian(&self) -> Option<MatRef<'_, f64>> {
        self.curvature.dense()
    }
    fn sparse_hessian(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.curvature.sparse()
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        self.curvature.diagonal(out)
    }
    fn preconditioning_matrix(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.curvature.preconditioning_matrix()
    }
    fn compact(&self) -> Option<CompactForm<'_>> {
        self.curvature.compact()
    }
}

impl<P: Objective + ?Sized, C: Curvature<P>> Oracle for Newton<'_, P, C> {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        self.curvature.check_needs(needs)?;
        self.pt.start(self.problem, x0)?;
        self.curvature.start(self.problem, x0, &mut self.pt.evals)?;
        self.curvature.observe(&self.pt.x, &self.pt.g, GradientPoint::Start);
        Ok(())
    }
    fn trial_value(&mut self, x: &[f64]) -> f64 {
        self.pt.trial(self.problem, x)
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        if !self.pt.accept(self.problem, x, f) {
            return Acceptance::NonFiniteGradient;
        }
        self.curvature.observe(&self.pt.x, &self.pt.g, GradientPoint::Accepted);
        if self.curvature.refresh(self.problem, &self.pt.x, &mut self.pt.evals) {
            Acceptance::Accepted
        } else {
            Acceptance::NonFiniteCurvature
        }
    }
    fn evaluations(&self) -> Evaluations {
        self.pt.evals
    }
    fn as_model(&mut self) -> &mut dyn Model {
        self
    }
    fn set_trial_gradient(&mut self, on: bool) {
        self.pt.trial_gradient = on;
    }
    fn trial_gradient_inf(&mut self, x: &[f64]) -> Option<f64> {
        Some(self.pt.trial_gradient_inf(self.problem, x))
    }
    fn reject(&mut self, x: &[f64], f: f64) -> bool {
        let _ = f;
        if !self.curvature.wants_rejected_trials() {
            return false;
        }
        self.pt.trial_gradient_inf(self.problem, x);
        if !all_finite(&self.pt.g_trial) {
            return false;
        }
        self.curvature.observe(x, &self.pt.g_trial, GradientPoint::Rejected)
    }
    fn round_off_ends_run(&self) -> bool {
        !self.curvature.is_secant()
    }
}

impl<P: DenseHessian + ?Sized> DenseMatrixModel for Newton<'_, P, DenseCurvature> {}
impl<P: DenseHessian + ?Sized> MatrixModel for Newton<'_, P, DenseCurvature> {}
impl<P: SparseHessian + ?Sized> MatrixModel for Newton<'_, P, SparseCurvature> {}
