//! The Cauchy point: the minimizer of the model along the steepest-descent direction inside
//! the trust region.
//!
//! With $s(t) = -t g / \norm{g}$, $0 \le t \le \Delta$, the model is
//!
//! $$m(s(t)) - f = -t \norm{g} + \frac{t^2 g^\top B g}{2 \norm{g}^2}.$$
//!
//! Its minimizer on $[0, \Delta]$ is $t_c = \Delta$ when $g^\top B g \le 0$, else
//! $t_c = \min(\Delta, \norm{g}^3 / g^\top B g)$
//! (Nocedal & Wright 2006, eq. 4.11-4.12; Conn, Gould & Toint 2000, sec. 6.3.2).
//!
//! Predicted reduction with $\alpha = t_c / \norm{g}$, $\gamma = \norm{g}^2$ (`gg`) and
//! $\beta = g^\top B g$ (`gBg`): $\mathrm{pred} = \alpha \gamma - \alpha^2 \beta / 2$. When
//! $\beta \le 0$ both terms are nonnegative. When $\beta > 0$, $\alpha \le \gamma / \beta$, so
//! $\alpha \beta / 2 \le \gamma / 2$ and the difference $\alpha (\gamma - \alpha \beta / 2)$ keeps
//! at least half of $\alpha \gamma$: no cancellation.
//!
//! $Bg$ is computed once per point in `prepare`; every trial radius then costs $O(n)$.

use super::{Needs, StepInfo, StepSolver, StepStatus};
use crate::linalg::{dot, norm, scale_into};
use crate::model::Model;

/// Cauchy-point step solver (steepest descent with an exact model line search).
///
/// # Example
///
/// A step solver can be called directly on an explicit model; the outer loop
/// ([`crate::TrustRegion`]) does the same through [`StepSolver`].
///
/// ```
/// use faer::Mat;
/// use trust_region::subproblem::{Cauchy, StepSolver, StepStatus};
/// use trust_region::DenseModel;
///
/// // m(s) = g's + s'Bs/2 with g = (1, 0), B = diag(2, 1): along -g the model is
/// // minimized at t = g'g / g'Bg = 1/2.
/// let b = Mat::from_fn(2, 2, |i, j| if i == j { [2.0, 1.0][i] } else { 0.0 });
/// let mut model = DenseModel::new(vec![1.0, 0.0], b);
/// let mut cauchy = Cauchy::new();
/// cauchy.initialize(2);
/// cauchy.prepare(&mut model);
/// let mut s = [0.0; 2];
/// let info = cauchy.solve(&mut model, 10.0, &mut s);
/// assert_eq!(info.status, StepStatus::Interior);
/// assert_eq!(s, [-0.5, 0.0]);
/// assert!((info.predicted_reduction - 0.25).abs() < 1e-15);
/// // A smaller region cuts the step at the boundary.
/// let info = cauchy.solve(&mut model, 0.1, &mut s);
/// assert!(info.hits_boundary && (s[0] + 0.1).abs() < 1e-15);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Cauchy {
    g: Vec<f64>,
    bg: Vec<f64>,
    gnorm: f64,
    gbg: f64,
}

impl Cauchy {
    /// A new Cauchy-point solver.
    pub fn new() -> Self {
        Self::default()
    }

    /// The Cauchy step for a prepared model: writes `s`, returns its info. Shared with dogleg.
    pub(crate) fn cauchy_step(g: &[f64], gnorm: f64, gbg: f64, radius: f64, step: &mut [f64]) -> StepInfo {
        if gnorm == 0.0 {
            step.iter_mut().for_each(|s| *s = 0.0);
            return StepInfo {
                step_norm: 0.0,
                predicted_reduction: 0.0,
                hits_boundary: false,
                status: StepStatus::Interior,
                inner_iterations: 0,
                factorizations: 0,
            };
        }
        let gg = gnorm * gnorm;
        let (t, boundary) = if gbg <= 0.0 {
            (radius, true)
        } else {
            let t_min = gnorm * gg / gbg;
            if t_min >= radius {
                (radius, true)
            } else {
                (t_min, false)
            }
        };
        let alpha = t / gnorm;
        scale_into(-alpha, g, step);
        let pred =
            if gbg <= 0.0 { alpha * gg + 0.5 * alpha * alpha * (-gbg) } else { alpha * (gg - 0.5 * alpha * gbg) };
        StepInfo {
            step_norm: t,
            predicted_reduction: pred,
            hits_boundary: boundary,
            status: if boundary { StepStatus::Boundary } else { StepStatus::Interior },
            inner_iterations: 0,
            factorizations: 0,
        }
    }
}

impl StepSolver for Cauchy {
    fn name(&self) -> &'static str {
        "cauchy"
    }
    fn needs(&self) -> Needs {
        Needs::Products
    }
    fn initialize(&mut self, n: usize) {
        self.g = vec![0.0; n];
        self.bg = vec![0.0; n];
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        if self.g.len() != model.dim() {
            self.initialize(model.dim());
        }
        self.g.copy_from_slice(model.gradient());
        self.gnorm = norm(&self.g);
        if self.gnorm > 0.0 {
            model.apply(&self.g, &mut self.bg);
            self.gbg = dot(&self.g, &self.bg);
        } else {
            self.gbg = 0.0;
        }
    }
    fn solve(&mut self, model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        Self::cauchy_step(model.gradient(), self.gnorm, self.gbg, radius, step)
    }
}
