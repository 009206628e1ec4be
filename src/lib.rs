//! Trust-region methods for scientific computing.
//!
//! `trust-region` minimizes smooth functions and sums of squares with trust-region Newton and
//! Gauss-Newton methods, using faer for dense and sparse linear algebra.
//!
//! # Quick start
//!
//! ```
//! use trust_region::subproblem::Steihaug;
//! use trust_region::{HessianProduct, Objective, TrustRegion};
//!
//! /// Rosenbrock's function.
//! struct Rosenbrock;
//!
//! impl Objective for Rosenbrock {
//!     fn dim(&self) -> usize { 2 }
//!     fn value(&self, x: &[f64]) -> f64 {
//!         100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
//!     }
//!     fn gradient(&self, x: &[f64], g: &mut [f64]) {
//!         g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
//!         g[1] = 200.0 * (x[1] - x[0] * x[0]);
//!     }
//! }
//!
//! impl HessianProduct for Rosenbrock {
//!     fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
//!         let (a, b) = (1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0, -400.0 * x[0]);
//!         hv[0] = a * v[0] + b * v[1];
//!         hv[1] = b * v[0] + 200.0 * v[1];
//!     }
//! }
//!
//! let report = TrustRegion::new(Steihaug::new()).minimize(&Rosenbrock, &[-1.2, 1.0])?;
//! assert!(report.converged());
//! assert!((report.x[0] - 1.0).abs() < 1e-6);
//! println!("{report}");
//! # Ok::<(), trust_region::SetupError>(())
//! ```
//!
//! # Layers
//!
//! 1. Outer loops ([`solver`]): [`TrustRegion`] (Newton / Gauss-Newton: [`TrustRegion::minimize`]
//!    for Hessian-vector products, [`TrustRegion::solve`] for any model), the projected
//!    Newton trust region and the scaled interior trust region for bound-constrained
//!    minimization ([`ProjectedNewton`], [`ScaledInterior`]), the interior loop for bounded
//!    systems ([`Interior`]) and the Hessian-free training loop, all on one ratio
//!    and radius policy ([`radius`]), one [`Limits`], one [`Report`] shape and one
//!    [`Observer`] trait.
//! 2. Models ([`model`]): [`Newton`] over a curvature source (Hessian-vector products, dense
//!    or sparse Hessian, a sparse approximation for the preconditioner; for objectives with a
//!    gradient only: finite-difference products, dense SR1 / BFGS, L-SR1 / L-BFGS in compact
//!    form) and [`GaussNewton`] over a Jacobian store (dense or sparse).
//! 3. Step solvers ([`subproblem`]): Cauchy point, dogleg, Steihaug-Toint truncated CG
//!    (preconditioned), GLTR, More-Sorensen nearly exact step, and the affine-scaling dogleg
//!    of the interior loop. Each `prepare`s once per accepted point and `solve`s once per
//!    trial radius, and reports facts ([`StepInfo`]); what it needs from the model is a trait
//!    bound ([`subproblem::StepSolverFor`]), so a mismatched pairing does not compile.
//! 4. Linear algebra (`linalg`, not a stable API): slice kernels and faer factorizations with
//!    typed failure.
//!
//! A wrong call is a [`SetupError`]; everything that happens during a run (including
//! non-finite values from user functions) is a [`Termination`] inside the [`Report`], which
//! always carries the best point found. The library does not panic on user input.
//!
//! # Optional features
//!
//! - `nalgebra`: views and problem adapters for nalgebra and nalgebra-sparse types
//!   (`interop::nalgebra`).
//! - `autodiff`: exact derivatives from one generic function with num-dual (`autodiff`).
//! - `argmin`: the trust-region method as an argmin 0.11 `Solver` over `Vec<f64>`, so argmin
//!   users keep their `Executor`, observers and termination reasons (`interop::argmin`).
//! - `mpi`: data-parallel runs over MPI with the data sharded across ranks (`distributed`):
//!   sums of losses, blocks of residuals and split mini-batches reduced across ranks, the
//!   unchanged loops on every rank. Needs an MPI library and libclang when building (Debian:
//!   `libopenmpi-dev openmpi-bin libclang-dev`).
//!
//! # Math in these docs
//!
//! Module docs write formulas for KaTeX, as `$...$` and `$$...$$`, so that they also read as
//! plain text in the source. docs.rs renders them (see `[package.metadata.docs.rs]` in
//! `Cargo.toml`); locally, from the workspace root:
//!
//! ```sh
//! RUSTDOCFLAGS="--html-in-header $PWD/docs/katex-header.html" cargo doc --all-features --no-deps
//! ```
//!
//! (The absolute path matters: rustdoc resolves the header relative to each crate it documents.)
//!
//! # Glossary
//!
//! | name | meaning |
//! |---|---|
//! | `x` | iterate |
//! | `f` | objective value |
//! | `g` | gradient |
//! | `hess`, `B` | model Hessian (`H(x)` for Newton, `J'J` for Gauss-Newton) |
//! | `s` | step |
//! | `radius` | trust-region radius `Delta` |
//! | `ratio` | `rho = actual_reduction / predicted_reduction` |
//! | `actual_reduction` | `f(x) - f(x + s)` |
//! | `predicted_reduction` | `m(0) - m(s)` |
//! | `hits_boundary` | whether `‖s‖` reached the radius (relative test) |
//! | `damping` | `lambda` of `(B + lambda I) s = -g` |
//! | `residuals`, `jacobian` | `r` (or `F`) and `J` of least squares |
//!
//! # References
//!
//! 1. A. R. Conn, N. I. M. Gould, Ph. L. Toint, *Trust-Region Methods*, SIAM (2000).
//! 2. J. Nocedal, S. J. Wright, *Numerical Optimization*, 2nd ed., Springer (2006).
//! 3. J. J. More, D. C. Sorensen, Computing a trust region step, SIAM J. Sci. Stat. Comput. 4
//!    (1983) 553-572.
//! 4. T. Steihaug, The conjugate gradient method and trust regions in large scale
//!    optimization, SIAM J. Numer. Anal. 20 (1983) 626-637.
#![warn(missing_docs)]

#[cfg(feature = "autodiff")]
pub mod autodiff;
#[cfg(feature = "mpi")]
pub mod distributed;
pub mod error;
#[cfg(any(feature = "nalgebra", feature = "argmin"))]
pub mod interop;
/// Slice kernels and faer factorizations (dense and sparse Cholesky, LU, incomplete Cholesky,
/// tridiagonal eigen-routines, Lanczos) used by the step solvers. Not part of the stable API:
/// it may change in any release, and it is hidden from the documentation. The crate's tests,
/// benches and the problems crate use it.
#[doc(hidden)]
pub mod linalg;
pub mod model;
pub mod observe;
pub mod problem;
pub mod radius;
pub mod report;
pub mod scaling;
pub mod solver;
pub mod step;
pub mod subproblem;
pub mod termination;
pub mod uncertainty;

pub use error::SetupError;
pub use model::jacobian::{DenseStore, SparseStore};
pub use model::{DenseModel, GaussNewton, Model, Newton, Oracle};
pub use observe::Observer;
pub use problem::{
    Bounds, DenseHessian, DenseJacobian, HessianProduct, Objective, Residuals, SparseHessian,
    SparseHessianApproximation, SparseJacobian,
};
pub use radius::RadiusOptions;
pub use report::{IterationInfo, Outcome, Report};
pub use scaling::Scaling;
pub use solver::bounded::{BoundedOptions, BoundedReport, BoundedTermination, ProjectedNewton};
pub use solver::interior::{Interior, InteriorOptions, SystemReport, SystemTermination};
pub use solver::scaled_interior::{ScaledInterior, ScaledInteriorOptions};
pub use solver::{TrustRegion, TrustRegionOptions};
pub use step::{Evaluations, Needs, StepInfo, StepStatus};
pub use termination::{LimitReached, Limits, Termination, TerminationClass, Tolerances};
pub use uncertainty::{SparseUncertainty, Uncertainty, UncertaintyError, UncertaintyOptions};
