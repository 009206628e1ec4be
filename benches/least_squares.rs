//! Data fitting: NIST StRD problems with our Gauss-Newton trust regions against the
//! `levenberg-marquardt` crate and basin 3.2's Levenberg-Marquardt in the same run, and a
//! sparse rectangular problem with about 10^6 residuals for scale.
//!
//! **NIST** (`trust_region_problems::nist`): the datasets of `LEAST_SQUARES_NIST` (default
//! Misra1a, Chwirut2, Lanczos3, Gauss1, DanWood of lower difficulty; MGH09, Thurber, BoxBOD,
//! Rat42, MGH10, Eckerle4, Rat43, Bennett5 of higher), from both starts, with
//!
//! - `gn-exact`: Gauss-Newton model, More-Sorensen step (Levenberg-Marquardt in trust-region
//!   form); `lm`: our MINPACK-style `LevenbergMarquardt` step;
//! - `lm-crate`: the `levenberg-marquardt` crate 0.15; `basin-ls`: basin 3.2's
//!   `LevenbergMarquardt` with pivoted QR;
//!
//! all through `nist::runner::solve`, on the same residual and Jacobian code, with the NIST
//! stopping settings (`NistSettings::default()`: relative gradient 1e-15, relative f change
//! 1e-15, 5000 iterations) and the peers' nearest equivalents (`nist::peers` documents the
//! mapping). Before timing, every solver prints its termination, iterations, residual and
//! Jacobian evaluations and the LRE reached (parameters / RSS / standard deviations, scored by
//! the runner's code; `*` marks a run below the bar of 6 / 6 / 4 digits). Criterion then times
//! one solve (without the scoring), and each dataset and start ends with the ratios ours /
//! peer of the median times; the run ends with their geometric means over the cases where both
//! runs meet the bar.
//!
//! **Denoising** (`trust_region_problems::denoise`): edge-preserving denoising of a `p x p`
//! image, `p = LEAST_SQUARES_GRID` (default 577: `n = 332,929` unknowns, `m = 997,633`
//! residuals, a Charbonnier penalty on the forward differences written as a smooth nonlinear
//! residual), solved from the noisy image by `TrustRegion::new(Steihaug::...)` on
//! `GaussNewton::sparse` (products with `J` and `J'`; the Jacobi preconditioner takes the
//! diagonal of `J'J`), stopped at `||J'r||_inf <= 1e-6`, 200 iterations and 120 s at most. It
//! prints iterations, CG iterations, evaluations, the time and the time inside the problem's
//! evaluations (a counting wrapper), so `outside` is the solver's own time. No peer here:
//! the `levenberg-marquardt` crate is dense only (an `m x n` nalgebra matrix: 2.7 TB here), and
//! basin's sparse least squares needs its faer or nalgebra-sparse backend feature.
//!
//! ```sh
//! cargo bench --bench least_squares                                  # everything (a few minutes)
//! cargo bench --bench least_squares -- nist/                         # the NIST part only
//! cargo bench --bench least_squares -- "nist/MGH10/|nist/Rat43/"     # two datasets
//! LEAST_SQUARES_NIST=Misra1a,BoxBOD LEAST_SQUARES_GRID=0 cargo bench --bench least_squares
//! LEAST_SQUARES_GRID=100 cargo bench --bench least_squares -- denoise/   # a small image
//! ```
//!
//! Ids are `nist/DATASET/START/solver` and `denoise/p/solver`; the filter is a substring of
//! the id, or several joined by `|`, and the untimed runs are skipped for ids it excludes.
//! A solve longer than `LEAST_SQUARES_MAX_TIMED_SECS` (default 10) is reported from one solve
//! and not timed by criterion. Each case appends a row to
//! `$CARGO_TARGET_DIR/least_squares/summary.csv` (medians over the individual solves).

use std::cell::{Cell, RefCell};
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use faer::sparse::SymbolicSparseColMat;
use trust_region::problem::{Residuals, SparseJacobian};
use trust_region::subproblem::{DiagonalPreconditioner, Steihaug};
use trust_region::{GaussNewton, Report, TrustRegion, TrustRegionOptions};
use trust_region_problems::denoise::Denoising;
use trust_region_problems::nist::runner::{run_one, solve, NistSettings, NistSolver, PARAMS_DIGITS, STDDEV_DIGITS};
use trust_region_problems::nist::{self, NistProblem};

#[path = "common/harness.rs"]
mod harness;
use harness::{filters, median};

/// Appends a row to `$CARGO_TARGET_DIR/least_squares/summary.csv`.
fn append_summary(line: &str) {
    harness::append_summary(
        "least_squares",
        "id,solver,termination,iterations,f_evals,j_evals,lre_params,lre_rss,lre_sd,meets_bar,timing,solves,median_s,median_inside_s",
        line,
    );
}

/// The default datasets: lower difficulty first, then higher (spec: "Test set").
const DEFAULT_DATASETS: [&str; 13] = [
    "Misra1a", "Chwirut2", "Lanczos3", "Gauss1", "DanWood", "MGH09", "Thurber", "BoxBOD", "Rat42", "MGH10", "Eckerle4",
    "Rat43", "Bennett5",
];

/// Ours first, then the peers.
const SOLVERS: [NistSolver; 4] = [NistSolver::GnExact, NistSolver::Lm, NistSolver::LmCrate, NistSolver::BasinLs];
const OURS: [NistSolver; 2] = [NistSolver::GnExact, NistSolver::Lm];
const PEERS: [NistSolver; 2] = [NistSolver::LmCrate, NistSolver::BasinLs];

/// Default grid side of the denoising problem: `m = p^2 + 2 p (p - 1) = 997,633`.
const DEFAULT_GRID: usize = 577;
/// Stopping rule of the denoising runs.
const DENOISE_GTOL: f64 = 1e-6;
const DENOISE_MAX_ITERATIONS: usize = 200;
const DENOISE_MAX_SECS: u64 = 120;

fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// Times `work` with criterion (flat sampling, 10 samples) unless one run took longer than
/// `max_timed` seconds; returns the per-solve samples (`(total, inside)` seconds).
fn time_case(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    single: (f64, f64),
    max_timed: f64,
    mut work: impl FnMut() -> (f64, f64),
) -> (String, Vec<(f64, f64)>) {
    if single.0 > max_timed {
        eprintln!(
            "  not timed by criterion: one solve takes {:.3} s > {max_timed} s; reported from that solve",
            single.0
        );
        return ("single".to_string(), vec![single]);
    }
    let samples: RefCell<Vec<(f64, f64)>> = RefCell::new(Vec::new());
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut sum = Duration::ZERO;
            for _ in 0..iters {
                let (t, i) = work();
                samples.borrow_mut().push((t, i));
                sum += Duration::from_secs_f64(t);
            }
            sum
        })
    });
    ("criterion".to_string(), samples.into_inner())
}

// ---------------------------------------------------------------------------------------------
// NIST.

/// One NIST case's result for the closing tables: solver, meets the bar, median seconds.
type NistLine = (NistSolver, bool, f64);

fn bench_nist_case(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    solver: NistSolver,
    p: &NistProblem,
    settings: &NistSettings,
    max_timed: f64,
) -> NistLine {
    let start = Instant::now();
    let rec = run_one(p, solver, settings);
    let scored = start.elapsed().as_secs_f64();
    let meets = rec.meets(PARAMS_DIGITS, PARAMS_DIGITS, STDDEV_DIGITS);
    eprintln!(
        "{id}/{}: {} after {} iterations, evaluations r {} J {}, LRE params {:.1} rss {:.1} sd {:.1}{}",
        solver.name(),
        rec.termination,
        rec.iterations,
        rec.f_evals,
        rec.j_evals,
        rec.lre_params_min,
        rec.lre_rss,
        rec.lre_stddev_min,
        if meets { "" } else { " *" }
    );
    let (timing, samples) = time_case(group, solver.name(), (scored, 0.0), max_timed, || {
        let t = Instant::now();
        black_box(solve(p, solver, settings));
        (t.elapsed().as_secs_f64(), 0.0)
    });
    let t = median(samples.iter().map(|s| s.0).collect());
    append_summary(&format!(
        "{id},{},{},{},{},{},{:.2},{:.2},{:.2},{meets},{timing},{},{t:.9},",
        solver.name(),
        rec.termination,
        rec.iterations,
        rec.f_evals,
        rec.j_evals,
        rec.lre_params_min,
        rec.lre_rss,
        rec.lre_stddev_min,
        samples.len()
    ));
    (solver, meets, t)
}

fn ratio_pairs() -> impl Iterator<Item = (NistSolver, NistSolver)> {
    OURS.into_iter().flat_map(|o| PEERS.into_iter().map(move |p| (o, p)))
}

fn print_nist_ratios(group_id: &str, lines: &[NistLine]) {
    let mut s = format!("{group_id}: median time");
    for l in lines {
        s += &format!("  {} {:.1} us{}", l.0.name(), l.2 * 1e6, if l.1 { "" } else { "*" });
    }
    s += "; ours / peer:";
    for (o, p) in ratio_pairs() {
        if let (Some(a), Some(b)) = (lines.iter().find(|l| l.0 == o), lines.iter().find(|l| l.0 == p)) {
            s += &format!("  {}/{} {:.2}", o.name(), p.name(), a.2 / b.2);
        }
    }
    eprintln!("{s}");
}

fn bench_nist(c: &mut Criterion, wanted: &dyn Fn(&str) -> bool, max_timed: f64) {
    let names: Vec<String> = match std::env::var("LEAST_SQUARES_NIST") {
        Ok(s) => s.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
        Err(_) => DEFAULT_DATASETS.iter().map(|s| s.to_string()).collect(),
    };
    let settings = NistSettings::default();
    let mut all: Vec<Vec<NistLine>> = Vec::new();
    for name in &names {
        let Some(Ok(dataset)) = nist::dataset(name) else {
            eprintln!("nist/{name}: no such dataset");
            continue;
        };
        for start in [1, 2] {
            let group_id = format!("nist/{}/{start}", dataset.data.name);
            let solvers: Vec<NistSolver> =
                SOLVERS.into_iter().filter(|s| wanted(&format!("{group_id}/{}", s.name()))).collect();
            if solvers.is_empty() {
                continue;
            }
            let Some(p) = NistProblem::new(dataset.clone(), start) else { continue };
            let mut group = c.benchmark_group(&group_id);
            group
                .sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_millis(50))
                .measurement_time(Duration::from_millis(300));
            let lines: Vec<NistLine> =
                solvers.iter().map(|&s| bench_nist_case(&mut group, &group_id, s, &p, &settings, max_timed)).collect();
            group.finish();
            print_nist_ratios(&group_id, &lines);
            all.push(lines);
        }
    }
    if all.is_empty() {
        return;
    }
    eprintln!("NIST summary over {} cases (dataset x start):", all.len());
    for s in SOLVERS {
        let runs: Vec<&NistLine> = all.iter().flatten().filter(|l| l.0 == s).collect();
        if !runs.is_empty() {
            let total: f64 = runs.iter().map(|l| l.2).sum();
            eprintln!(
                "  {:<9} meets the bar {:>2} of {:>2}, sum of median times {:.3} ms",
                s.name(),
                runs.iter().filter(|l| l.1).count(),
                runs.len(),
                total * 1e3
            );
        }
    }
    for (o, p) in ratio_pairs() {
        let logs: Vec<f64> = all
            .iter()
            .filter_map(|lines| {
                let a = lines.iter().find(|l| l.0 == o && l.1)?;
                let b = lines.iter().find(|l| l.0 == p && l.1)?;
                Some((a.2 / b.2).ln())
            })
            .collect();
        if !logs.is_empty() {
            let geo = (logs.iter().sum::<f64>() / logs.len() as f64).exp();
            let (lo, hi) = logs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
            eprintln!(
                "  time {}/{}: geometric mean {geo:.2} over {} cases both solve (range {:.2} to {:.2})",
                o.name(),
                p.name(),
                logs.len(),
                lo.exp(),
                hi.exp()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Denoising at m ~ 10^6.

/// The denoising problem behind a wrapper that counts the residual and Jacobian evaluations and
/// accumulates the time spent inside them.
struct Timed {
    problem: Denoising,
    residuals: Cell<usize>,
    jacobians: Cell<usize>,
    inside: Cell<Duration>,
}

impl Timed {
    fn reset(&self) {
        self.residuals.set(0);
        self.jacobians.set(0);
        self.inside.set(Duration::ZERO);
    }
    fn timed<T>(&self, work: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = work();
        self.inside.set(self.inside.get() + t.elapsed());
        out
    }
}

impl Residuals for Timed {
    fn dim(&self) -> usize {
        self.problem.dim()
    }
    fn residual_count(&self) -> usize {
        self.problem.residual_count()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.residuals.set(self.residuals.get() + 1);
        self.timed(|| self.problem.residuals(x, r))
    }
}

impl SparseJacobian for Timed {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.timed(|| self.problem.jacobian_pattern())
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        self.jacobians.set(self.jacobians.get() + 1);
        self.timed(|| self.problem.jacobian_values(x, values))
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum DenoiseSolver {
    Steihaug,
    SteihaugJacobi,
}

impl DenoiseSolver {
    fn name(self) -> &'static str {
        match self {
            DenoiseSolver::Steihaug => "steihaug",
            DenoiseSolver::SteihaugJacobi => "steihaug-jacobi",
        }
    }
}

fn denoise_solve(solver: DenoiseSolver, p: &Timed, x0: &[f64]) -> Option<Report> {
    let mut o = TrustRegionOptions::default();
    o.tolerances.gtol = DENOISE_GTOL;
    o.limits.max_iterations = DENOISE_MAX_ITERATIONS;
    o.limits.max_time = Some(Duration::from_secs(DENOISE_MAX_SECS));
    let model = GaussNewton::sparse(p);
    let r = match solver {
        DenoiseSolver::Steihaug => TrustRegion::new(Steihaug::new()).with_options(o).solve(model, x0),
        DenoiseSolver::SteihaugJacobi => {
            TrustRegion::new(Steihaug::with_preconditioner(DiagonalPreconditioner::default()))
                .with_options(o)
                .solve(model, x0)
        }
    };
    match r {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("  setup error: {e}");
            None
        }
    }
}

fn bench_denoise(c: &mut Criterion, wanted: &dyn Fn(&str) -> bool, max_timed: f64) {
    let grid = env_f64("LEAST_SQUARES_GRID", DEFAULT_GRID as f64) as usize;
    let group_id = format!("denoise/{grid}");
    let solvers: Vec<DenoiseSolver> = [DenoiseSolver::SteihaugJacobi, DenoiseSolver::Steihaug]
        .into_iter()
        .filter(|s| wanted(&format!("{group_id}/{}", s.name())))
        .collect();
    if grid < 2 || solvers.is_empty() {
        return;
    }
    let Some(problem) = Denoising::synthetic(grid, 1) else { return };
    let clean = Denoising::clean(grid);
    let rms = |u: &[f64]| (u.iter().zip(&clean).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / u.len() as f64).sqrt();
    let x0 = problem.data.clone();
    eprintln!("{group_id}: n = {}, m = {}, rms error of the noisy image {:.4}", problem.n(), problem.m(), rms(&x0));
    let p = Timed { problem, residuals: Cell::new(0), jacobians: Cell::new(0), inside: Cell::new(Duration::ZERO) };
    let mut group = c.benchmark_group(&group_id);
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    for solver in solvers {
        p.reset();
        let t = Instant::now();
        let Some(r) = denoise_solve(solver, &p, &x0) else { continue };
        let total = t.elapsed().as_secs_f64();
        let inside = p.inside.get().as_secs_f64();
        eprintln!(
            "{group_id}/{}: {} after {} iterations ({} accepted), CG iterations {}, evaluations r {} J {}, \
             ||g||_inf {:.2e}, f {:.6e}, rms error {:.4}; {total:.3} s, inside the problem {inside:.3} s, \
             outside {:.3} s ({:.1}%)",
            solver.name(),
            r.termination.name(),
            r.iterations,
            r.accepted_steps,
            r.inner_iterations,
            p.residuals.get(),
            p.jacobians.get(),
            r.grad_inf,
            r.f,
            rms(&r.x),
            total - inside,
            100.0 * (total - inside) / total
        );
        let (timing, samples) = time_case(&mut group, solver.name(), (total, inside), max_timed, || {
            p.reset();
            let t = Instant::now();
            black_box(denoise_solve(solver, &p, &x0));
            (t.elapsed().as_secs_f64(), p.inside.get().as_secs_f64())
        });
        let tm = median(samples.iter().map(|s| s.0).collect());
        let im = median(samples.iter().map(|s| s.1).collect());
        eprintln!("  {} solves: median {tm:.3} s, inside the problem {im:.3} s", samples.len());
        append_summary(&format!(
            "{group_id},{},{},{},{},{},,,,{},{timing},{},{tm:.6},{im:.6}",
            solver.name(),
            r.termination.name(),
            r.iterations,
            p.residuals.get(),
            p.jacobians.get(),
            r.converged(),
            samples.len()
        ));
    }
    group.finish();
}

fn bench_least_squares(c: &mut Criterion) {
    let max_timed = env_f64("LEAST_SQUARES_MAX_TIMED_SECS", 10.0);
    let filters = filters();
    let wanted = |id: &str| filters.is_empty() || filters.iter().flat_map(|f| f.split('|')).any(|f| id.contains(f));
    bench_nist(c, &wanted, max_timed);
    bench_denoise(c, &wanted, max_timed);
}

criterion_group!(benches, bench_least_squares);
criterion_main!(benches);
