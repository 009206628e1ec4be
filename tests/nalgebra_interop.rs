//! Feature `nalgebra`: views and copies between nalgebra and faer, and the same iterates
//! through the nalgebra adapters as through slices.
#![cfg(feature = "nalgebra")]

use faer::sparse::{SparseColMat, SymbolicSparseColMat, Triplet};
use faer::MatMut;
use nalgebra::{DMatrix, DVector};
use nalgebra_sparse::{CooMatrix, CscMatrix, CsrMatrix};
use trust_region::interop::nalgebra::{
    csc_as_faer, csc_pattern_to_faer, csr_as_faer, dmatrix_as_faer, dmatrix_as_faer_mut, dvector_as_faer, faer_to_csc,
    faer_to_dmatrix, faer_to_dvector, solution, Nalgebra, NalgebraHessian, NalgebraJacobian, NalgebraObjective,
    NalgebraResiduals, NalgebraSolve, NalgebraSparse, NalgebraSparseHessian,
};
use trust_region::subproblem::{Dogleg, MoreSorensen, Steihaug};
use trust_region::{
    DenseHessian, DenseJacobian, HessianProduct, Objective, Report, Residuals, SparseHessian, TrustRegion,
    TrustRegionOptions,
};

// ----------------------------------------------------------------------------------------------
// Views and copies
// ----------------------------------------------------------------------------------------------

#[test]
fn dense_views_share_memory_and_round_trip() {
    let m = DMatrix::from_fn(3, 4, |i, j| (10 * i + j) as f64);
    let v = dmatrix_as_faer(&m);
    assert_eq!((v.nrows(), v.ncols()), (3, 4));
    for i in 0..3 {
        for j in 0..4 {
            assert_eq!(v[(i, j)], m[(i, j)]);
        }
    }
    assert_eq!(v.col(2).as_ptr(), m.column(2).as_ptr());
    assert_eq!(faer_to_dmatrix(v), m);
    // a strided faer view (transpose, owned padded Mat) copies back correctly
    assert_eq!(faer_to_dmatrix(v.transpose()), m.transpose());
    let owned = faer::Mat::from_fn(3, 4, |i, j| (10 * i + j) as f64);
    assert_eq!(faer_to_dmatrix(owned.as_ref()), m);

    let mut m2 = DMatrix::<f64>::zeros(2, 3);
    dmatrix_as_faer_mut(&mut m2).copy_from(faer::mat![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    assert_eq!(m2, DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));

    let x = DVector::from_vec(vec![1.0, -2.0, 3.5]);
    assert_eq!(dvector_as_faer(&x).as_ptr(), x.as_ptr());
    assert_eq!(faer_to_dvector(dvector_as_faer(&x)), x);

    let empty = DMatrix::<f64>::zeros(0, 0);
    assert_eq!(dmatrix_as_faer(&empty).nrows(), 0);
    assert_eq!(faer_to_dmatrix(dmatrix_as_faer(&empty)), empty);
}

fn sample_coo() -> CooMatrix<f64> {
    let mut coo = CooMatrix::new(4, 3);
    for &(i, j, v) in &[(0, 0, 1.0), (3, 0, -2.0), (1, 1, 3.0), (0, 2, 4.0), (2, 2, 5.0), (3, 2, 6.0)] {
        coo.push(i, j, v);
    }
    coo
}

#[test]
fn sparse_views_agree_with_dense() {
    let coo = sample_coo();
    let dense = DMatrix::from(&coo);
    let csc = CscMatrix::from(&coo);
    let csr = CsrMatrix::from(&coo);
    let vc = csc_as_faer(&csc);
    let vr = csr_as_faer(&csr);
    assert_eq!(vc.val().as_ptr(), csc.values().as_ptr());
    assert_eq!(vr.val().as_ptr(), csr.values().as_ptr());
    assert_eq!(faer_to_dmatrix(vc.to_dense().as_ref()), dense);
    assert_eq!(faer_to_dmatrix(vr.to_dense().as_ref()), dense);
    assert_eq!(faer_to_csc(vc), csc);
    let pattern = csc_pattern_to_faer(&csc);
    assert_eq!(pattern.col_ptr(), csc.col_offsets());
    assert_eq!(pattern.row_idx(), csc.row_indices());

    // a matrix built by faer (triplets in any order, duplicates summed) converts back
    let triplets = [Triplet::new(3, 2, 6.0), Triplet::new(0, 0, 1.0), Triplet::new(3, 0, -2.0)];
    let fm = SparseColMat::<usize, f64>::try_new_from_triplets(4, 3, &triplets).unwrap();
    let back = faer_to_csc(fm.as_ref());
    assert_eq!(DMatrix::from(&back), faer_to_dmatrix(fm.to_dense().as_ref()));

    let empty = CscMatrix::<f64>::zeros(2, 2);
    assert_eq!(csc_as_faer(&empty).compute_nnz(), 0);
}

// ----------------------------------------------------------------------------------------------
// The same problem, written with slices and with nalgebra
// ----------------------------------------------------------------------------------------------

/// Extended Rosenbrock, n even.
struct RosenSlices(usize);
struct RosenNalgebra(usize);

fn rosen_value(x: &[f64]) -> f64 {
    (0..x.len() / 2)
        .map(|k| {
            let (a, b) = (x[2 * k], x[2 * k + 1]);
            100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2)
        })
        .sum()
}

fn rosen_gradient(x: &[f64], g: &mut [f64]) {
    for k in 0..x.len() / 2 {
        let (a, b) = (x[2 * k], x[2 * k + 1]);
        g[2 * k] = -400.0 * a * (b - a * a) - 2.0 * (1.0 - a);
        g[2 * k + 1] = 200.0 * (b - a * a);
    }
}

/// Blocks (h11, h12, h22) of the Hessian.
fn rosen_block(x: &[f64], k: usize) -> (f64, f64, f64) {
    let (a, b) = (x[2 * k], x[2 * k + 1]);
    (1200.0 * a * a - 400.0 * b + 2.0, -400.0 * a, 200.0)
}

fn rosen_hv(x: &[f64], v: &[f64], hv: &mut [f64]) {
    for k in 0..x.len() / 2 {
        let (h11, h12, h22) = rosen_block(x, k);
        hv[2 * k] = h11 * v[2 * k] + h12 * v[2 * k + 1];
        hv[2 * k + 1] = h12 * v[2 * k] + h22 * v[2 * k + 1];
    }
}

impl Objective for RosenSlices {
    fn dim(&self) -> usize {
        self.0
    }
    fn value(&self, x: &[f64]) -> f64 {
        rosen_value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        rosen_gradient(x, g)
    }
}

impl HessianProduct for RosenSlices {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        rosen_hv(x, v, hv)
    }
}

impl DenseHessian for RosenSlices {
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        hess.fill(0.0);
        for k in 0..x.len() / 2 {
            let (h11, h12, h22) = rosen_block(x, k);
            hess[(2 * k, 2 * k)] = h11;
            hess[(2 * k + 1, 2 * k)] = h12;
            hess[(2 * k, 2 * k + 1)] = h12;
            hess[(2 * k + 1, 2 * k + 1)] = h22;
        }
    }
}

impl SparseHessian for RosenSlices {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let mut col_ptr = vec![0];
        let mut row_idx = vec![];
        for j in 0..self.0 {
            row_idx.push(j);
            if j % 2 == 0 {
                row_idx.push(j + 1);
            }
            col_ptr.push(row_idx.len());
        }
        SymbolicSparseColMat::new_checked(self.0, self.0, col_ptr, None, row_idx)
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        for k in 0..x.len() / 2 {
            let (h11, h12, h22) = rosen_block(x, k);
            values[3 * k] = h11;
            values[3 * k + 1] = h12;
            values[3 * k + 2] = h22;
        }
    }
}

impl NalgebraObjective for RosenNalgebra {
    fn dim(&self) -> usize {
        self.0
    }
    fn value(&self, x: &DVector<f64>) -> f64 {
        rosen_value(x.as_slice())
    }
    fn gradient(&self, x: &DVector<f64>) -> DVector<f64> {
        let mut g = DVector::zeros(self.0);
        rosen_gradient(x.as_slice(), g.as_mut_slice());
        g
    }
}

impl NalgebraHessian for RosenNalgebra {
    fn hessian(&self, x: &DVector<f64>) -> DMatrix<f64> {
        let mut h = DMatrix::zeros(self.0, self.0);
        RosenSlices(self.0).hessian(x.as_slice(), dmatrix_as_faer_mut(&mut h));
        h
    }
    fn hessian_product(&self, x: &DVector<f64>, v: &DVector<f64>) -> DVector<f64> {
        let mut hv = DVector::zeros(self.0);
        rosen_hv(x.as_slice(), v.as_slice(), hv.as_mut_slice());
        hv
    }
}

impl NalgebraSparseHessian for RosenNalgebra {
    fn sparse_hessian(&self, x: &DVector<f64>) -> CscMatrix<f64> {
        let mut coo = CooMatrix::new(self.0, self.0);
        for k in 0..self.0 / 2 {
            let (h11, h12, h22) = rosen_block(x.as_slice(), k);
            coo.push(2 * k, 2 * k, h11);
            coo.push(2 * k + 1, 2 * k, h12);
            coo.push(2 * k + 1, 2 * k + 1, h22);
        }
        CscMatrix::from(&coo)
    }
}

fn start(n: usize) -> Vec<f64> {
    (0..n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect()
}

fn history_options() -> TrustRegionOptions {
    {
        let mut o = TrustRegionOptions::default();
        o.keep_history = true;
        o
    }
}

fn assert_same_run(a: &Report, b: &Report) {
    assert!(a.converged(), "{a}");
    assert_eq!(a.iterations, b.iterations);
    assert_eq!(a.accepted_steps, b.accepted_steps);
    assert_eq!(a.inner_iterations, b.inner_iterations);
    assert_eq!(a.evaluations, b.evaluations);
    assert_eq!(a.termination, b.termination);
    for (xa, xb) in a.x.iter().zip(&b.x) {
        assert!((xa - xb).abs() <= 1e-12, "{xa} vs {xb}");
    }
    assert_eq!(a.history.len(), b.history.len());
    for (ha, hb) in a.history.iter().zip(&b.history) {
        assert!((ha.f - hb.f).abs() <= 1e-12 * (1.0 + ha.f.abs()));
        assert_eq!(ha.radius, hb.radius);
    }
}

#[test]
fn steihaug_same_iterates() {
    for n in [2, 10, 100] {
        let x0 = start(n);
        let a =
            TrustRegion::new(Steihaug::new()).with_options(history_options()).minimize(&RosenSlices(n), &x0).unwrap();
        let b = TrustRegion::new(Steihaug::new())
            .with_options(history_options())
            .minimize(&Nalgebra(RosenNalgebra(n)), &x0)
            .unwrap();
        assert_same_run(&a, &b);
        let (x, c) = TrustRegion::new(Steihaug::new())
            .with_options(history_options())
            .minimize_nalgebra(&RosenNalgebra(n), &DVector::from_vec(x0.clone()))
            .unwrap();
        assert_same_run(&a, &c);
        assert_eq!(x.as_slice(), c.x.as_slice());
        assert!(x.iter().all(|&xi| (xi - 1.0).abs() < 1e-6));
    }
}

#[test]
fn exact_same_iterates() {
    for n in [2, 10, 40] {
        let x0 = start(n);
        let a = TrustRegion::new(MoreSorensen::new())
            .with_options(history_options())
            .solve(trust_region::Newton::dense(&RosenSlices(n)), &x0)
            .unwrap();
        let (x, b) = TrustRegion::new(MoreSorensen::new())
            .with_options(history_options())
            .minimize_dense_nalgebra(&RosenNalgebra(n), &DVector::from_vec(x0.clone()))
            .unwrap();
        assert_same_run(&a, &b);
        assert_eq!(a.factorizations, b.factorizations);
        assert_eq!(x, solution(&b));
    }
}

#[test]
fn sparse_exact_same_iterates() {
    let n = 200;
    let x0 = start(n);
    let a = TrustRegion::new(MoreSorensen::new())
        .with_options(history_options())
        .solve(trust_region::Newton::sparse(&RosenSlices(n)), &x0)
        .unwrap();
    let (_, b) = TrustRegion::new(MoreSorensen::new())
        .with_options(history_options())
        .minimize_sparse_nalgebra(&RosenNalgebra(n), &DVector::from_vec(x0.clone()))
        .unwrap();
    assert_same_run(&a, &b);
    let c = TrustRegion::new(Steihaug::new())
        .solve(
            trust_region::Newton::sparse(&NalgebraSparse::new(RosenNalgebra(n), &DVector::from_vec(x0.clone()))),
            &x0,
        )
        .unwrap();
    let d = TrustRegion::new(Steihaug::new()).solve(trust_region::Newton::sparse(&RosenSlices(n)), &x0).unwrap();
    assert_same_run(&d, &c);
}

/// Exponential fit, written twice.
struct FitSlices;
struct FitNalgebra;

const T: [f64; 8] = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5];

fn fit_y(t: f64) -> f64 {
    3.0 * (-0.7 * t).exp() + 0.01 * (5.0 * t).sin()
}

impl Residuals for FitSlices {
    fn dim(&self) -> usize {
        2
    }
    fn residual_count(&self) -> usize {
        T.len()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for (i, &t) in T.iter().enumerate() {
            r[i] = x[0] * (x[1] * t).exp() - fit_y(t);
        }
    }
}

impl DenseJacobian for FitSlices {
    fn jacobian(&self, x: &[f64], mut jac: MatMut<'_, f64>) {
        for (i, &t) in T.iter().enumerate() {
            let e = (x[1] * t).exp();
            jac[(i, 0)] = e;
            jac[(i, 1)] = x[0] * t * e;
        }
    }
}

impl NalgebraResiduals for FitNalgebra {
    fn dim(&self) -> usize {
        2
    }
    fn residual_count(&self) -> usize {
        T.len()
    }
    fn residuals(&self, x: &DVector<f64>) -> DVector<f64> {
        DVector::from_fn(T.len(), |i, _| x[0] * (x[1] * T[i]).exp() - fit_y(T[i]))
    }
}

impl NalgebraJacobian for FitNalgebra {
    fn jacobian(&self, x: &DVector<f64>) -> DMatrix<f64> {
        DMatrix::from_fn(T.len(), 2, |i, j| {
            let e = (x[1] * T[i]).exp();
            if j == 0 {
                e
            } else {
                x[0] * T[i] * e
            }
        })
    }
}

#[test]
fn least_squares_same_iterates() {
    let x0 = [1.0, 0.0];
    for exact in [false, true] {
        let (a, (x, b)) = if exact {
            (
                TrustRegion::new(MoreSorensen::new()).solve(trust_region::GaussNewton::dense(&FitSlices), &x0).unwrap(),
                TrustRegion::new(MoreSorensen::new())
                    .least_squares_nalgebra(&FitNalgebra, &DVector::from_row_slice(&x0))
                    .unwrap(),
            )
        } else {
            (
                TrustRegion::new(Dogleg::new()).solve(trust_region::GaussNewton::dense(&FitSlices), &x0).unwrap(),
                TrustRegion::new(Dogleg::new())
                    .least_squares_nalgebra(&FitNalgebra, &DVector::from_row_slice(&x0))
                    .unwrap(),
            )
        };
        assert_same_run(&a, &b);
        assert!((x[0] - 3.0).abs() < 0.05 && (x[1] + 0.7).abs() < 0.05);
    }
}

/// A user function returning vectors of the wrong length must not panic the solver.
struct WrongLength;

impl NalgebraObjective for WrongLength {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &DVector<f64>) -> f64 {
        x.norm_squared()
    }
    fn gradient(&self, _x: &DVector<f64>) -> DVector<f64> {
        DVector::zeros(3)
    }
}

impl NalgebraHessian for WrongLength {
    fn hessian(&self, _x: &DVector<f64>) -> DMatrix<f64> {
        DMatrix::identity(3, 3)
    }
}

#[test]
fn wrong_sizes_do_not_panic() {
    let mut g = [0.0; 2];
    Nalgebra(WrongLength).gradient(&[1.0, 1.0], &mut g);
    assert!(g.iter().all(|v| v.is_nan()));
    let mut h = faer::Mat::<f64>::zeros(2, 2);
    Nalgebra(WrongLength).hessian(&[1.0, 1.0], h.as_mut());
    assert!(h[(0, 0)].is_nan());
    let report =
        TrustRegion::new(MoreSorensen::new()).solve(trust_region::Newton::dense(&Nalgebra(WrongLength)), &[1.0, 1.0]);
    // NaN at the start point is a setup error, not a panic
    assert!(report.is_err());
}
