//! The `trsuite` binary as a user runs it: records with the documented JSON fields, the
//! table, CSV and profile pictures in the output directory, `describe`, and clean errors.

use std::process::Command;

fn trsuite() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trsuite"))
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trsuite-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn runs_write_records_table_and_profiles() {
    let out = temp_dir("run");
    let json = out.join("explicit.json");
    let status = trsuite()
        .args(["--suite", "mgh", "--problem", "rosenbrock", "--problem", "beale", "--solver", "steihaug"])
        .args(["--solver", "exact", "--threads", "1", "--out"])
        .arg(&out)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("trsuite runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(stdout.contains("performance profiles:"), "{stdout}");
    let text = std::fs::read_to_string(&json).expect("json written");
    let records: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let records = records.as_array().expect("an array");
    assert_eq!(records.len(), 4);
    for key in [
        "suite",
        "problem",
        "n",
        "solver",
        "termination",
        "converged",
        "iterations",
        "f_evals",
        "g_evals",
        "hv_evals",
        "h_evals",
        "f",
        "grad_inf",
        "correct_digits",
        "seconds",
    ] {
        assert!(records.iter().all(|r| r.get(key).is_some()), "missing field {key}");
    }
    assert!(records.iter().all(|r| r["converged"] == true));
    for file in [
        "table.txt",
        "runs.csv",
        "runs.json",
        "profile_iterations.svg",
        "profile_iterations.png",
        "profile_seconds.png",
    ] {
        let meta = std::fs::metadata(out.join(file)).unwrap_or_else(|_| panic!("{file} written"));
        assert!(meta.len() > 0, "{file} is empty");
    }
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn describe_prints_start_values() {
    let out = trsuite().args(["describe", "--problem", "rosenbrock", "--json"]).output().expect("trsuite runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["n"], 2);
    assert!((v["f0"].as_f64().unwrap() - 12.1).abs() < 1e-12);
    assert!((v["grad0_inf"].as_f64().unwrap() - 107.8).abs() < 1e-9);
}

#[test]
fn unknown_names_fail_cleanly() {
    let out = trsuite().args(["--suite", "nope"]).output().expect("trsuite runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown suite"));
    let out = trsuite().args(["--solver", "nope"]).output().expect("trsuite runs");
    assert!(!out.status.success());
    let out = trsuite().args(["describe", "--problem", "nope"]).output().expect("trsuite runs");
    assert!(!out.status.success());
}

/// `--json` with the systems suite alone writes the system records there (it used to be
/// ignored), and `--n 0` is an error that says so (it used to say "no problem named").
#[test]
fn json_with_systems_and_clear_size_errors() {
    let out = temp_dir("systems-json");
    let json = out.join("systems-records.json");
    let _ = std::fs::create_dir_all(&out);
    let run = trsuite()
        .args(["--suite", "systems", "--problem", "ex14_1_1", "--random-starts", "0", "--no-plots", "--out"])
        .arg(&out)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("trsuite runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(&json).expect("--json written for systems");
    let records: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let records = records.as_array().expect("an array");
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r.get("residual_norm").is_some() && r.get("scaling").is_some()));

    let zero = trsuite().args(["--problem", "ARWHEAD", "--n", "0"]).output().expect("trsuite runs");
    assert!(!zero.status.success());
    let err = String::from_utf8_lossy(&zero.stderr);
    assert!(err.contains("--n must be at least 1"), "{err}");
}

/// `--suite bounded`: the records carry the documented fields (pg_inf, active_bounds, the
/// evaluation counts), and `describe` gives the box's finite-bound counts.
#[test]
fn bounded_suite_records_and_describe() {
    let out = temp_dir("bounded");
    let json = out.join("bounded-records.json");
    let _ = std::fs::create_dir_all(&out);
    let run = trsuite()
        .args(["--suite", "bounded", "--problem", "HS1", "--problem", "HS45", "--no-plots"])
        .args(["--bounded-solver", "projected", "--bounded-solver", "interior-cl", "--out"])
        .arg(&out)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("trsuite runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let records: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("--json written")).expect("valid JSON");
    let records = records.as_array().expect("an array");
    assert_eq!(records.len(), 4);
    for key in [
        "suite",
        "problem",
        "n",
        "solver",
        "termination",
        "converged",
        "iterations",
        "f_evals",
        "g_evals",
        "hv_evals",
        "h_evals",
        "f",
        "pg_inf",
        "active_bounds",
        "seconds",
    ] {
        assert!(records.iter().all(|r| r.get(key).is_some()), "missing field {key}");
    }
    assert!(records.iter().all(|r| r["converged"] == true && r["pg_inf"].as_f64().unwrap() <= 1e-6));
    assert!(out.join("bounded.csv").exists());

    let d = trsuite().args(["describe", "--problem", "HS45", "--json"]).output().expect("trsuite runs");
    assert!(d.status.success(), "{}", String::from_utf8_lossy(&d.stderr));
    let v: serde_json::Value = serde_json::from_slice(&d.stdout).expect("JSON");
    assert_eq!(v["n"], 5);
    // HS45: 0 <= x_i <= i.
    assert_eq!(v["finite_lower"], 5);
    assert_eq!(v["finite_upper"], 5);
}

/// `--suite nist`: 2 runs per dataset and method (both starts) with the documented fields,
/// `nist.csv` in the output directory, and the LRE summary on stdout.
#[test]
fn nist_suite_records() {
    let out = temp_dir("nist");
    let json = out.join("nist-records.json");
    let _ = std::fs::create_dir_all(&out);
    let run = trsuite()
        .args(["--suite", "nist", "--problem", "Misra1a", "--problem", "DanWood", "--nist-solver", "gn-exact", "--out"])
        .arg(&out)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("trsuite runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("params LRE >= 6:   4"), "{stdout}");
    let records: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("--json written")).expect("valid JSON");
    let records = records.as_array().expect("an array");
    assert_eq!(records.len(), 4);
    for key in [
        "suite",
        "problem",
        "start",
        "solver",
        "termination",
        "converged",
        "iterations",
        "f_evals",
        "j_evals",
        "x",
        "stddev",
        "rss",
        "lre_params_min",
        "lre_rss",
        "lre_stddev_min",
        "seconds",
    ] {
        assert!(records.iter().all(|r| r.get(key).is_some()), "missing field {key}");
    }
    assert!(records.iter().all(|r| r["suite"] == "nist" && r["lre_params_min"].as_f64().unwrap() >= 6.0));
    assert_eq!(records.iter().filter(|r| r["start"] == 2).count(), 2);
    assert!(out.join("nist.csv").exists());
}
