//! Forward Euler on the grid, the classical baseline.
//!
//! `u_j <- u_j + r (u_{j-1} - 2 u_j + u_{j+1}) + alpha dt g(x_j)`, `r = alpha dt / dx^2`, for
//! `j = 1..29`, with `u_0 = u_30` kept (Dirichlet); the forcing term only in the forcing case.
//! The constant shift cancels in the difference, so the same map acts on the shifted states, and
//! it is an affine [`Operator`] like the network's. The true spacing is `dx = pi / 30`
//! ([`DX`]); the reference's released code used `dx = 0.1` ([`REFERENCE_CODE_DX`]), offered
//! only to reproduce its plot. Stability needs `r <= 1/2`: `r = 0.018` for `dt = 1`, `3.65`
//! for `dt = 200`.
//!
//! Reference: spec `fdnet.md`, "Training" (baseline); any text on the explicit scheme for the
//! heat equation, e.g. R. J. LeVeque, Finite Difference Methods for Ordinary and Partial
//! Differential Equations, SIAM (2007), sec. 9.1.

use super::data::{HeatData, ALPHA, NODES};
use super::net::Operator;

pub use super::data::DX;

/// The grid spacing used by the reference's released code (by mistake).
pub const REFERENCE_CODE_DX: f64 = 0.1;

/// Forward Euler for the data step of `data` with grid spacing `dx`.
pub fn euler_operator(data: &HeatData, dx: f64) -> Operator {
    let dt = data.dt();
    let r = ALPHA * dt / (dx * dx);
    let mut a = vec![0.0; NODES * NODES];
    let mut c = vec![0.0; NODES];
    a[0] = 1.0;
    a[NODES * NODES - 1] = 1.0;
    for j in 1..NODES - 1 {
        a[j * NODES + j - 1] = r;
        a[j * NODES + j] = 1.0 - 2.0 * r;
        a[j * NODES + j + 1] = r;
        if let Some(g) = &data.forcing {
            c[j] = ALPHA * dt * g[j];
        }
    }
    Operator { a, c, half_band: 1 }
}
