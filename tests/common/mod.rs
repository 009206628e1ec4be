//! Small inline fixtures shared by the integration tests.
#![allow(dead_code)]

use faer::MatMut;
use trust_region::{DenseHessian, DenseJacobian, HessianProduct, Objective, Residuals};

/// The 2-D Rosenbrock function `100 (y - x^2)^2 + (1 - x)^2` with every interface.
pub struct Rosenbrock;

impl Objective for Rosenbrock {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
        g[1] = 200.0 * (x[1] - x[0] * x[0]);
    }
}

impl HessianProduct for Rosenbrock {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let h00 = 1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0;
        let h01 = -400.0 * x[0];
        hv[0] = h00 * v[0] + h01 * v[1];
        hv[1] = h01 * v[0] + 200.0 * v[1];
    }
}

impl DenseHessian for Rosenbrock {
    fn hessian(&self, x: &[f64], mut h: MatMut<'_, f64>) {
        h[(0, 0)] = 1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0;
        h[(0, 1)] = -400.0 * x[0];
        h[(1, 0)] = -400.0 * x[0];
        h[(1, 1)] = 200.0;
    }
}

/// Rosenbrock as residuals `r = (10 (y - x^2), 1 - x)`, so `||r||^2/2 = f/2`.
pub struct RosenbrockResiduals;

impl Residuals for RosenbrockResiduals {
    fn dim(&self) -> usize {
        2
    }
    fn residual_count(&self) -> usize {
        2
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = 10.0 * (x[1] - x[0] * x[0]);
        r[1] = 1.0 - x[0];
    }
}

impl DenseJacobian for RosenbrockResiduals {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j[(0, 0)] = -20.0 * x[0];
        j[(0, 1)] = 10.0;
        j[(1, 0)] = -1.0;
        j[(1, 1)] = 0.0;
    }
}

/// Wraps a problem and lets its value, gradient or Hessian turn non-finite away from a
/// given region, to provoke the loop's non-finite handling.
pub struct Poisoned<P> {
    pub inner: P,
    /// Value is NaN where `x[0] > value_limit`.
    pub value_limit: f64,
    /// Gradient is NaN where `x[0] > gradient_limit`.
    pub gradient_limit: f64,
    /// Hessian is NaN where `x[0] > hessian_limit`.
    pub hessian_limit: f64,
}

impl<P: Objective> Objective for Poisoned<P> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        if x[0] > self.value_limit {
            f64::NAN
        } else {
            self.inner.value(x)
        }
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.inner.gradient(x, g);
        if x[0] > self.gradient_limit {
            g[0] = f64::INFINITY;
        }
    }
}

impl<P: DenseHessian> DenseHessian for Poisoned<P> {
    fn hessian(&self, x: &[f64], mut h: MatMut<'_, f64>) {
        self.inner.hessian(x, h.as_mut());
        if x[0] > self.hessian_limit {
            h[(0, 0)] = f64::NAN;
        }
    }
}

impl<P: HessianProduct> HessianProduct for Poisoned<P> {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        self.inner.hessian_product(x, v, hv);
    }
}
