//! `dossier query` and piped input, through the real binary: exact standard output,
//! standard error and exit status, in a temporary folder.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn dossier(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
    cmd.args(args)
        .arg("--db")
        .arg(dir.join("test.db"))
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("DOSSIER_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("cannot run dossier: {e}"),
    };
    if let Some(mut w) = child.stdin.take() {
        // A closed pipe (the command did not read) is fine.
        let _ = w.write_all(stdin.unwrap_or("").as_bytes());
    }
    match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("dossier did not finish: {e}"),
    }
}

fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot make a temp dir: {e}"),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[track_caller]
fn check(o: &Output, code: i32, stdout: &str, stderr: &str) {
    assert_eq!(
        (o.status.code(), text(&o.stdout), text(&o.stderr)),
        (Some(code), stdout.to_string(), stderr.to_string()),
        "exit status, standard output, standard error"
    );
}

const SCRIPT: &str = "// settings\n:format csv\n:param who => 'Lina shamy'\n:params\n\n:format\n";

#[test]
fn a_script_file_runs_without_prompts() {
    let dir = tempdir();
    std::fs::write(dir.path().join("s.cypher"), SCRIPT).unwrap_or_default();
    let o = dossier(dir.path(), &["query", "-f", "s.cypher"], None);
    check(&o, 0, ":param who => \"Lina shamy\"\nformat: csv\n", "");
}

#[test]
fn piped_statements_run_without_prompt_or_banner() {
    let dir = tempdir();
    let o = dossier(dir.path(), &["query"], Some(SCRIPT));
    check(&o, 0, ":param who => \"Lina shamy\"\nformat: csv\n", "");
    // The default command and `repl` read piped input the same way.
    let o = dossier(dir.path(), &[], Some(SCRIPT));
    check(&o, 0, ":param who => \"Lina shamy\"\nformat: csv\n", "");
    let o = dossier(dir.path(), &["repl"], Some(SCRIPT));
    check(&o, 0, ":param who => \"Lina shamy\"\nformat: csv\n", "");
}

#[test]
fn the_first_error_stops_with_status_1_and_names_the_line() {
    let dir = tempdir();
    let script = ":format json\n:format\n:bogus\n:format csv\n:format\n";
    std::fs::write(dir.path().join("bad.cypher"), script).unwrap_or_default();
    let o = dossier(dir.path(), &["query", "-f", "bad.cypher"], None);
    check(
        &o,
        1,
        "format: json\n",
        "error: bad.cypher:3: unknown command :bogus (:help lists the commands)\n",
    );
    // --continue-on-error runs the rest; the status still reports the failure.
    let o = dossier(
        dir.path(),
        &["query", "--continue-on-error", "-f", "bad.cypher"],
        None,
    );
    check(
        &o,
        1,
        "format: json\nformat: csv\n",
        "error: bad.cypher:3: unknown command :bogus (:help lists the commands)\n",
    );
    // Piped input is named <stdin>.
    let o = dossier(dir.path(), &["query"], Some(script));
    check(
        &o,
        1,
        "format: json\n",
        "error: <stdin>:3: unknown command :bogus (:help lists the commands)\n",
    );
}

#[test]
fn bad_flags_are_user_errors() {
    let dir = tempdir();
    let o = dossier(dir.path(), &["query", "--format", "xml", ":format"], None);
    check(
        &o,
        1,
        "",
        "error: unknown format \"xml\"; use one of table, csv, tsv, json, jsonl, markdown\n",
    );
    let o = dossier(dir.path(), &["query", "--param", "x=[1,", ":params"], None);
    check(
        &o,
        1,
        "",
        "error: bad parameter value \"[1,\": expected a value\n",
    );
    let o = dossier(dir.path(), &["query", "-f", "missing.cypher"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).starts_with("error: cannot read missing.cypher"));
    let o = dossier(dir.path(), &["query", "--repeat", "3", ":params"], None);
    check(
        &o,
        1,
        "",
        "error: --repeat takes a query, not a meta-command\n",
    );
}

#[test]
fn params_from_the_command_line() {
    let dir = tempdir();
    let o = dossier(
        dir.path(),
        &[
            "query",
            "--param",
            "who=Lina shamy",
            "-p",
            "n=42",
            "-p",
            "day=date('2016-12-12')",
            "-p",
            "tags=['a', 'b']",
            ":params",
        ],
        None,
    );
    check(
        &o,
        0,
        ":param who => \"Lina shamy\"\n:param n => 42\n:param day => date(\"2016-12-12\")\n:param tags => [\"a\", \"b\"]\n",
        "",
    );
}

#[test]
fn queries_print_byte_stable_results_in_every_format() {
    let dir = tempdir();
    let o = dossier(
        dir.path(),
        &[
            "query",
            "CREATE (:Person {name: 'Lina shamy', born: 1990}), (:Person {name: '王小明'})",
        ],
        None,
    );
    check(
        &o,
        0,
        "created 2 nodes, set 3 properties, added 2 labels\n",
        "",
    );
    let q = "MATCH (p:Person) RETURN p.name AS name, p.born AS born ORDER BY name";
    let o = dossier(dir.path(), &["query", q], None);
    check(
        &o,
        0,
        "┌────────────┬──────┐\n\
         │ name       │ born │\n\
         ├────────────┼──────┤\n\
         │ Lina shamy │ 1990 │\n\
         │ 王小明     │ null │\n\
         └────────────┴──────┘\n\
         2 rows\n",
        "",
    );
    let o = dossier(dir.path(), &["query", "--format", "csv", q], None);
    check(&o, 0, "name,born\nLina shamy,1990\n王小明,\n", "");
    let o = dossier(dir.path(), &["query", "--format", "jsonl", q], None);
    check(
        &o,
        0,
        "{\"name\": \"Lina shamy\", \"born\": 1990}\n{\"name\": \"王小明\", \"born\": null}\n",
        "",
    );
    // Parameters from the command line.
    let o = dossier(
        dir.path(),
        &[
            "query",
            "--format",
            "tsv",
            "-p",
            "who=Lina shamy",
            "MATCH (p:Person {name: $who}) RETURN p.born AS born",
        ],
        None,
    );
    check(&o, 0, "born\n1990\n", "");
}

#[test]
fn a_bad_query_exits_1_with_a_caret_and_stops_the_script() {
    let dir = tempdir();
    let script = "RETURN 1 AS one;\nMATCH (n)\nRETRN n;\nRETURN 2 AS two;\n";
    let o = dossier(dir.path(), &["query", "--format", "csv"], Some(script));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "one\n1\n");
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error: <stdin>:2: SyntaxError at 2:1:"),
        "{err}"
    );
    assert!(err.contains("\n  RETRN n\n  ^^^^^\n"), "{err}");
    let o = dossier(
        dir.path(),
        &["query", "--format", "csv", "--continue-on-error"],
        Some(script),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "one\n1\ntwo\n2\n");
}

#[test]
fn timeout_and_max_rows_stop_a_query() {
    let dir = tempdir();
    let o = dossier(
        dir.path(),
        &[
            "query",
            "--timeout",
            "200",
            "UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y \
             WITH x, y WHERE y > 0 RETURN count(*)",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("time limit"),
        "{}",
        text(&o.stderr)
    );
    let o = dossier(
        dir.path(),
        &[
            "query",
            "--max-rows",
            "5",
            "UNWIND range(1, 10) AS x RETURN x",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    assert_eq!(text(&o.stdout), "");
}

#[test]
fn repeat_prints_the_result_once_and_timings_on_stderr() {
    let dir = tempdir();
    let o = dossier(
        dir.path(),
        &[
            "query",
            "--repeat",
            "4",
            "--format",
            "csv",
            "UNWIND range(1, 3) AS x RETURN x",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o.stdout), "x\n1\n2\n3\n");
    let err = text(&o.stderr);
    let line: serde_json::Value = match serde_json::from_str(err.trim()) {
        Ok(v) => v,
        Err(e) => panic!("not one JSON line: {err:?}: {e}"),
    };
    assert_eq!(line["runs"], 4);
    assert_eq!(line["rows"], 3);
    let (min, median) = (
        line["min_ms"].as_f64().unwrap_or(-1.0),
        line["median_ms"].as_f64().unwrap_or(-1.0),
    );
    assert!(0.0 <= min && min <= median, "{err}");
}

#[test]
fn near_misses_get_a_note_on_stderr_and_nodes_print_in_double_quotes() {
    let dir = tempdir();
    let o = dossier(
        dir.path(),
        &[
            "query",
            "CREATE (:Person {name: 'Lina \"L\" shamy'})-[:POSTED {at: date('2016-12-12')}]->(:Post {text: 'it\\'s'})",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Nothing matched a misspelt label: the note names the nearest one; a note is
    // not an error.
    let o = dossier(dir.path(), &["query", "MATCH (p:Persn) RETURN p"], None);
    check(
        &o,
        0,
        "┌───┐\n│ p │\n├───┤\n└───┘\nno rows\n",
        "note: no label :Persn in the graph; did you mean :Person?\n",
    );
    // Rows came back, but a property key is misspelt. Strings inside nodes and
    // relationships print in double quotes, `"` escaped.
    let o = dossier(
        dir.path(),
        &[
            "query",
            "MATCH (p:Person)-[r]->(t) RETURN p, r, t.txt AS text",
        ],
        None,
    );
    check(
        &o,
        0,
        "┌──────────────────────────────────────┬──────────────────────────────┬──────┐\n\
         │ p                                    │ r                            │ text │\n\
         ├──────────────────────────────────────┼──────────────────────────────┼──────┤\n\
         │ (:Person {name: \"Lina \\\"L\\\" shamy\"}) │ [:POSTED {at: \"2016-12-12\"}] │ null │\n\
         └──────────────────────────────────────┴──────────────────────────────┴──────┘\n\
         1 row\n",
        "note: no property key txt in the graph; did you mean text?\n",
    );
}

#[test]
fn a_runtime_error_points_at_the_failing_expression_and_writes_nothing() {
    let dir = tempdir();
    let o = dossier(dir.path(), &["query", "CREATE (:N {k: 0})"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let q = "MATCH (n:N) SET n.seen = true\nRETURN n.k, 10 / n.k AS q";
    let o = dossier(dir.path(), &["query", q], None);
    check(
        &o,
        1,
        "",
        "error: ArgumentError at 2:13: / by zero\n  RETURN n.k, 10 / n.k AS q\n              ^^^^^^^^\n",
    );
    // The failed query was one transaction: its SET is not kept.
    let q = "MATCH (n:N) RETURN n.seen IS NULL AS unset";
    let o = dossier(dir.path(), &["query", "--format", "csv", q], None);
    check(&o, 0, "unset\ntrue\n", "");
}
