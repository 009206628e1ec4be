//! The Gauss-Newton model `B = J'J` of residuals `r(x)`, generic over where the Jacobian is
//! kept: a [`JacobianStore`] of [`super::jacobian`], the same stores the interior loop uses
//! ([`GaussNewton::dense`]: a dense `m x n` matrix, `J'J` formed only for a step solver that
//! needs the matrix; [`GaussNewton::sparse`]: a fixed compressed-column pattern).
//!
//! `f = ||r||^2 / 2` is computed with a scaled norm so that large residuals do not overflow
//! early; `g = J'r`; the predicted reduction of a step `s` is `-(Js)'(r + Js/2)` (module docs
//! of [`crate::model`]). A Jacobian that is not finite at a trial point leaves the model at
//! the previous point (the stores keep the previous values).

use faer::{Mat, MatRef};

use super::jacobian::{DenseStore, JacobianRef, JacobianStore, SparseStore, UserDense, UserSparse};
use super::{check_start, products_only, Acceptance, DenseMatrixModel, MatrixModel, Model, Oracle};
use crate::error::SetupError;
use crate::linalg::{self, all_finite};
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

/// The Gauss-Newton model `B = J'J` of [`Residuals`], with `J` kept in a [`JacobianStore`]
/// (module docs).
///
/// Build it with [`GaussNewton::dense`] or [`GaussNewton::sparse`] and hand it to
/// [`crate::TrustRegion::solve`].
pub struct GaussNewton<'a, P: ?Sized, J> {
    problem: &'a P,
    pt: ResidualPoint,
    /// Built at [`Oracle::start`] (where a pattern of the wrong shape is a setup error).
    store: Option<J>,
    build: fn(&'a P) -> Result<J, SetupError>,
    /// Whether the step solver needs `J'J` as a dense matrix.
    matrix_needed: bool,
    /// Refuses step solvers that need what the store cannot give.
    check_needs: fn(Needs) -> Result<(), SetupError>,
    jtj: Option<Mat<f64>>,
}

impl<P: ?Sized, J> std::fmt::Debug for GaussNewton<'_, P, J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GaussNewton").field("x", &self.pt.x).field("f", &self.pt.f).finish_non_exhaustive()
    }
}

impl<'a, P: DenseJacobian + ?Sized> GaussNewton<'a, P, DenseStore<UserDense<'a, P>>> {
    /// The model over the problem's dense Jacobian (every step solver; `J'J` is formed only
    /// for those that need the matrix).
    pub fn dense(problem: &'a P) -> Self {
        Self {
            problem,
            pt: ResidualPoint::default(),
            store: None,
            build: |p| Ok(DenseStore::user(p).keep_previous()),
            matrix_needed: false,
            check_needs: |_| Ok(()),
            jtj: None,
        }
    }
}

impl<'a, P: SparseJacobian + ?Sized> GaussNewton<'a, P, SparseStore<UserSparse<'a, P>>> {
    /// The model over the problem's sparse Jacobian (matrix-free step solvers).
    pub fn sparse(problem: &'a P) -> Self {
        Self {
            problem,
            pt: ResidualPoint::default(),
            store: None,
            build: |p| Ok(SparseStore::user(p)?.keep_previous()),
            matrix_needed: false,
            check_needs: |needs| products_only(needs, "a J'J matrix (the problem offers a sparse Jacobian)"),
            jtj: None,
        }
    }
}

impl<P: ?Sized, J: JacobianStore> GaussNewton<'_, P, J> {
    /// The residuals at the current point.
    pub fn residuals(&self) -> &[f64] {
        &self.pt.r
    }

    /// The Jacobian store (after the start).
    pub fn store(&self) -> Option<&J> {
        self.store.as_ref()
    }

    /// `J'J` from a dense store, when the step solver asked for the matrix.
    fn refresh_jtj(&mut self) {
        let (Some(jtj), Some(store)) = (self.jtj.as_mut(), self.store.as_ref()) else { return };
        if let JacobianRef::Dense(jac) = store.matrix() {
            faer::linalg::matmul::matmul(jtj.as_mut(), faer::Accum::Replace, jac.transpose(), jac, 1.0, faer::Par::Seq);
        }
    }
}

impl<P: Residuals + ?Sized, J: JacobianStore> Model for GaussNewton<'_, P, J> {
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
        if let Some(store) = self.store.as_ref() {
            store.apply(v, &mut self.pt.jv);
            store.apply_transpose(&self.pt.jv, out);
        }
    }
    fn dense_hessian(&self) -> Option<MatRef<'_, f64>> {
        self.jtj.as_ref().map(|m| m.as_ref())
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        let Some(store) = self.store.as_ref() else { return false };
        store.column_sums_of_squares(out);
        true
    }
}

impl<P: Residuals + ?Sized, J: JacobianStore> Oracle for GaussNewton<'_, P, J> {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        (self.check_needs)(needs)?;
        self.pt.start(self.problem, x0)?;
        let mut store = (self.build)(self.problem)?;
        let n = x0.len();
        self.matrix_needed = matches!(needs, Needs::DenseMatrix | Needs::Matrix);
        self.jtj = self.matrix_needed.then(|| Mat::zeros(n, n));
        let e = store.evaluate(x0, &self.pt.r);
        self.pt.evals.jacobian += 1;
        self.pt.evals.residuals += e.residual_evaluations;
        if !e.finite {
            return Err(SetupError::NonFiniteAtStart { what: "Jacobian" });
        }
        store.apply_transpose(&self.pt.r, &mut self.pt.g);
        self.store = Some(store);
        self.refresh_jtj();
        if !all_finite(&self.pt.g) {
            return Err(SetupError::NonFiniteAtStart { what: "gradient" });
        }
        Ok(())
    }
    fn trial_value(&mut self, x: &[f64]) -> f64 {
        self.pt.trial(self.problem, x)
    }
    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        let Some(store) = self.store.as_mut() else { return Acceptance::NonFiniteGradient };
        let e = store.evaluate(x, &self.pt.r_trial);
        self.pt.evals.jacobian += 1;
        self.pt.evals.residuals += e.residual_evaluations;
        if !e.finite {
            return Acceptance::NonFiniteGradient;
        }
        self.pt.swap_in(x, f);
        store.apply_transpose(&self.pt.r, &mut self.pt.g);
        self.refresh_jtj();
        if !all_finite(&self.pt.g) {
            return Acceptance::NonFiniteCurvature;
        }
        Acceptance::Accepted
    }
    fn evaluations(&self) -> Evaluations {
        self.pt.evals
    }
    fn predicted_reduction(&mut self, s: &[f64]) -> Option<f64> {
        let store = self.store.as_ref()?;
        store.apply(s, &mut self.pt.jv);
        Some(gauss_newton_reduction(&self.pt.jv, &self.pt.r))
    }
    fn as_model(&mut self) -> &mut dyn Model {
        self
    }
}

impl<'a, P: DenseJacobian + ?Sized> DenseMatrixModel for GaussNewton<'a, P, DenseStore<UserDense<'a, P>>> {}
impl<'a, P: DenseJacobian + ?Sized> MatrixModel for GaussNewton<'a, P, DenseStore<UserDense<'a, P>>> {}

/// `-(Js)'(r + Js/2)` for `js = Js`.
fn gauss_newton_reduction(js: &[f64], r: &[f64]) -> f64 {
    -js.iter().zip(r).map(|(&a, &b)| a * (b + 0.5 * a)).sum::<f64>()
}
