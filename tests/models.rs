//! The problem adapters agree: the same problem given as Hessian products, a dense Hessian or
//! a sparse Hessian (and as residuals with a dense or sparse Jacobian) gives the same iterates.

use faer::sparse::{SparseColMat, SymbolicSparseColMat, Triplet};
use faer::MatMut;
use trust_region::subproblem::{Cauchy, Steihaug};
use trust_region::{
    DenseHessian, DenseJacobian, HessianProduct, Objective, Residuals, SetupError, SparseHessian, SparseJacobian,
    TrustRegion,
};

/// Broyden tridiagonal residuals `r_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1`.
struct Broyden {
    n: usize,
}

impl Broyden {
    fn entries(&self, x: &[f64], mut emit: impl FnMut(usize, usize, f64)) {
        for j in 0..self.n {
            if j > 0 {
                emit(j - 1, j, -2.0);
            }
            emit(j, j, 3.0 - 4.0 * x[j]);
            if j + 1 < self.n {
                emit(j + 1, j, -1.0);
            }
        }
    }
}

impl Residuals for Broyden {
    fn dim(&self) -> usize {
        self.n
    }
    fn residual_count(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..self.n {
            let prev = if i > 0 { x[i - 1] } else { 0.0 };
            let next = if i + 1 < self.n { x[i + 1] } else { 0.0 };
            r[i] = (3.0 - 2.0 * x[i]) * x[i] - prev - 2.0 * next + 1.0;
        }
    }
}

impl DenseJacobian for Broyden {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        self.entries(x, |r, c, v| j[(r, c)] = v);
    }
}

impl SparseJacobian for Broyden {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let mut t = Vec::new();
        self.entries(&vec![0.0; self.n], |r, c, _| t.push(Triplet::new(r, c, 0.0)));
        SparseColMat::try_new_from_triplets(self.n, self.n, &t).unwrap().symbolic().to_owned().unwrap()
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        let mut k = 0;
        self.entries(x, |_, _, v| {
            values[k] = v;
            k += 1;
        });
    }
}

/// `f(x) = sum_i (x_i^2 - i)^2 / 4 + sum_i (x_{i+1} - x_i)^2 / 2`: tridiagonal Hessian,
/// nonconvex near the start.
struct Chain {
    n: usize,
}

impl Chain {
    fn hess_entries(&self, x: &[f64], mut emit: impl FnMut(usize, usize, f64)) {
        for j in 0..self.n {
            let mut d = 3.0 * x[j] * x[j] - (j as f64);
            d += if j == 0 || j + 1 == self.n { 1.0 } else { 2.0 };
            emit(j, j, d);
            if j + 1 < self.n {
                emit(j + 1, j, -1.0);
            }
        }
    }
}

impl Objective for Chain {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        let a: f64 = x.iter().enumerate().map(|(i, &v)| (v * v - i as f64).powi(2) / 4.0).sum();
        let b: f64 = x.windows(2).map(|w| (w[1] - w[0]).powi(2) / 2.0).sum();
        a + b
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        for i in 0..self.n {
            g[i] = x[i] * (x[i] * x[i] - i as f64);
        }
        for i in 0..self.n - 1 {
            let d = x[i + 1] - x[i];
            g[i] -= d;
            g[i + 1] += d;
        }
    }
}

impl HessianProduct for Chain {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        hv.iter_mut().for_each(|h| *h = 0.0);
        self.hess_entries(x, |i, j, h| {
            hv[i] += h * v[j];
            if i != j {
                hv[j] += h * v[i];
            }
        });
    }
}

impl DenseHessian for Chain {
    fn hessian(&self, x: &[f64], mut h: MatMut<'_, f64>) {
        h.fill(0.0);
        self.hess_entries(x, |i, j, v| {
            h[(i, j)] = v;
            h[(j, i)] = v;
        });
    }
}

impl SparseHessian for Chain {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let mut t = Vec::new();
        self.hess_entries(&vec![0.0; self.n], |i, j, _| t.push(Triplet::new(i, j, 0.0)));
        SparseColMat::try_new_from_triplets(self.n, self.n, &t).unwrap().symbolic().to_owned().unwrap()
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        let mut k = 0;
        self.hess_entries(x, |_, _, v| {
            values[k] = v;
            k += 1;
        });
    }
}

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol * (1.0 + x.abs()))
}

#[test]
fn newton_adapters_agree() {
    let p = Chain { n: 60 };
    let x0: Vec<f64> = (0..p.n).map(|i| 0.5 + 0.01 * i as f64).collect();
    let a = TrustRegion::new(Steihaug::new()).minimize(&p, &x0).unwrap();
    let b = TrustRegion::new(Steihaug::new()).solve(trust_region::Newton::dense(&p), &x0).unwrap();
    let c = TrustRegion::new(Steihaug::new()).solve(trust_region::Newton::sparse(&p), &x0).unwrap();
    assert!(
        a.converged() && b.converged() && c.converged(),
        "{} / {} / {}",
        a.termination,
        b.termination,
        c.termination
    );
    assert_eq!(a.iterations, b.iterations);
    assert_eq!(a.iterations, c.iterations);
    assert!(close(&a.x, &b.x, 1e-8) && close(&a.x, &c.x, 1e-8));
    assert!(a.evaluations.hv > 0 && b.evaluations.h > 0 && c.evaluations.h > 0);
}

#[test]
fn gauss_newton_adapters_agree() {
    let p = Broyden { n: 50 };
    let x0 = vec![-1.0; p.n];
    let a = TrustRegion::new(Steihaug::new()).solve(trust_region::GaussNewton::dense(&p), &x0).unwrap();
    let b = TrustRegion::new(Steihaug::new()).solve(trust_region::GaussNewton::sparse(&p), &x0).unwrap();
    assert!(a.converged() && b.converged());
    assert_eq!(a.iterations, b.iterations);
    assert!(close(&a.x, &b.x, 1e-8));
    assert!(a.f < 1e-12, "a root: f = {}", a.f);
    let c = TrustRegion::new(Cauchy::new()).solve(trust_region::GaussNewton::sparse(&p), &x0).unwrap();
    assert!(c.f < 0.5 * a.f.max(1.0) * 1e3);
}

/// A pattern without a diagonal entry or with an upper-triangle entry is a setup error.
struct BadPattern {
    upper: bool,
}

impl Objective for BadPattern {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        x[0] * x[0] + x[1] * x[1]
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g[0] = 2.0 * x[0];
        g[1] = 2.0 * x[1];
    }
}

impl SparseHessian for BadPattern {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let t: Vec<Triplet<usize, usize, f64>> = if self.upper {
            vec![Triplet::new(0, 0, 0.0), Triplet::new(0, 1, 0.0), Triplet::new(1, 1, 0.0)]
        } else {
            vec![Triplet::new(0, 0, 0.0)]
        };
        SparseColMat::try_new_from_triplets(2, 2, &t).unwrap().symbolic().to_owned().unwrap()
    }
    fn hessian_values(&self, _x: &[f64], values: &mut [f64]) {
        values.iter_mut().for_each(|v| *v = 2.0);
    }
}

#[test]
fn bad_sparse_patterns_are_setup_errors() {
    for upper in [false, true] {
        let r =
            TrustRegion::new(Steihaug::new()).solve(trust_region::Newton::sparse(&BadPattern { upper }), &[1.0, 1.0]);
        assert!(matches!(r, Err(SetupError::InvalidPattern(_))), "{r:?}");
    }
}
