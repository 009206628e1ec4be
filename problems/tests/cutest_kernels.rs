//! Element derivative kernels: the adapter gives bitwise the same gradients and Hessians with
//! the scalar (hyper-)dual and the vector-dual kernels. Ignored (`--release -- --ignored
//! --nocapture`): the kernels' costs, measured on stand-alone copies of the two element loops
//! (interleaved so that a loaded machine slows both alike; they also check that both give the
//! same numbers), and the adapter's costs at n = 10^6 on one and two threads.

use std::time::Instant;

use num_dual::{Dual2SVec64, Dual64, DualSVec64, HyperDual64};
use trust_region_problems::cutest::{
    Arwhead, Bdqrtic, Broydn7d, Chainwoo, Curly10, Cutest, ElementDerivatives, Elemental, Kernels, Sbrybnd, Sparsine,
    MAX_ELEMENT_VARS,
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

fn point<P: Cutest>(p: &P) -> Vec<f64> {
    p.x0().iter().enumerate().map(|(i, &v)| v + 0.01 * (((i * 7) % 5) as f64 - 2.0)).collect()
}

/// Runs both kernels on problem `p` (elements of at most `K` variables); returns best-of-5
/// seconds (old Hessian, new Hessian, old gradient, new gradient).
fn compare<P: Cutest, const K: usize>(p: &P) -> [f64; 4] {
    let vars: Vec<Vec<usize>> = (0..p.elements()).map(|e| vars_of(p, e)).collect();
    assert!(vars.iter().all(|v| v.len() <= K));
    let x = point(p);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut best = [f64::INFINITY; 4];
    for _ in 0..5 {
        let t = Instant::now();
        hessians_hyperdual(p, &vars, &x, &mut a);
        best[0] = best[0].min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        hessians_dual2::<P, K>(p, &vars, &x, &mut b);
        best[1] = best[1].min(t.elapsed().as_secs_f64());
        // Same operations in the same order (module docs of `cutest`): equal numbers.
        assert!(a == b, "{}: Hessians not equal", p.name());
        let t = Instant::now();
        gradients_dual(p, &vars, &x, &mut a);
        best[2] = best[2].min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        gradients_dualvec::<P, K>(p, &vars, &x, &mut b);
        best[3] = best[3].min(t.elapsed().as_secs_f64());
        assert!(a == b, "{}: gradients not equal", p.name());
    }
    best
}

fn report(name: &str, t: [f64; 4]) {
    println!(
        "{name:<9} Hessians: hyper-dual {:>8.1} ms, Dual2SVec {:>8.1} ms ({:.1}x); gradients: Dual64 {:>7.1} ms, \
         DualSVec {:>7.1} ms ({:.1}x)",
        t[0] * 1e3,
        t[1] * 1e3,
        t[0] / t[1],
        t[2] * 1e3,
        t[3] * 1e3,
        t[2] / t[3]
    );
}

/// Gradients, Hessian values and dense Hessians of the adapter with each kernel choice, as bits.
fn adapter_bits<P: Cutest + Clone>(p: &P, kernels: Kernels) -> Vec<u64> {
    use trust_region::problem::{DenseHessian, Objective, SparseHessian};
    let a = Elemental::with_kernels(p.clone(), kernels);
    let x = point(p);
    let n = x.len();
    let mut g = vec![0.0; n];
    let f = a.value_and_gradient(&x, &mut g);
    let mut values = vec![0.0; a.hessian_pattern().row_idx().len()];
    a.hessian_values(&x, &mut values);
    let mut dense = faer::Mat::<f64>::zeros(n, n);
    a.hessian(&x, dense.as_mut());
    let dense = (0..n).flat_map(|j| (0..n).map(move |i| (i, j))).map(|(i, j)| dense[(i, j)]);
    std::iter::once(f).chain(g).chain(values).chain(dense).map(f64::to_bits).collect()
}

fn same_bits_with_all_kernels<P: Cutest + Clone>(p: P) {
    use ElementDerivatives::{Scalar, Vector};
    let reference = adapter_bits(&p, Kernels { gradient: Scalar, hessian: Scalar });
    for (gradient, hessian) in [(Vector, Vector), (Scalar, Vector), (Vector, Scalar)] {
        let bits = adapter_bits(&p, Kernels { gradient, hessian });
        assert!(bits == reference, "{}: {gradient:?} gradient, {hessian:?} Hessian differ", p.name());
    }
}

#[test]
fn adapter_is_bitwise_the_same_with_either_kernel() {
    same_bits_with_all_kernels(Arwhead::new(150).unwrap());
    same_bits_with_all_kernels(Chainwoo::new(150).unwrap());
    same_bits_with_all_kernels(Bdqrtic::new(150).unwrap());
    same_bits_with_all_kernels(Broydn7d::new(150).unwrap());
    same_bits_with_all_kernels(Sparsine::new(150).unwrap());
    same_bits_with_all_kernels(Sbrybnd::new(150).unwrap());
    same_bits_with_all_kernels(Curly10::new(150).unwrap());
}

#[test]
#[ignore]
fn kernel_costs() {
    let n = 200_000;
    report("ARWHEAD", compare::<_, 2>(&Arwhead::new(n).unwrap()));
    report("CHAINWOO", compare::<_, 4>(&Chainwoo::new(n).unwrap()));
    report("BDQRTIC", compare::<_, 5>(&Bdqrtic::new(n).unwrap()));
    report("SPARSINE", compare::<_, 6>(&Sparsine::new(n).unwrap()));
    report("BROYDN7D", compare::<_, 3>(&Broydn7d::new(n).unwrap()));
    report("SBRYBND", compare::<_, 8>(&Sbrybnd::new(n).unwrap()));
    report("CURLY10", compare::<_, 11>(&Curly10::new(n).unwrap()));
    report("CURLY10/16", compare::<_, 16>(&Curly10::new(n).unwrap()));
}

/// The adapter at n = 10^6 on one and on two threads (`--release -- --ignored --nocapture`):
/// chosen kernels, value, gradient, Hessian-vector product at a new point, best of 3.
#[test]
#[ignore]
fn adapter_costs_one_vs_two_threads() {
    use trust_region::problem::{HessianProduct, Objective};
    fn run<P: Cutest>(p: P) {
        let name = p.name();
        let t = Instant::now();
        let a = Elemental::new(p);
        let setup = t.elapsed().as_secs_f64();
        let x = a.problem.x0();
        let x2: Vec<f64> = x.iter().enumerate().map(|(i, v)| v + 1e-3 * (i % 3 + 1) as f64).collect();
        let v: Vec<f64> = (0..x.len()).map(|i| ((i * 7) % 5) as f64 - 2.0).collect();
        let (mut g, mut hv) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let mut flip = false;
        let mut line = format!("{name:<9} setup {:>5.0} ms {:?}", setup * 1e3, a.kernels());
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let best = |f: &mut (dyn FnMut() + Send)| {
                (0..3)
                    .map(|_| {
                        let t = Instant::now();
                        pool.install(&mut *f);
                        t.elapsed().as_secs_f64() * 1e3
                    })
                    .fold(f64::INFINITY, f64::min)
            };
            let tf = best(&mut || {
                std::hint::black_box(a.value(&x));
            });
            let tg = best(&mut || a.gradient(&x, &mut g));
            let th = best(&mut || {
                flip = !flip;
                a.hessian_product(if flip { &x2 } else { &x }, &v, &mut hv)
            });
            line += &format!(" | {threads}t: f {tf:>5.1} g {tg:>6.1} Hv-new {th:>7.1}");
        }
        println!("{line}");
    }
    let n = 1_000_000;
    run(Arwhead::new(n).unwrap());
    run(Chainwoo::new(n).unwrap());
    run(Bdqrtic::new(n).unwrap());
    run(Broydn7d::new(n).unwrap());
    run(Sparsine::new(n).unwrap());
    run(Sbrybnd::new(n).unwrap());
    run(Curly10::new(n).unwrap());
    run(trust_region_problems::cutest::Dqdrtic::new(n).unwrap());
}
