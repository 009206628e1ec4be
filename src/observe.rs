//! Observers: a callback after every iteration that can end the run.
//!
//! Any `FnMut(&IterationInfo) -> ControlFlow<()>` is an observer; `()` is the silent one.
//! Returning `ControlFlow::Break(())` ends the run with
//! [`Termination::UserStopped`](crate::termination::Termination::UserStopped).

use std::ops::ControlFlow;

use crate::report::IterationInfo;

/// Receives a record of every iteration.
pub trait Observer {
    /// Called after each trial step (accepted or not).
    fn observe(&mut self, info: &IterationInfo) -> ControlFlow<()>;
}

impl Observer for () {
    fn observe(&mut self, _: &IterationInfo) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

impl<F: FnMut(&IterationInfo) -> ControlFlow<()>> Observer for F {
    fn observe(&mut self, info: &IterationInfo) -> ControlFlow<()> {
        self(info)
    }
}
