//! Setup errors: a wrong call, detected before or at the first evaluation.
//!
//! Everything that happens later during a run is reported as a
//! [`Termination`](crate::termination::Termination) inside the
//! [`Report`](crate::report::Report), never as an `Err`.

use thiserror::Error;

/// Why a solve could not start.
#[derive(Clone, Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum SetupError {
    /// A vector or matrix has the wrong size.
    #[error("dimension mismatch: {what} has length {found}, expected {expected}")]
    DimensionMismatch {
        /// Which argument.
        what: &'static str,
        /// The size the problem declares.
        expected: usize,
        /// The size that was passed.
        found: usize,
    },
    /// The problem has no variables.
    #[error("the problem has no variables (n = 0)")]
    EmptyProblem,
    /// The start point contains NaN or an infinity.
    #[error("start point x0[{index}] = {value} is not finite")]
    NonFiniteStart {
        /// First offending index.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// The objective (or a residual) is not finite at the start point.
    #[error("non-finite {what} at the start point")]
    NonFiniteAtStart {
        /// "value", "gradient", "Hessian", "residuals" or "Jacobian".
        what: &'static str,
    },
    /// An option is out of its admissible range.
    #[error("invalid option {name} = {value}: {reason}")]
    InvalidOption {
        /// Field name in the options struct.
        name: &'static str,
        /// The offending value.
        value: f64,
        /// The admissible range.
        reason: &'static str,
    },
    /// A bound pair is not a nonempty interval.
    #[error("invalid bounds at index {index}: lower = {lower}, upper = {upper} (need lower < upper, or lower <= upper for the projected method; no NaN)")]
    InvalidBounds {
        /// Index of the variable.
        index: usize,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// The chosen step solver needs second-order information the problem does not provide.
    #[error("step solver `{solver}` needs {needs}")]
    Unsupported {
        /// Step solver name.
        solver: &'static str,
        /// What is missing.
        needs: &'static str,
    },
    /// A sparse pattern is malformed (a missing diagonal entry, an entry above the diagonal).
    #[error("invalid sparse pattern: {0}")]
    InvalidPattern(&'static str),
    /// The start point lies outside the closed box `lower <= x0 <= upper`.
    #[error("start point x0[{index}] = {value} lies outside [{lower}, {upper}]")]
    StartOutsideBounds {
        /// First offending index.
        index: usize,
        /// Its value.
        value: f64,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// In a distributed run (feature `mpi`), a rank was given something different from rank 0:
    /// the number of variables, the options or the start point. Every rank receives this error
    /// (the check is collective), so no rank starts the loop alone.
    #[error("rank {rank} disagrees with rank 0 on {what}: {detail}")]
    RankMismatch {
        /// What differs ("number of variables", "options", "start point").
        what: &'static str,
        /// The first rank that differs from rank 0.
        rank: usize,
        /// The two values, or their fingerprints.
        detail: String,
    },
}
