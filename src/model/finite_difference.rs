//! Hessian-vector products by finite differences of the gradient, for objectives that offer
//! `f` and `g` only.
//!
//! # Equations
//!
//! With $g$ the gradient at the current point $x$ (the one the loop already has), the forward
//! difference (Nocedal & Wright 2006, sec. 8.1, eq. 8.10) costs one gradient per product:
//!
//! $$H(x) v \approx \frac{g(x + h v) - g(x)}{h}, \qquad h = \sqrt{\epsilon}\,\frac{1 + \norm{x}}{\norm{v}}, \tag{1}$$
//!
//! with error $O(h \norm{v}^2) + O(\epsilon \norm{g} / h)$, balanced by $h \propto \sqrt\epsilon$
//! relative to the scale $1 + \norm{x}$ of the point (so $\norm{h v} = \sqrt\epsilon (1 + \norm{x})$
//! whatever the length of $v$). The central difference costs two gradients and has error
//! $O(h^2)$:
//!
//! $$H(x) v \approx \frac{g(x + h v) - g(x - h v)}{2 h}, \qquad h = \epsilon^{1/3}\,\frac{1 + \norm{x}}{\norm{v}}. \tag{2}$$
//!
//! Every gradient spent on a product is counted in [`Evaluations::g`] and, separately, in
//! [`Evaluations::g_fd`].
//!
//! # What the step solvers get
//!
//! Products only: Steihaug-Toint CG and GLTR, with or without a preconditioner. The diagonal of
//! `H` is not known from products (estimating it would cost `n` gradients), so
//! [`Model::diagonal`](crate::model::Model::diagonal) is not offered and the Jacobi
//! preconditioner ([`DiagonalPreconditioner`](crate::subproblem::DiagonalPreconditioner)) falls
//! back to the identity, as for every products-only model.
//!
//! A perturbed gradient that is not finite (the point `x + h v` lies where `f` is undefined)
//! makes the whole product NaN. CG treats a non-finite curvature `p'Bp` as the end of the
//! iteration (it follows `p` to the boundary, or stops), and the loop's ratio test then decides
//! on the step; nothing panics.
//!
//! References:
//! 1. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), sec. 8.1.
//! 2. J. E. Dennis, R. B. Schnabel, Numerical Methods for Unconstrained Optimization and
//!    Nonlinear Equations, SIAM (1996), sec. 5.6.

use super::newton::{Curvature, GradientPoint, Newton};
use super::products_only;
use crate::error::SetupError;
use crate::linalg::{all_finite, norm};
use crate::problem::Objective;
use crate::step::{Evaluations, Needs};

/// The difference formula of [`FiniteDifferenceCurvature`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum DifferenceScheme {
    /// `(g(x + h v) - g(x)) / h` with `h = sqrt(eps) (1 + ||x||) / ||v||`: one gradient per
    /// product, error `O(h)` (module docs, eq. 1). The default.
    #[default]
    Forward,
    /// `(g(x + h v) - g(x - h v)) / (2 h)` with `h = eps^(1/3) (1 + ||x||) / ||v||`: two
    /// gradients per product, error `O(h^2)` (module docs, eq. 2).
    Central,
}

/// Hessian-vector products by finite differences of the gradient of an
/// [`Objective`] (module docs). Build the model with
/// [`Newton::finite_differences`](crate::model::Newton::finite_differences).
#[derive(Clone, Debug, Default)]
pub struct FiniteDifferenceCurvature {
    scheme: DifferenceScheme,
    /// Gradient at the current point.
    g: Vec<f64>,
    /// `1 + ||x||` at the current point.
    scale: f64,
    x_work: Vec<f64>,
    g_work: Vec<f64>,
}

impl FiniteDifferenceCurvature {
    /// Products with the given difference scheme.
    pub fn new(scheme: DifferenceScheme) -> Self {
        Self { scheme, ..Self::default() }
    }

    /// The difference scheme.
    pub fn scheme(&self) -> DifferenceScheme {
        self.scheme
    }
}

impl<P: Objective + ?Sized> Curvature<P> for FiniteDifferenceCurvature {
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError> {
        products_only(needs, "a Hessian matrix (finite differences of the gradient give products only)")
    }
    fn start(&mut self, _: &P, x: &[f64], _: &mut Evaluations) -> Result<(), SetupError> {
        let n = x.len();
        self.g = vec![0.0; n];
        self.x_work = vec![0.0; n];
        self.g_work = vec![0.0; n];
        self.scale = 1.0 + norm(x);
        Ok(())
    }
    fn refresh(&mut self, _: &P, _: &[f64], _: &mut Evaluations) -> bool {
        true
    }
    fn observe(&mut self, x: &[f64], g: &[f64], point: GradientPoint) -> bool {
        if point != GradientPoint::Rejected {
            self.g.copy_from_slice(g);
            self.scale = 1.0 + norm(x);
        }
        false
    }
    fn apply(&mut self, problem: &P, x: &[f64], v: &[f64], out: &mut [f64], evals: &mut Evaluations) {
        let vnorm = norm(v);
        if vnorm == 0.0 {
            out.fill(0.0);
            return;
        }
        if !vnorm.is_finite() {
            out.fill(f64::NAN);
            return;
        }
        match self.scheme {
            DifferenceScheme::Forward => {
                let h = f64::EPSILON.sqrt() * self.scale / vnorm;
                for ((w, &xi), &vi) in self.x_work.iter_mut().zip(x).zip(v) {
                    *w = xi + h * vi;
                }
                problem.gradient(&self.x_work, out);
                evals.g += 1;
                evals.g_fd += 1;
                for (o, &gi) in out.iter_mut().zip(&self.g) {
                    *o = (*o - gi) / h;
                }
            }
            DifferenceScheme::Central => {
                let h = f64::EPSILON.cbrt() * self.scale / vnorm;
                for ((w, &xi), &vi) in self.x_work.iter_mut().zip(x).zip(v) {
                    *w = xi + h * vi;
                }
                problem.gradient(&self.x_work, out);
                for ((w, &xi), &vi) in self.x_work.iter_mut().zip(x).zip(v) {
                    *w = xi - h * vi;
                }
                problem.gradient(&self.x_work, &mut self.g_work);
                evals.g += 2;
                evals.g_fd += 2;
                for (o, &gm) in out.iter_mut().zip(&self.g_work) {
                    *o = (*o - gm) / (2.0 * h);
                }
            }
        }
        if !all_finite(out) {
            out.fill(f64::NAN);
        }
    }
}

impl<'a, P: Objective + ?Sized> Newton<'a, P, FiniteDifferenceCurvature> {
    /// The Newton model of a gradient-only [`Objective`], with Hessian-vector products by
    /// forward differences of the gradient (one gradient per product; module docs). Pair it with
    /// a matrix-free step solver:
    ///
    /// ```
    /// use trust_region::model::Newton;
    /// use trust_region::subproblem::Steihaug;
    /// use trust_region::{Objective, TrustRegion};
    ///
    /// struct Rosenbrock;
    /// impl Objective for Rosenbrock {
    ///     fn dim(&self) -> usize { 2 }
    ///     fn value(&self, x: &[f64]) -> f64 {
    ///         100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
    ///     }
    ///     fn gradient(&self, x: &[f64], g: &mut [f64]) {
    ///         g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
    ///         g[1] = 200.0 * (x[1] - x[0] * x[0]);
    ///     }
    /// }
    ///
    /// let report = TrustRegion::new(Steihaug::new())
    ///     .solve(Newton::finite_differences(&Rosenbrock), &[-1.2, 1.0])
    ///     .unwrap();
    /// assert!(report.converged() && report.grad_inf <= 1e-6);
    /// // Every gradient counts, those of the products too.
    /// assert!(report.evaluations.g > report.evaluations.g_fd && report.evaluations.hv == 0);
    /// ```
    pub fn finite_differences(problem: &'a P) -> Self {
        Self::with_curvature(problem, FiniteDifferenceCurvature::new(DifferenceScheme::Forward))
    }

    /// As [`Newton::finite_differences`], with the given difference scheme
    /// ([`DifferenceScheme::Central`]: two gradients per product, error `O(h^2)`).
    pub fn finite_differences_with(problem: &'a P, scheme: DifferenceScheme) -> Self {
        Self::with_curvature(problem, FiniteDifferenceCurvature::new(scheme))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f = sum_i (x_i^4 / 4 + x_i x_{i+1})`.
    struct Quartic;
    impl Objective for Quartic {
        fn dim(&self) -> usize {
            3
        }
        fn value(&self, x: &[f64]) -> f64 {
            x.iter().map(|v| v.powi(4) / 4.0).sum::<f64>() + x[0] * x[1] + x[1] * x[2]
        }
        fn gradient(&self, x: &[f64], g: &mut [f64]) {
            g[0] = x[0].powi(3) + x[1];
            g[1] = x[1].powi(3) + x[0] + x[2];
            g[2] = x[2].powi(3) + x[1];
        }
    }

    fn exact(x: &[f64], v: &[f64]) -> Vec<f64> {
        vec![3.0 * x[0] * x[0] * v[0] + v[1], 3.0 * x[1] * x[1] * v[1] + v[0] + v[2], 3.0 * x[2] * x[2] * v[2] + v[1]]
    }

    fn product(scheme: DifferenceScheme, x: &[f64], v: &[f64]) -> (Vec<f64>, Evaluations) {
        let mut c = FiniteDifferenceCurvature::new(scheme);
        let mut e = Evaluations::default();
        Curvature::<Quartic>::start(&mut c, &Quartic, x, &mut e).unwrap();
        let mut g = vec![0.0; 3];
        Quartic.gradient(x, &mut g);
        Curvature::<Quartic>::observe(&mut c, x, &g, GradientPoint::Start);
        let mut out = vec![0.0; 3];
        Curvature::<Quartic>::apply(&mut c, &Quartic, x, v, &mut out, &mut e);
        (out, e)
    }

    #[test]
    fn forward_and_central_match_exact_products() {
        let x = [0.7, -1.3, 2.1];
        for v in [[1.0, 0.0, 0.0], [0.3, -2.0, 1e-3], [1e4, 2e4, -3e4]] {
            let hv = exact(&x, &v);
            let scale = norm(&hv);
            let (fwd, ef) = product(DifferenceScheme::Forward, &x, &v);
            let (cen, ec) = product(DifferenceScheme::Central, &x, &v);
            let ef_err = fwd.iter().zip(&hv).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max) / scale;
            let ec_err = cen.iter().zip(&hv).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max) / scale;
            assert!(ef_err < 1e-6, "forward {ef_err}");
            assert!(ec_err < 1e-9, "central {ec_err}");
            assert_eq!((ef.g, ef.g_fd), (1, 1));
            assert_eq!((ec.g, ec.g_fd), (2, 2));
        }
    }

    #[test]
    fn zero_direction_costs_nothing() {
        let (out, e) = product(DifferenceScheme::Forward, &[1.0, 2.0, 3.0], &[0.0; 3]);
        assert_eq!(out, vec![0.0; 3]);
        assert_eq!(e.g, 0);
    }

    struct NanGradient;
    impl Objective for NanGradient {
        fn dim(&self) -> usize {
            1
        }
        fn value(&self, x: &[f64]) -> f64 {
            x[0] * x[0]
        }
        fn gradient(&self, x: &[f64], g: &mut [f64]) {
            g[0] = if x[0] > 1.0 { f64::NAN } else { 2.0 * x[0] };
        }
    }

    #[test]
    fn non_finite_perturbed_gradient_gives_nan_product() {
        let mut c = FiniteDifferenceCurvature::default();
        let mut e = Evaluations::default();
        let x = [1.0];
        Curvature::<NanGradient>::start(&mut c, &NanGradient, &x, &mut e).unwrap();
        Curvature::<NanGradient>::observe(&mut c, &x, &[2.0], GradientPoint::Start);
        let mut out = [0.0];
        Curvature::<NanGradient>::apply(&mut c, &NanGradient, &x, &[1.0], &mut out, &mut e);
        assert!(out[0].is_nan());
    }
}
