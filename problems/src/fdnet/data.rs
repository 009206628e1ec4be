//! Heat-equation data from exact solutions: the four cases of the FDNet experiments.
//!
//! `u_t = alpha u_xx` on `[0, pi]`, `u(0, t) = u(pi, t) = 0`, `alpha = 1/5000`, on the grid
//! `x_j = j pi / 30`, `j = 0..30`, at times `t = 0, dt, ..., 1000`. Trajectory `s` draws
//! `c_i ~ N(0, 1)`, `i = 1..10`, and
//!
//! ```text
//! u(x, t) = (1/10) sum_i c_i sin(i x) exp(-i^2 alpha t)                                   (stable, unstable, noisy)
//! u(x, t) = (1/10) sum_i [(c_i - d_i/i^2) sin(i x) e^{-i^2 alpha t} + d_i sin(i x)/i^2]   (forcing)
//! ```
//!
//! The second solves `u_t = alpha (u_xx + g(x))` with `g(x) = (1/10) sum_i d_i sin(i x)`,
//! `d_i = 10 N(0, 1)`. The forcing is one function for the whole data set (drawn once, before
//! the trajectories): the network's forcing term is a single learned vector, which can only fit
//! a forcing shared by every trajectory. The noisy case replaces every value by
//! `u + 1e-4 |u| xi`, `xi ~ N(0, 1)` i.i.d., in training and test data alike. Then the value at
//! `x = pi` is set to exactly 0 (`sin(i pi)` is 1e-16, not 0) and every state is shifted by `+1`
//! (`v = u + 1`), the form in which the network sees it; errors are computed on differences of
//! shifted states, in which the shift cancels.
//!
//! 200 trajectories; a seeded Fisher-Yates shuffle puts 150 in training and 50 in test. The
//! unstable case keeps every 200th snapshot (`t = 0, 200, ..., 1000`). Training pairs are all
//! consecutive snapshots `(v_t, v_{t+dt})` of the training trajectories (150,000 pairs for
//! `dt = 1`, 750 for `dt = 200`).
//!
//! The draws come from three [`SplitMix64`] streams derived from the data seed: one for the
//! `c_i` (trajectory by trajectory) followed by the shuffle, one for the noise (in the order
//! trajectory, time, node), one for `d`. So the four cases share their trajectories and their
//! split (the noisy case is the stable case plus noise; the forcing case has the same `c_i`),
//! and the same seed gives bitwise the same data.
//!
//! Reference: J. Shi, N. Gulgec, A. S. Berahas, S. N. Pakzad, M. Takac, Finite Difference Neural
//! Networks: Fast Prediction of Partial Differential Equations, ICMLA 2020, arXiv:2006.01892;
//! spec `fdnet.md`, "Data".

use std::f64::consts::PI;

use crate::subproblems::SplitMix64;

/// Grid nodes (`x_j = j pi / 30`, `j = 0..30`).
pub const NODES: usize = 31;
/// Diffusivity `alpha`.
pub const ALPHA: f64 = 1.0 / 5000.0;
/// Sine modes in each trajectory.
pub const MODES: usize = 10;
/// Trajectories generated.
pub const TRAJECTORIES: usize = 200;
/// Trajectories in the training set (the rest are the test set).
pub const TRAIN_TRAJECTORIES: usize = 150;
/// Final time.
pub const T_END: usize = 1000;
/// The shift added to every state before it enters the network.
pub const SHIFT: f64 = 1.0;
/// The true grid spacing `pi / 30`.
pub const DX: f64 = PI / 30.0;

/// The four experiments of the reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    /// `dt = 1`, exact data.
    Stable,
    /// `dt = 200` (every 200th snapshot): Forward Euler is unstable at this step
    /// (`r = alpha dt / dx^2 = 3.65`); the network applies its block 10 times per step.
    Unstable,
    /// `dt = 1`, multiplicative noise `1e-4 |u| xi` on every value.
    Noisy,
    /// `dt = 1`, with the source term `alpha g(x)`; the network has a learned forcing vector.
    Forcing,
}

impl Case {
    /// All four cases, in the order of the reference's tables.
    pub const ALL: [Case; 4] = [Case::Stable, Case::Unstable, Case::Noisy, Case::Forcing];

    /// Lower-case name (`"stable"`, `"unstable"`, `"noisy"`, `"forcing"`).
    pub fn name(self) -> &'static str {
        match self {
            Case::Stable => "stable",
            Case::Unstable => "unstable",
            Case::Noisy => "noisy",
            Case::Forcing => "forcing",
        }
    }

    /// Parses a name as printed by [`Case::name`].
    pub fn from_name(name: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Time step between stored snapshots: 200 for the unstable case, else 1.
    pub fn dt(self) -> usize {
        if self == Case::Unstable {
            200
        } else {
            1
        }
    }

    /// Snapshots per trajectory after `t = 0` (1000, or 5 for the unstable case).
    pub fn steps(self) -> usize {
        T_END / self.dt()
    }

    /// FD-blocks applied per data step (shared weights): 10 for the unstable case, else 1.
    pub fn blocks(self) -> usize {
        if self == Case::Unstable {
            10
        } else {
            1
        }
    }

    /// Whether the network has the learned forcing vector.
    pub fn has_forcing(self) -> bool {
        self == Case::Forcing
    }

    /// Trust-region outer iterations in the reference: 300 for the unstable case, else 100.
    pub fn tr_iterations(self) -> usize {
        if self == Case::Unstable {
            300
        } else {
            100
        }
    }

    /// The short rollout horizon of the metrics: 3 steps for `dt = 200`, else 10.
    pub fn short_horizon(self) -> usize {
        if self == Case::Unstable {
            3
        } else {
            10
        }
    }
}

/// The generated data of one case (states stored shifted, `v = u + 1`).
#[derive(Clone, Debug)]
pub struct HeatData {
    /// Which case.
    pub case: Case,
    /// Snapshots per trajectory after `t = 0`.
    pub steps: usize,
    /// Training states, `[trajectory][snapshot][node]` flattened, shifted.
    pub train: Vec<f64>,
    /// Test states, `[trajectory][snapshot][node]` flattened, shifted.
    pub test: Vec<f64>,
    /// Original indices (`0..200`) of the training trajectories, in stored order.
    pub train_ids: Vec<usize>,
    /// Original indices of the test trajectories, in stored order.
    pub test_ids: Vec<usize>,
    /// `g(x_j)` for the forcing case (value at `x = pi` set to 0), else `None`.
    pub forcing: Option<Vec<f64>>,
}

impl HeatData {
    /// Generates the data of `case` from `seed`.
    pub fn generate(case: Case, seed: u64) -> Self {
        // Three independent streams, so that the cases share their trajectories: the noisy case
        // is the stable case plus noise, and the forcing case has the same c_i.
        let mut rng = SplitMix64::new(seed ^ 0x4845_4154_5f46_444e); // "HEAT_FDN": c_i, shuffle
        let mut noise = SplitMix64::new(seed ^ 0x4e4f_4953_455f_5858); // "NOISE_XX"
        let mut forcing_rng = SplitMix64::new(seed ^ 0x464f_5243_494e_4747); // "FORCINGG"
        let dt = case.dt();
        let steps = case.steps();
        let snaps = steps + 1;
        let d: Option<[f64; MODES]> =
            if case.has_forcing() { Some(std::array::from_fn(|_| 10.0 * forcing_rng.normal())) } else { None };
        // sin(i x_j), i = 1..10, j = 0..30.
        let sines: Vec<[f64; MODES]> =
            (0..NODES).map(|j| std::array::from_fn(|i| ((i + 1) as f64 * j as f64 * DX).sin())).collect();

        let mut all = vec![0.0; TRAJECTORIES * snaps * NODES];
        for s in 0..TRAJECTORIES {
            let c: [f64; MODES] = std::array::from_fn(|_| rng.normal());
            for k in 0..snaps {
                let t = (k * dt) as f64;
                let mut amp = [0.0; MODES];
                let mut steady = [0.0; MODES];
                for i in 0..MODES {
                    let ii = ((i + 1) * (i + 1)) as f64;
                    let decay = (-ii * ALPHA * t).exp();
                    match d {
                        Some(d) => {
                            amp[i] = (c[i] - d[i] / ii) * decay;
                            steady[i] = d[i] / ii;
                        }
                        None => amp[i] = c[i] * decay,
                    }
                }
                let state = &mut all[(s * snaps + k) * NODES..][..NODES];
                for (j, u) in state.iter_mut().enumerate() {
                    let mut acc = 0.0;
                    for i in 0..MODES {
                        acc += (amp[i] + steady[i]) * sines[j][i];
                    }
                    *u = 0.1 * acc;
                }
                if case == Case::Noisy {
                    for u in state.iter_mut() {
                        *u += 1e-4 * u.abs() * noise.normal();
                    }
                }
                state[0] = 0.0;
                state[NODES - 1] = 0.0;
                for u in state.iter_mut() {
                    *u += SHIFT;
                }
            }
        }

        let mut order: Vec<usize> = (0..TRAJECTORIES).collect();
        for i in (1..TRAJECTORIES).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        let (train_ids, test_ids) = order.split_at(TRAIN_TRAJECTORIES);
        let gather = |ids: &[usize]| {
            let mut out = Vec::with_capacity(ids.len() * snaps * NODES);
            for &s in ids {
                out.extend_from_slice(&all[s * snaps * NODES..(s + 1) * snaps * NODES]);
            }
            out
        };
        let forcing = d.map(|d| {
            let mut g: Vec<f64> =
                (0..NODES).map(|j| 0.1 * (0..MODES).map(|i| d[i] * sines[j][i]).sum::<f64>()).collect();
            g[0] = 0.0;
            g[NODES - 1] = 0.0;
            g
        });
        Self {
            case,
            steps,
            train: gather(train_ids),
            test: gather(test_ids),
            train_ids: train_ids.to_vec(),
            test_ids: test_ids.to_vec(),
            forcing,
        }
    }

    /// Number of training trajectories.
    pub fn n_train(&self) -> usize {
        self.train_ids.len()
    }

    /// Number of test trajectories.
    pub fn n_test(&self) -> usize {
        self.test_ids.len()
    }

    /// Number of training pairs (`n_train * steps`).
    pub fn n_pairs(&self) -> usize {
        self.n_train() * self.steps
    }

    /// Training pair `p`: the shifted states `(v_t, v_{t+dt})` with `p = trajectory * steps + t`.
    pub fn pair(&self, p: usize) -> (&[f64], &[f64]) {
        let (s, k) = (p / self.steps, p % self.steps);
        let start = (s * (self.steps + 1) + k) * NODES;
        (&self.train[start..start + NODES], &self.train[start + NODES..start + 2 * NODES])
    }

    /// Shifted state of test trajectory `s` at snapshot `k`.
    pub fn test_state(&self, s: usize, k: usize) -> &[f64] {
        let start = (s * (self.steps + 1) + k) * NODES;
        &self.test[start..start + NODES]
    }

    /// Time step between snapshots.
    pub fn dt(&self) -> f64 {
        self.case.dt() as f64
    }
}
