//! Powell's dogleg step for positive definite models.
//!
//! With the Newton step `pB = -B^{-1} g` (Cholesky of `B`) and the unconstrained minimizer along
//! steepest descent `pU = -(g'g / g'Bg) g`, the dogleg path runs from `0` to `pU` to `pB`; the
//! model decreases monotonically along it, so the step is the last point of the path inside the
//! region (Powell 1970; Nocedal & Wright 2006, sec. 4.1, eq. 4.15-4.16):
//! - `||pB|| <= radius`: `s = pB`;
//! - `||pU|| >= radius`: `s = radius pU / ||pU||` (equal to the Cauchy point);
//! - otherwise `s = pU + tau (pB - pU)` with `||s|| = radius`.
//!
//! When `B` is not positive definite (the Cholesky factorization fails, or `g'Bg <= 0`), the
//! path is not defined and the solver falls back to the Cauchy point (status `Fallback`).
//!
//! Predicted reductions: for `s = pB`, `pred = -g'pB / 2 = g'B^{-1}g / 2 > 0`; on the first leg
//! the Cauchy formula (see [`super::cauchy`]); on the second leg `pred = -s'(g + Bs/2)` with
//! `Bs = B pU + tau (B pB - B pU) = -(g'g/g'Bg) Bg + tau ((g'g/g'Bg) Bg - g)`, using no extra
//! product with `B`.
//!
//! The factorization happens once per point in `prepare`; each trial radius costs O(n).
//!
//! References: M. J. D. Powell, A hybrid method for nonlinear equations, in Numerical Methods
//! for Nonlinear Algebraic Equations, Gordon and Breach (1970) 87-114; Nocedal & Wright (2006),
//! sec. 4.1.

use super::cauchy::Cauchy;
use super::{Needs, StepInfo, StepSolver, StepStatus};
use crate::linalg::{boundary_root, dense::DenseCholesky, dense::matvec, dot, norm};
use crate::model::Model;

/// Dogleg step solver (dense positive definite `B`; Cauchy fallback otherwise).
#[derive(Debug, Default)]
pub struct Dogleg {
    chol: Option<DenseCholesky>,
    g: Vec<f64>,
    bg: Vec<f64>,
    newton: Vec<f64>,
    /// `||g||`, `g'Bg`, `||pB||`, `g'pB`, whether the Newton step exists.
    gnorm: f64,
    gbg: f64,
    newton_norm: f64,
    g_newton: f64,
    newton_ok: bool,
    factorizations_pending: usize,
}

impl Dogleg {
    /// A new dogleg solver.
    pub fn new() -> Self {
        Self::default()
    }
}

impl StepSolver for Dogleg {
    fn name(&self) -> &'static str {
        "dogleg"
    }
    fn needs(&self) -> Needs {
        Needs::DenseMatrix
    }
    fn initialize(&mut self, n: usize) {
        self.chol = Some(DenseCholesky::new(n));
        self.g = vec![0.0; n];
        self.bg = vec![0.0; n];
        self.newton = vec![0.0; n];
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        let n = model.dim();
        if self.g.len() != n || self.chol.is_none() {
            self.initialize(n);
        }
        self.g.copy_from_slice(model.gradient());
        self.gnorm = norm(&self.g);
        self.newton_ok = false;
        self.factorizations_pending = 0;
        let Some(h) = model.dense_hessian() else {
            // Without a matrix there is no Newton step: Cauchy point only.
            self.newton.copy_from_slice(&self.g);
            model.apply(&self.newton, &mut self.bg);
            self.gbg = dot(&self.g, &self.bg);
            return;
        };
        matvec(h, &self.g, &mut self.bg);
        self.gbg = dot(&self.g, &self.bg);
        let chol = self.chol.as_mut().expect("initialized");
        self.factorizations_pending = 1;
        if self.gbg > 0.0 && chol.factorize(h, 0.0).is_ok() {
            for (p, g) in self.newton.iter_mut().zip(&self.g) {
                *p = -g;
            }
            chol.solve_in_place(&mut self.newton);
            self.newton_norm = norm(&self.newton);
            self.g_newton = dot(&self.g, &self.newton);
            self.newton_ok = self.newton_norm.is_finite() && self.g_newton < 0.0;
        }
    }
    fn solve(&mut self, _model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        let factorizations = std::mem::take(&mut self.factorizations_pending);
        if !self.newton_ok {
            let mut info = Cauchy::cauchy_step(&self.g, self.gnorm, self.gbg, radius, step);
            info.status = StepStatus::Fallback;
            info.factorizations = factorizations;
            return info;
        }
        if self.newton_norm <= radius {
            step.copy_from_slice(&self.newton);
            return StepInfo {
                step_norm: self.newton_norm,
                predicted_reduction: -0.5 * self.g_newton,
                hits_boundary: self.newton_norm >= (1.0 - 1e-6) * radius,
                status: StepStatus::Interior,
                inner_iterations: 0,
                factorizations,
            };
        }
        let gg = self.gnorm * self.gnorm;
        let cauchy_len = self.gnorm * gg / self.gbg;
        if cauchy_len >= radius {
            let mut info = Cauchy::cauchy_step(&self.g, self.gnorm, self.gbg, radius, step);
            info.factorizations = factorizations;
            return info;
        }
        // Second leg: s = pU + tau (pB - pU), pU = -c g with c = gg / gBg.
        let c = gg / self.gbg;
        let pu_pu = c * c * gg;
        let mut pu_d = 0.0;
        let mut d_d = 0.0;
        for (&g, &pb) in self.g.iter().zip(&self.newton) {
            let d = pb + c * g;
            pu_d += -c * g * d;
            d_d += d * d;
        }
        let tau = boundary_root(pu_pu, pu_d, d_d, radius);
        let mut gs = 0.0;
        let mut sbs = 0.0;
        for i in 0..step.len() {
            let s = -c * self.g[i] + tau * (self.newton[i] + c * self.g[i]);
            step[i] = s;
            // B pU = -c Bg, B pB = -g.
            let bs = -c * self.bg[i] + tau * (-self.g[i] + c * self.bg[i]);
            gs += self.g[i] * s;
            sbs += s * bs;
        }
        StepInfo {
            step_norm: radius,
            predicted_reduction: -(gs + 0.5 * sbs),
            hits_boundary: true,
            status: StepStatus::Boundary,
            inner_iterations: 0,
            factorizations,
        }
    }
}
