//! Jacobian checks for [`SystemProblem`]s.
//!
//! [`check_system`] runs, at a point `x`:
//!
//! 1. the crate's derivative checker [`crate::check::check_problem_with`] through a thin
//!    [`crate::SuiteProblem`] view of the system: the dense Jacobian against extrapolated
//!    central differences of `F` ([`crate::check::FD_TOLERANCE`]), the sparse Jacobian against
//!    the dense one (exact, [`crate::check::EXACT_TOLERANCE`]) or, without a dense Jacobian,
//!    against differences on a sample of columns; the error measure is the one documented in
//!    [`crate::check`];
//! 2. the sparse Jacobian against forward-mode dual numbers: `J v` from the sparse values
//!    against the dual part of `F(x + eps v)` for three fixed directions `v`, error
//!    `max_i |(J v)_i - (J v)^dual_i| / max(1, max_i |(J v)^dual_i|)` against
//!    [`DUAL_TOLERANCE`] (independent of finite-difference noise, so it also checks the badly
//!    scaled problems tightly);
//! 3. the pattern: square `n x n`, every diagonal entry stored.

use faer::sparse::SymbolicSparseColMat;
use trust_region::problem::{DenseJacobian, SparseJacobian};

use super::SystemProblem;
use crate::check::{check_problem_with, CheckOptions, CheckReport, ItemCheck};
use crate::{ProblemInfo, SuiteProblem};

/// Tolerance of the comparison with forward-mode dual numbers (round-off only).
pub const DUAL_TOLERANCE: f64 = 1e-10;

/// Everything [`check_system`] found.
#[derive(Clone, Debug)]
pub struct SystemCheck {
    /// Problem name.
    pub name: String,
    /// Number of unknowns.
    pub n: usize,
    /// Dense and sparse Jacobians against finite differences (and each other).
    pub derivatives: CheckReport,
    /// `J v` from the sparse Jacobian against forward-mode dual numbers (worst direction).
    pub dual: Option<ItemCheck>,
    /// Whether the sparse pattern stores every diagonal entry.
    pub diagonal_stored: bool,
    /// Structural problems (pattern shape, missing interfaces).
    pub errors: Vec<String>,
}

impl SystemCheck {
    /// Whether every comparison passed, the diagonal is stored and nothing else went wrong.
    pub fn passed(&self) -> bool {
        self.errors.is_empty()
            && self.derivatives.passed()
            && self.dual.as_ref().is_none_or(ItemCheck::passed)
            && self.diagonal_stored
    }

    /// Descriptions of every failure.
    pub fn failures(&self) -> Vec<String> {
        let mut out = self.errors.clone();
        out.extend(self.derivatives.failures());
        if let Some(d) = &self.dual {
            if !d.passed() {
                out.push(format!("dual: error {:.3e} > {:.1e}", d.error, d.tolerance));
            }
        }
        if !self.diagonal_stored {
            out.push("sparse pattern misses diagonal entries".into());
        }
        out
    }
}

/// A [`SuiteProblem`] view of a system, so that [`crate::check`] can check its Jacobians.
struct AsSuite<'a> {
    p: &'a dyn SystemProblem,
    name: String,
    source: &'static str,
    n: usize,
    x0: Vec<f64>,
}

impl SuiteProblem for AsSuite<'_> {
    fn info(&self) -> ProblemInfo {
        ProblemInfo {
            suite: "systems",
            name: self.name.clone(),
            n: self.n,
            m: Some(self.n),
            f_star: Some(0.0),
            source: self.source,
        }
    }
    fn x0(&self) -> Vec<f64> {
        self.x0.clone()
    }
    fn dense_jacobian(&self) -> Option<&dyn DenseJacobian> {
        self.p.dense_jacobian()
    }
    fn sparse_jacobian(&self) -> Option<&dyn SparseJacobian> {
        self.p.sparse_jacobian()
    }
}

/// Checks the Jacobians of `p` at `x` with the default [`CheckOptions`] (at most 200
/// differenced columns, evenly spaced).
pub fn check_system(p: &dyn SystemProblem, x: &[f64]) -> SystemCheck {
    check_system_with(p, x, &CheckOptions::default())
}

/// Checks the Jacobians of `p` at `x`; see the module documentation.
pub fn check_system_with(p: &dyn SystemProblem, x: &[f64], opts: &CheckOptions) -> SystemCheck {
    let info = p.info();
    let view = AsSuite { p, name: info.name.clone(), source: info.source, n: info.n, x0: x.to_vec() };
    let derivatives = check_problem_with(&view, x, opts);
    let mut errors = Vec::new();
    let mut dual = None;
    let mut diagonal_stored = false;
    match p.sparse_jacobian() {
        None => errors.push("no sparse Jacobian".into()),
        Some(sj) => {
            let pat = sj.jacobian_pattern();
            if pat.nrows() != info.n || pat.ncols() != info.n {
                errors.push(format!("pattern is {} x {}, expected {n} x {n}", pat.nrows(), pat.ncols(), n = info.n));
            } else {
                diagonal_stored = stores_diagonal(&pat);
                dual = dual_check(p, sj, &pat, x);
            }
        }
    }
    SystemCheck { name: info.name, n: info.n, derivatives, dual, diagonal_stored, errors }
}

/// Whether every diagonal entry of the square pattern is stored.
pub fn stores_diagonal(pat: &SymbolicSparseColMat<usize>) -> bool {
    let rows = pat.row_idx();
    (0..pat.ncols()).all(|j| rows[pat.col_range(j)].contains(&j))
}

/// Deterministic direction `k` with entries in `[-1, 1]`, scaled like `x`.
fn direction(x: &[f64], k: usize) -> Vec<f64> {
    x.iter()
        .enumerate()
        .map(|(i, xi)| {
            let t = (i as f64 + 1.0) * (0.754_877_666_2 + 0.31 * k as f64) + 0.569_840_291 * k as f64;
            t.sin() * xi.abs().max(1.0)
        })
        .collect()
}

fn dual_check(
    p: &dyn SystemProblem,
    sj: &dyn SparseJacobian,
    pat: &SymbolicSparseColMat<usize>,
    x: &[f64],
) -> Option<ItemCheck> {
    let n = x.len();
    let mut vals = vec![0.0; pat.row_idx().len()];
    sj.jacobian_values(x, &mut vals);
    let mut worst: Option<ItemCheck> = None;
    let mut ad = vec![0.0; n];
    for k in 0..3 {
        let v = direction(x, k);
        if !p.jacobian_product_dual(x, &v, &mut ad) {
            return None;
        }
        let mut jv = vec![0.0; n];
        for j in 0..n {
            for idx in pat.col_range(j) {
                jv[pat.row_idx()[idx]] += vals[idx] * v[j];
            }
        }
        let scale = ad.iter().fold(1.0f64, |s, a| s.max(a.abs()));
        let err = jv.iter().zip(&ad).map(|(a, b)| (a - b).abs()).fold(0.0f64, |m, d| {
            if d.is_nan() {
                f64::INFINITY
            } else {
                m.max(d)
            }
        }) / scale;
        let c =
            ItemCheck { error: err, raw_error: err, tolerance: DUAL_TOLERANCE, against: "forward-mode dual numbers" };
        if worst.as_ref().is_none_or(|w| c.error > w.error) {
            worst = Some(c);
        }
    }
    worst
}
