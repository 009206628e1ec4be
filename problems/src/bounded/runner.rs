//! Runs the bound-constrained problems with the library's bounded methods: the projected
//! Newton trust region (incomplete Cholesky, Jacobi or no preconditioner) and the scaled
//! interior trust region with each member of the scaling family. One [`BoundedRunRecord`] per
//! run, with the projected-gradient measure and the active set at the returned point.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde::Serialize;
use trust_region::model::Newton;
use trust_region::report::Outcome;
use trust_region::scaling::Scaling;
use trust_region::solver::bounded::{BoundedOptions, BoundedPreconditioner, BoundedReport, ProjectedNewton};
use trust_region::solver::scaled_interior::{ScaledInterior, ScaledInteriorOptions};
use trust_region::subproblem::{IncompleteCholeskyPreconditioner, MoreSorensen, Steihaug};
use trust_region::{Bounds, SetupError};

use super::BoundedProblem;

/// A bounded method of the runner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoundedSolver {
    /// Projected Newton (TRON family), incomplete Cholesky on the reduced sparse Hessian.
    Projected,
    /// Projected Newton with the Jacobi preconditioner on the sparse Hessian.
    ProjectedJacobi,
    /// Projected Newton on Hessian-vector products only (no preconditioner).
    ProjectedProducts,
    /// Scaled interior trust region, Coleman-Li scaling, Steihaug on products.
    InteriorCl,
    /// Scaled interior, Heinkenschloss-Ulbrich-Ulbrich scaling.
    InteriorHuu,
    /// Scaled interior, Kanzow-Klug type scaling.
    InteriorKk,
    /// Scaled interior, convex combination of the scalings.
    InteriorCombination,
    /// Scaled interior, adaptive choice of the scaling.
    InteriorAdaptive,
    /// Scaled interior, Coleman-Li scaling, the More-Sorensen step on the scaled sparse
    /// Hessian (products only where the problem has no sparse Hessian: then unsupported).
    InteriorExact,
    /// Scaled interior, Coleman-Li scaling, Steihaug preconditioned by incomplete Cholesky of
    /// the scaled sparse Hessian (Steihaug on products where the problem has none).
    InteriorIchol,
}

impl BoundedSolver {
    /// Every method, in table order.
    pub const ALL: [BoundedSolver; 10] = [
        BoundedSolver::Projected,
        BoundedSolver::ProjectedJacobi,
        BoundedSolver::ProjectedProducts,
        BoundedSolver::InteriorCl,
        BoundedSolver::InteriorHuu,
        BoundedSolver::InteriorKk,
        BoundedSolver::InteriorCombination,
        BoundedSolver::InteriorAdaptive,
        BoundedSolver::InteriorExact,
        BoundedSolver::InteriorIchol,
    ];

    /// The name used on the command line and in the records.
    pub fn name(self) -> &'static str {
        match self {
            BoundedSolver::Projected => "projected",
            BoundedSolver::ProjectedJacobi => "projected-jacobi",
            BoundedSolver::ProjectedProducts => "projected-products",
            BoundedSolver::InteriorCl => "interior-cl",
            BoundedSolver::InteriorHuu => "interior-huu",
            BoundedSolver::InteriorKk => "interior-kk",
            BoundedSolver::InteriorCombination => "interior-combination",
            BoundedSolver::InteriorAdaptive => "interior-adaptive",
            BoundedSolver::InteriorExact => "interior-exact",
            BoundedSolver::InteriorIchol => "interior-ichol",
        }
    }

    fn scaling(self) -> Option<Scaling> {
        match self {
            BoundedSolver::InteriorCl => Some(Scaling::ColemanLi),
            BoundedSolver::InteriorHuu => Some(Scaling::huu()),
            BoundedSolver::InteriorKk => Some(Scaling::kanzow_klug()),
            BoundedSolver::InteriorCombination => Some(Scaling::default()),
            BoundedSolver::InteriorAdaptive => Some(Scaling::Adaptive),
            BoundedSolver::InteriorExact | BoundedSolver::InteriorIchol => Some(Scaling::ColemanLi),
            _ => None,
        }
    }
}

/// One run of one method on one problem.
#[derive(Clone, Debug, Serialize)]
pub struct BoundedRunRecord {
    /// `"bounded"`.
    pub suite: String,
    /// SIF name.
    pub problem: String,
    /// Number of variables.
    pub n: usize,
    /// Method name ([`BoundedSolver::name`]).
    pub solver: String,
    /// Termination name (`projected_gradient_tolerance`, `max_time`, ..., or `setup_error`).
    pub termination: String,
    /// Whether the run converged (`pg <= gtol`).
    pub converged: bool,
    /// Iterations.
    pub iterations: usize,
    /// Values of `f`.
    pub f_evals: usize,
    /// Gradients.
    pub g_evals: usize,
    /// Hessian-vector products.
    pub hv_evals: usize,
    /// Hessian evaluations.
    pub h_evals: usize,
    /// `f` at the returned point.
    pub f: f64,
    /// `pg(x) = ||x - P(x - g)||_inf` at the returned point.
    pub pg_inf: f64,
    /// Components of the returned point at a bound.
    pub active_bounds: usize,
    /// Whether the start was moved into the box.
    pub start_moved: bool,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Settings shared by the runs.
#[derive(Clone, Debug)]
pub struct BoundedSettings {
    /// `pg` tolerance. Default `1e-6`.
    pub gtol: f64,
    /// Iteration limit. Default `100_000`.
    pub max_iterations: usize,
    /// Time limit per run. Default 60 s.
    pub max_time: Duration,
}

impl Default for BoundedSettings {
    fn default() -> Self {
        Self { gtol: 1e-6, max_iterations: 100_000, max_time: Duration::from_secs(60) }
    }
}

/// Runs `solver` on `problem` from its SIF start (projected by the solver).
pub fn run_bounded(
    problem: &dyn BoundedProblem,
    solver: BoundedSolver,
    settings: &BoundedSettings,
) -> BoundedRunRecord {
    let info = problem.info();
    let (lower, upper) = problem.bounds();
    let x0 = problem.x0();
    let started = Instant::now();
    let result = Bounds::closed(lower, upper).and_then(|bounds| solve(problem, solver, settings, &bounds, &x0));
    let seconds = started.elapsed().as_secs_f64();
    let mut record = BoundedRunRecord {
        suite: "bounded".into(),
        problem: info.name.clone(),
        n: info.n,
        solver: solver.name().into(),
        termination: "setup_error".into(),
        converged: false,
        iterations: 0,
        f_evals: 0,
        g_evals: 0,
        hv_evals: 0,
        h_evals: 0,
        f: f64::NAN,
        pg_inf: f64::NAN,
        active_bounds: 0,
        start_moved: false,
        seconds,
    };
    match result {
        Ok(r) => {
            record.termination = r.termination.name().into();
            record.converged = r.converged();
            record.iterations = r.iterations;
            record.f_evals = r.evaluations.f;
            record.g_evals = r.evaluations.g;
            record.hv_evals = r.evaluations.hv;
            record.h_evals = r.evaluations.h;
            record.f = r.f;
            record.pg_inf = r.termination.pg_inf;
            record.active_bounds = r.termination.active_bounds;
            record.start_moved = r.start_moved;
        }
        Err(SetupError::Unsupported { .. }) => record.termination = "unsupported".into(),
        Err(_) => {}
    }
    record
}

fn solve(
    problem: &dyn BoundedProblem,
    solver: BoundedSolver,
    settings: &BoundedSettings,
    bounds: &Bounds,
    x0: &[f64],
) -> Result<BoundedReport, SetupError> {
    let limits = |l: &mut trust_region::Limits| {
        l.max_iterations = settings.max_iterations;
        l.max_time = Some(settings.max_time);
    };
    let unsupported = || SetupError::Unsupported { solver: "bounded runner", needs: "Hessian-vector products" };
    match solver {
        BoundedSolver::Projected | BoundedSolver::ProjectedJacobi | BoundedSolver::ProjectedProducts => {
            let mut o = BoundedOptions::default();
            o.gtol = settings.gtol;
            limits(&mut o.limits);
            if solver == BoundedSolver::ProjectedJacobi {
                o.preconditioner = BoundedPreconditioner::Jacobi;
            }
            let mut pn = ProjectedNewton::new().with_options(o);
            match (solver, problem.sparse_hessian()) {
                (BoundedSolver::ProjectedProducts, _) | (_, None) => {
                    pn.solve(Newton::products(problem.products().ok_or_else(unsupported)?), bounds, x0)
                }
                (_, Some(h)) => pn.solve(Newton::sparse(h), bounds, x0),
            }
        }
        _ => {
            let mut o = ScaledInteriorOptions::default();
            o.gtol = settings.gtol;
            limits(&mut o.limits);
            if let Some(s) = solver.scaling() {
                o.scaling = s;
            }
            match (solver, problem.sparse_hessian()) {
                (BoundedSolver::InteriorExact, Some(h)) => {
                    ScaledInterior::new(MoreSorensen::new()).with_options(o).solve(Newton::sparse(h), bounds, x0)
                }
                (BoundedSolver::InteriorExact, None) => {
                    Err(SetupError::Unsupported { solver: "interior-exact", needs: "a sparse Hessian" })
                }
                (BoundedSolver::InteriorIchol, Some(h)) => {
                    ScaledInterior::new(Steihaug::with_preconditioner(IncompleteCholeskyPreconditioner::default()))
                        .with_options(o)
                        .solve(Newton::sparse(h), bounds, x0)
                }
                _ => {
                    let p = problem.products().ok_or_else(unsupported)?;
                    ScaledInterior::new(Steihaug::new()).with_options(o).solve(Newton::products(p), bounds, x0)
                }
            }
        }
    }
}

/// The records as CSV, one line per run.
pub fn csv(records: &[BoundedRunRecord]) -> String {
    let mut s = String::from(
        "suite,problem,n,solver,termination,converged,iterations,f_evals,g_evals,hv_evals,h_evals,f,pg_inf,active_bounds,start_moved,seconds\n",
    );
    for r in records {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{:e},{:e},{},{},{:.6}",
            r.suite,
            r.problem,
            r.n,
            r.solver,
            r.termination,
            r.converged,
            r.iterations,
            r.f_evals,
            r.g_evals,
            r.hv_evals,
            r.h_evals,
            r.f,
            r.pg_inf,
            r.active_bounds,
            r.start_moved,
            r.seconds
        );
    }
    s
}

/// Per-problem lines (iterations and pg per method) and a summary per method: runs, converged,
/// total seconds.
pub fn table(records: &[BoundedRunRecord]) -> String {
    let mut solvers: Vec<&str> = Vec::new();
    let mut problems: Vec<(&str, usize)> = Vec::new();
    for r in records {
        if !solvers.contains(&r.solver.as_str()) {
            solvers.push(&r.solver);
        }
        if !problems.iter().any(|p| p.0 == r.problem) {
            problems.push((&r.problem, r.n));
        }
    }
    let mut s = String::new();
    let _ = write!(s, "{:<10} {:>7}", "problem", "n");
    for solver in &solvers {
        let _ = write!(s, " {solver:>22}");
    }
    s.push('\n');
    for (p, n) in &problems {
        let _ = write!(s, "{p:<10} {n:>7}");
        for solver in &solvers {
            let cell = records.iter().find(|r| r.problem == *p && r.solver == *solver).map(|r| {
                if r.converged {
                    format!("{} it, pg {:.1e}", r.iterations, r.pg_inf)
                } else {
                    format!("{} ({:.0e})", short(&r.termination), r.pg_inf)
                }
            });
            let _ = write!(s, " {:>22}", cell.unwrap_or_default());
        }
        s.push('\n');
    }
    s.push('\n');
    for solver in &solvers {
        let runs: Vec<&BoundedRunRecord> = records.iter().filter(|r| r.solver == *solver).collect();
        let converged = runs.iter().filter(|r| r.converged).count();
        let seconds: f64 = runs.iter().map(|r| r.seconds).sum();
        let _ =
            writeln!(s, "  {solver:<22} runs {:>3}  converged {converged:>3}  total time {seconds:.3} s", runs.len());
    }
    s
}

fn short(termination: &str) -> &str {
    match termination {
        "max_time" => "time",
        "max_iterations" => "iters",
        "radius_too_small" => "radius",
        "round_off_limit" => "round-off",
        "non_finite" => "non-finite",
        "setup_error" => "setup",
        other => other,
    }
}
