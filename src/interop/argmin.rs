//! Our trust-region method as an argmin solver (feature `argmin`).
//!
//! [`ArgminTrustRegion`] implements argmin 0.11's [`Solver`] for problems over `Vec<f64>`
//! (argmin-math 0.5 reaches nalgebra only up to 0.34 and faer only up to 0.23, so `Vec<f64>`
//! is the common ground). Users keep their argmin types, the [`Executor`](argmin::core::Executor),
//! its observers, `.configure(|state| state.param(x0).max_iters(100))`, checkpoint-free
//! termination reasons and evaluation counts, and get this crate's loop: the ratio test with its
//! round-off guard and the relative boundary test of [`crate::radius`], the step solvers of
//! [`crate::subproblem`], and the gradient, function and step tolerances of
//! [`crate::termination`].
//!
//! One argmin iteration is one iteration of [`TrustRegion::solve`]: the adapter calls
//! [`TrustRegion::begin`] in `init` and [`TrustRegion::iterate`] in `next_iter`, so both
//! drivers produce the same iterates from the same start (tested, including steps decided by
//! the gradient when `f` does not change). argmin's *best* parameter moves only on a strict
//! decrease of the cost, so after steps that leave `f` unchanged (round-off, a flat or noisy
//! `f`) it can lag our current point: `state.get_param()` is the loop's point.
//!
//! # Second-order information
//!
//! argmin has no Hessian-vector-product trait, so the adapter offers two sources of `B`:
//!
//! | constructor | problem traits | `B` | step solvers |
//! |---|---|---|---|
//! | [`ArgminTrustRegion::new`] | `CostFunction + Gradient + Hessian` (`Hessian = Vec<Vec<f64>>`, rows) | the dense Hessian, copied once per accepted point | all: Cauchy, dogleg, Steihaug, More-Sorensen |
//! | [`ArgminTrustRegion::gradient_differences`] | `CostFunction + Gradient` | products `Bv = (g(x + hv) - g(x)) / h` | matrix-free: Cauchy, Steihaug |
//!
//! With a dense Hessian a matrix-free solver (Steihaug) multiplies by the stored matrix: no
//! extra user calls. Without one, each product costs one gradient evaluation (counted in
//! argmin's `gradient_count`), with the forward-difference step
//! `h = sqrt(eps) max(1, ||x||) / ||v||` (Nocedal & Wright 2006, sec. 8.1; relative error about
//! `sqrt(eps) ||B|| ||v||`). Use it when writing the Hessian is impractical; Steihaug's CG
//! tolerates the perturbation, but expect a few more iterations near the solution.
//!
//! # Termination
//!
//! | our [`Termination`] | argmin [`TerminationReason`] |
//! |---|---|
//! | converged class (gradient, relative gradient, function, step tolerance, round-off limit) | `SolverConverged` |
//! | `RadiusTooSmall`, `NonFinite`, `NonFiniteModel`, `StepFailed`, `MaxEvaluations`, `MaxTime` | `SolverExit(text)` |
//!
//! argmin's own limits apply as usual: `max_iters` (`MaxItersReached`), `target_cost`, the
//! executor's timeout. Our `Limits::max_iterations` is not used here (argmin counts the
//! iterations); `max_evaluations` and `max_time` are. [`ArgminTrustRegion::termination`]
//! returns our own, richer record after the run (`None` when argmin's limits ended it).
//!
//! # Errors
//!
//! A wrong call is an argmin `Error` that downcasts to [`SetupError`]: no start point
//! (`ArgminError::NotInitialized`), an empty or non-finite start, a non-finite value, gradient or
//! Hessian at the start, a gradient or Hessian of the wrong size, a step solver that needs a
//! matrix in gradient-difference mode, invalid options. An `Err` returned by a user function
//! ends the run with that error (as argmin's own solvers do). Non-finite values at trial points
//! are not errors: the step is rejected and the radius shrinks, as in [`TrustRegion::solve`].
//!
//! The state carries the current point, its cost and gradient (and the Hessian rows the user
//! returned at the last accepted point); each iteration also hands the observers a [`KV`] with
//! `radius`, `ratio`, `step_norm`, `grad_inf`, `accepted`, `hits_boundary`, `step_status` and
//! `inner_iterations`.
//!
//! ```
//! use argmin::core::{CostFunction, Error, Executor, Gradient, Hessian, State, TerminationReason};
//! use trust_region::interop::argmin::ArgminTrustRegion;
//! use trust_region::subproblem::Steihaug;
//!
//! /// f(x, y) = (x - 1)^2 + 10 (y + 2)^4 + (y + 2)^2
//! struct Bowl;
//!
//! impl CostFunction for Bowl {
//!     type Param = Vec<f64>;
//!     type Output = f64;
//!     fn cost(&self, p: &Vec<f64>) -> Result<f64, Error> {
//!         Ok((p[0] - 1.0).powi(2) + 10.0 * (p[1] + 2.0).powi(4) + (p[1] + 2.0).powi(2))
//!     }
//! }
//! impl Gradient for Bowl {
//!     type Param = Vec<f64>;
//!     type Gradient = Vec<f64>;
//!     fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, Error> {
//!         Ok(vec![2.0 * (p[0] - 1.0), 40.0 * (p[1] + 2.0).powi(3) + 2.0 * (p[1] + 2.0)])
//!     }
//! }
//! impl Hessian for Bowl {
//!     type Param = Vec<f64>;
//!     type Hessian = Vec<Vec<f64>>;
//!     fn hessian(&self, p: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
//!         Ok(vec![vec![2.0, 0.0], vec![0.0, 120.0 * (p[1] + 2.0).powi(2) + 2.0]])
//!     }
//! }
//!
//! let result = Executor::new(Bowl, ArgminTrustRegion::new(Steihaug::new()))
//!     .configure(|state| state.param(vec![3.0, 1.0]).max_iters(100))
//!     .run()?;
//! let state = result.state();
//! assert_eq!(state.get_termination_reason(), Some(&TerminationReason::SolverConverged));
//! let x = state.get_best_param().unwrap();
//! assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6);
//! # Ok::<(), Error>(())
//! ```

use std::time::Instant;

use ::argmin::core::{
    ArgminError, CostFunction, Error, Gradient, Hessian, IterState, Problem, Solver, State, TerminationReason, KV,
};
use faer::{Mat, MatRef};

use crate::error::SetupError;
use crate::linalg::{all_finite, dense, norm, norm_inf};
use crate::model::{Acceptance, Model, Oracle};
use crate::report::{Evaluations, IterationInfo};
use crate::solver::trust_region::LoopState;
use crate::solver::{TrustRegion, TrustRegionOptions};
use crate::subproblem::{Needs, StepSolver};
use crate::termination::Termination;

/// The argmin state type the adapter works with: parameter and gradient `Vec<f64>`, Hessian
/// as rows `Vec<Vec<f64>>`, cost `f64`.
pub type ArgminState = IterState<Vec<f64>, Vec<f64>, (), Vec<Vec<f64>>, (), f64>;

/// `B` is the dense Hessian from argmin's [`Hessian`] trait (rows, `Vec<Vec<f64>>`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HessianMatrix;

/// `B v` by forward differences of the gradient: `(g(x + h v) - g(x)) / h` with
/// `h = relative_step * max(1, ||x||) / ||v||` (one gradient evaluation per product).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradientDifferences {
    /// Relative step. Default `sqrt(f64::EPSILON)` (about `1.5e-8`), which balances truncation
    /// and cancellation errors for a gradient computed to full precision (Nocedal & Wright
    /// 2006, sec. 8.1).
    pub relative_step: f64,
}

impl Default for GradientDifferences {
    fn default() -> Self {
        Self { relative_step: f64::EPSILON.sqrt() }
    }
}

/// This crate's trust-region method with step solver `S`, as an argmin [`Solver`].
///
/// `C` chooses the model Hessian: [`HessianMatrix`] (argmin's `Hessian` trait) or
/// [`GradientDifferences`]. See the [module docs](self) for the mapping of terminations and
/// errors.
#[derive(Clone, Debug)]
pub struct ArgminTrustRegion<S, C = HessianMatrix> {
    method: TrustRegion<S>,
    curvature: C,
    run: Option<Run>,
    termination: Option<Termination>,
}

/// What lives between `next_iter` calls: the loop state and the current point's data.
#[derive(Clone, Debug)]
struct Run {
    state: LoopState,
    point: Point,
    started: Instant,
}

impl<S: StepSolver> ArgminTrustRegion<S, HessianMatrix> {
    /// The method with default [`TrustRegionOptions`], using the problem's dense Hessian.
    pub fn new(step: S) -> Self {
        Self { method: TrustRegion::new(step), curvature: HessianMatrix, run: None, termination: None }
    }
}

impl<S: StepSolver> ArgminTrustRegion<S, GradientDifferences> {
    /// The method with default [`TrustRegionOptions`], with Hessian-vector products by differences of the
    /// gradient (matrix-free step solvers only).
    pub fn gradient_differences(step: S) -> Self {
        Self { method: TrustRegion::new(step), curvature: GradientDifferences::default(), run: None, termination: None }
    }

    /// Sets the relative difference step (see [`GradientDifferences::relative_step`]).
    pub fn with_relative_step(mut self, relative_step: f64) -> Self {
        self.curvature.relative_step = relative_step;
        self
    }
}

impl<S: StepSolver, C> ArgminTrustRegion<S, C> {
    /// Replaces the loop options (tolerances, radius rules, non-finite cap).
    pub fn with_options(mut self, options: TrustRegionOptions) -> Self {
        self.method.options = options;
        self
    }

    /// The loop options.
    pub fn options(&self) -> &TrustRegionOptions {
        &self.method.options
    }

    /// Our own termination record, once the run has ended through one of our tests; `None`
    /// before that, and when argmin's limits (`max_iters`, target cost, timeout) ended it.
    pub fn termination(&self) -> Option<&Termination> {
        self.termination.as_ref()
    }

    /// The loop state (point, radius, counters) after `init`.
    pub fn loop_state(&self) -> Option<&LoopState> {
        self.run.as_ref().map(|r| &r.state)
    }

    /// Our evaluation counters (argmin keeps its own in `Problem::counts`): values, gradients
    /// (including those of gradient differences), Hessians, Hessian-vector products.
    pub fn evaluations(&self) -> Evaluations {
        self.run.as_ref().map(|r| r.point.evals).unwrap_or_default()
    }
}

impl<O, S> Solver<O, ArgminState> for ArgminTrustRegion<S, HessianMatrix>
where
    O: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>
        + Hessian<Param = Vec<f64>, Hessian = Vec<Vec<f64>>>,
    S: StepSolver,
{
    fn name(&self) -> &str {
        "trust-region (trust_region crate, dense Hessian)"
    }

    fn init(&mut self, problem: &mut Problem<O>, state: ArgminState) -> Result<(ArgminState, Option<KV>), Error> {
        let curvature = self.curvature;
        init(self, problem, &curvature, state)
    }

    fn next_iter(&mut self, problem: &mut Problem<O>, state: ArgminState) -> Result<(ArgminState, Option<KV>), Error> {
        let curvature = self.curvature;
        next_iter(self, problem, &curvature, state)
    }
}

impl<O, S> Solver<O, ArgminState> for ArgminTrustRegion<S, GradientDifferences>
where
    O: CostFunction<Param = Vec<f64>, Output = f64> + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
    S: StepSolver,
{
    fn name(&self) -> &str {
        "trust-region (trust_region crate, gradient differences)"
    }

    fn init(&mut self, problem: &mut Problem<O>, state: ArgminState) -> Result<(ArgminState, Option<KV>), Error> {
        let curvature = self.curvature;
        init(self, problem, &curvature, state)
    }

    fn next_iter(&mut self, problem: &mut Problem<O>, state: ArgminState) -> Result<(ArgminState, Option<KV>), Error> {
        let curvature = self.curvature;
        next_iter(self, problem, &curvature, state)
    }
}

// ---------------------------------------------------------------------------------------------
// The shared driver
// ---------------------------------------------------------------------------------------------

fn init<O, S, C>(
    solver: &mut ArgminTrustRegion<S, C>,
    problem: &mut Problem<O>,
    curvature: &C,
    mut state: ArgminState,
) -> Result<(ArgminState, Option<KV>), Error>
where
    O: CostFunction<Param = Vec<f64>, Output = f64> + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
    S: StepSolver,
    C: Curvature<O>,
{
    let x0 = state.take_param().ok_or_else(|| ArgminError::NotInitialized {
        text: "ArgminTrustRegion needs a start point: `.configure(|state| state.param(x0))`".into(),
    })?;
    solver.termination = None;
    solver.run = None;
    let started = Instant::now();
    let mut point = Point::default();
    let mut error = None;
    let begun = {
        let mut oracle = ArgminOracle { problem, point: &mut point, curvature, error: &mut error };
        solver.method.begin(&mut oracle, &x0)
    };
    if let Some(e) = error {
        return Err(e);
    }
    let (loop_state, at_start) = begun?;
    let mut state = state.param(x0).cost(point.f).gradient(point.g.clone());
    if let Some(rows) = point.hessian_rows.take() {
        state = state.hessian(rows);
    }
    let mut kv = KV::new();
    kv.insert("radius", loop_state.radius.into());
    kv.insert("grad_inf", loop_state.grad_inf.into());
    // As in the native loop: the limits are checked before the first iteration too.
    let at_start = at_start.or_else(|| solver.method.limit_reached(point.evals.f, started));
    solver.run = Some(Run { state: loop_state, point, started });
    if let Some(t) = at_start {
        state = state.terminate_with(reason(&t));
        solver.termination = Some(t);
    }
    Ok((state, Some(kv)))
}

fn next_iter<O, S, C>(
    solver: &mut ArgminTrustRegion<S, C>,
    problem: &mut Problem<O>,
    curvature: &C,
    state: ArgminState,
) -> Result<(ArgminState, Option<KV>), Error>
where
    O: CostFunction<Param = Vec<f64>, Output = f64> + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
    S: StepSolver,
    C: Curvature<O>,
{
    let Some(run) = solver.run.as_mut() else {
        return Err(ArgminError::PotentialBug { text: "ArgminTrustRegion: next_iter before init".into() }.into());
    };
    let mut error = None;
    let (record, mut ended) = {
        let mut oracle = ArgminOracle { problem, point: &mut run.point, curvature, error: &mut error };
        solver.method.iterate(&mut oracle, &mut run.state)
    };
    if let Some(e) = error {
        return Err(e);
    }
    // The limits the native loop checks before the next iteration.
    if ended.is_none() {
        ended = solver.method.limit_reached(run.point.evals.f, run.started);
    }

    let mut state = state.param(run.state.x.clone()).cost(run.point.f);
    if record.accepted {
        state = state.gradient(run.point.g.clone());
        if let Some(rows) = run.point.hessian_rows.take() {
            state = state.hessian(rows);
        }
    }
    if let Some(t) = ended {
        state = state.terminate_with(reason(&t));
        solver.termination = Some(t);
    }
    Ok((state, Some(iteration_kv(&record))))
}

fn reason(t: &Termination) -> TerminationReason {
    if t.converged() {
        TerminationReason::SolverConverged
    } else {
        TerminationReason::SolverExit(t.to_string())
    }
}

fn iteration_kv(r: &IterationInfo) -> KV {
    let mut kv = KV::new();
    kv.insert("radius", r.radius.into());
    kv.insert("ratio", r.ratio.into());
    kv.insert("step_norm", r.step_norm.into());
    kv.insert("grad_inf", r.grad_inf.into());
    kv.insert("accepted", r.accepted.into());
    kv.insert("hits_boundary", r.hits_boundary.into());
    kv.insert("step_status", format!("{:?}", r.step_status).into());
    kv.insert("inner_iterations", (r.inner_iterations as u64).into());
    kv
}

// ---------------------------------------------------------------------------------------------
// The oracle: argmin's problem seen through this crate's `Oracle`
// ---------------------------------------------------------------------------------------------

/// The current point and the buffers the oracle reuses.
#[derive(Clone, Debug)]
struct Point {
    /// Current point (a `Vec` because argmin's functions take `&Vec<f64>`).
    x: Vec<f64>,
    f: f64,
    g: Vec<f64>,
    /// Dense Hessian at `x` (empty in gradient-difference mode).
    hess: Mat<f64>,
    /// The rows the user returned at the last accepted point, for argmin's state.
    hessian_rows: Option<Vec<Vec<f64>>>,
    /// Scratch point for trial values and difference probes.
    probe: Vec<f64>,
    /// The gradient at the last trial point, when the loop asked for it
    /// ([`Oracle::trial_gradient_inf`]); taken by the `accept` that follows.
    g_trial: Option<Vec<f64>>,
    evals: Evaluations,
}

impl Default for Point {
    fn default() -> Self {
        Self {
            x: Vec::new(),
            f: f64::NAN,
            g: Vec::new(),
            hess: Mat::zeros(0, 0),
            hessian_rows: None,
            probe: Vec::new(),
            g_trial: None,
            evals: Evaluations::default(),
        }
    }
}

/// Lives for one `init` or `next_iter` call: argmin hands the problem to each call.
struct ArgminOracle<'a, O, C> {
    problem: &'a mut Problem<O>,
    point: &'a mut Point,
    curvature: &'a C,
    /// The first error a user function returned (the call then returns it).
    error: &'a mut Option<Error>,
}

impl<O, C> ArgminOracle<'_, O, C>
where
    O: CostFunction<Param = Vec<f64>, Output = f64> + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    fn keep(&mut self, e: Error) {
        if self.error.is_none() {
            *self.error = Some(e);
        }
    }

    /// The gradient at `x` checked for length; `None` after recording an error.
    /// [`Self::gradient_at`] of a slice, through the scratch vector (argmin takes `&Vec`).
    fn gradient_via_probe(&mut self, x: &[f64]) -> Option<Vec<f64>> {
        self.point.probe.copy_from_slice(x);
        let probe = std::mem::take(&mut self.point.probe);
        let g = self.gradient_at(&probe);
        self.point.probe = probe;
        g
    }

    fn gradient_at(&mut self, x: &Vec<f64>) -> Option<Vec<f64>> {
        self.point.evals.g += 1;
        match self.problem.gradient(x) {
            Ok(g) if g.len() == x.len() => Some(g),
            Ok(g) => {
                let n = x.len();
                self.keep(SetupError::DimensionMismatch { what: "gradient", expected: n, found: g.len() }.into());
                None
            }
            Err(e) => {
                self.keep(e);
                None
            }
        }
    }
}

/// The second-order information of the oracle (private: the two public markers implement it).
trait Curvature<O> {
    /// Checks the step solver's needs against what this source offers.
    fn supports(&self, needs: Needs) -> Result<(), SetupError>;
    /// Evaluates `B` at the oracle's current point; `Ok(false)` for non-finite entries,
    /// `Err` for a user error or a wrong size.
    fn evaluate(&self, problem: &mut Problem<O>, point: &mut Point) -> Result<bool, Error>;
    /// `out <- B v` at the oracle's current point.
    fn apply(&self, problem: &mut Problem<O>, point: &mut Point, v: &[f64], out: &mut [f64]) -> Result<(), Error>;
    /// Whether `B` is stored as a dense matrix.
    fn dense(&self) -> bool;
}

impl<O> Curvature<O> for HessianMatrix
where
    O: Hessian<Param = Vec<f64>, Hessian = Vec<Vec<f64>>>,
{
    fn supports(&self, needs: Needs) -> Result<(), SetupError> {
        if needs == Needs::DenseJacobian {
            return Err(SetupError::Unsupported {
                solver: "this step solver",
                needs: "a dense Jacobian and residuals (the argmin oracle offers a Hessian)",
            });
        }
        Ok(())
    }

    fn evaluate(&self, problem: &mut Problem<O>, point: &mut Point) -> Result<bool, Error> {
        point.evals.h += 1;
        let rows = problem.hessian(&point.x)?;
        let n = point.x.len();
        if let Some(bad) = std::iter::once(rows.len()).chain(rows.iter().map(Vec::len)).find(|&len| len != n) {
            return Err(SetupError::DimensionMismatch { what: "Hessian rows", expected: n, found: bad }.into());
        }
        if point.hess.nrows() != n {
            point.hess = Mat::zeros(n, n);
        }
        let mut finite = true;
        for (i, row) in rows.iter().enumerate() {
            for (j, &hij) in row.iter().enumerate() {
                point.hess[(i, j)] = hij;
                finite &= hij.is_finite();
            }
        }
        point.hessian_rows = Some(rows);
        Ok(finite)
    }

    fn apply(&self, _problem: &mut Problem<O>, point: &mut Point, v: &[f64], out: &mut [f64]) -> Result<(), Error> {
        dense::matvec(point.hess.as_ref(), v, out);
        Ok(())
    }

    fn dense(&self) -> bool {
        true
    }
}

impl<O> Curvature<O> for GradientDifferences
where
    O: Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    fn supports(&self, needs: Needs) -> Result<(), SetupError> {
        if !(self.relative_step > 0.0 && self.relative_step.is_finite()) {
            return Err(SetupError::InvalidOption {
                name: "relative_step",
                value: self.relative_step,
                reason: "must be positive and finite",
            });
        }
        match needs {
            Needs::Products => Ok(()),
            Needs::DenseMatrix | Needs::Matrix | Needs::DenseJacobian => Err(SetupError::Unsupported {
                solver: "this step solver",
                needs: "a Hessian matrix (gradient differences give products only; use ArgminTrustRegion::new)",
            }),
        }
    }

    fn evaluate(&self, _problem: &mut Problem<O>, _point: &mut Point) -> Result<bool, Error> {
        Ok(true)
    }

    fn apply(&self, problem: &mut Problem<O>, point: &mut Point, v: &[f64], out: &mut [f64]) -> Result<(), Error> {
        let v_norm = norm(v);
        if v_norm == 0.0 {
            out.fill(0.0);
            return Ok(());
        }
        let h = self.relative_step * norm(&point.x).max(1.0) / v_norm;
        for ((p, &xi), &vi) in point.probe.iter_mut().zip(&point.x).zip(v) {
            *p = xi + h * vi;
        }
        point.evals.g += 1;
        point.evals.hv += 1;
        let g_probe = problem.gradient(&point.probe)?;
        if g_probe.len() != out.len() {
            let (expected, found) = (out.len(), g_probe.len());
            return Err(SetupError::DimensionMismatch { what: "gradient", expected, found }.into());
        }
        for ((o, gp), g) in out.iter_mut().zip(&g_probe).zip(&point.g) {
            *o = (gp - g) / h;
        }
        Ok(())
    }

    fn dense(&self) -> bool {
        false
    }
}

impl<O, C> Model for ArgminOracle<'_, O, C>
where
    O: CostFunction<Param = Vec<f64>, Output = f64> + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
    C: Curvature<O>,
{
    fn dim(&self) -> usize {
        self.point.x.len()
    }
    fn value(&self) -> f64 {
        self.point.f
    }
    fn gradient(&self) -> &[f64] {
        &self.point.g
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        if let Err(e) = self.curvature.apply(self.problem, self.point, v, out) {
            // The iteration finishes on a zero product, then the call returns the error.
            out.fill(0.0);
            self.keep(e);
        }
    }
    fn dense_hessian(&self) -> Option<MatRef<'_, f64>> {
        self.curvature.dense().then(|| self.point.hess.as_ref())
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        if !self.curvature.dense() {
            return false;
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.point.hess[(i, i)];
        }
        true
    }
}

impl<O, C> Oracle for ArgminOracle<'_, O, C>
where
    O: CostFunction<Param = Vec<f64>, Output = f64> + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
    C: Curvature<O>,
{
    fn start(&mut self, x0: &[f64], needs: Needs) -> Result<(), SetupError> {
        self.curvature.supports(needs)?;
        if x0.is_empty() {
            return Err(SetupError::EmptyProblem);
        }
        if let Some((index, &value)) = x0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SetupError::NonFiniteStart { index, value });
        }
        let n = x0.len();
        self.point.x = x0.to_vec();
        self.point.probe = vec![0.0; n];
        self.point.evals.f += 1;
        self.point.f = match self.problem.cost(&self.point.x) {
            Ok(f) => f,
            Err(e) => {
                // Reported by the caller in place of the setup result.
                self.keep(e);
                return Err(SetupError::NonFiniteAtStart { what: "value" });
            }
        };
        if !self.point.f.is_finite() {
            return Err(SetupError::NonFiniteAtStart { what: "value" });
        }
        let x = std::mem::take(&mut self.point.x);
        let g = self.gradient_at(&x);
        self.point.x = x;
        let Some(g) = g else {
            return Err(SetupError::NonFiniteAtStart { what: "gradient" });
        };
        self.point.g = g;
        if !all_finite(&self.point.g) {
            return Err(SetupError::NonFiniteAtStart { what: "gradient" });
        }
        match self.curvature.evaluate(self.problem, self.point) {
            Ok(true) => Ok(()),
            Ok(false) => Err(SetupError::NonFiniteAtStart { what: "Hessian" }),
            Err(e) => {
                let setup = e.downcast_ref::<SetupError>().cloned();
                self.keep(e);
                Err(setup.unwrap_or(SetupError::NonFiniteAtStart { what: "Hessian" }))
            }
        }
    }

    fn trial_value(&mut self, x: &[f64]) -> f64 {
        self.point.g_trial = None;
        self.point.probe.copy_from_slice(x);
        self.point.evals.f += 1;
        match self.problem.cost(&self.point.probe) {
            Ok(f) => f,
            Err(e) => {
                self.keep(e);
                f64::NAN
            }
        }
    }

    fn trial_gradient_inf(&mut self, x: &[f64]) -> Option<f64> {
        if self.point.g_trial.is_none() {
            self.point.g_trial = self.gradient_via_probe(x);
        }
        self.point.g_trial.as_deref().map(norm_inf)
    }

    fn accept(&mut self, x: &[f64], f: f64) -> Acceptance {
        let g = match self.point.g_trial.take() {
            Some(g) => Some(g),
            None => self.gradient_via_probe(x),
        };
        let Some(g) = g else { return Acceptance::NonFiniteGradient };
        if !all_finite(&g) {
            return Acceptance::NonFiniteGradient;
        }
        self.point.g = g;
        self.point.x.copy_from_slice(x);
        self.point.f = f;
        match self.curvature.evaluate(self.problem, self.point) {
            Ok(true) => Acceptance::Accepted,
            Ok(false) => Acceptance::NonFiniteCurvature,
            Err(e) => {
                self.keep(e);
                Acceptance::NonFiniteCurvature
            }
        }
    }

    fn evaluations(&self) -> Evaluations {
        self.point.evals
    }

    fn as_model(&mut self) -> &mut dyn Model {
        self
    }
}
