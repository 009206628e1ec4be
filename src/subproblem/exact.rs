//! More-Sorensen nearly exact step (placeholder being written).

use super::cauchy::Cauchy;
use super::{Needs, StepInfo, StepSolver};
use crate::linalg::{dot, norm};
use crate::model::Model;

/// More-Sorensen nearly exact step solver on a dense `B`.
#[derive(Debug, Default)]
pub struct MoreSorensen {
    g: Vec<f64>,
    bg: Vec<f64>,
    gnorm: f64,
    gbg: f64,
}

impl MoreSorensen {
    /// A new solver with default tolerances.
    pub fn new() -> Self {
        Self::default()
    }
}

impl StepSolver for MoreSorensen {
    fn name(&self) -> &'static str {
        "exact"
    }
    fn needs(&self) -> Needs {
        Needs::DenseMatrix
    }
    fn initialize(&mut self, n: usize) {
        self.g = vec![0.0; n];
        self.bg = vec![0.0; n];
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        self.g.copy_from_slice(model.gradient());
        self.gnorm = norm(&self.g);
        model.apply(&self.g, &mut self.bg);
        self.gbg = dot(&self.g, &self.bg);
    }
    fn solve(&mut self, _model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        Cauchy::cauchy_step(&self.g, self.gnorm, self.gbg, radius, step)
    }
}
