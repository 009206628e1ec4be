//! Evaluation costs of the large CUTEst problems at n = 10^6 (DIXMAANL at 999999, FMINSURF at
//! 1000^2), through the registry as the solvers see them: value, gradient, a Hessian-vector
//! product at a new point (alternating between two points) and one at the same point (the
//! adapter reuses the element Hessians between products at one point). The construction
//! (element index, Hessian pattern, kernel calibration) is timed once and printed.
//!
//! ```sh
//! cargo bench -p trust-region-problems --bench cutest_evaluations
//! cargo bench -p trust-region-problems --bench cutest_evaluations -- SPARSINE
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use trust_region_problems::cutest;

const PROBLEMS: [&str; 14] = [
    "ARWHEAD", "DQRTIC", "BDQRTIC", "BROYDN7D", "CHAINWOO", "COSINE", "CRAGGLVY", "CURLY10", "DIXMAANL", "FMINSURF",
    "NONCVXUN", "SBRYBND", "SPARSINE", "TOINTGSS",
];

fn bench_evaluations(c: &mut Criterion) {
    for name in PROBLEMS {
        let n = if name.starts_with("DIXMAAN") { 999_999 } else { 1_000_000 };
        let start = Instant::now();
        let p = cutest::by_name(name, Some(n)).expect("scalable problem");
        eprintln!("{name}: built at n = {} in {:.0} ms", p.info().n, start.elapsed().as_secs_f64() * 1e3);
        let obj = p.products().expect("every CUTEst problem offers products");
        let x = p.x0();
        let x2: Vec<f64> = x.iter().enumerate().map(|(i, v)| v + 1e-3 * (i % 3 + 1) as f64).collect();
        let v: Vec<f64> = (0..x.len()).map(|i| ((i * 7) % 5) as f64 - 2.0).collect();
        let (mut g, mut hv) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let mut group = c.benchmark_group(name);
        group.sample_size(10).measurement_time(Duration::from_secs(5));
        group.bench_function("value", |b| b.iter(|| black_box(obj.value(&x))));
        group.bench_function("gradient", |b| b.iter(|| obj.gradient(&x, &mut g)));
        let mut flip = false;
        group.bench_function("hessian-product-new-x", |b| {
            b.iter(|| {
                flip = !flip;
                obj.hessian_product(if flip { &x2 } else { &x }, &v, &mut hv)
            })
        });
        group.bench_function("hessian-product-same-x", |b| b.iter(|| obj.hessian_product(&x, &v, &mut hv)));
        group.finish();
    }
}

criterion_group!(benches, bench_evaluations);
criterion_main!(benches);
