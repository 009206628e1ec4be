//! `trsuite`: runs the test-problem suites with the crate's step solvers.
//!
//! ```text
//! trsuite                                    # every suite, default solvers, summary table
//! trsuite --suite mgh --solver steihaug      # flags are repeatable
//! trsuite --suite mgh --solver exact --json results.json
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
use trust_region_problems::{cutest, mgh, systems, SuiteProblem};

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
    /// Describe one problem: name, n, f(x0) and ||g(x0)||_inf.
    Describe {
        /// Problem name (MGH or CUTEst).
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
    /// Suite to run (repeatable): mgh, cutest, systems. Default: every suite.
    #[arg(long = "suite")]
    suites: Vec<String>,
    /// Step solver (repeatable): cauchy, dogleg, steihaug, steihaug-jacobi, steihaug-ichol,
    /// gltr, gltr-jacobi, gltr-ichol, exact, gauss-newton, and the gradient-only fd-steihaug,
    /// fd-gltr, sr1, bfgs, lsr1, lbfgs-tr. Default: exact, steihaug, dogleg, gauss-newton
    /// (the others only on request).
    #[arg(long = "solver")]
    solvers: Vec<SolverName>,
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
    /// Time limit per run in seconds.
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
    /// Also write the records as a JSON array to this file.
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

const SUITES: [&str; 3] = ["mgh", "cutest", "systems"];

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
    let Some(p) = mgh::by_name(problem, n).or_else(|| cutest::by_name(problem, n)) else {
        eprintln!("trsuite: no problem named `{problem}`{}", n.map(|n| format!(" with n = {n}")).unwrap_or_default());
        return ExitCode::FAILURE;
    };
    let info = p.info();
    let x0 = p.x0();
    let Some(obj) = p.products() else {
        eprintln!("trsuite: `{problem}` has no objective interface");
        return ExitCode::FAILURE;
    };
    let mut g = vec![0.0; info.n];
    let f0 = obj.value_and_gradient(&x0, &mut g);
    let record = serde_json::json!({
        "suite": info.suite,
        "name": info.name,
        "n": info.n,
        "f0": f0,
        "grad0_inf": norm_inf(&g),
        "f_star": info.f_star,
        "source": info.source,
    });
    if json {
        out!("{record}");
    } else {
        out!(
            "{} ({}), n = {}: f(x0) = {:.10e}, ||g(x0)||_inf = {:.6e}",
            info.name,
            info.suite,
            info.n,
            f0,
            norm_inf(&g)
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
    for s in &suites {
        if s == "systems" {
            run_systems = true;
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
    if let Some(name) = cli.problems.iter().find(|name| {
        let in_unconstrained = problems.iter().any(|p| p.info().name.eq_ignore_ascii_case(name));
        !(in_unconstrained || (run_systems && system_found(name)))
    }) {
        eprintln!("trsuite: no problem named `{name}` in the selected suites ({})", suites.join(", "));
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
    if problems.is_empty() && run_systems {
        return systems_main(&cli);
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
    if run_systems {
        return systems_main(&cli);
    }
    ExitCode::SUCCESS
}

/// Runs the bounded nonlinear systems: every scaling x step rule from the quarter points and
/// `--random-starts` seeded interior points; prints the tables, writes CSV, JSON and profiles.
fn systems_main(cli: &RunArgs) -> ExitCode {
    use trust_region::solver::interior::InteriorOptions;
    use trust_region_problems::systems::runner as sr;
    let problems: Vec<Box<dyn systems::SystemProblem>> = if cli.problems.is_empty() {
        systems::suite()
    } else {
        cli.problems.iter().filter_map(|name| systems::by_name(name, cli.n)).collect()
    };
    let mut base = InteriorOptions::default();
    base.limits.max_iterations = cli.system_max_iterations;
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
    for (name, text) in [("systems.csv", sr::csv(&records)), ("systems.json", json)] {
        if let Err(e) = std::fs::write(dir.join(name), text) {
            eprintln!("trsuite: cannot write {name}: {e}");
            return ExitCode::FAILURE;
        }
    }
    out!("wrote {} bounded-system runs to {}/systems.csv, systems.json", records.len(), dir.display());
    if !cli.no_plots {
        let mut combos: Vec<String> = records.iter().map(|r| format!("{}/{}", r.scaling, r.rule)).collect();
        combos.sort();
        combos.dedup();
        let mut keys: Vec<(String, String)> = records.iter().map(|r| (r.problem.clone(), r.start.clone())).collect();
        keys.sort();
        keys.dedup();
        type Cost = fn(&sr::SystemRunRecord) -> f64;
        let metrics: [(&str, Cost); 3] = [
            ("iterations", |r| r.iterations as f64),
            ("evaluations", |r| (r.f_evals + r.j_evals) as f64),
            ("seconds", |r| r.seconds),
        ];
        let mut pictures = Vec::new();
        for (metric, cost) in metrics {
            let costs: Vec<Vec<Option<f64>>> = keys
                .iter()
                .map(|k| {
                    combos
                        .iter()
                        .map(|c| {
                            records
                                .iter()
                                .find(|r| {
                                    r.problem == k.0 && r.start == k.1 && format!("{}/{}", r.scaling, r.rule) == *c
                                })
                                .filter(|r| r.success)
                                .map(cost)
                        })
                        .collect()
                })
                .collect();
            let prof = profile::Profile::new(metric, combos.clone(), &costs);
            let title = format!("bounded systems: performance profile, {metric}");
            for ext in ["svg", "png"] {
                let path = dir.join(format!("systems_profile_{metric}.{ext}"));
                let res = if ext == "svg" {
                    profile::write_svg(&prof, &path, &title)
                } else {
                    profile::write_png(&prof, &path, &title)
                };
                if let Err(e) = res {
                    eprintln!("trsuite: cannot draw {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
                pictures.push(path.display().to_string());
            }
        }
        out!("performance profiles: {}", pictures.join(", "));
    }
    ExitCode::SUCCESS
}
