//! Every `Termination` variant provoked at least once, and every setup error.

mod common;

use std::ops::ControlFlow;
use std::time::Duration;

use common::*;
use trust_region::subproblem::{Cauchy, Dogleg, Steihaug};
use trust_region::{
    HessianProduct, IterationInfo, Objective, SetupError, Termination, TerminationClass, TrustRegion,
    TrustRegionOptions,
};

const X0: [f64; 2] = [-1.2, 1.0];

fn steihaug(opts: TrustRegionOptions) -> TrustRegion<Steihaug> {
    TrustRegion::new(Steihaug::new()).with_options(opts)
}

#[test]
fn gradient_tolerance() {
    let r = steihaug(TrustRegionOptions::default()).minimize(&Rosenbrock, &X0).unwrap();
    assert!(matches!(r.termination, Termination::GradientTolerance { .. }), "{}", r.termination);
    assert_eq!(r.termination.class(), TerminationClass::Converged);
    assert!(r.grad_inf <= 1e-6);
    assert!((r.x[0] - 1.0).abs() < 1e-6 && (r.x[1] - 1.0).abs() < 1e-6);
}

#[test]
fn relative_gradient_tolerance() {
    let mut o = TrustRegionOptions::default();
    o.tolerances.gtol = 0.0;
    o.tolerances.grtol = 1e-3;
    let r = steihaug(o).minimize(&Rosenbrock, &X0).unwrap();
    match r.termination {
        Termination::RelativeGradientTolerance { grad_inf, grad0_inf, .. } => {
            assert!(grad_inf <= 1e-3 * grad0_inf);
            assert!((grad0_inf - 215.6).abs() < 1e-9);
        }
        t => panic!("{t}"),
    }
}

#[test]
fn function_tolerance() {
    let mut o = TrustRegionOptions::default();
    o.tolerances.gtol = 0.0;
    o.tolerances.ftol = 0.1;
    // Steepest descent creeps along the valley: relative decreases fall below 10%.
    let r = TrustRegion::new(Cauchy::new()).with_options(o).minimize(&Rosenbrock, &X0).unwrap();
    assert!(matches!(r.termination, Termination::FunctionTolerance { .. }), "{}", r.termination);
    assert!(r.converged());
}

#[test]
fn step_tolerance() {
    let mut o = TrustRegionOptions::default();
    o.tolerances.gtol = 0.0;
    o.tolerances.xtol = 1e-3;
    let r = steihaug(o).minimize(&Rosenbrock, &X0).unwrap();
    assert!(matches!(r.termination, Termination::StepTolerance { .. }), "{}", r.termination);
}

#[test]
fn round_off_limit() {
    // gtol = 0 cannot be met; the run must still end as converged once the model promises
    // nothing above rounding level, not in a thousand rejected trials.
    let mut o = TrustRegionOptions::default();
    o.tolerances.gtol = 0.0;
    let r =
        TrustRegion::new(Dogleg::new()).with_options(o).solve(trust_region::Newton::dense(&Rosenbrock), &X0).unwrap();
    assert!(
        matches!(r.termination, Termination::RoundOffLimit { .. } | Termination::GradientTolerance { .. }),
        "{}",
        r.termination
    );
    assert!(r.iterations < 100, "{} iterations", r.iterations);
    assert!(r.f < 1e-20);
}

#[test]
fn max_iterations() {
    let mut o = TrustRegionOptions::default();
    o.limits.max_iterations = 3;
    let r = steihaug(o).minimize(&Rosenbrock, &X0).unwrap();
    assert_eq!(r.termination, Termination::MaxIterations { limit: 3 });
    assert_eq!(r.iterations, 3);
    assert_eq!(r.termination.class(), TerminationClass::Stopped);
    assert!(r.f < Rosenbrock.value(&X0));
}

#[test]
fn max_evaluations() {
    let mut o = TrustRegionOptions::default();
    o.limits.max_evaluations = 4;
    let r = steihaug(o).minimize(&Rosenbrock, &X0).unwrap();
    assert_eq!(r.termination, Termination::MaxEvaluations { limit: 4 });
    assert_eq!(r.evaluations.f, 4);
}

#[test]
fn max_time() {
    let mut o = TrustRegionOptions::default();
    o.limits.max_time = Some(Duration::ZERO);
    let r = steihaug(o).minimize(&Rosenbrock, &X0).unwrap();
    assert!(matches!(r.termination, Termination::MaxTime { .. }), "{}", r.termination);
    assert_eq!(r.iterations, 0);
}

#[test]
fn user_stopped() {
    let mut seen = Vec::new();
    let mut obs = |info: &IterationInfo, _: &[f64]| {
        seen.push(info.iteration);
        if info.iteration == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let tr = steihaug(TrustRegionOptions::default());
    let r = tr.with_observer(&mut obs).solve(&mut trust_region::Newton::products(&Rosenbrock), &X0).unwrap();
    assert_eq!(r.termination, Termination::UserStopped { iteration: 2 });
    assert_eq!(seen, vec![1, 2]);
}

/// A gradient with the wrong sign: the model always predicts a decrease that `f` refuses.
struct WrongGradient;
impl Objective for WrongGradient {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        Rosenbrock.value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        Rosenbrock.gradient(x, g);
        g.iter_mut().for_each(|v| *v = -*v);
    }
}
impl HessianProduct for WrongGradient {
    fn hessian_product(&self, _x: &[f64], v: &[f64], hv: &mut [f64]) {
        hv.copy_from_slice(v);
    }
}

#[test]
fn radius_too_small() {
    let r = TrustRegion::new(Cauchy::new()).minimize(&WrongGradient, &X0).unwrap();
    assert!(matches!(r.termination, Termination::RadiusTooSmall { .. }), "{}", r.termination);
    assert_eq!(r.termination.class(), TerminationClass::Failed);
    assert_eq!(r.x, X0.to_vec(), "best point is the start");
    assert_eq!(r.accepted_steps, 0);
}

fn poisoned(value_limit: f64, gradient_limit: f64, hessian_limit: f64) -> Poisoned<Rosenbrock> {
    Poisoned { inner: Rosenbrock, value_limit, gradient_limit, hessian_limit }
}

#[test]
fn non_finite_values() {
    let mut o = TrustRegionOptions::default();
    o.max_non_finite = 5;
    let p = poisoned(-1.2, f64::INFINITY, f64::INFINITY);
    let r = steihaug(o).minimize(&p, &X0).unwrap();
    assert_eq!(r.termination, Termination::NonFinite { consecutive: 5 });
    assert_eq!(r.x, X0.to_vec());
    assert_eq!(r.f, Rosenbrock.value(&X0));
    // Every rejected trial shrank the radius.
    assert!(r.radius <= 0.25f64.powi(5) + 1e-15);
}

#[test]
fn non_finite_gradient_is_rejected() {
    let mut o = TrustRegionOptions::default();
    o.max_non_finite = 5;
    let p = poisoned(f64::INFINITY, -1.2, f64::INFINITY);
    let r = steihaug(o).minimize(&p, &X0).unwrap();
    assert_eq!(r.termination, Termination::NonFinite { consecutive: 5 });
    assert_eq!(r.x, X0.to_vec());
    assert!(r.gradient.iter().all(|g| g.is_finite()));
}

#[test]
fn non_finite_values_recovered() {
    // NaN beyond x[0] = 0.5 on the way: the run must shrink, go around, and still converge
    // to a point of the allowed region.
    let p = poisoned(0.9, f64::INFINITY, f64::INFINITY);
    let r = steihaug(TrustRegionOptions::default()).minimize(&p, &X0).unwrap();
    assert!(r.x[0] <= 0.9);
    assert!(r.f.is_finite());
}

#[test]
fn non_finite_model() {
    let p = poisoned(f64::INFINITY, f64::INFINITY, -1.2);
    let r = TrustRegion::new(Dogleg::new()).solve(trust_region::Newton::dense(&p), &X0).unwrap();
    assert_eq!(r.termination, Termination::NonFiniteModel { iteration: 1 });
    assert!(r.f < Rosenbrock.value(&X0), "the improved point is kept");
    assert!(r.x[0] > -1.2);
}

#[test]
fn setup_errors() {
    let mut tr = steihaug(TrustRegionOptions::default());
    assert_eq!(
        tr.minimize(&Rosenbrock, &[1.0]).unwrap_err(),
        SetupError::DimensionMismatch { what: "x0", expected: 2, found: 1 }
    );
    assert!(matches!(tr.minimize(&Rosenbrock, &[1.0, f64::NAN]), Err(SetupError::NonFiniteStart { index: 1, .. })));
    assert!(matches!(
        tr.minimize(&Rosenbrock, &[f64::INFINITY, 1.0]),
        Err(SetupError::NonFiniteStart { index: 0, .. })
    ));
    let p = poisoned(-2.0, f64::INFINITY, f64::INFINITY);
    assert_eq!(tr.minimize(&p, &X0).unwrap_err(), SetupError::NonFiniteAtStart { what: "value" });
    let p = poisoned(f64::INFINITY, -2.0, f64::INFINITY);
    assert_eq!(tr.minimize(&p, &X0).unwrap_err(), SetupError::NonFiniteAtStart { what: "gradient" });
    let p = poisoned(f64::INFINITY, f64::INFINITY, -2.0);
    assert_eq!(
        TrustRegion::new(Dogleg::new()).solve(trust_region::Newton::dense(&p), &X0).unwrap_err(),
        SetupError::NonFiniteAtStart { what: "Hessian" }
    );
    // dogleg needs a matrix: the pairing does not compile; chosen at run time it is refused
    let dogleg = TrustRegion::new(trust_region::subproblem::RuntimeChecked(Dogleg::new())).minimize(&Rosenbrock, &X0);
    assert!(matches!(dogleg, Err(SetupError::Unsupported { .. })));
    let mut o = TrustRegionOptions::default();
    o.tolerances.gtol = -1.0;
    assert!(matches!(steihaug(o).minimize(&Rosenbrock, &X0), Err(SetupError::InvalidOption { name: "gtol", .. })));
    let mut o = TrustRegionOptions::default();
    o.radius.initial = Some(0.0);
    assert!(matches!(steihaug(o).minimize(&Rosenbrock, &X0), Err(SetupError::InvalidOption { .. })));
    let mut s = Steihaug::new();
    s.forcing = trust_region::subproblem::steihaug::Forcing::Fixed(1.5);
    assert!(matches!(
        TrustRegion::new(s).minimize(&Rosenbrock, &X0),
        Err(SetupError::InvalidOption { name: "forcing", .. })
    ));
}

/// The record of an iteration carries the radius its trial step was computed for: the first one
/// the initial radius, every later one the radius the previous update left (rejections shrink
/// it, so the sequence is not constant on Rosenbrock from the standard start).
#[test]
fn iteration_records_carry_the_trial_radius() {
    let mut radii = Vec::new();
    let mut steps = Vec::new();
    let mut obs = |info: &IterationInfo, _: &[f64]| {
        radii.push(info.radius);
        steps.push(info.step_norm);
        ControlFlow::Continue(())
    };
    let mut o = TrustRegionOptions::default();
    o.radius.initial = Some(0.5);
    let tr = steihaug(o);
    let r = tr.with_observer(&mut obs).solve(&mut trust_region::Newton::products(&Rosenbrock), &X0).unwrap();
    assert!(r.converged());
    assert_eq!(radii[0], 0.5);
    for (k, (&radius, &step)) in radii.iter().zip(&steps).enumerate() {
        assert!(step <= radius * (1.0 + 1e-12), "iteration {}: step {step} > radius {radius}", k + 1);
    }
    assert!(radii.windows(2).any(|w| w[1] != w[0]));
}
