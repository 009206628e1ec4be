//! The curve fit of `examples/curve_fit.rs` (the same code, included as a module) on seeds 1
//! to 8: the robust fit's parameters lie within 2 standard errors of the true ones, the plain
//! least-squares fit's do not (the outliers pull it several standard errors away).

#[allow(dead_code)]
#[path = "../examples/curve_fit.rs"]
mod curve_fit;

use curve_fit::{fit, worst_z, ExpDecay, ROBUST};
use trust_region::model::Loss;

#[test]
fn robust_fit_recovers_the_parameters_and_plain_least_squares_does_not() {
    for seed in 1..=8 {
        let data = ExpDecay::synthetic(seed);
        let plain = fit(&data, Loss::Linear).unwrap();
        let robust = fit(&data, ROBUST).unwrap();
        assert!(plain.report.converged() && robust.report.converged(), "seed {seed}");
        let (zp, zr) = (worst_z(&plain), worst_z(&robust));
        assert!(zr <= 2.0, "seed {seed}: robust fit {:?} is {zr:.2} standard errors from the truth", robust.x);
        assert!(zp > 2.0, "seed {seed}: plain fit {:?} is only {zp:.2} standard errors from the truth", plain.x);
    }
}

/// The data depend on the seed only.
#[test]
fn synthetic_data_are_deterministic() {
    let (a, b) = (ExpDecay::synthetic(3), ExpDecay::synthetic(3));
    assert_eq!(a.y, b.y);
    assert_eq!(a.outlier.iter().filter(|&&o| o).count(), 10);
    assert_ne!(ExpDecay::synthetic(4).y, a.y);
}
