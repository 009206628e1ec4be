//! f(x0) of the large scalable CUTEst problems (the second half of the spec list, BDQRTIC to
//! WOODS) at their listed sizes, against values derived by hand from the SIF formulas (closed
//! forms where the start point makes the sums collapse, otherwise a direct evaluation of the
//! SIF formula written independently of the element decomposition).

use std::f64::consts::E;

use trust_region_problems::cutest;

/// `sum_{k=1}^{m} k^4`.
fn sum_k4(m: f64) -> f64 {
    m * (m + 1.0) * (2.0 * m + 1.0) * (3.0 * m * m + 3.0 * m - 1.0) / 30.0
}

/// `sum_{i=1}^{m} (i / n)^k` for `k` in 0..=2.
fn sum_ratio_pow(m: usize, n: usize, k: i32) -> f64 {
    let (m, n) = (m as f64, n as f64);
    match k {
        0 => m,
        1 => m * (m + 1.0) / (2.0 * n),
        2 => m * (m + 1.0) * (2.0 * m + 1.0) / (6.0 * n * n),
        _ => unreachable!(),
    }
}

/// DIXMAAN* at x = 2: `1 + 4 alpha S1 + 144 beta S2 + 64 gamma S3 + 4 delta S4`.
fn dixmaan_x0(n: usize, coef: [f64; 4], k: [i32; 4]) -> f64 {
    let m = n / 3;
    1.0 + 4.0 * coef[0] * sum_ratio_pow(n, n, k[0])
        + 144.0 * coef[1] * sum_ratio_pow(n - 1, n, k[1])
        + 64.0 * coef[2] * sum_ratio_pow(2 * m, n, k[2])
        + 4.0 * coef[3] * sum_ratio_pow(m, n, k[3])
}

/// CURLY10 at x0_i = 1e-4 i / (n + 1), directly from the SIF groups.
fn curly10_x0(n: usize) -> f64 {
    let x: Vec<f64> = (1..=n).map(|i| 0.0001 * i as f64 / (n + 1) as f64).collect();
    (0..n)
        .map(|i| {
            let q: f64 = x[i..(i + 11).min(n)].iter().sum();
            q.powi(4) - 20.0 * q * q - 0.1 * q
        })
        .sum()
}

/// NONCVXUN at x0_i = i, directly from the SIF groups (1-based index arithmetic).
fn noncvxun_x0(n: usize) -> f64 {
    (1..=n)
        .map(|i| {
            let j = (2 * i - 1) % n + 1;
            let k = (3 * i - 1) % n + 1;
            let u = (i + j + k) as f64;
            u * u + 4.0 * u.cos()
        })
        .sum()
}

/// FMINSURF at its start point on a p x p grid, directly from the SIF formula.
fn fminsurf_x0(p: usize) -> f64 {
    let rp = (p - 1) as f64;
    // h[i][j], 1-based grid (i, j) stored at [i-1][j-1].
    let mut h = vec![vec![0.0; p]; p];
    for j in 1..=p {
        h[0][j - 1] = 1.0 + (j - 1) as f64 * 4.0 / rp;
        h[p - 1][j - 1] = 9.0 + (j - 1) as f64 * 4.0 / rp;
    }
    for i in 2..p {
        h[i - 1][0] = 1.0 + (i - 1) as f64 * 8.0 / rp;
        h[i - 1][p - 1] = 5.0 + (i - 1) as f64 * 8.0 / rp;
    }
    let mut f = 0.0;
    for i in 0..p - 1 {
        for j in 0..p - 1 {
            let a = h[i][j] - h[i + 1][j + 1];
            let b = h[i + 1][j] - h[i][j + 1];
            f += (1.0 + 0.5 * rp * rp * (a * a + b * b)).sqrt() / (rp * rp);
        }
    }
    let s: f64 = h.iter().flatten().sum();
    f + s * s / (p as f64).powi(4)
}

#[test]
fn start_values_match_hand_derived_values() {
    let s05 = 0.5f64.sin();
    let gh_a = (20.0f64 * -506.0).sin().powi(2);
    let gh_b = (20.0f64 * -506.2).sin().powi(2);
    let table: Vec<(&str, usize, f64)> = vec![
        ("BDQRTIC", 5000, 226.0 * 4996.0),
        ("BOX", 10000, 0.0),
        ("BROYDN3DLS", 5000, 5011.0),
        ("BROYDN7D", 5000, 4999.0 + 2500.0 * 2f64.powf(7.0 / 3.0)),
        ("CHAINWOO", 4000, 1.0 + 19192.0 + 13515.1 + 7218.0 * 1997.0),
        ("COSINE", 10000, 9999.0 * 0.5f64.cos()),
        ("CRAGGLVY", 5000, (E - 2.0).powi(4) + 2.0 + 2498.0 * ((E * E - 2.0).powi(4) + 257.0)),
        ("CURLY10", 10000, curly10_x0(10000)),
        ("DIXMAANB", 3000, dixmaan_x0(3000, [1.0, 0.0625, 0.0625, 0.0625], [0, 0, 0, 0])),
        ("DIXMAANC", 3000, dixmaan_x0(3000, [1.0, 0.125, 0.125, 0.125], [0, 0, 0, 0])),
        ("DIXMAAND", 3000, dixmaan_x0(3000, [1.0, 0.26, 0.26, 0.26], [0, 0, 0, 0])),
        ("DIXMAANE1", 3000, dixmaan_x0(3000, [1.0, 0.0, 0.125, 0.125], [1, 0, 0, 1])),
        ("DIXMAANF", 3000, dixmaan_x0(3000, [1.0, 0.0625, 0.0625, 0.0625], [1, 0, 0, 1])),
        ("DIXMAANG", 3000, dixmaan_x0(3000, [1.0, 0.125, 0.125, 0.125], [1, 0, 0, 1])),
        ("DIXMAANH", 3000, dixmaan_x0(3000, [1.0, 0.26, 0.26, 0.26], [1, 0, 0, 1])),
        ("DIXMAANI1", 3000, dixmaan_x0(3000, [1.0, 0.0, 0.125, 0.125], [2, 0, 0, 2])),
        ("DIXMAANJ", 3000, dixmaan_x0(3000, [1.0, 0.0625, 0.0625, 0.0625], [2, 0, 0, 2])),
        ("DIXMAANK", 3000, dixmaan_x0(3000, [1.0, 0.125, 0.125, 0.125], [2, 0, 0, 2])),
        ("DIXMAANL", 3000, dixmaan_x0(3000, [1.0, 0.26, 0.26, 0.26], [2, 0, 0, 2])),
        ("DIXON3DQ", 10000, 8.0),
        ("DQRTIC", 5000, 1.0 + sum_k4(4998.0)),
        ("ENGVAL1", 5000, 59.0 * 4999.0),
        ("FMINSURF", 5625, fminsurf_x0(75)),
        ("FREUROTH", 5000, 400.5 + 1186.0 + 1010.0 * 4997.0),
        (
            "GENHUMPS",
            5000,
            gh_a * gh_b + 0.05 * (506.0 * 506.0 + 506.2 * 506.2) + 4998.0 * (gh_b * gh_b + 0.1 * 506.2 * 506.2),
        ),
        ("LIARWHD", 5000, 585.0 * 5000.0),
        ("NONCVXUN", 5000, noncvxun_x0(5000)),
        ("NONDQUAR", 5000, 5006.0),
        ("POWER", 10000, 2_500_500_025_000_000.0),
        ("QUARTC", 5000, 1.0 + sum_k4(4998.0)),
        ("SBRYBND", 5000, 25.0 * 5000.0 - 96.0),
        ("SPARSINE", 5000, 9.0 * 5000.0 * 5001.0 * s05 * s05),
        ("SROSENBR", 5000, 12.1 * 5000.0),
        ("TOINTGSS", 5000, 10.0 + 9.0 * 4998.0),
        ("WOODS", 4000, 19192.0 * 1000.0),
    ];
    let mut failures = Vec::new();
    for (name, n, expected) in table {
        let p = cutest::by_name(name, None).unwrap_or_else(|| panic!("{name} is registered"));
        let info = p.info();
        assert_eq!(info.n, n, "{name}: listed size");
        let x0 = p.x0();
        let f = p.products().expect("products").value(&x0);
        let err = (f - expected).abs() / expected.abs().max(1.0);
        if !(err <= 1e-11) {
            failures.push(format!("{name}: f(x0) = {f:.15e}, expected {expected:.15e} (rel. err {err:.1e})"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn large_problems_at_the_check_size() {
    // Every one of these problems is admissible at n = 60 (the derivative checks' size), except
    // FMINSURF, which rounds 60 to the nearest square.
    let names = [
        "BDQRTIC",
        "BOX",
        "BROYDN3DLS",
        "BROYDN7D",
        "CHAINWOO",
        "COSINE",
        "CRAGGLVY",
        "CURLY10",
        "DIXMAANB",
        "DIXMAANC",
        "DIXMAAND",
        "DIXMAANE1",
        "DIXMAANF",
        "DIXMAANG",
        "DIXMAANH",
        "DIXMAANI1",
        "DIXMAANJ",
        "DIXMAANK",
        "DIXMAANL",
        "DIXON3DQ",
        "DQRTIC",
        "ENGVAL1",
        "FMINSURF",
        "FREUROTH",
        "GENHUMPS",
        "LIARWHD",
        "NONCVXUN",
        "NONDQUAR",
        "POWER",
        "QUARTC",
        "SBRYBND",
        "SPARSINE",
        "SROSENBR",
        "TOINTGSS",
        "WOODS",
    ];
    for name in names {
        let p = cutest::by_name(name, Some(60)).unwrap_or_else(|| panic!("{name} at n = 60"));
        let expected = if name == "FMINSURF" { 64 } else { 60 };
        assert_eq!(p.info().n, expected, "{name}");
        assert_eq!(p.x0().len(), expected, "{name}");
        assert!(cutest::names().contains(&name), "{name} is listed");
    }
    // Inadmissible sizes are refused.
    assert!(cutest::by_name("WOODS", Some(62)).is_none());
    assert!(cutest::by_name("DIXMAANB", Some(61)).is_none());
    assert!(cutest::by_name("BROYDN7D", Some(61)).is_none());
    assert!(cutest::by_name("CHAINWOO", Some(61)).is_none());
}

#[test]
fn known_minima_are_attained() {
    // f* where the minimizer is known in closed form.
    let cases: Vec<(&str, Vec<f64>, f64)> = vec![
        ("CHAINWOO", vec![1.0; 60], 1.0),
        ("WOODS", vec![1.0; 60], 0.0),
        ("DIXMAANF", vec![0.0; 60], 1.0),
        ("DIXON3DQ", vec![1.0; 60], 0.0),
        ("DQRTIC", (1..=60).map(|i| i as f64).collect(), 0.0),
        ("LIARWHD", vec![1.0; 60], 0.0),
        ("SROSENBR", vec![1.0; 60], 0.0),
        ("TOINTGSS", vec![0.0; 60], 10.0),
        ("SBRYBND", vec![0.0; 60], 0.0),
        ("BROYDN3DLS", vec![0.0; 60], 60.0), // E_i = 1 at x = 0 (not the minimizer; a value check)
        ("FMINSURF", vec![0.0; 64], 1.0),
    ];
    for (name, x, expected) in cases {
        let p = cutest::by_name(name, Some(60)).expect("registered");
        let f = p.products().expect("products").value(&x);
        assert!((f - expected).abs() <= 1e-12 * expected.abs().max(1.0), "{name}: f = {f}, expected {expected}");
        if p.info().f_star.is_some() && name != "BROYDN3DLS" {
            assert_eq!(p.info().f_star, Some(expected), "{name}: f_star");
        }
    }
}

/// Central differences of `f` along `d`, step `h`.
fn directional(f: &dyn Fn(&[f64]) -> f64, x: &[f64], d: &[f64], h: f64) -> f64 {
    let xp: Vec<f64> = x.iter().zip(d).map(|(a, b)| a + h * b).collect();
    let xm: Vec<f64> = x.iter().zip(d).map(|(a, b)| a - h * b).collect();
    (f(&xp) - f(&xm)) / (2.0 * h)
}

#[test]
fn sbrybnd_derivatives_at_x0_with_scale_aware_steps() {
    // At x0 the variables range from 1 down to e^-12 = 6e-6 (x0_j = 1 / s_j): the generic
    // checker's step cbrt(eps) max(1, |x_j|) is as large as the small variables, so it is
    // checked here along directions scaled like x0 (d_j = x0_j r_j).
    let p = cutest::by_name("SBRYBND", Some(60)).unwrap();
    let obj = p.products().unwrap();
    let x0 = p.x0();
    let n = x0.len();
    let mut g = vec![0.0; n];
    obj.gradient(&x0, &mut g);
    let mut hv = vec![0.0; n];
    for seed in 0..4 {
        let d: Vec<f64> = (0..n).map(|j| x0[j] * (((j * 13 + seed * 7) % 11) as f64 / 5.0 - 1.0)).collect();
        let exact: f64 = g.iter().zip(&d).map(|(a, b)| a * b).sum();
        let fd = directional(&|x| obj.value(x), &x0, &d, 1e-5);
        assert!((exact - fd).abs() <= 1e-6 * exact.abs().max(1.0), "gradient: {exact} vs {fd}");
        // H d against differences of the gradient along d.
        obj.hessian_product(&x0, &d, &mut hv);
        for k in [0, n / 2, n - 1] {
            let gk = |x: &[f64]| {
                let mut gx = vec![0.0; n];
                obj.gradient(x, &mut gx);
                gx[k]
            };
            let fd = directional(&gk, &x0, &d, 1e-5);
            assert!((hv[k] - fd).abs() <= 1e-6 * hv[k].abs().max(1.0), "Hv[{k}]: {} vs {fd}", hv[k]);
        }
    }
}

#[test]
fn broydn7d_hessian_at_x0_is_the_limit_of_differences() {
    // At x0 the first residual E_1 vanishes and |t|^(7/3) has the unbounded third derivative
    // (28/27) |t|^(-2/3): differences of the gradient converge like h^(1/3) only, which the
    // generic checker's Richardson extrapolation cannot absorb. Check the convergence instead.
    let p = cutest::by_name("BROYDN7D", Some(60)).unwrap();
    let obj = p.products().unwrap();
    let x0 = p.x0();
    let n = x0.len();
    let d: Vec<f64> = (0..n).map(|j| ((j * 13) % 11) as f64 / 5.0 - 1.0).collect();
    let mut hv = vec![0.0; n];
    obj.hessian_product(&x0, &d, &mut hv);
    let err = |h: f64| {
        let gp: Vec<f64> = x0.iter().zip(&d).map(|(a, b)| a + h * b).collect();
        let gm: Vec<f64> = x0.iter().zip(&d).map(|(a, b)| a - h * b).collect();
        let (mut g1, mut g2) = (vec![0.0; n], vec![0.0; n]);
        obj.gradient(&gp, &mut g1);
        obj.gradient(&gm, &mut g2);
        (0..n).map(|k| ((g1[k] - g2[k]) / (2.0 * h) - hv[k]).abs()).fold(0.0, f64::max)
    };
    let (e3, e6, e9) = (err(1e-3), err(1e-6), err(1e-9));
    // h^(1/3) convergence to the exact product: a factor 10 per factor 1000 in h.
    let (r1, r2) = (e6 / e3, e9 / e6);
    assert!((0.08..0.12).contains(&r1) && (0.05..0.15).contains(&r2), "errors {e3:e}, {e6:e}, {e9:e}");
}
