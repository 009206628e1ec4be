//! The `R` factor of a sparse QR factorization `A P = Q R` (no column pivoting for size,
//! a fill-reducing column ordering `P`) and the entries of `(R'R)^{-1}` on the pattern of `R`.
//!
//! # Factorization
//!
//! `P` is faer's COLAMD ordering of the columns of `A` (Davis, Gilbert, Larimore & Ng 2004),
//! chosen to keep `R` sparse, not for stability or rank: `P` does not pivot on column norms.
//! The numeric factorization is faer's multifrontal supernodal Householder QR (`Q` is kept
//! implicit and dropped). Its `R` is transposed into a compressed-column lower-triangular
//! `L = R'` with sorted rows (diagonal first in each column), so that `L L' = P' A' A P`.
//!
//! # Selected inverse
//!
//! `Z = (L L')^{-1} = L^{-T} L^{-1}` satisfies `L' Z = L^{-1}`, a lower-triangular matrix with
//! diagonal `1 / l_jj`. Reading row `j` of that identity for the columns `k >= j` and using the
//! symmetry of `Z`, with `S` the rows below the diagonal in column `j` of `L`:
//!
//! ```text
//! z_kj = -(1 / l_jj) sum_{i in S} z_ki l_ij          (k in S),
//! z_jj =  (1 / l_jj) (1 / l_jj - sum_{i in S} l_ij z_ij),
//! ```
//!
//! computed for `j = n-1, ..., 0` (Golub & Plemmons 1980; Bjorck 1996, sec. 6.7; the same
//! recurrence as Takahashi, Fagan & Chen 1973 for LU). Every `z_ki` it reads, `k, i in S`, lies
//! in the pattern of `L` because the pattern of a Cholesky factor is closed under fill (if
//! `l_kj != 0` and `l_ij != 0` with `j < i < k` then `l_ki` is structurally nonzero), and so is
//! a relaxed supernodal pattern: the whole of `Z` on the pattern of `L` costs about as much as
//! the factorization and no more memory than `L`. The closure is checked as the recurrence
//! runs; should it fail, [`SparseR::selected_inverse`] returns `None` and the caller falls back
//! to one triangular solve per diagonal entry, `z_kk = ||L^{-1} e_k||^2`
//! ([`SparseR::inverse_diagonal_by_solves`]).
//!
//! Any other entry of `Z` costs two triangular solves ([`SparseR::inverse_column`]).
//!
//! References:
//! 1. G. H. Golub, R. J. Plemmons, Large-scale geodetic least-squares adjustment by dissection
//!    and orthogonal decomposition, Linear Algebra Appl. 34 (1980) 3-28.
//! 2. A. Bjorck, Numerical Methods for Least Squares Problems, SIAM (1996), sec. 2.7
//!    (covariance from `R`) and sec. 6.7 (sparse problems: computing selected elements of
//!    the covariance matrix).
//! 3. K. Takahashi, J. Fagan, M.-S. Chen, Formation of a sparse bus impedance matrix and its
//!    application to short circuit study, Proc. 8th PICA Conference (1973) 63-69.
//! 4. T. A. Davis, J. R. Gilbert, S. I. Larimore, E. G. Ng, A column approximate minimum degree
//!    ordering algorithm, ACM Trans. Math. Software 30 (2004) 353-376.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::perm::PermRef;
use faer::sparse::linalg::cholesky::supernodal::SupernodalLltRef;
use faer::sparse::linalg::colamd;
use faer::sparse::linalg::qr::{self as sqr, supernodal};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::Par;
use rayon::prelude::*;

/// Why [`SparseR::factorize`] could not factorize.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SparseQrError {
    /// Fewer rows than columns.
    Wide,
    /// faer's ordering or symbolic analysis failed (out of memory or index overflow).
    Analysis,
}

/// `L = R'` of a sparse QR factorization `A P = Q R` of an `m x n` matrix (`m >= n`).
#[derive(Clone, Debug)]
pub struct SparseR {
    n: usize,
    /// `perm[k]`: the column of `A` at position `k` of `A P`.
    perm: Vec<usize>,
    /// `position[j]`: the position of column `j` of `A` in `A P` (the inverse of `perm`).
    position: Vec<usize>,
    /// Compressed columns of `L` (lower triangular, rows sorted, diagonal first).
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    val: Vec<f64>,
}

/// `b <- A'` for a compressed-column `A` (`m x n`): the pattern and values of the `n x m`
/// transpose, rows sorted within each column (the columns of `A` are read in order).
fn transpose(a: SparseColMatRef<'_, usize, f64>) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
    let (m, n) = (a.nrows(), a.ncols());
    let sym = a.symbolic();
    let mut count = vec![0usize; m + 1];
    for j in 0..n {
        for &i in &sym.row_idx()[sym.col_range(j)] {
            count[i + 1] += 1;
        }
    }
    for i in 0..m {
        count[i + 1] += count[i];
    }
    let nnz = count[m];
    let col_ptr = count.clone();
    let mut next = count;
    let mut row_idx = vec![0usize; nnz];
    let mut val = vec![0.0; nnz];
    for j in 0..n {
        let range = sym.col_range(j);
        for (&i, &v) in sym.row_idx()[range.clone()].iter().zip(&a.val()[range]) {
            row_idx[next[i]] = j;
            val[next[i]] = v;
            next[i] += 1;
        }
    }
    (col_ptr, row_idx, val)
}

impl SparseR {
    /// Factorizes `a` (`m x n`, `m >= n`). The caller guarantees finite values, sorted row
    /// indices without duplicates within each column, and a compressed pattern (no
    /// per-column counts); sequential (`Par::Seq`): bitwise reproducible.
    pub fn factorize(a: SparseColMatRef<'_, usize, f64>) -> Result<Self, SparseQrError> {
        let (m, n) = (a.nrows(), a.ncols());
        if m < n {
            return Err(SparseQrError::Wide);
        }
        if n == 0 {
            return Ok(Self { n, perm: vec![], position: vec![], col_ptr: vec![0], row_idx: vec![], val: vec![] });
        }
        let sym = a.symbolic();
        let nnz = sym.compute_nnz();
        let scratch = StackReq::any_of(&[
            colamd::order_scratch::<usize>(m, n, nnz),
            sqr::col_etree_scratch::<usize>(m, n),
            sqr::postorder_scratch::<usize>(n),
            sqr::column_counts_aat_scratch::<usize>(m, n),
            sqr::column_counts_aat_scratch::<usize>(n, m),
            supernodal::factorize_supernodal_symbolic_qr_scratch::<usize>(m, n),
        ]);
        let mut mem = MemBuffer::try_new(scratch).map_err(|_| SparseQrError::Analysis)?;
        let stack = MemStack::new(&mut mem);

        let mut perm = vec![0usize; n];
        let mut position = vec![0usize; n];
        colamd::order(&mut perm, &mut position, sym, colamd::Control::default(), stack)
            .map_err(|_| SparseQrError::Analysis)?;
        let col_perm = PermRef::new_checked(&perm, &position, n);

        let mut etree_buf = vec![0usize; n];
        let etree = sqr::col_etree(sym, Some(col_perm), &mut etree_buf, stack);
        let mut post = vec![0usize; n];
        sqr::postorder(&mut post, etree, stack);
        let (t_ptr, t_idx, t_val) = transpose(a);
        let at_sym = SymbolicSparseColMatRef::new_checked(n, m, &t_ptr, None, &t_idx);
        let mut col_counts = vec![0usize; n];
        let mut min_col = vec![0usize; m];
        sqr::column_counts_ata(&mut col_counts, &mut min_col, at_sym, Some(col_perm), etree, &post, stack);
        let symbolic = supernodal::factorize_supernodal_symbolic_qr::<usize>(
            sym,
            Some(col_perm),
            min_col,
            etree,
            &col_counts,
            stack,
            Default::default(),
        )
        .map_err(|_| SparseQrError::Analysis)?;
        drop(mem);

        let h = symbolic.householder();
        let blocks = h.len_householder_row_idx() + h.n_supernodes();
        let mut householder_row_idx = vec![0usize; h.len_householder_row_idx()];
        let mut tau_block_size = vec![0usize; blocks];
        let mut householder_nrows = vec![0usize; blocks];
        let mut householder_ncols = vec![0usize; blocks];
        let mut r_val = vec![0.0f64; symbolic.R_adjoint().len_val()];
        let mut householder_val = vec![0.0f64; h.len_householder_val()];
        let mut tau_val = vec![0.0f64; h.len_tau_val()];
        let mut mem = MemBuffer::try_new(supernodal::factorize_supernodal_numeric_qr_scratch::<usize, f64>(
            &symbolic,
            Par::Seq,
            Default::default(),
        ))
        .map_err(|_| SparseQrError::Analysis)?;
        let at = SparseColMatRef::new(at_sym, &t_val);
        supernodal::factorize_supernodal_numeric_qr::<usize, f64>(
            &mut householder_row_idx,
            &mut tau_block_size,
            &mut householder_nrows,
            &mut householder_ncols,
            &mut r_val,
            &mut householder_val,
            &mut tau_val,
            at,
            Some(col_perm),
            &symbolic,
            Par::Seq,
            MemStack::new(&mut mem),
            Default::default(),
        );
        drop(mem);
        drop((householder_val, householder_row_idx, tau_block_size, householder_nrows, householder_ncols));

        // R' in supernodal storage: supernode s holds columns start..start+size of L as a
        // dense block, the lower triangle of its top size x size part and then one row per
        // entry of its pattern (the rows below the supernode).
        let llt = SupernodalLltRef::<usize, f64>::new(symbolic.R_adjoint(), &r_val);
        let mut col_ptr = Vec::with_capacity(n + 1);
        col_ptr.push(0);
        let mut row_idx = Vec::new();
        let mut val = Vec::new();
        let mut pairs: Vec<(usize, f64)> = Vec::new();
        for s in 0..symbolic.R_adjoint().n_supernodes() {
            let node = llt.supernode(s);
            let block = node.val();
            let size = block.ncols();
            let start = node.start();
            let pattern = node.pattern();
            let sorted = pattern.windows(2).all(|w| w[0] < w[1]);
            for c in 0..size {
                for r in c..size {
                    row_idx.push(start + r);
                    val.push(block[(r, c)]);
                }
                if sorted {
                    for (t, &row) in pattern.iter().enumerate() {
                        row_idx.push(row);
                        val.push(block[(size + t, c)]);
                    }
                } else {
                    pairs.clear();
                    pairs.extend(pattern.iter().enumerate().map(|(t, &row)| (row, block[(size + t, c)])));
                    pairs.sort_by_key(|p| p.0);
                    for &(row, v) in &pairs {
                        row_idx.push(row);
                        val.push(v);
                    }
                }
                col_ptr.push(row_idx.len());
            }
        }
        Ok(Self { n, perm, position, col_ptr, row_idx, val })
    }

    /// Number of columns `n`.
    pub fn ncols(&self) -> usize {
        self.n
    }

    /// Stored entries of `L = R'` (explicit zeros of the supernodal pattern included).
    pub fn nnz(&self) -> usize {
        self.val.len()
    }

    /// `position()[j]`: where column `j` of `A` sits in `A P`.
    pub fn position(&self) -> &[usize] {
        &self.position
    }

    /// `perm()[k]`: the column of `A` at position `k` of `A P`.
    pub fn perm(&self) -> &[usize] {
        &self.perm
    }

    /// `|R_kk|` for `k = 0..n` (in the order of `A P`).
    pub fn abs_diagonal(&self) -> Vec<f64> {
        (0..self.n).map(|k| self.val[self.col_ptr[k]].abs()).collect()
    }

    /// The entries of `Z = (R'R)^{-1}` (in the order of `A P`) on the pattern of `L`, laid out
    /// like its values; `None` if the pattern is not closed under fill (see the module docs).
    /// The caller guarantees a nonzero diagonal.
    pub fn selected_inverse(&self) -> Option<Vec<f64>> {
        let n = self.n;
        let mut z = vec![0.0; self.val.len()];
        let mut slot = vec![usize::MAX; n];
        let mut y: Vec<f64> = Vec::new();
        for j in (0..n).rev() {
            let first = self.col_ptr[j];
            let below = first + 1..self.col_ptr[j + 1];
            let d = self.val[first];
            let rows = &self.row_idx[below.clone()];
            let l = &self.val[below.clone()];
            let k = rows.len();
            y.clear();
            y.resize(k, 0.0);
            for (t, &r) in rows.iter().enumerate() {
                slot[r] = t;
            }
            let mut closed = true;
            // y = Z[S, S] l: every z_ab with a >= b, both in S, is in column b of the pattern.
            for (tb, &b) in rows.iter().enumerate() {
                let lb = l[tb];
                let mut hits = 0;
                for p in self.col_ptr[b]..self.col_ptr[b + 1] {
                    let ta = slot[self.row_idx[p]];
                    if ta == usize::MAX {
                        continue;
                    }
                    hits += 1;
                    let zab = z[p];
                    y[ta] += zab * lb;
                    if ta != tb {
                        y[tb] += zab * l[ta];
                    }
                }
                if hits != k - tb {
                    closed = false;
                    break;
                }
            }
            for &r in rows {
                slot[r] = usize::MAX;
            }
            if !closed {
                return None;
            }
            let mut acc = 0.0;
            for t in 0..k {
                let v = -y[t] / d;
                z[first + 1 + t] = v;
                acc += l[t] * v;
            }
            z[first] = (1.0 / d - acc) / d;
        }
        Some(z)
    }

    /// `z_kk = ||L^{-1} e_k||^2` for every `k` (the diagonal of `Z`, in the order of `A P`), one
    /// sparse forward solve per entry, in parallel (each entry is computed by one thread in a
    /// fixed order: the result does not depend on the thread count). Slower than
    /// [`SparseR::selected_inverse`]; needs no closure of the pattern.
    pub fn inverse_diagonal_by_solves(&self) -> Vec<f64> {
        (0..self.n)
            .into_par_iter()
            .map_init(
                || vec![0.0; self.n],
                |x, k| {
                    self.forward_unit(k, x);
                    let ss = x[k..].iter().map(|v| v * v).sum();
                    x[k..].iter_mut().for_each(|v| *v = 0.0);
                    ss
                },
            )
            .collect()
    }

    /// `x <- L^{-1} e_k` (in the order of `A P`); `x` is zero on entry and zero before `k`.
    fn forward_unit(&self, k: usize, x: &mut [f64]) {
        x[k] = 1.0;
        for c in k..self.n {
            let xc = x[c];
            if xc == 0.0 {
                continue;
            }
            let first = self.col_ptr[c];
            let xc = xc / self.val[first];
            x[c] = xc;
            for p in first + 1..self.col_ptr[c + 1] {
                x[self.row_idx[p]] -= self.val[p] * xc;
            }
        }
    }

    /// Column `k` of `Z = (R'R)^{-1}` (position `k` of `A P`; entries in the order of `A P`):
    /// `L^{-T} (L^{-1} e_k)`, two triangular solves.
    pub fn inverse_column(&self, k: usize) -> Vec<f64> {
        let mut x = vec![0.0; self.n];
        self.forward_unit(k, &mut x);
        // L' z = x, backwards: z_c = (x_c - sum_{i > c} l_ic z_i) / l_cc.
        for c in (0..self.n).rev() {
            let first = self.col_ptr[c];
            let mut acc = x[c];
            for p in first + 1..self.col_ptr[c + 1] {
                acc -= self.val[p] * x[self.row_idx[p]];
            }
            x[c] = acc / self.val[first];
        }
        x
    }

    /// The entry `(a, b)` of `Z` (positions of `A P`) from `z`, the output of
    /// [`SparseR::selected_inverse`], if it lies on the pattern of `L`.
    pub fn lookup(&self, z: &[f64], a: usize, b: usize) -> Option<f64> {
        let (row, col) = if a >= b { (a, b) } else { (b, a) };
        let range = self.col_ptr[col]..self.col_ptr[col + 1];
        self.row_idx[range.clone()].binary_search(&row).ok().map(|t| z[range.start + t])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
    }

    /// A random `m x n` sparse matrix with a full diagonal block (full column rank) and about
    /// `per_col` more entries per column; returns the pattern, the values and the dense copy.
    fn random(m: usize, n: usize, per_col: usize, seed: &mut u64) -> (Vec<usize>, Vec<usize>, Vec<f64>, Mat<f64>) {
        let mut dense = Mat::<f64>::zeros(m, n);
        for j in 0..n {
            dense[(j, j)] = 2.0 + lcg(seed);
            for _ in 0..per_col {
                let i = ((lcg(seed) + 0.5) * m as f64) as usize % m;
                dense[(i, j)] += lcg(seed);
            }
        }
        let (mut ptr, mut idx, mut val) = (vec![0], vec![], vec![]);
        for j in 0..n {
            for i in 0..m {
                if dense[(i, j)] != 0.0 {
                    idx.push(i);
                    val.push(dense[(i, j)]);
                }
            }
            ptr.push(idx.len());
        }
        (ptr, idx, val, dense)
    }

    #[test]
    fn factor_reproduces_the_gram_matrix_and_its_inverse() {
        let mut seed = 7;
        for (m, n, k) in [(5, 5, 1), (30, 12, 2), (80, 40, 3), (200, 150, 2)] {
            let (ptr, idx, val, dense) = random(m, n, k, &mut seed);
            let a = SparseColMatRef::new(SymbolicSparseColMatRef::new_checked(m, n, &ptr, None, &idx), &val);
            let r = SparseR::factorize(a).unwrap();
            // L L' = P' A'A P.
            let mut l = Mat::<f64>::zeros(n, n);
            for c in 0..n {
                assert_eq!(r.row_idx[r.col_ptr[c]], c, "diagonal first");
                for p in r.col_ptr[c]..r.col_ptr[c + 1] {
                    l[(r.row_idx[p], c)] = r.val[p];
                }
            }
            let llt = &l * l.transpose();
            let ata = dense.transpose() * &dense;
            for a_ in 0..n {
                for b in 0..n {
                    let want = ata[(r.perm[a_], r.perm[b])];
                    assert!((llt[(a_, b)] - want).abs() <= 1e-12 * (1.0 + want.abs()), "m={m} n={n}");
                }
            }
            // Selected inverse, solves and the diagonal by solves agree with each other.
            let z = r.selected_inverse().expect("closed pattern");
            let diag = r.inverse_diagonal_by_solves();
            for c in 0..n {
                let col = r.inverse_column(c);
                assert!((diag[c] - col[c]).abs() <= 1e-12 * col[c]);
                for p in r.col_ptr[c]..r.col_ptr[c + 1] {
                    let row = r.row_idx[p];
                    assert!((z[p] - col[row]).abs() <= 1e-11 * (col[c] * col[row].abs()).sqrt().max(col[c]));
                    assert_eq!(r.lookup(&z, c, row), Some(z[p]));
                }
            }
        }
    }

    #[test]
    fn wide_and_empty() {
        let ptr = [0usize, 1, 2];
        let idx = [0usize, 0];
        let val = [1.0, 2.0];
        let a = SparseColMatRef::new(SymbolicSparseColMatRef::new_checked(1, 2, &ptr, None, &idx), &val);
        assert_eq!(SparseR::factorize(a).unwrap_err(), SparseQrError::Wide);
        let ptr = [0usize];
        let a = SparseColMatRef::new(SymbolicSparseColMatRef::new_checked(3, 0, &ptr, None, &[]), &[] as &[f64]);
        let r = SparseR::factorize(a).unwrap();
        assert_eq!(r.ncols(), 0);
        assert_eq!(r.selected_inverse(), Some(vec![]));
    }
}
