//! Random trust-region subproblems with a controlled spectrum, and their exact solutions.
//!
//! A subproblem is `min g's + s'Bs/2 subject to ||s|| <= radius` with
//! `B = Q diag(eigenvalues) Q'` and `g = Q gamma`, where `Q` is a random orthogonal matrix
//! (a product of Householder reflections `I - 2 v v'/v'v` with standard normal `v`) and
//! `gamma = Q'g` is the gradient in the eigenbasis. Because the eigen-decomposition is known by
//! construction, the global solution follows from the secular equation in the eigenbasis
//! ([`solve_in_eigenbasis`]):
//!
//! ```text
//! sigma_i(lambda) = -gamma_i / (e_i + lambda),   sum_i sigma_i(lambda)^2 = radius^2,   lambda >= max(0, -e_1),
//! ```
//!
//! with the interior case (`e_1 > 0` or singular with `gamma` in the range, `lambda = 0`) and the
//! hard case (`gamma_i = 0` on the leftmost eigenspace and `||sigma(-e_1)|| <= radius`: the
//! missing length goes along the leftmost eigenvector) treated explicitly (More & Sorensen 1983,
//! sec. 2; Nocedal & Wright 2006, sec. 4.3).
//!
//! The generator is deterministic: [`SplitMix64`] (Steele, Lea & Flood 2014) seeded by the
//! caller; the same `(kind, n, seed)` gives bitwise the same subproblem on every platform with
//! IEEE arithmetic (no `rand` dependency, no parallelism).
//!
//! Cases ([`SubproblemKind`]): positive definite (interior or boundary solution), Newton step
//! strictly inside, indefinite, singular positive semidefinite, hard case, zero gradient; sizes
//! from 1 to a few thousand (tested at 10 to 2,000). `B` is built with `2 k` rank-two updates,
//! `k = min(n, 32)` reflections, so the cost is `O(k n^2)`.
//!
//! References:
//! 1. J. J. More, D. C. Sorensen, Computing a trust region step, SIAM J. Sci. Stat. Comput. 4
//!    (1983) 553-572.
//! 2. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), sec. 4.3.
//! 3. G. L. Steele, D. Lea, C. H. Flood, Fast splittable pseudorandom number generators,
//!    OOPSLA 2014 (SplitMix64).

use faer::{Mat, MatRef};
use trust_region::linalg::dense::matvec;
use trust_region::model::DenseModel;

/// SplitMix64 pseudorandom generator (Steele, Lea & Flood 2014): a 64-bit counter advanced by the
/// golden-ratio increment `0x9e3779b97f4a7c15` and passed through a mixing function. Small,
/// fast, and statistically adequate for test data (it passes BigCrush); not cryptographic.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on `[lo, hi)`.
    pub fn uniform_in(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Log-uniform on `[lo, hi)` (`0 < lo < hi`): `lo (hi/lo)^u`.
    pub fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo * (hi / lo).powf(self.uniform())
    }

    /// Uniform integer in `0..n` (`n >= 1`; returns 0 for `n = 0`). Uses a multiply-shift
    /// reduction (bias below `n / 2^64`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Standard normal by the Box-Muller transform (one variate per call).
    pub fn normal(&mut self) -> f64 {
        // 1 - u lies in (0, 1]: the logarithm is finite.
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// The kind of spectrum and gradient of a generated subproblem. Eigenvalue magnitudes are
/// log-uniform in `[1e-2, 1e2]` unless stated otherwise; gradients are standard normal in the
/// eigenbasis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubproblemKind {
    /// `B` positive definite; radius `||B^{-1} g|| 10^u`, `u` uniform in `[-1.5, 0.5)`, so the
    /// solution is interior about a quarter of the time and on the boundary otherwise.
    PositiveDefinite,
    /// `B` positive definite and radius `(1.2 .. 3) ||B^{-1} g||`: the solution is the Newton step.
    NewtonInside,
    /// `B` with between 1 and `n/2` negative eigenvalues (at least one); boundary solution.
    Indefinite,
    /// `B` positive semidefinite with between 1 and `n/3` zero eigenvalues (exact zeros); the
    /// gradient has components in the null space, so the solution is on the boundary.
    Singular,
    /// The hard case: the leftmost eigenvalue `e_1 < 0` (multiplicity 1, or 2 when `n >= 3` with
    /// probability 1/3) has `gamma_i = 0` on its eigenspace, and the radius is
    /// `(1.1 .. 4) ||(B - e_1 I)^+ g||`, so `lambda* = -e_1` and the solution has a component
    /// along the leftmost eigenvector.
    HardCase,
    /// `g = 0` with an indefinite `B` (between 1 and `n/2` negative eigenvalues): the solution is
    /// `radius` times a leftmost eigenvector.
    ZeroGradient,
}

impl SubproblemKind {
    /// Every kind, in declaration order.
    pub const ALL: [SubproblemKind; 6] = [
        SubproblemKind::PositiveDefinite,
        SubproblemKind::NewtonInside,
        SubproblemKind::Indefinite,
        SubproblemKind::Singular,
        SubproblemKind::HardCase,
        SubproblemKind::ZeroGradient,
    ];
}

/// A random trust-region subproblem with its eigen-decomposition.
#[derive(Clone, Debug)]
pub struct Subproblem {
    /// What was asked for (for [`Subproblem::from_eigen`]: `None`).
    pub kind: Option<SubproblemKind>,
    /// The model `m(s) = g's + s'Bs/2` (`f = 0`), `B` stored in both triangles and exactly
    /// symmetric.
    pub model: DenseModel,
    /// The trust-region radius.
    pub radius: f64,
    /// Eigenvalues of `B`, nondecreasing.
    pub eigenvalues: Vec<f64>,
    /// `Q`: column `i` is a unit eigenvector for `eigenvalues[i]`.
    pub eigenvectors: Mat<f64>,
    /// `gamma = Q'g`, the gradient in the eigenbasis (exact by construction: `g = Q gamma` up to
    /// round-off).
    pub gradient_eigen: Vec<f64>,
}

/// The global solution of a subproblem.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactSolution {
    /// The multiplier `lambda* >= 0` of (1) in the module documentation.
    pub lambda: f64,
    /// The solution in the eigenbasis, `sigma = Q's*`.
    pub step_eigen: Vec<f64>,
    /// `m(s*) - f = gamma'sigma + sum_i e_i sigma_i^2 / 2 <= 0`, the optimal model change.
    pub change: f64,
    /// `||s*||`.
    pub step_norm: f64,
    /// Whether the solution is interior (`lambda* = 0` and `||s*|| < radius`).
    pub interior: bool,
    /// Whether the hard case occurred (a leftmost-eigenvector component was added).
    pub hard_case: bool,
}

/// Solves the trust-region subproblem `min gamma'sigma + sum_i e_i sigma_i^2/2`,
/// `||sigma|| <= radius`, given in its eigenbasis (`eigenvalues` nondecreasing, `gamma` the
/// gradient in that basis). The leftmost eigenspace is the set of indices with
/// `eigenvalues[i] == eigenvalues[0]` exactly; the hard case is detected by exact zeros of
/// `gamma` there. The secular equation is solved by bisection in `t = lambda - max(0, -e_1)`
/// (geometric while the bracket spans more than a factor 4) to full precision.
///
/// Panics if the lengths differ, the eigenvalues are not sorted, or `radius <= 0`.
pub fn solve_in_eigenbasis(eigenvalues: &[f64], gamma: &[f64], radius: f64) -> ExactSolution {
    let n = eigenvalues.len();
    assert_eq!(gamma.len(), n, "gamma and eigenvalues must have the same length");
    assert!(eigenvalues.windows(2).all(|w| w[0] <= w[1]), "eigenvalues must be nondecreasing");
    assert!(radius > 0.0, "radius must be positive");
    let e1 = eigenvalues[0];
    let lo = 0.0f64.max(-e1);
    let leftmost = |i: usize| eigenvalues[i] == e1;
    // Shifted eigenvalues e_i + lo, computed without rounding for the leftmost ones.
    let base: Vec<f64> = eigenvalues.iter().map(|&e| if e1 < 0.0 { e - e1 } else { e }).collect();
    let change_of = |sigma: &[f64]| -> f64 {
        sigma.iter().zip(gamma).zip(eigenvalues).map(|((&s, &g), &e)| g * s + 0.5 * e * s * s).sum()
    };
    let finish = |lambda: f64, sigma: Vec<f64>, interior: bool, hard_case: bool| {
        let change = change_of(&sigma);
        let step_norm = sigma.iter().map(|s| s * s).sum::<f64>().sqrt();
        ExactSolution { lambda, step_eigen: sigma, change, step_norm, interior, hard_case }
    };
    // Norm of sigma(lo) over the components outside the leftmost eigenspace, and whether gamma
    // vanishes on that eigenspace.
    let gamma_zero_on_leftmost = (0..n).filter(|&i| leftmost(i)).all(|i| gamma[i] == 0.0);
    if e1 > 0.0 || (e1 == 0.0 && gamma_zero_on_leftmost) {
        // lambda = 0 candidate; with e_1 = 0 this is -B^+ g (a minimizer of the convex model).
        let sigma: Vec<f64> =
            (0..n).map(|i| if leftmost(i) && e1 == 0.0 { 0.0 } else { -gamma[i] / base[i] }).collect();
        let nrm = sigma.iter().map(|s| s * s).sum::<f64>().sqrt();
        if nrm <= radius {
            return finish(0.0, sigma, nrm < radius, false);
        }
    }
    if gamma_zero_on_leftmost && e1 < 0.0 {
        let mut sigma: Vec<f64> = (0..n).map(|i| if leftmost(i) { 0.0 } else { -gamma[i] / base[i] }).collect();
        let nrm2 = sigma.iter().map(|s| s * s).sum::<f64>();
        if nrm2 <= radius * radius {
            // Hard case: lambda* = -e_1, the rest of the length along the first leftmost vector.
            sigma[0] = ((radius - nrm2.sqrt()) * (radius + nrm2.sqrt())).sqrt();
            return finish(-e1, sigma, false, true);
        }
    }
    // Boundary solution: ||sigma(lo + t)|| = radius for a unique t > 0.
    let norm2 = |t: f64| -> f64 { (0..n).map(|i| (gamma[i] / (base[i] + t)).powi(2)).sum() };
    let gnorm = gamma.iter().map(|g| g * g).sum::<f64>().sqrt();
    let (mut t_lo, mut t_hi) = (0.0f64, gnorm / radius);
    // ||sigma(lo + t)|| <= ||g|| / t: t_hi is feasible; make sure it is (round-off).
    while norm2(t_hi) > radius * radius {
        t_hi *= 2.0;
    }
    for _ in 0..4000 {
        let mid = if t_lo > 0.0 && t_hi > 4.0 * t_lo { (t_lo * t_hi).sqrt() } else { 0.5 * (t_lo + t_hi) };
        if mid <= t_lo || mid >= t_hi {
            break;
        }
        if norm2(mid) > radius * radius {
            t_lo = mid;
        } else {
            t_hi = mid;
        }
    }
    // t_hi is feasible (||sigma|| <= radius).
    let sigma: Vec<f64> = (0..n).map(|i| -gamma[i] / (base[i] + t_hi)).collect();
    finish(lo + t_hi, sigma, false, false)
}

/// Applies `A <- H A H` for the reflection `H = I - beta v v'`, `beta = 2 / v'v`, to a symmetric
/// column-major `n x n` matrix: with `p = beta A v`, `K = beta v'p / 2`, `w = p - K v`,
/// `H A H = A - v w' - w v'` (Golub & Van Loan 2013, sec. 8.3.1). Exact symmetry is preserved.
fn reflect_two_sided(a: &mut [f64], n: usize, v: &[f64], beta: f64, p: &mut [f64]) {
    matvec(MatRef::from_column_major_slice(a, n, n), v, p);
    p.iter_mut().for_each(|x| *x *= beta);
    let k = 0.5 * beta * v.iter().zip(p.iter()).map(|(x, y)| x * y).sum::<f64>();
    for (pi, &vi) in p.iter_mut().zip(v) {
        *pi -= k * vi;
    }
    for j in 0..n {
        let (vj, wj) = (v[j], p[j]);
        for (i, aij) in a[j * n..(j + 1) * n].iter_mut().enumerate() {
            *aij -= v[i] * wj + p[i] * vj;
        }
    }
}

/// `Q <- Q H` for `H = I - beta v v'` (column-major `n x n`): `Q - beta (Qv) v'`.
fn reflect_right(q: &mut [f64], n: usize, v: &[f64], beta: f64, qv: &mut [f64]) {
    matvec(MatRef::from_column_major_slice(q, n, n), v, qv);
    for j in 0..n {
        let c = beta * v[j];
        for (qij, &x) in q[j * n..(j + 1) * n].iter_mut().zip(qv.iter()) {
            *qij -= x * c;
        }
    }
}

impl Subproblem {
    /// Generates a subproblem of the given kind and size (`n >= 1`) from `seed`.
    pub fn generate(kind: SubproblemKind, n: usize, seed: u64) -> Self {
        assert!(n >= 1, "n must be at least 1");
        // Decorrelate the streams of different kinds and sizes sharing a seed.
        let mut rng = SplitMix64::new(seed ^ ((kind as u64 + 1) << 56) ^ ((n as u64) << 32));
        let mag = |rng: &mut SplitMix64| rng.log_uniform(1e-2, 1e2);
        let mut eigs = vec![0.0; n];
        let mut gamma: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        match kind {
            SubproblemKind::PositiveDefinite | SubproblemKind::NewtonInside => {
                eigs.iter_mut().for_each(|e| *e = mag(&mut rng));
            }
            SubproblemKind::Indefinite | SubproblemKind::ZeroGradient => {
                let negative = 1 + rng.below((n / 2).max(1));
                for (i, e) in eigs.iter_mut().enumerate() {
                    *e = if i < negative { -mag(&mut rng) } else { mag(&mut rng) };
                }
                if kind == SubproblemKind::ZeroGradient {
                    gamma.iter_mut().for_each(|g| *g = 0.0);
                }
            }
            SubproblemKind::Singular => {
                let zeros = 1 + rng.below((n / 3).max(1));
                for (i, e) in eigs.iter_mut().enumerate() {
                    *e = if i < zeros { 0.0 } else { mag(&mut rng) };
                }
            }
            SubproblemKind::HardCase => {
                let mult = if n >= 3 && rng.below(3) == 0 { 2 } else { 1 };
                let e1 = -mag(&mut rng);
                for (i, e) in eigs.iter_mut().enumerate() {
                    // The others lie strictly to the right of e_1, either sign.
                    *e = if i < mult {
                        e1
                    } else if rng.below(2) == 0 {
                        e1 + mag(&mut rng)
                    } else {
                        mag(&mut rng)
                    };
                }
            }
        }
        // Sort eigenvalues (carrying gamma along) so that eigenvalues[0] is the leftmost.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| eigs[i].total_cmp(&eigs[j]));
        let mut eigs: Vec<f64> = order.iter().map(|&i| eigs[i]).collect();
        let mut gamma: Vec<f64> = order.iter().map(|&i| gamma[i]).collect();
        if kind == SubproblemKind::HardCase {
            let e1 = eigs[0];
            // Exact ties on the leftmost eigenvalue (the sort kept them first).
            for (g, e) in gamma.iter_mut().zip(eigs.iter_mut()) {
                if *e <= e1 {
                    *e = e1;
                    *g = 0.0;
                }
            }
        }
        let radius = match kind {
            SubproblemKind::PositiveDefinite => {
                let newton = norm_of(|i| gamma[i] / eigs[i], n);
                newton * 10f64.powf(rng.uniform_in(-1.5, 0.5))
            }
            SubproblemKind::NewtonInside => norm_of(|i| gamma[i] / eigs[i], n) * rng.uniform_in(1.2, 3.0),
            SubproblemKind::Indefinite | SubproblemKind::Singular => {
                let mut mags: Vec<f64> = eigs.iter().map(|e| e.abs()).filter(|&e| e > 0.0).collect();
                mags.sort_by(f64::total_cmp);
                let typical = mags.get(mags.len() / 2).copied().unwrap_or(1.0);
                norm_of(|i| gamma[i], n) / typical * 10f64.powf(rng.uniform_in(-1.5, 1.0))
            }
            SubproblemKind::HardCase => {
                let e1 = eigs[0];
                let pinv = norm_of(|i| if eigs[i] > e1 { gamma[i] / (eigs[i] - e1) } else { 0.0 }, n);
                if pinv > 0.0 {
                    pinv * rng.uniform_in(1.1, 4.0)
                } else {
                    rng.log_uniform(0.1, 10.0)
                }
            }
            SubproblemKind::ZeroGradient => rng.log_uniform(0.1, 10.0),
        };
        let mut sub = Self::build(&eigs, &gamma, radius, &mut rng);
        sub.kind = Some(kind);
        sub
    }

    /// Builds a subproblem from a prescribed spectrum: `B = Q diag(eigenvalues) Q'`, `g = Q gamma`,
    /// with a random orthogonal `Q` drawn from `seed`. The pairs `(eigenvalues[i], gamma[i])` are
    /// sorted by eigenvalue first.
    ///
    /// Panics if the lengths differ, are zero, or an eigenvalue is not finite.
    pub fn from_eigen(eigenvalues: &[f64], gamma: &[f64], radius: f64, seed: u64) -> Self {
        let n = eigenvalues.len();
        assert!(n >= 1 && gamma.len() == n, "eigenvalues and gamma must have the same nonzero length");
        assert!(eigenvalues.iter().all(|e| e.is_finite()), "eigenvalues must be finite");
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| eigenvalues[i].total_cmp(&eigenvalues[j]));
        let eigs: Vec<f64> = order.iter().map(|&i| eigenvalues[i]).collect();
        let gamma: Vec<f64> = order.iter().map(|&i| gamma[i]).collect();
        let mut rng = SplitMix64::new(seed);
        Self::build(&eigs, &gamma, radius, &mut rng)
    }

    fn build(eigs: &[f64], gamma: &[f64], radius: f64, rng: &mut SplitMix64) -> Self {
        let n = eigs.len();
        let k = n.min(32);
        // B = H_1 ... H_k D H_k ... H_1 and Q = H_1 ... H_k.
        let reflectors: Vec<Vec<f64>> = (0..k).map(|_| (0..n).map(|_| rng.normal()).collect()).collect();
        let beta = |v: &[f64]| {
            let vv: f64 = v.iter().map(|x| x * x).sum();
            if vv > 0.0 {
                2.0 / vv
            } else {
                0.0
            }
        };
        let mut a = vec![0.0; n * n];
        for (i, &e) in eigs.iter().enumerate() {
            a[i * n + i] = e;
        }
        let mut work = vec![0.0; n];
        for v in reflectors.iter().rev() {
            reflect_two_sided(&mut a, n, v, beta(v), &mut work);
        }
        let mut q = vec![0.0; n * n];
        for i in 0..n {
            q[i * n + i] = 1.0;
        }
        for v in &reflectors {
            reflect_right(&mut q, n, v, beta(v), &mut work);
        }
        let qm = MatRef::from_column_major_slice(&q, n, n);
        let mut g = vec![0.0; n];
        matvec(qm, gamma, &mut g);
        let hess = Mat::from_fn(n, n, |i, j| a[j * n + i]);
        Subproblem {
            kind: None,
            model: DenseModel::new(g, hess),
            radius,
            eigenvalues: eigs.to_vec(),
            eigenvectors: qm.to_owned(),
            gradient_eigen: gamma.to_vec(),
        }
    }

    /// Dimension `n`.
    pub fn dim(&self) -> usize {
        self.eigenvalues.len()
    }

    /// The global solution at [`Subproblem::radius`].
    pub fn exact(&self) -> ExactSolution {
        self.exact_at(self.radius)
    }

    /// The global solution at another radius (same model).
    pub fn exact_at(&self, radius: f64) -> ExactSolution {
        solve_in_eigenbasis(&self.eigenvalues, &self.gradient_eigen, radius)
    }

    /// A step from eigenbasis coordinates: `s = Q sigma`.
    pub fn from_eigenbasis(&self, sigma: &[f64]) -> Vec<f64> {
        let mut s = vec![0.0; self.dim()];
        matvec(self.eigenvectors.as_ref(), sigma, &mut s);
        s
    }

    /// `||B||_2 = max_i |e_i|`.
    pub fn spectral_norm(&self) -> f64 {
        self.eigenvalues.iter().fold(0.0f64, |m, e| m.max(e.abs()))
    }

    /// The leftmost eigenvalue `e_1`.
    pub fn lambda_min(&self) -> f64 {
        self.eigenvalues[0]
    }
}

fn norm_of(f: impl Fn(usize) -> f64, n: usize) -> f64 {
    (0..n).map(|i| f(i).powi(2)).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic_and_uniform_is_in_range() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..1000 {
            let u = a.uniform();
            assert_eq!(u, b.uniform());
            assert!((0.0..1.0).contains(&u));
        }
        // Reference value of SplitMix64 from seed 0 (first output).
        assert_eq!(SplitMix64::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn decomposition_reproduces_the_matrix() {
        for kind in SubproblemKind::ALL {
            let sp = Subproblem::generate(kind, 12, 3);
            let n = sp.dim();
            let q = sp.eigenvectors.as_ref();
            let mut err: f64 = 0.0;
            let mut orth: f64 = 0.0;
            for i in 0..n {
                for j in 0..n {
                    let bij: f64 = (0..n).map(|k| q[(i, k)] * sp.eigenvalues[k] * q[(j, k)]).sum();
                    err = err.max((bij - sp.model.hess[(i, j)]).abs());
                    let qtq: f64 = (0..n).map(|k| q[(k, i)] * q[(k, j)]).sum();
                    orth = orth.max((qtq - if i == j { 1.0 } else { 0.0 }).abs());
                    assert_eq!(sp.model.hess[(i, j)], sp.model.hess[(j, i)]);
                }
            }
            assert!(err < 1e-11 * sp.spectral_norm().max(1.0), "{kind:?}: {err}");
            assert!(orth < 1e-13, "{kind:?}: {orth}");
        }
    }

    #[test]
    fn exact_solutions_have_the_expected_shape() {
        for seed in 0..20 {
            let sp = Subproblem::generate(SubproblemKind::NewtonInside, 15, seed);
            let x = sp.exact();
            assert!(x.interior && x.lambda == 0.0);
            let sp = Subproblem::generate(SubproblemKind::HardCase, 15, seed);
            let x = sp.exact();
            assert!(x.hard_case && (x.step_norm - sp.radius).abs() < 1e-12 * sp.radius);
            assert_eq!(x.lambda, -sp.lambda_min());
            let sp = Subproblem::generate(SubproblemKind::Indefinite, 15, seed);
            let x = sp.exact();
            assert!(!x.interior && (x.step_norm - sp.radius).abs() < 1e-12 * sp.radius && x.step_norm <= sp.radius);
            assert!(x.lambda > -sp.lambda_min());
            let sp = Subproblem::generate(SubproblemKind::ZeroGradient, 15, seed);
            let x = sp.exact();
            assert!((x.change - 0.5 * sp.lambda_min() * sp.radius * sp.radius).abs() < 1e-12 * x.change.abs());
        }
    }
}
