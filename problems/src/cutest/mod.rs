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
    /// The sparse Hessian at the last point a product was asked for: a trust-region step
    /// takes many products at one point, and each then costs one sparse product instead of
    /// `k (k + 1) / 2` hyper-dual evaluations per element.
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
        Self { problem, offsets, vars, slot_offsets, slots, pattern, cache: Default::default() }
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
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.x.as_slice() != x {
            let mut values = std::mem::take(&mut cache.values);
            values.resize(self.pattern.row_idx().len(), 0.0);
            self.hessian_values(x, &mut values);
            cache.values = values;
            cache.x.clear();
            cache.x.extend_from_slice(x);
        }
        let h = faer::sparse::SparseColMatRef::new(self.pattern.as_ref(), &cache.values);
        trust_region::linalg::sparse::symmetric_lower_matvec(h, v, hv);
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
mod problems_b;
mod problems_b2;

pub use problems_b::{
    Allinitu, Bard, Beale, Biggs6, Box3, Brownbs, Brownden, Chnrosnb, Cube, Denschnc, Denschnd, Denschnf, Dixmaana1,
    Djtl, Edensch, Eg2, Engval2, Errinros, Expfit, Fletchcr, Gaussian, Genrose, Hairy, Hatfldd, Hatflde, Heart8ls,
    Helix, Himmelbg, Himmelbh, Jensmp, Kowosb, Loghairy, Maratosb, Mexhat, Osbornea, Osborneb, Qing, Sisser, Snail,
    Zangwil2,
};
pub use problems_b2::{Arglina, Hand, HandGradient, Hilbertb, Inteqnels, Msqrtals, Penalty3, Trigon1, Vardim};
mod problems_c;
mod problems_c2;
pub use problems_c::{
    Bdqrtic, BoxQuartic, Broydn3dls, Broydn7d, Chainwoo, Cosine, Cragglvy, Curly10, Dixon3dq, Dqrtic, Engval1,
    Freuroth, Genhumps, Liarwhd, Noncvxun, Nondquar, Quartc, Sbrybnd, Sparsine, Srosenbr, Tointgss, Woods,
};
pub use problems_c2::{Dixmaan, Fminsurf, FminsurfArea, Power};

/// Every CUTEst problem at its listed size (specs/problems.md section 2), in list order.
pub fn suite() -> Vec<Box<dyn SuiteProblem>> {
    names().iter().filter_map(|name| by_name(name, None)).collect()
}

/// The names of the problems in the suite, in list order.
pub fn names() -> &'static [&'static str] {
    &[
        "ROSENBR",
        "BEALE",
        "BROWNBS",
        "HELIX",
        "JENSMP",
        "BARD",
        "BOX3",
        "BIGGS6",
        "KOWOSB",
        "OSBORNEA",
        "OSBORNEB",
        "BROWNDEN",
        "CUBE",
        "DENSCHNC",
        "DENSCHND",
        "DENSCHNF",
        "GAUSSIAN",
        "HAIRY",
        "HIMMELBG",
        "HIMMELBH",
        "MEXHAT",
        "SISSER",
        "SNAIL",
        "ZANGWIL2",
        "ALLINITU",
        "ENGVAL2",
        "HATFLDD",
        "HATFLDE",
        "EXPFIT",
        "DJTL",
        "MARATOSB",
        "HILBERTB",
        "HEART8LS",
        "TRIGON1",
        "LOGHAIRY",
        "DIXMAANA1",
        "CHNROSNB",
        "ERRINROS",
        "QING",
        "VARDIM",
        "ARGLINA",
        "PENALTY3",
        "GENROSE",
        "INTEQNELS",
        "FLETCHCR",
        "EG2",
        "MSQRTALS",
        "EDENSCH",
        "ARWHEAD",
        "BDQRTIC",
        "BOX",
        "BROYDN3DLS",
        "BROYDN7D",
        "CHAINWOO",
        "COSINE",
        "CRAGGLVY",
        "CURLY10",
        "DIXMAANB",
        "DIXMAANC",
        "DIXMAAND",
        "DIXMAANE1",
        "DIXMAANF",
        "DIXMAANG",
        "DIXMAANH",
        "DIXMAANI1",
        "DIXMAANJ",
        "DIXMAANK",
        "DIXMAANL",
        "DIXON3DQ",
        "DQDRTIC",
        "DQRTIC",
        "ENGVAL1",
        "FMINSURF",
        "FREUROTH",
        "GENHUMPS",
        "LIARWHD",
        "NONCVXUN",
        "NONDQUAR",
        "POWER",
        "QUARTC",
        "SBRYBND",
        "SPARSINE",
        "SROSENBR",
        "TOINTGSS",
        "WOODS",
    ]
}

/// Builds a problem by SIF name (case-insensitive) at its listed size, or at `n` for the
/// scalable ones (`None` when the name is unknown or `n` is not admissible).
pub fn by_name(name: &str, n: Option<usize>) -> Option<Box<dyn SuiteProblem>> {
    let upper = name.to_ascii_uppercase();
    let boxed: Box<dyn SuiteProblem> = match upper.as_str() {
        "ROSENBR" => Box::new(Elemental::new(Rosenbr)),
        "BEALE" => problems_b::boxed_fixed(Beale, n)?,
        "BROWNBS" => problems_b::boxed_fixed(Brownbs, n)?,
        "HELIX" => problems_b::boxed_fixed(Helix, n)?,
        "JENSMP" => problems_b::boxed_fixed(Jensmp, n)?,
        "BARD" => problems_b::boxed_fixed(Bard, n)?,
        "BOX3" => problems_b::boxed_fixed(Box3, n)?,
        "BIGGS6" => problems_b::boxed_fixed(Biggs6, n)?,
        "KOWOSB" => problems_b::boxed_fixed(Kowosb, n)?,
        "OSBORNEA" => problems_b::boxed_fixed(Osbornea, n)?,
        "OSBORNEB" => problems_b::boxed_fixed(Osborneb, n)?,
        "BROWNDEN" => problems_b::boxed_fixed(Brownden, n)?,
        "CUBE" => problems_b::boxed_fixed(Cube, n)?,
        "DENSCHNC" => problems_b::boxed_fixed(Denschnc, n)?,
        "DENSCHND" => problems_b::boxed_fixed(Denschnd, n)?,
        "DENSCHNF" => problems_b::boxed_fixed(Denschnf, n)?,
        "GAUSSIAN" => problems_b::boxed_fixed(Gaussian, n)?,
        "HAIRY" => problems_b::boxed_fixed(Hairy, n)?,
        "HIMMELBG" => problems_b::boxed_fixed(Himmelbg, n)?,
        "HIMMELBH" => problems_b::boxed_fixed(Himmelbh, n)?,
        "MEXHAT" => problems_b::boxed_fixed(Mexhat, n)?,
        "SISSER" => problems_b::boxed_fixed(Sisser, n)?,
        "SNAIL" => problems_b::boxed_fixed(Snail, n)?,
        "ZANGWIL2" => problems_b::boxed_fixed(Zangwil2, n)?,
        "ALLINITU" => problems_b::boxed_fixed(Allinitu, n)?,
        "ENGVAL2" => problems_b::boxed_fixed(Engval2, n)?,
        "HATFLDD" => problems_b::boxed_fixed(Hatfldd, n)?,
        "HATFLDE" => problems_b::boxed_fixed(Hatflde, n)?,
        "EXPFIT" => problems_b::boxed_fixed(Expfit, n)?,
        "DJTL" => problems_b::boxed_fixed(Djtl, n)?,
        "MARATOSB" => problems_b::boxed_fixed(Maratosb, n)?,
        "HILBERTB" => Box::new(Hand::new(Hilbertb::new(n.unwrap_or(10))?)),
        "HEART8LS" => problems_b::boxed_fixed(Heart8ls, n)?,
        "TRIGON1" => Box::new(Hand::new(Trigon1::new(n.unwrap_or(10))?)),
        "LOGHAIRY" => problems_b::boxed_fixed(Loghairy, n)?,
        "DIXMAANA1" => Box::new(Elemental::new(Dixmaana1::new(n.unwrap_or(3))?)),
        "CHNROSNB" => Box::new(Elemental::new(Chnrosnb::new(n.unwrap_or(50))?)),
        "ERRINROS" => Box::new(Elemental::new(Errinros::new(n.unwrap_or(50))?)),
        "QING" => Box::new(Elemental::new(Qing::new(n.unwrap_or(100))?)),
        "VARDIM" => Box::new(Hand::new(Vardim::new(n.unwrap_or(200))?)),
        "ARGLINA" => Box::new(Hand::new(Arglina::new(n.unwrap_or(200))?)),
        "PENALTY3" => Box::new(Hand::new(Penalty3::new(n.unwrap_or(200))?)),
        "GENROSE" => Box::new(Elemental::new(Genrose::new(n.unwrap_or(500))?)),
        "INTEQNELS" => Box::new(Hand::new(Inteqnels::new(n.unwrap_or(502))?)),
        "FLETCHCR" => Box::new(Elemental::new(Fletchcr::new(n.unwrap_or(1000))?)),
        "EG2" => Box::new(Elemental::new(Eg2::new(n.unwrap_or(1000))?)),
        "MSQRTALS" => Box::new(Hand::new(Msqrtals::new(n.unwrap_or(1024))?)),
        "EDENSCH" => Box::new(Elemental::new(Edensch::new(n.unwrap_or(2000))?)),
        "ARWHEAD" => Box::new(Elemental::new(Arwhead::new(n.unwrap_or(5000))?)),
        "DQDRTIC" => Box::new(Elemental::new(Dqdrtic::new(n.unwrap_or(5000))?)),
        "BDQRTIC" => Box::new(Elemental::new(Bdqrtic::new(n.unwrap_or(5000))?)),
        "BOX" => Box::new(Elemental::new(BoxQuartic::new(n.unwrap_or(10000))?)),
        "BROYDN3DLS" => Box::new(Elemental::new(Broydn3dls::new(n.unwrap_or(5000))?)),
        "BROYDN7D" => Box::new(Elemental::new(Broydn7d::new(n.unwrap_or(5000))?)),
        "CHAINWOO" => Box::new(Elemental::new(Chainwoo::new(n.unwrap_or(4000))?)),
        "COSINE" => Box::new(Elemental::new(Cosine::new(n.unwrap_or(10000))?)),
        "CRAGGLVY" => Box::new(Elemental::new(Cragglvy::new(n.unwrap_or(5000))?)),
        "CURLY10" => Box::new(Elemental::new(Curly10::new(n.unwrap_or(10000))?)),
        "DIXMAANB" | "DIXMAANC" | "DIXMAAND" | "DIXMAANE1" | "DIXMAANF" | "DIXMAANG" | "DIXMAANH" | "DIXMAANI1"
        | "DIXMAANJ" | "DIXMAANK" | "DIXMAANL" => Box::new(Elemental::new(Dixmaan::new(&upper, n.unwrap_or(3000))?)),
        "DIXON3DQ" => Box::new(Elemental::new(Dixon3dq::new(n.unwrap_or(10000))?)),
        "DQRTIC" => Box::new(Elemental::new(Dqrtic::new(n.unwrap_or(5000))?)),
        "ENGVAL1" => Box::new(Elemental::new(Engval1::new(n.unwrap_or(5000))?)),
        // n = p^2 on a p x p grid: a requested n is rounded to the nearest square (60 -> 64).
        "FMINSURF" => Box::new(Fminsurf::with_p(n.map_or(75, problems_c2::nearest_side))?),
        "FREUROTH" => Box::new(Elemental::new(Freuroth::new(n.unwrap_or(5000))?)),
        "GENHUMPS" => Box::new(Elemental::new(Genhumps::new(n.unwrap_or(5000))?)),
        "LIARWHD" => Box::new(Elemental::new(Liarwhd::new(n.unwrap_or(5000))?)),
        "NONCVXUN" => Box::new(Elemental::new(Noncvxun::new(n.unwrap_or(5000))?)),
        "NONDQUAR" => Box::new(Elemental::new(Nondquar::new(n.unwrap_or(5000))?)),
        "POWER" => Box::new(Power::new(n.unwrap_or(10000))?),
        "QUARTC" => Box::new(Elemental::new(Quartc::new(n.unwrap_or(5000))?)),
        "SBRYBND" => Box::new(Elemental::new(Sbrybnd::new(n.unwrap_or(5000))?)),
        "SPARSINE" => Box::new(Elemental::new(Sparsine::new(n.unwrap_or(5000))?)),
        "SROSENBR" => Box::new(Elemental::new(Srosenbr::new(n.unwrap_or(5000))?)),
        "TOINTGSS" => Box::new(Elemental::new(Tointgss::new(n.unwrap_or(5000))?)),
        "WOODS" => Box::new(Elemental::new(Woods::new(n.unwrap_or(4000))?)),
        _ => return None,
    };
    Some(boxed)
}
