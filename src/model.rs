//! The quadratic model `m(s) = f + g's + s'Bs/2` and the problem adapters that build it.
//!
//! [`Model`] is what a step solver sees: the value, the gradient, products `v -> Bv`, and,
//! where available, the matrix `B` itself (dense, or sparse as its lower triangle) or its
//! diagonal (for preconditioners).
//!
//! [`Oracle`] is what the outer loop sees: a model that can move to a new point. The adapters
//! in this module turn user problems into oracles:
//!
//! | adapter | problem traits | `B` | available as |
//! |---|---|---|---|
//! | [`NewtonProducts`] | [`HessianProduct`] | `H(x)` | products |
//! | [`NewtonDense`] | [`DenseHessian`] | `H(x)` | dense matrix and products |
//! | [`NewtonSparse`] | [`SparseHessian`] | `H(x)` | sparse matrix (lower triangle), products, diagonal |
//! | [`NewtonApproximated`] | [`SparseHessianApproximation`] | `H(x)` | products; a sparse `A(x) ~ H(x)` for preconditioners |
//! | [`GaussNewtonDense`] | [`DenseJacobian`] | `J'J` | products; dense matrix on demand |
//! | [`GaussNewtonSparse`] | [`SparseJacobian`] | `J'J` | products, diagonal |
//!
//! For Gauss-Newton, `f = ||r||^2/2`, `g = J'r` and the predicted reduction of a step `s` is
//! evaluated as `-(Js)'(r + Js/2)`: with `g's = r'Js` and `s'J'Js = ||Js||^2` this is exactly
//! `-(g's + s'Bs/2)`, but it never forms `J'J` and loses no digits to cancellation between
//! `g's` and `s'Bs/2` beyond the single inner product.

pub mod jacobian;

use faer::sparse::{SparseColMat, SparseColMatRef, SymbolicSparseColMat};
use faer::{Mat, MatRef};

use crate::error::SetupError;
use crate::linalg::{self, all_finite, dense, sparse};
use crate::problem::{
    DenseHessian, DenseJacobian, HessianProduct, SparseHessian, SparseHessianApproximation, SparseJacobian,
};
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
    /// (the default), or an approximation of `B` (see [`NewtonApproximated`]). Step solvers
    /// must not use it as `B`.
    fn preconditioning_matrix(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.sparse_hessian()
    }
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
/// Implemented by the adapters of this module; implement it yourself for a custom model
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
}

/// For the adapters that offer products only: a step solver that needs the matrix gets
/// [`SetupError::Unsupported`], with `needs` saying what it would need and what there is.
fn products_only(needs: Needs, what: &'static str) -> Result<(), SetupError> {
    if matches!(needs, Needs::DenseMatrix | Needs::Matrix) {
        return Err(SetupError::Unsupported { solver: "this step solver", needs: what });
    }
    Ok(())
}

fn check_start(n: usize, x0: &[f64]) -> Result<(), SetupError> {
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
    fn start<P: crate::problem::Objective + ?Sized>(&mut self, p: &P, x0: &[f64]) -> Result<(), SetupError> {
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

    fn trial<P: crate::problem::Objective + ?Sized>(&mut self, p: &P, x: &[f64]) -> f64 {
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
    fn trial_gradient_inf<P: crate::problem::Objective + ?Sized>(&mut self, p: &P, x: &[f64]) -> f64 {
        if !self.g_trial_ready {
            p.gradient(x, &mut self.g_trial);
            self.evals.g += 1;
            self.g_trial_ready = true;
        }
        linalg::norm_inf(&self.g_trial)
    }

    /// Gradient at the trial point into the spare buffer (unless [`Point::trial`] or
    /// [`Point::trial_gradient_inf`] computed it already); on success swaps it in.
    fn accept<P: crate::problem::Objective + ?Sized>(&mut self, p: &P, x: &[f64], f: f64) -> bool {
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

macro_rules! point_model_basics {
    () => {
        fn dim(&self) -> usize {
            self.pt.x.len()
        }
        fn value(&self) -> f64 {
            self.pt.f
        }
        fn gradient(&self) -> &[f64] {
            &self.pt.g
        }
    };
}

/// The [`Oracle`] methods that the Newton adapters share through their [`Point`].
macro_rules! point_oracle_basics {
    () => {
        fn trial_value(&mut self, x: &[f64]) -> f64 {
            self.pt.trial(self.problem, x)
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
    };
}

/// Newton model with Hessian-vector products only (`B = H(x)`, matrix-free).
#[derive(Debug)]
pub struct NewtonProducts<'a, P: ?Sized> {
    problem: &'a P,
    pt: Point,
}

impl<'a, P: HessianProduct + ?Sized> NewtonProducts<'a, P> {
    /// Wraps a problem.
    pub fn new(problem: &'a P) -> Self {
        Self { problem, pt: Point::default() }
    }
}

impl<P: HessianProduct + ?Sized> Model for NewtonProducts<'_, P> {
    point_model_basics!();
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        self.pt.evals.hv += 1;
        self.problem.hessian_product(&self.pt.x, v, out);
    }
}

impl<P: HessianProduct + ?Sized> Oracle for NewtonProducts<'_, P> {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        products_only(needs, "a Hessian matrix (the problem offers Hessian-vector products only)")?;
        self.pt.start(self.problem, x0)
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        if self.pt.accept(self.problem, x, f) {
            Acceptance::Accepted
        } else {
            Acceptance::NonFiniteGradient
        }
    }
    point_oracle_basics!();
}

/// Newton model with the dense Hessian.
#[derive(Debug)]
pub struct NewtonDense<'a, P: ?Sized> {
    problem: &'a P,
    pt: Point,
    hess: Mat<f64>,
}

impl<'a, P: DenseHessian + ?Sized> NewtonDense<'a, P> {
    /// Wraps a problem.
    pub fn new(problem: &'a P) -> Self {
        Self { problem, pt: Point::default(), hess: Mat::zeros(0, 0) }
    }

    fn eval_hessian(&mut self) -> bool {
        self.problem.hessian(&self.pt.x, self.hess.as_mut());
        self.pt.evals.h += 1;
        let n = self.hess.nrows();
        (0..n).all(|j| (0..n).all(|i| self.hess[(i, j)].is_finite()))
    }
}

impl<P: DenseHessian + ?Sized> Model for NewtonDense<'_, P> {
    point_model_basics!();
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
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

impl<P: DenseHessian + ?Sized> Oracle for NewtonDense<'_, P> {
    fn start(&mut self, x0: &[f64], _needs: Needs) -> Result<(), SetupError> {
        self.pt.start(self.problem, x0)?;
        let n = x0.len();
        self.hess = Mat::zeros(n, n);
        if !self.eval_hessian() {
            return Err(SetupError::NonFiniteAtStart { what: "Hessian" });
        }
        Ok(())
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        if !self.pt.accept(self.problem, x, f) {
            return Acceptance::NonFiniteGradient;
        }
        if self.eval_hessian() {
            Acceptance::Accepted
        } else {
            Acceptance::NonFiniteCurvature
        }
    }
    point_oracle_basics!();
}

/// Newton model with a sparse Hessian (lower triangle, fixed pattern).
#[derive(Debug)]
pub struct NewtonSparse<'a, P: ?Sized> {
    problem: &'a P,
    pt: Point,
    hess: Option<SparseColMat<usize, f64>>,
    diag: Vec<usize>,
}

impl<'a, P: SparseHessian + ?Sized> NewtonSparse<'a, P> {
    /// Wraps a problem.
    pub fn new(problem: &'a P) -> Self {
        Self { problem, pt: Point::default(), hess: None, diag: Vec::new() }
    }

    /// The current sparse Hessian (lower triangle), once started.
    pub fn hessian(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.hess.as_ref().map(|h| h.as_ref())
    }

    fn eval_hessian(&mut self) -> bool {
        let Some(h) = self.hess.as_mut() else { return false };
        let vals = h.val_mut();
        self.problem.hessian_values(&self.pt.x, vals);
        self.pt.evals.h += 1;
        all_finite(vals)
    }
}

impl<P: SparseHessian + ?Sized> Model for NewtonSparse<'_, P> {
    point_model_basics!();
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        if let Some(h) = self.hess.as_ref() {
            sparse::symmetric_lower_matvec(h.as_ref(), v, out);
        }
    }
    fn sparse_hessian(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.hessian()
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

/// How pattern errors name the matrix whose pattern is checked.
struct PatternNames {
    what: &'static str,
    upper: &'static str,
    no_diagonal: &'static str,
}

const HESSIAN_PATTERN: PatternNames = PatternNames {
    what: "Hessian pattern",
    upper: "Hessian pattern has an entry above the diagonal (store the lower triangle)",
    no_diagonal: "Hessian pattern misses a diagonal entry",
};

const APPROXIMATION_PATTERN: PatternNames = PatternNames {
    what: "Hessian approximation pattern",
    upper: "Hessian approximation pattern has an entry above the diagonal (store the lower triangle)",
    no_diagonal: "Hessian approximation pattern misses a diagonal entry",
};

/// Checks a lower-triangle pattern and returns its diagonal positions.
fn check_lower_pattern(
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

impl<P: SparseHessian + ?Sized> Oracle for NewtonSparse<'_, P> {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        if needs == Needs::DenseMatrix {
            return Err(SetupError::Unsupported {
                solver: "this step solver",
                needs: "a dense Hessian (the problem offers a sparse one)",
            });
        }
        self.pt.start(self.problem, x0)?;
        let sym = self.problem.hessian_pattern();
        self.diag = check_lower_pattern(&sym, x0.len(), &HESSIAN_PATTERN)?;
        let nnz = sym.row_idx().len();
        self.hess = Some(SparseColMat::new(sym, vec![0.0; nnz]));
        if !self.eval_hessian() {
            return Err(SetupError::NonFiniteAtStart { what: "Hessian" });
        }
        Ok(())
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        if !self.pt.accept(self.problem, x, f) {
            return Acceptance::NonFiniteGradient;
        }
        if self.eval_hessian() {
            Acceptance::Accepted
        } else {
            Acceptance::NonFiniteCurvature
        }
    }
    point_oracle_basics!();
}

/// Newton model with exact Hessian-vector products and a sparse approximation `A(x)` of the
/// Hessian for preconditioning ([`SparseHessianApproximation`]).
///
/// `B = H(x)` as for [`NewtonProducts`]; [`Model::preconditioning_matrix`] gives `A(x)`,
/// refreshed at every accepted point (counted in [`Evaluations::h`]), so that
/// [`IncompleteCholeskyPreconditioner`](crate::subproblem::IncompleteCholeskyPreconditioner)
/// factors `A` while CG multiplies by `H`. A non-finite `A` is not an error: the
/// preconditioner's own checks (breakdown, fallback to Jacobi or the identity) apply.
/// [`Model::diagonal`] is not offered (the diagonal of `H` is not known from products), so
/// the Jacobi preconditioner is the identity here. `A` is evaluated at every accepted point
/// whether or not the step solver's preconditioner reads it: pair this adapter with one that
/// does.
#[derive(Debug)]
pub struct NewtonApproximated<'a, P: ?Sized> {
    problem: &'a P,
    pt: Point,
    approx: Option<SparseColMat<usize, f64>>,
}

impl<'a, P: SparseHessianApproximation + ?Sized> NewtonApproximated<'a, P> {
    /// Wraps a problem.
    pub fn new(problem: &'a P) -> Self {
        Self { problem, pt: Point::default(), approx: None }
    }

    /// The current approximation `A(x)` (lower triangle), once started.
    pub fn approximation(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.approx.as_ref().map(|a| a.as_ref())
    }

    fn eval_approximation(&mut self) {
        if let Some(a) = self.approx.as_mut() {
            self.problem.approximation_values(&self.pt.x, a.val_mut());
            self.pt.evals.h += 1;
        }
    }
}

impl<P: SparseHessianApproximation + ?Sized> Model for NewtonApproximated<'_, P> {
    point_model_basics!();
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        self.pt.evals.hv += 1;
        self.problem.hessian_product(&self.pt.x, v, out);
    }
    fn preconditioning_matrix(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        self.approximation()
    }
}

impl<P: SparseHessianApproximation + ?Sized> Oracle for NewtonApproximated<'_, P> {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        products_only(
            needs,
            "a Hessian matrix (the problem offers Hessian-vector products and an approximation only)",
        )?;
        self.pt.start(self.problem, x0)?;
        let sym = self.problem.approximation_pattern();
        check_lower_pattern(&sym, x0.len(), &APPROXIMATION_PATTERN)?;
        let nnz = sym.row_idx().len();
        self.approx = Some(SparseColMat::new(sym, vec![0.0; nnz]));
        self.eval_approximation();
        Ok(())
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        if !self.pt.accept(self.problem, x, f) {
            return Acceptance::NonFiniteGradient;
        }
        self.eval_approximation();
        Acceptance::Accepted
    }
    point_oracle_basics!();
}

/// `f = ||r||^2/2` computed with a scaled sum so that large residuals do not overflow early.
fn half_sq(r: &[f64]) -> f64 {
    let nr = linalg::norm(r);
    0.5 * nr * nr
}

/// Residual state shared by the Gauss-Newton adapters.
#[derive(Debug, Default)]
struct ResidualPoint {
    x: Vec<f64>,
    f: f64,
    r: Vec<f64>,
    r_trial: Vec<f64>,
    g: Vec<f64>,
    /// `J v` workspace (length m).
    jv: Vec<f64>,
    evals: Evaluations,
}

impl ResidualPoint {
    fn start<P: crate::problem::Residuals + ?Sized>(&mut self, p: &P, x0: &[f64]) -> Result<(), SetupError> {
        let n = p.dim();
        check_start(n, x0)?;
        let m = p.residual_count();
        self.x = x0.to_vec();
        self.r = vec![0.0; m];
        self.r_trial = vec![0.0; m];
        self.g = vec![0.0; n];
        self.jv = vec![0.0; m];
        p.residuals(&self.x, &mut self.r);
        self.evals.residuals += 1;
        self.evals.f += 1;
        if !all_finite(&self.r) {
            return Err(SetupError::NonFiniteAtStart { what: "residuals" });
        }
        self.f = half_sq(&self.r);
        if !self.f.is_finite() {
            return Err(SetupError::NonFiniteAtStart { what: "value" });
        }
        Ok(())
    }

    fn trial<P: crate::problem::Residuals + ?Sized>(&mut self, p: &P, x: &[f64]) -> f64 {
        p.residuals(x, &mut self.r_trial);
        self.evals.residuals += 1;
        self.evals.f += 1;
        if !all_finite(&self.r_trial) {
            return f64::NAN;
        }
        half_sq(&self.r_trial)
    }

    fn swap_in(&mut self, x: &[f64], f: f64) {
        std::mem::swap(&mut self.r, &mut self.r_trial);
        self.x.copy_from_slice(x);
        self.f = f;
    }
}

macro_rules! residual_model_basics {
    () => {
        fn dim(&self) -> usize {
            self.pt.x.len()
        }
        fn value(&self) -> f64 {
            self.pt.f
        }
        fn gradient(&self) -> &[f64] {
            &self.pt.g
        }
    };
}

/// Gauss-Newton model `B = J'J` with a dense Jacobian.
#[derive(Debug)]
pub struct GaussNewtonDense<'a, P: ?Sized> {
    problem: &'a P,
    pt: ResidualPoint,
    jac: Mat<f64>,
    jac_old: Mat<f64>,
    jtj: Option<Mat<f64>>,
}

impl<'a, P: DenseJacobian + ?Sized> GaussNewtonDense<'a, P> {
    /// Wraps a problem.
    pub fn new(problem: &'a P) -> Self {
        Self { problem, pt: ResidualPoint::default(), jac: Mat::zeros(0, 0), jac_old: Mat::zeros(0, 0), jtj: None }
    }

    /// Current residuals.
    pub fn residuals(&self) -> &[f64] {
        &self.pt.r
    }

    fn jacobian_is_finite(&self) -> bool {
        let (m, n) = (self.jac.nrows(), self.jac.ncols());
        (0..n).all(|j| (0..m).all(|i| self.jac[(i, j)].is_finite()))
    }

    /// Refreshes `g = J'r` (and `J'J` when a step solver asked for the dense matrix).
    fn refresh(&mut self) -> bool {
        dense::matvec_transpose(self.jac.as_ref(), &self.pt.r, &mut self.pt.g);
        if let Some(jtj) = self.jtj.as_mut() {
            faer::linalg::matmul::matmul(
                jtj.as_mut(),
                faer::Accum::Replace,
                self.jac.transpose(),
                self.jac.as_ref(),
                1.0,
                faer::Par::Seq,
            );
        }
        all_finite(&self.pt.g)
    }
}

impl<P: DenseJacobian + ?Sized> Model for GaussNewtonDense<'_, P> {
    residual_model_basics!();
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        dense::matvec(self.jac.as_ref(), v, &mut self.pt.jv);
        dense::matvec_transpose(self.jac.as_ref(), &self.pt.jv, out);
    }
    fn dense_hessian(&self) -> Option<MatRef<'_, f64>> {
        self.jtj.as_ref().map(|m| m.as_ref())
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        for (j, o) in out.iter_mut().enumerate() {
            let c = self.jac.col(j);
            *o = c.iter().map(|v| v * v).sum();
        }
        true
    }
}

impl<P: DenseJacobian + ?Sized> Oracle for GaussNewtonDense<'_, P> {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        self.pt.start(self.problem, x0)?;
        let (m, n) = (self.pt.r.len(), x0.len());
        self.jac = Mat::zeros(m, n);
        self.jac_old = Mat::zeros(m, n);
        self.jtj = matches!(needs, Needs::DenseMatrix | Needs::Matrix).then(|| Mat::zeros(n, n));
        self.problem.jacobian(x0, self.jac.as_mut());
        self.pt.evals.jacobian += 1;
        if !self.jacobian_is_finite() {
            return Err(SetupError::NonFiniteAtStart { what: "Jacobian" });
        }
        if !self.refresh() {
            return Err(SetupError::NonFiniteAtStart { what: "gradient" });
        }
        Ok(())
    }
    fn trial_value(&mut self, x: &[f64]) -> f64 {
        self.pt.trial(self.problem, x)
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        // Keep the old Jacobian so that a non-finite one at the trial point changes nothing.
        std::mem::swap(&mut self.jac, &mut self.jac_old);
        self.problem.jacobian(x, self.jac.as_mut());
        self.pt.evals.jacobian += 1;
        if !self.jacobian_is_finite() {
            std::mem::swap(&mut self.jac, &mut self.jac_old);
            return Acceptance::NonFiniteGradient;
        }
        self.pt.swap_in(x, f);
        if self.refresh() {
            Acceptance::Accepted
        } else {
            Acceptance::NonFiniteCurvature
        }
    }
    fn evaluations(&self) -> Evaluations {
        self.pt.evals
    }
    fn predicted_reduction(&mut self, s: &[f64]) -> Option<f64> {
        dense::matvec(self.jac.as_ref(), s, &mut self.pt.jv);
        Some(gauss_newton_reduction(&self.pt.jv, &self.pt.r))
    }
    fn as_model(&mut self) -> &mut dyn Model {
        self
    }
}

/// `-(Js)'(r + Js/2)` for `js = Js`.
fn gauss_newton_reduction(js: &[f64], r: &[f64]) -> f64 {
    -js.iter().zip(r).map(|(&a, &b)| a * (b + 0.5 * a)).sum::<f64>()
}

/// Gauss-Newton model `B = J'J` with a sparse Jacobian (fixed pattern).
#[derive(Debug)]
pub struct GaussNewtonSparse<'a, P: ?Sized> {
    problem: &'a P,
    pt: ResidualPoint,
    jac: Option<SparseColMat<usize, f64>>,
    vals_old: Vec<f64>,
}

impl<'a, P: SparseJacobian + ?Sized> GaussNewtonSparse<'a, P> {
    /// Wraps a problem.
    pub fn new(problem: &'a P) -> Self {
        Self { problem, pt: ResidualPoint::default(), jac: None, vals_old: Vec::new() }
    }
}

impl<P: SparseJacobian + ?Sized> Model for GaussNewtonSparse<'_, P> {
    residual_model_basics!();
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        if let Some(j) = self.jac.as_ref() {
            sparse::matvec(j.as_ref(), v, &mut self.pt.jv);
            sparse::matvec_transpose(j.as_ref(), &self.pt.jv, out);
        }
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        let Some(jac) = self.jac.as_ref() else { return false };
        let sym = jac.symbolic();
        for (j, o) in out.iter_mut().enumerate() {
            *o = jac.val()[sym.col_range(j)].iter().map(|v| v * v).sum();
        }
        true
    }
}

impl<P: SparseJacobian + ?Sized> Oracle for GaussNewtonSparse<'_, P> {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        products_only(needs, "a J'J matrix (the problem offers a sparse Jacobian)")?;
        self.pt.start(self.problem, x0)?;
        let sym = self.problem.jacobian_pattern();
        let m = self.pt.r.len();
        if sym.nrows() != m || sym.ncols() != x0.len() {
            return Err(SetupError::DimensionMismatch {
                what: "Jacobian pattern",
                expected: m * x0.len(),
                found: sym.nrows() * sym.ncols(),
            });
        }
        let nnz = sym.row_idx().len();
        let mut jac = SparseColMat::new(sym, vec![0.0; nnz]);
        self.problem.jacobian_values(x0, jac.val_mut());
        self.pt.evals.jacobian += 1;
        if !all_finite(jac.val()) {
            return Err(SetupError::NonFiniteAtStart { what: "Jacobian" });
        }
        sparse::matvec_transpose(jac.as_ref(), &self.pt.r, &mut self.pt.g);
        self.vals_old = vec![0.0; nnz];
        self.jac = Some(jac);
        if !all_finite(&self.pt.g) {
            return Err(SetupError::NonFiniteAtStart { what: "gradient" });
        }
        Ok(())
    }
    fn trial_value(&mut self, x: &[f64]) -> f64 {
        self.pt.trial(self.problem, x)
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        let Some(jac) = self.jac.as_mut() else { return Acceptance::NonFiniteGradient };
        self.vals_old.copy_from_slice(jac.val());
        self.problem.jacobian_values(x, jac.val_mut());
        self.pt.evals.jacobian += 1;
        if !all_finite(jac.val()) {
            jac.val_mut().copy_from_slice(&self.vals_old);
            return Acceptance::NonFiniteGradient;
        }
        self.pt.swap_in(x, f);
        sparse::matvec_transpose(jac.as_ref(), &self.pt.r, &mut self.pt.g);
        if !all_finite(&self.pt.g) {
            return Acceptance::NonFiniteCurvature;
        }
        Acceptance::Accepted
    }
    fn evaluations(&self) -> Evaluations {
        self.pt.evals
    }
    fn predicted_reduction(&mut self, s: &[f64]) -> Option<f64> {
        let jac = self.jac.as_ref()?;
        sparse::matvec(jac.as_ref(), s, &mut self.pt.jv);
        Some(gauss_newton_reduction(&self.pt.jv, &self.pt.r))
    }
    fn as_model(&mut self) -> &mut dyn Model {
        self
    }
}
