//! The real `dossier` binary driven through a pseudo-terminal, as a person types:
//! the banner, a multi-line statement with its continuation prompt, Tab completion,
//! history recall (Up, Ctrl-R, and across sessions), Ctrl-C (cancelling a query or
//! an ingest) and Ctrl-D.
//!
//! Each test starts its own process on a store in a temporary folder, with
//! `NO_COLOR` set so the screen holds plain text, and waits at most a few seconds
//! for each expected output.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession as Pty;
use expectrl::{Eof, Expect, Regex, Session};

const UP: &str = "\x1b[A";
const CTRL_C: &str = "\x03";
const CTRL_D: &str = "\x04";
const CTRL_R: &str = "\x12";

fn spawn(dir: &Path, extra: &[&str]) -> Pty {
    spawn_with(dir, extra, Some("1"))
}

/// Starts the shell with `NO_COLOR` set to `no_color` (or unset).
fn spawn_with(dir: &Path, extra: &[&str], no_color: Option<&str>) -> Pty {
    let mut args = vec!["repl"];
    args.extend_from_slice(extra);
    spawn_args(dir, &args, no_color)
}

/// Starts `dossier --db DIR/test.db ARGS…` (the `repl` command or the default one).
fn spawn_args(dir: &Path, args: &[&str], no_color: Option<&str>) -> Pty {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
    cmd.arg("--db")
        .arg(dir.join("test.db"))
        .args(args)
        .current_dir(dir)
        .env("TERM", "xterm")
        .env("HOME", dir)
        .env_remove("DOSSIER_HISTORY");
    match no_color {
        Some(v) => cmd.env("NO_COLOR", v),
        None => cmd.env_remove("NO_COLOR"),
    };
    let mut s = match Session::spawn(cmd) {
        Ok(s) => s,
        Err(e) => panic!("cannot start dossier in a pty: {e}"),
    };
    s.set_expect_timeout(Some(Duration::from_secs(15)));
    s
}

fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot make a temp dir: {e}"),
    }
}

#[track_caller]
fn expect(s: &mut Pty, needle: &str) {
    if let Err(e) = s.expect(needle) {
        panic!("expected {needle:?} on the terminal: {e}");
    }
}

#[track_caller]
fn expect_re(s: &mut Pty, re: &str) -> String {
    match s.expect(Regex(re)) {
        Ok(c) => String::from_utf8_lossy(c.as_bytes()).into_owned(),
        Err(e) => panic!("expected /{re}/ on the terminal: {e}"),
    }
}

/// Waits for a fresh prompt. rustyline turns bracketed paste on (`ESC[?2004h`)
/// each time it starts reading a line, and redraws the prompt while the user types;
/// matching the pair tells a new prompt from a redraw of the old one.
#[track_caller]
fn prompt(s: &mut Pty) {
    expect_re(s, r"\x1b\[\?2004h[^\n]*?dossier> ");
}

/// Waits for the continuation prompt (see [`prompt`]).
#[track_caller]
fn continuation(s: &mut Pty) {
    expect_re(s, r"\x1b\[\?2004h[^\n]*?   \.\.\.> ");
}

#[track_caller]
fn send(s: &mut Pty, text: &str) {
    if let Err(e) = s.send(text) {
        panic!("cannot type {text:?}: {e}");
    }
}

#[track_caller]
fn leaves(s: &mut Pty) {
    if let Err(e) = s.expect(Eof) {
        panic!("the shell should have ended: {e}");
    }
    match s.get_process().wait() {
        Ok(status) => assert!(
            matches!(status, WaitStatus::Exited(_, 0)),
            "the shell should exit with status 0, got {status:?}"
        ),
        Err(e) => panic!("cannot wait for the shell: {e}"),
    }
}

#[test]
fn banner_prompt_and_ctrl_d() {
    let dir = tempdir();
    let mut s = spawn(dir.path(), &["--no-history"]);
    let banner = expect_re(
        &mut s,
        r"dossier \S+ · [^\r\n]*test\.db · \d+ nodes, \d+ relationships · :help for help",
    );
    assert!(banner.contains("test.db"), "{banner}");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
}

#[test]
fn multi_line_statement_waits_for_its_semicolon() {
    let dir = tempdir();
    let mut s = spawn(dir.path(), &["--no-history"]);
    prompt(&mut s);
    send(&mut s, "RETURN 'a;b'\r");
    // Not complete: the ';' is inside a string. The continuation prompt shows it.
    continuation(&mut s);
    send(&mut s, "  AS x\r");
    continuation(&mut s);
    send(&mut s, ";\r");
    // The whole statement ran once and the shell is back at its prompt; the
    // statement is one history entry.
    prompt(&mut s);
    send(&mut s, ":history\r");
    expect_re(&mut s, r"1 RETURN 'a;b'\r?\n\s+  AS x\r?\n\s+;");
    send(&mut s, ":quit\r");
    leaves(&mut s);
}

#[test]
fn tab_completes_meta_commands_and_labels() {
    let dir = tempdir();
    let mut s = spawn(dir.path(), &["--no-history"]);
    prompt(&mut s);
    // One candidate: completed in place, then run.
    send(&mut s, ":sch\t\r");
    expect(&mut s, "Labels (");
    prompt(&mut s);
    // A label from the live schema (the store declares an index on :Person).
    send(&mut s, "MATCH (n:Perso\t) RETURN n;\r");
    prompt(&mut s);
    send(&mut s, ":history\r");
    expect(&mut s, "MATCH (n:Person) RETURN n;");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
}

#[test]
fn tab_completion_sees_the_whole_multi_line_statement() {
    let dir = tempdir();
    let mut s = spawn(dir.path(), &["--no-history"]);
    prompt(&mut s);
    send(
        &mut s,
        "CREATE (:Person {name: 'Lina'})-[:POSTED]->(:Post {text: 'x'});\r",
    );
    prompt(&mut s);
    // The `[` is on the first line: on the second, `:POS` is a relationship type
    // (the label :Post would be offered if the line were read alone).
    send(&mut s, "MATCH (person)-[\r");
    continuation(&mut s);
    send(&mut s, ":POS\t]->(t)\r");
    continuation(&mut s);
    // A variable bound on the first line, then one of its property keys.
    send(&mut s, "RETURN pers\t.na\t AS who;\r");
    expect(&mut s, "│ Lina │");
    prompt(&mut s);
    send(&mut s, ":history\r");
    expect_re(
        &mut s,
        r"MATCH \(person\)-\[\r?\n\s+:POSTED\]->\(t\)\r?\n\s+RETURN person\.name AS who;",
    );
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
}

#[test]
fn history_recall_with_up_and_ctrl_r_and_across_sessions() {
    let dir = tempdir();
    let hist = dir.path().join("hist");
    let hist_arg = hist.to_string_lossy().into_owned();
    let mut s = spawn(dir.path(), &["--history", &hist_arg]);
    prompt(&mut s);
    send(&mut s, ":format csv\r");
    prompt(&mut s);
    send(&mut s, ":format json\r");
    prompt(&mut s);
    // Up twice recalls ':format csv'.
    send(&mut s, UP);
    send(&mut s, UP);
    send(&mut s, "\r");
    prompt(&mut s);
    send(&mut s, ":format\r");
    expect(&mut s, "format: csv");
    prompt(&mut s);
    // Ctrl-R searches backwards.
    send(&mut s, CTRL_R);
    send(&mut s, "json");
    send(&mut s, "\r");
    prompt(&mut s);
    send(&mut s, ":format\r");
    expect(&mut s, "format: json");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
    let saved = std::fs::read_to_string(&hist).unwrap_or_default();
    assert!(saved.contains(":format csv"), "history file: {saved:?}");

    // A new session starts with the old history.
    let mut s = spawn(dir.path(), &["--history", &hist_arg]);
    prompt(&mut s);
    send(&mut s, ":history\r");
    expect(&mut s, ":format csv");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
}

#[test]
fn no_history_writes_no_file() {
    let dir = tempdir();
    let mut s = spawn(dir.path(), &["--no-history"]);
    prompt(&mut s);
    send(&mut s, ":stats\r");
    expect(&mut s, "relationships");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
    // HOME is the temp dir: the default history file must not appear there.
    assert!(!dir.path().join(".dossier_history").exists());
}

#[test]
fn the_default_command_takes_no_history_too() {
    let dir = tempdir();
    let mut s = spawn_args(dir.path(), &["--no-history"], Some("1"));
    prompt(&mut s);
    send(&mut s, ":stats\r");
    expect(&mut s, "relationships");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
    assert!(
        !dir.path().join(".dossier_history").exists(),
        "`dossier --no-history` wrote a history file"
    );
}

#[test]
fn ctrl_c_clears_the_line_and_twice_on_empty_leaves() {
    let dir = tempdir();
    let mut s = spawn(dir.path(), &["--no-history"]);
    prompt(&mut s);
    // Ctrl-C on a half-typed statement drops it; the shell stays.
    send(&mut s, "MATCH (n)\r");
    continuation(&mut s);
    send(&mut s, CTRL_C);
    prompt(&mut s);
    send(&mut s, ":format\r");
    expect(&mut s, "format: table");
    prompt(&mut s);
    // An error does not end the session either.
    send(&mut s, ":bogus\r");
    expect(&mut s, "unknown command :bogus");
    prompt(&mut s);
    send(&mut s, CTRL_C);
    expect(&mut s, "Ctrl-C again or Ctrl-D to leave");
    prompt(&mut s);
    send(&mut s, CTRL_C);
    leaves(&mut s);
}

#[test]
fn ctrl_c_cancels_a_running_query_and_keeps_the_shell() {
    let dir = tempdir();
    let mut s = spawn(dir.path(), &["--no-history"]);
    prompt(&mut s);
    // Long enough that it is still running when Ctrl-C arrives.
    send(
        &mut s,
        "UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y \
         WITH x, y WHERE y > 0 RETURN count(*);\r",
    );
    std::thread::sleep(Duration::from_millis(500));
    send(&mut s, CTRL_C);
    expect_re(&mut s, r"(?i)cancel");
    prompt(&mut s);
    // The shell still works, and the next query is not cancelled.
    send(&mut s, "RETURN 40 + 2 AS answer;\r");
    expect(&mut s, "42");
    expect(&mut s, "1 row");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
}

#[test]
fn a_source_script_prints_as_it_goes_and_ctrl_c_stops_it() {
    let dir = tempdir();
    let script = "CREATE (:Before);\n\
                  RETURN 'first' AS step;\n\
                  UNWIND range(1, 10000000) AS x UNWIND range(1, 1000) AS y RETURN count(*);\n\
                  CREATE (:After);\n";
    if let Err(e) = std::fs::write(dir.path().join("long.cypher"), script) {
        panic!("cannot write the script: {e}");
    }
    let mut s = spawn(dir.path(), &["--no-history"]);
    prompt(&mut s);
    send(&mut s, ":source long.cypher\r");
    // The first results show while the long query is still running…
    expect(&mut s, "│ first │");
    send(&mut s, CTRL_C);
    // …which Ctrl-C cancels, naming the script's line; the rest does not run.
    expect(&mut s, "error: long.cypher:3: the query was cancelled");
    prompt(&mut s);
    send(
        &mut s,
        "MATCH (b:Before) OPTIONAL MATCH (a:After) RETURN count(b) AS b, count(a) AS a;\r",
    );
    expect(&mut s, "│ 1 │ 0 │");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
}

#[test]
fn ctrl_c_cancels_an_ingest_and_keeps_what_went_in() {
    let dir = tempdir();
    let docs = dir.path().join("docs");
    if let Err(e) = std::fs::create_dir_all(&docs) {
        panic!("cannot make {}: {e}", docs.display());
    }
    // Enough small articles that the ingest is still running after its first batch.
    for i in 0..2000 {
        let text = format!(
            "Report number {i} from Aleppo.\n\nLina Shamy said on 12 December 2016 that \
             the White Helmets were evacuating district {i}.\n"
        );
        if let Err(e) = std::fs::write(docs.join(format!("{i:04}.txt")), text) {
            panic!("cannot write an article: {e}");
        }
    }
    let mut s = spawn(dir.path(), &["--no-history"]);
    prompt(&mut s);
    send(&mut s, ":ingest docs\r");
    // The progress bar moves once the first batch is written: then Ctrl-C.
    expect_re(&mut s, r"[1-9][\d.]* KiB/");
    send(&mut s, CTRL_C);
    let msg = expect_re(
        &mut s,
        r"error: ingest cancelled; what went in before stays: \d+ documents",
    );
    let written: usize = msg
        .rsplit(": ")
        .next()
        .and_then(|t| t.trim_end_matches(" documents").parse().ok())
        .unwrap_or(0);
    assert!(
        (1..2000).contains(&written),
        "some but not all documents went in: {msg:?}"
    );
    prompt(&mut s);
    // The shell goes on, and the documents written before Ctrl-C are there.
    send(&mut s, "MATCH (d:Document) RETURN count(d) AS n;\r");
    expect(&mut s, &format!("│ {written} │"));
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
}

#[test]
fn a_query_prints_a_table_with_its_footer() {
    let dir = tempdir();
    let mut s = spawn(dir.path(), &["--no-history"]);
    prompt(&mut s);
    send(
        &mut s,
        "CREATE (:Person {name: '王小明'}), (:Person {name: 'Lina'});\r",
    );
    expect_re(
        &mut s,
        r"created 2 nodes, set 2 properties, added 2 labels, compiled in [\d.]+ ms, executed in [\d.]+ ms",
    );
    prompt(&mut s);
    send(
        &mut s,
        "MATCH (p:Person) RETURN p.name AS name ORDER BY name;\r",
    );
    expect(&mut s, "│ name   │");
    expect(&mut s, "│ Lina   │");
    expect(&mut s, "│ 王小明 │");
    expect_re(
        &mut s,
        r"2 rows, compiled in [\d.]+ ms, executed in [\d.]+ ms",
    );
    prompt(&mut s);
    // A typo in a label gets a suggestion.
    send(&mut s, "MATCH (p:Persn) RETURN p;\r");
    expect(&mut s, "did you mean :Person?");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
}

#[test]
fn colour_at_a_terminal_unless_no_color_is_set() {
    let dir = tempdir();
    let query = "UNWIND ['Lina', null] AS name RETURN name;\r";
    // At a terminal without NO_COLOR: a bold header and a dimmed null.
    let mut s = spawn_with(dir.path(), &["--no-history"], None);
    prompt(&mut s);
    send(&mut s, query);
    expect(&mut s, "│ \x1b[1mname\x1b[0m │");
    expect(&mut s, "│ \x1b[2mnull\x1b[0m │");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
    // NO_COLOR set (to anything): plain text, not one escape in the result.
    let mut s = spawn_with(dir.path(), &["--no-history"], Some("yes"));
    prompt(&mut s);
    send(&mut s, query);
    let seen = expect_re(&mut s, r"(?s)┌.*?┘");
    let table = seen.find('┌').map_or("", |i| &seen[i..]);
    assert!(!table.contains('\x1b'), "escapes with NO_COLOR: {table:?}");
    assert!(table.contains("│ null │"), "{table:?}");
    prompt(&mut s);
    send(&mut s, CTRL_D);
    leaves(&mut s);
}
