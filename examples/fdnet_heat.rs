//! FDNet on the heat equation: the sub-sampled Hessian-free trust region against Adam and
//! Forward Euler (Shi, Gulgec, Berahas, Pakzad & Takac, ICMLA 2020, arXiv:2006.01892).
//!
//! ```text
//! cargo run --release --example fdnet_heat                       # all four cases, defaults
//! cargo run --release --example fdnet_heat -- --cases stable --seeds 3 --no-adam
//! cargo run --release --example fdnet_heat -- --help
//! ```
//!
//! For every case (stable, unstable `dt = 200`, noisy, forcing) it generates the data from exact
//! solutions, trains the trust region for `--seeds` seeds (default 10) and Adam with learning
//! rates 1e-3 and 1e-4 for `--adam-seeds` seeds (default 5: Adam's 12,000 iterations dominate
//! the run time; about a minute on 2 cores in all), in parallel over seeds (rayon), and prints per method the medians over seeds
//! of the 1-step, short-horizon (10-step; 3-step for `dt = 200`) and final (`t = 1000`) test
//! MSE, the final full training loss, the divergences, the cost (gradients + Hessian-vector
//! products) and the training time, next to the reference's numbers. Forward Euler (true
//! `dx = pi/30`; `--euler-dx 0.1` adds the reference code's spacing) completes the table.
//!
//! Output (directory `--out`, default `target/fdnet/`):
//! - `training_loss.png`: full training loss against cost, every run, one panel per case;
//! - `horizon_error.png`: median test MSE against the rollout step, per method;
//! - `profile_t1000.png`: `u(x, 1000)` of the first test trajectory, exact and predicted;
//! - `results.csv`: one row per run.
//!
//! Text in the plots uses DejaVu Sans embedded from the `dejavu` crate (no system fonts needed).

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use plotters::prelude::*;
use rayon::prelude::*;
use trust_region_problems::fdnet::data::{Case, HeatData, DX, NODES};
use trust_region_problems::fdnet::euler::euler_operator;
use trust_region_problems::fdnet::experiment::{median, reference, run, Method, RunResult, RunSettings};
use trust_region_problems::fdnet::metrics::{final_profile, rollout, Rollout};
use trust_region_problems::fdnet::LossStats;

/// FDNet on the heat equation: Hessian-free trust region vs Adam vs Forward Euler.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Cases to run, comma-separated: stable, unstable, noisy, forcing.
    #[arg(long, value_delimiter = ',', default_value = "stable,unstable,noisy,forcing")]
    cases: Vec<String>,
    /// Trust-region seeds per case (0, 1, ...).
    #[arg(long, default_value_t = 10)]
    seeds: u64,
    /// Adam seeds per case and learning rate.
    #[arg(long, default_value_t = 5)]
    adam_seeds: u64,
    /// Adam learning rates, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1e-3,1e-4")]
    adam_lr: Vec<f64>,
    /// Skip the Adam baseline.
    #[arg(long)]
    no_adam: bool,
    /// Adam iterations (batch 64 each).
    #[arg(long, default_value_t = 12_000)]
    adam_iterations: usize,
    /// Trust-region iterations (default: the reference's 100, or 300 for the unstable case).
    #[arg(long)]
    tr_iterations: Option<usize>,
    /// Filters F of the network.
    #[arg(long, default_value_t = 16)]
    filters: usize,
    /// Seed of the data sets (shared by all training seeds).
    #[arg(long, default_value_t = 0)]
    data_seed: u64,
    /// Also run Forward Euler with this grid spacing (0.1 reproduces the reference code).
    #[arg(long)]
    euler_dx: Option<f64>,
    /// Output directory for the plots and the CSV.
    #[arg(long, default_value = "target/fdnet")]
    out: PathBuf,
    /// Do not write plots.
    #[arg(long)]
    no_plots: bool,
}

/// Everything measured on one case.
struct CaseResults {
    case: Case,
    runs: Vec<RunResult>,
    euler: Vec<(f64, Rollout, Vec<f64>)>,
    exact_profile: Vec<f64>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let cases: Vec<Case> = args
        .cases
        .iter()
        .map(|c| Case::from_name(c.trim()).ok_or_else(|| format!("unknown case `{c}`")))
        .collect::<Result<_, _>>()?;
    let settings = RunSettings {
        filters: args.filters,
        tr_iterations: args.tr_iterations,
        adam_iterations: args.adam_iterations,
        ..RunSettings::default()
    };
    let mut methods = vec![Method::TrustRegion];
    if !args.no_adam {
        methods.extend(args.adam_lr.iter().map(|&learning_rate| Method::Adam { learning_rate }));
    }
    let jobs_per_case: Vec<(Method, u64)> = methods
        .iter()
        .flat_map(|&m| {
            let n = if m == Method::TrustRegion { args.seeds } else { args.adam_seeds };
            (0..n).map(move |s| (m, s))
        })
        .collect();
    let total = (jobs_per_case.len() * cases.len()) as u64;
    println!(
        "FDNet heat equation: {} case(s), TR x {} seeds, Adam {:?} x {} seeds, F = {}, {} threads",
        cases.len(),
        args.seeds,
        if args.no_adam { vec![] } else { args.adam_lr.clone() },
        args.adam_seeds,
        args.filters,
        rayon::current_num_threads()
    );
    let bar = ProgressBar::new(total);
    bar.set_style(ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs {msg}")?);
    let started = Instant::now();

    let mut all = Vec::new();
    for &case in &cases {
        bar.set_message(format!("{}: data", case.name()));
        let data = HeatData::generate(case, args.data_seed);
        let stats = LossStats::new(&data);
        bar.set_message(case.name().to_string());
        let runs: Vec<RunResult> = jobs_per_case
            .par_iter()
            .map(|&(method, seed)| {
                let r = run(&data, &stats, method, seed, &settings);
                bar.inc(1);
                r
            })
            .collect();
        let mut dxs = vec![DX];
        dxs.extend(args.euler_dx);
        let euler = dxs
            .into_iter()
            .map(|dx| {
                let op = euler_operator(&data, dx);
                (dx, rollout(&op, &data), final_profile(&op, &data, 0).0)
            })
            .collect();
        let exact_profile = final_profile(&euler_operator(&data, DX), &data, 0).1;
        all.push(CaseResults { case, runs, euler, exact_profile });
    }
    bar.finish_and_clear();
    println!("{}", table(&all, &methods));
    println!("{}", acceptance(&all));
    println!("wall time {:.1} s", started.elapsed().as_secs_f64());

    std::fs::create_dir_all(&args.out)?;
    write_csv(&args.out.join("results.csv"), &all)?;
    if !args.no_plots {
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| "the embedded DejaVu font did not load")?;
        plot_training(&args.out.join("training_loss.png"), &all, &methods)?;
        plot_horizon(&args.out.join("horizon_error.png"), &all, &methods)?;
        plot_profiles(&args.out.join("profile_t1000.png"), &all, &methods)?;
        println!(
            "plots: {0}/training_loss.png, {0}/horizon_error.png, {0}/profile_t1000.png; runs: {0}/results.csv",
            args.out.display()
        );
    } else {
        println!("runs: {}/results.csv", args.out.display());
    }
    Ok(())
}

fn runs_of(c: &CaseResults, m: Method) -> Vec<&RunResult> {
    c.runs.iter().filter(|r| r.method == m).collect()
}

fn sci(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else if x.is_infinite() {
        "inf".into()
    } else {
        format!("{x:.2e}")
    }
}

/// The metrics table: medians over seeds, next to the reference.
fn table(all: &[CaseResults], methods: &[Method]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n{:<9} {:<12} {:>4} {:>4} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>7}   reference",
        "case", "method", "runs", "div", "1-step", "short", "t=1000", "train", "cost", "time s", ""
    );
    let _ = writeln!(
        s,
        "{:<9} {:<12} {:>4} {:>4} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "", "", "", "", "MSE", "MSE", "MSE", "loss", "", ""
    );
    for c in all {
        let rf = reference(c.case);
        for &m in methods {
            let rs = runs_of(c, m);
            if rs.is_empty() {
                continue;
            }
            let med = |f: &dyn Fn(&RunResult) -> f64| median(&rs.iter().map(|r| f(r)).collect::<Vec<_>>());
            let div = rs.iter().filter(|r| r.diverged()).count();
            let refs = match m {
                Method::TrustRegion => {
                    let mut t = format!("t=1000 MSE {}", sci(rf.tr_final_mse));
                    if let Some(l) = rf.tr_train_loss {
                        let _ = write!(t, ", train ~{}", sci(l));
                    }
                    t + ", 0/10 diverged"
                }
                Method::Adam { .. } => format!("diverged {}", rf.adam_divergences),
            };
            let _ = writeln!(
                s,
                "{:<9} {:<12} {:>4} {:>4} {:>9} {:>9} {:>9} {:>9} {:>9.0} {:>8.3}   {}",
                c.case.name(),
                m.to_string(),
                rs.len(),
                div,
                sci(med(&|r| r.rollout.one_step)),
                sci(med(&|r| r.rollout.short)),
                sci(med(&|r| r.rollout.full)),
                sci(med(&|r| r.train_loss)),
                med(&|r| r.cost as f64),
                med(&|r| r.elapsed.as_secs_f64()),
                refs
            );
        }
        for (dx, ro, _) in &c.euler {
            let label = if *dx == DX { "Euler pi/30".to_string() } else { format!("Euler {dx}") };
            let refs = match (rf.euler_final_mse, *dx == DX) {
                (Some(v), true) => format!("t=1000 MSE {}", sci(v)),
                _ => "-".into(),
            };
            let _ = writeln!(
                s,
                "{:<9} {:<12} {:>4} {:>4} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8}   {}",
                c.case.name(),
                label,
                1,
                usize::from(ro.diverged),
                sci(ro.one_step),
                sci(ro.short),
                sci(ro.full),
                "-",
                "-",
                "-",
                refs
            );
        }
    }
    let _ = write!(
        s,
        "short = 10-step MSE (3-step for the unstable case, dt = 200); MSE over all nodes of the 50 test \
         trajectories; medians over seeds; cost = gradients + Hessian-vector products (Adam: gradients);\n\
         div = runs whose t=1000 MSE is not finite or above that of predicting u = 0 (or whose training failed)."
    );
    s
}

/// The issue's done-when checks.
fn acceptance(all: &[CaseResults]) -> String {
    let mut s = String::from("\nacceptance (issue 5):");
    for c in all {
        let rs = runs_of(c, Method::TrustRegion);
        if rs.is_empty() {
            continue;
        }
        let target = reference(c.case).target_final_mse;
        let med = median(&rs.iter().map(|r| r.rollout.full).collect::<Vec<_>>());
        let div = rs.iter().filter(|r| r.diverged()).count();
        let _ = write!(
            s,
            "\n  {:<9} median t=1000 MSE {} <= {}: {}; TR divergences {}: {}",
            c.case.name(),
            sci(med),
            sci(target),
            if med <= target { "yes" } else { "NO" },
            div,
            if div == 0 { "yes" } else { "NO" }
        );
        if c.case == Case::Stable {
            let worst = rs.iter().map(|r| r.train_loss).fold(0.0f64, f64::max);
            let best = rs.iter().map(|r| r.train_loss).fold(f64::INFINITY, f64::min);
            let _ = write!(
                s,
                "; training loss median {} (min {}, max {}) <= 1e-12: {}",
                sci(median(&rs.iter().map(|r| r.train_loss).collect::<Vec<_>>())),
                sci(best),
                sci(worst),
                if worst <= 1e-12 { "yes" } else { "NO" }
            );
        }
    }
    s
}

fn write_csv(path: &Path, all: &[CaseResults]) -> std::io::Result<()> {
    let mut s = String::from("case,method,seed,mse_1,mse_short,mse_final,train_loss,cost,time_s,diverged\n");
    for c in all {
        for r in &c.runs {
            let _ = writeln!(
                s,
                "{},{},{},{:e},{:e},{:e},{:e},{},{:.6},{}",
                c.case.name(),
                r.method,
                r.seed,
                r.rollout.one_step,
                r.rollout.short,
                r.rollout.full,
                r.train_loss,
                r.cost,
                r.elapsed.as_secs_f64(),
                r.diverged()
            );
        }
    }
    std::fs::write(path, s)
}

const TR_COLOR: RGBColor = RGBColor(31, 119, 180);
const EULER_COLOR: RGBColor = RGBColor(44, 160, 44);

fn method_color(m: Method, methods: &[Method]) -> RGBColor {
    let palette = [TR_COLOR, RGBColor(214, 39, 40), RGBColor(255, 127, 14), RGBColor(148, 103, 189)];
    let i = methods.iter().position(|&x| x == m).unwrap_or(0);
    palette[i % palette.len()]
}

/// `(lo, hi)` of the positive finite values, padded by a factor in log space.
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (1e-16, 1.0);
    }
    (lo / 3.0, hi * 3.0)
}

fn grid(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 => (1, 2),
        _ => (2, 2),
    }
}

type PlotResult = Result<(), Box<dyn Error>>;

fn plot_training(path: &Path, all: &[CaseResults], methods: &[Method]) -> PlotResult {
    let root = BitMapBackend::new(path, (1400, 1000)).into_drawing_area();
    root.fill(&WHITE)?;
    for (panel, c) in root.split_evenly(grid(all.len())).iter().zip(all) {
        let pts = || c.runs.iter().flat_map(|r| r.curve.iter().map(|&(_, l)| l));
        let (ylo, yhi) = log_range(pts());
        let xhi = c.runs.iter().flat_map(|r| r.curve.iter().map(|&(k, _)| k)).max().unwrap_or(10).max(10) as f64;
        let mut chart = ChartBuilder::on(panel)
            .caption(format!("{}: full training loss vs cost", c.case.name()), ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(70)
            .build_cartesian_2d((1f64..xhi * 1.2).log_scale(), (ylo..yhi).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("cost (gradients + Hv products)")
            .y_desc("MSE")
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .x_label_formatter(&|x| format!("{x:.0e}"))
            .draw()?;
        for &m in methods {
            let color = method_color(m, methods);
            let mut first = true;
            for r in runs_of(c, m) {
                let series = r
                    .curve
                    .iter()
                    .map(|&(k, l)| ((k.max(1)) as f64, l))
                    .filter(|(_, l)| l.is_finite() && *l > 0.0)
                    .map(|(k, l)| (k, l.clamp(ylo, yhi)));
                let drawn = chart.draw_series(LineSeries::new(series, color.stroke_width(1)))?;
                if first {
                    drawn.label(m.to_string()).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
                    first = false;
                }
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

fn median_horizon(runs: &[&RunResult]) -> Vec<f64> {
    let steps = runs.first().map_or(0, |r| r.rollout.horizon.len());
    (0..steps).map(|k| median(&runs.iter().map(|r| r.rollout.horizon[k]).collect::<Vec<_>>())).collect()
}

fn plot_horizon(path: &Path, all: &[CaseResults], methods: &[Method]) -> PlotResult {
    let root = BitMapBackend::new(path, (1400, 1000)).into_drawing_area();
    root.fill(&WHITE)?;
    for (panel, c) in root.split_evenly(grid(all.len())).iter().zip(all) {
        let mut curves: Vec<(String, RGBColor, Vec<f64>)> = Vec::new();
        for &m in methods {
            let rs = runs_of(c, m);
            if !rs.is_empty() {
                curves.push((format!("{m} (median)"), method_color(m, methods), median_horizon(&rs)));
            }
        }
        for (i, (dx, ro, _)) in c.euler.iter().enumerate() {
            let color = if i == 0 { EULER_COLOR } else { RGBColor(120, 120, 120) };
            curves.push((format!("Euler dx = {dx:.4}"), color, ro.horizon.clone()));
        }
        let (ylo, yhi) = log_range(curves.iter().flat_map(|(_, _, h)| h.iter().copied()));
        let yhi = yhi.min(1e3);
        let steps = c.case.steps() as f64;
        let dt = c.case.dt() as f64;
        let mut chart = ChartBuilder::on(panel)
            .caption(format!("{}: test MSE over the horizon", c.case.name()), ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..steps * dt, (ylo..yhi).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("t (rollout from t = 0)")
            .y_desc("MSE")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .draw()?;
        for (label, color, h) in curves {
            let series = h
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite() && **v > 0.0)
                .map(|(k, &v)| ((k + 1) as f64 * dt, v.clamp(ylo, yhi)));
            chart
                .draw_series(LineSeries::new(series, color.stroke_width(2)))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
        chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    }
    root.present()?;
    Ok(())
}

fn plot_profiles(path: &Path, all: &[CaseResults], methods: &[Method]) -> PlotResult {
    let root = BitMapBackend::new(path, (1400, 1000)).into_drawing_area();
    root.fill(&WHITE)?;
    let xs: Vec<f64> = (0..NODES).map(|j| j as f64 * DX).collect();
    for (panel, c) in root.split_evenly(grid(all.len())).iter().zip(all) {
        let mut curves: Vec<(String, RGBColor, Vec<f64>)> = vec![("exact".into(), BLACK, c.exact_profile.clone())];
        for &m in methods {
            // The run of the lowest seed that did not diverge, if any.
            if let Some(r) = runs_of(c, m).into_iter().find(|r| !r.diverged()) {
                curves.push((format!("{m} (seed {})", r.seed), method_color(m, methods), r.profile.clone()));
            }
        }
        if let Some((dx, ro, p)) = c.euler.first() {
            if !ro.diverged {
                curves.push((format!("Euler dx = {dx:.4}"), EULER_COLOR, p.clone()));
            }
        }
        // The exact profile's range, widened to show predictions up to twice its span away;
        // values beyond are clamped to the frame.
        let span = |p: &[f64]| p.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let (elo, ehi) = span(&c.exact_profile);
        let width = (ehi - elo).max(1e-3);
        let (mut lo, mut hi) = (elo, ehi);
        for (_, _, p) in &curves[1..] {
            let (plo, phi) = span(p);
            lo = lo.min(plo.max(elo - 2.0 * width));
            hi = hi.max(phi.min(ehi + 2.0 * width));
        }
        lo -= 0.05 * width;
        hi += 0.05 * width;
        let mut chart = ChartBuilder::on(panel)
            .caption(
                format!("{}: u(x, t = 1000), first test trajectory (clamped to frame)", c.case.name()),
                ("sans-serif", 22),
            )
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..std::f64::consts::PI, lo..hi)?;
        chart.configure_mesh().x_desc("x").y_desc("u").draw()?;
        for (i, (label, color, p)) in curves.into_iter().enumerate() {
            let pts: Vec<(f64, f64)> = xs.iter().zip(&p).map(|(&x, &u)| (x, u.clamp(lo, hi))).collect();
            let width = if i == 0 { 3 } else { 1 };
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(width)))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
            if i > 0 {
                chart.draw_series(pts.into_iter().map(|(x, u)| Circle::new((x, u), 3, color.filled())))?;
            }
        }
        chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    }
    root.present()?;
    Ok(())
}
