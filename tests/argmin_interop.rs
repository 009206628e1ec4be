//! The argmin adapter (feature `argmin`): same iterates as the native loop, as few iterations
//! to the gradient tolerance as argmin's own `TrustRegion` (which has no such stop), argmin's
//! limits and observers honoured, typed errors.
#![cfg(feature = "argmin")]

mod common;

use std::sync::{Arc, Mutex};

use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{ArgminError, CostFunction, Error, Executor, Gradient, Hessian, State, TerminationReason, KV};
use argmin::solver::trustregion::{Steihaug as ArgminSteihaug, TrustRegion as ArgminTr};
use common::Rosenbrock;
use faer::Mat;
use trust_region::interop::argmin::{ArgminState, ArgminTrustRegion};
use trust_region::subproblem::steihaug::Forcing;
use trust_region::subproblem::{Cauchy, Dogleg, MoreSorensen, Steihaug, StepSolver};
use trust_region::{DenseHessian, SetupError, Termination, TrustRegion, TrustRegionOptions};
use trust_region_problems::mgh;

/// Any of our dense-Hessian problems, seen through argmin's traits.
struct Bridge<'a>(&'a dyn DenseHessian);

impl CostFunction for Bridge<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        Ok(self.0.value(x))
    }
}

impl Gradient for Bridge<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
        let mut g = vec![0.0; x.len()];
        self.0.gradient(x, &mut g);
        Ok(g)
    }
}

impl Hessian for Bridge<'_> {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;
    fn hessian(&self, x: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        let n = x.len();
        let mut h = Mat::zeros(n, n);
        self.0.hessian(x, h.as_mut());
        Ok((0..n).map(|i| (0..n).map(|j| h[(i, j)]).collect()).collect())
    }
}

fn run_ours<'a, S: StepSolver>(
    problem: &'a dyn DenseHessian,
    solver: ArgminTrustRegion<S>,
    x0: &[f64],
    max_iters: u64,
) -> argmin::core::OptimizationResult<Bridge<'a>, ArgminTrustRegion<S>, ArgminState> {
    Executor::new(Bridge(problem), solver)
        .configure(|state| state.param(x0.to_vec()).max_iters(max_iters).counting(true))
        .run()
        .expect("the adapter runs")
}

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Records the first iteration at which the state's gradient satisfies `||g||_inf <= gtol`.
struct FirstBelow {
    gtol: f64,
    first: Arc<Mutex<Option<u64>>>,
}

impl Observe<ArgminState> for FirstBelow {
    fn observe_iter(&mut self, state: &ArgminState, _kv: &KV) -> Result<(), Error> {
        let mut first = self.first.lock().unwrap();
        if first.is_none() && state.get_gradient().is_some_and(|g| inf_norm(g) <= self.gtol) {
            // `iter` is incremented after the observers run: this is the iteration's number.
            *first = Some(state.get_iter() + 1);
        }
        Ok(())
    }
}

/// argmin's own trust region (Steihaug steps) from `x0`: the first iteration with
/// `||g||_inf <= gtol` (`None` within `max_iters`), and the final point.
fn argmin_iterations(problem: &dyn DenseHessian, x0: &[f64], gtol: f64, max_iters: u64) -> (Option<u64>, Vec<f64>) {
    let first = Arc::new(Mutex::new(None));
    let solver: ArgminTr<ArgminSteihaug<Vec<f64>, f64>, f64> = ArgminTr::new(ArgminSteihaug::new());
    let res = Executor::new(Bridge(problem), solver)
        .configure(|state| state.param(x0.to_vec()).max_iters(max_iters))
        .add_observer(FirstBelow { gtol, first: first.clone() }, ObserverMode::Always)
        .run();
    let x = match res {
        Ok(r) => r.state().get_best_param().cloned().unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let first = *first.lock().unwrap();
    (first, x)
}

#[test]
fn same_iterates_as_the_native_loop() {
    let x0 = [-1.2, 1.0];
    let check = |name: &str, native: trust_region::Report, res: &ArgminState, iters: usize| {
        assert!(native.converged(), "{name}: {}", native.termination);
        assert_eq!(native.iterations, iters, "{name}: iterations");
        assert_eq!(res.get_iter() as usize, iters, "{name}: argmin's iteration count");
        let x = res.get_best_param().unwrap();
        assert_eq!(x, &native.x, "{name}: final point");
        assert_eq!(res.get_termination_reason(), Some(&TerminationReason::SolverConverged), "{name}");
    };

    let native = TrustRegion::new(Steihaug::new()).solve(trust_region::Newton::dense(&Rosenbrock), &x0).unwrap();
    let res = run_ours(&Rosenbrock, ArgminTrustRegion::new(Steihaug::new()), &x0, 1000);
    let iters = res.solver().loop_state().unwrap().iterations;
    check("steihaug", native, res.state(), iters);
    assert!(matches!(res.solver().termination(), Some(Termination::GradientTolerance { .. })));

    let native = TrustRegion::new(MoreSorensen::new()).solve(trust_region::Newton::dense(&Rosenbrock), &x0).unwrap();
    let res = run_ours(&Rosenbrock, ArgminTrustRegion::new(MoreSorensen::new()), &x0, 1000);
    let iters = res.solver().loop_state().unwrap().iterations;
    check("exact", native, res.state(), iters);

    let native = TrustRegion::new(Dogleg::new()).solve(trust_region::Newton::dense(&Rosenbrock), &x0).unwrap();
    let res = run_ours(&Rosenbrock, ArgminTrustRegion::new(Dogleg::new()), &x0, 1000);
    let iters = res.solver().loop_state().unwrap().iterations;
    check("dogleg", native, res.state(), iters);
}

#[test]
fn evaluation_counts_reach_argmin() {
    let res = run_ours(&Rosenbrock, ArgminTrustRegion::new(Steihaug::new()), &[-1.2, 1.0], 1000);
    let ours = res.solver().evaluations();
    let counts = &res.state().counts;
    assert_eq!(counts["cost_count"], ours.f as u64);
    assert_eq!(counts["gradient_count"], ours.g as u64);
    assert_eq!(counts["hessian_count"], ours.h as u64);
    // One value per iteration plus the start; one gradient and Hessian per accepted step plus
    // the start.
    let st = res.solver().loop_state().unwrap();
    assert_eq!(ours.f, st.iterations + 1);
    assert_eq!(ours.g, st.accepted_steps + 1);
    assert_eq!(problem_counts(&res), (ours.f as u64, ours.g as u64));
}

fn problem_counts<S>(res: &argmin::core::OptimizationResult<Bridge<'_>, S, ArgminState>) -> (u64, u64) {
    let c = &res.problem().counts;
    (c["cost_count"], c["gradient_count"])
}

#[test]
fn as_few_iterations_as_argmins_trust_region_and_a_stop_of_its_own() {
    let gtol = 1e-6;
    let cap = 5000;
    // 2-D Rosenbrock from argmin's example start, then MGH problems from their standard starts.
    let mut cases: Vec<(String, Box<dyn trust_region_problems::SuiteProblem>)> = Vec::new();
    for name in ["rosenbrock", "helical_valley", "wood", "beale", "extended_rosenbrock"] {
        cases.push((name.to_string(), mgh::by_name(name, None).expect("known MGH problem")));
    }
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    for (name, p) in &cases {
        let problem = p.dense_hessian().expect("small MGH problems offer a dense Hessian");
        let x0 = p.x0();
        let (theirs, their_x) = argmin_iterations(problem, &x0, gtol, cap);
        // The same CG stopping rule as argmin's Steihaug (relative residual 1e-9).
        let res = run_ours(problem, ArgminTrustRegion::new(argmin_like_steihaug()), &x0, cap);
        let ours = res.solver().loop_state().unwrap().iterations as u64;
        let default = run_ours(problem, ArgminTrustRegion::new(Steihaug::new()), &x0, cap);
        let ours_default = default.solver().loop_state().unwrap().iterations;
        let x = res.state().get_best_param().unwrap();
        let dist = x.iter().zip(&their_x).fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        lines.push(format!(
            "{name}: ours {ours} (default forcing {ours_default}), argmin {theirs:?}, |x - x_argmin| = {dist:.1e}, {:?}",
            res.state().get_termination_reason()
        ));
        failures.extend(check_against_argmin(name, &res, theirs, dist));
    }
    println!("{}", lines.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Our Steihaug with argmin's CG stopping rule, `||r|| < 1e-9 ||g||`.
fn argmin_like_steihaug() -> Steihaug {
    let mut step = Steihaug::new();
    step.forcing = Forcing::Fixed(1e-9);
    step
}

fn check_against_argmin<S: StepSolver>(
    name: &str,
    res: &argmin::core::OptimizationResult<Bridge<'_>, ArgminTrustRegion<S>, ArgminState>,
    theirs: Option<u64>,
    dist: f64,
) -> Option<String> {
    let ours = res.solver().loop_state().unwrap().iterations as u64;
    if res.state().get_termination_reason() != Some(&TerminationReason::SolverConverged) {
        return Some(format!("{name}: ours did not converge"));
    }
    let x = res.state().get_best_param().unwrap();
    match theirs {
        // The same minimizer (argmin keeps iterating to its cap, so its last point is at least
        // as accurate as the one where it first met the tolerance).
        Some(_) if dist > 1e-4 * (1.0 + inf_norm(x)) => Some(format!("{name}: minimizers differ by {dist:e}")),
        // With the same CG rule the two loops need about as many iterations on these small
        // problems (measured: 25/25, 15/15, 47/44, 7/7, 25/25); ours stops there by itself,
        // argmin's runs on to `max_iters`.
        Some(t) if ours > t + t / 10 => Some(format!("{name}: ours {ours} vs argmin {t}")),
        // argmin did not reach the tolerance within the cap: fewer by definition.
        _ => None,
    }
}

#[test]
fn argmins_max_iters_is_respected() {
    let res = run_ours(&Rosenbrock, ArgminTrustRegion::new(Steihaug::new()), &[-1.2, 1.0], 3);
    assert_eq!(res.state().get_iter(), 3);
    assert_eq!(res.state().get_termination_reason(), Some(&TerminationReason::MaxItersReached));
    assert_eq!(res.solver().termination(), None);
    assert_eq!(res.solver().loop_state().unwrap().iterations, 3);
    // Zero iterations: only `init` runs.
    let res = run_ours(&Rosenbrock, ArgminTrustRegion::new(Steihaug::new()), &[-1.2, 1.0], 0);
    assert_eq!(res.state().get_iter(), 0);
    assert_eq!(res.solver().loop_state().unwrap().iterations, 0);
}

#[test]
fn converged_start_stops_in_init() {
    let res = run_ours(&Rosenbrock, ArgminTrustRegion::new(Steihaug::new()), &[1.0, 1.0], 100);
    assert_eq!(res.state().get_iter(), 0);
    assert_eq!(res.state().get_termination_reason(), Some(&TerminationReason::SolverConverged));
}

/// Counts observer calls and checks the key-value record of each iteration.
#[derive(Default)]
struct Calls {
    init: usize,
    iter: usize,
    fin: usize,
    keys_ok: bool,
}

struct Recorder(Arc<Mutex<Calls>>);

impl Observe<ArgminState> for Recorder {
    fn observe_init(&mut self, _name: &str, state: &ArgminState, kv: &KV) -> Result<(), Error> {
        let mut c = self.0.lock().unwrap();
        c.init += 1;
        c.keys_ok = kv.get("radius").is_some() && state.get_param().is_some();
        Ok(())
    }
    fn observe_iter(&mut self, state: &ArgminState, kv: &KV) -> Result<(), Error> {
        let mut c = self.0.lock().unwrap();
        c.iter += 1;
        let keys = ["radius", "ratio", "step_norm", "grad_inf", "accepted", "hits_boundary", "step_status"];
        c.keys_ok &= keys.iter().all(|k| kv.get(k).is_some()) && state.get_gradient().is_some();
        Ok(())
    }
    fn observe_final(&mut self, _state: &ArgminState) -> Result<(), Error> {
        self.0.lock().unwrap().fin += 1;
        Ok(())
    }
}

#[test]
fn observers_are_called() {
    let calls = Arc::new(Mutex::new(Calls::default()));
    let res = Executor::new(Bridge(&Rosenbrock), ArgminTrustRegion::new(Steihaug::new()))
        .configure(|state| state.param(vec![-1.2, 1.0]).max_iters(100))
        .add_observer(Recorder(calls.clone()), ObserverMode::Always)
        .run()
        .unwrap();
    let c = calls.lock().unwrap();
    assert_eq!((c.init, c.fin), (1, 1));
    assert_eq!(c.iter as u64, res.state().get_iter());
    assert!(c.iter > 5);
    assert!(c.keys_ok, "every record carries the documented keys");
}

/// A problem whose functions misbehave on request.
#[derive(Clone, Copy, Default)]
struct Faulty {
    short_gradient: bool,
    ragged_hessian: bool,
    fail_cost_after: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
#[error("user failure")]
struct UserFailure;

static COST_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl CostFunction for Faulty {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        let calls = COST_CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.fail_cost_after.is_some_and(|k| calls >= k) {
            return Err(UserFailure.into());
        }
        Ok(x.iter().map(|v| (v - 1.0).powi(4) + v * v).sum())
    }
}

impl Gradient for Faulty {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
        let mut g: Vec<f64> = x.iter().map(|v| 4.0 * (v - 1.0).powi(3) + 2.0 * v).collect();
        if self.short_gradient {
            g.pop();
        }
        Ok(g)
    }
}

impl Hessian for Faulty {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;
    fn hessian(&self, x: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        let n = x.len();
        let mut h: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| if i == j { 12.0 * (x[i] - 1.0).powi(2) + 2.0 } else { 0.0 }).collect())
            .collect();
        if self.ragged_hessian {
            h[n - 1].pop();
        }
        Ok(h)
    }
}

fn run_faulty(problem: Faulty, x0: Option<Vec<f64>>) -> Result<(), Error> {
    let mut exec = Executor::new(problem, ArgminTrustRegion::new(Steihaug::new()));
    if let Some(x0) = x0 {
        exec = exec.configure(|state| state.param(x0).max_iters(50));
    }
    exec.run().map(|_| ())
}

fn setup_error(e: &Error) -> SetupError {
    e.downcast_ref::<SetupError>().cloned().unwrap_or_else(|| panic!("not a SetupError: {e}"))
}

#[test]
fn bad_input_is_a_typed_error() {
    let ok = Faulty::default();
    let e = run_faulty(ok, None).unwrap_err();
    assert!(matches!(e.downcast_ref::<ArgminError>(), Some(ArgminError::NotInitialized { .. })), "{e}");
    assert_eq!(setup_error(&run_faulty(ok, Some(vec![])).unwrap_err()), SetupError::EmptyProblem);
    assert!(matches!(
        setup_error(&run_faulty(ok, Some(vec![0.0, f64::NAN])).unwrap_err()),
        SetupError::NonFiniteStart { index: 1, .. }
    ));
    let short = Faulty { short_gradient: true, ..ok };
    assert!(matches!(
        setup_error(&run_faulty(short, Some(vec![3.0, 2.0])).unwrap_err()),
        SetupError::DimensionMismatch { what: "gradient", expected: 2, found: 1 }
    ));
    let ragged = Faulty { ragged_hessian: true, ..ok };
    assert!(matches!(
        setup_error(&run_faulty(ragged, Some(vec![3.0, 2.0])).unwrap_err()),
        SetupError::DimensionMismatch { what: "Hessian rows", .. }
    ));
    // A matrix-needing step solver without a Hessian matrix.
    let e = Executor::new(ok, ArgminTrustRegion::gradient_differences(MoreSorensen::new()))
        .configure(|state| state.param(vec![3.0, 2.0]))
        .run()
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(setup_error(&e), SetupError::Unsupported { .. }));
    // Invalid options.
    let mut options = TrustRegionOptions::default();
    options.tolerances.gtol = -1.0;
    let e = Executor::new(ok, ArgminTrustRegion::new(Steihaug::new()).with_options(options))
        .configure(|state| state.param(vec![3.0, 2.0]))
        .run()
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(setup_error(&e), SetupError::InvalidOption { name: "gtol", .. }));
}

#[test]
fn user_errors_end_the_run_with_that_error() {
    COST_CALLS.store(0, std::sync::atomic::Ordering::SeqCst);
    let failing = Faulty { fail_cost_after: Some(3), ..Faulty::default() };
    let e = run_faulty(failing, Some(vec![3.0, 2.0])).unwrap_err();
    assert!(e.downcast_ref::<UserFailure>().is_some(), "{e}");
}

/// `f = sum x_i - ln x_i` (minimum at 1): NaN for `x_i <= 0`, so long steps land on NaN.
struct Barrier;

impl CostFunction for Barrier {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        Ok(x.iter().map(|&v| v - v.ln()).sum())
    }
}

impl Gradient for Barrier {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
        Ok(x.iter().map(|&v| 1.0 - 1.0 / v).collect())
    }
}

impl Hessian for Barrier {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;
    fn hessian(&self, x: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        let n = x.len();
        Ok((0..n).map(|i| (0..n).map(|j| if i == j { 1.0 / (x[i] * x[i]) } else { 0.0 }).collect()).collect())
    }
}

#[test]
fn non_finite_trials_are_rejected_not_errors() {
    let mut options = TrustRegionOptions::default();
    options.radius.initial = Some(100.0);
    let res = Executor::new(Barrier, ArgminTrustRegion::new(MoreSorensen::new()).with_options(options))
        .configure(|state| state.param(vec![0.05, 3.0]).max_iters(200))
        .run()
        .unwrap();
    assert_eq!(res.state().get_termination_reason(), Some(&TerminationReason::SolverConverged));
    let x = res.state().get_best_param().unwrap();
    assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-6), "{x:?}");

    // With a cap of one non-finite trial the run fails, which argmin sees as a solver exit.
    let mut options = TrustRegionOptions::default();
    options.radius.initial = Some(100.0);
    options.max_non_finite = 1;
    let res = Executor::new(Barrier, ArgminTrustRegion::new(Cauchy::new()).with_options(options))
        .configure(|state| state.param(vec![0.05, 3.0]).max_iters(200))
        .run()
        .unwrap();
    assert!(matches!(res.state().get_termination_reason(), Some(TerminationReason::SolverExit(_))));
    assert!(matches!(res.solver().termination(), Some(Termination::NonFinite { consecutive: 1 })));
}

#[test]
fn gradient_differences_converge() {
    // Rosenbrock without its Hessian: products by differences of the gradient.
    let x0 = vec![-1.2, 1.0];
    let res = Executor::new(Bridge(&Rosenbrock), ArgminTrustRegion::gradient_differences(Steihaug::new()))
        .configure(|state| state.param(x0).max_iters(200).counting(true))
        .run()
        .unwrap();
    assert_eq!(res.state().get_termination_reason(), Some(&TerminationReason::SolverConverged));
    let x = res.state().get_best_param().unwrap();
    assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6, "{x:?}");
    let evals = res.solver().evaluations();
    assert_eq!(evals.h, 0);
    assert!(evals.hv > 0);
    assert_eq!(res.state().counts["gradient_count"], evals.g as u64);
    assert!(!res.state().counts.contains_key("hessian_count"));

    // Extended Rosenbrock, n = 10.
    let p = mgh::by_name("extended_rosenbrock", None).unwrap();
    let problem = p.dense_hessian().unwrap();
    let res = Executor::new(Bridge(problem), ArgminTrustRegion::gradient_differences(Steihaug::new()))
        .configure(|state| state.param(p.x0()).max_iters(500))
        .run()
        .unwrap();
    assert_eq!(res.state().get_termination_reason(), Some(&TerminationReason::SolverConverged));
    assert!(res.state().get_best_param().unwrap().iter().all(|v| (v - 1.0).abs() < 1e-5));
}

/// `sum c_i (x_i - 1)^2` with its value rounded to multiples of 1e-6 (flat to the solver near
/// the minimizer) and an exact gradient and Hessian.
struct Quantized;

impl trust_region::Objective for Quantized {
    fn dim(&self) -> usize {
        3
    }
    fn value(&self, x: &[f64]) -> f64 {
        let h: f64 = x.iter().enumerate().map(|(i, xi)| (1.0 + i as f64) * (xi - 1.0).powi(2)).sum();
        (h * 1e6).round() / 1e6
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        for (i, (gi, xi)) in g.iter_mut().zip(x).enumerate() {
            *gi = 2.0 * (1.0 + i as f64) * (xi - 1.0);
        }
    }
}

impl DenseHessian for Quantized {
    fn hessian(&self, _x: &[f64], mut h: faer::MatMut<'_, f64>) {
        for j in 0..3 {
            for i in 0..3 {
                h[(i, j)] = if i == j { 2.0 * (1.0 + i as f64) } else { 0.0 };
            }
        }
    }
}

#[test]
fn flat_values_are_decided_by_the_gradient_as_in_the_native_loop() {
    // f is 0 at every point the run visits: only the gradient test can accept a step.
    let x0 = [1.0 + 1e-4, 1.0 - 2e-4, 1.0 + 1e-4];
    let mut opts = TrustRegionOptions::default();
    opts.tolerances.gtol = 1e-9;
    let native = TrustRegion::new(MoreSorensen::new())
        .with_options(opts.clone())
        .solve(trust_region::Newton::dense(&Quantized), &x0)
        .unwrap();
    assert!(native.converged(), "{}", native.termination);
    let res = run_ours(&Quantized, ArgminTrustRegion::new(MoreSorensen::new()).with_options(opts), &x0, 100);
    let iters = res.solver().loop_state().unwrap().iterations;
    assert_eq!(iters, native.iterations);
    // argmin's best point only moves on a strict decrease of the cost; the current one is ours.
    assert_eq!(res.state().get_param().unwrap(), &native.x);
    assert_eq!(res.state().get_termination_reason(), Some(&TerminationReason::SolverConverged));
}

#[test]
fn evaluation_limit_is_checked_before_the_first_iteration_as_natively() {
    let x0 = [-1.2, 1.0];
    for limit in [1, 5] {
        let mut opts = TrustRegionOptions::default();
        opts.limits.max_evaluations = limit;
        let native = TrustRegion::new(Steihaug::new())
            .with_options(opts.clone())
            .solve(trust_region::Newton::dense(&Rosenbrock), &x0)
            .unwrap();
        assert!(matches!(native.termination, Termination::MaxEvaluations { .. }), "{}", native.termination);
        let res = run_ours(&Rosenbrock, ArgminTrustRegion::new(Steihaug::new()).with_options(opts), &x0, 1000);
        assert!(matches!(res.solver().termination(), Some(Termination::MaxEvaluations { .. })));
        assert_eq!(res.solver().loop_state().unwrap().iterations, native.iterations, "limit {limit}");
        assert_eq!(res.state().get_param().unwrap(), &native.x, "limit {limit}");
    }
}
