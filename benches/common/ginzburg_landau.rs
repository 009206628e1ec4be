//! The 2-D Ginzburg-Landau-type energy shared by `tests/sparse_exact.rs` and
//! `benches/sparse_exact.rs` (included with `#[path]`): a sparse, nonconvex test problem for
//! the sparse More-Sorensen path.

use faer::sparse::SymbolicSparseColMat;
use trust_region::{HessianProduct, Objective, SparseHessian};

/// A 2-D Ginzburg-Landau-type energy on an `m x m` grid with zero boundary values:
/// `f = sum_edges (u_p - u_q)^2 / 2 + h^2 sum_p c (u_p^2 - 1)^2 / 4`. Its Hessian, the grid
/// Laplacian plus `h^2 c diag(3 u^2 - 1)`, is indefinite near `u = 0` when `c` is large.
pub struct GinzburgLandau {
    /// Grid points per side (`n = m^2`).
    pub m: usize,
    /// Weight of the double-well term.
    pub c: f64,
}

impl GinzburgLandau {
    fn idx(&self, i: usize, j: usize) -> usize {
        i + self.m * j
    }
    fn w(&self) -> f64 {
        let h = 1.0 / (self.m + 1) as f64;
        h * h * self.c
    }
}

impl Objective for GinzburgLandau {
    fn dim(&self) -> usize {
        self.m * self.m
    }
    fn value(&self, x: &[f64]) -> f64 {
        let m = self.m;
        let mut f = 0.0;
        for j in 0..m {
            for i in 0..m {
                let u = x[self.idx(i, j)];
                let right = if i + 1 < m { x[self.idx(i + 1, j)] } else { 0.0 };
                let up = if j + 1 < m { x[self.idx(i, j + 1)] } else { 0.0 };
                f += 0.5 * (u - right).powi(2) + 0.5 * (u - up).powi(2);
                if i == 0 {
                    f += 0.5 * u * u;
                }
                if j == 0 {
                    f += 0.5 * u * u;
                }
                f += 0.25 * self.w() * (u * u - 1.0).powi(2);
            }
        }
        f
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        let m = self.m;
        for j in 0..m {
            for i in 0..m {
                let p = self.idx(i, j);
                let u = x[p];
                let nb = |ii: isize, jj: isize| -> f64 {
                    if ii < 0 || jj < 0 || ii >= m as isize || jj >= m as isize {
                        0.0
                    } else {
                        x[self.idx(ii as usize, jj as usize)]
                    }
                };
                let (ii, jj) = (i as isize, j as isize);
                g[p] = 4.0 * u - nb(ii - 1, jj) - nb(ii + 1, jj) - nb(ii, jj - 1) - nb(ii, jj + 1)
                    + self.w() * u * (u * u - 1.0);
            }
        }
    }
}

impl HessianProduct for GinzburgLandau {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let m = self.m;
        for j in 0..m {
            for i in 0..m {
                let p = self.idx(i, j);
                let mut acc = (4.0 + self.w() * (3.0 * x[p] * x[p] - 1.0)) * v[p];
                if i > 0 {
                    acc -= v[self.idx(i - 1, j)];
                }
                if i + 1 < m {
                    acc -= v[self.idx(i + 1, j)];
                }
                if j > 0 {
                    acc -= v[self.idx(i, j - 1)];
                }
                if j + 1 < m {
                    acc -= v[self.idx(i, j + 1)];
                }
                hv[p] = acc;
            }
        }
    }
}

impl SparseHessian for GinzburgLandau {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let m = self.m;
        let n = m * m;
        let mut col_ptr = vec![0usize];
        let mut rows = Vec::new();
        for j in 0..m {
            for i in 0..m {
                let p = self.idx(i, j);
                rows.push(p);
                if i + 1 < m {
                    rows.push(self.idx(i + 1, j));
                }
                if j + 1 < m {
                    rows.push(self.idx(i, j + 1));
                }
                col_ptr.push(rows.len());
            }
        }
        SymbolicSparseColMat::new_checked(n, n, col_ptr, None, rows)
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        let m = self.m;
        let mut k = 0;
        for j in 0..m {
            for i in 0..m {
                let p = self.idx(i, j);
                values[k] = 4.0 + self.w() * (3.0 * x[p] * x[p] - 1.0);
                k += 1;
                if i + 1 < m {
                    values[k] = -1.0;
                    k += 1;
                }
                if j + 1 < m {
                    values[k] = -1.0;
                    k += 1;
                }
            }
        }
    }
}
