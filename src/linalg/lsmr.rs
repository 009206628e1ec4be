//! LSMR: least squares `min ||A x - b||_2` through matrix-vector products with `A` and `A'`
//! only (Fong & Saunders \[1\]).
//!
//! The problem: `A` is `m x n` of any shape and rank, known only through `v -> A v` and
//! `u -> A' u`; find `x` minimizing `||A x - b||` (for a consistent system, a solution of
//! `A x = b`). Started from `x = 0`, the iterates stay in the range of `A'`, so the limit is
//! the minimum-norm least-squares solution.
//!
//! The method is MINRES applied to the normal equations `A'A x = A'b` without forming them:
//!
//! 1. Golub-Kahan bidiagonalization \[2\]: `beta_1 u_1 = b`, `alpha_1 v_1 = A' u_1`, and for
//!    `k = 1, 2, ...`: `beta_{k+1} u_{k+1} = A v_k - alpha_k u_k`,
//!    `alpha_{k+1} v_{k+1} = A' u_{k+1} - beta_{k+1} v_k` (each `alpha`, `beta` the norm that
//!    makes the vector a unit vector).
//! 2. `x_k = V_k y_k` with `y_k` minimizing `||A'(b - A x_k)||`; two Givens QR factorizations
//!    (\[1\], sec. 2.2-2.3: the rotations `(c_k, s_k)` of the lower bidiagonal `B_k` and
//!    `(cbar_k, sbar_k)` of the upper bidiagonal `R_k'`) turn it into the short recurrences
//!    `hbar_k = h_k - (thetabar_k rho_k / (rho_{k-1} rhobar_{k-1})) hbar_{k-1}`,
//!    `x_k = x_{k-1} + (zeta_k / (rho_k rhobar_k)) hbar_k`,
//!    `h_{k+1} = v_{k+1} - (theta_{k+1} / rho_k) h_k`.
//! 3. `||A' r_k|| = |zetabar_{k+1}|` exactly; `||r_k||` by the cheap recurrence of \[1\],
//!    sec. 3.3 (a third rotation); `||A||_F` estimated by `sqrt(sum alpha^2 + beta^2)`.
//!
//! Stopping (\[1\], sec. 3.5, with `atol = btol = tol`): `||r|| <= tol (||b|| + ||A|| ||x||)`
//! (a consistent system is solved) or `||A'r|| <= tol ||A|| ||r||` (a least-squares solution),
//! or the iteration cap. In exact arithmetic LSMR ends within `min(m, n)` iterations.
//!
//! No reorthogonalization, no damping, no preconditioning (a scaling of the columns is the
//! caller's business). All work vectors are allocated by [`Lsmr::new`]; [`Lsmr::solve`]
//! allocates nothing.
//!
//! References:
//! 1. D. C.-L. Fong, M. A. Saunders, LSMR: an iterative algorithm for sparse least-squares
//!    problems, SIAM J. Sci. Comput. 33 (2011) 2950-2971.
//! 2. G. H. Golub, W. Kahan, Calculating the singular values and pseudo-inverse of a matrix,
//!    SIAM J. Numer. Anal. 2 (1965) 205-224.

use super::norm;

/// Why LSMR stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LsmrStop {
    /// `b = 0` or `A' b = 0`: `x = 0` is a least-squares solution.
    ZeroSolution,
    /// `||r|| <= tol (||b|| + ||A|| ||x||)`: the system is consistent and solved.
    Consistent,
    /// `||A'r|| <= tol ||A|| ||r||`: a least-squares solution.
    LeastSquares,
    /// The iteration cap was reached.
    IterationCap,
    /// A product returned a non-finite value.
    NonFinite,
}

/// What one LSMR solve did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LsmrInfo {
    /// Why it stopped.
    pub stop: LsmrStop,
    /// Iterations (each one product with `A` and one with `A'`).
    pub iterations: usize,
    /// Estimate of `||b - A x||`.
    pub residual_norm: f64,
    /// `||A'(b - A x)||` (exact in exact arithmetic).
    pub normal_residual_norm: f64,
}

/// LSMR workspace for `m x n` problems (module docs).
#[derive(Clone, Debug)]
pub struct Lsmr {
    u: Vec<f64>,
    v: Vec<f64>,
    h: Vec<f64>,
    hbar: Vec<f64>,
    work_m: Vec<f64>,
    work_n: Vec<f64>,
}

/// `sqrt(a^2 + b^2)` and the rotation `(c, s)` with `c = a / r`, `s = b / r` (`(1, 0, 0)` for
/// `a = b = 0`).
fn rotation(a: f64, b: f64) -> (f64, f64, f64) {
    let r = a.hypot(b);
    if r == 0.0 {
        (1.0, 0.0, 0.0)
    } else {
        (a / r, b / r, r)
    }
}

impl Lsmr {
    /// Workspace for an `m x n` operator.
    pub fn new(m: usize, n: usize) -> Self {
        Self {
            u: vec![0.0; m],
            v: vec![0.0; n],
            h: vec![0.0; n],
            hbar: vec![0.0; n],
            work_m: vec![0.0; m],
            work_n: vec![0.0; n],
        }
    }

    /// Solves `min ||A x - b||` into `x` (overwritten; the start is `x = 0`), with
    /// `apply(v, out)`: `out <- A v` and `apply_t(u, out)`: `out <- A' u`, relative tolerance
    /// `tol` and at most `max_iterations` iterations.
    pub fn solve(
        &mut self,
        mut apply: impl FnMut(&[f64], &mut [f64]),
        mut apply_t: impl FnMut(&[f64], &mut [f64]),
        b: &[f64],
        x: &mut [f64],
        tol: f64,
        max_iterations: usize,
    ) -> LsmrInfo {
        let (m, n) = (self.u.len(), self.v.len());
        debug_assert!(b.len() == m && x.len() == n);
        x.fill(0.0);
        let non_finite = |iterations| LsmrInfo {
            stop: LsmrStop::NonFinite,
            iterations,
            residual_norm: f64::NAN,
            normal_residual_norm: f64::NAN,
        };
        // (1) beta_1 u_1 = b, alpha_1 v_1 = A' u_1.
        let normb = norm(b);
        if !normb.is_finite() {
            return non_finite(0);
        }
        let zero =
            LsmrInfo { stop: LsmrStop::ZeroSolution, iterations: 0, residual_norm: normb, normal_residual_norm: 0.0 };
        if normb == 0.0 {
            return zero;
        }
        let mut beta = normb;
        for i in 0..m {
            self.u[i] = b[i] / beta;
        }
        apply_t(&self.u, &mut self.v);
        let mut alpha = norm(&self.v);
        if !alpha.is_finite() {
            return non_finite(0);
        }
        if alpha == 0.0 {
            return zero;
        }
        self.v.iter_mut().for_each(|v| *v /= alpha);

        // (2) The two rotations' state ([1], sec. 2.2-2.3).
        let mut alphabar = alpha;
        let mut zetabar = alpha * beta;
        let (mut rho, mut rhobar, mut cbar, mut sbar) = (1.0, 1.0, 1.0, 0.0);
        self.h.copy_from_slice(&self.v);
        self.hbar.fill(0.0);
        // (3) The ||r|| recurrence ([1], sec. 3.3).
        let (mut betadd, mut betad, mut rhodold, mut tautildeold, mut thetatilde, mut zeta) =
            (beta, 0.0, 1.0, 0.0, 0.0, 0.0);
        let mut norm_a2 = alpha * alpha;
        let mut normr = beta;
        let mut normar = alpha * beta;

        for k in 1..=max_iterations {
            // (1) beta u = A v - alpha u; alpha v = A' u - beta v.
            apply(&self.v, &mut self.work_m);
            for i in 0..m {
                self.u[i] = self.work_m[i] - alpha * self.u[i];
            }
            beta = norm(&self.u);
            if beta > 0.0 {
                self.u.iter_mut().for_each(|u| *u /= beta);
                apply_t(&self.u, &mut self.work_n);
                for i in 0..n {
                    self.v[i] = self.work_n[i] - beta * self.v[i];
                }
                alpha = norm(&self.v);
                if alpha > 0.0 {
                    self.v.iter_mut().for_each(|v| *v /= alpha);
                }
            } else {
                alpha = 0.0;
            }
            if !(alpha.is_finite() && beta.is_finite()) {
                return non_finite(k);
            }

            // (2) Rotation of B_k: (alphabar, beta) -> rho.
            let rhoold = rho;
            let (c, s, r) = rotation(alphabar, beta);
            rho = r;
            let thetanew = s * alpha;
            alphabar = c * alpha;
            // Rotation of R_k': (cbar rho, thetanew) -> rhobar.
            let rhobarold = rhobar;
            let zetaold = zeta;
            let thetabar = sbar * rho;
            let (cb, sb, rb) = rotation(cbar * rho, thetanew);
            (cbar, sbar, rhobar) = (cb, sb, rb);
            zeta = cbar * zetabar;
            zetabar *= -sbar;
            if rho == 0.0 || rhobar == 0.0 {
                // Only when alpha or beta vanished earlier: x is exact.
                return LsmrInfo {
                    stop: LsmrStop::LeastSquares,
                    iterations: k,
                    residual_norm: normr,
                    normal_residual_norm: normar,
                };
            }
            // Updates of hbar, x, h.
            let coef_hbar = thetabar * rho / (rhoold * rhobarold);
            let coef_x = zeta / (rho * rhobar);
            let coef_h = thetanew / rho;
            for i in 0..n {
                self.hbar[i] = self.h[i] - coef_hbar * self.hbar[i];
                x[i] += coef_x * self.hbar[i];
                self.h[i] = self.v[i] - coef_h * self.h[i];
            }

            // (3) ||r_k|| by the third rotation (no damping: chat = 1, shat = 0).
            let betahat = c * betadd;
            betadd *= -s;
            let thetatildeold = thetatilde;
            let (ctildeold, stildeold, rhotildeold) = rotation(rhodold, thetabar);
            thetatilde = stildeold * rhobar;
            rhodold = ctildeold * rhobar;
            betad = -stildeold * betad + ctildeold * betahat;
            tautildeold = (zetaold - thetatildeold * tautildeold) / rhotildeold;
            let taud = (zeta - thetatilde * tautildeold) / rhodold;
            normr = ((betad - taud).powi(2) + betadd * betadd).sqrt();
            norm_a2 += beta * beta;
            let norm_a = norm_a2.sqrt();
            norm_a2 += alpha * alpha;
            normar = zetabar.abs();
            let normx = norm(x);
            if !(normr.is_finite() && normx.is_finite()) {
                return non_finite(k);
            }
            if normr <= tol * (normb + norm_a * normx) {
                return LsmrInfo {
                    stop: LsmrStop::Consistent,
                    iterations: k,
                    residual_norm: normr,
                    normal_residual_norm: normar,
                };
            }
            if normar <= tol * norm_a * normr {
                return LsmrInfo {
                    stop: LsmrStop::LeastSquares,
                    iterations: k,
                    residual_norm: normr,
                    normal_residual_norm: normar,
                };
            }
            if alpha == 0.0 || beta == 0.0 {
                // The bidiagonalization ended: x is exact.
                let stop = if beta == 0.0 { LsmrStop::Consistent } else { LsmrStop::LeastSquares };
                return LsmrInfo { stop, iterations: k, residual_norm: normr, normal_residual_norm: normar };
            }
        }
        LsmrInfo {
            stop: LsmrStop::IterationCap,
            iterations: max_iterations,
            residual_norm: normr,
            normal_residual_norm: normar,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift) for test matrices.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        }
    }

    fn matvec(a: &[f64], m: usize, v: &[f64], out: &mut [f64]) {
        let n = v.len();
        for i in 0..m {
            out[i] = (0..n).map(|j| a[i + j * m] * v[j]).sum();
        }
    }

    fn matvec_t(a: &[f64], m: usize, u: &[f64], out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = (0..m).map(|i| a[i + j * m] * u[i]).sum();
        }
    }

    /// On random overdetermined, square and underdetermined problems LSMR's solution satisfies
    /// the normal equations, and for m < n (full row rank) it is the minimum-norm solution
    /// `A'(AA')^{-1} b` (checked: `x` in the range of `A'` and `A x = b`).
    #[test]
    fn lsmr_solves_the_normal_equations() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for &(m, n) in &[(8, 3), (20, 7), (5, 5), (3, 8), (12, 12), (30, 10)] {
            let a: Vec<f64> = (0..m * n).map(|_| rng.next()).collect();
            let b: Vec<f64> = (0..m).map(|_| rng.next()).collect();
            let mut x = vec![0.0; n];
            let mut lsmr = Lsmr::new(m, n);
            let info =
                lsmr.solve(|v, o| matvec(&a, m, v, o), |u, o| matvec_t(&a, m, u, o), &b, &mut x, 1e-14, 10 * (m + n));
            assert_ne!(info.stop, LsmrStop::IterationCap, "{m}x{n}: {info:?}");
            let mut r = vec![0.0; m];
            matvec(&a, m, &x, &mut r);
            for i in 0..m {
                r[i] = b[i] - r[i];
            }
            let mut atr = vec![0.0; n];
            matvec_t(&a, m, &r, &mut atr);
            assert!(norm(&atr) <= 1e-10 * (1.0 + norm(&b)), "{m}x{n}: ||A'r|| = {}", norm(&atr));
            assert!((info.residual_norm - norm(&r)).abs() <= 1e-8 * (1.0 + norm(&r)), "{info:?} vs {}", norm(&r));
            if m <= n {
                assert!(norm(&r) <= 1e-10, "{m}x{n}: consistent system, ||r|| = {}", norm(&r));
            }
        }
    }

    #[test]
    fn zero_right_hand_side_and_non_finite_products() {
        let mut lsmr = Lsmr::new(2, 2);
        let mut x = [1.0, 1.0];
        let info = lsmr.solve(|v, o| o.copy_from_slice(v), |u, o| o.copy_from_slice(u), &[0.0, 0.0], &mut x, 1e-12, 10);
        assert_eq!(info.stop, LsmrStop::ZeroSolution);
        assert_eq!(x, [0.0, 0.0]);
        let info = lsmr.solve(|_, o| o.fill(f64::NAN), |_, o| o.fill(f64::NAN), &[1.0, 0.0], &mut x, 1e-12, 10);
        assert_eq!(info.stop, LsmrStop::NonFinite);
    }
}
