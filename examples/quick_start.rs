//! Quick start: minimize Rosenbrock's function with four step solvers and print the reports.
//!
//! `cargo run --release --example quick_start`

use faer::MatMut;
use trust_region::subproblem::{Cauchy, Dogleg, MoreSorensen, Steihaug};
use trust_region::{DenseHessian, HessianProduct, Objective, SetupError, TrustRegion};

struct Rosenbrock;

impl Objective for Rosenbrock {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
        g[1] = 200.0 * (x[1] - x[0] * x[0]);
    }
}

impl DenseHessian for Rosenbrock {
    fn hessian(&self, x: &[f64], mut h: MatMut<'_, f64>) {
        h[(0, 0)] = 1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0;
        h[(0, 1)] = -400.0 * x[0];
        h[(1, 0)] = -400.0 * x[0];
        h[(1, 1)] = 200.0;
    }
}

impl HessianProduct for Rosenbrock {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let (a, b) = (1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0, -400.0 * x[0]);
        hv[0] = a * v[0] + b * v[1];
        hv[1] = b * v[0] + 200.0 * v[1];
    }
}

fn main() -> Result<(), SetupError> {
    let x0 = [-1.2, 1.0];
    println!("steihaug:\n{}\n", TrustRegion::new(Steihaug::new()).minimize(&Rosenbrock, &x0)?);
    println!(
        "exact:\n{}\n",
        TrustRegion::new(MoreSorensen::new()).solve(trust_region::Newton::dense(&Rosenbrock), &x0)?
    );
    println!("dogleg:\n{}\n", TrustRegion::new(Dogleg::new()).solve(trust_region::Newton::dense(&Rosenbrock), &x0)?);
    let mut cauchy = TrustRegion::new(Cauchy::new());
    cauchy.options.limits.max_iterations = 100_000;
    println!("cauchy:\n{}", cauchy.minimize(&Rosenbrock, &x0)?);
    Ok(())
}
