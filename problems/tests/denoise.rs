//! The sparse denoising problem of `benches/least_squares.rs`: sizes, pattern, the Jacobian
//! against central differences, and the penalty identity `phi(d)^2 = 2 lambda^2 c^2 (s - 1)`.

use trust_region::problem::{Residuals, SparseJacobian};
use trust_region_problems::denoise::Denoising;

#[test]
fn sizes_and_pattern() {
    assert!(Denoising::synthetic(1, 0).is_none());
    let d = Denoising::synthetic(577, 7).unwrap();
    assert_eq!((d.n(), d.m()), (332_929, 997_633));
    let small = Denoising::synthetic(5, 7).unwrap();
    let pat = small.jacobian_pattern();
    assert_eq!((pat.nrows(), pat.ncols()), (small.m(), small.n()));
    // One data entry per column and two per difference.
    assert_eq!(pat.compute_nnz(), small.n() + 2 * (small.m() - small.n()));
    // Same seed, same data; another seed, other data.
    assert_eq!(Denoising::synthetic(5, 7).unwrap().data, small.data);
    assert_ne!(Denoising::synthetic(5, 8).unwrap().data, small.data);
}

#[test]
fn penalty_is_charbonnier() {
    let d = Denoising::synthetic(3, 1).unwrap();
    for t in [-3.0, -0.2, -1e-3, 0.0, 0.05, 0.7, 40.0] {
        let (phi, _) = d.phi(t);
        let s = (1.0 + (t / d.c) * (t / d.c)).sqrt();
        let charbonnier = 2.0 * d.lambda * d.lambda * d.c * d.c * (s - 1.0);
        assert!((phi * phi - charbonnier).abs() <= 1e-13 * (1.0 + charbonnier), "{t}: {phi} {charbonnier}");
        assert!(phi * t >= 0.0);
    }
}

/// Every Jacobian entry against central differences of the residuals, at a random point with
/// differences both below and far above `c`; and a wrong entry is caught.
#[test]
fn jacobian_matches_central_differences() {
    let d = Denoising::synthetic(6, 3).unwrap();
    let (n, m) = (d.n(), d.m());
    let x: Vec<f64> = (0..n).map(|k| d.data[k] + 0.3 * ((k * 7919 % 13) as f64 - 6.0) / 6.0).collect();
    let pat = d.jacobian_pattern();
    let mut values = vec![0.0; pat.compute_nnz()];
    d.jacobian_values(&x, &mut values);
    let mut dense = vec![0.0; m * n];
    for j in 0..n {
        for (idx, i) in pat.row_idx_of_col(j).enumerate() {
            dense[i + j * m] = values[pat.col_ptr()[j] + idx];
        }
    }
    let h = 1e-6;
    let mut worst = 0.0f64;
    for j in 0..n {
        let (mut xp, mut xm) = (x.clone(), x.clone());
        xp[j] += h;
        xm[j] -= h;
        let (mut rp, mut rm) = (vec![0.0; m], vec![0.0; m]);
        d.residuals(&xp, &mut rp);
        d.residuals(&xm, &mut rm);
        for i in 0..m {
            worst = worst.max(((rp[i] - rm[i]) / (2.0 * h) - dense[i + j * m]).abs());
        }
    }
    assert!(worst < 1e-7, "largest Jacobian error {worst:e}");
    // The check can fail: the derivative without the w' term is off by far more.
    let t = 0.3;
    let (_, dphi) = d.phi(t);
    let s = (1.0 + (t / d.c) * (t / d.c)).sqrt();
    let w_only = d.lambda * (2.0 / (1.0 + s)).sqrt();
    assert!((dphi - w_only).abs() > 1e-2);
}
