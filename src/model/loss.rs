//! Robust losses for nonlinear least squares, and the correction that puts them into a
//! Gauss-Newton model.
//!
//! # Problem
//!
//! Minimize the robust cost
//!
//! $$f(x) = \tfrac12 \sum_i \rho_c\big(r_i(x)^2\big), \qquad \rho_c(z) = c^2 \rho(z / c^2), \tag{1}$$
//!
//! with a loss $\rho$ applied to the squared residual $z_i = r_i^2$ and a scale $c > 0$ (the
//! residual size where the loss starts to discount), as SciPy's `least_squares` and Ceres do.
//! By the chain rule $\rho_c'(z) = \rho'(z/c^2)$ and $\rho_c''(z) = \rho''(z/c^2)/c^2$. The losses
//! ([`Loss`]), all with $\rho(0) = 0$, $\rho'(0) = 1$ (so that small residuals are treated as
//! by plain least squares):
//!
//! | loss | $\rho(z)$ | $\rho'(z)$ | $\rho''(z)$ |
//! |---|---|---|---|
//! | linear | $z$ | $1$ | $0$ |
//! | soft_l1 | $2(\sqrt{1+z} - 1)$ | $(1+z)^{-1/2}$ | $-\tfrac12 (1+z)^{-3/2}$ |
//! | huber | $z$ if $z \le 1$, else $2\sqrt z - 1$ | $1$, else $z^{-1/2}$ | $0$, else $-\tfrac12 z^{-3/2}$ |
//! | cauchy | $\ln(1+z)$ | $(1+z)^{-1}$ | $-(1+z)^{-2}$ |
//! | arctan | $\arctan z$ | $(1+z^2)^{-1}$ | $-2z(1+z^2)^{-2}$ |
//!
//! # The gradient and the second-order model
//!
//! With $J$ the Jacobian of $r$ and $\rho_i', \rho_i''$ taken at $z_i$,
//!
//! $$\nabla f = \sum_i \rho_i' r_i \nabla r_i = J^\top (\rho' \circ r), \tag{2}$$
//!
//! $$\nabla^2 f = \sum_i \big(\rho_i' + 2 \rho_i'' z_i\big) \nabla r_i \nabla r_i^\top + \sum_i \rho_i' r_i \nabla^2 r_i. \tag{3}$$
//!
//! Gauss-Newton drops the last sum. A correction turns `(r, J)` into `(r~, J~)` such that
//! the ordinary Gauss-Newton model of `(r~, J~)` has the gradient (2) exactly and a curvature
//! `J~'J~ = sum_i w_i grad r_i grad r_i'` with a weight `w_i >= 0`. For one residual per row
//! both corrections below are row scalings, `r~_i = a_i r_i`, `J~_i = b_i J_i` with
//! `a_i b_i = rho_i'` (which gives (2)) and `b_i^2 = w_i`: the sparsity pattern of `J` is
//! kept, so the correction works for dense and sparse Jacobians alike ([`correct_residuals`]
//! gives `r~` and the row scales `b`, [`scale_rows_dense`] / [`scale_rows_sparse`] apply them to
//! `J`; [`weighted_column_sums`] gives the diagonal of `J~'J~`).
//!
//! - [`Correction::Weights`] (SciPy `least_squares`): `w_i = max(rho_i' + 2 rho_i'' z_i, eps)`,
//!   the exact first sum of (3), floored at machine epsilon where it is not positive (Cauchy and
//!   arctan beyond `z = 1` and `z = 1/sqrt 3` in units of `c^2`; Huber in its linear region,
//!   where it is exactly 0). Then `b_i = sqrt(w_i)`, `a_i = rho_i' / sqrt(w_i)`.
//! - [`Correction::Triggs`] (Ceres' `Corrector`, after Triggs, McLauchlan, Hartley &
//!   Fitzgibbon 2000, sec. 4.3): `r~_i = sqrt(rho_i') r_i / (1 - alpha_i)`,
//!   `J~_i = sqrt(rho_i') (1 - alpha_i) J_i` with `alpha_i` the smaller root of
//!   `alpha^2/2 - alpha - z rho''/rho' = 0`, i.e. `(1 - alpha)^2 = 1 + 2 z rho''/rho'`, which
//!   gives the same `w_i = rho' (1 - alpha)^2 = rho' + 2 rho'' z` as (3). Ceres applies it only
//!   where `rho'' > 0` and uses `alpha = 0` elsewhere (it found the full correction slows
//!   convergence in the outlier region). Every loss above is concave in `z` (`rho'' <= 0`), so
//!   this correction is the plain reweighting `w_i = rho_i'` (iteratively reweighted least
//!   squares): the model keeps a positive curvature `rho_i'` on every residual, outliers
//!   included, instead of SciPy's `eps`.
//!
//! # Which correction is the default, and why
//!
//! Measured with `cargo run --release --example loss_corrections`: the Levenberg-Marquardt
//! step with MINPACK's radius rule on (a) the curve fit of `examples/curve_fit.rs` (100
//! points, 10% gross outliers), seeds 1-8, scale 0.3, and (b) the 21 More-Garbow-Hillstrom
//! least-squares problems with `m > n`, gross outliers added to 10% of the residuals, seeds
//! 1-8 (168 fits per loss), scale 1. Success = converged and within `1e-6` of the best cost
//! either correction reached; iterations summed over the fits both solved. W = weights,
//! T = Triggs:
//!
//! | loss | curve fit: success W / T | curve fit: iterations W / T | MGH: success W / T | MGH: iterations W / T |
//! |---|---|---|---|---|
//! | soft_l1 | 8 / 8 | 132 / 123 | 100 / 115 | 4814 / 4292 |
//! | huber | 8 / 8 | 481 / 92 | 94 / 116 | 6256 / 3421 |
//! | cauchy | 8 / 8 | 498 / 157 | 118 / 128 | 5538 / 2927 |
//! | arctan | 0 / 8 | - | 118 / 131 | 5542 / 1710 |
//!
//! [`Correction::Triggs`] (the plain `rho'` weighting for these concave losses) succeeds at
//! least as often on every loss and needs 1.1 to 5 times fewer iterations, so it is the
//! default. The second-order weight `rho' + 2 rho'' z` is tiny (floored at `eps`) on the
//! outliers, where `rho'' < 0`: the model then treats them as nearly free directions
//! (`J~'J~` loses their curvature) while keeping their gradient, its steps overshoot, and the
//! radius has to shrink (Huber's linear region, where the weight is exactly 0, shows it
//! most; arctan's negative weights beyond `z = 1/sqrt 3` made every curve fit stall).
//!
//! # References
//!
//! 1. B. Triggs, P. F. McLauchlan, R. I. Hartley, A. W. Fitzgibbon, Bundle adjustment - a
//!    modern synthesis, in Vision Algorithms: Theory and Practice, LNCS 1883 (2000) 298-372,
//!    sec. 4.3.
//! 2. SciPy `scipy.optimize.least_squares`, documentation of `loss` and `f_scale`.
//! 3. Ceres Solver, documentation of `LossFunction` and of the robust corrector.
//! 4. P. J. Huber, Robust estimation of a location parameter, Ann. Math. Statist. 35 (1964)
//!    73-101.

use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};
use faer::{Mat, MatMut};

use super::jacobian::{JacobianEvaluation, JacobianRef, JacobianStore};
use crate::error::SetupError;
use crate::linalg::{self, dense, sparse};

/// A robust loss `rho` applied to squared residuals, with its scale `c` (module docs, (1)).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum Loss {
    /// `rho(z) = z`: ordinary least squares.
    #[default]
    Linear,
    /// `rho(z) = 2 (sqrt(1 + z) - 1)`: a smooth approximation of the absolute value.
    SoftL1 {
        /// Scale `c` (residuals well below `c` count as squares).
        scale: f64,
    },
    /// `rho(z) = z` for `z <= 1`, `2 sqrt(z) - 1` beyond (Huber 1964).
    Huber {
        /// Scale `c` (the residual size where the loss turns linear).
        scale: f64,
    },
    /// `rho(z) = ln(1 + z)`: strong discounting of outliers.
    Cauchy {
        /// Scale `c`.
        scale: f64,
    },
    /// `rho(z) = arctan(z)`: bounded by `pi/2`, the strongest discounting.
    Arctan {
        /// Scale `c`.
        scale: f64,
    },
}

/// How a loss enters the Gauss-Newton model (module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Correction {
    /// SciPy's weights: curvature `max(rho' + 2 rho'' z, eps)` per residual.
    Weights,
    /// The Triggs corrector as Ceres applies it: full correction where `rho'' > 0`, plain
    /// `sqrt(rho')` scaling (curvature `rho'`) elsewhere, which for the five losses of
    /// [`Loss`] is everywhere.
    ///
    /// The default, by measurement (module docs; `examples/loss_corrections.rs`): over 704
    /// fits with gross outliers it succeeded at least as often as [`Correction::Weights`] on
    /// every loss (on the MGH set 490 against 430 of 672) and needed 1.1 to 5 times fewer
    /// iterations.
    #[default]
    Triggs,
}

impl Loss {
    /// The scale `c` (`1` for [`Loss::Linear`], which has none).
    pub fn scale(&self) -> f64 {
        match *self {
            Loss::Linear => 1.0,
            Loss::SoftL1 { scale } | Loss::Huber { scale } | Loss::Cauchy { scale } | Loss::Arctan { scale } => scale,
        }
    }

    /// Whether the loss is [`Loss::Linear`] (plain least squares, no correction).
    pub fn is_linear(&self) -> bool {
        matches!(self, Loss::Linear)
    }

    /// Short lower-case name as in SciPy (`"linear"`, `"soft_l1"`, `"huber"`, `"cauchy"`,
    /// `"arctan"`).
    pub fn name(&self) -> &'static str {
        match self {
            Loss::Linear => "linear",
            Loss::SoftL1 { .. } => "soft_l1",
            Loss::Huber { .. } => "huber",
            Loss::Cauchy { .. } => "cauchy",
            Loss::Arctan { .. } => "arctan",
        }
    }

    /// Checks the scale: positive and finite ([`SetupError::InvalidOption`] otherwise).
    pub fn validate(&self) -> Result<(), SetupError> {
        let c = self.scale();
        if !(c > 0.0 && c.is_finite()) {
            return Err(SetupError::InvalidOption {
                name: "loss scale",
                value: c,
                reason: "must be positive and finite",
            });
        }
        Ok(())
    }

    /// `[rho_c(z), rho_c'(z), rho_c''(z)]` for `z >= 0` (module docs, (1)). For an infinite
    /// `z` the derivatives are returned as `0` (their limits), so that corrections stay finite.
    pub fn evaluate(&self, z: f64) -> [f64; 3] {
        let c2 = {
            let c = self.scale();
            c * c
        };
        let t = z / c2;
        let [rho, d1, d2] = match *self {
            Loss::Linear => [t, 1.0, 0.0],
            Loss::SoftL1 { .. } => {
                let u = 1.0 + t;
                let s = u.sqrt();
                [2.0 * (s - 1.0), 1.0 / s, -0.5 / (u * s)]
            }
            Loss::Huber { .. } => {
                if t <= 1.0 {
                    [t, 1.0, 0.0]
                } else {
                    let s = t.sqrt();
                    [2.0 * s - 1.0, 1.0 / s, -0.5 / (t * s)]
                }
            }
            Loss::Cauchy { .. } => {
                let u = 1.0 + t;
                [t.ln_1p(), 1.0 / u, -1.0 / (u * u)]
            }
            Loss::Arctan { .. } => {
                let u = 1.0 + t * t;
                [t.atan(), 1.0 / u, -2.0 * t / (u * u)]
            }
        };
        if !t.is_finite() {
            return [c2 * rho, 0.0, 0.0];
        }
        [c2 * rho, d1, d2 / c2]
    }

    /// The robust cost `(1/2) sum_i rho_c(r_i^2)` (module docs, (1)); for [`Loss::Linear`]
    /// `||r||^2 / 2` with a scaled norm, so that large residuals do not overflow early.
    pub fn cost(&self, r: &[f64]) -> f64 {
        if self.is_linear() {
            let nr = linalg::norm(r);
            return 0.5 * nr * nr;
        }
        0.5 * r.iter().map(|&ri| self.evaluate(ri * ri)[0]).sum::<f64>()
    }

    /// The factors `(a, b)` of one residual `r` under `correction`: `r~ = a r`, `J~_i = b J_i`,
    /// with `a b = rho'(r^2)` and `b^2` the curvature weight (module docs).
    pub fn factors(&self, correction: Correction, r: f64) -> (f64, f64) {
        let z = r * r;
        let [_, d1, d2] = self.evaluate(z);
        match correction {
            Correction::Weights => {
                let w = (d1 + 2.0 * d2 * z).max(f64::EPSILON);
                let b = w.sqrt();
                (d1 / b, b)
            }
            Correction::Triggs => {
                let s = d1.sqrt();
                if z == 0.0 || !(d2 > 0.0) || !(d1 > 0.0) {
                    return (s, s);
                }
                // (1 - alpha)^2 = 1 + 2 z rho''/rho' > 1 here.
                let one_minus_alpha = (1.0 + 2.0 * z * d2 / d1).sqrt();
                (s / one_minus_alpha, s * one_minus_alpha)
            }
        }
    }
}

/// The corrected residuals and the row scales of the Jacobian: `r_out[i] = a_i r[i]`,
/// `row_scale[i] = b_i` ([`Loss::factors`]); the corrected Jacobian is `diag(b) J`
/// ([`scale_rows_dense`], [`scale_rows_sparse`]). Returns the robust cost
/// ([`Loss::cost`]). All slices have length `m`.
pub fn correct_residuals(
    loss: &Loss,
    correction: Correction,
    r: &[f64],
    r_out: &mut [f64],
    row_scale: &mut [f64],
) -> f64 {
    let mut sum = 0.0;
    for ((&ri, o), b) in r.iter().zip(r_out.iter_mut()).zip(row_scale.iter_mut()) {
        let (a, bi) = loss.factors(correction, ri);
        *o = a * ri;
        *b = bi;
        sum += loss.evaluate(ri * ri)[0];
    }
    0.5 * sum
}

/// `J <- diag(row_scale) J` for a dense `J`.
pub fn scale_rows_dense(mut jac: MatMut<'_, f64>, row_scale: &[f64]) {
    for j in 0..jac.ncols() {
        for (i, &b) in row_scale.iter().enumerate() {
            jac[(i, j)] *= b;
        }
    }
}

/// `J <- diag(row_scale) J` for a sparse `J` given by its `row_idx` (the pattern's row
/// indices, in the order of `values`).
pub fn scale_rows_sparse(values: &mut [f64], row_idx: &[usize], row_scale: &[f64]) {
    for (v, &i) in values.iter_mut().zip(row_idx) {
        *v *= row_scale[i];
    }
}

/// `out_j <- sum_i row_scale_i^2 J_ij^2`: the diagonal of `J~'J~` for `J~ = diag(row_scale) J`,
/// without forming `J~`.
pub fn weighted_column_sums(jac: JacobianRef<'_>, row_scale: &[f64], out: &mut [f64]) {
    match jac {
        JacobianRef::Dense(m) => {
            for (j, o) in out.iter_mut().enumerate() {
                *o = m.col(j).iter().zip(row_scale).map(|(v, b)| (v * b) * (v * b)).sum();
            }
        }
        JacobianRef::Sparse(s) => sparse_weighted_column_sums(s, row_scale, out),
    }
}

fn sparse_weighted_column_sums(s: SparseColMatRef<'_, usize, f64>, row_scale: &[f64], out: &mut [f64]) {
    for (j, o) in out.iter_mut().enumerate() {
        let rows = s.symbolic().row_idx_of_col_raw(j);
        let vals = s.val_of_col(j);
        *o = rows.iter().zip(vals).map(|(&i, v)| (v * row_scale[i]) * (v * row_scale[i])).sum();
    }
}

/// The corrected residuals `r~` and Jacobian `J~ = diag(b) J` of a robust loss at one point,
/// held as a Jacobian store of their own, for loops that hand a store and residuals to a step
/// solver (the interior loop): the step solver then sees the Gauss-Newton model of the robust
/// cost (module docs) without knowing about the loss. Built once per run (a copy of `J`'s
/// shape, and of its pattern when sparse); [`CorrectedJacobian::refresh`] recomputes
/// everything from `F` and `J` at a new point without allocating.
#[derive(Debug)]
pub(crate) struct CorrectedJacobian {
    loss: Loss,
    correction: Correction,
    /// `r~` at the current point.
    pub(crate) r: Vec<f64>,
    /// `b`, with `J~ = diag(b) J`.
    row_scale: Vec<f64>,
    jac: CorrectedMatrix,
}

/// The storage of `J~`, shaped like the source store's matrix.
#[derive(Debug)]
enum CorrectedMatrix {
    Dense(Mat<f64>),
    Sparse { pattern: SymbolicSparseColMat<usize>, values: Vec<f64> },
}

impl CorrectedJacobian {
    /// Storage shaped like `source` (values are set by [`CorrectedJacobian::refresh`]).
    pub(crate) fn new(source: JacobianRef<'_>, loss: Loss, correction: Correction) -> Self {
        let (m, jac) = match source {
            JacobianRef::Dense(a) => (a.nrows(), CorrectedMatrix::Dense(Mat::zeros(a.nrows(), a.ncols()))),
            JacobianRef::Sparse(a) => {
                let s = a.symbolic();
                // A copy of a valid pattern's parts: the checks pass.
                let pattern = SymbolicSparseColMat::new_checked(
                    s.nrows(),
                    s.ncols(),
                    s.col_ptr().to_vec(),
                    s.col_nnz().map(|c| c.to_vec()),
                    s.row_idx().to_vec(),
                );
                let values = vec![0.0; s.row_idx().len()];
                (s.nrows(), CorrectedMatrix::Sparse { pattern, values })
            }
        };
        Self { loss, correction, r: vec![0.0; m], row_scale: vec![0.0; m], jac }
    }

    /// `r~`, `b` and `J~` from `F(x) = f` and `J(x) = source`; returns the robust cost.
    pub(crate) fn refresh(&mut self, source: JacobianRef<'_>, f: &[f64]) -> f64 {
        let cost = correct_residuals(&self.loss, self.correction, f, &mut self.r, &mut self.row_scale);
        match (&mut self.jac, source) {
            (CorrectedMatrix::Dense(copy), JacobianRef::Dense(a)) => {
                copy.as_mut().copy_from(a);
                scale_rows_dense(copy.as_mut(), &self.row_scale);
            }
            (CorrectedMatrix::Sparse { pattern, values }, JacobianRef::Sparse(a)) => {
                values.copy_from_slice(a.val());
                scale_rows_sparse(values, pattern.row_idx(), &self.row_scale);
            }
            // The source store's kind never changes during a run.
            _ => {}
        }
        cost
    }
}

impl JacobianStore for CorrectedJacobian {
    fn nrows(&self) -> usize {
        self.r.len()
    }
    fn ncols(&self) -> usize {
        match &self.jac {
            CorrectedMatrix::Dense(a) => a.ncols(),
            CorrectedMatrix::Sparse { pattern, .. } => pattern.ncols(),
        }
    }
    /// `J~` is set by [`CorrectedJacobian::refresh`], not evaluated.
    fn evaluate(&mut self, _x: &[f64], _fx: &[f64]) -> JacobianEvaluation {
        JacobianEvaluation { residual_evaluations: 0, finite: true }
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        match self.matrix() {
            JacobianRef::Dense(a) => dense::matvec(a, v, out),
            JacobianRef::Sparse(a) => sparse::matvec(a, v, out),
        }
    }
    fn apply_transpose(&self, v: &[f64], out: &mut [f64]) {
        match self.matrix() {
            JacobianRef::Dense(a) => dense::matvec_transpose(a, v, out),
            JacobianRef::Sparse(a) => sparse::matvec_transpose(a, v, out),
        }
    }
    fn column_sums_of_squares(&self, out: &mut [f64]) {
        match self.matrix() {
            JacobianRef::Dense(a) => {
                for (j, o) in out.iter_mut().enumerate() {
                    *o = a.col(j).iter().map(|v| v * v).sum();
                }
            }
            JacobianRef::Sparse(a) => {
                for (j, o) in out.iter_mut().enumerate() {
                    *o = a.val_of_col(j).iter().map(|v| v * v).sum();
                }
            }
        }
    }
    fn matrix(&self) -> JacobianRef<'_> {
        match &self.jac {
            CorrectedMatrix::Dense(a) => JacobianRef::Dense(a.as_ref()),
            CorrectedMatrix::Sparse { pattern, values } => {
                JacobianRef::Sparse(SparseColMatRef::new(pattern.as_ref(), values))
            }
        }
    }
    fn evaluations(&self) -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOSSES: [Loss; 5] = [
        Loss::Linear,
        Loss::SoftL1 { scale: 0.7 },
        Loss::Huber { scale: 1.3 },
        Loss::Cauchy { scale: 0.5 },
        Loss::Arctan { scale: 2.0 },
    ];

    /// rho' and rho'' against central differences of rho and rho', on both sides of Huber's
    /// kink and over several decades of z.
    #[test]
    fn derivatives_match_central_differences() {
        for loss in LOSSES {
            for &z in &[1e-3f64, 0.1, 0.3, 0.9, 1.1, 2.0, 3.7, 10.0, 150.0] {
                let h = 1e-6 * z.max(1e-2);
                let [_, d1, d2] = loss.evaluate(z);
                let fd1 = (loss.evaluate(z + h)[0] - loss.evaluate(z - h)[0]) / (2.0 * h);
                let fd2 = (loss.evaluate(z + h)[1] - loss.evaluate(z - h)[1]) / (2.0 * h);
                let near_kink = matches!(loss, Loss::Huber { .. }) && (z / 1.69 - 1.0).abs() < 1e-3;
                if near_kink {
                    continue;
                }
                assert!((d1 - fd1).abs() <= 1e-6 * (1.0 + d1.abs()), "{loss:?} z = {z}: rho' {d1} vs {fd1}");
                assert!((d2 - fd2).abs() <= 1e-6 * (1.0 + d2.abs()), "{loss:?} z = {z}: rho'' {d2} vs {fd2}");
            }
            let [rho0, d10, _] = loss.evaluate(0.0);
            assert_eq!((rho0, d10), (0.0, 1.0), "{loss:?}");
        }
    }

    /// Both corrections give `a b = rho'` and a finite, nonnegative curvature weight, even for
    /// huge residuals.
    #[test]
    fn corrections_keep_the_gradient_and_stay_finite() {
        for loss in LOSSES {
            for correction in [Correction::Weights, Correction::Triggs] {
                for &r in &[0.0, 1e-3, -0.5, 2.0, -40.0, 1e100, 1e200] {
                    let (a, b) = loss.factors(correction, r);
                    assert!(a.is_finite() && b.is_finite() && b >= 0.0, "{loss:?} {correction:?} r = {r}");
                    let d1 = loss.evaluate(r * r)[1];
                    assert!((a * b - d1).abs() <= 1e-12 * d1.max(1e-300), "{loss:?} {correction:?} r = {r}");
                }
            }
        }
        assert!(Loss::Huber { scale: 0.0 }.validate().is_err());
        assert!(Loss::Cauchy { scale: f64::NAN }.validate().is_err());
        assert!(Loss::Linear.validate().is_ok());
    }
}
