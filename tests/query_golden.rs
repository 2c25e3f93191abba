//! Golden-script tests for the query engine: each file under `tests/golden/query/`
//! is a script of queries (`> ` lines; a query may continue on `>> ` lines) run in
//! order against one fresh in-memory store, each followed by what it printed:
//! a header of column names and one line per row (values rendered as the REPL does),
//! a `(…)` line with write counts, or `! ` lines with the error as a user sees it
//! (line, column, source line and caret). `#` lines are comments.
//!
//! `UPDATE_GOLDENFILES=1 cargo test --test query_golden` rewrites the expectations;
//! review the diff before committing.

use std::fmt::Write as _;
use std::path::Path;

use dossier::Store;
use dossier::query::{Params, QueryOptions, execute, render};

/// Runs a script and returns the text it should contain.
fn run_script(text: &str) -> String {
    let mut store = Store::in_memory();
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let Some(q) = line.strip_prefix("> ") else {
            continue; // an old expectation: regenerated below
        };
        let mut query = q.to_string();
        out.push_str(line);
        out.push('\n');
        while let Some(next) = lines.peek() {
            match next.strip_prefix(">> ") {
                Some(more) => {
                    query.push('\n');
                    query.push_str(more);
                    out.push_str(next);
                    out.push('\n');
                    lines.next();
                }
                None => break,
            }
        }
        match execute(&mut store, &query, &Params::new(), &QueryOptions::default()) {
            Ok(r) => {
                if let Some(plan) = &r.plan {
                    // PROFILE times vary: keep only the operator lines' shape.
                    for l in plan.lines() {
                        let l = match l.find(", time:") {
                            Some(i) => format!("{}]", &l[..i]),
                            None => l.to_string(),
                        };
                        if !l.starts_with("total:") {
                            let _ = writeln!(out, "{l}");
                        }
                    }
                }
                if !r.columns.is_empty() && r.plan.is_none() || !r.rows.is_empty() {
                    let _ = writeln!(out, "{}", r.columns.join(" | "));
                    for row in &r.rows {
                        let cells: Vec<String> = row
                            .iter()
                            .map(|v| render::value(store.graph(), v))
                            .collect();
                        let _ = writeln!(out, "{}", cells.join(" | "));
                    }
                }
                if !r.stats.is_empty() {
                    let _ = writeln!(out, "({})", r.stats);
                }
            }
            Err(e) => {
                let msg = match e.as_query() {
                    Some(q) => {
                        let code = q.code.as_deref().unwrap_or("-");
                        format!("[{code}] {e}")
                    }
                    None => e.to_string(),
                };
                for l in msg.lines() {
                    let _ = writeln!(out, "! {l}");
                }
            }
        }
        out.push('\n');
    }
    out
}

#[test]
fn golden_scripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/query");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    assert!(!files.is_empty(), "no golden scripts in {}", dir.display());
    let update = std::env::var_os("UPDATE_GOLDENFILES").is_some();
    let mut failed = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let got = run_script(&text);
        if got.trim_end() != text.trim_end() {
            if update {
                std::fs::write(&f, &got).unwrap_or_else(|e| panic!("write {}: {e}", f.display()));
            } else {
                eprintln!("--- {} expected\n{text}\n--- got\n{got}", f.display());
                failed.push(f.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "golden scripts differ: {failed:?} (UPDATE_GOLDENFILES=1 rewrites them)"
    );
}
