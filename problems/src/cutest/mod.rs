//! CUTEst unconstrained problems (SIF formulations) written as sums of element functions.
//!
//! A problem implements [`Cutest`]: `f(x) = sum_e phi_e(x_{V_e})`, where element `e` depends on
//! a small set `V_e` of at most [`MAX_ELEMENT_VARS`] variables and `phi_e` is written once,
//! generic over the scalar ([`Scalar`]: `f64` and the num-dual numbers). The adapter
//! [`Elemental`] derives everything the solvers use, exactly:
//!
//! - value: `sum_e phi_e` in `f64`;
//! - gradient: each `phi_e` at dual numbers, one per local variable (`Dual64` with unit
//!   direction), scattered into `g`;
//! - element Hessians: `phi_e` at hyper-dual numbers (`HyperDual64` with `eps1 = e_a`,
//!   `eps2 = e_b`, `a <= b`), `k (k + 1) / 2` evaluations for `k = |V_e|`;
//! - Hessian-vector products `Hv = sum_e P_e' H_e P_e v` and the sparse Hessian (lower triangle
//!   in a fixed compressed-column pattern: the union of the element patterns plus every
//!   diagonal entry), built once; the dense Hessian for `n <= 2000`.
//!
//! Group-partially-separable SIF problems whose groups are nonlinear in a sum of elements
//! (for example `(x_i + x_{i+1} + ...)^2`) are written with the group inside one element over
//! all the variables it touches. Problems with a term that touches many variables (ARGLINA,
//! PENALTY3, ...) implement the library traits by hand instead of [`Cutest`].
//!
//! References: N. I. M. Gould, D. Orban, Ph. L. Toint, CUTEst: a constrained and unconstrained
//! testing environment with safe threads for mathematical optimization, Comput. Optim. Appl. 60
//! (2015) 545-557; the SIF files of the CUTEst problem collection (one per problem, cited there).

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use num_dual::{Dual64, HyperDual64};
use trust_region::problem::{DenseHessian, HessianProduct, Objective, SparseHessian};

use crate::mgh::Scalar;
use crate::{ProblemInfo, SuiteProblem};

/// Largest number of variables one element may depend on.
pub const MAX_ELEMENT_VARS: usize = 16;

/// Largest `n` for which the adapter offers a dense Hessian.
pub const DENSE_HESSIAN_MAX_N: usize = 2000;

/// A CUTEst problem as a sum of element functions.
pub trait Cutest: Send + Sync {
    /// The SIF name, upper case (`"ARWHEAD"`).
    fn name(&self) -> &'static str;
    /// Number of variables.
    fn n(&self) -> usize;
    /// The SIF starting point.
    fn x0(&self) -> Vec<f64>;
    /// The optimal value at this size where it is known (SIF file comment or literature).
    fn f_star(&self) -> Option<f64> {
        None
    }
    /// Where the formulation comes from.
    fn source(&self) -> &'static str;
    /// Number of element functions.
    fn elements(&self) -> usize;
    /// Writes the distinct variable indices element `e` depends on into `vars` and returns
    /// their count (at most [`MAX_ELEMENT_VARS`]). Must not depend on `x`.
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize;
    /// `phi_e` at the values `xs` of its variables (in the order of `element_vars`).
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D;
}

/// The adapter from [`Cutest`] to the library's derivative traits and [`SuiteProblem`].
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
}

/// Index of `(a, b)`, `a <= b < k`, in the packed upper triangle of a `k x k` matrix, row by row.
#[inline]
fn tri(a: usize, b: usize, k: usize) -> usize {
    a * k - a * (a + 1) / 2 + b
}

impl<P: Cutest> Elemental<P> {
    /// Builds the element index and the Hessian pattern once.
    pub fn new(problem: P) -> Self {
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
        // Lower-triangle pattern: (row, col) with row >= col, plus the diagonal.
        let mut entries: Vec<(usize, usize)> = (0..n).map(|j| (j, j)).collect();
        for e in 0..ne {
            let v = &vars[offsets[e]..offsets[e + 1]];
            for a in 0..v.len() {
                for b in a..v.len() {
                    let (i, j) = (v[a].max(v[b]), v[a].min(v[b]));
                    entries.push((j, i));
                }
            }
        }
        entries.sort_unstable();
        entries.dedup();
        let mut col_ptr = vec![0usize; n + 1];
        for &(j, _) in &entries {
            col_ptr[j + 1] += 1;
        }
        for j in 0..n {
            col_ptr[j + 1] += col_ptr[j];
        }
        let row_idx: Vec<usize> = entries.iter().map(|&(_, i)| i).collect();
        let mut slot_offsets = Vec::with_capacity(ne + 1);
        let mut slots = Vec::new();
        slot_offsets.push(0);
        for e in 0..ne {
            let v = &vars[offsets[e]..offsets[e + 1]];
            for a in 0..v.len() {
                for b in a..v.len() {
                    let (i, j) = (v[a].max(v[b]), v[a].min(v[b]));
                    let range = col_ptr[j]..col_ptr[j + 1];
                    let k = row_idx[range.clone()].binary_search(&i).expect("entry is in the pattern");
                    slots.push(range.start + k);
                }
            }
            slot_offsets.push(slots.len());
        }
        let pattern = SymbolicSparseColMat::new_checked(n, n, col_ptr, None, row_idx);
        Self { problem, offsets, vars, slot_offsets, slots, pattern }
    }

    fn element_vars_of(&self, e: usize) -> &[usize] {
        &self.vars[self.offsets[e]..self.offsets[e + 1]]
    }

    /// Calls `visit(e, vars, grad, hess)` with element `e`'s local gradient and packed upper
    /// triangle of its local Hessian (row by row), from hyper-dual evaluations.
    fn for_each_element_hessian(&self, x: &[f64], mut visit: impl FnMut(usize, &[usize], &[f64], &[f64])) {
        let mut xs = [HyperDual64::from(0.0); MAX_ELEMENT_VARS];
        let mut grad = [0.0; MAX_ELEMENT_VARS];
        let mut hess = [0.0; MAX_ELEMENT_VARS * (MAX_ELEMENT_VARS + 1) / 2];
        for e in 0..self.problem.elements() {
            let v = self.element_vars_of(e);
            let k = v.len();
            for a in 0..k {
                for b in a..k {
                    for (c, &vc) in v.iter().enumerate() {
                        let d1 = if c == a { 1.0 } else { 0.0 };
                        let d2 = if c == b { 1.0 } else { 0.0 };
                        xs[c] = HyperDual64::new(x[vc], d1, d2, 0.0);
                    }
                    let phi = self.problem.element(e, &xs[..k]);
                    if a == b {
                        grad[a] = phi.eps1;
                    }
                    hess[tri(a, b, k)] = phi.eps1eps2;
                }
            }
            visit(e, v, &grad[..k], &hess[..k * (k + 1) / 2]);
        }
    }
}

impl<P: Cutest> Objective for Elemental<P> {
    fn dim(&self) -> usize {
        self.problem.n()
    }
    fn value(&self, x: &[f64]) -> f64 {
        let mut xs = [0.0f64; MAX_ELEMENT_VARS];
        let mut f = 0.0;
        for e in 0..self.problem.elements() {
            let v = self.element_vars_of(e);
            for (c, &vc) in v.iter().enumerate() {
                xs[c] = x[vc];
            }
            f += self.problem.element(e, &xs[..v.len()]);
        }
        f
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g.iter_mut().for_each(|gi| *gi = 0.0);
        let mut xs = [Dual64::from(0.0); MAX_ELEMENT_VARS];
        for e in 0..self.problem.elements() {
            let v = self.element_vars_of(e);
            for a in 0..v.len() {
                for (c, &vc) in v.iter().enumerate() {
                    xs[c] = Dual64::new(x[vc], if c == a { 1.0 } else { 0.0 });
                }
                g[v[a]] += self.problem.element(e, &xs[..v.len()]).eps;
            }
        }
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        g.iter_mut().for_each(|gi| *gi = 0.0);
        let mut xs = [Dual64::from(0.0); MAX_ELEMENT_VARS];
        let mut f = 0.0;
        for e in 0..self.problem.elements() {
            let v = self.element_vars_of(e);
            for a in 0..v.len() {
                for (c, &vc) in v.iter().enumerate() {
                    xs[c] = Dual64::new(x[vc], if c == a { 1.0 } else { 0.0 });
                }
                let phi = self.problem.element(e, &xs[..v.len()]);
                if a == 0 {
                    f += phi.re;
                }
                g[v[a]] += phi.eps;
            }
        }
        f
    }
}

impl<P: Cutest> HessianProduct for Elemental<P> {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        hv.iter_mut().for_each(|h| *h = 0.0);
        self.for_each_element_hessian(x, |_, vars, _, hess| {
            let k = vars.len();
            for a in 0..k {
                for b in a..k {
                    let h = hess[tri(a, b, k)];
                    hv[vars[a]] += h * v[vars[b]];
                    if a != b {
                        hv[vars[b]] += h * v[vars[a]];
                    }
                }
            }
        });
    }
}

impl<P: Cutest> SparseHessian for Elemental<P> {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.pattern.clone()
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        values.iter_mut().for_each(|h| *h = 0.0);
        self.for_each_element_hessian(x, |e, vars, _, hess| {
            let k = vars.len();
            let base = self.slot_offsets[e];
            for a in 0..k {
                for b in a..k {
                    let t = tri(a, b, k);
                    // A repeated variable pair inside one element adds twice to the same
                    // off-diagonal slot; element variables are distinct, so only (a, a) hits
                    // a diagonal slot.
                    values[self.slots[base + t]] += hess[t];
                }
            }
        });
    }
}

impl<P: Cutest> DenseHessian for Elemental<P> {
    fn hessian(&self, x: &[f64], mut h: MatMut<'_, f64>) {
        h.fill(0.0);
        self.for_each_element_hessian(x, |_, vars, _, hess| {
            let k = vars.len();
            for a in 0..k {
                for b in a..k {
                    let v = hess[tri(a, b, k)];
                    h[(vars[a], vars[b])] += v;
                    if a != b {
                        h[(vars[b], vars[a])] += v;
                    }
                }
            }
        });
    }
}

impl<P: Cutest> SuiteProblem for Elemental<P> {
    fn info(&self) -> ProblemInfo {
        ProblemInfo {
            suite: "cutest",
            name: self.problem.name().to_string(),
            n: self.problem.n(),
            m: None,
            f_star: self.problem.f_star(),
            source: self.problem.source(),
        }
    }
    fn x0(&self) -> Vec<f64> {
        self.problem.x0()
    }
    fn products(&self) -> Option<&dyn HessianProduct> {
        Some(self)
    }
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        (self.problem.n() <= DENSE_HESSIAN_MAX_N).then_some(self as &dyn DenseHessian)
    }
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        Some(self)
    }
}

mod problems_a;

pub use problems_a::{Arwhead, Dqdrtic, Rosenbr};

/// Every CUTEst problem at its listed size (specs/problems.md section 2), in list order.
pub fn suite() -> Vec<Box<dyn SuiteProblem>> {
    names().iter().filter_map(|name| by_name(name, None)).collect()
}

/// The names of the problems in the suite, in list order.
pub fn names() -> &'static [&'static str] {
    &["ROSENBR", "ARWHEAD", "DQDRTIC"]
}

/// Builds a problem by SIF name (case-insensitive) at its listed size, or at `n` for the
/// scalable ones (`None` when the name is unknown or `n` is not admissible).
pub fn by_name(name: &str, n: Option<usize>) -> Option<Box<dyn SuiteProblem>> {
    let upper = name.to_ascii_uppercase();
    let boxed: Box<dyn SuiteProblem> = match upper.as_str() {
        "ROSENBR" => Box::new(Elemental::new(Rosenbr)),
        "ARWHEAD" => Box::new(Elemental::new(Arwhead::new(n.unwrap_or(5000))?)),
        "DQDRTIC" => Box::new(Elemental::new(Dqdrtic::new(n.unwrap_or(5000))?)),
        _ => return None,
    };
    Some(boxed)
}
