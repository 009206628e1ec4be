//! Exact derivatives by automatic differentiation with num-dual (feature `autodiff`).
//!
//! Write the function once, generic over the scalar type, and get exact derivatives:
//!
//! - [`ScalarFunction`] (small `n`): write `f` generic over `D: DualNum<Primitive = f64>`.
//!   [`AutoDiff`] turns it into an [`Objective`] + [`HessianProduct`] + [`DenseHessian`]:
//!   the gradient by forward mode (`n` evaluations at [`Dual64`]), Hessian-vector products
//!   with `n` evaluations at [`HyperDual64`] (`e_i' H v` from `eps1 = e_i`, `eps2 = v`), the
//!   dense Hessian with `n (n + 1) / 2` evaluations at [`HyperDual64`].
//! - [`GradientFunction`] (any `n`): write the value at `f64` and the gradient generic over
//!   the scalar. [`AutoHessian`] turns it into an [`Objective`] + [`HessianProduct`] +
//!   [`DenseHessian`]: `H v` is the dual part of the gradient evaluated at
//!   `x_i + v_i eps` ([`Dual64`]), one gradient evaluation per product whatever `n` (the
//!   R-operator, Pearlmutter 1994); the dense Hessian takes `n` such products.
//!
//! Derivatives are exact to round-off (no step size). Constants enter as `D::from(c)` or on the
//! right of an operator (`x * 2.0`); elementary functions are methods (`x.exp()`, `x.sin()`,
//! `x.powi(2)`).
//!
//! ```
//! use trust_region::autodiff::{AutoDiff, DualNum, ScalarFunction};
//! use trust_region::subproblem::MoreSorensen;
//! use trust_region::{Newton, TrustRegion};
//!
//! /// Rosenbrock's function, written once.
//! struct Rosenbrock;
//!
//! impl ScalarFunction for Rosenbrock {
//!     fn dim(&self) -> usize { 2 }
//!     fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D]) -> D {
//!         let a = x[1] - x[0] * x[0];
//!         let b = -x[0] + 1.0;
//!         a * a * 100.0 + b * b
//!     }
//! }
//!
//! let problem = AutoDiff(Rosenbrock);
//! let report = TrustRegion::new(MoreSorensen::new()).solve(Newton::dense(&problem), &[-1.2, 1.0])?;
//! assert!(report.converged());
//! assert!((report.x[0] - 1.0).abs() < 1e-8 && (report.x[1] - 1.0).abs() < 1e-8);
//! # Ok::<(), trust_region::SetupError>(())
//! ```
//!
//! # References
//!
//! 1. B. A. Pearlmutter, Fast exact multiplication by the Hessian, Neural Computation 6 (1994)
//!    147-160.
//! 2. G. Rehner, P. Zimmermann, num-dual: generalized (hyper-)dual numbers for exact
//!    derivatives, <https://docs.rs/num-dual>.

use faer::MatMut;

use crate::problem::{DenseHessian, HessianProduct, Objective};

pub use num_dual;
pub use num_dual::{Dual64, DualNum, HyperDual64};

/// A scalar function `f: R^n -> R` written once, generic over the scalar type.
///
/// Implement [`ScalarFunction::eval`] for every `D: DualNum<Primitive = f64> + Copy` (`f64`,
/// [`Dual64`], [`HyperDual64`], ...) and wrap the function in [`AutoDiff`].
///
/// ```
/// use trust_region::autodiff::{AutoDiff, DualNum, ScalarFunction};
/// use trust_region::Objective;
///
/// /// f(x) = exp(x0) sin(x1)
/// struct F;
/// impl ScalarFunction for F {
///     fn dim(&self) -> usize { 2 }
///     fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D]) -> D {
///         x[0].exp() * x[1].sin()
///     }
/// }
///
/// let mut g = [0.0; 2];
/// AutoDiff(F).gradient(&[0.5, 1.0], &mut g);
/// assert!((g[0] - 0.5f64.exp() * 1.0f64.sin()).abs() < 1e-14);
/// assert!((g[1] - 0.5f64.exp() * 1.0f64.cos()).abs() < 1e-14);
/// ```
pub trait ScalarFunction {
    /// Number of variables `n`.
    fn dim(&self) -> usize;
    /// The value `f(x)` at scalars of type `D` (`x` has length `n`).
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D]) -> D;
}

/// A function given by its value and its gradient, the gradient written once, generic over the
/// scalar type; for any `n`.
///
/// Wrap it in [`AutoHessian`] to get exact Hessian-vector products at the cost of about one
/// gradient evaluation.
///
/// ```
/// use trust_region::autodiff::{AutoHessian, DualNum, GradientFunction};
/// use trust_region::HessianProduct;
///
/// /// f(x) = sum_i x_i^4 / 4, gradient x_i^3, Hessian diag(3 x_i^2).
/// struct Quartic(usize);
/// impl GradientFunction for Quartic {
///     fn dim(&self) -> usize { self.0 }
///     fn value(&self, x: &[f64]) -> f64 { x.iter().map(|xi| xi.powi(4) / 4.0).sum() }
///     fn gradient<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], g: &mut [D]) {
///         for (gi, &xi) in g.iter_mut().zip(x) { *gi = xi * xi * xi; }
///     }
/// }
///
/// let mut hv = [0.0; 3];
/// AutoHessian(Quartic(3)).hessian_product(&[1.0, 2.0, 3.0], &[1.0, 1.0, -1.0], &mut hv);
/// assert_eq!(hv, [3.0, 12.0, -27.0]);
/// ```
pub trait GradientFunction {
    /// Number of variables `n`.
    fn dim(&self) -> usize;
    /// The value `f(x)`.
    fn value(&self, x: &[f64]) -> f64;
    /// Writes the gradient `grad f(x)` into `g` (length `n`), at scalars of type `D`.
    fn gradient<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], g: &mut [D]);
}

impl<F: ScalarFunction + ?Sized> ScalarFunction for &F {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D]) -> D {
        (**self).eval(x)
    }
}

impl<G: GradientFunction + ?Sized> GradientFunction for &G {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        (**self).value(x)
    }
    fn gradient<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], g: &mut [D]) {
        (**self).gradient(x, g)
    }
}

/// Adapter: a [`ScalarFunction`] as an [`Objective`] + [`HessianProduct`] + [`DenseHessian`]
/// with exact forward-mode derivatives (see the [module documentation](self) for the costs).
///
/// ```
/// use trust_region::autodiff::{AutoDiff, DualNum, ScalarFunction};
///
/// /// f(x) = x0^2 x1 + x1^3
/// struct F;
/// impl ScalarFunction for F {
///     fn dim(&self) -> usize { 2 }
///     fn eval<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D]) -> D {
///         x[0] * x[0] * x[1] + x[1].powi(3)
///     }
/// }
///
/// let h = AutoDiff(F).hessian_matrix(&[1.0, 2.0]);
/// assert_eq!(h, vec![vec![4.0, 2.0], vec![2.0, 12.0]]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct AutoDiff<F>(pub F);

impl<F: ScalarFunction> AutoDiff<F> {
    /// One second derivative `d^2 f / dx_i dx_j` at `x` (one [`HyperDual64`] evaluation at
    /// `x + e_i eps1 + e_j eps2`).
    pub fn second_derivative(&self, x: &[f64], i: usize, j: usize) -> f64 {
        let xd: Vec<HyperDual64> =
            x.iter().enumerate().map(|(k, &xk)| HyperDual64::new(xk, unit(k == i), unit(k == j), 0.0)).collect();
        self.0.eval(&xd).eps1eps2
    }

    /// The dense Hessian as rows (`n (n + 1) / 2` [`HyperDual64`] evaluations); a convenience
    /// for checks and small problems.
    pub fn hessian_matrix(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let n = x.len();
        let mut h = vec![vec![0.0; n]; n];
        for j in 0..n {
            for i in j..n {
                let hij = self.second_derivative(x, i, j);
                h[i][j] = hij;
                h[j][i] = hij;
            }
        }
        h
    }
}

fn unit(hot: bool) -> f64 {
    if hot {
        1.0
    } else {
        0.0
    }
}

impl<F: ScalarFunction> Objective for AutoDiff<F> {
    fn dim(&self) -> usize {
        self.0.dim()
    }

    fn value(&self, x: &[f64]) -> f64 {
        self.0.eval(x)
    }

    /// Forward mode: `n` evaluations at `x + e_i eps`.
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.value_and_gradient(x, g);
    }

    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut xd: Vec<Dual64> = x.iter().map(|&xi| Dual64::new(xi, 0.0)).collect();
        let mut f = if x.is_empty() { self.0.eval(x) } else { f64::NAN };
        for i in 0..x.len() {
            xd[i].eps = 1.0;
            let y = self.0.eval(&xd);
            xd[i].eps = 0.0;
            g[i] = y.eps;
            f = y.re;
        }
        f
    }
}

impl<F: ScalarFunction> HessianProduct for AutoDiff<F> {
    /// `(H v)_i = e_i' H v`: `n` evaluations at `x + e_i eps1 + v eps2`.
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let mut xd: Vec<HyperDual64> = x.iter().zip(v).map(|(&xi, &vi)| HyperDual64::new(xi, 0.0, vi, 0.0)).collect();
        for i in 0..x.len() {
            xd[i].eps1 = 1.0;
            hv[i] = self.0.eval(&xd).eps1eps2;
            xd[i].eps1 = 0.0;
        }
    }
}

impl<F: ScalarFunction> DenseHessian for AutoDiff<F> {
    /// `n (n + 1) / 2` evaluations at `x + e_i eps1 + e_j eps2`, `i >= j`.
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        let n = x.len();
        let mut xd: Vec<HyperDual64> = x.iter().map(|&xi| HyperDual64::new(xi, 0.0, 0.0, 0.0)).collect();
        for j in 0..n {
            xd[j].eps2 = 1.0;
            for i in j..n {
                xd[i].eps1 = 1.0;
                let hij = self.0.eval(&xd).eps1eps2;
                xd[i].eps1 = 0.0;
                hess[(i, j)] = hij;
                hess[(j, i)] = hij;
            }
            xd[j].eps2 = 0.0;
        }
    }
}

/// Adapter: a [`GradientFunction`] as an [`Objective`] + [`HessianProduct`] + [`DenseHessian`];
/// `H v` is the dual part of the gradient at `x + v eps` (one gradient evaluation at
/// [`Dual64`]).
///
/// ```
/// use trust_region::autodiff::{AutoHessian, DualNum, GradientFunction};
/// use trust_region::subproblem::Steihaug;
/// use trust_region::TrustRegion;
///
/// /// f(x) = sum_i (x_i - 1)^4 + (x_{i+1} - x_i)^2, any n.
/// struct Chain(usize);
/// impl GradientFunction for Chain {
///     fn dim(&self) -> usize { self.0 }
///     fn value(&self, x: &[f64]) -> f64 {
///         x.iter().map(|xi| (xi - 1.0).powi(4)).sum::<f64>()
///             + x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>()
///     }
///     fn gradient<D: DualNum<Primitive = f64> + Copy>(&self, x: &[D], g: &mut [D]) {
///         let n = x.len();
///         for i in 0..n {
///             let d = x[i] - 1.0;
///             g[i] = d * d * d * 4.0;
///             if i > 0 { g[i] += (x[i] - x[i - 1]) * 2.0; }
///             if i + 1 < n { g[i] -= (x[i + 1] - x[i]) * 2.0; }
///         }
///     }
/// }
///
/// let x0 = vec![0.0; 1000];
/// let report = TrustRegion::new(Steihaug::new()).minimize(&AutoHessian(Chain(1000)), &x0)?;
/// assert!(report.converged());
/// assert!(report.x.iter().all(|&xi| (xi - 1.0).abs() < 1e-2));
/// # Ok::<(), trust_region::SetupError>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct AutoHessian<G>(pub G);

impl<G: GradientFunction> Objective for AutoHessian<G> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.0.value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.0.gradient(x, g);
    }
}

impl<G: GradientFunction> HessianProduct for AutoHessian<G> {
    /// One gradient evaluation at `x + v eps`: `grad f(x + v eps) = g(x) + H(x) v eps`.
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let xd: Vec<Dual64> = x.iter().zip(v).map(|(&xi, &vi)| Dual64::new(xi, vi)).collect();
        let mut gd = vec![Dual64::new(0.0, 0.0); x.len()];
        self.0.gradient(&xd, &mut gd);
        for (h, gi) in hv.iter_mut().zip(&gd) {
            *h = gi.eps;
        }
    }
}

impl<G: GradientFunction> DenseHessian for AutoHessian<G> {
    /// `n` gradient evaluations at `x + e_j eps` (column `j`), then symmetrized
    /// `(H + H') / 2` against round-off differences of a hand-written gradient.
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        let n = x.len();
        let mut xd: Vec<Dual64> = x.iter().map(|&xi| Dual64::new(xi, 0.0)).collect();
        let mut gd = vec![Dual64::new(0.0, 0.0); n];
        for j in 0..n {
            xd[j].eps = 1.0;
            self.0.gradient(&xd, &mut gd);
            xd[j].eps = 0.0;
            for i in 0..n {
                hess[(i, j)] = gd[i].eps;
            }
        }
        for j in 0..n {
            for i in j + 1..n {
                let s = 0.5 * (hess[(i, j)] + hess[(j, i)]);
                hess[(i, j)] = s;
                hess[(j, i)] = s;
            }
        }
    }
}
