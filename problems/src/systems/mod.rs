//! Bound-constrained nonlinear systems `F(x) = 0`, `l <= x <= u`: the test set of the scaled
//! interior trust-region solver (spec `scaled-interior.md`, "Test set").
//!
//! | name | n | box | roots listed | source |
//! |---|---|---|---|---|
//! | `ex14_1_1` gradient of Himmelblau's function | 2 | `[-5, 5]^2` | all 9 | Floudas et al. (1999) 14.1.1 |
//! | `ex14_1_2_c2` chemical equilibrium, Meintjes-Morgan form | 5 | `[1e-4, 100]^5` | 1 | Floudas 14.1.2; Meintjes & Morgan (1990) |
//! | `ex14_1_2_c3` chemical equilibrium, GLOBALLib form | 5 | `[1e-4, 100]^5` | 1 | Floudas 14.1.2; GLOBALLib `ex14_1_2` |
//! | `ex14_1_3` Bullard-Biegler | 2 | `[5.49e-6, 4.553] x [2.1961e-3, 18.21]` | 1 (the only one) | Floudas 14.1.3 |
//! | `ex14_1_4` Ferraris-Tronconi | 2 | `[0.25, 1] x [1.5, 2 pi]` | 2 | Floudas 14.1.4 |
//! | `ex14_1_5` Brown almost linear | 5 | `[-2, 2]^5` | both | Floudas 14.1.5 |
//! | `ex14_1_6` robot kinematics | 8 | `[-1, 1]^8` | 16 | Floudas 14.1.6 |
//! | `ex14_1_7` circuit design | 9 | `[0, 10]^9` | 1 | Floudas 14.1.7 |
//! | `ex14_1_8` two CSTRs | 2 | `[-1, 1]^2` | 1 (provably unreachable by descent from `q1`, `q2`) | Floudas 14.1.8 |
//! | `ex14_1_9` reactor temperature | 1 | `[100, 1000]` | all 3 | Floudas 14.1.9 |
//! | `powell_badly_scaled_box` | 2 | `[0, 1] x [1, 10]` | 1 | MGH (1981) 3 in a box |
//! | `effati_grosan_2` | 2 | `[-1, 2]^2` | 1, exact (0, 1) | Effati & Nazemi (2005), Grosan & Abraham (2008) |
//! | `broyden_tridiagonal_box` | any (default 1000) | `[-1, 0]^n` | checked by tests | MGH (1981) 30 |
//! | `broyden_banded_box` | any (default 1000) | `[-1, 0]^n` | checked by tests | MGH (1981) 31 |
//! | `bratu_2d` (lambda = 6) | `N^2` (default 32^2) | `u >= 0` | checked by tests | Bratu; More (1990) |
//! | `chandrasekhar_h` (c = 0.9), `chandrasekhar_h_099` (c = 0.99) | <= 2000 (default 100) | `H >= 0` | checked by tests | Chandrasekhar (1960); Kelley (1995) |
//!
//! "Floudas et al. (1999)" is C. A. Floudas, P. M. Pardalos, C. S. Adjiman, W. R. Esposito,
//! Z. H. Gumus, S. T. Harding, J. L. Klepeis, C. A. Meyer, C. A. Schweiger, *Handbook of Test
//! Problems in Local and Global Optimization*, Kluwer (1999), chapter 14 ("Nonlinear systems of
//! equations"), section 14.1. The formulas of the spec were checked term by term against the
//! GLOBALLib transcriptions `ex14_1_1` to `ex14_1_6`, `ex14_1_8` and `ex14_1_9` (as reproduced
//! in YALMIP's global test suite, where each system appears as `-t <= F_i(x) <= t`, minimize
//! `t`) and, for 14.1.7, against a public transcription of Price's transistor problem;
//! differences (rounded constants, the `c` of 14.1.2, the bound `6.28` of 14.1.4) are noted at
//! each problem. Listed roots are stored to double precision (refined by Newton's method from
//! the published digits, which each problem's documentation quotes), and the tests check that
//! every one lies strictly inside the box with `||F|| <= 1e-12`.
//!
//! # Writing a system
//!
//! A system implements [`System`] once, generic over the scalar (`f64` or a num-dual number,
//! the [`Scalar`] of the MGH suite): the residuals, and the exact Jacobian as a sequence of
//! emitted entries `(row, col, value)` whose `(row, col)` sequence does not depend on `x`. The
//! adapter [`SystemAdapter`] turns it into the library's [`Residuals`], [`DenseJacobian`]
//! (offered for `n <= DENSE_JACOBIAN_MAX_N`) and [`SparseJacobian`], and into a
//! [`SystemProblem`]. The compressed-column pattern is built once at construction, by a
//! counting sort of the emitted entries over the columns (`O(nnz)` when rows come in increasing
//! order within each column, which every problem here does), and **always contains the
//! diagonal** (explicit zeros where `F_i` does not depend on `x_i`, e.g. rows 3 to 7 of the
//! robot problem), so that a solver may scale or regularize by it. Filling the values costs one
//! pass over the emitted entries: `O(nnz)`.
//!
//! # Starting points
//!
//! [`quarter_points`] gives `x0 = l + nu (u - l) / 4`, `nu = 1, 2, 3`, and
//! [`random_interior_points`] a seeded uniform sample strictly inside the box; both replace an
//! infinite bound by a finite one first ([`finite_box`]).
//!
//! [`runner`] runs the set with the interior solver over scalings x step rules x starts.
//!
//! [`check`] compares the Jacobians with finite differences (through the crate's
//! [`crate::check`] module) and with forward-mode dual numbers.

pub mod check;
mod floudas;
mod large;
pub mod runner;
mod small;

pub use floudas::{
    BrownAlmostLinear5, BullardBiegler, ChemicalEquilibrium, CircuitDesign, FerrarisTronconi, HimmelblauGradient,
    ReactorTemperature, RobotKinematics, TwoCstr,
};
pub use large::{Bratu2d, BroydenBandedBox, BroydenTridiagonalBox, ChandrasekharH};
pub use small::{EffatiGrosan2, PowellBadlyScaledBox};

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use num_dual::Dual64;
use trust_region::problem::{Bounds, DenseJacobian, Residuals, SparseJacobian};

pub use crate::mgh::Scalar;

/// Largest `n` for which [`SystemAdapter`] offers a dense Jacobian (`n^2 <= 4e6` entries).
pub const DENSE_JACOBIAN_MAX_N: usize = 2000;

/// Citation of the handbook, shared by the Floudas problems' sources.
pub const FLOUDAS: &str = "C. A. Floudas et al., Handbook of Test Problems in Local and Global Optimization, \
                           Kluwer (1999), ch. 14";

/// What is known about a bound-constrained system.
#[derive(Clone, Debug, PartialEq)]
pub struct SystemInfo {
    /// Stable name (`"ex14_1_1"`, `"bratu_2d"`, ...), as accepted by [`by_name`].
    pub name: String,
    /// Descriptive title (`"gradient of Himmelblau's function"`).
    pub title: &'static str,
    /// Where the problem comes from (book section, paper).
    pub source: &'static str,
    /// Number of variables (= number of equations).
    pub n: usize,
    /// Known roots inside the box, to double precision (empty where none is known in closed
    /// form or from the literature; the scalable problems' roots are checked by tests).
    pub roots: Vec<Vec<f64>>,
}

/// A bound-constrained nonlinear system `F(x) = 0`, `l <= x <= u`, as the solvers and the
/// runner see it.
pub trait SystemProblem: Send + Sync {
    /// Name, source, size and known roots.
    fn info(&self) -> SystemInfo;
    /// The box `l <= x <= u` (infinite entries: unbounded).
    fn bounds(&self) -> Bounds;
    /// The residuals `F` (`n` equations in `n` unknowns).
    fn residuals(&self) -> &dyn Residuals;
    /// `F` with a dense Jacobian, offered for moderate `n` (`n <= DENSE_JACOBIAN_MAX_N`).
    fn dense_jacobian(&self) -> Option<&dyn DenseJacobian>;
    /// `F` with a sparse Jacobian (fixed pattern, diagonal always stored).
    fn sparse_jacobian(&self) -> Option<&dyn SparseJacobian>;
    /// The directional derivative `J(x) v` by forward-mode dual numbers (an independent check
    /// of the hand-written Jacobian), written into `jv`; `false` if not offered.
    fn jacobian_product_dual(&self, _x: &[f64], _v: &[f64], _jv: &mut [f64]) -> bool {
        false
    }
}

/// A square nonlinear system with a box, written once generic over the scalar.
pub trait System: Send + Sync {
    /// Stable name.
    fn name(&self) -> &'static str;
    /// Descriptive title.
    fn title(&self) -> &'static str;
    /// Citation.
    fn source(&self) -> &'static str;
    /// Number of variables and equations.
    fn n(&self) -> usize;
    /// The box.
    fn bounds(&self) -> Bounds;
    /// Known roots inside the box (double precision).
    fn roots(&self) -> Vec<Vec<f64>> {
        Vec::new()
    }
    /// Writes `F(x)` (length `n`).
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]);
    /// Calls `emit(row, col, value)` once for every structurally nonzero entry
    /// `J_row,col = dF_row / dx_col`, with the same `(row, col)` sequence for every `x`, without
    /// duplicates.
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D));
}

/// Adapter from a [`System`] to the library's traits and to [`SystemProblem`].
///
/// `slot[k]` is the compressed-column value index of the `k`-th emitted Jacobian entry;
/// diagonal entries the problem does not emit are stored as explicit zeros.
pub struct SystemAdapter<P: System> {
    /// The wrapped system.
    pub problem: P,
    n: usize,
    pattern: SymbolicSparseColMat<usize>,
    slot: Vec<usize>,
}

impl<P: System> SystemAdapter<P> {
    /// Wraps `problem`, building its sparse Jacobian pattern (at the first quarter point of
    /// its box; the pattern does not depend on the point).
    pub fn new(problem: P) -> Self {
        let n = problem.n();
        let x = quarter_points(&problem.bounds())[0].clone();
        let mut entries: Vec<(usize, usize)> = Vec::new();
        problem.jacobian(&x, &mut |i, j, _v: f64| entries.push((i, j)));
        let (pattern, slot) = crate::mgh::pattern_from_entries(n, n, &entries, true);
        Self { problem, n, pattern, slot }
    }

    /// Number of stored Jacobian entries (diagonal included).
    pub fn jacobian_nnz(&self) -> usize {
        self.pattern.row_idx().len()
    }
}

impl<P: System> Residuals for SystemAdapter<P> {
    fn dim(&self) -> usize {
        self.n
    }

    fn residual_count(&self) -> usize {
        self.n
    }

    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.problem.residuals(x, r);
    }
}

impl<P: System> DenseJacobian for SystemAdapter<P> {
    fn jacobian(&self, x: &[f64], jac: MatMut<'_, f64>) {
        crate::mgh::scatter_dense(jac, |emit| self.problem.jacobian(x, emit));
    }
}

impl<P: System> SparseJacobian for SystemAdapter<P> {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.pattern.clone()
    }

    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        crate::mgh::scatter_sparse(&self.slot, values, |emit| self.problem.jacobian(x, emit));
    }
}

impl<P: System> SystemProblem for SystemAdapter<P> {
    fn info(&self) -> SystemInfo {
        SystemInfo {
            name: self.problem.name().to_string(),
            title: self.problem.title(),
            source: self.problem.source(),
            n: self.n,
            roots: self.problem.roots(),
        }
    }

    fn bounds(&self) -> Bounds {
        self.problem.bounds()
    }

    fn residuals(&self) -> &dyn Residuals {
        self
    }

    fn dense_jacobian(&self) -> Option<&dyn DenseJacobian> {
        (self.n <= DENSE_JACOBIAN_MAX_N).then_some(self as &dyn DenseJacobian)
    }

    fn sparse_jacobian(&self) -> Option<&dyn SparseJacobian> {
        Some(self)
    }

    fn jacobian_product_dual(&self, x: &[f64], v: &[f64], jv: &mut [f64]) -> bool {
        let xd: Vec<Dual64> = x.iter().zip(v).map(|(&a, &b)| Dual64::new(a, b)).collect();
        let mut rd = vec![Dual64::new(0.0, 0.0); self.n];
        self.problem.residuals(&xd, &mut rd);
        for (o, r) in jv.iter_mut().zip(&rd) {
            *o = r.eps;
        }
        true
    }
}

/// The box with every infinite bound replaced by a finite one, the rule used by
/// [`quarter_points`] and [`random_interior_points`]:
///
/// - `l` finite, `u = +inf`: `u <- l + 4 max(1, |l|)`;
/// - `l = -inf`, `u` finite: `l <- u - 4 max(1, |u|)`;
/// - both infinite: `[-2, 2]`.
///
/// So `u >= 0` gives the quarter points 1, 2, 3.
pub fn finite_box(bounds: &Bounds) -> (Vec<f64>, Vec<f64>) {
    bounds
        .lower
        .iter()
        .zip(&bounds.upper)
        .map(|(&l, &u)| match (l.is_finite(), u.is_finite()) {
            (true, true) => (l, u),
            (true, false) => (l, l + 4.0 * l.abs().max(1.0)),
            (false, true) => (u - 4.0 * u.abs().max(1.0), u),
            (false, false) => (-2.0, 2.0),
        })
        .unzip()
}

/// The three quarter points `x0 = l + nu (u - l) / 4`, `nu = 1, 2, 3`, of the box made finite by
/// [`finite_box`] (spec: "Starting points").
pub fn quarter_points(bounds: &Bounds) -> [Vec<f64>; 3] {
    let (l, u) = finite_box(bounds);
    let point = |nu: f64| -> Vec<f64> { l.iter().zip(&u).map(|(&a, &b)| a + nu * (b - a) / 4.0).collect() };
    [point(1.0), point(2.0), point(3.0)]
}

/// `count` points drawn uniformly and independently, coordinate by coordinate, strictly inside
/// the box made finite by [`finite_box`], reproducibly from `seed`.
///
/// Generator: SplitMix64 (Steele, Lea & Flood, OOPSLA 2014) started at state `seed`; each
/// coordinate takes the next output `z` and maps it to `t = ((z >> 11) + 0.5) 2^-53` in the open
/// interval `(0, 1)`, then `x_i = l_i + t (u_i - l_i)`; a value that rounds onto a bound is
/// drawn again. Points are generated one after the other, coordinates in order, so the first `k`
/// points do not depend on `count`.
pub fn random_interior_points(bounds: &Bounds, count: usize, seed: u64) -> Vec<Vec<f64>> {
    let (l, u) = finite_box(bounds);
    let mut rng = SplitMix64(seed);
    (0..count)
        .map(|_| {
            l.iter()
                .zip(&u)
                .map(|(&a, &b)| loop {
                    let t = ((rng.next() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
                    let x = a + t * (b - a);
                    if a < x && x < b {
                        break x;
                    }
                })
                .collect()
        })
        .collect()
}

/// SplitMix64 (G. L. Steele, D. Lea, C. H. Flood, *Fast splittable pseudorandom number
/// generators*, OOPSLA 2014).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// One row of the registry.
struct Entry {
    name: &'static str,
    build: fn(Option<usize>) -> Option<Box<dyn SystemProblem>>,
}

fn fixed<P: System + Default + 'static>(n: Option<usize>) -> Option<Box<dyn SystemProblem>> {
    sized(P::default(), n)
}

fn sized<P: System + 'static>(p: P, n: Option<usize>) -> Option<Box<dyn SystemProblem>> {
    match n {
        Some(n) if n != p.n() => None,
        _ => Some(Box::new(SystemAdapter::new(p))),
    }
}

fn boxed<P: System + 'static>(p: Option<P>) -> Option<Box<dyn SystemProblem>> {
    p.map(|p| Box::new(SystemAdapter::new(p)) as Box<dyn SystemProblem>)
}

const REGISTRY: [Entry; 17] = [
    Entry { name: "ex14_1_1", build: fixed::<HimmelblauGradient> },
    Entry { name: "ex14_1_2_c2", build: |n| sized(ChemicalEquilibrium::meintjes_morgan(), n) },
    Entry { name: "ex14_1_2_c3", build: |n| sized(ChemicalEquilibrium::globallib(), n) },
    Entry { name: "ex14_1_3", build: fixed::<BullardBiegler> },
    Entry { name: "ex14_1_4", build: fixed::<FerrarisTronconi> },
    Entry { name: "ex14_1_5", build: fixed::<BrownAlmostLinear5> },
    Entry { name: "ex14_1_6", build: fixed::<RobotKinematics> },
    Entry { name: "ex14_1_7", build: fixed::<CircuitDesign> },
    Entry { name: "ex14_1_8", build: fixed::<TwoCstr> },
    Entry { name: "ex14_1_9", build: fixed::<ReactorTemperature> },
    Entry { name: "powell_badly_scaled_box", build: fixed::<PowellBadlyScaledBox> },
    Entry { name: "effati_grosan_2", build: fixed::<EffatiGrosan2> },
    Entry { name: "broyden_tridiagonal_box", build: |n| boxed(BroydenTridiagonalBox::try_new(n.unwrap_or(1000))) },
    Entry { name: "broyden_banded_box", build: |n| boxed(BroydenBandedBox::try_new(n.unwrap_or(1000))) },
    Entry {
        name: "bratu_2d",
        build: |n| boxed(Bratu2d::try_with_unknowns(n.unwrap_or(32 * 32), Bratu2d::DEFAULT_LAMBDA)),
    },
    Entry { name: "chandrasekhar_h", build: |n| boxed(ChandrasekharH::try_new(n.unwrap_or(100), 0.9)) },
    Entry { name: "chandrasekhar_h_099", build: |n| boxed(ChandrasekharH::try_new(n.unwrap_or(100), 0.99)) },
];

/// The default set, in the order of the module table: the Floudas problems, Powell badly scaled
/// and Effati-Grosan 2 at their sizes, Broyden tridiagonal and banded at n = 1000, Bratu on a
/// 32 x 32 grid (n = 1024), Chandrasekhar H at n = 100 for c = 0.9 and c = 0.99.
pub fn suite() -> Vec<Box<dyn SystemProblem>> {
    REGISTRY.iter().filter_map(|e| (e.build)(None)).collect()
}

/// The problem names in suite order.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| e.name).collect()
}

/// Builds the problem called `name` with `n` unknowns (`None`: the default size). `None` for an
/// unknown name or an invalid `n`: fixed-size problems accept only their own `n`, Bratu only a
/// perfect square `N^2`, Chandrasekhar `1 <= n <= 2000`, Broyden any `n >= 1`.
pub fn by_name(name: &str, n: Option<usize>) -> Option<Box<dyn SystemProblem>> {
    REGISTRY.iter().find(|e| e.name == name).and_then(|e| (e.build)(n))
}

/// `||F(x)||_2` of the system `p` (Euclidean norm of the residuals).
pub fn residual_norm(p: &dyn SystemProblem, x: &[f64]) -> f64 {
    let res = p.residuals();
    let mut r = vec![0.0; res.residual_count()];
    res.residuals(x, &mut r);
    r.iter().map(|v| v * v).sum::<f64>().sqrt()
}
