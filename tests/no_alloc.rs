//! The loops allocate nothing per iteration: a counting global allocator sees no allocation
//! between the first and the last observer call, for every step solver and model.

use std::ops::ControlFlow;

use faer::MatMut;
use trust_region::model::Oracle;
use trust_region::subproblem::{Cauchy, DiagonalPreconditioner, Dogleg, Gltr, MoreSorensen, Steihaug, StepSolverFor};
use trust_region::{DenseHessian, DenseJacobian, HessianProduct, IterationInfo, Objective, Residuals, TrustRegion};

mod counting_alloc;
use counting_alloc::allocations;

/// Chained Rosenbrock in residual form: `r_{2i} = 10 (x_{i+1} - x_i^2)`, `r_{2i+1} = 1 - x_i`.
struct Chained {
    n: usize,
}

impl Residuals for Chained {
    fn dim(&self) -> usize {
        self.n
    }
    fn residual_count(&self) -> usize {
        2 * (self.n - 1)
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..self.n - 1 {
            r[2 * i] = 10.0 * (x[i + 1] - x[i] * x[i]);
            r[2 * i + 1] = 1.0 - x[i];
        }
    }
}

impl DenseJacobian for Chained {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        for i in 0..self.n - 1 {
            j[(2 * i, i)] = -20.0 * x[i];
            j[(2 * i, i + 1)] = 10.0;
            j[(2 * i + 1, i)] = -1.0;
        }
    }
}

impl Objective for Chained {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        (0..self.n - 1).map(|i| 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2)).sum()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..self.n - 1 {
            let t = x[i + 1] - x[i] * x[i];
            g[i] += -400.0 * x[i] * t - 2.0 * (1.0 - x[i]);
            g[i + 1] += 200.0 * t;
        }
    }
}

impl HessianProduct for Chained {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        hv.iter_mut().for_each(|h| *h = 0.0);
        for i in 0..self.n - 1 {
            let a = 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            let b = -400.0 * x[i];
            hv[i] += a * v[i] + b * v[i + 1];
            hv[i + 1] += b * v[i] + 200.0 * v[i + 1];
        }
    }
}

impl DenseHessian for Chained {
    fn hessian(&self, x: &[f64], mut h: MatMut<'_, f64>) {
        h.fill(0.0);
        for i in 0..self.n - 1 {
            h[(i, i)] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            h[(i, i + 1)] += -400.0 * x[i];
            h[(i + 1, i)] += -400.0 * x[i];
            h[(i + 1, i + 1)] += 200.0;
        }
    }
}

/// Runs the loop and returns (iterations observed, allocations between first and last call).
fn count<S: StepSolverFor<O>, O: Oracle>(step: S, oracle: O, n: usize) -> (usize, usize) {
    let x0: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    let mut tr = TrustRegion::new(step);
    tr.options.limits.max_iterations = 200;
    let mut counts = [0usize; 256];
    let mut calls = 0usize;
    let mut observer = |info: &IterationInfo, _: &[f64]| {
        if calls < counts.len() {
            counts[calls] = allocations();
        }
        calls += 1;
        let _ = info;
        ControlFlow::Continue(())
    };
    let report = tr.with_observer(&mut observer).solve(oracle, &x0).expect("valid setup");
    assert!(report.iterations >= 5, "{} iterations: {}", report.iterations, report.termination);

    let last = calls.min(counts.len()) - 1;
    (calls, counts[last] - counts[0])
}

#[test]
fn no_allocation_inside_the_loop() {
    let n = 40;
    let p = Chained { n };
    let cases: Vec<(&str, (usize, usize))> = vec![
        ("steihaug/products", count(Steihaug::new(), trust_region::Newton::products(&p), n)),
        (
            "steihaug-jacobi/dense",
            count(Steihaug::with_preconditioner(DiagonalPreconditioner::default()), trust_region::Newton::dense(&p), n),
        ),
        ("cauchy/products", count(Cauchy::new(), trust_region::Newton::products(&p), n)),
        ("dogleg/dense", count(Dogleg::new(), trust_region::Newton::dense(&p), n)),
        ("exact/dense", count(MoreSorensen::new(), trust_region::Newton::dense(&p), n)),
        ("dogleg/gauss-newton", count(Dogleg::new(), trust_region::GaussNewton::dense(&p), n)),
        ("steihaug/gauss-newton", count(Steihaug::new(), trust_region::GaussNewton::dense(&p), n)),
        ("gltr/products", count(Gltr::new(), trust_region::Newton::products(&p), n)),
        (
            "gltr-jacobi/dense",
            count(Gltr::with_preconditioner(DiagonalPreconditioner::default()), trust_region::Newton::dense(&p), n),
        ),
    ];
    for (name, (calls, allocs)) in &cases {
        assert!(*calls >= 5, "{name}: only {calls} iterations");
        assert_eq!(*allocs, 0, "{name}: {allocs} allocations over {calls} iterations");
    }
}

/// The lower triangle of the chained Rosenbrock Hessian (tridiagonal), for the sparse model.
impl trust_region::SparseHessian for Chained {
    fn hessian_pattern(&self) -> faer::sparse::SymbolicSparseColMat<usize> {
        let n = self.n;
        let mut idx = Vec::new();
        for j in 0..n {
            idx.push(faer::sparse::Pair::new(j, j));
            if j + 1 < n {
                idx.push(faer::sparse::Pair::new(j + 1, j));
            }
        }
        faer::sparse::SymbolicSparseColMat::try_new_from_indices(n, n, &idx).expect("valid pattern").0
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        let n = self.n;
        let mut q = 0;
        for j in 0..n {
            let mut d = if j > 0 { 200.0 } else { 0.0 };
            if j + 1 < n {
                d += 1200.0 * x[j] * x[j] - 400.0 * x[j + 1] + 2.0;
            }
            values[q] = d;
            q += 1;
            if j + 1 < n {
                values[q] = -400.0 * x[j];
                q += 1;
            }
        }
    }
}

/// The incomplete Cholesky preconditioner allocates its factor on the first `prepare` (when the
/// sparse pattern becomes known) and nothing afterwards.
#[test]
fn no_allocation_with_incomplete_cholesky() {
    let n = 40;
    let p = Chained { n };
    let step = Steihaug::with_preconditioner(trust_region::subproblem::IncompleteCholeskyPreconditioner::default());
    let (calls, allocs) = count(step, trust_region::Newton::sparse(&p), n);
    assert!(calls >= 5, "only {calls} iterations");
    assert_eq!(allocs, 0, "steihaug-ichol/sparse: {allocs} allocations over {calls} iterations");
}
