//! `query`: run statements without prompts or banners, from the argument, `-f FILE`
//! or standard input, through the same [`Shell`] the REPL uses.
//!
//! Output is byte-stable for scripts: results go to standard output in the chosen
//! format (tables end with a `N rows` footer, other formats have none), timings
//! only with `:timing on`, notes and errors on standard error. The exit status is
//! that of the first error (1 for a bad query or input, 2 for a store problem);
//! with `--continue-on-error` every statement runs and the status is the worst seen.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;

use super::GlobalOpts;
use crate::error::{Error, Result};
use crate::shell::format::Format;
use crate::shell::scan::{self, PieceKind};
use crate::shell::{Settings, Shell, literal, repl};

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query text (else -f FILE, else standard input).
    pub query: Option<String>,
    /// Run the statements in FILE (separated by `;`).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// A parameter, `name=value` (value as a Cypher literal, else a string). Repeatable.
    #[arg(long = "param", short = 'p')]
    pub params: Vec<String>,
    /// Output format: table, csv, tsv, json, jsonl, markdown.
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Keep going after a failing statement.
    #[arg(long)]
    pub continue_on_error: bool,
    /// Cancel a query that runs longer than this many milliseconds.
    #[arg(long)]
    pub timeout: Option<u64>,
    /// Fail a query whose result has more rows than this.
    #[arg(long)]
    pub max_rows: Option<usize>,
    /// Run the query N times; print timing as one JSON line on standard error.
    #[arg(long)]
    pub repeat: Option<usize>,
}

pub fn query(g: &GlobalOpts, a: QueryArgs) -> Result<i32> {
    let format: Format = a.format.parse()?;
    let (text, origin) = match (&a.query, &a.file) {
        (Some(_), Some(_)) => {
            return Err(Error::Input(
                "give the query as an argument or with -f FILE, not both".into(),
            ));
        }
        (Some(q), None) => (q.clone(), None),
        (None, Some(f)) if f.as_os_str() == "-" => (read_stdin()?, Some(PathBuf::from("<stdin>"))),
        (None, Some(f)) => (
            // A missing script is the user's mistake (status 1), not the store's.
            std::fs::read_to_string(f)
                .map_err(|e| Error::Input(format!("cannot read {}: {e}", f.display())))?,
            Some(f.clone()),
        ),
        (None, None) => {
            if std::io::stdin().is_terminal() {
                return Err(Error::Input(
                    "no query: give one as an argument, with -f FILE, or on standard input".into(),
                ));
            }
            (read_stdin()?, Some(PathBuf::from("<stdin>")))
        }
    };
    let mut params = Vec::new();
    for p in &a.params {
        let (name, value) = literal::split_assignment(p)?;
        params.push((name.to_string(), literal::parse_param(value)?));
    }
    let store = g.open_store(false)?;
    let mut shell = Shell::new(
        store,
        Settings {
            format,
            max_width: repl::terminal_width(),
            color: repl::use_color(),
            timeout: a.timeout.map(Duration::from_millis),
            max_rows: a.max_rows,
            ..Settings::default()
        },
    );
    for (name, value) in params {
        shell.set_param(&name, value);
    }
    let code = match a.repeat {
        Some(n) => repeat(&mut shell, &text, n),
        None => Ok(run_script(
            &mut shell,
            &text,
            origin.as_deref(),
            a.continue_on_error,
        )),
    };
    super::leak_at_exit(shell);
    code
}

/// All of standard input, as text.
pub(super) fn read_stdin() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| Error::io("cannot read standard input", e))?;
    Ok(s)
}

/// Runs a script piece by piece, printing as it goes; returns the exit status.
/// `origin` names the file in error messages (`script.cypher:7: …`).
pub fn run_script(
    shell: &mut Shell,
    text: &str,
    origin: Option<&Path>,
    continue_on_error: bool,
) -> i32 {
    // Results print as each statement finishes, those of a `:source` script too.
    let closed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader_gone = closed.clone();
    shell.set_stream(Some(Box::new(move |o: &crate::shell::Output| {
        let mut stdout = std::io::stdout().lock();
        if stdout.write_all(o.out.as_bytes()).is_err() {
            reader_gone.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        let _ = stdout.flush();
        for n in &o.notes {
            eprintln!("note: {n}");
        }
    })));
    let mut status = 0;
    for piece in scan::split(text) {
        if closed.load(std::sync::atomic::Ordering::SeqCst) {
            // The reader went away (`| head`): nothing more to say.
            return status;
        }
        let mut out = shell.execute(piece.text);
        if out.error_at.is_none()
            && let Some(p) = origin
        {
            out.error_at = Some(format!(
                "{}:{}",
                p.display(),
                scan::line_of(text, piece.start)
            ));
        }
        let mut stdout = std::io::stdout().lock();
        if stdout.write_all(out.out.as_bytes()).is_err() {
            // The reader went away (`| head`): nothing more to say.
            return status;
        }
        let _ = stdout.flush();
        drop(stdout);
        for n in &out.notes {
            eprintln!("note: {n}");
        }
        if let Some(e) = &out.error {
            eprintln!("{}", out.error_text().unwrap_or_default());
            status = status.max(e.exit_code());
            if !continue_on_error {
                break;
            }
        }
        if out.quit {
            break;
        }
    }
    status
}

/// `--repeat N`: runs the one statement N times, prints its result once, and on
/// standard error `{"runs": N, "min_ms": …, "median_ms": …, "rows": …}`. Each run is
/// timed from the call into the engine to its result (parse, plan, execute); store
/// opening and printing are excluded.
fn repeat(shell: &mut Shell, text: &str, n: usize) -> Result<i32> {
    let pieces = scan::split(text);
    let [piece] = pieces.as_slice() else {
        return Err(Error::Input(format!(
            "--repeat takes exactly one statement, got {}",
            pieces.len()
        )));
    };
    if piece.kind != PieceKind::Statement {
        return Err(Error::Input(
            "--repeat takes a query, not a meta-command".into(),
        ));
    }
    if n == 0 {
        return Err(Error::Input("--repeat needs at least 1 run".into()));
    }
    let mut times = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let r = shell.query(piece.text)?;
        times.push(t.elapsed());
        last = Some(r);
    }
    let Some(result) = last else {
        return Err(Error::Internal("no run happened".into()));
    };
    let out = shell.show_result(&result);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.out.as_bytes());
    let _ = stdout.flush();
    eprintln!("{}", repeat_summary(&times, result.rows.len()));
    Ok(0)
}

/// The `--repeat` JSON line.
pub fn repeat_summary(times: &[Duration], rows: usize) -> String {
    let mut ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let min = ms.first().copied().unwrap_or(0.0);
    let mid = ms.len() / 2;
    let median = match ms.len() {
        0 => 0.0,
        n if n % 2 == 1 => ms[mid],
        _ => (ms[mid - 1] + ms[mid]) / 2.0,
    };
    // Written by hand to keep the keys in this order (serde_json would sort them).
    format!(
        "{{\"runs\": {}, \"min_ms\": {min:.3}, \"median_ms\": {median:.3}, \"rows\": {rows}}}",
        times.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_summary_takes_min_and_median() {
        let t = |ms: u64| Duration::from_millis(ms);
        let s = repeat_summary(&[t(5), t(1), t(3), t(9)], 7);
        assert_eq!(
            s,
            r#"{"runs": 4, "min_ms": 1.000, "median_ms": 4.000, "rows": 7}"#
        );
        let s = repeat_summary(&[t(2), t(8), t(4)], 0);
        assert!(s.contains(r#""median_ms": 4.000"#), "{s}");
        let v: serde_json::Value = serde_json::from_str(&s).unwrap_or_default();
        assert_eq!(v["runs"], 3);
    }
}
