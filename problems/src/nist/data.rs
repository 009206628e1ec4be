//! The NIST StRD `.dat` format: parser and the certified values.
//!
//! A file states (in this order) the dataset name, the level of difficulty, the model, one
//! line per parameter `bK = start1 start2 certified_value certified_std_dev`, the residual sum
//! of squares, the residual standard deviation, the degrees of freedom, the number of
//! observations, and the data after a line `Data:  y  x` (Nelson: `y x1 x2`). The parser reads
//! these by their labels, not by the line numbers of the header, and checks the counts.

use std::fmt;

/// NIST's level of difficulty of a dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    /// "Lower Level of Difficulty".
    Lower,
    /// "Average Level of Difficulty".
    Average,
    /// "Higher Level of Difficulty".
    Higher,
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Difficulty::Lower => "lower",
            Difficulty::Average => "average",
            Difficulty::Higher => "higher",
        })
    }
}

/// A certified number and the count of significant digits it is given to (the cap of the
/// log relative error against it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Certified {
    /// The value.
    pub value: f64,
    /// Significant digits in the file (11 for every StRD nonlinear value).
    pub digits: u32,
}

/// One parsed StRD nonlinear regression dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Dataset name as in the file (`"Misra1a"`).
    pub name: String,
    /// Level of difficulty.
    pub difficulty: Difficulty,
    /// The model as written in the file (lines joined by a space).
    pub model: String,
    /// Start 1 and start 2.
    pub starts: [Vec<f64>; 2],
    /// Certified parameter values.
    pub certified: Vec<Certified>,
    /// Certified standard deviations of the parameters.
    pub certified_std: Vec<Certified>,
    /// Certified residual sum of squares.
    pub rss: Certified,
    /// Certified residual standard deviation.
    pub residual_std: Certified,
    /// Degrees of freedom as stated in the file (`m - n` except in Rat43.dat, which says 9
    /// where `m - n = 11`; use `m() - n()`).
    pub dof: usize,
    /// The response, one per observation.
    pub y: Vec<f64>,
    /// The predictors, one row per observation (one column, two for Nelson).
    pub x: Vec<Vec<f64>>,
}

impl Dataset {
    /// Number of parameters.
    pub fn n(&self) -> usize {
        self.certified.len()
    }

    /// Number of observations.
    pub fn m(&self) -> usize {
        self.y.len()
    }

    /// The certified parameter values.
    pub fn certified_values(&self) -> Vec<f64> {
        self.certified.iter().map(|c| c.value).collect()
    }
}

/// Why a file could not be read as an StRD nonlinear dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number (0 when the whole file is at fault).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

fn err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError { line, message: message.into() }
}

/// Significant digits of a number written in decimal (`"-2.3894212918E+02"` has 11;
/// leading zeros do not count).
fn significant_digits(token: &str) -> u32 {
    let mantissa = token.split(['E', 'e']).next().unwrap_or("");
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    digits.trim_start_matches('0').len() as u32
}

fn number(token: &str, line: usize) -> Result<f64, ParseError> {
    token.parse::<f64>().map_err(|_| err(line, format!("`{token}` is not a number")))
}

fn certified(token: &str, line: usize) -> Result<Certified, ParseError> {
    Ok(Certified { value: number(token, line)?, digits: significant_digits(token) })
}

/// The last whitespace-separated token of the line that starts (after blanks) with `label`.
fn labelled<'a>(lines: &[&'a str], label: &str) -> Result<(&'a str, usize), ParseError> {
    lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with(label))
        .and_then(|(i, l)| l.split_whitespace().last().map(|t| (t, i + 1)))
        .ok_or_else(|| err(0, format!("no `{label}` line")))
}

/// Parses the text of an StRD nonlinear regression `.dat` file.
pub fn parse(text: &str) -> Result<Dataset, ParseError> {
    let lines: Vec<&str> = text.lines().collect();
    let (name_at, name_line) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("Dataset Name:"))
        .ok_or_else(|| err(0, "no `Dataset Name:` line"))?;
    let name = name_line
        .trim_start()
        .trim_start_matches("Dataset Name:")
        .split_whitespace()
        .next()
        .ok_or_else(|| err(name_at + 1, "empty dataset name"))?
        .to_string();
    let difficulty = lines
        .iter()
        .find_map(|l| {
            if !l.contains("Level of Difficulty") {
                None
            } else if l.contains("Lower") {
                Some(Difficulty::Lower)
            } else if l.contains("Average") {
                Some(Difficulty::Average)
            } else if l.contains("Higher") {
                Some(Difficulty::Higher)
            } else {
                None
            }
        })
        .ok_or_else(|| err(0, "no level of difficulty"))?;

    // The model: from the line after "Model:" up to the starting-values header, skipping the
    // "N Parameters" line and blanks.
    let model_at =
        lines.iter().position(|l| l.trim_start().starts_with("Model:")).ok_or_else(|| err(0, "no `Model:` line"))?;
    let starts_at = lines
        .iter()
        .position(|l| l.to_ascii_lowercase().contains("starting values"))
        .ok_or_else(|| err(0, "no `Starting values` header"))?;
    let model = lines[model_at + 1..starts_at.max(model_at + 1)]
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.contains("Parameters"))
        .collect::<Vec<_>>()
        .join(" ");

    // Parameter lines: "  b1 =   500   250   2.3894212918E+02  2.7070075241E+00".
    let mut starts = [Vec::new(), Vec::new()];
    let mut certified_values = Vec::new();
    let mut certified_std = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let Some((label, rest)) = t.split_once('=') else { continue };
        let label = label.trim();
        if !(label.len() >= 2 && label.starts_with('b') && label[1..].chars().all(|c| c.is_ascii_digit())) {
            continue;
        }
        let k: usize = label[1..].parse().map_err(|_| err(i + 1, "bad parameter label"))?;
        if k != certified_values.len() + 1 {
            return Err(err(i + 1, format!("parameter b{k} out of order")));
        }
        let tokens: Vec<&str> = rest.split_whitespace().collect();
        if tokens.len() != 4 {
            return Err(err(i + 1, format!("expected 4 numbers after `b{k} =`, found {}", tokens.len())));
        }
        starts[0].push(number(tokens[0], i + 1)?);
        starts[1].push(number(tokens[1], i + 1)?);
        certified_values.push(certified(tokens[2], i + 1)?);
        certified_std.push(certified(tokens[3], i + 1)?);
    }
    if certified_values.is_empty() {
        return Err(err(0, "no parameter lines `bK = ...`"));
    }
    let (t, at) = labelled(&lines, "Residual Sum of Squares:")?;
    let rss = certified(t, at)?;
    let (t, at) = labelled(&lines, "Residual Standard Deviation:")?;
    let residual_std = certified(t, at)?;
    let (t, at) = labelled(&lines, "Degrees of Freedom:")?;
    let dof: usize = t.parse().map_err(|_| err(at, "degrees of freedom is not an integer"))?;
    let (t, at) = labelled(&lines, "Number of Observations:")?;
    let observations: usize = t.parse().map_err(|_| err(at, "number of observations is not an integer"))?;

    // The data header: "Data:" followed by column names starting with y.
    let data_at = lines
        .iter()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with("Data:") && t["Data:".len()..].split_whitespace().next().is_some_and(|h| h == "y")
        })
        .ok_or_else(|| err(0, "no data header `Data: y x`"))?;
    let columns = lines[data_at].split_whitespace().count() - 1;
    if columns < 2 {
        return Err(err(data_at + 1, "the data header names no predictor"));
    }
    let mut y = Vec::new();
    let mut x = Vec::new();
    for (i, l) in lines.iter().enumerate().skip(data_at + 1) {
        let tokens: Vec<&str> = l.split_whitespace().collect();
        if tokens.is_empty() {
            continue;
        }
        if tokens.len() != columns {
            return Err(err(i + 1, format!("expected {columns} numbers, found {}", tokens.len())));
        }
        y.push(number(tokens[0], i + 1)?);
        x.push(tokens[1..].iter().map(|t| number(t, i + 1)).collect::<Result<Vec<f64>, _>>()?);
    }
    if y.len() != observations {
        return Err(err(0, format!("{} data rows, the header says {observations}", y.len())));
    }
    // The stated degrees of freedom are kept as written, not checked against m - n: Rat43.dat
    // states 9 for 15 observations and 4 parameters, while its certified residual standard
    // deviation is sqrt(RSS / 11) (m - n = 11 is the right count).
    if observations <= certified_values.len() {
        return Err(err(0, format!("{observations} observations for {} parameters", certified_values.len())));
    }
    Ok(Dataset {
        name,
        difficulty,
        model,
        starts,
        certified: certified_values,
        certified_std,
        rss,
        residual_std,
        dof,
        y,
        x,
    })
}

/// The log relative error of McCullough (1998): `LRE(q, c) = -log10(|q - c| / |c|)`, or
/// `-log10(|q - c|)` when `c = 0`, capped at `cap` (the certified digits) and floored at 0.
/// `0` when `q` is not finite; `cap` when `q == c`.
///
/// B. D. McCullough, "Assessing the reliability of statistical software: Part I", The
/// American Statistician 52 (1998) 358-366.
pub fn lre(q: f64, c: f64, cap: f64) -> f64 {
    if !q.is_finite() {
        return 0.0;
    }
    let e = if c == 0.0 { (q - c).abs() } else { (q - c).abs() / c.abs() };
    if e == 0.0 {
        return cap;
    }
    // `+ 0.0` turns the -0.0 of `-log10(1)` into 0.
    (-e.log10()).clamp(0.0, cap) + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_and_lre() {
        assert_eq!(significant_digits("2.3894212918E+02"), 11);
        assert_eq!(significant_digits("-1.6231428586E+00"), 11);
        assert_eq!(significant_digits("0.00055"), 2);
        assert_eq!(lre(1.0 + 1e-7, 1.0, 11.0).round(), 7.0);
        assert_eq!(lre(1.0, 1.0, 11.0), 11.0);
        assert_eq!(lre(3.0, 1.0, 11.0), 0.0);
        assert_eq!(lre(f64::NAN, 1.0, 11.0), 0.0);
        assert!((lre(1e-5, 0.0, 11.0) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(parse("").is_err());
        let good = include_str!("../../data/nist-strd/Misra1a.dat");
        assert!(parse(good).is_ok());
        let dropped_row = good.replace("      10.07E0      77.6E0\n", "");
        assert!(parse(&dropped_row).unwrap_err().message.contains("data rows"));
        let bad_number = good.replace("  b1 =   500 ", "  b1 =   5x0 ");
        assert!(parse(&bad_number).is_err());
    }
}
