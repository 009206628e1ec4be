//! argmin's trust-region example, run with argmin's solver and with ours under argmin's
//! `Executor`.
//!
//! The problem and start are those of argmin 0.11's `trustregion` example: Rosenbrock's
//! function `(a - x)^2 + b (y - x^2)^2` with `a = 1`, `b = 100`, from `(-1.2, 1)` (its "tough
//! case"). That example offers argmin's `CauchyPoint`, `Dogleg` and `Steihaug` steps on
//! ndarray; over `Vec<f64>` (the only type argmin-math 0.5 shares with this crate) argmin's
//! dogleg is unavailable (it inverts the Hessian, which argmin-math implements for ndarray and
//! nalgebra only), so the comparison uses Steihaug and the Cauchy point.
//!
//! argmin's `TrustRegion` has no gradient test: it runs until `max_iters`. An observer records
//! the first iteration at which its gradient satisfies `||g||_inf <= 1e-6`, our default
//! tolerance, and that is the count compared with ours. With the same CG rule (argmin's
//! Steihaug stops at a relative residual of 1e-9) both need 25 iterations here; ours then stops,
//! argmin's runs on to `max_iters`. (The radius rules differ most at large n, where argmin's
//! absolute boundary test freezes the radius.)
//!
//! ```sh
//! cargo run --release --example argmin_trust_region --features argmin
//! ```

use std::sync::{Arc, Mutex};

use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{CostFunction, Error, Executor, Gradient, Hessian, Solver, State, KV};
use argmin::solver::trustregion::{CauchyPoint, Steihaug as ArgminSteihaug, TrustRegion as ArgminTrustRegionSolver};
use trust_region::interop::argmin::{ArgminState, ArgminTrustRegion};
use trust_region::subproblem::steihaug::Forcing;
use trust_region::subproblem::{Cauchy, Dogleg, MoreSorensen, Steihaug, StepSolver};

/// Rosenbrock's function in two variables, `(a - x)^2 + b (y - x^2)^2`.
struct Rosenbrock {
    a: f64,
    b: f64,
}

impl CostFunction for Rosenbrock {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> Result<f64, Error> {
        Ok((self.a - p[0]).powi(2) + self.b * (p[1] - p[0] * p[0]).powi(2))
    }
}

impl Gradient for Rosenbrock {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, Error> {
        let valley = p[1] - p[0] * p[0];
        Ok(vec![-2.0 * (self.a - p[0]) - 4.0 * self.b * p[0] * valley, 2.0 * self.b * valley])
    }
}

impl Hessian for Rosenbrock {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;
    fn hessian(&self, p: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        let xx = 2.0 - 4.0 * self.b * (p[1] - 3.0 * p[0] * p[0]);
        let xy = -4.0 * self.b * p[0];
        Ok(vec![vec![xx, xy], vec![xy, 2.0 * self.b]])
    }
}

const START: [f64; 2] = [-1.2, 1.0];
const GTOL: f64 = 1e-6;
const MAX_ITERS: u64 = 20_000;

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Remembers the first iteration whose gradient satisfies `||g||_inf <= GTOL`.
struct FirstConverged(Arc<Mutex<Option<u64>>>);

impl Observe<ArgminState> for FirstConverged {
    fn observe_iter(&mut self, state: &ArgminState, _kv: &KV) -> Result<(), Error> {
        let mut first = self.0.lock().unwrap();
        if first.is_none() && state.get_gradient().is_some_and(|g| inf_norm(g) <= GTOL) {
            *first = Some(state.get_iter() + 1); // `iter` counts from 0 and grows after observers
        }
        Ok(())
    }
}

/// One run under argmin's executor.
struct Outcome {
    /// Iterations to `||g||_inf <= GTOL` (`None`: not within `MAX_ITERS`).
    iterations: Option<u64>,
    /// Iterations run until the solver stopped.
    run: u64,
    x: Vec<f64>,
    f: f64,
    cost_evaluations: u64,
    reason: String,
}

fn execute<S>(solver: S) -> Result<Outcome, Error>
where
    S: Solver<Rosenbrock, ArgminState>,
{
    let first = Arc::new(Mutex::new(None));
    let result = Executor::new(Rosenbrock { a: 1.0, b: 100.0 }, solver)
        .configure(|state| state.param(START.to_vec()).max_iters(MAX_ITERS).counting(true))
        .add_observer(FirstConverged(first.clone()), ObserverMode::Always)
        .run()?;
    let state = result.state();
    let iterations = *first.lock().unwrap();
    Ok(Outcome {
        iterations,
        run: state.get_iter(),
        x: state.get_best_param().cloned().unwrap_or_default(),
        f: state.get_best_cost(),
        cost_evaluations: state.get_func_counts().get("cost_count").copied().unwrap_or(0),
        reason: state.get_termination_reason().map(|r| r.to_string()).unwrap_or_default(),
    })
}

fn ours<S: StepSolver>(step: S) -> Result<Outcome, Error> {
    execute(ArgminTrustRegion::new(step))
}

fn print(label: &str, o: &Outcome) {
    let iterations = o.iterations.map_or("-".to_string(), |k| k.to_string());
    println!(
        "{label:<36} {iterations:>8} {:>8} {:>8}   x = ({:.9}, {:.9})  f = {:.3e}  [{}]",
        o.run, o.cost_evaluations, o.x[0], o.x[1], o.f, o.reason
    );
}

fn main() -> Result<(), Error> {
    println!("Rosenbrock (a = 1, b = 100) from ({}, {}), iterations to ||g||_inf <= {GTOL:e} ('-': not reached), iterations run\n", START[0], START[1]);
    println!("{:<36} {:>8} {:>8} {:>8}", "solver", "to gtol", "run", "f evals");

    let their_steihaug = execute(ArgminTrustRegionSolver::new(ArgminSteihaug::new()))?;
    // argmin's Steihaug stops CG at ||r|| < 1e-9 ||g||: the same rule for ours.
    let mut argmin_like = Steihaug::new();
    argmin_like.forcing = Forcing::Fixed(1e-9);
    let our_steihaug = ours(argmin_like)?;
    let our_default_steihaug = ours(Steihaug::new())?;
    let their_cauchy = execute(ArgminTrustRegionSolver::new(CauchyPoint::new()))?;
    let our_cauchy = ours(Cauchy::new())?;
    print("argmin TrustRegion + Steihaug", &their_steihaug);
    print("ours (ArgminTrustRegion) + Steihaug", &our_steihaug);
    print("ours + Steihaug, default forcing", &our_default_steihaug);
    print("argmin TrustRegion + CauchyPoint", &their_cauchy);
    print("ours (ArgminTrustRegion) + Cauchy", &our_cauchy);
    // Steps argmin cannot take over Vec<f64>.
    print("ours (ArgminTrustRegion) + Dogleg", &ours(Dogleg::new())?);
    print("ours (ArgminTrustRegion) + exact", &ours(MoreSorensen::new())?);

    // Same minimizer; ours stops by itself at the tolerance, argmin's runs to `max_iters`.
    let k = our_steihaug.iterations.expect("ours with Steihaug converges");
    assert!(our_steihaug.x.iter().all(|v| (v - 1.0).abs() < 1e-6), "ours ends at {:?}", our_steihaug.x);
    let t = their_steihaug.iterations.expect("argmin's Steihaug reaches the tolerance within the cap");
    let gap = our_steihaug.x.iter().zip(&their_steihaug.x).fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(gap < 1e-6, "the minimizers differ by {gap:e}");
    assert!(k <= t, "ours took {k} iterations to the tolerance, argmin {t}");
    println!(
        "\nSame minimizer (1, 1). To ||g||_inf <= {GTOL:e}: ours {k} iterations, argmin {t}. Ours stops there \
         ({} cost evaluations); argmin's TrustRegion has no gradient test and ran {} evaluations \
         until max_iters = {MAX_ITERS}.",
        our_steihaug.cost_evaluations, their_steihaug.cost_evaluations
    );
    Ok(())
}
