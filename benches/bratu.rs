//! 2-D Bratu (lambda = 6, u >= 0) solved by the scaled interior trust region with the sparse
//! Jacobian (faer sparse LU, one symbolic analysis per solve), from the first quarter point
//! (u = 1), on N x N grids up to N = 1000 (n = 10^6 unknowns).
//!
//! `cargo bench --bench bratu`. Before timing, each size prints the solve's iterations,
//! F and J evaluations, numeric factorizations and symbolic analyses.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use trust_region::solver::interior::{Interior, InteriorOptions};
use trust_region::SparseStore;
use trust_region_problems::systems::{self, quarter_points};

fn bench_bratu(c: &mut Criterion) {
    let mut group = c.benchmark_group("bratu_2d");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for grid in [100usize, 300, 1000] {
        let n = grid * grid;
        let p = systems::by_name("bratu_2d", Some(n)).expect("Bratu accepts N^2 unknowns");
        let bounds = p.bounds();
        let x0 = quarter_points(&bounds)[0].clone();
        let jac = p.sparse_jacobian().expect("sparse Jacobian");
        let store = || SparseStore::user(jac).expect("valid pattern");
        let report = Interior::new(InteriorOptions::default()).solve(store(), &bounds, &x0).expect("valid setup");
        eprintln!(
            "bratu_2d N = {grid} (n = {n}): {}, ||F|| = {:.3e}, iterations {}, F evals {}, J evals {}, \
             factorizations {}, symbolic analyses {}, {:.3} s",
            report.termination.name(),
            report.residual_norm(),
            report.iterations,
            report.evaluations.residuals,
            report.evaluations.jacobian,
            report.factorizations,
            report.symbolic_analyses,
            report.elapsed.as_secs_f64()
        );
        group.bench_function(format!("solve_sparse_n{n}"), |b| {
            b.iter(|| {
                let r = Interior::new(InteriorOptions::default()).solve(store(), &bounds, black_box(&x0)).unwrap();
                black_box(r.f)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_bratu);
criterion_main!(benches);
