//! FDNet: a finite-difference-shaped linear network that learns the heat equation, trained by
//! the Hessian-free trust region (Shi, Gulgec, Berahas, Pakzad & Takac 2020).
//!
//! Problem: learn the one-step map of `u_t = alpha (u_xx [+ g(x)])` on a 31-node grid from
//! exact solutions, with a network of two 3-tap convolution layers of `F` filters and a
//! node-wise linear map (no activations, no biases), and roll it out for 1000 steps.
//!
//! - [`data`]: the four cases (stable, unstable `dt = 200`, noisy, forcing) from exact
//!   solutions, seeded, 150/50 trajectories;
//! - [`net`]: the architecture, its initialization, and its one-step operator
//!   `v -> A(w) v + c(w)` (pentadiagonal for one block, `B^fb` for `fb` blocks), assembled from
//!   the weights in `O(F^2)`, with the reverse pass written once, generic over the scalar;
//! - [`loss`]: the mini-batch MSE as a [`trust_region::solver::BatchLoss`]: exact gradient
//!   (reverse pass) and exact Hessian-vector product (the same reverse pass in `Dual64`),
//!   both independent of the batch size except for `O(31 * 5 * 64)` residual work;
//! - [`adam`]: the first-order baseline; [`euler`]: Forward Euler;
//! - [`metrics`]: rollout errors over the test set and divergence detection;
//! - [`experiment`]: one run of a method on a case with its metrics, and the reference's
//!   numbers.
//!
//! The training loop itself is [`trust_region::solver::hessian_free`].
//!
//! References:
//! 1. J. Shi, N. Gulgec, A. S. Berahas, S. N. Pakzad, M. Takac, Finite Difference Neural
//!    Networks: Fast Prediction of Partial Differential Equations, ICMLA 2020, arXiv:2006.01892.
//! 2. B. A. Pearlmutter, Fast exact multiplication by the Hessian, Neural Comput. 6 (1994).
//! 3. D. P. Kingma, J. Ba, Adam: A method for stochastic optimization, ICLR 2015.

pub mod adam;
pub mod data;
pub mod euler;
pub mod experiment;
pub mod loss;
pub mod metrics;
pub mod net;

pub use data::{Case, HeatData};
pub use loss::{FdNetLoss, LossStats};
pub use net::{FdNet, Operator};
