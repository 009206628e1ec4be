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
use super::loss::{self, Correction, Loss};
use super::{
    check_start, products_only, Acceptance, DenseJacobianModel, DenseMatrixModel, LeastSquaresRef, MatrixModel, Model,
    Oracle,
};
use crate::error::SetupError;
use crate::linalg::{all_finite, norm};
use crate::problem::{DenseJacobian, Residuals, SparseJacobian};
use crate::step::{Evaluations, Needs};

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
    fn start<P: Residuals + ?Sized>(&mut self, p: &P, x0: &[f64], loss: &Loss) -> Result<(), SetupError> {
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
        self.f = loss.cost(&self.r);
        if !self.f.is_finite() {
            return Err(SetupError::NonFiniteAtStart { what: "value" });
        }
        Ok(())
    }

    fn trial<P: Residuals + ?Sized>(&mut self, p: &P, x: &[f64], loss: &Loss) -> f64 {
        p.residuals(x, &mut self.r_trial);
        self.evals.residuals += 1;
        self.evals.f += 1;
        if !all_finite(&self.r_trial) {
            return f64::NAN;
        }
        loss.cost(&self.r_trial)
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
    /// Whether the step solver needs the (corrected) dense Jacobian and residuals.
    jacobian_needed: bool,
    loss: Loss,
    correction: Correction,
    /// The correction's state (a nonlinear loss only).
    robust: Option<Robust>,
    /// `||J~ e_j||` for [`Oracle::gradient_cosine`] (length n, set at the start).
    column_norms: Vec<f64>,
}

/// The corrected residuals and row scales of a robust loss at the current point, and the
/// corrected dense Jacobian when a step solver needs a matrix.
#[derive(Debug)]
struct Robust {
    /// `r~` (length m).
    r: Vec<f64>,
    /// `b`, `J~ = diag(b) J` (length m).
    row_scale: Vec<f64>,
    /// `J~` for dense stores whose step solver needs a matrix.
    jac: Option<Mat<f64>>,
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
            jacobian_needed: false,
            loss: Loss::Linear,
            correction: Correction::default(),
            robust: None,
            column_norms: Vec::new(),
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
            jacobian_needed: false,
            loss: Loss::Linear,
            correction: Correction::default(),
            robust: None,
            column_norms: Vec::new(),
        }
    }
}

impl<P: ?Sized, J> GaussNewton<'_, P, J> {
    /// Minimizes the robust cost `(1/2) sum_i rho_c(r_i^2)` of `loss` instead of
    /// `||r||^2 / 2` ([`super::loss`]), with the default [`Correction`]. The scale is checked
    /// at the start ([`SetupError::InvalidOption`]).
    ///
    /// ```
    /// use faer::MatMut;
    /// use trust_region::model::{GaussNewton, Loss};
    /// use trust_region::subproblem::LevenbergMarquardt;
    /// use trust_region::{DenseJacobian, Residuals, TrustRegion};
    ///
    /// /// Fit a constant to (1, 1.1, 0.9, 1.05, 30): the last point is a gross outlier.
    /// struct Level;
    /// const Y: [f64; 5] = [1.0, 1.1, 0.9, 1.05, 30.0];
    /// impl Residuals for Level {
    ///     fn dim(&self) -> usize { 1 }
    ///     fn residual_count(&self) -> usize { 5 }
    ///     fn residuals(&self, x: &[f64], r: &mut [f64]) {
    ///         for (ri, y) in r.iter_mut().zip(Y) { *ri = x[0] - y; }
    ///     }
    /// }
    /// impl DenseJacobian for Level {
    ///     fn jacobian(&self, _: &[f64], mut j: MatMut<'_, f64>) {
    ///         for i in 0..5 { j[(i, 0)] = 1.0; }
    ///     }
    /// }
    ///
    /// let model = GaussNewton::dense(&Level).with_loss(Loss::Cauchy { scale: 0.2 });
    /// let report = TrustRegion::new(LevenbergMarquardt::new()).solve(model, &[0.0]).unwrap();
    /// assert!(report.converged());
    /// assert!((report.x[0] - 1.0).abs() < 0.1, "{}", report.x[0]); // the plain mean is 6.8
    /// ```
    pub fn with_loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// Chooses how the loss enters the model ([`Correction`]; default [`Correction::Triggs`]).
    pub fn with_correction(mut self, correction: Correction) -> Self {
        self.correction = correction;
        self
    }

    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
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

    /// After a new `J` and `r`: the correction of a robust loss (corrected residuals, row
    /// scales and the corrected dense copy), the gradient `g = J'(b o r~)` and `J~'J~` when the
    /// step solver asked for the matrix.
    fn refresh(&mut self) {
        let Some(store) = self.store.as_ref() else { return };
        let pt = &mut self.pt;
        match self.robust.as_mut() {
            None => store.apply_transpose(&pt.r, &mut pt.g),
            Some(rb) => {
                loss::correct_residuals(&self.loss, self.correction, &pt.r, &mut rb.r, &mut rb.row_scale);
                for ((v, &a), &b) in pt.jv.iter_mut().zip(&rb.r).zip(&rb.row_scale) {
                    *v = a * b;
                }
                store.apply_transpose(&pt.jv, &mut pt.g);
                if let (Some(copy), JacobianRef::Dense(jac)) = (rb.jac.as_mut(), store.matrix()) {
                    copy.as_mut().copy_from(jac);
                    loss::scale_rows_dense(copy.as_mut(), &rb.row_scale);
                }
            }
        }
        let Some(jtj) = self.jtj.as_mut() else { return };
        let jac = match (self.robust.as_ref().and_then(|rb| rb.jac.as_ref()), store.matrix()) {
            (Some(copy), _) => copy.as_ref(),
            (None, JacobianRef::Dense(jac)) => jac,
            _ => return,
        };
        faer::linalg::matmul::matmul(jtj.as_mut(), faer::Accum::Replace, jac.transpose(), jac, 1.0, faer::Par::Seq);
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
            if let Some(rb) = self.robust.as_ref() {
                for (u, b) in self.pt.jv.iter_mut().zip(&rb.row_scale) {
                    *u *= b * b;
                }
            }
            store.apply_transpose(&self.pt.jv, out);
        }
    }
    fn dense_hessian(&self) -> Option<MatRef<'_, f64>> {
        self.jtj.as_ref().map(|m| m.as_ref())
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        let Some(store) = self.store.as_ref() else { return false };
        match self.robust.as_ref() {
            None => store.column_sums_of_squares(out),
            Some(rb) => loss::weighted_column_sums(store.matrix(), &rb.row_scale, out),
        }
        true
    }
    fn least_squares(&self) -> Option<LeastSquaresRef<'_>> {
        if !self.jacobian_needed {
            return None;
        }
        let store = self.store.as_ref()?;
        match (self.robust.as_ref(), store.matrix()) {
            (Some(rb), _) => Some(LeastSquaresRef { jacobian: rb.jac.as_ref()?.as_ref(), residuals: &rb.r }),
            (None, JacobianRef::Dense(jacobian)) => Some(LeastSquaresRef { jacobian, residuals: &self.pt.r }),
            (None, _) => None,
        }
    }
}

impl<P: Residuals + ?Sized, J: JacobianStore> Oracle for GaussNewton<'_, P, J> {
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        (self.check_needs)(needs)?;
        self.loss.validate()?;
        self.pt.start(self.problem, x0, &self.loss)?;
        let mut store = (self.build)(self.problem)?;
        let n = x0.len();
        let m = self.pt.r.len();
        self.matrix_needed = matches!(needs, Needs::DenseMatrix | Needs::Matrix);
        self.jacobian_needed = needs == Needs::DenseJacobian;
        self.jtj = self.matrix_needed.then(|| Mat::zeros(n, n));
        self.column_norms = vec![0.0; n];
        let dense = matches!(store.matrix(), JacobianRef::Dense(_));
        let copy_needed = dense && (self.matrix_needed || self.jacobian_needed);
        self.robust = (!self.loss.is_linear()).then(|| Robust {
            r: vec![0.0; m],
            row_scale: vec![0.0; m],
            jac: copy_needed.then(|| Mat::zeros(m, n)),
        });
        let e = store.evaluate(x0, &self.pt.r);
        self.pt.evals.jacobian += 1;
        self.pt.evals.residuals += e.residual_evaluations;
        if !e.finite {
            return Err(SetupError::NonFiniteAtStart { what: "Jacobian" });
        }
        self.store = Some(store);
        self.refresh();
        if !all_finite(&self.pt.g) {
            return Err(SetupError::NonFiniteAtStart { what: "gradient" });
        }
        Ok(())
    }
    fn trial_value(&mut self, x: &[f64]) -> f64 {
        self.pt.trial(self.problem, x, &self.loss)
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
        self.refresh();
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
        match self.robust.as_ref() {
            None => Some(gauss_newton_reduction(&self.pt.jv, &self.pt.r)),
            Some(rb) => {
                for (u, b) in self.pt.jv.iter_mut().zip(&rb.row_scale) {
                    *u *= b;
                }
                Some(gauss_newton_reduction(&self.pt.jv, &rb.r))
            }
        }
    }
    fn as_model(&mut self) -> &mut dyn Model {
        self
    }
    /// `max_j |g_j| / (||J~ e_j|| ||r~||)` with `g = J~'r~` (the corrected `J~ = diag(b) J`
    /// and `r~` of a robust loss, `J` and `r` without one): the column norms are computed
    /// here (one pass over `J`, overflow-safe), only when the loop asks.
    fn gradient_cosine(&mut self) -> Option<f64> {
        let store = self.store.as_ref()?;
        let (r, row_scale) = match self.robust.as_ref() {
            None => (&self.pt.r[..], None),
            Some(rb) => (&rb.r[..], Some(&rb.row_scale[..])),
        };
        let r_norm = norm(r);
        if r_norm == 0.0 {
            return Some(0.0);
        }
        if !r_norm.is_finite() {
            return Some(f64::NAN);
        }
        column_norms(store.matrix(), row_scale, &mut self.column_norms);
        let mut cosine = 0.0f64;
        for (&gj, &cj) in self.pt.g.iter().zip(&self.column_norms) {
            if cj == 0.0 {
                continue;
            }
            let c = gj.abs() / cj / r_norm;
            if c.is_nan() {
                return Some(f64::NAN);
            }
            cosine = cosine.max(c);
        }
        Some(cosine)
    }
}

impl<'a, P: DenseJacobian + ?Sized> DenseMatrixModel for GaussNewton<'a, P, DenseStore<UserDense<'a, P>>> {}
impl<'a, P: DenseJacobian + ?Sized> MatrixModel for GaussNewton<'a, P, DenseStore<UserDense<'a, P>>> {}
impl<'a, P: DenseJacobian + ?Sized> DenseJacobianModel for GaussNewton<'a, P, DenseStore<UserDense<'a, P>>> {}

/// `out_j <- ||diag(b) J e_j||` (`b = row_scale`, or no scaling), each norm scaled by the
/// column's largest entry so that it neither overflows nor underflows.
fn column_norms(jac: JacobianRef<'_>, row_scale: Option<&[f64]>, out: &mut [f64]) {
    let weight = |i: usize| row_scale.map_or(1.0, |b| b[i]);
    match jac {
        JacobianRef::Dense(m) => {
            for (j, o) in out.iter_mut().enumerate() {
                let col = m.col(j);
                *o = scaled_norm(|| col.iter().enumerate().map(|(i, v)| v * weight(i)));
            }
        }
        JacobianRef::Sparse(s) => {
            for (j, o) in out.iter_mut().enumerate() {
                let rows = s.symbolic().row_idx_of_col_raw(j);
                let vals = s.val_of_col(j);
                *o = scaled_norm(|| rows.iter().zip(vals).map(|(&i, v)| v * weight(i)));
            }
        }
    }
}

/// The 2-norm of the values `v()` yields, as `a sqrt(sum (v_i / a)^2)` with `a = max |v_i|`
/// (two passes; NaN or an infinity is returned as is).
fn scaled_norm<I: Iterator<Item = f64>>(v: impl Fn() -> I) -> f64 {
    let mut amax = 0.0f64;
    for x in v() {
        if x.is_nan() {
            return f64::NAN;
        }
        amax = amax.max(x.abs());
    }
    if amax == 0.0 || !amax.is_finite() {
        return amax;
    }
    // Division, not a reciprocal: 1 / amax overflows for a subnormal amax.
    amax * v().map(|x| (x / amax) * (x / amax)).sum::<f64>().sqrt()
}

/// `-(Js)'(r + Js/2)` for `js = Js`.
fn gauss_newton_reduction(js: &[f64], r: &[f64]) -> f64 {
    -js.iter().zip(r).map(|(&a, &b)| a * (b + 0.5 * a)).sum::<f64>()
}
