//! Layer 3: linear algebra. Slice kernels and faer factorizations with typed failure.
//!
//! Nothing here knows about trust regions. Every kernel is sequential (`Par::Seq`) so that
//! results are bitwise reproducible whatever the thread count; parallelism lives at coarser
//! grain (problem evaluation, suite runs).

pub mod dense;
pub mod fd;
pub mod incomplete_cholesky;
pub mod lu;
pub mod sparse;
pub mod sparse_cholesky;

pub use dense::DenseCholesky;

/// `x'y`.
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), y.len());
    // Four independent accumulators: vectorizes and stays deterministic.
    let mut acc = [0.0f64; 4];
    let chunks = x.len() / 4;
    for k in 0..chunks {
        let i = 4 * k;
        acc[0] += x[i] * y[i];
        acc[1] += x[i + 1] * y[i + 1];
        acc[2] += x[i + 2] * y[i + 2];
        acc[3] += x[i + 3] * y[i + 3];
    }
    let mut tail = 0.0;
    for i in 4 * chunks..x.len() {
        tail += x[i] * y[i];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Euclidean norm `||x||_2`, with scaling against overflow and underflow.
///
/// One pass (`sqrt(x'x)`) when `x'x` lies safely inside the normal range; otherwise a second,
/// scaled pass by `||x||_inf` (the sum of squares of `x / ||x||_inf` neither overflows nor
/// loses the small entries). NaN if any entry is NaN.
pub fn norm(x: &[f64]) -> f64 {
    let s = dot(x, x);
    if s.is_finite() && s > 1e-280 {
        return s.sqrt();
    }
    let amax = norm_inf(x);
    if amax == 0.0 || !amax.is_finite() {
        return amax;
    }
    let inv = 1.0 / amax;
    let mut acc = 0.0;
    for &v in x {
        let t = v * inv;
        acc += t * t;
    }
    amax * acc.sqrt()
}

/// `||x||_inf` (NaN if any entry is NaN).
///
/// Branch-free over four lanes (NaN is recorded with a flag, since `f64::max` ignores it), so
/// the loop vectorizes.
pub fn norm_inf(x: &[f64]) -> f64 {
    let mut m = [0.0f64; 4];
    let mut nan = false;
    let chunks = x.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            m[k] = m[k].max(c[k].abs());
            nan |= c[k].is_nan();
        }
    }
    for &v in tail {
        m[0] = m[0].max(v.abs());
        nan |= v.is_nan();
    }
    if nan {
        f64::NAN
    } else {
        m[0].max(m[1]).max(m[2].max(m[3]))
    }
}

/// `y <- y + alpha x`.
#[inline]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `y <- alpha x`.
#[inline]
pub fn scale_into(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = alpha * xi;
    }
}

/// Whether every entry is finite.
pub fn all_finite(x: &[f64]) -> bool {
    // The exponent field is all ones exactly for infinities and NaN; or-ing the flags without a
    // branch lets the loop vectorize.
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    let mut bad = [false; 4];
    let chunks = x.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            bad[k] |= c[k].to_bits() & EXP == EXP;
        }
    }
    let mut t = false;
    for &v in tail {
        t |= v.to_bits() & EXP == EXP;
    }
    !(bad[0] | bad[1] | bad[2] | bad[3] | t)
}

/// Largest `tau >= 0` with `||p + tau d|| = radius`, for `||p|| <= radius`:
/// the positive root of `||d||^2 tau^2 + 2 p'd tau + ||p||^2 - radius^2 = 0`.
///
/// Written as `tau = c / (-b + sqrt(b^2 - ac))` when `b < 0` and
/// `tau = (-b + sqrt(b^2 - ac)) / a` otherwise (with `b = p'd`, `a = ||d||^2`,
/// `c = radius^2 - ||p||^2 >= 0`), so that neither branch subtracts nearly equal numbers.
pub fn boundary_root(pp: f64, pd: f64, dd: f64, radius: f64) -> f64 {
    if dd <= 0.0 {
        return 0.0;
    }
    let c = (radius * radius - pp).max(0.0);
    let disc = (pd * pd + dd * c).sqrt();
    if pd <= 0.0 {
        (disc - pd) / dd
    } else {
        c / (pd + disc)
    }
}

#[cfg(test)]
mod kernel_tests {
    use super::{all_finite, norm, norm_inf};

    #[test]
    fn norm_inf_sees_nan_and_the_largest_entry_in_every_lane_and_the_tail() {
        for n in 1..12 {
            for at in 0..n {
                let mut x: Vec<f64> = (0..n).map(|i| (i as f64) - 3.5).collect();
                x[at] = -100.0;
                assert_eq!(norm_inf(&x), 100.0, "n = {n}, at = {at}");
                x[at] = f64::NAN;
                assert!(norm_inf(&x).is_nan(), "n = {n}, at = {at}");
                x[at] = f64::NEG_INFINITY;
                assert_eq!(norm_inf(&x), f64::INFINITY);
            }
        }
        assert_eq!(norm_inf(&[]), 0.0);
    }

    #[test]
    fn norm_scales_against_overflow_and_underflow() {
        for n in [1usize, 3, 4, 7, 9] {
            let exact = (n as f64).sqrt();
            for scale in [1.0, 1e-155, 1e-200, 1e160, 1e200] {
                let x = vec![scale; n];
                let got = norm(&x);
                assert!((got / (scale * exact) - 1.0).abs() < 1e-14, "n = {n}, scale = {scale}: {got}");
            }
            let mut x = vec![1.0; n];
            x[n - 1] = f64::NAN;
            assert!(norm(&x).is_nan());
            x[n - 1] = f64::INFINITY;
            assert_eq!(norm(&x), f64::INFINITY);
        }
        assert_eq!(norm(&[0.0; 5]), 0.0);
    }

    #[test]
    fn all_finite_finds_every_non_finite_position() {
        for n in 0..11 {
            let x: Vec<f64> = (0..n).map(|i| 1e300 * (i as f64 - 4.0)).collect();
            assert!(all_finite(&x));
            for at in 0..n {
                for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                    let mut y = x.clone();
                    y[at] = bad;
                    assert!(!all_finite(&y), "n = {n}, at = {at}, bad = {bad}");
                }
            }
        }
    }
}
