//! Layer 1: outer loops.
//!
//! - [`trust_region`]: the trust-region Newton / Gauss-Newton loop for unconstrained
//!   minimization and least squares.
//! - [`interior`]: the scaled interior trust region (STRSCNE dogleg and CoDoSol constrained
//!   dogleg) for bound-constrained nonlinear systems `F(x) = 0`, `l <= x <= u`.
//! - [`bounded`]: the projected Newton trust region (TRON family) for bound-constrained
//!   minimization `min f(x)`, `l <= x <= u`.
//! - [`scaled_interior`]: the scaled interior (affine-scaling) trust region of Coleman & Li for
//!   the same problem, with the scaling family of [`crate::scaling`].
//! - [`hessian_free`]: the stochastic sub-sampled trust-region Newton-CG loop for training a
//!   model on mini-batches (exact gradients and Hessian-vector products of a [`BatchLoss`]).

pub mod bounded;
pub mod hessian_free;
pub mod interior;
pub mod scaled_interior;
pub mod trust_region;

pub use bounded::{BoundedOptions, BoundedReport, BoundedTermination, ProjectedNewton};
pub use hessian_free::{BatchLoss, HessianFree, HessianFreeOptions};
pub use trust_region::{TrustRegion, TrustRegionOptions};
