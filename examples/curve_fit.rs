//! A curve fit with gross outliers: plain least squares against a robust loss, both with the
//! Levenberg-Marquardt step, the parameters with standard errors, and a PNG of the data and
//! both fits.
//!
//! ```text
//! cargo run --release --example curve_fit                      # seed 1, Cauchy loss, scale 0.3
//! cargo run --release --example curve_fit -- 7 target/fit.png # another seed and output path
//! ```
//!
//! The data: `y = a exp(-b t) + c` with `(a, b, c) = (5, 0.8, 1)` at 100 points `t` evenly
//! spaced in `[0, 8]`, plus Gaussian noise of standard deviation 0.1, and on 10 points of the
//! tail `t >= 3` (a random one of each block of six, so 10% of the data) an upward spike of size
//! 2 to 6 (contamination, a detector glitch): they pull the baseline `c` up. The generator is a small inline SplitMix64 (Box-Muller for the normal draws):
//! the data depend on the seed only.
//!
//! The fits, from `(a, b, c) = (1, 1, 0)`: [`GaussNewton::dense`] with
//! [`LevenbergMarquardt`] and MINPACK's radius rule, once with the plain cost `||r||^2/2` and
//! once with [`Loss::Cauchy`] of scale `0.3` (three noise standard deviations).
//!
//! Standard errors: `s^2 (J'J)^{-1}` with `s^2 = sum r_i^2 / (m - n)`, computed from the QR
//! factorization of `J` at the solution (`(R'R)^{-1} = R^{-1} R^{-T}`); for the robust fit, `J`
//! and `r` are the corrected ones of the model ([`Model::least_squares`]: with the default
//! correction `J~ = sqrt(rho') J`, `r~ = sqrt(rho') r`), which is the weighted least-squares
//! covariance of iteratively reweighted least squares with the final weights `rho'`: the
//! outliers get weights near 0 and do not inflate `s`. [`standard_errors`] takes them from the
//! crate's [`trust_region::uncertainty`] module.
//!
//! `tests/curve_fit.rs` runs this file's fits on seeds 1 to 8 and asserts that the robust
//! parameters lie within 2 standard errors of the true ones and the plain ones do not.

use std::error::Error;
use std::path::PathBuf;

use faer::{MatMut, MatRef};
use plotters::prelude::*;
use trust_region::model::{GaussNewton, Loss, Model};
use trust_region::subproblem::LevenbergMarquardt;
use trust_region::uncertainty::Uncertainty;
use trust_region::{DenseJacobian, RadiusOptions, Report, Residuals, TrustRegion};

/// The true parameters `(a, b, c)` of `y = a exp(-b t) + c`.
pub const TRUE: [f64; 3] = [5.0, 0.8, 1.0];

/// The noise standard deviation.
pub const NOISE: f64 = 0.1;

/// The robust loss of the example.
pub const ROBUST: Loss = Loss::Cauchy { scale: 0.3 };

/// SplitMix64 (Steele, Lea & Flood 2014): a small deterministic generator.
pub struct Rng(pub u64);

impl Rng {
    /// A uniform draw in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform();
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// The data `(t_i, y_i)`; residuals `r_i = a exp(-b t_i) + c - y_i`.
pub struct ExpDecay {
    /// Abscissae.
    pub t: Vec<f64>,
    /// Observations.
    pub y: Vec<f64>,
    /// Which points are gross outliers.
    pub outlier: Vec<bool>,
}

impl ExpDecay {
    /// The synthetic data of `seed` (module docs).
    pub fn synthetic(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let m = 100;
        let t: Vec<f64> = (0..m).map(|i| 8.0 * i as f64 / (m - 1) as f64).collect();
        let mut y: Vec<f64> = t.iter().map(|&ti| model(&TRUE, ti) + NOISE * rng.normal()).collect();
        let mut outlier = vec![false; m];
        // Ten upward spikes on the tail t >= 3 (points 38 to 97), one in each block of six.
        for block in 0..10 {
            let i = 38 + 6 * block + ((rng.uniform() * 6.0) as usize).min(5);
            y[i] += 2.0 + 4.0 * rng.uniform();
            outlier[i] = true;
        }
        Self { t, y, outlier }
    }
}

/// `a exp(-b t) + c`.
pub fn model(p: &[f64], t: f64) -> f64 {
    p[0] * (-p[1] * t).exp() + p[2]
}

impl Residuals for ExpDecay {
    fn dim(&self) -> usize {
        3
    }
    fn residual_count(&self) -> usize {
        self.t.len()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for ((ri, &t), &y) in r.iter_mut().zip(&self.t).zip(&self.y) {
            *ri = model(x, t) - y;
        }
    }
}

impl DenseJacobian for ExpDecay {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for (i, &t) in self.t.iter().enumerate() {
            let e = (-x[1] * t).exp();
            j[(i, 0)] = e;
            j[(i, 1)] = -x[0] * t * e;
            j[(i, 2)] = 1.0;
        }
    }
}

/// One fit: the parameters, their standard errors (`None` when `J` is rank deficient) and
/// the run's report.
pub struct Fit {
    /// `(a, b, c)`.
    pub x: Vec<f64>,
    /// Standard errors of `(a, b, c)`.
    pub std_errors: Option<Vec<f64>>,
    /// The report of the run.
    pub report: Report,
}

/// Fits `data` with `loss` from `(1, 1, 0)` (module docs).
pub fn fit(data: &ExpDecay, loss: Loss) -> Result<Fit, Box<dyn Error>> {
    let mut model = GaussNewton::dense(data).with_loss(loss);
    let mut tr = TrustRegion::new(LevenbergMarquardt::new());
    tr.options.radius = RadiusOptions::levenberg_marquardt();
    tr.options.tolerances.gtol = 1e-10;
    tr.options.tolerances.ftol = 1e-15;
    let report = tr.solve(&mut model, &[1.0, 1.0, 0.0])?;
    let ls = model.least_squares().ok_or("the model offers no Jacobian")?;
    let std_errors = standard_errors(ls.jacobian, ls.residuals);
    Ok(Fit { x: report.x.clone(), std_errors, report })
}

/// Standard errors from the library's [`Uncertainty`] (column-pivoted QR of `J`, typed rank
/// deficiency); `None` when they cannot be computed.
pub fn standard_errors(jac: MatRef<'_, f64>, r: &[f64]) -> Option<Vec<f64>> {
    let u = Uncertainty::new(jac, r).ok()?;
    u.std_errors.into_iter().collect()
}

/// The largest `|x_j - true_j| / se_j`: how many standard errors the fit is from the truth.
pub fn worst_z(fit: &Fit) -> f64 {
    match &fit.std_errors {
        Some(se) => fit.x.iter().zip(TRUE).zip(se).map(|((x, t), s)| (x - t).abs() / s).fold(0.0, f64::max),
        None => f64::INFINITY,
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/curve_fit/curve_fit.png".to_string()));
    let data = ExpDecay::synthetic(seed);
    let plain = fit(&data, Loss::Linear)?;
    let robust = fit(&data, ROBUST)?;
    println!("y = a exp(-b t) + c, 100 points, noise {NOISE}, 10 gross outliers, seed {seed}");
    println!("true        a = {:.4}  b = {:.4}  c = {:.4}", TRUE[0], TRUE[1], TRUE[2]);
    for (name, f) in [("plain", &plain), ("cauchy 0.3", &robust)] {
        let se = f.std_errors.clone().unwrap_or_else(|| vec![f64::NAN; 3]);
        println!(
            "{name:<11} a = {:.4} +- {:.4}  b = {:.4} +- {:.4}  c = {:.4} +- {:.4}  ({} iterations, {}; worst |x - true| = {:.1} se)",
            f.x[0],
            se[0],
            f.x[1],
            se[1],
            f.x[2],
            se[2],
            f.report.iterations,
            f.report.termination,
            worst_z(f)
        );
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "the embedded DejaVu font did not load")?;
    plot(&out, &data, &plain.x, &robust.x)?;
    println!("plot: {}", out.display());
    Ok(())
}

/// The data (outliers in red) and the true curve and both fits.
fn plot(path: &std::path::Path, data: &ExpDecay, plain: &[f64], robust: &[f64]) -> Result<(), Box<dyn Error>> {
    let root = BitMapBackend::new(path, (1000, 700)).into_drawing_area();
    root.fill(&WHITE)?;
    let lo = data.y.iter().copied().fold(f64::INFINITY, f64::min) - 0.5;
    let hi = data.y.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 0.5;
    let mut chart = ChartBuilder::on(&root)
        .caption("y = a exp(-b t) + c with 10% gross outliers", ("sans-serif", 24))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(54)
        .build_cartesian_2d(-0.2..8.2, lo..hi)?;
    chart.configure_mesh().x_desc("t").y_desc("y").label_style(("sans-serif", 16)).draw()?;
    for (is_outlier, color, label) in [(false, BLUE, "data"), (true, RED, "gross outliers")] {
        let pts: Vec<(f64, f64)> =
            (0..data.t.len()).filter(|&i| data.outlier[i] == is_outlier).map(|i| (data.t[i], data.y[i])).collect();
        chart
            .draw_series(pts.into_iter().map(|c| Circle::new(c, 3, color.filled())))?
            .label(label)
            .legend(move |(u, v)| Circle::new((u + 10, v), 4, color.filled()));
    }
    let grid: Vec<f64> = (0..=400).map(|k| 8.0 * k as f64 / 400.0).collect();
    let curves: [(&[f64], RGBColor, &str); 3] = [
        (&TRUE, RGBColor(0, 0, 0), "true curve"),
        (plain, RGBColor(230, 140, 0), "least squares"),
        (robust, RGBColor(0, 150, 60), "Cauchy loss, scale 0.3"),
    ];
    for (p, color, label) in curves {
        chart
            .draw_series(LineSeries::new(grid.iter().map(|&t| (t, model(p, t))), color.stroke_width(2)))?
            .label(label)
            .legend(move |(u, v)| PathElement::new(vec![(u, v), (u + 20, v)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()?;
    root.present()?;
    Ok(())
}
