//! Finite-difference Jacobians of residuals `F: R^n -> R^m` inside a box `l <= x <= u`.
//!
//! The problem: approximate `J(x)` when the user provides only `F`, without ever evaluating
//! `F` outside the box (the functions of bound-constrained systems are often undefined there).
//!
//! Equations:
//! - one-sided difference [1, sec. 5.4]: `J e_j ~ (F(x + h_j e_j) - F(x)) / h_j`, with
//!   `h_j = rel_step * max(|x_j|, 1)` and `rel_step = sqrt(eps)` by default (error
//!   `O(h) + O(eps / h)`, balanced at `sqrt(eps)`);
//! - the box: the forward point is used when `x_j + h_j < u_j`; otherwise the backward point
//!   `x_j - h_j` when it is `> l_j`; when the box is narrower than `h_j` on both sides, half
//!   the distance to the farther bound. The step actually taken is `(x_j + h_j) - x_j`
//!   (exactly representable), and every evaluation point lies strictly inside the box when
//!   `x` does;
//! - sparse Jacobians (Curtis, Powell & Reid \[2\]): columns that share no row form a group and
//!   are perturbed together, so one evaluation of `F` gives every column of the group. The
//!   groups are a coloring of the column intersection graph (columns `j` and `k` are adjacent
//!   when some row has entries in both), computed greedily in natural column order \[3\]
//!   ([`ColumnGroups::greedy`]).
//!
//! The groups are evaluated in parallel with rayon; each group writes its own buffers and the
//! Jacobian is assembled sequentially afterwards, so the result is bitwise identical for any
//! number of threads.
//!
//! References:
//! 1. J. E. Dennis, R. B. Schnabel, Numerical Methods for Unconstrained Optimization and
//!    Nonlinear Equations, SIAM (1996), sec. 5.4.
//! 2. A. R. Curtis, M. J. D. Powell, J. K. Reid, On the estimation of sparse Jacobian
//!    matrices, J. Inst. Math. Appl. 13 (1974) 117-119.
//! 3. T. F. Coleman, J. J. More, Estimation of sparse Jacobian matrices and graph coloring
//!    problems, SIAM J. Numer. Anal. 20 (1983) 187-209.

use faer::sparse::SymbolicSparseColMatRef;
use faer::MatMut;
use rayon::prelude::*;

use super::{Bounds, Residuals};

/// Default relative step `sqrt(eps)` (Dennis & Schnabel 1996, sec. 5.4).
pub const DEFAULT_REL_STEP: f64 = 1.4901161193847656e-8;

/// The perturbed coordinate for column `j`: forward when it stays strictly below `u`,
/// backward when it stays strictly above `l`, else half-way to the farther bound.
/// Returns the perturbed value `x_j + h` (the step is `returned - x_j`).
pub fn perturbed_coordinate(xj: f64, lower: f64, upper: f64, rel_step: f64) -> f64 {
    let h = rel_step * xj.abs().max(1.0);
    let fwd = xj + h;
    if fwd < upper && fwd != xj {
        return fwd;
    }
    let bwd = xj - h;
    if bwd > lower && bwd != xj {
        return bwd;
    }
    // The box is narrower than h around x: half the distance to the farther bound.
    if upper - xj >= xj - lower {
        xj + 0.5 * (upper - xj)
    } else {
        xj - 0.5 * (xj - lower)
    }
}

/// Dense forward-difference Jacobian (backward at the upper bound) into `jac` (`m x n`).
///
/// `fx = F(x)` must be given; `x_work` (length `n`) and `f_work` (length `m`) are scratch.
/// Returns the number of evaluations of `F` (`n`).
#[allow(clippy::too_many_arguments)]
pub fn dense_jacobian<P: Residuals + ?Sized>(
    problem: &P,
    x: &[f64],
    fx: &[f64],
    bounds: &Bounds,
    rel_step: f64,
    x_work: &mut [f64],
    f_work: &mut [f64],
    mut jac: MatMut<'_, f64>,
) -> usize {
    let n = x.len();
    x_work.copy_from_slice(x);
    for j in 0..n {
        let xt = perturbed_coordinate(x[j], bounds.lower[j], bounds.upper[j], rel_step);
        let h = xt - x[j];
        x_work[j] = xt;
        problem.residuals(x_work, f_work);
        x_work[j] = x[j];
        for (i, (&ft, &f0)) in f_work.iter().zip(fx).enumerate() {
            jac[(i, j)] = (ft - f0) / h;
        }
    }
    n
}

/// A partition of the columns into structurally orthogonal groups (no two columns of a group
/// have an entry in the same row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnGroups {
    /// `color[j]`: the group of column `j`.
    pub color: Vec<usize>,
    /// Number of groups.
    pub count: usize,
}

impl ColumnGroups {
    /// Greedy coloring of the column intersection graph in natural column order
    /// (Curtis-Powell-Reid; Coleman & More 1983, sec. 3): column `j` gets the smallest group
    /// used by no earlier column that shares a row with it.
    pub fn greedy(pattern: SymbolicSparseColMatRef<'_, usize>) -> Self {
        let (m, n) = (pattern.nrows(), pattern.ncols());
        // Row-wise lists of columns (the transpose pattern).
        let mut row_count = vec![0usize; m + 1];
        for j in 0..n {
            for &i in &pattern.row_idx()[pattern.col_range(j)] {
                row_count[i + 1] += 1;
            }
        }
        for i in 0..m {
            row_count[i + 1] += row_count[i];
        }
        let row_ptr = row_count.clone();
        let mut next = row_count;
        let mut row_cols = vec![0usize; row_ptr[m]];
        for j in 0..n {
            for &i in &pattern.row_idx()[pattern.col_range(j)] {
                row_cols[next[i]] = j;
                next[i] += 1;
            }
        }
        let mut color = vec![usize::MAX; n];
        // mark[c] == j: group c is used by a neighbour of column j.
        let mut mark = vec![usize::MAX; n.max(1)];
        let mut count = 0;
        for j in 0..n {
            for &i in &pattern.row_idx()[pattern.col_range(j)] {
                for &k in &row_cols[row_ptr[i]..row_ptr[i + 1]] {
                    if color[k] != usize::MAX {
                        mark[color[k]] = j;
                    }
                }
            }
            let c = (0..).find(|&c| c >= count || mark[c] != j).unwrap_or(count);
            color[j] = c;
            count = count.max(c + 1);
        }
        Self { color, count }
    }

    /// Whether no two columns of a group share a row (the defining property).
    pub fn is_valid_for(&self, pattern: SymbolicSparseColMatRef<'_, usize>) -> bool {
        let mut seen = vec![usize::MAX; pattern.nrows() * self.count.max(1)];
        for j in 0..pattern.ncols() {
            let c = self.color[j];
            for &i in &pattern.row_idx()[pattern.col_range(j)] {
                let slot = &mut seen[c * pattern.nrows() + i];
                if *slot != usize::MAX && *slot != j {
                    return false;
                }
                *slot = j;
            }
        }
        true
    }
}

/// Sparse finite-difference Jacobian with Curtis-Powell-Reid groups and all buffers
/// allocated once (one perturbed point and one residual vector per group).
#[derive(Clone, Debug)]
pub struct SparseFd {
    groups: ColumnGroups,
    rel_step: f64,
    x_groups: Vec<f64>,
    f_groups: Vec<f64>,
    perturbed: Vec<f64>,
    m: usize,
}

impl SparseFd {
    /// Groups for `pattern` (`m x n`) and buffers of `count * (n + m)` values.
    pub fn new(pattern: SymbolicSparseColMatRef<'_, usize>, rel_step: f64) -> Self {
        let groups = ColumnGroups::greedy(pattern);
        let (m, n) = (pattern.nrows(), pattern.ncols());
        Self {
            x_groups: vec![0.0; groups.count * n],
            f_groups: vec![0.0; groups.count * m],
            perturbed: vec![0.0; n],
            groups,
            rel_step,
            m,
        }
    }

    /// The column groups.
    pub fn groups(&self) -> &ColumnGroups {
        &self.groups
    }

    /// Writes the values of `J(x)` in the order of `pattern` (the one given to
    /// [`SparseFd::new`]) into `values`. `fx = F(x)`. Returns the number of evaluations of `F`
    /// (the number of groups). Groups run in parallel (rayon); the result does not depend on
    /// the number of threads.
    pub fn jacobian<P: Residuals + Sync + ?Sized>(
        &mut self,
        problem: &P,
        x: &[f64],
        fx: &[f64],
        bounds: &Bounds,
        pattern: SymbolicSparseColMatRef<'_, usize>,
        values: &mut [f64],
    ) -> usize {
        let n = x.len();
        let m = self.m;
        let count = self.groups.count;
        if count == 0 {
            return 0;
        }
        for j in 0..n {
            self.perturbed[j] = perturbed_coordinate(x[j], bounds.lower[j], bounds.upper[j], self.rel_step);
        }
        let color = &self.groups.color;
        let perturbed = &self.perturbed;
        self.x_groups.par_chunks_mut(n.max(1)).zip(self.f_groups.par_chunks_mut(m.max(1))).enumerate().for_each(
            |(c, (xg, fg))| {
                xg.copy_from_slice(x);
                for j in 0..n {
                    if color[j] == c {
                        xg[j] = perturbed[j];
                    }
                }
                problem.residuals(xg, &mut fg[..m]);
            },
        );
        for j in 0..n {
            let h = self.perturbed[j] - x[j];
            let fg = &self.f_groups[color[j] * m..(color[j] + 1) * m];
            let range = pattern.col_range(j);
            for (&i, v) in pattern.row_idx()[range.clone()].iter().zip(&mut values[range]) {
                *v = (fg[i] - fx[i]) / h;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::sparse::{SparseColMat, Triplet};
    use faer::Mat;

    struct Tri {
        n: usize,
    }

    impl Residuals for Tri {
        fn dim(&self) -> usize {
            self.n
        }
        fn residual_count(&self) -> usize {
            self.n
        }
        fn residuals(&self, x: &[f64], r: &mut [f64]) {
            for i in 0..self.n {
                let left = if i > 0 { x[i - 1] } else { 0.0 };
                let right = if i + 1 < self.n { x[i + 1] } else { 0.0 };
                r[i] = (3.0 - 2.0 * x[i]) * x[i] - left - 2.0 * right + 1.0;
            }
        }
    }

    fn tri_pattern(n: usize) -> SparseColMat<usize, f64> {
        let mut t = Vec::new();
        for j in 0..n {
            for i in j.saturating_sub(1)..(j + 2).min(n) {
                t.push(Triplet::new(i, j, 0.0));
            }
        }
        SparseColMat::try_new_from_triplets(n, n, &t).unwrap()
    }

    #[test]
    fn tridiagonal_needs_three_groups() {
        let a = tri_pattern(10);
        let g = ColumnGroups::greedy(a.symbolic());
        assert_eq!(g.count, 3);
        assert!(g.is_valid_for(a.symbolic()));
        assert!(!ColumnGroups { color: vec![0; 10], count: 1 }.is_valid_for(a.symbolic()));
    }

    #[test]
    fn sparse_matches_dense_and_stays_in_the_box() {
        let n = 7;
        let p = Tri { n };
        let x: Vec<f64> = (0..n).map(|i| 0.1 * i as f64).collect();
        // The upper bound of variable 3 sits just above x_3: its difference goes backwards.
        let mut upper = vec![10.0; n];
        upper[3] = x[3] + 1e-9;
        let bounds = Bounds::new(vec![-10.0; n], upper).unwrap();
        let mut fx = vec![0.0; n];
        p.residuals(&x, &mut fx);
        let mut dense = Mat::zeros(n, n);
        let (mut xw, mut fw) = (vec![0.0; n], vec![0.0; n]);
        let evals = dense_jacobian(&p, &x, &fx, &bounds, DEFAULT_REL_STEP, &mut xw, &mut fw, dense.as_mut());
        assert_eq!(evals, n);
        let a = tri_pattern(n);
        let mut fd = SparseFd::new(a.symbolic(), DEFAULT_REL_STEP);
        let mut values = vec![0.0; a.val().len()];
        assert_eq!(fd.jacobian(&p, &x, &fx, &bounds, a.symbolic(), &mut values), 3);
        for j in 0..n {
            let range = a.symbolic().col_range(j);
            for (&i, &v) in a.symbolic().row_idx()[range.clone()].iter().zip(&values[range]) {
                assert_eq!(v, dense[(i, j)]);
                let exact = if i == j {
                    3.0 - 4.0 * x[j]
                } else if i == j + 1 {
                    -1.0
                } else {
                    -2.0
                };
                assert!((v - exact).abs() < 1e-6, "({i},{j}): {v} vs {exact}");
            }
        }
        assert!(perturbed_coordinate(x[3], -10.0, x[3] + 1e-9, DEFAULT_REL_STEP) < x[3]);
        // A box narrower than the step on both sides.
        let t = perturbed_coordinate(0.5, 0.5 - 1e-12, 0.5 + 2e-12, DEFAULT_REL_STEP);
        assert!(t > 0.5 && t < 0.5 + 2e-12);
    }
}
