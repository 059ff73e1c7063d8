//! Embeds the shipped workflow catalogue (the repository's `workflows/` directory: its `*.toml`
//! files and `templates/*.j2`) into the crate, so `postroom serve` needs no files on disk. The
//! list is generated as `(path inside the catalogue, include_str!(file))` pairs; the same files
//! `Source::dir` would read, so the built-in catalogue is exactly that directory loaded.

use std::{
    env,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut found: Vec<PathBuf> = entries
        .map(|e| e.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())).path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect();
    found.sort();
    found
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|e| panic!("CARGO_MANIFEST_DIR: {e}")));
    let dir = manifest.join("../../workflows");
    let dir = dir.canonicalize().unwrap_or_else(|e| panic!("the workflow catalogue {} is missing: {e}", dir.display()));
    // A directory here is scanned recursively for changes, added files included.
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut out = String::from("&[\n");
    let templates = dir.join("templates");
    let mut all: Vec<(String, PathBuf)> = Vec::new();
    for path in files(&dir, "toml") {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_else(|| panic!("{}: not UTF-8", path.display()));
        all.push((name.to_owned(), path.clone()));
    }
    if templates.is_dir() {
        for path in files(&templates, "j2") {
            let name =
                path.file_name().and_then(|n| n.to_str()).unwrap_or_else(|| panic!("{}: not UTF-8", path.display()));
            all.push((format!("templates/{name}"), path.clone()));
        }
    }
    for (name, path) in all {
        let path = path.to_str().unwrap_or_else(|| panic!("{}: not UTF-8", path.display()));
        let _ = writeln!(out, "    ({name:?}, include_str!({path:?})),");
    }
    out.push_str("]\n");
    let target =
        PathBuf::from(env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"))).join("built_in_workflows.rs");
    fs::write(&target, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}
