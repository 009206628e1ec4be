//! Rollout metrics on the test trajectories and divergence detection.
//!
//! A predictor is an affine one-step map `v -> A v + c` ([`Operator`]: the trained network, or
//! Forward Euler). Starting from each test trajectory's `v(., 0)`, it is applied `steps` times
//! (1000, or 5 for `dt = 200`); after `k` steps the error is the mean squared difference to the
//! stored test state over all 31 nodes and all 50 test trajectories. The `+1` shift cancels in
//! the difference, so the errors are those of `u`. Reported: the 1-step, the short-horizon
//! (10-step, or 3-step for `dt = 200`) and the final (`t = 1000`) MSE, and the whole curve.
//!
//! A run *diverges* when its final MSE is not finite or exceeds the MSE of the trivial
//! prediction `u = 0` at `t = 1000` (the mean square of the true final states, about 5e-3 for the
//! stable case and 0.1 for the forcing case): the rollout has then grown beyond the size of the
//! solution itself. A learned operator with an eigenvalue slightly above 1 grows its error
//! exponentially over the 1000 steps (Adam's runs, Forward Euler at `dt = 200` with MSE 70),
//! while a stable one keeps it orders of magnitude below that scale.
//!
//! Reference: spec `fdnet.md`, "Metrics".

use super::data::{HeatData, NODES, SHIFT};
use super::net::Operator;

/// The rollout errors of one predictor.
#[derive(Clone, Debug, PartialEq)]
pub struct Rollout {
    /// MSE after `k` steps, `k = 1..=steps` (`+inf` once a state is not finite).
    pub horizon: Vec<f64>,
    /// MSE after 1 step.
    pub one_step: f64,
    /// MSE after the short horizon (10 steps, or 3 for `dt = 200`).
    pub short: f64,
    /// MSE at `t = 1000`.
    pub full: f64,
    /// MSE of the prediction `u = 0` at `t = 1000` (the divergence threshold).
    pub zero_mse: f64,
    /// Whether the final MSE is not finite or above `zero_mse`.
    pub diverged: bool,
}

/// Rolls `op` out on every test trajectory of `data`.
pub fn rollout(op: &Operator, data: &HeatData) -> Rollout {
    let steps = data.steps;
    let mut horizon = vec![0.0; steps];
    let mut v = [0.0; NODES];
    let mut next = [0.0; NODES];
    for s in 0..data.n_test() {
        v.copy_from_slice(data.test_state(s, 0));
        for k in 1..=steps {
            op.apply(&v, &mut next);
            v = next;
            let truth = data.test_state(s, k);
            let err: f64 = v.iter().zip(truth).map(|(a, b)| (a - b) * (a - b)).sum();
            horizon[k - 1] += err;
        }
    }
    let denom = (NODES * data.n_test().max(1)) as f64;
    let zero_mse = (0..data.n_test())
        .flat_map(|s| data.test_state(s, steps).iter().map(|v| (v - SHIFT) * (v - SHIFT)))
        .sum::<f64>()
        / denom;
    for h in &mut horizon {
        *h = if h.is_finite() { *h / denom } else { f64::INFINITY };
    }
    let short = horizon[data.case.short_horizon().min(steps) - 1];
    let full = horizon[steps - 1];
    Rollout { one_step: horizon[0], short, full, zero_mse, diverged: !(full <= zero_mse), horizon }
}

/// The predicted and the stored `u` (shift removed) of test trajectory `s` at `t = 1000`.
pub fn final_profile(op: &Operator, data: &HeatData, s: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = [0.0; NODES];
    let mut next = [0.0; NODES];
    v.copy_from_slice(data.test_state(s, 0));
    for _ in 0..data.steps {
        op.apply(&v, &mut next);
        v = next;
    }
    let pred = v.iter().map(|x| x - SHIFT).collect();
    let exact = data.test_state(s, data.steps).iter().map(|x| x - SHIFT).collect();
    (pred, exact)
}
