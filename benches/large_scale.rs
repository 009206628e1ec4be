//! Large-scale unconstrained minimization: this crate against basin 3.2 and argmin 0.11 on the
//! same problem code, plus the floor (the time spent inside the problem's own f, g, Hv and
//! Hessian evaluations during our run).
//!
//! Problems: extended Rosenbrock (MGH 21, `f = ||r||^2 / 2`), and the CUTEst problems ARWHEAD,
//! DQDRTIC, CHAINWOO and FMINSURF (FMINSURF needs `n = p^2`: 100^2, 316^2, 1000^2), at
//! `n = 10^4, 10^5, 10^6`, from the standard starting points.
//!
//! Solvers, all stopped at `||g||_inf <= 1e-6` (absolute) and capped at 5000 iterations and
//! 120 s (`LARGE_SCALE_MAX_SECS`):
//! - `ours_steihaug`: [`TrustRegion::minimize`] with [`Steihaug`] (Hessian-vector products);
//! - `ours_more_sorensen`: [`TrustRegion::minimize_sparse`] with [`MoreSorensen`] on the sparse
//!   Hessian, where the problem offers one (not extended Rosenbrock, not FMINSURF: its
//!   Hessian is dense);
//! - `ours_gltr`: [`TrustRegion::minimize`] with [`Gltr`] (Lanczos, Hessian-vector products);
//! - `ours_steihaug_tg`: as `ours_steihaug` with `TrustRegionOptions::trial_gradient` (one fused
//!   value-and-gradient call per trial point);
//! - `ours_steihaug_ichol`: [`Steihaug`] with the incomplete Cholesky preconditioner:
//!   [`TrustRegion::minimize_preconditioned`] (exact products, the factor built from a sparse
//!   approximation of the Hessian) where the problem offers an approximation (FMINSURF: the
//!   area terms without the rank-one term), else [`TrustRegion::minimize_sparse`] where it
//!   offers a sparse Hessian;
//! - `basin_steihaug`: basin's `TrustRegion::matrix_free()` (Steihaug) on `Vec<f64>`, stopped
//!   by an `Executor::stop_when` hook on `||g||_inf` (basin's own gradient tolerance is
//!   Euclidean). basin's More-Sorensen step needs a dense Hessian and a full symmetric
//!   eigendecomposition per iteration: 800 MB and ~10^12 flops at `n = 10^4`, so it is left out
//!   at every size here;
//! - `argmin_steihaug`: argmin's `TrustRegion<Steihaug>` on `Vec<f64>` (argmin-math "vec"), the
//!   Hessian an operator (a newtype implementing `ArgminDot<Vec<f64>, Vec<f64>>` that calls the
//!   problem's Hessian-vector product). argmin's trust region has no gradient test: a first
//!   (untimed) run finds the iteration `k` at which the accepted gradient first has
//!   `||g||_inf <= 1e-6` (the problem wrapper ends that run there by returning an error), and
//!   the timed runs use `max_iters(k)`, which stops at exactly that iterate.
//!
//! Every solver sees the problem through the same [`Timed`] wrapper, which counts the
//! evaluations and accumulates the time spent inside them: `overhead = total - inside`.
//!
//! ```sh
//! cargo bench --bench large_scale                          # everything (long: 45 min or more)
//! cargo bench --bench large_scale -- ARWHEAD/1000000/      # one problem and size
//! cargo bench --bench large_scale -- /10000/ours           # our solvers at n = 10^4
//! ```
//!
//! The filter is a substring of `PROBLEM/n/solver`, or several joined by `|` (end a size with
//! `/`: `100000` is a prefix of `1000000`); the untimed runs are skipped for ids the filter excludes. Before timing, each
//! solver prints one line (termination, iterations, evaluations, `||g||_inf`, time, time inside
//! the problem). A solver that does not converge within the caps is reported and not timed; one
//! whose single solve takes more than `LARGE_SCALE_MAX_TIMED_SECS` seconds (default 10) is
//! reported from that single solve only. Each timed or single solve appends a row to
//! `target/large_scale/summary.csv` (medians over the individual solves).

use std::cell::RefCell;
use std::convert::Infallible;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use faer::sparse::SymbolicSparseColMat;
use trust_region::problem::{SparseHessian, SparseHessianApproximation};
use trust_region::subproblem::{Gltr, IncompleteCholeskyPreconditioner, MoreSorensen, Steihaug, StepSolver};
use trust_region::{HessianProduct, Objective, Report, TrustRegion, TrustRegionOptions};
use trust_region_problems::SuiteProblem;

#[path = "common/harness.rs"]
mod harness;
use harness::{filters, median};

/// Appends a row to `$CARGO_TARGET_DIR/large_scale/summary.csv`.
fn append_summary(line: &str) {
    harness::append_summary(
        "large_scale",
        "problem,n,solver,converged,termination,iterations,f,g,hv,h,grad_inf,timing,solves,\
                 median_total_s,median_inside_s,overhead_pct",
        line,
    );
}

/// The common stopping rule: `||g||_inf <= GTOL`, absolute.
const GTOL: f64 = 1e-6;
/// Iteration cap for every solver.
const MAX_ITERATIONS: usize = 5000;
/// Wall-clock cap for every solver: `LARGE_SCALE_MAX_SECS` seconds, default 120 (raise it to
/// turn a peer's "not converged in 120 s" into a time or a larger lower bound).
fn max_time() -> Duration {
    static CAP: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *CAP.get_or_init(|| {
        let secs = std::env::var("LARGE_SCALE_MAX_SECS").ok().and_then(|s| s.parse::<f64>().ok());
        Duration::from_secs_f64(secs.filter(|s| *s > 0.0).unwrap_or(120.0))
    })
}

fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

// ---------------------------------------------------------------------------------------------
// The counting and timing wrapper around a suite problem.

#[derive(Debug, Default)]
struct Counters {
    f: AtomicUsize,
    g: AtomicUsize,
    hv: AtomicUsize,
    h: AtomicUsize,
    inside_nanos: AtomicU64,
}

/// Evaluation counts and time inside the problem, since the last reset.
#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    f: usize,
    g: usize,
    hv: usize,
    h: usize,
    inside: Duration,
}

/// A suite problem seen through its Hessian-product (and, if any, sparse-Hessian) interface,
/// counting every evaluation and the time spent in it. Cheap to clone (shared counters).
#[derive(Clone)]
struct Timed {
    problem: Arc<dyn SuiteProblem>,
    counters: Arc<Counters>,
    n: usize,
}

impl Timed {
    fn new(problem: Arc<dyn SuiteProblem>) -> Self {
        let n = problem.info().n;
        assert!(problem.products().is_some(), "every problem here offers Hessian-vector products");
        Self { problem, counters: Arc::default(), n }
    }

    fn products(&self) -> &dyn HessianProduct {
        self.problem.products().expect("checked in new")
    }

    fn sparse(&self) -> &dyn SparseHessian {
        self.problem.sparse_hessian().expect("only called when the problem has a sparse Hessian")
    }

    fn has_sparse_hessian(&self) -> bool {
        self.problem.sparse_hessian().is_some()
    }

    fn approximation(&self) -> &dyn SparseHessianApproximation {
        self.problem.sparse_approximation().expect("only called when the problem has an approximation")
    }

    fn has_approximation(&self) -> bool {
        self.problem.sparse_approximation().is_some()
    }

    #[inline]
    fn timed<T>(&self, count: &AtomicUsize, work: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = work();
        let nanos = start.elapsed().as_nanos() as u64;
        self.counters.inside_nanos.fetch_add(nanos, Ordering::Relaxed);
        count.fetch_add(1, Ordering::Relaxed);
        out
    }

    fn reset(&self) {
        let c = &self.counters;
        for a in [&c.f, &c.g, &c.hv, &c.h] {
            a.store(0, Ordering::Relaxed);
        }
        c.inside_nanos.store(0, Ordering::Relaxed);
    }

    fn usage(&self) -> Usage {
        let c = &self.counters;
        Usage {
            f: c.f.load(Ordering::Relaxed),
            g: c.g.load(Ordering::Relaxed),
            hv: c.hv.load(Ordering::Relaxed),
            h: c.h.load(Ordering::Relaxed),
            inside: Duration::from_nanos(c.inside_nanos.load(Ordering::Relaxed)),
        }
    }

    // The evaluations, for every front end below.
    fn eval_f(&self, x: &[f64]) -> f64 {
        self.timed(&self.counters.f, || self.products().value(x))
    }
    fn eval_g(&self, x: &[f64], g: &mut [f64]) {
        self.timed(&self.counters.g, || self.products().gradient(x, g))
    }
    fn eval_fg(&self, x: &[f64], g: &mut [f64]) -> f64 {
        self.counters.f.fetch_add(1, Ordering::Relaxed);
        self.timed(&self.counters.g, || self.products().value_and_gradient(x, g))
    }
    fn eval_hv(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        self.timed(&self.counters.hv, || self.products().hessian_product(x, v, hv))
    }
}

impl Objective for Timed {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.eval_f(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.eval_g(x, g)
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        self.eval_fg(x, g)
    }
}

impl HessianProduct for Timed {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        self.eval_hv(x, v, hv)
    }
}

impl SparseHessian for Timed {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let start = Instant::now();
        let pattern = self.sparse().hessian_pattern();
        self.counters.inside_nanos.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        pattern
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        self.timed(&self.counters.h, || self.sparse().hessian_values(x, values))
    }
}

impl SparseHessianApproximation for Timed {
    fn approximation_pattern(&self) -> SymbolicSparseColMat<usize> {
        let start = Instant::now();
        let pattern = self.approximation().approximation_pattern();
        self.counters.inside_nanos.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        pattern
    }
    fn approximation_values(&self, x: &[f64], values: &mut [f64]) {
        self.timed(&self.counters.h, || self.approximation().approximation_values(x, values))
    }
}

// ---------------------------------------------------------------------------------------------
// basin 3.2: matrix-free trust region (Steihaug) on Vec<f64>.

#[derive(Clone)]
struct BasinProblem(Timed);

impl basin::CostFunction for BasinProblem {
    type Param = Vec<f64>;
    type Output = f64;
    type Error = Infallible;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Infallible> {
        Ok(self.0.eval_f(x))
    }
}

impl basin::Gradient for BasinProblem {
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Infallible> {
        let mut g = vec![0.0; x.len()];
        self.0.eval_g(x, &mut g);
        Ok(g)
    }
    fn gradient_into(&self, x: &Vec<f64>, out: &mut Vec<f64>) -> Result<(), Infallible> {
        out.resize(x.len(), 0.0);
        self.0.eval_g(x, out);
        Ok(())
    }
}

impl basin::HessianProduct for BasinProblem {
    fn hessian_product(&self, x: &Vec<f64>, v: &Vec<f64>) -> Result<Vec<f64>, Infallible> {
        let mut hv = vec![0.0; x.len()];
        self.0.eval_hv(x, v, &mut hv);
        Ok(hv)
    }
    fn hessian_product_into(&self, x: &Vec<f64>, v: &Vec<f64>, out: &mut Vec<f64>) -> Result<(), Infallible> {
        out.resize(x.len(), 0.0);
        self.0.eval_hv(x, v, out);
        Ok(())
    }
}

/// One basin solve: (converged, iterations, final `||g||_inf`, termination text).
fn basin_solve(p: &Timed, x0: &[f64]) -> (bool, usize, f64, String) {
    use basin::{Executor, FirstOrderState};
    let solver = basin::TrustRegion::matrix_free();
    let result = Executor::new(BasinProblem(p.clone()), solver, FirstOrderState::new(x0.to_vec()))
        .max_iter(MAX_ITERATIONS as u64)
        .max_time(max_time())
        .stop_when(|state: &FirstOrderState<Vec<f64>, f64>| {
            let (_, _, g) = state.current()?;
            (norm_inf(g) <= GTOL).then(|| basin::ApplicationStop::new("gradient_inf"))
        })
        .run()
        .expect("Infallible");
    let grad_inf = result.state.current().map_or(f64::NAN, |(_, _, g)| norm_inf(g));
    let iterations = result.iter() as usize;
    let termination = format!("{:?}", result.report.termination);
    (grad_inf <= GTOL, iterations, grad_inf, termination)
}

// ---------------------------------------------------------------------------------------------
// argmin 0.11: TrustRegion<Steihaug> on Vec<f64>, the Hessian an operator.

/// The Hessian at a point, as an operator: `H.dot(v)` is the problem's `H(x) v`.
#[derive(Clone)]
struct HessianAt {
    problem: Timed,
    x: Arc<Vec<f64>>,
}

impl argmin_math::ArgminDot<Vec<f64>, Vec<f64>> for HessianAt {
    fn dot(&self, v: &Vec<f64>) -> Vec<f64> {
        let mut hv = vec![0.0; v.len()];
        self.problem.eval_hv(&self.x, v, &mut hv);
        hv
    }
}

/// The problem as argmin sees it. With `stop_at_gtol`, the gradient evaluation that first
/// meets the tolerance records the iteration and ends the run with an error (the untimed run
/// that finds `k`).
#[derive(Clone)]
struct ArgminProblem {
    problem: Timed,
    stop_at_gtol: bool,
    /// Iteration at which `||g||_inf <= GTOL` was first met: argmin evaluates `f` once in
    /// `init` and once per iteration (the trial point), so it is `f evaluations - 1`.
    reached: Arc<AtomicUsize>,
}

const NOT_REACHED: usize = usize::MAX;

impl argmin::core::CostFunction for ArgminProblem {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.problem.eval_f(x))
    }
}

impl argmin::core::Gradient for ArgminProblem {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        let mut g = vec![0.0; x.len()];
        self.problem.eval_g(x, &mut g);
        if self.stop_at_gtol && norm_inf(&g) <= GTOL && self.reached.load(Ordering::Relaxed) == NOT_REACHED {
            let iteration = self.problem.usage().f.saturating_sub(1);
            self.reached.store(iteration, Ordering::Relaxed);
            return Err(argmin::core::Error::msg("gradient tolerance reached"));
        }
        Ok(g)
    }
}

impl argmin::core::Hessian for ArgminProblem {
    type Param = Vec<f64>;
    type Hessian = HessianAt;
    fn hessian(&self, x: &Vec<f64>) -> Result<HessianAt, argmin::core::Error> {
        Ok(HessianAt { problem: self.problem.clone(), x: Arc::new(x.clone()) })
    }
}

/// One argmin run: to the gradient tolerance (`max_iters = None`, untimed, ends with the
/// error above) or for exactly `max_iters` iterations. Returns (the iteration that meets the
/// tolerance, if any; iterations done; final `||g||_inf` if known; termination text).
fn argmin_solve(p: &Timed, x0: &[f64], max_iters: Option<usize>) -> (Option<usize>, usize, f64, String) {
    use argmin::core::{Executor, State};
    use argmin::solver::trustregion::{Steihaug as ArgminSteihaug, TrustRegion as ArgminTr};
    let reached = Arc::new(AtomicUsize::new(NOT_REACHED));
    let problem = ArgminProblem { problem: p.clone(), stop_at_gtol: max_iters.is_none(), reached: reached.clone() };
    let solver: ArgminTr<ArgminSteihaug<Vec<f64>, f64>, f64> = ArgminTr::new(ArgminSteihaug::new());
    let iters = max_iters.unwrap_or(MAX_ITERATIONS) as u64;
    let x0 = x0.to_vec();
    let run = Executor::new(problem, solver)
        .configure(|state| state.param(x0).max_iters(iters))
        .timeout(max_time())
        .ctrlc(false)
        .run();
    match run {
        Ok(result) => {
            let grad_inf = result.state.get_gradient().map_or(f64::NAN, |g| norm_inf(g));
            let done = result.state.get_iter() as usize;
            let reason = format!("{:?}", result.state.get_termination_reason());
            (Some(done).filter(|_| grad_inf <= GTOL), done, grad_inf, reason)
        }
        Err(e) => match reached.load(Ordering::Relaxed) {
            NOT_REACHED => (None, p.usage().f.saturating_sub(1), f64::NAN, format!("error: {e}")),
            k => (Some(k), k, GTOL, "gradient tolerance reached (untimed run)".to_string()),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Our solvers.

fn our_options() -> TrustRegionOptions {
    {
        let mut o = TrustRegionOptions::default();
        o.tolerances.gtol = GTOL;
        (o.tolerances.grtol, o.tolerances.ftol, o.tolerances.xtol) = (0.0, 0.0, 0.0);
        o.limits.max_iterations = MAX_ITERATIONS;
        o.limits.max_time = Some(max_time());
        o
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Solver {
    OursSteihaug,
    /// Steihaug with `TrustRegionOptions::trial_gradient` (one fused value-and-gradient call per trial).
    OursSteihaugTrialGradient,
    OursMoreSorensen,
    /// Steihaug with the incomplete Cholesky preconditioner on the sparse Hessian.
    OursSteihaugIchol,
    OursGltr,
    BasinSteihaug,
    ArgminSteihaug,
}

const SOLVERS: [Solver; 7] = [
    Solver::OursSteihaug,
    Solver::OursSteihaugTrialGradient,
    Solver::OursGltr,
    Solver::OursMoreSorensen,
    Solver::OursSteihaugIchol,
    Solver::BasinSteihaug,
    Solver::ArgminSteihaug,
];

impl Solver {
    fn name(self) -> &'static str {
        match self {
            Solver::OursSteihaug => "ours_steihaug",
            Solver::OursSteihaugTrialGradient => "ours_steihaug_tg",
            Solver::OursGltr => "ours_gltr",
            Solver::OursMoreSorensen => "ours_more_sorensen",
            Solver::OursSteihaugIchol => "ours_steihaug_ichol",
            Solver::BasinSteihaug => "basin_steihaug",
            Solver::ArgminSteihaug => "argmin_steihaug",
        }
    }
}

/// Which second-order interface of the problem our solver uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    /// Hessian-vector products.
    Products,
    /// The sparse Hessian.
    Sparse,
    /// Products, with the sparse approximation for the preconditioner.
    Approximation,
}

fn run_ours<S: StepSolver>(step: S, via: Via, trial_gradient: bool, p: &Timed, x0: &[f64]) -> Report {
    let mut options = our_options();
    options.trial_gradient = trial_gradient;
    // Matrix-free solvers fit every model; RuntimeChecked lets one generic function pick it.
    let mut tr = TrustRegion::new(trust_region::subproblem::RuntimeChecked(step)).with_options(options);
    let report = match via {
        Via::Products => tr.minimize(p, x0),
        Via::Sparse => tr.solve(trust_region::Newton::sparse(p), x0),
        Via::Approximation => tr.solve(trust_region::Newton::approximated(p), x0),
    };
    report.expect("valid setup")
}

fn ours_solve(solver: Solver, p: &Timed, x0: &[f64]) -> Report {
    match solver {
        Solver::OursSteihaug => run_ours(Steihaug::new(), Via::Products, false, p, x0),
        Solver::OursSteihaugTrialGradient => run_ours(Steihaug::new(), Via::Products, true, p, x0),
        Solver::OursGltr => run_ours(Gltr::new(), Via::Products, false, p, x0),
        Solver::OursMoreSorensen => run_ours(MoreSorensen::new(), Via::Sparse, false, p, x0),
        Solver::OursSteihaugIchol => {
            // A problem offers an approximation when its own Hessian is not usefully sparse.
            let via = if p.has_approximation() { Via::Approximation } else { Via::Sparse };
            run_ours(Steihaug::with_preconditioner(IncompleteCholeskyPreconditioner::default()), via, false, p, x0)
        }
        _ => unreachable!("not one of ours"),
    }
}

/// What one untimed solve found.
struct Outcome {
    converged: bool,
    iterations: usize,
    grad_inf: f64,
    termination: String,
    usage: Usage,
    elapsed: Duration,
    /// argmin: the iteration count that reaches the tolerance.
    argmin_iters: Option<usize>,
}

/// One solve of `solver` (for argmin: the untimed run that finds `k`, then one run of `k`
/// iterations, which is the one reported).
fn solve_once(solver: Solver, p: &Timed, x0: &[f64]) -> Outcome {
    p.reset();
    let start = Instant::now();
    let (converged, iterations, grad_inf, termination, argmin_iters) = match solver {
        Solver::OursSteihaug
        | Solver::OursSteihaugTrialGradient
        | Solver::OursGltr
        | Solver::OursMoreSorensen
        | Solver::OursSteihaugIchol => {
            let r = ours_solve(solver, p, x0);
            (r.converged() && r.grad_inf <= GTOL, r.iterations, r.grad_inf, r.termination.name().to_string(), None)
        }
        Solver::BasinSteihaug => {
            let (ok, it, gi, t) = basin_solve(p, x0);
            (ok, it, gi, t, None)
        }
        Solver::ArgminSteihaug => {
            let (k, done, gi, t) = argmin_solve(p, x0, None);
            match k {
                None => (false, done, gi, t, None),
                Some(k) => {
                    p.reset();
                    let start = Instant::now();
                    let (done, _, gi, t) = argmin_solve(p, x0, Some(k));
                    return Outcome {
                        converged: done.is_some(),
                        iterations: k,
                        grad_inf: gi,
                        termination: format!("{t} at max_iters = {k}"),
                        usage: p.usage(),
                        elapsed: start.elapsed(),
                        argmin_iters: Some(k),
                    };
                }
            }
        }
    };
    Outcome { converged, iterations, grad_inf, termination, usage: p.usage(), elapsed: start.elapsed(), argmin_iters }
}

/// One timed solve (same code paths as `solve_once`), returning (total, inside).
fn timed_solve(solver: Solver, p: &Timed, x0: &[f64], argmin_iters: Option<usize>) -> (Duration, Duration) {
    p.reset();
    let start = Instant::now();
    match solver {
        Solver::OursSteihaug
        | Solver::OursSteihaugTrialGradient
        | Solver::OursGltr
        | Solver::OursMoreSorensen
        | Solver::OursSteihaugIchol => {
            black_box(ours_solve(solver, p, x0).f);
        }
        Solver::BasinSteihaug => {
            black_box(basin_solve(p, x0));
        }
        Solver::ArgminSteihaug => {
            black_box(argmin_solve(p, x0, argmin_iters));
        }
    }
    (start.elapsed(), p.usage().inside)
}

// ---------------------------------------------------------------------------------------------
// Driver.

/// Problems and sizes. FMINSURF needs `n = p^2`: the nearest squares.
fn cases(sizes: &[usize]) -> Vec<(&'static str, usize)> {
    let mut out = Vec::new();
    for &n in sizes {
        for name in ["EXTROSNB_MGH21", "ARWHEAD", "DQDRTIC", "CHAINWOO", "FMINSURF"] {
            let n = if name == "FMINSURF" {
                let p = (n as f64).sqrt().round() as usize;
                p * p
            } else {
                n
            };
            out.push((name, n));
        }
    }
    out
}

fn build(name: &str, n: usize) -> Arc<dyn SuiteProblem> {
    let boxed = if name == "EXTROSNB_MGH21" {
        trust_region_problems::mgh::by_name("extended_rosenbrock", Some(n))
    } else {
        trust_region_problems::cutest::by_name(name, Some(n))
    };
    Arc::from(boxed.unwrap_or_else(|| panic!("{name} at n = {n}")))
}

fn bench_case(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    solver: Solver,
    p: &Timed,
    x0: &[f64],
    max_timed: f64,
) {
    let o = solve_once(solver, p, x0);
    let u = o.usage;
    let inside = u.inside.as_secs_f64();
    let total = o.elapsed.as_secs_f64();
    eprintln!(
        "{id}/{}: {} ({}), iterations {}, evaluations f {} g {} Hv {} H {}, ||g||_inf {:.2e}, {:.3} s, \
         inside the problem {:.3} s, outside {:.1}%",
        solver.name(),
        if o.converged { "converged" } else { "NOT CONVERGED" },
        o.termination,
        o.iterations,
        u.f,
        u.g,
        u.hv,
        u.h,
        o.grad_inf,
        total,
        inside,
        100.0 * (total - inside) / total
    );
    let row = |timing: &str, solves: usize, t: f64, i: f64| {
        format!(
            "{},{},{},{},\"{}\",{},{},{},{},{},{:.3e},{timing},{solves},{t:.6},{i:.6},{:.2}",
            id.split('/').next().unwrap_or(id),
            p.n,
            solver.name(),
            o.converged,
            o.termination.replace('"', "'"),
            o.iterations,
            u.f,
            u.g,
            u.hv,
            u.h,
            o.grad_inf,
            100.0 * (t - i) / t
        )
    };
    if !o.converged {
        eprintln!("  not timed: did not reach ||g||_inf <= {GTOL:e} within the caps");
        append_summary(&row("not_converged", 1, total, inside));
        return;
    }
    if total > max_timed {
        eprintln!("  not timed by criterion: one solve takes {total:.1} s > {max_timed} s; reported from that solve");
        append_summary(&row("single", 1, total, inside));
        return;
    }
    let samples: RefCell<Vec<(f64, f64)>> = RefCell::new(Vec::new());
    group.bench_function(solver.name(), |b| {
        b.iter_custom(|iters| {
            let mut sum = Duration::ZERO;
            for _ in 0..iters {
                let (t, i) = timed_solve(solver, p, x0, o.argmin_iters);
                samples.borrow_mut().push((t.as_secs_f64(), i.as_secs_f64()));
                sum += t;
            }
            sum
        })
    });
    let s = samples.into_inner();
    // The first solves are criterion's warm-up; the rest are the measurement.
    let t = median(s.iter().map(|x| x.0).collect());
    let i = median(s.iter().map(|x| x.1).collect());
    eprintln!(
        "  {} solves: median {t:.4} s, inside the problem {i:.4} s, outside {:.1}%",
        s.len(),
        100.0 * (t - i) / t
    );
    append_summary(&row("criterion", s.len(), t, i));
}

fn bench_large_scale(c: &mut Criterion) {
    let sizes: Vec<usize> = std::env::var("LARGE_SCALE_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    let max_timed: f64 = std::env::var("LARGE_SCALE_MAX_TIMED_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let filters = filters();
    // Criterion reads the filter as a regular expression; plain substrings joined by `|` mean
    // the same thing here.
    let wanted = |id: &str| filters.is_empty() || filters.iter().flat_map(|f| f.split('|')).any(|f| id.contains(f));
    for (name, n) in cases(&sizes) {
        let group_id = format!("{name}/{n}");
        let ids: Vec<Solver> =
            SOLVERS.iter().copied().filter(|s| wanted(&format!("{group_id}/{}", s.name()))).collect();
        if ids.is_empty() {
            continue;
        }
        let problem = build(name, n);
        let x0 = problem.x0();
        let p = Timed::new(problem);
        let mut group = c.benchmark_group(&group_id);
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(1))
            .measurement_time(Duration::from_secs(if n >= 1_000_000 { 1 } else { 3 }));
        for solver in ids {
            let no_matrix = match solver {
                Solver::OursMoreSorensen => !p.has_sparse_hessian(),
                Solver::OursSteihaugIchol => !p.has_sparse_hessian() && !p.has_approximation(),
                _ => false,
            };
            if no_matrix {
                eprintln!("{group_id}/{}: skipped (no sparse Hessian or approximation at this size)", solver.name());
                continue;
            }
            bench_case(&mut group, &group_id, solver, &p, &x0, max_timed);
        }
        group.finish();
    }
}

criterion_group!(benches, bench_large_scale);
criterion_main!(benches);
