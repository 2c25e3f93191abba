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
    check(&o, 0, ":param who => 'Lina shamy'\nformat: csv\n", "");
}

#[test]
fn piped_statements_run_without_prompt_or_banner() {
    let dir = tempdir();
    let o = dossier(dir.path(), &["query"], Some(SCRIPT));
    check(&o, 0, ":param who => 'Lina shamy'\nformat: csv\n", "");
    // The default command and `repl` read piped input the same way.
    let o = dossier(dir.path(), &[], Some(SCRIPT));
    check(&o, 0, ":param who => 'Lina shamy'\nformat: csv\n", "");
    let o = dossier(dir.path(), &["repl"], Some(SCRIPT));
    check(&o, 0, ":param who => 'Lina shamy'\nformat: csv\n", "");
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
        ":param who => 'Lina shamy'\n:param n => 42\n:param day => '2016-12-12'\n:param tags => ['a', 'b']\n",
        "",
    );
}
