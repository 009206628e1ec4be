//! The element derivative kernels of the CUTEst adapter ([`Elemental`]), measured:
//!
//! - `kernels/NAME/...`: the two ways of getting element Hessians (`k (k + 1) / 2` scalar
//!   hyper-dual evaluations against one `Dual2SVec64<K>` evaluation) and element gradients
//!   (`k` scalar duals against one `DualSVec64<K>`), on stand-alone copies of the element loops
//!   at n = 2 * 10^5 (the adapter picks between them at construction by timing a sample; these
//!   show the whole sweep). Before timing, each pair is checked to give the same numbers.
//! - `adapter/NAME/...`: the adapter at n = 10^6 on a pool of one and of two threads: value,
//!   gradient, and a Hessian-vector product at a new point (alternating between two points, so
//!   that every product evaluates the element Hessians).
//!
//! ```sh
//! cargo bench -p trust-region-problems --bench cutest_kernels
//! cargo bench -p trust-region-problems --bench cutest_kernels -- kernels/SPARSINE
//! ```
//!
//! That both kernels give bitwise the same adapter results is a test
//! (`tests/cutest_kernels.rs`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use num_dual::{Dual2SVec64, Dual64, DualSVec64, HyperDual64};
use trust_region::problem::{HessianProduct, Objective};
use trust_region_problems::cutest::{
    Arwhead, Bdqrtic, Broydn7d, Chainwoo, Curly10, Cutest, Dqdrtic, Elemental, Sbrybnd, Sparsine, MAX_ELEMENT_VARS,
};

fn vars_of<P: Cutest>(p: &P, e: usize) -> Vec<usize> {
    let mut buf = [0; MAX_ELEMENT_VARS];
    let k = p.element_vars(e, &mut buf);
    buf[..k].to_vec()
}

/// Packed upper Hessian triangles of all elements, scalar hyper-duals.
fn hessians_hyperdual<P: Cutest>(p: &P, vars: &[Vec<usize>], x: &[f64], out: &mut Vec<f64>) {
    out.clear();
    let mut xs = [HyperDual64::from(0.0); MAX_ELEMENT_VARS];
    for (e, v) in vars.iter().enumerate() {
        let k = v.len();
        for a in 0..k {
            for b in a..k {
                for (c, &vc) in v.iter().enumerate() {
                    xs[c] = HyperDual64::new(x[vc], f64::from(u8::from(c == a)), f64::from(u8::from(c == b)), 0.0);
                }
                out.push(p.element(e, &xs[..k]).eps1eps2);
            }
        }
    }
}

/// The same with one `Dual2SVec64<K>` evaluation per element.
fn hessians_dual2<P: Cutest, const K: usize>(p: &P, vars: &[Vec<usize>], x: &[f64], out: &mut Vec<f64>) {
    out.clear();
    for (e, v) in vars.iter().enumerate() {
        let k = v.len();
        let mut xs = [Dual2SVec64::<K>::from_re(0.0); K];
        for (c, &vc) in v.iter().enumerate() {
            xs[c] = Dual2SVec64::from_re(x[vc]).derivative(c);
        }
        let phi = p.element(e, &xs[..k]);
        for a in 0..k {
            for b in a..k {
                out.push(phi.v2.0.as_ref().map_or(0.0, |h| h[(a, b)]));
            }
        }
    }
}

/// Local gradients, `k` scalar dual evaluations per element.
fn gradients_dual<P: Cutest>(p: &P, vars: &[Vec<usize>], x: &[f64], out: &mut Vec<f64>) {
    out.clear();
    let mut xs = [Dual64::from(0.0); MAX_ELEMENT_VARS];
    for (e, v) in vars.iter().enumerate() {
        let k = v.len();
        for a in 0..k {
            for (c, &vc) in v.iter().enumerate() {
                xs[c] = Dual64::new(x[vc], f64::from(u8::from(c == a)));
            }
            out.push(p.element(e, &xs[..k]).eps);
        }
    }
}

/// Local gradients, one `DualSVec64<K>` evaluation per element.
fn gradients_dualvec<P: Cutest, const K: usize>(p: &P, vars: &[Vec<usize>], x: &[f64], out: &mut Vec<f64>) {
    out.clear();
    for (e, v) in vars.iter().enumerate() {
        let k = v.len();
        let mut xs = [DualSVec64::<K>::from_re(0.0); K];
        for (c, &vc) in v.iter().enumerate() {
            xs[c] = DualSVec64::from_re(x[vc]).derivative(c);
        }
        let phi = p.element(e, &xs[..k]);
        out.extend((0..k).map(|a| phi.eps.0.as_ref().map_or(0.0, |g| g[a])));
    }
}

/// A point near the start, away from its symmetries.
fn point<P: Cutest>(p: &P) -> Vec<f64> {
    p.x0().iter().enumerate().map(|(i, &v)| v + 0.01 * (((i * 7) % 5) as f64 - 2.0)).collect()
}

/// Both kernels of problem `p` (elements of at most `K` variables) under `kernels/{name}/`.
fn kernels_of<P: Cutest, const K: usize>(c: &mut Criterion, name: &str, p: &P) {
    let vars: Vec<Vec<usize>> = (0..p.elements()).map(|e| vars_of(p, e)).collect();
    assert!(vars.iter().all(|v| v.len() <= K), "{name}: an element has more than {K} variables");
    let x = point(p);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    hessians_hyperdual(p, &vars, &x, &mut a);
    hessians_dual2::<P, K>(p, &vars, &x, &mut b);
    assert!(a == b, "{name}: Hessians not equal");
    gradients_dual(p, &vars, &x, &mut a);
    gradients_dualvec::<P, K>(p, &vars, &x, &mut b);
    assert!(a == b, "{name}: gradients not equal");
    let mut group = c.benchmark_group(format!("kernels/{name}"));
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("hessian/hyper-dual", |bench| bench.iter(|| hessians_hyperdual(p, &vars, &x, &mut a)));
    group.bench_function("hessian/dual2-vec", |bench| bench.iter(|| hessians_dual2::<P, K>(p, &vars, &x, &mut a)));
    group.bench_function("gradient/dual", |bench| bench.iter(|| gradients_dual(p, &vars, &x, &mut a)));
    group.bench_function("gradient/dual-vec", |bench| bench.iter(|| gradients_dualvec::<P, K>(p, &vars, &x, &mut a)));
    group.finish();
}

fn bench_kernels(c: &mut Criterion) {
    let n = 200_000;
    kernels_of::<_, 2>(c, "ARWHEAD", &Arwhead::new(n).unwrap());
    kernels_of::<_, 4>(c, "CHAINWOO", &Chainwoo::new(n).unwrap());
    kernels_of::<_, 5>(c, "BDQRTIC", &Bdqrtic::new(n).unwrap());
    kernels_of::<_, 6>(c, "SPARSINE", &Sparsine::new(n).unwrap());
    kernels_of::<_, 3>(c, "BROYDN7D", &Broydn7d::new(n).unwrap());
    kernels_of::<_, 8>(c, "SBRYBND", &Sbrybnd::new(n).unwrap());
    kernels_of::<_, 11>(c, "CURLY10", &Curly10::new(n).unwrap());
    kernels_of::<_, 16>(c, "CURLY10-K16", &Curly10::new(n).unwrap());
}

/// The adapter on problem `p` under `adapter/{name}/`, on one and on two threads.
fn adapter_of<P: Cutest>(c: &mut Criterion, name: &str, p: P) {
    let a = Elemental::new(p);
    let x = a.problem.x0();
    let x2: Vec<f64> = x.iter().enumerate().map(|(i, v)| v + 1e-3 * (i % 3 + 1) as f64).collect();
    let v: Vec<f64> = (0..x.len()).map(|i| ((i * 7) % 5) as f64 - 2.0).collect();
    let (mut g, mut hv) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    let mut group = c.benchmark_group(format!("adapter/{name}"));
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        group.bench_function(format!("value/{threads}t"), |b| b.iter(|| pool.install(|| black_box(a.value(&x)))));
        group.bench_function(format!("gradient/{threads}t"), |b| b.iter(|| pool.install(|| a.gradient(&x, &mut g))));
        let mut flip = false;
        group.bench_function(format!("hessian-product-new-x/{threads}t"), |b| {
            b.iter(|| {
                flip = !flip;
                pool.install(|| a.hessian_product(if flip { &x2 } else { &x }, &v, &mut hv))
            })
        });
    }
    group.finish();
}

fn bench_adapter(c: &mut Criterion) {
    let n = 1_000_000;
    adapter_of(c, "ARWHEAD", Arwhead::new(n).unwrap());
    adapter_of(c, "CHAINWOO", Chainwoo::new(n).unwrap());
    adapter_of(c, "BDQRTIC", Bdqrtic::new(n).unwrap());
    adapter_of(c, "BROYDN7D", Broydn7d::new(n).unwrap());
    adapter_of(c, "SPARSINE", Sparsine::new(n).unwrap());
    adapter_of(c, "SBRYBND", Sbrybnd::new(n).unwrap());
    adapter_of(c, "CURLY10", Curly10::new(n).unwrap());
    adapter_of(c, "DQDRTIC", Dqdrtic::new(n).unwrap());
}

criterion_group!(benches, bench_kernels, bench_adapter);
criterion_main!(benches);
