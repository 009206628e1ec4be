//! Exact derivatives by automatic differentiation (feature `autodiff`).
//!
//! Run with `cargo run --release --example autodiff --features autodiff`.
//!
//! 1. A small function written once, generic over num-dual scalars: gradient by forward mode
//!    and the dense Hessian by hyper-dual numbers, solved with the More-Sorensen step.
//! 2. A large problem (n = 100,000) whose gradient is written once, generic: exact
//!    Hessian-vector products at the cost of one gradient, solved with Steihaug-Toint CG.

use trust_region::autodiff::{AutoDiff, AutoHessian, DualNum, GradientFunction, ScalarFunction};
use trust_region::subproblem::{MoreSorensen, Steihaug};
use trust_region::TrustRegion;

/// Wood's function (n = 4), written once.
struct Wood;

impl ScalarFunction for Wood {
    fn dim(&self) -> usize {
        4
    }
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D]) -> D {
        let a = x[1] - x[0] * x[0];
        let b = -x[0] + 1.0;
        let c = x[3] - x[2] * x[2];
        let d = -x[2] + 1.0;
        let e = x[1] + x[3] - 2.0;
        let f = x[1] - x[3];
        a * a * 100.0 + b * b + c * c * 90.0 + d * d + e * e * 10.0 + f * f * 0.1
    }
}

/// A chain with exponential and trigonometric terms, any n:
/// `f(x) = sum_i [exp(x_i) - x_i] + sum_i (x_{i+1} - x_i)^2 + 0.1 sum_i sin(x_i)^2`, minimum at 0.
struct Chain(usize);

impl GradientFunction for Chain {
    fn dim(&self) -> usize {
        self.0
    }
    fn value(&self, x: &[f64]) -> f64 {
        x.iter().map(|&xi| xi.exp() - xi + 0.1 * xi.sin().powi(2)).sum::<f64>()
            + x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>()
    }
    fn gradient<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], g: &mut [D]) {
        let n = x.len();
        for i in 0..n {
            let (s, c) = x[i].sin_cos();
            g[i] = x[i].exp() - 1.0 + s * c * 0.2;
            if i > 0 {
                g[i] += (x[i] - x[i - 1]) * 2.0;
            }
            if i + 1 < n {
                g[i] -= (x[i + 1] - x[i]) * 2.0;
            }
        }
    }
}

fn main() -> Result<(), trust_region::SetupError> {
    println!("Wood's function, gradient and Hessian by num-dual, More-Sorensen step:");
    let report = TrustRegion::new(MoreSorensen::new())
        .solve(trust_region::Newton::dense(&AutoDiff(Wood)), &[-3.0, -1.0, -3.0, -1.0])?;
    println!("{report}");
    println!("x = {:?}\n", report.x);

    let n = 100_000;
    let x0: Vec<f64> = (0..n).map(|i| 1.0 + 0.5 * (i as f64).sin()).collect();
    println!("Chain, n = {n}, exact Hessian-vector products from the generic gradient, Steihaug-Toint CG:");
    let report = TrustRegion::new(Steihaug::new()).minimize(&AutoHessian(Chain(n)), &x0)?;
    println!("{report}");
    let err = report.x.iter().fold(0.0f64, |m, &xi| m.max(xi.abs()));
    println!("max |x_i - 0| = {err:.2e}");
    Ok(())
}
