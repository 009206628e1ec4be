//! Interoperability with other Rust numerical crates.
//!
//! The algorithms work on `&[f64]` slices and faer matrices; the adapters here view or copy
//! at the edge so that users keep their own types.
//!
//! - [`nalgebra`](mod@self::nalgebra) (feature `nalgebra`): zero-copy views from `DMatrix`,
//!   `DVector` and nalgebra-sparse `CscMatrix` / `CsrMatrix` to faer, copies back, and adapters
//!   that let a problem be written with `DVector<f64>` / `DMatrix<f64>`.
//! - [`argmin`](mod@self::argmin) (feature `argmin`): the trust-region method as an argmin 0.11
//!   `Solver` over `Vec<f64>` problems, so argmin users keep their `Executor`, observers and
//!   termination reasons.

#[cfg(feature = "argmin")]
pub mod argmin;
#[cfg(feature = "nalgebra")]
pub mod nalgebra;
