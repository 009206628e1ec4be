//! The measurement behind the default robust-loss correction ([`Correction`], module docs of
//! `trust_region::model::loss`): SciPy's second-order weights against the Triggs corrector as
//! Ceres applies it, on fits with gross outliers.
//!
//! ```text
//! cargo run --release --example loss_corrections
//! ```
//!
//! The fits, each with the four robust losses (soft_l1, huber, cauchy, arctan) and both
//! corrections, by two methods, at most 500 iterations each: the Levenberg-Marquardt step
//! with MINPACK's radius rule and `gtol = 1e-8`, and the scaled interior trust region
//! (`Interior`, its defaults, `InteriorOptions::loss`) in an unbounded box:
//! - the curve fit of `examples/curve_fit.rs` (`y = a exp(-b t) + c`, 100 points, 10% gross
//!   outliers), seeds 1 to 8, loss scale 0.3;
//! - the More-Garbow-Hillstrom least-squares problems with `m > n` (the published optimum
//!   `f* = 0` or not), from the standard start, with gross outliers added to 10% of the
//!   residuals (at least one): residual `i` becomes `r_i(x) + o_i` with `|o_i|` uniform in
//!   `[10, 100]` times `(1 + |r_i(x0)|)` and a random sign, seeds 1 to 8, loss scale 1.
//!
//! A run succeeds when it converges and its robust cost is within `1e-6` (relative, plus
//! `1e-12` absolute) of the best cost either correction reached on that fit and loss. The
//! table gives, per loss and correction, the successes, the converged runs and the median
//! and total iterations over the runs where both corrections succeeded.

use faer::MatMut;
use trust_region::model::{Correction, GaussNewton, Loss};
use trust_region::problem::{DenseJacobian, Residuals};
use trust_region::solver::interior::{Interior, InteriorOptions};
use trust_region::subproblem::LevenbergMarquardt;
use trust_region::{Bounds, RadiusOptions, TrustRegion};
use trust_region_problems::mgh;

#[allow(dead_code)]
#[path = "curve_fit.rs"]
mod curve_fit;

/// A problem's residuals plus fixed offsets (the outliers).
struct WithOutliers<'a> {
    inner: &'a dyn DenseJacobian,
    offsets: Vec<f64>,
}

impl Residuals for WithOutliers<'_> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn residual_count(&self) -> usize {
        self.inner.residual_count()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.inner.residuals(x, r);
        for (ri, o) in r.iter_mut().zip(&self.offsets) {
            *ri += o;
        }
    }
}

impl DenseJacobian for WithOutliers<'_> {
    fn jacobian(&self, x: &[f64], j: MatMut<'_, f64>) {
        self.inner.jacobian(x, j)
    }
}

/// The method a fit is run with.
#[derive(Clone, Copy)]
enum Method {
    LevenbergMarquardt,
    Interior,
}

/// What a run gave: converged, the robust cost, iterations.
struct Run {
    converged: bool,
    f: f64,
    iterations: usize,
}

fn run<P: DenseJacobian + ?Sized>(p: &P, x0: &[f64], loss: Loss, correction: Correction, method: Method) -> Run {
    match method {
        Method::LevenbergMarquardt => {
            let mut tr = TrustRegion::new(LevenbergMarquardt::new());
            tr.options.radius = RadiusOptions::levenberg_marquardt();
            tr.options.tolerances.gtol = 1e-8;
            tr.options.limits.max_iterations = 500;
            let model = GaussNewton::dense(p).with_loss(loss).with_correction(correction);
            let r = tr.solve(model, x0).expect("valid setup");
            Run { converged: r.converged(), f: r.f, iterations: r.iterations }
        }
        Method::Interior => {
            let mut o = InteriorOptions::default();
            o.loss = loss;
            o.correction = correction;
            o.limits.max_iterations = 500;
            let r = Interior::new(o).solve_dense(p, &Bounds::unbounded(x0.len()), x0).expect("valid setup");
            Run { converged: r.converged(), f: r.f, iterations: r.iterations }
        }
    }
}

const CORRECTIONS: [Correction; 2] = [Correction::Weights, Correction::Triggs];

/// Per loss and correction: successes, converged, iterations of the runs both solved.
#[derive(Default, Clone)]
struct Tally {
    runs: usize,
    success: [usize; 2],
    converged: [usize; 2],
    iterations: [Vec<usize>; 2],
}

fn record(t: &mut Tally, reports: &[Run; 2]) {
    t.runs += 1;
    let best = reports.iter().filter(|r| r.f.is_finite()).map(|r| r.f).fold(f64::INFINITY, f64::min);
    let ok: Vec<bool> = reports.iter().map(|r| r.converged && r.f <= best + 1e-6 * best.abs() + 1e-12).collect();
    for k in 0..2 {
        t.success[k] += usize::from(ok[k]);
        t.converged[k] += usize::from(reports[k].converged);
    }
    if ok[0] && ok[1] {
        for k in 0..2 {
            t.iterations[k].push(reports[k].iterations);
        }
    }
}

fn median(v: &[usize]) -> f64 {
    let mut s = v.to_vec();
    s.sort_unstable();
    if s.is_empty() {
        return f64::NAN;
    }
    let k = s.len() / 2;
    if s.len() % 2 == 1 {
        s[k] as f64
    } else {
        0.5 * (s[k - 1] + s[k]) as f64
    }
}

fn print(title: &str, tallies: &[(Loss, Tally)]) {
    println!("\n{title}");
    println!(
        "{:<8} {:>5} | {:>18} {:>18} | {:>20} {:>20}",
        "loss", "runs", "success W / T", "converged W / T", "median iter W / T", "total iter W / T"
    );
    for (loss, t) in tallies {
        println!(
            "{:<8} {:>5} | {:>8} / {:<8} {:>8} / {:<8} | {:>9.1} / {:<9.1} {:>9} / {:<9}",
            loss.name(),
            t.runs,
            t.success[0],
            t.success[1],
            t.converged[0],
            t.converged[1],
            median(&t.iterations[0]),
            median(&t.iterations[1]),
            t.iterations[0].iter().sum::<usize>(),
            t.iterations[1].iter().sum::<usize>()
        );
    }
}

fn losses(scale: f64) -> [Loss; 4] {
    [Loss::SoftL1 { scale }, Loss::Huber { scale }, Loss::Cauchy { scale }, Loss::Arctan { scale }]
}

fn main() {
    println!("W = Correction::Weights (SciPy), T = Correction::Triggs (Ceres' clamped corrector)");
    for (name, method) in [("Levenberg-Marquardt", Method::LevenbergMarquardt), ("scaled interior", Method::Interior)] {
        println!("\n=== {name} ===");
        measure(method);
    }
}

fn measure(method: Method) {
    // The curve fit.
    let mut curve: Vec<(Loss, Tally)> = losses(0.3).iter().map(|&l| (l, Tally::default())).collect();
    for seed in 1..=8 {
        let data = curve_fit::ExpDecay::synthetic(seed);
        for (loss, tally) in curve.iter_mut() {
            let reports = CORRECTIONS.map(|c| run(&data, &[1.0, 1.0, 0.0], *loss, c, method));
            record(tally, &reports);
        }
    }
    print("curve fit (examples/curve_fit.rs), seeds 1-8, scale 0.3", &curve);
    // MGH with outliers.
    let mut tallies: Vec<(Loss, Tally)> = losses(1.0).iter().map(|&l| (l, Tally::default())).collect();
    let mut problems = 0;
    for p in mgh::suite() {
        let info = p.info();
        let (Some(m), Some(dj)) = (info.m, p.dense_jacobian()) else { continue };
        if m <= info.n {
            continue;
        }
        problems += 1;
        let x0 = p.x0();
        let mut r0 = vec![0.0; m];
        dj.residuals(&x0, &mut r0);
        for seed in 1..=8u64 {
            let mut rng = curve_fit::Rng(seed * 7919 + info.n as u64);
            let mut offsets = vec![0.0; m];
            let count = (m / 10).max(1);
            for _ in 0..count {
                let i = ((rng.uniform() * m as f64) as usize).min(m - 1);
                let size = (10.0 + 90.0 * rng.uniform()) * (1.0 + r0[i].abs());
                offsets[i] = if rng.uniform() < 0.5 { size } else { -size };
            }
            let problem = WithOutliers { inner: dj, offsets };
            for (loss, tally) in tallies.iter_mut() {
                let reports = CORRECTIONS.map(|c| run(&problem, &x0, *loss, c, method));
                record(tally, &reports);
            }
        }
    }
    print(&format!("MGH least squares with m > n ({problems} problems), 10% outliers, seeds 1-8, scale 1"), &tallies);
}
