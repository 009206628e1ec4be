//! Robust losses in the Gauss-Newton model: the gradient of the robust cost against central
//! differences of the cost itself, the model curvature against the weights of each correction,
//! dense and sparse Jacobians alike, and a fit with outliers through every step solver that
//! takes the Gauss-Newton model.

use faer::sparse::{Pair, SymbolicSparseColMat};
use faer::MatMut;
use trust_region::model::{Correction, Loss, Oracle};
use trust_region::subproblem::{Dogleg, LevenbergMarquardt, MoreSorensen, Steihaug};
use trust_region::{DenseJacobian, GaussNewton, Needs, Residuals, SetupError, SparseJacobian, TrustRegion};

const LOSSES: [Loss; 5] = [
    Loss::Linear,
    Loss::SoftL1 { scale: 0.5 },
    Loss::Huber { scale: 0.8 },
    Loss::Cauchy { scale: 0.4 },
    Loss::Arctan { scale: 1.5 },
];

/// A line `y = x0 + x1 t` through 12 points with two gross outliers, with a nonlinear third
/// parameter `x2` in `exp(-x2 t)` so that `J` depends on `x`.
struct Line;

const T: [f64; 12] = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5];

fn y(i: usize) -> f64 {
    let base = 1.0 + 2.0 * T[i] + 0.5 * (-0.7 * T[i]).exp() + 0.01 * ((i * 7) % 5) as f64;
    match i {
        3 => base + 9.0,
        8 => base - 6.0,
        _ => base,
    }
}

impl Residuals for Line {
    fn dim(&self) -> usize {
        3
    }
    fn residual_count(&self) -> usize {
        12
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..12 {
            r[i] = x[0] + x[1] * T[i] + 0.5 * (-x[2] * T[i]).exp() - y(i);
        }
    }
}

impl DenseJacobian for Line {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for i in 0..12 {
            j[(i, 0)] = 1.0;
            j[(i, 1)] = T[i];
            j[(i, 2)] = -0.5 * T[i] * (-x[2] * T[i]).exp();
        }
    }
}

impl SparseJacobian for Line {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        // Column 1 has no entry in row 0 (t = 0), column 2 neither.
        let mut idx = Vec::new();
        for c in 0..3 {
            for i in 0..12 {
                if c == 0 || i > 0 {
                    idx.push(Pair::new(i, c));
                }
            }
        }
        SymbolicSparseColMat::try_new_from_indices(12, 3, &idx).unwrap().0
    }
    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
        let mut k = 0;
        for c in 0..3 {
            for i in 0..12 {
                if c == 0 || i > 0 {
                    v[k] = match c {
                        0 => 1.0,
                        1 => T[i],
                        _ => -0.5 * T[i] * (-x[2] * T[i]).exp(),
                    };
                    k += 1;
                }
            }
        }
    }
}

/// The gradient `J'(rho' o r)` against central differences of the robust cost, and
/// `B v = sum_i w_i (J_i v) J_i'` with `w = rho' + 2 rho'' z` floored at eps (weights) or `rho'`
/// (Triggs as Ceres applies it), for the dense and sparse models.
fn check<M: Oracle>(mut model: M, loss: Loss, correction: Correction, x: &[f64]) {
    model.start(x, Needs::Products).unwrap();
    let g = model.gradient().to_vec();
    let f = model.value();
    let mut r = vec![0.0; 12];
    Line.residuals(x, &mut r);
    let want_f = 0.5 * r.iter().map(|&ri| loss.evaluate(ri * ri)[0]).sum::<f64>();
    assert!((f - want_f).abs() <= 1e-14 * want_f.abs().max(1.0), "{loss:?}: f {f} vs {want_f}");
    for k in 0..3 {
        let h = 1e-6;
        let mut xp = x.to_vec();
        let mut xm = x.to_vec();
        xp[k] += h;
        xm[k] -= h;
        let fd = (model.trial_value(&xp) - model.trial_value(&xm)) / (2.0 * h);
        assert!((g[k] - fd).abs() <= 1e-6 * (1.0 + fd.abs()), "{loss:?} {correction:?}: g[{k}] = {} vs {fd}", g[k]);
    }
    let mut jac = faer::Mat::<f64>::zeros(12, 3);
    Line.jacobian(x, jac.as_mut());
    let v = [0.3, -1.1, 0.7];
    let mut bv = [0.0; 3];
    model.apply(&v, &mut bv);
    for c in 0..3 {
        let want: f64 = (0..12)
            .map(|i| {
                let z = r[i] * r[i];
                let [_, d1, d2] = loss.evaluate(z);
                let w = match correction {
                    Correction::Weights => (d1 + 2.0 * d2 * z).max(f64::EPSILON),
                    _ => d1,
                };
                let jv: f64 = (0..3).map(|k| jac[(i, k)] * v[k]).sum();
                w * jv * jac[(i, c)]
            })
            .sum();
        assert!(
            (bv[c] - want).abs() <= 1e-12 * (1.0 + want.abs()),
            "{loss:?} {correction:?}: Bv[{c}] {} vs {want}",
            bv[c]
        );
    }
    let mut diag = [0.0; 3];
    assert!(model.diagonal(&mut diag));
    let mut e = [0.0; 3];
    for c in 0..3 {
        e.iter_mut().for_each(|v| *v = 0.0);
        e[c] = 1.0;
        let mut be = [0.0; 3];
        model.apply(&e, &mut be);
        assert!((diag[c] - be[c]).abs() <= 1e-12 * (1.0 + be[c].abs()));
    }
}

#[test]
fn robust_gradient_matches_finite_differences_of_the_cost() {
    for loss in LOSSES {
        for correction in [Correction::Weights, Correction::Triggs] {
            for x in [[0.0, 0.0, 0.1], [1.0, 2.0, 0.7], [3.0, -1.0, 2.0]] {
                check(GaussNewton::dense(&Line).with_loss(loss).with_correction(correction), loss, correction, &x);
                check(GaussNewton::sparse(&Line).with_loss(loss).with_correction(correction), loss, correction, &x);
            }
        }
    }
}

/// Fits `Line` with a step solver and a loss from `(0, 0, 0.1)`; the run must converge.
macro_rules! fit {
    ($step:expr, $loss:expr) => {{
        let loss = $loss;
        let report =
            TrustRegion::new($step).solve(GaussNewton::dense(&Line).with_loss(loss), &[0.0, 0.0, 0.1]).unwrap();
        assert!(report.converged(), "{loss:?}: {}", report.termination);
        report.x
    }};
}

/// The soft L1 loss (convex in each residual) discounts the two outliers: every step solver
/// that takes the dense model (and Steihaug on the sparse one) finds the same robust fit, which
/// fits the inliers at least twice as closely as plain least squares does.
#[test]
fn every_step_solver_fits_with_a_robust_loss() {
    let loss = Loss::SoftL1 { scale: 0.3 };
    let fits = [
        fit!(LevenbergMarquardt::new(), loss),
        fit!(MoreSorensen::new(), loss),
        fit!(Dogleg::new(), loss),
        fit!(Steihaug::new(), loss),
    ];
    let report =
        TrustRegion::new(Steihaug::new()).solve(GaussNewton::sparse(&Line).with_loss(loss), &[0.0, 0.0, 0.1]).unwrap();
    assert!(report.converged(), "{}", report.termination);
    let robust_cost = |x: &[f64]| {
        let mut r = vec![0.0; 12];
        Line.residuals(x, &mut r);
        (loss.cost(&r), r)
    };
    for (k, x) in fits.iter().chain(std::iter::once(&report.x)).enumerate() {
        for (a, b) in x.iter().zip(&fits[0]) {
            assert!((a - b).abs() < 1e-4, "solver {k}: {x:?} vs {:?}", fits[0]);
        }
    }
    let plain = fit!(LevenbergMarquardt::new(), Loss::Linear);
    let (robust_at_fit, r_fit) = robust_cost(&fits[0]);
    let (robust_at_plain, r_plain) = robust_cost(&plain);
    assert!(robust_at_fit < robust_at_plain, "{robust_at_fit} vs {robust_at_plain}");
    // The robust fit leaves the outliers as outliers; least squares spreads them.
    let inliers = |r: &[f64]| (0..12).filter(|&i| i != 3 && i != 8).map(|i| r[i].abs()).fold(0.0, f64::max);
    assert!(inliers(&r_fit) < 0.5 * inliers(&r_plain), "{r_fit:?} vs {r_plain:?}");
    let err = TrustRegion::new(LevenbergMarquardt::new())
        .solve(GaussNewton::dense(&Line).with_loss(Loss::Huber { scale: -1.0 }), &[0.0; 3])
        .unwrap_err();
    assert!(matches!(err, SetupError::InvalidOption { .. }), "{err}");
}
