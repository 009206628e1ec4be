//! The element adapter's parallel evaluation is bitwise reproducible: value, gradient,
//! Hessian-vector products and sparse Hessian values of large CUTEst problems, and whole
//! trust-region solves on them, are identical on a 1-thread and a 2-thread rayon pool.

use trust_region::problem::{HessianProduct, SparseHessian};
use trust_region::subproblem::Steihaug;
use trust_region::{TrustRegion, TrustRegionOptions};
use trust_region_problems::cutest::{self, PARALLEL_MIN_ELEMENTS};
use trust_region_problems::SuiteProblem;

/// Problems and sizes: every one has at least `PARALLEL_MIN_ELEMENTS` elements, so the 2-thread
/// pool may take the chunked parallel path; `Elemental::new` keeps evaluations whose calibrated
/// cost is small sequential, so these cases check the adapter as users get it, and
/// `forced_parallel_evaluations_are_bitwise_identical` is the one that forces every
/// evaluation onto the parallel path.
const CASES: [(&str, usize); 6] = [
    ("ARWHEAD", 20_000),
    ("CHAINWOO", 20_000),
    ("CURLY10", 20_000),
    ("DQDRTIC", 100_000),
    ("BROYDN7D", 20_000),
    ("SPARSINE", 20_000),
];

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Everything the problem computes at two points, as bit patterns.
fn evaluations(p: &dyn SuiteProblem) -> Vec<Vec<u64>> {
    let obj = p.products().expect("CUTEst problems offer products");
    let sparse = p.sparse_hessian().expect("CUTEst problems offer a sparse Hessian");
    evaluations_at(p.x0(), obj, sparse)
}

/// Everything `obj` and `sparse` compute at `x0` and a second point, as bit patterns.
fn evaluations_at(x0: Vec<f64>, obj: &dyn HessianProduct, sparse: &dyn SparseHessian) -> Vec<Vec<u64>> {
    let x1: Vec<f64> = x0.iter().enumerate().map(|(i, &v)| v + 0.01 * (((i * 7) % 5) as f64 - 2.0) + 0.003).collect();
    let v: Vec<f64> = (0..x0.len()).map(|i| ((i * 3) % 7) as f64 - 3.0).collect();
    let nnz = sparse.hessian_pattern().row_idx().len();
    let mut out = Vec::new();
    for x in [&x0, &x1, &x0] {
        let mut g = vec![0.0; x.len()];
        let mut hv = vec![0.0; x.len()];
        let mut values = vec![0.0; nnz];
        let f = obj.value(x);
        let fg = obj.value_and_gradient(x, &mut g);
        out.push(vec![f.to_bits(), fg.to_bits()]);
        out.push(bits(&g));
        obj.gradient(x, &mut g);
        out.push(bits(&g));
        // A product at a new point, then at the same point (the cached Hessian).
        obj.hessian_product(x, &v, &mut hv);
        out.push(bits(&hv));
        obj.hessian_product(x, &g, &mut hv);
        out.push(bits(&hv));
        sparse.hessian_values(x, &mut values);
        out.push(bits(&values));
    }
    out
}

/// A short Steihaug trust-region solve, as bit patterns and counts.
fn solve(p: &dyn SuiteProblem) -> (Vec<u64>, Vec<u64>, String) {
    let mut options = TrustRegionOptions::default();
    options.limits.max_iterations = 6;
    options.limits.max_time = None;
    let r = TrustRegion::new(Steihaug::new())
        .with_options(options)
        .minimize(p.products().expect("products"), &p.x0())
        .expect("valid setup");
    let scalars = vec![r.f.to_bits(), r.grad_inf.to_bits(), r.radius.to_bits()];
    let counts = format!(
        "{:?} iterations {} accepted {} inner {} evaluations {:?}",
        r.termination, r.iterations, r.accepted_steps, r.inner_iterations, r.evaluations
    );
    let mut x = bits(&r.x);
    x.extend(bits(&r.gradient));
    (x, scalars, counts)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool")
}

#[test]
fn evaluations_are_bitwise_identical_on_one_and_two_threads() {
    let (one, two) = (pool(1), pool(2));
    for (name, n) in CASES {
        let p = cutest::by_name(name, Some(n)).expect("scalable problem");
        assert!(p.info().n >= PARALLEL_MIN_ELEMENTS, "{name}: too small to run in parallel");
        let seq = one.install(|| evaluations(p.as_ref()));
        let par = two.install(|| evaluations(p.as_ref()));
        assert_eq!(seq.len(), par.len());
        for (k, (a, b)) in seq.iter().zip(&par).enumerate() {
            assert!(a == b, "{name}: evaluation {k} differs between 1 and 2 threads");
        }
        // A fresh instance on two threads too (no state carried between pools).
        let q = cutest::by_name(name, Some(n)).expect("scalable problem");
        assert!(two.install(|| evaluations(q.as_ref())) == seq, "{name}: second instance differs");
    }
}

/// The same through adapters that run every evaluation in parallel (`Elemental::new` runs the
/// cheap ones sequentially), with each derivative kernel.
#[test]
fn forced_parallel_evaluations_are_bitwise_identical() {
    use trust_region_problems::cutest::{Chainwoo, Curly10, Cutest, ElementDerivatives, Elemental, Kernels, Sparsine};
    fn check<P: Cutest + Clone + 'static>(p: P) {
        let (one, two) = (pool(1), pool(2));
        let mut results = Vec::new();
        for kernel in [ElementDerivatives::Scalar, ElementDerivatives::Vector] {
            let kernels = Kernels { gradient: kernel, hessian: kernel };
            let a = Elemental::with_kernels(p.clone(), kernels);
            let b = Elemental::with_kernels(p.clone(), kernels);
            let seq = one.install(|| evaluations_at(p.x0(), &a, &a));
            assert!(
                two.install(|| evaluations_at(p.x0(), &b, &b)) == seq,
                "{}: {kernel:?}: 1 and 2 threads differ",
                std::any::type_name::<P>()
            );
            results.push(seq);
        }
        assert!(results[0] == results[1], "{}: scalar and vector kernels differ", std::any::type_name::<P>());
    }
    check(Chainwoo::new(20_000).unwrap());
    check(Curly10::new(10_000).unwrap());
    check(Sparsine::new(10_000).unwrap());
}

#[test]
fn solves_are_bitwise_identical_on_one_and_two_threads() {
    let (one, two) = (pool(1), pool(2));
    for (name, n) in CASES {
        let p = cutest::by_name(name, Some(n)).expect("scalable problem");
        let a = one.install(|| solve(p.as_ref()));
        let q = cutest::by_name(name, Some(n)).expect("scalable problem");
        let b = two.install(|| solve(q.as_ref()));
        assert_eq!(a.2, b.2, "{name}: run counts differ");
        assert!(a.1 == b.1, "{name}: f, ||g|| or radius differ");
        assert!(a.0 == b.0, "{name}: iterates differ");
    }
}
