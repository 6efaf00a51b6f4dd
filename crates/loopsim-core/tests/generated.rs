//! The files generated from the key tables (`loopsim_core::scenario::keys`) are up to date:
//! the JSON Schema (`crates/loopsim-core/schema/scenario.schema.json`) and the key tables of
//! `docs/scenario-format.md`. With `LOOPSIM_BLESS=1` (what `scripts/bless.sh` sets) these
//! tests write the files instead of comparing them.

use loopsim_core::scenario::keys::{self, Shape};
use loopsim_core::schema::{self, docs};
use std::path::PathBuf;

fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn blessing() -> bool {
    std::env::var_os("LOOPSIM_BLESS").is_some_and(|v| v == "1")
}

/// Compares `file` with `want`, or writes it when blessing.
fn check(relative: &str, want: &str) {
    let file = path(relative);
    if blessing() {
        std::fs::write(&file, want).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
        return;
    }
    let have = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    if have != want {
        let line = have
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(have.lines().count().min(want.lines().count()));
        panic!(
            "{} is not what the key tables (crates/loopsim-core/src/scenario/keys.rs) generate \
             (first difference at line {}).\nRun `scripts/bless.sh` to regenerate it, then \
             review and commit the diff.",
            file.display(),
            line + 1
        );
    }
}

#[test]
fn schema_file_is_generated() {
    check("schema/scenario.schema.json", &schema::generate());
}

/// The docs' key tables are generated, and every section with keys has its table, once.
#[test]
fn docs_key_tables_are_generated() {
    let md = std::fs::read_to_string(path("../../docs/scenario-format.md")).unwrap();
    let marked = docs::marked(&md);
    for s in keys::ALL {
        if matches!(s.shape, Shape::Value(_)) {
            continue;
        }
        let n = marked.iter().filter(|m| **m == s.name).count();
        assert_eq!(
            n, 1,
            "docs/scenario-format.md: `<!-- keys:{} -->` {n} times",
            s.name
        );
    }
    let want = docs::update(&md).unwrap_or_else(|e| panic!("docs/scenario-format.md: {e}"));
    check("../../docs/scenario-format.md", &want);
}

/// Every `Type::Named` names a definition of the schema.
#[test]
fn named_types_are_defined() {
    use loopsim_core::scenario::keys::Type;
    fn walk(ty: &Type, defs: &[&str]) {
        match *ty {
            Type::Named(name) => assert!(defs.contains(&name), "no definition `{name}`"),
            Type::AnyOf(types) => types.iter().for_each(|t| walk(t, defs)),
            Type::List { of, .. } | Type::Map { of, .. } => walk(of, defs),
            _ => {}
        }
    }
    let defs: Vec<&str> = keys::ALL.iter().filter_map(|s| s.def).collect();
    for s in keys::ALL {
        for k in s.all_keys() {
            walk(&k.ty, &defs);
        }
    }
}
