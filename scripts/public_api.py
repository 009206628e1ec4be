#!/usr/bin/env python3
"""List and count the public items of the `trust_region` crate (all features) from rustdoc HTML.

    python3 scripts/public_api.py [--build] [--doc-dir DIR] [--reexports]

With --build it first runs `cargo doc --no-deps --all-features -p trust-region` (into
$CARGO_TARGET_DIR, default ./target). It then reads DIR (default $CARGO_TARGET_DIR/doc/
trust_region) and prints:

* one `kind path` line per public item, sorted by path then kind, for the kinds struct, enum,
  trait, fn, type, constant, static, union, macro, plus `mod` for every public module (a
  module's page is its `index.html`);
* the `pub use` re-exports of every module (with --reexports, or always as a count);
* a count per kind and in total (modules and re-exports counted separately from items).

How re-exports are handled: every item is counted once, at its canonical path. rustdoc writes
a page for an item where it is defined when that module is public, and lists a re-export of it
(`pub use model::Model;` at the crate root) only as a line in the re-exporting module's
"Re-exports" section: those lines are not items. Pages that are only redirects (rustdoc's
`<meta http-equiv="refresh">` stubs) are skipped. When rustdoc inlines an item (a re-export of
an item from a private module, or `#[doc(inline)]`), the item has a page at the re-export's
path; if the same definition (same kind, name and source location) has pages at several
paths, the one whose module matches its source file is kept (else the shortest path), and the
others are counted in the "duplicate pages" line of the summary. Items re-exported from
another crate (`pub use num_dual::Dual64` in `autodiff`) are inlined by rustdoc and counted at
the re-export's path, the only page they have in this crate's docs.

docs/public_api_before.txt was written with `--reexports`; after the restructuring, regenerate
and diff:

    cargo doc --no-deps --all-features -p trust-region
    python3 scripts/public_api.py --reexports > /tmp/after.txt
    diff docs/public_api_before.txt /tmp/after.txt
"""

import argparse
import html
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

CRATE = "trust_region"
PACKAGE = "trust-region"
KINDS = ("struct", "enum", "trait", "fn", "type", "constant", "static", "union", "macro")
PAGE = re.compile(r"^(%s)\.(.+)\.html$" % "|".join(KINDS))
REDIRECT = re.compile(r'<meta\s+http-equiv="refresh"', re.I)
SRC_LINK = re.compile(r'href="([^"]*/src/%s/[^"#]*\.rs\.html)#?([0-9-]*)"' % CRATE)
REEXPORTS = re.compile(r'<h2 id="reexports".*?</h2>(.*?)(?:<h2 |</section>|$)', re.S)
CODE = re.compile(r"<code>(.*?)</code>", re.S)
TAG = re.compile(r"<[^>]+>")


def read(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def module_of_source(src_href):
    """`.../src/trust_region/subproblem/steihaug.rs.html` -> `trust_region::subproblem::steihaug`."""
    rel = src_href.split("/src/%s/" % CRATE, 1)[1][: -len(".rs.html")]
    parts = [p for p in rel.split("/") if p not in ("mod", "lib")]
    return "::".join([CRATE] + parts)


def scan(doc_dir):
    """(items, modules, reexports, duplicates) from the rustdoc output directory of the crate."""
    pages = defaultdict(list)  # (kind, name, source) -> [path]
    modules = []
    reexports = []
    for dirpath, dirnames, filenames in os.walk(doc_dir):
        dirnames.sort()
        rel = os.path.relpath(dirpath, doc_dir)
        module = "::".join([CRATE] + ([] if rel == "." else rel.split(os.sep)))
        for fname in sorted(filenames):
            full = os.path.join(dirpath, fname)
            if fname == "index.html":
                text = read(full)
                if REDIRECT.search(text):
                    continue
                modules.append(module)
                m = REEXPORTS.search(text)
                if m:
                    for code in CODE.findall(m.group(1)):
                        line = " ".join(html.unescape(TAG.sub("", code)).split())
                        if line.startswith("pub use"):
                            reexports.append(f"{module}: {line}")
                continue
            m = PAGE.match(fname)
            if not m:
                continue
            text = read(full)
            if REDIRECT.search(text):
                continue
            kind, name = m.group(1), m.group(2)
            src = SRC_LINK.search(text)
            source = (src.group(1).split("/src/", 1)[1], src.group(2)) if src else None
            key = (kind, name, source) if source else (kind, name, module)
            pages[key].append((module, source))
    items = []
    duplicates = 0
    for (kind, name, _), where in pages.items():
        def rank(entry):
            module, source = entry
            home = source is not None and module_of_source("/src/" + source[0]) == module
            return (not home, len(module), module)

        module, _ = min(where, key=rank)
        duplicates += len(where) - 1
        items.append((kind, f"{module}::{name}"))
    items.sort(key=lambda kp: (kp[1], kp[0]))
    return items, sorted(modules), sorted(reexports), duplicates


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    ap.add_argument("--doc-dir", default=os.path.join(target, "doc", CRATE))
    ap.add_argument("--build", action="store_true", help="run cargo doc first")
    ap.add_argument("--reexports", action="store_true", help="also list the `pub use` lines")
    args = ap.parse_args(argv)
    if args.build:
        cmd = ["cargo", "doc", "--no-deps", "--all-features", "-p", PACKAGE]
        if subprocess.call(cmd) != 0:
            print("public_api: cargo doc failed", file=sys.stderr)
            return 2
    if not os.path.isfile(os.path.join(args.doc_dir, "index.html")):
        print(f"public_api: no rustdoc output in {args.doc_dir} (run with --build)", file=sys.stderr)
        return 2
    items, modules, reexports, duplicates = scan(args.doc_dir)
    lines = [f"mod {m}" for m in modules] + [f"{k} {p}" for k, p in items]
    lines.sort(key=lambda l: (l.split(" ", 1)[1], l.split(" ", 1)[0]))
    print("# public items of %s (cargo doc --no-deps --all-features -p %s)" % (CRATE, PACKAGE))
    for line in lines:
        print(line)
    if args.reexports:
        print()
        print("# re-exports (not counted as items)")
        for r in reexports:
            print(f"reexport {r}")
    counts = Counter(k for k, _ in items)
    print()
    print("# counts")
    for kind in KINDS:
        if counts[kind]:
            print(f"{kind:<9} {counts[kind]:>5}")
    print(f"{'items':<9} {len(items):>5}")
    print(f"{'mod':<9} {len(modules):>5}")
    print(f"{'reexport':<9} {len(reexports):>5}")
    print(f"duplicate pages of one item (not counted): {duplicates}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
