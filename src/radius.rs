//! The ratio test and the radius update, shared by every trust-region loop.
//!
//! With $\mathrm{ared} = f(x) - f(x + s)$ and $\mathrm{pred} = m(0) - m(s) > 0$, the ratio is
//!
//! $$\rho = \frac{\mathrm{ared}}{\mathrm{pred}}$$
//!
//! (Nocedal & Wright 2006, eq. 4.4; Conn, Gould & Toint 2000, sec. 6.1).
//!
//! Round-off guard: near a solution both reductions sink to the size of the rounding error in
//! $f$. When $|\mathrm{ared}| \le \epsilon_r (1 + |f|)$ and $|\mathrm{pred}| \le \epsilon_r (1 + |f|)$
//! with $\epsilon_r = 10 \epsilon$ (`10 * f64::EPSILON`), the step is taken as in agreement with
//! the model ($\rho = 1$): the difference between the two is noise, and rejecting would only
//! shrink the radius until the run fails. (The same safeguard appears as the "both reductions
//! negligible" test in Conn, Gould & Toint, sec. 17.4.2.)
//!
//! Update (Conn, Gould & Toint 2000, Algorithm 6.1.1 with the step-length based contraction
//! of sec. 17.1; Nocedal & Wright Algorithm 4.1), with radius $\Delta$:
//! - $\rho < \eta_1$ (`eta1`, default 0.25): $\Delta \leftarrow \gamma_s \norm{s}$ (`shrink`, default 0.25);
//! - $\rho > \eta_2$ (`eta2`, default 0.75) and the step hit the boundary:
//!   $\Delta \leftarrow \max(\Delta, \gamma_g \norm{s})$ (`grow`, default 2), capped at `max_radius`;
//! - otherwise unchanged.
//!
//! A step is accepted when $\rho > \eta_0$ (`accept`, default 1e-4).
//!
//! Noisy values: with a bound $\epsilon_f$ on the error of computed values
//! ([`RadiusOptions::f_noise`]) the ratio is relaxed to
//! $(\mathrm{ared} + 2\epsilon_f) / (\mathrm{pred} + 2\epsilon_f)$ ([`relaxed_ratio`]).
//!
//! "Hit the boundary" is reported by the step solver and always relative:
//! $\norm{s} \ge (1 - 10^{-6}) \Delta$ for the iterative solvers, and the More-Sorensen tolerance
//! for the exact step. An absolute test such as $\big| \norm{s} - \Delta \big| \le 10 \epsilon$
//! almost never fires for large radii and freezes the radius (argmin 0.11 takes 464 iterations
//! on extended Rosenbrock with $n = 10^5$ because of it).

use crate::error::SetupError;

/// Radius and acceptance parameters. Defaults follow Conn, Gould & Toint (2000), sec. 6.1 and
/// 17.1, and Nocedal & Wright (2006), Algorithm 4.1.
#[derive(Clone, Debug, PartialEq)]
pub struct RadiusOptions {
    /// Initial radius `Delta_0`. Default `None`, meaning `1` (see [`RadiusOptions::initial_radius`]).
    pub initial: Option<f64>,
    /// Largest radius. Default `f64::INFINITY` (no cap that ignores the problem's scale).
    pub max_radius: f64,
    /// Smallest radius before the run ends with `RadiusTooSmall`. Default `None`, meaning
    /// `eps * max(1, ||x||_inf)` at the current iterate: a smaller step cannot change `x`.
    pub min_radius: Option<f64>,
    /// Acceptance threshold `eta0`: accept when `rho > eta0`. Default `1e-4`.
    pub accept: f64,
    /// Below this ratio the radius shrinks (`eta1`). Default `0.25`.
    pub eta1: f64,
    /// Above this ratio a boundary step grows the radius (`eta2`). Default `0.75`.
    pub eta2: f64,
    /// Contraction factor applied to `||s||`. Default `0.25`.
    pub shrink: f64,
    /// Expansion factor applied to `||s||`. Default `2`.
    pub grow: f64,
    /// A bound `eps_f` on the absolute error of the computed values of `f` (noise from a
    /// simulation, an iterative inner solver, mixed precision, a long sum that cancels), or `0`
    /// for values exact up to round-off. When positive, the ratio is relaxed by the noise
    /// ([`relaxed_ratio`], after Sun & Nocedal), so that steps whose predicted decrease is
    /// below the noise are judged by the model instead of by noise; accepted steps may then
    /// raise `f` by up to `2 eps_f`. Must be finite and `>= 0`. Default `0`.
    pub f_noise: f64,
}

impl Default for RadiusOptions {
    fn default() -> Self {
        Self {
            initial: None,
            max_radius: f64::INFINITY,
            min_radius: None,
            accept: 1e-4,
            eta1: 0.25,
            eta2: 0.75,
            shrink: 0.25,
            grow: 2.0,
            f_noise: 0.0,
        }
    }
}

impl RadiusOptions {
    /// Checks `0 <= accept < eta1 <= eta2 < 1`, `0 < shrink < 1 < grow`, positive radii.
    pub fn validate(&self) -> Result<(), SetupError> {
        let bad = |name, value, reason| Err(SetupError::InvalidOption { name, value, reason });
        if let Some(r) = self.initial {
            if !(r > 0.0 && r.is_finite()) {
                return bad("initial_radius", r, "must be positive and finite");
            }
        }
        if self.max_radius.is_nan() || self.max_radius <= 0.0 {
            return bad("max_radius", self.max_radius, "must be positive");
        }
        if let Some(r) = self.min_radius {
            if !(r >= 0.0 && r < self.max_radius) {
                return bad("min_radius", r, "must be >= 0 and below max_radius");
            }
        }
        if !(0.0..1.0).contains(&self.accept) {
            return bad("accept", self.accept, "must satisfy 0 <= accept < 1");
        }
        if !(self.accept <= self.eta1 && self.eta1 < 1.0) {
            return bad("eta1", self.eta1, "must satisfy accept <= eta1 < 1");
        }
        if !(self.eta1 <= self.eta2 && self.eta2 < 1.0) {
            return bad("eta2", self.eta2, "must satisfy eta1 <= eta2 < 1");
        }
        if !(self.shrink > 0.0 && self.shrink < 1.0) {
            return bad("shrink", self.shrink, "must satisfy 0 < shrink < 1");
        }
        if !(self.grow > 1.0 && self.grow.is_finite()) {
            return bad("grow", self.grow, "must be finite and > 1");
        }
        if !(self.f_noise >= 0.0 && self.f_noise.is_finite()) {
            return bad("f_noise", self.f_noise, "must be finite and >= 0");
        }
        Ok(())
    }

    /// The initial radius: the option if set, else `1` (Nocedal & Wright; SciPy), capped by
    /// `max_radius`.
    pub fn initial_radius(&self) -> f64 {
        self.initial.unwrap_or(1.0).min(self.max_radius)
    }
}

/// Whether both reductions are at the level of rounding errors in `f`:
/// `|ared| <= eps_r (1 + |f|)` and `|pred| <= eps_r (1 + |f|)`, `eps_r = 10 eps`.
pub fn negligible(actual_reduction: f64, predicted_reduction: f64, f: f64) -> bool {
    let noise = 10.0 * f64::EPSILON * (1.0 + f.abs());
    actual_reduction.abs() <= noise && predicted_reduction.abs() <= noise
}

/// `rho = ared / pred` with the round-off guard described in the module docs.
/// Returns `-inf` for a non-finite `ared` or a non-positive `pred` outside the guard.
pub fn ratio(actual_reduction: f64, predicted_reduction: f64, f: f64) -> f64 {
    if !actual_reduction.is_finite() || predicted_reduction.is_nan() {
        return f64::NEG_INFINITY;
    }
    if negligible(actual_reduction, predicted_reduction, f) {
        return 1.0;
    }
    if predicted_reduction <= 0.0 {
        return f64::NEG_INFINITY;
    }
    actual_reduction / predicted_reduction
}

/// The ratio for values of `f` with absolute errors up to `f_noise`:
///
/// $$\rho = \frac{\mathrm{ared} + 2 \epsilon_f}{\mathrm{pred} + 2 \epsilon_f}.$$
///
/// Sun & Nocedal add a multiple of the noise level to both reductions and show convergence to
/// a neighbourhood of stationary points whose size depends on that level (S. Sun, J. Nocedal,
/// A trust region method for the optimization of noisy functions, arXiv:2201.00973, 2022;
/// Math. Program. 2023). The multiple used here, 2, is the most that noise alone can change
/// the difference of two computed values by. With `f_noise = 0` this is [`ratio`]. Returns
/// `-inf` for a non-finite `ared`.
pub fn relaxed_ratio(actual_reduction: f64, predicted_reduction: f64, f: f64, f_noise: f64) -> f64 {
    if !(f_noise > 0.0) {
        return ratio(actual_reduction, predicted_reduction, f);
    }
    if !actual_reduction.is_finite() || predicted_reduction.is_nan() {
        return f64::NEG_INFINITY;
    }
    let slack = 2.0 * f_noise;
    let denominator = predicted_reduction + slack;
    if !(denominator > 0.0) {
        return f64::NEG_INFINITY;
    }
    (actual_reduction + slack) / denominator
}

/// The new radius after a trial step with ratio `rho` and length `step_norm`.
pub fn update(opts: &RadiusOptions, radius: f64, rho: f64, step_norm: f64, hits_boundary: bool) -> f64 {
    if !(rho >= opts.eta1) {
        // Shrink relative to the step that failed: an interior step much shorter than the
        // radius must still change the region.
        opts.shrink * step_norm.min(radius)
    } else if rho > opts.eta2 && hits_boundary {
        radius.max(opts.grow * step_norm).min(opts.max_radius)
    } else {
        radius
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_guard_treats_round_off_as_agreement() {
        assert_eq!(ratio(1e-17, -1e-17, 1.0), 1.0);
        assert_eq!(ratio(-1e-12, 1e-12, 1.0), -1.0);
        assert_eq!(ratio(f64::NAN, 1.0, 1.0), f64::NEG_INFINITY);
        assert_eq!(ratio(1.0, 0.0, 0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn relaxed_ratio_absorbs_the_noise_and_reduces_to_the_plain_one() {
        // Without noise: the plain ratio, guard included.
        assert_eq!(relaxed_ratio(0.5, 1.0, 3.0, 0.0), 0.5);
        assert_eq!(relaxed_ratio(1e-17, -1e-17, 1.0, 0.0), 1.0);
        // A predicted decrease far below the noise: a small rise of f is still acceptable.
        let rho = relaxed_ratio(-1e-7, 1e-9, 1.0, 1e-6);
        assert!((rho - (2e-6 - 1e-7) / (2e-6 + 1e-9)).abs() < 1e-15 && rho > 0.9);
        // A rise larger than twice the noise is rejected.
        assert!(relaxed_ratio(-3e-6, 1e-9, 1.0, 1e-6) < 0.0);
        // Far above the noise the relaxation hardly matters.
        assert!((relaxed_ratio(0.5, 1.0, 3.0, 1e-12) - 0.5).abs() < 1e-11);
        assert_eq!(relaxed_ratio(f64::NAN, 1.0, 1.0, 1e-6), f64::NEG_INFINITY);
    }

    #[test]
    fn update_rules() {
        let o = RadiusOptions::default();
        assert_eq!(update(&o, 1.0, 0.9, 1.0, true), 2.0);
        assert_eq!(update(&o, 1.0, 0.9, 0.5, false), 1.0);
        assert_eq!(update(&o, 1.0, 0.5, 1.0, true), 1.0);
        assert_eq!(update(&o, 1.0, 0.1, 0.4, false), 0.1);
        assert_eq!(update(&o, 1.0, f64::NEG_INFINITY, 1.0, true), 0.25);
        let capped = RadiusOptions { max_radius: 1.5, ..o };
        assert_eq!(update(&capped, 1.0, 0.9, 1.0, true), 1.5);
    }

    #[test]
    fn validation_rejects_bad_values() {
        assert!(RadiusOptions::default().validate().is_ok());
        assert!(RadiusOptions { eta1: 0.9, eta2: 0.5, ..Default::default() }.validate().is_err());
        assert!(RadiusOptions { grow: 1.0, ..Default::default() }.validate().is_err());
        assert!(RadiusOptions { initial: Some(f64::NAN), ..Default::default() }.validate().is_err());
        for f_noise in [-1e-6, f64::NAN, f64::INFINITY] {
            assert!(RadiusOptions { f_noise, ..Default::default() }.validate().is_err());
        }
    }
}
