//! Sparse kernels on faer compressed-column matrices.

use faer::sparse::SparseColMatRef;

/// `out <- H v` where `h` stores the lower triangle (diagonal included) of a symmetric `H`.
pub fn symmetric_lower_matvec(h: SparseColMatRef<'_, usize, f64>, v: &[f64], out: &mut [f64]) {
    out.iter_mut().for_each(|o| *o = 0.0);
    let sym = h.symbolic();
    let vals = h.val();
    for (j, &vj) in v.iter().enumerate().take(sym.ncols()) {
        let range = sym.col_range(j);
        let rows = &sym.row_idx()[range.clone()];
        let mut acc = 0.0;
        for (&i, &hij) in rows.iter().zip(&vals[range]) {
            if i == j {
                acc += hij * vj;
            } else {
                out[i] += hij * vj;
                acc += hij * v[i];
            }
        }
        out[j] += acc;
    }
}

/// `out <- A v` for a general compressed-column `A` (`m x n`).
pub fn matvec(a: SparseColMatRef<'_, usize, f64>, v: &[f64], out: &mut [f64]) {
    out.iter_mut().for_each(|o| *o = 0.0);
    let sym = a.symbolic();
    let vals = a.val();
    for (j, &vj) in v.iter().enumerate().take(sym.ncols()) {
        let range = sym.col_range(j);
        for (&i, &aij) in sym.row_idx()[range.clone()].iter().zip(&vals[range]) {
            out[i] += aij * vj;
        }
    }
}

/// `out <- A' v` for a general compressed-column `A` (`m x n`, `out` of length `n`).
pub fn matvec_transpose(a: SparseColMatRef<'_, usize, f64>, v: &[f64], out: &mut [f64]) {
    let sym = a.symbolic();
    let vals = a.val();
    for (j, o) in out.iter_mut().enumerate().take(sym.ncols()) {
        let range = sym.col_range(j);
        let mut acc = 0.0;
        for (&i, &aij) in sym.row_idx()[range.clone()].iter().zip(&vals[range]) {
            acc += aij * v[i];
        }
        *o = acc;
    }
}

/// Positions of the diagonal entries in the value array of a lower-stored pattern, or the
/// first column whose diagonal is missing.
pub fn diagonal_positions(sym: faer::sparse::SymbolicSparseColMatRef<'_, usize>) -> Result<Vec<usize>, usize> {
    let mut pos = Vec::with_capacity(sym.ncols());
    for j in 0..sym.ncols() {
        let range = sym.col_range(j);
        match sym.row_idx()[range.clone()].iter().position(|&i| i == j) {
            Some(k) => pos.push(range.start + k),
            None => return Err(j),
        }
    }
    Ok(pos)
}
