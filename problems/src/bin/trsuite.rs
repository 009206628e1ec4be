//! `trsuite`: runs the test-problem suites with the crate's step solvers.
//!
//! ```text
//! trsuite                                    # every suite, default solvers, summary table
//! trsuite --suite mgh --solver steihaug      # flags are repeatable
//! trsuite --suite mgh --solver exact --json results.json
//! trsuite --suite nist --nist-solver gn-exact   # NIST StRD: LREs against certified values
//! trsuite describe --problem ARWHEAD --n 1000 --json   # name, n, f(x0), ||g(x0)||_inf
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{ParallelProgressIterator, ProgressBar, ProgressStyle};
use rayon::prelude::*;
use trust_region::linalg::norm_inf;
use trust_region_problems::profile;
use trust_region_problems::runner::{csv, profiles, run_one, table, RunRecord, RunSettings, SolverName};
use trust_region_problems::{bounded, cutest, mgh, nist, systems, SuiteProblem};

/// `println!` that ends the program quietly when stdout is closed (for example when the
/// output is piped into `head`) instead of panicking on the broken pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// `print!` counterpart of [`out!`].
macro_rules! out_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if write!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// Run test-problem suites with the trust-region step solvers.
#[derive(Parser, Debug)]
#[command(name = "trsuite", version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Describe one problem: name, n, f(x0) and ||g(x0)||_inf (bound-constrained problems:
    /// at the SIF start, with the counts of finite lower and upper bounds).
    Describe {
        /// Problem name (MGH, CUTEst or bound-constrained CUTEst).
        #[arg(long)]
        problem: String,
        /// Size for scalable problems.
        #[arg(long)]
        n: Option<usize>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Suite to run (repeatable): mgh, cutest, systems, bounded, nist. Default: every suite.
    #[arg(long = "suite")]
    suites: Vec<String>,
    /// Step solver (repeatable): cauchy, dogleg, steihaug, steihaug-jacobi, steihaug-ichol,
    /// gltr, gltr-jacobi, gltr-ichol, exact, gauss-newton, lm, and the gradient-only fd-steihaug,
    /// fd-gltr, sr1, bfgs, lsr1, lbfgs-tr. Default: exact, steihaug, dogleg, gauss-newton
    /// (the others only on request).
    #[arg(long = "solver")]
    solvers: Vec<SolverName>,
    /// Method for the bound-constrained suite (repeatable): projected, projected-jacobi,
    /// projected-products, interior-cl, interior-huu, interior-kk, interior-combination,
    /// interior-adaptive. Default: projected, interior-cl.
    #[arg(long = "bounded-solver")]
    bounded_solvers: Vec<trust_region_problems::bounded::runner::BoundedSolver>,
    /// Method for the NIST StRD suite (repeatable): gn-exact (Gauss-Newton with the
    /// More-Sorensen step, i.e. Levenberg-Marquardt in trust-region form), gn-dogleg, lm
    /// (MINPACK-style Levenberg-Marquardt), and the peers lm-crate (the `levenberg-marquardt`
    /// crate) and basin-ls (basin 3.2's Levenberg-Marquardt, pivoted QR) on the same problem
    /// code with the tolerances mapped as in `nist::peers`. Default: gn-exact, gn-dogleg, lm. The NIST runs use their own stopping test (`--nist-grtol`,
    /// `--nist-ftol`, `--nist-xtol`, at most 5000 iterations; see `nist::runner`): `--gtol`
    /// and `--max-iterations` do not apply to them, `--time-limit` does.
    #[arg(long = "nist-solver")]
    nist_solvers: Vec<trust_region_problems::nist::runner::NistSolver>,
    /// NIST runs: relative gradient tolerance `||g|| <= grtol ||g0||`.
    #[arg(long, default_value_t = 1e-15)]
    nist_grtol: f64,
    /// NIST runs: MINPACK's cosine gradient tolerance `max_j |(J'r)_j| / (||J e_j|| ||r||)`
    /// (0 = off).
    #[arg(long, default_value_t = 0.0)]
    nist_gtol_cosine: f64,
    /// NIST runs: relative function-change tolerance of an accepted step.
    #[arg(long, default_value_t = 1e-15)]
    nist_ftol: f64,
    /// NIST runs: relative step tolerance (MINPACK's form; 0 = off).
    #[arg(long, default_value_t = 0.0)]
    nist_xtol: f64,
    /// Only problems with this name (repeatable).
    #[arg(long = "problem")]
    problems: Vec<String>,
    /// Size for scalable problems selected with --problem.
    #[arg(long)]
    n: Option<usize>,
    /// Absolute gradient tolerance.
    #[arg(long, default_value_t = 1e-6)]
    gtol: f64,
    /// Iteration limit per run (the time limit usually binds first).
    #[arg(long, default_value_t = 100_000)]
    max_iterations: usize,
    /// Seeded random interior starts per bounded system, besides the three quarter points.
    #[arg(long, default_value_t = 10)]
    random_starts: usize,
    /// Iteration limit per bounded-system run.
    #[arg(long, default_value_t = 1000)]
    system_max_iterations: usize,
    /// Initial radius rule of the bounded-system runs: `default` (the library's),
    /// `fixed` (radius 1) or `start-norm` (SciPy trf's ||x0||_T, 1 if zero).
    #[arg(long, default_value = "default")]
    system_initial_radius: String,
    /// Time limit per run in seconds.
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
    /// Also write the records as a JSON array to this file (when unconstrained and system suites
    /// run together, the system records go to the same name with extension `.systems.json`).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Directory for the table, CSV, JSON and performance-profile pictures.
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Do not draw the performance profiles.
    #[arg(long)]
    no_plots: bool,
    /// Evaluate the gradient together with the value at every trial point (one fused call;
    /// the CUTEst and MGH problems share the work). Fewer evaluations; the iterates change
    /// only where the fused value differs from the plain one in the last bits.
    #[arg(long)]
    trial_gradient: bool,
    /// Number of worker threads (default: all cores). Runs are independent; results do not
    /// depend on the thread count, only the measured seconds do.
    #[arg(long)]
    threads: Option<usize>,
}

const SUITES: [&str; 5] = ["mgh", "cutest", "systems", "bounded", "nist"];

/// The bounded methods run when none is named.
const DEFAULT_BOUNDED: [trust_region_problems::bounded::runner::BoundedSolver; 2] = [
    trust_region_problems::bounded::runner::BoundedSolver::Projected,
    trust_region_problems::bounded::runner::BoundedSolver::InteriorCl,
];

/// The solvers run when none is named.
const DEFAULT_SOLVERS: [SolverName; 4] =
    [SolverName::Exact, SolverName::Steihaug, SolverName::Dogleg, SolverName::GaussNewton];

/// The problems of `suite`; with `--problem`, only the named ones this suite has.
fn load(suite: &str, cli: &RunArgs) -> Result<Vec<Box<dyn SuiteProblem>>, String> {
    type All = fn() -> Vec<Box<dyn SuiteProblem>>;
    type One = fn(&str, Option<usize>) -> Option<Box<dyn SuiteProblem>>;
    let (all, one): (All, One) = match suite {
        "mgh" => (mgh::suite, mgh::by_name),
        "cutest" => (cutest::suite, cutest::by_name),
        other => return Err(format!("unknown suite `{other}` (known: {})", SUITES.join(", "))),
    };
    if cli.problems.is_empty() {
        Ok(all())
    } else {
        Ok(cli.problems.iter().filter_map(|name| one(name, cli.n)).collect())
    }
}

/// Prints name, n, f(x0) and ||g(x0)||_inf of one problem.
fn describe(problem: &str, n: Option<usize>, json: bool) -> ExitCode {
    // A bound-constrained problem also reports its box (counts of finite bounds); f(x0) and
    // g(x0) are at the SIF start, before any projection.
    let (p, bounds): (Box<dyn SuiteProblem>, _) = match mgh::by_name(problem, n).or_else(|| cutest::by_name(problem, n))
    {
        Some(p) => (p, None),
        None => match bounded::by_name(problem, n) {
            Some(b) => {
                let bounds = b.bounds();
                (b, Some(bounds))
            }
            None => {
                eprintln!(
                    "trsuite: no problem named `{problem}`{}",
                    n.map(|n| format!(" with n = {n}")).unwrap_or_default()
                );
                return ExitCode::FAILURE;
            }
        },
    };
    let info = p.info();
    let x0 = p.x0();
    let Some(obj) = p.products() else {
        eprintln!("trsuite: `{problem}` has no objective interface");
        return ExitCode::FAILURE;
    };
    let mut g = vec![0.0; info.n];
    let f0 = obj.value_and_gradient(&x0, &mut g);
    let mut record = serde_json::json!({
        "suite": info.suite,
        "name": info.name,
        "n": info.n,
        "f0": f0,
        "grad0_inf": norm_inf(&g),
        "f_star": info.f_star,
        "source": info.source,
    });
    let counts =
        bounds.map(|(l, u)| (l.iter().filter(|v| v.is_finite()).count(), u.iter().filter(|v| v.is_finite()).count()));
    if let Some((finite_lower, finite_upper)) = counts {
        record["finite_lower"] = finite_lower.into();
        record["finite_upper"] = finite_upper.into();
    }
    if json {
        out!("{record}");
    } else {
        out!(
            "{} ({}), n = {}: f(x0) = {:.10e}, ||g(x0)||_inf = {:.6e}{}",
            info.name,
            info.suite,
            info.n,
            f0,
            norm_inf(&g),
            counts.map(|(l, u)| format!(", {l} finite lower and {u} finite upper bounds")).unwrap_or_default()
        );
    }
    ExitCode::SUCCESS
}

/// Writes table.txt, runs.csv, runs.json and the profiles into `cli.out`, and says where.
fn write_outputs(records: &[RunRecord], text: &str, cli: &RunArgs) -> Result<(), String> {
    let dir = &cli.out;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let write = |name: &str, contents: &str| {
        let path = dir.join(name);
        std::fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write("table.txt", text)?;
    write("runs.csv", &csv(records))?;
    write("runs.json", &serde_json::to_string_pretty(records).map_err(|e| e.to_string())?)?;
    out!("\nwrote {} runs to {}/table.txt, runs.csv, runs.json", records.len(), dir.display());
    if !cli.no_plots {
        let mut pictures = Vec::new();
        for p in profiles(records, cli.gtol) {
            let title = format!("performance profile: {}", p.metric);
            for ext in ["svg", "png"] {
                let path = dir.join(format!("profile_{}.{ext}", p.metric));
                let res = if ext == "svg" {
                    profile::write_svg(&p, &path, &title)
                } else {
                    profile::write_png(&p, &path, &title)
                };
                res.map_err(|e| format!("cannot draw {}: {e}", path.display()))?;
                pictures.push(path.display().to_string());
            }
        }
        out!("performance profiles: {}", pictures.join(", "));
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Describe { problem, n, json }) = &cli.command {
        return describe(problem, *n, *json);
    }
    let cli = cli.run;
    if let Some(t) = cli.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(t).build_global() {
            eprintln!("trsuite: {e}");
            return ExitCode::FAILURE;
        }
    }
    if !(cli.time_limit > 0.0 && cli.time_limit.is_finite()) {
        eprintln!("trsuite: --time-limit must be positive");
        return ExitCode::FAILURE;
    }
    if cli.n == Some(0) {
        eprintln!("trsuite: --n must be at least 1");
        return ExitCode::FAILURE;
    }
    let suites: Vec<String> =
        if cli.suites.is_empty() { SUITES.iter().map(|s| s.to_string()).collect() } else { cli.suites.clone() };
    let solvers: Vec<SolverName> = if cli.solvers.is_empty() { DEFAULT_SOLVERS.to_vec() } else { cli.solvers.clone() };
    let settings = RunSettings {
        gtol: cli.gtol,
        max_iterations: cli.max_iterations,
        max_time: Duration::from_secs_f64(cli.time_limit),
        trial_gradient: cli.trial_gradient,
    };

    let mut problems = Vec::new();
    let mut run_systems = false;
    let mut run_bounded = false;
    let mut run_nist = false;
    for s in &suites {
        if s == "nist" {
            run_nist = true;
            continue;
        }
        if s == "systems" {
            run_systems = true;
            continue;
        }
        if s == "bounded" {
            run_bounded = true;
            continue;
        }
        match load(s, &cli) {
            Ok(p) => problems.extend(p),
            Err(e) => {
                eprintln!("trsuite: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let system_found = |name: &String| systems::by_name(name, cli.n).is_some();
    let bounded_found = |name: &String| bounded::by_name(name, cli.n).is_some();
    let nist_found = |name: &String| nist::names().iter().any(|d| d.eq_ignore_ascii_case(name));
    if let Some(name) = cli.problems.iter().find(|name| {
        let in_unconstrained = problems.iter().any(|p| p.info().name.eq_ignore_ascii_case(name));
        !(in_unconstrained
            || (run_systems && system_found(name))
            || (run_bounded && bounded_found(name))
            || (run_nist && nist_found(name)))
    }) {
        let exists = |n: Option<usize>| {
            mgh::by_name(name, n).is_some()
                || cutest::by_name(name, n).is_some()
                || systems::by_name(name, n).is_some()
                || bounded::by_name(name, n).is_some()
                || (n.is_none() && nist_found(name))
        };
        match cli.n {
            Some(n) if exists(None) => eprintln!("trsuite: problem `{name}` does not accept n = {n}"),
            _ => eprintln!("trsuite: no problem named `{name}` in the selected suites ({})", suites.join(", ")),
        }
        return ExitCode::FAILURE;
    }
    let jobs: Vec<(usize, SolverName)> =
        (0..problems.len()).flat_map(|i| solvers.iter().map(move |&s| (i, s))).collect();
    let bar = ProgressBar::new(jobs.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {elapsed} elapsed, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let records: Vec<RunRecord> = jobs
        .par_iter()
        .progress_with(bar)
        .map(|&(i, s)| {
            let p = problems[i].as_ref();
            let info = p.info();
            let local = if info.suite == "mgh" { mgh::local_f_star(&info.name) } else { None };
            run_one(p, s, &settings, local)
        })
        .filter(|r| r.termination != "unsupported")
        .collect();
    let unconstrained_ran = !problems.is_empty();
    if !unconstrained_ran && (run_systems || run_bounded || run_nist) {
        return other_suites(&cli, run_systems, run_bounded, run_nist, false);
    }
    let text = table(&records, cli.gtol);
    out_raw!("{text}");
    if let Err(e) = write_outputs(&records, &text, &cli) {
        eprintln!("trsuite: {e}");
        return ExitCode::FAILURE;
    }
    if let Some(path) = &cli.json {
        let text = match serde_json::to_string_pretty(&records) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("trsuite: cannot serialize records: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("trsuite: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        out!("wrote {} records to {}", records.len(), path.display());
    }
    other_suites(&cli, run_systems, run_bounded, run_nist, true)
}

/// Runs the bounded-systems, bound-constrained and NIST suites when selected, after any other.
fn other_suites(
    cli: &RunArgs,
    run_systems: bool,
    run_bounded: bool,
    run_nist: bool,
    unconstrained_ran: bool,
) -> ExitCode {
    if run_systems {
        let code = systems_main(cli, unconstrained_ran);
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    if run_bounded {
        let code = bounded_main(cli, unconstrained_ran || run_systems);
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    if run_nist {
        return nist_main(cli, unconstrained_ran || run_systems || run_bounded);
    }
    ExitCode::SUCCESS
}

/// Fits the NIST StRD datasets from both starts with the NIST methods (`--nist-solver`,
/// default all); prints the LRE table and summary, writes `nist.csv` and `nist.json` into
/// `--out`, and the records to `--json FILE` (to `FILE` with extension `.nist.json` when
/// another suite ran too).
fn nist_main(cli: &RunArgs, others_ran: bool) -> ExitCode {
    use trust_region_problems::nist::runner as nr;
    let problems = match nist::suite() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("trsuite: cannot read the NIST data: {e}");
            return ExitCode::FAILURE;
        }
    };
    let problems: Vec<nist::NistProblem> = problems
        .into_iter()
        .filter(|p| {
            cli.problems.is_empty() || cli.problems.iter().any(|n| n.eq_ignore_ascii_case(&p.dataset.data.name))
        })
        .collect();
    let solvers = if cli.nist_solvers.is_empty() { nr::NistSolver::ALL.to_vec() } else { cli.nist_solvers.clone() };
    let settings = nr::NistSettings {
        max_time: Duration::from_secs_f64(cli.time_limit),
        grtol: cli.nist_grtol,
        gtol_cosine: cli.nist_gtol_cosine,
        ftol: cli.nist_ftol,
        xtol: cli.nist_xtol,
        ..nr::NistSettings::default()
    };
    let jobs: Vec<(usize, nr::NistSolver)> =
        (0..problems.len()).flat_map(|i| solvers.iter().map(move |&s| (i, s))).collect();
    let started = std::time::Instant::now();
    let records: Vec<nr::NistRunRecord> =
        jobs.par_iter().map(|&(i, s)| nr::run_one(&problems[i], s, &settings)).collect();
    out!(
        "\nNIST StRD nonlinear regression: {} runs ({} datasets x 2 starts), {:.2} s wall",
        records.len(),
        problems.len() / 2,
        started.elapsed().as_secs_f64()
    );
    out_raw!("{}", nr::table(&records));
    let json = match serde_json::to_string_pretty(&records) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("trsuite: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = &cli.out;
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("trsuite: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for (name, text) in [("nist.csv", nr::csv(&records)), ("nist.json", json.clone())] {
        if let Err(e) = std::fs::write(dir.join(name), text) {
            eprintln!("trsuite: cannot write {name}: {e}");
            return ExitCode::FAILURE;
        }
    }
    out!("wrote {} NIST runs to {}/nist.csv, nist.json", records.len(), dir.display());
    if let Some(path) = &cli.json {
        let path = if others_ran { path.with_extension("nist.json") } else { path.clone() };
        if let Err(e) = std::fs::write(&path, &json) {
            eprintln!("trsuite: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        out!("wrote {} NIST records to {}", records.len(), path.display());
    }
    ExitCode::SUCCESS
}

/// Runs the bound-constrained problems with the bounded methods (`--bounded-solver`, default
/// `projected` and `interior-cl`); prints the table, writes `bounded.csv`, `bounded.json` and
/// the profiles into `--out`, and the records to `--json FILE` (to `FILE` with extension
/// `.bounded.json` when another suite ran too).
fn bounded_main(cli: &RunArgs, others_ran: bool) -> ExitCode {
    use trust_region_problems::bounded::runner as br;
    let problems: Vec<Box<dyn bounded::BoundedProblem>> = if cli.problems.is_empty() {
        bounded::suite()
    } else {
        cli.problems.iter().filter_map(|name| bounded::by_name(name, cli.n)).collect()
    };
    let solvers = if cli.bounded_solvers.is_empty() { DEFAULT_BOUNDED.to_vec() } else { cli.bounded_solvers.clone() };
    let settings = br::BoundedSettings {
        gtol: cli.gtol,
        max_iterations: cli.max_iterations,
        max_time: Duration::from_secs_f64(cli.time_limit),
    };
    let jobs: Vec<(usize, br::BoundedSolver)> =
        (0..problems.len()).flat_map(|i| solvers.iter().map(move |&s| (i, s))).collect();
    let records: Vec<br::BoundedRunRecord> = jobs
        .par_iter()
        .progress_with(ProgressBar::new(jobs.len() as u64))
        .map(|&(i, s)| br::run_bounded(problems[i].as_ref(), s, &settings))
        .filter(|r| r.termination != "unsupported")
        .collect();
    out!("\nbound-constrained problems: {} runs ({} problems)", records.len(), problems.len());
    out_raw!("{}", br::table(&records));
    let dir = &cli.out;
    let json = match std::fs::create_dir_all(dir)
        .map_err(|e| e.to_string())
        .and_then(|()| serde_json::to_string_pretty(&records).map_err(|e| e.to_string()))
    {
        Ok(j) => j,
        Err(e) => {
            eprintln!("trsuite: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &cli.json {
        let path = if others_ran { path.with_extension("bounded.json") } else { path.clone() };
        if let Err(e) = std::fs::write(&path, &json) {
            eprintln!("trsuite: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        out!("wrote {} bound-constrained records to {}", records.len(), path.display());
    }
    for (name, text) in [("bounded.csv", br::csv(&records)), ("bounded.json", json)] {
        if let Err(e) = std::fs::write(dir.join(name), text) {
            eprintln!("trsuite: cannot write {name}: {e}");
            return ExitCode::FAILURE;
        }
    }
    out!("wrote {} bound-constrained runs to {}/bounded.csv, bounded.json", records.len(), dir.display());
    if !cli.no_plots {
        let metrics: [profile::Metric<br::BoundedRunRecord>; 3] = [
            ("iterations", |r| r.iterations as f64),
            ("evaluations", |r| (r.f_evals + r.g_evals + r.hv_evals + r.h_evals) as f64),
            ("seconds", |r| r.seconds),
        ];
        let profiles =
            profile::profiles_of(&records, |r| r.solver.clone(), |r| r.problem.clone(), |r| r.converged, &metrics);
        match profile::write_all(&profiles, dir, "bounded_profile", "bound-constrained problems") {
            Ok(p) => out!("performance profiles: {}", p.join(", ")),
            Err(e) => {
                eprintln!("trsuite: cannot draw the profiles: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// Runs the bounded nonlinear systems: every scaling x step rule from the quarter points and
/// `--random-starts` seeded interior points; prints the tables, writes CSV, JSON and profiles.
///
/// `--json FILE` receives the system records when no unconstrained suite ran, and
/// `FILE` with `.systems.json` in place of its extension when one did (its records have
/// another shape).
fn systems_main(cli: &RunArgs, unconstrained_ran: bool) -> ExitCode {
    let json_path =
        cli.json.as_ref().map(|p| if unconstrained_ran { p.with_extension("systems.json") } else { p.clone() });
    use trust_region::solver::interior::InteriorOptions;
    use trust_region_problems::systems::runner as sr;
    let problems: Vec<Box<dyn systems::SystemProblem>> = if cli.problems.is_empty() {
        systems::suite()
    } else {
        cli.problems.iter().filter_map(|name| systems::by_name(name, cli.n)).collect()
    };
    let mut base = InteriorOptions::default();
    base.limits.max_iterations = cli.system_max_iterations;
    match cli.system_initial_radius.as_str() {
        "default" => {}
        "fixed" => base.initial_radius = trust_region::solver::interior::InitialRadius::Fixed,
        "start-norm" => base.initial_radius = trust_region::solver::interior::InitialRadius::StartNorm,
        other => {
            eprintln!("trsuite: --system-initial-radius must be default, fixed or start-norm, not `{other}`");
            return ExitCode::FAILURE;
        }
    }
    let records =
        sr::run_systems_with(&problems, &sr::default_scalings(), &sr::default_rules(), cli.random_starts, 0, &base);
    out!(
        "\nbounded systems: {} runs ({} problems, quarter points + {} random starts)",
        records.len(),
        problems.len(),
        cli.random_starts
    );
    out_raw!("{}", sr::summary_table(&records));
    out_raw!("\n{}", sr::quarter_point_table(&records));
    let dir = &cli.out;
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("trsuite: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let json = match serde_json::to_string_pretty(&records) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("trsuite: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &json_path {
        if let Err(e) = std::fs::write(path, &json) {
            eprintln!("trsuite: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        out!("wrote {} bounded-system records to {}", records.len(), path.display());
    }
    for (name, text) in [("systems.csv", sr::csv(&records)), ("systems.json", json)] {
        if let Err(e) = std::fs::write(dir.join(name), text) {
            eprintln!("trsuite: cannot write {name}: {e}");
            return ExitCode::FAILURE;
        }
    }
    out!("wrote {} bounded-system runs to {}/systems.csv, systems.json", records.len(), dir.display());
    if !cli.no_plots {
        let metrics: [profile::Metric<sr::SystemRunRecord>; 3] = [
            ("iterations", |r| r.iterations as f64),
            ("evaluations", |r| (r.f_evals + r.j_evals) as f64),
            ("seconds", |r| r.seconds),
        ];
        let profiles = profile::profiles_of(
            &records,
            |r| format!("{}/{}", r.scaling, r.rule),
            |r| format!("{} {}", r.problem, r.start),
            |r| r.success,
            &metrics,
        );
        let pictures = match profile::write_all(&profiles, dir, "systems_profile", "bounded systems") {
            Ok(p) => p,
            Err(e) => {
                eprintln!("trsuite: cannot draw the profiles: {e}");
                return ExitCode::FAILURE;
            }
        };
        out!("performance profiles: {}", pictures.join(", "));
    }
    ExitCode::SUCCESS
}
