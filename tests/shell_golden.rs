//! Golden scripts for the shell's execute path (`tests/golden/shell/*.txt`).
//!
//! A script is what a user types and what the shell answers:
//!
//! ```text
//! # What this script checks (comment lines before a block are kept).
//!
//! > :format csv
//! > RETURN 1 AS x;
//! x
//! 1
//!
//! ```
//!
//! Lines starting with `> ` are one input (consecutive ones are joined with line
//! breaks and passed to `Shell::execute` together); the lines after it, up to the
//! next input or comment, are the expected output: standard output as is, then notes as
//! `note: …`, then the error as `error: …`. Each script runs on a fresh shell over
//! the fixture graph (tests/common), with script settings (no colour, no width
//! limit, not interactive). `UPDATE_GOLDENFILES=1` rewrites the expectations.

mod common;

use std::path::{Path, PathBuf};

use dossier::shell::{Settings, Shell};

/// Runs a golden script's inputs and returns the script with fresh outputs.
fn run_script(text: &str) -> String {
    let mut shell = Shell::new(common::fixture(), Settings::default());
    let mut out = String::new();
    let mut input: Vec<&str> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("> ").or((line == ">").then_some("")) {
            input.push(rest);
            out.push_str(line);
            out.push('\n');
            let next_is_input = lines
                .peek()
                .is_some_and(|l| l.starts_with("> ") || *l == ">");
            if !next_is_input {
                let o = shell.execute(&input.join("\n"));
                let mut answer = o.out.clone();
                for n in &o.notes {
                    answer.push_str(&format!("note: {n}\n"));
                }
                if let Some(e) = o.error_text() {
                    answer.push_str(&e);
                    answer.push('\n');
                }
                for l in answer.lines() {
                    assert!(
                        !l.starts_with("> ") && !l.starts_with('#'),
                        "output line {l:?} would read as input or comment; change the script"
                    );
                }
                out.push_str(&answer);
                out.push('\n');
                input.clear();
                // Skip the old expected output (and the blank lines after it) up to
                // the next input or comment.
                while let Some(l) = lines.peek() {
                    if l.starts_with("> ") || *l == ">" || l.starts_with('#') {
                        break;
                    }
                    lines.next();
                }
            }
        } else {
            // Comments and blank lines between blocks.
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn scripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/shell");
    let mut v: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect(),
        Err(e) => panic!("cannot list {}: {e}", dir.display()),
    };
    v.sort();
    v
}

#[test]
fn golden_scripts() {
    let scripts = scripts();
    assert!(!scripts.is_empty(), "no golden scripts found");
    for path in scripts {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => panic!("cannot read {}: {e}", path.display()),
        };
        let rel = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&path)
            .to_path_buf();
        common::check_golden(&rel, &run_script(&text));
    }
}
