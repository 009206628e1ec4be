//! FDNet benchmarks: 100 Hessian-free trust-region iterations on the stable heat-equation case
//! (F = 16, batch 64; the target is at most 0.5 s on one core), and the cost of one
//! batch gradient and one exact Hessian-vector product (one block, and 10 blocks as in the
//! unstable case).
//!
//! `cargo bench --bench fdnet`. Everything runs on the calling thread.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use trust_region::solver::hessian_free::{BatchLoss, HessianFree, HessianFreeOptions};
use trust_region_problems::fdnet::data::{Case, HeatData};
use trust_region_problems::fdnet::{FdNet, FdNetLoss};

fn bench_fdnet(c: &mut Criterion) {
    let stable = HeatData::generate(Case::Stable, 0);
    let unstable = HeatData::generate(Case::Unstable, 0);
    let net = FdNet::for_case(Case::Stable, 16);
    let w0 = net.init(0);

    let mut group = c.benchmark_group("fdnet");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    group.bench_function("tr_100_iterations_stable_f16_batch64", |b| {
        b.iter(|| {
            let mut loss = FdNetLoss::new(net, &stable, 64, 0);
            let mut opts = HessianFreeOptions::default();
            opts.limits.max_iterations = 100;
            opts.keep_history = false;
            let report = HessianFree::new().with_options(opts).train(&mut loss, black_box(&w0)).unwrap();
            black_box(report.f)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("fdnet");
    for (name, case, data) in [("stable", Case::Stable, &stable), ("unstable_fb10", Case::Unstable, &unstable)] {
        let net = FdNet::for_case(case, 16);
        let w = net.init(1);
        let v: Vec<f64> = net.init(2);
        let mut loss = FdNetLoss::new(net, data, 64, 0);
        loss.sample_batch(0);
        let mut g = vec![0.0; net.num_params()];
        let mut hv = vec![0.0; net.num_params()];
        group.bench_function(format!("gradient_{name}_f16_batch64"), |b| {
            b.iter(|| black_box(loss.gradient(black_box(&w), &mut g)))
        });
        loss.gradient(&w, &mut g);
        group.bench_function(format!("hessian_product_{name}_f16_batch64"), |b| {
            b.iter(|| {
                loss.hessian_product(black_box(&w), black_box(&v), &mut hv);
                black_box(hv[0])
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_fdnet);
criterion_main!(benches);
