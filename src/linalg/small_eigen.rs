//! Eigendecomposition of a small dense symmetric matrix by the cyclic Jacobi method, in
//! caller-owned buffers (no allocation).
//!
//! For `A` symmetric `k x k`, plane rotations `J(p, q, theta)` chosen to zero `a_pq` are
//! applied as `A <- J' A J`, `V <- V J`, sweeping all pairs `p < q` until the off-diagonal
//! Frobenius norm falls below `eps ||A||_F` (Golub & Van Loan 2013, Algorithm 8.5.3). Each sweep
//! costs `O(k^3)`; convergence is quadratic once the off-diagonal part is small, and the
//! eigenvalues come out with absolute error of order `eps ||A||`. Meant for `k` up to a few
//! dozen (the small matrices of the limited-memory models).
//!
//! Reference: G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., Johns Hopkins (2013),
//! sec. 8.5.

/// Sweeps before giving up (reached only with non-finite input in practice).
const MAX_SWEEPS: usize = 60;

/// Eigendecomposition `A = V diag(w) V'` of the symmetric `k x k` matrix `a` (column-major,
/// both triangles; overwritten). Writes the eigenvalues (unsorted) into `w[..k]` and the
/// orthonormal eigenvectors as the columns of `v[..k*k]` (column-major). Returns `false` if the
/// input is not finite or the sweeps did not converge.
pub fn symmetric_eigen(a: &mut [f64], k: usize, w: &mut [f64], v: &mut [f64]) -> bool {
    let a = &mut a[..k * k];
    let v = &mut v[..k * k];
    v.fill(0.0);
    for i in 0..k {
        v[i + i * k] = 1.0;
    }
    if !a.iter().all(|x| x.is_finite()) {
        return false;
    }
    let fro2: f64 = a.iter().map(|x| x * x).sum();
    let mut converged = false;
    for _ in 0..MAX_SWEEPS {
        let mut off2 = 0.0;
        for q in 0..k {
            for p in 0..q {
                off2 += a[p + q * k] * a[p + q * k];
            }
        }
        if 2.0 * off2 <= f64::EPSILON * f64::EPSILON * fro2 || off2 == 0.0 {
            converged = true;
            break;
        }
        for q in 1..k {
            for p in 0..q {
                let apq = a[p + q * k];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (a[p + p * k], a[q + q * k]);
                let tau = (aqq - app) / (2.0 * apq);
                let t =
                    if tau.abs() > 1e150 { 0.5 / tau } else { tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt()) };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (arp, arq) = (a[r + p * k], a[r + q * k]);
                    a[r + p * k] = c * arp - s * arq;
                    a[r + q * k] = s * arp + c * arq;
                }
                for r in 0..k {
                    let (apr, aqr) = (a[p + r * k], a[q + r * k]);
                    a[p + r * k] = c * apr - s * aqr;
                    a[q + r * k] = s * apr + c * aqr;
                }
                for r in 0..k {
                    let (vrp, vrq) = (v[r + p * k], v[r + q * k]);
                    v[r + p * k] = c * vrp - s * vrq;
                    v[r + q * k] = s * vrp + c * vrq;
                }
            }
        }
    }
    for i in 0..k {
        w[i] = a[i + i * k];
    }
    converged && w[..k].iter().all(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconstructs_a_random_symmetric_matrix() {
        let k = 7;
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        let mut a = vec![0.0; k * k];
        for j in 0..k {
            for i in 0..=j {
                let x = rnd();
                a[i + j * k] = x;
                a[j + i * k] = x;
            }
        }
        // A repeated eigenvalue too: add a rank-one term to a multiple of the identity.
        let orig = a.clone();
        let (mut w, mut v) = (vec![0.0; k], vec![0.0; k * k]);
        assert!(symmetric_eigen(&mut a, k, &mut w, &mut v));
        for i in 0..k {
            for j in 0..k {
                let r: f64 = (0..k).map(|l| v[i + l * k] * w[l] * v[j + l * k]).sum();
                assert!((r - orig[i + j * k]).abs() < 1e-14, "{r} vs {}", orig[i + j * k]);
                let o: f64 = (0..k).map(|l| v[l + i * k] * v[l + j * k]).sum();
                assert!((o - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
        let mut id = vec![0.0; 9];
        for i in 0..3 {
            id[i + 3 * i] = 2.0;
        }
        assert!(symmetric_eigen(&mut id, 3, &mut w, &mut v));
        assert!(w[..3].iter().all(|&x| x == 2.0));
    }
}
