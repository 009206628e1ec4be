//! The solver x More-Garbow-Hillstrom matrix: every step solver on all 35 problems from the
//! standard starting points, asserting the expected outcome per (solver, problem).
//!
//! "Solved" means >= 4 correct digits of the published optimal value, or >= 4 digits of a
//! published local minimum value with `||g||_inf <= 1e-6` (see `RunRecord::solved`). Each
//! expected failure is listed in `EXCEPTIONS` with its reason; an exception that starts
//! passing also fails the test, so the list stays true.

use rayon::prelude::*;
use trust_region_problems::mgh;
use trust_region_problems::runner::{run_one, RunRecord, RunSettings, SolverName};

/// (solver, problem, reason) triples of runs that are known not to reach 4 digits.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    // f* = 5.64e-9 and ||g(x0)||_inf = 1e-6: the absolute gradient tolerance 1e-6 is met after
    // one step, with f = 5.6464e-9 (2.9 digits). With --gtol 1e-10 every solver gets 4+ digits.
    ("exact", "gaussian", "absolute gtol 1e-6 is loose for f* = 5.6e-9"),
    ("dogleg", "gaussian", "absolute gtol 1e-6 is loose for f* = 5.6e-9"),
    // From the standard start the Newton model leads to the flat region around the stationary
    // point with f = 0.121339 (sum of squares 0.242678), not one of the published values
    // (0, or the local minimum 5.65565e-3); exact converges there (||g|| < 1e-6) after 1058
    // iterations, dogleg is still creeping at the limit. Gauss-Newton (Levenberg-Marquardt)
    // and Steihaug find f* = 0.
    ("exact", "biggs_exp6", "converges to the stationary point f = 0.121339"),
    ("dogleg", "biggs_exp6", "creeps towards the stationary point f = 0.121339"),
    // The gradient tolerance is met in a flat valley before f has 4 digits:
    // f = 2.73289e-5 against f* = 2.73245e-5 (3.8 digits), and f = 4.7386e-6 against
    // f* = 4.6881e-6 (2.0 digits).
    ("steihaug", "osborne1", "absolute gtol 1e-6 met at 3.8 digits"),
    ("steihaug", "penalty2", "absolute gtol 1e-6 met at 2.0 digits"),
];

fn run(solver: SolverName) -> Vec<RunRecord> {
    let settings = RunSettings { max_iterations: 2000, ..RunSettings::default() };
    let problems = mgh::suite();
    problems.par_iter().map(|p| run_one(p.as_ref(), solver, &settings, mgh::local_f_star(&p.info().name))).collect()
}

fn check(solver: SolverName, minimum_solved: usize) {
    let records = run(solver);
    assert_eq!(records.len(), 35);
    let mut unexpected = Vec::new();
    let mut solved = 0;
    for r in &records {
        let ok = r.solved(4.0, 1e-6);
        solved += usize::from(ok);
        let excepted = EXCEPTIONS.iter().any(|(s, p, _)| *s == r.solver && *p == r.problem);
        if ok == excepted {
            unexpected.push(format!(
                "{} on {}: solved = {ok}, listed as exception = {excepted} ({}, f = {:e}, digits {:?}, ||g|| = {:e}, {} iterations)",
                r.solver, r.problem, r.termination, r.f, r.correct_digits, r.grad_inf, r.iterations
            ));
        }
    }
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
    assert!(solved >= minimum_solved, "{solver}: {solved} of 35 solved");
}

#[test]
fn exact_on_mgh() {
    check(SolverName::Exact, 33);
}

#[test]
fn steihaug_on_mgh() {
    check(SolverName::Steihaug, 33);
}

#[test]
fn dogleg_on_mgh() {
    check(SolverName::Dogleg, 33);
}

#[test]
fn gauss_newton_on_mgh() {
    check(SolverName::GaussNewton, 35);
}

/// Levenberg-Marquardt (MINPACK's step and radius rule) on the dense Jacobians: all 35 to 4
/// digits (Jennrich-Sampson and Brown-Dennis end at the iteration limit with `||g||_inf` at the
/// rounding level of `f` = 62 and 4.3e4, after reaching the digits; Meyer with a radius too small).
#[test]
fn levenberg_marquardt_on_mgh() {
    check(SolverName::LevenbergMarquardt, 35);
}
