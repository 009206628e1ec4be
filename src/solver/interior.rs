//! The scaled interior trust region for bound-constrained nonlinear systems.
//!
//! The problem: find `x` with `F(x) = 0`, `F: R^n -> R^n`, in the box `l <= x <= u` (bounds
//! may be infinite), through the merit `f(x) = ||F(x)||^2 / 2`, `g = J'F`. Every iterate lies
//! strictly inside the box.
//!
//! At the iterate `x` with `F`, `J`, `g` and a scale vector `d = d(x) > 0`
//! ([`crate::scaling`]), one iteration (a trial step) is built from:
//!
//! - (E1) the region: `||D^{-1/2} p|| <= radius` ([`Region::Elliptical`], [1, 2]) or
//!   `||p|| <= radius` ([`Region::Spherical`]); write `||p||_T` for the chosen norm;
//! - (E2) the generalized Cauchy step along `v = -D g`: the model minimizer
//!   `tau* = ||D^{1/2} g||^2 / ||J D g||^2`, cut to the region,
//!   `tau = min(tau*, radius / ||v||_T)`, then stepped back into the box: with
//!   `alpha = max{a : x + a tau v in [l, u]}`, `p_c = tau v` if `alpha > 1`, else
//!   `p_c = max(theta, 1 - ||tau v||) alpha tau v` with `theta = 0.99995` [1, sec. 3; 2, sec. 2];
//! - (E3) the Newton step `J s_N = -F` (dense or sparse LU); a singular or non-finite `J`
//!   makes it unavailable for this iterate and the step falls back to `p_c`;
//! - (E4) the model of the linear residual `F + J p`, with predicted reductions computed
//!   without cancellation: `pred_2(p) = ||F||^2/2 - ||F + Jp||^2/2 = -(Jp)'(F + Jp/2)` and
//!   `pred_1(p) = ||F|| - ||F + Jp|| = 2 pred_2(p) / (||F|| + ||F + Jp||)`; along `v`,
//!   `pred_2(c v) = c (||D^{1/2}g||^2 - c ||JDg||^2 / 2)` since `(JDg)'F = g'Dg`.
//!
//! Two step rules:
//!
//! - [`StepRule::Dogleg`] (STRSCNE, Bellavia, Macconi & Morini \[1\]), merit `||F||^2/2`:
//!   (E5) `p_N = s_N` if `x + s_N` is strictly inside, else `max(theta, 1 - ||s_N||) alpha s_N`;
//!   take `p_N` if `||p_N||_T <= radius`; else `p_c` if the Cauchy step was cut by the region;
//!   else the dogleg point `p_c + t (p_N - p_c)` with `||.||_T = radius` (stable root,
//!   [`crate::linalg::boundary_root`]); the segment joins two points strictly inside the box,
//!   so the point is strictly inside. (E6) Safeguard: if `pred_2(p) < beta pred_2(p_c)`
//!   (`beta = 0.1`), take `p_c`.
//! - [`StepRule::ConstrainedDogleg`] (CoDoSol, Bellavia, Macconi & Pieraccini \[2\]), merit
//!   `||F||`: (E7) `p_N = max(theta, 1 - ||s_N||) (P(x + s_N) - x)` with `P` the projection
//!   onto the box; (E8) minimize `||F + J p(gamma)||` on the whole line
//!   `p(gamma) = p_c + gamma (p_N - p_c)`:
//!   `gamma* = -(F + J p_c)'w / ||w||^2`, `w = J (p_N - p_c)`, clipped to the region and, for
//!   `gamma` outside `[0, 1]`, to `theta` times the largest step along the line that stays in
//!   the box. The clipped interval contains `gamma = 0`, so the step never predicts less than
//!   `p_c`.
//!
//! (E9) Ratio and radius [1, 2]: `rho = ared / pred` for the rule's merit. A step is accepted
//! when `rho >= 0.25` and the merit does not increase. On rejection
//! `radius <- min(0.25 radius, 0.5 ||p||_T)` and only the Cauchy and dogleg parts are recomputed
//! (never `s_N`). On `rho > 0.75` (for the dogleg rule only when the safeguard (E6) did not
//! fire) `radius <- max(radius, 2 ||p||_T)`. Round-off guard: when `|ared|` and `|pred|` are
//! both below `10 eps merit`, `rho = 1` (the difference is noise).
//!
//! (E10) Termination ([`SystemTermination`]): a root when `||F|| <= atol + rtol ||F(x0)||`;
//! a stationary point of the merit that is not a root when `||D g|| <= stationary_tol ||F||`
//! at an accepted point, or `||D g|| <= stationary_tol_stalled ||F||` when the run stalls
//! (`D^{1/2} g = 0` and `D g = 0` characterize the same points; `||D g|| / ||F||` is invariant
//! to scaling `F`, and in floating point reaches `eps |bound| |J|` at a stationary point on the
//! boundary, where `||D^{1/2} g||` stalls at `sqrt(eps |bound|) |g|`; at an interior minimizer
//! of the merit with `F != 0` the merit is flat to round-off within `O(sqrt(eps))`, hence the
//! looser tolerance once no progress is representable); the radius below `min_radius`
//! (default `sqrt(eps)`, \[2\]); no representable progress; limits; too many consecutive
//! non-finite trial values.
//!
//! Adaptive scaling ([`Scaling::Adaptive`]): at every trial the member (CL, HUU, KK, equal
//! combination) whose truncated generalized Cauchy step (E2) has the largest predicted
//! reduction (E4) is used for the whole trial, region included.
//!
//! Start point: outside the closed box is a [`SetupError::StartOutsideBounds`]; a component
//! on a bound is moved inside by the rule of IPOPT [4, sec. 3.6]:
//! `x_i = l_i + min(kappa max(1, |l_i|), kappa (u_i - l_i))` (and symmetrically at `u_i`),
//! `kappa = bound_push = 1e-2`, falling back to the midpoint when that rounds onto the bound.
//!
//! Non-finite `F` at a trial point rejects it and shrinks the radius like a bad ratio; a
//! non-finite Jacobian at an otherwise acceptable trial point rejects it too. After
//! `max_non_finite` consecutive such trials the run ends with [`SystemTermination::NonFinite`].
//! The library never panics on user values.
//!
//! Buffers live in a workspace allocated before the loop: the loop itself allocates nothing
//! (except history records when `keep_history` is set, and rayon's own bookkeeping in the
//! sparse finite-difference Jacobian).
//!
//! References:
//! 1. S. Bellavia, M. Macconi, B. Morini, An affine scaling trust-region approach to
//!    bound-constrained nonlinear systems, Appl. Numer. Math. 44 (2003) 257-280 (STRSCNE).
//! 2. S. Bellavia, M. Macconi, S. Pieraccini, Constrained dogleg methods for nonlinear systems
//!    with simple bounds, Comput. Optim. Appl. 53 (2012) 771-794 (CoDoSol).
//! 3. T. F. Coleman, Y. Li, An interior trust region approach for nonlinear minimization
//!    subject to bounds, SIAM J. Optim. 6 (1996) 418-445.
//! 4. A. Waechter, L. T. Biegler, On the implementation of an interior-point filter line-search
//!    algorithm for large-scale nonlinear programming, Math. Program. 106 (2006) 25-57.
//! 5. R. Ayanzadeh, M. Yazdanian, E. Shahamatnia, arXiv:1904.09209 (2019) (the combination).

use std::fmt;
use std::ops::ControlFlow;
use std::time::Instant;

use serde::Serialize;

use faer::sparse::{SparseColMatRef, SymbolicSparseColMat, SymbolicSparseColMatRef};
use faer::{Mat, MatMut};

use crate::error::SetupError;
use crate::linalg::lu::{DenseLu, SparseLu};
use crate::linalg::{all_finite, boundary_root, dense, dot, norm, norm_inf, sparse};
use crate::observe::Observer;
use crate::problem::fd::{self, SparseFd, DEFAULT_REL_STEP};
use crate::problem::{Bounds, DenseJacobian, Residuals, SparseJacobian};
use crate::radius::{RadiusOptions, RadiusTrial};
use crate::report::{Outcome, Report};
use crate::scaling::{ScaleMember, Scaling};
use crate::step::Evaluations;
use crate::termination::{LimitReached, Limits, TerminationClass};

/// How the trial step is built from the Newton and generalized Cauchy steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum StepRule {
    /// STRSCNE dogleg in the scaled variables with the Cauchy-ratio safeguard; merit
    /// `||F||^2/2` (Bellavia, Macconi & Morini 2003).
    #[default]
    Dogleg,
    /// CoDoSol constrained dogleg: projected Newton step, line minimization through it and
    /// the Cauchy step; merit `||F||` (Bellavia, Macconi & Pieraccini 2012).
    ConstrainedDogleg,
}

impl StepRule {
    /// Stable short name: `"dogleg"` or `"constrained_dogleg"`.
    pub fn name(&self) -> &'static str {
        match self {
            StepRule::Dogleg => "dogleg",
            StepRule::ConstrainedDogleg => "constrained_dogleg",
        }
    }
}

/// The norm of the trust region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Region {
    /// `||D^{-1/2} p|| <= radius` (STRSCNE, CoDoSol).
    #[default]
    Elliptical,
    /// `||p|| <= radius`.
    Spherical,
}

/// Options of the interior solver. Defaults follow STRSCNE \[1\] and CoDoSol \[2\] (module docs).
#[derive(Clone, Debug, PartialEq)]
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
    /// Stationary point that is not a root: `||D g||_2 <= stationary_tol ||F||_2` at an
    /// accepted point (E10). Default `1e-10`.
    pub stationary_tol: f64,
    /// Stationary point that is not a root, when the run stalls (no representable progress,
    /// or the radius collapsed): `||D g||_2 <= stationary_tol_stalled ||F||_2` (E10). Near an
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
    /// Relative step of the finite-difference Jacobian. Default `sqrt(eps)`
    /// (Dennis & Schnabel 1996, sec. 5.4).
    pub fd_rel_step: f64,
    /// Consecutive trial points with non-finite values tolerated before the run fails.
    /// Default `30` (each one shrinks the radius by at least 4).
    pub max_non_finite: usize,
    /// Keep a [`SystemIterationInfo`] per iteration (with the iterate) in the report's
    /// `history`. Default `false`.
    pub keep_history: bool,
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
            fd_rel_step: DEFAULT_REL_STEP,
            max_non_finite: 30,
            keep_history: false,
        }
    }
}

impl InteriorOptions {
    /// Checks every option.
    pub fn validate(&self) -> Result<(), SetupError> {
        let bad = |name, value, reason| Err(SetupError::InvalidOption { name, value, reason });
        self.scaling.validate()?;
        self.radius.validate()?;
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
        if !(self.fd_rel_step > 0.0 && self.fd_rel_step < 1.0) {
            return bad("fd_rel_step", self.fd_rel_step, "must satisfy 0 < fd_rel_step < 1");
        }
        if self.max_non_finite == 0 {
            return bad("max_non_finite", 0.0, "must be at least 1");
        }
        Ok(())
    }
}

/// Which step was tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum StepKind {
    /// The (stepped-back or projected) Newton step.
    Newton,
    /// The truncated generalized Cauchy step (E2).
    Cauchy,
    /// The dogleg point between the Cauchy and Newton steps (E5).
    Dogleg,
    /// The constrained-dogleg line minimizer (E8).
    ConstrainedDogleg,
}

impl StepKind {
    /// Stable short name.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Newton => "newton",
            StepKind::Cauchy => "cauchy",
            StepKind::Dogleg => "dogleg",
            StepKind::ConstrainedDogleg => "constrained_dogleg",
        }
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
    /// `||F||^2 / 2` at the iterate after this iteration.
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
    /// `||D g|| <= stationary_tol ||F||` with `||F||` above the tolerance: a stationary point
    /// of the merit in the box that is not a root (E10).
    StationaryNotRoot {
        /// Final `||F||_2`.
        residual_norm: f64,
        /// Final `||D g||_2 / ||F||_2`.
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
    /// Converged (a root), stopped (a limit or the observer) or failed (everything else,
    /// including a stationary point that is not a root).
    pub fn class(&self) -> TerminationClass {
        use SystemTermination::*;
        match self {
            Root { .. } => TerminationClass::Converged,
            MaxIterations { .. } | MaxEvaluations { .. } | MaxTime { .. } | UserStopped { .. } => {
                TerminationClass::Stopped
            }
            StationaryNotRoot { .. } | RadiusTooSmall { .. } | NoProgress { .. } | NonFinite { .. } => {
                TerminationClass::Failed
            }
        }
    }

    /// Whether a root was found.
    pub fn converged(&self) -> bool {
        self.class() == TerminationClass::Converged
    }

    /// A stable snake-case name (tables, CSV, JSON).
    pub fn name(&self) -> &'static str {
        use SystemTermination::*;
        match self {
            Root { .. } => "root",
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
            StationaryNotRoot { residual_norm, scaled_gradient_norm } => write!(
                f,
                "failed: stationary point of ||F||^2/2 that is not a root, ||F|| = {residual_norm:.3e}, \
                 ||Dg||/||F|| = {scaled_gradient_norm:.3e}"
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
/// the box (accepted steps never increase the merit); `f` the merit `||F(x)||^2 / 2`;
/// `residuals` is `F(x)` ([`Report::residual_norm`] gives `||F(x)||_2`); `gradient` is
/// `J'F` at `x` (zero when the run ended before the first Jacobian); `stationarity` is
/// `||D g||_2 / ||F||_2` (E10; 0 when the run ended before the first Jacobian);
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

    /// Solves with the user's dense Jacobian (dense LU).
    pub fn solve_dense<P: DenseJacobian + ?Sized>(
        &mut self,
        p: &P,
        bounds: &Bounds,
        x0: &[f64],
    ) -> Result<SystemReport, SetupError> {
        let start = self.check(p, bounds, x0)?;
        let n = x0.len();
        let mut lin = DenseLinearization::new(UserDense(p), n);
        self.run(p, &mut lin, bounds, start)
    }

    /// Solves with the user's sparse Jacobian (sparse LU, one symbolic analysis per solve).
    pub fn solve_sparse<P: SparseJacobian + ?Sized>(
        &mut self,
        p: &P,
        bounds: &Bounds,
        x0: &[f64],
    ) -> Result<SystemReport, SetupError> {
        let start = self.check(p, bounds, x0)?;
        let pattern = p.jacobian_pattern();
        check_pattern(&pattern, x0.len())?;
        let mut lin = SparseLinearization::new(UserSparse(p), pattern);
        self.run(p, &mut lin, bounds, start)
    }

    /// Solves with a finite-difference Jacobian: dense forward differences (backwards at the
    /// upper bound) when `pattern` is `None`; Curtis-Powell-Reid grouped sparse differences,
    /// evaluated with rayon, and the sparse LU otherwise ([`crate::problem::fd`]).
    pub fn solve_fd<P: Residuals + Sync + ?Sized>(
        &mut self,
        p: &P,
        bounds: &Bounds,
        x0: &[f64],
        pattern: Option<SymbolicSparseColMat<usize>>,
    ) -> Result<SystemReport, SetupError> {
        let start = self.check(p, bounds, x0)?;
        let n = x0.len();
        let rel_step = self.options.fd_rel_step;
        match pattern {
            None => {
                let source = FdDense { problem: p, bounds, rel_step, x_work: vec![0.0; n], f_work: vec![0.0; n] };
                let mut lin = DenseLinearization::new(source, n);
                self.run(p, &mut lin, bounds, start)
            }
            Some(pattern) => {
                check_pattern(&pattern, n)?;
                let source = FdSparse { problem: p, bounds, fd: SparseFd::new(pattern.as_ref(), rel_step) };
                let mut lin = SparseLinearization::new(source, pattern);
                self.run(p, &mut lin, bounds, start)
            }
        }
    }

    /// Validates options, sizes, bounds and the start point; returns the start point (moved
    /// off the bounds if needed) and whether it moved.
    fn check<P: Residuals + ?Sized>(&self, p: &P, bounds: &Bounds, x0: &[f64]) -> Result<(Vec<f64>, bool), SetupError> {
        self.options.validate()?;
        let n = p.dim();
        if n == 0 {
            return Err(SetupError::EmptyProblem);
        }
        if p.residual_count() != n {
            return Err(SetupError::DimensionMismatch { what: "residuals", expected: n, found: p.residual_count() });
        }
        if x0.len() != n {
            return Err(SetupError::DimensionMismatch { what: "x0", expected: n, found: x0.len() });
        }
        for (what, v) in [("lower bounds", &bounds.lower), ("upper bounds", &bounds.upper)] {
            if v.len() != n {
                return Err(SetupError::DimensionMismatch { what, expected: n, found: v.len() });
            }
        }
        for (i, (&l, &u)) in bounds.lower.iter().zip(&bounds.upper).enumerate() {
            if l.is_nan() || u.is_nan() || l >= u || l == f64::INFINITY || u == f64::NEG_INFINITY {
                return Err(SetupError::InvalidBounds { index: i, lower: l, upper: u });
            }
        }
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

    /// The loop (module docs), on any linearization.
    fn run<P: Residuals + ?Sized, L: Linearization>(
        &mut self,
        problem: &P,
        lin: &mut L,
        bounds: &Bounds,
        start: (Vec<f64>, bool),
    ) -> Result<SystemReport, SetupError> {
        let started = Instant::now();
        let opts = &self.options;
        let (x_start, start_moved) = start;
        let n = x_start.len();
        let mut ws = Workspace::new(n, x_start, opts);

        problem.residuals(&ws.x, &mut ws.f);
        ws.f_evals += 1;
        if !all_finite(&ws.f) {
            return Err(SetupError::NonFiniteAtStart { what: "residuals" });
        }
        ws.fnorm = norm(&ws.f);
        let target = opts.atol + opts.rtol * ws.fnorm;
        let mut radius = opts.radius.initial_radius();
        let min_radius = opts.radius.min_radius.unwrap_or(0.0);
        let mut history = Vec::new();
        let mut iterations = 0usize;
        let mut accepted_steps = 0usize;
        let mut non_finite = 0usize;

        let termination = 'outer: {
            // (E10) a root at the start needs no Jacobian.
            if ws.fnorm <= target {
                break 'outer SystemTermination::Root { residual_norm: ws.fnorm };
            }
            let (evals, finite) = lin.evaluate(&ws.x, &ws.f);
            ws.f_evals += evals;
            ws.j_evals += 1;
            if !finite {
                return Err(SetupError::NonFiniteAtStart { what: "Jacobian" });
            }
            ws.prepare_point(lin, opts, bounds);
            if ws.stationarity <= opts.stationary_tol {
                break 'outer ws.stationary();
            }
            loop {
                if let Some(l) = opts.limits.reached(iterations, ws.f_evals, started) {
                    break 'outer l.into();
                }
                iterations += 1;
                let trial = ws.trial_step(opts, bounds, radius);
                let step_norm = trial.step_norm;

                // Trial point; the step is strictly inside by construction, this guards
                // rounding at an ulp from a bound.
                let mut inside = true;
                let mut moves = false;
                for i in 0..n {
                    let xt = ws.x[i] + ws.p[i];
                    ws.xt[i] = xt;
                    inside &= bounds.lower[i] < xt && xt < bounds.upper[i];
                    moves |= xt != ws.x[i];
                }
                if !moves {
                    break 'outer ws.stalled(
                        opts,
                        SystemTermination::NoProgress { residual_norm: ws.fnorm, iteration: iterations },
                    );
                }
                let mut accepted = false;
                let mut ared = f64::NAN;
                let mut rho = f64::NEG_INFINITY;
                let mut round_off = false;
                if inside {
                    problem.residuals(&ws.xt, &mut ws.ft);
                    ws.f_evals += 1;
                    if all_finite(&ws.ft) {
                        let ftnorm = norm(&ws.ft);
                        // Actual reduction of the rule's merit (E9).
                        let merit_now = match opts.step_rule {
                            StepRule::Dogleg => {
                                ared = 0.5 * (ws.fnorm - ftnorm) * (ws.fnorm + ftnorm);
                                0.5 * ws.fnorm * ws.fnorm
                            }
                            StepRule::ConstrainedDogleg => {
                                ared = ws.fnorm - ftnorm;
                                ws.fnorm
                            }
                        };
                        rho = opts.radius.ratio(ared, trial.predicted_reduction, merit_now);
                        round_off = opts.radius.negligible(ared, trial.predicted_reduction, merit_now);
                        if opts.radius.accepts(rho, ftnorm > ws.fnorm) {
                            // The Jacobian at the trial point must be usable before we move.
                            let (evals, finite) = lin.evaluate(&ws.xt, &ws.ft);
                            ws.f_evals += evals;
                            ws.j_evals += 1;
                            if finite {
                                accepted = true;
                                ws.fnorm = ftnorm;
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
                let update = RadiusTrial { ratio: rho, accepted, step_norm, hits_boundary: false, may_grow };
                radius = opts.radius.update(radius, &update);
                if accepted {
                    non_finite = 0;
                    accepted_steps += 1;
                    std::mem::swap(&mut ws.x, &mut ws.xt);
                    std::mem::swap(&mut ws.f, &mut ws.ft);
                    ws.prepare_point(lin, opts, bounds);
                }

                let mut record = SystemIterationInfo {
                    iteration: iterations,
                    x: Vec::new(),
                    residual_norm: ws.fnorm,
                    merit: 0.5 * ws.fnorm * ws.fnorm,
                    scaled_gradient_norm: ws.stationarity,
                    radius: trial.radius,
                    step_norm,
                    actual_reduction: ared,
                    predicted_reduction: trial.predicted_reduction,
                    ratio: rho,
                    accepted,
                    step: trial.kind,
                    newton_available: ws.newton_ok_at_trial,
                    safeguard: trial.safeguard,
                    scale: trial.member,
                };
                let user_stop = matches!(self.observer.observe(&record, &ws.x), ControlFlow::Break(()));
                if opts.keep_history {
                    record.x = ws.x.clone();
                    history.push(record);
                }

                if accepted {
                    if ws.fnorm <= target {
                        break 'outer SystemTermination::Root { residual_norm: ws.fnorm };
                    }
                    if ws.stationarity <= opts.stationary_tol {
                        break 'outer ws.stationary();
                    }
                } else if round_off {
                    break 'outer ws.stalled(
                        opts,
                        SystemTermination::NoProgress { residual_norm: ws.fnorm, iteration: iterations },
                    );
                }
                if non_finite >= opts.max_non_finite {
                    break 'outer SystemTermination::NonFinite { consecutive: non_finite };
                }
                if !accepted && !(radius >= min_radius) {
                    break 'outer ws
                        .stalled(opts, SystemTermination::RadiusTooSmall { radius, residual_norm: ws.fnorm });
                }
                if user_stop {
                    break 'outer SystemTermination::UserStopped { iteration: iterations };
                }
            }
        };

        let evaluations =
            Evaluations { f: ws.f_evals, residuals: ws.f_evals, jacobian: ws.j_evals, ..Evaluations::default() };
        Ok(Report {
            f: 0.5 * ws.fnorm * ws.fnorm,
            grad_inf: norm_inf(&ws.g),
            stationarity: ws.stationarity,
            termination,
            iterations,
            accepted_steps,
            inner_iterations: 0,
            factorizations: lin.factorizations(),
            symbolic_analyses: lin.symbolic_analyses(),
            evaluations,
            radius,
            start_moved,
            elapsed: started.elapsed(),
            history,
            x: ws.x,
            gradient: ws.g,
            residuals: ws.f,
        })
    }
}

/// Moves a start component lying on a bound strictly inside (module docs, IPOPT's rule).
fn push_inside(x: f64, l: f64, u: f64, kappa: f64) -> f64 {
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

fn check_pattern(pattern: &SymbolicSparseColMat<usize>, n: usize) -> Result<(), SetupError> {
    if pattern.nrows() != n {
        return Err(SetupError::DimensionMismatch {
            what: "Jacobian pattern rows",
            expected: n,
            found: pattern.nrows(),
        });
    }
    if pattern.ncols() != n {
        return Err(SetupError::DimensionMismatch {
            what: "Jacobian pattern columns",
            expected: n,
            found: pattern.ncols(),
        });
    }
    Ok(())
}

/// Largest `a >= 0` with `y + a p` in the closed box (`inf` when no bound is ever reached).
fn max_step(y: impl Fn(usize) -> f64, p: &[f64], bounds: &Bounds) -> f64 {
    let mut a = f64::INFINITY;
    for (i, &pi) in p.iter().enumerate() {
        if pi > 0.0 && bounds.upper[i].is_finite() {
            a = a.min((bounds.upper[i] - y(i)) / pi);
        } else if pi < 0.0 && bounds.lower[i].is_finite() {
            a = a.min((bounds.lower[i] - y(i)) / pi);
        }
    }
    a.max(0.0)
}

/// The factor of the step-back of (E2)/(E5): `max(theta, 1 - ||p||) alpha` when `alpha <= 1`.
fn step_back_factor(alpha: f64, pnorm: f64, theta: f64) -> f64 {
    if alpha <= 1.0 {
        theta.max(1.0 - pnorm) * alpha
    } else {
        1.0
    }
}

/// One trial step, as built by [`Workspace::trial_step`] (the step itself is in `ws.p`).
#[derive(Clone, Copy, Debug)]
struct Trial {
    radius: f64,
    step_norm: f64,
    predicted_reduction: f64,
    kind: StepKind,
    safeguard: bool,
    member: ScaleMember,
}

/// Per-member data at the current iterate: `d`, `Dg`, `JDg` (in the workspace's flat
/// arrays) and scalars for the Cauchy step (E2).
#[derive(Clone, Copy, Debug, Default)]
struct MemberData {
    /// `||D^{1/2} g||^2 = g'Dg`.
    sdg: f64,
    /// `||D g||_2`.
    dg_norm: f64,
    /// `||J D g||^2`.
    jdg2: f64,
    /// Largest step along `-D g` inside the box.
    box_step: f64,
}

/// All buffers of a solve, allocated once.
struct Workspace {
    n: usize,
    x: Vec<f64>,
    xt: Vec<f64>,
    f: Vec<f64>,
    ft: Vec<f64>,
    fnorm: f64,
    g: Vec<f64>,
    /// Members in use: one fixed scaling, or the four candidates of the adaptive choice.
    members: Vec<(ScaleMember, Scaling)>,
    /// Index of the member whose `D g` defines the stationarity measure.
    stationarity_member: usize,
    d: Vec<f64>,
    dg: Vec<f64>,
    jdg: Vec<f64>,
    data: Vec<MemberData>,
    /// `||D g|| / ||F||` (E10).
    stationarity: f64,
    newton_ok: bool,
    newton_ok_at_trial: bool,
    p_newton: Vec<f64>,
    jp_newton: Vec<f64>,
    pc: Vec<f64>,
    jpc: Vec<f64>,
    p: Vec<f64>,
    jp: Vec<f64>,
    f_evals: usize,
    j_evals: usize,
}

impl Workspace {
    fn new(n: usize, x: Vec<f64>, opts: &InteriorOptions) -> Self {
        let (members, stationarity_member) = match opts.scaling {
            Scaling::Adaptive => (Scaling::adaptive_candidates().to_vec(), 3),
            s => (vec![(s.member(), s)], 0),
        };
        let k = members.len();
        Self {
            n,
            xt: vec![0.0; n],
            x,
            f: vec![0.0; n],
            ft: vec![0.0; n],
            fnorm: 0.0,
            g: vec![0.0; n],
            members,
            stationarity_member,
            d: vec![0.0; k * n],
            dg: vec![0.0; k * n],
            jdg: vec![0.0; k * n],
            data: vec![MemberData::default(); k],
            stationarity: 0.0,
            newton_ok: false,
            newton_ok_at_trial: false,
            p_newton: vec![0.0; n],
            jp_newton: vec![0.0; n],
            pc: vec![0.0; n],
            jpc: vec![0.0; n],
            p: vec![0.0; n],
            jp: vec![0.0; n],
            f_evals: 0,
            j_evals: 0,
        }
    }

    fn stationary(&self) -> SystemTermination {
        SystemTermination::StationaryNotRoot { residual_norm: self.fnorm, scaled_gradient_norm: self.stationarity }
    }

    /// A stalled run (E10): a stationary point when the measure is below the stalled
    /// tolerance, else `otherwise`.
    fn stalled(&self, opts: &InteriorOptions, otherwise: SystemTermination) -> SystemTermination {
        if self.stationarity <= opts.stationary_tol_stalled {
            self.stationary()
        } else {
            otherwise
        }
    }

    /// Everything that depends only on the iterate: `g = J'F`, the scale vectors and their
    /// Cauchy data (E2), the stationarity measure (E10), and the Newton step (E3, E5, E7).
    fn prepare_point<L: Linearization>(&mut self, lin: &mut L, opts: &InteriorOptions, bounds: &Bounds) {
        let n = self.n;
        lin.apply_transpose(&self.f, &mut self.g);
        for k in 0..self.members.len() {
            let range = k * n..(k + 1) * n;
            let scaling = self.members[k].1;
            scaling.scale(&self.x, &self.g, bounds, &mut self.d[range.clone()]);
            let (d, dg) = (&self.d[range.clone()], &mut self.dg[range.clone()]);
            for i in 0..n {
                dg[i] = d[i] * self.g[i];
            }
            lin.apply(&self.dg[range.clone()], &mut self.jdg[range.clone()]);
            let dg = &self.dg[range.clone()];
            let jdg = &self.jdg[range];
            let x = &self.x;
            // Largest a with x - a D g in the box.
            let mut box_step = f64::INFINITY;
            for i in 0..n {
                let v = -dg[i];
                if v > 0.0 && bounds.upper[i].is_finite() {
                    box_step = box_step.min((bounds.upper[i] - x[i]) / v);
                } else if v < 0.0 && bounds.lower[i].is_finite() {
                    box_step = box_step.min((bounds.lower[i] - x[i]) / v);
                }
            }
            self.data[k] = MemberData { sdg: dot(&self.g, dg), dg_norm: norm(dg), jdg2: dot(jdg, jdg), box_step };
        }
        let s = self.stationarity_member;
        self.stationarity = self.data[s].dg_norm / self.fnorm;

        // (E3) Newton step J s_N = -F.
        for i in 0..n {
            self.p_newton[i] = -self.f[i];
        }
        self.newton_ok = lin.newton(&mut self.p_newton);
        if self.newton_ok {
            let s_norm = norm(&self.p_newton);
            match opts.step_rule {
                StepRule::Dogleg => {
                    // (E5) stepped back only when x + s_N is not strictly inside.
                    let alpha = max_step(|i| self.x[i], &self.p_newton, bounds);
                    let factor = step_back_factor(alpha, s_norm, opts.theta);
                    if factor != 1.0 {
                        self.p_newton.iter_mut().for_each(|v| *v *= factor);
                    }
                }
                StepRule::ConstrainedDogleg => {
                    // (E7) projected onto the box, then stepped back.
                    let factor = opts.theta.max(1.0 - s_norm);
                    for i in 0..n {
                        let target = (self.x[i] + self.p_newton[i]).clamp(bounds.lower[i], bounds.upper[i]);
                        self.p_newton[i] = factor * (target - self.x[i]);
                    }
                }
            }
            lin.apply(&self.p_newton, &mut self.jp_newton);
            self.newton_ok = all_finite(&self.p_newton) && all_finite(&self.jp_newton);
        }
    }

    /// `(||a||_T^2, <a, b>_T, ||b||_T^2)` in the region's metric for member `k`, with
    /// `b = bm - a`.
    fn metric3(&self, k: usize, region: Region, a: &[f64], bm: &[f64]) -> (f64, f64, f64) {
        let d = &self.d[k * self.n..(k + 1) * self.n];
        let (mut aa, mut ab, mut bb) = (0.0, 0.0, 0.0);
        for i in 0..self.n {
            let w = match region {
                Region::Elliptical => 1.0 / d[i].max(f64::MIN_POSITIVE),
                Region::Spherical => 1.0,
            };
            let b = bm[i] - a[i];
            aa += w * a[i] * a[i];
            ab += w * a[i] * b;
            bb += w * b * b;
        }
        (aa, ab, bb)
    }

    /// `||p||_T` for member `k`.
    fn tr_norm(&self, k: usize, region: Region, p: &[f64]) -> f64 {
        match region {
            Region::Spherical => norm(p),
            Region::Elliptical => {
                let d = &self.d[k * self.n..(k + 1) * self.n];
                let mut s = 0.0;
                for i in 0..self.n {
                    s += p[i] * p[i] / d[i].max(f64::MIN_POSITIVE);
                }
                s.sqrt()
            }
        }
    }

    /// (E2) the coefficient `c` of the truncated generalized Cauchy step `p_c = -c D g` of
    /// member `k`, whether the region cut it, and its predicted reduction `pred_2` (E4).
    fn cauchy(&self, k: usize, opts: &InteriorOptions, radius: f64) -> (f64, bool, f64) {
        let m = self.data[k];
        if !(m.sdg > 0.0) || !(m.dg_norm > 0.0) {
            return (0.0, false, 0.0);
        }
        let v_norm = match opts.region {
            Region::Elliptical => m.sdg.sqrt(), // ||D^{-1/2} D g|| = ||D^{1/2} g||
            Region::Spherical => m.dg_norm,
        };
        let tau_star = if m.jdg2 > 0.0 { m.sdg / m.jdg2 } else { f64::INFINITY };
        let tau_region = radius / v_norm;
        let (tau, cut) = if tau_region <= tau_star { (tau_region, true) } else { (tau_star, false) };
        // Box step-back of tau v (E2).
        let factor = step_back_factor(m.box_step / tau, tau * m.dg_norm, opts.theta);
        let c = tau * factor;
        // pred_2(c v) = c (g'Dg - c ||JDg||^2 / 2) (E4), no cancellation as c <= tau*.
        let pred = c * (m.sdg - 0.5 * c * m.jdg2);
        (c, cut, pred)
    }

    /// The rule's predicted reduction of a step with `J p = jp` (E4).
    fn predicted(&self, rule: StepRule, jp: &[f64]) -> f64 {
        let mut pred2 = 0.0;
        for i in 0..self.n {
            pred2 -= jp[i] * (self.f[i] + 0.5 * jp[i]);
        }
        match rule {
            StepRule::Dogleg => pred2,
            StepRule::ConstrainedDogleg => {
                let mut r2 = 0.0;
                for i in 0..self.n {
                    let r = self.f[i] + jp[i];
                    r2 += r * r;
                }
                2.0 * pred2 / (self.fnorm + r2.sqrt())
            }
        }
    }

    /// Builds the trial step for `radius` into `self.p` (and `J p` into `self.jp`).
    fn trial_step(&mut self, opts: &InteriorOptions, bounds: &Bounds, radius: f64) -> Trial {
        let n = self.n;
        // The member: fixed, or the largest truncated-Cauchy decrease (adaptive).
        let mut k = 0;
        let (mut c, mut cut, mut pred_c2) = self.cauchy(0, opts, radius);
        for j in 1..self.members.len() {
            let (cj, cutj, predj) = self.cauchy(j, opts, radius);
            if predj > pred_c2 {
                (k, c, cut, pred_c2) = (j, cj, cutj, predj);
            }
        }
        let member = self.members[k].0;
        {
            let dg = &self.dg[k * n..(k + 1) * n];
            let jdg = &self.jdg[k * n..(k + 1) * n];
            for i in 0..n {
                self.pc[i] = -c * dg[i];
                self.jpc[i] = -c * jdg[i];
            }
        }
        self.newton_ok_at_trial = self.newton_ok;
        let mut safeguard = false;
        let kind = match opts.step_rule {
            StepRule::Dogleg => {
                let newton_norm =
                    if self.newton_ok { self.tr_norm(k, opts.region, &self.p_newton) } else { f64::INFINITY };
                if self.newton_ok && newton_norm <= radius {
                    self.p.copy_from_slice(&self.p_newton);
                    self.jp.copy_from_slice(&self.jp_newton);
                    StepKind::Newton
                } else if !self.newton_ok || cut {
                    self.p.copy_from_slice(&self.pc);
                    self.jp.copy_from_slice(&self.jpc);
                    StepKind::Cauchy
                } else {
                    // (E5) the dogleg point on the region's boundary.
                    let (aa, ab, bb) = self.metric3(k, opts.region, &self.pc, &self.p_newton);
                    let t = boundary_root(aa, ab, bb, radius).clamp(0.0, 1.0);
                    for i in 0..n {
                        self.p[i] = self.pc[i] + t * (self.p_newton[i] - self.pc[i]);
                        self.jp[i] = self.jpc[i] + t * (self.jp_newton[i] - self.jpc[i]);
                    }
                    StepKind::Dogleg
                }
            }
            StepRule::ConstrainedDogleg => {
                if !self.newton_ok {
                    self.p.copy_from_slice(&self.pc);
                    self.jp.copy_from_slice(&self.jpc);
                    StepKind::Cauchy
                } else {
                    // (E8) gamma* = -(F + J p_c)'w / ||w||^2, w = J (p_N - p_c).
                    let (mut rw, mut ww) = (0.0, 0.0);
                    for i in 0..n {
                        let w = self.jp_newton[i] - self.jpc[i];
                        rw += (self.f[i] + self.jpc[i]) * w;
                        ww += w * w;
                    }
                    let gamma = if ww > 0.0 && rw.is_finite() {
                        let gamma_star = -rw / ww;
                        let (aa, ab, bb) = self.metric3(k, opts.region, &self.pc, &self.p_newton);
                        // seg = p_N - p_c; the line from y = x + p_c.
                        let pc = &self.pc;
                        let x = &self.x;
                        let y = |i: usize| x[i] + pc[i];
                        if gamma_star > 0.0 {
                            let mut g = gamma_star.min(boundary_root(aa, ab, bb, radius));
                            if g > 1.0 {
                                for i in 0..n {
                                    self.p[i] = self.p_newton[i] - self.pc[i];
                                }
                                g = g.min(opts.theta * max_step(y, &self.p, bounds));
                            }
                            g
                        } else {
                            let mut g = gamma_star.max(-boundary_root(aa, -ab, bb, radius));
                            if g < 0.0 {
                                for i in 0..n {
                                    self.p[i] = self.pc[i] - self.p_newton[i];
                                }
                                g = g.max(-opts.theta * max_step(y, &self.p, bounds));
                            }
                            g
                        }
                    } else {
                        0.0
                    };
                    for i in 0..n {
                        self.p[i] = self.pc[i] + gamma * (self.p_newton[i] - self.pc[i]);
                        self.jp[i] = self.jpc[i] + gamma * (self.jp_newton[i] - self.jpc[i]);
                    }
                    if gamma == 1.0 {
                        StepKind::Newton
                    } else if gamma == 0.0 {
                        StepKind::Cauchy
                    } else {
                        StepKind::ConstrainedDogleg
                    }
                }
            }
        };
        let mut pred = self.predicted(opts.step_rule, &self.jp);
        if opts.step_rule == StepRule::Dogleg && kind != StepKind::Cauchy {
            // (E6) Cauchy-ratio safeguard.
            if !(pred >= opts.cauchy_fraction * pred_c2) {
                self.p.copy_from_slice(&self.pc);
                self.jp.copy_from_slice(&self.jpc);
                pred = pred_c2;
                safeguard = true;
            }
        }
        let step_norm = self.tr_norm(k, opts.region, &self.p);
        Trial { radius, step_norm, predicted_reduction: pred, kind, safeguard, member }
    }
}

/// What the loop needs from a Jacobian: evaluate, multiply, and the Newton solve.
trait Linearization {
    /// Evaluates `J(x)` (`fx = F(x)`); returns the evaluations of `F` it used and whether
    /// every entry is finite.
    fn evaluate(&mut self, x: &[f64], fx: &[f64]) -> (usize, bool);
    /// `out <- J v`.
    fn apply(&self, v: &[f64], out: &mut [f64]);
    /// `out <- J' v`.
    fn apply_transpose(&self, v: &[f64], out: &mut [f64]);
    /// Factorizes `J` and solves `J s = rhs` in place; `false` when singular or non-finite.
    fn newton(&mut self, rhs: &mut [f64]) -> bool;
    /// Numeric factorizations so far.
    fn factorizations(&self) -> usize;
    /// Symbolic analyses so far.
    fn symbolic_analyses(&self) -> usize;
}

/// Fills a dense Jacobian.
trait DenseSource {
    fn fill(&mut self, x: &[f64], fx: &[f64], jac: MatMut<'_, f64>) -> usize;
}

struct UserDense<'a, P: ?Sized>(&'a P);

impl<P: DenseJacobian + ?Sized> DenseSource for UserDense<'_, P> {
    fn fill(&mut self, x: &[f64], _fx: &[f64], jac: MatMut<'_, f64>) -> usize {
        self.0.jacobian(x, jac);
        0
    }
}

struct FdDense<'a, P: ?Sized> {
    problem: &'a P,
    bounds: &'a Bounds,
    rel_step: f64,
    x_work: Vec<f64>,
    f_work: Vec<f64>,
}

impl<P: Residuals + ?Sized> DenseSource for FdDense<'_, P> {
    fn fill(&mut self, x: &[f64], fx: &[f64], jac: MatMut<'_, f64>) -> usize {
        fd::dense_jacobian(self.problem, x, fx, self.bounds, self.rel_step, &mut self.x_work, &mut self.f_work, jac)
    }
}

struct DenseLinearization<S> {
    source: S,
    jac: Mat<f64>,
    lu: DenseLu,
    factorizations: usize,
}

impl<S: DenseSource> DenseLinearization<S> {
    fn new(source: S, n: usize) -> Self {
        Self { source, jac: Mat::zeros(n, n), lu: DenseLu::new(n), factorizations: 0 }
    }
}

impl<S: DenseSource> Linearization for DenseLinearization<S> {
    fn evaluate(&mut self, x: &[f64], fx: &[f64]) -> (usize, bool) {
        let evals = self.source.fill(x, fx, self.jac.as_mut());
        let n = self.jac.ncols();
        let finite = (0..n).all(|j| (0..n).all(|i| self.jac[(i, j)].is_finite()));
        (evals, finite)
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        dense::matvec(self.jac.as_ref(), v, out);
    }
    fn apply_transpose(&self, v: &[f64], out: &mut [f64]) {
        dense::matvec_transpose(self.jac.as_ref(), v, out);
    }
    fn newton(&mut self, rhs: &mut [f64]) -> bool {
        self.factorizations += 1;
        self.lu.factorize(self.jac.as_ref()).is_ok() && self.lu.solve_in_place(rhs).is_ok()
    }
    fn factorizations(&self) -> usize {
        self.factorizations
    }
    fn symbolic_analyses(&self) -> usize {
        0
    }
}

/// Fills the values of a sparse Jacobian in the order of its pattern.
trait SparseSource {
    fn fill(&mut self, x: &[f64], fx: &[f64], pattern: SymbolicSparseColMatRef<'_, usize>, values: &mut [f64])
        -> usize;
}

struct UserSparse<'a, P: ?Sized>(&'a P);

impl<P: SparseJacobian + ?Sized> SparseSource for UserSparse<'_, P> {
    fn fill(&mut self, x: &[f64], _: &[f64], _: SymbolicSparseColMatRef<'_, usize>, values: &mut [f64]) -> usize {
        self.0.jacobian_values(x, values);
        0
    }
}

struct FdSparse<'a, P: ?Sized> {
    problem: &'a P,
    bounds: &'a Bounds,
    fd: SparseFd,
}

impl<P: Residuals + Sync + ?Sized> SparseSource for FdSparse<'_, P> {
    fn fill(
        &mut self,
        x: &[f64],
        fx: &[f64],
        pattern: SymbolicSparseColMatRef<'_, usize>,
        values: &mut [f64],
    ) -> usize {
        self.fd.jacobian(self.problem, x, fx, self.bounds, pattern, values)
    }
}

struct SparseLinearization<S> {
    source: S,
    pattern: SymbolicSparseColMat<usize>,
    values: Vec<f64>,
    lu: SparseLu,
}

impl<S: SparseSource> SparseLinearization<S> {
    /// Stores the pattern and runs the symbolic analysis once (E3). A failed analysis leaves
    /// the Newton step unavailable for the whole solve (the Cauchy steps still work).
    fn new(source: S, pattern: SymbolicSparseColMat<usize>) -> Self {
        let values = vec![0.0; pattern.row_idx().len()];
        let mut lu = SparseLu::new();
        let _ = lu.analyze(pattern.as_ref());
        Self { source, pattern, values, lu }
    }

    fn matrix(&self) -> SparseColMatRef<'_, usize, f64> {
        SparseColMatRef::new(self.pattern.as_ref(), &self.values)
    }
}

impl<S: SparseSource> Linearization for SparseLinearization<S> {
    fn evaluate(&mut self, x: &[f64], fx: &[f64]) -> (usize, bool) {
        let evals = self.source.fill(x, fx, self.pattern.as_ref(), &mut self.values);
        (evals, all_finite(&self.values))
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        sparse::matvec(self.matrix(), v, out);
    }
    fn apply_transpose(&self, v: &[f64], out: &mut [f64]) {
        sparse::matvec_transpose(self.matrix(), v, out);
    }
    fn newton(&mut self, rhs: &mut [f64]) -> bool {
        let a = SparseColMatRef::new(self.pattern.as_ref(), &self.values);
        self.lu.factorize(a).is_ok() && self.lu.solve_in_place(rhs).is_ok()
    }
    fn factorizations(&self) -> usize {
        self.lu.factorizations()
    }
    fn symbolic_analyses(&self) -> usize {
        self.lu.symbolic_analyses()
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

    #[test]
    fn step_back_and_max_step() {
        let b = Bounds::new(vec![0.0, 0.0], vec![1.0, f64::INFINITY]).unwrap();
        let x = [0.5, 0.5];
        assert_eq!(max_step(|i| x[i], &[1.0, 0.0], &b), 0.5);
        assert_eq!(max_step(|i| x[i], &[0.0, 1.0], &b), f64::INFINITY);
        assert_eq!(max_step(|i| x[i], &[0.0, -0.25], &b), 2.0);
        assert_eq!(step_back_factor(2.0, 1.0, 0.99995), 1.0);
        assert_eq!(step_back_factor(0.5, 1.0, 0.99995), 0.99995 * 0.5);
        assert_eq!(step_back_factor(0.5, 1e-6, 0.99995), (1.0 - 1e-6) * 0.5);
    }
}
