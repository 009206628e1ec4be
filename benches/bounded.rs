//! Bound-constrained minimization: this crate's projected Newton and scaled interior methods
//! against basin 3.2's L-BFGS-B on the same problem code.
//!
//! Problems (from `trust_region_problems::bounded`, the SIF starts): OBSTCLAE (`P = 100`),
//! TORSION1 (`Q = 50`, `P = 100`) and CVXBQP1, each at `n = 10^4` (`BOUNDED_BENCH_N` to
//! change it: a square for OBSTCLAE, `4 Q^2` for TORSION1).
//!
//! Solvers, all stopped at `pg(x) = ||x - P(x - g)||_inf <= 1e-6` (absolute) and capped at
//! 20,000 iterations:
//! - `ours_projected_ichol`: [`ProjectedNewton`] on the sparse Hessian, incomplete Cholesky
//!   preconditioner (the default);
//! - `ours_projected_products`: [`ProjectedNewton::minimize`] on Hessian-vector products;
//! - `ours_scaled_interior_cl`: [`ScaledInterior`] with Steihaug-Toint CG and the Coleman-Li
//!   scaling, on Hessian-vector products;
//! - `basin_lbfgsb`: basin's `Lbfgs` in its bounded mode (its port of L-BFGS-B 3.0, memory 5,
//!   the default), with `with_absolute_projected_gradient_tolerance(1e-6)`: its measure is the
//!   infinity norm of L-BFGS-B's clipped gradient (`min(g_i, x_i - l_i)` for `g_i >= 0`,
//!   `max(g_i, x_i - u_i)` for `g_i < 0`), which is `pg(x)` componentwise. Its relative
//!   cost-reduction stop (on by default) is turned off, so that the projected gradient alone
//!   ends a converged run. basin 3.2's other bounded solvers are not minimizers of a general
//!   `f` with second derivatives: its trust-region-reflective and bounded Levenberg-Marquardt
//!   solvers are for least squares, the rest derivative-free or global.
//!
//! ```sh
//! cargo bench --bench bounded
//! cargo bench --bench bounded -- --warm-up-time 1 --measurement-time 5
//! cargo bench --bench bounded -- OBSTCLAE/           # times one problem (the single solves run for all)
//! ```
//!
//! Before timing, each solver runs once and prints one line: termination, iterations,
//! evaluations, `f` and `pg` recomputed at the returned point (a fresh value and gradient), the
//! number of components exactly at a bound (fixed ones included; the interior method's iterates
//! stay strictly inside, so it shows only the fixed ones there, its own report counts the
//! binding ones), seconds, and the solver's termination. A solver that does not reach `pg <= 1e-6` is reported and not timed.

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use trust_region::solver::bounded::ProjectedNewton;
use trust_region::solver::scaled_interior::{ScaledInterior, ScaledInteriorOptions};
use trust_region::subproblem::Steihaug;
use trust_region::{BoundedOptions, Bounds, Limits, Newton, Scaling};
use trust_region_problems::bounded::{by_name, BoundedProblem};

/// The common stopping rule: `pg(x) <= GTOL`, absolute.
const GTOL: f64 = 1e-6;
/// Iteration cap of every solver.
const MAX_ITERATIONS: usize = 20_000;

/// `||x - P(x - g)||_inf`, componentwise as `min(|g_i|, distance to the bound -g_i points at)`.
fn projected_gradient_inf(x: &[f64], g: &[f64], lower: &[f64], upper: &[f64]) -> f64 {
    (0..x.len())
        .map(|i| {
            let p = (x[i] - g[i]).max(lower[i]).min(upper[i]);
            (x[i] - p).abs()
        })
        .fold(0.0, f64::max)
}

/// One benched problem: the problem, its box and start.
struct Case {
    problem: Arc<dyn BoundedProblem>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    bounds: Bounds,
    x0: Vec<f64>,
}

impl Case {
    fn new(name: &str, n: usize) -> Option<Self> {
        let problem: Arc<dyn BoundedProblem> = Arc::from(by_name(name, Some(n))?);
        let (lower, upper) = problem.bounds();
        let bounds = Bounds::closed(lower.clone(), upper.clone()).ok()?;
        let x0 = problem.x0();
        Some(Self { problem, lower, upper, bounds, x0 })
    }

    /// `pg` at `x` from a fresh gradient (`NaN` without one).
    fn pg(&self, x: &[f64]) -> f64 {
        let Some(p) = self.problem.products() else { return f64::NAN };
        let mut g = vec![0.0; x.len()];
        p.gradient(x, &mut g);
        projected_gradient_inf(x, &g, &self.lower, &self.upper)
    }

    fn active(&self, x: &[f64]) -> usize {
        (0..x.len()).filter(|&i| x[i] == self.lower[i] || x[i] == self.upper[i]).count()
    }
}

/// The solvers of the bench.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Solver {
    ProjectedIchol,
    ProjectedProducts,
    ScaledInteriorCl,
    BasinLbfgsb,
}

impl Solver {
    const ALL: [Solver; 4] =
        [Solver::ProjectedIchol, Solver::ProjectedProducts, Solver::ScaledInteriorCl, Solver::BasinLbfgsb];

    fn name(self) -> &'static str {
        match self {
            Solver::ProjectedIchol => "ours_projected_ichol",
            Solver::ProjectedProducts => "ours_projected_products",
            Solver::ScaledInteriorCl => "ours_scaled_interior_cl",
            Solver::BasinLbfgsb => "basin_lbfgsb",
        }
    }
}

/// What one solve returns: the point, iterations, evaluations (f, g, hv, h) and the solver's
/// termination in words.
struct Outcome {
    x: Vec<f64>,
    iterations: usize,
    evaluations: [usize; 4],
    termination: String,
}

/// One solve of `case` by `solver`; `None` when the solver cannot run on the problem.
fn solve(case: &Case, solver: Solver) -> Option<Outcome> {
    let mut limits = Limits::default();
    limits.max_iterations = MAX_ITERATIONS;
    let ours = |report: trust_region::BoundedReport| {
        let e = report.evaluations;
        Outcome {
            iterations: report.iterations,
            evaluations: [e.f, e.g, e.hv, e.h],
            termination: report.termination.to_string(),
            x: report.x,
        }
    };
    match solver {
        Solver::ProjectedIchol | Solver::ProjectedProducts => {
            let mut options = BoundedOptions::default();
            options.gtol = GTOL;
            options.limits = limits;
            let mut method = ProjectedNewton::new().with_options(options);
            let report = if solver == Solver::ProjectedIchol {
                method.solve(Newton::sparse(case.problem.sparse_hessian()?), &case.bounds, &case.x0)
            } else {
                method.minimize(case.problem.products()?, &case.bounds, &case.x0)
            };
            report.ok().map(ours)
        }
        Solver::ScaledInteriorCl => {
            let mut options = ScaledInteriorOptions::default();
            options.gtol = GTOL;
            options.limits = limits;
            options.scaling = Scaling::ColemanLi;
            ScaledInterior::new(Steihaug::new())
                .with_options(options)
                .minimize(case.problem.products()?, &case.bounds, &case.x0)
                .ok()
                .map(ours)
        }
        Solver::BasinLbfgsb => basin_solve(case),
    }
}

// ---------------------------------------------------------------------------------------------
// basin 3.2: L-BFGS-B on Vec<f64>.

/// The problem as basin sees it: value and gradient of the same code, with counters.
#[derive(Clone)]
struct BasinProblem {
    problem: Arc<dyn BoundedProblem>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    f_evals: Arc<AtomicUsize>,
    g_evals: Arc<AtomicUsize>,
}

impl basin::Constraints for BasinProblem {
    type Set = basin::ConstraintSet<basin::BoxBounds<Vec<f64>>>;
    fn constraints(&self) -> <Self::Set as basin::ConstraintDescription>::Borrowed<'_> {
        basin::ConstraintSet::new().with_bounds(basin::BoxBounds::new(Some(&self.lower), Some(&self.upper)))
    }
}

impl basin::CostFunction for BasinProblem {
    type Param = Vec<f64>;
    type Output = f64;
    type Error = Infallible;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Infallible> {
        self.f_evals.fetch_add(1, Ordering::Relaxed);
        Ok(self.problem.products().map_or(f64::NAN, |p| p.value(x)))
    }
}

impl basin::Gradient for BasinProblem {
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Infallible> {
        let mut g = vec![0.0; x.len()];
        self.gradient_into(x, &mut g)?;
        Ok(g)
    }
    fn gradient_into(&self, x: &Vec<f64>, out: &mut Vec<f64>) -> Result<(), Infallible> {
        self.g_evals.fetch_add(1, Ordering::Relaxed);
        out.resize(x.len(), 0.0);
        match self.problem.products() {
            Some(p) => p.gradient(x, out),
            None => out.fill(f64::NAN),
        }
        Ok(())
    }
}

/// One L-BFGS-B solve, stopped by its projected-gradient test at `GTOL`.
fn basin_solve(case: &Case) -> Option<Outcome> {
    use basin::{Executor, FirstOrderState};
    case.problem.products()?;
    let problem = BasinProblem {
        problem: case.problem.clone(),
        lower: case.lower.clone(),
        upper: case.upper.clone(),
        f_evals: Arc::new(AtomicUsize::new(0)),
        g_evals: Arc::new(AtomicUsize::new(0)),
    };
    let (f_evals, g_evals) = (problem.f_evals.clone(), problem.g_evals.clone());
    let solver = basin::Lbfgs::new()
        .with_absolute_projected_gradient_tolerance(GTOL)
        .with_relative_cost_reduction_tolerance(None);
    let result = Executor::new(problem, solver, FirstOrderState::new(case.x0.clone()))
        .max_iter(MAX_ITERATIONS as u64)
        .run()
        .ok()?;
    let x = result.param().clone();
    Some(Outcome {
        x,
        iterations: result.iter() as usize,
        evaluations: [f_evals.load(Ordering::Relaxed), g_evals.load(Ordering::Relaxed), 0, 0],
        termination: format!("{:?}", result.report.termination),
    })
}

// ---------------------------------------------------------------------------------------------

fn bench_bounded(c: &mut Criterion) {
    let n = std::env::var("BOUNDED_BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    for name in ["OBSTCLAE", "TORSION1", "CVXBQP1"] {
        let Some(case) = Case::new(name, n) else {
            eprintln!("{name}: no instance with n = {n}");
            continue;
        };
        let mut group = c.benchmark_group(format!("{name}/{n}"));
        group.sample_size(10).sampling_mode(SamplingMode::Flat);
        for solver in Solver::ALL {
            let started = Instant::now();
            let Some(out) = solve(&case, solver) else {
                eprintln!("{name}/{n}/{}: cannot run on this problem", solver.name());
                continue;
            };
            let seconds = started.elapsed().as_secs_f64();
            let pg = case.pg(&out.x);
            let f = case.problem.products().map_or(f64::NAN, |p| p.value(&out.x));
            let [fe, ge, hv, h] = out.evaluations;
            eprintln!(
                "{name}/{n}/{}: {} iterations, f {fe} g {ge} hv {hv} H {h}, f(x) = {f:.10e}, pg {pg:.2e}, {} active, {seconds:.3} s; {}",
                solver.name(),
                out.iterations,
                case.active(&out.x),
                out.termination
            );
            if !(pg <= GTOL) {
                eprintln!("{name}/{n}/{}: not converged, not timed", solver.name());
                continue;
            }
            group.bench_function(solver.name(), |b| b.iter(|| black_box(solve(&case, solver))));
        }
        group.finish();
    }
}

criterion_group!(benches, bench_bounded);
criterion_main!(benches);
