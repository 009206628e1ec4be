//! The sparse path of the More-Sorensen step at n = 10^4: the Ginzburg-Landau energy of
//! `tests/sparse_exact.rs` on a 100 x 100 grid.
//!
//! `cargo bench --bench sparse_exact`. Before timing, the whole trust-region solve (from
//! `0.1` times a fixed normal vector) with `lanczos_steps` 10 and 30 (the default): iterations,
//! numeric factorizations per iteration, symbolic analyses, Lanczos products, time. Criterion
//! then times the symbolic analysis of the Hessian pattern, one numeric factorization of
//! `H + lambda I`, and the whole solve with the default options.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use trust_region::linalg::sparse_cholesky::SparseCholesky;
use trust_region::model::{Model, Oracle};
use trust_region::subproblem::{MoreSorensen, Needs};
use trust_region::{Report, TrustRegion};
use trust_region_problems::subproblems::SplitMix64;

#[path = "common/ginzburg_landau.rs"]
mod ginzburg_landau;
use ginzburg_landau::GinzburgLandau;

fn solve(p: &GinzburgLandau, x0: &[f64], lanczos_steps: usize) -> Report {
    let mut step = MoreSorensen::new();
    step.lanczos_steps = lanczos_steps;
    let mut tr = TrustRegion::new(step);
    tr.options.limits.max_iterations = 1000;
    tr.solve(trust_region::Newton::sparse(p), x0).expect("valid setup")
}

fn bench_sparse_exact(c: &mut Criterion) {
    let m = 100;
    let p = GinzburgLandau { m, c: 400.0 };
    let n = m * m;
    let mut rng = SplitMix64::new(5);
    let x0: Vec<f64> = (0..n).map(|_| 0.1 * rng.normal()).collect();
    for steps in [10, 30] {
        let started = Instant::now();
        let r = solve(&p, &x0, steps);
        eprintln!(
            "Ginzburg-Landau n = {n}, lanczos_steps = {steps}: {}, {} iterations, {} numeric factorizations \
             ({:.2} per iteration), {} symbolic, {:.3} s",
            r.termination,
            r.iterations,
            r.factorizations,
            r.factorizations as f64 / r.iterations.max(1) as f64,
            r.symbolic_analyses,
            started.elapsed().as_secs_f64()
        );
    }

    // The Hessian at a point near the saddle u = 0 (indefinite).
    let mut model = trust_region::Newton::sparse(&p);
    model.start(&vec![0.05; n], Needs::Matrix).expect("valid setup");
    let h = model.sparse_hessian().expect("sparse Hessian");
    let mut chol = SparseCholesky::new(h.symbolic()).expect("valid pattern");
    eprintln!("supernodal {}, factor entries {}", chol.is_supernodal(), chol.factor_len());

    let mut group = c.benchmark_group("sparse_exact_n10000");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("symbolic", |b| {
        b.iter(|| black_box(SparseCholesky::new(black_box(h.symbolic())).expect("valid pattern").factor_len()))
    });
    group.bench_function("numeric", |b| b.iter(|| black_box(chol.factorize(h, black_box(10.0)).is_ok())));
    group.bench_function("solve", |b| b.iter(|| black_box(solve(&p, black_box(&x0), 30).f)));
    group.finish();
}

criterion_group!(benches, bench_sparse_exact);
criterion_main!(benches);
