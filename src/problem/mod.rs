//! What users implement: an objective with its derivatives, or residuals with their Jacobian.
//!
//! Every method takes `&self` and slices: `x` has length [`Objective::dim`] (or
//! [`Residuals::dim`]), outputs are written into caller-owned buffers of the stated length.
//! The solvers never call a method with slices of the wrong length; they validate the start
//! point against `dim` before the first evaluation.
//!
//! Functions may return non-finite values (NaN or infinity) at points where they are not
//! defined: a trial point with a non-finite value or gradient is rejected and the trust region
//! shrinks (see [`crate::termination::Termination::NonFinite`]).
//!
//! Second-order information comes in four shapes, pick what your problem offers:
//! - [`HessianProduct`]: `v -> H(x) v` only (matrix-free, for the truncated CG step);
//! - [`DenseHessian`]: the full symmetric `n x n` matrix as a faer column-major view;
//! - [`SparseHessian`]: the lower triangle (diagonal always stored) in a fixed faer
//!   compressed-column pattern, values refreshed at every point;
//! - [`SparseHessianApproximation`]: products with the exact Hessian plus a sparse matrix
//!   close to it, for a problem whose Hessian is dense only through a low-rank or otherwise
//!   cheap-to-apply term; the sparse part builds the preconditioner (incomplete Cholesky).
//!
//! Least squares `f(x) = ||r(x)||^2 / 2` come as [`Residuals`] with a [`DenseJacobian`] or a
//! [`SparseJacobian`]; the Gauss-Newton model uses `B = J'J`.

pub mod fd;

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;

/// A twice-differentiable objective `f: R^n -> R` with its gradient.
pub trait Objective {
    /// Number of variables `n`.
    fn dim(&self) -> usize;
    /// The value `f(x)`.
    fn value(&self, x: &[f64]) -> f64;
    /// The gradient `g = grad f(x)`, written into `g` (length `n`).
    fn gradient(&self, x: &[f64], g: &mut [f64]);
    /// Value and gradient together; override when sharing work is cheaper than two calls.
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        self.gradient(x, g);
        self.value(x)
    }
}

/// Hessian-vector products `hv = H(x) v` without forming `H`.
pub trait HessianProduct: Objective {
    /// Writes `H(x) v` into `hv` (both of length `n`).
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]);
}

/// The full dense Hessian.
pub trait DenseHessian: Objective {
    /// Writes the symmetric matrix `H(x)` into `hess` (`n x n`, column-major, both triangles).
    fn hessian(&self, x: &[f64], hess: MatMut<'_, f64>);
}

/// A sparse Hessian with a fixed pattern.
pub trait SparseHessian: Objective {
    /// The pattern of the lower triangle of `H` (row index >= column index) in
    /// compressed-column form, every diagonal entry stored (explicit zeros where needed).
    /// Called once per solve.
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize>;
    /// Writes the values of the lower triangle at `x`, in the order of
    /// [`SparseHessian::hessian_pattern`].
    fn hessian_values(&self, x: &[f64], values: &mut [f64]);
}

/// Hessian-vector products together with a sparse symmetric matrix `A(x)` close to `H(x)`,
/// used only to build a preconditioner.
///
/// Meant for Hessians that are sparse plus a term that makes them dense but is cheap to apply:
/// a rank-one coupling `c c'` (CUTEst's FMINSURF and its `(sum x)^2` term), a low-rank
/// correction, a dense but weak far-field coupling. The step solver works with the exact
/// products; an incomplete Cholesky factor of `A` preconditions them. In exact arithmetic,
/// with `A` itself as the preconditioner and `H - A` of rank `k`, CG ends within `k + 1`
/// iterations (the eigenvalues of `A^{-1} H` are 1 but for `k` of them), so dropping a
/// rank-one term costs little. Solve with [`crate::TrustRegion::solve`] on [`crate::model::Newton::approximated`].
pub trait SparseHessianApproximation: HessianProduct {
    /// The pattern of the lower triangle of `A` (row index >= column index) in
    /// compressed-column form, every diagonal entry stored. Called once per solve.
    fn approximation_pattern(&self) -> SymbolicSparseColMat<usize>;
    /// Writes the values of the lower triangle of `A(x)`, in the order of
    /// [`SparseHessianApproximation::approximation_pattern`]. Called once per accepted point.
    fn approximation_values(&self, x: &[f64], values: &mut [f64]);
}

/// Residuals `r: R^n -> R^m` of a least-squares problem `min ||r(x)||^2 / 2`.
pub trait Residuals {
    /// Number of variables `n`.
    fn dim(&self) -> usize;
    /// Number of residuals `m`.
    fn residual_count(&self) -> usize;
    /// Writes `r(x)` into `r` (length `m`).
    fn residuals(&self, x: &[f64], r: &mut [f64]);
}

/// A dense Jacobian of the residuals.
pub trait DenseJacobian: Residuals {
    /// Writes `J(x)` (`m x n`, `J_ij = d r_i / d x_j`) into `jac`.
    fn jacobian(&self, x: &[f64], jac: MatMut<'_, f64>);
}

/// A sparse Jacobian with a fixed pattern.
pub trait SparseJacobian: Residuals {
    /// The pattern of `J` (`m x n`) in compressed-column form. Called once per solve.
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize>;
    /// Writes the values of `J(x)` in the order of [`SparseJacobian::jacobian_pattern`].
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]);
}

/// Box constraints `lower <= x <= upper`; infinite entries mean "unbounded".
#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    /// Lower bounds `l` (may contain `-inf`).
    pub lower: Vec<f64>,
    /// Upper bounds `u` (may contain `+inf`).
    pub upper: Vec<f64>,
}

impl Bounds {
    /// Builds a box and checks it: equal lengths, no NaN, and some double strictly between
    /// `lower_i` and `upper_i` (so `lower_i < upper_i` with room for an interior point).
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self, crate::error::SetupError> {
        use crate::error::SetupError;
        if lower.len() != upper.len() {
            return Err(SetupError::DimensionMismatch {
                what: "upper bounds",
                expected: lower.len(),
                found: upper.len(),
            });
        }
        check_intervals(&lower, &upper)?;
        Ok(Self { lower, upper })
    }

    /// Builds a closed box for the projected method
    /// ([`ProjectedNewton`](crate::solver::bounded::ProjectedNewton)): equal lengths, no NaN,
    /// `lower_i <= upper_i`, `lower_i < inf`, `upper_i > -inf`. Unlike [`Bounds::new`] it allows
    /// `lower_i = upper_i` (a fixed variable) and intervals with no double strictly inside; the
    /// interior solvers still refuse such a box.
    pub fn closed(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self, crate::error::SetupError> {
        let b = Self { lower, upper };
        b.check_closed()?;
        Ok(b)
    }

    /// The checks of [`Bounds::closed`] on a box built field by field.
    pub fn check_closed(&self) -> Result<(), crate::error::SetupError> {
        use crate::error::SetupError;
        if self.lower.len() != self.upper.len() {
            return Err(SetupError::DimensionMismatch {
                what: "upper bounds",
                expected: self.lower.len(),
                found: self.upper.len(),
            });
        }
        for (i, (&l, &u)) in self.lower.iter().zip(&self.upper).enumerate() {
            if l.is_nan() || u.is_nan() || l > u || l == f64::INFINITY || u == f64::NEG_INFINITY {
                return Err(SetupError::InvalidBounds { index: i, lower: l, upper: u });
            }
        }
        Ok(())
    }

    /// Whether `x` lies in the closed box.
    pub fn contains(&self, x: &[f64]) -> bool {
        x.len() == self.dim()
            && x.iter().zip(self.lower.iter().zip(&self.upper)).all(|(&xi, (&l, &u))| l <= xi && xi <= u)
    }

    /// Projects `x` onto the closed box in place, `x_i <- mid(lower_i, x_i, upper_i)`; returns
    /// whether any component moved.
    pub fn project(&self, x: &mut [f64]) -> bool {
        let mut moved = false;
        for (xi, (&l, &u)) in x.iter_mut().zip(self.lower.iter().zip(&self.upper)) {
            let p = xi.max(l).min(u);
            moved |= p != *xi;
            *xi = p;
        }
        moved
    }

    /// Checks the intervals of a box whose lengths are known to match (for boxes built field
    /// by field rather than with [`Bounds::new`]).
    pub(crate) fn check(&self) -> Result<(), crate::error::SetupError> {
        check_intervals(&self.lower, &self.upper)
    }

    /// The unbounded box in `n` variables.
    pub fn unbounded(n: usize) -> Self {
        Self { lower: vec![f64::NEG_INFINITY; n], upper: vec![f64::INFINITY; n] }
    }

    /// Number of variables.
    pub fn dim(&self) -> usize {
        self.lower.len()
    }

    /// Whether `x` lies strictly inside the box.
    pub fn strictly_contains(&self, x: &[f64]) -> bool {
        x.len() == self.dim()
            && x.iter().zip(self.lower.iter().zip(&self.upper)).all(|(&xi, (&l, &u))| l < xi && xi < u)
    }
}

/// Every interval must hold a double strictly inside: no NaN, `next_up(l) < u` (the interior
/// methods need an interior point), `l < inf`, `u > -inf`.
fn check_intervals(lower: &[f64], upper: &[f64]) -> Result<(), crate::error::SetupError> {
    for (i, (&l, &u)) in lower.iter().zip(upper).enumerate() {
        if l.is_nan() || u.is_nan() || !(l.next_up() < u) || l == f64::INFINITY || u == f64::NEG_INFINITY {
            return Err(crate::error::SetupError::InvalidBounds { index: i, lower: l, upper: u });
        }
    }
    Ok(())
}
