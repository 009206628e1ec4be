//! Bound-constrained CUTEst problems (specs/bounds.md, "Test set"): the registry.
//!
//! Every problem is a [`BoundedProblem`]: a [`SuiteProblem`] (objective, exact derivatives,
//! the SIF start point, which may lie outside the box) with the box of its SIF `BOUNDS`
//! section. The registry lists the 45 problems of the spec in its order; `small` holds the
//! fixed-size and small scalable ones, `large` the large scalable ones. Formulas are read
//! from the SIF files (github.com/ralna/SIF) or their S2MPJ translations, as for the
//! unconstrained set ([`crate::cutest`]), and written with the element machinery of
//! [`crate::cutest::elemental`] where it fits.

use crate::SuiteProblem;

mod large;
pub mod runner;
mod small;

/// A bound-constrained test problem: the objective interfaces of [`SuiteProblem`] (its
/// `info().suite` is `"bounded"`, `x0()` is the SIF start, before any projection) and the box.
pub trait BoundedProblem: SuiteProblem {
    /// Lower and upper bounds (`-inf` / `+inf` where the SIF file leaves a side free; equal
    /// for a fixed variable), each of length `n`.
    fn bounds(&self) -> (Vec<f64>, Vec<f64>);
}

/// A registry entry: the SIF name and how to build the problem at a size (`None`: the size of
/// the spec's list; `None` returned when the size is not admissible).
#[derive(Clone, Copy)]
pub struct Entry {
    /// SIF name.
    pub name: &'static str,
    /// Builds the problem.
    pub build: fn(Option<usize>) -> Option<Box<dyn BoundedProblem>>,
}

/// Every entry, small ones first, then large (each file lists its own in the spec's order).
fn entries() -> impl Iterator<Item = &'static Entry> {
    small::ENTRIES.iter().chain(large::ENTRIES.iter())
}

/// The names of the problems in the registry.
pub fn names() -> Vec<&'static str> {
    entries().map(|e| e.name).collect()
}

/// Every problem at its listed size.
pub fn suite() -> Vec<Box<dyn BoundedProblem>> {
    entries().filter_map(|e| (e.build)(None)).collect()
}

/// A problem by SIF name (case-insensitive), at its listed size or at `n`.
pub fn by_name(name: &str, n: Option<usize>) -> Option<Box<dyn BoundedProblem>> {
    entries().find(|e| e.name.eq_ignore_ascii_case(name)).and_then(|e| (e.build)(n))
}
