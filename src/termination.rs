//! Limits shared by every loop ([`Limits`]), the stopping tolerances of the Newton /
//! Gauss-Newton loop ([`Tolerances`]) and the typed outcome of a run ([`Termination`]).
//!
//! Every run ends with exactly one [`Termination`]; its [`TerminationClass`] says whether the
//! point is a solution to the requested tolerance (`Converged`), a limit or the user ended the
//! run (`Stopped`), or the method could make no further progress (`Failed`). The numbers that
//! triggered the decision travel with the variant.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// The three kinds of outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum TerminationClass {
    /// A convergence test passed.
    Converged,
    /// A limit was reached or the observer asked to stop.
    Stopped,
    /// The method could not make progress.
    Failed,
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum Termination {
    /// `||g||_inf <= gtol` (absolute).
    GradientTolerance {
        /// Final `||g||_inf`.
        grad_inf: f64,
        /// The tolerance.
        gtol: f64,
    },
    /// `||g||_inf <= grtol * ||g0||_inf` (relative to the start).
    RelativeGradientTolerance {
        /// Final `||g||_inf`.
        grad_inf: f64,
        /// `||g0||_inf` at the start point.
        grad0_inf: f64,
        /// The relative tolerance.
        grtol: f64,
    },
    /// MINPACK's scale-free gradient test (a least-squares model only):
    /// `max_j |(J'r)_j| / (||J e_j|| ||r||) <= gtol_cosine`, the largest cosine of the angle
    /// between the residual vector and a column of the Jacobian (More, Garbow & Hillstrom 1980,
    /// `lmder`'s `gtol`; [`Tolerances::gtol_cosine`]).
    GradientCosineTolerance {
        /// Final `max_j |(J'r)_j| / (||J e_j|| ||r||)` (0 when `r = 0`).
        cosine: f64,
        /// The tolerance.
        gtol_cosine: f64,
    },
    /// An accepted step changed `f` by at most `ftol * |f|`.
    FunctionTolerance {
        /// `f_old - f_new` of the last accepted step.
        actual_reduction: f64,
        /// The tolerance.
        ftol: f64,
    },
    /// An accepted step had `||s||_inf <= xtol * (xtol + ||x||_inf)`.
    StepTolerance {
        /// `||s||_inf` of the last accepted step.
        step_inf: f64,
        /// The tolerance.
        xtol: f64,
    },
    /// The model's own minimizer lies inside the region and both the predicted and the actual
    /// reduction of the last accepted step are below the rounding level of `f`
    /// (`10 eps (1 + |f|)`): no further progress is representable with this model.
    RoundOffLimit {
        /// `||g||_inf` at the final point.
        grad_inf: f64,
        /// Predicted reduction of the last step.
        predicted_reduction: f64,
    },
    /// The iteration limit was reached.
    MaxIterations {
        /// The limit.
        limit: usize,
    },
    /// The objective-evaluation limit was reached.
    MaxEvaluations {
        /// The limit.
        limit: usize,
    },
    /// The wall-clock limit was reached.
    MaxTime {
        /// Time used.
        elapsed: Duration,
    },
    /// The observer returned `ControlFlow::Break`.
    UserStopped {
        /// Iteration at which the observer stopped the run.
        iteration: usize,
    },
    /// The radius fell below `min_radius` after rejected steps: no step of a trustworthy size
    /// decreases `f` (often round-off near a solution when `gtol` is too strict).
    RadiusTooSmall {
        /// The radius.
        radius: f64,
        /// `||g||_inf` at the best point.
        grad_inf: f64,
    },
    /// Too many consecutive trial points with a non-finite value or gradient.
    NonFinite {
        /// Consecutive non-finite trials.
        consecutive: usize,
    },
    /// The model is unusable at an accepted point (non-finite Hessian or `J'r`).
    NonFiniteModel {
        /// Iteration at which it happened.
        iteration: usize,
    },
    /// Too many consecutive trials where the step solver gave no usable step (a zero or
    /// non-finite step, or a NaN predicted reduction) although the gradient test had not
    /// passed: typically non-finite Hessian products, or a model so badly scaled that the
    /// solver's inner products overflow or underflow (`||g|| > 1e154` or `< 1e-154`).
    StepFailed {
        /// Consecutive failed trials.
        consecutive: usize,
    },
}

impl Termination {
    /// Converged, stopped or failed.
    pub fn class(&self) -> TerminationClass {
        use Termination::*;
        match self {
            GradientTolerance { .. }
            | RelativeGradientTolerance { .. }
            | GradientCosineTolerance { .. }
            | FunctionTolerance { .. }
            | StepTolerance { .. }
            | RoundOffLimit { .. } => TerminationClass::Converged,
            MaxIterations { .. } | MaxEvaluations { .. } | MaxTime { .. } | UserStopped { .. } => {
                TerminationClass::Stopped
            }
            RadiusTooSmall { .. } | NonFinite { .. } | NonFiniteModel { .. } | StepFailed { .. } => {
                TerminationClass::Failed
            }
        }
    }

    /// Whether the class is [`TerminationClass::Converged`].
    pub fn converged(&self) -> bool {
        self.class() == TerminationClass::Converged
    }

    /// A stable snake-case name (used in tables, CSV and JSON).
    pub fn name(&self) -> &'static str {
        use Termination::*;
        match self {
            GradientTolerance { .. } => "gradient_tolerance",
            RelativeGradientTolerance { .. } => "relative_gradient_tolerance",
            GradientCosineTolerance { .. } => "gradient_cosine_tolerance",
            FunctionTolerance { .. } => "function_tolerance",
            StepTolerance { .. } => "step_tolerance",
            RoundOffLimit { .. } => "round_off_limit",
            MaxIterations { .. } => "max_iterations",
            MaxEvaluations { .. } => "max_evaluations",
            MaxTime { .. } => "max_time",
            UserStopped { .. } => "user_stopped",
            RadiusTooSmall { .. } => "radius_too_small",
            NonFinite { .. } => "non_finite",
            NonFiniteModel { .. } => "non_finite_model",
            StepFailed { .. } => "step_failed",
        }
    }
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Termination::*;
        match self {
            GradientTolerance { grad_inf, gtol } => {
                write!(f, "converged: ||g||_inf = {grad_inf:.3e} <= gtol = {gtol:.1e}")
            }
            RelativeGradientTolerance { grad_inf, grad0_inf, grtol } => {
                write!(f, "converged: ||g||_inf = {grad_inf:.3e} <= {grtol:.1e} * ||g0||_inf = {grad0_inf:.3e}")
            }
            GradientCosineTolerance { cosine, gtol_cosine } => {
                write!(
                    f,
                    "converged: max_j |(J'r)_j| / (||J e_j|| ||r||) = {cosine:.3e} <= gtol_cosine = {gtol_cosine:.1e}"
                )
            }
            FunctionTolerance { actual_reduction, ftol } => {
                write!(f, "converged: f changed by {actual_reduction:.3e}, relative tolerance {ftol:.1e}")
            }
            StepTolerance { step_inf, xtol } => {
                write!(f, "converged: step {step_inf:.3e}, relative tolerance {xtol:.1e}")
            }
            RoundOffLimit { grad_inf, predicted_reduction } => write!(
                f,
                "converged to round-off: predicted reduction {predicted_reduction:.3e}, ||g||_inf = {grad_inf:.3e}"
            ),
            MaxIterations { limit } => write!(f, "stopped: {limit} iterations"),
            MaxEvaluations { limit } => write!(f, "stopped: {limit} function evaluations"),
            MaxTime { elapsed } => write!(f, "stopped: time limit after {:.3} s", elapsed.as_secs_f64()),
            UserStopped { iteration } => write!(f, "stopped by the observer at iteration {iteration}"),
            RadiusTooSmall { radius, grad_inf } => {
                write!(f, "failed: radius {radius:.3e} too small, ||g||_inf = {grad_inf:.3e}")
            }
            NonFinite { consecutive } => write!(f, "failed: {consecutive} consecutive non-finite trial points"),
            NonFiniteModel { iteration } => write!(f, "failed: non-finite model at iteration {iteration}"),
            StepFailed { consecutive } => {
                write!(f, "failed: the step solver gave no usable step {consecutive} times in a row")
            }
        }
    }
}

/// The limits of a run, the same in every loop's options: iterations (trial steps), evaluations
/// of the objective (or of the residuals, finite-difference evaluations included; for the
/// Hessian-free loop, batch losses and gradients), wall-clock time.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum number of iterations (trial steps). Default `1000` (`100` in the Hessian-free
    /// loop's options, the reference's count).
    pub max_iterations: usize,
    /// Maximum number of objective (or residual) evaluations. Default `usize::MAX`.
    pub max_evaluations: usize,
    /// Wall-clock limit. Default `None`.
    pub max_time: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_iterations: 1000, max_evaluations: usize::MAX, max_time: None }
    }
}

/// Which limit of [`Limits`] ended a run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum LimitReached {
    /// The iteration limit.
    Iterations {
        /// The limit.
        limit: usize,
    },
    /// The evaluation limit.
    Evaluations {
        /// The limit.
        limit: usize,
    },
    /// The wall-clock limit.
    Time {
        /// Time used.
        elapsed: Duration,
    },
}

impl Limits {
    /// The limit reached after `iterations` iterations and `evaluations` evaluations, with the
    /// clock started at `started`, checked in this order (the clock is read only when
    /// `max_time` is set).
    pub fn reached(&self, iterations: usize, evaluations: usize, started: std::time::Instant) -> Option<LimitReached> {
        if iterations >= self.max_iterations {
            return Some(LimitReached::Iterations { limit: self.max_iterations });
        }
        self.evaluations_or_time(evaluations, started)
    }

    /// The evaluation and time limits alone (for drivers that count iterations themselves,
    /// such as the argmin adapter).
    pub fn evaluations_or_time(&self, evaluations: usize, started: std::time::Instant) -> Option<LimitReached> {
        if evaluations >= self.max_evaluations {
            return Some(LimitReached::Evaluations { limit: self.max_evaluations });
        }
        let limit = self.max_time?;
        let elapsed = started.elapsed();
        (elapsed >= limit).then_some(LimitReached::Time { elapsed })
    }
}

impl From<LimitReached> for Termination {
    fn from(l: LimitReached) -> Self {
        match l {
            LimitReached::Iterations { limit } => Termination::MaxIterations { limit },
            LimitReached::Evaluations { limit } => Termination::MaxEvaluations { limit },
            LimitReached::Time { elapsed } => Termination::MaxTime { elapsed },
        }
    }
}

/// Stopping tolerances of the Newton / Gauss-Newton loop.
///
/// MINPACK's `lmder` tolerances, for users coming from it (More 1978; More, Garbow &
/// Hillstrom 1980; the table in [`crate::subproblem::levenberg_marquardt`]): its `ftol` asks
/// both the actual and the predicted relative reduction of `||r||^2` to be below `ftol` (ours:
/// `ftol` on the actual reduction of an accepted step, relative to `f`); its `xtol` bounds the
/// radius relative to `||D x||` (ours: `xtol` on the step, relative to `||x||_inf`); its `gtol`
/// bounds the cosine `max_j |(J'r)_j| / (||J e_j|| ||r||)`: that is ours `gtol_cosine` (for
/// least-squares models), while our `gtol` is absolute on `||g||_inf` and `grtol` relative to
/// the start.
///
/// The gradient tests (`gtol`, `grtol`, `gtol_cosine`) are checked at the start point and
/// after every accepted step, in this order; `ftol` and `xtol` after every accepted step.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Tolerances {
    /// Absolute gradient tolerance: converged when `||g||_inf <= gtol`. Default `1e-6`.
    pub gtol: f64,
    /// Relative gradient tolerance: converged when `||g||_inf <= grtol ||g0||_inf`.
    /// Default `0` (off).
    pub grtol: f64,
    /// MINPACK's scale-free gradient tolerance (`lmder`'s `gtol`, More, Garbow & Hillstrom
    /// 1980, sec. 2): converged ([`Termination::GradientCosineTolerance`]) when
    ///
    /// `max_j |(J'r)_j| / (||J e_j|| ||r||) <= gtol_cosine`,
    ///
    /// the largest cosine of the angle between the residuals `r` and a column `J e_j` of the
    /// Jacobian at the current point (columns with `||J e_j|| = 0` are skipped, and `r = 0`
    /// gives 0, as in MINPACK). The cosine does not change when the residuals or a variable
    /// are rescaled, and it does not depend on the start, unlike `gtol` and `grtol`. It is 0
    /// at a stationary point, and at most 1 anywhere (Cauchy-Schwarz), so a value near the
    /// rounding level (`1e-15`) asks for stationarity to working accuracy (MINPACK's `lmder1`
    /// passes 0, leaving the test to round-off). With a robust loss it is computed from the corrected `J` and `r`
    /// ([`crate::model::loss`]), whose product is the gradient.
    /// Needs a model that exposes `J` and `r` ([`crate::model::Oracle::gradient_cosine`]: the
    /// Gauss-Newton models, dense or sparse Jacobian): with any other model a positive value
    /// is a [`crate::SetupError::InvalidOption`]. Costs one pass over `J` per accepted point
    /// when on. Default `0` (off).
    pub gtol_cosine: f64,
    /// Relative function-change tolerance: converged when an accepted step has
    /// `0 <= f_old - f_new <= ftol |f_new|`. Default `0` (off); `1e-15` stops once an accepted
    /// step changes `f` only in its last bits.
    pub ftol: f64,
    /// Relative step tolerance: converged when an accepted step has
    /// `||s||_inf <= xtol (xtol + ||x||_inf)` (MINPACK's form). Default `0` (off).
    pub xtol: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Self { gtol: 1e-6, grtol: 0.0, gtol_cosine: 0.0, ftol: 0.0, xtol: 0.0 }
    }
}

impl Tolerances {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), crate::error::SetupError> {
        use crate::error::SetupError::InvalidOption;
        let nonneg = |name, v: f64| {
            if !(v >= 0.0 && v.is_finite()) {
                Err(InvalidOption { name, value: v, reason: "must be finite and >= 0" })
            } else {
                Ok(())
            }
        };
        nonneg("gtol", self.gtol)?;
        nonneg("grtol", self.grtol)?;
        nonneg("gtol_cosine", self.gtol_cosine)?;
        nonneg("ftol", self.ftol)?;
        nonneg("xtol", self.xtol)?;
        Ok(())
    }
}
