//! The element-sum adapter: CUTEst problems (SIF formulations) written as sums of element
//! functions, and the helpers for writing elements.
//!
//! A problem implements [`Cutest`]: `f(x) = sum_e phi_e(x_{V_e})`, where element `e` depends on
//! a small set `V_e` of `k = |V_e| <= ` [`MAX_ELEMENT_VARS`] variables and `phi_e` is written
//! once, generic over the scalar ([`Scalar`]: `f64` and the num-dual numbers). The adapter
//! [`Elemental`] derives everything the solvers use, exactly (forward mode, no truncation):
//!
//! - value: `sum_e phi_e` in `f64`;
//! - gradient: either `k` evaluations at scalar duals (`Dual64`, direction `e_a`) or one at a
//!   first-order dual vector (`DualSVec64<K>`, `x_c + e_c eps` for local variable `c`), which
//!   carries all `k` partial derivatives at once; scattered into `g`;
//! - element Hessians: either `k (k + 1) / 2` evaluations at scalar hyper-duals
//!   (`HyperDual64`, `eps1 = e_a`, `eps2 = e_b`, `a <= b`) or one at a second-order dual
//!   vector (`Dual2SVec64<K>`: value, gradient row `v1` and Hessian `v2`, propagated by
//!   `(uw)'' = u'' w + u' ^T w' + w' ^T u' + u w''` and `h(u)'' = h'(u) u'' + h''(u) u' ^T u'`).
//!   Per arithmetic operation both cost `O(k^2)`; the vector form does the element's other
//!   work (transcendental functions, index arithmetic) once instead of `k (k + 1) / 2` times,
//!   the scalar form keeps four numbers in registers. Which is faster depends on the element
//!   (SPARSINE: vector 4x faster, SBRYBND: scalar 1.7x faster), so large problems time both
//!   on a sample of elements at construction ([`Kernels`]).
//!
//! - Hessian-vector products `Hv = sum_e P_e' H_e P_e v` and the sparse Hessian (lower triangle
//!   in a fixed compressed-column pattern: the union of the element patterns plus every
//!   diagonal entry), built once; the dense Hessian for `n <= 2000`.
//!
//! The two forms give the same numbers: num-dual writes the product, quotient and chain rules
//! of `HyperDual` and `Dual2Vec` with the same terms in the same order, so entry `(a, b)` of
//! `v2` is computed by exactly the floating-point operations that give `eps1eps2` for the
//! directions `(e_a, e_b)` (likewise `DualVec` and `Dual`); the vector form only skips terms
//! that are known zeros, which can change the sign of a zero (or leave a number where
//! `inf * 0` would give NaN). Every output is a sum that starts from `+0.0`, and
//! `+0.0 + (-0.0) = +0.0`, so the scattered gradients and Hessians are bitwise the same
//! whichever form is used. The vector size `K` is the smallest of a few sizes
//! ([`derivative_size`]) holding the element's `k` variables; the padding directions are zero
//! and, since no sum runs over the directions, do not change a bit either.
//!
//! # Parallel evaluation, bitwise reproducible
//!
//! For problems with at least [`PARALLEL_MIN_ELEMENTS`] elements the element evaluations run on
//! the rayon pool (those whose sequential cost, timed at construction, is worth it:
//! [`PARALLEL_MIN_SECONDS`]), over fixed chunks of [`CHUNK_ELEMENTS`] consecutive elements
//! (fixed by the element count, not by the number of threads).
//!
//! - Gradients and Hessian values: each chunk writes its elements' local results (local
//!   gradients, packed local Hessians) into its own buffer; the buffers are combined into the
//!   output (the scatter-adds into `g` and into the Hessian values) by one thread, element by
//!   element in increasing element order, while the pool evaluates the next batch of chunks.
//!   Every output entry is therefore the sequence of floating-point additions of the
//!   sequential loop over elements, however the chunks were scheduled.
//! - The value is `sum_c s_c`, `s_c` the sum of chunk `c`'s element values in element order,
//!   added in chunk order; the gradient evaluation returns the same sum.
//!
//! So results are bitwise identical for any number of threads, and equal to those of the
//! sequential path (below the threshold or on a one-thread pool), which does the same additions.
//!
//! Group-partially-separable SIF problems whose groups are nonlinear in a sum of elements
//! (for example `(x_i + x_{i+1} + ...)^2`) are written with the group inside one element over
//! all the variables it touches. Problems with a term that touches many variables (ARGLINA,
//! PENALTY3, ...) implement the library traits by hand instead of [`Cutest`].
//!
//! References: N. I. M. Gould, D. Orban, Ph. L. Toint, CUTEst: a constrained and unconstrained
//! testing environment with safe threads for mathematical optimization, Comput. Optim. Appl. 60
//! (2015) 545-557; the SIF files of the CUTEst problem collection (one per problem, cited there).
//! Second-order forward mode (Taylor arithmetic): A. Griewank, A. Walther, Evaluating
//! Derivatives, 2nd ed., SIAM (2008), chapter 13.

use std::ops::Range;

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use num_dual::{Dual2SVec64, Dual64, DualSVec64, HyperDual64};
use rayon::prelude::*;
use trust_region::problem::{DenseHessian, HessianProduct, Objective, SparseHessian};

use super::Formulation;
use crate::mgh::Scalar;

/// Largest number of variables one element may depend on.
pub const MAX_ELEMENT_VARS: usize = 16;

/// Largest `n` for which the adapter offers a dense Hessian.
pub const DENSE_HESSIAN_MAX_N: usize = 2000;

/// Problems with at least this many elements evaluate them on the rayon pool.
pub const PARALLEL_MIN_ELEMENTS: usize = 8192;

/// Consecutive elements evaluated by one parallel task (fixed: it does not depend on the
/// number of threads).
pub const CHUNK_ELEMENTS: usize = 1024;

/// Length of the packed upper triangle of a `k x k` matrix.
const fn packed(k: usize) -> usize {
    k * (k + 1) / 2
}

/// The static dual-vector size used for an element of `k` variables: `k` itself up to 6, then
/// 8, 11 and 16 (each size is one more instantiation of every element function, so the list
/// is short; padding costs `(K / k)^2` on the Hessian parts of the arithmetic).
pub const fn derivative_size(k: usize) -> usize {
    match k {
        0 => 1,
        1..=6 => k,
        7..=8 => 8,
        9..=11 => 11,
        _ => 16,
    }
}

/// A CUTEst problem as a sum of element functions: the formula only (name, listed size, f*
/// and source are the registry's, [`super::Listing`]).
pub trait Cutest: Send + Sync {
    /// Number of variables.
    fn n(&self) -> usize;
    /// The SIF starting point.
    fn x0(&self) -> Vec<f64>;
    /// Number of element functions.
    fn elements(&self) -> usize;
    /// Writes the distinct variable indices element `e` depends on into `vars` and returns
    /// their count (at most [`MAX_ELEMENT_VARS`]). Must not depend on `x`.
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize;
    /// `phi_e` at the values `xs` of its variables (in the order of `element_vars`).
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D;
}

/// `phi_e` and its local gradient (`out[0]` and `out[1..=k]`) from one evaluation at
/// `DualSVec64<K>`, `K >= k = vars.len()`.
#[inline]
fn element_gradient<P: Cutest, const K: usize>(p: &P, e: usize, vars: &[usize], x: &[f64], out: &mut [f64]) {
    let k = vars.len();
    let mut xs = [DualSVec64::<K>::from_re(0.0); K];
    for (c, (xc, &vc)) in xs.iter_mut().zip(vars).enumerate() {
        *xc = DualSVec64::from_re(x[vc]).derivative(c);
    }
    let phi = p.element(e, &xs[..k]);
    out[0] = phi.re;
    match &phi.eps.0 {
        Some(d) => out[1..=k].copy_from_slice(&d.as_slice()[..k]),
        None => out[1..=k].fill(0.0),
    }
}

/// `phi_e` and its local gradient (`out[0]` and `out[1..=k]`) from `k` evaluations at scalar
/// duals `Dual64` (direction `e_a` for the `a`-th evaluation).
#[inline]
fn element_gradient_scalar<P: Cutest>(p: &P, e: usize, vars: &[usize], x: &[f64], out: &mut [f64]) {
    let k = vars.len();
    let mut xs = [Dual64::from(0.0); MAX_ELEMENT_VARS];
    for a in 0..k {
        for (c, (xc, &vc)) in xs.iter_mut().zip(vars).enumerate() {
            *xc = Dual64::new(x[vc], if c == a { 1.0 } else { 0.0 });
        }
        let phi = p.element(e, &xs[..k]);
        out[0] = phi.re;
        out[1 + a] = phi.eps;
    }
    if k == 0 {
        out[0] = p.element::<f64>(e, &[]);
    }
}

/// The packed upper triangle (row by row) of element `e`'s local Hessian from `k (k + 1) / 2`
/// evaluations at scalar hyper-duals `HyperDual64` (`eps1 = e_a`, `eps2 = e_b`, `a <= b`).
#[inline]
fn element_hessian_scalar<P: Cutest>(p: &P, e: usize, vars: &[usize], x: &[f64], out: &mut [f64]) {
    let k = vars.len();
    let mut xs = [HyperDual64::from(0.0); MAX_ELEMENT_VARS];
    let mut t = 0;
    for a in 0..k {
        for b in a..k {
            for (c, (xc, &vc)) in xs.iter_mut().zip(vars).enumerate() {
                let d1 = if c == a { 1.0 } else { 0.0 };
                let d2 = if c == b { 1.0 } else { 0.0 };
                *xc = HyperDual64::new(x[vc], d1, d2, 0.0);
            }
            out[t] = p.element(e, &xs[..k]).eps1eps2;
            t += 1;
        }
    }
}

/// The packed upper triangle (row by row) of element `e`'s local Hessian from one evaluation
/// at `Dual2SVec64<K>`, `K >= k = vars.len()`.
#[inline]
fn element_hessian<P: Cutest, const K: usize>(p: &P, e: usize, vars: &[usize], x: &[f64], out: &mut [f64]) {
    let k = vars.len();
    let mut xs = [Dual2SVec64::<K>::from_re(0.0); K];
    for (c, (xc, &vc)) in xs.iter_mut().zip(vars).enumerate() {
        *xc = Dual2SVec64::from_re(x[vc]).derivative(c);
    }
    let phi = p.element(e, &xs[..k]);
    let out = &mut out[..packed(k)];
    match &phi.v2.0 {
        Some(h) => {
            let mut t = 0;
            for a in 0..k {
                for b in a..k {
                    out[t] = h[(a, b)];
                    t += 1;
                }
            }
        }
        None => out.fill(0.0),
    }
}

/// Calls `$f::<P, K>($args)` with `K = derivative_size($k)`.
macro_rules! at_size {
    ($k:expr, $f:ident, $($arg:expr),* $(,)?) => {
        match derivative_size($k) {
            1 => $f::<P, 1>($($arg),*),
            2 => $f::<P, 2>($($arg),*),
            3 => $f::<P, 3>($($arg),*),
            4 => $f::<P, 4>($($arg),*),
            5 => $f::<P, 5>($($arg),*),
            6 => $f::<P, 6>($($arg),*),
            8 => $f::<P, 8>($($arg),*),
            11 => $f::<P, 11>($($arg),*),
            _ => $f::<P, MAX_ELEMENT_VARS>($($arg),*),
        }
    };
}

/// How an element's first or second derivatives are obtained; both give the same numbers
/// (module docs), they differ only in cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementDerivatives {
    /// `k` scalar dual (gradient) or `k (k + 1) / 2` scalar hyper-dual (Hessian) evaluations:
    /// cheapest for elements of a few arithmetic operations.
    Scalar,
    /// One evaluation at a dual vector of static size (`DualSVec64<K>` or `Dual2SVec64<K>`):
    /// cheapest when the element does work besides the arithmetic on its variables
    /// (transcendental functions, index computations) or has many variables.
    Vector,
}

/// The derivative evaluation chosen for gradients and for element Hessians.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kernels {
    /// Element gradients (value, gradient).
    pub gradient: ElementDerivatives,
    /// Element Hessians (Hessian-vector products at a new point, sparse and dense Hessians).
    pub hessian: ElementDerivatives,
}

/// Which evaluations run on the rayon pool (for problems of at least [`PARALLEL_MIN_ELEMENTS`]
/// elements; the results do not depend on it).
#[derive(Clone, Copy, Debug, Default)]
struct Parallel {
    value: bool,
    gradient: bool,
    hessian: bool,
}

/// [`Elemental::new`] runs an evaluation (value, gradient or element Hessians) on the rayon
/// pool only if its sequential cost, estimated from the calibration sample, is at least this
/// (seconds): below it the cost of waking the pool is comparable to the work.
pub const PARALLEL_MIN_SECONDS: f64 = 0.01;

/// Problems with at least this many elements time both derivative evaluations on a sample of
/// elements at construction and keep the faster ones ([`Elemental::new`]).
pub const CALIBRATION_MIN_ELEMENTS: usize = 2048;

/// The adapter from [`Cutest`] to the library's derivative traits and [`SuiteProblem`](crate::SuiteProblem).
#[derive(Debug)]
pub struct Elemental<P> {
    /// The problem.
    pub problem: P,
    /// Element `e` uses `vars[offsets[e]..offsets[e + 1]]`.
    offsets: Vec<usize>,
    vars: Vec<usize>,
    /// Element `e`'s local Hessian entry `(a, b)`, `a <= b`, goes to value slot
    /// `slots[slot_offsets[e] + tri(a, b)]` of the lower-triangular pattern.
    slot_offsets: Vec<usize>,
    slots: Vec<usize>,
    pattern: SymbolicSparseColMat<usize>,
    kernels: Kernels,
    parallel: Parallel,
    /// The sparse Hessian at the last point a product was asked for: a trust-region step
    /// takes many products at one point, and each then costs one sparse product instead of
    /// one second-order evaluation of every element.
    cache: std::sync::Mutex<HessianCache>,
}

/// The Hessian values at `x` (valid once `x` is non-empty).
#[derive(Debug, Default)]
struct HessianCache {
    x: Vec<f64>,
    values: Vec<f64>,
}

/// Index of `(a, b)`, `a <= b < k`, in the packed upper triangle of a `k x k` matrix, row by row.
#[inline]
fn tri(a: usize, b: usize, k: usize) -> usize {
    a * k - a * (a + 1) / 2 + b
}

impl<P: Cutest> Elemental<P> {
    /// Builds the element index and the Hessian pattern once, and picks the derivative
    /// evaluations: for problems of at least [`CALIBRATION_MIN_ELEMENTS`] elements the faster
    /// on a sample of elements at `x0`, otherwise vector duals for every element when some element
    /// has 3 or more variables (scalar duals when none has); from the same timings, which evaluations are worth running in parallel
    /// ([`PARALLEL_MIN_SECONDS`]). These choices affect the cost only, not a bit of any
    /// result (module docs).
    pub fn new(problem: P) -> Self {
        let mut adapter = Self::with_kernels(
            problem,
            Kernels { gradient: ElementDerivatives::Scalar, hessian: ElementDerivatives::Scalar },
        );
        (adapter.kernels, adapter.parallel) = adapter.calibrate();
        adapter
    }

    /// The derivative evaluations in use.
    pub fn kernels(&self) -> Kernels {
        self.kernels
    }

    /// As [`Elemental::new`] with the given derivative evaluations, and every evaluation on
    /// the rayon pool for problems of at least [`PARALLEL_MIN_ELEMENTS`] elements.
    pub fn with_kernels(problem: P, kernels: Kernels) -> Self {
        let n = problem.n();
        let ne = problem.elements();
        let mut offsets = Vec::with_capacity(ne + 1);
        let mut vars = Vec::new();
        let mut buf = [0usize; MAX_ELEMENT_VARS];
        offsets.push(0);
        for e in 0..ne {
            let k = problem.element_vars(e, &mut buf).min(MAX_ELEMENT_VARS);
            vars.extend_from_slice(&buf[..k]);
            offsets.push(vars.len());
        }
        let element = |e: usize| &vars[offsets[e]..offsets[e + 1]];
        // Lower-triangle pattern, column by column: bucket the rows `max(v_a, v_b)` of every
        // element pair by column `min(v_a, v_b)` (a counting sort), add the diagonal, then sort
        // and deduplicate each column.
        let mut col_ptr = vec![0usize; n + 1];
        for j in 0..n {
            col_ptr[j + 1] = 1;
        }
        for e in 0..ne {
            let v = element(e);
            for a in 0..v.len() {
                for b in a..v.len() {
                    col_ptr[v[a].min(v[b]) + 1] += 1;
                }
            }
        }
        for j in 0..n {
            col_ptr[j + 1] += col_ptr[j];
        }
        let mut fill = col_ptr.clone();
        let mut rows = vec![0usize; col_ptr[n]];
        for j in 0..n {
            rows[fill[j]] = j;
            fill[j] += 1;
        }
        for e in 0..ne {
            let v = element(e);
            for a in 0..v.len() {
                for b in a..v.len() {
                    let j = v[a].min(v[b]);
                    rows[fill[j]] = v[a].max(v[b]);
                    fill[j] += 1;
                }
            }
        }
        drop(fill);
        let mut columns: Vec<&mut [usize]> = Vec::with_capacity(n);
        let mut rest = rows.as_mut_slice();
        for j in 0..n {
            let (col, tail) = rest.split_at_mut(col_ptr[j + 1] - col_ptr[j]);
            columns.push(col);
            rest = tail;
        }
        let lengths: Vec<usize> = columns
            .into_par_iter()
            .map(|col| {
                col.sort_unstable();
                let mut len = 0;
                for t in 0..col.len() {
                    if t == 0 || col[t] != col[len - 1] {
                        col[len] = col[t];
                        len += 1;
                    }
                }
                len
            })
            .collect();
        let mut row_idx = Vec::with_capacity(lengths.iter().sum());
        let mut new_ptr = vec![0usize; n + 1];
        for j in 0..n {
            row_idx.extend_from_slice(&rows[col_ptr[j]..col_ptr[j] + lengths[j]]);
            new_ptr[j + 1] = row_idx.len();
        }
        drop(rows);
        let col_ptr = new_ptr;
        let mut slot_offsets = Vec::with_capacity(ne + 1);
        slot_offsets.push(0);
        for e in 0..ne {
            slot_offsets.push(slot_offsets[e] + packed(offsets[e + 1] - offsets[e]));
        }
        let mut slots = vec![0usize; slot_offsets[ne]];
        let locate = |e: usize, out: &mut [usize]| {
            let v = element(e);
            let mut t = 0;
            for a in 0..v.len() {
                for b in a..v.len() {
                    let (i, j) = (v[a].max(v[b]), v[a].min(v[b]));
                    let range = col_ptr[j]..col_ptr[j + 1];
                    let k = row_idx[range.clone()].binary_search(&i).expect("entry is in the pattern");
                    out[t] = range.start + k;
                    t += 1;
                }
            }
        };
        // Fixed chunks of elements, each writing its own part of `slots`.
        let mut parts = Vec::with_capacity(ne.div_ceil(CHUNK_ELEMENTS));
        let mut rest = slots.as_mut_slice();
        for start in (0..ne).step_by(CHUNK_ELEMENTS) {
            let end = (start + CHUNK_ELEMENTS).min(ne);
            let (part, tail) = rest.split_at_mut(slot_offsets[end] - slot_offsets[start]);
            parts.push((start..end, part));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(range, part)| {
            let base = slot_offsets[range.start];
            for e in range {
                locate(e, &mut part[slot_offsets[e] - base..slot_offsets[e + 1] - base]);
            }
        });
        let pattern = SymbolicSparseColMat::new_checked(n, n, col_ptr, None, row_idx);
        let parallel = Parallel { value: true, gradient: true, hessian: true };
        Self { problem, offsets, vars, slot_offsets, slots, pattern, kernels, parallel, cache: Default::default() }
    }

    /// The faster derivative evaluations on a sample of elements (see [`Elemental::new`]).
    fn calibrate(&self) -> (Kernels, Parallel) {
        use ElementDerivatives::{Scalar, Vector};
        let ne = self.problem.elements();
        if ne < CALIBRATION_MIN_ELEMENTS {
            let wide = (0..ne).any(|e| self.element_vars_of(e).len() >= 3);
            let pick = if wide { Vector } else { Scalar };
            return (Kernels { gradient: pick, hessian: pick }, Parallel::default());
        }
        const SAMPLE: usize = 2048;
        // A contiguous block, as a sweep over the elements touches memory (a spread sample
        // would time cache misses the sweep does not have).
        let sample: Vec<usize> = (ne / 2 - SAMPLE / 2..ne / 2 + SAMPLE / 2).collect();
        let x = self.problem.x0();
        let mut out = [0.0; packed(MAX_ELEMENT_VARS) + 1];
        let mut best = [f64::INFINITY; 5];
        for _ in 0..5 {
            for (slot, method) in best.iter_mut().zip(0..) {
                let start = std::time::Instant::now();
                for &e in &sample {
                    let v = self.element_vars_of(e);
                    let p = &self.problem;
                    match method {
                        0 => element_gradient_scalar(p, e, v, &x, &mut out),
                        1 => at_size!(v.len(), element_gradient, p, e, v, &x, &mut out),
                        2 => element_hessian_scalar(p, e, v, &x, &mut out),
                        3 => at_size!(v.len(), element_hessian, p, e, v, &x, &mut out),
                        _ => {
                            let mut xs = [0.0f64; MAX_ELEMENT_VARS];
                            for (xc, &vc) in xs.iter_mut().zip(v) {
                                *xc = x[vc];
                            }
                            out[0] = p.element(e, &xs[..v.len()]);
                        }
                    }
                    std::hint::black_box(&out);
                }
                *slot = slot.min(start.elapsed().as_secs_f64());
            }
        }
        let pick = |scalar: f64, vector: f64| if vector < scalar { Vector } else { Scalar };
        // Estimated sequential cost of a pass over all elements, against the threshold.
        let worth = |sample_seconds: f64| sample_seconds / SAMPLE as f64 * ne as f64 >= PARALLEL_MIN_SECONDS;
        let kernels = Kernels { gradient: pick(best[0], best[1]), hessian: pick(best[2], best[3]) };
        let parallel = Parallel {
            value: worth(best[4]),
            gradient: worth(best[0].min(best[1])),
            hessian: worth(best[2].min(best[3])),
        };
        (kernels, parallel)
    }

    fn element_vars_of(&self, e: usize) -> &[usize] {
        &self.vars[self.offsets[e]..self.offsets[e + 1]]
    }

    /// Runs `eval(e, out_e)` for every element, `out_e` of length `width(e)`, and
    /// `combine(e, out_e)` on one thread in increasing element order (module docs: the
    /// evaluations run in parallel over fixed chunks for large problems, the combination is
    /// always the sequential one).
    fn for_each_element<W, E, C>(&self, parallel: bool, width: W, eval: E, mut combine: C)
    where
        W: Fn(usize) -> usize + Sync,
        E: Fn(usize, &mut [f64]) + Sync,
        C: FnMut(usize, &[f64]) + Send,
    {
        let ne = self.problem.elements();
        let threads = rayon::current_num_threads();
        if !parallel || ne < PARALLEL_MIN_ELEMENTS || threads == 1 {
            let mut out = [0.0; packed(MAX_ELEMENT_VARS) + 1];
            for e in 0..ne {
                let out = &mut out[..width(e)];
                eval(e, out);
                combine(e, out);
            }
            return;
        }
        let chunks: Vec<Range<usize>> =
            (0..ne).step_by(CHUNK_ELEMENTS).map(|s| s..(s + CHUNK_ELEMENTS).min(ne)).collect();
        let batch = 4 * threads;
        let eval_batch = |ranges: &[Range<usize>], bufs: &mut [Vec<f64>]| {
            bufs.par_iter_mut().zip(ranges.par_iter()).for_each(|(buf, range)| {
                buf.clear();
                for e in range.clone() {
                    let start = buf.len();
                    buf.resize(start + width(e), 0.0);
                    eval(e, &mut buf[start..]);
                }
            });
        };
        let combine_batch = |ranges: &[Range<usize>], bufs: &[Vec<f64>], combine: &mut C| {
            for (buf, range) in bufs.iter().zip(ranges) {
                let mut start = 0;
                for e in range.clone() {
                    let end = start + width(e);
                    combine(e, &buf[start..end]);
                    start = end;
                }
            }
        };
        let batches: Vec<&[Range<usize>]> = chunks.chunks(batch).collect();
        let mut current: Vec<Vec<f64>> = vec![Vec::new(); batch];
        let mut next: Vec<Vec<f64>> = vec![Vec::new(); batch];
        eval_batch(batches[0], &mut current);
        for pair in batches.windows(2) {
            rayon::join(|| combine_batch(pair[0], &current, &mut combine), || eval_batch(pair[1], &mut next));
            std::mem::swap(&mut current, &mut next);
        }
        combine_batch(batches[batches.len() - 1], &current, &mut combine);
    }

    /// The local gradient width of element `e` plus one (its value).
    fn gradient_width(&self, e: usize) -> usize {
        self.offsets[e + 1] - self.offsets[e] + 1
    }

    /// `f = sum_c (sum_{e in chunk c} phi_e)`: partial sums over the fixed chunks of
    /// [`CHUNK_ELEMENTS`] elements, added in chunk order (the same additions on any number of
    /// threads).
    fn chunked_value(&self, x: &[f64]) -> f64 {
        let ne = self.problem.elements();
        let chunk_sum = |start: usize| {
            let mut xs = [0.0f64; MAX_ELEMENT_VARS];
            let mut s = 0.0;
            for e in start..(start + CHUNK_ELEMENTS).min(ne) {
                let v = self.element_vars_of(e);
                for (xc, &vc) in xs.iter_mut().zip(v) {
                    *xc = x[vc];
                }
                s += self.problem.element(e, &xs[..v.len()]);
            }
            s
        };
        let starts = (0..ne).step_by(CHUNK_ELEMENTS);
        if !self.parallel.value || ne < PARALLEL_MIN_ELEMENTS || rayon::current_num_threads() == 1 {
            starts.map(chunk_sum).fold(0.0, |f, s| f + s)
        } else {
            let partial: Vec<f64> = starts.collect::<Vec<_>>().into_par_iter().map(chunk_sum).collect();
            partial.into_iter().fold(0.0, |f, s| f + s)
        }
    }

    /// `f` (the same additions as [`Self::chunked_value`]) and `g`.
    fn value_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let ne = self.problem.elements();
        let (mut f, mut partial) = (0.0, 0.0);
        g.iter_mut().for_each(|gi| *gi = 0.0);
        self.for_each_element(
            self.parallel.gradient,
            |e| self.gradient_width(e),
            |e, out| self.local_gradient(e, x, out),
            |e, out| {
                partial += out[0];
                if (e + 1) % CHUNK_ELEMENTS == 0 || e + 1 == ne {
                    f += partial;
                    partial = 0.0;
                }
                for (&vc, &d) in self.element_vars_of(e).iter().zip(&out[1..]) {
                    g[vc] += d;
                }
            },
        );
        f
    }

    /// Element `e`'s value and local gradient into `out[0]`, `out[1..=k]`.
    #[inline]
    fn local_gradient(&self, e: usize, x: &[f64], out: &mut [f64]) {
        let v = self.element_vars_of(e);
        match self.kernels.gradient {
            ElementDerivatives::Scalar => element_gradient_scalar(&self.problem, e, v, x, out),
            ElementDerivatives::Vector => at_size!(v.len(), element_gradient, &self.problem, e, v, x, out),
        }
    }

    /// Element `e`'s packed local Hessian into `out`.
    #[inline]
    fn local_hessian(&self, e: usize, x: &[f64], out: &mut [f64]) {
        let v = self.element_vars_of(e);
        match self.kernels.hessian {
            ElementDerivatives::Scalar => element_hessian_scalar(&self.problem, e, v, x, out),
            ElementDerivatives::Vector => at_size!(v.len(), element_hessian, &self.problem, e, v, x, out),
        }
    }

    fn hessian_width(&self, e: usize) -> usize {
        self.slot_offsets[e + 1] - self.slot_offsets[e]
    }
}

impl<P: Cutest> Objective for Elemental<P> {
    fn dim(&self) -> usize {
        self.problem.n()
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.chunked_value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.value_gradient(x, g);
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        self.value_gradient(x, g)
    }
}

impl<P: Cutest> HessianProduct for Elemental<P> {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let lock = || self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut values = {
            let mut cache = lock();
            if cache.x.as_slice() == x {
                let h = faer::sparse::SparseColMatRef::new(self.pattern.as_ref(), &cache.values);
                trust_region::linalg::sparse::symmetric_lower_matvec(h, v, hv);
                return;
            }
            // Not held while the values are computed: the evaluation may run on the rayon
            // pool, whose workers can pick up another product on this problem.
            cache.x.clear();
            std::mem::take(&mut cache.values)
        };
        values.resize(self.pattern.row_idx().len(), 0.0);
        self.hessian_values(x, &mut values);
        let h = faer::sparse::SparseColMatRef::new(self.pattern.as_ref(), &values);
        trust_region::linalg::sparse::symmetric_lower_matvec(h, v, hv);
        let mut cache = lock();
        cache.values = values;
        cache.x.clear();
        cache.x.extend_from_slice(x);
    }
}

impl<P: Cutest> SparseHessian for Elemental<P> {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.pattern.clone()
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        values.iter_mut().for_each(|h| *h = 0.0);
        self.for_each_element(
            self.parallel.hessian,
            |e| self.hessian_width(e),
            |e, out| self.local_hessian(e, x, out),
            |e, hess| {
                // Element variables are distinct, so only (a, a) hits a diagonal slot and
                // each local entry goes to its own slot.
                let slots = &self.slots[self.slot_offsets[e]..self.slot_offsets[e + 1]];
                for (&s, &h) in slots.iter().zip(hess) {
                    values[s] += h;
                }
            },
        );
    }
}

impl<P: Cutest> DenseHessian for Elemental<P> {
    fn hessian(&self, x: &[f64], mut h: MatMut<'_, f64>) {
        h.fill(0.0);
        let mut hess = [0.0; packed(MAX_ELEMENT_VARS)];
        for e in 0..self.problem.elements() {
            let vars = self.element_vars_of(e);
            let k = vars.len();
            self.local_hessian(e, x, &mut hess);
            for a in 0..k {
                for b in a..k {
                    let v = hess[tri(a, b, k)];
                    h[(vars[a], vars[b])] += v;
                    if a != b {
                        h[(vars[b], vars[a])] += v;
                    }
                }
            }
        }
    }
}

impl<P: Cutest> Formulation for Elemental<P> {
    fn n(&self) -> usize {
        self.problem.n()
    }
    fn x0(&self) -> Vec<f64> {
        self.problem.x0()
    }
    fn products(&self) -> &dyn HessianProduct {
        self
    }
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        (self.problem.n() <= DENSE_HESSIAN_MAX_N).then_some(self as &dyn DenseHessian)
    }
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        Some(self)
    }
}

// Helpers for writing element functions.

/// `t^2`.
#[inline]
pub(crate) fn sq<D: Scalar>(t: D) -> D {
    t * t
}

/// `t^4`.
#[inline]
pub(crate) fn p4<D: Scalar>(t: D) -> D {
    let s = t * t;
    s * s
}

/// Writes `lo..=hi` into `vars` and returns the count.
#[inline]
pub(super) fn range_vars(lo: usize, hi: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
    for (k, v) in (lo..=hi).enumerate() {
        vars[k] = v;
    }
    hi - lo + 1
}

/// The distinct entries of `idx` in first-occurrence order (written to `vars`, count
/// returned) and, for every entry of `idx`, its position among them (`pos`).
#[inline]
pub(super) fn dedup(idx: &[usize], vars: &mut [usize], pos: &mut [usize]) -> usize {
    let mut k = 0;
    for (a, &i) in idx.iter().enumerate() {
        match vars[..k].iter().position(|&v| v == i) {
            Some(p) => pos[a] = p,
            None => {
                vars[k] = i;
                pos[a] = k;
                k += 1;
            }
        }
    }
    k
}
