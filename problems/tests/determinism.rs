//! Determinism: a slice of the CUTEst suite (three step solvers) and of the bounded-systems
//! suite (every scaling and step rule from the quarter points) give the same iterations and
//! the same bits of `f` (or `||F||`) on a 1-thread and a 2-thread rayon pool. (The library's
//! parallel kernels and the suite's evaluations must not depend on the thread count.)

use trust_region::solver::interior::InteriorOptions;
use trust_region_problems::runner::{run_one, RunSettings, SolverName};
use trust_region_problems::systems::{self, runner as sr};
use trust_region_problems::{cutest, SuiteProblem};

/// CUTEst problems and sizes of the slice: large enough that the element adapter and the
/// sparse kernels may run in parallel, small enough for CI.
const CUTEST: [(&str, usize); 8] = [
    ("ARWHEAD", 5000),
    ("BDQRTIC", 5000),
    ("BROYDN7D", 5000),
    ("CRAGGLVY", 5000),
    ("DIXMAANA1", 3000),
    ("EDENSCH", 5000),
    ("SROSENBR", 5000),
    ("LIARWHD", 5000),
];

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a rayon pool")
}

/// (problem, solver, termination, iterations, bits of f) of every run of the slice.
fn unconstrained() -> Vec<(String, String, String, usize, u64)> {
    let settings = RunSettings::default();
    let mut out = Vec::new();
    for (name, n) in CUTEST {
        let p: Box<dyn SuiteProblem> = cutest::by_name(name, Some(n)).unwrap_or_else(|| panic!("{name}"));
        for solver in [SolverName::Steihaug, SolverName::GltrIchol, SolverName::Exact] {
            let r = run_one(p.as_ref(), solver, &settings, None);
            out.push((r.problem, r.solver, r.termination, r.iterations, r.f.to_bits()));
        }
    }
    out
}

/// (problem, scaling, rule, start, termination, iterations, bits of ||F||) of every run.
fn bounded_systems() -> Vec<(String, String, String, String, String, usize, u64)> {
    let problems: Vec<_> = systems::suite().into_iter().take(12).collect();
    let records = sr::run_systems_with(
        &problems,
        &sr::default_scalings(),
        &sr::default_rules(),
        0,
        0,
        &InteriorOptions::default(),
    );
    records
        .into_iter()
        .map(|r| (r.problem, r.scaling, r.rule, r.start, r.termination, r.iterations, r.residual_norm.to_bits()))
        .collect()
}

#[test]
fn cutest_slice_is_identical_on_one_and_two_threads() {
    let one = pool(1).install(unconstrained);
    let two = pool(2).install(unconstrained);
    assert_eq!(one.len(), CUTEST.len() * 3);
    assert!(one.iter().any(|r| r.3 > 5), "the slice should include real runs");
    assert_eq!(one, two);
}

#[test]
fn systems_slice_is_identical_on_one_and_two_threads() {
    let one = pool(1).install(bounded_systems);
    let two = pool(2).install(bounded_systems);
    assert!(one.len() >= 12 * 4, "{} runs", one.len());
    assert_eq!(one, two);
}
