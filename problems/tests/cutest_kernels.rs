//! Element derivative kernels: the adapter gives bitwise the same value, gradient, sparse and
//! dense Hessians with the scalar (hyper-)dual and the vector-dual kernels, in every
//! combination. Their costs are measured by `benches/cutest_kernels.rs`.

use trust_region_problems::cutest::{
    Arwhead, Bdqrtic, Broydn7d, Chainwoo, Curly10, Cutest, ElementDerivatives, Elemental, Kernels, Sbrybnd, Sparsine,
};

/// A point near the start, away from its symmetries.
fn point<P: Cutest>(p: &P) -> Vec<f64> {
    p.x0().iter().enumerate().map(|(i, &v)| v + 0.01 * (((i * 7) % 5) as f64 - 2.0)).collect()
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
        assert!(bits == reference, "{}: {gradient:?} gradient, {hessian:?} Hessian differ", std::any::type_name::<P>());
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
