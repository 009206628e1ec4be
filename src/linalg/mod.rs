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
pub fn norm(x: &[f64]) -> f64 {
    let amax = norm_inf(x);
    if amax == 0.0 || !amax.is_finite() {
        return amax;
    }
    let s = dot(x, x);
    if s.is_finite() && s > 1e-280 {
        return s.sqrt();
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
pub fn norm_inf(x: &[f64]) -> f64 {
    let mut m = 0.0f64;
    for &v in x {
        if v.is_nan() {
            return f64::NAN;
        }
        m = m.max(v.abs());
    }
    m
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
    x.iter().all(|v| v.is_finite())
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
