//! The Levenberg-Marquardt step (`LevenbergMarquardt`): the trust-region optimality
//! conditions against a dense computation on random cases (full rank, rank deficient, m < n,
//! badly scaled columns), the region in the scaled norm, rank-deficient Jacobians in a full
//! run, and the pairing with the Gauss-Newton model at run time.

use faer::linalg::solvers::Solve;
use faer::{Mat, MatMut, MatRef};
use trust_region::model::{LeastSquaresRef, Model};
use trust_region::subproblem::{
    ColumnScaling, LevenbergMarquardt, LevenbergMarquardtOptions, RuntimeChecked, StepSolver,
};
use trust_region::{DenseJacobian, GaussNewton, Newton, Residuals, SetupError, StepStatus, TrustRegion};

mod common;

/// A least-squares model with a fixed `J` and `r`.
struct Fixed {
    j: Mat<f64>,
    r: Vec<f64>,
    g: Vec<f64>,
}

impl Fixed {
    fn new(j: Mat<f64>, r: Vec<f64>) -> Self {
        let n = j.ncols();
        let g = (0..n).map(|c| (0..j.nrows()).map(|i| j[(i, c)] * r[i]).sum()).collect();
        Self { j, r, g }
    }
}

impl Model for Fixed {
    fn dim(&self) -> usize {
        self.j.ncols()
    }
    fn value(&self) -> f64 {
        0.5 * self.r.iter().map(|v| v * v).sum::<f64>()
    }
    fn gradient(&self) -> &[f64] {
        &self.g
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        let (m, n) = (self.j.nrows(), self.j.ncols());
        let jv: Vec<f64> = (0..m).map(|i| (0..n).map(|c| self.j[(i, c)] * v[c]).sum()).collect();
        for c in 0..n {
            out[c] = (0..m).map(|i| self.j[(i, c)] * jv[i]).sum();
        }
    }
    fn least_squares(&self) -> Option<LeastSquaresRef<'_>> {
        Some(LeastSquaresRef { jacobian: self.j.as_ref(), residuals: &self.r })
    }
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// A random case: `J` (m x n) with column scales over 6 decades, made rank deficient by
/// repeating or zeroing columns in `kind` 1 and 2, and `r`.
fn case(rng: &mut Rng, m: usize, n: usize, kind: usize) -> (Mat<f64>, Vec<f64>) {
    let scales: Vec<f64> = (0..n).map(|_| 10f64.powf(3.0 * rng.next())).collect();
    let mut j = Mat::from_fn(m, n, |_, c| rng.next() * scales[c]);
    if n >= 2 && kind == 1 {
        for i in 0..m {
            j[(i, n - 1)] = 2.0 * j[(i, 0)];
        }
    }
    if n >= 2 && kind == 2 {
        for i in 0..m {
            j[(i, 1)] = 0.0;
        }
    }
    let r = (0..m).map(|_| 10.0 * rng.next()).collect();
    (j, r)
}

fn jtj_plus(j: MatRef<'_, f64>, lambda: f64, d: &[f64]) -> Mat<f64> {
    let n = j.ncols();
    let mut a = j.transpose() * j;
    for k in 0..n {
        a[(k, k)] += lambda * d[k] * d[k];
    }
    a
}

/// Trust-region optimality (2) of the module docs, checked with a dense computation: for the
/// `lambda` and `D` the solver reports, `(J'J + lambda D'D) p = -J'r` (relative to the sizes
/// of the terms), `lambda (||Dp|| - Delta) = 0` to the boundary tolerance, `||Dp|| <= Delta`,
/// and the step equals the dense solution of the shifted normal equations when `lambda > 0`.
#[test]
fn step_satisfies_the_trust_region_conditions_on_random_cases() {
    let mut rng = Rng(20261206);
    let sigma = 1e-9;
    let mut opts = LevenbergMarquardtOptions::default();
    opts.boundary_tolerance = sigma;
    opts.max_lambda_iterations = 200;
    let (mut boundary, mut interior, mut rank_deficient) = (0, 0, 0);
    for trial in 0..300 {
        let n = 1 + trial % 7;
        let m = match trial % 4 {
            0 => n,
            1 => n + 3,
            2 => 3 * n,
            _ => (n / 2).max(1),
        };
        let kind = trial % 3;
        let (j, r) = case(&mut rng, m, n, kind);
        let mut model = Fixed::new(j.clone(), r.clone());
        let mut lm = LevenbergMarquardt::with_options(opts.clone());
        lm.initialize(n);
        lm.prepare(&mut model);
        let d = lm.scaling().to_vec();
        // Radii from far inside to far beyond the Gauss-Newton step.
        let radius = 10f64.powf(4.0 * rng.next());
        let mut p = vec![0.0; n];
        let info = lm.solve(&mut model, radius, &mut p);
        let lambda = lm.damping();
        let dp: f64 = p.iter().zip(&d).map(|(a, b)| (a * b) * (a * b)).sum::<f64>().sqrt();
        assert!(dp <= radius * (1.0 + 1e-12), "trial {trial}: ||Dp|| = {dp} > radius {radius}");
        assert!(info.step_norm.is_finite() && (info.step_norm - dp).abs() <= 1e-10 * radius.max(dp));
        assert!(info.status != StepStatus::IterationCap, "trial {trial}: the lambda iteration hit its cap");
        // Complementarity: lambda > 0 only on the boundary, or lambda ||Dp||^2 negligible
        // against |g'p| (a rank-deficient J whose minimum-norm solution lies inside: p(lambda)
        // tends to it as lambda -> 0+, and the iteration stops at a tiny lambda).
        let gp: f64 = model.g.iter().zip(&p).map(|(a, b)| a * b).sum();
        if lambda > 0.0 && (dp - radius).abs() <= 2.0 * sigma * radius {
            boundary += 1;
        } else {
            assert!(
                lambda * dp * dp <= 1e-8 * gp.abs(),
                "trial {trial}: lambda {lambda}, ||Dp|| {dp}, radius {radius}"
            );
            interior += 1;
        }
        // Stationarity: (J'J + lambda D'D) p + J'r = 0.
        let a = jtj_plus(j.as_ref(), lambda, &d);
        let mut res = vec![0.0; n];
        let mut size = vec![0.0f64; n];
        for c in 0..n {
            let ap: f64 = (0..n).map(|k| a[(c, k)] * p[k]).sum();
            res[c] = ap + model.g[c];
            size[c] = (0..n).map(|k| (a[(c, k)] * p[k]).abs()).sum::<f64>() + model.g[c].abs();
        }
        let scale = size.iter().cloned().fold(0.0f64, f64::max).max(f64::MIN_POSITIVE);
        let worst = res.iter().map(|v| v.abs()).fold(0.0f64, f64::max);
        // The scaled-back step differs from p(lambda) by a factor within sigma.
        assert!(
            worst <= 1e-7 * scale,
            "trial {trial} (m {m}, n {n}, kind {kind}): stationarity {worst:e} vs {scale:e}"
        );
        // Against the dense solution when lambda is not negligible (J'J + lambda D'D is then
        // definite and not singular to working precision).
        if lambda > 0.0 && lambda * dp * dp > 1e-8 * gp.abs() {
            let rhs = Mat::from_fn(n, 1, |c, _| -model.g[c]);
            let dense = a.as_ref().llt(faer::Side::Lower).map(|llt| llt.solve(&rhs));
            if let Ok(x) = dense {
                let diff = (0..n).map(|c| ((x[(c, 0)] - p[c]) * d[c]).abs()).fold(0.0, f64::max);
                assert!(diff <= 1e-6 * radius, "trial {trial}: dense step differs by {diff:e} (radius {radius})");
            }
        }
        if kind > 0 || m < n {
            rank_deficient += 1;
        }
        // The predicted reduction agrees with the model's m(0) - m(p).
        let mut bp = vec![0.0; n];
        model.apply(&p, &mut bp);
        let change: f64 = (0..n).map(|c| model.g[c] * p[c] + 0.5 * p[c] * bp[c]).sum();
        assert!(
            (info.predicted_reduction + change).abs() <= 1e-8 * info.predicted_reduction.abs().max(1e-300),
            "trial {trial}: pred {} vs {}",
            info.predicted_reduction,
            -change
        );
    }
    assert!(boundary > 50 && interior > 50 && rank_deficient > 100, "{boundary} {interior} {rank_deficient}");
}

/// With MINPACK's defaults (sigma = 0.1) the step stays in the region, decreases the model at
/// least as much as the Cauchy point, and the scaling is the running maximum of the column norms.
#[test]
fn default_step_stays_in_the_region_and_beats_the_cauchy_point() {
    let mut rng = Rng(7);
    for trial in 0..200 {
        let n = 1 + trial % 6;
        let m = n + trial % 5;
        let (j, r) = case(&mut rng, m, n, trial % 3);
        let mut model = Fixed::new(j.clone(), r);
        let mut lm = LevenbergMarquardt::new();
        lm.initialize(n);
        lm.prepare(&mut model);
        for c in 0..n {
            let norm = (0..m).map(|i| j[(i, c)] * j[(i, c)]).sum::<f64>().sqrt();
            let want = if norm > 0.0 { norm } else { 1.0 };
            assert!((lm.scaling()[c] - want).abs() <= 1e-12 * want);
        }
        let radius = 10f64.powf(3.0 * rng.next());
        let mut p = vec![0.0; n];
        let info = lm.solve(&mut model, radius, &mut p);
        assert!(info.step_norm <= radius * (1.0 + 1e-12));
        // The Cauchy point in the scaled norm: along -D^{-2} g.
        let d = lm.scaling().to_vec();
        let dir: Vec<f64> = (0..n).map(|c| -model.g[c] / (d[c] * d[c])).collect();
        let ddir: f64 = dir.iter().zip(&d).map(|(a, b)| (a * b) * (a * b)).sum::<f64>().sqrt();
        if ddir == 0.0 {
            continue;
        }
        let mut bd = vec![0.0; n];
        model.apply(&dir, &mut bd);
        let gd: f64 = model.g.iter().zip(&dir).map(|(a, b)| a * b).sum();
        let dbd: f64 = dir.iter().zip(&bd).map(|(a, b)| a * b).sum();
        let tmax = radius / ddir;
        let t = if dbd > 0.0 { (-gd / dbd).min(tmax) } else { tmax };
        let cauchy = -(t * gd + 0.5 * t * t * dbd);
        assert!(
            info.predicted_reduction >= cauchy * (1.0 - 1e-9) - 1e-12 * cauchy.abs(),
            "trial {trial}: {} < Cauchy {cauchy}",
            info.predicted_reduction
        );
        // A second point with smaller columns keeps the larger D (running maximum).
        let mut small = Fixed::new(Mat::from_fn(m, n, |i, c| 0.5 * j[(i, c)]), model.r.clone());
        lm.prepare(&mut small);
        assert_eq!(lm.scaling(), &d[..]);
    }
    let mut ident = LevenbergMarquardtOptions::default();
    ident.scaling = ColumnScaling::Identity;
    let mut lm = LevenbergMarquardt::with_options(ident);
    let mut model = Fixed::new(Mat::from_fn(3, 2, |i, c| (i + 3 * c) as f64), vec![1.0, 2.0, 3.0]);
    lm.initialize(2);
    lm.prepare(&mut model);
    assert_eq!(lm.scaling(), &[1.0, 1.0]);
}

/// `r = (x0 + x1 - 1, 2 (x0 + x1) - 2, x2^2 - 4)`: the first two columns of `J` are equal
/// everywhere (rank 2 of 3), and the residuals can vanish.
struct RankDeficient;

impl Residuals for RankDeficient {
    fn dim(&self) -> usize {
        3
    }
    fn residual_count(&self) -> usize {
        3
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = x[0] + x[1] - 1.0;
        r[1] = 2.0 * (x[0] + x[1]) - 2.0;
        r[2] = x[2] * x[2] - 4.0;
    }
}

impl DenseJacobian for RankDeficient {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        j[(0, 0)] = 1.0;
        j[(0, 1)] = 1.0;
        j[(1, 0)] = 2.0;
        j[(1, 1)] = 2.0;
        j[(2, 2)] = 2.0 * x[2];
    }
}

/// A zero Jacobian at the start (x2 = 0: its column vanishes) and a rank-deficient one
/// throughout: no panic, and the run converges to a zero residual.
#[test]
fn rank_deficient_jacobians_converge_without_panic() {
    for x0 in [[0.0, 0.0, 0.0], [3.0, -1.0, 1.0], [1e3, 1e3, -1e-3]] {
        let report =
            TrustRegion::new(LevenbergMarquardt::new()).solve(GaussNewton::dense(&RankDeficient), &x0).unwrap();
        assert!(
            report.termination.class() != trust_region::TerminationClass::Failed || x0[2] == 0.0,
            "{x0:?}: {}",
            report.termination
        );
        if x0[2] != 0.0 {
            assert!(report.converged() && report.f < 1e-12, "{x0:?}: {} f = {:e}", report.termination, report.f);
        }
    }
}

/// Only a least-squares model with a dense Jacobian offers what the step needs: at run time
/// the others refuse it before any evaluation.
#[test]
fn models_without_a_dense_jacobian_refuse_the_step() {
    let mut tr = TrustRegion::new(RuntimeChecked(LevenbergMarquardt::new()));
    let err = tr.solve(Newton::dense(&common::Rosenbrock), &[-1.2, 1.0]).unwrap_err();
    assert!(matches!(err, SetupError::Unsupported { .. }), "{err}");
    let mut bad = LevenbergMarquardtOptions::default();
    bad.boundary_tolerance = 1.5;
    let err = TrustRegion::new(LevenbergMarquardt::with_options(bad))
        .solve(GaussNewton::dense(&common::RosenbrockResiduals), &[-1.2, 1.0])
        .unwrap_err();
    assert!(matches!(err, SetupError::InvalidOption { name: "boundary_tolerance", .. }), "{err}");
}
