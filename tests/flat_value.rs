//! When `f` cannot see a step (`f(x + s) == f(x)` to the last bit while the model predicts a
//! decrease), the loop decides by the gradient instead of shrinking the radius until it fails.

use faer::MatMut;
use trust_region::subproblem::{MoreSorensen, Steihaug};
use trust_region::{DenseHessian, HessianProduct, Objective, Report, Termination, TrustRegion, TrustRegionOptions};

/// `h(x) = sum c_i (x_i - 1)^2` reported with its value rounded to multiples of `1e-6` (a
/// value whose resolution is far coarser than its gradient's, like a sum of many terms that
/// cancel), with the exact gradient of `h` and a Hessian scaled by `hess_scale`.
struct Quantized {
    hess_scale: f64,
}

const C: [f64; 4] = [1.0, 2.0, 3.0, 4.0];

impl Objective for Quantized {
    fn dim(&self) -> usize {
        4
    }
    fn value(&self, x: &[f64]) -> f64 {
        let h: f64 = x.iter().zip(C).map(|(xi, c)| c * (xi - 1.0).powi(2)).sum();
        (h * 1e6).round() / 1e6
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        for ((gi, xi), c) in g.iter_mut().zip(x).zip(C) {
            *gi = 2.0 * c * (xi - 1.0);
        }
    }
}

impl HessianProduct for Quantized {
    fn hessian_product(&self, _x: &[f64], v: &[f64], hv: &mut [f64]) {
        for ((o, vi), c) in hv.iter_mut().zip(v).zip(C) {
            *o = 2.0 * c * self.hess_scale * vi;
        }
    }
}

impl DenseHessian for Quantized {
    fn hessian(&self, _x: &[f64], mut h: MatMut<'_, f64>) {
        for j in 0..4 {
            for i in 0..4 {
                h[(i, j)] = if i == j { 2.0 * C[i] * self.hess_scale } else { 0.0 };
            }
        }
    }
}

/// Near the minimizer, where the rounded value is 0 at every trial point.
const X0: [f64; 4] = [1.0 + 1e-4, 1.0 - 2e-4, 1.0 + 1e-4, 1.0 - 1e-4];

fn options() -> TrustRegionOptions {
    let mut o = TrustRegionOptions::default();
    o.keep_history = true;
    o.tolerances.gtol = 1e-9;
    o
}

/// Every step accepted by the gradient test (f unchanged) reduced `||g||_inf`.
fn check_monotone(r: &Report, f0: f64, g0: f64) {
    let (mut f, mut g) = (f0, g0);
    for h in r.history.iter().filter(|h| h.accepted) {
        // Steps accepted by the gradient test: f unchanged while the model promised more than
        // the round-off guard of the ratio (which takes such pairs as agreement by itself).
        if h.actual_reduction == 0.0 && h.predicted_reduction > 10.0 * f64::EPSILON * (1.0 + f.abs()) {
            assert!(
                h.grad_inf < g,
                "iteration {}: accepted with f unchanged and ||g|| {} >= {g}",
                h.iteration,
                h.grad_inf
            );
        }
        (f, g) = (h.f, h.grad_inf);
    }
}

#[test]
fn newton_steps_are_taken_when_f_is_flat_to_its_resolution() {
    let p = Quantized { hess_scale: 1.0 };
    assert_eq!(p.value(&X0), 0.0);
    let g0 = 8e-4; // ||g(X0)||_inf = 2 * 2 * 2e-4
    let steihaug = TrustRegion::new(Steihaug::new()).with_options(options()).minimize(&p, &X0).unwrap();
    let exact = TrustRegion::new(MoreSorensen::new())
        .with_options(options())
        .solve(trust_region::Newton::dense(&p), &X0)
        .unwrap();
    for r in [&steihaug, &exact] {
        assert!(matches!(r.termination, Termination::GradientTolerance { .. }), "{}", r.termination);
        assert!(r.iterations <= 6, "{} iterations", r.iterations);
        assert!(r.history.iter().all(|h| h.actual_reduction == 0.0));
        check_monotone(r, 0.0, g0);
    }
}

#[test]
fn a_step_that_raises_the_gradient_is_still_rejected() {
    // A Hessian ten times too small: the model's step overshoots the minimizer by a factor of
    // ten and the gradient at the trial point is nine times larger. Such trials are rejected
    // and the radius shrinks until a step reduces the gradient.
    let p = Quantized { hess_scale: 0.1 };
    let r = TrustRegion::new(MoreSorensen::new())
        .with_options(options())
        .solve(trust_region::Newton::dense(&p), &X0)
        .unwrap();
    assert!(r.converged(), "{}", r.termination);
    assert!(r.history.iter().any(|h| !h.accepted), "some trial should have been rejected");
    check_monotone(&r, 0.0, 8e-4);
}
