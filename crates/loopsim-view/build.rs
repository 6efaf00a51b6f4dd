//! Generates the gallery list from every `*.yaml` file in the section directories of the
//! repository's `scenarios/` (`scenarios/<section>/<file>.yaml`), so a new scenario appears in
//! the playground without touching the code.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dir = manifest.join("../../scenarios");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for section in fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        let section = section.expect("directory entry").path();
        if !section.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", section.display());
        let name = section
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 directory name")
            .to_string();
        for entry in fs::read_dir(&section).expect("reading a section") {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push((name.clone(), path));
            }
        }
    }
    files.sort_by(|a, b| a.1.file_name().cmp(&b.1.file_name()));
    let mut out = String::from(
        "/// Every scenario file of `scenarios/<section>/`, sorted by file name:\n\
         /// `(section directory, file name, contents)`.\n\
         pub static SCENARIO_FILES: &[(&str, &str, &str)] = &[\n",
    );
    for (section, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 file name");
        let abs = fs::canonicalize(path).expect("canonical path");
        out.push_str(&format!(
            "    ({:?}, {:?}, include_str!({:?})),\n",
            section,
            name,
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var_os("OUT_DIR").expect("OUT_DIR")).join("gallery_files.rs");
    fs::write(dest, out).expect("writing gallery_files.rs");
}
