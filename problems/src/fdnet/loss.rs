//! The mini-batch MSE of FDNet with its exact gradient and exact Hessian-vector product.
//!
//! For a batch of `n_b` training pairs `(x_b, y_b)` (shifted states) and the data-step operator
//! `p = (A, c)` of the weights `w` ([`super::net`]):
//!
//! ```text
//! R = A X + c 1' - Y,     L(w) = ||R||_F^2 / (31 n_b)                        (mean over all values)
//! A_bar = kappa R X',     c_bar = kappa R 1,     kappa = 2 / (31 n_b)        (dL/dA, dL/dc)
//! ```
//!
//! and the gradient is the reverse pass of the assembly applied to `(A_bar, c_bar)`: `J' p_bar`
//! with `J = dp/dw`. Only the band of `A` is needed (`|i - j| <= min(2 fb, 30)`), so for one
//! block a batch costs `31 * 5 * n_b` multiply-adds per product, not `31^2 n_b`.
//!
//! Hessian-vector product (forward-over-reverse, Pearlmutter 1994; Griewank & Walther 2008,
//! ch. 5): with `L = l(p(w))`,
//!
//! ```text
//! H v = J' (d2l/dp2) (J v) + sum_k (dl/dp_k) (d2 p_k / dw2) v.
//! ```
//!
//! Both terms come from one reverse pass evaluated in dual numbers: assemble at
//! `w + eps v` (`Dual64`), so that the dual part of `p` is `J v = (dA, dc)`; form the dual
//! cotangent `p_bar + eps (d2l/dp2)(dA, dc)`, where, with the batch Gram matrix
//! `S = X X'` and `m = X 1` (computed once per batch),
//!
//! ```text
//! d A_bar = kappa (dA S + dc m'),     d c_bar = kappa (dA m + n_b dc);
//! ```
//!
//! the dual part of the reverse pass is then `H v`, the second-order terms of the trilinear
//! weight-to-operator map included (no Gauss-Newton approximation). The real cotangents are the
//! gradient's, cached at the last point where [`BatchLoss::gradient`] was called, so a product
//! never touches the batch: its cost is independent of `n_b` (for one block, `O(F^2)` for the
//! assembly and its reverse plus `31 * 5 * 5` for `dA S`).
//!
//! Batches: iteration `k` draws `batch_size` distinct pair indices from a [`SplitMix64`] seeded
//! by the loss's seed and `k`, so the batch sequence is a function of the seed alone.
//!
//! References:
//! 1. B. A. Pearlmutter, Fast exact multiplication by the Hessian, Neural Comput. 6 (1994)
//!    147-160.
//! 2. A. Griewank, A. Walther, Evaluating Derivatives, 2nd ed., SIAM (2008), ch. 5.

use num_dual::Dual64;
use trust_region::solver::hessian_free::BatchLoss;

use super::data::{HeatData, NODES};
use super::net::{FdNet, Operator, Work};
use crate::subproblems::SplitMix64;

const N2: usize = NODES * NODES;

/// The FDNet mini-batch loss on the training pairs of a [`HeatData`].
#[derive(Clone, Debug)]
pub struct FdNetLoss<'d> {
    net: FdNet,
    data: &'d HeatData,
    batch_size: usize,
    seed: u64,
    /// Current batch: pair indices, inputs and targets (row-major `[sample][node]`).
    indices: Vec<usize>,
    x: Vec<f64>,
    y: Vec<f64>,
    /// `S = X X'` (31 x 31) and `m = X 1` of the current batch.
    gram: Vec<f64>,
    xsum: Vec<f64>,
    real: Work<f64>,
    dual: Work<Dual64>,
    w_dual: Vec<Dual64>,
    grad_dual: Vec<Dual64>,
    resid: Vec<f64>,
    abar: Vec<f64>,
    cbar: Vec<f64>,
    abar_dual: Vec<Dual64>,
    cbar_dual: Vec<Dual64>,
    grad_scratch: Vec<f64>,
    /// The point whose cotangents `abar`, `cbar` are cached, if any.
    cached_w: Vec<f64>,
    cached: bool,
}

impl<'d> FdNetLoss<'d> {
    /// The loss of `net` on the training pairs of `data`, with mini-batches of `batch_size`
    /// (reference: 64) drawn from `seed`. Before the first [`BatchLoss::sample_batch`] the
    /// batch is empty.
    pub fn new(net: FdNet, data: &'d HeatData, batch_size: usize, seed: u64) -> Self {
        let n = net.num_params();
        let zd = Dual64::from(0.0);
        Self {
            net,
            data,
            batch_size: batch_size.max(1),
            seed,
            indices: Vec::new(),
            x: Vec::new(),
            y: Vec::new(),
            gram: vec![0.0; N2],
            xsum: vec![0.0; NODES],
            real: Work::new(&net),
            dual: Work::new(&net),
            w_dual: vec![zd; n],
            grad_dual: vec![zd; n],
            resid: Vec::new(),
            abar: vec![0.0; N2],
            cbar: vec![0.0; NODES],
            abar_dual: vec![zd; N2],
            cbar_dual: vec![zd; NODES],
            grad_scratch: vec![0.0; n],
            cached_w: vec![0.0; n],
            cached: false,
        }
    }

    /// The architecture.
    pub fn net(&self) -> &FdNet {
        &self.net
    }

    /// The pair indices of the current batch.
    pub fn batch(&self) -> &[usize] {
        &self.indices
    }

    /// Makes the given training pairs the current batch (for tests and full-data evaluation).
    pub fn set_batch(&mut self, indices: &[usize]) {
        self.indices.clear();
        self.indices.extend_from_slice(indices);
        self.load_batch();
    }

    fn load_batch(&mut self) {
        let nb = self.indices.len();
        self.x.resize(nb * NODES, 0.0);
        self.y.resize(nb * NODES, 0.0);
        self.resid.resize(nb * NODES, 0.0);
        for (b, &p) in self.indices.iter().enumerate() {
            let (x, y) = self.data.pair(p);
            self.x[b * NODES..(b + 1) * NODES].copy_from_slice(x);
            self.y[b * NODES..(b + 1) * NODES].copy_from_slice(y);
        }
        self.gram.fill(0.0);
        self.xsum.fill(0.0);
        for xb in self.x.chunks_exact(NODES) {
            for k in 0..NODES {
                self.xsum[k] += xb[k];
                let xk = xb[k];
                let row = &mut self.gram[k * NODES..(k + 1) * NODES];
                for j in k..NODES {
                    row[j] += xk * xb[j];
                }
            }
        }
        for k in 0..NODES {
            for j in 0..k {
                self.gram[k * NODES + j] = self.gram[j * NODES + k];
            }
        }
        self.cached = false;
    }

    /// `R = A X + c 1' - Y` from the real assembly; returns `||R||^2 / (31 n_b)`.
    fn residuals(&mut self) -> f64 {
        let h = self.net.half_band();
        let a = &self.real.a;
        let c = &self.real.ctot;
        let mut sum = 0.0;
        for ((xb, yb), rb) in
            self.x.chunks_exact(NODES).zip(self.y.chunks_exact(NODES)).zip(self.resid.chunks_exact_mut(NODES))
        {
            for i in 0..NODES {
                let (lo, hi) = (i.saturating_sub(h), (i + h).min(NODES - 1));
                let row = &a[i * NODES..(i + 1) * NODES];
                let mut acc = c[i] - yb[i];
                for j in lo..=hi {
                    acc += row[j] * xb[j];
                }
                rb[i] = acc;
                sum += acc * acc;
            }
        }
        sum / (NODES * self.indices.len().max(1)) as f64
    }

    fn kappa(&self) -> f64 {
        2.0 / (NODES * self.indices.len().max(1)) as f64
    }

    /// Gradient into `g`, caching the cotangents at `w`; returns the loss.
    fn gradient_impl(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
        self.real.assemble(&self.net, w);
        let loss = self.residuals();
        let h = self.net.half_band();
        let kappa = self.kappa();
        self.abar.fill(0.0);
        self.cbar.fill(0.0);
        for (xb, rb) in self.x.chunks_exact(NODES).zip(self.resid.chunks_exact(NODES)) {
            for i in 0..NODES {
                let (lo, hi) = (i.saturating_sub(h), (i + h).min(NODES - 1));
                let ri = rb[i];
                self.cbar[i] += ri;
                let row = &mut self.abar[i * NODES..(i + 1) * NODES];
                for j in lo..=hi {
                    row[j] += ri * xb[j];
                }
            }
        }
        self.abar.iter_mut().for_each(|v| *v *= kappa);
        self.cbar.iter_mut().for_each(|v| *v *= kappa);
        self.real.reverse(&self.net, w, &self.abar, &self.cbar, g);
        self.cached_w.copy_from_slice(w);
        self.cached = true;
        loss
    }

    /// The loss over all training pairs of the data set (direct residuals, `f64`).
    pub fn dataset_loss(net: &FdNet, w: &[f64], data: &HeatData) -> f64 {
        let op = net.operator(w);
        dataset_loss_of(&op, data)
    }
}

/// Mean squared one-step error of `op` over all training pairs of `data`.
pub fn dataset_loss_of(op: &Operator, data: &HeatData) -> f64 {
    let mut out = [0.0; NODES];
    let mut sum = 0.0;
    for p in 0..data.n_pairs() {
        let (x, y) = data.pair(p);
        op.apply(x, &mut out);
        for i in 0..NODES {
            let r = out[i] - y[i];
            sum += r * r;
        }
    }
    sum / (NODES * data.n_pairs().max(1)) as f64
}

impl BatchLoss for FdNetLoss<'_> {
    fn dim(&self) -> usize {
        self.net.num_params()
    }

    fn sample_batch(&mut self, iteration: u64) {
        let n = self.data.n_pairs();
        let mut rng = SplitMix64::new(
            self.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ^ iteration.wrapping_add(1).wrapping_mul(0xd1b5_4a32_d192_ed03),
        );
        self.indices.clear();
        if self.batch_size >= n {
            self.indices.extend(0..n);
        } else {
            while self.indices.len() < self.batch_size {
                let p = rng.below(n);
                if !self.indices.contains(&p) {
                    self.indices.push(p);
                }
            }
        }
        self.load_batch();
    }

    fn loss(&mut self, w: &[f64]) -> f64 {
        self.real.assemble(&self.net, w);
        self.residuals()
    }

    fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
        self.gradient_impl(w, g)
    }

    fn hessian_product(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]) {
        if !(self.cached && self.cached_w == w) {
            let mut g = std::mem::take(&mut self.grad_scratch);
            self.gradient_impl(w, &mut g);
            self.grad_scratch = g;
        }
        for ((wd, &wi), &vi) in self.w_dual.iter_mut().zip(w).zip(v) {
            *wd = Dual64::new(wi, vi);
        }
        self.dual.assemble(&self.net, &self.w_dual);
        // Dual cotangents: real part the gradient's, dual part (d2l/dp2) (dA, dc).
        let h = self.net.half_band();
        let kappa = self.kappa();
        let nb = self.indices.len() as f64;
        let (da, dc) = (&self.dual.a, &self.dual.ctot);
        for i in 0..NODES {
            let (lo, hi) = (i.saturating_sub(h), (i + h).min(NODES - 1));
            let row = &da[i * NODES..(i + 1) * NODES];
            let mut dcb = nb * dc[i].eps;
            for k in lo..=hi {
                dcb += row[k].eps * self.xsum[k];
            }
            self.cbar_dual[i] = Dual64::new(self.cbar[i], kappa * dcb);
            for j in 0..NODES {
                if i.abs_diff(j) > h {
                    self.abar_dual[i * NODES + j] = Dual64::from(0.0);
                    continue;
                }
                let mut acc = dc[i].eps * self.xsum[j];
                for k in lo..=hi {
                    acc += row[k].eps * self.gram[k * NODES + j];
                }
                self.abar_dual[i * NODES + j] = Dual64::new(self.abar[i * NODES + j], kappa * acc);
            }
        }
        self.dual.reverse(&self.net, &self.w_dual, &self.abar_dual, &self.cbar_dual, &mut self.grad_dual);
        for (o, gd) in hv.iter_mut().zip(&self.grad_dual) {
            *o = gd.eps;
        }
    }
}

/// Precomputed statistics of all training pairs for a fast full-data loss (training curves):
/// with `E = Y - X`, `X~ = [X; 1']` and `P = [A - I, c]`,
/// `L = (tr(P S P') - 2 tr(P T') + ||E||^2) / (31 N)`, `S = X~ X~'` (32 x 32), `T = E X~'`.
///
/// The expansion subtracts quantities of the size of `||E||^2` (the one-step changes, 1e-6 per
/// value for `dt = 1`), not of `||Y||^2`, so a loss of 1e-13 keeps about 6 digits: enough for
/// plots. Use [`dataset_loss_of`] (direct residuals) for reported values. Costs `31 * 32^2` per
/// evaluation instead of `31 * 5 * N`.
#[derive(Clone, Debug)]
pub struct LossStats {
    s: Vec<f64>,
    t: Vec<f64>,
    ee: f64,
    n: usize,
}

const M: usize = NODES + 1;

impl LossStats {
    /// Accumulates the statistics of every training pair of `data`.
    pub fn new(data: &HeatData) -> Self {
        let mut s = vec![0.0; M * M];
        let mut t = vec![0.0; NODES * M];
        let mut ee = 0.0;
        let mut xt = [1.0; M];
        for p in 0..data.n_pairs() {
            let (x, y) = data.pair(p);
            xt[..NODES].copy_from_slice(x);
            for k in 0..M {
                let xk = xt[k];
                for j in k..M {
                    s[k * M + j] += xk * xt[j];
                }
            }
            for i in 0..NODES {
                let e = y[i] - x[i];
                ee += e * e;
                for j in 0..M {
                    t[i * M + j] += e * xt[j];
                }
            }
        }
        for k in 0..M {
            for j in 0..k {
                s[k * M + j] = s[j * M + k];
            }
        }
        Self { s, t, ee, n: data.n_pairs() }
    }

    /// The full training loss of `op`.
    pub fn loss(&self, op: &Operator) -> f64 {
        let mut total = self.ee;
        let mut prow = [0.0; M];
        for i in 0..NODES {
            prow[..NODES].copy_from_slice(&op.a[i * NODES..(i + 1) * NODES]);
            prow[i] -= 1.0;
            prow[NODES] = op.c[i];
            let mut quad = 0.0;
            let mut lin = 0.0;
            for k in 0..M {
                if prow[k] == 0.0 {
                    continue;
                }
                let srow = &self.s[k * M..(k + 1) * M];
                let mut acc = 0.0;
                for j in 0..M {
                    acc += srow[j] * prow[j];
                }
                quad += prow[k] * acc;
                lin += prow[k] * self.t[i * M + k];
            }
            total += quad - 2.0 * lin;
        }
        total / (NODES * self.n.max(1)) as f64
    }
}
