//! No file imports the file that imports it: within every crate, the graph of
//! "file A names an item of module B" has no cycle. A rule file that reaches
//! back into its driver, or a context in `map/mod.rs` that the family files
//! it lists import, is such a cycle. The crate root (`lib.rs`, `main.rs`) is
//! the facade that declares and re-exports modules, so it is left out; a
//! module declaration (`mod x;`) is not an import.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module of one crate: its path from the crate root and its file.
struct Module {
    path: Vec<String>,
    file: PathBuf,
    /// Child modules declared in it (inline `mod x { .. }` ones included).
    children: BTreeSet<String>,
}

/// The source with comments, string and char literals blanked out.
fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'r'
            && matches!(b.get(i + 1), Some(b'"') | Some(b'#'))
            && (i == 0 || !is_ident(b[i - 1]))
        {
            // raw string r"..", r#".."#
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == b'"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&b'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            out.push_str("' '");
            i += 3;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            // '\n', '\u{..}'
            let mut j = i + 2;
            while j < b.len() && b[j] != b'\'' {
                j += 1;
            }
            out.push_str("' '");
            i = j + 1;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `mod x;` and `mod x {` declarations: (name, inline).
fn declared_mods(src: &str) -> Vec<(String, bool)> {
    let words: Vec<&str> = src
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for k in 0..words.len().saturating_sub(1) {
        if words[k] == "mod" {
            let next = words[k + 1];
            let name: String = next
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                continue;
            }
            let rest = &next[name.len()..];
            let inline = if rest.is_empty() {
                words.get(k + 2).is_some_and(|w| w.starts_with('{'))
            } else {
                rest.starts_with('{')
            };
            out.push((name, inline));
        }
    }
    out
}

/// Walks `mod` declarations from a crate root file.
fn collect(file: &Path, path: Vec<String>, out: &mut Vec<Module>) {
    let Ok(src) = std::fs::read_to_string(file) else {
        return;
    };
    let src = strip(&src);
    let decls = declared_mods(&src);
    let dir = match file.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs" | "main.rs" | "mod.rs") => file.parent().map(Path::to_path_buf),
        _ => file
            .parent()
            .map(|p| p.join(file.file_stem().unwrap_or_default())),
    }
    .unwrap_or_default();
    out.push(Module {
        path: path.clone(),
        file: file.to_path_buf(),
        children: decls.iter().map(|(n, _)| n.clone()).collect(),
    });
    for (name, inline) in decls {
        if inline {
            continue;
        }
        let mut child = path.clone();
        child.push(name.clone());
        let a = dir.join(format!("{name}.rs"));
        let b = dir.join(&name).join("mod.rs");
        if a.exists() {
            collect(&a, child, out);
        } else if b.exists() {
            collect(&b, child, out);
        }
    }
}

/// Paths a source names: `crate::..`, `super::..`, `self::..` and paths
/// through its own child modules, with `{..}` groups expanded. Each is
/// resolved to an absolute module path (segments after it are item names).
fn referenced_paths(src: &str, here: &[String], children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    // Inline modules (`mod tests { .. }`): paths inside resolve from them, so
    // a test module's `super::*` names its own file's module.
    let mut path: Vec<String> = here.to_vec();
    let mut inline_opened_at: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        if is_ident(b[i]) && (i == 0 || (!is_ident(b[i - 1]) && !src[..i].ends_with("::"))) {
            let start = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            let word = &src[start..i];
            if word == "mod" {
                let rest = src[i..].trim_start();
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && rest[name.len()..].trim_start().starts_with('{') {
                    path.push(name);
                    inline_opened_at.push(depth + 1);
                }
                continue;
            }
            if !src[i..].starts_with("::") {
                continue;
            }
            let inline = path.len() > here.len();
            let base: Option<Vec<String>> = match word {
                "crate" => Some(Vec::new()),
                "self" => Some(path.clone()),
                "super" => Some(path[..path.len().saturating_sub(1)].to_vec()),
                w if !inline && children.contains(w) => {
                    let mut p = path.clone();
                    p.push(w.to_string());
                    Some(p)
                }
                _ => None,
            };
            if let Some(base) = base {
                i = expand(src, i, base, &mut out);
            }
        } else {
            match b[i] {
                b'{' => depth += 1,
                b'}' => {
                    if inline_opened_at.last() == Some(&depth) {
                        inline_opened_at.pop();
                        path.pop();
                    }
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// Reads `::a::b`, `::{x, y::z}` after a path prefix; returns the end.
fn expand(src: &str, mut i: usize, mut path: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let b = src.as_bytes();
    loop {
        if !src[i..].starts_with("::") {
            out.push(path);
            return i;
        }
        i += 2;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) == Some(&b'{') {
            i += 1;
            loop {
                while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
                    i += 1;
                }
                if i >= b.len() || b[i] == b'}' {
                    return i + 1;
                }
                let start = i;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                if start == i {
                    // `*` or something unexpected: skip it.
                    i += 1;
                    continue;
                }
                let word = &src[start..i];
                let mut p = path.clone();
                match word {
                    "self" => {}
                    "super" => {
                        p.pop();
                    }
                    w => p.push(w.to_string()),
                }
                i = expand(src, i, p, out);
                // skip `as name`
                while i < b.len() && b[i] != b',' && b[i] != b'}' {
                    i += 1;
                }
            }
        }
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        if start == i {
            out.push(path);
            return i;
        }
        let word = &src[start..i];
        if word == "super" {
            path.pop();
        } else {
            path.push(word.to_string());
        }
    }
}

/// The file-level import cycles of the crate rooted at `root` (each cycle
/// as its files, one strongly connected component of two or more).
fn cycles(root: &Path) -> Vec<Vec<String>> {
    let mut modules = Vec::new();
    collect(root, Vec::new(), &mut modules);
    let by_path: BTreeMap<Vec<String>, usize> = modules
        .iter()
        .enumerate()
        .map(|(k, m)| (m.path.clone(), k))
        .collect();
    // Inline modules share their file: resolve to the module that owns a file.
    let mut edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); modules.len()];
    for (k, m) in modules.iter().enumerate() {
        if m.path.is_empty() {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&m.file) else {
            continue;
        };
        let src = strip(&src);
        for p in referenced_paths(&src, &m.path, &m.children) {
            let target = (0..=p.len())
                .rev()
                .find_map(|n| by_path.get(&p[..n]).copied());
            if let Some(t) = target
                && t != k
                && !modules[t].path.is_empty()
                && modules[t].file != m.file
            {
                edges[k].insert(t);
            }
        }
    }
    // Tarjan's strongly connected components.
    struct St<'a> {
        edges: &'a [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut St, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on[v] = true;
        for &w in s.edges[v].clone().iter() {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on[w] => s.low[v] = s.low[v].min(iw),
                _ => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                s.out.push(comp);
            }
        }
    }
    let n = modules.len();
    let mut st = St {
        edges: &edges,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if st.index[v].is_none() {
            visit(&mut st, v);
        }
    }
    st.out
        .iter()
        .map(|c| {
            let mut files: Vec<String> = c
                .iter()
                .map(|&k| modules[k].file.display().to_string())
                .collect();
            files.sort();
            files
        })
        .collect()
}

/// Every crate root of the workspace.
fn crate_roots() -> Vec<PathBuf> {
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut roots = vec![top.join("src/lib.rs"), top.join("src/main.rs")];
    if let Ok(dir) = std::fs::read_dir(top.join("crates")) {
        let mut crates: Vec<PathBuf> = dir.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        crates.sort();
        roots.extend(crates.into_iter().map(|c| c.join("src/lib.rs")));
    }
    roots.into_iter().filter(|r| r.exists()).collect()
}

#[test]
fn no_file_imports_its_importer() {
    let mut found = Vec::new();
    for root in crate_roots() {
        for c in cycles(&root) {
            found.push(c.join(" <-> "));
        }
    }
    assert!(
        found.is_empty(),
        "{} import cycles between files:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_checker_sees_a_cycle_and_a_clean_tree() {
    let dir = std::env::temp_dir().join(format!("o2l-layering-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("map")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod driver;\nmod map;\n").unwrap();
    std::fs::write(
        src.join("map/mod.rs"),
        "mod control;\npub struct Ctx;\npub fn rules() { control::RULES; }\n",
    )
    .unwrap();
    // control.rs reaches back into its driver and into map/mod.rs.
    std::fs::write(
        src.join("map/control.rs"),
        "use super::Ctx; // \"crate::driver\" in a comment is no import\nfn f() { crate::driver::walk(); }\n",
    )
    .unwrap();
    std::fs::write(src.join("driver.rs"), "use crate::map::{self, Ctx};\n").unwrap();
    let found = cycles(&src.join("lib.rs"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].len(), 3, "{found:?}");
    // Break it: the context in its own file, the walk behind a trait.
    std::fs::write(
        src.join("map/mod.rs"),
        "mod control;\npub mod ctx;\npub fn rules() { control::RULES; }\n",
    )
    .unwrap();
    std::fs::write(src.join("map/ctx.rs"), "pub trait Walk {}\n").unwrap();
    // A test module's `super::*` names its own file, not the parent module.
    std::fs::write(
        src.join("map/control.rs"),
        "use super::ctx::Walk;\n#[cfg(test)]\nmod tests {\n    use super::*;\n    fn t() { super::helper(); }\n}\n",
    )
    .unwrap();
    assert_eq!(cycles(&src.join("lib.rs")), Vec::<Vec<String>>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The public API (`onnx2linalg::*` and the canonical types it re-exports)
/// names no ndarray, melior or prost type: they are implementation choices
/// that callers should not have to depend on (docs/library.md).
#[test]
fn public_api_names_no_ndarray_melior_or_prost_type() {
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut stack = vec![top.join("crates/o2l-canon/src"), top.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                files.push(p);
            }
        }
    }
    let forbidden = ["ndarray", "ArrayD", "IxDyn", "melior", "prost", "HostArray"];
    let mut leaks = Vec::new();
    for f in files {
        let src = strip(&std::fs::read_to_string(&f).unwrap());
        // Test modules are not API.
        let src = src.split("#[cfg(test)]").next().unwrap_or_default();
        let lines: Vec<&str> = src.lines().collect();
        for (k, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            if !t.starts_with("pub ") {
                continue;
            }
            // The item's signature: up to its body or its end.
            let mut sig = String::new();
            for l in &lines[k..] {
                sig.push_str(l);
                if l.contains('{') || l.contains(';') {
                    break;
                }
            }
            let sig = sig.split('{').next().unwrap_or_default();
            if let Some(word) = forbidden.iter().find(|w| sig.contains(*w)) {
                leaks.push(format!("{}:{}: {word}: {}", f.display(), k + 1, t));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "public items naming {forbidden:?}:\n{}",
        leaks.join("\n")
    );
}
