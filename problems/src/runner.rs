//! Runs suite problems with the crate's step solvers and records the outcome of every run.
//!
//! Solver names (as on the `trsuite` command line):
//! - `cauchy`: Cauchy point, Newton model with Hessian-vector products;
//! - `dogleg`: dogleg on the dense Hessian;
//! - `steihaug`: Steihaug-Toint truncated CG, Hessian-vector products (dense Hessian if the
//!   problem has no products);
//! - `steihaug-jacobi`: Steihaug-Toint CG with the Jacobi preconditioner on the sparse or dense
//!   Hessian (products only, and no preconditioning, when the problem has no matrix);
//! - `steihaug-ichol`: Steihaug-Toint CG with the incomplete Cholesky preconditioner (Lin & More
//!   1999) on the problem's sparse approximation of a Hessian that is not sparse where it offers
//!   one (FMINSURF; exact products), else on the sparse Hessian, Jacobi on a dense one, none on
//!   products only; not in the default set;
//! - `gltr`: generalized Lanczos trust-region step (GLTR), Hessian-vector products like `steihaug`;
//!   not in the default set;
//! - `gltr-jacobi`: GLTR with the Jacobi preconditioner, wired like `steihaug-jacobi`; not in the
//!   default set;
//! - `gltr-ichol`: GLTR with the incomplete Cholesky preconditioner, wired like
//!   `steihaug-ichol`; not in the default set;
//! - `exact`: More-Sorensen nearly exact step, on the dense Hessian up to
//!   [`SPARSE_EXACT_MIN_N`] variables and on the sparse Hessian (faer sparse Cholesky) beyond;
//! - `gauss-newton`: Gauss-Newton model `B = J'J` of the residual form, More-Sorensen step on
//!   `J'J` for a dense Jacobian (a Levenberg-Marquardt step), Steihaug-Toint CG for a sparse one;
//! - `lm`: Levenberg-Marquardt as in MINPACK (More 1978): the Gauss-Newton model with the step
//!   from the QR factorization of `J` in the scaled norm `||Dp||`
//!   ([`trust_region::subproblem::LevenbergMarquardt`]) and MINPACK's radius rule
//!   ([`trust_region::RadiusOptions::levenberg_marquardt`]); dense Jacobians only; not in the
//!   default set.
//!
//! Gradient-only solvers (not in the default set). The runner hands them the problem through a
//! wrapper that implements [`Objective`] and nothing else, so they cannot reach the Hessian or
//! Hessian-vector products; `g_evals` counts every gradient, those spent on finite-difference
//! products included:
//! - `fd-steihaug`, `fd-gltr`: Steihaug-Toint CG / GLTR on Hessian-vector products by forward
//!   differences of the gradient ([`trust_region::model::Newton::finite_differences`]);
//! - `sr1`, `bfgs`: dense SR1 / BFGS models with the More-Sorensen step, up to
//!   [`DENSE_QUASI_NEWTON_MAX_N`] variables (beyond, the run is `unsupported`);
//! - `lsr1`, `lbfgs-tr`: L-SR1 / L-BFGS models in compact form (memory 8) with the exact
//!   limited-memory trust-region step ([`trust_region::subproblem::LimitedMemoryExact`]).
//!
//! Peer (not in the default set, not this crate's code): `basin-lbfgs`, basin 3.2's unbounded
//! L-BFGS (two-loop recursion, More-Thuente line search, its default memory 10) on the same
//! gradient-only wrapper, stopped by an `Executor::stop_when` hook at `||g||_inf <= gtol`
//! (basin's own gradient test is Euclidean), with the same iteration and time limits. It is here
//! so that the done-when figures of the gradient-only solvers come from the same run as the
//! peer's; see `solve_basin_lbfgs`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use trust_region::model::Newton;
use trust_region::problem::{DenseHessian, HessianProduct, Objective, SparseHessian};
use trust_region::subproblem::LimitedMemoryExact;
use trust_region::subproblem::{
    Cauchy, DiagonalPreconditioner, Dogleg, Gltr, IncompleteCholeskyPreconditioner, LevenbergMarquardt, MoreSorensen,
    RuntimeChecked, Steihaug, StepSolver,
};
use trust_region::{Report, SetupError, TrustRegion, TrustRegionOptions};

use crate::{correct_digits, SuiteProblem};

/// Above this size the exact step runs on the sparse Hessian when the problem has one.
pub const SPARSE_EXACT_MIN_N: usize = 200;

/// Largest `n` for the dense quasi-Newton solvers `sr1` and `bfgs` (an `n x n` matrix and
/// `O(n^3)` factorizations per point).
pub const DENSE_QUASI_NEWTON_MAX_N: usize = 1000;

/// The step solvers the runner knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SolverName {
    /// Cauchy point.
    Cauchy,
    /// Dogleg.
    Dogleg,
    /// Steihaug-Toint truncated CG.
    Steihaug,
    /// Steihaug-Toint CG with the Jacobi (diagonal) preconditioner, on the sparse or dense
    /// Hessian (the region is measured in the preconditioner's norm).
    SteihaugJacobi,
    /// Steihaug-Toint CG with the incomplete Cholesky preconditioner on the sparse Hessian
    /// (Jacobi fallback on a dense one). Not in trsuite's default set: run it with `--solver`.
    SteihaugIchol,
    /// Generalized Lanczos trust-region step (GLTR) on Hessian-vector products. Not in trsuite's
    /// default set: run it with `--solver gltr`.
    Gltr,
    /// GLTR with the Jacobi preconditioner, on the sparse or dense Hessian (products only, and no
    /// preconditioning, when the problem has no matrix).
    GltrJacobi,
    /// GLTR with the incomplete Cholesky preconditioner on the sparse Hessian (Jacobi fallback on
    /// a dense one, none on products only).
    GltrIchol,
    /// More-Sorensen nearly exact step.
    Exact,
    /// Gauss-Newton model on the residual form.
    GaussNewton,
    /// Levenberg-Marquardt (MINPACK) on a dense Jacobian. Not in trsuite's default set.
    LevenbergMarquardt,
    /// Gradient only: Steihaug-Toint CG on finite-difference Hessian-vector products.
    FdSteihaug,
    /// Gradient only: GLTR on finite-difference Hessian-vector products.
    FdGltr,
    /// Gradient only: dense SR1 model, More-Sorensen step.
    Sr1,
    /// Gradient only: dense BFGS model, More-Sorensen step.
    Bfgs,
    /// Gradient only: L-SR1 model, exact limited-memory step.
    Lsr1,
    /// Gradient only: L-BFGS model, exact limited-memory step.
    LbfgsTr,
    /// Peer, gradient only: basin 3.2's L-BFGS with its More-Thuente line search.
    BasinLbfgs,
}

impl SolverName {
    /// Every solver, in table order.
    pub const ALL: [SolverName; 18] = [
        SolverName::Exact,
        SolverName::Steihaug,
        SolverName::SteihaugJacobi,
        SolverName::SteihaugIchol,
        SolverName::Dogleg,
        SolverName::GaussNewton,
        SolverName::LevenbergMarquardt,
        SolverName::Cauchy,
        SolverName::Gltr,
        SolverName::GltrJacobi,
        SolverName::GltrIchol,
        SolverName::FdSteihaug,
        SolverName::FdGltr,
        SolverName::Sr1,
        SolverName::Bfgs,
        SolverName::Lsr1,
        SolverName::LbfgsTr,
        SolverName::BasinLbfgs,
    ];

    /// Whether the solver sees only `f` and the gradient.
    pub fn gradient_only(self) -> bool {
        matches!(
            self,
            SolverName::FdSteihaug
                | SolverName::FdGltr
                | SolverName::Sr1
                | SolverName::Bfgs
                | SolverName::Lsr1
                | SolverName::LbfgsTr
                | SolverName::BasinLbfgs
        )
    }

    /// The command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            SolverName::Cauchy => "cauchy",
            SolverName::Dogleg => "dogleg",
            SolverName::Steihaug => "steihaug",
            SolverName::SteihaugJacobi => "steihaug-jacobi",
            SolverName::SteihaugIchol => "steihaug-ichol",
            SolverName::Gltr => "gltr",
            SolverName::GltrJacobi => "gltr-jacobi",
            SolverName::GltrIchol => "gltr-ichol",
            SolverName::Exact => "exact",
            SolverName::GaussNewton => "gauss-newton",
            SolverName::LevenbergMarquardt => "lm",
            SolverName::FdSteihaug => "fd-steihaug",
            SolverName::FdGltr => "fd-gltr",
            SolverName::Sr1 => "sr1",
            SolverName::Bfgs => "bfgs",
            SolverName::Lsr1 => "lsr1",
            SolverName::LbfgsTr => "lbfgs-tr",
            SolverName::BasinLbfgs => "basin-lbfgs",
        }
    }
}

impl fmt::Display for SolverName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SolverName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SolverName::ALL.iter().copied().find(|n| n.as_str() == s).ok_or_else(|| {
            format!(
                "unknown solver `{s}` (expected one of cauchy, dogleg, steihaug, steihaug-jacobi, steihaug-ichol, gltr, gltr-jacobi, gltr-ichol, exact, gauss-newton, lm, fd-steihaug, fd-gltr, sr1, bfgs, lsr1, lbfgs-tr, basin-lbfgs)"
            )
        })
    }
}

/// Settings shared by all runs.
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// Absolute gradient tolerance. Default `1e-6`.
    pub gtol: f64,
    /// Iteration limit. Default `1000`.
    pub max_iterations: usize,
    /// Time limit per run. Default 60 s.
    pub max_time: Duration,
    /// Evaluate the gradient with the value at trial points
    /// ([`trust_region::TrustRegionOptions::trial_gradient`]). Default `false`.
    pub trial_gradient: bool,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self { gtol: 1e-6, max_iterations: 1000, max_time: Duration::from_secs(60), trial_gradient: false }
    }
}

/// One run: a problem, a solver, and the outcome. Field names are the JSON keys.
#[derive(Clone, Debug, Serialize)]
pub struct RunRecord {
    /// Suite name.
    pub suite: String,
    /// Problem name.
    pub problem: String,
    /// Number of variables.
    pub n: usize,
    /// Solver name.
    pub solver: String,
    /// Termination name (`gradient_tolerance`, ..., or `unsupported` / `setup_error`).
    pub termination: String,
    /// Whether the termination class is "converged".
    pub converged: bool,
    /// Iterations.
    pub iterations: usize,
    /// Objective (or residual) evaluations.
    pub f_evals: usize,
    /// Gradient (or Jacobian) evaluations.
    pub g_evals: usize,
    /// Hessian-vector products.
    pub hv_evals: usize,
    /// Hessian evaluations.
    pub h_evals: usize,
    /// Numeric matrix factorizations of the step solver.
    pub factorizations: usize,
    /// Symbolic analyses of sparse factorizations.
    pub symbolic_analyses: usize,
    /// Final `f`.
    pub f: f64,
    /// Final `||g||_inf`.
    pub grad_inf: f64,
    /// Correct digits of `f` against the published optimum (`None` without one).
    pub correct_digits: Option<f64>,
    /// Correct digits against a published local minimum value, when the problem has one.
    pub local_correct_digits: Option<f64>,
    /// Wall-clock seconds of the solve.
    pub seconds: f64,
}

impl RunRecord {
    /// Whether the run reached `digits` correct digits of the published optimum, or of a
    /// published local minimum with `||g||_inf <= gtol`.
    pub fn solved(&self, digits: f64, gtol: f64) -> bool {
        self.correct_digits.is_some_and(|d| d >= digits)
            || (self.grad_inf <= gtol && self.local_correct_digits.is_some_and(|d| d >= digits))
    }
}

/// A problem as the gradient-only solvers see it: [`Objective`] and nothing else.
struct GradientOnly<'a>(Source<'a>);

/// Where the objective of a suite problem is reachable.
enum Source<'a> {
    Products(&'a dyn HessianProduct),
    Sparse(&'a dyn SparseHessian),
    Dense(&'a dyn DenseHessian),
}

impl<'a> GradientOnly<'a> {
    fn of(problem: &'a dyn SuiteProblem) -> Option<Self> {
        if let Some(p) = problem.products() {
            Some(Self(Source::Products(p)))
        } else if let Some(p) = problem.sparse_hessian() {
            Some(Self(Source::Sparse(p)))
        } else {
            problem.dense_hessian().map(|p| Self(Source::Dense(p)))
        }
    }

    fn objective(&self) -> &dyn Objective {
        match self.0 {
            Source::Products(p) => p,
            Source::Sparse(p) => p,
            Source::Dense(p) => p,
        }
    }
}

impl Objective for GradientOnly<'_> {
    fn dim(&self) -> usize {
        self.objective().dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.objective().value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.objective().gradient(x, g)
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        self.objective().value_and_gradient(x, g)
    }
}

/// The gradient-only solvers, on the problem's `f` and `g` alone.
fn solve_gradient_only(
    problem: &dyn SuiteProblem,
    name: SolverName,
    opts: &TrustRegionOptions,
) -> Result<Report, String> {
    let Some(p) = GradientOnly::of(problem) else {
        return Err("unsupported".to_string());
    };
    let x0 = problem.x0();
    let dense_ok = x0.len() <= DENSE_QUASI_NEWTON_MAX_N;
    let res = match name {
        SolverName::FdSteihaug => {
            TrustRegion::new(Steihaug::new()).with_options(opts.clone()).solve(Newton::finite_differences(&p), &x0)
        }
        SolverName::FdGltr => {
            TrustRegion::new(Gltr::new()).with_options(opts.clone()).solve(Newton::finite_differences(&p), &x0)
        }
        SolverName::Sr1 if dense_ok => {
            TrustRegion::new(MoreSorensen::new()).with_options(opts.clone()).solve(Newton::sr1(&p), &x0)
        }
        SolverName::Bfgs if dense_ok => {
            TrustRegion::new(MoreSorensen::new()).with_options(opts.clone()).solve(Newton::bfgs(&p), &x0)
        }
        SolverName::Lsr1 => {
            TrustRegion::new(LimitedMemoryExact::new()).with_options(opts.clone()).solve(Newton::lsr1(&p), &x0)
        }
        SolverName::LbfgsTr => {
            TrustRegion::new(LimitedMemoryExact::new()).with_options(opts.clone()).solve(Newton::lbfgs(&p), &x0)
        }
        _ => return Err("unsupported".to_string()),
    };
    res.map_err(|e| format!("setup_error: {e}"))
}

/// The gradient-only wrapper as basin 3.2 sees it: `Vec<f64>` parameters, `f` and `g` of the
/// same problem code, the fused call forwarded to [`Objective::value_and_gradient`].
struct BasinObjective<'a>(&'a GradientOnly<'a>);

impl basin::CostFunction for BasinObjective<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    type Error = std::convert::Infallible;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Self::Error> {
        Ok(self.0.value(x))
    }
}

impl basin::Gradient for BasinObjective<'_> {
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Self::Error> {
        let mut g = vec![0.0; x.len()];
        self.0.gradient(x, &mut g);
        Ok(g)
    }
    fn gradient_into(&self, x: &Vec<f64>, out: &mut Vec<f64>) -> Result<(), Self::Error> {
        out.resize(x.len(), 0.0);
        self.0.gradient(x, out);
        Ok(())
    }
    fn cost_and_gradient(&self, x: &Vec<f64>) -> Result<(f64, Vec<f64>), Self::Error> {
        let mut g = vec![0.0; x.len()];
        let f = self.0.value_and_gradient(x, &mut g);
        Ok((f, g))
    }
    fn cost_and_gradient_into(&self, x: &Vec<f64>, out: &mut Vec<f64>) -> Result<f64, Self::Error> {
        out.resize(x.len(), 0.0);
        Ok(self.0.value_and_gradient(x, out))
    }
}

/// A short name for a basin termination: `gradient_tolerance` for the stop hook below, else
/// `basin_` and the variant (`basin_limit_time`, `basin_failed`, ...).
fn basin_termination_name(termination: &basin::Termination<f64>) -> String {
    let debug = format!("{termination:?}");
    let word = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>();
    match termination {
        basin::Termination::Application(_) => "gradient_tolerance".to_string(),
        basin::Termination::Limit(_) => {
            let inner = debug.trim_start_matches("Limit([");
            format!("basin_limit_{}", word(inner).to_lowercase())
        }
        _ => format!("basin_{}", word(&debug).to_lowercase()),
    }
}

/// The peer `basin-lbfgs`: basin 3.2's unbounded L-BFGS (`Lbfgs::new().unbounded()`, its
/// defaults: memory 10, More-Thuente line search) on the problem's `f` and `g` only, stopped
/// by an `Executor::stop_when` hook at `||g||_inf <= gtol` on the accepted iterate, with the
/// run's iteration and time limits. Counts are basin's own (`OptimizationResult::counts`; a
/// fused value-and-gradient call counts once in each).
fn solve_basin_lbfgs(problem: &dyn SuiteProblem, settings: &RunSettings, rec: &mut RunRecord, local: Option<f64>) {
    let Some(p) = GradientOnly::of(problem) else {
        rec.termination = "unsupported".to_string();
        return;
    };
    let x0 = problem.x0();
    let gtol = settings.gtol;
    let start = std::time::Instant::now();
    let run =
        basin::Executor::new(BasinObjective(&p), basin::Lbfgs::new().unbounded(), basin::FirstOrderState::new(x0))
            .max_iter(settings.max_iterations as u64)
            .max_time(settings.max_time)
            .stop_when(move |state: &basin::FirstOrderState<Vec<f64>, f64>| {
                let (_, _, g) = state.current()?;
                (trust_region::linalg::norm_inf(g) <= gtol).then(|| basin::ApplicationStop::new("gradient_tolerance"))
            })
            .run();
    let seconds = start.elapsed().as_secs_f64();
    let Ok(result) = run;
    let (f, grad_inf) =
        result.state.current().map_or((f64::NAN, f64::NAN), |(_, f, g)| (f, trust_region::linalg::norm_inf(g)));
    rec.termination = basin_termination_name(&result.report.termination);
    rec.converged = grad_inf <= gtol;
    rec.iterations = result.iter() as usize;
    rec.f_evals = result.counts.cost_evals as usize;
    rec.g_evals = result.counts.gradient_evals as usize;
    rec.f = f;
    rec.grad_inf = grad_inf;
    rec.correct_digits = correct_digits(f, problem.info().f_star);
    rec.local_correct_digits = correct_digits(f, local);
    rec.seconds = seconds;
}

fn solve<S: StepSolver>(
    step: S,
    problem: &dyn SuiteProblem,
    name: SolverName,
    opts: &TrustRegionOptions,
) -> Result<Report, String> {
    let x0 = problem.x0();
    // The model is chosen from what the problem offers, at run time.
    let mut tr = TrustRegion::new(RuntimeChecked(step)).with_options(opts.clone());
    let unsupported = || Err("unsupported".to_string());
    let res: Result<Report, SetupError> = match name {
        SolverName::FdSteihaug
        | SolverName::FdGltr
        | SolverName::Sr1
        | SolverName::Bfgs
        | SolverName::Lsr1
        | SolverName::LbfgsTr
        | SolverName::BasinLbfgs => {
            return solve_gradient_only(problem, name, opts);
        }
        SolverName::GaussNewton => {
            if let Some(p) = problem.dense_jacobian() {
                tr.solve(trust_region::GaussNewton::dense(p), &x0)
            } else if let Some(p) = problem.sparse_jacobian() {
                tr.solve(trust_region::GaussNewton::sparse(p), &x0)
            } else {
                return unsupported();
            }
        }
        SolverName::LevenbergMarquardt => match problem.dense_jacobian() {
            Some(p) => {
                tr.options.radius = trust_region::RadiusOptions::levenberg_marquardt();
                tr.solve(trust_region::GaussNewton::dense(p), &x0)
            }
            None => return unsupported(),
        },
        SolverName::Dogleg => match problem.dense_hessian() {
            Some(p) => tr.solve(trust_region::Newton::dense(p), &x0),
            None => return unsupported(),
        },
        // The sparse factorization pays off beyond a few hundred variables.
        SolverName::Exact => match (problem.dense_hessian(), problem.sparse_hessian()) {
            (Some(p), _) if x0.len() <= SPARSE_EXACT_MIN_N => tr.solve(trust_region::Newton::dense(p), &x0),
            (_, Some(p)) => tr.solve(trust_region::Newton::sparse(p), &x0),
            (Some(p), None) => tr.solve(trust_region::Newton::dense(p), &x0),
            (None, None) => return unsupported(),
        },
        // The Jacobi preconditioner needs the diagonal: a matrix first, products as a fallback.
        // The incomplete Cholesky factor needs a sparse matrix: the problem's sparse
        // approximation where it offers one (its Hessian is not usefully sparse; the products
        // stay exact), else the sparse Hessian.
        SolverName::GltrJacobi | SolverName::GltrIchol | SolverName::SteihaugJacobi | SolverName::SteihaugIchol => {
            let ichol = matches!(name, SolverName::GltrIchol | SolverName::SteihaugIchol);
            if let Some(p) = problem.sparse_approximation().filter(|_| ichol) {
                tr.solve(trust_region::Newton::approximated(p), &x0)
            } else if let Some(p) = problem.sparse_hessian() {
                tr.solve(trust_region::Newton::sparse(p), &x0)
            } else if let Some(p) = problem.dense_hessian() {
                tr.solve(trust_region::Newton::dense(p), &x0)
            } else if let Some(p) = problem.products() {
                tr.minimize(p, &x0)
            } else {
                return unsupported();
            }
        }
        SolverName::Steihaug | SolverName::Gltr | SolverName::Cauchy => {
            if let Some(p) = problem.products() {
                tr.minimize(p, &x0)
            } else if let Some(p) = problem.sparse_hessian() {
                tr.solve(trust_region::Newton::sparse(p), &x0)
            } else if let Some(p) = problem.dense_hessian() {
                tr.solve(trust_region::Newton::dense(p), &x0)
            } else {
                return unsupported();
            }
        }
    };
    res.map_err(|e| format!("setup_error: {e}"))
}

/// Runs one problem with one solver.
pub fn run_one(
    problem: &dyn SuiteProblem,
    solver: SolverName,
    settings: &RunSettings,
    local_f_star: Option<f64>,
) -> RunRecord {
    let info = problem.info();
    let mut opts = TrustRegionOptions::default();
    opts.tolerances.gtol = settings.gtol;
    opts.limits.max_iterations = settings.max_iterations;
    opts.limits.max_time = Some(settings.max_time);
    opts.trial_gradient = settings.trial_gradient;
    let mut rec = RunRecord {
        suite: info.suite.to_string(),
        problem: info.name.clone(),
        n: info.n,
        solver: solver.to_string(),
        termination: String::new(),
        converged: false,
        iterations: 0,
        f_evals: 0,
        g_evals: 0,
        hv_evals: 0,
        h_evals: 0,
        factorizations: 0,
        symbolic_analyses: 0,
        f: f64::NAN,
        grad_inf: f64::NAN,
        correct_digits: None,
        local_correct_digits: None,
        seconds: 0.0,
    };
    let result = match solver {
        SolverName::Cauchy => solve(Cauchy::new(), problem, solver, &opts),
        SolverName::Dogleg => solve(Dogleg::new(), problem, solver, &opts),
        SolverName::Steihaug => solve(Steihaug::new(), problem, solver, &opts),
        SolverName::SteihaugJacobi => {
            solve(Steihaug::with_preconditioner(DiagonalPreconditioner::default()), problem, solver, &opts)
        }
        SolverName::SteihaugIchol => {
            solve(Steihaug::with_preconditioner(IncompleteCholeskyPreconditioner::default()), problem, solver, &opts)
        }
        SolverName::Gltr => solve(Gltr::new(), problem, solver, &opts),
        SolverName::GltrJacobi => {
            solve(Gltr::with_preconditioner(DiagonalPreconditioner::default()), problem, solver, &opts)
        }
        SolverName::GltrIchol => {
            solve(Gltr::with_preconditioner(IncompleteCholeskyPreconditioner::default()), problem, solver, &opts)
        }
        SolverName::Exact => solve(MoreSorensen::new(), problem, solver, &opts),
        SolverName::LevenbergMarquardt => solve(LevenbergMarquardt::new(), problem, solver, &opts),
        SolverName::FdSteihaug
        | SolverName::FdGltr
        | SolverName::Sr1
        | SolverName::Bfgs
        | SolverName::Lsr1
        | SolverName::LbfgsTr => solve_gradient_only(problem, solver, &opts),
        SolverName::BasinLbfgs => {
            solve_basin_lbfgs(problem, settings, &mut rec, local_f_star);
            return rec;
        }
        SolverName::GaussNewton => {
            if problem.dense_jacobian().is_some() && info.n <= 2000 {
                solve(MoreSorensen::new(), problem, solver, &opts)
            } else {
                solve(Steihaug::new(), problem, solver, &opts)
            }
        }
    };
    match result {
        Ok(r) => {
            let e = r.evaluations;
            rec.termination = r.termination.name().to_string();
            rec.converged = r.converged();
            rec.iterations = r.iterations;
            rec.f_evals = e.f;
            rec.g_evals = e.g + e.jacobian;
            rec.hv_evals = e.hv;
            rec.h_evals = e.h;
            rec.factorizations = r.factorizations;
            rec.symbolic_analyses = r.symbolic_analyses;
            rec.f = r.f;
            rec.grad_inf = r.grad_inf;
            rec.correct_digits = correct_digits(r.f, info.f_star);
            rec.local_correct_digits = correct_digits(r.f, local_f_star);
            rec.seconds = r.elapsed.as_secs_f64();
        }
        Err(msg) => rec.termination = msg,
    }
    rec
}

impl RunRecord {
    /// Success as the performance profiles count it: 4 correct digits where a reference value
    /// is known ([`RunRecord::solved`]), otherwise a converged termination.
    pub fn success(&self, gtol: f64) -> bool {
        if self.correct_digits.is_some() || self.local_correct_digits.is_some() {
            self.solved(4.0, gtol)
        } else {
            self.converged
        }
    }

    /// Evaluations of every kind: `f + g + Hv + H`.
    pub fn total_evaluations(&self) -> usize {
        self.f_evals + self.g_evals + self.hv_evals + self.h_evals
    }
}

/// The records as CSV (header line first; the columns are the JSON keys).
pub fn csv(records: &[RunRecord]) -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "suite,problem,n,solver,termination,converged,iterations,f_evals,g_evals,hv_evals,h_evals,factorizations,symbolic_analyses,f,grad_inf,correct_digits,local_correct_digits,seconds\n",
    );
    let opt = |v: Option<f64>| v.map(|d| format!("{d:.3}")).unwrap_or_default();
    for r in records {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{:e},{:e},{},{},{:e}",
            r.suite,
            r.problem,
            r.n,
            r.solver,
            r.termination.replace(',', ";"),
            r.converged,
            r.iterations,
            r.f_evals,
            r.g_evals,
            r.hv_evals,
            r.h_evals,
            r.factorizations,
            r.symbolic_analyses,
            r.f,
            r.grad_inf,
            opt(r.correct_digits),
            opt(r.local_correct_digits),
            r.seconds
        );
    }
    out
}

/// Performance profiles (iterations, evaluations, seconds) of the solvers in `records`, over
/// the (suite, problem, n) triples they share; failed runs count as unsolved.
pub fn profiles(records: &[RunRecord], gtol: f64) -> Vec<crate::profile::Profile> {
    let mut solvers: Vec<String> = records.iter().map(|r| r.solver.clone()).collect();
    solvers.sort();
    solvers.dedup();
    let mut keys: Vec<(String, String, usize)> =
        records.iter().map(|r| (r.suite.clone(), r.problem.clone(), r.n)).collect();
    keys.sort();
    keys.dedup();
    type Cost = fn(&RunRecord) -> f64;
    let metrics: [(&str, Cost); 3] = [
        ("iterations", |r| r.iterations as f64),
        ("evaluations", |r| r.total_evaluations() as f64),
        ("seconds", |r| r.seconds),
    ];
    metrics
        .iter()
        .map(|(name, cost)| {
            let costs: Vec<Vec<Option<f64>>> = keys
                .iter()
                .map(|k| {
                    solvers
                        .iter()
                        .map(|s| {
                            records
                                .iter()
                                .find(|r| r.solver == *s && r.suite == k.0 && r.problem == k.1 && r.n == k.2)
                                .filter(|r| r.success(gtol))
                                .map(cost)
                        })
                        .collect()
                })
                .collect();
            crate::profile::Profile::new(name, solvers.clone(), &costs)
        })
        .collect()
}

/// A plain-text table of records, one line per run, then a summary per solver.
pub fn table(records: &[RunRecord], gtol: f64) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<6} {:<28} {:>6} {:<13} {:<28} {:>6} {:>7} {:>7} {:>8} {:>6} {:>14} {:>9} {:>6} {:>9}",
        "suite",
        "problem",
        "n",
        "solver",
        "termination",
        "iter",
        "f",
        "g",
        "Hv",
        "H",
        "f final",
        "||g||inf",
        "digits",
        "seconds"
    );
    for r in records {
        let digits = match (r.correct_digits, r.local_correct_digits) {
            (Some(d), Some(l)) if l > d => format!("{l:.1}L"),
            (Some(d), _) => format!("{d:.1}"),
            (None, Some(l)) => format!("{l:.1}L"),
            (None, None) => "-".to_string(),
        };
        let _ = writeln!(
            out,
            "{:<6} {:<28} {:>6} {:<13} {:<28} {:>6} {:>7} {:>7} {:>8} {:>6} {:>14.7e} {:>9.2e} {:>6} {:>9.4}",
            r.suite,
            r.problem,
            r.n,
            r.solver,
            r.termination,
            r.iterations,
            r.f_evals,
            r.g_evals,
            r.hv_evals,
            r.h_evals,
            r.f,
            r.grad_inf,
            digits,
            r.seconds
        );
    }
    let mut solvers: Vec<&str> = records.iter().map(|r| r.solver.as_str()).collect();
    solvers.sort();
    solvers.dedup();
    let _ = writeln!(
        out,
        "\nsummary (solved: >= 4 correct digits of f*, or of a published local minimum with ||g||_inf <= {gtol:.0e})"
    );
    for s in solvers {
        let runs: Vec<&RunRecord> = records.iter().filter(|r| r.solver == s).collect();
        let converged = runs.iter().filter(|r| r.converged).count();
        let solved = runs.iter().filter(|r| r.solved(4.0, gtol)).count();
        let secs: f64 = runs.iter().map(|r| r.seconds).sum();
        let _ = writeln!(
            out,
            "  {s:<13} runs {:>4}  converged {:>4}  solved {:>4}  total time {:.3} s",
            runs.len(),
            converged,
            solved,
            secs
        );
    }
    out
}
