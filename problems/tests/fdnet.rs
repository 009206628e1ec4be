//! FDNet: the operator against a literal evaluation of the network, exact gradient and
//! Hessian-vector products against finite differences, data invariants, Forward Euler against
//! the reference's numbers, a short training run, and determinism.

use std::sync::OnceLock;

use trust_region::solver::hessian_free::{BatchLoss, HessianFree, HessianFreeOptions};
use trust_region_problems::fdnet::adam::{adam, AdamOptions};
use trust_region_problems::fdnet::data::{Case, HeatData, DX, NODES, SHIFT};
use trust_region_problems::fdnet::euler::{euler_operator, REFERENCE_CODE_DX};
use trust_region_problems::fdnet::loss::{dataset_loss_of, FdNetLoss, LossStats};
use trust_region_problems::fdnet::metrics::rollout;
use trust_region_problems::fdnet::net::{FdNet, Operator, PHI_COLS};
use trust_region_problems::subproblems::SplitMix64;

fn data(case: Case) -> &'static HeatData {
    static STABLE: OnceLock<HeatData> = OnceLock::new();
    static UNSTABLE: OnceLock<HeatData> = OnceLock::new();
    static FORCING: OnceLock<HeatData> = OnceLock::new();
    static NOISY: OnceLock<HeatData> = OnceLock::new();
    let cell = match case {
        Case::Stable => &STABLE,
        Case::Unstable => &UNSTABLE,
        Case::Forcing => &FORCING,
        Case::Noisy => &NOISY,
    };
    cell.get_or_init(|| HeatData::generate(case, 0))
}

/// The network evaluated literally from the spec's formulas, one sample at a time.
fn literal_step(net: &FdNet, w: &[f64], v: &[f64]) -> Vec<f64> {
    let lay = net.layout();
    let nf = net.filters;
    let n = NODES;
    let mut v = v.to_vec();
    for _ in 0..net.blocks {
        let mut a = vec![vec![0.0; n]; nf];
        for f in 0..nf {
            for j in 1..n - 1 {
                a[f][j] = (0..3).map(|t| w[lay.w1 + 3 * f + t] * v[j - 1 + t]).sum();
            }
            a[f][0] = w[lay.l1 + 2 * f] * v[0] + w[lay.l1 + 2 * f + 1] * v[1];
            a[f][n - 1] = w[lay.r1 + 2 * f] * v[n - 2] + w[lay.r1 + 2 * f + 1] * v[n - 1];
        }
        let mut b = vec![vec![0.0; n]; nf];
        for g in 0..nf {
            for f in 0..nf {
                let gf = g * nf + f;
                for j in 1..n - 1 {
                    b[g][j] += (0..3).map(|t| w[lay.w2 + 3 * gf + t] * a[f][j - 1 + t]).sum::<f64>();
                }
                b[g][0] += w[lay.l2 + 2 * gf] * a[f][0] + w[lay.l2 + 2 * gf + 1] * a[f][1];
                b[g][n - 1] += w[lay.r2 + 2 * gf] * a[f][n - 2] + w[lay.r2 + 2 * gf + 1] * a[f][n - 1];
            }
        }
        let mut out = v.clone();
        for j in 0..n {
            for f in 0..nf {
                out[j] += w[lay.ta + f] * a[f][j] + w[lay.tb + f] * b[f][j];
            }
            if net.forcing {
                for k in 0..PHI_COLS {
                    out[j] += w[lay.psi + k] * w[lay.phi + j * PHI_COLS + k];
                }
            }
        }
        v = out;
    }
    v
}

fn random_vec(n: usize, seed: u64, scale: f64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    (0..n).map(|_| scale * rng.normal()).collect()
}

#[test]
fn parameter_counts_match_the_spec() {
    assert_eq!(FdNet::new(16, 1, false).num_params(), 1936);
    assert_eq!(FdNet::new(16, 1, true).num_params(), 2256);
    assert_eq!(FdNet::for_case(Case::Unstable, 16).num_params(), 1936);
    let w = FdNet::new(16, 1, false).init(3);
    assert!(w.iter().all(|x| x.abs() <= 1.0 / 2f64.sqrt()));
    // The forcing weights start small (net.rs explains why); the others do not depend on it.
    let forcing = FdNet::new(16, 1, true);
    let (small, plain) = (forcing.init(3), forcing.init_scaled(3, 1.0));
    let lay = forcing.layout();
    assert_eq!(small[..lay.phi], plain[..lay.phi]);
    assert!(small[lay.phi..].iter().all(|x| x.abs() <= 1e-2 / 10f64.sqrt()));
    assert_eq!(w, FdNet::new(16, 1, false).init(3));
    assert_ne!(w, FdNet::new(16, 1, false).init(4));
}

#[test]
fn operator_equals_the_literal_network() {
    for (net, seed) in [(FdNet::new(4, 1, false), 1), (FdNet::new(3, 3, true), 2), (FdNet::new(2, 10, false), 3)] {
        let w = net.init(seed);
        let op = net.operator(&w);
        let v = random_vec(NODES, 10 + seed, 1.0);
        let mut out = vec![0.0; NODES];
        op.apply(&v, &mut out);
        let lit = literal_step(&net, &w, &v);
        let scale = lit.iter().fold(1.0f64, |m, x| m.max(x.abs()));
        for j in 0..NODES {
            assert!((out[j] - lit[j]).abs() <= 1e-12 * scale, "{net:?} node {j}: {} vs {}", out[j], lit[j]);
        }
    }
}

/// Loss with a fixed batch of the given data.
fn loss_on<'d>(net: FdNet, data: &'d HeatData, batch: &[usize]) -> FdNetLoss<'d> {
    let mut l = FdNetLoss::new(net, data, batch.len(), 0);
    l.set_batch(batch);
    l
}

fn check_derivatives(net: FdNet, case: Case, seed: u64) {
    let d = data(case);
    let batch: Vec<usize> = (0..6).map(|k| (k * 7919 + 13) % d.n_pairs()).collect();
    let mut l = loss_on(net, d, &batch);
    let n = net.num_params();
    // The plain initialization rule, so that the forcing weights are not tiny.
    let w = net.init_scaled(seed, 1.0);
    let mut g = vec![0.0; n];
    let f = l.gradient(&w, &mut g);
    assert!(f.is_finite() && f > 0.0);
    assert!((f - l.loss(&w)).abs() <= 1e-14 * f);

    // Directional derivatives by central differences (the loss is a polynomial of degree
    // 6 fb in w: the O(h^2) error is small at h = 1e-5).
    let h = 1e-5;
    let mut wp = w.clone();
    let mut wm = w.clone();
    for trial in 0..4 {
        let dir = random_vec(n, 100 * seed + trial, 1.0);
        for i in 0..n {
            wp[i] = w[i] + h * dir[i];
            wm[i] = w[i] - h * dir[i];
        }
        let fd = (l.loss(&wp) - l.loss(&wm)) / (2.0 * h);
        let an: f64 = g.iter().zip(&dir).map(|(a, b)| a * b).sum();
        assert!((fd - an).abs() <= 1e-6 * an.abs().max(f), "{net:?} gradient: fd {fd} vs {an}");

        // H v against central differences of the gradient.
        let mut hv = vec![0.0; n];
        l.gradient(&w, &mut g);
        l.hessian_product(&w, &dir, &mut hv);
        let (mut gp, mut gm) = (vec![0.0; n], vec![0.0; n]);
        l.gradient(&wp, &mut gp);
        l.gradient(&wm, &mut gm);
        let scale = hv.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for i in 0..n {
            let fdi = (gp[i] - gm[i]) / (2.0 * h);
            assert!((fdi - hv[i]).abs() <= 1e-6 * scale, "{net:?} Hv[{i}]: fd {fdi} vs {}", hv[i]);
        }
    }
    // Symmetry u'Hv = v'Hu, and the product at a point not seen by `gradient` (cache miss).
    let (u, v) = (random_vec(n, 7, 1.0), random_vec(n, 8, 1.0));
    let (mut hu, mut hv) = (vec![0.0; n], vec![0.0; n]);
    let w2: Vec<f64> = w.iter().map(|x| x * 0.9).collect();
    l.hessian_product(&w2, &u, &mut hu);
    l.hessian_product(&w2, &v, &mut hv);
    let uhv: f64 = u.iter().zip(&hv).map(|(a, b)| a * b).sum();
    let vhu: f64 = v.iter().zip(&hu).map(|(a, b)| a * b).sum();
    assert!((uhv - vhu).abs() <= 1e-10 * uhv.abs().max(vhu.abs()), "{net:?} symmetry {uhv} vs {vhu}");
}

#[test]
fn gradient_and_hessian_products_match_finite_differences() {
    check_derivatives(FdNet::new(3, 1, false), Case::Stable, 1);
    check_derivatives(FdNet::new(2, 1, true), Case::Forcing, 2);
    check_derivatives(FdNet::new(2, 3, true), Case::Forcing, 3);
    check_derivatives(FdNet::new(2, 10, false), Case::Unstable, 4);
}

#[test]
fn data_invariants() {
    for case in [Case::Stable, Case::Unstable, Case::Forcing] {
        let d = data(case);
        assert_eq!((d.n_train(), d.n_test()), (150, 50));
        assert_eq!(d.steps, case.steps());
        let mut ids: Vec<usize> = d.train_ids.iter().chain(&d.test_ids).copied().collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..200).collect::<Vec<_>>());
        for p in [0, d.n_pairs() / 2, d.n_pairs() - 1] {
            let (x, y) = d.pair(p);
            assert_eq!((x[0], x[NODES - 1], y[0], y[NODES - 1]), (SHIFT, SHIFT, SHIFT, SHIFT));
        }
    }
    assert_eq!(data(Case::Stable).n_pairs(), 150_000);
    assert_eq!(data(Case::Unstable).n_pairs(), 750);
    // The unstable case holds every 200th snapshot of the same trajectories.
    let (s, u) = (data(Case::Stable), data(Case::Unstable));
    assert_eq!(s.train_ids, u.train_ids);
    assert_eq!(s.test_state(3, 400), u.test_state(3, 2));
    // Noise is relative (1e-4 |u|) and the data are otherwise those of the stable case.
    let noisy = data(Case::Noisy);
    assert_eq!(noisy.test_ids, s.test_ids);
    for (a, b) in noisy.test.iter().zip(&s.test).take(50_000) {
        assert!((a - b).abs() <= 6e-4 * (b - SHIFT).abs() + 1e-300);
    }
    assert_ne!(noisy.test, s.test);
    // Forcing: a shared g, zero at the ends; the state tends to the steady profile.
    let fo = data(Case::Forcing);
    let g = fo.forcing.as_ref().unwrap();
    assert_eq!((g[0], g[NODES - 1]), (0.0, 0.0));
    assert!(g.iter().any(|x| x.abs() > 0.1));
    // Same seed, same data.
    assert_eq!(HeatData::generate(Case::Unstable, 0).train, u.train);
    assert_ne!(HeatData::generate(Case::Unstable, 1).train, u.train);
}

#[test]
fn exact_solution_satisfies_the_pde() {
    // u is a sum of sine modes 1..10, which the discrete sine transform on the 31-node grid
    // recovers exactly: a_i = (2/30) sum_j u_j sin(i x_j), u_xx = -sum_i i^2 a_i sin(i x).
    // Then u_t (central difference in time, error ~ dt^2 u_ttt / 6 < 1e-7) = alpha (u_xx + g).
    for case in [Case::Stable, Case::Forcing] {
        let d = data(case);
        let g = d.forcing.clone().unwrap_or_else(|| vec![0.0; NODES]);
        let (s, k) = (5, 300);
        let (um, u0, up) = (d.test_state(s, k - 1), d.test_state(s, k), d.test_state(s, k + 1));
        let amp: Vec<f64> = (1..=10)
            .map(|i| (1..NODES - 1).map(|j| (u0[j] - SHIFT) * (i as f64 * j as f64 * DX).sin()).sum::<f64>() / 15.0)
            .collect();
        for j in 1..NODES - 1 {
            let ut = (up[j] - um[j]) / 2.0;
            let uxx: f64 = (1..=10).map(|i| -((i * i) as f64) * amp[i - 1] * (i as f64 * j as f64 * DX).sin()).sum();
            let rhs = (uxx + g[j]) / 5000.0;
            assert!((ut - rhs).abs() <= 1e-7, "{case:?} node {j}: u_t {ut} vs {rhs}");
        }
    }
}

#[test]
fn forward_euler_reproduces_the_reference() {
    let st = rollout(&euler_operator(data(Case::Stable), DX), data(Case::Stable));
    assert!(st.full > 2e-8 && st.full < 1.5e-7, "stable Euler {:e} (reference 5.6e-8)", st.full);
    assert!(!st.diverged);
    let fo = rollout(&euler_operator(data(Case::Forcing), DX), data(Case::Forcing));
    assert!(fo.full > 1e-6 && fo.full < 1.5e-5, "forcing Euler {:e} (reference 3.9e-6)", fo.full);
    let un = rollout(&euler_operator(data(Case::Unstable), DX), data(Case::Unstable));
    assert!(un.diverged && un.full > 10.0, "unstable Euler {:e} (reference 70)", un.full);
    // The reference code's dx = 0.1 is a different (worse) scheme on this grid.
    let wrong = rollout(&euler_operator(data(Case::Stable), REFERENCE_CODE_DX), data(Case::Stable));
    assert!(wrong.full > st.full);
    assert_eq!(st.horizon.len(), 1000);
    assert_eq!(un.horizon.len(), 5);
    // Divergence: worse than predicting u = 0 at t = 1000.
    assert!(st.zero_mse > 1e-3 && st.zero_mse < 1e-1, "{:e}", st.zero_mse);
    let mut a = vec![0.0; NODES * NODES];
    (0..NODES).for_each(|i| a[i * NODES + i] = 1.01);
    let growing = Operator { a, c: vec![0.0; NODES], half_band: 0 };
    assert!(rollout(&growing, data(Case::Stable)).diverged);
}

#[test]
fn loss_statistics_match_direct_evaluation() {
    for case in [Case::Unstable, Case::Forcing] {
        let d = data(case);
        let stats = LossStats::new(d);
        let net = FdNet::for_case(case, 4);
        let op = net.operator(&net.init(9));
        let (a, b) = (stats.loss(&op), dataset_loss_of(&op, d));
        assert!((a - b).abs() <= 1e-10 * b, "{case:?}: {a} vs {b}");
        let fe = euler_operator(d, DX);
        let (a, b) = (stats.loss(&fe), dataset_loss_of(&fe, d));
        assert!((a - b).abs() <= 1e-5 * b, "{case:?} Euler: {a} vs {b}");
    }
}

#[test]
fn batches_are_seeded_and_distinct() {
    let d = data(Case::Unstable);
    let net = FdNet::for_case(Case::Unstable, 2);
    let mut a = FdNetLoss::new(net, d, 64, 5);
    let mut b = FdNetLoss::new(net, d, 64, 5);
    a.sample_batch(3);
    b.sample_batch(3);
    assert_eq!(a.batch(), b.batch());
    let mut sorted = a.batch().to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 64);
    b.sample_batch(4);
    assert_ne!(a.batch(), b.batch());
}

#[test]
fn short_training_decreases_the_loss_and_is_deterministic() {
    let d = data(Case::Stable);
    let net = FdNet::for_case(Case::Stable, 4);
    let w0 = net.init(1);
    let train = || {
        let mut loss = FdNetLoss::new(net, d, 64, 1);
        let mut opts = HessianFreeOptions::default();
        opts.limits.max_iterations = 25;
        HessianFree::new().with_options(opts).train(&mut loss, &w0).unwrap()
    };
    let r1 = train();
    let l0 = FdNetLoss::dataset_loss(&net, &w0, d);
    let l1 = FdNetLoss::dataset_loss(&net, &r1.x, d);
    assert!(l1 < 1e-4 * l0, "full training loss {l0:e} -> {l1:e}");
    assert!(r1.accepted_steps > 5);
    let r2 = train();
    assert_eq!(r1.x, r2.x);
    assert_eq!(r1.evaluations, r2.evaluations);

    let mut loss = FdNetLoss::new(net, d, 64, 1);
    let opts = AdamOptions { iterations: 200, ..AdamOptions::default() };
    let ad = adam(&mut loss, &w0, &opts, |_, _, _| std::ops::ControlFlow::Continue(()));
    assert_eq!(ad.iterations, 200);
    assert!(!ad.diverged);
    assert!(FdNetLoss::dataset_loss(&net, &ad.w, d) < l0);
}
