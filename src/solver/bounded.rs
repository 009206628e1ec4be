//! Bound-constrained minimization: the projected Newton trust region (TRON family).
//!
//! Minimize $f(x)$ subject to $l \le x \le u$, with $l_i \in [-\infty, \infty)$,
//! $u_i \in (-\infty, \infty]$ and $l_i \le u_i$ ([`Bounds::closed`]); $l_i = u_i$ fixes the
//! variable, which no step moves. With $P(x) = \mathrm{mid}(l, x, u)$ the projection onto the
//! box, the first-order measure is
//!
//! $$\mathrm{pg}(x) = \norm{x - P(x - g(x))}_\infty ,$$
//!
//! zero exactly at the first-order critical (KKT) points; the run converges when
//! $\mathrm{pg}(x) \le$ `gtol` (absolute, default $10^{-6}$). It is evaluated componentwise as
//! $\min(|g_i|, \text{distance to the bound } -g_i \text{ points at})$, the same number without
//! the cancellation of $x_i - (x_i - g_i)$ at large $|x_i|$.
//!
//! One iteration at the iterate $x_k$ (always in the box) with radius $\Delta_k$:
//! 1. the step $s$ of [`crate::subproblem::projected`]: a generalized Cauchy step by
//!    projected search along $P(x_k - \alpha g_k)$ with the sufficient decrease
//!    $q(s) \le \mu_0 g_k^\top s$ ($\mu_0 = 10^{-2}$), then subspace preconditioned CG on the
//!    free variables with projected searches, growing the active set, inside
//!    $\norm{s}_2 \le \Delta_k$ (Lin & More 1999, Algorithms 4.1 and 5.1);
//! 2. the trial point $x_k + s$ lies in the box by construction (every component comes from a
//!    projection), so $f$ is only ever evaluated inside the box;
//! 3. the ratio $\rho = (f(x_k) - f(x_k + s)) / (-q(s))$, acceptance and the radius update are
//!    the shared policy of [`crate::radius`] ([`RadiusOptions`], Newton defaults), with the
//!    Euclidean step length and whether the step reached the boundary of the region.
//!
//! The model is any [`Oracle`]: [`Newton::products`] (Hessian-vector products: the
//! factorization-free variant, no preconditioner or Jacobi), [`Newton::sparse`] (the
//! incomplete Cholesky factor of the reduced sparse Hessian preconditions CG, the default
//! [`BoundedPreconditioner`]), [`Newton::approximated`], [`Newton::dense`] (Jacobi), or a
//! Gauss-Newton model for bounded least squares.
//!
//! A start outside the box is projected onto it ([`Report::start_moved`]); a start on a bound
//! is kept. Non-finite values at a trial point (value or gradient), or a non-finite step
//! (non-finite Hessian products), reject the trial and shrink the radius; after
//! `max_non_finite` consecutive such trials the run ends with [`Termination::NonFinite`] and the
//! best point. Nothing panics on user values.
//!
//! The termination ([`BoundedTermination`]) carries the reason, $\mathrm{pg}$ and the number of
//! active bounds (components at a bound, fixed variables included) at the returned point;
//! [`Report::stationarity`] is $\mathrm{pg}$ as well.
//!
//! References:
//! 1. C.-J. Lin, J. J. More, Newton's method for large bound-constrained optimization problems,
//!    SIAM J. Optim. 9 (1999) 1100-1127.
//! 2. C.-J. Lin, J. J. More, Incomplete Cholesky factorizations with limited memory, SIAM J.
//!    Sci. Comput. 21 (1999) 24-45.
//! 3. A. R. Conn, N. I. M. Gould, Ph. L. Toint, Trust-Region Methods, SIAM (2000), ch. 12.
//! 4. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), sec. 16.7.

use std::fmt;
use std::ops::ControlFlow;
use std::time::Instant;

use serde::Serialize;

use crate::error::SetupError;
use crate::linalg::norm_inf;
use crate::model::{Acceptance, Newton, Oracle};
use crate::observe::Observer;
use crate::problem::{Bounds, HessianProduct};
use crate::radius::{RadiusOptions, RadiusTrial};
use crate::report::{Outcome, Report};
use crate::step::{Needs, StepStatus};
pub use crate::subproblem::projected::BoundedPreconditioner;
use crate::subproblem::projected::{active_bounds, projected_gradient_inf, ProjectedStep, ProjectedStepOptions};
use crate::termination::{Limits, Termination, TerminationClass};

/// Options of the projected Newton trust region.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct BoundedOptions {
    /// Iteration, evaluation (values of `f`) and time limits.
    pub limits: Limits,
    /// Converged when `pg(x) = ||x - P(x - g)||_inf <= gtol` (absolute). Default `1e-6`.
    pub gtol: f64,
    /// Relative function-change tolerance: converged when an accepted step has
    /// `0 <= f_old - f_new <= ftol |f_new|`. Default `0` (off).
    pub ftol: f64,
    /// Radius and acceptance parameters (the shared policy, Newton defaults).
    pub radius: RadiusOptions,
    /// Consecutive trials with non-finite values (or a non-finite step) tolerated before the
    /// run fails. Default `30`.
    pub max_non_finite: usize,
    /// Keep a [`BoundedIteration`] per iteration in [`Report::history`]. Default `false`.
    pub keep_history: bool,
    /// Sufficient-decrease fraction `mu0` of the Cauchy and projected searches,
    /// `q(s) <= mu0 g's`. In `(0, 1)`. Default `1e-2` (Lin & More 1999, sec. 4).
    pub mu0: f64,
    /// Backtracking factor `beta` of the Cauchy search (`alpha <- beta alpha`; extrapolation
    /// divides by it). In `(0, 1)`. Default `0.1` (TRON's `interpf`).
    pub search_factor: f64,
    /// Forcing term `xi` of the subspace CG: stop when the reduced model gradient is at most
    /// `xi ||g_F(x)||`. In `(0, 1)`. Default `1e-2`.
    pub forcing: f64,
    /// Cap on CG iterations per subspace minimization; `None` means the number of free
    /// variables. Default `None`.
    pub max_cg_iterations: Option<usize>,
    /// Preconditioner of the subspace CG. Default incomplete Cholesky (Jacobi when the model
    /// has no sparse matrix).
    pub preconditioner: BoundedPreconditioner,
}

impl Default for BoundedOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            gtol: 1e-6,
            ftol: 0.0,
            radius: RadiusOptions::default(),
            max_non_finite: 30,
            keep_history: false,
            mu0: 1e-2,
            search_factor: 0.1,
            forcing: 1e-2,
            max_cg_iterations: None,
            preconditioner: BoundedPreconditioner::default(),
        }
    }
}

impl BoundedOptions {
    /// Checks every option.
    pub fn validate(&self) -> Result<(), SetupError> {
        let bad = |name, value, reason| Err(SetupError::InvalidOption { name, value, reason });
        if !(self.gtol >= 0.0 && self.gtol.is_finite()) {
            return bad("gtol", self.gtol, "must be finite and >= 0");
        }
        if !(self.ftol >= 0.0 && self.ftol.is_finite()) {
            return bad("ftol", self.ftol, "must be finite and >= 0");
        }
        self.radius.validate()?;
        if self.max_non_finite == 0 {
            return bad("max_non_finite", 0.0, "must be at least 1");
        }
        for (name, v) in [("mu0", self.mu0), ("search_factor", self.search_factor), ("forcing", self.forcing)] {
            if !(v > 0.0 && v < 1.0) {
                return bad(name, v, "must lie in (0, 1)");
            }
        }
        if self.max_cg_iterations == Some(0) {
            return bad("max_cg_iterations", 0.0, "must be at least 1");
        }
        if let BoundedPreconditioner::IncompleteCholesky(o) = &self.preconditioner {
            o.validate().map_err(|e| SetupError::InvalidOption { name: e.name, value: e.value, reason: e.reason })?;
        }
        Ok(())
    }
}

/// Why a bounded run ended, in the vocabulary of the loops.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum BoundedReason {
    /// `pg(x) <= gtol`.
    ProjectedGradientTolerance {
        /// The tolerance.
        gtol: f64,
    },
    /// Any other ending, as in the unconstrained loop (limits, observer, function tolerance,
    /// round-off, radius too small, non-finite values). The `grad_inf` fields of
    /// [`Termination::RadiusTooSmall`] and [`Termination::RoundOffLimit`] hold `pg(x)` here.
    Other(Termination),
}

/// The termination of a bounded run: the reason, with the first-order measure and the active
/// set at the returned point.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BoundedTermination {
    /// Why the run ended.
    pub reason: BoundedReason,
    /// `pg(x) = ||x - P(x - g)||_inf` at the returned point.
    pub pg_inf: f64,
    /// Components of the returned point at a bound (fixed variables included).
    pub active_bounds: usize,
}

impl Outcome for BoundedTermination {
    fn class(&self) -> TerminationClass {
        match &self.reason {
            BoundedReason::ProjectedGradientTolerance { .. } => TerminationClass::Converged,
            BoundedReason::Other(t) => t.class(),
        }
    }
    fn name(&self) -> &'static str {
        match &self.reason {
            BoundedReason::ProjectedGradientTolerance { .. } => "projected_gradient_tolerance",
            BoundedReason::Other(t) => t.name(),
        }
    }
}

impl fmt::Display for BoundedTermination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            BoundedReason::ProjectedGradientTolerance { gtol } => {
                write!(f, "converged: pg = {:.3e} <= gtol = {gtol:.1e}", self.pg_inf)?
            }
            BoundedReason::Other(t) => write!(f, "{t} (pg = {:.3e})", self.pg_inf)?,
        }
        write!(f, ", {} active bounds", self.active_bounds)
    }
}

/// What happened in one iteration of the projected method.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BoundedIteration {
    /// Iteration number, starting at 1.
    pub iteration: usize,
    /// `f` at the current point after this iteration.
    pub f: f64,
    /// `pg` at the current point after this iteration.
    pub pg_inf: f64,
    /// Components of the current point at a bound.
    pub active_bounds: usize,
    /// Radius used for this trial.
    pub radius: f64,
    /// `||s||_2` of the trial step.
    pub step_norm: f64,
    /// `f(x) - f(x + s)` (NaN when the trial value was not finite or not evaluated).
    pub actual_reduction: f64,
    /// `-q(s)`.
    pub predicted_reduction: f64,
    /// The guarded ratio.
    pub ratio: f64,
    /// Whether the step was accepted.
    pub accepted: bool,
    /// Whether the step reached the boundary of the region.
    pub hits_boundary: bool,
    /// How the last subspace CG stopped (`Interior` when none ran).
    pub step_status: StepStatus,
    /// CG iterations of this step.
    pub cg_iterations: usize,
    /// Subspace minimizations (minor iterations) of this step.
    pub minor_iterations: usize,
    /// The Cauchy step length `alpha`.
    pub cauchy_alpha: f64,
    /// `-q(s_c)`, the model decrease of the generalized Cauchy step.
    pub cauchy_reduction: f64,
    /// `-g's_c` (positive): the search guarantees `cauchy_reduction >= mu0 cauchy_slope`.
    pub cauchy_slope: f64,
}

/// The report of a bounded run.
pub type BoundedReport = Report<BoundedTermination, BoundedIteration>;

/// The projected Newton trust region for `min f(x)` subject to `l <= x <= u` (module docs).
///
/// ```
/// use trust_region::solver::bounded::ProjectedNewton;
/// use trust_region::{Bounds, HessianProduct, Objective};
///
/// /// (x0 - 2)^2 + (x1 + 1)^2 on [0, 1] x [0, 1]: the solution (1, 0) is a corner.
/// struct Bowl;
/// impl Objective for Bowl {
///     fn dim(&self) -> usize { 2 }
///     fn value(&self, x: &[f64]) -> f64 { (x[0] - 2.0).powi(2) + (x[1] + 1.0).powi(2) }
///     fn gradient(&self, x: &[f64], g: &mut [f64]) {
///         g[0] = 2.0 * (x[0] - 2.0);
///         g[1] = 2.0 * (x[1] + 1.0);
///     }
/// }
/// impl HessianProduct for Bowl {
///     fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) {
///         hv[0] = 2.0 * v[0];
///         hv[1] = 2.0 * v[1];
///     }
/// }
///
/// let bounds = Bounds::closed(vec![0.0, 0.0], vec![1.0, 1.0])?;
/// let report = ProjectedNewton::new().minimize(&Bowl, &bounds, &[0.5, 0.5])?;
/// assert!(report.converged());
/// assert_eq!(report.x, vec![1.0, 0.0]);
/// assert_eq!(report.termination.active_bounds, 2);
/// # Ok::<(), trust_region::SetupError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ProjectedNewton<O = ()> {
    /// Options.
    pub options: BoundedOptions,
    /// The observer, called after every iteration ([`ProjectedNewton::with_observer`]).
    pub observer: O,
}

impl ProjectedNewton {
    /// The method with default options and no observer.
    pub fn new() -> Self {
        Self { options: BoundedOptions::default(), observer: () }
    }
}

impl Default for ProjectedNewton {
    fn default() -> Self {
        Self::new()
    }
}

impl<O: Observer<BoundedIteration>> ProjectedNewton<O> {
    /// Replaces the options.
    pub fn with_options(mut self, options: BoundedOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the observer: any `FnMut(&BoundedIteration, &[f64]) -> ControlFlow<()>`, called
    /// after every iteration with its record and the current point; `ControlFlow::Break(())`
    /// ends the run with [`Termination::UserStopped`].
    pub fn with_observer<O2: Observer<BoundedIteration>>(self, observer: O2) -> ProjectedNewton<O2> {
        ProjectedNewton { options: self.options, observer }
    }

    /// Minimizes `f` in the box with Hessian-vector products (the factorization-free variant:
    /// Jacobi is the identity here, so CG is unpreconditioned). Shorthand for
    /// `solve(Newton::products(problem), bounds, x0)`.
    pub fn minimize<P: HessianProduct + ?Sized>(
        &mut self,
        problem: &P,
        bounds: &Bounds,
        x0: &[f64],
    ) -> Result<BoundedReport, SetupError> {
        self.solve(Newton::products(problem), bounds, x0)
    }

    /// The method on any model ([`Oracle`]): [`Newton::sparse`] for the incomplete Cholesky
    /// preconditioner on the reduced Hessian, [`Newton::dense`], [`Newton::products`],
    /// [`Newton::approximated`], or a Gauss-Newton model. Setup errors: the options, the box
    /// ([`Bounds::check_closed`]: `lower > upper`, NaN, lengths), `x0` of the wrong length or
    /// not finite, and `f` or `g` not finite at the (projected) start.
    pub fn solve<M: Oracle>(&mut self, mut model: M, bounds: &Bounds, x0: &[f64]) -> Result<BoundedReport, SetupError> {
        let started = Instant::now();
        self.options.validate()?;
        let n = check_box_and_start(bounds, x0)?;
        let mut x = x0.to_vec();
        let start_moved = bounds.project(&mut x);
        // A problem of another dimension than the box refuses this start (`x0` mismatch).
        model.start(&x, Needs::Products)?;
        let opts = &self.options;
        let (lower, upper) = (&bounds.lower[..], &bounds.upper[..]);
        let mut step = ProjectedStep::new(ProjectedStepOptions {
            mu0: opts.mu0,
            search_factor: opts.search_factor,
            forcing: opts.forcing,
            max_cg_iterations: opts.max_cg_iterations,
            preconditioner: opts.preconditioner,
        });
        step.initialize(n);
        let ropts = &opts.radius;
        let mut radius = ropts.initial_radius();
        // `pg` before the last accepted step (for the round-off test).
        let mut pg_before = f64::INFINITY;
        let mut pg = projected_gradient_inf(&x, model.gradient(), lower, upper);
        let (mut iterations, mut accepted_steps, mut inner, mut non_finite) = (0usize, 0usize, 0usize, 0usize);
        let mut history = Vec::new();
        let reason = if pg <= opts.gtol {
            BoundedReason::ProjectedGradientTolerance { gtol: opts.gtol }
        } else {
            loop {
                if let Some(l) = opts.limits.reached(iterations, model.evaluations().f, started) {
                    break BoundedReason::Other(l.into());
                }
                iterations += 1;
                let info = step.solve(model.as_model(), &x, lower, upper, radius);
                inner += info.cg_iterations;
                let f = model.value();
                let pred = info.predicted_reduction;
                let (mut ared, mut rho, mut f_trial) = (f64::NAN, f64::NEG_INFINITY, f64::NAN);
                if info.finite {
                    f_trial = model.trial_value(&step.xk);
                    ared = f - f_trial;
                    rho = ropts.ratio(ared, pred, f);
                }
                let mut accepted = false;
                let mut model_broken = false;
                if !info.finite || !f_trial.is_finite() {
                    non_finite += 1;
                } else if ropts.accepts(rho, f_trial > f) {
                    match model.accept(&step.xk, f_trial) {
                        Acceptance::NonFiniteGradient => non_finite += 1,
                        Acceptance::NonFiniteCurvature => {
                            accepted = true;
                            model_broken = true;
                        }
                        _ => accepted = true,
                    }
                }
                if accepted {
                    non_finite = 0;
                    accepted_steps += 1;
                    x.copy_from_slice(&step.xk);
                    pg_before = pg;
                    pg = projected_gradient_inf(&x, model.gradient(), lower, upper);
                    step.new_point();
                }
                let trial_radius = radius;
                let rho_update = if accepted || f_trial.is_finite() { rho } else { f64::NEG_INFINITY };
                radius = ropts.update(
                    radius,
                    &RadiusTrial {
                        ratio: rho_update,
                        accepted,
                        // A non-finite step shrinks the radius alone.
                        step_norm: if info.finite { info.step_norm } else { radius },
                        hits_boundary: info.hits_boundary,
                        may_grow: true,
                    },
                );
                let record = BoundedIteration {
                    iteration: iterations,
                    f: model.value(),
                    pg_inf: pg,
                    active_bounds: active_bounds(&x, lower, upper),
                    radius: trial_radius,
                    step_norm: info.step_norm,
                    actual_reduction: ared,
                    predicted_reduction: pred,
                    ratio: rho,
                    accepted,
                    hits_boundary: info.hits_boundary,
                    step_status: info.status,
                    cg_iterations: info.cg_iterations,
                    minor_iterations: info.minor_iterations,
                    cauchy_alpha: info.cauchy_alpha,
                    cauchy_reduction: info.cauchy_reduction,
                    cauchy_slope: info.cauchy_slope,
                };
                if opts.keep_history {
                    history.push(record);
                }
                let user_stop = matches!(self.observer.observe(&record, &x), ControlFlow::Break(()));
                let ended = 'tests: {
                    if model_broken {
                        break 'tests Some(BoundedReason::Other(Termination::NonFiniteModel { iteration: iterations }));
                    }
                    if accepted {
                        if pg <= opts.gtol {
                            break 'tests Some(BoundedReason::ProjectedGradientTolerance { gtol: opts.gtol });
                        }
                        if opts.ftol > 0.0 && ared >= 0.0 && ared <= opts.ftol * model.value().abs() {
                            break 'tests Some(BoundedReason::Other(Termination::FunctionTolerance {
                                actual_reduction: ared,
                                ftol: opts.ftol,
                            }));
                        }
                        // As in the unconstrained loop: only once `pg` stops falling too.
                        if ropts.negligible(ared, pred, f)
                            && !info.hits_boundary
                            && info.status == StepStatus::Interior
                            && !(pg < pg_before)
                        {
                            break 'tests Some(BoundedReason::Other(Termination::RoundOffLimit {
                                grad_inf: pg,
                                predicted_reduction: pred,
                            }));
                        }
                    }
                    if non_finite >= opts.max_non_finite {
                        break 'tests Some(BoundedReason::Other(Termination::NonFinite { consecutive: non_finite }));
                    }
                    let min_radius = ropts.min_radius.unwrap_or_else(|| f64::EPSILON * norm_inf(&x).max(1.0));
                    if radius <= min_radius {
                        break 'tests Some(BoundedReason::Other(Termination::RadiusTooSmall { radius, grad_inf: pg }));
                    }
                    None
                };
                if let Some(t) = ended {
                    break t;
                }
                if user_stop {
                    break BoundedReason::Other(Termination::UserStopped { iteration: iterations });
                }
            }
        };
        let gradient = model.gradient().to_vec();
        let termination = BoundedTermination { reason, pg_inf: pg, active_bounds: active_bounds(&x, lower, upper) };
        Ok(Report {
            f: model.value(),
            grad_inf: norm_inf(&gradient),
            gradient,
            residuals: Vec::new(),
            stationarity: pg,
            x,
            termination,
            iterations,
            accepted_steps,
            inner_iterations: inner,
            factorizations: step.factorizations,
            symbolic_analyses: step.analyses(),
            evaluations: model.evaluations(),
            radius,
            start_moved,
            elapsed: started.elapsed(),
            history,
        })
    }
}

/// The setup checks both bounded methods make before any evaluation: the box
/// ([`Bounds::check_closed`]), `n > 0`, and `x0` of length `n` with finite entries. Returns `n`.
pub(crate) fn check_box_and_start(bounds: &Bounds, x0: &[f64]) -> Result<usize, SetupError> {
    bounds.check_closed()?;
    let n = bounds.dim();
    if n == 0 {
        return Err(SetupError::EmptyProblem);
    }
    if x0.len() != n {
        return Err(SetupError::DimensionMismatch { what: "x0", expected: n, found: x0.len() });
    }
    if let Some((index, &value)) = x0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(SetupError::NonFiniteStart { index, value });
    }
    Ok(n)
}
