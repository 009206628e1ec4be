//! The scaled interior trust-region loop for bound-constrained nonlinear systems and
//! rectangular least squares in a box.
//!
//! The problem: find `x` with `F(x) = 0`, `F: R^n -> R^n`, in the box `l <= x <= u` (bounds
//! may be infinite), through the merit `f(x) = ||F(x)||^2 / 2`, `g = J'F`; or, for
//! `F: R^n -> R^m` with `m != n`, minimize the merit in the box (`m > n`: nonlinear least
//! squares; `m < n`: an underdetermined system, usually with zero residual). Every iterate
//! lies strictly inside the box. For `m != n` (and for a singular square `J`) the Newton step
//! of (E3) is the Gauss-Newton step `argmin ||F + J s||` ([`crate::subproblem::affine_dogleg`]);
//! everything else (scalings, Cauchy step along `-D g`, step rules, step-back, ratio, radius)
//! is the same, as in SciPy's `least_squares(method='trf')` (Branch, Coleman & Li \[4\]).
//!
//! The trial step at an iterate (the region (E1), the generalized Cauchy step (E2), the
//! Newton step (E3), the predicted reductions (E4), the STRSCNE dogleg (E5, E6) and the CoDoSol
//! constrained dogleg (E7, E8), the adaptive choice of the scaling) is the step solver
//! [`crate::subproblem::affine_dogleg`]; `J` is held by a Jacobian store
//! ([`crate::model::jacobian`]: the user's dense or sparse Jacobian, or finite differences).
//! This loop evaluates `F` at the trial point, decides, and moves:
//!
//! (E9) Ratio and radius [1, 2]: `rho = ared / pred` for the rule's merit. A step is accepted
//! when `rho >= 0.25` and the merit does not increase. On rejection
//! `radius <- min(0.25 radius, 0.5 ||p||_T)` and only the Cauchy and dogleg parts are recomputed
//! (never `s_N`). On `rho > 0.75` (for the dogleg rule only when the safeguard (E6) did not
//! fire) `radius <- max(radius, 2 ||p||_T)`. Round-off guard: when `|ared|` and `|pred|` are
//! both below `10 eps merit`, `rho = 1` (the difference is noise).
//!
//! (E10) Termination ([`SystemTermination`]): a root (zero residual) when
//! `||F|| <= atol + rtol ||F(x0)||`; a stationary point of the merit, which for `m > n` is the
//! solution of the least-squares problem ([`SystemTermination::Stationary`], converged) and for
//! `m <= n` a point that is not a root ([`SystemTermination::StationaryNotRoot`], failed), when
//! `||D g|| <= stationary_tol ||F|| ||J||_F` at an accepted point, or
//! `||D g|| <= stationary_tol_stalled ||F|| ||J||_F` when the run stalls
//! (`D^{1/2} g = 0` and `D g = 0` characterize the same points; `||D g|| / (||F|| ||J||)` is
//! invariant to scaling `F` (`g = J'F` scales with its square), and in floating point reaches
//! `eps |bound|` at a stationary point on the
//! boundary, where `||D^{1/2} g||` stalls at `sqrt(eps |bound|) |g|`; at an interior minimizer
//! of the merit with `F != 0` the merit is flat to round-off within `O(sqrt(eps))`, hence the
//! looser tolerance once no progress is representable); the radius below `min_radius`
//! (default `sqrt(eps)`, \[2\]); no representable progress; limits; too many consecutive
//! non-finite trial values.
//!
//! (E11) Initial radius ([`InitialRadius`]): `1` ([`InitialRadius::Fixed`] with
//! [`RadiusOptions::interior`], STRSCNE and CoDoSol), or SciPy trf's rule
//! ([`InitialRadius::StartNorm`]): `||x0||_T`, the start's norm in the region's metric at the
//! start (`||D^{-1/2} x0||` for the elliptical region), or 1 when that is zero. Measured on the
//! bounded-systems suite of `trust-region-problems` (2210 runs, `trsuite --suite systems
//! --system-initial-radius fixed|start-norm`): fixed 1807 successes and 264,518 evaluations of
//! `F`, start-norm 1770 and 305,481 (on the 1751 runs both solve 23,380 against 23,887): the
//! default stays [`InitialRadius::Fixed`].
//!
//! (E12) Robust losses ([`InteriorOptions::loss`], for `m > n` fits with outliers): the merit
//! becomes the robust cost `f(x) = (1/2) sum_i rho_c(F_i(x)^2)` of [`crate::model::loss`] and
//! everything above is applied to the corrected residuals and Jacobian `r~ = a o F`,
//! `J~ = diag(b) J` ([`InteriorOptions::correction`]), whose Gauss-Newton model
//! `||r~ + J~ p||^2 / 2` has the cost's gradient `g = J~'r~ = J'(rho' o F)` and a positive
//! curvature per residual, as SciPy's `trf` does with a `loss`. The ratio (E9) compares the
//! model's reduction with the actual reduction of the cost (for the constrained dogleg rule,
//! of its level `phi = sqrt(2 f)`, with `pred = phi - sqrt(phi^2 - 2 pred_2)`); the scalings,
//! the stationarity measure (E10, `||D g|| / (phi ||J||_F)` with the uncorrected `J`) and the
//! step rules see only `r~` and `J~`. The root test keeps `||F||` (a zero residual is a root for every loss);
//! the report's `f` and the records' `merit` are the robust cost, `residuals` is `F`. The
//! corrected copy of `J` is the one extra `m x n` (or `nnz`) buffer, allocated before the loop.
//! The default correction is [`Correction::Triggs`] here too, by measurement
//! (`cargo run --release --example loss_corrections`, an unbounded box, the fits of
//! [`crate::model::loss`]'s table; successes W = SciPy's weights / T = Triggs, iterations
//! summed over the fits both solved): curve fit, 8 seeds: 8 / 8 on every loss, iterations
//! soft_l1 116 / 96, huber 116 / 72, cauchy 115 / 115, arctan 111 / 114; the 21 MGH problems
//! with 10% outliers, 8 seeds (168 fits per loss): soft_l1 127 / 136 (8309 / 7493 iterations),
//! huber 125 / 142 (8044 / 6399), cauchy 134 / 135 (4175 / 4019), arctan 134 / 139
//! (3690 / 1913).
//!
//! Start point: outside the closed box is a [`SetupError::StartOutsideBounds`]; a component
//! on a bound is moved inside by the rule of IPOPT [3, sec. 3.6]:
//! `x_i = l_i + min(kappa max(1, |l_i|), kappa (u_i - l_i))` (and symmetrically at `u_i`),
//! `kappa = bound_push = 1e-2`, falling back to the midpoint when that rounds onto the bound.
//!
//! Non-finite `F` at a trial point rejects it and shrinks the radius like a bad ratio; a
//! non-finite Jacobian at an otherwise acceptable trial point rejects it too (the store keeps
//! `J` of the current point). After `max_non_finite` consecutive such trials the run ends with
//! [`SystemTermination::NonFinite`]. The library never panics on user values.
//!
//! Buffers live in the store, the step solver and the loop, allocated before the loop: the
//! loop itself allocates nothing (except history records when `keep_history` is set, and
//! rayon's own bookkeeping in the sparse finite-difference Jacobian).
//!
//! References:
//! 1. S. Bellavia, M. Macconi, B. Morini, An affine scaling trust-region approach to
//!    bound-constrained nonlinear systems, Appl. Numer. Math. 44 (2003) 257-280 (STRSCNE).
//! 2. S. Bellavia, M. Macconi, S. Pieraccini, Constrained dogleg methods for nonlinear systems
//!    with simple bounds, Comput. Optim. Appl. 53 (2012) 771-794 (CoDoSol).
//! 3. A. Waechter, L. T. Biegler, On the implementation of an interior-point filter line-search
//!    algorithm for large-scale nonlinear programming, Math. Program. 106 (2006) 25-57.
//! 4. M. A. Branch, T. F. Coleman, Y. Li, A subspace, interior, and conjugate gradient method
//!    for large-scale bound-constrained minimization problems, SIAM J. Sci. Comput. 21 (1999)
//!    1-23.

use std::fmt;
use std::ops::ControlFlow;
use std::time::Instant;

use serde::Serialize;

use crate::error::SetupError;
use crate::linalg::{all_finite, norm, norm_inf};
use crate::model::jacobian::{check_sorted_rows, DenseStore, JacobianRef, JacobianStore, ResidualStore};
use crate::model::loss::{CorrectedJacobian, Correction, Loss};
use crate::observe::Observer;
use crate::problem::{Bounds, DenseJacobian};
use crate::radius::{RadiusOptions, RadiusTrial};
use crate::report::{Outcome, Report};
use crate::scaling::{ScaleMember, Scaling};
use crate::step::Evaluations;
use crate::subproblem::affine_dogleg::{AffineDogleg, AffineDoglegOptions};
pub use crate::subproblem::affine_dogleg::{LinearSolver, Region, StepKind, StepRule};

/// The initial radius rule (E11).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum InitialRadius {
    /// `radius.initial_radius()` of [`InteriorOptions::radius`] (1 by default; STRSCNE,
    /// CoDoSol).
    #[default]
    Fixed,
    /// `||x0||_T` in the region's norm at the start, or 1 when zero (SciPy's `trf`).
    StartNorm,
}
use crate::termination::{LimitReached, Limits, TerminationClass};

/// Options of the interior solver. Defaults follow STRSCNE \[1\] and CoDoSol \[2\] (module docs).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct InteriorOptions {
    /// Iteration, evaluation (of `F`, finite-difference evaluations included) and time limits.
    pub limits: Limits,
    /// Ratio, acceptance and radius rule (E9): [`RadiusOptions::interior`] (initial radius 1,
    /// accept `rho >= 0.25` without an increase of the merit, smallest radius `sqrt(eps)`
    /// (CoDoSol's `Deltamin`), relative round-off guard). The radius is measured in the
    /// region's norm. `min_radius: None` means 0 here.
    pub radius: RadiusOptions,
    /// The scale vector `d(x)`. Default: the equal-weight convex combination of CL, HUU
    /// (`p = 2`) and KK (`gamma = Lambda = 1`) (spec; Ayanzadeh et al. 2019).
    pub scaling: Scaling,
    /// Step rule. Default [`StepRule::Dogleg`] (STRSCNE): on the small systems of
    /// `tests/interior.rs` both rules solve every run; the dogleg needs 6-15 iterations on
    /// Powell's badly scaled system where the constrained dogleg needs 7-70 (the suite in
    /// `trust-region-problems` compares them on the full set).
    pub step_rule: StepRule,
    /// Trust-region norm. Default [`Region::Elliptical`] (STRSCNE, CoDoSol).
    pub region: Region,
    /// Step-back factor `theta` in `(0, 1)`: a step that reaches the boundary is cut to
    /// `max(theta, 1 - ||p||)` times the distance. Default `0.99995` (STRSCNE, CoDoSol).
    pub theta: f64,
    /// Absolute tolerance on `||F||_2`: a root when `||F|| <= atol + rtol ||F(x0)||`.
    /// Default `1e-8` (spec).
    pub atol: f64,
    /// Relative tolerance on `||F||_2` (see `atol`). Default `0` (spec).
    pub rtol: f64,
    /// Stationary point that is not a root: `||D g||_2 <= stationary_tol ||F||_2 ||J||_F` at an
    /// accepted point (E10). Default `1e-10`.
    pub stationary_tol: f64,
    /// Stationary point that is not a root, when the run stalls (no representable progress,
    /// or the radius collapsed): `||D g||_2 <= stationary_tol_stalled ||F||_2 ||J||_F` (E10). Near an
    /// interior minimizer of the merit with `F != 0` the merit is flat to round-off within
    /// `O(sqrt(eps))` of it, so the measure cannot fall much below `sqrt(eps)` there.
    /// Default `1e-6`.
    pub stationary_tol_stalled: f64,
    /// Cauchy-ratio safeguard of the dogleg rule (`beta_1` of STRSCNE): a step predicting less
    /// than this fraction of the truncated Cauchy step's reduction is replaced by it.
    /// Default `0.1`.
    pub cauchy_fraction: f64,
    /// Bound push `kappa` for a start point on a bound (module docs). Default `1e-2`
    /// (IPOPT's `bound_push` and `bound_frac`, Waechter & Biegler 2006, sec. 3.6).
    pub bound_push: f64,
    /// Initial radius rule (E11). Default [`InitialRadius::Fixed`] (radius 1).
    pub initial_radius: InitialRadius,
    /// How the Newton / Gauss-Newton step is computed (E3). Default [`LinearSolver::Direct`]
    /// (LU for square systems; column-pivoted QR or sparse normal equations for rectangular or
    /// singular ones).
    pub linear_solver: LinearSolver,
    /// Relative tolerance of LSMR ([`LinearSolver::Lsmr`]). Default `1e-10`.
    pub lsmr_tolerance: f64,
    /// Iteration cap of LSMR; `0` means `2 min(m, n) + 20`. Default `0`.
    pub lsmr_max_iterations: usize,
    /// Consecutive trial points with non-finite values tolerated before the run fails.
    /// Default `30` (each one shrinks the radius by at least 4).
    pub max_non_finite: usize,
    /// Keep a [`SystemIterationInfo`] per iteration (with the iterate) in the report's
    /// `history`. Default `false`.
    pub keep_history: bool,
    /// Robust loss (E12): minimize `(1/2) sum_i rho_c(F_i^2)` in the box instead of
    /// `||F||^2 / 2`. Default [`Loss::Linear`] (plain least squares / the system's merit).
    pub loss: Loss,
    /// How a nonlinear loss enters the Gauss-Newton model (E12). Default
    /// [`Correction::Triggs`] (chosen by measurement, [`crate::model::loss`]).
    pub correction: Correction,
}

impl Default for InteriorOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            radius: RadiusOptions::interior(),
            scaling: Scaling::default(),
            step_rule: StepRule::default(),
            region: Region::default(),
            theta: 0.99995,
            atol: 1e-8,
            rtol: 0.0,
            stationary_tol: 1e-10,
            stationary_tol_stalled: 1e-6,
            cauchy_fraction: 0.1,
            bound_push: 1e-2,
            initial_radius: InitialRadius::Fixed,
            linear_solver: LinearSolver::Direct,
            lsmr_tolerance: 1e-10,
            lsmr_max_iterations: 0,
            max_non_finite: 30,
            keep_history: false,
            loss: Loss::Linear,
            correction: Correction::Triggs,
        }
    }
}

impl InteriorOptions {
    /// Checks every option.
    pub fn validate(&self) -> Result<(), SetupError> {
        let bad = |name, value, reason| Err(SetupError::InvalidOption { name, value, reason });
        self.scaling.validate()?;
        self.radius.validate()?;
        self.loss.validate()?;
        if !(self.theta > 0.0 && self.theta < 1.0) {
            return bad("theta", self.theta, "must satisfy 0 < theta < 1");
        }
        for (name, v) in [
            ("atol", self.atol),
            ("rtol", self.rtol),
            ("stationary_tol", self.stationary_tol),
            ("stationary_tol_stalled", self.stationary_tol_stalled),
        ] {
            if !(v >= 0.0 && v.is_finite()) {
                return bad(name, v, "must be finite and >= 0");
            }
        }
        let min_radius = self.radius.min_radius.unwrap_or(0.0);
        if !(min_radius < self.radius.initial_radius()) {
            return bad("min_radius", min_radius, "must satisfy 0 <= min_radius < initial_radius");
        }
        if !(self.radius.accept > 0.0) {
            return bad("accept", self.radius.accept, "must satisfy 0 < accept < 1");
        }
        if !(self.cauchy_fraction >= 0.0 && self.cauchy_fraction < 1.0) {
            return bad("cauchy_fraction", self.cauchy_fraction, "must satisfy 0 <= cauchy_fraction < 1");
        }
        if !(self.bound_push > 0.0 && self.bound_push < 0.5) {
            return bad("bound_push", self.bound_push, "must satisfy 0 < bound_push < 0.5");
        }
        if !(self.lsmr_tolerance > 0.0 && self.lsmr_tolerance < 1.0) {
            return bad("lsmr_tolerance", self.lsmr_tolerance, "must satisfy 0 < lsmr_tolerance < 1");
        }
        if self.max_non_finite == 0 {
            return bad("max_non_finite", 0.0, "must be at least 1");
        }
        Ok(())
    }
}

/// What happened in one iteration (one trial step).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SystemIterationInfo {
    /// Iteration number, starting at 1.
    pub iteration: usize,
    /// The iterate after this iteration (strictly inside the box). Filled in the records of
    /// the report's `history`; empty in the record handed to an observer, which receives the
    /// iterate as a slice (so that observing allocates nothing).
    pub x: Vec<f64>,
    /// `||F||_2` at the iterate after this iteration.
    pub residual_norm: f64,
    /// `||F||^2 / 2` at the iterate after this iteration (the robust cost with a loss, E12).
    pub merit: f64,
    /// `||D g||_2 / ||F||_2` at the iterate after this iteration (E10).
    pub scaled_gradient_norm: f64,
    /// Radius used for this trial.
    pub radius: f64,
    /// `||p||_T` of the trial step in the region's norm.
    pub step_norm: f64,
    /// Actual reduction of the rule's merit (NaN when the trial value was not finite).
    pub actual_reduction: f64,
    /// Predicted reduction of the rule's merit (E4).
    pub predicted_reduction: f64,
    /// `actual_reduction / predicted_reduction` with the round-off guard (E9).
    pub ratio: f64,
    /// Whether the step was accepted.
    pub accepted: bool,
    /// Which step was tried.
    pub step: StepKind,
    /// Whether the Newton step was available at this iterate (E3).
    pub newton_available: bool,
    /// Whether the Cauchy-ratio safeguard (E6) replaced the step.
    pub safeguard: bool,
    /// Whether the Newton step of this iterate was a least-squares (Gauss-Newton) step:
    /// a rectangular or singular `J`, or LSMR (E3).
    pub least_squares: bool,
    /// The scale vector used (for the adaptive scaling, the member chosen).
    pub scale: ScaleMember,
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum SystemTermination {
    /// `||F|| <= atol + rtol ||F(x0)||`: a root.
    Root {
        /// Final `||F||_2`.
        residual_norm: f64,
    },
    /// `m > n`: `||D g|| <= stationary_tol ||F|| ||J||_F` (or the stalled tolerance when no
    /// progress is representable) with `||F||` above the root tolerance: a stationary point of
    /// the merit in the box, the solution of the least-squares problem (E10).
    Stationary {
        /// Final `||F||_2`.
        residual_norm: f64,
        /// Final `||D g||_2 / (||F||_2 ||J||_F)`.
        scaled_gradient_norm: f64,
    },
    /// `m <= n`: `||D g|| <= stationary_tol ||F|| ||J||_F` with `||F||` above the tolerance: a
    /// stationary point of the merit in the box that is not a root (E10).
    StationaryNotRoot {
        /// Final `||F||_2`.
        residual_norm: f64,
        /// Final `||D g||_2 / (||F||_2 ||J||_F)`.
        scaled_gradient_norm: f64,
    },
    /// The radius fell below `min_radius` after rejected steps.
    RadiusTooSmall {
        /// The radius.
        radius: f64,
        /// `||F||_2` at the final point.
        residual_norm: f64,
    },
    /// The trial point equals the iterate in floating point, or the actual and predicted
    /// reductions are both at round-off level and the merit did not decrease.
    NoProgress {
        /// `||F||_2` at the final point.
        residual_norm: f64,
        /// Iteration at which it happened.
        iteration: usize,
    },
    /// The iteration limit was reached.
    MaxIterations {
        /// The limit.
        limit: usize,
    },
    /// The limit on evaluations of `F` was reached.
    MaxEvaluations {
        /// The limit.
        limit: usize,
    },
    /// The wall-clock limit was reached.
    MaxTime {
        /// Time used.
        elapsed: std::time::Duration,
    },
    /// Too many consecutive trial points with non-finite `F` (or `J`).
    NonFinite {
        /// Consecutive non-finite trials.
        consecutive: usize,
    },
    /// The observer returned `ControlFlow::Break`.
    UserStopped {
        /// Iteration at which the observer stopped the run.
        iteration: usize,
    },
}

impl SystemTermination {
    /// Converged (a root, or a stationary point of a least-squares problem with `m > n`),
    /// stopped (a limit or the observer) or failed (everything else, including a stationary
    /// point that is not a root when `m <= n`).
    pub fn class(&self) -> TerminationClass {
        use SystemTermination::*;
        match self {
            Root { .. } | Stationary { .. } => TerminationClass::Converged,
            MaxIterations { .. } | MaxEvaluations { .. } | MaxTime { .. } | UserStopped { .. } => {
                TerminationClass::Stopped
            }
            StationaryNotRoot { .. } | RadiusTooSmall { .. } | NoProgress { .. } | NonFinite { .. } => {
                TerminationClass::Failed
            }
        }
    }

    /// Whether the run converged: a root, or a stationary point of a least-squares problem
    /// (`m > n`).
    pub fn converged(&self) -> bool {
        self.class() == TerminationClass::Converged
    }

    /// A stable snake-case name (tables, CSV, JSON).
    pub fn name(&self) -> &'static str {
        use SystemTermination::*;
        match self {
            Root { .. } => "root",
            Stationary { .. } => "stationary",
            StationaryNotRoot { .. } => "stationary_not_root",
            RadiusTooSmall { .. } => "radius_too_small",
            NoProgress { .. } => "no_progress",
            MaxIterations { .. } => "max_iterations",
            MaxEvaluations { .. } => "max_evaluations",
            MaxTime { .. } => "max_time",
            NonFinite { .. } => "non_finite",
            UserStopped { .. } => "user_stopped",
        }
    }
}

impl fmt::Display for SystemTermination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SystemTermination::*;
        match self {
            Root { residual_norm } => write!(f, "root: ||F|| = {residual_norm:.3e}"),
            Stationary { residual_norm, scaled_gradient_norm } => write!(
                f,
                "stationary point of the least-squares merit, ||F|| = {residual_norm:.3e}, \
                 ||Dg||/(||F|| ||J||) = {scaled_gradient_norm:.3e}"
            ),
            StationaryNotRoot { residual_norm, scaled_gradient_norm } => write!(
                f,
                "failed: stationary point of ||F||^2/2 that is not a root, ||F|| = {residual_norm:.3e}, \
                 ||Dg||/(||F|| ||J||) = {scaled_gradient_norm:.3e}"
            ),
            RadiusTooSmall { radius, residual_norm } => {
                write!(f, "failed: radius {radius:.3e} too small, ||F|| = {residual_norm:.3e}")
            }
            NoProgress { residual_norm, iteration } => {
                write!(f, "failed: no representable progress at iteration {iteration}, ||F|| = {residual_norm:.3e}")
            }
            MaxIterations { limit } => write!(f, "stopped: {limit} iterations"),
            MaxEvaluations { limit } => write!(f, "stopped: {limit} evaluations of F"),
            MaxTime { elapsed } => write!(f, "stopped: time limit after {:.3} s", elapsed.as_secs_f64()),
            NonFinite { consecutive } => write!(f, "failed: {consecutive} consecutive non-finite trial points"),
            UserStopped { iteration } => write!(f, "stopped by the observer at iteration {iteration}"),
        }
    }
}

impl Outcome for SystemTermination {
    fn class(&self) -> TerminationClass {
        SystemTermination::class(self)
    }
    fn name(&self) -> &'static str {
        SystemTermination::name(self)
    }
}

impl From<LimitReached> for SystemTermination {
    fn from(l: LimitReached) -> Self {
        match l {
            LimitReached::Iterations { limit } => SystemTermination::MaxIterations { limit },
            LimitReached::Evaluations { limit } => SystemTermination::MaxEvaluations { limit },
            LimitReached::Time { elapsed } => SystemTermination::MaxTime { elapsed },
        }
    }
}

/// The outcome of a run of the interior loop: `x` is the last (best) iterate, strictly inside
/// the box (accepted steps never increase the merit); `f` the merit `||F(x)||^2 / 2` (the
/// robust cost with a loss, E12);
/// `residuals` is `F(x)` ([`Report::residual_norm`] gives `||F(x)||_2`); `gradient` is
/// `J'F` at `x` (`J'(rho' o F)` with a loss; zero when the run ended before the first
/// Jacobian); `stationarity` is
/// `||D g||_2 / (||F||_2 ||J||_F)` (E10; 0 when the run ended before the first Jacobian);
/// `evaluations.residuals` (and `.f`) counts evaluations of `F`, finite differences included,
/// `evaluations.jacobian` the Jacobians (analytic or finite-difference); `factorizations` the
/// numeric LU factorizations, `symbolic_analyses` those of the sparse LU (1 per sparse solve,
/// 0 for dense); `start_moved` whether the start point was moved off the bounds.
pub type SystemReport = Report<SystemTermination, SystemIterationInfo>;

/// The scaled interior trust-region solver for `F(x) = 0`, `l <= x <= u`.
///
/// ```
/// use faer::MatMut;
/// use trust_region::solver::interior::{Interior, InteriorOptions};
/// use trust_region::{Bounds, DenseJacobian, Residuals};
///
/// /// x^2 - 2 = 0 and x y - 1 = 0 in [0, 2]^2.
/// struct Sys;
/// impl Residuals for Sys {
///     fn dim(&self) -> usize { 2 }
///     fn residual_count(&self) -> usize { 2 }
///     fn residuals(&self, x: &[f64], r: &mut [f64]) {
///         r[0] = x[0] * x[0] - 2.0;
///         r[1] = x[0] * x[1] - 1.0;
///     }
/// }
/// impl DenseJacobian for Sys {
///     fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
///         j[(0, 0)] = 2.0 * x[0];
///         j[(0, 1)] = 0.0;
///         j[(1, 0)] = x[1];
///         j[(1, 1)] = x[0];
///     }
/// }
///
/// let bounds = Bounds::new(vec![0.0, 0.0], vec![2.0, 2.0])?;
/// let report = Interior::new(InteriorOptions::default()).solve_dense(&Sys, &bounds, &[0.5, 0.5])?;
/// assert!(report.converged());
/// assert!((report.x[0] - 2f64.sqrt()).abs() < 1e-8);
/// # Ok::<(), trust_region::SetupError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Interior<O = ()> {
    /// Options.
    pub options: InteriorOptions,
    /// The observer, called after every iteration ([`Interior::with_observer`]).
    pub observer: O,
}

impl Default for Interior {
    fn default() -> Self {
        Self::new(InteriorOptions::default())
    }
}

impl Interior {
    /// The solver with the given options and no observer.
    pub fn new(options: InteriorOptions) -> Self {
        Self { options, observer: () }
    }
}

impl<O: Observer<SystemIterationInfo>> Interior<O> {
    /// Sets the observer: any `FnMut(&SystemIterationInfo, &[f64]) -> ControlFlow<()>`,
    /// called after every iteration with its record and the current iterate;
    /// `ControlFlow::Break(())` ends the run with [`SystemTermination::UserStopped`].
    pub fn with_observer<O2: Observer<SystemIterationInfo>>(self, observer: O2) -> Interior<O2> {
        Interior { options: self.options, observer }
    }

    /// Solves with the user's dense Jacobian: the common case, short for
    /// `self.solve(DenseStore::user(p), bounds, x0)` (dense LU for a square `J`, column-pivoted
    /// QR for a rectangular or singular one).
    pub fn solve_dense<P: DenseJacobian + ?Sized>(
        &mut self,
        p: &P,
        bounds: &Bounds,
        x0: &[f64],
    ) -> Result<SystemReport, SetupError> {
        self.solve(DenseStore::user(p), bounds, x0)
    }

    /// Solves with any Jacobian store ([`crate::model::jacobian`]):
    /// [`DenseStore::user`], [`SparseStore::user`](crate::model::jacobian::SparseStore::user)
    /// (sparse LU; sparse normal equations for a rectangular or singular `J`),
    /// [`DenseStore::finite_differences`] (forward differences, backwards at the upper bound),
    /// [`SparseStore::finite_differences`](crate::model::jacobian::SparseStore::finite_differences)
    /// (Curtis-Powell-Reid groups with rayon). The store is made to keep its previous values
    /// (a non-finite `J` at a trial point leaves `J` of the current point). A sparse pattern
    /// must have sorted row indices in each column ([`SetupError::InvalidPattern`]).
    ///
    /// ```
    /// # use faer::MatMut;
    /// # use trust_region::{Bounds, DenseJacobian, Residuals};
    /// use trust_region::model::jacobian::DenseStore;
    /// use trust_region::problem::fd::DEFAULT_REL_STEP;
    /// use trust_region::solver::interior::{Interior, InteriorOptions};
    /// /// Fit y = a exp(b t) to three points with a, b >= 0 (m = 3 > n = 2).
    /// struct Fit;
    /// impl Residuals for Fit {
    ///     fn dim(&self) -> usize { 2 }
    ///     fn residual_count(&self) -> usize { 3 }
    ///     fn residuals(&self, x: &[f64], r: &mut [f64]) {
    ///         for (i, (t, y)) in [(0.0, 1.0), (1.0, 2.9), (2.0, 7.0)].into_iter().enumerate() {
    ///             r[i] = x[0] * (x[1] * t).exp() - y;
    ///         }
    ///     }
    /// }
    /// let bounds = Bounds::new(vec![0.0, 0.0], vec![f64::INFINITY, 0.8])?;
    /// let store = DenseStore::finite_differences(&Fit, &bounds, DEFAULT_REL_STEP);
    /// let report = Interior::new(InteriorOptions::default()).solve(store, &bounds, &[1.0, 0.5])?;
    /// assert!(report.converged()); // a stationary point of the least-squares merit
    /// assert!(report.x[1] < 0.8 && report.x[1] > 0.79); // the bound b <= 0.8 is active
    /// # Ok::<(), trust_region::SetupError>(())
    /// ```
    pub fn solve<J: ResidualStore>(
        &mut self,
        mut store: J,
        bounds: &Bounds,
        x0: &[f64],
    ) -> Result<SystemReport, SetupError> {
        let start = self.check(&store, bounds, x0)?;
        if let JacobianRef::Sparse(a) = store.matrix() {
            check_sorted_rows(a.symbolic())?;
        }
        store.keep_previous_values();
        self.run(&mut store, bounds, start)
    }

    /// Validates options, sizes, bounds and the start point; returns the start point (moved
    /// off the bounds if needed) and whether it moved.
    fn check<J: JacobianStore + ?Sized>(
        &self,
        p: &J,
        bounds: &Bounds,
        x0: &[f64],
    ) -> Result<(Vec<f64>, bool), SetupError> {
        self.options.validate()?;
        let n = p.ncols();
        if n == 0 || p.nrows() == 0 {
            return Err(SetupError::EmptyProblem);
        }
        if x0.len() != n {
            return Err(SetupError::DimensionMismatch { what: "x0", expected: n, found: x0.len() });
        }
        for (what, v) in [("lower bounds", &bounds.lower), ("upper bounds", &bounds.upper)] {
            if v.len() != n {
                return Err(SetupError::DimensionMismatch { what, expected: n, found: v.len() });
            }
        }
        bounds.check()?;
        if let Some((index, &value)) = x0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SetupError::NonFiniteStart { index, value });
        }
        let mut x = x0.to_vec();
        let mut moved = false;
        for i in 0..n {
            let (l, u) = (bounds.lower[i], bounds.upper[i]);
            if x[i] < l || x[i] > u {
                return Err(SetupError::StartOutsideBounds { index: i, value: x[i], lower: l, upper: u });
            }
            if x[i] == l || x[i] == u {
                x[i] = push_inside(x[i], l, u, self.options.bound_push);
                moved = true;
            }
        }
        Ok((x, moved))
    }

    /// The step solver's options.
    fn step_options(&self) -> AffineDoglegOptions {
        let o = &self.options;
        AffineDoglegOptions {
            rule: o.step_rule,
            region: o.region,
            scaling: o.scaling,
            theta: o.theta,
            cauchy_fraction: o.cauchy_fraction,
            linear_solver: o.linear_solver,
            lsmr_tolerance: o.lsmr_tolerance,
            lsmr_max_iterations: o.lsmr_max_iterations,
        }
    }

    /// The loop (module docs), on any Jacobian store.
    fn run<J: ResidualStore>(
        &mut self,
        jac: &mut J,
        bounds: &Bounds,
        start: (Vec<f64>, bool),
    ) -> Result<SystemReport, SetupError> {
        let started = Instant::now();
        let mut step = AffineDogleg::new(self.step_options(), &*jac);
        let opts = &self.options;
        let (mut x, start_moved) = start;
        let (m, n) = (jac.nrows(), x.len());
        let least_squares = m > n;
        let mut xt = vec![0.0; n];
        let mut f = vec![0.0; m];
        let mut ft = vec![0.0; m];
        let (mut f_evals, mut j_evals) = (0usize, 0usize);
        // (E12) the corrected J~ and r~ of a robust loss, and the merit's level
        // `phi = sqrt(2 merit)` (`||F||` without a loss).
        let mut robust =
            (!opts.loss.is_linear()).then(|| CorrectedJacobian::new(jac.matrix(), opts.loss, opts.correction));
        let level =
            |f: &[f64], fnorm: f64| if opts.loss.is_linear() { fnorm } else { (2.0 * opts.loss.cost(f)).sqrt() };

        jac.residuals(&x, &mut f);
        f_evals += 1;
        if !all_finite(&f) {
            return Err(SetupError::NonFiniteAtStart { what: "residuals" });
        }
        let mut fnorm = norm(&f);
        let mut phi = level(&f, fnorm);
        if !(phi * phi).is_finite() {
            return Err(SetupError::NonFiniteAtStart {
                what: "merit ||F||^2/2 (the residuals are finite, their norm overflows when squared)",
            });
        }
        let target = opts.atol + opts.rtol * fnorm;
        let mut radius = opts.radius.initial_radius();
        let min_radius = opts.radius.min_radius.unwrap_or(0.0);
        let mut history = Vec::new();
        let mut iterations = 0usize;
        let mut accepted_steps = 0usize;
        let mut non_finite = 0usize;
        // (E10) a stationary point that is not a root, at the current point.
        let stationary = |step: &AffineDogleg, fnorm: f64| {
            let (residual_norm, scaled_gradient_norm) = (fnorm, step.stationarity());
            if least_squares {
                SystemTermination::Stationary { residual_norm, scaled_gradient_norm }
            } else {
                SystemTermination::StationaryNotRoot { residual_norm, scaled_gradient_norm }
            }
        };
        // A stalled run (E10): a stationary point when the measure is below the stalled
        // tolerance, else `otherwise`.
        let stalled = |step: &AffineDogleg, fnorm: f64, otherwise: SystemTermination| {
            if step.stationarity() <= opts.stationary_tol_stalled {
                stationary(step, fnorm)
            } else {
                otherwise
            }
        };

        let termination = 'outer: {
            // (E10) a root at the start needs no Jacobian.
            if fnorm <= target {
                break 'outer SystemTermination::Root { residual_norm: fnorm };
            }
            let e = jac.evaluate(&x, &f);
            f_evals += e.residual_evaluations;
            j_evals += 1;
            if !e.finite {
                return Err(SetupError::NonFiniteAtStart { what: "Jacobian" });
            }
            prepare(&mut step, &*jac, &mut robust, bounds, &x, &f, phi);
            if opts.initial_radius == InitialRadius::StartNorm {
                // (E11) SciPy trf's rule, 1 when the start's norm is zero.
                let r0 = step.region_norm(&x);
                radius = if r0 > 0.0 && r0.is_finite() { r0.min(opts.radius.max_radius) } else { 1.0 };
            }
            if step.stationarity() <= opts.stationary_tol {
                break 'outer stationary(&step, fnorm);
            }
            loop {
                if let Some(l) = opts.limits.reached(iterations, f_evals, started) {
                    break 'outer l.into();
                }
                iterations += 1;
                let trial = step.solve(bounds, radius);

                // Trial point; the step is strictly inside by construction, this guards
                // rounding at an ulp from a bound. For least squares (m > n) such a component
                // keeps its value (the step changes by less than the component's distance to
                // the bound, a few ulps), where rejecting the whole trial would shrink the
                // radius at every such step and leave only Cauchy steps: the fit would creep.
                // Square systems keep rejecting the trial, which stalls the run and lets the
                // stationarity test of a stall detect a point that is not a root.
                let mut inside = true;
                let mut moves = false;
                for (i, &pi) in step.step().iter().enumerate() {
                    let mut v = x[i] + pi;
                    if !(bounds.lower[i] < v && v < bounds.upper[i]) {
                        if m > n && v.is_finite() {
                            v = x[i];
                        } else {
                            inside = false;
                        }
                    }
                    xt[i] = v;
                    moves |= v != x[i];
                }
                if !moves {
                    let no_progress = SystemTermination::NoProgress { residual_norm: fnorm, iteration: iterations };
                    break 'outer stalled(&step, fnorm, no_progress);
                }
                let mut accepted = false;
                let mut ared = f64::NAN;
                let mut rho = f64::NEG_INFINITY;
                let mut round_off = false;
                if inside {
                    jac.residuals(&xt, &mut ft);
                    f_evals += 1;
                    if all_finite(&ft) {
                        let ftnorm = norm(&ft);
                        let phit = level(&ft, ftnorm);
                        // Actual reduction of the rule's merit (E9).
                        let merit_now = match opts.step_rule {
                            StepRule::Dogleg => {
                                ared = 0.5 * (phi - phit) * (phi + phit);
                                0.5 * phi * phi
                            }
                            StepRule::ConstrainedDogleg => {
                                ared = phi - phit;
                                phi
                            }
                        };
                        rho = opts.radius.ratio(ared, trial.predicted_reduction, merit_now);
                        round_off = opts.radius.negligible(ared, trial.predicted_reduction, merit_now);
                        if opts.radius.accepts(rho, phit > phi) {
                            // The Jacobian at the trial point must be usable before we move.
                            let e = jac.evaluate(&xt, &ft);
                            f_evals += e.residual_evaluations;
                            j_evals += 1;
                            if e.finite {
                                accepted = true;
                                fnorm = ftnorm;
                                phi = phit;
                            } else {
                                non_finite += 1;
                            }
                        }
                    } else {
                        non_finite += 1;
                    }
                }
                // (E9) radius update: the shared policy with the interior rule.
                let may_grow = opts.step_rule == StepRule::ConstrainedDogleg || !trial.safeguard;
                let step_norm = trial.step_norm;
                let update = RadiusTrial { ratio: rho, accepted, step_norm, hits_boundary: false, may_grow };
                let trial_radius = radius;
                radius = opts.radius.update(radius, &update);
                if accepted {
                    non_finite = 0;
                    accepted_steps += 1;
                    std::mem::swap(&mut x, &mut xt);
                    std::mem::swap(&mut f, &mut ft);
                    prepare(&mut step, &*jac, &mut robust, bounds, &x, &f, phi);
                }

                let mut record = SystemIterationInfo {
                    iteration: iterations,
                    x: Vec::new(),
                    residual_norm: fnorm,
                    merit: 0.5 * phi * phi,
                    scaled_gradient_norm: step.stationarity(),
                    radius: trial_radius,
                    step_norm,
                    actual_reduction: ared,
                    predicted_reduction: trial.predicted_reduction,
                    ratio: rho,
                    accepted,
                    step: trial.kind,
                    newton_available: trial.newton_available,
                    safeguard: trial.safeguard,
                    least_squares: trial.least_squares,
                    scale: trial.member,
                };
                let user_stop = matches!(self.observer.observe(&record, &x), ControlFlow::Break(()));
                if opts.keep_history {
                    record.x = x.clone();
                    history.push(record);
                }

                if accepted {
                    if fnorm <= target {
                        break 'outer SystemTermination::Root { residual_norm: fnorm };
                    }
                    if step.stationarity() <= opts.stationary_tol {
                        break 'outer stationary(&step, fnorm);
                    }
                } else if round_off {
                    let no_progress = SystemTermination::NoProgress { residual_norm: fnorm, iteration: iterations };
                    break 'outer stalled(&step, fnorm, no_progress);
                }
                if non_finite >= opts.max_non_finite {
                    break 'outer SystemTermination::NonFinite { consecutive: non_finite };
                }
                if !accepted && !(radius >= min_radius) {
                    let too_small = SystemTermination::RadiusTooSmall { radius, residual_norm: fnorm };
                    break 'outer stalled(&step, fnorm, too_small);
                }
                if user_stop {
                    break 'outer SystemTermination::UserStopped { iteration: iterations };
                }
            }
        };

        let evaluations = Evaluations { f: f_evals, residuals: f_evals, jacobian: j_evals, ..Evaluations::default() };
        Ok(Report {
            f: 0.5 * phi * phi,
            grad_inf: norm_inf(step.gradient()),
            stationarity: step.stationarity(),
            termination,
            iterations,
            accepted_steps,
            inner_iterations: 0,
            factorizations: step.factorizations(),
            symbolic_analyses: step.symbolic_analyses(),
            evaluations,
            radius,
            start_moved,
            elapsed: started.elapsed(),
            history,
            x,
            gradient: step.gradient().to_vec(),
            residuals: f,
        })
    }
}
/// Prepares the step solver at `x` with `F(x) = f` and `J(x)` in `jac`; with a robust loss
/// (E12) on the corrected `r~`, `J~` and the merit level `phi`.
#[allow(clippy::too_many_arguments)]
fn prepare<J: JacobianStore + ?Sized>(
    step: &mut AffineDogleg,
    jac: &J,
    robust: &mut Option<CorrectedJacobian>,
    bounds: &Bounds,
    x: &[f64],
    f: &[f64],
    phi: f64,
) {
    match robust {
        None => step.prepare(jac, bounds, x, f),
        Some(c) => {
            c.refresh(jac.matrix(), f);
            step.prepare(&*c, bounds, x, &c.r);
            let jacobian_norm = match jac.matrix() {
                JacobianRef::Dense(a) => a.norm_l2(),
                JacobianRef::Sparse(a) => norm(a.val()),
            };
            step.set_merit_level(phi, jacobian_norm);
        }
    }
}

/// Moves a start component lying on a bound strictly inside (module docs, IPOPT's rule).
pub(crate) fn push_inside(x: f64, l: f64, u: f64, kappa: f64) -> f64 {
    let width = u - l;
    let candidate = if x == l {
        l + (kappa * l.abs().max(1.0)).min(kappa * width)
    } else {
        u - (kappa * u.abs().max(1.0)).min(kappa * width)
    };
    if l < candidate && candidate < u {
        candidate
    } else {
        // The push rounded onto a bound (huge |l| with a tiny width): the midpoint.
        let mid = l + 0.5 * width;
        if l < mid && mid < u && mid.is_finite() {
            mid
        } else {
            0.5 * l + 0.5 * u
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_inside_rule() {
        assert_eq!(push_inside(0.0, 0.0, 1.0, 1e-2), 1e-2);
        assert_eq!(push_inside(1.0, 0.0, 1.0, 1e-2), 1.0 - 1e-2);
        assert_eq!(push_inside(100.0, 100.0, 100.5, 1e-2), 100.0 + 0.5e-2);
        assert_eq!(push_inside(-5.0, -5.0, f64::INFINITY, 1e-2), -5.0 + 5e-2);
        let x = push_inside(1e300, 1e300, f64::INFINITY, 1e-2);
        assert!(x > 1e300 && x.is_finite());
    }

    #[test]
    fn ratio_guard_is_relative() {
        let r = RadiusOptions::interior();
        assert_eq!(r.ratio(1e-30, -1e-30, 1e-14), 1.0);
        assert_eq!(r.ratio(-1e-20, 1e-20, 1e-14), -1.0);
        assert_eq!(r.ratio(f64::NAN, 1.0, 1.0), f64::NEG_INFINITY);
        assert_eq!(r.ratio(1.0, 0.0, 10.0), f64::NEG_INFINITY);
    }
}
