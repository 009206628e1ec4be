//! Steihaug-Toint CG with the Jacobi preconditioner against the incomplete Cholesky
//! preconditioner (Lin & More 1999) on every CUTEst problem with a sparse Hessian.
//!
//! `cargo bench --bench preconditioners`. Before timing, one line per problem: outer
//! iterations, CG iterations, whether `||g||_inf <= 1e-6` was reached and the time of one solve
//! with each preconditioner (1000 outer iterations and 60 s per solve at most), then the totals.
//! Criterion times the two solves (ids `PROBLEM/jacobi`, `PROBLEM/ichol`) of the problems where
//! both single solves converged within a second. `PRECONDITIONERS_PROBLEMS=CURLY10,SBRYBND`
//! restricts the run to the named problems.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use trust_region::subproblem::{DiagonalPreconditioner, IncompleteCholeskyPreconditioner, Steihaug};
use trust_region::{Report, SetupError, SparseHessian, TrustRegion, TrustRegionOptions};
use trust_region_problems::cutest;

const GTOL: f64 = 1e-6;

fn options() -> TrustRegionOptions {
    let mut opts = TrustRegionOptions::default();
    opts.tolerances.gtol = GTOL;
    opts.limits.max_iterations = 1000;
    opts.limits.max_time = Some(Duration::from_secs(60));
    opts
}

fn solve(sparse: &dyn SparseHessian, x0: &[f64], ichol: bool) -> Result<Report, SetupError> {
    if ichol {
        TrustRegion::new(Steihaug::with_preconditioner(IncompleteCholeskyPreconditioner::default()))
            .with_options(options())
            .solve(trust_region::Newton::sparse(sparse), x0)
    } else {
        TrustRegion::new(Steihaug::with_preconditioner(DiagonalPreconditioner::default()))
            .with_options(options())
            .solve(trust_region::Newton::sparse(sparse), x0)
    }
}

/// Totals over the problems: CG iterations, seconds, runs reaching the tolerance.
#[derive(Default)]
struct Totals {
    cg: usize,
    secs: f64,
    solved: usize,
}

fn bench_preconditioners(c: &mut Criterion) {
    let only: Option<Vec<String>> = std::env::var("PRECONDITIONERS_PROBLEMS")
        .ok()
        .map(|s| s.split(',').map(|p| p.trim().to_uppercase()).filter(|p| !p.is_empty()).collect());
    let mut group = c.benchmark_group("preconditioners");
    group.sample_size(10).measurement_time(Duration::from_secs(3));
    eprintln!(
        "{:<10} {:>6} | jacobi: {:>6} {:>8} {:>8} {:>3} | ichol: {:>6} {:>8} {:>8} {:>3}",
        "problem", "n", "it", "cg", "s", "ok", "it", "cg", "s", "ok"
    );
    let (mut tj, mut ti) = (Totals::default(), Totals::default());
    for name in cutest::names() {
        if only.as_ref().is_some_and(|o| !o.iter().any(|p| p == name)) {
            continue;
        }
        let Some(prob) = cutest::by_name(name, None) else { continue };
        let Some(sparse) = prob.sparse_hessian() else { continue };
        let x0 = prob.x0();
        let timed = |ichol: bool| {
            let start = Instant::now();
            let r = solve(sparse, &x0, ichol);
            (r, start.elapsed().as_secs_f64())
        };
        let (Ok(j), sj) = timed(false) else { continue };
        let (Ok(i), si) = timed(true) else { continue };
        let (okj, oki) = (j.grad_inf <= GTOL, i.grad_inf <= GTOL);
        for (t, r, s, ok) in [(&mut tj, &j, sj, okj), (&mut ti, &i, si, oki)] {
            t.cg += r.inner_iterations;
            t.secs += s;
            t.solved += ok as usize;
        }
        eprintln!(
            "{:<10} {:>6} |         {:>6} {:>8} {:>8.3} {:>3} |        {:>6} {:>8} {:>8.3} {:>3}",
            name,
            x0.len(),
            j.iterations,
            j.inner_iterations,
            sj,
            okj as u8,
            i.iterations,
            i.inner_iterations,
            si,
            oki as u8
        );
        if okj && oki && sj < 1.0 && si < 1.0 {
            for (label, ichol) in [("jacobi", false), ("ichol", true)] {
                group.bench_function(format!("{name}/{label}"), |b| {
                    b.iter(|| black_box(solve(sparse, black_box(&x0), ichol).map(|r| r.f)))
                });
            }
        }
    }
    eprintln!(
        "total jacobi: {} CG, {:.2} s, {} solved; ichol: {} CG, {:.2} s, {} solved",
        tj.cg, tj.secs, tj.solved, ti.cg, ti.secs, ti.solved
    );
    group.finish();
}

criterion_group!(benches, bench_preconditioners);
criterion_main!(benches);
