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
use trust_region_problems::{cutest, mgh, SuiteProblem};

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
    /// Suite to run (repeatable): mgh, cutest. Default: every suite.
    #[arg(long = "suite")]
    suites: Vec<String>,
    /// Step solver (repeatable): cauchy, dogleg, steihaug, exact, gauss-newton. Default: all.
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
    /// Iteration limit per run.
    #[arg(long, default_value_t = 1000)]
    max_iterations: usize,
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
    /// Number of worker threads (default: all cores). Runs are independent; results do not
    /// depend on the thread count, only the measured seconds do.
    #[arg(long)]
    threads: Option<usize>,
}

const SUITES: [&str; 2] = ["mgh", "cutest"];

fn load(suite: &str, cli: &RunArgs) -> Result<Vec<Box<dyn SuiteProblem>>, String> {
    match suite {
        "mgh" => {
            if cli.problems.is_empty() {
                Ok(mgh::suite())
            } else {
                cli.problems
                    .iter()
                    .map(|name| mgh::by_name(name, cli.n).ok_or_else(|| format!("no MGH problem named `{name}`")))
                    .collect()
            }
        }
        "cutest" => {
            if cli.problems.is_empty() {
                Ok(cutest::suite())
            } else {
                cli.problems
                    .iter()
                    .map(|name| cutest::by_name(name, cli.n).ok_or_else(|| format!("no CUTEst problem named `{name}`")))
                    .collect()
            }
        }
        other => Err(format!("unknown suite `{other}` (known: {})", SUITES.join(", "))),
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
        println!("{record}");
    } else {
        println!(
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
    println!("\nwrote {} runs to {}/table.txt, runs.csv, runs.json", records.len(), dir.display());
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
        println!("performance profiles: {}", pictures.join(", "));
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
    let solvers: Vec<SolverName> = if cli.solvers.is_empty() { SolverName::ALL.to_vec() } else { cli.solvers.clone() };
    let settings = RunSettings {
        gtol: cli.gtol,
        max_iterations: cli.max_iterations,
        max_time: Duration::from_secs_f64(cli.time_limit),
    };

    let mut problems = Vec::new();
    for s in &suites {
        match load(s, &cli) {
            Ok(p) => problems.extend(p),
            Err(e) => {
                eprintln!("trsuite: {e}");
                return ExitCode::FAILURE;
            }
        }
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
        .collect();
    let text = table(&records, cli.gtol);
    print!("{text}");
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
        println!("wrote {} records to {}", records.len(), path.display());
    }
    ExitCode::SUCCESS
}
