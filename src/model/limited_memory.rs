//! Limited-memory quasi-Newton models in compact form: L-SR1 and L-BFGS, for gradient-only
//! objectives of large dimension.
//!
//! # Equations
//!
//! With the last `p <= m` stored pairs `S = [s_0 .. s_{p-1}]`, `Y = [y_0 .. y_{p-1}]` (`n x p`,
//! oldest first), `B_0 = gamma I`, and the splitting `S'Y = L + D + U` (`L` strictly lower,
//! `D` diagonal), the matrices of the recursive updates from `B_0` over the stored pairs have
//! the compact representations of Byrd, Nocedal & Schnabel (1994), written here uniformly as
//!
//! $$B = \gamma I + \Psi M \Psi^\top \tag{1}$$
//!
//! - L-BFGS (their Theorem 2.3): $\Psi = [\gamma S, Y]$ (`n x 2p`) and
//!   $M = -\begin{bmatrix} \gamma S^\top S & L \\ L^\top & -D \end{bmatrix}^{-1}$. With the
//!   Schur complement $C = \gamma S^\top S + L D^{-1} L^\top$ (positive definite when `S` has
//!   full rank and `D > 0`), the inverse is
//!   $\begin{bmatrix} C^{-1} & C^{-1} L D^{-1} \\ D^{-1} L^\top C^{-1} & -D^{-1} + D^{-1} L^\top C^{-1} L D^{-1} \end{bmatrix}$,
//!   computed with a `p x p` Cholesky factorization of `C`.
//! - L-SR1 (their Theorem 5.1): $\Psi = Y - \gamma S$ (`n x p`) and
//!   $M = (D + L + L^\top - \gamma S^\top S)^{-1}$, computed from the eigendecomposition of the
//!   `p x p` symmetric matrix (cyclic Jacobi).
//!
//! `S'S` and `S'Y` are kept up to date incrementally (`O(n p)` per new pair); forming `Psi` and
//! `M` costs `O(n p + p^3)` per stored pair, a product `B v = gamma v + Psi (M (Psi' v))` costs
//! `O(n p)`. Nothing `n x n` is ever formed; the memory is `O(n m)`, allocated once when the
//! run starts.
//!
//! # Pairs, skipping and scaling
//!
//! - L-BFGS stores a pair only when `y's > 1e-8 ||s|| ||y||`; L-SR1 only when
//!   `|r's| >= 1e-8 ||s|| ||r||` with `r = y - B s` and `||r|| > 1e-14 ||y||` (Nocedal &
//!   Wright 2006, eq. 6.26; below that `r` is rounding and `B s = y` holds already).
//!   Skipped pairs leave the model unchanged. L-SR1 also learns from rejected trials (their
//!   gradient is then evaluated), as the dense SR1 model, except from a wild trial
//!   (`||y|| > 1e8 (||g|| + ||B s||)`, see the dense models).
//! - `gamma = y'y / y's` of the newest stored pair of an accepted step with `y's > 0`
//!   (Nocedal & Wright 2006, eq. 7.20), `1` before the first (rejected trials, far from where
//!   the model is good, do not set the scale; see the dense models).
//! - When the middle matrix is singular to working precision (for L-BFGS: `S` numerically rank
//!   deficient; for L-SR1: an eigenvalue of `D + L + L' - gamma S'S` below `1e-10` times the
//!   largest in magnitude, which the changed `gamma` or a dropped pair can cause), the oldest
//!   pairs are dropped until it is not.
//!
//! The model offers products and the compact form ([`CompactForm`]): Steihaug-Toint CG and GLTR
//! run on the products (with the exact diagonal, `O(n p^2)`, for the Jacobi preconditioner),
//! and the exact trust-region step in `O(n p^2)`
//! ([`LimitedMemoryExact`](crate::subproblem::LimitedMemoryExact)) on the compact form.
//!
//! References:
//! 1. R. H. Byrd, J. Nocedal, R. B. Schnabel, Representations of quasi-Newton matrices and
//!    their use in limited memory methods, Math. Program. 63 (1994) 129-156.
//! 2. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), sec. 6.2,
//!    7.2.
//! 3. J. Brust, J. B. Erway, R. F. Marcia, On solving L-SR1 trust-region subproblems, Comput.
//!    Optim. Appl. 66 (2017) 245-266.

use faer::MatRef;

use super::compact::CompactForm;
use super::newton::{Curvature, GradientPoint, Newton};
use super::quasi_newton::{SecantUpdate, ROUNDING, SKIP_THRESHOLD, WILD};
use super::Model;
use crate::error::SetupError;
use crate::linalg::small_eigen::symmetric_eigen;
use crate::linalg::{all_finite, dot, norm};
use crate::problem::Objective;
use crate::step::{Evaluations, Needs};

/// A model that offers its compact form ([`Model::compact`]): what the exact limited-memory
/// step needs.
pub trait CompactModel: Model {}

impl<M: CompactModel + ?Sized> CompactModel for &mut M {}

/// Options of the limited-memory models.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimitedMemoryOptions {
    /// Pairs `(s, y)` kept, `m >= 1`. Default `8` (Nocedal & Wright 2006, sec. 7.2: 3 to 20
    /// pairs usually suffice; the spec asks for 5 to 10).
    pub memory: usize,
}

impl Default for LimitedMemoryOptions {
    fn default() -> Self {
        Self { memory: 8 }
    }
}

impl LimitedMemoryOptions {
    /// The options with `memory` pairs (the other options at their defaults).
    pub fn with_memory(memory: usize) -> Self {
        Self { memory }
    }

    /// Checks the options.
    pub fn validate(&self) -> Result<(), SetupError> {
        if self.memory == 0 {
            return Err(SetupError::InvalidOption { name: "memory", value: 0.0, reason: "must be at least 1" });
        }
        Ok(())
    }
}

/// A limited-memory quasi-Newton `B` in compact form (module docs). Build the model with
/// [`Newton::lsr1`], [`Newton::lbfgs`], or [`Newton::with_curvature`] and
/// [`LimitedMemory::new`] for other options.
#[derive(Clone, Debug)]
pub struct LimitedMemory {
    kind: SecantUpdate,
    options: LimitedMemoryOptions,
    n: usize,
    /// Pair storage, slot `j` at `[j n, (j + 1) n)`.
    s: Vec<f64>,
    y: Vec<f64>,
    /// Slot of the oldest pair, and the number of pairs.
    head: usize,
    count: usize,
    /// `s_a' s_b` and `s_a' y_b` by slot (`m x m`, entry `a + b m`).
    ss: Vec<f64>,
    sy: Vec<f64>,
    gamma: f64,
    /// `Psi` (`n x k`, column-major) and `M` (`k x k`).
    psi: Vec<f64>,
    middle: Vec<f64>,
    k: usize,
    /// Small workspace.
    small: Vec<f64>,
    small2: Vec<f64>,
    eig: Vec<f64>,
    t1: Vec<f64>,
    t2: Vec<f64>,
    /// Current point and gradient, the pair being tested, `B s`.
    x: Vec<f64>,
    g: Vec<f64>,
    s_new: Vec<f64>,
    y_new: Vec<f64>,
    bs: Vec<f64>,
    updates: usize,
    skipped: usize,
    dropped: usize,
}

impl LimitedMemory {
    /// A model with the given update and options, sized when the run starts
    /// ([`LimitedMemory::reset`]).
    pub fn new(kind: SecantUpdate, options: LimitedMemoryOptions) -> Self {
        Self {
            kind,
            options,
            n: 0,
            s: Vec::new(),
            y: Vec::new(),
            head: 0,
            count: 0,
            ss: Vec::new(),
            sy: Vec::new(),
            gamma: 1.0,
            psi: Vec::new(),
            middle: Vec::new(),
            k: 0,
            small: Vec::new(),
            small2: Vec::new(),
            eig: Vec::new(),
            t1: Vec::new(),
            t2: Vec::new(),
            x: Vec::new(),
            g: Vec::new(),
            s_new: Vec::new(),
            y_new: Vec::new(),
            bs: Vec::new(),
            updates: 0,
            skipped: 0,
            dropped: 0,
        }
    }

    /// `B = I` in `n` variables (no pairs), with every buffer allocated.
    pub fn reset(&mut self, n: usize) -> Result<(), SetupError> {
        self.options.validate()?;
        let m = self.options.memory;
        let kmax = self.max_rank();
        self.n = n;
        let sized = |v: &mut Vec<f64>, len: usize| {
            v.clear();
            v.resize(len, 0.0);
        };
        sized(&mut self.s, n * m);
        sized(&mut self.y, n * m);
        sized(&mut self.ss, m * m);
        sized(&mut self.sy, m * m);
        sized(&mut self.psi, n * kmax);
        sized(&mut self.middle, kmax * kmax);
        sized(&mut self.small, kmax * kmax);
        sized(&mut self.small2, kmax * kmax);
        sized(&mut self.eig, kmax);
        sized(&mut self.t1, kmax);
        sized(&mut self.t2, kmax);
        for v in [&mut self.x, &mut self.g, &mut self.s_new, &mut self.y_new, &mut self.bs] {
            sized(v, n);
        }
        self.head = 0;
        self.count = 0;
        self.k = 0;
        self.gamma = 1.0;
        self.updates = 0;
        self.skipped = 0;
        self.dropped = 0;
        Ok(())
    }

    /// The update rule.
    pub fn kind(&self) -> SecantUpdate {
        self.kind
    }

    /// The options.
    pub fn options(&self) -> &LimitedMemoryOptions {
        &self.options
    }

    /// The largest rank of `Psi`: `2 m` for L-BFGS, `m` for L-SR1.
    pub fn max_rank(&self) -> usize {
        match self.kind {
            SecantUpdate::Bfgs => 2 * self.options.memory,
            SecantUpdate::Sr1 => self.options.memory,
        }
    }

    /// `gamma` of `B_0 = gamma I`.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// Pairs stored now.
    pub fn stored_pairs(&self) -> usize {
        self.count
    }

    /// The `i`-th stored pair `(s, y)`, oldest first (`i < stored_pairs()`).
    pub fn pair(&self, i: usize) -> Option<(&[f64], &[f64])> {
        if i >= self.count {
            return None;
        }
        let slot = (self.head + i) % self.options.memory;
        let r = slot * self.n..(slot + 1) * self.n;
        Some((&self.s[r.clone()], &self.y[r]))
    }

    /// Pairs stored so far.
    pub fn updates(&self) -> usize {
        self.updates
    }

    /// Pairs skipped so far (module docs: the skipping rules).
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Old pairs dropped because the middle matrix was singular to working precision.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// The compact form of the current `B`.
    pub fn compact_form(&self) -> CompactForm<'_> {
        let (n, k) = (self.n, self.k);
        CompactForm {
            gamma: self.gamma,
            psi: MatRef::from_column_major_slice(&self.psi[..n * k], n, k),
            middle: MatRef::from_column_major_slice(&self.middle[..k * k], k, k),
            max_rank: self.max_rank(),
        }
    }

    /// `out <- B v` in `O(n k)`.
    pub fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        let (n, k) = (self.n, self.k);
        for a in 0..k {
            self.t1[a] = dot(&self.psi[a * n..(a + 1) * n], v);
        }
        for a in 0..k {
            self.t2[a] = (0..k).map(|b| self.middle[a + b * k] * self.t1[b]).sum();
        }
        for (o, &vi) in out.iter_mut().zip(v) {
            *o = self.gamma * vi;
        }
        for a in 0..k {
            let c = self.t2[a];
            for (o, &p) in out.iter_mut().zip(&self.psi[a * n..(a + 1) * n]) {
                *o += c * p;
            }
        }
    }

    /// Offers the pair `(s, y)`; returns whether it was stored (`false`: skipped, the model
    /// unchanged).
    pub fn update(&mut self, s: &[f64], y: &[f64]) -> bool {
        self.update_with(s, y, true)
    }

    /// [`LimitedMemory::update`]; `may_scale = false` (a rejected trial) keeps `gamma`.
    fn update_with(&mut self, s: &[f64], y: &[f64], may_scale: bool) -> bool {
        let n = self.n;
        if s.len() != n || y.len() != n {
            return false;
        }
        let (sn, yn, sy) = (norm(s), norm(y), dot(s, y));
        let ok = sn > 0.0
            && sn.is_finite()
            && yn.is_finite()
            && match self.kind {
                SecantUpdate::Bfgs => sy > SKIP_THRESHOLD * sn * yn,
                SecantUpdate::Sr1 => {
                    let mut bs = std::mem::take(&mut self.bs);
                    self.apply(s, &mut bs);
                    let wild = !may_scale && yn > WILD * (norm(&self.g) + norm(&bs));
                    for (r, &yi) in bs.iter_mut().zip(y) {
                        *r = yi - *r;
                    }
                    let (rn, rs) = (norm(&bs), dot(&bs, s));
                    self.bs = bs;
                    !wild && rn > ROUNDING * yn && rs.is_finite() && rs.abs() >= SKIP_THRESHOLD * sn * rn
                }
            };
        if !ok {
            self.skipped += 1;
            return false;
        }
        let m = self.options.memory;
        if self.count == m {
            self.head = (self.head + 1) % m;
            self.count -= 1;
        }
        let slot = (self.head + self.count) % m;
        self.count += 1;
        self.s[slot * n..(slot + 1) * n].copy_from_slice(s);
        self.y[slot * n..(slot + 1) * n].copy_from_slice(y);
        for i in 0..self.count {
            let b = (self.head + i) % m;
            let (sb, yb) = (&self.s[b * n..(b + 1) * n], &self.y[b * n..(b + 1) * n]);
            let v = dot(sb, s);
            self.ss[b + slot * m] = v;
            self.ss[slot + b * m] = v;
            self.sy[b + slot * m] = dot(sb, y);
            self.sy[slot + b * m] = dot(s, yb);
        }
        if may_scale && sy > 0.0 {
            let gamma = dot(y, y) / sy;
            if gamma.is_finite() && gamma > 0.0 {
                self.gamma = gamma;
            }
        }
        self.updates += 1;
        while self.count > 0 && !self.build() {
            self.head = (self.head + 1) % m;
            self.count -= 1;
            self.dropped += 1;
        }
        if self.count == 0 {
            self.k = 0;
        }
        true
    }

    /// `s_i' s_j` and `s_i' y_j` for chronological indices.
    fn ss_at(&self, i: usize, j: usize) -> f64 {
        let m = self.options.memory;
        self.ss[(self.head + i) % m + ((self.head + j) % m) * m]
    }
    fn sy_at(&self, i: usize, j: usize) -> f64 {
        let m = self.options.memory;
        self.sy[(self.head + i) % m + ((self.head + j) % m) * m]
    }

    /// Forms `Psi` and `M` from the stored pairs; `false` when the middle matrix is singular
    /// to working precision.
    fn build(&mut self) -> bool {
        let (n, p, m) = (self.n, self.count, self.options.memory);
        let gamma = self.gamma;
        match self.kind {
            SecantUpdate::Bfgs => {
                let k = 2 * p;
                // C = gamma S'S + L D^{-1} L' into `small` (p x p, leading dimension p).
                for j in 0..p {
                    for i in 0..p {
                        let mut c = gamma * self.ss_at(i, j);
                        for l in 0..i.min(j) {
                            c += self.sy_at(i, l) * self.sy_at(j, l) / self.sy_at(l, l);
                        }
                        self.small[i + j * p] = c;
                    }
                }
                // Cholesky C = R'R in place (upper triangle).
                let dmax = (0..p).map(|i| self.small[i + i * p]).fold(0.0, f64::max);
                for j in 0..p {
                    for i in 0..=j {
                        let mut v = self.small[i + j * p];
                        for l in 0..i {
                            v -= self.small[l + i * p] * self.small[l + j * p];
                        }
                        if i == j {
                            if !(v > 1e-12 * dmax) || !v.is_finite() {
                                return false;
                            }
                            self.small[j + j * p] = v.sqrt();
                        } else {
                            self.small[i + j * p] = v / self.small[i + i * p];
                        }
                    }
                }
                // C^{-1} into `small2` (p x p): solve R'R X = I column by column.
                for c in 0..p {
                    let col = &mut self.small2[c * p..(c + 1) * p];
                    col.fill(0.0);
                    col[c] = 1.0;
                    for i in 0..p {
                        let mut v = col[i];
                        for l in 0..i {
                            v -= self.small[l + i * p] * col[l];
                        }
                        col[i] = v / self.small[i + i * p];
                    }
                    for i in (0..p).rev() {
                        let mut v = col[i];
                        for l in i + 1..p {
                            v -= self.small[i + l * p] * col[l];
                        }
                        col[i] = v / self.small[i + i * p];
                    }
                }
                // W = C^{-1} L D^{-1} into `small` (p x p): W_ij = sum_{l > j} Cinv_il s_l'y_j / d_j.
                for j in 0..p {
                    let dj = self.sy_at(j, j);
                    for i in 0..p {
                        let mut v = 0.0;
                        for l in j + 1..p {
                            v += self.small2[i + l * p] * self.sy_at(l, j);
                        }
                        self.small[i + j * p] = v / dj;
                    }
                }
                // M = -[[Cinv, W], [W', -D^{-1} + D^{-1} L' W]].
                for j in 0..p {
                    for i in 0..p {
                        self.middle[i + j * k] = -self.small2[i + j * p];
                        self.middle[i + (j + p) * k] = -self.small[i + j * p];
                        self.middle[(j + p) + i * k] = -self.small[i + j * p];
                    }
                }
                for j in 0..p {
                    for i in 0..p {
                        // (D^{-1} L' W)_ij = sum_{l > i} s_l'y_i W_lj / d_i.
                        let mut v = 0.0;
                        for l in i + 1..p {
                            v += self.sy_at(l, i) * self.small[l + j * p];
                        }
                        v /= self.sy_at(i, i);
                        if i == j {
                            v -= 1.0 / self.sy_at(i, i);
                        }
                        self.middle[(i + p) + (j + p) * k] = -v;
                    }
                }
                // Symmetrize the lower-right block against rounding.
                for j in 0..p {
                    for i in 0..j {
                        let a = 0.5 * (self.middle[(i + p) + (j + p) * k] + self.middle[(j + p) + (i + p) * k]);
                        self.middle[(i + p) + (j + p) * k] = a;
                        self.middle[(j + p) + (i + p) * k] = a;
                    }
                }
                for i in 0..p {
                    let slot = (self.head + i) % m;
                    let (src_s, src_y) = (&self.s[slot * n..(slot + 1) * n], &self.y[slot * n..(slot + 1) * n]);
                    for (d, &v) in self.psi[i * n..(i + 1) * n].iter_mut().zip(src_s) {
                        *d = gamma * v;
                    }
                    self.psi[(i + p) * n..(i + p + 1) * n].copy_from_slice(src_y);
                }
                self.k = k;
                self.middle[..k * k].iter().all(|v| v.is_finite())
            }
            SecantUpdate::Sr1 => {
                let k = p;
                for j in 0..p {
                    for i in 0..p {
                        let (a, b) = if i >= j { (i, j) } else { (j, i) };
                        self.small[i + j * p] = self.sy_at(a, b) - gamma * self.ss_at(i, j);
                    }
                }
                if !symmetric_eigen(&mut self.small, p, &mut self.eig, &mut self.small2) {
                    return false;
                }
                let wmax = self.eig[..p].iter().fold(0.0, |a: f64, &w| a.max(w.abs()));
                if self.eig[..p].iter().any(|w| !(w.abs() > 1e-10 * wmax)) {
                    return false;
                }
                for j in 0..p {
                    for i in 0..p {
                        self.middle[i + j * k] =
                            (0..p).map(|l| self.small2[i + l * p] * self.small2[j + l * p] / self.eig[l]).sum();
                    }
                }
                for i in 0..p {
                    let slot = (self.head + i) % m;
                    let (src_s, src_y) = (&self.s[slot * n..(slot + 1) * n], &self.y[slot * n..(slot + 1) * n]);
                    for ((d, &sv), &yv) in self.psi[i * n..(i + 1) * n].iter_mut().zip(src_s).zip(src_y) {
                        *d = yv - gamma * sv;
                    }
                }
                self.k = k;
                self.middle[..k * k].iter().all(|v| v.is_finite())
            }
        }
    }

    /// The pair from the current point to `(x, g)` into `s_new`, `y_new`; `false` if not finite.
    fn pair_to(&mut self, x: &[f64], g: &[f64]) -> bool {
        for ((si, &xi), &ci) in self.s_new.iter_mut().zip(x).zip(&self.x) {
            *si = xi - ci;
        }
        for ((yi, &gi), &ci) in self.y_new.iter_mut().zip(g).zip(&self.g) {
            *yi = gi - ci;
        }
        all_finite(&self.y_new)
    }

    fn offer_new_pair(&mut self, accepted: bool) -> bool {
        let (s, y) = (std::mem::take(&mut self.s_new), std::mem::take(&mut self.y_new));
        let changed = self.update_with(&s, &y, accepted);
        self.s_new = s;
        self.y_new = y;
        changed
    }
}

impl<P: Objective + ?Sized> Curvature<P> for LimitedMemory {
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError> {
        self.options.validate()?;
        super::products_only(needs, "a Hessian matrix (a limited-memory model offers products and its compact form)")
    }
    fn start(&mut self, _: &P, x: &[f64], _: &mut Evaluations) -> Result<(), SetupError> {
        self.reset(x.len())
    }
    fn refresh(&mut self, _: &P, _: &[f64], _: &mut Evaluations) -> bool {
        true
    }
    fn apply(&mut self, _: &P, _: &[f64], v: &[f64], out: &mut [f64], _: &mut Evaluations) {
        LimitedMemory::apply(self, v, out);
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        let (n, k) = (self.n, self.k);
        for (i, o) in out.iter_mut().enumerate() {
            let mut d = self.gamma;
            for b in 0..k {
                let pb = self.psi[i + b * n];
                if pb == 0.0 {
                    continue;
                }
                let row: f64 = (0..k).map(|a| self.psi[i + a * n] * self.middle[a + b * k]).sum();
                d += row * pb;
            }
            *o = d;
        }
        true
    }
    fn compact(&self) -> Option<CompactForm<'_>> {
        Some(self.compact_form())
    }
    fn observe(&mut self, x: &[f64], g: &[f64], point: GradientPoint) -> bool {
        match point {
            GradientPoint::Start => {
                self.x.copy_from_slice(x);
                self.g.copy_from_slice(g);
                false
            }
            GradientPoint::Accepted => {
                if self.pair_to(x, g) {
                    self.offer_new_pair(true);
                }
                self.x.copy_from_slice(x);
                self.g.copy_from_slice(g);
                false
            }
            GradientPoint::Rejected => {
                self.kind == SecantUpdate::Sr1 && self.pair_to(x, g) && self.offer_new_pair(false)
            }
        }
    }
    fn wants_rejected_trials(&self) -> bool {
        self.kind == SecantUpdate::Sr1
    }
    fn is_secant(&self) -> bool {
        true
    }
}

impl<'a, P: Objective + ?Sized> Newton<'a, P, LimitedMemory> {
    /// The L-SR1 model of a gradient-only [`Objective`] in compact form, with the default
    /// memory (module docs). Pair it with
    /// [`LimitedMemoryExact`](crate::subproblem::LimitedMemoryExact) (exact step, `O(n m^2)`)
    /// or a matrix-free step solver.
    pub fn lsr1(problem: &'a P) -> Self {
        Self::with_curvature(problem, LimitedMemory::new(SecantUpdate::Sr1, LimitedMemoryOptions::default()))
    }

    /// The L-BFGS model of a gradient-only [`Objective`] in compact form, with the default
    /// memory (module docs).
    pub fn lbfgs(problem: &'a P) -> Self {
        Self::with_curvature(problem, LimitedMemory::new(SecantUpdate::Bfgs, LimitedMemoryOptions::default()))
    }
}

impl<P: Objective + ?Sized> CompactModel for Newton<'_, P, LimitedMemory> {}
