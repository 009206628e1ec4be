//! A least-squares fit of four parameters to `10^7` synthetic observations split over MPI ranks
//! (feature `mpi`).
//!
//! Model: `y(t) = x0 exp(-x1 t) + x2 sin(x3 t)`, observed at `t_i = 10 i / m` with
//! deterministic noise. Rank `k` generates and holds only its block of observations
//! (`shard_range`); the Gauss-Newton trust region runs on every rank with the reduced `J'J`
//! products (CG on the normal equations, `--solver cg`) or the reduced `4 x 4` matrix `J'J`
//! (More-Sorensen, `--solver exact`). Rank 0 prints the parameters, the iterations, the time per
//! iteration and the bytes each rank contributed to the reductions; with `--compare` it then
//! fits the whole data alone with the library's single-process Gauss-Newton model
//! (`GaussNewton::dense`) and prints the largest relative difference of the parameters.
//!
//! ```sh
//! cargo build --release --features mpi --example mpi_least_squares
//! mpirun -np 2 target/release/examples/mpi_least_squares --compare
//! mpirun --hostfile hosts -np 16 target/release/examples/mpi_least_squares   # a cluster
//! ```

use std::time::Instant;

use clap::Parser;
use faer::MatMut;
use mpi::traits::Communicator;
use trust_region::distributed::{shard_range, DenseShard, ShardedLeastSquares};
use trust_region::subproblem::{MoreSorensen, Steihaug};
use trust_region::{DenseJacobian, GaussNewton, Residuals, TrustRegion, TrustRegionOptions};

/// Fit `x0 exp(-x1 t) + x2 sin(x3 t)` to observations sharded over the MPI ranks.
#[derive(Parser, Debug)]
struct Args {
    /// Number of observations in all.
    #[arg(long, default_value_t = 10_000_000)]
    observations: usize,
    /// Step solver: `cg` (Steihaug CG on the reduced J'J products) or `exact` (More-Sorensen on
    /// the reduced 4 x 4 J'J).
    #[arg(long, default_value = "cg")]
    solver: String,
    /// Also fit the whole data on rank 0 alone and compare.
    #[arg(long)]
    compare: bool,
}

/// The true parameters of the synthetic data.
const TRUE: [f64; 4] = [2.0, 0.3, 0.5, 3.0];

/// This rank's observations.
struct Block {
    t: Vec<f64>,
    y: Vec<f64>,
}

impl Block {
    fn new(rows: std::ops::Range<usize>, m: usize) -> Self {
        let t: Vec<f64> = rows.clone().map(|i| 10.0 * i as f64 / m as f64).collect();
        let y = rows.zip(&t).map(|(i, &t)| model(&TRUE, t) + 0.05 * noise(i as u64)).collect();
        Self { t, y }
    }
}

fn model(x: &[f64], t: f64) -> f64 {
    x[0] * (-x[1] * t).exp() + x[2] * (x[3] * t).sin()
}

/// Deterministic noise in [-1, 1) from the observation's index (SplitMix64 finalizer), so the
/// data do not depend on the number of ranks.
fn noise(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

impl Residuals for Block {
    fn dim(&self) -> usize {
        4
    }
    fn residual_count(&self) -> usize {
        self.t.len()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for ((ri, &t), y) in r.iter_mut().zip(&self.t).zip(&self.y) {
            *ri = model(x, t) - y;
        }
    }
}

impl DenseJacobian for Block {
    fn jacobian(&self, x: &[f64], mut jac: MatMut<'_, f64>) {
        for (i, &t) in self.t.iter().enumerate() {
            let e = (-x[1] * t).exp();
            jac[(i, 0)] = e;
            jac[(i, 1)] = -x[0] * t * e;
            jac[(i, 2)] = (x[3] * t).sin();
            jac[(i, 3)] = x[2] * t * (x[3] * t).cos();
        }
    }
}

fn main() {
    let args = Args::parse();
    let universe = mpi::initialize().expect("MPI could not be initialized");
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let m = args.observations;
    let x0 = [1.0, 0.1, 1.0, 2.9];

    let block = Block::new(shard_range(m, rank, size), m);
    let problem = ShardedLeastSquares::new(&world, DenseShard::new(block)).unwrap_or_else(|e| {
        eprintln!("rank {rank}: {e}");
        std::process::exit(2)
    });
    // A gradient of 10^7 terms cannot be made small in absolute terms: near the minimizer the
    // remaining decrease of f sinks below f's rounding error, so stop relative to the start's
    // gradient instead (the same test on every rank and in the single-process comparison).
    let mut options = TrustRegionOptions::default();
    options.tolerances.gtol = 0.0;
    options.tolerances.grtol = 1e-9;
    let started = Instant::now();
    let report = match args.solver.as_str() {
        "exact" => {
            problem.minimize_dense(&mut TrustRegion::new(MoreSorensen::new()).with_options(options.clone()), &x0)
        }
        _ => problem.minimize(&mut TrustRegion::new(Steihaug::new()).with_options(options.clone()), &x0),
    }
    .unwrap_or_else(|e| {
        eprintln!("rank {rank}: {e}");
        std::process::exit(2)
    });
    let seconds = started.elapsed().as_secs_f64();
    let comm = problem.communication();
    if rank == 0 {
        println!("{} observations on {size} rank(s), solver {}", m, args.solver);
        println!("termination: {:?}, {} iterations, f = {:.12e}", report.termination, report.iterations, report.f);
        println!("parameters: {:?} (true {:?})", report.x, TRUE);
        println!(
            "time: {seconds:.3} s, {:.4} s per iteration; {} reductions, {} bytes reduced per rank ({:.0} per iteration)",
            seconds / report.iterations.max(1) as f64,
            comm.reductions,
            comm.bytes_reduced,
            comm.bytes_reduced as f64 / report.iterations.max(1) as f64
        );
    }
    if args.compare && rank == 0 {
        let whole = Block::new(0..m, m);
        let single = match args.solver.as_str() {
            "exact" => {
                TrustRegion::new(MoreSorensen::new()).with_options(options).solve(GaussNewton::dense(&whole), &x0)
            }
            _ => TrustRegion::new(Steihaug::new()).with_options(options).solve(GaussNewton::dense(&whole), &x0),
        }
        .expect("single-process fit");
        let diff = report.x.iter().zip(&single.x).map(|(a, b)| ((a - b) / b).abs()).fold(0.0, f64::max);
        println!("single process (GaussNewton::dense): {} iterations, parameters {:?}", single.iterations, single.x);
        println!("largest relative difference of the parameters: {diff:.1e}");
    }
}
