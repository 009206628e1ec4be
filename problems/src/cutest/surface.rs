//! FMINSURF: the minimum surface on a `p x p` grid (one element per grid square, a 9-point
//! stencil), plus a rank-one term that couples every variable. Sources and SIF conventions:
//! [`super`].

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use trust_region::problem::{DenseHessian, HessianProduct, Objective, SparseHessian, SparseHessianApproximation};

use super::dense::{dense_lower_pattern, dense_lower_slot, DENSE_PATTERN_MAX_N};
use super::{Cutest, Elemental, Formulation, Listing, DENSE_HESSIAN_MAX_N, MAX_ELEMENT_VARS};
use crate::mgh::Scalar;

/// The area terms of FMINSURF as element functions (one element per little square); the
/// start point is FMINSURF's.
#[derive(Clone, Copy, Debug)]
pub struct FminsurfArea {
    p: usize,
}

impl FminsurfArea {
    /// Variable index of the grid point `(i, j)` (0-based): the SIF declares `X(I,J)` with `J`
    /// in the outer loop.
    #[inline]
    fn idx(&self, i: usize, j: usize) -> usize {
        j * self.p + i
    }
}

impl Cutest for FminsurfArea {
    fn n(&self) -> usize {
        self.p * self.p
    }
    fn x0(&self) -> Vec<f64> {
        let p = self.p;
        let rp1 = (p - 1) as f64;
        let (wtoe, ston) = (4.0 / rp1, 8.0 / rp1);
        let mut x = vec![0.0; p * p];
        for j in 0..p {
            let th = j as f64 * wtoe;
            x[self.idx(0, j)] = th + 1.0;
            x[self.idx(p - 1, j)] = th + 9.0;
        }
        for i in 1..p - 1 {
            let tv = i as f64 * ston;
            x[self.idx(i, p - 1)] = tv + 5.0;
            x[self.idx(i, 0)] = tv + 1.0;
        }
        x
    }
    fn elements(&self) -> usize {
        (self.p - 1) * (self.p - 1)
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let (i, j) = (e / (self.p - 1), e % (self.p - 1));
        vars[0] = self.idx(i, j);
        vars[1] = self.idx(i + 1, j);
        vars[2] = self.idx(i, j + 1);
        vars[3] = self.idx(i + 1, j + 1);
        4
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let s2 = ((self.p - 1) * (self.p - 1)) as f64;
        let a = xs[0] - xs[3];
        let b = xs[1] - xs[2];
        ((a * a + b * b) * (0.5 * s2) + 1.0).sqrt() * (1.0 / s2)
    }
}

/// FMINSURF: the free-boundary minimum surface problem on a `p x p` grid, `n = p^2`.
///
/// `f = sum_{i,j=1}^{p-1} sqrt(1 + (p-1)^2 (a_ij^2 + b_ij^2) / 2) / (p-1)^2 + (sum_{i,j} x_ij)^2 / p^4`,
/// `a_ij = x_{i,j} - x_{i+1,j+1}`, `b_ij = x_{i+1,j} - x_{i,j+1}` (groups `S(i,j)` of type
/// SQROOT with scale `(p-1)^2` and element weight `(p-1)^2/2`, constant -1; group `AVH` of
/// type L2 with scale `p^4`). Variable `x_{i,j}` is number `(j-1) p + i` (the SIF loop
/// order). x0: zero inside, on the boundary `x_{1,j} = 1 + 4 (j-1)/(p-1)`,
/// `x_{p,j} = 9 + 4 (j-1)/(p-1)`, `x_{i,1} = 1 + 8 (i-1)/(p-1)`, `x_{i,p} = 5 + 8 (i-1)/(p-1)`
/// (Benson's AMPL model swaps the last two; the SIF/S2MPJ version is the one continuous at
/// the corners). f* = 1 (SIF SOLTN; the flat surface `x = 0`). `p >= 2` (listed size
/// p = 75, n = 5625); [`super::by_name`] rounds a requested `n` to the nearest `p^2`.
///
/// The `AVH` term makes the Hessian dense: the area terms go through [`Elemental`]
/// (exact hyper-dual derivatives), the rank-one term `2/p^4 * 1 1'` is added by hand. The
/// sparse Hessian (the full lower triangle) is offered for `n <= 2000` only, like the dense one;
/// at every size the Hessian of the area terms alone (a 9-point stencil, the Hessian less the
/// rank-one term) is offered as a [`SparseHessianApproximation`] for preconditioning.
/// Source: FMINSURF.SIF (Ph. Toint, 1991; S2MPJ translation); A. Griewank & Ph. L. Toint,
/// Numer. Math. 39 (1982) 429-448.
#[derive(Debug)]
pub struct Fminsurf {
    area: Elemental<FminsurfArea>,
    /// `1 / p^4`.
    avh_weight: f64,
}

impl Fminsurf {
    /// The registry entry: a requested `n` is rounded to the nearest square `p^2` (60 -> 64).
    pub const LISTING: Listing = Listing {
        name: "FMINSURF",
        n: 75 * 75,
        source: "CUTEst FMINSURF.SIF (S2MPJ translation); A. Griewank & Ph. L. Toint, Numer. Math. 39 (1982) 429-448, boundary set free",
        f_star: |_| Some(1.0),
        build: |n| Some(Box::new(Fminsurf::with_p(nearest_side(n))?)),
    };

    /// The grid with `p` points per side; `None` for `p < 2`.
    pub fn with_p(p: usize) -> Option<Self> {
        (p >= 2).then(|| {
            let p4 = (p as f64).powi(4);
            Self { area: Elemental::new(FminsurfArea { p }), avh_weight: 1.0 / p4 }
        })
    }

    /// `n` must be a perfect square `p^2` with `p >= 2`.
    pub fn new(n: usize) -> Option<Self> {
        let p = nearest_side(n);
        (p * p == n).then_some(())?;
        Self::with_p(p)
    }

    /// Points per side.
    pub fn p(&self) -> usize {
        self.area.problem.p
    }
}

/// The `p` whose square `p^2` is nearest to `n` (the smaller one on a tie).
pub fn nearest_side(n: usize) -> usize {
    let mut p = (n as f64).sqrt() as usize;
    while p * p > n {
        p -= 1;
    }
    while (p + 1) * (p + 1) <= n {
        p += 1;
    }
    if (p + 1) * (p + 1) - n < n - p * p {
        p + 1
    } else {
        p
    }
}

impl Objective for Fminsurf {
    fn dim(&self) -> usize {
        self.area.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        let s: f64 = x.iter().sum();
        self.area.value(x) + s * s * self.avh_weight
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.value_and_gradient(x, g);
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let s: f64 = x.iter().sum();
        let f = self.area.value_and_gradient(x, g);
        let d = 2.0 * s * self.avh_weight;
        g.iter_mut().for_each(|gi| *gi += d);
        f + s * s * self.avh_weight
    }
}

impl HessianProduct for Fminsurf {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        self.area.hessian_product(x, v, hv);
        let d = 2.0 * self.avh_weight * v.iter().sum::<f64>();
        hv.iter_mut().for_each(|h| *h += d);
    }
}

impl DenseHessian for Fminsurf {
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        self.area.hessian(x, hess.as_mut());
        let d = 2.0 * self.avh_weight;
        let n = self.dim();
        for j in 0..n {
            for i in 0..n {
                hess[(i, j)] += d;
            }
        }
    }
}

impl SparseHessian for Fminsurf {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        dense_lower_pattern(self.dim())
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        let n = self.dim();
        let d = 2.0 * self.avh_weight;
        values.iter_mut().for_each(|h| *h = d);
        let pattern = self.area.hessian_pattern();
        let mut area_values = vec![0.0; pattern.row_idx().len()];
        self.area.hessian_values(x, &mut area_values);
        let (col_ptr, row_idx) = (pattern.col_ptr(), pattern.row_idx());
        for j in 0..n {
            for k in col_ptr[j]..col_ptr[j + 1] {
                values[dense_lower_slot(n, row_idx[k], j)] += area_values[k];
            }
        }
    }
}

impl SparseHessianApproximation for Fminsurf {
    fn approximation_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.area.hessian_pattern()
    }
    fn approximation_values(&self, x: &[f64], values: &mut [f64]) {
        self.area.hessian_values(x, values);
    }
}

impl Formulation for Fminsurf {
    fn n(&self) -> usize {
        self.dim()
    }
    fn x0(&self) -> Vec<f64> {
        self.area.problem.x0()
    }
    fn products(&self) -> &dyn HessianProduct {
        self
    }
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        (self.dim() <= DENSE_HESSIAN_MAX_N).then_some(self as &dyn DenseHessian)
    }
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        (self.dim() <= DENSE_PATTERN_MAX_N).then_some(self as &dyn SparseHessian)
    }
    fn sparse_approximation(&self) -> Option<&dyn SparseHessianApproximation> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_side_rounds() {
        assert_eq!(nearest_side(60), 8);
        assert_eq!(nearest_side(5625), 75);
        assert_eq!(nearest_side(56), 7);
        assert_eq!(nearest_side(57), 8);
        assert_eq!(nearest_side(4), 2);
    }
}
