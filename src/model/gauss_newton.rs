//! The Gauss-Newton model `B = J'J` of residuals `r(x)`, generic over where the Jacobian is
//! kept: [`DenseJacobianStore`] (a dense `m x n` matrix; `J'J` formed only for a step solver
//! that needs the matrix) or [`SparseJacobianStore`] (a fixed compressed-column pattern).
//!
//! `f = ||r||^2 / 2` is computed with a scaled norm so that large residuals do not overflow
//! early; `g = J'r`; the predicted reduction of a step `s` is `-(Js)'(r + Js/2)` (module docs
//! of [`crate::model`]). A Jacobian that is not finite at a trial point leaves the model at
//! the previous point (the store keeps the previous values).

use faer::sparse::SparseColMat;
use faer::{Mat, MatRef};

use super::{check_start, products_only, Acceptance, DenseMatrixModel, MatrixModel, Model, Oracle};
use crate::error::SetupError;
use crate::linalg::{self, all_finite, dense, sparse};
use crate::problem::{DenseJacobian, Residuals, SparseJacobian};
use crate::step::{Evaluations, Needs};

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
    fn start<P: Residuals + ?Sized>(&mut self, p: &P, x0: &[f64]) -> Result<(), SetupError> {
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

    fn trial<P: Residuals + ?Sized>(&mut self, p: &P, x: &[f64]) -> f64 {
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

/// Where a [`GaussNewton`] model keeps `J` (module docs).
pub trait JacobianStore<P: ?Sized> {
    /// Refuses, before any evaluation, a step solver that needs what this store cannot give.
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError>;
    /// Allocates for `m` residuals and `n` variables and evaluates `J(x0)`; `dense_jtj` asks
    /// for `J'J` as a dense matrix. Returns whether `J` is finite.
    fn start(&mut self, problem: &P, x0: &[f64], m: usize, dense_jtj: bool) -> Result<bool, SetupError>;
    /// Evaluates `J(x)`; when it is not finite, restores the previous values and returns
    /// `false`.
    fn update(&mut self, problem: &P, x: &[f64]) -> bool;
    /// `out <- J v`.
    fn jv(&self, v: &[f64], out: &mut [f64]);
    /// `out <- J' v`.
    fn jtv(&self, v: &[f64], out: &mut [f64]);
    /// Refreshes `J'J` if it was asked for.
    fn refresh_jtj(&mut self) {}
    /// `J'J` as a dense matrix, if it was asked for.
    fn jtj(&self) -> Option<MatRef<'_, f64>> {
        None
    }
    /// The column sums of squares of `J` (the diagonal of `J'J`) into `out`.
    fn column_sums_of_squares(&self, out: &mut [f64]) -> bool;
}

/// A dense Jacobian, with the previous one kept for a rejected evaluation and `J'J` on demand.
#[derive(Clone, Debug)]
pub struct DenseJacobianStore {
    jac: Mat<f64>,
    jac_old: Mat<f64>,
    jtj: Option<Mat<f64>>,
}

impl DenseJacobianStore {
    fn is_finite(&self) -> bool {
        let (m, n) = (self.jac.nrows(), self.jac.ncols());
        (0..n).all(|j| (0..m).all(|i| self.jac[(i, j)].is_finite()))
    }
}

impl<P: DenseJacobian + ?Sized> JacobianStore<P> for DenseJacobianStore {
    fn check_needs(&self, _: Needs) -> Result<(), SetupError> {
        Ok(())
    }
    fn start(&mut self, problem: &P, x0: &[f64], m: usize, dense_jtj: bool) -> Result<bool, SetupError> {
        let n = x0.len();
        self.jac = Mat::zeros(m, n);
        self.jac_old = Mat::zeros(m, n);
        self.jtj = dense_jtj.then(|| Mat::zeros(n, n));
        problem.jacobian(x0, self.jac.as_mut());
        Ok(self.is_finite())
    }
    fn update(&mut self, problem: &P, x: &[f64]) -> bool {
        // Keep the old Jacobian so that a non-finite one at the trial point changes nothing.
        std::mem::swap(&mut self.jac, &mut self.jac_old);
        problem.jacobian(x, self.jac.as_mut());
        if !self.is_finite() {
            std::mem::swap(&mut self.jac, &mut self.jac_old);
            return false;
        }
        true
    }
    fn jv(&self, v: &[f64], out: &mut [f64]) {
        dense::matvec(self.jac.as_ref(), v, out);
    }
    fn jtv(&self, v: &[f64], out: &mut [f64]) {
        dense::matvec_transpose(self.jac.as_ref(), v, out);
    }
    fn refresh_jtj(&mut self) {
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
    }
    fn jtj(&self) -> Option<MatRef<'_, f64>> {
        self.jtj.as_ref().map(|m| m.as_ref())
    }
    fn column_sums_of_squares(&self, out: &mut [f64]) -> bool {
        for (j, o) in out.iter_mut().enumerate() {
            let c = self.jac.col(j);
            *o = c.iter().map(|v| v * v).sum();
        }
        true
    }
}

/// A sparse Jacobian in the problem's fixed pattern, with the previous values kept for a
/// rejected evaluation.
#[derive(Clone, Debug, Default)]
pub struct SparseJacobianStore {
    jac: Option<SparseColMat<usize, f64>>,
    vals_old: Vec<f64>,
}

impl<P: SparseJacobian + ?Sized> JacobianStore<P> for SparseJacobianStore {
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError> {
        products_only(needs, "a J'J matrix (the problem offers a sparse Jacobian)")
    }
    fn start(&mut self, problem: &P, x0: &[f64], m: usize, _: bool) -> Result<bool, SetupError> {
        let sym = problem.jacobian_pattern();
        if sym.nrows() != m {
            return Err(SetupError::DimensionMismatch {
                what: "Jacobian pattern rows",
                expected: m,
                found: sym.nrows(),
            });
        }
        if sym.ncols() != x0.len() {
            return Err(SetupError::DimensionMismatch {
                what: "Jacobian pattern columns",
                expected: x0.len(),
                found: sym.ncols(),
            });
        }
        let nnz = sym.row_idx().len();
        let mut jac = SparseColMat::new(sym, vec![0.0; nnz]);
        problem.jacobian_values(x0, jac.val_mut());
        let finite = all_finite(jac.val());
        self.vals_old = vec![0.0; nnz];
        self.jac = Some(jac);
        Ok(finite)
    }
    fn update(&mut self, problem: &P, x: &[f64]) -> bool {
        let Some(jac) = self.jac.as_mut() else { return false };
        self.vals_old.copy_from_slice(jac.val());
        problem.jacobian_values(x, jac.val_mut());
        if !all_finite(jac.val()) {
            jac.val_mut().copy_from_slice(&self.vals_old);
            return false;
        }
        true
    }
    fn jv(&self, v: &[f64], out: &mut [f64]) {
        if let Some(j) = self.jac.as_ref() {
            sparse::matvec(j.as_ref(), v, out);
        }
    }
    fn jtv(&self, v: &[f64], out: &mut [f64]) {
        if let Some(j) = self.jac.as_ref() {
            sparse::matvec_transpose(j.as_ref(), v, out);
        }
    }
    fn column_sums_of_squares(&self, out: &mut [f64]) -> bool {
        let Some(jac) = self.jac.as_ref() else { return false };
        let sym = jac.symbolic();
        for (j, o) in out.iter_mut().enumerate() {
            *o = jac.val()[sym.col_range(j)].iter().map(|v| v * v).sum();
        }
        true
    }
}

/// The Gauss-Newton model `B = J'J` of [`Residuals`], with `J` kept in `J` (module docs).
///
/// Build it with [`GaussNewton::dense`] or [`GaussNewton::sparse`] and hand it to
/// [`crate::TrustRegion::solve`].
#[derive(Debug)]
pub struct GaussNewton<'a, P: ?Sized, J> {
    problem: &'a P,
    pt: ResidualPoint,
    store: J,
}

impl<'a, P: DenseJacobian + ?Sized> GaussNewton<'a, P, DenseJacobianStore> {
    /// The model over the problem's dense Jacobian (every step solver; `J'J` is formed only
    /// for those that need the matrix).
    pub fn dense(problem: &'a P) -> Self {
        let store = DenseJacobianStore { jac: Mat::zeros(0, 0), jac_old: Mat::zeros(0, 0), jtj: None };
        Self { problem, pt: ResidualPoint::default(), store }
    }
}

impl<'a, P: SparseJacobian + ?Sized> GaussNewton<'a, P, SparseJacobianStore> {
    /// The model over the problem's sparse Jacobian (matrix-free step solvers).
    pub fn sparse(problem: &'a P) -> Self {
        Self { problem, pt: ResidualPoint::default(), store: SparseJacobianStore::default() }
    }
}

impl<P: ?Sized, J> GaussNewton<'_, P, J> {
    /// The residuals at the current point.
    pub fn residuals(&self) -> &[f64] {
        &self.pt.r
    }
}

impl<P: Residuals + ?Sized, J: JacobianStore<P>> Model for GaussNewton<'_, P, J> {
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
        self.store.jv(v, &mut self.pt.jv);
        self.store.jtv(&self.pt.jv, out);
    }
    fn dense_hessian(&self) -> Option<MatRef<'_, f64>> {
        self.store.jtj()
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        self.store.column_sums_of_squares(out)
    }
}

impl<P: Residuals + ?Sized, J: JacobianStore<P>> Oracle for GaussNewton<'_, P, J> {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        self.store.check_needs(needs)?;
        self.pt.start(self.problem, x0)?;
        let m = self.pt.r.len();
        let dense_jtj = matches!(needs, Needs::DenseMatrix | Needs::Matrix);
        let finite = self.store.start(self.problem, x0, m, dense_jtj)?;
        self.pt.evals.jacobian += 1;
        if !finite {
            return Err(SetupError::NonFiniteAtStart { what: "Jacobian" });
        }
        self.store.jtv(&self.pt.r, &mut self.pt.g);
        self.store.refresh_jtj();
        if !all_finite(&self.pt.g) {
            return Err(SetupError::NonFiniteAtStart { what: "gradient" });
        }
        Ok(())
    }
    fn trial_value(&mut self, x: &[f64]) -> f64 {
        self.pt.trial(self.problem, x)
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        let finite = self.store.update(self.problem, x);
        self.pt.evals.jacobian += 1;
        if !finite {
            return Acceptance::NonFiniteGradient;
        }
        self.pt.swap_in(x, f);
        self.store.jtv(&self.pt.r, &mut self.pt.g);
        self.store.refresh_jtj();
        if !all_finite(&self.pt.g) {
            return Acceptance::NonFiniteCurvature;
        }
        Acceptance::Accepted
    }
    fn evaluations(&self) -> Evaluations {
        self.pt.evals
    }
    fn predicted_reduction(&mut self, s: &[f64]) -> Option<f64> {
        self.store.jv(s, &mut self.pt.jv);
        Some(gauss_newton_reduction(&self.pt.jv, &self.pt.r))
    }
    fn as_model(&mut self) -> &mut dyn Model {
        self
    }
}

impl<P: DenseJacobian + ?Sized> DenseMatrixModel for GaussNewton<'_, P, DenseJacobianStore> {}
impl<P: DenseJacobian + ?Sized> MatrixModel for GaussNewton<'_, P, DenseJacobianStore> {}

/// `-(Js)'(r + Js/2)` for `js = Js`.
fn gauss_newton_reduction(js: &[f64], r: &[f64]) -> f64 {
    -js.iter().zip(r).map(|(&a, &b)| a * (b + 0.5 * a)).sum::<f64>()
}
