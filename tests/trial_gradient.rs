//! `TrustRegionOptions::trial_gradient`: the gradient evaluated with the value at trial points gives the
//! same iterates with fewer calls into the problem, and rejected or non-finite trials are
//! handled as before.

mod common;

use std::cell::Cell;

use common::*;
use faer::MatMut;
use trust_region::subproblem::{MoreSorensen, Steihaug};
use trust_region::{DenseHessian, HessianProduct, Objective, Report, TrustRegion, TrustRegionOptions};

const X0: [f64; 2] = [-1.2, 1.0];

/// Rosenbrock that counts its calls by kind.
#[derive(Default)]
struct Counted {
    value: Cell<usize>,
    gradient: Cell<usize>,
    fused: Cell<usize>,
}

impl Objective for Counted {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.value.set(self.value.get() + 1);
        Rosenbrock.value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.gradient.set(self.gradient.get() + 1);
        Rosenbrock.gradient(x, g)
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        self.fused.set(self.fused.get() + 1);
        Rosenbrock.gradient(x, g);
        Rosenbrock.value(x)
    }
}

impl HessianProduct for Counted {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        Rosenbrock.hessian_product(x, v, hv)
    }
}

impl DenseHessian for Counted {
    fn hessian(&self, x: &[f64], h: MatMut<'_, f64>) {
        Rosenbrock.hessian(x, h)
    }
}

fn options(trial_gradient: bool) -> TrustRegionOptions {
    {
        let mut o = TrustRegionOptions::default();
        o.trial_gradient = trial_gradient;
        o.keep_history = true;
        o
    }
}

fn same_run(a: &Report, b: &Report) {
    assert_eq!(a.x, b.x);
    assert_eq!(a.f, b.f);
    assert_eq!(a.iterations, b.iterations);
    assert_eq!(a.termination, b.termination);
    assert_eq!(a.history, b.history);
}

#[test]
fn same_iterates_fewer_calls_with_products() {
    let (plain, fused) = (Counted::default(), Counted::default());
    let a = TrustRegion::new(Steihaug::new()).with_options(options(false)).minimize(&plain, &X0).unwrap();
    let b = TrustRegion::new(Steihaug::new()).with_options(options(true)).minimize(&fused, &X0).unwrap();
    assert!(a.converged(), "{}", a.termination);
    let rejected = a.history.iter().filter(|h| !h.accepted).count();
    assert!(rejected > 0, "the run should contain rejected steps");
    same_run(&a, &b);

    // Without: one fused call at the start, a value per trial, a gradient per accepted step.
    assert_eq!(plain.fused.get(), 1);
    assert_eq!(plain.value.get(), a.iterations);
    assert_eq!(plain.gradient.get(), a.accepted_steps);
    // With: every evaluation is one fused call, none separate.
    assert_eq!(fused.fused.get(), 1 + b.iterations);
    assert_eq!((fused.value.get(), fused.gradient.get()), (0, 0));
    assert_eq!(b.evaluations.f, 1 + b.iterations);
    assert_eq!(b.evaluations.g, 1 + b.iterations);
    assert_eq!(a.evaluations.g, 1 + a.accepted_steps);
    // Fewer calls overall: one per iteration instead of one per iteration plus one per accepted step.
    let calls = |c: &Counted| c.value.get() + c.gradient.get() + c.fused.get();
    assert_eq!(calls(&plain) - calls(&fused), a.accepted_steps);
}

#[test]
fn same_iterates_with_the_dense_hessian() {
    let (plain, fused) = (Counted::default(), Counted::default());
    let a = TrustRegion::new(MoreSorensen::new())
        .with_options(options(false))
        .solve(trust_region::Newton::dense(&plain), &X0)
        .unwrap();
    let b = TrustRegion::new(MoreSorensen::new())
        .with_options(options(true))
        .solve(trust_region::Newton::dense(&fused), &X0)
        .unwrap();
    assert!(a.converged(), "{}", a.termination);
    same_run(&a, &b);
    assert_eq!((fused.value.get(), fused.gradient.get()), (0, 0));
}

#[test]
fn non_finite_trial_gradient_is_rejected_as_before() {
    // The gradient turns infinite for x0 > 0.5: trials there are rejected, the run goes on.
    let poisoned = || Poisoned {
        inner: Rosenbrock,
        value_limit: f64::INFINITY,
        gradient_limit: 0.5,
        hessian_limit: f64::INFINITY,
    };
    let a = TrustRegion::new(Steihaug::new()).with_options(options(false)).minimize(&poisoned(), &X0).unwrap();
    let b = TrustRegion::new(Steihaug::new()).with_options(options(true)).minimize(&poisoned(), &X0).unwrap();
    same_run(&a, &b);
    // Some trial passed the ratio test and was still rejected: its gradient was not finite.
    assert!(a.history.iter().any(|h| !h.accepted && h.ratio > TrustRegionOptions::default().radius.accept));
    assert!(b.x[0] <= 0.5 && b.x.iter().all(|v| v.is_finite()));
}
