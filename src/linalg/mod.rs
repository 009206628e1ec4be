//! Layer 3: linear algebra. Slice kernels and faer factorizations with typed failure.
//!
//! Nothing here knows about trust regions. Every kernel is sequential (`Par::Seq`) so that
//! results are bitwise reproducible whatever the thread count; parallelism lives at coarser
//! grain (problem evaluation, suite runs).

pub mod dense;
pub mod incomplete_cholesky;
pub mod lanczos;
pub mod least_squares;
pub mod lsmr;
pub mod lu;
pub mod pivoted_qr;
pub mod small_eigen;
pub mod sparse;
pub mod sparse_cholesky;
pub mod sparse_qr;
pub mod tridiagonal;

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

/// `sqrt(ss)` for a sum of squares `ss = x'x` computed by [`dot`], with [`norm`]'s scaled
/// pass over `x` when `ss` is outside the safe range: the same number as `norm(x)`.
#[inline]
pub fn norm_from_sum_sq(ss: f64, x: &[f64]) -> f64 {
    if ss.is_finite() && ss > 1e-280 {
        ss.sqrt()
    } else {
        norm(x)
    }
}

/// The conjugate-gradient update in one pass: `s <- s + alpha p`, `r <- r + alpha bp`, and
/// the new `r'r`.
///
/// Gives the same numbers as `axpy(alpha, p, s)`, `axpy(alpha, bp, r)` and `dot(r, r)` (the
/// sum is accumulated in [`dot`]'s four lanes and order), reading and writing each vector
/// once instead of three passes over `r`.
pub fn cg_update(alpha: f64, p: &[f64], bp: &[f64], s: &mut [f64], r: &mut [f64]) -> f64 {
    let n = r.len();
    debug_assert!(p.len() == n && bp.len() == n && s.len() == n);
    let (p, bp, s) = (&p[..n], &bp[..n], &mut s[..n]);
    let mut acc = [0.0f64; 4];
    let chunks = n / 4;
    for k in 0..chunks {
        let i = 4 * k;
        for l in 0..4 {
            s[i + l] += alpha * p[i + l];
            let ri = r[i + l] + alpha * bp[i + l];
            r[i + l] = ri;
            acc[l] += ri * ri;
        }
    }
    let mut tail = 0.0;
    for i in 4 * chunks..n {
        s[i] += alpha * p[i];
        let ri = r[i] + alpha * bp[i];
        r[i] = ri;
        tail += ri * ri;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// The start of conjugate gradients in one pass: `s <- 0`, `r <- g`, `p <- -g`; returns
/// `g'g` (the same number as `dot(g, g)`).
pub fn cg_start(g: &[f64], s: &mut [f64], r: &mut [f64], p: &mut [f64]) -> f64 {
    let n = g.len();
    debug_assert!(s.len() == n && r.len() == n && p.len() == n);
    let (s, r, p) = (&mut s[..n], &mut r[..n], &mut p[..n]);
    let mut acc = [0.0f64; 4];
    let chunks = n / 4;
    for k in 0..chunks {
        let i = 4 * k;
        for l in 0..4 {
            let gi = g[i + l];
            s[i + l] = 0.0;
            r[i + l] = gi;
            p[i + l] = -gi;
            acc[l] += gi * gi;
        }
    }
    let mut tail = 0.0;
    for i in 4 * chunks..n {
        let gi = g[i];
        s[i] = 0.0;
        r[i] = gi;
        p[i] = -gi;
        tail += gi * gi;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `y <- x + s` and `||s||_inf` in one pass (the same numbers as the loop and [`norm_inf`]).
pub fn add_norm_inf(x: &[f64], s: &[f64], y: &mut [f64]) -> f64 {
    let n = y.len();
    debug_assert!(x.len() == n && s.len() == n);
    let (x, s) = (&x[..n], &s[..n]);
    let mut m = [0.0f64; 4];
    let mut nan = false;
    let chunks = n / 4;
    for k in 0..chunks {
        let i = 4 * k;
        for l in 0..4 {
            let si = s[i + l];
            y[i + l] = x[i + l] + si;
            m[l] = m[l].max(si.abs());
            nan |= si.is_nan();
        }
    }
    for i in 4 * chunks..n {
        let si = s[i];
        y[i] = x[i] + si;
        m[0] = m[0].max(si.abs());
        nan |= si.is_nan();
    }
    if nan {
        f64::NAN
    } else {
        m[0].max(m[1]).max(m[2].max(m[3]))
    }
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

/// Scales `x` to unit Euclidean norm (multiplying by `1 / ||x||`) if its norm is positive and
/// finite, and leaves it unchanged otherwise; returns the old norm [`norm`]`(x)`.
pub fn normalize(x: &mut [f64]) -> f64 {
    let nx = norm(x);
    if nx > 0.0 && nx.is_finite() {
        let inv = 1.0 / nx;
        x.iter_mut().for_each(|v| *v *= inv);
    }
    nx
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

/// Largest `tau >= 0` with `||p + tau d|| = radius`, for `||p|| <= radius`, from
/// `pp = ||p||^2`, `pd = p'd` and `dd = ||d||^2`: the positive root of
/// `||d||^2 tau^2 + 2 p'd tau + ||p||^2 - radius^2 = 0`.
///
/// With `a = ||d||^2`, `b = p'd` and `c = radius^2 - ||p||^2 >= 0` (clamped at 0 against
/// round-off) the equation reads `a tau^2 + 2 b tau - c = 0`, with roots
/// `(-b +- sqrt(b^2 + ac)) / a`. The positive one is computed as
/// `tau = (-b + sqrt(b^2 + ac)) / a` when `b <= 0` (both terms of the numerator are
/// nonnegative) and as the equal `tau = c / (b + sqrt(b^2 + ac))` when `b > 0` (the numerator
/// multiplied by its conjugate), so that neither branch subtracts nearly equal numbers.
/// Returns 0 when `a <= 0`.
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
    use super::{
        add_norm_inf, all_finite, axpy, boundary_root, cg_start, cg_update, dot, norm, norm_from_sum_sq, norm_inf,
        normalize,
    };

    /// Deterministic values of mixed signs and magnitudes.
    fn wobbly(n: usize, seed: f64) -> Vec<f64> {
        (0..n).map(|i| ((i as f64 + seed) * 1.618).sin() * 10f64.powi((i % 7) as i32 - 3)).collect()
    }

    #[test]
    fn fused_cg_kernels_give_the_bits_of_the_separate_passes() {
        for n in 0..13 {
            let (p, bp, g) = (wobbly(n, 0.3), wobbly(n, 1.7), wobbly(n, 2.9));
            let alpha = 0.37;
            let (mut s1, mut r1) = (wobbly(n, 4.1), wobbly(n, 5.3));
            let (mut s2, mut r2) = (s1.clone(), r1.clone());
            axpy(alpha, &p, &mut s1);
            axpy(alpha, &bp, &mut r1);
            let rr = cg_update(alpha, &p, &bp, &mut s2, &mut r2);
            assert_eq!((s1, &r1), (s2, &r2), "n = {n}");
            assert_eq!(rr.to_bits(), dot(&r1, &r1).to_bits(), "n = {n}");
            assert_eq!(norm_from_sum_sq(rr, &r1).to_bits(), norm(&r1).to_bits());

            let (mut s, mut r, mut q) = (vec![1.0; n], vec![2.0; n], vec![3.0; n]);
            let gg = cg_start(&g, &mut s, &mut r, &mut q);
            assert_eq!(gg.to_bits(), dot(&g, &g).to_bits());
            assert!(s.iter().all(|&v| v == 0.0) && r == g);
            assert!(q.iter().zip(&g).all(|(a, b)| *a == -*b));

            let mut y = vec![0.0; n];
            let m = add_norm_inf(&g, &p, &mut y);
            assert_eq!(m, norm_inf(&p));
            assert!(y.iter().zip(g.iter().zip(&p)).all(|(a, (b, c))| *a == b + c));
        }
        // Out of the safe range the norm takes the scaled pass, as `norm` does.
        let tiny = vec![1e-300; 5];
        assert_eq!(norm_from_sum_sq(dot(&tiny, &tiny), &tiny), norm(&tiny));
        let mut y = vec![0.0; 6];
        let mut s = vec![1.0; 6];
        s[5] = f64::NAN;
        assert!(add_norm_inf(&[0.0; 6], &s, &mut y).is_nan());
    }

    #[test]
    fn boundary_root_lands_on_the_boundary_on_both_branches() {
        // p'd > 0 (d points outward), p'd < 0 (inward), p'd = 0 and p = 0.
        let cases =
            [([0.3, 0.1], [1.0, 0.5]), ([0.3, 0.1], [-1.0, 0.5]), ([0.3, 0.0], [0.0, 2.0]), ([0.0, 0.0], [2.0, 0.0])];
        for (p, d) in cases {
            let tau = boundary_root(dot(&p, &p), dot(&p, &d), dot(&d, &d), 1.0);
            assert!(tau > 0.0, "{p:?} {d:?}");
            let x = [p[0] + tau * d[0], p[1] + tau * d[1]];
            assert!((norm(&x) - 1.0).abs() <= 4.0 * f64::EPSILON, "{p:?} {d:?}: {}", norm(&x));
        }
        // Tiny c with a large outward p'd: the quotient form keeps the relative accuracy.
        // (c = 2^-40 exactly; the root is c / (1 + sqrt(1 + c)) = 2^-41 (1 - O(c)).)
        let tau = boundary_root(1.0 - 2f64.powi(-40), 1.0, 1.0, 1.0);
        assert!((tau / 2f64.powi(-41) - 1.0).abs() <= 1e-11, "{tau:e}");
        assert_eq!(boundary_root(0.25, 1.0, 0.0, 1.0), 0.0);
    }

    #[test]
    fn normalize_scales_to_unit_norm_or_leaves_zero_alone() {
        let mut x = vec![3.0, 4.0];
        assert_eq!(normalize(&mut x), 5.0);
        assert!((norm(&x) - 1.0).abs() <= f64::EPSILON);
        let mut z = vec![0.0; 3];
        assert_eq!(normalize(&mut z), 0.0);
        assert_eq!(z, vec![0.0; 3]);
    }

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
