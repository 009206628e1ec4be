//! The layering of `src/`, checked from the source text (std only).
//!
//! Every `.rs` file under `src/` is read, its comments and string / char literals are blanked
//! out, `#[cfg(test)]` items (the `mod tests { ... }` blocks: test code may import anything) are
//! dropped, and the references to crate modules are collected: `use` trees (`use crate::a::b`,
//! `use crate::{a, b::c}`, `use super::x`, `use self::x`, `use child::x` for a child module),
//! and `crate::a::b` / `super::a` / `self::a` paths anywhere in the code. Each reference is
//! mapped to the file that defines the module it names (`src/a.rs` or `src/a/mod.rs`,
//! `src/a/b.rs`, ...), following `use` / `pub use` lines of the module it lands in when the next
//! segment is an imported or re-exported name (so `crate::SetupError` is attributed to
//! `src/error.rs` through `pub use error::SetupError` in `src/lib.rs`, and
//! `crate::subproblem::Steihaug` to `src/subproblem/steihaug.rs`). A name that cannot be
//! followed is attributed to the module's own file.
//!
//! Two rules are asserted, each message listing every violation:
//!
//! 1. no cycle among the files of `src/`, ignoring the edges from `src/lib.rs` and the edges
//!    from a module's file to the files of its own submodules (a parent declares and
//!    re-exports its children);
//! 2. nothing under `src/linalg/` refers to a module outside `src/linalg/` (linear algebra
//!    depends on faer only).
//!
//! `LAYERING_EDGES=1 cargo test --test layering -- --nocapture` prints every file-level edge
//! with the references that make it.
//!
//! The checker is crude on purpose: it does not expand macros, follows no `#[path]`
//! attributes, ignores glob re-exports when following names, and ignores paths in code that
//! start with a bare module name (only `use` trees resolve those).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// A module path from the crate root (`[]` is the root, `["linalg", "fd"]` is `crate::linalg::fd`).
type ModPath = Vec<String>;

/// One reference found in a file, resolved to an absolute path (not yet to a file).
#[derive(Clone, Debug)]
struct Reference {
    line: usize,
    /// The path as written (for the messages).
    text: String,
    /// The absolute path it names, from the crate root.
    path: ModPath,
}

/// What one file contributes.
#[derive(Debug, Default)]
struct Parsed {
    references: Vec<Reference>,
    /// Inline (non-test) modules declared in the file, as absolute module paths.
    inline_modules: Vec<ModPath>,
    /// Names brought into a module by `use` (non-glob), by module: name -> absolute target.
    aliases: BTreeMap<ModPath, BTreeMap<String, ModPath>>,
}

/// The result of a check: the file graph and the violations of both rules.
#[derive(Debug, Default)]
struct Layering {
    /// Edges between files, with the references that make them: (from, to) -> ["line `path`"].
    edges: BTreeMap<(String, String), Vec<String>>,
    /// Rule 1: one entry per strongly connected component of more than one file.
    cycles: Vec<String>,
    /// Rule 2: one entry per reference from `src/linalg/` to a file outside it.
    linalg: Vec<String>,
}

impl Layering {
    fn violations(&self) -> usize {
        self.cycles.len() + self.linalg.len()
    }
}

// ---------------------------------------------------------------------------------------------
// Blanking comments and literals
// ---------------------------------------------------------------------------------------------

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The source with comments and the contents of string, byte-string, raw-string and char
/// literals replaced by spaces (newlines kept, so line numbers stay valid).
fn blank_comments_and_literals(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let n = c.len();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, s: &[char]| {
        for &ch in s {
            out.push(if ch == '\n' { '\n' } else { ' ' });
        }
    };
    let mut i = 0;
    while i < n {
        let ch = c[i];
        let next = if i + 1 < n { c[i + 1] } else { '\0' };
        if ch == '/' && next == '/' {
            let mut j = i;
            while j < n && c[j] != '\n' {
                j += 1;
            }
            blank(&mut out, &c[i..j]);
            i = j;
        } else if ch == '/' && next == '*' {
            let mut depth = 0usize;
            let mut j = i;
            while j < n {
                if c[j] == '/' && j + 1 < n && c[j + 1] == '*' {
                    depth += 1;
                    j += 2;
                } else if c[j] == '*' && j + 1 < n && c[j + 1] == '/' {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, &c[i..j.min(n)]);
            i = j.min(n);
        } else if ch == '"' {
            let j = end_of_string(&c, i + 1);
            blank(&mut out, &c[i..j]);
            i = j;
        } else if ch == '\'' {
            // A char literal ('x', '\n', '\u{..}', '\''), else a lifetime or a label.
            if next == '\\' {
                let mut j = i + 3;
                while j < n && c[j] != '\'' {
                    j += 1;
                }
                let j = (j + 1).min(n);
                blank(&mut out, &c[i..j]);
                i = j;
            } else if i + 2 < n && c[i + 2] == '\'' {
                blank(&mut out, &c[i..i + 3]);
                i += 3;
            } else {
                out.push(ch);
                i += 1;
            }
        } else if is_ident_char(ch) && (i == 0 || !is_ident_char(c[i - 1])) {
            let mut j = i;
            while j < n && is_ident_char(c[j]) {
                j += 1;
            }
            let word: String = c[i..j].iter().collect();
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            let plain = matches!(word.as_str(), "b" | "c");
            if raw && j < n && (c[j] == '"' || c[j] == '#') {
                let mut k = j;
                while k < n && c[k] == '#' {
                    k += 1;
                }
                if k < n && c[k] == '"' {
                    let hashes = k - j;
                    let mut e = k + 1;
                    while e < n && !(c[e] == '"' && (e + 1..=e + hashes).all(|h| h < n && c[h] == '#')) {
                        e += 1;
                    }
                    let e = (e + 1 + hashes).min(n);
                    blank(&mut out, &c[i..e]);
                    i = e;
                    continue;
                }
            }
            if plain && j < n && c[j] == '"' {
                let e = end_of_string(&c, j + 1);
                blank(&mut out, &c[i..e]);
                i = e;
                continue;
            }
            out.push_str(&word);
            i = j;
        } else {
            out.push(ch);
            i += 1;
        }
    }
    out
}

/// The index just past the closing quote of a string whose contents start at `start`.
fn end_of_string(c: &[char], start: usize) -> usize {
    let mut j = start;
    while j < c.len() {
        match c[j] {
            '\\' => j += 2,
            '"' => return j + 1,
            _ => j += 1,
        }
    }
    c.len()
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

fn tokenize(clean: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = clean.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if is_ident_char(ch) {
            let mut j = i;
            while j < c.len() && is_ident_char(c[j]) {
                j += 1;
            }
            let word: String = c[i..j].iter().collect();
            toks.push((Tok::Ident(word), line));
            i = j;
        } else if ch == ':' && i + 1 < c.len() && c[i + 1] == ':' {
            toks.push((Tok::PathSep, line));
            i += 2;
        } else {
            toks.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    toks
}

fn is_ident(t: Option<&(Tok, usize)>, name: &str) -> bool {
    matches!(t, Some((Tok::Ident(w), _)) if w == name)
}

fn is_punct(t: Option<&(Tok, usize)>, p: char) -> bool {
    matches!(t, Some((Tok::Punct(q), _)) if *q == p)
}

/// The tokens without the items marked `#[cfg(test)]` (or `#[cfg(all(test, ...))]`, not
/// `cfg(not(test))` nor `cfg(any(...))`). A file with `#![cfg(test)]` yields no tokens.
fn drop_test_items(toks: Vec<(Tok, usize)>) -> Vec<(Tok, usize)> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if is_punct(toks.get(i), '#') {
            let inner = is_punct(toks.get(i + 1), '!');
            let open = if inner { i + 2 } else { i + 1 };
            if is_punct(toks.get(open), '[') {
                let close = matching(&toks, open);
                let body = &toks[open + 1..close.min(toks.len())];
                let names: Vec<&str> = body
                    .iter()
                    .filter_map(|(t, _)| if let Tok::Ident(w) = t { Some(w.as_str()) } else { None })
                    .collect();
                let cfg_test = names.first() == Some(&"cfg")
                    && names.contains(&"test")
                    && !names.contains(&"not")
                    && !names.contains(&"any");
                if cfg_test {
                    if inner {
                        return Vec::new();
                    }
                    i = skip_item(&toks, close + 1);
                    continue;
                }
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// The index of the bracket closing the one at `open` (`(`, `[` or `{`), or `toks.len()`.
fn matching(toks: &[(Tok, usize)], open: usize) -> usize {
    let mut depth = 0i64;
    for (k, (t, _)) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// The index just past the item starting at `start` (after its attributes): past the first
/// `;` at depth 0, or past the first `{ ... }` block at depth 0.
fn skip_item(toks: &[(Tok, usize)], start: usize) -> usize {
    let mut k = start;
    while k < toks.len() {
        match &toks[k].0 {
            Tok::Punct('#') => {
                let open = if is_punct(toks.get(k + 1), '!') { k + 2 } else { k + 1 };
                k = matching(toks, open) + 1;
            }
            Tok::Punct('(' | '[') => k = matching(toks, k) + 1,
            Tok::Punct('{') => return matching(toks, k) + 1,
            Tok::Punct(';') => return k + 1,
            _ => k += 1,
        }
    }
    toks.len()
}

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

/// One leaf of a `use` tree: the path as written, and the name it binds (`None` for a glob
/// or `as _`).
struct UseLeaf {
    segs: Vec<String>,
    name: Option<String>,
}

fn parse_use_tree(toks: &[(Tok, usize)], i: &mut usize, prefix: Vec<String>, out: &mut Vec<UseLeaf>) {
    if is_punct(toks.get(*i), '{') {
        *i += 1;
        while *i < toks.len() && !is_punct(toks.get(*i), '}') {
            let before = *i;
            parse_use_tree(toks, i, prefix.clone(), out);
            if is_punct(toks.get(*i), ',') {
                *i += 1;
            } else if *i == before {
                *i += 1; // something unexpected: do not loop forever
            }
        }
        *i += 1;
        return;
    }
    if is_punct(toks.get(*i), '*') {
        *i += 1;
        out.push(UseLeaf { segs: prefix, name: None });
        return;
    }
    let mut segs = prefix;
    if matches!(toks.get(*i), Some((Tok::PathSep, _))) {
        *i += 1; // `use ::extern_crate::...`
        segs.push("::".to_string());
    }
    while let Some((Tok::Ident(w), _)) = toks.get(*i) {
        segs.push(w.clone());
        *i += 1;
        if !matches!(toks.get(*i), Some((Tok::PathSep, _))) {
            break;
        }
        *i += 1;
        if is_punct(toks.get(*i), '{') || is_punct(toks.get(*i), '*') {
            parse_use_tree(toks, i, segs, out);
            return;
        }
    }
    let mut name = segs.last().cloned();
    if segs.last().map(String::as_str) == Some("self") {
        segs.pop();
        name = segs.last().cloned();
    }
    if is_ident(toks.get(*i), "as") {
        name = match toks.get(*i + 1) {
            Some((Tok::Ident(w), _)) if w != "_" => Some(w.clone()),
            _ => None,
        };
        *i += 2;
    }
    if !segs.is_empty() {
        out.push(UseLeaf { segs, name });
    }
}

/// The absolute path of `segs` written in module `here`, if it starts with `crate`, `super`
/// or `self` (`None` otherwise).
fn absolute(here: &[String], segs: &[String]) -> Option<ModPath> {
    let first = segs.first()?;
    match first.as_str() {
        "crate" => Some(segs[1..].to_vec()),
        "self" => Some(here.iter().chain(&segs[1..]).cloned().collect()),
        "super" => {
            let mut base = here.to_vec();
            let mut k = 0;
            while segs.get(k).map(String::as_str) == Some("super") {
                base.pop()?;
                k += 1;
            }
            base.extend(segs[k..].iter().cloned());
            Some(base)
        }
        _ => None,
    }
}

/// The references, inline modules and `use` aliases of one file, given its module path.
fn parse_file(module: &[String], src: &str) -> Parsed {
    let toks = drop_test_items(tokenize(&blank_comments_and_literals(src)));
    let mut parsed = Parsed::default();
    // Inline module scopes: (name, brace depth inside the module).
    let mut scopes: Vec<(String, i64)> = Vec::new();
    let mut depth = 0i64;
    let mut i = 0;
    let here = |scopes: &[(String, i64)]| -> ModPath {
        module.iter().cloned().chain(scopes.iter().map(|(n, _)| n.clone())).collect()
    };
    // Bare `use` paths are resolved after the file is read (a `mod x;` may follow the `use`).
    let mut bare: Vec<(ModPath, UseLeaf, usize)> = Vec::new();
    let mut declared: BTreeSet<ModPath> = BTreeSet::new();
    while i < toks.len() {
        let (tok, line) = (&toks[i].0, toks[i].1);
        match tok {
            Tok::Punct('{') => {
                depth += 1;
                i += 1;
            }
            Tok::Punct('}') => {
                if scopes.last().is_some_and(|&(_, d)| d == depth) {
                    scopes.pop();
                }
                depth -= 1;
                i += 1;
            }
            Tok::Ident(w) if w == "mod" => {
                if let Some((Tok::Ident(name), _)) = toks.get(i + 1) {
                    let mut path = here(&scopes);
                    path.push(name.clone());
                    declared.insert(path.clone());
                    if is_punct(toks.get(i + 2), '{') {
                        parsed.inline_modules.push(path);
                        depth += 1;
                        scopes.push((name.clone(), depth));
                        i += 3;
                        continue;
                    }
                }
                i += 1;
            }
            Tok::Ident(w) if w == "use" => {
                let at = here(&scopes);
                i += 1;
                let mut leaves = Vec::new();
                parse_use_tree(&toks, &mut i, Vec::new(), &mut leaves);
                for leaf in leaves {
                    match absolute(&at, &leaf.segs) {
                        Some(abs) => {
                            if let Some(name) = &leaf.name {
                                parsed.aliases.entry(at.clone()).or_default().insert(name.clone(), abs.clone());
                            }
                            parsed.references.push(Reference { line, text: leaf.segs.join("::"), path: abs });
                        }
                        None if leaf.segs[0] != "::" => bare.push((at.clone(), leaf, line)),
                        None => {}
                    }
                }
            }
            Tok::Ident(w)
                if matches!(w.as_str(), "crate" | "super" | "self")
                    && matches!(toks.get(i + 1), Some((Tok::PathSep, _)))
                    && !matches!(i.checked_sub(1).and_then(|k| toks.get(k)), Some((Tok::PathSep, _))) =>
            {
                let mut segs = vec![w.clone()];
                i += 1;
                while matches!(toks.get(i), Some((Tok::PathSep, _))) {
                    match toks.get(i + 1) {
                        Some((Tok::Ident(s), _)) => {
                            segs.push(s.clone());
                            i += 2;
                        }
                        _ => break,
                    }
                }
                if let Some(abs) = absolute(&here(&scopes), &segs) {
                    parsed.references.push(Reference { line, text: segs.join("::"), path: abs });
                }
            }
            _ => i += 1,
        }
    }
    // `use child::x` (a declared submodule) or `use name::x` for a name imported into the
    // module: relative to the module; anything else is an external crate.
    for (at, leaf, line) in bare {
        let mut child = at.clone();
        child.push(leaf.segs[0].clone());
        let imported = parsed.aliases.get(&at).is_some_and(|a| a.contains_key(&leaf.segs[0]));
        if declared.contains(&child) || imported {
            let abs: ModPath = at.iter().chain(&leaf.segs).cloned().collect();
            if let Some(name) = &leaf.name {
                parsed.aliases.entry(at.clone()).or_default().insert(name.clone(), abs.clone());
            }
            parsed.references.push(Reference { line, text: leaf.segs.join("::"), path: abs });
        }
    }
    parsed
}

// ---------------------------------------------------------------------------------------------
// The graph and the rules
// ---------------------------------------------------------------------------------------------

/// The module path of a file given relative to `src/` (`lib.rs`, `a.rs`, `a/mod.rs`, `a/b.rs`).
fn module_of(rel: &str) -> ModPath {
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] {
        parts.pop();
    }
    parts
}

/// The file (relative to `src/`) that defines the item or module `path` names.
fn resolve(
    path: &[String],
    files: &BTreeMap<ModPath, String>,
    aliases: &BTreeMap<ModPath, BTreeMap<String, ModPath>>,
) -> String {
    let mut path = path.to_vec();
    for _ in 0..32 {
        let k = (0..=path.len()).rev().find(|&k| files.contains_key(&path[..k])).unwrap_or(0);
        let module = &path[..k];
        if let Some(next) = path.get(k) {
            if let Some(target) = aliases.get(module).and_then(|a| a.get(next)) {
                let followed: ModPath = target.iter().chain(&path[k + 1..]).cloned().collect();
                if followed != path {
                    path = followed;
                    continue;
                }
            }
        }
        return files[module].clone();
    }
    files[&Vec::new()].clone()
}

/// Checks the layering of a crate given as (path relative to `src/`, source) pairs.
fn check(sources: &[(String, String)]) -> Layering {
    let mut files: BTreeMap<ModPath, String> = BTreeMap::new();
    for (rel, _) in sources {
        files.insert(module_of(rel), rel.clone());
    }
    files.entry(Vec::new()).or_insert_with(|| "lib.rs".to_string());
    let mut parsed = Vec::new();
    let mut aliases: BTreeMap<ModPath, BTreeMap<String, ModPath>> = BTreeMap::new();
    for (rel, src) in sources {
        let p = parse_file(&module_of(rel), src);
        for m in &p.inline_modules {
            files.entry(m.clone()).or_insert_with(|| rel.clone());
        }
        for (m, a) in &p.aliases {
            aliases.entry(m.clone()).or_default().extend(a.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        parsed.push((rel.clone(), p));
    }

    let mut result = Layering::default();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, p) in &parsed {
        let from_mod = module_of(rel);
        for r in &p.references {
            let to = resolve(&r.path, &files, &aliases);
            if &to == rel {
                continue;
            }
            let evidence = format!("src/{rel}:{} `{}`", r.line, r.text);
            let from_linalg = from_mod.first().is_some_and(|m| m == "linalg");
            let to_linalg = module_of(&to).first().is_some_and(|m| m == "linalg");
            if from_linalg && !to_linalg {
                result.linalg.push(format!("{evidence} refers to src/{to}, outside src/linalg/"));
            }
            result.edges.entry((rel.clone(), to.clone())).or_default().push(evidence);
            let to_mod = module_of(&to);
            let into_own_submodule = to_mod.len() > from_mod.len() && to_mod.starts_with(&from_mod);
            if from_mod.is_empty() || to_mod.is_empty() || into_own_submodule {
                continue;
            }
            graph.entry(rel.clone()).or_default().insert(to);
        }
    }

    for scc in strongly_connected(&graph) {
        if scc.len() < 2 {
            continue;
        }
        let members: BTreeSet<&String> = scc.iter().collect();
        let mut msg = format!(
            "cycle among {} files: {}\n    e.g. {}",
            scc.len(),
            scc.iter().map(|f| format!("src/{f}")).collect::<Vec<_>>().join(", "),
            one_cycle(&graph, &members).iter().map(|f| format!("src/{f}")).collect::<Vec<_>>().join(" -> ")
        );
        for from in &scc {
            for to in graph.get(from).into_iter().flatten().filter(|t| members.contains(t)) {
                let ev = &result.edges[&(from.clone(), to.clone())];
                let _ = write!(msg, "\n    src/{from} -> src/{to}: {}", ev.join(", "));
            }
        }
        result.cycles.push(msg);
    }
    result
}

/// Tarjan's strongly connected components, each sorted, in a deterministic order.
fn strongly_connected(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let k = s.index.len();
        s.index.insert(v, k);
        s.low.insert(v, k);
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            comp.sort();
            s.out.push(comp);
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    let nodes: BTreeSet<&str> =
        graph.iter().flat_map(|(k, vs)| std::iter::once(k.as_str()).chain(vs.iter().map(String::as_str))).collect();
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

/// One shortest cycle through the first member of a strongly connected component.
fn one_cycle(graph: &BTreeMap<String, BTreeSet<String>>, members: &BTreeSet<&String>) -> Vec<String> {
    let start = members.iter().next().map(|s| s.to_string()).unwrap_or_default();
    let mut prev: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start.clone()]);
    while let Some(v) = queue.pop_front() {
        for w in graph.get(&v).into_iter().flatten().filter(|w| members.contains(w)) {
            if *w == start {
                let mut path = vec![start.clone(), v.clone()];
                let mut cur = v.clone();
                while let Some(p) = prev.get(&cur) {
                    path.push(p.clone());
                    cur = p.clone();
                }
                if path.last() != Some(&start) {
                    path.push(start.clone());
                }
                path.reverse();
                path.dedup();
                return path;
            }
            if !prev.contains_key(w) && *w != start {
                prev.insert(w.clone(), v.clone());
                queue.push_back(w.clone());
            }
        }
    }
    vec![start]
}

/// Every `.rs` file under `dir`, as (path relative to `root`, contents), sorted.
fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())).flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            out.push((rel, text));
        }
    }
}

#[test]
fn src_has_no_import_cycle_and_linalg_depends_on_nothing_else() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    read_tree(&src, &src, &mut sources);
    assert!(sources.iter().any(|(rel, _)| rel == "lib.rs"), "src/lib.rs not found under {}", src.display());
    let report = check(&sources);
    let mut msg = String::new();
    if !report.cycles.is_empty() {
        let _ = writeln!(msg, "rule 1, no import cycle among the files of src/: {} violation(s)", report.cycles.len());
        for c in &report.cycles {
            let _ = writeln!(msg, "  {c}");
        }
    }
    if !report.linalg.is_empty() {
        let _ = writeln!(
            msg,
            "rule 2, src/linalg/ refers to nothing outside src/linalg/: {} violation(s)",
            report.linalg.len()
        );
        for l in &report.linalg {
            let _ = writeln!(msg, "  {l}");
        }
    }
    eprintln!("{} files, {} file-level edges; {} violation(s)", sources.len(), report.edges.len(), report.violations());
    if std::env::var_os("LAYERING_EDGES").is_some() {
        for ((from, to), evidence) in &report.edges {
            eprintln!("src/{from} -> src/{to}: {}", evidence.join(", "));
        }
    }
    assert!(msg.is_empty(), "layering violations in src/:\n{msg}");
}

/// The checker on small in-memory crates.
mod checker {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files.iter().map(|(p, s)| (p.to_string(), s.to_string())).collect()
    }

    #[test]
    fn a_clean_tree_passes() {
        let r = check(&crate_of(&[
            ("lib.rs", "pub mod linalg;\npub mod model;\npub mod solver;\npub use model::Model;\n"),
            ("linalg/mod.rs", "pub mod dense;\npub use dense::Chol;\npub fn dot() {}\n"),
            ("linalg/dense.rs", "use super::dot;\nuse crate::linalg::{self, dot as d};\npub struct Chol;\n"),
            ("model.rs", "use crate::linalg::{dense::Chol, dot};\npub struct Model;\n"),
            ("solver/mod.rs", "pub mod tr;\npub use tr::Tr;\nuse crate::Model;\n"),
            ("solver/tr.rs", "use super::super::model::Model;\nuse crate::linalg::Chol;\npub struct Tr;\n"),
        ]));
        assert_eq!(r.violations(), 0, "{r:#?}");
        // `crate::linalg::Chol` was followed through `pub use dense::Chol` to its file.
        assert!(r.edges.contains_key(&("solver/tr.rs".into(), "linalg/dense.rs".into())), "{:?}", r.edges.keys());
        // `crate::Model` was followed through the crate root's `pub use`.
        assert!(r.edges.contains_key(&("solver/mod.rs".into(), "model.rs".into())), "{:?}", r.edges.keys());
    }

    #[test]
    fn a_two_file_cycle_is_reported_with_its_references() {
        let r = check(&crate_of(&[
            ("lib.rs", "pub mod model;\npub mod subproblem;\n"),
            ("model.rs", "use crate::subproblem::Needs;\npub trait Model {}\n"),
            ("subproblem/mod.rs", "pub mod cg;\npub struct Needs;\npub use cg::Cg;\nuse crate::model::Model;\n"),
            ("subproblem/cg.rs", "pub struct Cg;\nfn f<M: crate::model::Model>() {}\n"),
        ]));
        assert_eq!(r.cycles.len(), 1, "{r:#?}");
        let c = &r.cycles[0];
        assert!(c.starts_with("cycle among 2 files: src/model.rs, src/subproblem/mod.rs\n"), "{c}");
        assert!(c.contains("src/model.rs -> src/subproblem/mod.rs: src/model.rs:1 `crate::subproblem::Needs`"), "{c}");
        assert!(
            c.contains("src/subproblem/mod.rs -> src/model.rs: src/subproblem/mod.rs:4 `crate::model::Model`"),
            "{c}"
        );

        let r = check(&crate_of(&[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            ("a.rs", "use crate::b::B;\npub struct A;\n"),
            ("b.rs", "pub struct B;\n/// crate::a::A in a doc comment\nfn f() -> super::a::A { todo!() }\n"),
        ]));
        assert_eq!(r.cycles.len(), 1, "{r:#?}");
        assert!(r.cycles[0].contains("src/a.rs -> src/b.rs: src/a.rs:1 `crate::b::B`"), "{}", r.cycles[0]);
        assert!(r.cycles[0].contains("src/b.rs -> src/a.rs: src/b.rs:3 `super::a::A`"), "{}", r.cycles[0]);
        assert!(r.cycles[0].contains("e.g. src/a.rs -> src/b.rs -> src/a.rs"), "{}", r.cycles[0]);
    }

    #[test]
    fn a_parent_and_its_children_are_not_a_cycle() {
        let r = check(&crate_of(&[
            ("lib.rs", "pub mod subproblem;\n"),
            ("subproblem/mod.rs", "pub mod cg;\npub use cg::Cg;\npub struct Needs;\n"),
            ("subproblem/cg.rs", "use super::Needs;\npub struct Cg;\n"),
        ]));
        assert_eq!(r.violations(), 0, "{r:#?}");
    }

    #[test]
    fn linalg_importing_the_problem_is_reported() {
        let r = check(&crate_of(&[
            ("lib.rs", "pub mod error;\npub mod linalg;\npub mod problem;\npub use error::SetupError;\n"),
            ("error.rs", "pub struct SetupError;\n"),
            ("problem.rs", "pub struct Bounds;\n"),
            ("linalg/mod.rs", "pub mod fd;\npub mod ichol;\n"),
            ("linalg/fd.rs", "use crate::problem::{Bounds};\nuse super::ichol::Ic;\n"),
            ("linalg/ichol.rs", "pub struct Ic;\nfn f() -> Result<(), crate::SetupError> { Ok(()) }\n"),
        ]));
        assert_eq!(r.cycles.len(), 0, "{r:#?}");
        assert_eq!(
            r.linalg,
            vec![
                "src/linalg/fd.rs:1 `crate::problem::Bounds` refers to src/problem.rs, outside src/linalg/".to_string(),
                "src/linalg/ichol.rs:2 `crate::SetupError` refers to src/error.rs, outside src/linalg/".to_string(),
            ]
        );
    }

    #[test]
    fn test_modules_comments_and_strings_are_ignored() {
        let r = check(&crate_of(&[
            ("lib.rs", "pub mod linalg;\npub mod problem;\n"),
            ("problem.rs", "pub struct P;\n"),
            (
                "linalg/mod.rs",
                concat!(
                    "// use crate::problem::P;\n",
                    "/* crate::problem /* nested */ crate::problem::P */\n",
                    "const S: &str = \"crate::problem::P\";\n",
                    "const R: &str = r#\"crate::problem::P \"quoted\" \"#;\n",
                    "const C: char = '\"'; fn f<'a>(x: &'a str) -> &'a str { x }\n",
                    "#[cfg(test)]\nmod tests {\n    use crate::problem::P;\n    fn g() { let _ = crate::problem::P; }\n}\n",
                    "#[cfg(not(test))]\nfn h() {}\n",
                ),
            ),
        ]));
        assert_eq!(r.violations(), 0, "{r:#?}");
        assert!(r.edges.is_empty(), "{:?}", r.edges);
    }

    #[test]
    fn inline_modules_resolve_super_from_their_own_scope() {
        let r = check(&crate_of(&[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            ("a.rs", "pub mod inner {\n    use super::super::b::B;\n}\npub struct A;\n"),
            ("b.rs", "pub struct B;\n"),
        ]));
        assert!(r.edges.contains_key(&("a.rs".into(), "b.rs".into())), "{:?}", r.edges.keys());
    }
}
