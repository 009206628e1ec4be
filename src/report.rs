//! The result of a run: [`Report`], per-iteration [`IterationInfo`], and [`Evaluations`].

use std::fmt;
use std::time::Duration;

use crate::subproblem::StepStatus;
use crate::termination::Termination;

/// Counters of user-function evaluations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evaluations {
    /// Objective values (for least squares: residual evaluations, each gives `f`).
    pub f: usize,
    /// Gradients.
    pub g: usize,
    /// Hessian-vector products.
    pub hv: usize,
    /// Hessian evaluations (dense or sparse values).
    pub h: usize,
    /// Residual vectors.
    pub residuals: usize,
    /// Jacobians.
    pub jacobian: usize,
}

/// What happened in one iteration (one trial step).
#[derive(Clone, Copy, Debug, PartialEq)]
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

/// The outcome of a run. The point is the best one found, whatever the termination.
#[derive(Clone, Debug)]
pub struct Report {
    /// Best point found.
    pub x: Vec<f64>,
    /// `f(x)`.
    pub f: f64,
    /// Gradient at `x`.
    pub gradient: Vec<f64>,
    /// `||g(x)||_inf`.
    pub grad_inf: f64,
    /// Why the run ended.
    pub termination: Termination,
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
    /// elimination tree; 1 for the sparse exact step, whatever the number of iterations,
    /// because the pattern is fixed; 0 for every other solver).
    pub symbolic_analyses: usize,
    /// User-function evaluations.
    pub evaluations: Evaluations,
    /// Final radius.
    pub radius: f64,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Per-iteration records (empty unless `Options::keep_history`).
    pub history: Vec<IterationInfo>,
}

impl Report {
    /// Whether the run converged.
    pub fn converged(&self) -> bool {
        self.termination.converged()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.termination)?;
        writeln!(f, "  f = {:.10e}, ||g||_inf = {:.3e}, n = {}", self.f, self.grad_inf, self.x.len())?;
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
        write!(f, "  time {:.6} s", self.elapsed.as_secs_f64())
    }
}
