//! CUTEst problems, batch C (continued): the Dixon-Maany family, and the two problems of the
//! batch whose Hessian is dense (FMINSURF, POWER), which implement the library traits by
//! hand (a rank-one term couples every variable; see the module docs of [`super`]).
//!
//! Sources as in `problems_c.rs`: the S2MPJ translations of the SIF files
//! (github.com/GrattonToint/S2MPJ), cross-checked with H. Y. Benson's AMPL models and sif2jax.

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use trust_region::problem::{DenseHessian, HessianProduct, Objective, SparseHessian, SparseHessianApproximation};

use super::problems_c::sq;
use super::{Cutest, Elemental, DENSE_HESSIAN_MAX_N, MAX_ELEMENT_VARS};
use crate::mgh::Scalar;
use crate::{ProblemInfo, SuiteProblem};

/// The parameters of one Dixon-Maany variant: name, `alpha, beta, gamma, delta`, `K1..K4`.
type DixmaanParams = (&'static str, [f64; 4], [i32; 4]);

/// The variants of the suite (SIF preambles of DIXMAANB..DIXMAANL; E1 and I1 are the
/// August 2022 versions of E and I without the `beta = 0` groups).
const DIXMAAN_VARIANTS: [DixmaanParams; 11] = [
    ("DIXMAANB", [1.0, 0.0625, 0.0625, 0.0625], [0, 0, 0, 0]),
    ("DIXMAANC", [1.0, 0.125, 0.125, 0.125], [0, 0, 0, 0]),
    ("DIXMAAND", [1.0, 0.26, 0.26, 0.26], [0, 0, 0, 0]),
    ("DIXMAANE1", [1.0, 0.0, 0.125, 0.125], [1, 0, 0, 1]),
    ("DIXMAANF", [1.0, 0.0625, 0.0625, 0.0625], [1, 0, 0, 1]),
    ("DIXMAANG", [1.0, 0.125, 0.125, 0.125], [1, 0, 0, 1]),
    ("DIXMAANH", [1.0, 0.26, 0.26, 0.26], [1, 0, 0, 1]),
    ("DIXMAANI1", [1.0, 0.0, 0.125, 0.125], [2, 0, 0, 2]),
    ("DIXMAANJ", [1.0, 0.0625, 0.0625, 0.0625], [2, 0, 0, 2]),
    ("DIXMAANK", [1.0, 0.125, 0.125, 0.125], [2, 0, 0, 2]),
    ("DIXMAANL", [1.0, 0.26, 0.26, 0.26], [2, 0, 0, 2]),
];

/// DIXMAANB, C, D, E1, F, G, H, I1, J, K, L: the Dixon-Maany family.
///
/// With `n = 3m`,
/// ```text
/// f = 1 + sum_{i=1}^n alpha (i/n)^K1 x_i^2 + sum_{i=1}^{n-1} beta (i/n)^K2 x_i^2 (x_{i+1} + x_{i+1}^2)^2
///       + sum_{i=1}^{2m} gamma (i/n)^K3 x_i^2 x_{i+m}^4 + sum_{i=1}^m delta (i/n)^K4 x_i x_{i+2m}
/// ```
/// (four linear groups; the 1 is the constant -1 of group `GA`). Parameters
/// `(alpha, beta, gamma, delta; K1, K2, K3, K4)`:
///
/// | variant | alpha | beta | gamma | delta | K1 K2 K3 K4 |
/// |---|---|---|---|---|---|
/// | B | 1 | 0.0625 | 0.0625 | 0.0625 | 0 0 0 0 |
/// | C | 1 | 0.125 | 0.125 | 0.125 | 0 0 0 0 |
/// | D | 1 | 0.26 | 0.26 | 0.26 | 0 0 0 0 |
/// | E1 | 1 | 0 | 0.125 | 0.125 | 1 - 0 1 |
/// | F | 1 | 0.0625 | 0.0625 | 0.0625 | 1 0 0 1 |
/// | G | 1 | 0.125 | 0.125 | 0.125 | 1 0 0 1 |
/// | H | 1 | 0.26 | 0.26 | 0.26 | 1 0 0 1 |
/// | I1 | 1 | 0 | 0.125 | 0.125 | 2 - 0 2 |
/// | J | 1 | 0.0625 | 0.0625 | 0.0625 | 2 0 0 2 |
/// | K | 1 | 0.125 | 0.125 | 0.125 | 2 0 0 2 |
/// | L | 1 | 0.26 | 0.26 | 0.26 | 2 0 0 2 |
///
/// (E1 and I1 have no beta elements at all, which matters for the Hessian pattern.)
/// `n` a multiple of 3, `n >= 3` (the SIF parameter is `M`; listed size 3000); x0 = (2, ..., 2);
/// f* = 1 at 0 (SIF SOLTN 1.0; the quadratic part is positive definite since `delta^2 < 4`).
/// Elements: `alpha` terms (1 variable; the constant rides on the first), `beta` terms,
/// `gamma` terms, `delta` terms (2 variables each).
/// Source: DIXMAAN*.SIF (Ph. Toint 1989, Ph. Shott 1995, N. Gould 2022; S2MPJ translations,
/// cross-checked with sif2jax); L. C. W. Dixon & Z. Maany, TR 206, Numerical Optimization
/// Centre, Hatfield Polytechnic (1988).
#[derive(Clone, Copy, Debug)]
pub struct Dixmaan {
    name: &'static str,
    n: usize,
    coef: [f64; 4],
    k: [i32; 4],
}

impl Dixmaan {
    /// The variant `name` (`"DIXMAANB"` .. `"DIXMAANL"`, upper case) at size `n`; `None` for
    /// an unknown variant or `n` not a positive multiple of 3.
    pub fn new(name: &str, n: usize) -> Option<Self> {
        let &(name, coef, k) = DIXMAAN_VARIANTS.iter().find(|v| v.0 == name)?;
        (n >= 3 && n.is_multiple_of(3)).then_some(Self { name, n, coef, k })
    }

    /// The names of the variants in the suite, in list order.
    pub fn variants() -> impl Iterator<Item = &'static str> {
        DIXMAAN_VARIANTS.iter().map(|v| v.0)
    }

    /// Number of `beta` elements (none when `beta = 0`, as in the E1 and I1 SIF files).
    fn beta_elements(&self) -> usize {
        if self.coef[1] == 0.0 {
            0
        } else {
            self.n - 1
        }
    }

    /// `coef[t] (i/n)^k[t]` for the 1-based index `i`.
    #[inline]
    fn weight(&self, t: usize, i: usize) -> f64 {
        self.coef[t] * (i as f64 / self.n as f64).powi(self.k[t])
    }

    /// Element `e` as (term type, 0-based `i`).
    #[inline]
    fn split(&self, e: usize) -> (usize, usize) {
        let (n, m, nb) = (self.n, self.n / 3, self.beta_elements());
        if e < n {
            (0, e)
        } else if e < n + nb {
            (1, e - n)
        } else if e < n + nb + 2 * m {
            (2, e - n - nb)
        } else {
            (3, e - n - nb - 2 * m)
        }
    }
}

impl Cutest for Dixmaan {
    fn name(&self) -> &'static str {
        self.name
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![2.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(1.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst DIXMAAN*.SIF (S2MPJ translations); L. C. W. Dixon & Z. Maany, TR 206, Numerical Optimization Centre, Hatfield Polytechnic (1988)"
    }
    fn elements(&self) -> usize {
        let m = self.n / 3;
        self.n + self.beta_elements() + 2 * m + m
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let m = self.n / 3;
        let (t, i) = self.split(e);
        vars[0] = i;
        match t {
            0 => return 1,
            1 => vars[1] = i + 1,
            2 => vars[1] = i + m,
            _ => vars[1] = i + 2 * m,
        }
        2
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        let (t, i) = self.split(e);
        let w = self.weight(t, i + 1);
        match t {
            0 => {
                let a = xs[0] * xs[0] * w;
                if i == 0 {
                    a + 1.0
                } else {
                    a
                }
            }
            1 => sq(xs[0]) * sq(xs[1] + xs[1] * xs[1]) * w,
            2 => sq(xs[0]) * sq(sq(xs[1])) * w,
            _ => xs[0] * xs[1] * w,
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// Largest `n` for which the dense-Hessian problems of this file offer a sparse Hessian (its
/// pattern is the full lower triangle, `n (n + 1) / 2` entries): the same bound as the dense
/// Hessian.
pub const DENSE_PATTERN_MAX_N: usize = DENSE_HESSIAN_MAX_N;

/// The full lower triangle of an `n x n` matrix as a compressed-column pattern.
fn dense_lower_pattern(n: usize) -> SymbolicSparseColMat<usize> {
    let mut col_ptr = Vec::with_capacity(n + 1);
    let mut row_idx = Vec::with_capacity(n * (n + 1) / 2);
    col_ptr.push(0);
    for j in 0..n {
        row_idx.extend(j..n);
        col_ptr.push(row_idx.len());
    }
    SymbolicSparseColMat::new_checked(n, n, col_ptr, None, row_idx)
}

/// Index of entry `(i, j)`, `i >= j`, in the values of [`dense_lower_pattern`].
#[inline]
fn dense_lower_slot(n: usize, i: usize, j: usize) -> usize {
    // Column `j` starts after `sum_{k<j} (n - k) = j n - j (j - 1) / 2` entries and holds rows `j..n`.
    j * n - j * (j + 1) / 2 + i
}

/// The area terms of FMINSURF as element functions (one element per little square).
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
    fn name(&self) -> &'static str {
        "FMINSURF"
    }
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
    fn f_star(&self) -> Option<f64> {
        Some(1.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst FMINSURF.SIF (S2MPJ translation); A. Griewank & Ph. L. Toint, Numer. Math. 39 (1982) 429-448, boundary set free"
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

impl SuiteProblem for Fminsurf {
    fn info(&self) -> ProblemInfo {
        ProblemInfo {
            suite: "cutest",
            name: "FMINSURF".to_string(),
            n: self.dim(),
            m: None,
            f_star: Some(1.0),
            source: self.area.problem.source(),
        }
    }
    fn x0(&self) -> Vec<f64> {
        self.area.problem.x0()
    }
    fn products(&self) -> Option<&dyn HessianProduct> {
        Some(self)
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

// ---------------------------------------------------------------------------------------------

/// POWER: Oren's power function, `f = (sum_{i=1}^n i x_i^2)^2`.
///
/// One group of type L2 over `n` weighted square elements: the Hessian
/// `8 (i x_i)(j x_j) + 4 S i delta_ij`, `S = sum_k k x_k^2`, is dense, so the derivatives are
/// written by hand (`g_i = 4 S i x_i`, `(H v)_i = 8 i x_i sum_k k x_k v_k + 4 S i v_i`); the
/// sparse Hessian (full lower triangle) is offered for `n <= 2000` only, like the dense one.
/// Any `n >= 1` (listed size 10000); x0 = (1, ..., 1), `f(x0) = (n (n+1) / 2)^2`; f* = 0 at 0.
/// Source: POWER.SIF (Ph. Toint, 1989; S2MPJ translation); S. S. Oren, Management Sci. 20
/// (1974) 863-874; Buckley (1989), problem 179.
#[derive(Clone, Copy, Debug)]
pub struct Power {
    n: usize,
}

impl Power {
    /// `None` for `n = 0`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { n })
    }

    /// `S = sum_i i x_i^2`.
    #[inline]
    fn s(x: &[f64]) -> f64 {
        x.iter().enumerate().map(|(i, &xi)| (i + 1) as f64 * xi * xi).sum()
    }
}

impl Objective for Power {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        let s = Self::s(x);
        s * s
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.value_and_gradient(x, g);
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let s = Self::s(x);
        for (i, (gi, &xi)) in g.iter_mut().zip(x).enumerate() {
            *gi = 4.0 * s * (i + 1) as f64 * xi;
        }
        s * s
    }
}

impl HessianProduct for Power {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let s = Self::s(x);
        let t: f64 = x.iter().zip(v).enumerate().map(|(i, (&xi, &vi))| (i + 1) as f64 * xi * vi).sum();
        for (i, (h, (&xi, &vi))) in hv.iter_mut().zip(x.iter().zip(v)).enumerate() {
            let w = (i + 1) as f64;
            *h = 8.0 * w * xi * t + 4.0 * s * w * vi;
        }
    }
}

impl DenseHessian for Power {
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        let s = Self::s(x);
        for j in 0..self.n {
            let uj = (j + 1) as f64 * x[j];
            for i in 0..self.n {
                hess[(i, j)] = 8.0 * (i + 1) as f64 * x[i] * uj;
            }
            hess[(j, j)] += 4.0 * s * (j + 1) as f64;
        }
    }
}

impl SparseHessian for Power {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        dense_lower_pattern(self.n)
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        let s = Self::s(x);
        let mut k = 0;
        for j in 0..self.n {
            let uj = (j + 1) as f64 * x[j];
            for i in j..self.n {
                values[k] = 8.0 * (i + 1) as f64 * x[i] * uj;
                if i == j {
                    values[k] += 4.0 * s * (j + 1) as f64;
                }
                k += 1;
            }
        }
    }
}

impl SuiteProblem for Power {
    fn info(&self) -> ProblemInfo {
        ProblemInfo {
            suite: "cutest",
            name: "POWER".to_string(),
            n: self.n,
            m: None,
            f_star: Some(0.0),
            source: "CUTEst POWER.SIF (S2MPJ translation); S. S. Oren, Management Sci. 20 (1974) 863-874",
        }
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn products(&self) -> Option<&dyn HessianProduct> {
        Some(self)
    }
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        (self.n <= DENSE_HESSIAN_MAX_N).then_some(self as &dyn DenseHessian)
    }
    fn sparse_hessian(&self) -> Option<&dyn SparseHessian> {
        (self.n <= DENSE_PATTERN_MAX_N).then_some(self as &dyn SparseHessian)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_lower_slots_follow_the_pattern() {
        let n = 7;
        let pattern = dense_lower_pattern(n);
        for j in 0..n {
            for (k, &i) in
                (pattern.col_ptr()[j]..pattern.col_ptr()[j + 1]).zip(&pattern.row_idx()[pattern.col_ptr()[j]..])
            {
                assert_eq!(dense_lower_slot(n, i, j), k);
            }
        }
    }

    #[test]
    fn nearest_side_rounds() {
        assert_eq!(nearest_side(60), 8);
        assert_eq!(nearest_side(5625), 75);
        assert_eq!(nearest_side(56), 7);
        assert_eq!(nearest_side(57), 8);
        assert_eq!(nearest_side(4), 2);
    }
}
