//! The sparse uncertainty path (`estimate_sparse`, `SparseUncertainty`) against the dense one
//! (`estimate`, `Uncertainty`): agreement on full-rank Jacobians of several shapes, a banded
//! Jacobian with n = 600, the denoising problem; typed errors for rank deficiency (exact,
//! structural, and the Kahan matrix whose diagonal hides it), non-finite input and wrong calls;
//! active parameters dropped; a property test on random small sparse matrices.

use faer::sparse::{SparseColMat, SparseColMatRef, SymbolicSparseColMat, SymbolicSparseColMatRef, Triplet};
use faer::Mat;
use proptest::prelude::*;
use trust_region::problem::{DenseJacobian, Residuals, SparseJacobian};
use trust_region::uncertainty::{
    estimate, estimate_sparse, SparseUncertainty, Uncertainty, UncertaintyError, UncertaintyOptions,
};
use trust_region_problems::denoise::Denoising;

fn lcg(seed: &mut u64) -> f64 {
    *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    ((*seed >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
}

/// The compressed-column copy of a dense matrix (exact zeros dropped).
fn to_sparse(dense: &Mat<f64>) -> SparseColMat<usize, f64> {
    let mut triplets = Vec::new();
    for j in 0..dense.ncols() {
        for i in 0..dense.nrows() {
            if dense[(i, j)] != 0.0 {
                triplets.push(Triplet::new(i, j, dense[(i, j)]));
            }
        }
    }
    SparseColMat::try_new_from_triplets(dense.nrows(), dense.ncols(), &triplets).unwrap()
}

/// A random `m x n` sparse matrix, full column rank and well conditioned: a diagonal of
/// magnitude about 1 in the top block plus `extra` random entries per column; column `j`
/// scaled by `10^(j % 7 - 3)` (the equilibration must undo it).
fn random_sparse(m: usize, n: usize, extra: usize, seed: &mut u64) -> Mat<f64> {
    let mut a = Mat::<f64>::zeros(m, n);
    for j in 0..n {
        a[(j, j)] = 1.5 + lcg(seed);
        for _ in 0..extra {
            let i = ((lcg(seed) + 0.5) * m as f64) as usize % m;
            a[(i, j)] += 0.5 * lcg(seed);
        }
    }
    for j in 0..n {
        let s = 10f64.powi(j as i32 % 7 - 3);
        for i in 0..m {
            a[(i, j)] *= s;
        }
    }
    a
}

fn rel(a: f64, b: f64, scale: f64) -> f64 {
    (a - b).abs() / scale
}

/// Every standard error and covariance entry of the sparse path against the dense path.
fn assert_agree(sparse: &SparseUncertainty, dense: &Uncertainty, tol: f64, what: &str) {
    assert_eq!(sparse.dof, dense.dof, "{what}");
    assert_eq!(sparse.active, dense.active, "{what}");
    assert!(rel(sparse.residual_std, dense.residual_std, dense.residual_std.max(f64::MIN_POSITIVE)) <= 1e-14, "{what}");
    let n = dense.dim();
    for j in 0..n {
        match (sparse.std_errors[j], dense.std_errors[j]) {
            (Some(a), Some(b)) => assert!(rel(a, b, b) <= tol, "{what}: se[{j}] {a} vs {b}"),
            (None, None) => {}
            other => panic!("{what}: se[{j}] {other:?}"),
        }
    }
    let cov = sparse.covariance_matrix().unwrap();
    for a in 0..n {
        for b in 0..n {
            let scale = match (dense.std_errors[a], dense.std_errors[b]) {
                (Some(x), Some(y)) => x * y,
                _ => 1.0,
            };
            assert!(
                rel(cov[(a, b)], dense.covariance[(a, b)], scale) <= tol,
                "{what}: cov({a},{b}) {} vs {}",
                cov[(a, b)],
                dense.covariance[(a, b)]
            );
        }
    }
}

#[test]
fn random_sparse_jacobians_agree_with_the_dense_path() {
    let mut seed = 2024;
    for (m, n, extra) in [(3, 1, 1), (7, 3, 1), (40, 10, 2), (120, 60, 3), (300, 100, 2), (500, 250, 1)] {
        let dense = random_sparse(m, n, extra, &mut seed);
        let r: Vec<f64> = (0..m).map(|_| lcg(&mut seed)).collect();
        let sparse = to_sparse(&dense);
        let s = SparseUncertainty::new(sparse.as_ref(), &r).unwrap();
        let d = Uncertainty::new(dense.as_ref(), &r).unwrap();
        assert_agree(&s, &d, 1e-10, &format!("m={m} n={n}"));
        // Selected entries: on and off the pattern of R, in one call, in order.
        let pairs: Vec<(usize, usize)> = (0..40)
            .map(|_| {
                let i = ((lcg(&mut seed) + 0.5) * n as f64) as usize % n;
                let j = ((lcg(&mut seed) + 0.5) * n as f64) as usize % n;
                (i, j)
            })
            .collect();
        let entries = s.covariance_entries(&pairs).unwrap();
        for (&(i, j), c) in pairs.iter().zip(&entries) {
            let scale = d.std_errors[i].unwrap() * d.std_errors[j].unwrap();
            assert!(rel(c.unwrap(), d.covariance[(i, j)], scale) <= 1e-10, "m={m} n={n} ({i},{j})");
            assert_eq!(s.covariance(i, j).unwrap(), *c, "one entry = the same entry from a batch");
        }
        let (lo, hi) = s.condition_bounds();
        assert!(1.0 <= lo && lo <= hi && hi < 1e4, "m={m} n={n}: condition bounds {lo} {hi}");
        let corr = s.correlation(0, n - 1).unwrap().unwrap();
        assert!(rel(corr, d.correlation()[(0, n - 1)], 1.0) <= 1e-10);
    }
}

/// A banded Jacobian (bandwidth 5, like a spline or finite-difference fit) with n = 600,
/// the dense path as the reference.
#[test]
fn banded_jacobian_with_n_600_agrees_with_the_dense_path() {
    let (n, m) = (600, 690);
    let mut seed = 99;
    let mut dense = Mat::<f64>::zeros(m, n);
    for i in 0..m {
        // Row i touches the columns around i n / m.
        let c = i * n / m;
        for j in c.saturating_sub(2)..(c + 3).min(n) {
            dense[(i, j)] = 1.0 / (1.0 + (j as f64 - c as f64).abs()) + 0.3 * lcg(&mut seed);
        }
    }
    let r: Vec<f64> = (0..m).map(|_| lcg(&mut seed)).collect();
    let sparse = to_sparse(&dense);
    let s = SparseUncertainty::new(sparse.as_ref(), &r).unwrap();
    let d = Uncertainty::new(dense.as_ref(), &r).unwrap();
    let mut worst = 0.0f64;
    for j in 0..n {
        let (a, b) = (s.std_errors[j].unwrap(), d.std_errors[j].unwrap());
        worst = worst.max(rel(a, b, b));
    }
    assert!(worst <= 1e-10, "worst relative difference of the standard errors {worst:e}");
    let pairs: Vec<(usize, usize)> = (0..n).step_by(97).flat_map(|i| [(i, (i + 1) % n), (i, (i + 700) % n)]).collect();
    for (&(i, j), c) in pairs.iter().zip(s.covariance_entries(&pairs).unwrap()) {
        let scale = d.std_errors[i].unwrap() * d.std_errors[j].unwrap();
        assert!(rel(c.unwrap(), d.covariance[(i, j)], scale) <= 1e-10, "({i},{j})");
    }
    // R stays banded: far fewer stored entries than the n^2 / 2 of a dense factor.
    assert!(s.factor_nnz() < 40 * n, "factor entries {}", s.factor_nnz());
}

/// The denoising problem of the benches at a small size: `at` evaluates the problem, the dense
/// path gets the same Jacobian densified.
#[test]
fn denoising_problem_at_a_point() {
    let p = Denoising::synthetic(12, 5).unwrap();
    let x = p.data.clone();
    let s = SparseUncertainty::at(&p, &x, None, &UncertaintyOptions::default()).unwrap();
    let pattern = p.jacobian_pattern();
    let mut values = vec![0.0; pattern.row_idx().len()];
    p.jacobian_values(&x, &mut values);
    let dense = SparseColMatRef::new(pattern.as_ref(), &values).to_dense();
    let mut r = vec![0.0; p.m()];
    p.residuals(&x, &mut r);
    let d = Uncertainty::new(dense.as_ref(), &r).unwrap();
    assert_agree(&s, &d, 1e-10, "denoise p=12");
    let wrong = SparseUncertainty::at(&p, &x[1..], None, &UncertaintyOptions::default());
    assert!(matches!(wrong, Err(UncertaintyError::DimensionMismatch { what: "x", .. })));
}

/// A problem implementing both Jacobian traits: `SparseUncertainty::at` and `Uncertainty::at`
/// agree, and a pattern of the wrong shape is a typed error.
#[test]
fn at_agrees_with_the_dense_at() {
    /// r_i = a exp(b t_i) + c t_i - y_i, J = [e, a t e, t].
    struct Exp {
        rows: usize,
    }
    const T: [f64; 6] = [0.0, 0.4, 0.9, 1.3, 1.8, 2.2];
    const Y: [f64; 6] = [1.0, 1.7, 2.6, 4.1, 6.6, 9.3];
    impl Residuals for Exp {
        fn dim(&self) -> usize {
            3
        }
        fn residual_count(&self) -> usize {
            6
        }
        fn residuals(&self, x: &[f64], r: &mut [f64]) {
            for i in 0..6 {
                r[i] = x[0] * (x[1] * T[i]).exp() + x[2] * T[i] - Y[i];
            }
        }
    }
    impl DenseJacobian for Exp {
        fn jacobian(&self, x: &[f64], mut jac: faer::MatMut<'_, f64>) {
            for i in 0..6 {
                let e = (x[1] * T[i]).exp();
                jac[(i, 0)] = e;
                jac[(i, 1)] = x[0] * T[i] * e;
                jac[(i, 2)] = T[i];
            }
        }
    }
    impl SparseJacobian for Exp {
        fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
            let ptr: Vec<usize> = (0..=3).map(|j| j * self.rows).collect();
            let idx: Vec<usize> = (0..3).flat_map(|_| 0..self.rows).collect();
            SymbolicSparseColMat::new_checked(self.rows, 3, ptr, None, idx)
        }
        fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
            for i in 0..self.rows {
                let e = (x[1] * T[i]).exp();
                values[i] = e;
                values[self.rows + i] = x[0] * T[i] * e;
                values[2 * self.rows + i] = T[i];
            }
        }
    }
    let x = [0.9, 1.1, 0.2];
    let o = UncertaintyOptions::default();
    let active = [false, false, true];
    for act in [None, Some(&active[..])] {
        let s = SparseUncertainty::at(&Exp { rows: 6 }, &x, act, &o).unwrap();
        let d = Uncertainty::at(&Exp { rows: 6 }, &x, act, &o).unwrap();
        assert_agree(&s, &d, 1e-12, "exp");
    }
    assert!(matches!(
        SparseUncertainty::at(&Exp { rows: 5 }, &x, None, &o),
        Err(UncertaintyError::DimensionMismatch { what: "jacobian pattern rows", expected: 6, found: 5 })
    ));
}

#[test]
fn rank_deficiency_is_a_typed_error() {
    let m = 12;
    let mut seed = 5;
    let base = random_sparse(m, 4, 2, &mut seed);
    let r: Vec<f64> = (0..m).map(|_| lcg(&mut seed)).collect();
    // Column 4 = column 0 - 3 column 2: rank 4 of 5.
    let dep = Mat::<f64>::from_fn(m, 5, |i, j| if j < 4 { base[(i, j)] } else { base[(i, 0)] - 3.0 * base[(i, 2)] });
    match SparseUncertainty::new(to_sparse(&dep).as_ref(), &r) {
        Err(UncertaintyError::RankDeficient { rank, free, tolerance }) => {
            assert_eq!((rank, free), (4, 5));
            assert_eq!(tolerance, m as f64 * f64::EPSILON);
        }
        other => panic!("expected RankDeficient, got {other:?}"),
    }
    // The same with the dependent parameter at a bound: fine, and equal to the dense path.
    let active = [false, false, false, false, true];
    let o = UncertaintyOptions::default();
    let s = estimate_sparse(to_sparse(&dep).as_ref(), &r, Some(&active), &o).unwrap();
    let d = estimate(dep.as_ref(), &r, Some(&active), &o).unwrap();
    assert_agree(&s, &d, 1e-10, "dependent column active");
    // A zero column (a stored explicit zero, and a column with no entries at all).
    let zero = Mat::<f64>::from_fn(m, 5, |i, j| if j == 4 { 0.0 } else { base[(i, j)] });
    let mut triplets: Vec<_> =
        (0..m).flat_map(|i| (0..4).map(move |j| (i, j))).map(|(i, j)| Triplet::new(i, j, zero[(i, j)])).collect();
    triplets.push(Triplet::new(3, 4, 0.0));
    let explicit = SparseColMat::try_new_from_triplets(m, 5, &triplets).unwrap();
    for jac in [to_sparse(&zero), explicit] {
        match SparseUncertainty::new(jac.as_ref(), &r) {
            Err(UncertaintyError::RankDeficient { rank, free, .. }) => assert_eq!((rank, free), (4, 5)),
            other => panic!("expected RankDeficient, got {other:?}"),
        }
    }
    // Structurally deficient: three columns living on the same two rows.
    let triplets = [
        Triplet::new(0, 0, 1.0),
        Triplet::new(1, 0, 2.0),
        Triplet::new(0, 1, -1.0),
        Triplet::new(1, 1, 0.5),
        Triplet::new(0, 2, 3.0),
        Triplet::new(1, 2, 1.0),
        Triplet::new(2, 3, 1.0),
        Triplet::new(3, 3, 1.0),
    ];
    let jac = SparseColMat::try_new_from_triplets(6, 4, &triplets).unwrap();
    assert!(matches!(
        SparseUncertainty::new(jac.as_ref(), &[0.1; 6]),
        Err(UncertaintyError::RankDeficient { free: 4, .. })
    ));
}

/// The Kahan matrix (Golub & Van Loan, sec. 5.4.1): upper triangular with diagonal
/// `s^i` (`s = sin 0.9`), so the smallest diagonal entry of its R is `s^(n-1)` ~ 4e-10 of the
/// largest, far above the tolerance, yet its smallest singular value is below 1e-18. The
/// diagonal test passes it; the test on the diagonal of `(R'R)^{-1}` must not (the rank
/// reported, `n - 1`, says which test fired).
#[test]
fn the_kahan_matrix_is_caught_by_the_second_test() {
    let (n, theta) = (90usize, 0.9f64);
    let (s, c) = (theta.sin(), theta.cos());
    let kahan = Mat::<f64>::from_fn(n + 1, n, |i, j| {
        if i >= n || i > j {
            0.0
        } else {
            s.powi(i as i32) * if i == j { 1.0 } else { -c }
        }
    });
    let r = vec![0.5; n + 1];
    let diag_ratio = s.powi(n as i32 - 1);
    assert!(diag_ratio > 1e-11, "{diag_ratio}");
    match SparseUncertainty::new(to_sparse(&kahan).as_ref(), &r) {
        Err(UncertaintyError::RankDeficient { rank, free, .. }) => assert_eq!((rank, free), (n - 1, n)),
        other => panic!("expected RankDeficient, got {other:?}"),
    }
    // A tolerance of 0 switches both tests off: the numbers come back (finite, if meaningless).
    let mut zero = UncertaintyOptions::default();
    zero.rank_tolerance = Some(0.0);
    let u = estimate_sparse(to_sparse(&kahan).as_ref(), &r, None, &zero).unwrap();
    assert!(u.condition_bounds().0 > 1e18, "{:?}", u.condition_bounds());
}

#[test]
fn non_finite_input_is_a_typed_error() {
    let mut seed = 8;
    let m = 10;
    let mut dense = random_sparse(m, 4, 2, &mut seed);
    let r: Vec<f64> = (0..m).map(|_| lcg(&mut seed)).collect();
    let mut bad_r = r.clone();
    bad_r[6] = f64::INFINITY;
    assert_eq!(
        SparseUncertainty::new(to_sparse(&dense).as_ref(), &bad_r).unwrap_err(),
        UncertaintyError::NonFinite { what: "residuals", row: 6, col: 0 }
    );
    dense[(7, 2)] = f64::NAN;
    dense[(9, 2)] = f64::NEG_INFINITY;
    // to_sparse keeps NaN (NaN != 0).
    let jac = to_sparse(&dense);
    assert_eq!(
        SparseUncertainty::new(jac.as_ref(), &r).unwrap_err(),
        UncertaintyError::NonFinite { what: "jacobian", row: 7, col: 2 }
    );
    // A non-finite value in an active column is not looked at.
    let o = UncertaintyOptions::default();
    let s = estimate_sparse(jac.as_ref(), &r, Some(&[false, false, true, false]), &o).unwrap();
    assert_eq!(s.std_errors[2], None);
    // Duplicates of huge values summing to infinity: a zero-norm column is reported, no panic.
    let triplets = [Triplet::new(0, 0, f64::MAX), Triplet::new(0, 0, f64::MAX), Triplet::new(1, 1, 1.0)];
    let sym_dup = SparseColMat::try_new_from_triplets(3, 2, &triplets);
    if let Ok(jac) = sym_dup {
        let out = SparseUncertainty::new(jac.as_ref(), &[0.0; 3]);
        assert!(out.is_err() || out.unwrap().std_errors.iter().all(|s| s.is_some_and(|v| !v.is_nan())));
    }
}

#[test]
fn active_parameters_are_dropped() {
    let mut seed = 31;
    let (m, n) = (30, 8);
    let dense = random_sparse(m, n, 2, &mut seed);
    let r: Vec<f64> = (0..m).map(|_| lcg(&mut seed)).collect();
    let active = [false, true, false, false, true, false, true, false];
    let o = UncertaintyOptions::default();
    let s = estimate_sparse(to_sparse(&dense).as_ref(), &r, Some(&active), &o).unwrap();
    let d = estimate(dense.as_ref(), &r, Some(&active), &o).unwrap();
    assert_eq!(s.dof, m - 5);
    assert_agree(&s, &d, 1e-10, "active");
    assert_eq!(s.covariance(1, 0).unwrap(), None);
    assert_eq!(s.covariance(6, 6).unwrap(), None);
    assert_eq!(s.correlation(4, 2).unwrap(), None);
    assert_eq!(s.to_dense().unwrap().std_errors, s.std_errors);
    // Everything active: nothing estimated, dof = m.
    let all = estimate_sparse(to_sparse(&dense).as_ref(), &r, Some(&[true; 8]), &o).unwrap();
    assert_eq!(all.dof, m);
    assert!(all.std_errors.iter().all(Option::is_none));
    assert_eq!(all.covariance_matrix().unwrap(), Mat::<f64>::zeros(n, n));
}

#[test]
fn wrong_calls_are_typed_errors() {
    let o = UncertaintyOptions::default();
    let eye = to_sparse(&Mat::<f64>::identity(3, 3));
    assert_eq!(
        SparseUncertainty::new(eye.as_ref(), &[0.0; 3]).unwrap_err(),
        UncertaintyError::NoDegreesOfFreedom { residuals: 3, free: 3 }
    );
    let wide = to_sparse(&Mat::<f64>::from_fn(2, 3, |i, j| (i + j + 1) as f64));
    assert!(matches!(
        SparseUncertainty::new(wide.as_ref(), &[0.0; 2]),
        Err(UncertaintyError::NoDegreesOfFreedom { .. })
    ));
    let tall = to_sparse(&Mat::<f64>::from_fn(4, 2, |i, k| (i + 2 * k) as f64 + 1.0 + (i * k) as f64 * 0.1));
    assert!(matches!(
        SparseUncertainty::new(tall.as_ref(), &[0.0; 3]),
        Err(UncertaintyError::DimensionMismatch { what: "residuals", expected: 4, found: 3 })
    ));
    assert!(matches!(
        estimate_sparse(tall.as_ref(), &[0.0; 4], Some(&[false]), &o),
        Err(UncertaintyError::DimensionMismatch { what: "active", .. })
    ));
    let mut nan = UncertaintyOptions::default();
    nan.rank_tolerance = Some(f64::NAN);
    assert!(matches!(
        estimate_sparse(tall.as_ref(), &[0.0; 4], None, &nan),
        Err(UncertaintyError::InvalidOption { .. })
    ));
    let u = SparseUncertainty::new(tall.as_ref(), &[0.0; 4]).unwrap();
    // A perfect fit: zero standard errors, not NaN.
    assert_eq!(u.std_errors, vec![Some(0.0), Some(0.0)]);
    assert_eq!(u.covariance(2, 0).unwrap_err(), UncertaintyError::IndexOutOfRange { index: 2, dim: 2 });
    assert!(matches!(u.covariance_entries(&[(0, 1), (0, 7)]), Err(UncertaintyError::IndexOutOfRange { index: 7, .. })));
    // More parameters than the dense limit: standard errors yes, dense covariance no.
    let n = SparseUncertainty::MAX_DENSE_DIM + 1;
    let mut triplets: Vec<_> = (0..n).map(|j| Triplet::new(j, j, 1.0 + (j % 3) as f64)).collect();
    triplets.push(Triplet::new(n, 0, 1.0));
    let big = SparseColMat::try_new_from_triplets(n + 1, n, &triplets).unwrap();
    let r = vec![0.5; n + 1];
    let u = SparseUncertainty::new(big.as_ref(), &r).unwrap();
    assert_eq!(
        u.covariance_matrix().unwrap_err(),
        UncertaintyError::TooLarge { dim: n, max: SparseUncertainty::MAX_DENSE_DIM }
    );
    assert!(matches!(u.to_dense(), Err(UncertaintyError::TooLarge { .. })));
    // se_j = s / d_j for a diagonal column j > 0 (s^2 = rss / dof, dof = 1).
    let s = (0.25 * (n + 1) as f64).sqrt();
    assert!(rel(u.std_errors[5].unwrap(), s / 3.0, s) <= 1e-14);
}

/// An unsorted pattern with a repeated entry means the sum, as in the triplet convention.
#[test]
fn unsorted_patterns_and_duplicates_are_summed() {
    let (m, n) = (6, 2);
    let ptr = [0usize, 5, 9];
    let idx = [3usize, 0, 1, 0, 5, 4, 2, 1, 2];
    let val = [1.0, 2.0, -1.0, 0.5, 3.0, 1.0, 2.0, 1.0, -0.5];
    let sym = SymbolicSparseColMatRef::new_unsorted_checked(m, n, &ptr, None, &idx);
    let jac = SparseColMatRef::new(sym, &val);
    let dense = Mat::<f64>::from_fn(m, n, |i, j| (ptr[j]..ptr[j + 1]).filter(|&p| idx[p] == i).map(|p| val[p]).sum());
    let r = [0.1, -0.3, 0.2, 0.05, -0.1, 0.4];
    let s = SparseUncertainty::new(jac, &r).unwrap();
    let d = Uncertainty::new(dense.as_ref(), &r).unwrap();
    assert_agree(&s, &d, 1e-12, "unsorted");
}

/// The numbers do not depend on the number of rayon threads.
#[test]
fn one_and_two_threads_give_identical_results() {
    let mut seed = 77;
    let dense = random_sparse(200, 90, 3, &mut seed);
    let r: Vec<f64> = (0..200).map(|_| lcg(&mut seed)).collect();
    let jac = to_sparse(&dense);
    let pairs: Vec<(usize, usize)> = (0..90).map(|i| (i, (i * 37 + 11) % 90)).collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let u = SparseUncertainty::new(jac.as_ref(), &r).unwrap();
            (u.std_errors.clone(), u.covariance_entries(&pairs).unwrap(), u.covariance_matrix().unwrap())
        })
    };
    assert_eq!(run(1), run(2));
}

/// A random small sparse matrix: each entry present with probability `density`, values from
/// a set with zeros, tiny and huge magnitudes (`wild`) or from [-1, 1].
fn small_sparse(m: usize, n: usize, density: f64, wild: bool, seed: u64) -> Mat<f64> {
    let mut s = seed;
    let values = [0.0, 1e-300, -1e-300, 1e300, -1e300, f64::MAX, f64::MIN_POSITIVE, 1.0, -2.5, 3e-8];
    Mat::from_fn(m, n, |_, _| {
        if lcg(&mut s) + 0.5 >= density {
            0.0
        } else if wild {
            values[((lcg(&mut s) + 0.5) * values.len() as f64) as usize % values.len()]
        } else {
            2.0 * lcg(&mut s)
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any small sparse matrix, extreme values included: no panic; `Ok` means finite,
    /// nonnegative standard errors and condition bounds in order.
    #[test]
    fn never_panics(m in 1usize..12, n in 1usize..8, density in 0.05f64..1.0, wild: bool, seed: u64, act_mask: u8) {
        let dense = small_sparse(m, n, density, wild, seed);
        let jac = to_sparse(&dense);
        let r: Vec<f64> = (0..m).map(|i| ((seed >> (i % 60)) & 7) as f64 - 3.5).collect();
        let active: Vec<bool> = (0..n).map(|j| act_mask >> j & 1 == 1).collect();
        if let Ok(u) = estimate_sparse(jac.as_ref(), &r, Some(&active), &UncertaintyOptions::default()) {
            prop_assert!(u.std_errors.iter().zip(&active).all(|(s, &a)| a == s.is_none()));
            prop_assert!(u.std_errors.iter().flatten().all(|s| *s >= 0.0 && !s.is_nan()));
            let (lo, hi) = u.condition_bounds();
            prop_assert!(lo >= 1.0 && lo <= hi);
            let c = u.covariance_matrix().unwrap();
            prop_assert!((0..n).all(|j| active[j] || c[(j, j)] >= 0.0));
        }
    }

    /// Full column rank by construction (a dominant diagonal on top of random sparse rows):
    /// the sparse and dense paths agree.
    #[test]
    fn agrees_with_dense_when_full_rank(extra in 1usize..10, n in 1usize..9, density in 0.0f64..0.8, seed: u64) {
        let m = n + extra;
        let mut dense = small_sparse(m, n, density, false, seed);
        for j in 0..n {
            // Diagonally dominant by rows and columns (at most 7 off-diagonal entries of
            // magnitude <= 1 in the top block): well conditioned.
            dense[(j, j)] = 8.0 + j as f64;
        }
        let r: Vec<f64> = (0..m).map(|i| ((seed >> (i % 60)) & 15) as f64 / 8.0 - 1.0).collect();
        let s = SparseUncertainty::new(to_sparse(&dense).as_ref(), &r).unwrap();
        let d = Uncertainty::new(dense.as_ref(), &r).unwrap();
        let cov = s.covariance_matrix().unwrap();
        for a in 0..n {
            let (x, y) = (s.std_errors[a].unwrap(), d.std_errors[a].unwrap());
            prop_assert!((x - y).abs() <= 1e-11 * y.max(1e-300), "se[{}] {} vs {}", a, x, y);
            for b in 0..n {
                let scale = (d.covariance[(a, a)] * d.covariance[(b, b)]).sqrt().max(1e-300);
                prop_assert!((cov[(a, b)] - d.covariance[(a, b)]).abs() <= 1e-11 * scale);
            }
        }
    }
}
