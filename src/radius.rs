//! The ratio test and the radius update: one policy, parameterized, used by every loop (the
//! Newton / Gauss-Newton loop, the interior loop for bounded systems and the Hessian-free
//! training loop). Each loop starts from its own defaults ([`RadiusOptions::default`],
//! [`RadiusOptions::interior`], [`RadiusOptions::hessian_free`]), which reproduce the rules
//! of its references; every difference between them is a field of [`RadiusOptions`].
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
//! With [`RoundOffGuard::Relative`] the floor is $\epsilon_r |f|$ instead: right for a merit that
//! is accurate relative to itself and goes to zero (residual norms, training losses), where the
//! absolute floor would accept every step once $f < 10^{-14}$.
//!
//! Update (Conn, Gould & Toint 2000, Algorithm 6.1.1 with the step-length based contraction
//! of sec. 17.1; Nocedal & Wright Algorithm 4.1), with radius $\Delta$:
//! - shrink when $\rho < \eta_1$ (`eta1`, default 0.25), or, with `shrink_when_rejected`, when
//!   the step was rejected: $\Delta \leftarrow \min(\gamma_s \Delta, \gamma_p \norm{s})$ with
//!   `shrink` $= \gamma_s$ (default 0.25) and `shrink_step` $= \gamma_p$ (default 0.25, so that
//!   $\Delta \leftarrow \gamma_s \min(\norm{s}, \Delta)$; `None` shrinks the radius alone);
//! - grow when $\rho > \eta_2$ (`eta2`, default 0.75), the step hit the boundary (unless
//!   `grow_off_boundary`) and the loop allows it: $\Delta \leftarrow \max(\Delta, \gamma_g
//!   \norm{s})$ ([`GrowFrom::Step`], `grow` $= \gamma_g$, default 2) or $\gamma_g \Delta$
//!   ([`GrowFrom::Radius`]), capped at `max_radius`;
//! - otherwise unchanged.
//!
//! A step is accepted when $\rho > \eta_0$ (`accept`, default 1e-4; [`AcceptRule::Above`]) or
//! when $\rho \ge \eta_0$ and the merit did not increase ([`AcceptRule::AtLeastWithoutIncrease`],
//! the rule of STRSCNE and CoDoSol).
//!
//! The three loops' defaults:
//!
//! | field | Newton / Gauss-Newton | interior (systems) | Hessian-free |
//! |---|---|---|---|
//! | `initial` | 1 | 1 | 0.1 |
//! | `max_radius` | inf | inf | 5 |
//! | `min_radius` | `eps max(1, ‖x‖_inf)` | `sqrt(eps)` | not tested |
//! | `accept`, rule | 1e-4, above | 0.25, at least without increase | 0.2, above |
//! | `eta1`, `eta2` | 0.25, 0.75 | 0, 0.75 (shrink on rejection) | 0.25, 0.75 |
//! | `shrink`, `shrink_step` | 0.25, 0.25 | 0.25, 0.5 | 0.25, none |
//! | `grow`, from | 2, step, on the boundary | 2, step, anywhere | 2, radius, on the boundary |
//! | round-off guard | absolute | relative | relative |
//!
//! References for the interior and Hessian-free rows: Bellavia, Macconi & Morini (2003),
//! Bellavia, Macconi & Pieraccini (2012) (see [`crate::solver::interior`]); Shi et al. (2020)
//! and the project's spec `fdnet.md` (see [`crate::solver::hessian_free`]).
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

/// Which floor the round-off guard of the ratio uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RoundOffGuard {
    /// Both reductions below `10 eps (1 + |f|)` count as agreement (objectives of any sign).
    #[default]
    Absolute,
    /// Both reductions below `10 eps |f|` count as agreement (merits accurate relative to
    /// themselves: residual norms, training losses).
    Relative,
}

/// When a step is accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcceptRule {
    /// `rho > accept`.
    #[default]
    Above,
    /// `rho >= accept` and the merit did not increase (STRSCNE, CoDoSol).
    AtLeastWithoutIncrease,
}

/// What the radius grows from on a very successful step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum GrowFrom {
    /// `max(radius, grow ||s||)`.
    #[default]
    Step,
    /// `grow radius`.
    Radius,
}

/// Radius and acceptance parameters. Defaults follow Conn, Gould & Toint (2000), sec. 6.1 and
/// 17.1, and Nocedal & Wright (2006), Algorithm 4.1; [`RadiusOptions::interior`] and
/// [`RadiusOptions::hessian_free`] give the other loops' rules (module docs).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RadiusOptions {
    /// Initial radius `Delta_0`. Default `None`, meaning `1` (see [`RadiusOptions::initial_radius`]).
    pub initial: Option<f64>,
    /// MINPACK's `factor` (More, Garbow & Hillstrom 1980, `lmder`): when set, the initial
    /// radius is `factor ||x0||` measured in the step solver's norm at the start point
    /// ([`crate::subproblem::StepSolver::region_norm`]: `||D x0||` with the column scaling
    /// `D` of [`crate::subproblem::LevenbergMarquardt`], `||x0||` for the Euclidean solvers),
    /// or `factor` itself when that norm is 0, capped by `max_radius`; it replaces `initial`.
    /// MINPACK recommends `factor` in `[0.1, 100]`, default 100. Read by the Newton /
    /// Gauss-Newton loop ([`crate::TrustRegion`]) only. Must be positive and finite. Default
    /// `None` (off: `initial` decides).
    pub initial_factor: Option<f64>,
    /// Largest radius. Default `f64::INFINITY` (no cap that ignores the problem's scale).
    pub max_radius: f64,
    /// Smallest radius before the run ends with a "radius too small" termination. Default
    /// `None`, meaning `eps * max(1, ||x||_inf)` at the current iterate: a smaller step cannot
    /// change `x`. (The Hessian-free loop does not test it.)
    pub min_radius: Option<f64>,
    /// Acceptance threshold `eta0` (see `accept_rule`). Default `1e-4`.
    pub accept: f64,
    /// How `accept` is applied. Default [`AcceptRule::Above`]: accept when `rho > accept`.
    pub accept_rule: AcceptRule,
    /// Below this ratio the radius shrinks (`eta1`). Default `0.25`.
    pub eta1: f64,
    /// Above this ratio a boundary step grows the radius (`eta2`). Default `0.75`.
    pub eta2: f64,
    /// Contraction factor applied to the radius: `radius <- min(shrink radius, shrink_step
    /// ||s||)`. Default `0.25`.
    pub shrink: f64,
    /// Contraction factor applied to the step length, or `None` to shrink the radius alone.
    /// Default `Some(0.25)`, so that an interior step much shorter than the radius still
    /// changes the region.
    pub shrink_step: Option<f64>,
    /// Shrink after every rejected step, whatever its ratio (the interior loop: a step can be
    /// rejected for an increase of the merit within the round-off guard, or for a non-finite
    /// Jacobian). Default `false`: the ratio alone decides.
    pub shrink_when_rejected: bool,
    /// Expansion factor. Default `2`.
    pub grow: f64,
    /// What the radius grows from. Default [`GrowFrom::Step`].
    pub grow_from: GrowFrom,
    /// Grow on a very successful step even when it is strictly inside the region (the interior
    /// loop's rule). Default `false`.
    pub grow_off_boundary: bool,
    /// The floor of the round-off guard. Default [`RoundOffGuard::Absolute`].
    pub round_off: RoundOffGuard,
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
            initial_factor: None,
            max_radius: f64::INFINITY,
            min_radius: None,
            accept: 1e-4,
            accept_rule: AcceptRule::Above,
            eta1: 0.25,
            eta2: 0.75,
            shrink: 0.25,
            shrink_step: Some(0.25),
            shrink_when_rejected: false,
            grow: 2.0,
            grow_from: GrowFrom::Step,
            grow_off_boundary: false,
            round_off: RoundOffGuard::Absolute,
            f_noise: 0.0,
        }
    }
}

impl RadiusOptions {
    /// The rule of the interior loop for bounded systems (STRSCNE, CoDoSol; module docs of
    /// [`crate::solver::interior`], (E9)): initial radius 1, accept when `rho >= 0.25` and the
    /// merit did not increase, shrink every rejected step to `min(radius / 4, ||p|| / 2)`,
    /// grow to `max(radius, 2 ||p||)` when `rho > 0.75` wherever the step ends, smallest
    /// radius `sqrt(eps)` (CoDoSol's `Deltamin`), relative round-off guard.
    pub fn interior() -> Self {
        Self {
            initial: Some(1.0),
            min_radius: Some(f64::EPSILON.sqrt()),
            accept: 0.25,
            accept_rule: AcceptRule::AtLeastWithoutIncrease,
            eta1: 0.0,
            shrink_step: Some(0.5),
            shrink_when_rejected: true,
            grow_off_boundary: true,
            round_off: RoundOffGuard::Relative,
            ..Self::default()
        }
    }

    /// MINPACK's radius rule for the Levenberg-Marquardt step (More 1978, sec. 7; the table
    /// in [`crate::subproblem::levenberg_marquardt`]): accept when `rho > 1e-4`; when
    /// `rho < 0.25`, `radius <- min(radius / 2, 5 ||Dp||)` (MINPACK's `0.5 min(Delta,
    /// 10 ||Dp||)`, its usual factor; it uses down to 0.1 after an increase of `f`); when
    /// `rho > 0.75`, `radius <- max(radius, 2 ||Dp||)` wherever the step ends (MINPACK sets
    /// `2 ||Dp||` also after a Gauss-Newton step with `rho < 0.75`, and can shrink there).
    /// The initial radius stays absolute by default (`initial`, 1); MINPACK's
    /// `factor ||D x0||` (its default factor 100) is [`RadiusOptions::initial_factor`].
    pub fn levenberg_marquardt() -> Self {
        Self { shrink: 0.5, shrink_step: Some(5.0), grow_off_boundary: true, ..Self::default() }
    }

    /// The rule of the Hessian-free loop (Shi et al. 2020, released code; spec `fdnet.md`,
    /// "Training"): initial radius 0.1, at most 5, accept when `rho > 0.2`, `radius / 4` when
    /// `rho < 0.25`, `min(2 radius, 5)` on the boundary when `rho > 0.75`, relative round-off
    /// guard. It contracts the radius, not the step length.
    pub fn hessian_free() -> Self {
        Self {
            initial: Some(0.1),
            max_radius: 5.0,
            accept: 0.2,
            shrink_step: None,
            grow_from: GrowFrom::Radius,
            round_off: RoundOffGuard::Relative,
            ..Self::default()
        }
    }

    /// Checks `0 <= accept < 1`, `0 <= eta1 <= eta2 < 1` (and `accept <= eta1` unless rejected
    /// steps always shrink), `0 < shrink < 1 < grow`, `shrink_step > 0`, positive radii.
    pub fn validate(&self) -> Result<(), SetupError> {
        let bad = |name, value, reason| Err(SetupError::InvalidOption { name, value, reason });
        if let Some(r) = self.initial {
            if !(r > 0.0 && r.is_finite()) {
                return bad("initial_radius", r, "must be positive and finite");
            }
        }
        if let Some(f) = self.initial_factor {
            if !(f > 0.0 && f.is_finite()) {
                return bad("initial_factor", f, "must be positive and finite");
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
        if self.shrink_when_rejected {
            if !(self.eta1 >= 0.0 && self.eta1 < 1.0) {
                return bad("eta1", self.eta1, "must satisfy 0 <= eta1 < 1");
            }
        } else if !(self.accept <= self.eta1 && self.eta1 < 1.0) {
            return bad("eta1", self.eta1, "must satisfy accept <= eta1 < 1");
        }
        if !(self.eta1 <= self.eta2 && self.eta2 < 1.0) {
            return bad("eta2", self.eta2, "must satisfy eta1 <= eta2 < 1");
        }
        if !(self.shrink > 0.0 && self.shrink < 1.0) {
            return bad("shrink", self.shrink, "must satisfy 0 < shrink < 1");
        }
        if let Some(c) = self.shrink_step {
            if !(c > 0.0 && c.is_finite()) {
                return bad("shrink_step", c, "must be positive and finite");
            }
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

    /// Whether both reductions are at the level of rounding errors in `f`, with this policy's
    /// guard ([`negligible`] or [`negligible_relative`]).
    pub fn negligible(&self, actual_reduction: f64, predicted_reduction: f64, f: f64) -> bool {
        match self.round_off {
            RoundOffGuard::Absolute => negligible(actual_reduction, predicted_reduction, f),
            RoundOffGuard::Relative => negligible_relative(actual_reduction, predicted_reduction, f),
        }
    }

    /// The ratio with this policy's round-off guard and noise level: [`relaxed_ratio`] when
    /// `f_noise > 0`, else the guarded `ared / pred`. `-inf` for a non-finite `ared`, a NaN
    /// `pred`, or a non-positive `pred` outside the guard.
    pub fn ratio(&self, actual_reduction: f64, predicted_reduction: f64, f: f64) -> f64 {
        if self.f_noise > 0.0 {
            return relaxed_ratio(actual_reduction, predicted_reduction, f, self.f_noise);
        }
        if !actual_reduction.is_finite() || predicted_reduction.is_nan() {
            return f64::NEG_INFINITY;
        }
        if self.negligible(actual_reduction, predicted_reduction, f) {
            return 1.0;
        }
        if predicted_reduction <= 0.0 {
            return f64::NEG_INFINITY;
        }
        actual_reduction / predicted_reduction
    }

    /// Whether a trial with ratio `rho` is accepted; `merit_increased` says whether the
    /// trial's merit is above the current one (read by [`AcceptRule::AtLeastWithoutIncrease`]).
    pub fn accepts(&self, rho: f64, merit_increased: bool) -> bool {
        match self.accept_rule {
            AcceptRule::Above => rho > self.accept,
            AcceptRule::AtLeastWithoutIncrease => rho >= self.accept && !merit_increased,
        }
    }

    /// The radius after a trial (module docs): `trial` says what the loop saw.
    pub fn update(&self, radius: f64, trial: &RadiusTrial) -> f64 {
        let shrink = !(trial.ratio >= self.eta1) || (self.shrink_when_rejected && !trial.accepted);
        if shrink {
            let r = self.shrink * radius;
            match self.shrink_step {
                Some(c) => r.min(c * trial.step_norm),
                None => r,
            }
        } else if trial.ratio > self.eta2 && (trial.hits_boundary || self.grow_off_boundary) && trial.may_grow {
            match self.grow_from {
                GrowFrom::Step => radius.max(self.grow * trial.step_norm).min(self.max_radius),
                GrowFrom::Radius => (self.grow * radius).min(self.max_radius),
            }
        } else {
            radius
        }
    }
}

/// What the radius update needs to know about a trial step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RadiusTrial {
    /// The ratio (`-inf` for a trial rejected for non-finite values).
    pub ratio: f64,
    /// Whether the step was accepted.
    pub accepted: bool,
    /// `||s||` in the region's norm.
    pub step_norm: f64,
    /// Whether the step lies on the boundary of the region.
    pub hits_boundary: bool,
    /// Whether the loop allows growth after this step (the interior dogleg rule forbids it
    /// after its Cauchy safeguard fired).
    pub may_grow: bool,
}

/// Whether both reductions are at the level of rounding errors in `f`:
/// `|ared| <= eps_r (1 + |f|)` and `|pred| <= eps_r (1 + |f|)`, `eps_r = 10 eps`.
pub fn negligible(actual_reduction: f64, predicted_reduction: f64, f: f64) -> bool {
    let noise = 10.0 * f64::EPSILON * (1.0 + f.abs());
    actual_reduction.abs() <= noise && predicted_reduction.abs() <= noise
}

/// Whether both reductions are at the level of rounding errors relative to `f`:
/// `|ared| <= 10 eps |f|` and `|pred| <= 10 eps |f|`.
pub fn negligible_relative(actual_reduction: f64, predicted_reduction: f64, f: f64) -> bool {
    let noise = 10.0 * f64::EPSILON * f.abs();
    actual_reduction.abs() <= noise && predicted_reduction.abs() <= noise
}

/// `rho = ared / pred` with the absolute round-off guard described in the module docs.
/// Returns `-inf` for a non-finite `ared` or a non-positive `pred` outside the guard.
pub fn ratio(actual_reduction: f64, predicted_reduction: f64, f: f64) -> f64 {
    RadiusOptions::default().ratio(actual_reduction, predicted_reduction, f)
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

/// The new radius after a trial step with ratio `rho` and length `step_norm`, under the
/// default (Newton) policy's rule with the parameters of `opts`.
pub fn update(opts: &RadiusOptions, radius: f64, rho: f64, step_norm: f64, hits_boundary: bool) -> f64 {
    opts.update(
        radius,
        &RadiusTrial { ratio: rho, accepted: rho > opts.accept, step_norm, hits_boundary, may_grow: true },
    )
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

    /// The pre-restructuring rules of the three loops, written out as they were, against the
    /// shared policy with each loop's defaults, on a grid of ratios, radii and step lengths
    /// (bitwise equal).
    #[test]
    fn each_loop_default_reproduces_its_former_rule() {
        let ratios = [f64::NEG_INFINITY, f64::NAN, -1.0, 0.0, 1e-5, 0.1, 0.2, 0.21, 0.25, 0.5, 0.75, 0.76, 1.0, 3.0];
        let radii = [1e-8, 0.1, 1.0, 4.9, 7.0];
        let steps = [0.0, 1e-9, 0.05, 1.0, 9.0, f64::NAN];
        let newton = RadiusOptions::default();
        let interior = RadiusOptions::interior();
        let hf = RadiusOptions::hessian_free();
        for &rho in &ratios {
            for &radius in &radii {
                for &step in &steps {
                    for hits in [false, true] {
                        // Newton / Gauss-Newton: shrink * min(step, radius) below eta1, grow on
                        // the boundary above eta2.
                        let old = if !(rho >= 0.25) {
                            0.25 * step.min(radius)
                        } else if rho > 0.75 && hits {
                            radius.max(2.0 * step)
                        } else {
                            radius
                        };
                        let trial = RadiusTrial {
                            ratio: rho,
                            accepted: rho > 1e-4,
                            step_norm: step,
                            hits_boundary: hits,
                            may_grow: true,
                        };
                        let new = newton.update(radius, &trial);
                        assert!(old.to_bits() == new.to_bits(), "newton rho {rho} r {radius} s {step}: {old} vs {new}");
                        // Hessian-free: radius / 4 below 0.25, min(2 radius, 5) on the boundary.
                        let old = if !(rho >= 0.25) {
                            0.25 * radius
                        } else if rho > 0.75 && hits {
                            (2.0 * radius).min(5.0)
                        } else {
                            radius
                        };
                        let trial = RadiusTrial { accepted: hf.accepts(rho, false), ..trial };
                        assert_eq!(old.to_bits(), hf.update(radius, &trial).to_bits(), "hf rho {rho} r {radius}");
                        // Interior: accept rho >= 0.25 without an increase; a rejected step
                        // shrinks to min(radius / 4, step / 2), an accepted one with rho > 0.75
                        // grows to max(radius, 2 step) unless the safeguard fired.
                        for (increased, may_grow) in [(false, true), (true, true), (false, false)] {
                            let accepted = rho >= 0.25 && !increased;
                            assert_eq!(accepted, interior.accepts(rho, increased));
                            let old = if accepted {
                                if rho > 0.75 && may_grow {
                                    radius.max(2.0 * step)
                                } else {
                                    radius
                                }
                            } else {
                                (0.25 * radius).min(0.5 * step)
                            };
                            let trial =
                                RadiusTrial { ratio: rho, accepted, step_norm: step, hits_boundary: hits, may_grow };
                            let new = interior.update(radius, &trial);
                            assert_eq!(old.to_bits(), new.to_bits(), "interior rho {rho} r {radius} s {step}");
                        }
                    }
                }
            }
        }
        assert_eq!(newton.initial_radius(), 1.0);
        assert_eq!(interior.initial_radius(), 1.0);
        assert_eq!(hf.initial_radius(), 0.1);
    }

    /// The ratio with each guard against the former functions (absolute: the Newton loop's;
    /// relative: the interior and Hessian-free loops').
    #[test]
    fn ratios_match_the_former_guards() {
        let relative = |ared: f64, pred: f64, f: f64| {
            if !ared.is_finite() || pred.is_nan() {
                return f64::NEG_INFINITY;
            }
            let noise = 10.0 * f64::EPSILON * f.abs();
            if ared.abs() <= noise && pred.abs() <= noise {
                return 1.0;
            }
            if pred <= 0.0 {
                return f64::NEG_INFINITY;
            }
            ared / pred
        };
        let vals = [0.0, 1e-300, 1e-17, 1e-14, 1e-3, 0.5, 1.0, 1e10, -1e-17, -0.5, f64::NAN, f64::INFINITY];
        for &a in &vals {
            for &p in &vals {
                for &f in &[0.0, 1e-13, 1.0, 1e8] {
                    let r = RadiusOptions::interior().ratio(a, p, f);
                    let o = relative(a, p, f);
                    assert!(r.to_bits() == o.to_bits() || (r.is_nan() && o.is_nan()), "{a} {p} {f}");
                    assert_eq!(RadiusOptions::default().ratio(a, p, f).to_bits(), ratio(a, p, f).to_bits());
                }
            }
        }
    }
}
