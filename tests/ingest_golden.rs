//! Golden tests for ingestion: every file in `tests/ingest/golden/` goes through
//! `dossier extract`, and what segmentation found (the document's metadata, each
//! embedded post with its author, date, hashtags, links and spans) is compared with
//! the file's `.expected` neighbour. `UPDATE_GOLDENFILES=1 cargo test --test
//! ingest_golden` rewrites the expectations; review the diff.
//!
//! Only what ingestion owns is printed: entities and events come from the extractor
//! and are tested with it. For plain-text inputs the test also checks that every
//! span points at exactly the characters it claims (offsets in code points).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ingest/golden")
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn list(v: &Value) -> String {
    let items: Vec<String> = v
        .as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    format!("[{}]", items.join(", "))
}

/// The code points `start..end` of `text`.
fn slice(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take(end.saturating_sub(start) as usize)
        .collect()
}

fn render(file: &Path, stdout: &str, problems: &mut Vec<String>) -> String {
    let raw_text = match file.extension().and_then(|e| e.to_str()) {
        Some("txt") | Some("md") => std::fs::read_to_string(file).ok(),
        _ => None,
    };
    let mut out = String::new();
    for (n, line) in stdout.lines().enumerate() {
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{}: line {n} is not JSON: {e}", file.display()));
                continue;
            }
        };
        let d = &v["document"];
        out += &format!("document {}\n", n + 1);
        for key in [
            "source",
            "record",
            "title",
            "published",
            "length",
            "url",
            "author",
            "publisher",
        ] {
            if !d[key].is_null() {
                out += &format!("  {key}: {}\n", s(&d[key]));
            }
        }
        let posts = v["posts"].as_array().cloned().unwrap_or_default();
        out += &format!("  posts: {}\n", posts.len());
        for (i, p) in posts.iter().enumerate() {
            out += &format!(
                "  [{}] @{} name={:?} date={}\n      hashtags={} urls={} mentions={}\n      text={:?}\n      span={}..{} signature={}..{}\n",
                i + 1,
                s(&p["handle"]),
                s(&p["name"]),
                s(&p["date"]),
                list(&p["hashtags"]),
                list(&p["urls"]),
                list(&p["mentions"]),
                s(&p["text"]),
                s(&p["start"]),
                s(&p["end"]),
                s(&p["signature"][0]),
                s(&p["signature"][1]),
            );
            if let Some(text) = &raw_text {
                let (a, b) = (
                    p["start"].as_u64().unwrap_or(0),
                    p["end"].as_u64().unwrap_or(0),
                );
                let got = slice(text, a, b);
                if got != s(&p["text"]) {
                    problems.push(format!(
                        "{}: post {} span {a}..{b} holds {got:?}, not the post's text",
                        file.display(),
                        i + 1
                    ));
                }
                let sig = slice(
                    text,
                    p["signature"][0].as_u64().unwrap_or(0),
                    p["signature"][1].as_u64().unwrap_or(0),
                );
                if !sig.contains(&s(&p["handle"])) {
                    problems.push(format!(
                        "{}: post {} signature span holds {sig:?}",
                        file.display(),
                        i + 1
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn golden_documents() {
    let dir = golden_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e != "expected"));
    files.sort();
    assert!(
        files.len() >= 10,
        "golden inputs missing in {}",
        dir.display()
    );
    let update = std::env::var_os("UPDATE_GOLDENFILES").is_some_and(|v| v == "1");
    let mut problems = Vec::new();
    // One run over every file (each run of the debug binary pays the extractor's
    // start-up); its lines come in input order and name their source.
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.file_name().and_then(|n| n.to_str()).unwrap_or_default())
        .collect();
    let mut args = vec!["extract", "--format", "json"];
    args.extend(&names);
    let out = match Command::new(env!("CARGO_BIN_EXE_dossier"))
        .current_dir(&dir)
        .args(&args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run dossier: {e}"),
    };
    assert!(
        out.status.success(),
        "dossier extract failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for (file, name) in files.iter().zip(&names) {
        let lines: Vec<&str> = stdout
            .lines()
            .filter(|l| {
                serde_json::from_str::<Value>(l)
                    .is_ok_and(|v| v["document"]["source"].as_str() == Some(*name))
            })
            .collect();
        if lines.is_empty() {
            problems.push(format!("{name}: no document in the output"));
            continue;
        }
        let got = render(file, &lines.join("\n"), &mut problems);
        let expected_path = file.with_extension(format!(
            "{}.expected",
            file.extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default()
        ));
        if update {
            if let Err(e) = std::fs::write(&expected_path, &got) {
                problems.push(format!("cannot write {}: {e}", expected_path.display()));
            }
            continue;
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if want != got {
            problems.push(format!(
                "{name}: output differs from {}\n--- expected\n{want}\n--- got\n{got}",
                expected_path.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
