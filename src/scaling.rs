//! Affine scaling vectors $d(x)$ for the interior trust region on bound-constrained systems.
//!
//! The problem: find $x$ with $F(x) = 0$ and $l \le x \le u$, through the merit
//! $f(x) = \tfrac12 \norm{F(x)}^2$ with gradient $g = J^\top F$. The first-order conditions of
//! $\min f$ on the box are $D(x)^{1/2} g(x) = 0$ for a diagonal scaling $D = \operatorname{diag}(d)$
//! with $d_i \ge 0$ that vanishes exactly on the components where a bound is active and $-g$
//! points out of the box [1, eq. (2.3)]. Steps follow $-D g$ and the trust region is measured in
//! $\norm{D^{-1/2} p}$ (see [`crate::solver::interior`]).
//!
//! The members, all in `d` form (the matrices are combined as `d`, never as `D^{-1/2}`):
//! 1. Coleman-Li [1, eq. (2.2)]:
//!    $d_i = u_i - x_i$ if $g_i < 0$ and $u_i < \infty$; $d_i = x_i - l_i$ if $g_i \ge 0$ and
//!    $l_i > -\infty$; $d_i = 1$ otherwise (ties `g_i = 0` take the lower branch, as STRSCNE \[3\] and
//!    CoDoSol \[4\] do). Discontinuous where `g_i` changes sign.
//! 2. Heinkenschloss-Ulbrich-Ulbrich [2, sec. 2], exponent `p > 1`: with
//!    $m_i = \min(x_i - l_i, u_i - x_i)$, $d_i = d_i^{CL}$ if $|g_i| < m_i^p$ or $m_i < |g_i|^p$,
//!    else $d_i = 1$.
//! 3. Kanzow-Klug type, `gamma > 0`, `Lambda > 0`:
//!    $d_i = \min\big(x_i - l_i + \gamma \max(0, -g_i), u_i - x_i + \gamma \max(0, g_i), \Lambda\big)$,
//!    infinite bounds dropping out of the min. Lipschitz continuous in $(x, g)$:
//!    $|d_i(x, g) - d_i(y, h)| \le |x_i - y_i| + \gamma |g_i - h_i|$. The published formula of
//!    Kanzow & Klug \[5\] could not be checked while writing this crate: this is the KK-type
//!    continuous scaling of this crate (spec `scaled-interior.md`), not a transcription.
//! 4. Convex combination (Ayanzadeh, Yazdanian & Shahamatnia \[6\]):
//!    $d = w_1 d^{CL} + w_2 d^{HUU} + w_3 d^{KK}$ with $w_j \ge 0$, $\sum_j w_j = 1$. It keeps what every
//!    member guarantees: `d_i > 0` strictly inside, `d_i = 0` exactly at an active bound with
//!    `-g_i` pointing outwards, `d` bounded on bounded sets.
//! 5. Adaptive (beyond \[6\]): the solver picks, at every trial, the member (CL, HUU, KK or the
//!    equal-weight combination, default parameters) whose truncated generalized Cauchy step
//!    decreases the model most; [`Scaling::scale`] writes the equal-weight combination for it.
//!
//! References:
//! 1. T. F. Coleman, Y. Li, An interior trust region approach for nonlinear minimization
//!    subject to bounds, SIAM J. Optim. 6 (1996) 418-445.
//! 2. M. Heinkenschloss, M. Ulbrich, S. Ulbrich, Superlinear and quadratic convergence of
//!    affine-scaling interior-point Newton methods for problems with simple bounds without
//!    strict complementarity assumption, Math. Program. 86 (1999) 615-635.
//! 3. S. Bellavia, M. Macconi, B. Morini, An affine scaling trust-region approach to
//!    bound-constrained nonlinear systems, Appl. Numer. Math. 44 (2003) 257-280 (STRSCNE).
//! 4. S. Bellavia, M. Macconi, S. Pieraccini, Constrained dogleg methods for nonlinear systems
//!    with simple bounds, Comput. Optim. Appl. 53 (2012) 771-794 (CoDoSol).
//! 5. C. Kanzow, A. Klug, On affine-scaling interior-point Newton methods for nonlinear
//!    minimization with bound constraints, Comput. Optim. Appl. 35 (2006) 177-197.
//! 6. R. Ayanzadeh, M. Yazdanian, E. Shahamatnia, A convex combination of scaling matrices for
//!    bound-constrained nonlinear systems, arXiv:1904.09209 (2019).

use crate::error::SetupError;
use crate::problem::Bounds;

/// Default HUU exponent `p = 2` (Heinkenschloss, Ulbrich & Ulbrich 1999; spec default).
pub const DEFAULT_HUU_P: f64 = 2.0;
/// Default KK-type `gamma = 1` (spec default).
pub const DEFAULT_KK_GAMMA: f64 = 1.0;
/// Default KK-type `Lambda = 1` (spec default).
pub const DEFAULT_KK_LAMBDA: f64 = 1.0;
/// Equal weights of the convex combination (spec default; the paper's weights were not
/// available).
pub const EQUAL_WEIGHTS: [f64; 3] = [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0];

/// Which scale vector `d(x)` the interior solver uses.
///
/// # Example
///
/// In the box `[0, 1]^2` at `x = (0.25, 0.875)` with merit gradient `g = (-0.4, -2)`: both
/// components of `-g` point at the upper bounds.
///
/// ```
/// use trust_region::{Bounds, Scaling};
///
/// let bounds = Bounds::new(vec![0.0, 0.0], vec![1.0, 1.0]).unwrap();
/// let (x, g) = ([0.25, 0.875], [-0.4, -2.0]);
/// let mut d = [0.0; 2];
/// let mut scale = |s: Scaling| {
///     s.scale(&x, &g, &bounds, &mut d);
///     d
/// };
/// // Coleman-Li: the distance to the bound -g is heading for.
/// assert_eq!(scale(Scaling::ColemanLi), [0.75, 0.125]);
/// // HUU (p = 2) keeps that distance only where |g_i| < m_i^2 or m_i < |g_i|^2,
/// // m_i = distance to the nearer bound: not for the first component (m = 0.25, |g| = 0.4).
/// assert_eq!(scale(Scaling::Huu { p: 2.0 }), [1.0, 0.125]);
/// // KK-type: min(x - l + gamma max(0, -g), u - x + gamma max(0, g), Lambda).
/// let kk = scale(Scaling::KanzowKlug { gamma: 1.0, lambda: 1.0 });
/// assert!((kk[0] - 0.65).abs() < 1e-15 && kk[1] == 0.125);
/// // The default: the equal-weight convex combination of the three.
/// let comb = scale(Scaling::default());
/// assert!((comb[0] - 0.8).abs() < 1e-15 && (comb[1] - 0.125).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub enum Scaling {
    /// Coleman-Li (1996), eq. (2.2).
    ColemanLi,
    /// Heinkenschloss-Ulbrich-Ulbrich (1999) with exponent `p > 1` (default 2).
    Huu {
        /// Exponent `p > 1`.
        p: f64,
    },
    /// The KK-type continuous scaling of this crate, `gamma > 0`, `Lambda > 0` (defaults 1).
    KanzowKlug {
        /// Weight of the gradient term, `gamma > 0`.
        gamma: f64,
        /// Upper bound `Lambda > 0` of `d`.
        lambda: f64,
    },
    /// Convex combination `w_1 d^CL + w_2 d^HUU(p) + w_3 d^KK(gamma, lambda)`
    /// (Ayanzadeh, Yazdanian & Shahamatnia 2019).
    Combination {
        /// Weights of CL, HUU and KK: nonnegative, summing to 1.
        weights: [f64; 3],
        /// HUU exponent.
        p: f64,
        /// KK `gamma`.
        gamma: f64,
        /// KK `Lambda`.
        lambda: f64,
    },
    /// Per-trial choice among CL, HUU, KK and the equal-weight combination (default
    /// parameters): the one whose truncated generalized Cauchy step decreases the model most.
    Adaptive,
}

impl Default for Scaling {
    /// The equal-weight convex combination with default member parameters.
    fn default() -> Self {
        Scaling::combination(EQUAL_WEIGHTS)
    }
}

/// One member of the family, as recorded per iteration (for [`Scaling::Adaptive`], the one
/// chosen).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum ScaleMember {
    /// Coleman-Li.
    ColemanLi,
    /// Heinkenschloss-Ulbrich-Ulbrich.
    Huu,
    /// KK-type.
    KanzowKlug,
    /// The convex combination.
    Combination,
}

impl ScaleMember {
    /// Stable short name: `"cl"`, `"huu"`, `"kk"`, `"combination"`.
    pub fn name(&self) -> &'static str {
        match self {
            ScaleMember::ColemanLi => "cl",
            ScaleMember::Huu => "huu",
            ScaleMember::KanzowKlug => "kk",
            ScaleMember::Combination => "combination",
        }
    }
}

impl Scaling {
    /// HUU with the default exponent.
    pub fn huu() -> Self {
        Scaling::Huu { p: DEFAULT_HUU_P }
    }

    /// KK-type with default parameters.
    pub fn kanzow_klug() -> Self {
        Scaling::KanzowKlug { gamma: DEFAULT_KK_GAMMA, lambda: DEFAULT_KK_LAMBDA }
    }

    /// The combination with the given weights and default member parameters.
    pub fn combination(weights: [f64; 3]) -> Self {
        Scaling::Combination { weights, p: DEFAULT_HUU_P, gamma: DEFAULT_KK_GAMMA, lambda: DEFAULT_KK_LAMBDA }
    }

    /// The fixed members the adaptive choice picks from (in this order).
    pub fn adaptive_candidates() -> [(ScaleMember, Scaling); 4] {
        [
            (ScaleMember::ColemanLi, Scaling::ColemanLi),
            (ScaleMember::Huu, Scaling::huu()),
            (ScaleMember::KanzowKlug, Scaling::kanzow_klug()),
            (ScaleMember::Combination, Scaling::combination(EQUAL_WEIGHTS)),
        ]
    }

    /// The member this scaling is (for the adaptive one: the combination its
    /// [`Scaling::scale`] writes).
    pub fn member(&self) -> ScaleMember {
        match self {
            Scaling::ColemanLi => ScaleMember::ColemanLi,
            Scaling::Huu { .. } => ScaleMember::Huu,
            Scaling::KanzowKlug { .. } => ScaleMember::KanzowKlug,
            Scaling::Combination { .. } | Scaling::Adaptive => ScaleMember::Combination,
        }
    }

    /// Stable short name: `"cl"`, `"huu"`, `"kk"`, `"combination"`, `"adaptive"`.
    pub fn name(&self) -> &'static str {
        match self {
            Scaling::ColemanLi => "cl",
            Scaling::Huu { .. } => "huu",
            Scaling::KanzowKlug { .. } => "kk",
            Scaling::Combination { .. } => "combination",
            Scaling::Adaptive => "adaptive",
        }
    }

    /// Checks the parameters: `p > 1`, `gamma > 0`, `Lambda > 0` (finite), weights finite,
    /// nonnegative and summing to 1 within `1e-12`.
    pub fn validate(&self) -> Result<(), SetupError> {
        let bad = |name, value, reason| Err(SetupError::InvalidOption { name, value, reason });
        let check_p =
            |p: f64| if p > 1.0 && p.is_finite() { Ok(()) } else { bad("scaling.p", p, "must be finite and > 1") };
        let check_kk = |gamma: f64, lambda: f64| {
            if !(gamma > 0.0 && gamma.is_finite()) {
                return bad("scaling.gamma", gamma, "must be finite and > 0");
            }
            if !(lambda > 0.0 && lambda.is_finite()) {
                return bad("scaling.lambda", lambda, "must be finite and > 0");
            }
            Ok(())
        };
        match *self {
            Scaling::ColemanLi | Scaling::Adaptive => Ok(()),
            Scaling::Huu { p } => check_p(p),
            Scaling::KanzowKlug { gamma, lambda } => check_kk(gamma, lambda),
            Scaling::Combination { weights, p, gamma, lambda } => {
                for w in weights {
                    if !(w >= 0.0 && w.is_finite()) {
                        return bad("scaling.weights", w, "every weight must be finite and >= 0");
                    }
                }
                let sum = weights[0] + weights[1] + weights[2];
                if !((sum - 1.0).abs() <= 1e-12) {
                    return bad("scaling.weights", sum, "weights must sum to 1");
                }
                check_p(p)?;
                check_kk(gamma, lambda)
            }
        }
    }

    /// Writes `d(x)` for gradient `g` into `d` (all of length `bounds.dim()`).
    /// For [`Scaling::Adaptive`] this is the equal-weight combination (the per-trial choice
    /// needs the Jacobian and is made by the solver).
    pub fn scale(&self, x: &[f64], g: &[f64], bounds: &Bounds, d: &mut [f64]) {
        let (lo, up) = (&bounds.lower, &bounds.upper);
        match *self {
            Scaling::ColemanLi => {
                for i in 0..d.len() {
                    d[i] = coleman_li(x[i], g[i], lo[i], up[i]);
                }
            }
            Scaling::Huu { p } => {
                for i in 0..d.len() {
                    d[i] = huu(p, x[i], g[i], lo[i], up[i]);
                }
            }
            Scaling::KanzowKlug { gamma, lambda } => {
                for i in 0..d.len() {
                    d[i] = kanzow_klug(gamma, lambda, x[i], g[i], lo[i], up[i]);
                }
            }
            Scaling::Combination { weights: w, p, gamma, lambda } => {
                for i in 0..d.len() {
                    d[i] = combination(w, p, gamma, lambda, x[i], g[i], lo[i], up[i]);
                }
            }
            Scaling::Adaptive => {
                Scaling::combination(EQUAL_WEIGHTS).scale(x, g, bounds, d);
            }
        }
    }
}

/// Coleman-Li component (module docs, item 1).
#[inline]
pub fn coleman_li(x: f64, g: f64, lower: f64, upper: f64) -> f64 {
    if g < 0.0 {
        if upper.is_finite() {
            upper - x
        } else {
            1.0
        }
    } else if lower.is_finite() {
        x - lower
    } else {
        1.0
    }
}

/// Heinkenschloss-Ulbrich-Ulbrich component with exponent `p` (module docs, item 2).
#[inline]
pub fn huu(p: f64, x: f64, g: f64, lower: f64, upper: f64) -> f64 {
    let m = (x - lower).min(upper - x);
    let ga = g.abs();
    if ga < m.powf(p) || m < ga.powf(p) {
        coleman_li(x, g, lower, upper)
    } else {
        1.0
    }
}

/// KK-type component (module docs, item 3); infinite bounds make their term infinite, so
/// they drop out of the min.
#[inline]
pub fn kanzow_klug(gamma: f64, lambda: f64, x: f64, g: f64, lower: f64, upper: f64) -> f64 {
    let lo = x - lower + gamma * (-g).max(0.0);
    let up = upper - x + gamma * g.max(0.0);
    lo.min(up).min(lambda)
}

/// Convex-combination component (module docs, item 4).
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn combination(w: [f64; 3], p: f64, gamma: f64, lambda: f64, x: f64, g: f64, lower: f64, upper: f64) -> f64 {
    let mut d = 0.0;
    if w[0] != 0.0 {
        d += w[0] * coleman_li(x, g, lower, upper);
    }
    if w[1] != 0.0 {
        d += w[1] * huu(p, x, g, lower, upper);
    }
    if w[2] != 0.0 {
        d += w[2] * kanzow_klug(gamma, lambda, x, g, lower, upper);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_at_a_point() {
        // x = 0.25 in [0, 1]: distance 0.25 to the lower bound, 0.75 to the upper one.
        assert_eq!(coleman_li(0.25, 1.0, 0.0, 1.0), 0.25);
        assert_eq!(coleman_li(0.25, -1.0, 0.0, 1.0), 0.75);
        assert_eq!(coleman_li(0.25, 0.0, 0.0, 1.0), 0.25);
        assert_eq!(coleman_li(0.25, -1.0, 0.0, f64::INFINITY), 1.0);
        // HUU: |g| = 1 >= m^2 = 0.0625 and m = 0.25 >= |g|^2 = 1 is false -> CL.
        assert_eq!(huu(2.0, 0.25, 1.0, 0.0, 1.0), 0.25);
        // |g| = 0.1: 0.1 >= 0.0625 and 0.25 >= 0.01 -> 1.
        assert_eq!(huu(2.0, 0.25, 0.1, 0.0, 1.0), 1.0);
        assert_eq!(kanzow_klug(1.0, 1.0, 0.25, 1.0, 0.0, 1.0), 0.25);
        assert_eq!(kanzow_klug(1.0, 1.0, 0.25, -1.0, 0.0, 1.0), 0.75);
        assert_eq!(kanzow_klug(1.0, 0.5, 0.25, -1.0, 0.0, 1.0), 0.5);
        let w = [0.5, 0.25, 0.25];
        assert_eq!(combination(w, 2.0, 1.0, 1.0, 0.25, 0.1, 0.0, 1.0), 0.5 * 0.25 + 0.25 * 1.0 + 0.25 * 0.25);
    }

    #[test]
    fn validation() {
        assert!(Scaling::default().validate().is_ok());
        assert!(Scaling::Adaptive.validate().is_ok());
        assert!(Scaling::Huu { p: 1.0 }.validate().is_err());
        assert!(Scaling::KanzowKlug { gamma: 0.0, lambda: 1.0 }.validate().is_err());
        assert!(Scaling::combination([0.5, 0.5, 0.5]).validate().is_err());
        assert!(Scaling::combination([1.5, -0.5, 0.0]).validate().is_err());
        assert!(Scaling::combination([1.0, 0.0, 0.0]).validate().is_ok());
        assert_eq!(Scaling::Adaptive.name(), "adaptive");
    }
}
