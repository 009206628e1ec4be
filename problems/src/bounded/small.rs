//! The fixed-size and small scalable bound-constrained problems of the spec's list.

use super::Entry;

/// The entries of this file, in the spec's order.
pub(super) const ENTRIES: &[Entry] = &[];
