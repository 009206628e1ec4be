//! The trust-region loop for unconstrained minimization (Newton model) and nonlinear least
//! squares (Gauss-Newton model).
//!
//! At the iterate `x_k` with value `f_k`, gradient `g_k` and model Hessian `B_k`
//! (`B = H(x)` for Newton, `B = J'J` for Gauss-Newton), one iteration:
//! 1. computes a trial step `s` that approximately minimizes
//!    `m_k(s) = f_k + g_k's + s'B_k s/2` subject to `||s|| <= radius_k` (a [`StepSolver`]);
//! 2. evaluates `f(x_k + s)` and the ratio `rho = (f_k - f(x_k + s)) / (m_k(0) - m_k(s))`
//!    (see [`crate::radius`] for the round-off guard);
//! 3. accepts the step when `rho > eta0`, and updates the radius from `rho` and whether the step
//!    hit the boundary.
//!
//! This is Algorithm 6.1.1 of Conn, Gould & Toint (2000) and Algorithm 4.1 of Nocedal & Wright
//! (2006). A rejected step reuses everything computed at `x_k` (the step solver's `prepare`
//! runs once per accepted point; the More-Sorensen solver keeps its factorization data).
//!
//! Non-finite values at a trial point (value, gradient or Jacobian) reject the step and shrink
//! the radius; after `max_non_finite` consecutive such trials the run ends with
//! [`Termination::NonFinite`]. The loop never panics on user values, and the returned point is
//! always the best one found (accepted steps never increase `f` beyond round-off).
//!
//! References:
//! 1. A. R. Conn, N. I. M. Gould, Ph. L. Toint, Trust-Region Methods, SIAM (2000), ch. 6.
//! 2. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), ch. 4 and 10.

use std::ops::ControlFlow;
use std::time::Instant;

use crate::error::SetupError;
use crate::linalg::norm_inf;
use crate::model::{
    Acceptance, GaussNewtonDense, GaussNewtonSparse, NewtonDense, NewtonProducts, NewtonSparse, Oracle,
};
use crate::observe::Observer;
use crate::problem::{DenseHessian, DenseJacobian, HessianProduct, SparseHessian, SparseJacobian};
use crate::radius::{self, RadiusOptions};
use crate::report::{IterationInfo, Report};
use crate::subproblem::{StepSolver, StepStatus};
use crate::termination::{Termination, Tolerances};

/// Options of the trust-region loop.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Stopping tolerances and limits.
    pub tolerances: Tolerances,
    /// Radius and acceptance parameters.
    pub radius: RadiusOptions,
    /// Consecutive trial points with non-finite values tolerated before the run fails.
    /// Default `30` (each one shrinks the radius by `radius.shrink`, so 30 trials cover
    /// 18 orders of magnitude of the radius).
    pub max_non_finite: usize,
    /// Keep an [`IterationInfo`] per iteration in [`Report::history`]. Default `false`.
    pub keep_history: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            tolerances: Tolerances::default(),
            radius: RadiusOptions::default(),
            max_non_finite: 30,
            keep_history: false,
        }
    }
}

impl Options {
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
pub struct TrustRegion<S> {
    /// Loop options.
    pub options: Options,
    /// The step solver.
    pub step: S,
}

impl<S: StepSolver> TrustRegion<S> {
    /// The method with default options.
    pub fn new(step: S) -> Self {
        Self { options: Options::default(), step }
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Minimizes `f` using Hessian-vector products (for `steihaug` and `cauchy`).
    pub fn minimize<P: HessianProduct + ?Sized>(&mut self, problem: &P, x0: &[f64]) -> Result<Report, SetupError> {
        self.run(&mut NewtonProducts::new(problem), x0, &mut ())
    }

    /// Minimizes `f` using its dense Hessian (every step solver).
    pub fn minimize_dense<P: DenseHessian + ?Sized>(&mut self, problem: &P, x0: &[f64]) -> Result<Report, SetupError> {
        self.run(&mut NewtonDense::new(problem), x0, &mut ())
    }

    /// Minimizes `f` using its sparse Hessian (matrix-free step solvers, and the sparse
    /// More-Sorensen step).
    pub fn minimize_sparse<P: SparseHessian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &[f64],
    ) -> Result<Report, SetupError> {
        self.run(&mut NewtonSparse::new(problem), x0, &mut ())
    }

    /// Solves `min ||r(x)||^2 / 2` with the Gauss-Newton model and a dense Jacobian.
    pub fn least_squares<P: DenseJacobian + ?Sized>(&mut self, problem: &P, x0: &[f64]) -> Result<Report, SetupError> {
        self.run(&mut GaussNewtonDense::new(problem), x0, &mut ())
    }

    /// Solves `min ||r(x)||^2 / 2` with the Gauss-Newton model and a sparse Jacobian.
    pub fn least_squares_sparse<P: SparseJacobian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &[f64],
    ) -> Result<Report, SetupError> {
        self.run(&mut GaussNewtonSparse::new(problem), x0, &mut ())
    }

    /// The loop itself, on any [`Oracle`], with an [`Observer`].
    pub fn run<O: Oracle + ?Sized>(
        &mut self,
        oracle: &mut O,
        x0: &[f64],
        observer: &mut dyn Observer,
    ) -> Result<Report, SetupError> {
        let opts = &self.options;
        opts.validate()?;
        self.step.validate()?;
        let started = Instant::now();
        oracle.start(x0, self.step.needs())?;
        let n = x0.len();
        let tol = &opts.tolerances;
        let ropts = &opts.radius;

        self.step.initialize(n);
        let mut x = x0.to_vec();
        let mut x_trial = vec![0.0; n];
        let mut s = vec![0.0; n];
        let mut history = Vec::new();
        let mut radius = ropts.initial_radius();
        let grad0_inf = norm_inf(oracle.gradient());
        let mut grad_inf = grad0_inf;
        let mut iterations = 0usize;
        let mut accepted_steps = 0usize;
        let mut inner = 0usize;
        let mut factorizations = 0usize;
        let mut non_finite = 0usize;

        let termination = 'outer: {
            if let Some(t) = gradient_test(tol, grad_inf, grad0_inf) {
                break 'outer t;
            }
            self.step.prepare(oracle.as_model());
            loop {
                if iterations >= tol.max_iterations {
                    break 'outer Termination::MaxIterations { limit: tol.max_iterations };
                }
                if oracle.evaluations().f >= tol.max_evaluations {
                    break 'outer Termination::MaxEvaluations { limit: tol.max_evaluations };
                }
                if let Some(limit) = tol.max_time {
                    let elapsed = started.elapsed();
                    if elapsed >= limit {
                        break 'outer Termination::MaxTime { elapsed };
                    }
                }
                iterations += 1;
                let info = self.step.solve(oracle.as_model(), radius, &mut s);
                inner += info.inner_iterations;
                factorizations += info.factorizations;
                let pred = oracle.predicted_reduction(&s).unwrap_or(info.predicted_reduction);
                for ((xt, xi), si) in x_trial.iter_mut().zip(&x).zip(&s) {
                    *xt = xi + si;
                }
                let f = oracle.value();
                let f_trial = oracle.trial_value(&x_trial);
                let ared = f - f_trial;
                let rho = radius::ratio(ared, pred, f);
                let mut accepted = false;
                let mut model_broken = false;
                if !f_trial.is_finite() {
                    non_finite += 1;
                } else if rho > ropts.accept {
                    match oracle.accept(&x_trial, f_trial) {
                        Acceptance::Accepted => accepted = true,
                        Acceptance::NonFiniteGradient => non_finite += 1,
                        Acceptance::NonFiniteCurvature => {
                            accepted = true;
                            model_broken = true;
                        }
                    }
                }
                let step_inf = norm_inf(&s);
                if accepted {
                    non_finite = 0;
                    accepted_steps += 1;
                    std::mem::swap(&mut x, &mut x_trial);
                    grad_inf = norm_inf(oracle.gradient());
                }
                // A step that was rejected for non-finite values shrinks like a bad ratio.
                let rho_update = if accepted || f_trial.is_finite() { rho } else { f64::NEG_INFINITY };
                radius = radius::update(ropts, radius, rho_update, info.step_norm, info.hits_boundary);

                let record = IterationInfo {
                    iteration: iterations,
                    f: oracle.value(),
                    grad_inf,
                    radius,
                    step_norm: info.step_norm,
                    actual_reduction: ared,
                    predicted_reduction: pred,
                    ratio: rho,
                    accepted,
                    hits_boundary: info.hits_boundary,
                    step_status: info.status,
                    inner_iterations: info.inner_iterations,
                };
                if opts.keep_history {
                    history.push(record);
                }
                let user_stop = matches!(observer.observe(&record), ControlFlow::Break(()));

                if model_broken {
                    break 'outer Termination::NonFiniteModel { iteration: iterations };
                }
                if accepted {
                    if let Some(t) = gradient_test(tol, grad_inf, grad0_inf) {
                        break 'outer t;
                    }
                    if tol.ftol > 0.0 && ared >= 0.0 && ared <= tol.ftol * oracle.value().abs() {
                        break 'outer Termination::FunctionTolerance { actual_reduction: ared, ftol: tol.ftol };
                    }
                    if tol.xtol > 0.0 && step_inf <= tol.xtol * (tol.xtol + norm_inf(&x)) {
                        break 'outer Termination::StepTolerance { step_inf, xtol: tol.xtol };
                    }
                    // The model's own minimizer is inside the region and promises only round-off:
                    // no representable progress is left.
                    if radius::negligible(ared, pred, f) && !info.hits_boundary && info.status == StepStatus::Interior {
                        break 'outer Termination::RoundOffLimit { grad_inf, predicted_reduction: pred };
                    }
                }
                if non_finite >= opts.max_non_finite {
                    break 'outer Termination::NonFinite { consecutive: non_finite };
                }
                let min_radius =
                    ropts.min_radius.unwrap_or_else(|| f64::EPSILON * norm_inf(&x).max(f64::MIN_POSITIVE.sqrt()));
                if radius <= min_radius {
                    break 'outer Termination::RadiusTooSmall { radius, grad_inf };
                }
                if user_stop {
                    break 'outer Termination::UserStopped { iteration: iterations };
                }
                if accepted {
                    self.step.prepare(oracle.as_model());
                }
            }
        };

        Ok(Report {
            f: oracle.value(),
            gradient: oracle.gradient().to_vec(),
            grad_inf,
            x,
            termination,
            iterations,
            accepted_steps,
            inner_iterations: inner,
            factorizations,
            symbolic_analyses: self.step.symbolic_analyses(),
            evaluations: oracle.evaluations(),
            radius,
            elapsed: started.elapsed(),
            history,
        })
    }
}

fn gradient_test(tol: &Tolerances, grad_inf: f64, grad0_inf: f64) -> Option<Termination> {
    if grad_inf <= tol.gtol {
        return Some(Termination::GradientTolerance { grad_inf, gtol: tol.gtol });
    }
    if tol.grtol > 0.0 && grad_inf <= tol.grtol * grad0_inf {
        return Some(Termination::RelativeGradientTolerance { grad_inf, grad0_inf, grtol: tol.grtol });
    }
    None
}
