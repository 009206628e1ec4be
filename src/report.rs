//! The result of a run, one shape for every loop: [`Report`], generic over the termination
//! type and the per-iteration record, with one `Display`; the Newton loop's per-iteration
//! record [`IterationInfo`]; the [`Outcome`] trait every termination type implements.
//!
//! Reports and records implement serde's `Serialize`, so a runner can write them as they are.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

pub use crate::step::Evaluations;
use crate::step::StepStatus;
use crate::termination::{Termination, TerminationClass};

/// What happened in one iteration (one trial step).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct IterationInfo {
    /// Iteration number, starting at 1.
    pub iteration: usize,
    /// `f` at the current point after this iteration.
    pub f: f64,
    /// `||g||_inf` at the current point after this iteration.
    pub grad_inf: f64,
    /// Radius used for this trial.
    pub radius: f64,
    /// Norm of the trial step (in the step solver's norm).
    pub step_norm: f64,
    /// `f(x) - f(x + s)` (NaN when the trial value was not finite).
    pub actual_reduction: f64,
    /// `m(0) - m(s)`.
    pub predicted_reduction: f64,
    /// `actual_reduction / predicted_reduction` (with the round-off guard).
    pub ratio: f64,
    /// Whether the step was accepted.
    pub accepted: bool,
    /// Whether the step hit the trust-region boundary.
    pub hits_boundary: bool,
    /// Why the step solver stopped.
    pub step_status: StepStatus,
    /// Inner iterations of the step solver.
    pub inner_iterations: usize,
}

/// What every loop's termination type offers: a class, a stable name, a message.
pub trait Outcome: fmt::Display {
    /// Converged, stopped or failed.
    fn class(&self) -> TerminationClass;
    /// A stable snake-case name (tables, CSV, JSON).
    fn name(&self) -> &'static str;
    /// Whether the class is [`TerminationClass::Converged`].
    fn converged(&self) -> bool {
        self.class() == TerminationClass::Converged
    }
}

impl Outcome for Termination {
    fn class(&self) -> TerminationClass {
        Termination::class(self)
    }
    fn name(&self) -> &'static str {
        Termination::name(self)
    }
}

/// The outcome of a run, whatever the loop. The point is the best one found (for the
/// Hessian-free loop, the last accepted one), whatever the termination.
///
/// `T` is the loop's termination type ([`Termination`], or
/// [`SystemTermination`](crate::solver::interior::SystemTermination) for the interior loop),
/// `R` its per-iteration record. Fields a loop does not have stay empty (`residuals` for the
/// Newton loop, `gradient` for the Hessian-free loop).
#[derive(Clone, Debug, Serialize)]
pub struct Report<T = Termination, R = IterationInfo> {
    /// Best point found.
    pub x: Vec<f64>,
    /// The objective at `x`: `f(x)` for minimization, `||r(x)||^2 / 2` for least squares,
    /// the merit `||F(x)||^2 / 2` for systems, the batch loss for training.
    pub f: f64,
    /// The gradient at `x` (`J'F` for systems; empty for the Hessian-free loop).
    pub gradient: Vec<f64>,
    /// `||gradient||_inf` (for the Hessian-free loop: of the batch gradient at the point of
    /// the last step).
    pub grad_inf: f64,
    /// The residuals `F(x)` (systems); empty for the other loops.
    pub residuals: Vec<f64>,
    /// The first-order measure the loop's tolerance tests: `||g||_inf` (Newton and
    /// Hessian-free loops), `||D g||_2 / ||F||_2` (interior loop, 0 when the run ended before
    /// the first Jacobian).
    pub stationarity: f64,
    /// Why the run ended.
    pub termination: T,
    /// Iterations (trial steps) performed.
    pub iterations: usize,
    /// Accepted steps.
    pub accepted_steps: usize,
    /// Total inner iterations of the step solver.
    pub inner_iterations: usize,
    /// Total matrix factorizations of the step solver (numeric factorizations for a sparse
    /// matrix).
    pub factorizations: usize,
    /// Symbolic analyses of a sparse matrix by the step solver (fill-reducing ordering and
    /// elimination tree; 1 for a sparse factorization, whatever the number of iterations,
    /// because the pattern is fixed; 0 for every other solver).
    pub symbolic_analyses: usize,
    /// User-function evaluations.
    pub evaluations: Evaluations,
    /// Final radius.
    pub radius: f64,
    /// Whether the start point was moved (onto the interior of the box).
    pub start_moved: bool,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Per-iteration records (empty unless the options' `keep_history`).
    pub history: Vec<R>,
}

impl<T: Outcome, R> Report<T, R> {
    /// Whether the run converged.
    pub fn converged(&self) -> bool {
        self.termination.converged()
    }
}

impl<T, R> Report<T, R> {
    /// `||F(x)||_2` for a report that carries residuals (0 when it has none).
    pub fn residual_norm(&self) -> f64 {
        crate::linalg::norm(&self.residuals)
    }
}

impl<T: Outcome, R> fmt::Display for Report<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.termination)?;
        write!(f, "  f = {:.10e}, ||g||_inf = {:.3e}", self.f, self.grad_inf)?;
        if !self.residuals.is_empty() {
            write!(f, ", ||F|| = {:.6e}, stationarity {:.3e}", self.residual_norm(), self.stationarity)?;
        }
        writeln!(f, ", n = {}", self.x.len())?;
        writeln!(
            f,
            "  iterations {} (accepted {}), inner {}, factorizations {} (symbolic {})",
            self.iterations, self.accepted_steps, self.inner_iterations, self.factorizations, self.symbolic_analyses
        )?;
        let e = &self.evaluations;
        writeln!(
            f,
            "  evaluations: f {}, g {}, Hv {}, H {}, residuals {}, Jacobian {}",
            e.f, e.g, e.hv, e.h, e.residuals, e.jacobian
        )?;
        write!(f, "  radius {:.3e}, time {:.6} s", self.radius, self.elapsed.as_secs_f64())
    }
}
