//! Observers: a callback after every iteration that can end the run, one trait for every loop,
//! generic over the loop's per-iteration record.
//!
//! Any `FnMut(&R, &[f64]) -> ControlFlow<()>` is an observer of records `R` (it receives the
//! record and the current point); `()` is the silent one. Returning `ControlFlow::Break(())`
//! ends the run with the loop's "stopped by the observer" termination. Observers are set with
//! the loops' `with_observer` builder step.

use std::ops::ControlFlow;

/// Receives the record of every iteration and the current point.
pub trait Observer<R> {
    /// Called after each trial step (accepted or not) with its record and the point after it.
    fn observe(&mut self, record: &R, x: &[f64]) -> ControlFlow<()>;
}

impl<R> Observer<R> for () {
    fn observe(&mut self, _: &R, _: &[f64]) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

impl<R, F: FnMut(&R, &[f64]) -> ControlFlow<()>> Observer<R> for F {
    fn observe(&mut self, record: &R, x: &[f64]) -> ControlFlow<()> {
        self(record, x)
    }
}
