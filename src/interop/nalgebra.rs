//! nalgebra and nalgebra-sparse at the edge (feature `nalgebra`).
//!
//! Two layers:
//!
//! 1. Views and copies between nalgebra types and faer. A `DMatrix<f64>` is column-major and
//!    contiguous, as is a `DVector<f64>`, and a nalgebra-sparse `CscMatrix` / `CsrMatrix`
//!    stores offsets, indices and values in the layout faer's compressed-column / row views
//!    expect (sorted, without duplicates), so [`dmatrix_as_faer`], [`dvector_as_faer`],
//!    [`csc_as_faer`] and [`csr_as_faer`] copy nothing. The way back ([`faer_to_dmatrix`],
//!    [`faer_to_csc`]) copies, because faer's owned matrices pad their columns.
//! 2. Problem adapters. Write the problem with `DVector<f64>` / `DMatrix<f64>` by implementing
//!    [`NalgebraObjective`] (+ [`NalgebraHessian`] or [`NalgebraSparseHessian`]) or
//!    [`NalgebraResiduals`] (+ [`NalgebraJacobian`]), wrap it in [`Nalgebra`], and hand it to
//!    [`TrustRegion`]; or call the [`NalgebraSolve`] methods, which take and return
//!    `DVector<f64>`.
//!
//! The adapters copy `x` into a `DVector` at every call and copy the returned vectors and
//! matrices into the solver's buffers: the algorithms never see nalgebra types, and the same
//! problem written with slices gives the same iterates.
//!
//! A user function that returns a vector or matrix of the wrong size does not panic the
//! solver: the adapter writes NaN, so a trial point is rejected as non-finite; at the start
//! point the [`NalgebraSolve`] methods report it as [`SetupError::DimensionMismatch`] naming
//! the callback (a problem wrapped in [`Nalgebra`] and handed to [`TrustRegion::solve`] gets
//! [`SetupError::NonFiniteAtStart`] instead).
//!
//! ```
//! use nalgebra::{DMatrix, DVector};
//! use trust_region::interop::nalgebra::{NalgebraHessian, NalgebraObjective, NalgebraSolve};
//! use trust_region::subproblem::MoreSorensen;
//! use trust_region::TrustRegion;
//!
//! /// f(x) = sum_i (x_i - i)^4 + (x_i - i)^2
//! struct Shifted;
//!
//! impl NalgebraObjective for Shifted {
//!     fn dim(&self) -> usize { 3 }
//!     fn value(&self, x: &DVector<f64>) -> f64 {
//!         x.iter().enumerate().map(|(i, &xi)| (xi - i as f64).powi(4) + (xi - i as f64).powi(2)).sum()
//!     }
//!     fn gradient(&self, x: &DVector<f64>) -> DVector<f64> {
//!         DVector::from_fn(3, |i, _| 4.0 * (x[i] - i as f64).powi(3) + 2.0 * (x[i] - i as f64))
//!     }
//! }
//!
//! impl NalgebraHessian for Shifted {
//!     fn hessian(&self, x: &DVector<f64>) -> DMatrix<f64> {
//!         DMatrix::from_diagonal(&DVector::from_fn(3, |i, _| 12.0 * (x[i] - i as f64).powi(2) + 2.0))
//!     }
//! }
//!
//! let (x, report) = TrustRegion::new(MoreSorensen::new()).minimize_dense_nalgebra(&Shifted, &DVector::zeros(3))?;
//! assert!(report.converged());
//! assert!((x - DVector::from_vec(vec![0.0, 1.0, 2.0])).amax() < 1e-8);
//! # Ok::<(), trust_region::SetupError>(())
//! ```

use std::cell::Cell;

use ::nalgebra::{DMatrix, DVector};
use ::nalgebra_sparse::{CscMatrix, CsrMatrix};
use faer::sparse::{
    SparseColMatRef, SparseRowMatRef, SymbolicSparseColMat, SymbolicSparseColMatRef, SymbolicSparseRowMatRef,
};
use faer::{ColRef, MatMut, MatRef};

use crate::error::SetupError;
use crate::model::{GaussNewton, Newton};
use crate::problem::{DenseHessian, DenseJacobian, HessianProduct, Objective, Residuals, SparseHessian};
use crate::report::Report;
use crate::solver::TrustRegion;
use crate::subproblem::StepSolver;

// ---------------------------------------------------------------------------------------------
// Views and copies
// ---------------------------------------------------------------------------------------------

/// Views a `DMatrix<f64>` as a faer `MatRef` (no copy: both are column-major).
///
/// ```
/// use nalgebra::DMatrix;
/// use trust_region::interop::nalgebra::dmatrix_as_faer;
///
/// let m = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let v = dmatrix_as_faer(&m);
/// assert_eq!((v.nrows(), v.ncols()), (2, 3));
/// assert_eq!(v[(1, 2)], 6.0);
/// assert_eq!(v.col(0).as_ptr(), m.as_ptr()); // the same memory
/// ```
pub fn dmatrix_as_faer(m: &DMatrix<f64>) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(m.as_slice(), m.nrows(), m.ncols())
}

/// Views a `DMatrix<f64>` as a mutable faer `MatMut` (no copy).
///
/// ```
/// use nalgebra::DMatrix;
/// use trust_region::interop::nalgebra::dmatrix_as_faer_mut;
///
/// let mut m = DMatrix::<f64>::zeros(2, 2);
/// dmatrix_as_faer_mut(&mut m)[(0, 1)] = 7.0;
/// assert_eq!(m[(0, 1)], 7.0);
/// ```
pub fn dmatrix_as_faer_mut(m: &mut DMatrix<f64>) -> MatMut<'_, f64> {
    let (nrows, ncols) = m.shape();
    MatMut::from_column_major_slice_mut(m.as_mut_slice(), nrows, ncols)
}

/// Views a `DVector<f64>` as a faer `ColRef` (no copy).
///
/// ```
/// use nalgebra::DVector;
/// use trust_region::interop::nalgebra::dvector_as_faer;
///
/// let v = DVector::from_vec(vec![1.0, 2.0]);
/// assert_eq!(dvector_as_faer(&v)[1], 2.0);
/// ```
pub fn dvector_as_faer(v: &DVector<f64>) -> ColRef<'_, f64> {
    ColRef::from_slice(v.as_slice())
}

/// Copies a faer matrix view (any strides) into a new `DMatrix<f64>`.
///
/// ```
/// use trust_region::interop::nalgebra::faer_to_dmatrix;
///
/// let a = faer::mat![[1.0, 2.0], [3.0, 4.0]];
/// let m = faer_to_dmatrix(a.as_ref());
/// assert_eq!(m[(1, 0)], 3.0);
/// // a transposed view works too
/// assert_eq!(faer_to_dmatrix(a.transpose())[(1, 0)], 2.0);
/// ```
pub fn faer_to_dmatrix(m: MatRef<'_, f64>) -> DMatrix<f64> {
    DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)])
}

/// Copies a faer column view into a new `DVector<f64>`.
///
/// ```
/// use trust_region::interop::nalgebra::faer_to_dvector;
///
/// let c = faer::col![1.0, 2.0, 3.0];
/// assert_eq!(faer_to_dvector(c.as_ref())[2], 3.0);
/// ```
pub fn faer_to_dvector(c: ColRef<'_, f64>) -> DVector<f64> {
    DVector::from_fn(c.nrows(), |i, _| c[i])
}

/// Views a nalgebra-sparse `CscMatrix<f64>` as a faer `SparseColMatRef` (no copy).
///
/// nalgebra-sparse guarantees sorted row indices without duplicates in every column, which is
/// what faer's checked constructor verifies (in `O(nnz)`).
///
/// ```
/// use nalgebra_sparse::{CooMatrix, CscMatrix};
/// use trust_region::interop::nalgebra::csc_as_faer;
///
/// let mut coo = CooMatrix::new(3, 3);
/// coo.push(0, 0, 2.0);
/// coo.push(2, 0, -1.0);
/// coo.push(1, 1, 3.0);
/// let csc = CscMatrix::from(&coo);
/// let view = csc_as_faer(&csc);
/// assert_eq!(view.compute_nnz(), 3);
/// assert_eq!(view.to_dense()[(2, 0)], -1.0);
/// assert_eq!(view.val().as_ptr(), csc.values().as_ptr()); // the same memory
/// ```
pub fn csc_as_faer(m: &CscMatrix<f64>) -> SparseColMatRef<'_, usize, f64> {
    let symbolic = SymbolicSparseColMatRef::new_checked(m.nrows(), m.ncols(), m.col_offsets(), None, m.row_indices());
    SparseColMatRef::new(symbolic, m.values())
}

/// Views a nalgebra-sparse `CsrMatrix<f64>` as a faer `SparseRowMatRef` (no copy).
///
/// ```
/// use nalgebra_sparse::{CooMatrix, CsrMatrix};
/// use trust_region::interop::nalgebra::csr_as_faer;
///
/// let mut coo = CooMatrix::new(2, 3);
/// coo.push(0, 2, 5.0);
/// coo.push(1, 0, 1.0);
/// let csr = CsrMatrix::from(&coo);
/// assert_eq!(csr_as_faer(&csr).to_dense()[(0, 2)], 5.0);
/// ```
pub fn csr_as_faer(m: &CsrMatrix<f64>) -> SparseRowMatRef<'_, usize, f64> {
    let symbolic = SymbolicSparseRowMatRef::new_checked(m.nrows(), m.ncols(), m.row_offsets(), None, m.col_indices());
    SparseRowMatRef::new(symbolic, m.values())
}

/// Copies the pattern of a `CscMatrix` into an owned faer symbolic matrix (for
/// [`SparseHessian::hessian_pattern`] and [`crate::SparseJacobian::jacobian_pattern`]).
///
/// ```
/// use nalgebra_sparse::{CooMatrix, CscMatrix};
/// use trust_region::interop::nalgebra::csc_pattern_to_faer;
///
/// let mut coo = CooMatrix::new(2, 2);
/// coo.push(0, 0, 1.0);
/// coo.push(1, 1, 1.0);
/// let p = csc_pattern_to_faer(&CscMatrix::from(&coo));
/// assert_eq!(p.row_idx(), &[0, 1]);
/// ```
pub fn csc_pattern_to_faer(m: &CscMatrix<f64>) -> SymbolicSparseColMat<usize> {
    csc_as_faer(m).symbolic().to_owned().expect("allocation of a sparse pattern")
}

/// Copies a faer compressed-column view (sorted or not, compact or not) into a
/// nalgebra-sparse `CscMatrix<f64>`.
///
/// ```
/// use nalgebra_sparse::{CooMatrix, CscMatrix};
/// use trust_region::interop::nalgebra::{csc_as_faer, faer_to_csc};
///
/// let mut coo = CooMatrix::new(3, 2);
/// coo.push(2, 0, 1.5);
/// coo.push(0, 1, -2.0);
/// let csc = CscMatrix::from(&coo);
/// assert_eq!(faer_to_csc(csc_as_faer(&csc)), csc);
/// ```
pub fn faer_to_csc(m: SparseColMatRef<'_, usize, f64>) -> CscMatrix<f64> {
    let (nrows, ncols) = (m.nrows(), m.ncols());
    let mut offsets = Vec::with_capacity(ncols + 1);
    let mut rows = Vec::with_capacity(m.compute_nnz());
    let mut values = Vec::with_capacity(m.compute_nnz());
    let mut column: Vec<(usize, f64)> = Vec::new();
    offsets.push(0);
    for j in 0..ncols {
        column.clear();
        column.extend(m.row_idx_of_col(j).zip(m.val_of_col(j).iter().copied()));
        column.sort_unstable_by_key(|&(i, _)| i);
        for &(i, v) in &column {
            rows.push(i);
            values.push(v);
        }
        offsets.push(rows.len());
    }
    CscMatrix::try_from_csc_data(nrows, ncols, offsets, rows, values)
        .expect("a faer sparse matrix has valid, duplicate-free indices")
}

// ---------------------------------------------------------------------------------------------
// User traits
// ---------------------------------------------------------------------------------------------

/// An objective written with nalgebra vectors; the counterpart of [`Objective`].
///
/// Wrap it in [`Nalgebra`] to get an [`Objective`] (see the [module example](self)).
pub trait NalgebraObjective {
    /// Number of variables `n`.
    fn dim(&self) -> usize;
    /// The value `f(x)`.
    fn value(&self, x: &DVector<f64>) -> f64;
    /// The gradient `grad f(x)` (length `n`).
    fn gradient(&self, x: &DVector<f64>) -> DVector<f64>;
}

/// The dense Hessian of a [`NalgebraObjective`]; the counterpart of [`DenseHessian`] and
/// [`HessianProduct`].
pub trait NalgebraHessian: NalgebraObjective {
    /// The symmetric `n x n` Hessian `H(x)` (both triangles).
    fn hessian(&self, x: &DVector<f64>) -> DMatrix<f64>;
    /// The product `H(x) v`; by default forms `H(x)` and multiplies. Override with a
    /// matrix-free product for the Steihaug step at large `n`.
    ///
    /// A Hessian of the wrong shape gives a product of NaN (the trial is rejected), not a
    /// panic.
    fn hessian_product(&self, x: &DVector<f64>, v: &DVector<f64>) -> DVector<f64> {
        let h = self.hessian(x);
        if h.shape() == (v.len(), v.len()) {
            h * v
        } else {
            record_mismatch("Hessian", h.nrows() * h.ncols(), v.len() * v.len());
            DVector::from_element(v.len(), f64::NAN)
        }
    }
}

/// A sparse Hessian of a [`NalgebraObjective`] as a nalgebra-sparse `CscMatrix`; the
/// counterpart of [`SparseHessian`].
///
/// Return the **lower triangle** (row >= column) with every diagonal entry stored (explicit
/// zeros where needed), with the same pattern at every `x`. The adapter [`NalgebraSparse`]
/// reads the pattern once, at the start point; a later matrix with another pattern makes the
/// trial point non-finite (rejected).
///
/// ```
/// use nalgebra::DVector;
/// use nalgebra_sparse::{CooMatrix, CscMatrix};
/// use trust_region::interop::nalgebra::{NalgebraObjective, NalgebraSolve, NalgebraSparseHessian};
/// use trust_region::subproblem::MoreSorensen;
/// use trust_region::TrustRegion;
///
/// /// f(x) = sum_i cosh(x_i - 1) + (x_{i+1} - x_i)^2 / 2
/// struct Chain(usize);
///
/// impl NalgebraObjective for Chain {
///     fn dim(&self) -> usize { self.0 }
///     fn value(&self, x: &DVector<f64>) -> f64 {
///         x.iter().map(|&xi| (xi - 1.0).cosh()).sum::<f64>()
///             + (1..self.0).map(|i| 0.5 * (x[i] - x[i - 1]).powi(2)).sum::<f64>()
///     }
///     fn gradient(&self, x: &DVector<f64>) -> DVector<f64> {
///         let n = self.0;
///         DVector::from_fn(n, |i, _| {
///             let mut g = (x[i] - 1.0).sinh();
///             if i > 0 { g += x[i] - x[i - 1]; }
///             if i + 1 < n { g -= x[i + 1] - x[i]; }
///             g
///         })
///     }
/// }
///
/// impl NalgebraSparseHessian for Chain {
///     fn sparse_hessian(&self, x: &DVector<f64>) -> CscMatrix<f64> {
///         let n = self.0;
///         let mut coo = CooMatrix::new(n, n);
///         for i in 0..n {
///             let links = (i > 0) as usize + (i + 1 < n) as usize;
///             coo.push(i, i, (x[i] - 1.0).cosh() + links as f64);
///             if i + 1 < n { coo.push(i + 1, i, -1.0); }
///         }
///         CscMatrix::from(&coo)
///     }
/// }
///
/// let (x, report) =
///     TrustRegion::new(MoreSorensen::new()).minimize_sparse_nalgebra(&Chain(50), &DVector::zeros(50))?;
/// assert!(report.converged());
/// assert!(x.iter().all(|&xi| (xi - 1.0).abs() < 1e-8));
/// # Ok::<(), trust_region::SetupError>(())
/// ```
pub trait NalgebraSparseHessian: NalgebraObjective {
    /// The lower triangle of `H(x)` in compressed-column form (fixed pattern, diagonal stored).
    fn sparse_hessian(&self, x: &DVector<f64>) -> CscMatrix<f64>;
}

/// Least-squares residuals written with nalgebra vectors; the counterpart of [`Residuals`].
pub trait NalgebraResiduals {
    /// Number of variables `n`.
    fn dim(&self) -> usize;
    /// Number of residuals `m`.
    fn residual_count(&self) -> usize;
    /// The residuals `r(x)` (length `m`).
    fn residuals(&self, x: &DVector<f64>) -> DVector<f64>;
}

/// The dense Jacobian of [`NalgebraResiduals`]; the counterpart of [`DenseJacobian`].
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use trust_region::interop::nalgebra::{NalgebraJacobian, NalgebraResiduals, NalgebraSolve};
/// use trust_region::subproblem::Dogleg;
/// use trust_region::TrustRegion;
///
/// /// Fit y = a exp(b t) to exact data from a = 2, b = -0.5.
/// struct Fit { t: Vec<f64>, y: Vec<f64> }
///
/// impl NalgebraResiduals for Fit {
///     fn dim(&self) -> usize { 2 }
///     fn residual_count(&self) -> usize { self.t.len() }
///     fn residuals(&self, x: &DVector<f64>) -> DVector<f64> {
///         DVector::from_fn(self.t.len(), |i, _| x[0] * (x[1] * self.t[i]).exp() - self.y[i])
///     }
/// }
///
/// impl NalgebraJacobian for Fit {
///     fn jacobian(&self, x: &DVector<f64>) -> DMatrix<f64> {
///         DMatrix::from_fn(self.t.len(), 2, |i, j| {
///             let e = (x[1] * self.t[i]).exp();
///             if j == 0 { e } else { x[0] * self.t[i] * e }
///         })
///     }
/// }
///
/// let t: Vec<f64> = (0..10).map(|i| i as f64 * 0.3).collect();
/// let y = t.iter().map(|&ti| 2.0 * (-0.5 * ti).exp()).collect();
/// let (x, report) = TrustRegion::new(Dogleg::new())
///     .least_squares_nalgebra(&Fit { t, y }, &DVector::from_vec(vec![1.0, 0.0]))?;
/// assert!(report.converged());
/// assert!((x[0] - 2.0).abs() < 1e-6 && (x[1] + 0.5).abs() < 1e-6);
/// # Ok::<(), trust_region::SetupError>(())
/// ```
pub trait NalgebraJacobian: NalgebraResiduals {
    /// The `m x n` Jacobian `J_ij = d r_i / d x_j`.
    fn jacobian(&self, x: &DVector<f64>) -> DMatrix<f64>;
}

// ---------------------------------------------------------------------------------------------
// Adapters
// ---------------------------------------------------------------------------------------------

/// Adapter from the nalgebra traits to the library's traits: `Nalgebra(&problem)` is an
/// [`Objective`] + [`HessianProduct`] + [`DenseHessian`] when `problem` is a
/// [`NalgebraHessian`], and a [`Residuals`] + [`DenseJacobian`] when it is a
/// [`NalgebraJacobian`].
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use trust_region::interop::nalgebra::{Nalgebra, NalgebraHessian, NalgebraObjective};
/// use trust_region::subproblem::Steihaug;
/// use trust_region::TrustRegion;
///
/// struct Bowl;
/// impl NalgebraObjective for Bowl {
///     fn dim(&self) -> usize { 2 }
///     fn value(&self, x: &DVector<f64>) -> f64 { x.norm_squared() }
///     fn gradient(&self, x: &DVector<f64>) -> DVector<f64> { x * 2.0 }
/// }
/// impl NalgebraHessian for Bowl {
///     fn hessian(&self, _x: &DVector<f64>) -> DMatrix<f64> { DMatrix::identity(2, 2) * 2.0 }
/// }
///
/// let report = TrustRegion::new(Steihaug::new()).minimize(&Nalgebra(Bowl), &[1.0, -3.0])?;
/// assert!(report.converged());
/// # Ok::<(), trust_region::SetupError>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Nalgebra<P>(pub P);

fn to_dvector(x: &[f64]) -> DVector<f64> {
    DVector::from_column_slice(x)
}

thread_local! {
    /// The first callback result of the wrong size seen on this thread since the last
    /// [`take_mismatch`]: (what, found, expected) lengths.
    static MISMATCH: Cell<Option<(&'static str, usize, usize)>> = const { Cell::new(None) };
}

/// Remembers a callback result of the wrong size, so that the [`NalgebraSolve`] methods can
/// report a wrong length at the start point as [`SetupError::DimensionMismatch`] rather than
/// as a non-finite value.
fn record_mismatch(what: &'static str, found: usize, expected: usize) {
    MISMATCH.with(|m| {
        if m.get().is_none() {
            m.set(Some((what, found, expected)));
        }
    });
}

/// Takes (and clears) the recorded size mismatch of this thread.
fn take_mismatch() -> Option<(&'static str, usize, usize)> {
    MISMATCH.with(Cell::take)
}

/// Runs `solve` and turns a non-finite start caused by a callback result of the wrong size
/// into [`SetupError::DimensionMismatch`] naming it.
fn with_length_check<T>(solve: impl FnOnce() -> Result<T, SetupError>) -> Result<T, SetupError> {
    take_mismatch();
    let result = solve();
    let mismatch = take_mismatch();
    match (result, mismatch) {
        (Err(SetupError::NonFiniteAtStart { .. }), Some((what, found, expected))) => {
            Err(SetupError::DimensionMismatch { what, expected, found })
        }
        (result, _) => result,
    }
}

/// Copies `src` into `dst`, or fills `dst` with NaN when the lengths differ.
fn copy_or_nan(what: &'static str, src: &[f64], dst: &mut [f64]) {
    if src.len() == dst.len() {
        dst.copy_from_slice(src);
    } else {
        record_mismatch(what, src.len(), dst.len());
        dst.fill(f64::NAN);
    }
}

/// Copies `src` into `dst`, or fills `dst` with NaN when the shapes differ.
fn copy_matrix_or_nan(what: &'static str, src: &DMatrix<f64>, mut dst: MatMut<'_, f64>) {
    if src.shape() == (dst.nrows(), dst.ncols()) {
        dst.copy_from(dmatrix_as_faer(src));
    } else {
        record_mismatch(what, src.nrows() * src.ncols(), dst.nrows() * dst.ncols());
        dst.fill(f64::NAN);
    }
}

impl<P: NalgebraObjective> Objective for Nalgebra<P> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.0.value(&to_dvector(x))
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        copy_or_nan("gradient", self.0.gradient(&to_dvector(x)).as_slice(), g);
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let x = to_dvector(x);
        copy_or_nan("gradient", self.0.gradient(&x).as_slice(), g);
        self.0.value(&x)
    }
}

impl<P: NalgebraHessian> HessianProduct for Nalgebra<P> {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        copy_or_nan("Hessian product", self.0.hessian_product(&to_dvector(x), &to_dvector(v)).as_slice(), hv);
    }
}

impl<P: NalgebraHessian> DenseHessian for Nalgebra<P> {
    fn hessian(&self, x: &[f64], hess: MatMut<'_, f64>) {
        copy_matrix_or_nan("Hessian", &self.0.hessian(&to_dvector(x)), hess);
    }
}

impl<P: NalgebraResiduals> Residuals for Nalgebra<P> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn residual_count(&self) -> usize {
        self.0.residual_count()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        copy_or_nan("residuals", self.0.residuals(&to_dvector(x)).as_slice(), r);
    }
}

impl<P: NalgebraJacobian> DenseJacobian for Nalgebra<P> {
    fn jacobian(&self, x: &[f64], jac: MatMut<'_, f64>) {
        copy_matrix_or_nan("Jacobian", &self.0.jacobian(&to_dvector(x)), jac);
    }
}

/// Adapter from [`NalgebraSparseHessian`] to [`SparseHessian`]; reads the pattern once from
/// the Hessian at a reference point (normally the start point).
///
/// ```
/// # use nalgebra::DVector;
/// # use nalgebra_sparse::{CooMatrix, CscMatrix};
/// use trust_region::interop::nalgebra::{NalgebraObjective, NalgebraSparse, NalgebraSparseHessian};
/// use trust_region::subproblem::Steihaug;
/// use trust_region::TrustRegion;
///
/// struct Bowl;
/// impl NalgebraObjective for Bowl {
///     fn dim(&self) -> usize { 2 }
///     fn value(&self, x: &DVector<f64>) -> f64 { x.norm_squared() }
///     fn gradient(&self, x: &DVector<f64>) -> DVector<f64> { x * 2.0 }
/// }
/// impl NalgebraSparseHessian for Bowl {
///     fn sparse_hessian(&self, _x: &DVector<f64>) -> CscMatrix<f64> {
///         CscMatrix::identity(2) * 2.0
///     }
/// }
///
/// let x0 = DVector::from_vec(vec![1.0, 2.0]);
/// let problem = NalgebraSparse::new(&Bowl, &x0);
/// let model = trust_region::model::Newton::sparse(&problem);
/// let report = TrustRegion::new(Steihaug::new()).solve(model, x0.as_slice())?;
/// assert!(report.converged());
/// # Ok::<(), trust_region::SetupError>(())
/// ```
#[derive(Clone, Debug)]
pub struct NalgebraSparse<P> {
    problem: P,
    pattern: SymbolicSparseColMat<usize>,
}

impl<P: NalgebraSparseHessian> NalgebraSparse<P> {
    /// Wraps `problem`, reading the Hessian pattern at `x_ref`.
    pub fn new(problem: P, x_ref: &DVector<f64>) -> Self {
        let pattern = csc_pattern_to_faer(&problem.sparse_hessian(x_ref));
        Self { problem, pattern }
    }

    /// The wrapped problem.
    pub fn inner(&self) -> &P {
        &self.problem
    }
}

impl<P: NalgebraSparseHessian> Objective for NalgebraSparse<P> {
    fn dim(&self) -> usize {
        self.problem.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.problem.value(&to_dvector(x))
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        copy_or_nan("gradient", self.problem.gradient(&to_dvector(x)).as_slice(), g);
    }
}

impl<P: NalgebraSparseHessian> SparseHessian for NalgebraSparse<P> {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.pattern.clone()
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        let h = self.problem.sparse_hessian(&to_dvector(x));
        let same = h.nrows() == self.pattern.nrows()
            && h.ncols() == self.pattern.ncols()
            && h.col_offsets() == self.pattern.col_ptr()
            && h.row_indices() == self.pattern.row_idx();
        if same {
            copy_or_nan("sparse Hessian values", h.values(), values);
        } else {
            values.fill(f64::NAN);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Convenience
// ---------------------------------------------------------------------------------------------

/// The best point of a report as a `DVector<f64>`.
///
/// ```
/// use trust_region::interop::nalgebra::solution;
/// # use trust_region::{HessianProduct, Objective, TrustRegion};
/// # use trust_region::subproblem::Steihaug;
/// # struct Q;
/// # impl Objective for Q {
/// #     fn dim(&self) -> usize { 1 }
/// #     fn value(&self, x: &[f64]) -> f64 { (x[0] - 3.0).powi(2) }
/// #     fn gradient(&self, x: &[f64], g: &mut [f64]) { g[0] = 2.0 * (x[0] - 3.0); }
/// # }
/// # impl HessianProduct for Q {
/// #     fn hessian_product(&self, _x: &[f64], v: &[f64], hv: &mut [f64]) { hv[0] = 2.0 * v[0]; }
/// # }
/// let report = TrustRegion::new(Steihaug::new()).minimize(&Q, &[0.0])?;
/// assert!((solution(&report)[0] - 3.0).abs() < 1e-8);
/// # Ok::<(), trust_region::SetupError>(())
/// ```
pub fn solution(report: &Report) -> DVector<f64> {
    to_dvector(&report.x)
}

/// Solver entry points that take a nalgebra problem and start point and return the solution as
/// a `DVector<f64>` together with the [`Report`]. Implemented for [`TrustRegion`].
pub trait NalgebraSolve {
    /// [`TrustRegion::minimize`] (Hessian-vector products) on a [`NalgebraHessian`].
    fn minimize_nalgebra<P: NalgebraHessian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &DVector<f64>,
    ) -> Result<(DVector<f64>, Report), SetupError>;
    /// [`TrustRegion::solve`] with [`Newton::dense`] on a [`NalgebraHessian`] (a step solver
    /// that does not fit is a [`SetupError::Unsupported`] here, not a compile error).
    fn minimize_dense_nalgebra<P: NalgebraHessian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &DVector<f64>,
    ) -> Result<(DVector<f64>, Report), SetupError>;
    /// [`TrustRegion::solve`] with [`Newton::sparse`] on a [`NalgebraSparseHessian`] (pattern
    /// read at `x0`).
    fn minimize_sparse_nalgebra<P: NalgebraSparseHessian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &DVector<f64>,
    ) -> Result<(DVector<f64>, Report), SetupError>;
    /// [`TrustRegion::solve`] with [`GaussNewton::dense`] on a [`NalgebraJacobian`].
    fn least_squares_nalgebra<P: NalgebraJacobian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &DVector<f64>,
    ) -> Result<(DVector<f64>, Report), SetupError>;
}

impl<S: StepSolver> NalgebraSolve for TrustRegion<S> {
    fn minimize_nalgebra<P: NalgebraHessian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &DVector<f64>,
    ) -> Result<(DVector<f64>, Report), SetupError> {
        let report = with_length_check(|| self.run(&mut Newton::products(&Nalgebra(problem)), x0.as_slice()))?;
        Ok((solution(&report), report))
    }

    fn minimize_dense_nalgebra<P: NalgebraHessian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &DVector<f64>,
    ) -> Result<(DVector<f64>, Report), SetupError> {
        let report = with_length_check(|| self.run(&mut Newton::dense(&Nalgebra(problem)), x0.as_slice()))?;
        Ok((solution(&report), report))
    }

    fn minimize_sparse_nalgebra<P: NalgebraSparseHessian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &DVector<f64>,
    ) -> Result<(DVector<f64>, Report), SetupError> {
        let report =
            with_length_check(|| self.run(&mut Newton::sparse(&NalgebraSparse::new(problem, x0)), x0.as_slice()))?;
        Ok((solution(&report), report))
    }

    fn least_squares_nalgebra<P: NalgebraJacobian + ?Sized>(
        &mut self,
        problem: &P,
        x0: &DVector<f64>,
    ) -> Result<(DVector<f64>, Report), SetupError> {
        let report = with_length_check(|| self.run(&mut GaussNewton::dense(&Nalgebra(problem)), x0.as_slice()))?;
        Ok((solution(&report), report))
    }
}

// Forwarding impls so that `Nalgebra(&problem)` and `NalgebraSparse::new(&problem, ..)` work
// with borrowed (and unsized) problems.
impl<P: NalgebraObjective + ?Sized> NalgebraObjective for &P {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn value(&self, x: &DVector<f64>) -> f64 {
        (**self).value(x)
    }
    fn gradient(&self, x: &DVector<f64>) -> DVector<f64> {
        (**self).gradient(x)
    }
}

impl<P: NalgebraHessian + ?Sized> NalgebraHessian for &P {
    fn hessian(&self, x: &DVector<f64>) -> DMatrix<f64> {
        (**self).hessian(x)
    }
    fn hessian_product(&self, x: &DVector<f64>, v: &DVector<f64>) -> DVector<f64> {
        (**self).hessian_product(x, v)
    }
}

impl<P: NalgebraSparseHessian + ?Sized> NalgebraSparseHessian for &P {
    fn sparse_hessian(&self, x: &DVector<f64>) -> CscMatrix<f64> {
        (**self).sparse_hessian(x)
    }
}

impl<P: NalgebraResiduals + ?Sized> NalgebraResiduals for &P {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn residual_count(&self) -> usize {
        (**self).residual_count()
    }
    fn residuals(&self, x: &DVector<f64>) -> DVector<f64> {
        (**self).residuals(x)
    }
}

impl<P: NalgebraJacobian + ?Sized> NalgebraJacobian for &P {
    fn jacobian(&self, x: &DVector<f64>) -> DMatrix<f64> {
        (**self).jacobian(x)
    }
}
