//! What the peer benches (`large_scale`, `gradient_only`, `least_squares`) share: the
//! criterion filter read back from the command line, the summary CSV under the target
//! directory, and the median of the per-solve samples.

use std::io::Write as _;

/// Positional (filter) arguments of the bench binary, as criterion reads them (options that
/// take a value are skipped together with it).
pub fn filters() -> Vec<String> {
    const WITH_VALUE: [&str; 18] = [
        "--save-baseline",
        "-s",
        "--baseline",
        "-b",
        "--baseline-lenient",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--output-format",
        "--color",
        "--plotting-backend",
        "--profile-time",
        "--format",
    ];
    let mut out = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if WITH_VALUE.contains(&a.as_str()) {
            args.next();
        } else if !a.starts_with('-') {
            out.push(a);
        }
    }
    out
}

/// Appends `line` to `$CARGO_TARGET_DIR/<bench>/summary.csv` (default target dir `target`),
/// writing `header` first when the file is new. Failures to write are ignored (a bench must
/// not fail on its report).
pub fn append_summary(bench: &str, header: &str, line: &str) {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    let path = std::path::Path::new(&target).join(bench).join("summary.csv");
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let new = !path.exists();
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(&path) {
        if new {
            let _ = writeln!(f, "{header}");
        }
        let _ = writeln!(f, "{line}");
    }
}

/// The median of the samples (NaN for none).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len();
    if m == 0 {
        f64::NAN
    } else if m % 2 == 1 {
        v[m / 2]
    } else {
        0.5 * (v[m / 2 - 1] + v[m / 2])
    }
}
