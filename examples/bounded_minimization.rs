//! Bound-constrained minimization on an obstacle problem: the projected Newton trust region
//! against the scaled interior trust region, and a PNG of the solution with its contact set.
//!
//! ```text
//! cargo run --release --example bounded_minimization                  # OBSTCLAE, 100 x 100
//! cargo run --release --example bounded_minimization -- --problem TORSION1 --out target/t1.png
//! cargo run --release --example bounded_minimization -- --help
//! ```
//!
//! The problem (default OBSTCLAE) is a membrane over the unit square, held at 0 on the boundary
//! and pushed up by a uniform force, discretized by finite differences on a `P x P` grid
//! (`n = P^2` variables, default `P = 100`): a convex quadratic whose interior nodes lie above
//! the obstacle `sin(3.2 xi) sin(3.3 eta)` (and below 2000), the boundary nodes fixed at 0 by
//! their bounds. It is the CUTEst problem OBSTCLAE.SIF (Ph. Toint 1989, corrected 2024), after
//! R. Dembo and U. Tulowitzki (Yale 1983) and problem A of J. J. More (1989), and one of the
//! test problems of C.-J. Lin and J. J. More, Newton's method for large bound-constrained
//! optimization problems, SIAM J. Optim. 9 (1999) 1100-1127. `--problem` takes any of the grid
//! problems of `trust_region_problems::bounded` (OBSTCLAE, OBSTCLAL, OBSTCLBL, OBSTCLBM,
//! OBSTCLBU, TORSION1-6, TORSIONA: the elastic torsion problems of J. More and G. Toraldo,
//! SIAM J. Optim. 1 (1991) 93-113) and `--n` the number of variables (a square; `4 Q^2` for
//! TORSION).
//!
//! It is solved from the SIF start, to `pg = ||x - P(x - g)||_inf <= 1e-6`, by
//! - the projected Newton trust region ([`ProjectedNewton`]) on the sparse Hessian, with the
//!   incomplete Cholesky factor of the reduced Hessian as the CG preconditioner (the default);
//! - the scaled interior trust region ([`ScaledInterior`], Steihaug-Toint CG in the scaled
//!   variables) on Hessian-vector products, with the Coleman-Li scaling and with the default
//!   scaling (the equal-weight convex combination of Coleman-Li, HUU and the KK-type member).
//!
//! It prints one line per method: the termination, iterations, CG iterations, evaluations
//! (values, gradients, Hessian-vector products, Hessians), the final `f`, `pg`, the number of
//! active bounds at the returned point (fixed boundary nodes included; for the interior method,
//! the components whose projected gradient step lands on a bound), and the seconds; then the
//! largest componentwise difference between each interior solution and the projected Newton
//! solution, and the size of the contact set.
//!
//! The PNG (`--out`, default `target/bounded_minimization/<problem>.png`; the directory is
//! created) shows the projected Newton solution as a heat map over the grid, with the contact
//! set marked: the interior nodes at a bound (black dots at the lower bound, the obstacle;
//! white at the upper bound), the fixed boundary excluded. The projected method's iterates land
//! exactly on the bounds, which is why its solution is drawn (the interior method's iterates
//! stay strictly inside the box). Text uses DejaVu Sans embedded from the `dejavu` crate.

use std::error::Error;
use std::path::{Path, PathBuf};

use clap::Parser;
use plotters::prelude::*;
use trust_region::solver::bounded::ProjectedNewton;
use trust_region::solver::scaled_interior::{ScaledInterior, ScaledInteriorOptions};
use trust_region::subproblem::Steihaug;
use trust_region::{BoundedReport, Bounds, Newton, Scaling};
use trust_region_problems::bounded::by_name;

/// An obstacle or torsion problem: projected Newton vs the scaled interior method, and a PNG.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Grid problem: OBSTCLAE, OBSTCLAL, OBSTCLBL, OBSTCLBM, OBSTCLBU, TORSION1-6, TORSIONA.
    #[arg(long, default_value = "OBSTCLAE")]
    problem: String,
    /// Number of variables (a square `P^2`; `4 Q^2` for TORSION).
    #[arg(long, default_value_t = 10_000)]
    n: usize,
    /// The PNG to write (default `target/bounded_minimization/<problem>.png`).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// One method's run, for the table.
struct Run {
    name: String,
    report: BoundedReport,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let problem = by_name(&args.problem, Some(args.n))
        .ok_or_else(|| format!("no problem `{}` with n = {}", args.problem, args.n))?;
    let info = problem.info();
    let n = info.n;
    let p = grid_side(n).ok_or_else(|| format!("{} with n = {n} is not on a square grid", info.name))?;
    let (lower, upper) = problem.bounds();
    let bounds = Bounds::closed(lower.clone(), upper.clone())?;
    let x0 = problem.x0();
    let hessian = problem.sparse_hessian().ok_or("the problem has no sparse Hessian")?;
    let products = problem.products().ok_or("the problem has no Hessian-vector products")?;
    let fixed = (0..n).filter(|&i| lower[i] == upper[i]).count();
    println!("{}: n = {n} ({p} x {p} grid, {fixed} fixed boundary nodes), gtol = 1e-6", info.name);

    let mut runs = vec![Run {
        name: "projected Newton, incomplete Cholesky".into(),
        report: ProjectedNewton::new().solve(Newton::sparse(hessian), &bounds, &x0)?,
    }];
    for scaling in [Scaling::ColemanLi, Scaling::default()] {
        let mut options = ScaledInteriorOptions::default();
        options.scaling = scaling;
        let report = ScaledInterior::new(Steihaug::new()).with_options(options).solve(
            Newton::products(products),
            &bounds,
            &x0,
        )?;
        runs.push(Run { name: format!("scaled interior, {}", scaling.name()), report });
    }

    println!(
        "{:<38} {:>6} {:>6} {:>6} {:>6} {:>6} {:>4} {:>14} {:>8} {:>7} {:>8}  termination",
        "method", "iter", "CG", "f", "g", "hv", "H", "f(x)", "pg", "active", "seconds"
    );
    for r in &runs {
        let e = &r.report.evaluations;
        println!(
            "{:<38} {:>6} {:>6} {:>6} {:>6} {:>6} {:>4} {:>14.9} {:>8.1e} {:>7} {:>8.3}  {}",
            r.name,
            r.report.iterations,
            r.report.inner_iterations,
            e.f,
            e.g,
            e.hv,
            e.h,
            r.report.f,
            r.report.termination.pg_inf,
            r.report.termination.active_bounds,
            r.report.elapsed.as_secs_f64(),
            r.report.termination
        );
    }
    let reference = &runs[0].report.x;
    for r in &runs[1..] {
        let diff = r.report.x.iter().zip(reference).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        println!("max |x_interior - x_projected| ({}): {diff:.2e}", r.name);
    }
    let contact = contact_set(reference, &lower, &upper);
    println!("contact set (projected Newton, fixed boundary excluded): {} nodes", contact.len());

    let out =
        args.out.unwrap_or_else(|| PathBuf::from("target/bounded_minimization").join(format!("{}.png", info.name)));
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "the embedded DejaVu font did not load")?;
    let title = format!("{}, n = {n}: projected Newton solution, contact set marked", info.name);
    plot(&out, &title, p, reference, &contact)?;
    println!("plot: {}", out.display());
    Ok(())
}

/// The `P` with `P^2 = n`, if any.
fn grid_side(n: usize) -> Option<usize> {
    let mut p = (n as f64).sqrt() as usize;
    while p * p > n {
        p -= 1;
    }
    while (p + 1) * (p + 1) <= n {
        p += 1;
    }
    (p * p == n && p >= 2).then_some(p)
}

/// Whether a node of the contact set is at its lower or its upper bound.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Lower,
    Upper,
}

/// The nodes at a bound that are not fixed (`lower < upper`), with the bound they touch.
fn contact_set(x: &[f64], lower: &[f64], upper: &[f64]) -> Vec<(usize, Side)> {
    (0..x.len())
        .filter(|&i| lower[i] < upper[i])
        .filter_map(|i| {
            if x[i] == lower[i] {
                Some((i, Side::Lower))
            } else if x[i] == upper[i] {
                Some((i, Side::Upper))
            } else {
                None
            }
        })
        .collect()
}

/// A blue (low) to red (high) color for `t` in `[0, 1]`.
fn heat(t: f64) -> HSLColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    HSLColor(0.66 * (1.0 - t), 0.85, 0.5)
}

/// The heat map of `x` over the `p x p` grid (node `x[j p + i]` at column `i`, row `j`, on the
/// unit square) with the contact set as dots, and a color bar.
fn plot(path: &Path, title: &str, p: usize, x: &[f64], contact: &[(usize, Side)]) -> Result<(), Box<dyn Error>> {
    let root = BitMapBackend::new(path, (1100, 960)).into_drawing_area();
    root.fill(&WHITE)?;
    let (main, bar) = root.split_horizontally(960);
    let finite = || x.iter().copied().filter(|v| v.is_finite());
    let lo = finite().fold(f64::INFINITY, f64::min);
    let hi = finite().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo < hi { (lo, hi) } else { (lo.min(0.0), lo.max(0.0) + 1.0) };
    let h = 1.0 / (p - 1) as f64;

    let mut chart = ChartBuilder::on(&main)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(50)
        .build_cartesian_2d(-0.5 * h..1.0 + 0.5 * h, -0.5 * h..1.0 + 0.5 * h)?;
    chart.configure_mesh().disable_mesh().x_desc("xi").y_desc("eta").label_style(("sans-serif", 16)).draw()?;
    chart.draw_series((0..p * p).map(|k| {
        let (i, j) = ((k % p) as f64 * h, (k / p) as f64 * h);
        let color = heat((x[k] - lo) / (hi - lo));
        Rectangle::new([(i - 0.5 * h, j - 0.5 * h), (i + 0.5 * h, j + 0.5 * h)], color.filled())
    }))?;
    let radius = (200 / p).clamp(1, 3) as i32;
    for (side, color, label) in [(Side::Lower, BLACK, "at the lower bound"), (Side::Upper, WHITE, "at the upper bound")]
    {
        let points: Vec<(f64, f64)> = contact
            .iter()
            .filter(|&&(_, s)| s == side)
            .map(|&(k, _)| ((k % p) as f64 * h, (k / p) as f64 * h))
            .collect();
        if points.is_empty() {
            continue;
        }
        let count = points.len();
        chart
            .draw_series(points.into_iter().map(|c| Circle::new(c, radius, color.filled())))?
            .label(format!("contact: {label} ({count} nodes)"))
            .legend(move |(u, v)| Circle::new((u + 8, v), 4, color.filled().stroke_width(1)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(RGBColor(215, 215, 215).mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()?;

    let mut scale = ChartBuilder::on(&bar)
        .margin_top(46)
        .margin_bottom(54)
        .margin_right(8)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    scale
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .label_style(("sans-serif", 16))
        .y_label_formatter(&|v| format!("{v:.2}"))
        .draw()?;
    let steps = 200;
    scale.draw_series((0..steps).map(|s| {
        let (a, b) = (s as f64 / steps as f64, (s + 1) as f64 / steps as f64);
        let color = heat(0.5 * (a + b));
        Rectangle::new([(0.0, lo + a * (hi - lo)), (1.0, lo + b * (hi - lo))], color.filled())
    }))?;
    root.present()?;
    Ok(())
}
