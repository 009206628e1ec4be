//! Robust losses in the scaled interior trust region (bounded rectangular least squares,
//! `InteriorOptions::loss`): with an inactive box the fit is the unconstrained robust fit of
//! the Gauss-Newton trust region; with a bound cutting off the robust minimizer it agrees with
//! the projected Newton trust region on the same robust cost and finds the active bound;
//! dense QR, sparse normal equations and LSMR agree; the reported gradient is the robust
//! cost's (finite differences). That every iterate stays strictly inside with a loss is part
//! of the proptest of `tests/least_squares_box.rs`.

use faer::sparse::{Pair, SymbolicSparseColMat};
use faer::MatMut;
use trust_region::model::{Correction, Loss};
use trust_region::solver::bounded::ProjectedNewton;
use trust_region::solver::interior::{Interior, InteriorOptions, LinearSolver, StepRule};
use trust_region::subproblem::LevenbergMarquardt;
use trust_region::{Bounds, DenseJacobian, GaussNewton, Residuals, SparseJacobian, SparseStore, TrustRegion};

const LOSSES: [Loss; 4] =
    [Loss::SoftL1 { scale: 0.2 }, Loss::Huber { scale: 0.2 }, Loss::Cauchy { scale: 0.2 }, Loss::Arctan { scale: 0.5 }];

/// `F_i = x0 exp(-x1 t_i) + x2 - y_i` on 30 points, `y` from `(3, 0.8, 0.5)` with a small
/// deterministic wiggle and four gross outliers: `m = 30 > n = 3`.
struct Decay;

const M: usize = 30;
const TRUTH: [f64; 3] = [3.0, 0.8, 0.5];

fn t(i: usize) -> f64 {
    0.2 * i as f64
}

fn y(i: usize) -> f64 {
    let clean = TRUTH[0] * (-TRUTH[1] * t(i)).exp() + TRUTH[2] + 0.02 * ((i * 7 % 11) as f64 / 11.0 - 0.5);
    match i {
        2 => clean + 2.5,
        9 => clean - 1.5,
        17 => clean + 3.0,
        25 => clean + 2.0,
        _ => clean,
    }
}

impl Residuals for Decay {
    fn dim(&self) -> usize {
        3
    }
    fn residual_count(&self) -> usize {
        M
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for (i, ri) in r.iter_mut().enumerate() {
            *ri = x[0] * (-x[1] * t(i)).exp() + x[2] - y(i);
        }
    }
}

impl DenseJacobian for Decay {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for i in 0..M {
            let e = (-x[1] * t(i)).exp();
            j[(i, 0)] = e;
            j[(i, 1)] = -x[0] * t(i) * e;
            j[(i, 2)] = 1.0;
        }
    }
}

impl SparseJacobian for Decay {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let idx: Vec<_> = (0..3).flat_map(|c| (0..M).map(move |i| Pair::new(i, c))).collect();
        SymbolicSparseColMat::try_new_from_indices(M, 3, &idx).unwrap().0
    }
    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
        for i in 0..M {
            let e = (-x[1] * t(i)).exp();
            v[i] = e;
            v[M + i] = -x[0] * t(i) * e;
            v[2 * M + i] = 1.0;
        }
    }
}

const X0: [f64; 3] = [1.0, 0.3, 0.0];

fn options(loss: Loss, correction: Correction, rule: StepRule) -> InteriorOptions {
    let mut o = InteriorOptions::default();
    o.loss = loss;
    o.correction = correction;
    o.step_rule = rule;
    o.limits.max_iterations = 500;
    o
}

fn robust_cost(loss: Loss, x: &[f64]) -> f64 {
    let mut r = vec![0.0; M];
    Decay.residuals(x, &mut r);
    loss.cost(&r)
}

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.iter().zip(b).all(|(u, v)| (u - v).abs() <= tol * (1.0 + v.abs()))
}

/// In a box that does not bind, every loss, correction and step rule gives the unconstrained
/// robust fit of the Gauss-Newton trust region (Levenberg-Marquardt), converged as a
/// stationary point, with the report's `f` the robust cost and its residuals `F`; and that
/// fit is closer to the truth than the plain least-squares fit in the same box.
#[test]
fn inactive_box_gives_the_unconstrained_robust_fit() {
    let wide = Bounds::new(vec![-10.0, -5.0, -10.0], vec![10.0, 5.0, 10.0]).unwrap();
    let mut plain = None;
    for loss in LOSSES {
        for correction in [Correction::Triggs, Correction::Weights] {
            let reference = TrustRegion::new(LevenbergMarquardt::new())
                .solve(GaussNewton::dense(&Decay).with_loss(loss).with_correction(correction), &X0)
                .unwrap();
            assert!(reference.converged(), "{loss:?} {correction:?}: {}", reference.termination);
            for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
                let o = options(loss, correction, rule);
                let r = Interior::new(o).solve_dense(&Decay, &wide, &X0).unwrap();
                let what = format!("{loss:?} {correction:?} {rule:?}: {} after {}", r.termination, r.iterations);
                assert!(r.converged(), "{what}");
                assert_eq!(r.termination.name(), "stationary", "{what}");
                assert!(close(&r.x, &reference.x, 1e-6), "{what}: {:?} vs {:?}", r.x, reference.x);
                let cost = robust_cost(loss, &r.x);
                assert!((r.f - cost).abs() <= 1e-12 * cost, "{what}: f {} vs cost {cost}", r.f);
                let mut f = vec![0.0; M];
                Decay.residuals(&r.x, &mut f);
                assert_eq!(r.residuals, f, "{what}");
            }
        }
        let p = plain.get_or_insert_with(|| {
            let o = options(Loss::Linear, Correction::Triggs, StepRule::Dogleg);
            Interior::new(o).solve_dense(&Decay, &wide, &X0).unwrap().x
        });
        let o = options(loss, Correction::Triggs, StepRule::Dogleg);
        let robust = Interior::new(o).solve_dense(&Decay, &wide, &X0).unwrap().x;
        let err = |x: &[f64]| x.iter().zip(&TRUTH).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(err(&robust) < 0.5 * err(p), "{loss:?}: robust {robust:?} vs plain {p:?}");
    }
}

/// A bound `x1 <= 0.6` cuts off the robust minimizer (`x1` near 0.8): the interior fit ends on
/// that bound (to within the step-back) and agrees with the projected Newton trust region on
/// the same robust Gauss-Newton model; dense QR, sparse normal equations and LSMR give the
/// same point.
#[test]
fn bound_cutting_off_the_robust_fit_is_found() {
    let b = Bounds::new(vec![0.0, 0.0, -1.0], vec![10.0, 0.6, 10.0]).unwrap();
    for loss in LOSSES {
        let mut projected = ProjectedNewton::new();
        let reference = projected.solve(GaussNewton::dense(&Decay).with_loss(loss), &b, &X0).unwrap();
        assert!(reference.converged(), "{loss:?}: {}", reference.termination);
        assert_eq!(reference.x[1], 0.6, "{loss:?}: {:?}", reference.x);
        for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
            let mut fits = Vec::new();
            for solver in [LinearSolver::Direct, LinearSolver::Lsmr] {
                let mut o = options(loss, Correction::Triggs, rule);
                o.linear_solver = solver;
                let dense = Interior::new(o.clone()).solve_dense(&Decay, &b, &X0).unwrap();
                let sparse = Interior::new(o).solve(SparseStore::user(&Decay).unwrap(), &b, &X0).unwrap();
                fits.push((format!("{solver:?} dense"), dense));
                fits.push((format!("{solver:?} sparse"), sparse));
            }
            for (name, r) in &fits {
                let what = format!("{loss:?} {rule:?} {name}: {} after {}", r.termination, r.iterations);
                assert!(r.converged(), "{what}");
                assert!(b.strictly_contains(&r.x), "{what}");
                assert!(0.6 - r.x[1] < 1e-6, "{what}: x1 = {} not at its bound", r.x[1]);
                assert!(close(&r.x, &reference.x, 1e-5), "{what}: {:?} vs projected {:?}", r.x, reference.x);
                let (cost, ref_cost) = (robust_cost(loss, &r.x), robust_cost(loss, &reference.x));
                assert!(cost <= ref_cost * (1.0 + 1e-8), "{what}: cost {cost} vs {ref_cost}");
            }
        }
    }
}

/// After a few iterations the reported gradient is the gradient of the robust cost at the
/// reported point (central differences), for both corrections.
#[test]
fn reported_gradient_is_the_robust_cost_gradient() {
    let b = Bounds::new(vec![-10.0, -5.0, -10.0], vec![10.0, 5.0, 10.0]).unwrap();
    for loss in LOSSES {
        for correction in [Correction::Triggs, Correction::Weights] {
            let mut o = options(loss, correction, StepRule::Dogleg);
            o.limits.max_iterations = 3;
            let r = Interior::new(o).solve_dense(&Decay, &b, &X0).unwrap();
            for k in 0..3 {
                let h = 1e-6 * (1.0 + r.x[k].abs());
                let (mut xp, mut xm) = (r.x.clone(), r.x.clone());
                xp[k] += h;
                xm[k] -= h;
                let fd = (robust_cost(loss, &xp) - robust_cost(loss, &xm)) / (2.0 * h);
                assert!(
                    (r.gradient[k] - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
                    "{loss:?} {correction:?} component {k}: {} vs {fd}",
                    r.gradient[k]
                );
            }
        }
    }
}

/// An invalid loss scale is a typed error before any evaluation.
#[test]
fn invalid_loss_scale_is_a_setup_error() {
    let b = Bounds::new(vec![-10.0; 3], vec![10.0; 3]).unwrap();
    let o = options(Loss::Cauchy { scale: 0.0 }, Correction::Triggs, StepRule::Dogleg);
    let err = Interior::new(o).solve_dense(&Decay, &b, &X0).unwrap_err();
    assert!(matches!(err, trust_region::SetupError::InvalidOption { .. }), "{err}");
}
