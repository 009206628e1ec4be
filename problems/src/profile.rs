//! Dolan-More performance profiles, drawn as SVG and PNG.
//!
//! For solvers `s` on problems `p` with a cost `t(p, s)` (iterations, evaluations, time; infinite
//! when the run failed), the performance ratio is `r(p, s) = t(p, s) / min_s t(p, s)` and the
//! profile of solver `s` is the fraction of problems it solves within a factor `tau` of the
//! best: `rho_s(tau) = |{p : r(p, s) <= tau}| / |P|`. `rho_s(1)` is the share of problems where
//! `s` is fastest; `rho_s(tau)` for large `tau` is the share it solves at all.
//!
//! Reference: E. D. Dolan, J. J. More, Benchmarking optimization software with performance
//! profiles, Math. Program. 91 (2002) 201-213.

use std::path::Path;

use plotters::prelude::*;

/// One performance profile: a step curve per solver.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// What the cost measures ("iterations", "evaluations", "seconds").
    pub metric: String,
    /// Solver names, one curve each.
    pub solvers: Vec<String>,
    /// For each solver, the sorted finite ratios of its solved problems.
    pub ratios: Vec<Vec<f64>>,
    /// Number of problems.
    pub problems: usize,
}

impl Profile {
    /// Builds the profile from `costs[p][s]` (`None` or non-finite: solver `s` failed on `p`).
    /// Problems no solver solved count in the denominator and lower every curve.
    pub fn new(metric: &str, solvers: Vec<String>, costs: &[Vec<Option<f64>>]) -> Self {
        let mut ratios = vec![Vec::new(); solvers.len()];
        for row in costs {
            let best = row.iter().flatten().copied().filter(|c| c.is_finite()).fold(f64::INFINITY, f64::min);
            if !best.is_finite() {
                continue;
            }
            for (s, c) in row.iter().enumerate().take(solvers.len()) {
                if let Some(c) = c.filter(|c| c.is_finite()) {
                    // A zero cost (e.g. 0 iterations from a converged start) ties with the best.
                    let r = if best > 0.0 {
                        c / best
                    } else if c > 0.0 {
                        f64::INFINITY
                    } else {
                        1.0
                    };
                    if r.is_finite() {
                        ratios[s].push(r);
                    }
                }
            }
        }
        for r in &mut ratios {
            r.sort_by(f64::total_cmp);
        }
        Self { metric: metric.to_string(), solvers, ratios, problems: costs.len() }
    }

    /// `rho_s(tau)`.
    pub fn rho(&self, solver: usize, tau: f64) -> f64 {
        if self.problems == 0 {
            return 0.0;
        }
        let count = self.ratios[solver].partition_point(|&r| r <= tau);
        count as f64 / self.problems as f64
    }

    /// The largest finite ratio (at least 2), the right end of the plot.
    pub fn tau_max(&self) -> f64 {
        self.ratios.iter().flatten().copied().fold(2.0, f64::max)
    }

    /// Step-curve vertices `(log2 tau, rho)` of one solver, from `tau = 1` to `tau_max`.
    pub fn curve(&self, solver: usize) -> Vec<(f64, f64)> {
        let tau_max = self.tau_max();
        let mut pts = vec![(0.0, self.rho(solver, 1.0))];
        for &r in &self.ratios[solver] {
            if r > 1.0 {
                let x = r.log2();
                let before = pts.last().map_or(0.0, |p| p.1);
                pts.push((x, before));
                pts.push((x, self.rho(solver, r)));
            }
        }
        pts.push((tau_max.log2(), self.rho(solver, tau_max)));
        pts
    }
}

fn register_font() {
    use std::sync::Once;
    static FONT: Once = Once::new();
    FONT.call_once(|| {
        // DejaVu Sans is embedded by the `dejavu` crate: no system font is needed.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    });
}

fn draw<DB: DrawingBackend>(
    profile: &Profile,
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let x_max = profile.tau_max().log2() * 1.02;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..x_max.max(1.0), 0.0..1.02)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(format!("log2(tau): {} within a factor tau of the best", profile.metric))
        .y_desc("fraction of problems")
        .draw()
        .map_err(|e| e.to_string())?;
    for (s, name) in profile.solvers.iter().enumerate() {
        let color = Palette99::pick(s).to_rgba();
        chart
            .draw_series(LineSeries::new(profile.curve(s), color.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// A cost of a run for a profile: `(metric name, cost of a record)`.
pub type Metric<R> = (&'static str, fn(&R) -> f64);

/// The profiles of `records` for each metric: one curve per distinct `solver(r)`, one problem
/// per distinct `key(r)`, runs with `solved(r)` false counted as failures.
pub fn profiles_of<R>(
    records: &[R],
    solver: impl Fn(&R) -> String,
    key: impl Fn(&R) -> String,
    solved: impl Fn(&R) -> bool,
    metrics: &[Metric<R>],
) -> Vec<Profile> {
    let mut solvers: Vec<String> = records.iter().map(&solver).collect();
    solvers.sort();
    solvers.dedup();
    let mut keys: Vec<String> = records.iter().map(&key).collect();
    keys.sort();
    keys.dedup();
    metrics
        .iter()
        .map(|(name, cost)| {
            let costs: Vec<Vec<Option<f64>>> = keys
                .iter()
                .map(|k| {
                    solvers
                        .iter()
                        .map(|s| {
                            records.iter().find(|r| solver(r) == *s && key(r) == *k).filter(|r| solved(r)).map(cost)
                        })
                        .collect()
                })
                .collect();
            Profile::new(name, solvers.clone(), &costs)
        })
        .collect()
}

/// Writes each profile as `{prefix}_{metric}.svg` and `.png` in `dir` with the title
/// `"{title}: performance profile, {metric}"`; returns the paths written.
pub fn write_all(profiles: &[Profile], dir: &Path, prefix: &str, title: &str) -> Result<Vec<String>, String> {
    let mut written = Vec::new();
    for prof in profiles {
        let heading = format!("{title}: performance profile, {}", prof.metric);
        for ext in ["svg", "png"] {
            let path = dir.join(format!("{prefix}_{}.{ext}", prof.metric));
            if ext == "svg" {
                write_svg(prof, &path, &heading)?;
            } else {
                write_png(prof, &path, &heading)?;
            }
            written.push(path.display().to_string());
        }
    }
    Ok(written)
}

/// Writes the profile as an SVG file.
pub fn write_svg(profile: &Profile, path: &Path, title: &str) -> Result<(), String> {
    register_font();
    let root = SVGBackend::new(path, (800, 560)).into_drawing_area();
    draw(profile, root, title)
}

/// Writes the profile as a PNG file.
pub fn write_png(profile: &Profile, path: &Path, title: &str) -> Result<(), String> {
    register_font();
    let root = BitMapBackend::new(path, (800, 560)).into_drawing_area();
    draw(profile, root, title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_and_rho() {
        // Two solvers, three problems: A best on p0, B best on p1, only A solves p2.
        let costs = vec![vec![Some(10.0), Some(20.0)], vec![Some(30.0), Some(15.0)], vec![Some(5.0), None]];
        let p = Profile::new("iterations", vec!["A".into(), "B".into()], &costs);
        assert_eq!(p.ratios[0], vec![1.0, 1.0, 2.0]);
        assert_eq!(p.ratios[1], vec![1.0, 2.0]);
        assert!((p.rho(0, 1.0) - 2.0 / 3.0).abs() < 1e-15);
        assert!((p.rho(1, 1.0) - 1.0 / 3.0).abs() < 1e-15);
        assert!((p.rho(1, 10.0) - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(p.tau_max(), 2.0);
        let c = p.curve(0);
        assert_eq!(c.first(), Some(&(0.0, 2.0 / 3.0)));
        assert_eq!(c.last(), Some(&(1.0, 1.0)));
    }

    #[test]
    fn unsolved_problems_lower_every_curve() {
        let costs = vec![vec![Some(1.0)], vec![None]];
        let p = Profile::new("seconds", vec!["A".into()], &costs);
        assert_eq!(p.rho(0, 100.0), 0.5);
    }
}
