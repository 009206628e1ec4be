//! Solving problems written with nalgebra types (feature `nalgebra`).
//!
//! Run with `cargo run --release --example nalgebra_interop --features nalgebra`.
//!
//! 1. A dense objective with `DVector` / `DMatrix`, solved with the More-Sorensen step and
//!    with Steihaug-Toint CG; the solution comes back as a `DVector`.
//! 2. A sparse Hessian as a nalgebra-sparse `CscMatrix` (lower triangle), viewed by faer
//!    without copies, solved with the sparse More-Sorensen step.
//! 3. A least-squares fit with a `DMatrix` Jacobian.

use nalgebra::{DMatrix, DVector};
use nalgebra_sparse::{CooMatrix, CscMatrix};
use trust_region::interop::nalgebra::{
    csc_as_faer, NalgebraHessian, NalgebraJacobian, NalgebraObjective, NalgebraResiduals, NalgebraSolve,
    NalgebraSparseHessian,
};
use trust_region::subproblem::{Dogleg, MoreSorensen, Steihaug};
use trust_region::TrustRegion;

/// `f(x) = 1/2 x'Ax - b'x + 1/4 sum x_i^4` with a dense SPD `A`.
struct QuarticBowl {
    a: DMatrix<f64>,
    b: DVector<f64>,
}

impl NalgebraObjective for QuarticBowl {
    fn dim(&self) -> usize {
        self.b.len()
    }
    fn value(&self, x: &DVector<f64>) -> f64 {
        0.5 * x.dot(&(&self.a * x)) - self.b.dot(x) + 0.25 * x.iter().map(|v| v.powi(4)).sum::<f64>()
    }
    fn gradient(&self, x: &DVector<f64>) -> DVector<f64> {
        &self.a * x - &self.b + x.map(|v| v.powi(3))
    }
}

impl NalgebraHessian for QuarticBowl {
    fn hessian(&self, x: &DVector<f64>) -> DMatrix<f64> {
        &self.a + DMatrix::from_diagonal(&x.map(|v| 3.0 * v * v))
    }
    fn hessian_product(&self, x: &DVector<f64>, v: &DVector<f64>) -> DVector<f64> {
        &self.a * v + x.zip_map(v, |xi, vi| 3.0 * xi * xi * vi)
    }
}

/// A 1-D discretized nonlinear diffusion energy with a tridiagonal Hessian:
/// `f(u) = sum_i (u_{i+1} - u_i)^2 / 2 + h^2 sum_i (cosh(u_i) - s_i u_i)`.
struct Diffusion {
    n: usize,
    h2: f64,
}

impl Diffusion {
    fn source(&self, i: usize) -> f64 {
        1.0 + (i as f64 * 6.0 / self.n as f64).sin()
    }
}

impl NalgebraObjective for Diffusion {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, u: &DVector<f64>) -> f64 {
        let diff: f64 = (1..self.n).map(|i| 0.5 * (u[i] - u[i - 1]).powi(2)).sum();
        diff + self.h2 * (0..self.n).map(|i| u[i].cosh() - self.source(i) * u[i]).sum::<f64>()
    }
    fn gradient(&self, u: &DVector<f64>) -> DVector<f64> {
        DVector::from_fn(self.n, |i, _| {
            let mut g = self.h2 * (u[i].sinh() - self.source(i));
            if i > 0 {
                g += u[i] - u[i - 1];
            }
            if i + 1 < self.n {
                g -= u[i + 1] - u[i];
            }
            g
        })
    }
}

impl NalgebraSparseHessian for Diffusion {
    fn sparse_hessian(&self, u: &DVector<f64>) -> CscMatrix<f64> {
        let mut coo = CooMatrix::new(self.n, self.n);
        for i in 0..self.n {
            let links = usize::from(i > 0) + usize::from(i + 1 < self.n);
            coo.push(i, i, links as f64 + self.h2 * u[i].cosh());
            if i + 1 < self.n {
                coo.push(i + 1, i, -1.0);
            }
        }
        CscMatrix::from(&coo)
    }
}

/// Fit `y = a exp(-b t) + c` to noisy-looking data.
struct Decay {
    t: Vec<f64>,
    y: Vec<f64>,
}

impl NalgebraResiduals for Decay {
    fn dim(&self) -> usize {
        3
    }
    fn residual_count(&self) -> usize {
        self.t.len()
    }
    fn residuals(&self, p: &DVector<f64>) -> DVector<f64> {
        DVector::from_fn(self.t.len(), |i, _| p[0] * (-p[1] * self.t[i]).exp() + p[2] - self.y[i])
    }
}

impl NalgebraJacobian for Decay {
    fn jacobian(&self, p: &DVector<f64>) -> DMatrix<f64> {
        DMatrix::from_fn(self.t.len(), 3, |i, j| {
            let e = (-p[1] * self.t[i]).exp();
            match j {
                0 => e,
                1 => -p[0] * self.t[i] * e,
                _ => 1.0,
            }
        })
    }
}

fn main() -> Result<(), trust_region::SetupError> {
    let n = 30;
    let m = DMatrix::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5);
    let a = &m * m.transpose() + DMatrix::identity(n, n);
    let b = DVector::from_fn(n, |i, _| (i as f64).cos());
    let bowl = QuarticBowl { a, b };
    let x0 = DVector::zeros(n);

    let (x_exact, report) = TrustRegion::new(MoreSorensen::new()).minimize_dense_nalgebra(&bowl, &x0)?;
    println!("dense quartic bowl (n = {n}), More-Sorensen:\n{report}");
    let (x_cg, report) = TrustRegion::new(Steihaug::new()).minimize_nalgebra(&bowl, &x0)?;
    println!("dense quartic bowl (n = {n}), Steihaug-Toint:\n{report}");
    println!(
        "|grad f(x)|_inf = {:.2e}, |x_exact - x_cg|_inf = {:.2e}\n",
        bowl.gradient(&x_exact).amax(),
        (&x_exact - &x_cg).amax()
    );

    let n = 2000;
    let diffusion = Diffusion { n, h2: 1.0 / (n as f64 * n as f64) * 100.0 };
    let u0 = DVector::zeros(n);
    let h0 = diffusion.sparse_hessian(&u0);
    let view = csc_as_faer(&h0); // zero-copy view of the nalgebra-sparse storage
    println!("sparse Hessian: {n} x {n}, {} stored entries (lower triangle), viewed by faer", view.compute_nnz());
    let (u, report) = TrustRegion::new(MoreSorensen::new()).minimize_sparse_nalgebra(&diffusion, &u0)?;
    println!("nonlinear diffusion, sparse More-Sorensen:\n{report}");
    println!("u[0] = {:.6}, u[n/2] = {:.6}, u[n-1] = {:.6}\n", u[0], u[n / 2], u[n - 1]);

    let t: Vec<f64> = (0..40).map(|i| i as f64 * 0.25).collect();
    let y = t.iter().map(|&ti| 4.0 * (-0.6 * ti).exp() + 0.5 + 0.02 * (7.0 * ti).sin()).collect();
    let (p, report) = TrustRegion::new(Dogleg::new())
        .least_squares_nalgebra(&Decay { t, y }, &DVector::from_vec(vec![1.0, 0.1, 0.0]))?;
    println!("exponential decay fit, dogleg:\n{report}");
    println!("a = {:.4}, b = {:.4}, c = {:.4}", p[0], p[1], p[2]);
    Ok(())
}
