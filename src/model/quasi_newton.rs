//! Dense quasi-Newton models: the SR1 and BFGS secant updates of `B`, for gradient-only
//! objectives of small dimension.
//!
//! # Equations
//!
//! After a step $s$ from $x$ with gradients $g(x)$ and $g(x + s)$, let $y = g(x + s) - g(x)$.
//!
//! - SR1 (Nocedal & Wright 2006, eq. 6.24): with $r = y - B s$,
//!
//!   $$B_+ = B + \frac{r r^\top}{r^\top s}, \tag{1}$$
//!
//!   skipped when $|r^\top s| < 10^{-8} \norm{s} \norm{r}$ (eq. 6.26) or
//!   $\norm{r} \le 10^{-14} \norm{y}$ (then $B$ already satisfies the secant equation $B s = y$
//!   to rounding). SR1 need not stay positive definite,
//!   which is what a trust region wants of it; the update is made after every trial whose
//!   gradient is known, accepted or not (Nocedal & Wright 2006, Algorithm 6.2; Conn, Gould &
//!   Toint 1991), so a rejected trial costs one gradient.
//! - BFGS (Nocedal & Wright 2006, eq. 6.19):
//!
//!   $$B_+ = B - \frac{B s s^\top B}{s^\top B s} + \frac{y y^\top}{y^\top s}, \tag{2}$$
//!
//!   skipped when $y^\top s \le 10^{-8} \norm{s} \norm{y}$ (the pair carries no positive
//!   curvature: skipping keeps $B$ positive definite, Nocedal & Wright 2006, sec. 6.1 and
//!   18.3). We skip rather than Powell-damp: damping changes the secant equation the pair
//!   stands for, and the trust region already copes with a poor model by shrinking.
//!   Accepted steps only.
//! - Initial matrix (Shanno & Phua 1978; Nocedal & Wright 2006, eq. 6.20 for the inverse):
//!   $B_0 = I$ until the first pair of an accepted step with $y^\top s > 0$, which first resets
//!   $B = \gamma I$, $\gamma = y^\top y / y^\top s$, and is then applied. Pairs of rejected
//!   trials (SR1) do not set the scale: a trial far outside the region where the model is
//!   good (osborne1's first trial raises `f` from 0.44 to 6e44) would make `gamma` huge and
//!   every later step tiny. For the same reason the pair of a rejected trial is skipped when
//!   $\norm{y} > 10^8 (\norm{g} + \norm{B s})$: such a `y` (osborne1: `1e46` against a
//!   gradient of `2e2`) swamps every other entry of `B` and leaves it numerically useless.
//!
//! A skipped update leaves `B` bit for bit unchanged. `B` is held dense (both triangles), so
//! every step solver works on it: dogleg (for BFGS: positive definite), More-Sorensen (the
//! indefinite SR1 model included, hard case and all), Steihaug-Toint CG and GLTR (with the
//! exact diagonal for the Jacobi preconditioner). Each update costs `O(n^2)`.
//!
//! References:
//! 1. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), ch. 6.
//! 2. A. R. Conn, N. I. M. Gould, Ph. L. Toint, Convergence of quasi-Newton matrices generated
//!    by the symmetric rank one update, Math. Program. 50 (1991) 177-195.
//! 3. D. F. Shanno, K. H. Phua, Matrix conditioning and nonlinear optimization, Math. Program.
//!    14 (1978) 149-160.

use faer::{Mat, MatRef};

use super::newton::{Curvature, GradientPoint, Newton};
use super::{DenseMatrixModel, MatrixModel};
use crate::error::SetupError;
use crate::linalg::{all_finite, dense, dot, norm};
use crate::problem::Objective;
use crate::step::{Evaluations, Needs};

/// Relative threshold of the skipping rules (Nocedal & Wright 2006, eq. 6.26).
pub(crate) const SKIP_THRESHOLD: f64 = 1e-8;
/// A rejected trial's pair with `||y|| > WILD (||g|| + ||B s||)` is skipped.
pub(crate) const WILD: f64 = 1e8;
/// `||r|| <= ROUNDING ||y||`: `r = y - B s` is rounding, `B s = y` holds already (SR1 skips).
pub(crate) const ROUNDING: f64 = 1e-14;

/// Which secant update a quasi-Newton model makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecantUpdate {
    /// Symmetric rank one (may be indefinite; updated on rejected trials too).
    Sr1,
    /// Broyden-Fletcher-Goldfarb-Shanno (positive definite; accepted steps only).
    Bfgs,
}

/// A dense quasi-Newton `B` (module docs). Build the model with [`Newton::sr1`] or
/// [`Newton::bfgs`].
#[derive(Clone, Debug)]
pub struct DenseQuasiNewton {
    kind: SecantUpdate,
    b: Mat<f64>,
    x: Vec<f64>,
    g: Vec<f64>,
    s: Vec<f64>,
    y: Vec<f64>,
    bs: Vec<f64>,
    scaled: bool,
    updates: usize,
    skipped: usize,
}

impl DenseQuasiNewton {
    /// An empty model (`n = 0`) with the given update; [`DenseQuasiNewton::reset`] sizes it.
    pub fn new(kind: SecantUpdate) -> Self {
        Self {
            kind,
            b: Mat::zeros(0, 0),
            x: Vec::new(),
            g: Vec::new(),
            s: Vec::new(),
            y: Vec::new(),
            bs: Vec::new(),
            scaled: false,
            updates: 0,
            skipped: 0,
        }
    }

    /// `B = I` in `n` variables, counters at zero.
    pub fn reset(&mut self, n: usize) {
        self.b = Mat::identity(n, n);
        for v in [&mut self.x, &mut self.g, &mut self.s, &mut self.y, &mut self.bs] {
            v.clear();
            v.resize(n, 0.0);
        }
        self.scaled = false;
        self.updates = 0;
        self.skipped = 0;
    }

    /// The update rule.
    pub fn kind(&self) -> SecantUpdate {
        self.kind
    }

    /// The current `B` (symmetric, both triangles).
    pub fn matrix(&self) -> MatRef<'_, f64> {
        self.b.as_ref()
    }

    /// Updates made so far.
    pub fn updates(&self) -> usize {
        self.updates
    }

    /// Updates skipped so far (module docs: the skipping rules).
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Applies the secant update for the pair `(s, y)` (both of length `n`); returns whether
    /// `B` changed (`false`: skipped, `B` untouched).
    pub fn update(&mut self, s: &[f64], y: &[f64]) -> bool {
        self.update_with(s, y, true)
    }

    /// [`DenseQuasiNewton::update`]; `may_scale = false` (a rejected trial) leaves the initial
    /// scaling to a later pair.
    fn update_with(&mut self, s: &[f64], y: &[f64], may_scale: bool) -> bool {
        let n = self.b.nrows();
        if s.len() != n || y.len() != n {
            return false;
        }
        let (sn, yn) = (norm(s), norm(y));
        let sy = dot(s, y);
        if !(sn > 0.0) || !sn.is_finite() || !yn.is_finite() {
            self.skipped += 1;
            return false;
        }
        let accept = match self.kind {
            SecantUpdate::Bfgs => sy > SKIP_THRESHOLD * sn * yn,
            SecantUpdate::Sr1 => true,
        };
        if !accept {
            self.skipped += 1;
            return false;
        }
        // Shanno-Phua: B0 = gamma I from the first pair with positive curvature.
        let scale_now = may_scale && !self.scaled && sy > 0.0 && dot(y, y) / sy > 0.0 && (dot(y, y) / sy).is_finite();
        let saved_scaled = self.scaled;
        let mut gamma = 0.0;
        if scale_now {
            gamma = dot(y, y) / sy;
        }
        // B s (with the scaled B0 when it is reset now).
        if scale_now {
            for (o, &si) in self.bs.iter_mut().zip(s) {
                *o = gamma * si;
            }
        } else {
            dense::matvec(self.b.as_ref(), s, &mut self.bs);
        }
        // A rejected trial far outside the region where the model is good: its pair would
        // swamp B (module docs).
        if !may_scale && yn > WILD * (norm(&self.g) + norm(&self.bs)) {
            self.skipped += 1;
            return false;
        }
        let changed = match self.kind {
            SecantUpdate::Bfgs => {
                let sbs = dot(s, &self.bs);
                if !(sbs > 0.0) || !sbs.is_finite() {
                    false
                } else {
                    if scale_now {
                        self.set_scaled_identity(gamma);
                    }
                    for j in 0..n {
                        let (bj, yj) = (self.bs[j] / sbs, y[j] / sy);
                        for i in 0..n {
                            self.b[(i, j)] += y[i] * yj - self.bs[i] * bj;
                        }
                    }
                    true
                }
            }
            SecantUpdate::Sr1 => {
                for (r, &yi) in self.bs.iter_mut().zip(y) {
                    *r = yi - *r;
                }
                let rn = norm(&self.bs);
                let rs = dot(&self.bs, s);
                if !(rn > ROUNDING * yn) || !(rs.abs() >= SKIP_THRESHOLD * sn * rn) || !rs.is_finite() {
                    // r = 0 (to rounding): the secant equation already holds; the rescaling
                    // alone is kept only if it is what makes it hold.
                    if scale_now && rn <= ROUNDING * yn {
                        self.set_scaled_identity(gamma);
                        true
                    } else {
                        false
                    }
                } else {
                    if scale_now {
                        self.set_scaled_identity(gamma);
                    }
                    for j in 0..n {
                        let rj = self.bs[j] / rs;
                        for i in 0..n {
                            self.b[(i, j)] += self.bs[i] * rj;
                        }
                    }
                    true
                }
            }
        };
        if changed {
            self.updates += 1;
            self.scaled = saved_scaled || scale_now;
        } else {
            self.skipped += 1;
        }
        changed
    }

    fn set_scaled_identity(&mut self, gamma: f64) {
        let n = self.b.nrows();
        for j in 0..n {
            for i in 0..n {
                self.b[(i, j)] = if i == j { gamma } else { 0.0 };
            }
        }
    }

    /// The pair from the current point to `(x, g)` into `s`, `y`; `false` if not finite.
    fn pair(&mut self, x: &[f64], g: &[f64]) -> bool {
        for ((si, &xi), &ci) in self.s.iter_mut().zip(x).zip(&self.x) {
            *si = xi - ci;
        }
        for ((yi, &gi), &ci) in self.y.iter_mut().zip(g).zip(&self.g) {
            *yi = gi - ci;
        }
        all_finite(&self.y)
    }
}

impl<P: Objective + ?Sized> Curvature<P> for DenseQuasiNewton {
    fn check_needs(&self, needs: Needs) -> Result<(), SetupError> {
        if needs == Needs::DenseJacobian {
            return Err(super::no_jacobian());
        }
        Ok(())
    }
    fn start(&mut self, _: &P, x: &[f64], _: &mut Evaluations) -> Result<(), SetupError> {
        self.reset(x.len());
        Ok(())
    }
    fn refresh(&mut self, _: &P, _: &[f64], _: &mut Evaluations) -> bool {
        true
    }
    fn apply(&mut self, _: &P, _: &[f64], v: &[f64], out: &mut [f64], _: &mut Evaluations) {
        dense::matvec(self.b.as_ref(), v, out);
    }
    fn dense(&self) -> Option<MatRef<'_, f64>> {
        Some(self.b.as_ref())
    }
    fn diagonal(&self, out: &mut [f64]) -> bool {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.b[(i, i)];
        }
        true
    }
    fn observe(&mut self, x: &[f64], g: &[f64], point: GradientPoint) -> bool {
        match point {
            GradientPoint::Start => {
                self.x.copy_from_slice(x);
                self.g.copy_from_slice(g);
                false
            }
            GradientPoint::Accepted => {
                if self.pair(x, g) {
                    let (s, y) = (std::mem::take(&mut self.s), std::mem::take(&mut self.y));
                    self.update_with(&s, &y, true);
                    self.s = s;
                    self.y = y;
                }
                self.x.copy_from_slice(x);
                self.g.copy_from_slice(g);
                false
            }
            GradientPoint::Rejected => {
                if self.kind != SecantUpdate::Sr1 || !self.pair(x, g) {
                    return false;
                }
                let (s, y) = (std::mem::take(&mut self.s), std::mem::take(&mut self.y));
                let changed = self.update_with(&s, &y, false);
                self.s = s;
                self.y = y;
                changed
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

impl<'a, P: Objective + ?Sized> Newton<'a, P, DenseQuasiNewton> {
    /// The SR1 quasi-Newton model of a gradient-only [`Objective`] (dense `B`, module docs):
    /// every step solver works on it; the More-Sorensen step handles its indefiniteness.
    pub fn sr1(problem: &'a P) -> Self {
        Self::with_curvature(problem, DenseQuasiNewton::new(SecantUpdate::Sr1))
    }

    /// The BFGS quasi-Newton model of a gradient-only [`Objective`] (dense `B`, module docs).
    pub fn bfgs(problem: &'a P) -> Self {
        Self::with_curvature(problem, DenseQuasiNewton::new(SecantUpdate::Bfgs))
    }
}

impl<P: Objective + ?Sized> DenseMatrixModel for Newton<'_, P, DenseQuasiNewton> {}
impl<P: Objective + ?Sized> MatrixModel for Newton<'_, P, DenseQuasiNewton> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_diff(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
        let mut d: f64 = 0.0;
        for j in 0..a.ncols() {
            for i in 0..a.nrows() {
                d = d.max((a[(i, j)] - b[(i, j)]).abs());
            }
        }
        d
    }

    #[test]
    fn secant_equation_holds_after_update() {
        for kind in [SecantUpdate::Sr1, SecantUpdate::Bfgs] {
            let mut q = DenseQuasiNewton::new(kind);
            q.reset(3);
            let pairs = [([1.0, 0.5, -0.2], [3.0, 1.0, 0.1]), ([0.1, -1.0, 0.3], [0.5, -2.5, 1.0])];
            for (s, y) in pairs {
                assert!(q.update(&s, &y));
                let mut bs = [0.0; 3];
                dense::matvec(q.matrix(), &s, &mut bs);
                for i in 0..3 {
                    assert!((bs[i] - y[i]).abs() < 1e-12 * (1.0 + y[i].abs()), "{kind:?}: {bs:?} vs {y:?}");
                }
            }
            assert_eq!(q.updates(), 2);
        }
    }

    #[test]
    fn skipped_updates_leave_b_unchanged() {
        let mut q = DenseQuasiNewton::new(SecantUpdate::Bfgs);
        q.reset(2);
        assert!(q.update(&[1.0, 0.0], &[2.0, 0.5]));
        let before = q.matrix().to_owned();
        // Negative curvature: BFGS skips.
        assert!(!q.update(&[1.0, 1.0], &[-1.0, -1.0]));
        assert_eq!(max_diff(before.as_ref(), q.matrix()), 0.0);
        assert_eq!(q.skipped(), 1);

        let mut q = DenseQuasiNewton::new(SecantUpdate::Sr1);
        q.reset(2);
        assert!(q.update(&[1.0, 0.0], &[2.0, 0.0]));
        let before = q.matrix().to_owned();
        // B s = y already: r = 0, skipped.
        assert!(!q.update(&[0.0, 3.0], &[0.0, 6.0]));
        assert_eq!(max_diff(before.as_ref(), q.matrix()), 0.0);
        // r orthogonal to s: |r's| < 1e-8 ||s|| ||r||, skipped.
        assert!(!q.update(&[1.0, 0.0], &[2.0, 1.0]));
        assert_eq!(max_diff(before.as_ref(), q.matrix()), 0.0);
    }

    #[test]
    fn first_pair_scales_the_identity() {
        let mut q = DenseQuasiNewton::new(SecantUpdate::Bfgs);
        q.reset(2);
        // y = 4 s: gamma = 4, and then B s = y needs no more change.
        assert!(q.update(&[1.0, 1.0], &[4.0, 4.0]));
        assert!((q.matrix()[(0, 0)] - 4.0).abs() < 1e-14 && (q.matrix()[(1, 1)] - 4.0).abs() < 1e-14);
        assert!(q.matrix()[(0, 1)].abs() < 1e-14);
    }
}
