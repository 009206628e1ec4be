//! Trust-region methods for scientific computing.
#![warn(missing_docs)]

pub mod error;
pub mod linalg;
pub mod model;
pub mod observe;
pub mod problem;
pub mod radius;
pub mod report;
pub mod solver;
pub mod subproblem;
pub mod termination;

pub use error::SetupError;
pub use model::{DenseModel, Model, Oracle};
pub use observe::Observer;
pub use problem::{Bounds, DenseHessian, DenseJacobian, HessianProduct, Objective, Residuals, SparseHessian, SparseJacobian};
pub use report::{Evaluations, IterationInfo, Report};
pub use solver::{Options, TrustRegion};
pub use termination::{Termination, TerminationClass, Tolerances};
