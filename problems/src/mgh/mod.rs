//! The 35 test problems of More, Garbow & Hillstrom (1981) in least-squares form.
//!
//! Each problem is a residual map `r: R^n -> R^m` with an exact Jacobian, its standard starting
//! point, and the optimal value published in the paper. The solvers minimize
//!
//! ```text
//! f(x) = ||r(x)||^2 / 2,
//! ```
//!
//! while the paper reports `sum r_i^2`: every `f_star` here is **half** the published value.
//!
//! A problem implements [`Mgh`] once, generic over the scalar (`f64` or a num-dual number);
//! the adapter [`MghProblem`] derives everything the solvers and the runner use from it:
//!
//! - value `f = ||r||^2 / 2` and gradient `g = J' r` (in `f64`);
//! - the exact Hessian-vector product of `f`: residuals and Jacobian entries are evaluated at
//!   the dual point `x + eps v` (`Dual64::new(x_i, v_i)`); the dual part of
//!   `g_j(x + eps v) = sum_i J_ij(x + eps v) r_i(x + eps v)` is `(H v)_j`, second-order
//!   residual terms `sum_i r_i grad^2 r_i v` included (no Gauss-Newton approximation);
//! - the dense Hessian, column `k` = `H e_k` (offered for `n <= 2000`);
//! - the residuals with a dense Jacobian (offered for `m n <= 4e6`) and a sparse Jacobian whose
//!   compressed-column pattern is built once from the entries the problem emits at `x0`.
//!
//! [`suite`] returns the 35 problems at the usual MGH sizes, [`by_name`] builds one by name
//! (and size, for the scalable ones), [`local_f_star`] gives the published value of a local
//! (non-global) minimum where the paper reports one, so that the runner can recognise it.
//!
//! # References
//!
//! 1. J. J. More, B. S. Garbow, K. E. Hillstrom, *Testing unconstrained optimization software*,
//!    ACM Trans. Math. Software 7 (1981) 17-41, doi:10.1145/355934.355936. Problem numbers,
//!    names, sizes, starting points and optimal values below are those of section 3 of the paper.
//! 2. J. J. More, B. S. Garbow, K. E. Hillstrom, *User guide for MINPACK-1*, Argonne National
//!    Laboratory report ANL-80-74 (1980): test drivers for `lmder` / `hybrj` on the same
//!    functions; their printed initial and final residual norms (as distributed with netlib
//!    MINPACK and reproduced in the cminpack reference outputs `examples/ref/lmddrv.fortran.ref`
//!    and `hyjdrv.fortran.ref`) confirm the values used in the tests.
//! 3. Published optimal values were cross-checked against the R package `funconstrain`
//!    (J. Melville, documentation of each MGH function) and the MGH problem file of Ceres Solver.

mod scalable;
mod small;

pub use scalable::{
    BrownAlmostLinear, BroydenBanded, BroydenTridiagonal, Chebyquad, DiscreteBoundaryValue, DiscreteIntegralEquation,
    ExtendedPowellSingular, ExtendedRosenbrock, LinearFullRank, LinearRank1, LinearRank1ZeroColumnsRows, Penalty1,
    Penalty2, Trigonometric, VariablyDimensioned, Watson,
};
pub use small::{
    Bard, Beale, BiggsExp6, Box3d, BrownBadlyScaled, BrownDennis, FreudensteinRoth, Gaussian, Gulf, HelicalValley,
    JennrichSampson, KowalikOsborne, Meyer, Osborne1, Osborne2, PowellBadlyScaled, PowellSingular, Rosenbrock, Wood,
};

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use num_dual::{Dual64, DualNum};
use trust_region::problem::{DenseHessian, DenseJacobian, HessianProduct, Objective, Residuals, SparseJacobian};

use crate::{ProblemInfo, SuiteProblem};

/// The scalars the problems are written for: `f64` and the num-dual numbers over `f64`
/// (`Dual64` for Hessian-vector products). A blanket alias of `DualNum<Primitive = f64> + Copy`.
pub trait Scalar: DualNum<Primitive = f64> + Copy {}

impl<D: DualNum<Primitive = f64> + Copy> Scalar for D {}

/// A constant of scalar type `D`.
#[inline]
pub(crate) fn cst<D: Scalar>(v: f64) -> D {
    D::from(v)
}

/// Largest `n` for which [`MghProblem`] offers a dense Hessian.
pub const DENSE_HESSIAN_MAX_N: usize = 2000;
/// Largest `m * n` for which [`MghProblem`] offers a dense Jacobian.
pub const DENSE_JACOBIAN_MAX_ENTRIES: usize = 4_000_000;

/// Citation of the paper, shared by every problem's [`ProblemInfo::source`].
pub const PAPER: &str = "J. J. More, B. S. Garbow, K. E. Hillstrom, Testing unconstrained optimization software, \
                         ACM TOMS 7 (1981) 17-41";

macro_rules! sources {
    ($($k:literal),* $(,)?) => {
        [$(concat!(
            "More, Garbow & Hillstrom (1981), ACM TOMS 7:17-41, problem ",
            stringify!($k)
        )),*]
    };
}

/// `SOURCES[k - 1]` cites problem `k` of the paper.
const SOURCES: [&str; 35] = sources!(
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    32, 33, 34, 35
);

/// One More-Garbow-Hillstrom test problem in least-squares form: residuals `r(x)` and the
/// exact Jacobian, both generic over the scalar so that the adapter [`MghProblem`] can
/// evaluate them at dual numbers (exact Hessian-vector products of `||r||^2 / 2`).
pub trait Mgh: Send + Sync {
    /// Problem number in the paper, `1..=35`.
    fn number(&self) -> usize;
    /// Stable lower-case name (e.g. `"rosenbrock"`).
    fn name(&self) -> &'static str;
    /// Number of variables `n`.
    fn n(&self) -> usize;
    /// Number of residuals `m`.
    fn m(&self) -> usize;
    /// The paper's standard starting point.
    fn x0(&self) -> Vec<f64>;
    /// Published optimal value, halved (`f = ||r||^2 / 2`); `None` where the paper gives no
    /// value for this size.
    fn f_star(&self) -> Option<f64>;
    /// Published value of a local (non-global) minimum, halved, where the paper reports one.
    fn local_f_star(&self) -> Option<f64> {
        None
    }
    /// Citation; by default the paper and the problem number.
    fn source(&self) -> &'static str {
        SOURCES.get(self.number().wrapping_sub(1)).copied().unwrap_or(PAPER)
    }
    /// Writes the residuals `r(x)` (length `m`) for `x` of length `n`.
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]);
    /// Calls `emit(row, col, value)` once for every structurally nonzero Jacobian entry
    /// `J_row,col = d r_row / d x_col`, in the same order and with the same `(row, col)`
    /// sequence for every `x` (a fixed pattern), without duplicates.
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D));
}

/// A problem that can be built at its default (usual MGH) size, or at another size where the
/// problem is scalable.
pub trait MghBuild: Mgh + Sized + 'static {
    /// The problem at the size used by the paper's standard tests.
    fn default_size() -> Self;
    /// The problem with `n` variables, or `None` if `n` is not a valid size. For fixed-size
    /// problems only the default `n` is valid.
    fn with_size(n: usize) -> Option<Self> {
        let p = Self::default_size();
        (p.n() == n).then_some(p)
    }
}

/// Adapter from an [`Mgh`] problem to the library's problem traits and to [`SuiteProblem`].
///
/// The sparse Jacobian pattern is built once, at construction, from the `(row, col)` sequence
/// the problem emits at its starting point; `slot[k]` is the compressed-column value index of
/// the `k`-th emitted entry, so filling values costs one pass over the emitted entries.
pub struct MghProblem<P: Mgh> {
    /// The wrapped problem.
    pub problem: P,
    n: usize,
    m: usize,
    pattern: SymbolicSparseColMat<usize>,
    slot: Vec<usize>,
}

impl<P: Mgh> MghProblem<P> {
    /// Wraps `problem` and builds its sparse Jacobian pattern at the starting point.
    pub fn new(problem: P) -> Self {
        let (n, m) = (problem.n(), problem.m());
        let x0 = problem.x0();
        let mut entries: Vec<(usize, usize)> = Vec::new();
        problem.jacobian(&x0, &mut |i, j, _v: f64| entries.push((i, j)));
        let (pattern, slot) = pattern_from_entries(m, n, &entries, false);
        Self { problem, n, m, pattern, slot }
    }

    /// Published local (non-global) minimum value, halved, if any.
    pub fn local_f_star(&self) -> Option<f64> {
        self.problem.local_f_star()
    }

    /// Problem number in the paper.
    pub fn number(&self) -> usize {
        self.problem.number()
    }

    /// Number of structurally nonzero Jacobian entries.
    pub fn jacobian_nnz(&self) -> usize {
        self.pattern.row_idx().len()
    }

    fn residual_vec(&self, x: &[f64]) -> Vec<f64> {
        let mut r = vec![0.0; self.m];
        self.problem.residuals(x, &mut r);
        r
    }
}

impl<P: Mgh> Objective for MghProblem<P> {
    fn dim(&self) -> usize {
        self.n
    }

    fn value(&self, x: &[f64]) -> f64 {
        0.5 * self.residual_vec(x).iter().map(|r| r * r).sum::<f64>()
    }

    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.value_and_gradient(x, g);
    }

    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let r = self.residual_vec(x);
        g.fill(0.0);
        let n = g.len();
        self.problem.jacobian(x, &mut |i, j, v: f64| {
            if j < n && i < r.len() {
                g[j] += v * r[i];
            }
        });
        0.5 * r.iter().map(|r| r * r).sum::<f64>()
    }
}

impl<P: Mgh> HessianProduct for MghProblem<P> {
    /// `H v` for `f = ||r||^2 / 2`: the directional derivative of `g = J' r` along `v`,
    /// `sum_i (J_ij' r_i + J_ij r_i')` with primes the dual parts at `x + eps v`.
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let xd: Vec<Dual64> = x.iter().zip(v).map(|(&a, &b)| Dual64::new(a, b)).collect();
        let mut rd = vec![Dual64::new(0.0, 0.0); self.m];
        self.problem.residuals(&xd, &mut rd);
        hv.fill(0.0);
        let n = hv.len();
        self.problem.jacobian(&xd, &mut |i, j, jij: Dual64| {
            if j < n && i < rd.len() {
                hv[j] += jij.eps * rd[i].re + jij.re * rd[i].eps;
            }
        });
    }
}

impl<P: Mgh> DenseHessian for MghProblem<P> {
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        let n = self.n;
        let mut e = vec![0.0; n];
        let mut col = vec![0.0; n];
        for k in 0..n.min(hess.ncols()) {
            e[k] = 1.0;
            self.hessian_product(x, &e, &mut col);
            e[k] = 0.0;
            for (i, &c) in col.iter().enumerate().take(hess.nrows()) {
                hess[(i, k)] = c;
            }
        }
        // Symmetrize: the two triangles agree to round-off; average them.
        for j in 0..n.min(hess.ncols()) {
            for i in (j + 1)..n.min(hess.nrows()) {
                let a = 0.5 * (hess[(i, j)] + hess[(j, i)]);
                hess[(i, j)] = a;
                hess[(j, i)] = a;
            }
        }
    }
}

impl<P: Mgh> Residuals for MghProblem<P> {
    fn dim(&self) -> usize {
        self.n
    }

    fn residual_count(&self) -> usize {
        self.m
    }

    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.problem.residuals(x, r);
    }
}

impl<P: Mgh> DenseJacobian for MghProblem<P> {
    fn jacobian(&self, x: &[f64], jac: MatMut<'_, f64>) {
        scatter_dense(jac, |emit| self.problem.jacobian(x, emit));
    }
}

/// Fills a dense Jacobian from emitted `(row, col, value)` entries (zero elsewhere; entries
/// outside the matrix are ignored, repeated entries add up).
pub(crate) fn scatter_dense(mut jac: MatMut<'_, f64>, entries: impl FnOnce(&mut dyn FnMut(usize, usize, f64))) {
    jac.fill(0.0);
    let (rows, cols) = (jac.nrows(), jac.ncols());
    entries(&mut |i, j, v| {
        if i < rows && j < cols {
            jac[(i, j)] += v;
        }
    });
}

/// The compressed-column pattern of the `m x n` matrix with the entries `(row, col)` (plus every
/// diagonal entry when `with_diagonal`), and for each entry `k` the index of its value. Repeated
/// entries share one value (their contributions add up); an out-of-range entry (a bug in the
/// problem) gets the index `usize::MAX`, which the scatter functions drop.
pub(crate) fn pattern_from_entries(
    m: usize,
    n: usize,
    entries: &[(usize, usize)],
    with_diagonal: bool,
) -> (SymbolicSparseColMat<usize>, Vec<usize>) {
    let ne = entries.len();
    let diagonal = if with_diagonal { m.min(n) } else { 0 };
    // Entry k < ne is emitted; k >= ne is the virtual diagonal entry (k - ne, k - ne).
    let entry = |k: usize| if k < ne { entries[k] } else { (k - ne, k - ne) };
    let mut order: Vec<usize> = (0..ne + diagonal).filter(|&k| entry(k).0 < m && entry(k).1 < n).collect();
    order.sort_unstable_by_key(|&k| (entry(k).1, entry(k).0, k));
    let mut col_ptr = vec![0usize; n + 1];
    let mut row_idx = Vec::with_capacity(order.len());
    let mut slot = vec![usize::MAX; ne];
    let mut last: Option<(usize, usize)> = None;
    for &k in &order {
        let (i, j) = entry(k);
        if last != Some((i, j)) {
            row_idx.push(i);
            col_ptr[j + 1] += 1;
            last = Some((i, j));
        }
        if k < ne {
            slot[k] = row_idx.len() - 1;
        }
    }
    for j in 0..n {
        col_ptr[j + 1] += col_ptr[j];
    }
    (SymbolicSparseColMat::new_checked(m, n, col_ptr, None, row_idx), slot)
}

/// Fills sparse Jacobian values from entries emitted in the fixed order of the pattern:
/// the `k`-th emitted value adds to `values[slot[k]]`.
pub(crate) fn scatter_sparse(
    slot: &[usize],
    values: &mut [f64],
    entries: impl FnOnce(&mut dyn FnMut(usize, usize, f64)),
) {
    values.fill(0.0);
    let mut k = 0usize;
    entries(&mut |_i, _j, v| {
        if let Some(dst) = slot.get(k).and_then(|&s| values.get_mut(s)) {
            *dst += v;
        }
        k += 1;
    });
}

impl<P: Mgh> SparseJacobian for MghProblem<P> {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.pattern.clone()
    }

    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        scatter_sparse(&self.slot, values, |emit| self.problem.jacobian(x, emit));
    }
}

impl<P: Mgh> SuiteProblem for MghProblem<P> {
    fn info(&self) -> ProblemInfo {
        ProblemInfo {
            suite: "mgh",
            name: self.problem.name().to_string(),
            n: self.n,
            m: Some(self.m),
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
        (self.n <= DENSE_HESSIAN_MAX_N).then_some(self as &dyn DenseHessian)
    }

    fn dense_jacobian(&self) -> Option<&dyn DenseJacobian> {
        (self.m.saturating_mul(self.n) <= DENSE_JACOBIAN_MAX_ENTRIES).then_some(self as &dyn DenseJacobian)
    }

    fn sparse_jacobian(&self) -> Option<&dyn SparseJacobian> {
        Some(self)
    }
}

/// One row of the registry: how to build a problem and what it publishes.
struct Entry {
    name: fn() -> &'static str,
    build: fn(Option<usize>) -> Option<Box<dyn SuiteProblem>>,
    local: fn() -> Option<f64>,
    scalable: bool,
}

fn build<P: MghBuild>(n: Option<usize>) -> Option<Box<dyn SuiteProblem>> {
    let p = match n {
        None => P::default_size(),
        Some(n) => P::with_size(n)?,
    };
    Some(Box::new(MghProblem::new(p)))
}

fn local<P: MghBuild>() -> Option<f64> {
    P::default_size().local_f_star()
}

fn name<P: MghBuild>() -> &'static str {
    P::default_size().name()
}

const fn entry<P: MghBuild>(scalable: bool) -> Entry {
    Entry { name: name::<P>, build: build::<P>, local: local::<P>, scalable }
}

/// The 35 problems in the paper's order.
const REGISTRY: [Entry; 35] = [
    entry::<Rosenbrock>(false),
    entry::<FreudensteinRoth>(false),
    entry::<PowellBadlyScaled>(false),
    entry::<BrownBadlyScaled>(false),
    entry::<Beale>(false),
    entry::<JennrichSampson>(false),
    entry::<HelicalValley>(false),
    entry::<Bard>(false),
    entry::<Gaussian>(false),
    entry::<Meyer>(false),
    entry::<Gulf>(false),
    entry::<Box3d>(false),
    entry::<PowellSingular>(false),
    entry::<Wood>(false),
    entry::<KowalikOsborne>(false),
    entry::<BrownDennis>(false),
    entry::<Osborne1>(false),
    entry::<BiggsExp6>(false),
    entry::<Osborne2>(false),
    entry::<Watson>(true),
    entry::<ExtendedRosenbrock>(true),
    entry::<ExtendedPowellSingular>(true),
    entry::<Penalty1>(true),
    entry::<Penalty2>(true),
    entry::<VariablyDimensioned>(true),
    entry::<Trigonometric>(true),
    entry::<BrownAlmostLinear>(true),
    entry::<DiscreteBoundaryValue>(true),
    entry::<DiscreteIntegralEquation>(true),
    entry::<BroydenTridiagonal>(true),
    entry::<BroydenBanded>(true),
    entry::<LinearFullRank>(true),
    entry::<LinearRank1>(true),
    entry::<LinearRank1ZeroColumnsRows>(true),
    entry::<Chebyquad>(true),
];

/// All 35 problems at their default sizes, in the paper's order (problem `k` at index `k - 1`).
///
/// Default sizes: `jennrich_sampson` m = 10; `gulf` m = 99; `box3d` m = 10; `brown_dennis`
/// m = 20; `biggs_exp6` m = 13; `watson` n = 6; `extended_rosenbrock` n = 10;
/// `extended_powell_singular` n = 12; `penalty1`, `penalty2` n = 4; `chebyquad` n = m = 8;
/// the linear functions n = 10, m = 20; every other scalable problem n = 10.
pub fn suite() -> Vec<Box<dyn SuiteProblem>> {
    REGISTRY.iter().filter_map(|e| (e.build)(None)).collect()
}

/// The problem names in the paper's order.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| (e.name)()).collect()
}

/// Builds the problem called `name` (as in [`Mgh::name`]) with `n` variables (`None`: the
/// default size). `None` if the name is unknown or `n` is not valid for it (fixed-size
/// problems accept only their own `n`).
pub fn by_name(name: &str, n: Option<usize>) -> Option<Box<dyn SuiteProblem>> {
    REGISTRY.iter().find(|e| (e.name)() == name).and_then(|e| (e.build)(n))
}

/// Whether the problem called `name` accepts other sizes than its default.
pub fn is_scalable(name: &str) -> Option<bool> {
    REGISTRY.iter().find(|e| (e.name)() == name).map(|e| e.scalable)
}

/// The paper's robustness starting points `factor * x0` (the paper uses factors 10 and 100);
/// where `x0 = 0` (Watson) the start is `factor * (1, ..., 1)`, as in the MINPACK-1 test
/// drivers (`initpt`). `factor = 1` returns `x0` unchanged.
pub fn scaled_start(x0: &[f64], factor: f64) -> Vec<f64> {
    if factor == 1.0 {
        x0.to_vec()
    } else if x0.iter().all(|&v| v == 0.0) {
        vec![factor; x0.len()]
    } else {
        x0.iter().map(|v| factor * v).collect()
    }
}

/// The published value (halved) of a local, non-global minimum of the problem called `name`,
/// where the paper reports one: `freudenstein_roth` 48.9842/2, `bard` 17.4286/2,
/// `kowalik_osborne` 1.02734e-3/2, `biggs_exp6` (m = 13) 5.65565e-3/2, `brown_almost_linear`
/// 1/2. `None` for the other problems and for unknown names.
pub fn local_f_star(name: &str) -> Option<f64> {
    REGISTRY.iter().find(|e| (e.name)() == name).and_then(|e| (e.local)())
}
