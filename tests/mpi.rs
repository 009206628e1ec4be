//! MPI tests of `trust_region::distributed` (feature `mpi`; `harness = false`).
//!
//! Run as `cargo test --features mpi --test mpi`: the binary is a driver that launches itself
//! under `mpirun --allow-run-as-root --oversubscribe -np N` for each scenario and checks the
//! exit status and that every rank printed `PASS`. Under `mpirun` (Open MPI sets
//! `OMPI_COMM_WORLD_SIZE`) it runs the scenario named by its argument on every rank.
//!
//! Scenarios:
//! - `agree` (1, 2, 3 ranks): Newton (Steihaug with both reductions, GLTR) on a sharded
//!   logistic regression,
//!   Gauss-Newton (CG on the normal equations, More-Sorensen on the reduced `J'J`) on sharded
//!   residuals, Hessian-free training on split mini-batches: the same iterations as the
//!   single-process run on the whole data and `f` within 1e-12 relative (bitwise on one rank),
//!   the same `x` bits on every rank;
//! - `nan` (2, 3): a NaN from the last rank's first trial value: the trial is rejected on every
//!   rank, the run converges, every rank ends at the same point;
//! - `mismatch-n`, `mismatch-options`, `mismatch-start`, `time-limit` (2, 3): typed setup
//!   errors on every rank;
//! - `exit`, `panic` (2): a rank that exits or panics mid-run ends the job (non-zero exit of
//!   `mpirun`, no hang).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use faer::MatMut;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};
use trust_region::distributed::{shard_range, BatchSampler, BatchShard, DenseShard, ResidualShard, ShardedBatchLoss};
use trust_region::distributed::{Reduction, ShardedLeastSquares, ShardedObjective};
use trust_region::solver::hessian_free::{BatchLoss, HessianFree, HessianFreeOptions};
use trust_region::subproblem::{Gltr, MoreSorensen, Steihaug};
use trust_region::{DenseJacobian, HessianProduct, Objective, Residuals, SetupError, TrustRegion};

const LAUNCH: [&str; 2] = ["--allow-run-as-root", "--oversubscribe"];

fn main() {
    if std::env::var_os("OMPI_COMM_WORLD_SIZE").is_some() || std::env::var_os("PMI_SIZE").is_some() {
        let scenario = std::env::args().nth(1).unwrap_or_default();
        rank_main(&scenario);
    } else {
        driver();
    }
}

// ---------------------------------------------------------------- driver (outside mpirun)

struct Outcome {
    success: bool,
    stdout: String,
    stderr: String,
    seconds: f64,
}

fn launch(np: usize, scenario: &str) -> Outcome {
    let exe = std::env::current_exe().expect("test binary path");
    let started = Instant::now();
    let mut child = Command::new("mpirun")
        .args(LAUNCH)
        .args(["-np", &np.to_string()])
        .arg(&exe)
        .arg(scenario)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mpirun not found: the `mpi` feature's tests need Open MPI (Debian: openmpi-bin libopenmpi-dev)");
    let limit = Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for mpirun") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{scenario} on {np} ranks did not end within {limit:?} (a deadlock?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    Outcome { success: status.success(), stdout, stderr, seconds: started.elapsed().as_secs_f64() }
}

fn expect_pass(np: usize, scenario: &str) {
    let out = launch(np, scenario);
    let passes = out.stdout.lines().filter(|l| l.starts_with("PASS")).count();
    assert!(
        out.success && passes == np,
        "{scenario} on {np} ranks: success {}, {passes} of {np} ranks passed\nstdout:\n{}\nstderr:\n{}",
        out.success,
        out.stdout,
        out.stderr
    );
    println!("ok  {scenario:<17} np = {np}  ({:.1} s)", out.seconds);
    for line in out.stdout.lines().filter(|l| l.starts_with("rank 0:")) {
        println!("    {line}");
    }
}

fn expect_abort(np: usize, scenario: &str, needle: &str) {
    let out = launch(np, scenario);
    assert!(!out.success, "{scenario} on {np} ranks should end the job with a failure\nstdout:\n{}", out.stdout);
    assert!(
        out.stderr.contains(needle) || out.stdout.contains(needle),
        "{scenario}: expected {needle:?} in the output\nstdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    println!("ok  {scenario:<17} np = {np}  (job ended in {:.1} s)", out.seconds);
}

fn driver() {
    for np in [1, 2, 3] {
        expect_pass(np, "agree");
    }
    for np in [2, 3] {
        for scenario in ["nan", "mismatch-n", "mismatch-options", "mismatch-start", "time-limit"] {
            expect_pass(np, scenario);
        }
    }
    expect_abort(2, "exit", "exit");
    expect_abort(2, "panic", "injected panic on the last rank");
    println!("mpi: all scenarios passed");
}

// ---------------------------------------------------------------- problems

/// A deterministic number in [-1, 1) from an index.
fn noise(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

const N_LOGISTIC: usize = 3000;
const P_LOGISTIC: usize = 8;

/// Regularized logistic regression over the samples `rows` (the regularization `reg |x|^2 / 2`
/// on one rank only).
struct Logistic {
    a: Vec<f64>,
    y: Vec<f64>,
    reg: f64,
    /// Return NaN from this call of `value` (1-based; 0: never).
    nan_at: usize,
    calls: std::cell::Cell<usize>,
    /// Exit or panic at this call of `value_and_gradient`.
    fault: Option<(&'static str, usize)>,
    gradients: std::cell::Cell<usize>,
}

impl Logistic {
    fn new(rows: std::ops::Range<usize>, with_reg: bool) -> Self {
        let mut a = Vec::new();
        let mut y = Vec::new();
        for i in rows {
            let row: Vec<f64> = (0..P_LOGISTIC).map(|j| noise((i * P_LOGISTIC + j) as u64)).collect();
            let z: f64 = row.iter().enumerate().map(|(j, v)| v * (j as f64 - 3.5)).sum::<f64>()
                + 0.5 * noise(1e9 as u64 + i as u64);
            y.push(if z > 0.0 { 1.0 } else { -1.0 });
            a.extend(row);
        }
        Self {
            a,
            y,
            reg: if with_reg { 1e-2 } else { 0.0 },
            nan_at: 0,
            calls: Default::default(),
            fault: None,
            gradients: Default::default(),
        }
    }
    fn margins(&self, x: &[f64]) -> impl Iterator<Item = (&[f64], f64, f64)> + '_ {
        let x = x.to_vec();
        self.a.chunks_exact(P_LOGISTIC).zip(&self.y).map(move |(row, &y)| {
            let z: f64 = row.iter().zip(&x).map(|(a, b)| a * b).sum();
            (row, y, z)
        })
    }
}

fn softplus(t: f64) -> f64 {
    if t > 0.0 {
        t + (-t).exp().ln_1p()
    } else {
        t.exp().ln_1p()
    }
}

fn sigmoid(t: f64) -> f64 {
    1.0 / (1.0 + (-t).exp())
}

impl Objective for Logistic {
    fn dim(&self) -> usize {
        P_LOGISTIC
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.calls.set(self.calls.get() + 1);
        if self.calls.get() == self.nan_at {
            return f64::NAN;
        }
        let reg = 0.5 * self.reg * x.iter().map(|v| v * v).sum::<f64>();
        self.margins(x).map(|(_, y, z)| softplus(-y * z)).sum::<f64>() + reg
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.gradients.set(self.gradients.get() + 1);
        if let Some((kind, at)) = self.fault {
            if self.gradients.get() == at {
                match kind {
                    "exit" => std::process::exit(3),
                    _ => panic!("injected panic on the last rank"),
                }
            }
        }
        for (gi, xi) in g.iter_mut().zip(x) {
            *gi = self.reg * xi;
        }
        for (row, y, z) in self.margins(x) {
            let c = -y * sigmoid(-y * z);
            for (gi, a) in g.iter_mut().zip(row) {
                *gi += c * a;
            }
        }
    }
}

impl HessianProduct for Logistic {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        for (h, vi) in hv.iter_mut().zip(v) {
            *h = self.reg * vi;
        }
        for (row, _, z) in self.margins(x) {
            let s = sigmoid(z);
            let av: f64 = row.iter().zip(v).map(|(a, b)| a * b).sum();
            for (h, a) in hv.iter_mut().zip(row) {
                *h += s * (1.0 - s) * av * a;
            }
        }
    }
}

const M_FIT: usize = 3001;

/// `y_i = x0 exp(-x1 t_i) + x2` on the rows `rows`, `t` in [0, 5].
struct Decay {
    t: Vec<f64>,
    y: Vec<f64>,
}

impl Decay {
    fn new(rows: std::ops::Range<usize>) -> Self {
        let t: Vec<f64> = rows.clone().map(|i| 5.0 * i as f64 / (M_FIT - 1) as f64).collect();
        let y = rows.zip(&t).map(|(i, t)| 3.0 * (-1.3 * t).exp() + 0.5 + 0.01 * noise(7 * i as u64)).collect();
        Self { t, y }
    }
}

impl Residuals for Decay {
    fn dim(&self) -> usize {
        3
    }
    fn residual_count(&self) -> usize {
        self.t.len()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for ((ri, t), y) in r.iter_mut().zip(&self.t).zip(&self.y) {
            *ri = x[0] * (-x[1] * t).exp() + x[2] - y;
        }
    }
}

impl DenseJacobian for Decay {
    fn jacobian(&self, x: &[f64], mut jac: MatMut<'_, f64>) {
        for (i, t) in self.t.iter().enumerate() {
            let e = (-x[1] * t).exp();
            jac[(i, 0)] = e;
            jac[(i, 1)] = -x[0] * t * e;
            jac[(i, 2)] = 1.0;
        }
    }
}

/// The single-process Gauss-Newton objective of one residual block: the wrapper's arithmetic
/// without the reductions.
struct Plain<P>(std::cell::RefCell<P>, usize);

impl<P: ResidualShard> Objective for Plain<P> {
    fn dim(&self) -> usize {
        self.0.borrow().dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        let mut r = vec![0.0; self.1];
        self.0.borrow_mut().residuals(x, &mut r);
        0.5 * r.iter().map(|v| v * v).sum::<f64>()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.value_and_gradient(x, g);
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut r = vec![0.0; self.1];
        let mut shard = self.0.borrow_mut();
        shard.residuals(x, &mut r);
        shard.jacobian_transpose_product(x, &r, g);
        0.5 * r.iter().map(|v| v * v).sum::<f64>()
    }
}

impl<P: ResidualShard> HessianProduct for Plain<P> {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let mut jv = vec![0.0; self.1];
        let mut shard = self.0.borrow_mut();
        shard.jacobian_product(x, v, &mut jv);
        shard.jacobian_transpose_product(x, &jv, hv);
    }
}

const N_TRAIN: usize = 2000;

/// `l_i(w) = (w0 tanh(w1 t_i + w2) + w3 - y_i)^2 / 2` over the samples of a shard.
struct TanhFit {
    shard: std::ops::Range<usize>,
    sampler: BatchSampler,
    batch: Vec<usize>,
}

impl TanhFit {
    fn new(shard: std::ops::Range<usize>) -> Self {
        Self { shard, sampler: BatchSampler::new(11, N_TRAIN, 64), batch: Vec::new() }
    }
    fn sample(i: usize) -> (f64, f64) {
        let t = -2.0 + 4.0 * i as f64 / N_TRAIN as f64;
        (t, 1.5 * (2.0 * t - 0.3).tanh() + 0.2 + 0.05 * noise(31 * i as u64))
    }
    /// Residual, its gradient, and its Hessian-vector product with `v` (when given).
    fn terms(w: &[f64], i: usize, v: Option<&[f64]>) -> (f64, [f64; 4], [f64; 4]) {
        let (t, y) = Self::sample(i);
        let h = (w[1] * t + w[2]).tanh();
        let h1 = 1.0 - h * h;
        let h2 = -2.0 * h * h1;
        let e = w[0] * h + w[3] - y;
        let d = [h, w[0] * h1 * t, w[0] * h1, 1.0];
        let mut hv = [0.0; 4];
        if let Some(v) = v {
            let dv: f64 = d.iter().zip(v).map(|(a, b)| a * b).sum();
            // Second derivatives of e: e_01 = h1 t, e_02 = h1, e_11 = w0 h2 t^2, e_12 = w0 h2 t, e_22 = w0 h2.
            let s = [
                h1 * t * v[1] + h1 * v[2],
                h1 * t * v[0] + w[0] * h2 * t * t * v[1] + w[0] * h2 * t * v[2],
                h1 * v[0] + w[0] * h2 * t * v[1] + w[0] * h2 * v[2],
                0.0,
            ];
            for k in 0..4 {
                hv[k] = d[k] * dv + e * s[k];
            }
        }
        (e, d, hv)
    }
}

impl BatchShard for TanhFit {
    fn dim(&self) -> usize {
        4
    }
    fn sample_batch(&mut self, iteration: u64) -> usize {
        let mut batch = std::mem::take(&mut self.batch);
        self.sampler.local_batch(iteration, &self.shard, &mut batch);
        self.batch = batch;
        self.batch.len()
    }
    fn loss_sum(&mut self, w: &[f64]) -> f64 {
        self.batch.iter().map(|&i| 0.5 * Self::terms(w, i, None).0.powi(2)).sum()
    }
    fn gradient_sum(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
        g.fill(0.0);
        let mut f = 0.0;
        for &i in &self.batch {
            let (e, d, _) = Self::terms(w, i, None);
            f += 0.5 * e * e;
            for k in 0..4 {
                g[k] += e * d[k];
            }
        }
        f
    }
    fn hessian_product_sum(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]) {
        hv.fill(0.0);
        for &i in &self.batch {
            let (_, _, h) = Self::terms(w, i, Some(v));
            for k in 0..4 {
                hv[k] += h[k];
            }
        }
    }
}

/// The single-process batch loss: the whole data as one shard, means as `sum * (1 / count)`.
struct PlainBatch(TanhFit, f64);

impl BatchLoss for PlainBatch {
    fn dim(&self) -> usize {
        4
    }
    fn sample_batch(&mut self, iteration: u64) {
        self.1 = 1.0 / self.0.sample_batch(iteration) as f64;
    }
    fn loss(&mut self, w: &[f64]) -> f64 {
        self.0.loss_sum(w) * self.1
    }
    fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
        let f = self.0.gradient_sum(w, g);
        for v in g.iter_mut() {
            *v *= self.1;
        }
        f * self.1
    }
    fn hessian_product(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]) {
        self.0.hessian_product_sum(w, v, hv);
        for x in hv.iter_mut() {
            *x *= self.1;
        }
    }
}

// ---------------------------------------------------------------- ranks (inside mpirun)

struct Ctx {
    world: SimpleCommunicator,
    rank: usize,
    size: usize,
    failures: std::cell::RefCell<Vec<String>>,
}

impl Ctx {
    fn check(&self, ok: bool, what: String) {
        if !ok {
            self.failures.borrow_mut().push(what);
        }
    }
    /// Whether every rank holds the same bits of `x`.
    fn same_everywhere(&self, x: &[f64]) -> bool {
        let mut all = vec![0u64; self.size * x.len()];
        let bits: Vec<u64> = x.iter().map(|v| v.to_bits()).collect();
        self.world.all_gather_into(&bits[..], &mut all[..]);
        all.chunks_exact(x.len()).all(|c| c == &bits[..])
    }
    /// Same iterations as the single-process run, `f` within 1e-12 relative (bitwise on one
    /// rank), the same `x` on every rank.
    fn compare(&self, what: &str, iters: (usize, usize), f: (f64, f64), x: &[f64], converged: bool) {
        let rel = (f.0 - f.1).abs() / f.1.abs().max(f64::MIN_POSITIVE);
        if self.rank == 0 {
            println!(
                "rank 0: {what}: {} iterations (single process {}), f = {:.15e}, relative difference {rel:.1e}",
                iters.0, iters.1, f.0
            );
        }
        self.check(iters.0 == iters.1, format!("{what}: {} iterations, single process {}", iters.0, iters.1));
        let tol = if self.size == 1 { 0.0 } else { 1e-12 };
        self.check(rel <= tol, format!("{what}: f = {:e}, single process {:e} (relative {rel:e})", f.0, f.1));
        let same = self.same_everywhere(x);
        self.check(same, format!("{what}: x differs between ranks"));
        self.check(converged, format!("{what}: did not converge"));
    }
}

fn rank_main(scenario: &str) {
    let universe = mpi::initialize().expect("MPI initialization");
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let ctx = Ctx { world, rank, size, failures: Default::default() };
    match scenario {
        "agree" => agree(&ctx),
        "nan" => nan(&ctx),
        "mismatch-n" | "mismatch-options" | "mismatch-start" | "time-limit" => setup_error(&ctx, scenario),
        "exit" => fault(&ctx, "exit"),
        "panic" => fault(&ctx, "panic"),
        other => ctx.check(false, format!("unknown scenario {other:?}")),
    }
    let failures = ctx.failures.borrow().clone();
    if failures.is_empty() {
        println!("PASS {scenario} rank {rank}");
    } else {
        for f in &failures {
            println!("FAIL rank {rank}: {f}");
        }
    }
    drop(ctx);
    drop(universe);
    if !failures.is_empty() {
        std::process::exit(1);
    }
}

fn agree(ctx: &Ctx) {
    let (rank, size) = (ctx.rank, ctx.size);
    let x0 = vec![0.0; P_LOGISTIC];

    // Newton on the sharded logistic regression.
    let full = Logistic::new(0..N_LOGISTIC, true);
    let sharded =
        ShardedObjective::new(&ctx.world, Logistic::new(shard_range(N_LOGISTIC, rank, size), rank == 0)).unwrap();
    let reference = TrustRegion::new(Steihaug::new()).minimize(&full, &x0).unwrap();
    let before = sharded.communication();
    let report = sharded.minimize(&mut TrustRegion::new(Steihaug::new()), &x0).unwrap();
    let comm = sharded.communication();
    ctx.compare(
        "newton-steihaug",
        (report.iterations, reference.iterations),
        (report.f, reference.f),
        &report.x,
        report.converged(),
    );
    if rank == 0 {
        println!(
            "rank 0: newton-steihaug: {} reductions, {} bytes reduced per rank",
            comm.reductions - before.reductions,
            comm.bytes_reduced - before.bytes_reduced
        );
    }
    // The same with MPI_Reduce + MPI_Bcast in place of the ordered gather.
    let local = Logistic::new(shard_range(N_LOGISTIC, rank, size), rank == 0);
    let reduced = ShardedObjective::new(&ctx.world, local).unwrap().with_reduction(Reduction::ReduceBroadcast);
    let report = reduced.minimize(&mut TrustRegion::new(Steihaug::new()), &x0).unwrap();
    ctx.compare(
        "newton-reduce-bcast",
        (report.iterations, reference.iterations),
        (report.f, reference.f),
        &report.x,
        report.converged(),
    );
    let reference = TrustRegion::new(Gltr::new()).minimize(&full, &x0).unwrap();
    let report = sharded.minimize(&mut TrustRegion::new(Gltr::new()), &x0).unwrap();
    ctx.compare(
        "newton-gltr",
        (report.iterations, reference.iterations),
        (report.f, reference.f),
        &report.x,
        report.converged(),
    );

    // Gauss-Newton on sharded residual blocks.
    let x0 = [1.0, 0.1, 0.0];
    let local = DenseShard::new(Decay::new(shard_range(M_FIT, rank, size)));
    let m_local = local.residual_count();
    let problem = ShardedLeastSquares::new(&ctx.world, local).unwrap();
    ctx.check(
        problem.residual_count() == M_FIT as u64,
        format!("{} residuals in all, expected {M_FIT}", problem.residual_count()),
    );
    let plain = Plain(std::cell::RefCell::new(DenseShard::new(Decay::new(0..M_FIT))), M_FIT);
    let reference = TrustRegion::new(Steihaug::new()).minimize(&plain, &x0).unwrap();
    let report = problem.minimize(&mut TrustRegion::new(Steihaug::new()), &x0).unwrap();
    ctx.compare(
        "gauss-newton-cg",
        (report.iterations, reference.iterations),
        (report.f, reference.f),
        &report.x,
        report.converged(),
    );
    ctx.check(
        (report.x[1] - 1.3).abs() < 1e-2,
        format!("gauss-newton-cg: decay rate {} (data made with 1.3)", report.x[1]),
    );
    // The library's own single-process Gauss-Newton model on the whole data fits the same.
    let whole = Decay::new(0..M_FIT);
    let gn = TrustRegion::new(Steihaug::new()).solve(trust_region::GaussNewton::dense(&whole), &x0).unwrap();
    ctx.check(
        (gn.f - report.f).abs() <= 1e-10 * gn.f,
        format!("gauss-newton-cg: f = {:e}, GaussNewton::dense {:e}", report.f, gn.f),
    );
    let reference =
        TrustRegion::new(MoreSorensen::new()).solve(trust_region::Newton::dense(&DenseGn(&plain)), &x0).unwrap();
    let report = problem.minimize_dense(&mut TrustRegion::new(MoreSorensen::new()), &x0).unwrap();
    ctx.compare(
        "gauss-newton-exact",
        (report.iterations, reference.iterations),
        (report.f, reference.f),
        &report.x,
        report.converged(),
    );
    let _ = m_local;

    // Hessian-free training on split mini-batches.
    let mut options = HessianFreeOptions::default();
    options.limits.max_iterations = 40;
    let w0 = [1.0, 1.0, 0.0, 0.0];
    let mut plain = PlainBatch(TanhFit::new(0..N_TRAIN), f64::NAN);
    let reference = HessianFree::new().with_options(options.clone()).train(&mut plain, &w0).unwrap();
    let mut loss = ShardedBatchLoss::new(&ctx.world, TanhFit::new(shard_range(N_TRAIN, rank, size))).unwrap();
    let report = loss.train(&mut HessianFree::new().with_options(options), &w0).unwrap();
    let comm = loss.communication();
    ctx.compare(
        "hessian-free",
        (report.accepted_steps, reference.accepted_steps),
        (report.f, reference.f),
        &report.x,
        true,
    );
    ctx.check(report.iterations == reference.iterations, "hessian-free: iterations differ".into());
    ctx.check(report.f < 0.01, format!("hessian-free: batch loss {:e} after 40 iterations", report.f));
    if rank == 0 {
        println!("rank 0: hessian-free: {} reductions, {} bytes reduced per rank", comm.reductions, comm.bytes_reduced);
    }
}

/// The dense Gauss-Newton matrix of [`Plain`] for the single-process exact-step reference,
/// formed column by column the way the sharded wrapper forms it.
struct DenseGn<'a, P>(&'a Plain<P>);

impl<P: ResidualShard> Objective for DenseGn<'_, P> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.0.value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.0.gradient(x, g)
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        self.0.value_and_gradient(x, g)
    }
}

impl<P: ResidualShard> trust_region::DenseHessian for DenseGn<'_, P> {
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        let n = self.dim();
        let mut e = vec![0.0; n];
        let mut col = vec![0.0; n];
        for j in 0..n {
            e[j] = 1.0;
            self.0.hessian_product(x, &e, &mut col);
            e[j] = 0.0;
            for i in 0..n {
                hess[(i, j)] = col[i];
            }
        }
        for j in 0..n {
            for i in 0..j {
                let v = 0.5 * (hess[(i, j)] + hess[(j, i)]);
                hess[(i, j)] = v;
                hess[(j, i)] = v;
            }
        }
    }
}

fn nan(ctx: &Ctx) {
    let (rank, size) = (ctx.rank, ctx.size);
    let x0 = vec![0.0; P_LOGISTIC];
    let clean =
        ShardedObjective::new(&ctx.world, Logistic::new(shard_range(N_LOGISTIC, rank, size), rank == 0)).unwrap();
    let clean = clean.minimize(&mut TrustRegion::new(Steihaug::new()), &x0).unwrap();
    let mut local = Logistic::new(shard_range(N_LOGISTIC, rank, size), rank == 0);
    if rank == size - 1 {
        local.nan_at = 2; // call 1 is the start point, call 2 the first trial
    }
    let problem = ShardedObjective::new(&ctx.world, local).unwrap();
    let report = problem.minimize(&mut TrustRegion::new(Steihaug::new()), &x0).unwrap();
    let rejected = |r: &trust_region::Report| r.iterations - r.accepted_steps;
    if rank == 0 {
        println!(
            "rank 0: nan: {} rejected steps ({} without the NaN), converged {}",
            rejected(&report),
            rejected(&clean),
            report.converged()
        );
    }
    ctx.check(report.converged(), format!("nan: ended with {:?}", report.termination));
    ctx.check(rejected(&report) > rejected(&clean), "nan: the NaN trial was not rejected".into());
    let same = ctx.same_everywhere(&report.x);
    ctx.check(same, "nan: x differs between ranks".into());
}

fn setup_error(ctx: &Ctx, scenario: &str) {
    let (rank, size) = (ctx.rank, ctx.size);
    let last = rank == size - 1;
    let mut x0 = vec![0.0; P_LOGISTIC];
    let mut solver = TrustRegion::new(Steihaug::new());
    let result = match scenario {
        "mismatch-n" => {
            // The last rank's part has an extra variable.
            struct Wider(Logistic);
            impl Objective for Wider {
                fn dim(&self) -> usize {
                    P_LOGISTIC + 1
                }
                fn value(&self, x: &[f64]) -> f64 {
                    self.0.value(&x[..P_LOGISTIC])
                }
                fn gradient(&self, x: &[f64], g: &mut [f64]) {
                    self.0.gradient(&x[..P_LOGISTIC], &mut g[..P_LOGISTIC]);
                    g[P_LOGISTIC] = 0.0;
                }
            }
            let local = Logistic::new(shard_range(N_LOGISTIC, rank, size), rank == 0);
            if last {
                ShardedObjective::new(&ctx.world, Wider(local)).map(|_| ())
            } else {
                ShardedObjective::new(&ctx.world, local).map(|_| ())
            }
        }
        _ => {
            match scenario {
                "mismatch-options" if last => solver.options.tolerances.gtol = 1e-9,
                "mismatch-start" if last => x0[3] = 1e-300,
                "time-limit" => solver.options.limits.max_time = Some(Duration::from_secs(60)),
                _ => {}
            }
            let problem =
                ShardedObjective::new(&ctx.world, Logistic::new(shard_range(N_LOGISTIC, rank, size), rank == 0))
                    .unwrap();
            problem.minimize(&mut solver, &x0).map(|_| ())
        }
    };
    let expected = match scenario {
        "mismatch-n" => "number of variables",
        "mismatch-options" => "options",
        "mismatch-start" => "start point",
        _ => "limits.max_time",
    };
    match &result {
        Err(SetupError::RankMismatch { what, rank: bad, .. }) => {
            ctx.check(*what == expected && *bad == size - 1, format!("{scenario}: {:?}", result))
        }
        Err(SetupError::InvalidOption { name, .. }) => {
            ctx.check(*name == expected, format!("{scenario}: {:?}", result))
        }
        other => ctx.check(false, format!("{scenario}: expected an error on {expected}, got {other:?}")),
    }
    if rank == 0 {
        println!("rank 0: {scenario}: {}", result.unwrap_err());
    }
}

fn fault(ctx: &Ctx, scenario: &'static str) {
    let (rank, size) = (ctx.rank, ctx.size);
    let mut local = Logistic::new(shard_range(N_LOGISTIC, rank, size), rank == 0);
    if rank == size - 1 {
        local.fault = Some((scenario, 3));
    }
    let problem = ShardedObjective::new(&ctx.world, local).unwrap();
    let _ = problem.minimize(&mut TrustRegion::new(Steihaug::new()), &[0.0; P_LOGISTIC]);
    // Not reached on any rank: the faulty rank ends the job during the run.
    println!("the run ended normally although a rank failed");
}
