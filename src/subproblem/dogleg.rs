//! Powell's dogleg step, with a shifted model when $B$ is not positive definite.
//!
//! With the Newton step $p_B = -B^{-1} g$ (Cholesky of $B$) and the unconstrained minimizer along
//! steepest descent $p_U = -(g^\top g / g^\top B g) g$, the dogleg path runs from $0$ to $p_U$
//! to $p_B$; the model decreases monotonically along it, so the step is the last point of the
//! path inside the region (Powell 1970; Nocedal & Wright 2006, sec. 4.1, eq. 4.15-4.16):
//! - $\norm{p_B} \le \Delta$: $s = p_B$;
//! - $\norm{p_U} \ge \Delta$: $s = \Delta p_U / \norm{p_U}$ (equal to the Cauchy point);
//! - otherwise $s = p_U + \tau (p_B - p_U)$ with $\norm{s} = \Delta$.
//!
//! When $B$ is not positive definite the path is not defined. The solver then runs the same
//! path on the shifted model $\tilde B = B + \mu I$, with $\mu$ found by Cholesky with added
//! multiples of the identity (Nocedal & Wright 2006, Algorithm 3.3:
//! $\mu_0 = -\min_i b_{ii} + \beta$, $\mu_{k+1} = \max(2 \mu_k, \beta)$, here with
//! $\beta = 10^{-3} \max(1, \lVert B \rVert_F)$ so that the shift follows the scale of $B$), and
//! compares the result with the Cauchy point of the true model: the step with the larger true
//! reduction is returned (status `Fallback`), so the Cauchy decrease condition always holds.
//!
//! Predicted reductions are those of the true model. For the shifted model
//! $\tilde m(s) = m(s) + \mu \norm{s}^2 / 2$, hence
//! $\mathrm{pred}(s) = \widetilde{\mathrm{pred}}(s) + \mu \norm{s}^2 / 2$, a sum of two
//! nonnegative terms; $\widetilde{\mathrm{pred}}$ is computed as follows. For $s = p_B$,
//! $\widetilde{\mathrm{pred}} = -g^\top p_B / 2 = g^\top \tilde B^{-1} g / 2 > 0$; on the first
//! leg the Cauchy formula (see [`super::cauchy`]); on the second leg
//! $\widetilde{\mathrm{pred}} = -s^\top (g + \tilde B s / 2)$ with
//!
//! $$\tilde B s = \tilde B p_U + \tau (\tilde B p_B - \tilde B p_U) = -c \tilde B g + \tau (c \tilde B g - g),
//! \quad c = \frac{g^\top g}{g^\top \tilde B g}, \quad \tilde B g = B g + \mu g,$$
//!
//! using no extra product with $B$.
//!
//! The factorization happens once per point in `prepare`; each trial radius costs $O(n)$.
//!
//! References: M. J. D. Powell, A hybrid method for nonlinear equations, in Numerical Methods
//! for Nonlinear Algebraic Equations, Gordon and Breach (1970) 87-114; Nocedal & Wright (2006),
//! sec. 3.4 and 4.1.

use super::cauchy::Cauchy;
use super::{Needs, StepInfo, StepSolver, StepStatus};
use crate::linalg::{boundary_root, dense::matvec, dense::DenseCholesky, dot, norm};
use crate::model::Model;

/// Dogleg step solver (dense `B`; shifted model and Cauchy safeguard when `B` is indefinite).
///
/// # Example
///
/// ```
/// use faer::Mat;
/// use trust_region::subproblem::{Dogleg, StepSolver, StepStatus};
/// use trust_region::DenseModel;
///
/// // B = diag(1, 4), g = (1, 1): the Newton step is (-1, -1/4).
/// let b = Mat::from_fn(2, 2, |i, j| if i == j { [1.0, 4.0][i] } else { 0.0 });
/// let mut model = DenseModel::new(vec![1.0, 1.0], b);
/// let mut dogleg = Dogleg::new();
/// dogleg.initialize(2);
/// dogleg.prepare(&mut model); // one Cholesky factorization per point
/// let mut s = [0.0; 2];
/// let info = dogleg.solve(&mut model, 2.0, &mut s);
/// assert_eq!(info.status, StepStatus::Interior);
/// assert!((s[0] + 1.0).abs() < 1e-12 && (s[1] + 0.25).abs() < 1e-12);
/// // Inside the Newton step's length the step is on the boundary, between the Cauchy point
/// // and the Newton step.
/// let info = dogleg.solve(&mut model, 0.5, &mut s);
/// assert!(info.hits_boundary);
/// assert!((s[0].hypot(s[1]) - 0.5).abs() < 1e-12);
/// ```
#[derive(Debug, Default)]
pub struct Dogleg {
    chol: Option<DenseCholesky>,
    g: Vec<f64>,
    bg: Vec<f64>,
    newton: Vec<f64>,
    /// Cauchy point of the true model, kept for comparison with the shifted path.
    cauchy: Vec<f64>,
    gnorm: f64,
    /// `g'Bg` of the true model.
    gbg: f64,
    /// Shift `mu >= 0` of the model whose dogleg path is followed.
    shift: f64,
    /// `||pB||` and `g'pB` for the shifted model's Newton step.
    newton_norm: f64,
    g_newton: f64,
    newton_ok: bool,
    factorizations_pending: usize,
}

/// Largest number of shifts tried by the modified Cholesky search.
const MAX_SHIFTS: usize = 64;

impl Dogleg {
    /// A new dogleg solver.
    pub fn new() -> Self {
        Self::default()
    }

    /// Factorizes `B + mu I` for `mu = 0`, then for growing shifts (Nocedal & Wright,
    /// Algorithm 3.3). Returns the number of factorizations and leaves the shift in `self.shift`.
    fn factorize_shifted(&mut self, h: faer::MatRef<'_, f64>) -> (usize, bool) {
        let chol = self.chol.as_mut().expect("initialized");
        let n = h.nrows();
        let min_diag = (0..n).map(|i| h[(i, i)]).fold(f64::INFINITY, f64::min);
        let beta = 1e-3 * crate::linalg::dense::frobenius(h).max(1.0);
        let mut mu = if min_diag > 0.0 { 0.0 } else { -min_diag + beta };
        for k in 0..MAX_SHIFTS {
            if !mu.is_finite() {
                return (k, false);
            }
            if chol.factorize(h, mu).is_ok() {
                self.shift = mu;
                return (k + 1, true);
            }
            mu = (2.0 * mu).max(beta);
        }
        (MAX_SHIFTS, false)
    }

    /// The dogleg step on the (shifted) model; returns (info, true predicted reduction).
    fn path_step(&self, radius: f64, step: &mut [f64]) -> StepInfo {
        let mu = self.shift;
        let gg = self.gnorm * self.gnorm;
        // g'B~g of the shifted model.
        let gbg = self.gbg + mu * gg;
        let mut info = if self.newton_norm <= radius {
            step.copy_from_slice(&self.newton);
            StepInfo {
                step_norm: self.newton_norm,
                predicted_reduction: -0.5 * self.g_newton,
                hits_boundary: self.newton_norm >= (1.0 - 1e-6) * radius,
                status: StepStatus::Interior,
                inner_iterations: 0,
                factorizations: 0,
            }
        } else if self.gnorm * gg / gbg >= radius {
            Cauchy::cauchy_step(&self.g, self.gnorm, gbg, radius, step)
        } else {
            // Second leg: s = pU + tau (pB - pU), pU = -c g with c = gg / g'B~g.
            let c = gg / gbg;
            let pu_pu = c * c * gg;
            let mut pu_d = 0.0;
            let mut d_d = 0.0;
            for (&g, &pb) in self.g.iter().zip(&self.newton) {
                let d = pb + c * g;
                pu_d += -c * g * d;
                d_d += d * d;
            }
            let tau = boundary_root(pu_pu, pu_d, d_d, radius);
            let mut gs = 0.0;
            let mut sbs = 0.0;
            for (i, si) in step.iter_mut().enumerate() {
                let g = self.g[i];
                let btg = self.bg[i] + mu * g;
                let s = -c * g + tau * (self.newton[i] + c * g);
                *si = s;
                // B~pU = -c B~g, B~pB = -g.
                let bs = -c * btg + tau * (-g + c * btg);
                gs += g * s;
                sbs += s * bs;
            }
            StepInfo {
                step_norm: radius,
                predicted_reduction: -(gs + 0.5 * sbs),
                hits_boundary: true,
                status: StepStatus::Boundary,
                inner_iterations: 0,
                factorizations: 0,
            }
        };
        // True model: m(s) = m~(s) - mu ||s||^2 / 2.
        info.predicted_reduction += 0.5 * mu * info.step_norm * info.step_norm;
        info
    }
}

impl StepSolver for Dogleg {
    fn name(&self) -> &'static str {
        "dogleg"
    }
    fn needs(&self) -> Needs {
        Needs::DenseMatrix
    }
    fn initialize(&mut self, n: usize) {
        self.chol = Some(DenseCholesky::new(n));
        self.g = vec![0.0; n];
        self.bg = vec![0.0; n];
        self.newton = vec![0.0; n];
        self.cauchy = vec![0.0; n];
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        let n = model.dim();
        if self.g.len() != n || self.chol.is_none() {
            self.initialize(n);
        }
        self.g.copy_from_slice(model.gradient());
        self.gnorm = norm(&self.g);
        self.newton_ok = false;
        self.shift = 0.0;
        self.factorizations_pending = 0;
        let Some(h) = model.dense_hessian() else {
            // Without a matrix there is no Newton step: Cauchy point only.
            self.newton.copy_from_slice(&self.g);
            model.apply(&self.newton, &mut self.bg);
            self.gbg = dot(&self.g, &self.bg);
            return;
        };
        matvec(h, &self.g, &mut self.bg);
        self.gbg = dot(&self.g, &self.bg);
        if self.gnorm == 0.0 {
            return;
        }
        let (count, ok) = self.factorize_shifted(h);
        self.factorizations_pending = count;
        if ok {
            let chol = self.chol.as_ref().expect("initialized");
            for (p, g) in self.newton.iter_mut().zip(&self.g) {
                *p = -g;
            }
            chol.solve_in_place(&mut self.newton);
            self.newton_norm = norm(&self.newton);
            self.g_newton = dot(&self.g, &self.newton);
            self.newton_ok = self.newton_norm.is_finite() && self.g_newton < 0.0;
        }
    }
    fn solve(&mut self, _model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        let factorizations = std::mem::take(&mut self.factorizations_pending);
        if !self.newton_ok {
            let mut info = Cauchy::cauchy_step(&self.g, self.gnorm, self.gbg, radius, step);
            info.status = StepStatus::Fallback;
            info.factorizations = factorizations;
            return info;
        }
        let mut info = self.path_step(radius, step);
        info.factorizations = factorizations;
        if self.shift > 0.0 {
            // Safeguard: the Cauchy point of the true model, if it does better.
            let cauchy = Cauchy::cauchy_step(&self.g, self.gnorm, self.gbg, radius, &mut self.cauchy);
            if cauchy.predicted_reduction > info.predicted_reduction {
                step.copy_from_slice(&self.cauchy);
                info = StepInfo { factorizations, ..cauchy };
            }
            info.status = StepStatus::Fallback;
        }
        info
    }
}
