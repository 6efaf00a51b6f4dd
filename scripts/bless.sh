#!/usr/bin/env bash
# Regenerates what is generated from the scenario format's key tables
# (crates/loopsim-core/src/scenario/keys.rs):
#   - crates/loopsim-core/schema/scenario.schema.json (the JSON Schema, `loopsim schema`)
#   - the key tables of docs/scenario-format.md (between `<!-- keys:NAME -->` and `<!-- /keys -->`)
#   - web/docs/scenario-format.html and web/docs/asyncflow.html, the docs pages of the site, from docs/*.md
# by running the comparing tests with LOOPSIM_BLESS=1, which makes them write the files.
# Review the diff, then commit it with the change to the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
LOOPSIM_BLESS=1 cargo test -q -p loopsim-core --test generated
# The docs page of the site (web/docs/scenario-format.html) is rendered from the Markdown.
LOOPSIM_BLESS=1 cargo test -q -p loopsim-view --test docs_page
# The lib test that compares SCENARIO_SCHEMA (include_str!) with generate() sees the new file.
cargo test -q -p loopsim-core --test generated
cargo test -q -p loopsim-core --lib schema::
git status --short -- crates/loopsim-core/schema docs web/docs
