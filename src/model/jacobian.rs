//! The Jacobian store: `J(x)` of residuals `F: R^n -> R^m` (rectangular or square) at the
//! current point, filled by the user's Jacobian or by finite differences, with the products a
//! model or a step solver needs.
//!
//! | store | source | matrix |
//! |---|---|---|
//! | [`DenseStore<UserDense>`] | [`DenseJacobian`] | dense `m x n` |
//! | [`DenseStore<FdDense>`] | [`Residuals`], forward differences (backward at the upper bound) | dense `m x n` |
//! | [`SparseStore<UserSparse>`] | [`SparseJacobian`] (fixed pattern) | compressed column |
//! | [`SparseStore<FdSparse>`] | [`Residuals`] and a pattern, Curtis-Powell-Reid groups (rayon) | compressed column |
//!
//! What every store offers ([`JacobianStore`]): evaluation at `x` given `F(x)` (returning the
//! evaluations of `F` the finite differences used and whether every entry is finite), `J v`,
//! `J' v`, the diagonal of `J'J` (the column sums of squares, for Jacobi preconditioners and
//! scalings) and a view of the matrix ([`JacobianRef`]), for a factorization owned by whoever
//! needs it (the stores never factorize).
//!
//! Keeping the previous values ([`DenseStore::keep_previous`], [`SparseStore::keep_previous`]):
//! a store built that way copies its values before every evaluation and restores them when the
//! new ones are not all finite, so that a non-finite Jacobian at a rejected trial point leaves
//! the store holding `J` at the current point. It costs one more matrix of storage and one copy
//! per evaluation; without it the non-finite values stay in the store.
//!
//! The finite differences themselves (step choice inside the box, column groups) are in
//! [`crate::problem::fd`].

use faer::sparse::{SparseColMatRef, SymbolicSparseColMat, SymbolicSparseColMatRef};
use faer::{Mat, MatMut, MatRef};

use crate::error::SetupError;
use crate::linalg::{all_finite, dense, sparse};
use crate::problem::fd::{self, SparseFd};
use crate::problem::{Bounds, DenseJacobian, Residuals, SparseJacobian};

/// A view of the stored Jacobian.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum JacobianRef<'a> {
    /// Dense, column-major, `m x n`.
    Dense(MatRef<'a, f64>),
    /// Compressed column, `m x n`, with the store's fixed pattern.
    Sparse(SparseColMatRef<'a, usize, f64>),
}

/// What one evaluation of the Jacobian cost and gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JacobianEvaluation {
    /// Evaluations of `F` used (finite differences: `n` dense, one per column group sparse;
    /// `0` for a user Jacobian).
    pub residual_evaluations: usize,
    /// Whether every entry of the new `J` is finite.
    pub finite: bool,
}

/// `J(x)` at the current point and the operations models and step solvers use.
pub trait JacobianStore {
    /// Number of residuals `m`.
    fn nrows(&self) -> usize;
    /// Number of variables `n`.
    fn ncols(&self) -> usize;
    /// Evaluates `J(x)` with `fx = F(x)` (length `m`) given. When the store keeps its previous
    /// values and the new ones are not all finite, the previous values are restored.
    fn evaluate(&mut self, x: &[f64], fx: &[f64]) -> JacobianEvaluation;
    /// `out <- J v` (`v` of length `n`, `out` of length `m`).
    fn apply(&self, v: &[f64], out: &mut [f64]);
    /// `out <- J' v` (`v` of length `m`, `out` of length `n`).
    fn apply_transpose(&self, v: &[f64], out: &mut [f64]);
    /// `out_j <- sum_i J_ij^2`, the diagonal of `J'J` (`out` of length `n`).
    fn column_sums_of_squares(&self, out: &mut [f64]);
    /// The stored matrix.
    fn matrix(&self) -> JacobianRef<'_>;
    /// Evaluations of `J` so far (finite or not).
    fn evaluations(&self) -> usize;
}

/// A Jacobian store that also evaluates the residuals it differentiates: what the interior
/// loop ([`crate::solver::interior::Interior::solve`]) takes. Every store of this module over
/// a user problem implements it.
pub trait ResidualStore: JacobianStore {
    /// Writes `F(x)` (length `m`) into `r`.
    fn residuals(&self, x: &[f64], r: &mut [f64]);
    /// From now on keep the previous values when an evaluation is not finite (as
    /// [`DenseStore::keep_previous`] and [`SparseStore::keep_previous`]).
    fn keep_previous_values(&mut self);
}

/// A source of Jacobian values that can also evaluate the residuals.
pub trait ResidualSource {
    /// Writes `F(x)` into `r`.
    fn residuals(&self, x: &[f64], r: &mut [f64]);
}

impl<P: Residuals + ?Sized> ResidualSource for UserDense<'_, P> {
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.0.residuals(x, r);
    }
}

impl<P: Residuals + ?Sized> ResidualSource for FdDense<'_, P> {
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.problem.residuals(x, r);
    }
}

impl<P: Residuals + ?Sized> ResidualSource for UserSparse<'_, P> {
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.0.residuals(x, r);
    }
}

impl<P: Residuals + ?Sized> ResidualSource for FdSparse<'_, P> {
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.problem.residuals(x, r);
    }
}

impl<S: DenseSource + ResidualSource> ResidualStore for DenseStore<S> {
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.source.residuals(x, r);
    }
    fn keep_previous_values(&mut self) {
        if self.previous.is_none() {
            self.previous = Some(Mat::zeros(self.jac.nrows(), self.jac.ncols()));
        }
    }
}

impl<S: SparseSource + ResidualSource> ResidualStore for SparseStore<S> {
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.source.residuals(x, r);
    }
    fn keep_previous_values(&mut self) {
        if self.previous.is_none() {
            self.previous = Some(vec![0.0; self.values.len()]);
        }
    }
}

/// Fills a dense Jacobian.
pub trait DenseSource {
    /// Writes `J(x)` into `jac` (`m x n`), `fx = F(x)`; returns the evaluations of `F` used.
    fn fill(&mut self, x: &[f64], fx: &[f64], jac: MatMut<'_, f64>) -> usize;
}

/// Fills the values of a sparse Jacobian in the order of its pattern.
pub trait SparseSource {
    /// Writes the values of `J(x)` (pattern `pattern`) into `values`, `fx = F(x)`; returns the
    /// evaluations of `F` used.
    fn fill(&mut self, x: &[f64], fx: &[f64], pattern: SymbolicSparseColMatRef<'_, usize>, values: &mut [f64])
        -> usize;
}

/// The user's dense Jacobian.
#[derive(Debug)]
pub struct UserDense<'a, P: ?Sized>(pub &'a P);

impl<P: DenseJacobian + ?Sized> DenseSource for UserDense<'_, P> {
    fn fill(&mut self, x: &[f64], _fx: &[f64], jac: MatMut<'_, f64>) -> usize {
        self.0.jacobian(x, jac);
        0
    }
}

/// Dense forward differences of the user's residuals inside a box ([`fd::dense_jacobian`]).
#[derive(Debug)]
pub struct FdDense<'a, P: ?Sized> {
    problem: &'a P,
    bounds: &'a Bounds,
    rel_step: f64,
    x_work: Vec<f64>,
    f_work: Vec<f64>,
}

impl<P: Residuals + ?Sized> DenseSource for FdDense<'_, P> {
    fn fill(&mut self, x: &[f64], fx: &[f64], jac: MatMut<'_, f64>) -> usize {
        fd::dense_jacobian(self.problem, x, fx, self.bounds, self.rel_step, &mut self.x_work, &mut self.f_work, jac)
    }
}

/// The user's sparse Jacobian (values in the order of its fixed pattern).
#[derive(Debug)]
pub struct UserSparse<'a, P: ?Sized>(pub &'a P);

impl<P: SparseJacobian + ?Sized> SparseSource for UserSparse<'_, P> {
    fn fill(&mut self, x: &[f64], _: &[f64], _: SymbolicSparseColMatRef<'_, usize>, values: &mut [f64]) -> usize {
        self.0.jacobian_values(x, values);
        0
    }
}

/// Grouped sparse forward differences of the user's residuals inside a box ([`SparseFd`]).
#[derive(Debug)]
pub struct FdSparse<'a, P: ?Sized> {
    problem: &'a P,
    bounds: &'a Bounds,
    fd: SparseFd,
}

impl<P: Residuals + Sync + ?Sized> SparseSource for FdSparse<'_, P> {
    fn fill(
        &mut self,
        x: &[f64],
        fx: &[f64],
        pattern: SymbolicSparseColMatRef<'_, usize>,
        values: &mut [f64],
    ) -> usize {
        self.fd.jacobian(self.problem, x, fx, self.bounds, pattern, values)
    }
}

/// A dense `m x n` Jacobian.
#[derive(Debug)]
pub struct DenseStore<S> {
    source: S,
    jac: Mat<f64>,
    previous: Option<Mat<f64>>,
    evaluations: usize,
}

impl<S: DenseSource> DenseStore<S> {
    /// An `m x n` store (zeros until the first evaluation) over `source`.
    pub fn new(source: S, m: usize, n: usize) -> Self {
        Self { source, jac: Mat::zeros(m, n), previous: None, evaluations: 0 }
    }

    /// Keeps the previous values when an evaluation is not finite (module docs).
    pub fn keep_previous(mut self) -> Self {
        self.previous = Some(Mat::zeros(self.jac.nrows(), self.jac.ncols()));
        self
    }
}

impl<'a, P: DenseJacobian + ?Sized> DenseStore<UserDense<'a, P>> {
    /// The user's dense Jacobian, `residual_count x dim`.
    pub fn user(problem: &'a P) -> Self {
        Self::new(UserDense(problem), problem.residual_count(), problem.dim())
    }
}

impl<'a, P: Residuals + ?Sized> DenseStore<FdDense<'a, P>> {
    /// Dense finite differences with relative step `rel_step`, never leaving `bounds`.
    pub fn finite_differences(problem: &'a P, bounds: &'a Bounds, rel_step: f64) -> Self {
        let (m, n) = (problem.residual_count(), problem.dim());
        let source = FdDense { problem, bounds, rel_step, x_work: vec![0.0; n], f_work: vec![0.0; m] };
        Self::new(source, m, n)
    }
}

impl<S: DenseSource> JacobianStore for DenseStore<S> {
    fn nrows(&self) -> usize {
        self.jac.nrows()
    }
    fn ncols(&self) -> usize {
        self.jac.ncols()
    }
    fn evaluate(&mut self, x: &[f64], fx: &[f64]) -> JacobianEvaluation {
        if let Some(previous) = self.previous.as_mut() {
            previous.as_mut().copy_from(self.jac.as_ref());
        }
        self.evaluations += 1;
        let residual_evaluations = self.source.fill(x, fx, self.jac.as_mut());
        let (m, n) = (self.jac.nrows(), self.jac.ncols());
        let finite = (0..n).all(|j| (0..m).all(|i| self.jac[(i, j)].is_finite()));
        if !finite {
            if let Some(previous) = self.previous.as_ref() {
                self.jac.as_mut().copy_from(previous.as_ref());
            }
        }
        JacobianEvaluation { residual_evaluations, finite }
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        dense::matvec(self.jac.as_ref(), v, out);
    }
    fn apply_transpose(&self, v: &[f64], out: &mut [f64]) {
        dense::matvec_transpose(self.jac.as_ref(), v, out);
    }
    fn column_sums_of_squares(&self, out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = self.jac.col(j).iter().map(|v| v * v).sum();
        }
    }
    fn matrix(&self) -> JacobianRef<'_> {
        JacobianRef::Dense(self.jac.as_ref())
    }
    fn evaluations(&self) -> usize {
        self.evaluations
    }
}

/// A sparse `m x n` Jacobian with a fixed pattern.
#[derive(Debug)]
pub struct SparseStore<S> {
    source: S,
    pattern: SymbolicSparseColMat<usize>,
    values: Vec<f64>,
    previous: Option<Vec<f64>>,
    evaluations: usize,
}

impl<S: SparseSource> SparseStore<S> {
    /// A store over `source` with `pattern`, which must be `m x n`
    /// ([`SetupError::DimensionMismatch`] otherwise). Values are zero until the first
    /// evaluation. See [`SparseStore::sorted_rows`] for a store that will be factorized.
    pub fn new(source: S, pattern: SymbolicSparseColMat<usize>, m: usize, n: usize) -> Result<Self, SetupError> {
        check_pattern(pattern.as_ref(), m, n)?;
        let values = vec![0.0; pattern.row_idx().len()];
        Ok(Self { source, pattern, values, previous: None, evaluations: 0 })
    }

    /// Keeps the previous values when an evaluation is not finite (module docs).
    pub fn keep_previous(mut self) -> Self {
        self.previous = Some(vec![0.0; self.values.len()]);
        self
    }

    /// Refuses a pattern with unsorted or repeated row indices in a column
    /// ([`SetupError::InvalidPattern`]): what a sparse factorization of the stored matrix
    /// needs. Products alone work on any pattern faer's constructors accept.
    pub fn sorted_rows(self) -> Result<Self, SetupError> {
        check_sorted_rows(self.pattern.as_ref())?;
        Ok(self)
    }

    /// The fixed pattern.
    pub fn pattern(&self) -> SymbolicSparseColMatRef<'_, usize> {
        self.pattern.as_ref()
    }

    /// The stored matrix.
    pub fn as_ref(&self) -> SparseColMatRef<'_, usize, f64> {
        SparseColMatRef::new(self.pattern.as_ref(), &self.values)
    }
}

impl<'a, P: SparseJacobian + ?Sized> SparseStore<UserSparse<'a, P>> {
    /// The user's sparse Jacobian with its pattern ([`SparseJacobian::jacobian_pattern`],
    /// asked once), which must be `residual_count x dim`.
    pub fn user(problem: &'a P) -> Result<Self, SetupError> {
        let pattern = problem.jacobian_pattern();
        Self::new(UserSparse(problem), pattern, problem.residual_count(), problem.dim())
    }
}

impl<'a, P: Residuals + Sync + ?Sized> SparseStore<FdSparse<'a, P>> {
    /// Grouped finite differences on `pattern` (`residual_count x dim`) with relative step
    /// `rel_step`, never leaving `bounds`.
    pub fn finite_differences(
        problem: &'a P,
        bounds: &'a Bounds,
        pattern: SymbolicSparseColMat<usize>,
        rel_step: f64,
    ) -> Result<Self, SetupError> {
        check_pattern(pattern.as_ref(), problem.residual_count(), problem.dim())?;
        check_sorted_rows(pattern.as_ref())?;
        let source = FdSparse { problem, bounds, fd: SparseFd::new(pattern.as_ref(), rel_step) };
        Self::new(source, pattern, problem.residual_count(), problem.dim())
    }
}

impl<S: SparseSource> JacobianStore for SparseStore<S> {
    fn nrows(&self) -> usize {
        self.pattern.nrows()
    }
    fn ncols(&self) -> usize {
        self.pattern.ncols()
    }
    fn evaluate(&mut self, x: &[f64], fx: &[f64]) -> JacobianEvaluation {
        if let Some(previous) = self.previous.as_mut() {
            previous.copy_from_slice(&self.values);
        }
        self.evaluations += 1;
        let residual_evaluations = self.source.fill(x, fx, self.pattern.as_ref(), &mut self.values);
        let finite = all_finite(&self.values);
        if !finite {
            if let Some(previous) = self.previous.as_ref() {
                self.values.copy_from_slice(previous);
            }
        }
        JacobianEvaluation { residual_evaluations, finite }
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        sparse::matvec(self.as_ref(), v, out);
    }
    fn apply_transpose(&self, v: &[f64], out: &mut [f64]) {
        sparse::matvec_transpose(self.as_ref(), v, out);
    }
    fn column_sums_of_squares(&self, out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = self.values[self.pattern.col_range(j)].iter().map(|v| v * v).sum();
        }
    }
    fn matrix(&self) -> JacobianRef<'_> {
        JacobianRef::Sparse(self.as_ref())
    }
    fn evaluations(&self) -> usize {
        self.evaluations
    }
}

/// The pattern must be `m x n`.
fn check_pattern(pattern: SymbolicSparseColMatRef<'_, usize>, m: usize, n: usize) -> Result<(), SetupError> {
    if pattern.nrows() != m {
        return Err(SetupError::DimensionMismatch {
            what: "Jacobian pattern rows",
            expected: m,
            found: pattern.nrows(),
        });
    }
    if pattern.ncols() != n {
        return Err(SetupError::DimensionMismatch {
            what: "Jacobian pattern columns",
            expected: n,
            found: pattern.ncols(),
        });
    }
    Ok(())
}

/// Every column's row indices strictly increasing. faer's checked constructor accepts
/// unsorted or repeated row indices in a column; the sparse LU's ordering (COLAMD) does not,
/// and would panic.
pub(crate) fn check_sorted_rows(pattern: SymbolicSparseColMatRef<'_, usize>) -> Result<(), SetupError> {
    for j in 0..pattern.ncols() {
        let rows = &pattern.row_idx()[pattern.col_range(j)];
        if rows.windows(2).any(|w| w[0] >= w[1]) {
            return Err(SetupError::InvalidPattern(
                "Jacobian pattern has unsorted or repeated row indices in a column (sort each column)",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::sparse::Pair;

    /// `F(x) = (x0^2 + x1, x0 x1, sin x1)`: 3 x 2, the last row NaN when `x1 > 10`.
    struct Rect;

    impl Residuals for Rect {
        fn dim(&self) -> usize {
            2
        }
        fn residual_count(&self) -> usize {
            3
        }
        fn residuals(&self, x: &[f64], r: &mut [f64]) {
            r[0] = x[0] * x[0] + x[1];
            r[1] = x[0] * x[1];
            r[2] = if x[1] > 10.0 { f64::NAN } else { x[1].sin() };
        }
    }

    impl DenseJacobian for Rect {
        fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
            j[(0, 0)] = 2.0 * x[0];
            j[(0, 1)] = 1.0;
            j[(1, 0)] = x[1];
            j[(1, 1)] = x[0];
            j[(2, 0)] = 0.0;
            j[(2, 1)] = if x[1] > 10.0 { f64::NAN } else { x[1].cos() };
        }
    }

    impl SparseJacobian for Rect {
        fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
            let idx = [Pair::new(0, 0), Pair::new(1, 0), Pair::new(0, 1), Pair::new(1, 1), Pair::new(2, 1)];
            SymbolicSparseColMat::try_new_from_indices(3, 2, &idx).unwrap().0
        }
        fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
            v.copy_from_slice(&[2.0 * x[0], x[1], 1.0, x[0], if x[1] > 10.0 { f64::NAN } else { x[1].cos() }]);
        }
    }

    fn residuals(x: &[f64]) -> Vec<f64> {
        let mut r = vec![0.0; 3];
        Rect.residuals(x, &mut r);
        r
    }

    /// Products, column sums and the kept values agree for the four stores (rectangular).
    fn check<J: JacobianStore>(mut store: J, tol: f64, fd_evals: usize) {
        assert_eq!((store.nrows(), store.ncols()), (3, 2));
        let x = [1.5, 0.5];
        let e = store.evaluate(&x, &residuals(&x));
        assert_eq!(e, JacobianEvaluation { residual_evaluations: fd_evals, finite: true });
        let exact = [[3.0, 1.0], [0.5, 1.5], [0.0, 0.5f64.cos()]];
        let mut jv = [0.0; 3];
        store.apply(&[1.0, -2.0], &mut jv);
        for i in 0..3 {
            assert!((jv[i] - (exact[i][0] - 2.0 * exact[i][1])).abs() < tol, "{jv:?}");
        }
        let mut jtv = [0.0; 2];
        store.apply_transpose(&[1.0, 0.0, -1.0], &mut jtv);
        for j in 0..2 {
            assert!((jtv[j] - (exact[0][j] - exact[2][j])).abs() < tol, "{jtv:?}");
        }
        let mut cs = [0.0; 2];
        store.column_sums_of_squares(&mut cs);
        for j in 0..2 {
            let want: f64 = (0..3).map(|i| exact[i][j] * exact[i][j]).sum();
            assert!((cs[j] - want).abs() < 10.0 * tol, "{cs:?}");
        }
        // A non-finite evaluation keeps the previous values.
        let y = [1.0, 20.0];
        let e = store.evaluate(&y, &residuals(&[1.0, 9.0]));
        assert!(!e.finite);
        let mut again = [0.0; 3];
        store.apply(&[1.0, -2.0], &mut again);
        assert_eq!(again, jv);
        assert_eq!(store.evaluations(), 2);
    }

    #[test]
    fn four_stores_agree_on_a_rectangular_jacobian() {
        let b = Bounds::unbounded(2);
        let pattern = Rect.jacobian_pattern();
        check(DenseStore::user(&Rect).keep_previous(), 1e-15, 0);
        check(SparseStore::user(&Rect).unwrap().keep_previous(), 1e-15, 0);
        check(DenseStore::finite_differences(&Rect, &b, fd::DEFAULT_REL_STEP).keep_previous(), 1e-6, 2);
        let sparse_fd = SparseStore::finite_differences(&Rect, &b, pattern, fd::DEFAULT_REL_STEP).unwrap();
        check(sparse_fd.keep_previous(), 1e-6, 2);
        assert!(matches!(DenseStore::user(&Rect).matrix(), JacobianRef::Dense(m) if m.nrows() == 3));
    }

    #[test]
    fn without_keeping_the_values_stay_and_patterns_are_checked() {
        let mut store = DenseStore::user(&Rect);
        let e = store.evaluate(&[1.0, 20.0], &[0.0; 3]);
        assert!(!e.finite);
        let JacobianRef::Dense(m) = store.matrix() else { panic!("dense") };
        assert!(m[(2, 1)].is_nan());
        let square = SymbolicSparseColMat::try_new_from_indices(2, 2, &[Pair::new(0, 0)]).unwrap().0;
        assert!(matches!(
            SparseStore::new(UserSparse(&Rect), square, 3, 2),
            Err(SetupError::DimensionMismatch { what: "Jacobian pattern rows", expected: 3, found: 2 })
        ));
    }
}
