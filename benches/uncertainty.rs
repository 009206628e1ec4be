//! Standard errors from a sparse Jacobian (`trust_region::uncertainty::estimate_sparse`): the
//! whole call (checks, equilibration, COLAMD, supernodal sparse QR, the selected inverse of
//! `R'R` on the pattern of `R`), on two Jacobians:
//!
//! - `uncertainty/spline/M/N`: a cubic B-spline regression, `m = UNCERTAINTY_SPLINE_M` data
//!   points (default 10^6) on uniform knots with `n = UNCERTAINTY_SPLINE_N` coefficients
//!   (default 10^5): 4 entries per row, `R` banded;
//! - `uncertainty/denoise/P`: the Jacobian of the denoising problem
//!   (`trust_region_problems::denoise`) at its noisy image, `p = UNCERTAINTY_GRID` (default
//!   316: `n = 99,856`, `m = 298,936`), a 2-D grid whose `R` fills in like a 2-D Cholesky factor.
//!
//! Before timing, each case prints `n`, `m`, the entries of `R`, one call's time and a standard
//! error; criterion then times the call (10 samples). A set size of 0 skips a case.
//!
//! Measured (2 vCPUs, another build running on the second core): spline 10^6 x 10^5, 1.15e6
//! entries of R, median 1.41 s; denoise p = 316, 3.4e6 entries of R, one call 3.9 s, median
//! 6.1 s.
//!
//! ```sh
//! cargo bench --bench uncertainty                      # both cases
//! cargo bench --bench uncertainty -- spline/           # the B-spline case only
//! UNCERTAINTY_GRID=577 cargo bench --bench uncertainty -- denoise/   # n = 332,929, m = 997,633
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use faer::sparse::{SparseColMat, SparseColMatRef, SymbolicSparseColMat};
use trust_region::problem::{Residuals, SparseJacobian};
use trust_region::uncertainty::{estimate_sparse, UncertaintyOptions};
use trust_region_problems::denoise::Denoising;

// Only the filter reader is used here.
#[allow(dead_code)]
#[path = "common/harness.rs"]
mod harness;
use harness::filters;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The uniform cubic B-spline basis values at the fractional position `u` in [0, 1).
fn cubic_bspline(u: f64) -> [f64; 4] {
    let v = 1.0 - u;
    [
        v * v * v / 6.0,
        (3.0 * u * u * u - 6.0 * u * u + 4.0) / 6.0,
        (-3.0 * u * u * u + 3.0 * u * u + 3.0 * u + 1.0) / 6.0,
        u * u * u / 6.0,
    ]
}

/// The `m x n` Jacobian of a least-squares cubic B-spline fit at `m` equispaced points on
/// `n - 3` uniform knot intervals (row `i` touches columns `k..k+4`), and residuals of about
/// 0.01 (a deterministic sequence).
fn spline_jacobian(m: usize, n: usize) -> (SparseColMat<usize, f64>, Vec<f64>) {
    let intervals = n - 3;
    // Column-major assembly: the rows touching column j are contiguous.
    let mut col_ptr = vec![0usize; n + 1];
    let row_of = |i: usize| {
        let t = i as f64 * intervals as f64 / m as f64;
        let k = (t as usize).min(intervals - 1);
        (k, t - k as f64)
    };
    for i in 0..m {
        let (k, _) = row_of(i);
        for c in k..k + 4 {
            col_ptr[c + 1] += 1;
        }
    }
    for j in 0..n {
        col_ptr[j + 1] += col_ptr[j];
    }
    let mut next = col_ptr.clone();
    let mut row_idx = vec![0usize; col_ptr[n]];
    let mut val = vec![0.0; col_ptr[n]];
    for i in 0..m {
        let (k, u) = row_of(i);
        for (l, b) in cubic_bspline(u).into_iter().enumerate() {
            row_idx[next[k + l]] = i;
            val[next[k + l]] = b;
            next[k + l] += 1;
        }
    }
    let sym = SymbolicSparseColMat::new_checked(m, n, col_ptr, None, row_idx);
    let r = (0..m).map(|i| 0.01 * ((i as f64 * 0.618_033_988_7).fract() - 0.5)).collect();
    (SparseColMat::new(sym, val), r)
}

fn run_case(c: &mut Criterion, id: &str, jac: SparseColMatRef<'_, usize, f64>, r: &[f64]) {
    let o = UncertaintyOptions::default();
    let t = Instant::now();
    let u = match estimate_sparse(jac, r, None, &o) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("{id}: {e}");
            return;
        }
    };
    let once = t.elapsed().as_secs_f64();
    let (lo, hi) = u.condition_bounds();
    eprintln!(
        "{id}: n = {}, m = {}, nnz(J) = {}, entries of R = {}, one call {once:.3} s, se[0] = {:.4e}, \
         condition of the equilibrated J in [{lo:.3e}, {hi:.3e}]",
        jac.ncols(),
        jac.nrows(),
        jac.compute_nnz(),
        u.factor_nnz(),
        u.std_errors[0].unwrap_or(f64::NAN),
    );
    let mut group = c.benchmark_group("uncertainty");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs_f64((10.0 * once).max(1.0)));
    group.bench_function(id.trim_start_matches("uncertainty/"), |b| {
        b.iter(|| black_box(estimate_sparse(jac, r, None, &o).map(|u| u.std_errors.len())))
    });
    group.finish();
}

fn bench_uncertainty(c: &mut Criterion) {
    let filters = filters();
    let wanted = |id: &str| filters.is_empty() || filters.iter().flat_map(|f| f.split('|')).any(|f| id.contains(f));
    let (m, n) = (env_usize("UNCERTAINTY_SPLINE_M", 1_000_000), env_usize("UNCERTAINTY_SPLINE_N", 100_000));
    let id = format!("uncertainty/spline/{m}/{n}");
    if m > n && n >= 4 && wanted(&id) {
        let (jac, r) = spline_jacobian(m, n);
        run_case(c, &id, jac.as_ref(), &r);
    }
    let p = env_usize("UNCERTAINTY_GRID", 316);
    let id = format!("uncertainty/denoise/{p}");
    if wanted(&id) {
        if let Some(problem) = Denoising::synthetic(p, 1) {
            let x = problem.data.clone();
            let pattern = problem.jacobian_pattern();
            let mut values = vec![0.0; pattern.row_idx().len()];
            problem.jacobian_values(&x, &mut values);
            let mut r = vec![0.0; problem.residual_count()];
            problem.residuals(&x, &mut r);
            let jac = SparseColMat::new(pattern, values);
            run_case(c, &id, jac.as_ref(), &r);
        }
    }
}

criterion_group!(benches, bench_uncertainty);
criterion_main!(benches);
