//! Issue 7 (export) through the real binary in a temporary folder: export →
//! import → export gives identical bytes, a hostile import fails cleanly, the
//! CREATE script loads back into dossier as the same graph, and the command's
//! errors are clear.

mod export_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use export_support::*;

fn dossier(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run dossier: {e}"))
}

fn ok(o: &Output, what: &str) -> String {
    assert!(
        o.status.success(),
        "{what} failed ({}):\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn golden(name: &str) -> PathBuf {
    golden_dir().join(name)
}

#[test]
fn export_import_export_is_byte_identical() {
    for name in ["news", "hostile", "empty"] {
        for (file, flags) in [
            (format!("{name}.json"), vec![]),
            (format!("{name}.compact.json"), vec!["--compact"]),
        ] {
            let dir = tmp();
            let db = dir.path().join("db");
            let src = golden(&file);
            ok(
                &dossier(&db, &["import", &src.to_string_lossy()]),
                &format!("import {file}"),
            );
            let mut args = vec!["export", "--format", "json"];
            args.extend(flags.iter().copied());
            let out = dossier(&db, &args);
            ok(&out, "export");
            let expected = std::fs::read(&src).unwrap_or_default();
            assert!(
                out.stdout == expected,
                "{file}: export after import differs:\n{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

#[test]
fn hostile_import_files_fail_cleanly() {
    let cases: &[(&str, &str)] = &[
        (
            "truncated",
            r#"{"nodes":[{"id":"n0","labels":["A"],"properties":{}"#,
        ),
        ("not json", "nodes: [1, 2]"),
        (
            "labels not a list",
            r#"{"nodes":[{"id":"n0","labels":"A","properties":{}}],"relationships":[]}"#,
        ),
        (
            "dangling end",
            r#"{"nodes":[{"id":"n0","labels":[],"properties":{}}],"relationships":[{"id":"r0","type":"T","startNode":"n0","endNode":"n9","properties":{}}]}"#,
        ),
        (
            "map property",
            r#"{"nodes":[{"id":"n0","labels":[],"properties":{"m":{"a":1}}}],"relationships":[]}"#,
        ),
        (
            "bad date",
            r#"{"nodes":[{"id":"n0","labels":[],"properties":{"d":{"$date":"2016-13-45"}}}],"relationships":[]}"#,
        ),
        (
            "duplicate id",
            r#"{"nodes":[{"id":"n0","labels":[],"properties":{}},{"id":"n0","labels":[],"properties":{}}],"relationships":[]}"#,
        ),
    ];
    for (what, text) in cases {
        let dir = tmp();
        let db = dir.path().join("db");
        let f = dir.path().join("bad.json");
        if let Err(e) = std::fs::write(&f, text) {
            panic!("write: {e}");
        }
        let o = dossier(&db, &["import", &f.to_string_lossy()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{what}: exit code; stderr: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{what}: panic: {stderr}");
        assert!(
            stderr.contains("bad.json"),
            "{what}: the error names the file: {stderr}"
        );
        // Nothing of a failed import is left behind.
        let out = ok(
            &dossier(&db, &["export", "--format", "json", "--compact"]),
            "export",
        );
        assert_eq!(
            out, "{\"nodes\":[],\"relationships\":[]}\n",
            "{what}: store not empty"
        );
    }
}

#[test]
fn the_create_script_loads_back_as_the_same_graph() {
    for name in ["news", "hostile"] {
        let dir = tmp();
        let db = dir.path().join("db");
        let script = golden(&format!("{name}.cypher"));
        ok(
            &dossier(&db, &["query", "-f", &script.to_string_lossy()]),
            &format!("running {name}.cypher"),
        );
        let out = ok(&dossier(&db, &["export", "--format", "json"]), "export");
        let expected = std::fs::read_to_string(golden(&format!("{name}.json"))).unwrap_or_default();
        assert!(
            out == expected,
            "{name}: the script built another graph:\n{out}"
        );
    }
}

#[test]
fn every_format_writes_a_file_with_o() {
    let dir = tmp();
    let db = dir.path().join("db");
    ok(
        &dossier(&db, &["import", &golden("news.json").to_string_lossy()]),
        "import",
    );
    for (fmt, file, golden_name) in [
        ("dot", "g.dot", "news.dot"),
        ("graphml", "g.graphml", "news.graphml"),
        ("cypher", "g.cypher", "news.cypher"),
        ("cytoscape", "g.cyjs", "news.cyjs"),
    ] {
        let out = dir.path().join(file);
        ok(
            &dossier(&db, &["export", "-F", fmt, "-o", &out.to_string_lossy()]),
            fmt,
        );
        let got = std::fs::read(&out).unwrap_or_default();
        let want = std::fs::read(golden(golden_name)).unwrap_or_default();
        assert!(got == want, "{fmt}: file differs from {golden_name}");
    }
    let csv = dir.path().join("csv");
    ok(
        &dossier(&db, &["export", "-F", "csv", "-o", &csv.to_string_lossy()]),
        "csv",
    );
    for (f, g) in [
        ("nodes.csv", "news.nodes.csv"),
        ("relationships.csv", "news.relationships.csv"),
    ] {
        let got = std::fs::read(csv.join(f)).unwrap_or_default();
        let want = std::fs::read(golden(g)).unwrap_or_default();
        assert!(got == want, "csv {f} differs from {g}");
    }
    let svg = dir.path().join("g.svg");
    let o = dossier(&db, &["export", "-F", "svg", "-o", &svg.to_string_lossy()]);
    ok(&o, "svg (needs Graphviz; CI installs it)");
    let text = std::fs::read_to_string(&svg).unwrap_or_default();
    assert!(
        text.contains("<svg") && text.contains("Alice Example"),
        "svg content"
    );
}

#[test]
fn svg_without_graphviz_says_how_to_install_it() {
    let dir = tmp();
    let db = dir.path().join("db");
    ok(
        &dossier(&db, &["import", &golden("news.json").to_string_lossy()]),
        "import",
    );
    let o = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("--db")
        .arg(&db)
        .args(["export", "-F", "svg"])
        .env("PATH", dir.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run dossier: {e}"));
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("install graphviz") && e.contains("--format dot"),
        "{e}"
    );
}

#[test]
fn bad_requests_get_clear_errors() {
    let dir = tmp();
    let db = dir.path().join("db");
    let o = dossier(&db, &["export", "--format", "xlsx"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("unknown export format") && e.contains("graphml"),
        "{e}"
    );

    let o = dossier(&db, &["export", "--format", "csv"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("-o DIR"), "{e}");

    let missing = dir.path().join("nope.cypher");
    let o = dossier(&db, &["export", "--query-file", &missing.to_string_lossy()]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{e}");
    assert!(e.contains("nope.cypher"), "{e}");
}

#[test]
fn an_empty_store_exports_an_empty_graph() {
    let dir = tmp();
    let db = dir.path().join("db");
    // Export opens the store read-only, so it never creates one.
    let o = dossier(&db, &["export", "-F", "dot"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && e.contains("no dossier store"), "{e}");
    assert!(!db.exists(), "export created a store");
    ok(
        &dossier(&db, &["import", &golden("empty.json").to_string_lossy()]),
        "import",
    );
    let out = ok(&dossier(&db, &["export", "-F", "dot"]), "export dot");
    let want = std::fs::read_to_string(golden("empty.dot")).unwrap_or_default();
    assert_eq!(out, want);
}

#[test]
fn a_query_exports_its_subgraph() {
    let dir = tmp();
    let db = dir.path().join("db");
    ok(
        &dossier(&db, &["import", &golden("news.json").to_string_lossy()]),
        "import",
    );
    // The people and what they point at, as separate columns: no relationship
    // is returned, so only --induced brings the relationships in.
    let q = "MATCH (p:Person)-->(x) RETURN p, x";
    let plain = ok(
        &dossier(&db, &["export", "-F", "json", "--compact", "-q", q]),
        "export -q",
    );
    let induced = ok(
        &dossier(
            &db,
            &["export", "-F", "json", "--compact", "-q", q, "--induced"],
        ),
        "export -q --induced",
    );
    let count = |s: &str, what: &str| -> usize {
        let doc: serde_json::Value = serde_json::from_str(s).unwrap_or_default();
        doc[what].as_array().map_or(usize::MAX, |a| a.len())
    };
    // Alice -POSTED-> post, Bob -AFFILIATED_WITH-> organisation.
    assert_eq!(count(&plain, "nodes"), 4, "{plain}");
    assert_eq!(count(&plain, "relationships"), 0, "{plain}");
    assert_eq!(count(&induced, "relationships"), 2, "{induced}");
    // A path brings its relationships without --induced; --query-file reads the query.
    let f = dir.path().join("q.cypher");
    if let Err(e) = std::fs::write(&f, "MATCH p = (:Person)-[:POSTED]->() RETURN p") {
        panic!("write: {e}");
    }
    let out = ok(
        &dossier(
            &db,
            &[
                "export",
                "-F",
                "json",
                "--compact",
                "--query-file",
                &f.to_string_lossy(),
            ],
        ),
        "export --query-file",
    );
    assert_eq!(
        (count(&out, "nodes"), count(&out, "relationships")),
        (2, 1),
        "{out}"
    );
    // A bad query is a query error with a position, exit code 1.
    let o = dossier(&db, &["export", "-q", "MATCH (n RETURN n"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
