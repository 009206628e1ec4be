//! Incomplete Cholesky factorization with a limited, fixed memory budget and an automatic
//! diagonal shift (Lin & More 1999), for preconditioning conjugate gradients.
//!
//! # The factorization
//!
//! Given a sparse symmetric `A` (lower triangle stored, every diagonal entry stored), scale it
//! symmetrically, `Â = S A S` with `S = diag(s_j)`, and compute a lower-triangular `L` with
//! `L L' ≈ Â + alpha I` by the column (left-looking) Cholesky recurrence
//!
//! ```text
//! w       = Â(j:n, j) + alpha e_j - sum_{k < j, L(j,k) != 0} L(j:n, k) L(j, k)
//! L(j, j) = sqrt(w_j)                       (breakdown if w_j <= 0 or not finite)
//! L(i, j) = w_i / L(j, j)  for the retained rows i > j, 0 for the dropped ones,
//! ```
//!
//! where only the retained entries of earlier columns take part in the updates. The rows
//! retained in column `j` are (see [`Retention`]):
//! - [`Retention::PatternPlusFill`] (default): every row of the pattern of `A` in column `j`
//!   plus the `p` fill entries (rows outside that pattern) of largest magnitude. With `p = 0`
//!   this is IC(0), the incomplete factorization on the pattern of `A`; when the exact factor
//!   has no fill (tridiagonal, banded-without-gaps, trees) it is the complete Cholesky factor;
//! - [`Retention::Largest`]: the `n_j + p` entries of largest magnitude among all candidates,
//!   `n_j` being the number of strictly-lower entries of `A` in column `j`: the rule of Lin &
//!   More (1999, sec. 3), whose pattern may differ from that of `A` even for `p = 0`.
//!
//! Either way column `j` of `L` holds at most `n_j + p` off-diagonal entries, so the storage
//! is known from the pattern alone and is allocated once.
//!
//! # Scaling and shift
//!
//! The scaling follows Lin & More (1999, sec. 4) and their ICFS code: by default
//! `s_j = 1 / sqrt(||A e_j||_2)` (column norms of the full symmetric matrix), so that every
//! column of `Â` has unit 2-norm and `|Â_ij| <= 1`; [`Scaling::Diagonal`] uses
//! `s_j = 1 / sqrt(|a_jj|)` instead (Jacobi scaling, unit diagonal), and [`Scaling::None`]
//! factors `A` itself. A zero column keeps `s_j = 1`.
//!
//! The shift strategy (Lin & More 1999, Algorithm 4.1; Nocedal & Wright 2006, Algorithm 3.3):
//! start with `alpha_0 = 0` if `min_j Â_jj > 0`, otherwise with
//! `alpha_0 = alpha_min - min_j Â_jj` (a nonpositive diagonal entry of `Â + alpha I` is a
//! certain breakdown: every pivot is at most its diagonal entry); after a breakdown set
//! `alpha <- max(2 alpha, alpha_min)` and factorize again, at most
//! [`IncompleteCholeskyOptions::max_attempts`] times, then fail with
//! [`IncompleteCholeskyError::Breakdown`]. Our two additions: when a shift succeeds after a
//! breakdown, it is multiplied by [`IncompleteCholeskyOptions::breakdown_margin`] (default 2)
//! and the factorization redone, so that `M` stays away from singularity on indefinite `A`;
//! and, optionally ([`IncompleteCholeskyOptions::warm_shift`], off by default), the next
//! factorization (the next point of a solve) starts from half the shift that worked, or from
//! 0 once that falls below `alpha_min`, so that a run along which the Hessian stays
//! indefinite does not repeat the failed attempts at every point. The trade-off: the margin is
//! applied when the search at this point saw a breakdown, and a warm start that succeeds at
//! once is used as it is (as the cold search uses an unshifted success), so along a run whose
//! matrix stays indefinite the shifts alternate between the margin shift `2 alpha` and its
//! half `alpha`, the smallest shift that worked, which the margin would have avoided. The
//! cold search keeps the margin at every point; the measurements behind the default are kept
//! in `benches/README.md`. For large enough `alpha` the shifted matrix is
//! strictly diagonally dominant and the factorization exists for every retention rule
//! (Manteuffel 1980), so the loop ends on any finite input given enough attempts.
//!
//! The preconditioner is `M = S^{-1} L L' S^{-1}` (an approximation of `A + alpha S^{-2}`):
//! `M^{-1} r = S L^{-T} L^{-1} S r` costs two sparse triangular solves in place
//! ([`IncompleteCholesky::solve_in_place`]) and `s'Ms = ||L' S^{-1} s||^2`
//! ([`IncompleteCholesky::m_norm_sq`]) one pass over `L`.
//!
//! # Implementation
//!
//! The left-looking recurrence needs, for column `j`, the earlier columns `k` with
//! `L(j,k) != 0` and the position of row `j` in each. As in the Jones-Plassmann code that ICFS
//! builds on, every finished column `k` keeps a cursor to its first entry with row `>= j`, and
//! each row heads a linked list of the columns whose cursor points at it; the columns of `L`
//! are stored with sorted row indices, so advancing a cursor moves the column to the list of
//! its next row (Jones & Plassmann 1995). The dense work column `w` is scattered into a
//! length-`n` array with a marker, and the retained fill is chosen by a partial selection
//! (`select_nth_unstable`), so nothing in [`IncompleteCholesky::factorize`] allocates once
//! the pattern has been analysed ([`IncompleteCholesky::analyze`], or the first factorization
//! of a new pattern).
//!
//! The variables are first permuted symmetrically, `L L' ≈ P Â P' + alpha I`, by approximate
//! minimum degree ([`Ordering::Amd`], faer's AMD, once per pattern) or left in the natural
//! order ([`Ordering::Natural`]). The left-looking recurrence costs about `sum_k m_k^2` for
//! columns of `m_k` entries, so a dense first column (an arrowhead such as LIARWHD, or BOX)
//! makes the natural order quadratic in `n`; minimum degree numbers dense variables last.
//! The permutation is applied in place along its precomputed cycles, so the solves still need
//! no scratch vector.
//!
//! References:
//! 1. C.-J. Lin, J. J. More, Incomplete Cholesky factorizations with limited memory,
//!    SIAM J. Sci. Comput. 21 (1999) 24-45.
//! 2. M. T. Jones, P. E. Plassmann, An improved incomplete Cholesky factorization,
//!    ACM Trans. Math. Software 21 (1995) 5-17.
//! 3. T. A. Manteuffel, An incomplete factorization technique for positive definite linear
//!    systems, Math. Comp. 34 (1980) 473-497.
//! 4. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), sec. 3.4
//!    (Algorithm 3.3, Cholesky with added multiple of the identity).
//! 5. Y. Saad, Iterative Methods for Sparse Linear Systems, 2nd ed., SIAM (2003), ch. 10.
//! 6. P. R. Amestoy, T. A. Davis, I. S. Duff, An approximate minimum degree ordering algorithm,
//!    SIAM J. Matrix Anal. Appl. 17 (1996) 886-905.

use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use thiserror::Error;

use super::sparse_cholesky::PatternError;

/// Which entries of each column of `L` the factorization keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Retention {
    /// Every row of the pattern of `A` in the column, plus the `p` largest fill entries
    /// (`p = 0`: IC(0)).
    #[default]
    PatternPlusFill,
    /// The `n_j + p` largest entries among all candidates (Lin & More 1999).
    Largest,
}

/// Symmetric scaling `Â = S A S` applied before factorizing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scaling {
    /// `s_j = 1 / sqrt(||A e_j||_2)`: unit column norms (Lin & More 1999, ICFS).
    #[default]
    ColumnNorm,
    /// `s_j = 1 / sqrt(|a_jj|)`: unit diagonal magnitudes (Jacobi scaling).
    Diagonal,
    /// `S = I`.
    None,
}

/// Symmetric permutation applied before factorizing (`L L' ≈ P Â P'`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Ordering {
    /// The natural order of the variables.
    Natural,
    /// Approximate minimum degree (Amestoy, Davis & Duff 1996) of the pattern, computed once per
    /// pattern by faer; it orders dense rows and columns last.
    #[default]
    Amd,
}

/// Options of [`IncompleteCholesky`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct IncompleteCholeskyOptions {
    /// Extra entries `p` kept per column of `L` beyond the pattern of `A` (the memory parameter
    /// of Lin & More 1999). `0` with [`Retention::PatternPlusFill`] is IC(0). Default `5`
    /// (Lin & More 1999, sec. 6, found `p = 5` a good compromise on the MINPACK-2 problems;
    /// our measurement on the CUTEst problems is in `benches/README.md`).
    pub fill: usize,
    /// Which entries are retained. Default [`Retention::PatternPlusFill`].
    pub retention: Retention,
    /// Symmetric scaling. Default [`Scaling::ColumnNorm`] (Lin & More 1999, sec. 4).
    pub scaling: Scaling,
    /// Symmetric permutation. Default [`Ordering::Amd`]: in the natural order a dense first
    /// column makes the factorization quadratic in `n` (measured in `benches/README.md`).
    pub ordering: Ordering,
    /// Smallest positive shift `alpha_min` (of the scaled matrix). Must be positive and finite.
    /// Default `1e-3` (Lin & More 1999, sec. 4; ICFS's `alpham`).
    pub alpha_min: f64,
    /// Cap on factorization attempts per matrix (the first, unshifted or minimally shifted,
    /// attempt included). At least 1. Default `40`: doubling from `1e-3` reaches `alpha ≈ 5e8`,
    /// far beyond the diagonal dominance threshold of any scaled matrix with finite entries.
    pub max_attempts: usize,
    /// Safety factor `m` on the shift after a breakdown: when the shift `alpha` succeeds after
    /// at least one failure, the factorization is redone with `m alpha`. For a complete
    /// factorization, success at `alpha` after failure at `alpha / 2` puts the smallest
    /// eigenvalue of `Â` in `(-alpha, -alpha/2]`, so `Â + alpha I` may be nearly singular and
    /// its norm a needle-shaped trust region; with `m = 2` the smallest eigenvalue of
    /// `Â + 2 alpha I` exceeds `alpha > |λ_min(Â)|`. `1` disables it. Must be at least 1 and
    /// finite. Costs one more factorization at points where the first shift broke down.
    /// Default `2` (our addition to Lin & More's strategy; measured in `benches/README.md`).
    /// With [`IncompleteCholeskyOptions::warm_shift`] a warm start that succeeds at once gets
    /// no margin (see the module documentation).
    pub breakdown_margin: f64,
    /// Cost guard: [`IncompleteCholesky::factorize`] declines (with
    /// [`IncompleteCholeskyError::TooCostly`]) a pattern whose estimated factorization work
    /// `sum_j c_j^2` (`c_j` the capacity of column `j` of `L`: its entries in `A` plus the
    /// fill `p`, at most the `n - 1 - j` rows below the diagonal) exceeds `max_work_ratio` times the entries of the lower triangle, so that a
    /// nearly dense Hessian falls back to a cheap preconditioner instead of paying for what is
    /// almost a dense factorization at every point. Must be positive (infinity disables the
    /// guard). Default `200`. For a dense matrix the ratio is about `2n/3`; the ratios of the
    /// CUTEst problems with a sparse Hessian, and which of them the default declines, are in
    /// `benches/README.md`.
    pub max_work_ratio: f64,
    /// Start from the shift of the previous successful factorization, halved, instead of 0
    /// (our addition; the Hessians of consecutive points differ little). The halved shift is
    /// dropped to 0 once it falls below `alpha_min`, so a matrix that has become positive
    /// definite enough is factorized unshifted again within a few points; a warm start that
    /// breaks down continues with the usual doubling. It saves the failed attempts at the
    /// points of a run along which the matrix stays indefinite or singular, but a warm start
    /// that succeeds at once gets no [`IncompleteCholeskyOptions::breakdown_margin`] (see the
    /// module documentation). Default `false`: on the CUTEst suite it saved time with
    /// Steihaug, but with GLTR the margin-less shifts gave a nearly singular `M` and cost
    /// convergence (the measurements are in `benches/README.md`).
    pub warm_shift: bool,
}

impl Default for IncompleteCholeskyOptions {
    fn default() -> Self {
        Self {
            fill: 5,
            retention: Retention::PatternPlusFill,
            scaling: Scaling::ColumnNorm,
            ordering: Ordering::Amd,
            alpha_min: 1e-3,
            max_attempts: 40,
            breakdown_margin: 2.0,
            max_work_ratio: 200.0,
            warm_shift: false,
        }
    }
}

impl IncompleteCholeskyOptions {
    /// Checks the options: `alpha_min` positive and finite, `breakdown_margin` finite and at
    /// least 1, `max_work_ratio` positive, `max_attempts >= 1`.
    pub fn validate(&self) -> Result<(), InvalidOption> {
        if !(self.alpha_min > 0.0 && self.alpha_min.is_finite()) {
            return Err(InvalidOption {
                name: "alpha_min",
                value: self.alpha_min,
                reason: "the minimal shift must be positive and finite",
            });
        }
        if !(self.breakdown_margin >= 1.0 && self.breakdown_margin.is_finite()) {
            return Err(InvalidOption {
                name: "breakdown_margin",
                value: self.breakdown_margin,
                reason: "the shift safety factor must be finite and at least 1",
            });
        }
        if !(self.max_work_ratio > 0.0) {
            return Err(InvalidOption {
                name: "max_work_ratio",
                value: self.max_work_ratio,
                reason: "the cost guard's ratio must be positive (infinity disables it)",
            });
        }
        if self.max_attempts == 0 {
            return Err(InvalidOption {
                name: "max_attempts",
                value: 0.0,
                reason: "at least one factorization attempt is needed",
            });
        }
        Ok(())
    }
}

/// An option of [`IncompleteCholeskyOptions`] out of its admissible range.
#[derive(Clone, Copy, Debug, Error, PartialEq)]
#[error("invalid option {name} = {value}: {reason}")]
pub struct InvalidOption {
    /// Field name in [`IncompleteCholeskyOptions`].
    pub name: &'static str,
    /// The offending value.
    pub value: f64,
    /// The admissible range.
    pub reason: &'static str,
}

/// Why an incomplete factorization could not be computed.
#[derive(Clone, Copy, Debug, Error, PartialEq)]
pub enum IncompleteCholeskyError {
    /// The pattern is not a square lower triangle with every diagonal entry stored.
    #[error("invalid pattern for an incomplete Cholesky factorization: {0:?}")]
    Pattern(PatternError),
    /// The matrix holds a value that is not finite (or its column norms overflow).
    #[error("the matrix has a non-finite value in column {column}")]
    NonFinite {
        /// The first column where it was seen.
        column: usize,
    },
    /// Every shift tried led to a nonpositive or non-finite pivot.
    #[error("incomplete Cholesky broke down {attempts} times; last shift {shift}, at column {column}")]
    Breakdown {
        /// Factorizations attempted.
        attempts: usize,
        /// The last shift tried (of the scaled matrix).
        shift: f64,
        /// The column of the last breakdown, in the factorization's (permuted) order.
        column: usize,
    },
    /// The estimated work of the factorization is out of proportion to the size of the matrix
    /// ([`IncompleteCholeskyOptions::max_work_ratio`]).
    #[error("incomplete Cholesky declined: estimated work {work:.3e} is {ratio:.0} times the {entries} entries (limit {limit})")]
    TooCostly {
        /// Estimated work `sum_j c_j^2`.
        work: f64,
        /// Entries of the lower triangle, diagonal included.
        entries: usize,
        /// `work / entries`.
        ratio: f64,
        /// The limit it exceeded.
        limit: f64,
    },
}

/// What a successful [`IncompleteCholesky::factorize`] reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FactorInfo {
    /// The shift `alpha` of the scaled matrix that succeeded.
    pub shift: f64,
    /// Factorizations attempted (1 when the first shift worked).
    pub attempts: usize,
    /// Stored off-diagonal entries of `L`.
    pub off_diagonal: usize,
}

const NONE: usize = usize::MAX;

/// Incomplete Cholesky factor `L L' ≈ S A S + alpha I` of a sparse symmetric matrix with a
/// fixed pattern, with every buffer allocated once per pattern. See the [module
/// documentation](self) for the algorithm.
#[derive(Clone, Debug)]
pub struct IncompleteCholesky {
    options: IncompleteCholeskyOptions,
    n: usize,
    // The analysed pattern, as given (for `matches`): column ranges and row indices.
    src_start: Vec<usize>,
    src_len: Vec<usize>,
    src_row: Vec<usize>,
    // The symmetric permutation (new index k is original variable perm[k]) and its cycles.
    perm: Vec<usize>,
    cycles: Vec<usize>,
    cycle_ptr: Vec<usize>,
    // Sorted strictly-lower pattern of A: rows, positions of their values in `A.val()`.
    a_ptr: Vec<usize>,
    a_row: Vec<usize>,
    a_src: Vec<usize>,
    a_diag_src: Vec<usize>,
    // Scaled values of the current matrix.
    a_val: Vec<f64>,
    a_diag: Vec<f64>,
    scale: Vec<f64>,
    // The factor: column j owns l_row/l_val[l_ptr[j]..l_ptr[j] + l_len[j]].
    l_ptr: Vec<usize>,
    l_len: Vec<usize>,
    l_row: Vec<usize>,
    l_val: Vec<f64>,
    l_diag: Vec<f64>,
    // Work arrays of length n.
    w: Vec<f64>,
    marked: Vec<bool>,
    in_pattern: Vec<bool>,
    cand: Vec<usize>,
    cursor: Vec<usize>,
    head: Vec<usize>,
    next: Vec<usize>,
    sel: Vec<(f64, usize)>,
    ok: bool,
    shift: f64,
    /// Where the next factorization starts its shift search ([`IncompleteCholeskyOptions::warm_shift`]).
    warm: f64,
    analyses: usize,
    factorizations: usize,
    // Estimated factorization work of the analysed pattern, and its lower-triangle entries.
    work: f64,
    entries: usize,
}

impl IncompleteCholesky {
    /// A factorization object with validated options; buffers come with the first pattern.
    pub fn new(options: IncompleteCholeskyOptions) -> Result<Self, InvalidOption> {
        options.validate()?;
        Ok(Self {
            options,
            n: 0,
            src_start: Vec::new(),
            src_len: Vec::new(),
            src_row: Vec::new(),
            perm: Vec::new(),
            cycles: Vec::new(),
            cycle_ptr: vec![0],
            a_ptr: vec![0],
            a_row: Vec::new(),
            a_src: Vec::new(),
            a_diag_src: Vec::new(),
            a_val: Vec::new(),
            a_diag: Vec::new(),
            scale: Vec::new(),
            l_ptr: vec![0],
            l_len: Vec::new(),
            l_row: Vec::new(),
            l_val: Vec::new(),
            l_diag: Vec::new(),
            w: Vec::new(),
            marked: Vec::new(),
            in_pattern: Vec::new(),
            cand: Vec::new(),
            cursor: Vec::new(),
            head: Vec::new(),
            next: Vec::new(),
            sel: Vec::new(),
            ok: false,
            shift: 0.0,
            warm: 0.0,
            analyses: 0,
            work: f64::NAN,
            entries: 0,
            factorizations: 0,
        })
    }

    /// The options.
    pub fn options(&self) -> &IncompleteCholeskyOptions {
        &self.options
    }

    /// Dimension of the analysed pattern (0 before the first).
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Whether `pattern` is the analysed pattern (same column ranges and row indices). O(nnz).
    pub fn matches(&self, pattern: SymbolicSparseColMatRef<'_, usize>) -> bool {
        let n = self.n;
        if pattern.nrows() != n || pattern.ncols() != n || self.src_start.len() != n {
            return false;
        }
        let mut at = 0;
        for j in 0..n {
            let r = pattern.col_range(j);
            if r.start != self.src_start[j] || r.len() != self.src_len[j] {
                return false;
            }
            if pattern.row_idx()[r.clone()] != self.src_row[at..at + r.len()] {
                return false;
            }
            at += r.len();
        }
        true
    }

    /// Estimated factorization work of the analysed pattern per entry of its lower triangle
    /// (`sum_j c_j^2 / nnz`, see [`IncompleteCholeskyOptions::max_work_ratio`]); NaN before
    /// the first analysis.
    pub fn work_ratio(&self) -> f64 {
        if self.entries == 0 {
            f64::NAN
        } else {
            self.work / self.entries as f64
        }
    }

    /// Analyses a lower-triangle pattern (square, every diagonal stored, no entry above the
    /// diagonal, rows in any order within a column) and allocates every buffer the
    /// factorizations and solves need. Called by [`IncompleteCholesky::factorize`] when it
    /// meets a new pattern; this is the only place that allocates.
    pub fn analyze(&mut self, pattern: SymbolicSparseColMatRef<'_, usize>) -> Result<(), IncompleteCholeskyError> {
        // A new pattern is a new matrix: no shift carries over.
        self.warm = 0.0;
        let n = pattern.ncols();
        if pattern.nrows() != n {
            return Err(IncompleteCholeskyError::Pattern(PatternError::NotSquare));
        }
        self.ok = false;
        self.n = 0;
        let rows = pattern.row_idx();
        let mut a_diag_src = vec![NONE; n];
        let mut src_start = Vec::with_capacity(n);
        let mut src_len = Vec::with_capacity(n);
        let mut src_row = Vec::new();
        // Strictly lower entries as (column, row, position in A.val()), original numbering.
        let mut entries: Vec<(usize, usize, usize)> = Vec::new();
        for j in 0..n {
            let r = pattern.col_range(j);
            src_start.push(r.start);
            src_len.push(r.len());
            for q in r {
                let i = rows[q];
                src_row.push(i);
                if i < j {
                    return Err(IncompleteCholeskyError::Pattern(PatternError::UpperEntry { column: j }));
                }
                if i == j {
                    // A duplicated diagonal entry: the first one is used.
                    if a_diag_src[j] == NONE {
                        a_diag_src[j] = q;
                    }
                } else {
                    entries.push((j, i, q));
                }
            }
            if a_diag_src[j] == NONE {
                return Err(IncompleteCholeskyError::Pattern(PatternError::MissingDiagonal { column: j }));
            }
        }
        // The symmetric permutation: new index k holds original variable perm[k].
        let (perm, perm_inv) = match self.options.ordering {
            Ordering::Natural => ((0..n).collect::<Vec<_>>(), (0..n).collect::<Vec<_>>()),
            Ordering::Amd => amd_order(pattern)?,
        };
        let a_diag_src: Vec<usize> = perm.iter().map(|&old| a_diag_src[old]).collect();
        for e in &mut entries {
            let (a, b) = (perm_inv[e.0], perm_inv[e.1]);
            (e.0, e.1) = (a.min(b), a.max(b));
        }
        entries.sort_unstable();
        // Duplicated off-diagonal rows would be summed by a direct solver; faer patterns have
        // none, and keeping only the first is the safe reading of a malformed one.
        entries.dedup_by_key(|e| (e.0, e.1));
        let mut a_ptr = vec![0usize; n + 1];
        for e in &entries {
            a_ptr[e.0 + 1] += 1;
        }
        for j in 0..n {
            a_ptr[j + 1] += a_ptr[j];
        }
        let a_row: Vec<usize> = entries.iter().map(|e| e.1).collect();
        let a_src: Vec<usize> = entries.iter().map(|e| e.2).collect();
        drop(entries);
        // Cycles of the permutation, for permuting a vector in place.
        let mut cycles = Vec::new();
        let mut cycle_ptr = vec![0usize];
        let mut seen = vec![false; n];
        for start in 0..n {
            if seen[start] || perm[start] == start {
                continue;
            }
            let mut k = start;
            while !seen[k] {
                seen[k] = true;
                cycles.push(k);
                k = perm[k];
            }
            cycle_ptr.push(cycles.len());
        }
        let p = self.options.fill;
        let mut l_ptr = Vec::with_capacity(n + 1);
        l_ptr.push(0usize);
        let mut work = 0.0;
        for j in 0..n {
            let nj = a_ptr[j + 1] - a_ptr[j];
            let cap = nj.saturating_add(p).min(n - 1 - j);
            work += (cap as f64) * (cap as f64);
            l_ptr.push(l_ptr[j] + cap);
        }
        self.work = work + n as f64;
        self.entries = a_row.len() + n;
        let l_cap = l_ptr[n];
        let nnz = a_row.len();
        self.src_start = src_start;
        self.src_len = src_len;
        self.src_row = src_row;
        self.perm = perm;
        self.cycles = cycles;
        self.cycle_ptr = cycle_ptr;
        self.a_ptr = a_ptr;
        self.a_row = a_row;
        self.a_src = a_src;
        self.a_diag_src = a_diag_src;
        self.a_val = vec![0.0; nnz];
        self.a_diag = vec![0.0; n];
        self.scale = vec![1.0; n];
        self.l_ptr = l_ptr;
        self.l_len = vec![0; n];
        self.l_row = vec![0; l_cap];
        self.l_val = vec![0.0; l_cap];
        self.l_diag = vec![1.0; n];
        self.w = vec![0.0; n];
        self.marked = vec![false; n];
        self.in_pattern = vec![false; n];
        self.cand = Vec::with_capacity(n);
        self.cursor = vec![0; n];
        self.head = vec![NONE; n];
        self.next = vec![NONE; n];
        self.sel = vec![(0.0, 0); n];
        self.n = n;
        self.analyses += 1;
        Ok(())
    }

    /// Scales `a` into the work buffers; `Err(column)` on a non-finite value or norm.
    fn load(&mut self, a: SparseColMatRef<'_, usize, f64>) -> Result<(), usize> {
        let n = self.n;
        let vals = a.val();
        // Column norms of the full symmetric matrix (each stored off-diagonal entry counts in
        // its row's and its column's norm), or the diagonal magnitudes.
        for j in 0..n {
            let d = vals[self.a_diag_src[j]];
            if !d.is_finite() {
                return Err(j);
            }
            self.a_diag[j] = d;
            self.scale[j] = match self.options.scaling {
                Scaling::ColumnNorm => d * d,
                Scaling::Diagonal => d.abs(),
                Scaling::None => 1.0,
            };
        }
        for j in 0..n {
            for q in self.a_ptr[j]..self.a_ptr[j + 1] {
                let v = vals[self.a_src[q]];
                if !v.is_finite() {
                    return Err(j);
                }
                self.a_val[q] = v;
                if self.options.scaling == Scaling::ColumnNorm {
                    let v2 = v * v;
                    self.scale[j] += v2;
                    self.scale[self.a_row[q]] += v2;
                }
            }
        }
        for j in 0..n {
            let t = self.scale[j];
            let sq = match self.options.scaling {
                Scaling::ColumnNorm => t.sqrt().sqrt(),
                Scaling::Diagonal => t.sqrt(),
                Scaling::None => 1.0,
            };
            if !sq.is_finite() {
                return Err(j);
            }
            self.scale[j] = if sq > 0.0 { 1.0 / sq } else { 1.0 };
            // 1/sqrt of a subnormal can overflow.
            if !self.scale[j].is_finite() {
                self.scale[j] = 1.0;
            }
        }
        for j in 0..n {
            let sj = self.scale[j];
            self.a_diag[j] *= sj * sj;
            for q in self.a_ptr[j]..self.a_ptr[j + 1] {
                self.a_val[q] *= sj * self.scale[self.a_row[q]];
            }
        }
        Ok(())
    }

    /// Computes the incomplete factor of `S a S + alpha I`, trying shifts as described in the
    /// module documentation. A new pattern is analysed first (allocating); with the analysed
    /// pattern nothing is allocated. With [`IncompleteCholeskyOptions::warm_shift`] the shift
    /// search starts from half the last successful shift on this pattern,
    /// so the result depends on the previous call; [`IncompleteCholesky::forget_shift`]
    /// makes the next call independent of it.
    pub fn factorize(&mut self, a: SparseColMatRef<'_, usize, f64>) -> Result<FactorInfo, IncompleteCholeskyError> {
        if !self.matches(a.symbolic()) {
            self.analyze(a.symbolic())?;
        }
        self.ok = false;
        let ratio = self.work_ratio();
        if ratio > self.options.max_work_ratio {
            return Err(IncompleteCholeskyError::TooCostly {
                work: self.work,
                entries: self.entries,
                ratio,
                limit: self.options.max_work_ratio,
            });
        }
        if let Err(c) = self.load(a) {
            return Err(IncompleteCholeskyError::NonFinite { column: self.perm[c] });
        }
        let min_diag = self.a_diag.iter().fold(f64::INFINITY, |m, &d| m.min(d));
        let alpha_min = self.options.alpha_min;
        let cold = if self.n == 0 || min_diag > 0.0 { 0.0 } else { alpha_min - min_diag };
        let mut alpha = if self.options.warm_shift { cold.max(self.warm) } else { cold };
        self.warm = 0.0;
        let mut column = 0;
        let mut broke = false;
        let mut margin_applied = false;
        for attempt in 1..=self.options.max_attempts {
            self.shift = alpha;
            self.factorizations += 1;
            match self.factor_once(alpha) {
                Ok(())
                    if broke
                        && !margin_applied
                        && self.options.breakdown_margin > 1.0
                        && attempt < self.options.max_attempts =>
                {
                    // Move away from the (near-singular) smallest shift that works.
                    margin_applied = true;
                    alpha *= self.options.breakdown_margin;
                    continue;
                }
                Ok(()) => {
                    self.ok = true;
                    self.warm = if 0.5 * alpha >= alpha_min { 0.5 * alpha } else { 0.0 };
                    let off_diagonal = self.l_len.iter().sum();
                    return Ok(FactorInfo { shift: alpha, attempts: attempt, off_diagonal });
                }
                Err(c) => {
                    column = c;
                    broke = true;
                }
            }
            alpha = (2.0 * alpha).max(alpha_min);
        }
        Err(IncompleteCholeskyError::Breakdown { attempts: self.options.max_attempts, shift: self.shift, column })
    }

    /// One left-looking incomplete factorization of `Â + alpha I`; `Err(column)` on breakdown.
    fn factor_once(&mut self, alpha: f64) -> Result<(), usize> {
        let n = self.n;
        let p = self.options.fill;
        self.head.iter_mut().for_each(|h| *h = NONE);
        for j in 0..n {
            // Scatter column j of Â + alpha I.
            let mut diag = self.a_diag[j] + alpha;
            self.cand.clear();
            for q in self.a_ptr[j]..self.a_ptr[j + 1] {
                let i = self.a_row[q];
                self.w[i] = self.a_val[q];
                self.marked[i] = true;
                self.in_pattern[i] = true;
                self.cand.push(i);
            }
            // Updates from the earlier columns k with L(j, k) != 0 (the list headed by row j).
            let mut k = self.head[j];
            self.head[j] = NONE;
            while k != NONE {
                let next_k = self.next[k];
                let pos = self.cursor[k];
                let end = self.l_ptr[k] + self.l_len[k];
                let ljk = self.l_val[pos];
                diag -= ljk * ljk;
                for q in pos + 1..end {
                    let i = self.l_row[q];
                    if !self.marked[i] {
                        self.marked[i] = true;
                        self.in_pattern[i] = false;
                        self.w[i] = 0.0;
                        self.cand.push(i);
                    }
                    self.w[i] -= self.l_val[q] * ljk;
                }
                // Advance column k's cursor and file it under its next row.
                if pos + 1 < end {
                    self.cursor[k] = pos + 1;
                    let r = self.l_row[pos + 1];
                    self.next[k] = self.head[r];
                    self.head[r] = k;
                }
                k = next_k;
            }
            if !(diag > 0.0 && diag.is_finite()) {
                for &i in &self.cand {
                    self.marked[i] = false;
                }
                return Err(j);
            }
            let ljj = diag.sqrt();
            self.l_diag[j] = ljj;
            // Choose the retained rows into l_row[start..start + kept].
            let start = self.l_ptr[j];
            let nj = self.a_ptr[j + 1] - self.a_ptr[j];
            let mut kept = 0;
            let mut nsel = 0;
            match self.options.retention {
                Retention::PatternPlusFill => {
                    for &i in &self.cand {
                        if self.in_pattern[i] {
                            self.l_row[start + kept] = i;
                            kept += 1;
                        } else if self.w[i] != 0.0 {
                            self.sel[nsel] = (self.w[i].abs(), i);
                            nsel += 1;
                        }
                    }
                    kept += select_largest(&mut self.sel[..nsel], p, &mut self.l_row[start + kept..]);
                }
                Retention::Largest => {
                    for &i in &self.cand {
                        if self.in_pattern[i] || self.w[i] != 0.0 {
                            self.sel[nsel] = (self.w[i].abs(), i);
                            nsel += 1;
                        }
                    }
                    kept = select_largest(&mut self.sel[..nsel], nj + p, &mut self.l_row[start..]);
                }
            }
            for &i in &self.cand {
                self.marked[i] = false;
            }
            let rows = &mut self.l_row[start..start + kept];
            rows.sort_unstable();
            let inv = 1.0 / ljj;
            for q in start..start + kept {
                let v = self.w[self.l_row[q]] * inv;
                if !v.is_finite() {
                    return Err(j);
                }
                self.l_val[q] = v;
            }
            self.l_len[j] = kept;
            if kept > 0 {
                self.cursor[j] = start;
                let r = self.l_row[start];
                self.next[j] = self.head[r];
                self.head[r] = j;
            }
        }
        Ok(())
    }

    /// Forgets the shift that [`IncompleteCholeskyOptions::warm_shift`] would start the next
    /// factorization from (call it when the next matrix is unrelated to the last, for
    /// example at the start of a new solve).
    pub fn forget_shift(&mut self) {
        self.warm = 0.0;
    }

    /// Whether the last [`IncompleteCholesky::factorize`] succeeded.
    pub fn is_factorized(&self) -> bool {
        self.ok
    }

    /// The shift `alpha` (of the scaled matrix) of the last factorization attempt.
    pub fn shift(&self) -> f64 {
        self.shift
    }

    /// Pattern analyses so far (allocations of the buffers).
    pub fn analyses(&self) -> usize {
        self.analyses
    }

    /// Numeric factorization attempts so far (every shift tried counts).
    pub fn factorizations(&self) -> usize {
        self.factorizations
    }

    /// Stored off-diagonal entries of `L` after the last successful factorization.
    pub fn off_diagonal_len(&self) -> usize {
        if self.ok {
            self.l_len.iter().sum()
        } else {
            0
        }
    }

    /// The symmetric scaling `s` (`Â = S A S`) of the last factorization, in the
    /// factorization's (permuted) order: entry `k` scales the variable the ordering put `k`-th.
    pub fn scaling(&self) -> &[f64] {
        &self.scale
    }

    /// `x <- M^{-1} x = S L^{-T} L^{-1} S x`: two triangular solves in place, no allocation.
    /// Requires a successful factorization of dimension `x.len()`; otherwise leaves `x`
    /// unchanged (`M = I`).
    pub fn solve_in_place(&self, x: &mut [f64]) {
        if !self.ok || x.len() != self.n {
            return;
        }
        self.gather(x);
        for (xi, si) in x.iter_mut().zip(&self.scale) {
            *xi *= si;
        }
        // L y = x, column oriented.
        for j in 0..self.n {
            let yj = x[j] / self.l_diag[j];
            x[j] = yj;
            let r = self.l_ptr[j]..self.l_ptr[j] + self.l_len[j];
            for (&i, &v) in self.l_row[r.clone()].iter().zip(&self.l_val[r]) {
                x[i] -= v * yj;
            }
        }
        // L' z = y, column oriented (a dot product per column).
        for j in (0..self.n).rev() {
            let r = self.l_ptr[j]..self.l_ptr[j] + self.l_len[j];
            let mut t = x[j];
            for (&i, &v) in self.l_row[r.clone()].iter().zip(&self.l_val[r]) {
                t -= v * x[i];
            }
            x[j] = t / self.l_diag[j];
        }
        for (xi, si) in x.iter_mut().zip(&self.scale) {
            *xi *= si;
        }
        self.scatter(x);
    }

    /// `x <- P x`: `x_new[k] = x[perm[k]]`, in place along the cycles of the permutation.
    fn gather(&self, x: &mut [f64]) {
        for c in self.cycle_ptr.windows(2) {
            let cyc = &self.cycles[c[0]..c[1]];
            let first = x[cyc[0]];
            for t in 0..cyc.len() - 1 {
                x[cyc[t]] = x[cyc[t + 1]];
            }
            x[cyc[cyc.len() - 1]] = first;
        }
    }

    /// `x <- P' x`: `x_new[perm[k]] = x[k]`, the inverse of [`Self::gather`].
    fn scatter(&self, x: &mut [f64]) {
        for c in self.cycle_ptr.windows(2) {
            let cyc = &self.cycles[c[0]..c[1]];
            let last = x[cyc[cyc.len() - 1]];
            for t in (1..cyc.len()).rev() {
                x[cyc[t]] = x[cyc[t - 1]];
            }
            x[cyc[0]] = last;
        }
    }

    /// `s'Ms = ||L' S^{-1} s||^2`, one pass over `L`, no allocation. Requires a successful
    /// factorization of dimension `s.len()`; otherwise returns `s's` (`M = I`).
    pub fn m_norm_sq(&self, s: &[f64]) -> f64 {
        if !self.ok || s.len() != self.n {
            return super::dot(s, s);
        }
        let mut acc = 0.0;
        for j in 0..self.n {
            let r = self.l_ptr[j]..self.l_ptr[j] + self.l_len[j];
            let mut t = self.l_diag[j] * s[self.perm[j]] / self.scale[j];
            for (&i, &v) in self.l_row[r.clone()].iter().zip(&self.l_val[r]) {
                t += v * s[self.perm[i]] / self.scale[i];
            }
            acc += t * t;
        }
        acc
    }
}

/// Approximate minimum degree ordering of a lower-triangle pattern (faer's AMD, which reads
/// the pattern of `A + A'`): `(perm, perm_inv)` with new index `k` holding variable `perm[k]`.
fn amd_order(pattern: SymbolicSparseColMatRef<'_, usize>) -> Result<(Vec<usize>, Vec<usize>), IncompleteCholeskyError> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::sparse::linalg::amd;
    let n = pattern.ncols();
    let mut perm = vec![0usize; n];
    let mut perm_inv = vec![0usize; n];
    let nnz = pattern.compute_nnz();
    let mut mem = MemBuffer::try_new(amd::order_maybe_unsorted_scratch::<usize>(n, nnz))
        .map_err(|_| IncompleteCholeskyError::Pattern(PatternError::Analysis))?;
    amd::order_maybe_unsorted(&mut perm, &mut perm_inv, pattern, amd::Control::default(), MemStack::new(&mut mem))
        .map_err(|_| IncompleteCholeskyError::Pattern(PatternError::Analysis))?;
    Ok((perm, perm_inv))
}

/// Moves the rows of the `k` entries of largest magnitude in `sel` into `out` (in no
/// particular order) and returns how many were moved (`min(k, sel.len())`). In place, no
/// allocation; ties are broken by the row index so the choice is deterministic.
fn select_largest(sel: &mut [(f64, usize)], k: usize, out: &mut [usize]) -> usize {
    let m = k.min(sel.len());
    if m == 0 {
        return 0;
    }
    if m < sel.len() {
        sel.select_nth_unstable_by(m - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    for (o, &(_, i)) in out.iter_mut().zip(&sel[..m]) {
        *o = i;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::sparse::symmetric_lower_matvec;
    use faer::sparse::{SparseColMat, Triplet};

    fn lower(n: usize, entries: &[(usize, usize, f64)]) -> SparseColMat<usize, f64> {
        let t: Vec<_> = entries.iter().map(|&(i, j, v)| Triplet::new(i, j, v)).collect();
        SparseColMat::try_new_from_triplets(n, n, &t).unwrap()
    }

    /// Lower triangle of a badly scaled SPD tridiagonal matrix.
    fn tridiag(n: usize) -> SparseColMat<usize, f64> {
        let mut e = Vec::new();
        for j in 0..n {
            let d = 10f64.powi((j % 7) as i32 - 3);
            e.push((j, j, 4.0 * d));
            if j + 1 < n {
                let d1 = 10f64.powi(((j + 1) % 7) as i32 - 3);
                e.push((j + 1, j, -(d * d1).sqrt()));
            }
        }
        lower(n, &e)
    }

    /// Lower triangle of the 5-point Laplacian on a k x k grid (plus `shift` on the diagonal).
    fn laplacian(k: usize, shift: f64) -> SparseColMat<usize, f64> {
        let mut e = Vec::new();
        for y in 0..k {
            for x in 0..k {
                let j = y * k + x;
                e.push((j, j, 4.0 + shift));
                if x + 1 < k {
                    e.push((j + 1, j, -1.0));
                }
                if y + 1 < k {
                    e.push((j + k, j, -1.0));
                }
            }
        }
        lower(k * k, &e)
    }

    fn mul(a: &SparseColMat<usize, f64>, x: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; x.len()];
        symmetric_lower_matvec(a.as_ref(), x, &mut y);
        y
    }

    fn ic(fill: usize) -> IncompleteCholesky {
        IncompleteCholesky::new(IncompleteCholeskyOptions { fill, ..Default::default() }).unwrap()
    }

    #[test]
    fn exact_on_tridiagonal() {
        // No fill: IC(0) (and IC(p) for any p) is the complete Cholesky factor, so M = A.
        let n = 30;
        let a = tridiag(n);
        for retention in [Retention::PatternPlusFill, Retention::Largest] {
            for (scaling, ordering) in [
                (Scaling::ColumnNorm, Ordering::Amd),
                (Scaling::ColumnNorm, Ordering::Natural),
                (Scaling::Diagonal, Ordering::Amd),
                (Scaling::None, Ordering::Natural),
            ] {
                let opts = IncompleteCholeskyOptions { fill: 0, retention, scaling, ordering, ..Default::default() };
                let mut f = IncompleteCholesky::new(opts).unwrap();
                let info = f.factorize(a.as_ref()).unwrap();
                assert_eq!(info.shift, 0.0);
                assert_eq!(info.attempts, 1);
                assert_eq!(info.off_diagonal, n - 1);
                let x: Vec<f64> = (0..n).map(|i| (0.3 * i as f64).sin() + 0.1).collect();
                let mut z = mul(&a, &x);
                f.solve_in_place(&mut z);
                for (zi, xi) in z.iter().zip(&x) {
                    assert!((zi - xi).abs() <= 1e-10 * (1.0 + xi.abs()), "{retention:?} {scaling:?}: {zi} vs {xi}");
                }
                // s'Ms = s'As.
                let ax = mul(&a, &x);
                let xax = crate::linalg::dot(&x, &ax);
                assert!((f.m_norm_sq(&x) - xax).abs() <= 1e-12 * xax);
            }
        }
    }

    #[test]
    fn amd_orders_a_dense_column_last() {
        // Arrowhead with a dense first column: in the natural order IC(0) drops the fill of
        // the whole trailing block; AMD numbers variable 0 last, so there is no fill and IC(0)
        // is the complete factor.
        let n = 40;
        let mut e = vec![(0, 0, n as f64)];
        for i in 1..n {
            e.push((i, i, 2.0 + i as f64 * 0.1));
            e.push((i, 0, 1.0));
        }
        let a = lower(n, &e);
        let x: Vec<f64> = (0..n).map(|i| (0.7 * i as f64).cos()).collect();
        let err = |ordering| {
            let opts = IncompleteCholeskyOptions { fill: 0, ordering, ..Default::default() };
            let mut f = IncompleteCholesky::new(opts).unwrap();
            f.factorize(a.as_ref()).unwrap();
            let mut z = mul(&a, &x);
            f.solve_in_place(&mut z);
            // z'Mz = z'Az when M = A.
            let mz = f.m_norm_sq(&x);
            let xax = crate::linalg::dot(&x, &mul(&a, &x));
            assert!(ordering != Ordering::Amd || (mz - xax).abs() <= 1e-12 * xax);
            z.iter().zip(&x).map(|(zi, xi)| (zi - xi).abs()).fold(0.0, f64::max)
        };
        assert!(err(Ordering::Amd) < 1e-12, "{}", err(Ordering::Amd));
        assert!(err(Ordering::Natural) > 1e-6, "{}", err(Ordering::Natural));
    }

    #[test]
    fn ic0_keeps_the_pattern_and_fill_adds_entries() {
        let a = laplacian(8, 0.0);
        let nnz_strict = a.compute_nnz() - 64;
        let mut f0 = ic(0);
        let i0 = f0.factorize(a.as_ref()).unwrap();
        assert_eq!(i0.off_diagonal, nnz_strict);
        assert_eq!(i0.shift, 0.0);
        let mut f5 = ic(5);
        let i5 = f5.factorize(a.as_ref()).unwrap();
        assert!(i5.off_diagonal > nnz_strict);
        // More fill, a better preconditioner: ||x - M^{-1} A x|| shrinks.
        let x: Vec<f64> = (0..64).map(|i| ((i * 7 % 11) as f64) - 5.0).collect();
        let err = |f: &IncompleteCholesky| {
            let mut z = mul(&a, &x);
            f.solve_in_place(&mut z);
            z.iter().zip(&x).map(|(zi, xi)| (zi - xi).powi(2)).sum::<f64>().sqrt()
        };
        assert!(err(&f5) < err(&f0), "{} {}", err(&f5), err(&f0));
    }

    #[test]
    fn shift_on_indefinite_matrix() {
        // Laplacian - 5 I has negative eigenvalues: alpha = 0 breaks down; a shift is found.
        let a = laplacian(6, -5.0);
        let mut f = ic(2);
        let info = f.factorize(a.as_ref()).unwrap();
        assert!(info.shift > 0.0);
        assert!(info.attempts >= 1);
        assert!(f.is_factorized());
        // M is positive definite: s'Ms > 0 and r'M^{-1}r > 0 for a few vectors.
        for t in 0..5 {
            let s: Vec<f64> = (0..36).map(|i| ((i + 3 * t) as f64 * 0.7).cos()).collect();
            assert!(f.m_norm_sq(&s) > 0.0);
            let mut z = s.clone();
            f.solve_in_place(&mut z);
            assert!(crate::linalg::dot(&s, &z) > 0.0);
        }
        // A positive diagonal that still breaks down at alpha = 0: [[1, 2], [2, 1]].
        let b = lower(2, &[(0, 0, 1.0), (1, 0, 2.0), (1, 1, 1.0)]);
        let info = ic(0).factorize(b.as_ref()).unwrap();
        assert!(info.shift >= 1e-3 && info.attempts >= 2, "{info:?}");
    }

    #[test]
    fn the_shift_search_starts_from_half_the_last_shift() {
        // [[1, 2], [2, 1]] (eigenvalues 3, -1) breaks down unshifted; cold, every factorization
        // repeats the doubling from alpha_min, plus the margin's extra factorization.
        let b = lower(2, &[(0, 0, 1.0), (1, 0, 2.0), (1, 1, 1.0)]);
        let mut cold =
            IncompleteCholesky::new(IncompleteCholeskyOptions { warm_shift: false, ..Default::default() }).unwrap();
        let c1 = cold.factorize(b.as_ref()).unwrap();
        let c2 = cold.factorize(b.as_ref()).unwrap();
        assert_eq!(c1, c2);
        assert!(c1.attempts >= 3, "{c1:?}");
        // Warm: the second factorization starts at half the first shift (which includes the
        // margin 2), succeeds at once and skips the margin.
        let warm_options = IncompleteCholeskyOptions { fill: 0, warm_shift: true, ..Default::default() };
        let mut warm = IncompleteCholesky::new(warm_options).unwrap();
        let w1 = warm.factorize(b.as_ref()).unwrap();
        assert_eq!(w1, c1);
        let w2 = warm.factorize(b.as_ref()).unwrap();
        assert_eq!(w2.attempts, 1, "{w2:?}");
        assert_eq!(w2.shift, 0.5 * w1.shift);
        // forget_shift: back to the cold search.
        warm.forget_shift();
        assert_eq!(warm.factorize(b.as_ref()).unwrap(), c1);
        // A positive definite matrix after the indefinite one: the shift halves at every
        // factorization and is dropped to 0 once below alpha_min.
        let spd = lower(2, &[(0, 0, 2.0), (1, 0, 1.0), (1, 1, 2.0)]);
        let mut f = IncompleteCholesky::new(warm_options).unwrap();
        let mut shift = f.factorize(b.as_ref()).unwrap().shift;
        let mut steps = 0;
        while shift > 0.0 {
            let next = f.factorize(spd.as_ref()).unwrap();
            assert_eq!(next.attempts, 1);
            assert!(next.shift == 0.5 * shift || (next.shift == 0.0 && 0.5 * shift < 1e-3), "{shift} -> {next:?}");
            shift = next.shift;
            steps += 1;
            assert!(steps < 20);
        }
    }

    #[test]
    fn solve_and_norm_are_consistent() {
        // With z = M^{-1} r: z'Mz = r'z (both equal r'M^{-1}r).
        let a = laplacian(7, 0.3);
        for (fill, ordering) in [(0, Ordering::Natural), (3, Ordering::Natural), (0, Ordering::Amd), (3, Ordering::Amd)]
        {
            let opts = IncompleteCholeskyOptions { fill, ordering, ..Default::default() };
            let mut f = IncompleteCholesky::new(opts).unwrap();
            f.factorize(a.as_ref()).unwrap();
            let r: Vec<f64> = (0..49).map(|i| ((i * 13 % 17) as f64) - 8.0).collect();
            let mut z = r.clone();
            f.solve_in_place(&mut z);
            let rz = crate::linalg::dot(&r, &z);
            let zmz = f.m_norm_sq(&z);
            assert!(rz > 0.0);
            assert!((zmz - rz).abs() <= 1e-12 * rz, "{zmz} vs {rz}");
        }
    }

    #[test]
    fn non_finite_and_bad_patterns_are_typed() {
        let mut a = laplacian(3, 0.0);
        a.val_mut()[4] = f64::NAN;
        let mut f = ic(1);
        assert!(matches!(f.factorize(a.as_ref()), Err(IncompleteCholeskyError::NonFinite { .. })));
        assert!(!f.is_factorized());
        // Unfactorized: the solve leaves the vector alone and the norm is Euclidean.
        let mut x = vec![1.0; 9];
        f.solve_in_place(&mut x);
        assert_eq!(x, vec![1.0; 9]);
        assert_eq!(f.m_norm_sq(&x), 9.0);
        a.val_mut()[4] = f64::INFINITY;
        assert!(matches!(f.factorize(a.as_ref()), Err(IncompleteCholeskyError::NonFinite { .. })));
        // Overflowing column norms.
        let big = lower(2, &[(0, 0, 1e300), (1, 0, 1e300), (1, 1, 1e300)]);
        assert!(matches!(f.factorize(big.as_ref()), Err(IncompleteCholeskyError::NonFinite { .. })));
        // A missing diagonal, an upper entry.
        let m = lower(2, &[(1, 0, 1.0), (1, 1, 1.0)]);
        assert_eq!(
            f.factorize(m.as_ref()),
            Err(IncompleteCholeskyError::Pattern(PatternError::MissingDiagonal { column: 0 }))
        );
        let u = lower(2, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0)]);
        assert_eq!(
            f.factorize(u.as_ref()),
            Err(IncompleteCholeskyError::Pattern(PatternError::UpperEntry { column: 1 }))
        );
        // One attempt only and a certain breakdown: typed, with the numbers.
        let opts = IncompleteCholeskyOptions { max_attempts: 1, ..Default::default() };
        let b = lower(2, &[(0, 0, 1.0), (1, 0, 2.0), (1, 1, 1.0)]);
        let e = IncompleteCholesky::new(opts).unwrap().factorize(b.as_ref()).unwrap_err();
        assert!(matches!(e, IncompleteCholeskyError::Breakdown { attempts: 1, column: 1, .. }), "{e:?}");
    }

    #[test]
    fn zero_matrix_and_empty_pattern() {
        // A zero matrix: scaling keeps s = 1, alpha_0 = alpha_min, M = alpha_min I.
        let z = lower(3, &[(0, 0, 0.0), (1, 1, 0.0), (2, 2, 0.0), (2, 0, 0.0)]);
        let mut f = ic(2);
        let info = f.factorize(z.as_ref()).unwrap();
        assert_eq!(info.shift, 1e-3);
        let e = lower(0, &[]);
        assert!(f.factorize(e.as_ref()).is_ok());
    }

    #[test]
    fn options_are_validated() {
        for (alpha_min, max_attempts) in [(0.0, 5), (-1.0, 5), (f64::NAN, 5), (f64::INFINITY, 5), (1e-3, 0)] {
            let o = IncompleteCholeskyOptions { alpha_min, max_attempts, ..Default::default() };
            assert!(matches!(o.validate(), Err(InvalidOption { .. })));
            assert!(IncompleteCholesky::new(o).is_err());
        }
        for breakdown_margin in [0.5, f64::NAN, f64::INFINITY] {
            let o = IncompleteCholeskyOptions { breakdown_margin, ..Default::default() };
            assert!(matches!(o.validate(), Err(InvalidOption { name: "breakdown_margin", .. })));
        }
        for max_work_ratio in [0.0, -1.0, f64::NAN] {
            let o = IncompleteCholeskyOptions { max_work_ratio, ..Default::default() };
            assert!(matches!(o.validate(), Err(InvalidOption { name: "max_work_ratio", .. })));
        }
        assert!(IncompleteCholeskyOptions { max_work_ratio: f64::INFINITY, ..Default::default() }.validate().is_ok());
        assert!(IncompleteCholeskyOptions::default().validate().is_ok());
    }

    #[test]
    fn cost_guard_declines_a_dense_pattern_and_keeps_a_sparse_one() {
        // Dense lower triangle, n = 90: sum_j c_j^2 / nnz is about 2n/3 = 59.
        let n = 90;
        let mut entries = Vec::new();
        for j in 0..n {
            for i in j..n {
                entries.push((i, j, if i == j { n as f64 } else { 1.0 / (1.0 + (i - j) as f64) }));
            }
        }
        let dense = lower(n, &entries);
        let guarded = IncompleteCholeskyOptions { max_work_ratio: 30.0, ..Default::default() };
        let mut f = IncompleteCholesky::new(guarded).unwrap();
        match f.factorize(dense.as_ref()) {
            Err(IncompleteCholeskyError::TooCostly { ratio, entries, limit, .. }) => {
                assert!(ratio > 50.0 && ratio < 65.0, "{ratio}");
                assert_eq!(entries, n * (n + 1) / 2);
                assert_eq!(limit, 30.0);
            }
            other => panic!("{other:?}"),
        }
        // Declined again without a new analysis; the same matrix with the default limit works.
        assert!(matches!(f.factorize(dense.as_ref()), Err(IncompleteCholeskyError::TooCostly { .. })));
        assert_eq!(f.analyses(), 1);
        assert_eq!(f.factorizations(), 0);
        assert!(ic(5).factorize(dense.as_ref()).is_ok());
        // A tridiagonal pattern stays far below any sensible limit.
        let mut g = IncompleteCholesky::new(guarded).unwrap();
        assert!(g.factorize(tridiag(200).as_ref()).is_ok());
        assert!(g.work_ratio() < 30.0);
    }

    #[test]
    fn a_shift_that_works_on_the_last_attempt_is_kept() {
        // With the default cap the margin costs one more factorization after the first shift
        // that works; with the cap at that shift's attempt the working factorization is kept
        // (without the margin) instead of being reported as a breakdown.
        let a = laplacian(6, -5.0);
        let info = ic(2).factorize(a.as_ref()).unwrap();
        assert!(info.attempts >= 3, "{info:?}");
        let capped = IncompleteCholeskyOptions { fill: 2, max_attempts: info.attempts - 1, ..Default::default() };
        let mut f = IncompleteCholesky::new(capped).unwrap();
        let kept = f.factorize(a.as_ref()).unwrap();
        assert_eq!(kept.attempts, info.attempts - 1);
        assert!(kept.shift < info.shift && kept.shift > 0.0);
        assert!(f.is_factorized());
    }

    #[test]
    fn reuses_the_analysis() {
        let a = laplacian(5, 0.0);
        let mut f = ic(3);
        f.factorize(a.as_ref()).unwrap();
        let mut b = a.clone();
        b.val_mut().iter_mut().for_each(|v| *v *= 2.0);
        f.factorize(b.as_ref()).unwrap();
        assert_eq!(f.analyses(), 1);
        assert_eq!(f.factorizations(), 2);
        let c = laplacian(4, 0.0);
        f.factorize(c.as_ref()).unwrap();
        assert_eq!(f.analyses(), 2);
    }
}
