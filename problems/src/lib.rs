//! Test-problem suites for the `trust-region` crate and the `trsuite` runner.
//!
//! A suite problem describes itself ([`ProblemInfo`]), gives its standard start point, and
//! offers whichever derivative interfaces of [`trust_region::problem`] it implements through
//! the accessors of [`SuiteProblem`]; the runner picks the interface a step solver needs.
//!
//! Suites:
//! - [`mgh`]: the 35 problems of More, Garbow & Hillstrom (1981) in least-squares form;
//! - [`nist`]: the 27 NIST StRD nonlinear regression datasets with certified values;
//!
//! [`check`] compares every derivative a problem offers against finite differences;
//! [`runner`] runs suites x step solvers and collects one [`runner::RunRecord`] per run.

pub mod bounded;
pub mod check;
pub mod cutest;
pub mod denoise;
pub mod fdnet;
pub mod mgh;
pub mod nist;
pub mod profile;
pub mod runner;
pub mod subproblems;
pub mod systems;

use trust_region::problem::{
    DenseHessian, DenseJacobian, HessianProduct, SparseHessian, SparseHessianApproximation, SparseJacobian,
};

/// What is known about a test problem.
#[derive(Clone, Debug, PartialEq)]
pub struct ProblemInfo {
    /// Suite name (`"mgh"`, `"cutest"`, ...).
    pub suite: &'static str,
    /// Stable problem name as published (for MGH: the paper's name, e.g. `"rosenbrock"`).
    pub name: String,
    /// Number of variables.
    pub n: usize,
    /// Number of residuals (least-squares problems), if any.
    pub m: Option<usize>,
    /// Published optimal value `f*` of `f` as the solvers see it (for least squares
    /// `f = ||r||^2 / 2`), if known.
    pub f_star: Option<f64>,
    /// Where the problem comes from (paper, equation, SIF file).
    pub source: &'static str,
}

/// A test problem as the runner sees it. Accessors return `None` for interfaces the problem
/// does not offer.
pub trait SuiteProblem: Send + Sync {
    /// Name, size, known optimum.
    fn info(&self) -> ProblemInfo;
    /// The standard starting point.
    fn x0(&self) -> Vec<f64>;
    /// Objective with Hessian-vector products.
    fn products(&self) -> Option<&dyn HessianProduct> {
        None
    }
    /// Objective with a dense Hessian (offered only where `n` is small enough to store it).
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        None
    }
    /// Objective with a sparse Hessian.
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        None
    }
    /// Hessian-vector products with a sparse approximation of the Hessian for preconditioning
    /// (problems whose Hessian is dense only through a cheap term, like FMINSURF's rank one).
    fn sparse_approximation(&self) -> Option<&dyn SparseHessianApproximation> {
        None
    }
    /// Residuals with a dense Jacobian.
    fn dense_jacobian(&self) -> Option<&dyn DenseJacobian> {
        None
    }
    /// Residuals with a sparse Jacobian.
    fn sparse_jacobian(&self) -> Option<&dyn SparseJacobian> {
        None
    }
}

/// Number of correct significant digits of `f` against the published `f_star`:
/// `-log10(|f - f*| / |f*|)` when `f* != 0` and `-log10(|f|)` when `f* = 0`, clamped to
/// `[0, 16]`. `None` when no reference value is known or `f` is not finite.
pub fn correct_digits(f: f64, f_star: Option<f64>) -> Option<f64> {
    let fs = f_star?;
    if !f.is_finite() {
        return None;
    }
    let err = if fs != 0.0 { (f - fs).abs() / fs.abs() } else { f.abs() };
    let d = if err == 0.0 { 16.0 } else { -err.log10() };
    Some(d.clamp(0.0, 16.0))
}
