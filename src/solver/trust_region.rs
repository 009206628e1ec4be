//! The trust-region loop for unconstrained minimization (Newton model) and nonlinear least
//! squares (Gauss-Newton model).
//!
//! At the iterate $x_k$ with value $f_k$, gradient $g_k$ and model Hessian $B_k$
//! ($B = \nabla^2 f(x)$ for Newton, $B = J^\top J$ for Gauss-Newton), one iteration:
//! 1. computes a trial step $s$ that approximately minimizes
//!
//!    $$m_k(s) = f_k + g_k^\top s + \tfrac12 s^\top B_k s \quad \text{subject to} \quad \norm{s} \le \Delta_k$$
//!
//!    (a [`StepSolver`]);
//! 2. evaluates $f(x_k + s)$ and the ratio
//!
//!    $$\rho_k = \frac{f_k - f(x_k + s)}{m_k(0) - m_k(s)}$$
//!
//!    (see [`crate::radius`] for the round-off guard);
//! 3. accepts the step when $\rho_k > \eta_0$, and updates the radius $\Delta$ from $\rho_k$ and
//!    whether the step hit the boundary.
//!
//! When $f(x_k + s)$ equals $f_k$ to the last bit while the model predicts a decrease, the
//! ratio is 0 but says nothing: the predicted decrease is below the resolution of $f$ at this
//! point (a sum of many terms that cancel near a minimizer, such as ARWHEAD's). Rejecting
//! would shrink the radius until steps are too small to matter (the exact step took 973
//! iterations on ARWHEAD with $n = 10^4$ that way). The loop then evaluates the gradient at
//! the trial point and takes the step, with $\rho_k = 1$, when it reduces
//! $\norm{g}_\infty$; accepting cannot raise $f$, and a gradient that strictly decreases
//! cannot cycle. ARWHEAD, $n = 10^4$: exact step 973 -> 6 iterations, Steihaug 57 -> 6.
//!
//! This is Algorithm 6.1.1 of Conn, Gould & Toint (2000) and Algorithm 4.1 of Nocedal & Wright
//! (2006). A rejected step reuses everything computed at `x_k` (the step solver's `prepare`
//! runs once per accepted point; the More-Sorensen solver keeps its factorization data).
//!
//! Non-finite values at a trial point (value, gradient or Jacobian) reject the step and shrink
//! the radius; after `max_non_finite` consecutive such trials the run ends with
//! [`Termination::NonFinite`]. The loop never panics on user values, and the returned point is
//! always the best one found (accepted steps never increase `f` beyond round-off, or beyond
//! `2 f_noise` when [`RadiusOptions::f_noise`] declares noise in `f`).
//!
//! References:
//! 1. A. R. Conn, N. I. M. Gould, Ph. L. Toint, Trust-Region Methods, SIAM (2000), ch. 6.
//! 2. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), ch. 4 and 10.

use std::ops::ControlFlow;
use std::time::Instant;

use crate::error::SetupError;
use crate::linalg::{add_norm_inf, norm_inf};
use crate::model::{Acceptance, Newton, Oracle, ProductCurvature};
use crate::observe::Observer;
use crate::problem::HessianProduct;
use crate::radius::{RadiusOptions, RadiusTrial};
use crate::report::{IterationInfo, Report};
use crate::step::StepStatus;
use crate::subproblem::{StepSolver, StepSolverFor};
use crate::termination::{Limits, Termination, Tolerances};

/// Options of the trust-region loop.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TrustRegionOptions {
    /// Iteration, evaluation (values of `f`) and time limits.
    pub limits: Limits,
    /// Stopping tolerances.
    pub tolerances: Tolerances,
    /// Radius and acceptance parameters.
    pub radius: RadiusOptions,
    /// Consecutive trial points with non-finite values tolerated before the run fails.
    /// Default `30` (each one shrinks the radius by `radius.shrink`, so 30 trials cover
    /// 18 orders of magnitude of the radius).
    pub max_non_finite: usize,
    /// Keep an [`IterationInfo`] per iteration in [`Report::history`]. Default `false`.
    pub keep_history: bool,
    /// Evaluate the gradient together with the value at every trial point, through
    /// [`Objective::value_and_gradient`](crate::problem::Objective::value_and_gradient),
    /// instead of the value alone and the gradient once the step is accepted. Pays when
    /// `value_and_gradient` costs little more than `value` (automatic differentiation,
    /// element functions, simulations that produce both) and most steps are accepted; a
    /// rejected step then wastes one gradient. When `value_and_gradient` returns the same bits
    /// as `value`, the iterates are the same either way and only the evaluation counts and the
    /// time change (a fused evaluation that sums in another order can change the last bits of
    /// `f`, and with them, rarely, a ratio test). Ignored by the Gauss-Newton models. Default
    /// `false`.
    pub trial_gradient: bool,
}

impl Default for TrustRegionOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            tolerances: Tolerances::default(),
            radius: RadiusOptions::default(),
            max_non_finite: 30,
            keep_history: false,
            trial_gradient: false,
        }
    }
}

impl TrustRegionOptions {
    /// Checks every option.
    pub fn validate(&self) -> Result<(), SetupError> {
        self.tolerances.validate()?;
        self.radius.validate()?;
        if self.max_non_finite == 0 {
            return Err(SetupError::InvalidOption { name: "max_non_finite", value: 0.0, reason: "must be at least 1" });
        }
        Ok(())
    }
}

/// The trust-region method with step solver `S`.
///
/// ```
/// use trust_region::{Objective, HessianProduct, TrustRegion, subproblem::Steihaug};
///
/// struct Quadratic;
/// impl Objective for Quadratic {
///     fn dim(&self) -> usize { 2 }
///     fn value(&self, x: &[f64]) -> f64 { (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2) }
///     fn gradient(&self, x: &[f64], g: &mut [f64]) {
///         g[0] = 2.0 * (x[0] - 1.0);
///         g[1] = 20.0 * (x[1] + 2.0);
///     }
/// }
/// impl HessianProduct for Quadratic {
///     fn hessian_product(&self, _x: &[f64], v: &[f64], hv: &mut [f64]) {
///         hv[0] = 2.0 * v[0];
///         hv[1] = 20.0 * v[1];
///     }
/// }
///
/// let report = TrustRegion::new(Steihaug::new()).minimize(&Quadratic, &[0.0, 0.0]).unwrap();
/// assert!(report.converged());
/// assert!((report.x[1] + 2.0).abs() < 1e-8);
/// ```
#[derive(Clone, Debug)]
pub struct TrustRegion<S, O = ()> {
    /// Loop options.
    pub options: TrustRegionOptions,
    /// The step solver.
    pub step: S,
    /// The observer, called after every iteration ([`TrustRegion::with_observer`]).
    pub observer: O,
}

impl<S: StepSolver> TrustRegion<S> {
    /// The method with default options and no observer.
    pub fn new(step: S) -> Self {
        Self { options: TrustRegionOptions::default(), step, observer: () }
    }
}

impl<S: StepSolver, O: Observer<IterationInfo>> TrustRegion<S, O> {
    /// Replaces the options.
    pub fn with_options(mut self, options: TrustRegionOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the observer: any `FnMut(&IterationInfo, &[f64]) -> ControlFlow<()>`, called after
    /// every iteration with its record and the current point; `ControlFlow::Break(())` ends the
    /// run with [`Termination::UserStopped`].
    pub fn with_observer<O2: Observer<IterationInfo>>(self, observer: O2) -> TrustRegion<S, O2> {
        TrustRegion { options: self.options, step: self.step, observer }
    }

    /// Minimizes `f` using Hessian-vector products: the common case, with any matrix-free step
    /// solver ([`crate::subproblem::Steihaug`], [`crate::subproblem::Gltr`],
    /// [`crate::subproblem::Cauchy`]). Shorthand for `solve(Newton::products(problem), x0)`.
    pub fn minimize<'p, P: HessianProduct + ?Sized>(&mut self, problem: &'p P, x0: &[f64]) -> Result<Report, SetupError>
    where
        S: StepSolverFor<Newton<'p, P, ProductCurvature>>,
    {
        self.solve(Newton::products(problem), x0)
    }

    /// The loop on any model ([`Oracle`]): the Newton model of a problem with a dense Hessian
    /// ([`Newton::dense`]), a sparse Hessian ([`Newton::sparse`]), products and a sparse
    /// approximation for the preconditioner ([`Newton::approximated`]), the models of an
    /// objective with a gradient only ([`Newton::finite_differences`], [`Newton::sr1`],
    /// [`Newton::bfgs`], [`Newton::lsr1`], [`Newton::lbfgs`]), the Gauss-Newton model
    /// of residuals ([`GaussNewton::dense`](crate::model::GaussNewton::dense),
    /// [`GaussNewton::sparse`](crate::model::GaussNewton::sparse)), or a model of your own.
    /// Pass `&mut model` to keep the model after the run. The step solver must fit the model
    /// ([`StepSolverFor`]): the dogleg needs a dense matrix, the exact step a matrix.
    ///
    /// # Example
    ///
    /// `f(x) = sum_i (x_{i+1} - x_i)^2 / 2 + sum_i (x_i - 1)^4 / 4 + (sum_i x_i)^2 / 2`: the
    /// last term makes the Hessian dense; the tridiagonal rest approximates it and the
    /// incomplete Cholesky factor of that approximation preconditions the exact products.
    ///
    /// ```
    /// use faer::sparse::{Pair, SymbolicSparseColMat};
    /// use trust_region::model::Newton;
    /// use trust_region::subproblem::{IncompleteCholeskyPreconditioner, Steihaug};
    /// use trust_region::{HessianProduct, Objective, SparseHessianApproximation, TrustRegion};
    ///
    /// struct Chain(usize);
    /// impl Objective for Chain {
    ///     fn dim(&self) -> usize { self.0 }
    ///     fn value(&self, x: &[f64]) -> f64 {
    ///         let t: f64 = x.iter().sum();
    ///         let chain: f64 = x.windows(2).map(|w| 0.5 * (w[1] - w[0]).powi(2)).sum();
    ///         chain + x.iter().map(|v| 0.25 * (v - 1.0).powi(4)).sum::<f64>() + 0.5 * t * t
    ///     }
    ///     fn gradient(&self, x: &[f64], g: &mut [f64]) {
    ///         let t: f64 = x.iter().sum();
    ///         for i in 0..x.len() {
    ///             g[i] = (x[i] - 1.0).powi(3) + t;
    ///             if i > 0 { g[i] += x[i] - x[i - 1]; }
    ///             if i + 1 < x.len() { g[i] -= x[i + 1] - x[i]; }
    ///         }
    ///     }
    /// }
    /// impl HessianProduct for Chain {
    ///     fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
    ///         let t: f64 = v.iter().sum();
    ///         let n = x.len();
    ///         for i in 0..n {
    ///             let deg = (i > 0) as u8 as f64 + (i + 1 < n) as u8 as f64;
    ///             hv[i] = (3.0 * (x[i] - 1.0).powi(2) + deg) * v[i] + t;
    ///             if i > 0 { hv[i] -= v[i - 1]; }
    ///             if i + 1 < n { hv[i] -= v[i + 1]; }
    ///         }
    ///     }
    /// }
    /// impl SparseHessianApproximation for Chain {
    ///     // Lower triangle, column by column: (i, i), then (i + 1, i).
    ///     fn approximation_pattern(&self) -> SymbolicSparseColMat<usize> {
    ///         let n = self.0;
    ///         let mut t: Vec<Pair<usize, usize>> = (0..n).map(|i| Pair::new(i, i)).collect();
    ///         t.extend((0..n - 1).map(|i| Pair::new(i + 1, i)));
    ///         SymbolicSparseColMat::try_new_from_indices(n, n, &t).unwrap().0
    ///     }
    ///     fn approximation_values(&self, x: &[f64], values: &mut [f64]) {
    ///         let n = x.len();
    ///         let mut k = 0;
    ///         for i in 0..n {
    ///             let deg = (i > 0) as u8 as f64 + (i + 1 < n) as u8 as f64;
    ///             values[k] = 3.0 * (x[i] - 1.0).powi(2) + deg;
    ///             k += 1;
    ///             if i + 1 < n { values[k] = -1.0; k += 1; }
    ///         }
    ///     }
    /// }
    ///
    /// let problem = Chain(500);
    /// let step = Steihaug::with_preconditioner(IncompleteCholeskyPreconditioner::default());
    /// let model = Newton::approximated(&problem);
    /// let report = TrustRegion::new(step).solve(model, &vec![3.0; 500]).unwrap();
    /// assert!(report.converged() && report.grad_inf <= 1e-6);
    /// assert_eq!(report.evaluations.h, report.accepted_steps + 1); // one A(x) per point
    /// ```
    pub fn solve<M: Oracle>(&mut self, mut model: M, x0: &[f64]) -> Result<Report, SetupError>
    where
        S: StepSolverFor<M>,
    {
        self.run(&mut model, x0)
    }

    /// The loop itself (begin, then iterate until a termination or a limit). The crate's
    /// adapters that pair step solvers and models at run time (nalgebra) call it directly: a
    /// mismatch is then a [`SetupError::Unsupported`] from [`Oracle::start`].
    pub(crate) fn run<M: Oracle + ?Sized>(&mut self, oracle: &mut M, x0: &[f64]) -> Result<Report, SetupError> {
        let started = Instant::now();
        let (mut state, at_start) = self.begin(oracle, x0)?;
        // After `begin`, whose `initialize` may reset the step solver's state.
        self.step.set_deadline(self.options.limits.max_time.and_then(|t| started.checked_add(t)));
        let mut history = Vec::new();
        let termination = match at_start {
            Some(t) => t,
            None => loop {
                if let Some(l) = self.options.limits.reached(state.iterations, oracle.evaluations().f, started) {
                    break l.into();
                }
                let (record, ended) = self.iterate(oracle, &mut state);
                if self.options.keep_history {
                    history.push(record);
                }
                let user_stop = matches!(self.observer.observe(&record, &state.x), ControlFlow::Break(()));
                if let Some(t) = ended {
                    break t;
                }
                if user_stop {
                    break Termination::UserStopped { iteration: state.iterations };
                }
            },
        };

        // A run that did not converge returns the best point seen; a converged one returns the
        // point where the test passed (which can lie above the best by round-off).
        let best = if termination.converged() { None } else { state.best_point(oracle.value()) };
        let (x, gradient, f, grad_inf) = match best {
            Some((x, g, f, gi)) => (x.to_vec(), g.to_vec(), f, gi),
            None => (std::mem::take(&mut state.x), oracle.gradient().to_vec(), oracle.value(), state.grad_inf),
        };
        Ok(Report {
            f,
            gradient,
            grad_inf,
            stationarity: grad_inf,
            residuals: Vec::new(),
            x,
            termination,
            iterations: state.iterations,
            accepted_steps: state.accepted_steps,
            inner_iterations: state.inner_iterations,
            factorizations: state.factorizations,
            symbolic_analyses: self.step.symbolic_analyses(),
            evaluations: oracle.evaluations(),
            radius: state.radius,
            start_moved: false,
            elapsed: started.elapsed(),
            history,
        })
    }

    /// The evaluation and time limits of [`Limits`] (`max_evaluations` counts values of `f`),
    /// checked before every iteration by [`TrustRegion::solve`] (with the iteration limit) and by
    /// the argmin adapter (which counts iterations itself), with the clock started before
    /// [`TrustRegion::begin`].
    pub fn limit_reached(&self, f_evaluations: usize, started: Instant) -> Option<Termination> {
        self.options.limits.evaluations_or_time(f_evaluations, started).map(Termination::from)
    }

    /// Starts a step-wise run at `x0`: validates the options, evaluates the oracle at `x0` and
    /// returns the loop state, with a [`Termination`] if `x0` already satisfies a gradient
    /// tolerance.
    ///
    /// [`TrustRegion::solve`] is `begin` followed by [`TrustRegion::iterate`] until a
    /// termination or a limit; drivers that own the iteration count, the clock and the
    /// observers (the argmin adapter) call the two themselves. The [`Limits`] (iterations,
    /// evaluations, time) are checked by the driver, not here.
    pub fn begin<M: Oracle + ?Sized>(
        &mut self,
        oracle: &mut M,
        x0: &[f64],
    ) -> Result<(LoopState, Option<Termination>), SetupError> {
        self.options.validate()?;
        self.step.validate()?;
        oracle.start(x0, self.step.needs())?;
        oracle.set_trial_gradient(self.options.trial_gradient);
        let n = x0.len();
        self.step.initialize(n);
        let grad_inf = norm_inf(oracle.gradient());
        let state = LoopState {
            x: x0.to_vec(),
            x_trial: vec![0.0; n],
            s: vec![0.0; n],
            radius: self.options.radius.initial_radius(),
            grad0_inf: grad_inf,
            grad_inf,
            iterations: 0,
            accepted_steps: 0,
            inner_iterations: 0,
            factorizations: 0,
            non_finite: 0,
            failed_steps: 0,
            best: BestPoint::default(),
            prepared: false,
            x_inf_bound: norm_inf(x0),
        };
        let tol = &self.options.tolerances;
        if tol.gtol_cosine > 0.0 && oracle.gradient_cosine().is_none() {
            return Err(SetupError::InvalidOption {
                name: "gtol_cosine",
                value: tol.gtol_cosine,
                reason: "needs a least-squares model (residuals and a Jacobian: GaussNewton); use 0 (off) here",
            });
        }
        let at_start = gradient_test(tol, grad_inf, grad_inf, oracle);
        Ok((state, at_start))
    }

    /// One iteration (one trial step) from `state` on `oracle`, which must be the oracle
    /// [`TrustRegion::begin`] started (or one holding the same point): step, ratio test,
    /// acceptance, radius update, and every convergence and failure test of the loop.
    /// Returns the iteration's record and the termination it caused, if any. Allocates nothing.
    pub fn iterate<M: Oracle + ?Sized>(
        &mut self,
        oracle: &mut M,
        state: &mut LoopState,
    ) -> (IterationInfo, Option<Termination>) {
        let opts = &self.options;
        let tol = &opts.tolerances;
        let ropts = &opts.radius;
        // The step solver's per-point work runs once per accepted point, before its first trial.
        if !state.prepared {
            self.step.prepare(oracle.as_model());
            state.prepared = true;
            // MINPACK's initial radius `factor ||D x0||`, in the norm the step solver prepared
            // at the start point.
            if let (0, Some(factor)) = (state.iterations, ropts.initial_factor) {
                let x0_norm = self.step.region_norm(&state.x).unwrap_or_else(|| crate::linalg::norm(&state.x));
                let r = if x0_norm > 0.0 && x0_norm.is_finite() { factor * x0_norm } else { factor };
                state.radius = r.min(ropts.max_radius);
            }
        }
        state.iterations += 1;
        let LoopState { x, x_trial, s, radius, .. } = state;
        let info = self.step.solve(oracle.as_model(), *radius, s);
        state.inner_iterations += info.inner_iterations;
        state.factorizations += info.factorizations;
        let pred = oracle.predicted_reduction(s).unwrap_or(info.predicted_reduction);
        let step_inf = add_norm_inf(x, s, x_trial);
        let f = oracle.value();
        // A zero or non-finite step, or a NaN prediction, is the step solver's failure (for
        // example non-finite Hessian products, or a model whose scale overflows its inner
        // products): `f` is not evaluated, the step is not accepted and the radius shrinks.
        let step_failed = !(step_inf > 0.0 && step_inf.is_finite()) || pred.is_nan();
        let f_trial = if step_failed { f64::NAN } else { oracle.trial_value(x_trial) };
        let ared = f - f_trial;
        // A step too small to change any component of `x` (its length is below the spacing
        // of doubles at `x`) is not a step either: accepting it would change nothing.
        let null_step = !step_failed && ared == 0.0 && x_trial[..] == x[..];
        if step_failed || null_step {
            state.failed_steps += 1;
        } else {
            state.failed_steps = 0;
        }
        let mut rho = if step_failed || null_step { f64::NEG_INFINITY } else { ropts.ratio(ared, pred, f) };
        // `f` did not change at all (its resolution at this point is coarser than the
        // predicted decrease, as for a sum of many terms that cancel): the ratio cannot decide.
        // Accepting cannot increase `f`, so the gradient decides: the step is taken (as in
        // agreement with the model) when it reduces `||g||_inf`.
        if ared == 0.0 && pred > 0.0 && !(rho > ropts.accept) {
            if let Some(g_trial) = oracle.trial_gradient_inf(x_trial) {
                if g_trial < state.grad_inf {
                    rho = 1.0;
                }
            }
        }
        let mut accepted = false;
        let mut model_broken = false;
        let grad_before = state.grad_inf;
        if step_failed || null_step {
            // Counted in `failed_steps` above.
        } else if !f_trial.is_finite() {
            state.non_finite += 1;
        } else if rho > ropts.accept {
            // An accepted step that increases `f` (within the round-off guard) leaves the
            // current point as the best one seen: keep it for the report.
            if f_trial > f && !state.best.saved {
                state.best.save(x, oracle.gradient(), f, state.grad_inf);
            }
            match oracle.accept(x_trial, f_trial) {
                Acceptance::Accepted => accepted = true,
                Acceptance::NonFiniteGradient => state.non_finite += 1,
                Acceptance::NonFiniteCurvature => {
                    accepted = true;
                    model_broken = true;
                }
            }
        }
        if accepted {
            state.non_finite = 0;
            state.accepted_steps += 1;
            if state.best.saved && f_trial < state.best.f {
                state.best.saved = false;
            }
            std::mem::swap(x, x_trial);
            state.x_inf_bound += step_inf;
            state.grad_inf = norm_inf(oracle.gradient());
            state.prepared = false;
        } else if !null_step && f_trial.is_finite() && !(rho > ropts.accept) && oracle.reject(x_trial, f_trial) {
            // The model learned from the rejected trial (SR1): the step solver prepares again.
            state.prepared = false;
        }
        // A step that was rejected for non-finite values (or that failed) shrinks like a bad
        // ratio.
        let rho_update = if accepted || f_trial.is_finite() { rho } else { f64::NEG_INFINITY };
        let trial_radius = state.radius;
        let trial = RadiusTrial {
            ratio: rho_update,
            accepted,
            // A failed step shrinks from the radius alone (its length means nothing).
            step_norm: if step_failed { state.radius } else { info.step_norm },
            hits_boundary: info.hits_boundary,
            may_grow: true,
        };
        state.radius = ropts.update(state.radius, &trial);
        let grad_inf = state.grad_inf;

        let record = IterationInfo {
            iteration: state.iterations,
            f: oracle.value(),
            grad_inf,
            radius: trial_radius,
            step_norm: info.step_norm,
            actual_reduction: ared,
            predicted_reduction: pred,
            ratio: rho,
            accepted,
            hits_boundary: info.hits_boundary,
            step_status: info.status,
            inner_iterations: info.inner_iterations,
        };

        let ended = 'tests: {
            if model_broken {
                break 'tests Some(Termination::NonFiniteModel { iteration: state.iterations });
            }
            // The model's minimizer is inside the region and is the current point to the
            // last bit: no representable progress is left.
            if null_step && !info.hits_boundary && info.status == StepStatus::Interior {
                break 'tests Some(Termination::RoundOffLimit { grad_inf, predicted_reduction: pred });
            }
            if accepted {
                if let Some(t) = gradient_test(tol, grad_inf, state.grad0_inf, oracle) {
                    break 'tests Some(t);
                }
                if tol.ftol > 0.0 && ared >= 0.0 && ared <= tol.ftol * oracle.value().abs() {
                    break 'tests Some(Termination::FunctionTolerance { actual_reduction: ared, ftol: tol.ftol });
                }
                if tol.xtol > 0.0 && step_inf <= tol.xtol * (tol.xtol + norm_inf(&state.x)) {
                    break 'tests Some(Termination::StepTolerance { step_inf, xtol: tol.xtol });
                }
                // The model's own minimizer is inside the region and promises only round-off,
                // and the step did not reduce the gradient either: no representable progress
                // is left. (While the gradient still falls, `f` is only too coarse to show the
                // progress, as for a large constant offset in `f`, and the run goes on.)
                if ropts.negligible(ared, pred, f)
                    && !info.hits_boundary
                    && info.status == StepStatus::Interior
                    && !(grad_inf < grad_before)
                    && oracle.round_off_ends_run()
                {
                    break 'tests Some(Termination::RoundOffLimit { grad_inf, predicted_reduction: pred });
                }
            }
            if state.non_finite >= opts.max_non_finite {
                break 'tests Some(Termination::NonFinite { consecutive: state.non_finite });
            }
            if state.failed_steps >= opts.max_non_finite {
                break 'tests Some(Termination::StepFailed { consecutive: state.failed_steps });
            }
            let min_radius = ropts.min_radius.unwrap_or_else(|| {
                // The default is eps ||x||_inf; the bound (with a factor 2 for its own rounding)
                // shows when it cannot matter yet, which saves a pass over x.
                let floor = f64::MIN_POSITIVE.sqrt();
                if state.radius > 2.0 * f64::EPSILON * state.x_inf_bound.max(floor) {
                    return 0.0;
                }
                state.x_inf_bound = norm_inf(&state.x);
                f64::EPSILON * state.x_inf_bound.max(floor)
            });
            if state.radius <= min_radius {
                break 'tests Some(Termination::RadiusTooSmall { radius: state.radius, grad_inf });
            }
            None
        };
        (record, ended)
    }
}

/// The state of a step-wise run between iterations ([`TrustRegion::begin`],
/// [`TrustRegion::iterate`]): the current point, the radius and the counters that
/// [`TrustRegion::solve`] puts in its [`Report`].
#[derive(Clone, Debug)]
pub struct LoopState {
    /// Current (best) point.
    pub x: Vec<f64>,
    /// Current radius.
    pub radius: f64,
    /// `||g||_inf` at the start point.
    pub grad0_inf: f64,
    /// `||g||_inf` at the current point.
    pub grad_inf: f64,
    /// Iterations (trial steps) so far.
    pub iterations: usize,
    /// Accepted steps so far.
    pub accepted_steps: usize,
    /// Inner iterations of the step solver so far.
    pub inner_iterations: usize,
    /// Factorizations of the step solver so far.
    pub factorizations: usize,
    /// Consecutive trial points with non-finite values.
    pub non_finite: usize,
    /// Consecutive trials where the step solver gave no usable step (zero, non-finite, or a
    /// NaN predicted reduction).
    pub failed_steps: usize,
    /// The best point seen, when an accepted step (within the round-off guard) increased `f`.
    best: BestPoint,
    x_trial: Vec<f64>,
    s: Vec<f64>,
    /// Whether the step solver has prepared the current point.
    prepared: bool,
    /// An upper bound on `||x||_inf`: exact after each evaluation, then grown by
    /// `||s||_inf` per accepted step, so that the default `min_radius` test reads `x` only
    /// when the radius comes near it.
    x_inf_bound: f64,
}

/// A copy of the best point seen, taken only when an accepted step increases `f` (the
/// round-off guard accepts changes of `f` at the level of its rounding errors, and many such
/// steps can add up): the report then returns the best point, not the last one.
#[derive(Clone, Debug, Default)]
struct BestPoint {
    /// Whether `x`, `g`, `f` hold a point better than the current one.
    saved: bool,
    x: Vec<f64>,
    g: Vec<f64>,
    f: f64,
    grad_inf: f64,
}

impl BestPoint {
    /// Saves a copy (allocates on first use only).
    fn save(&mut self, x: &[f64], g: &[f64], f: f64, grad_inf: f64) {
        self.x.clear();
        self.x.extend_from_slice(x);
        self.g.clear();
        self.g.extend_from_slice(g);
        self.f = f;
        self.grad_inf = grad_inf;
        self.saved = true;
    }
}

impl LoopState {
    /// The best point seen if it is better than the current one: `(x, gradient, f,
    /// ||g||_inf)`.
    pub(crate) fn best_point(&self, f_current: f64) -> Option<(&[f64], &[f64], f64, f64)> {
        let b = &self.best;
        (b.saved && b.f < f_current).then_some((&b.x[..], &b.g[..], b.f, b.grad_inf))
    }
}

/// The gradient tests of [`Tolerances`] at the current point, in order: `gtol`, `grtol`, then
/// (asking the model, only when on) MINPACK's cosine `gtol_cosine`.
fn gradient_test<M: Oracle + ?Sized>(
    tol: &Tolerances,
    grad_inf: f64,
    grad0_inf: f64,
    oracle: &mut M,
) -> Option<Termination> {
    if grad_inf <= tol.gtol {
        return Some(Termination::GradientTolerance { grad_inf, gtol: tol.gtol });
    }
    if tol.grtol > 0.0 && grad_inf <= tol.grtol * grad0_inf {
        return Some(Termination::RelativeGradientTolerance { grad_inf, grad0_inf, grtol: tol.grtol });
    }
    if tol.gtol_cosine > 0.0 {
        // `begin` refused a model without a cosine; NaN (a non-finite norm) never passes.
        let cosine = oracle.gradient_cosine().unwrap_or(f64::NAN);
        if cosine <= tol.gtol_cosine {
            return Some(Termination::GradientCosineTolerance { cosine, gtol_cosine: tol.gtol_cosine });
        }
    }
    None
}
