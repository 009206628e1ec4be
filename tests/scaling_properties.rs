//! Properties of the affine scaling vectors (spec `scaled-interior.md`, "The scale vector d(x)"):
//! `d_i > 0` strictly inside; `d_i = 0` exactly at an active bound with `-g_i` pointing out of
//! the box; bounded; the KK-type scaling Lipschitz continuous; the combination is the convex
//! combination of its members; weights are validated.

use proptest::prelude::*;
use trust_region::scaling::{coleman_li, huu, kanzow_klug, Scaling};
use trust_region::{Bounds, SetupError};

/// One coordinate: bounds (possibly infinite), a point strictly inside, a gradient entry.
#[derive(Clone, Debug)]
struct Coord {
    l: f64,
    u: f64,
    x: f64,
    g: f64,
}

fn coord() -> impl Strategy<Value = Coord> {
    (-10.0..10.0f64, 1e-3..20.0f64, 0.001..0.999f64, -1e3..1e3f64, 0..4u8, prop::bool::ANY).prop_map(
        |(l, width, t, g, kind, tiny_g)| {
            let g = if tiny_g { g * 1e-6 } else { g };
            let (l, u) = match kind {
                0 => (l, l + width),
                1 => (f64::NEG_INFINITY, l + width),
                2 => (l, f64::INFINITY),
                _ => (f64::NEG_INFINITY, f64::INFINITY),
            };
            let x = match (l.is_finite(), u.is_finite()) {
                (true, true) => l + t * (u - l),
                (true, false) => l + t * width,
                (false, true) => u - t * width,
                (false, false) => (t - 0.5) * width,
            };
            Coord { l, u, x, g }
        },
    )
}

fn point() -> impl Strategy<Value = Vec<Coord>> {
    prop::collection::vec(coord(), 1..8)
}

fn split(c: &[Coord]) -> (Bounds, Vec<f64>, Vec<f64>) {
    let b = Bounds::new(c.iter().map(|c| c.l).collect(), c.iter().map(|c| c.u).collect()).unwrap();
    (b, c.iter().map(|c| c.x).collect(), c.iter().map(|c| c.g).collect())
}

fn weights() -> impl Strategy<Value = [f64; 3]> {
    (0.0..1.0f64, 0.0..1.0f64, 0.0..1.0f64, 0..4usize).prop_map(|(a, b, c, zero)| {
        let mut w = [a, b, c];
        if zero < 3 {
            w[zero] = 0.0;
        }
        let s: f64 = w.iter().sum();
        if s == 0.0 {
            [1.0, 0.0, 0.0]
        } else {
            let w = [w[0] / s, w[1] / s, 1.0 - w[0] / s - w[1] / s];
            [w[0], w[1], w[2].max(0.0)]
        }
    })
}

fn scalings(w: [f64; 3], p: f64, gamma: f64, lambda: f64) -> Vec<Scaling> {
    vec![
        Scaling::ColemanLi,
        Scaling::Huu { p },
        Scaling::KanzowKlug { gamma, lambda },
        Scaling::Combination { weights: w, p, gamma, lambda },
        Scaling::Adaptive,
    ]
}

/// The bound of each member: `max(distance to the finite bounds, 1)` for CL and HUU,
/// `Lambda` for KK.
fn upper_bound(s: &Scaling, c: &Coord) -> f64 {
    let cl = [c.x - c.l, c.u - c.x].into_iter().filter(|v| v.is_finite()).fold(1.0f64, f64::max);
    match *s {
        Scaling::ColemanLi | Scaling::Huu { .. } => cl,
        Scaling::KanzowKlug { lambda, .. } => lambda,
        Scaling::Combination { weights: w, lambda, .. } => w[0] * cl + w[1] * cl + w[2] * lambda,
        Scaling::Adaptive => (2.0 * cl + 1.0) / 3.0,
        _ => unreachable!("a scaling this test does not know"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn positive_strictly_inside_and_bounded(
        c in point(), w in weights(), p in 1.01..4.0f64, gamma in 0.01..10.0f64, lambda in 0.01..10.0f64,
    ) {
        let (b, x, g) = split(&c);
        prop_assert!(b.strictly_contains(&x));
        let mut d = vec![0.0; x.len()];
        for s in scalings(w, p, gamma, lambda) {
            prop_assert!(s.validate().is_ok(), "{s:?}");
            s.scale(&x, &g, &b, &mut d);
            for i in 0..x.len() {
                prop_assert!(d[i] > 0.0 && d[i].is_finite(), "{} d[{i}] = {} at {:?}", s.name(), d[i], c[i]);
                let bound = upper_bound(&s, &c[i]);
                prop_assert!(d[i] <= bound * (1.0 + 1e-12), "{} d[{i}] = {} > {bound} at {:?}", s.name(), d[i], c[i]);
            }
        }
    }

    #[test]
    fn zero_exactly_at_an_active_bound_with_the_gradient_pushing_out(
        c in point(), w in weights(), p in 1.01..4.0f64, gamma in 0.01..10.0f64, lambda in 0.01..10.0f64,
        which in prop::collection::vec(0..3u8, 8), gmag in 1e-8..1e3f64,
    ) {
        let (b, mut x, mut g) = split(&c);
        let mut active = vec![false; x.len()];
        for i in 0..x.len() {
            match which[i] {
                // At the lower bound, g_i > 0: -g_i points below l_i.
                0 if b.lower[i].is_finite() => { x[i] = b.lower[i]; g[i] = gmag; active[i] = true; }
                // At the upper bound, g_i < 0: -g_i points above u_i.
                1 if b.upper[i].is_finite() => { x[i] = b.upper[i]; g[i] = -gmag; active[i] = true; }
                _ => {}
            }
        }
        let mut d = vec![f64::NAN; x.len()];
        for s in scalings(w, p, gamma, lambda) {
            s.scale(&x, &g, &b, &mut d);
            for i in 0..x.len() {
                if active[i] {
                    prop_assert_eq!(d[i], 0.0, "{} at {:?}", s.name(), (x[i], g[i], b.lower[i], b.upper[i]));
                } else {
                    prop_assert!(d[i] > 0.0, "{}", s.name());
                }
            }
        }
    }

    #[test]
    fn active_bound_with_the_gradient_pointing_inside_keeps_d_positive(
        l in -10.0..10.0f64, width in 1e-3..20.0f64, gmag in 1e-8..1e3f64,
    ) {
        // At x = l with g < 0 (-g points into the box) every member keeps d > 0: the bound
        // does not block the descent direction.
        let (u, x) = (l + width, l);
        prop_assert!(coleman_li(x, -gmag, l, u) > 0.0);
        prop_assert!(huu(2.0, x, -gmag, l, u) > 0.0);
        prop_assert!(kanzow_klug(1.0, 1.0, x, -gmag, l, u) > 0.0);
    }

    #[test]
    fn kk_is_lipschitz(
        c in point(), gamma in 0.01..10.0f64, lambda in 0.01..10.0f64,
        dx in prop::collection::vec(-1e-3..1e-3f64, 8), dg in prop::collection::vec(-1e-2..1e-2f64, 8),
    ) {
        let (b, x, g) = split(&c);
        let n = x.len();
        let y: Vec<f64> = (0..n).map(|i| x[i] + dx[i]).collect();
        let h: Vec<f64> = (0..n).map(|i| g[i] + dg[i]).collect();
        let s = Scaling::KanzowKlug { gamma, lambda };
        let (mut d1, mut d2, mut d3) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        s.scale(&x, &g, &b, &mut d1);
        s.scale(&y, &g, &b, &mut d2);
        s.scale(&y, &h, &b, &mut d3);
        for i in 0..n {
            let tol = 1e-12 * (1.0 + d1[i].abs());
            // In x alone: constant 1.
            prop_assert!((d1[i] - d2[i]).abs() <= dx[i].abs() + tol);
            // In (x, g): |dx| + gamma |dg|.
            prop_assert!((d1[i] - d3[i]).abs() <= dx[i].abs() + gamma * dg[i].abs() + tol);
        }
    }

    #[test]
    fn cl_jumps_where_the_gradient_changes_sign_but_kk_does_not(
        l in -10.0..10.0f64, width in 1.0..20.0f64, t in 0.1..0.4f64,
    ) {
        // Coleman-Li is discontinuous in g at g = 0 (distance to the lower vs upper bound);
        // the KK-type scaling is continuous there.
        let (u, x) = (l + width, l + t * width);
        let jump_cl = (coleman_li(x, 1e-12, l, u) - coleman_li(x, -1e-12, l, u)).abs();
        prop_assert!(jump_cl >= (1.0 - 2.0 * t) * width * 0.999);
        let jump_kk = (kanzow_klug(1.0, 100.0, x, 1e-12, l, u) - kanzow_klug(1.0, 100.0, x, -1e-12, l, u)).abs();
        prop_assert!(jump_kk <= 1e-11);
    }

    #[test]
    fn the_combination_is_the_weighted_sum_of_its_members(
        c in point(), w in weights(), p in 1.01..4.0f64, gamma in 0.01..10.0f64, lambda in 0.01..10.0f64,
    ) {
        let (b, x, g) = split(&c);
        let n = x.len();
        let (mut dc, mut d1, mut d2, mut d3) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        Scaling::Combination { weights: w, p, gamma, lambda }.scale(&x, &g, &b, &mut dc);
        Scaling::ColemanLi.scale(&x, &g, &b, &mut d1);
        Scaling::Huu { p }.scale(&x, &g, &b, &mut d2);
        Scaling::KanzowKlug { gamma, lambda }.scale(&x, &g, &b, &mut d3);
        for i in 0..n {
            let sum = w[0] * d1[i] + w[1] * d2[i] + w[2] * d3[i];
            prop_assert!((dc[i] - sum).abs() <= 1e-14 * (1.0 + sum.abs()));
            let lo = d1[i].min(d2[i]).min(d3[i]);
            let hi = d1[i].max(d2[i]).max(d3[i]);
            prop_assert!(dc[i] >= lo * (1.0 - 1e-14) && dc[i] <= hi * (1.0 + 1e-14));
        }
    }

    #[test]
    fn weights_are_validated(a in -1.0..2.0f64, b in -1.0..2.0f64, c in -1.0..2.0f64) {
        let s = Scaling::combination([a, b, c]);
        let valid = a >= 0.0 && b >= 0.0 && c >= 0.0 && ((a + b + c) - 1.0).abs() <= 1e-12;
        prop_assert_eq!(s.validate().is_ok(), valid);
        if !valid {
            let is_invalid_option = matches!(s.validate(), Err(SetupError::InvalidOption { name: "scaling.weights", .. }));
            prop_assert!(is_invalid_option);
        }
    }

    #[test]
    fn normalized_nonnegative_weights_are_accepted(w in weights()) {
        prop_assert!(Scaling::combination(w).validate().is_ok(), "{w:?}");
    }
}

#[test]
fn non_finite_and_degenerate_weights_are_rejected() {
    assert!(Scaling::combination([f64::NAN, 0.5, 0.5]).validate().is_err());
    assert!(Scaling::combination([f64::INFINITY, 0.0, 0.0]).validate().is_err());
    assert!(Scaling::combination([0.0, 0.0, 0.0]).validate().is_err());
    assert!(Scaling::combination([1.0, 0.0, 0.0]).validate().is_ok());
    assert!(Scaling::Huu { p: f64::INFINITY }.validate().is_err());
    assert!(Scaling::KanzowKlug { gamma: f64::NAN, lambda: 1.0 }.validate().is_err());
    let names: Vec<_> =
        [Scaling::ColemanLi, Scaling::huu(), Scaling::kanzow_klug(), Scaling::default(), Scaling::Adaptive]
            .iter()
            .map(|s| s.name())
            .collect();
    assert_eq!(names, ["cl", "huu", "kk", "combination", "adaptive"]);
}
