//! LU factorizations of square Jacobians with typed failure: dense (partial pivoting) and
//! sparse (fill-reducing column ordering, threshold-free partial pivoting) with the symbolic
//! analysis done once and reused for every numeric factorization.
//!
//! The problem: solve `J s = -F` for the Newton step of a square nonlinear system, at every
//! accepted point, for a Jacobian whose sparsity pattern never changes.
//!
//! Equations and variant:
//! - dense: `P J = L U` with row pivoting (faer `lu_in_place`, [1, Algorithm 3.4.1]); the
//!   factorization is declared singular when a pivot satisfies
//!   `|u_kk| <= n eps max_ij |J_ij|` (the pivot is at the level of the rounding errors of the
//!   elimination, [1, sec. 3.3.2]) or is not finite;
//! - sparse: `P J Q = L U` with `Q` from COLAMD, computed once ([`SparseLu::analyze`]), then a
//!   numeric factorization per Jacobian into reused storage ([`SparseLu::factorize`]) [2, 3].
//!   faer reports a structurally singular column (`SymbolicSingular`); an exactly zero numeric
//!   pivot produces non-finite factors, which [`SparseLu::solve_in_place`] detects in the
//!   solution.
//!
//! Every kernel runs with `Par::Seq`, so results do not depend on the thread count.
//!
//! References:
//! 1. G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., Johns Hopkins (2013), ch. 3.
//! 2. T. A. Davis, J. R. Gilbert, S. I. Larimore, E. G. Ng, A column approximate minimum degree
//!    ordering algorithm, ACM TOMS 30 (2004) 353-376.
//! 3. T. A. Davis, Direct Methods for Sparse Linear Systems, SIAM (2006), ch. 6.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::lu::partial_pivoting::factor::{lu_in_place, lu_in_place_scratch};
use faer::linalg::lu::partial_pivoting::solve::{solve_in_place_scratch, solve_in_place_with_conj};
use faer::perm::PermRef;
use faer::sparse::linalg::lu::{factorize_symbolic_lu, LuRef, NumericLu, SymbolicLu};
use faer::sparse::linalg::LuError;
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{ColMut, Conj, Mat, MatRef, Par};

/// Why an LU factorization or solve could not produce a usable result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LuFailure {
    /// The matrix is (numerically) singular: pivot `index` (in elimination order) is zero or
    /// below the rounding level.
    Singular {
        /// Elimination step at which no acceptable pivot was found.
        index: usize,
    },
    /// The matrix or the computed solution contains NaN or an infinity.
    NonFinite,
    /// No factorization is available (never computed, failed, or the symbolic analysis is
    /// missing).
    NotFactorized,
    /// The sparse symbolic analysis failed (index overflow or out of memory).
    Analysis,
    /// Sizes do not match.
    Dimension,
}

impl std::fmt::Display for LuFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LuFailure::Singular { index } => write!(f, "singular matrix (pivot {index})"),
            LuFailure::NonFinite => write!(f, "non-finite matrix or solution"),
            LuFailure::NotFactorized => write!(f, "no factorization available"),
            LuFailure::Analysis => write!(f, "symbolic analysis failed"),
            LuFailure::Dimension => write!(f, "dimension mismatch"),
        }
    }
}

impl std::error::Error for LuFailure {}

/// Dense LU with partial pivoting, all storage allocated once.
pub struct DenseLu {
    factor: Mat<f64>,
    perm: Vec<usize>,
    perm_inv: Vec<usize>,
    mem: MemBuffer,
    ok: bool,
}

impl std::fmt::Debug for DenseLu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DenseLu").field("n", &self.dim()).field("factorized", &self.ok).finish()
    }
}

impl DenseLu {
    /// Workspace for `n x n` matrices.
    pub fn new(n: usize) -> Self {
        let req = StackReq::any_of(&[
            lu_in_place_scratch::<usize, f64>(n, n, Par::Seq, Default::default()),
            solve_in_place_scratch::<usize, f64>(n, 1, Par::Seq),
        ]);
        Self { factor: Mat::zeros(n, n), perm: vec![0; n], perm_inv: vec![0; n], mem: MemBuffer::new(req), ok: false }
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.factor.nrows()
    }

    /// Whether the last factorization succeeded.
    pub fn is_factorized(&self) -> bool {
        self.ok
    }

    /// Factorizes `P A = L U`. Fails on non-finite entries or a pivot with
    /// `|u_kk| <= n eps max_ij |a_ij|` (see the module docs).
    pub fn factorize(&mut self, a: MatRef<'_, f64>) -> Result<(), LuFailure> {
        let n = self.dim();
        self.ok = false;
        if a.nrows() != n || a.ncols() != n {
            return Err(LuFailure::Dimension);
        }
        let mut amax = 0.0f64;
        for j in 0..n {
            for i in 0..n {
                let v = a[(i, j)];
                if !v.is_finite() {
                    return Err(LuFailure::NonFinite);
                }
                amax = amax.max(v.abs());
                self.factor[(i, j)] = v;
            }
        }
        if n == 0 {
            self.ok = true;
            return Ok(());
        }
        if amax == 0.0 {
            return Err(LuFailure::Singular { index: 0 });
        }
        lu_in_place(
            self.factor.as_mut(),
            &mut self.perm,
            &mut self.perm_inv,
            Par::Seq,
            MemStack::new(&mut self.mem),
            Default::default(),
        );
        // Pivot test at the rounding level of the elimination (Golub & Van Loan, sec. 3.3.2).
        let tiny = n as f64 * f64::EPSILON * amax;
        for k in 0..n {
            let u = self.factor[(k, k)];
            if !u.is_finite() {
                return Err(LuFailure::NonFinite);
            }
            if u.abs() <= tiny {
                return Err(LuFailure::Singular { index: k });
            }
        }
        self.ok = true;
        Ok(())
    }

    /// Solves `A x = rhs` in place with the last factorization. Fails when there is none or
    /// when the solution is not finite (overflow on a nearly singular matrix).
    pub fn solve_in_place(&mut self, rhs: &mut [f64]) -> Result<(), LuFailure> {
        if !self.ok {
            return Err(LuFailure::NotFactorized);
        }
        let n = self.dim();
        if rhs.len() != n {
            return Err(LuFailure::Dimension);
        }
        let lu = self.factor.as_ref();
        // SAFETY-free: the permutation arrays were written by `lu_in_place` and are inverse
        // to each other; `new_checked` verifies it in debug builds.
        let perm = PermRef::new_checked(&self.perm, &self.perm_inv, n);
        let col = ColMut::from_slice_mut(rhs);
        solve_in_place_with_conj(lu, lu, perm, Conj::No, col.as_mat_mut(), Par::Seq, MemStack::new(&mut self.mem));
        if rhs.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(LuFailure::NonFinite)
        }
    }
}

/// Sparse LU of a square matrix with a fixed pattern: one symbolic analysis
/// ([`SparseLu::analyze`]), then numeric factorizations into reused storage.
///
/// Counts symbolic analyses and numeric factorizations (successful or not).
pub struct SparseLu {
    symbolic: Option<SymbolicLu<usize>>,
    numeric: NumericLu<usize, f64>,
    mem: MemBuffer,
    n: usize,
    ok: bool,
    symbolic_analyses: usize,
    factorizations: usize,
}

impl std::fmt::Debug for SparseLu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparseLu")
            .field("n", &self.n)
            .field("analyzed", &self.symbolic.is_some())
            .field("factorized", &self.ok)
            .field("symbolic_analyses", &self.symbolic_analyses)
            .field("factorizations", &self.factorizations)
            .finish()
    }
}

impl Default for SparseLu {
    fn default() -> Self {
        Self::new()
    }
}

impl SparseLu {
    /// An empty factorization; call [`SparseLu::analyze`] first.
    pub fn new() -> Self {
        Self {
            symbolic: None,
            numeric: NumericLu::new(),
            mem: MemBuffer::new(StackReq::EMPTY),
            n: 0,
            ok: false,
            symbolic_analyses: 0,
            factorizations: 0,
        }
    }

    /// Symbolic analysis (COLAMD column ordering, elimination tree, supernodal or simplicial
    /// choice) of a square pattern, and the workspace for every later factorization and solve.
    pub fn analyze(&mut self, pattern: SymbolicSparseColMatRef<'_, usize>) -> Result<(), LuFailure> {
        self.ok = false;
        self.symbolic = None;
        if pattern.nrows() != pattern.ncols() {
            return Err(LuFailure::Dimension);
        }
        self.symbolic_analyses += 1;
        let symbolic = factorize_symbolic_lu(pattern, Default::default()).map_err(|_| LuFailure::Analysis)?;
        let req = StackReq::any_of(&[
            symbolic.factorize_numeric_lu_scratch::<f64>(Par::Seq, Default::default()),
            symbolic.solve_in_place_scratch::<f64>(1, Par::Seq),
        ]);
        self.mem = MemBuffer::try_new(req).map_err(|_| LuFailure::Analysis)?;
        self.n = pattern.nrows();
        self.symbolic = Some(symbolic);
        Ok(())
    }

    /// Dimension of the analyzed pattern.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Whether the last factorization succeeded.
    pub fn is_factorized(&self) -> bool {
        self.ok
    }

    /// Number of symbolic analyses so far.
    pub fn symbolic_analyses(&self) -> usize {
        self.symbolic_analyses
    }

    /// Number of numeric factorizations attempted so far.
    pub fn factorizations(&self) -> usize {
        self.factorizations
    }

    /// Numeric factorization of `a`, whose pattern must be the analyzed one.
    pub fn factorize(&mut self, a: SparseColMatRef<'_, usize, f64>) -> Result<(), LuFailure> {
        self.ok = false;
        let Some(symbolic) = self.symbolic.as_ref() else {
            return Err(LuFailure::NotFactorized);
        };
        if a.nrows() != self.n || a.ncols() != self.n {
            return Err(LuFailure::Dimension);
        }
        if !a.val().iter().all(|v| v.is_finite()) {
            return Err(LuFailure::NonFinite);
        }
        self.factorizations += 1;
        match symbolic.factorize_numeric_lu(
            &mut self.numeric,
            a,
            Par::Seq,
            MemStack::new(&mut self.mem),
            Default::default(),
        ) {
            Ok(_) => {
                self.ok = true;
                Ok(())
            }
            Err(LuError::SymbolicSingular { index }) => Err(LuFailure::Singular { index }),
            Err(LuError::Generic(_)) => Err(LuFailure::Analysis),
        }
    }

    /// Solves `A x = rhs` in place with the last factorization; fails when there is none or
    /// when the solution is not finite (a zero numeric pivot).
    pub fn solve_in_place(&mut self, rhs: &mut [f64]) -> Result<(), LuFailure> {
        if !self.ok {
            return Err(LuFailure::NotFactorized);
        }
        let Some(symbolic) = self.symbolic.as_ref() else {
            return Err(LuFailure::NotFactorized);
        };
        if rhs.len() != self.n {
            return Err(LuFailure::Dimension);
        }
        let lu = LuRef::new_unchecked(symbolic, &self.numeric);
        let col = ColMut::from_slice_mut(rhs);
        lu.solve_in_place_with_conj(Conj::No, col.as_mat_mut(), Par::Seq, MemStack::new(&mut self.mem));
        if rhs.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(LuFailure::NonFinite)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::sparse::{SparseColMat, Triplet};

    fn dense(a: &[[f64; 3]; 3]) -> Mat<f64> {
        Mat::from_fn(3, 3, |i, j| a[i][j])
    }

    #[test]
    fn dense_solves_and_detects_singularity() {
        let a = dense(&[[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]]);
        let mut lu = DenseLu::new(3);
        lu.factorize(a.as_ref()).unwrap();
        let x = [1.0, -2.0, 0.5];
        let mut b = [0.0; 3];
        crate::linalg::dense::matvec(a.as_ref(), &x, &mut b);
        lu.solve_in_place(&mut b).unwrap();
        for k in 0..3 {
            assert!((b[k] - x[k]).abs() < 1e-14);
        }
        let s = dense(&[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]]);
        assert!(matches!(lu.factorize(s.as_ref()), Err(LuFailure::Singular { .. })));
        assert_eq!(lu.solve_in_place(&mut b), Err(LuFailure::NotFactorized));
        let nan = dense(&[[f64::NAN, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
        assert_eq!(lu.factorize(nan.as_ref()), Err(LuFailure::NonFinite));
        assert_eq!(lu.factorize(Mat::<f64>::zeros(3, 3).as_ref()), Err(LuFailure::Singular { index: 0 }));
    }

    #[test]
    fn sparse_reuses_the_analysis() {
        let t = [
            Triplet::new(0, 0, 4.0),
            Triplet::new(1, 0, 1.0),
            Triplet::new(1, 1, 3.0),
            Triplet::new(2, 1, -1.0),
            Triplet::new(0, 2, 2.0),
            Triplet::new(2, 2, 5.0),
        ];
        let mut a = SparseColMat::try_new_from_triplets(3, 3, &t).unwrap();
        let mut lu = SparseLu::new();
        lu.analyze(a.symbolic()).unwrap();
        let x = [1.0, 2.0, -1.0];
        for round in 0..3 {
            for v in a.val_mut() {
                *v *= 1.0 + round as f64;
            }
            lu.factorize(a.as_ref()).unwrap();
            let mut b = [0.0; 3];
            crate::linalg::sparse::matvec(a.as_ref(), &x, &mut b);
            lu.solve_in_place(&mut b).unwrap();
            for k in 0..3 {
                assert!((b[k] - x[k]).abs() < 1e-14, "{b:?}");
            }
        }
        assert_eq!(lu.symbolic_analyses(), 1);
        assert_eq!(lu.factorizations(), 3);
        // Numerically singular values on the same pattern: a typed failure, no panic.
        for v in a.val_mut() {
            *v = 0.0;
        }
        let fact = lu.factorize(a.as_ref());
        let mut b = [1.0; 3];
        assert!(fact.is_err() || lu.solve_in_place(&mut b).is_err());
        // Structurally singular pattern (an empty column).
        let t = [Triplet::new(0, 0, 1.0), Triplet::new(1, 0, 1.0)];
        let s = SparseColMat::try_new_from_triplets(2, 2, &t).unwrap();
        let mut lu = SparseLu::new();
        lu.analyze(s.symbolic()).unwrap();
        assert!(matches!(lu.factorize(s.as_ref()), Err(LuFailure::Singular { .. })));
    }
}
