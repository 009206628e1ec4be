//! `RadiusOptions::f_noise`: with values carrying bounded noise, the relaxed ratio keeps the
//! run going to the gradient tolerance where the plain ratio gives up.

use trust_region::subproblem::Steihaug;
use trust_region::{HessianProduct, Objective, SetupError, TrustRegion, TrustRegionOptions};

/// `sum c_i (x_i - 1)^2` plus deterministic noise of amplitude `NOISE` in the value (the
/// gradient is exact), as from a simulation with an inner tolerance.
struct NoisyQuadratic;

const NOISE: f64 = 1e-6;
const N: usize = 20;

fn c(i: usize) -> f64 {
    1.0 + i as f64
}

impl Objective for NoisyQuadratic {
    fn dim(&self) -> usize {
        N
    }
    fn value(&self, x: &[f64]) -> f64 {
        let smooth: f64 = x.iter().enumerate().map(|(i, xi)| c(i) * (xi - 1.0).powi(2)).sum();
        // A rapidly varying function of x in [-1, 1]: noise that repeats for equal x.
        let phase: f64 = x.iter().enumerate().map(|(i, xi)| xi * (1e7 + 1e5 * i as f64)).sum();
        smooth + NOISE * phase.sin()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        for (i, (gi, xi)) in g.iter_mut().zip(x).enumerate() {
            *gi = 2.0 * c(i) * (xi - 1.0);
        }
    }
}

impl HessianProduct for NoisyQuadratic {
    fn hessian_product(&self, _x: &[f64], v: &[f64], hv: &mut [f64]) {
        for (i, (o, vi)) in hv.iter_mut().zip(v).enumerate() {
            *o = 2.0 * c(i) * vi;
        }
    }
}

fn run(f_noise: f64) -> trust_region::Report {
    let mut o = TrustRegionOptions::default();
    o.tolerances.gtol = 1e-8;
    o.radius.f_noise = f_noise;
    let x0: Vec<f64> = (0..N).map(|i| -2.0 + 0.1 * i as f64).collect();
    TrustRegion::new(Steihaug::new()).with_options(o).minimize(&NoisyQuadratic, &x0).unwrap()
}

#[test]
fn the_relaxed_ratio_reaches_the_gradient_tolerance_through_the_noise() {
    let plain = run(0.0);
    let relaxed = run(NOISE);
    println!(
        "plain: {} after {} iterations, ||g|| {:.2e}; relaxed: {} after {} iterations",
        plain.termination, plain.iterations, plain.grad_inf, relaxed.termination, relaxed.iterations
    );
    assert!(relaxed.converged(), "{}", relaxed.termination);
    assert!(relaxed.grad_inf <= 1e-8);
    // The plain ratio judges steps whose predicted decrease is below the noise by the noise,
    // and stops far from the tolerance.
    assert!(!plain.converged(), "{}", plain.termination);
    assert!(plain.grad_inf > 1e3 * relaxed.grad_inf, "{} vs {}", plain.grad_inf, relaxed.grad_inf);
    // In the smooth part the relaxed run ends no worse than the plain one, up to the noise:
    // 2 eps_f of relaxation plus the noise in the two values compared.
    let smooth = |x: &[f64]| x.iter().enumerate().map(|(i, xi)| c(i) * (xi - 1.0).powi(2)).sum::<f64>();
    assert!(smooth(&relaxed.x) <= smooth(&plain.x) + 4.0 * NOISE);
}

#[test]
fn a_bad_noise_level_is_a_typed_error() {
    for f_noise in [-1.0, f64::NAN, f64::INFINITY] {
        let mut o = TrustRegionOptions::default();
        o.radius.f_noise = f_noise;
        let r = TrustRegion::new(Steihaug::new()).with_options(o).minimize(&NoisyQuadratic, &[0.0; N]);
        assert!(matches!(r, Err(SetupError::InvalidOption { name: "f_noise", .. })), "{r:?}");
    }
}
