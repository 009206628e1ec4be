//! Feature `autodiff`: exact derivatives from num-dual against analytic ones, and full solves.
#![cfg(feature = "autodiff")]

use faer::Mat;
use trust_region::autodiff::{AutoDiff, AutoHessian, DualNum, GradientFunction, ScalarFunction};
use trust_region::subproblem::{MoreSorensen, Steihaug};
use trust_region::{DenseHessian, HessianProduct, Objective, TrustRegion};

/// Checks that `a` and `b` agree to a relative `tol`.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

// ----------------------------------------------------------------------------------------------
// Test functions, generic once, with analytic derivatives
// ----------------------------------------------------------------------------------------------

/// Rosenbrock in 2 variables.
struct Rosenbrock;

impl ScalarFunction for Rosenbrock {
    fn dim(&self) -> usize {
        2
    }
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D]) -> D {
        let a = x[1] - x[0] * x[0];
        let b = -x[0] + 1.0;
        a * a * 100.0 + b * b
    }
}

fn rosen_grad(x: &[f64]) -> Vec<f64> {
    vec![-400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]), 200.0 * (x[1] - x[0] * x[0])]
}

fn rosen_hess(x: &[f64]) -> Vec<Vec<f64>> {
    vec![vec![1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0, -400.0 * x[0]], vec![-400.0 * x[0], 200.0]]
}

/// f(x) = sum_i i x_i^4 + (sum_i x_i)^2 (a quartic with a dense Hessian).
struct Quartic(usize);

impl ScalarFunction for Quartic {
    fn dim(&self) -> usize {
        self.0
    }
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D]) -> D {
        let mut f = D::from(0.0);
        let mut s = D::from(0.0);
        for (i, &xi) in x.iter().enumerate() {
            f += xi.powi(4) * (i + 1) as f64;
            s += xi;
        }
        f + s * s
    }
}

fn quartic_grad(x: &[f64]) -> Vec<f64> {
    let s: f64 = x.iter().sum();
    x.iter().enumerate().map(|(i, &xi)| 4.0 * (i + 1) as f64 * xi.powi(3) + 2.0 * s).collect()
}

fn quartic_hess(x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    (0..n)
        .map(|i| (0..n).map(|j| 2.0 + if i == j { 12.0 * (i + 1) as f64 * x[i] * x[i] } else { 0.0 }).collect())
        .collect()
}

/// f(x) = exp(x0 x1) + sin(x1) cos(x2) + x2^2 / 2.
struct ExpSin;

impl ScalarFunction for ExpSin {
    fn dim(&self) -> usize {
        3
    }
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D]) -> D {
        (x[0] * x[1]).exp() + x[1].sin() * x[2].cos() + x[2] * x[2] * 0.5
    }
}

fn expsin_grad(x: &[f64]) -> Vec<f64> {
    let e = (x[0] * x[1]).exp();
    vec![x[1] * e, x[0] * e + x[1].cos() * x[2].cos(), -x[1].sin() * x[2].sin() + x[2]]
}

fn expsin_hess(x: &[f64]) -> Vec<Vec<f64>> {
    let e = (x[0] * x[1]).exp();
    let h00 = x[1] * x[1] * e;
    let h01 = e + x[0] * x[1] * e;
    let h11 = x[0] * x[0] * e - x[1].sin() * x[2].cos();
    let h12 = -x[1].cos() * x[2].sin();
    let h22 = -x[1].sin() * x[2].cos() + 1.0;
    vec![vec![h00, h01, 0.0], vec![h01, h11, h12], vec![0.0, h12, h22]]
}

fn check_scalar<F: ScalarFunction>(f: F, x: &[f64], grad: &[f64], hess: &[Vec<f64>], value: f64) {
    let n = x.len();
    let ad = AutoDiff(f);
    assert!(close(ad.value(x), value, 1e-14));
    let mut g = vec![0.0; n];
    let fv = ad.value_and_gradient(x, &mut g);
    assert!(close(fv, value, 1e-14));
    for i in 0..n {
        assert!(close(g[i], grad[i], 1e-13), "g[{i}] {} vs {}", g[i], grad[i]);
    }
    let mut h = Mat::<f64>::zeros(n, n);
    ad.hessian(x, h.as_mut());
    let hm = ad.hessian_matrix(x);
    for i in 0..n {
        for j in 0..n {
            assert!(close(h[(i, j)], hess[i][j], 1e-13), "H[{i},{j}] {} vs {}", h[(i, j)], hess[i][j]);
            assert_eq!(h[(i, j)], hm[i][j]);
        }
    }
    let v: Vec<f64> = (0..n).map(|i| 0.3 - 0.7 * i as f64).collect();
    let mut hv = vec![0.0; n];
    ad.hessian_product(x, &v, &mut hv);
    for i in 0..n {
        let expected: f64 = (0..n).map(|j| hess[i][j] * v[j]).sum();
        assert!(close(hv[i], expected, 1e-13), "Hv[{i}] {} vs {expected}", hv[i]);
    }
}

#[test]
fn scalar_function_matches_analytic_derivatives() {
    for x in [[-1.2, 1.0], [0.3, -2.0], [1.0, 1.0]] {
        let value = 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
        check_scalar(Rosenbrock, &x, &rosen_grad(&x), &rosen_hess(&x), value);
    }
    let x = [0.5, -1.0, 2.0, 0.25, -0.75];
    let s: f64 = x.iter().sum();
    let value = x.iter().enumerate().map(|(i, xi)| (i + 1) as f64 * xi.powi(4)).sum::<f64>() + s * s;
    check_scalar(Quartic(5), &x, &quartic_grad(&x), &quartic_hess(&x), value);
    let x = [0.4, -0.9, 1.3];
    let value = (x[0] * x[1]).exp() + x[1].sin() * x[2].cos() + 0.5 * x[2] * x[2];
    check_scalar(ExpSin, &x, &expsin_grad(&x), &expsin_hess(&x), value);
}

// ----------------------------------------------------------------------------------------------
// Generic gradients (any n)
// ----------------------------------------------------------------------------------------------

/// The same three functions through a hand-written generic gradient.
struct QuarticGrad(usize);

impl GradientFunction for QuarticGrad {
    fn dim(&self) -> usize {
        self.0
    }
    fn value(&self, x: &[f64]) -> f64 {
        Quartic(self.0).eval(x)
    }
    fn gradient<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], g: &mut [D]) {
        let s = x.iter().fold(D::from(0.0), |acc, &xi| acc + xi);
        for (i, (gi, &xi)) in g.iter_mut().zip(x).enumerate() {
            *gi = xi.powi(3) * (4.0 * (i + 1) as f64) + s * 2.0;
        }
    }
}

struct ExpSinGrad;

impl GradientFunction for ExpSinGrad {
    fn dim(&self) -> usize {
        3
    }
    fn value(&self, x: &[f64]) -> f64 {
        ExpSin.eval(x)
    }
    fn gradient<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], g: &mut [D]) {
        let e = (x[0] * x[1]).exp();
        g[0] = x[1] * e;
        g[1] = x[0] * e + x[1].cos() * x[2].cos();
        g[2] = -x[1].sin() * x[2].sin() + x[2];
    }
}

fn check_gradient_fn<G: GradientFunction>(f: G, x: &[f64], grad: &[f64], hess: &[Vec<f64>]) {
    let n = x.len();
    let ad = AutoHessian(f);
    let mut g = vec![0.0; n];
    ad.gradient(x, &mut g);
    for i in 0..n {
        assert!(close(g[i], grad[i], 1e-14));
    }
    let mut h = Mat::<f64>::zeros(n, n);
    ad.hessian(x, h.as_mut());
    for i in 0..n {
        for j in 0..n {
            assert!(close(h[(i, j)], hess[i][j], 1e-13), "H[{i},{j}] {} vs {}", h[(i, j)], hess[i][j]);
            assert_eq!(h[(i, j)], h[(j, i)]);
        }
    }
    for k in 0..3 {
        let v: Vec<f64> = (0..n).map(|i| ((i + k) as f64).sin()).collect();
        let mut hv = vec![0.0; n];
        ad.hessian_product(x, &v, &mut hv);
        for i in 0..n {
            let expected: f64 = (0..n).map(|j| hess[i][j] * v[j]).sum();
            assert!(close(hv[i], expected, 1e-13), "Hv[{i}] {} vs {expected}", hv[i]);
        }
    }
}

#[test]
fn gradient_function_matches_analytic_derivatives() {
    let x = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5];
    check_gradient_fn(QuarticGrad(6), &x, &quartic_grad(&x), &quartic_hess(&x));
    let x = [0.4, -0.9, 1.3];
    check_gradient_fn(ExpSinGrad, &x, &expsin_grad(&x), &expsin_hess(&x));
}

/// Extended Rosenbrock with a generic gradient, large n.
struct ExtendedRosenbrock(usize);

impl GradientFunction for ExtendedRosenbrock {
    fn dim(&self) -> usize {
        self.0
    }
    fn value(&self, x: &[f64]) -> f64 {
        x.chunks(2).map(|p| 100.0 * (p[1] - p[0] * p[0]).powi(2) + (1.0 - p[0]).powi(2)).sum()
    }
    fn gradient<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], g: &mut [D]) {
        for (p, gp) in x.chunks(2).zip(g.chunks_mut(2)) {
            let a = p[1] - p[0] * p[0];
            gp[0] = -p[0] * a * 400.0 + (p[0] - 1.0) * 2.0;
            gp[1] = a * 200.0;
        }
    }
}

#[test]
fn hessian_vector_products_at_large_n_are_exact() {
    let n = 10_000;
    let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let v: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
    let mut hv = vec![0.0; n];
    AutoHessian(ExtendedRosenbrock(n)).hessian_product(&x, &v, &mut hv);
    for k in 0..n / 2 {
        let h = rosen_hess(&x[2 * k..2 * k + 2]);
        for r in 0..2 {
            let expected = h[r][0] * v[2 * k] + h[r][1] * v[2 * k + 1];
            assert!(close(hv[2 * k + r], expected, 1e-13));
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Full solves
// ----------------------------------------------------------------------------------------------

#[test]
fn solves_with_automatic_derivatives() {
    for report in [
        TrustRegion::new(MoreSorensen::new())
            .solve(trust_region::Newton::dense(&AutoDiff(Rosenbrock)), &[-1.2, 1.0])
            .unwrap(),
        TrustRegion::new(Steihaug::new()).minimize(&AutoDiff(Rosenbrock), &[-1.2, 1.0]).unwrap(),
    ] {
        assert!(report.converged(), "{report}");
        assert!(report.x.iter().all(|&xi| (xi - 1.0).abs() < 1e-6), "{:?}", report.x);
    }

    let report = TrustRegion::new(MoreSorensen::new())
        .solve(trust_region::Newton::dense(&AutoDiff(ExpSin)), &[0.0, 0.0, 0.0])
        .unwrap();
    assert!(report.converged(), "{report}");
    assert!(report.grad_inf < 1e-6);

    let n = 1000;
    let x0: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    let report = TrustRegion::new(Steihaug::new()).minimize(&AutoHessian(ExtendedRosenbrock(n)), &x0).unwrap();
    assert!(report.converged(), "{report}");
    assert!(report.x.iter().all(|&xi| (xi - 1.0).abs() < 1e-6));

    // automatic and hand-written derivatives give the same iterates
    struct Hand;
    impl Objective for Hand {
        fn dim(&self) -> usize {
            2
        }
        fn value(&self, x: &[f64]) -> f64 {
            Rosenbrock.eval(x)
        }
        fn gradient(&self, x: &[f64], g: &mut [f64]) {
            g.copy_from_slice(&rosen_grad(x));
        }
    }
    impl DenseHessian for Hand {
        fn hessian(&self, x: &[f64], mut hess: faer::MatMut<'_, f64>) {
            let h = rosen_hess(x);
            for i in 0..2 {
                for j in 0..2 {
                    hess[(i, j)] = h[i][j];
                }
            }
        }
    }
    let a = TrustRegion::new(MoreSorensen::new()).solve(trust_region::Newton::dense(&Hand), &[-1.2, 1.0]).unwrap();
    let b = TrustRegion::new(MoreSorensen::new())
        .solve(trust_region::Newton::dense(&AutoDiff(Rosenbrock)), &[-1.2, 1.0])
        .unwrap();
    assert_eq!(a.iterations, b.iterations);
    for (xa, xb) in a.x.iter().zip(&b.x) {
        assert!((xa - xb).abs() < 1e-12);
    }
}
