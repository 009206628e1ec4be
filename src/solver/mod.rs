//! Layer 1: outer loops.
//!
//! - [`trust_region`]: the trust-region Newton / Gauss-Newton loop for unconstrained
//!   minimization and least squares.

pub mod trust_region;

pub use trust_region::{Options, TrustRegion};
