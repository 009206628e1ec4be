//! A bound-constrained nonlinear system with the scaled interior trust region: the chemical
//! equilibrium problem of Meintjes & Morgan (Floudas et al. 1999, test 14.1.2), n = 5, in the
//! box [1e-4, 100]^5, written inline with its dense Jacobian.
//!
//! Run with `cargo run --release --example bounded_system`.

use faer::MatMut;
use trust_region::solver::interior::{Interior, InteriorOptions, StepRule};
use trust_region::{Bounds, DenseJacobian, Residuals, Scaling, SetupError};

/// Floudas 14.1.2. `c = 2` is the Meintjes-Morgan form, `c = 3` the GLOBALLib one.
struct ChemicalEquilibrium {
    c: f64,
}

const R: f64 = 10.0;
const R5: f64 = 0.193;

fn constants() -> (f64, f64, f64, f64, f64) {
    let s = 40f64.sqrt();
    // R6, R7, R8, R9, R10.
    (0.002597 / s, 0.003448 / s, 1.799e-5 / 40.0, 2.155e-4 / s, 3.846e-5 / 40.0)
}

impl Residuals for ChemicalEquilibrium {
    fn dim(&self) -> usize {
        5
    }
    fn residual_count(&self) -> usize {
        5
    }
    fn residuals(&self, y: &[f64], f: &mut [f64]) {
        let (r6, r7, r8, r9, r10) = constants();
        let (y1, y2, y3, y4, y5) = (y[0], y[1], y[2], y[3], y[4]);
        f[0] = y1 * y2 + y1 - 3.0 * y5;
        f[1] =
            2.0 * y1 * y2 + y1 + y2 * y3 * y3 + r8 * y2 - R * y5 + self.c * r10 * y2 * y2 + r7 * y2 * y3 + r9 * y2 * y4;
        f[2] = 2.0 * y2 * y3 * y3 + 2.0 * R5 * y3 * y3 - 8.0 * y5 + r6 * y3 + r7 * y2 * y3;
        f[3] = r9 * y2 * y4 + 2.0 * y4 * y4 - 4.0 * R * y5;
        f[4] = y1 * y2 + y1 + r10 * y2 * y2 + y2 * y3 * y3 + r8 * y2 + R5 * y3 * y3 + y4 * y4 - 1.0
            + r6 * y3
            + r7 * y2 * y3
            + r9 * y2 * y4;
    }
}

impl DenseJacobian for ChemicalEquilibrium {
    fn jacobian(&self, y: &[f64], mut j: MatMut<'_, f64>) {
        let (r6, r7, r8, r9, r10) = constants();
        let (y1, y2, y3, y4) = (y[0], y[1], y[2], y[3]);
        j.fill(0.0);
        j[(0, 0)] = y2 + 1.0;
        j[(0, 1)] = y1;
        j[(0, 4)] = -3.0;
        j[(1, 0)] = 2.0 * y2 + 1.0;
        j[(1, 1)] = 2.0 * y1 + y3 * y3 + r8 + 2.0 * self.c * r10 * y2 + r7 * y3 + r9 * y4;
        j[(1, 2)] = 2.0 * y2 * y3 + r7 * y2;
        j[(1, 3)] = r9 * y2;
        j[(1, 4)] = -R;
        j[(2, 1)] = 2.0 * y3 * y3 + r7 * y3;
        j[(2, 2)] = 4.0 * y2 * y3 + 4.0 * R5 * y3 + r6 + r7 * y2;
        j[(2, 4)] = -8.0;
        j[(3, 1)] = r9 * y4;
        j[(3, 3)] = r9 * y2 + 4.0 * y4;
        j[(3, 4)] = -4.0 * R;
        j[(4, 0)] = y2 + 1.0;
        j[(4, 1)] = y1 + 2.0 * r10 * y2 + y3 * y3 + r8 + r7 * y3 + r9 * y4;
        j[(4, 2)] = 2.0 * y2 * y3 + 2.0 * R5 * y3 + r6 + r7 * y2;
        j[(4, 3)] = 2.0 * y4 + r9 * y2;
    }
}

fn main() -> Result<(), SetupError> {
    let bounds = Bounds::new(vec![1e-4; 5], vec![100.0; 5])?;
    let quarter = |nu: f64| vec![1e-4 + nu * (100.0 - 1e-4) / 4.0; 5];

    // One run, in full.
    let problem = ChemicalEquilibrium { c: 2.0 };
    let mut options = InteriorOptions::default();
    options.keep_history = true;
    let report = Interior::new(options).solve_dense(&problem, &bounds, &quarter(1.0))?;
    println!("Floudas 14.1.2 (c = 2) from the first quarter point, default options:");
    println!("{report}");
    println!("x = {:?}", report.x);
    println!("iterate  ||F||        radius     ratio     step      scale");
    for h in &report.history {
        println!(
            "{:7}  {:.4e}  {:.3e}  {:8.3}  {:9}  {}",
            h.iteration,
            h.residual_norm,
            h.radius,
            h.ratio,
            h.step.name(),
            h.scale.name()
        );
    }

    // Every scaling x step rule from the three quarter points, both variants of the problem:
    // iterations, or the termination when no root was found.
    for c in [2.0, 3.0] {
        let problem = ChemicalEquilibrium { c };
        println!("\nFloudas 14.1.2, c = {c}: iterations from x0 = l + nu (u - l) / 4, nu = 1, 2, 3");
        for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
            let mut line = format!("{:20}", rule.name());
            for scaling in
                [Scaling::ColemanLi, Scaling::huu(), Scaling::kanzow_klug(), Scaling::default(), Scaling::Adaptive]
            {
                let cells: Vec<String> = [1.0, 2.0, 3.0]
                    .iter()
                    .map(|&nu| {
                        let mut options = InteriorOptions::default();
                        options.scaling = scaling;
                        options.step_rule = rule;
                        match Interior::new(options).solve_dense(&problem, &bounds, &quarter(nu)) {
                            Ok(r) if r.converged() => r.iterations.to_string(),
                            Ok(r) => r.termination.name().to_string(),
                            Err(e) => e.to_string(),
                        }
                    })
                    .collect();
                line += &format!(" {}: {:18}", scaling.name(), cells.join("/"));
            }
            println!("{line}");
        }
    }
    Ok(())
}
