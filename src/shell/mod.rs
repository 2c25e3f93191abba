//! The interactive shell, built so that everything but the terminal is testable.
//!
//! [`Shell::execute`] takes what the user typed (one or more statements, or a
//! `:meta` command) and returns an [`Output`]; it never prints and never fails
//! outright, so an error never ends a session. The rustyline loop in
//! [`repl`] stays thin: read a line, wait for the statement's `;`, call
//! `execute`, print. `dossier query` drives the same `Shell` without a terminal.
//!
//! - [`scan`] decides when a statement is complete and splits scripts;
//! - [`format`](mod@format) prints results (table, csv, tsv, json, jsonl, markdown);
//! - [`literal`] reads parameter values;
//! - [`schema`] caches names for completion, prints `:schema`, suggests names;
//! - [`helper`] is rustyline's completion, hints and highlighting;
//! - [`help`] is the table of meta-commands.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::query::{self, Params, QueryOptions, QueryResult};
use crate::store::Store;

pub mod format;
pub mod help;
pub mod helper;
pub mod literal;
pub mod repl;
pub mod scan;
pub mod schema;

use format::{Cell, Format, Style};
use scan::{PieceKind, TokKind};

/// How the shell prints and runs queries.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub format: Format,
    /// Add compile and execution times to the footer.
    pub timing: bool,
    /// The widest a table may be (`None`: no limit).
    pub max_width: Option<usize>,
    /// Follow the terminal's width (the REPL sets `max_width` before each input)
    /// until `:maxwidth` sets one.
    pub auto_width: bool,
    pub color: bool,
    /// A person at a terminal: footers for every format, `:clear` clears.
    /// Otherwise output is for scripts: byte-stable, footers only under tables.
    pub interactive: bool,
    /// Cancel a query that runs longer than this.
    pub timeout: Option<Duration>,
    /// Fail a query whose result would hold more rows than this.
    pub max_rows: Option<usize>,
    /// Documents per transaction in `:ingest` (`None`: the ingest module's
    /// default). Ctrl-C stops an ingest between batches, so smaller batches stop
    /// sooner; larger ones ingest faster.
    pub ingest_batch_docs: Option<usize>,
}

/// What one call of [`Shell::execute`] produced.
#[derive(Debug, Default)]
pub struct Output {
    /// The results, for standard output.
    pub out: String,
    /// Diagnostics that are not results ("did you mean :Person?", footers of
    /// machine formats in scripts), for standard error in scripts.
    pub notes: Vec<String>,
    /// The error that stopped the input, if any; statements before it ran.
    pub error: Option<Error>,
    /// Where the error happened when it was in a file (`script.cypher:7`).
    pub error_at: Option<String>,
    /// The user asked to leave.
    pub quit: bool,
}

impl Output {
    /// The error as the shell prints it: location, message (with its caret).
    pub fn error_text(&self) -> Option<String> {
        let e = self.error.as_ref()?;
        Some(match &self.error_at {
            Some(at) => format!("error: {at}: {e}"),
            None => format!("error: {e}"),
        })
    }
}

/// Where [`Shell::set_stream`] sends each statement's results (`Send`, so a
/// shell can still move to another thread).
pub type Stream = Box<dyn FnMut(&Output) + Send>;

/// The shell: a store, parameters, settings and the last result.
pub struct Shell {
    store: Store,
    pub settings: Settings,
    params: Params,
    last: Option<QueryResult>,
    /// Set by the Ctrl-C handler; the running query checks it.
    cancel: Arc<AtomicBool>,
    /// The entries `:history` lists (the REPL keeps it in step with rustyline).
    pub history: Vec<String>,
    /// Where results go as each statement finishes (see [`Shell::set_stream`]).
    stream: Option<Stream>,
}

impl Shell {
    pub fn new(store: Store, settings: Settings) -> Shell {
        Shell {
            store,
            settings,
            params: Params::new(),
            last: None,
            cancel: Arc::new(AtomicBool::new(false)),
            history: Vec::new(),
            stream: None,
        }
    }

    /// Hands each statement's results (and notes) to `f` as soon as the statement
    /// finishes, instead of gathering them in the [`Output`] that `execute`
    /// returns, which then holds only the error, if any. The REPL prints this way,
    /// so a long `:source` script shows its results as it goes.
    pub fn set_stream(&mut self, f: Option<Stream>) {
        self.stream = f;
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
    pub fn params(&self) -> &Params {
        &self.params
    }
    pub fn set_param(&mut self, name: &str, value: crate::value::Value) {
        self.params.insert(name.to_string(), value);
    }
    /// The flag a Ctrl-C handler sets to cancel the running query.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }
    /// The result of the last query that succeeded (what `:export` writes).
    pub fn last_result(&self) -> Option<&QueryResult> {
        self.last.as_ref()
    }
    /// Replaces the last result, for embedders (and tests) that run queries
    /// themselves and want `:export` to write them.
    pub fn set_last_result(&mut self, result: QueryResult) {
        self.last = Some(result);
    }

    /// The one-line greeting: store, counts, where to get help.
    pub fn banner(&self) -> String {
        let g = self.store.graph();
        let path = self
            .store
            .path()
            .map_or("in memory".to_string(), |p| p.display().to_string());
        format!(
            "dossier {} · {path} · {} nodes, {} relationships · :help for help",
            env!("CARGO_PKG_VERSION"),
            g.node_count(),
            g.rel_count()
        )
    }

    /// Runs what the user typed: statements (each ended by `;`, the last one may
    /// omit it) and meta-commands, in order, stopping at the first error.
    pub fn execute(&mut self, input: &str) -> Output {
        // A Ctrl-C from an earlier run must not cancel this one.
        self.cancel.store(false, Ordering::SeqCst);
        let mut o = Output::default();
        self.run_script(input, None, &mut o);
        o
    }

    fn run_script(&mut self, text: &str, origin: Option<&Path>, o: &mut Output) {
        for piece in scan::split(text) {
            let r = if self.cancel.load(Ordering::SeqCst) {
                Err(Error::Cancelled(
                    "cancelled before this statement; the ones before it ran".into(),
                ))
            } else {
                match piece.kind {
                    PieceKind::Meta => self.meta(piece.text, o),
                    PieceKind::Statement => self.statement(piece.text, o),
                }
            };
            if let Err(e) = r {
                if let Some(p) = origin
                    && o.error_at.is_none()
                {
                    o.error_at = Some(format!(
                        "{}:{}",
                        p.display(),
                        scan::line_of(text, piece.start)
                    ));
                }
                o.error = Some(e);
                return;
            }
            if o.quit || o.error.is_some() {
                return;
            }
            if let Some(f) = &mut self.stream
                && (!o.out.is_empty() || !o.notes.is_empty())
            {
                let part = Output {
                    out: std::mem::take(&mut o.out),
                    notes: std::mem::take(&mut o.notes),
                    ..Output::default()
                };
                f(&part);
            }
        }
    }

    fn options(&self) -> QueryOptions {
        QueryOptions {
            cancel: Some(self.cancel.clone()),
            deadline: self.settings.timeout.map(|t| Instant::now() + t),
            max_rows: self.settings.max_rows,
        }
    }

    fn style(&self) -> Style {
        Style {
            max_width: self.settings.max_width,
            color: self.settings.color,
        }
    }

    /// Runs one query with the shell's parameters and limits, printing nothing
    /// (`--repeat` times this alone).
    pub fn query(&mut self, text: &str) -> Result<QueryResult> {
        let opts = self.options();
        query::execute(&mut self.store, text, &self.params, &opts)
    }

    /// A result as the shell prints it, footer included.
    pub fn show_result(&self, result: &QueryResult) -> Output {
        let mut o = Output::default();
        self.show(result, &mut o);
        o
    }

    /// Runs one query statement and prints its result.
    fn statement(&mut self, text: &str, o: &mut Output) -> Result<()> {
        let result = self.query(text).map_err(with_hint)?;
        self.show(&result, o);
        let g = self.store.graph();
        if result.rows.is_empty() {
            o.notes.extend(schema::unknown_name_notes(g, text));
        } else {
            // Rows came back, but a typo in a property key gives a column of
            // nulls: say so when a node or relationship's key is unknown and a
            // known one is close.
            let keys: Vec<&str> = g.key_names().collect();
            for k in element_keys(text) {
                if g.key_id(&k).is_none()
                    && let Some(best) = schema::nearest(&k, &keys)
                {
                    let note = format!("no property key {k} in the graph; did you mean {best}?");
                    if !o.notes.contains(&note) {
                        o.notes.push(note);
                    }
                }
            }
        }
        self.last = Some(result);
        Ok(())
    }

    /// Appends a result and its footer to `o`. Where the footer goes: under every
    /// result at a terminal; in scripts, under tables only (and without timings
    /// unless `:timing on`), so script output stays byte-stable.
    fn show(&self, result: &QueryResult, o: &mut Output) {
        let g = self.store.graph();
        let fmt = self.settings.format;
        // EXPLAIN answers with its plan and no rows: print the plan tree, not an
        // empty one-column table. PROFILE answers with rows and a plan: both.
        let explain_only = result.plan.is_some()
            && result.rows.is_empty()
            && result.columns.len() == 1
            && result.columns[0] == "plan";
        if !explain_only {
            o.out
                .push_str(&format::write_result(g, result, fmt, &self.style()));
        }
        if let Some(plan) = &result.plan {
            o.out.push_str(plan);
            if !plan.ends_with('\n') {
                o.out.push('\n');
            }
            if explain_only {
                return;
            }
        }
        let footer = format::footer(result, self.settings.timing);
        if self.settings.interactive || fmt == Format::Table {
            let footer = if self.settings.color {
                format!("\x1b[2m{footer}\x1b[0m")
            } else {
                footer
            };
            o.out.push_str(&footer);
            o.out.push('\n');
        } else if self.settings.timing {
            o.notes.push(footer);
        }
    }

    /// Runs a meta-command (`text` starts with `:`).
    fn meta(&mut self, text: &str, o: &mut Output) -> Result<()> {
        let text = text.trim().trim_start_matches(':');
        let (name, arg) = match text.split_once(char::is_whitespace) {
            Some((n, a)) => (n, a.trim()),
            None => (text, ""),
        };
        let Some(cmd) = help::find(name) else {
            let names: Vec<&str> = help::COMMANDS.iter().map(|c| c.name).collect();
            let mut msg = format!("unknown command :{name}");
            if let Some(best) = schema::nearest(name, &names) {
                msg.push_str(&format!("; did you mean :{best}?"));
            }
            msg.push_str(" (:help lists the commands)");
            return Err(Error::Input(msg));
        };
        let out = &mut o.out;
        match cmd.name {
            "help" => match help::help(arg) {
                Some(h) => out.push_str(&h),
                None => return Err(Error::Input(format!("no help on {arg:?}; try :help"))),
            },
            "schema" => out.push_str(&schema::report(self.store.graph(), &self.style())),
            "stats" => out.push_str(&self.stats()),
            "ingest" => {
                let paths: Vec<PathBuf> = words(arg)?.into_iter().map(PathBuf::from).collect();
                if paths.is_empty() {
                    return Err(Error::Input("usage: :ingest PATH…".into()));
                }
                let defaults = crate::ingest::Options::default();
                // At a terminal, smaller batches (about a second of work each) so
                // that Ctrl-C, which stops the ingest before its next batch and
                // keeps the batches already written, takes effect soon.
                let (docs, bytes) = if self.settings.interactive {
                    (64, 1 << 20)
                } else {
                    (defaults.batch_docs, defaults.batch_bytes)
                };
                let opts = crate::ingest::Options {
                    progress: self.settings.interactive,
                    cancel: Some(self.cancel.clone()),
                    batch_docs: self.settings.ingest_batch_docs.unwrap_or(docs).max(1),
                    batch_bytes: bytes,
                    ..defaults
                };
                // A file that fails is reported and the others still go in.
                let mut failures = Vec::new();
                let summary = crate::ingest::ingest(&mut self.store, &paths, &opts, &mut |f| {
                    failures.push(f.to_string())
                })?;
                let (n, r) = self.counts();
                o.notes.extend(failures);
                if summary.cancelled {
                    return Err(Error::Cancelled(format!(
                        "ingest cancelled; what went in before stays: {summary} \
                         (the store now holds {n} nodes, {r} relationships)"
                    )));
                }
                out.push_str(&format!(
                    "ingested {summary} (the store now holds {n} nodes, {r} relationships)\n"
                ));
            }
            "source" => {
                let path = single_word(arg, "usage: :source FILE")?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
                self.run_script(&text, Some(&path), o);
            }
            "param" => {
                if arg.is_empty() {
                    out.push_str(&self.params_text());
                } else {
                    let (name, value) = literal::split_assignment(arg)?;
                    let v = literal::parse_param(value)?;
                    self.params.insert(name.to_string(), v);
                }
            }
            "params" => match arg {
                "" => out.push_str(&self.params_text()),
                "clear" => self.params.clear(),
                _ => return Err(Error::Input("usage: :params [clear]".into())),
            },
            "format" => {
                if arg.is_empty() {
                    out.push_str(&format!("format: {}\n", self.settings.format.name()));
                } else {
                    self.settings.format = arg.parse()?;
                }
            }
            "timing" => match on_off(arg)? {
                Some(v) => self.settings.timing = v,
                None => out.push_str(&format!(
                    "timing: {}\n",
                    if self.settings.timing { "on" } else { "off" }
                )),
            },
            "maxwidth" => match arg {
                "" => out.push_str(&format!(
                    "maxwidth: {}\n",
                    self.settings
                        .max_width
                        .map_or("off".to_string(), |w| w.to_string())
                )),
                "off" | "0" => {
                    self.settings.max_width = None;
                    self.settings.auto_width = false;
                }
                n => {
                    let w: usize = n
                        .parse()
                        .map_err(|_| Error::Input(format!("usage: :maxwidth N|off (got {n:?})")))?;
                    self.settings.max_width = Some(w);
                    self.settings.auto_width = false;
                }
            },
            "explain" => {
                if arg.is_empty() {
                    return Err(Error::Input("usage: :explain QUERY".into()));
                }
                let q = arg.trim_end_matches(';');
                let text = format!("EXPLAIN {q}");
                let r = self.query(&text)?;
                match &r.plan {
                    Some(plan) => {
                        out.push_str(plan);
                        if !plan.ends_with('\n') {
                            out.push('\n');
                        }
                    }
                    None => self.show(&r, o),
                }
            }
            "history" => {
                let n: usize = if arg.is_empty() {
                    20
                } else {
                    arg.parse()
                        .map_err(|_| Error::Input("usage: :history [N]".into()))?
                };
                let skip = self.history.len().saturating_sub(n);
                for (i, h) in self.history.iter().enumerate().skip(skip) {
                    let h = h.replace('\n', "\n      ");
                    out.push_str(&format!("{:>5} {h}\n", i + 1));
                }
            }
            "clear" => {
                if self.settings.interactive {
                    out.push_str("\x1b[2J\x1b[H");
                }
            }
            "export" => self.export(arg, o)?,
            "quit" => o.quit = true,
            other => {
                return Err(Error::Internal(format!(
                    "meta-command :{other} has no handler"
                )));
            }
        }
        Ok(())
    }

    fn counts(&self) -> (usize, usize) {
        let g = self.store.graph();
        (g.node_count(), g.rel_count())
    }

    fn stats(&self) -> String {
        let g = self.store.graph();
        let mut rows = vec![
            vec![
                Cell::new("store"),
                Cell::new(
                    self.store
                        .path()
                        .map_or("in memory".to_string(), |p| p.display().to_string()),
                ),
            ],
            vec![Cell::new("nodes"), count(g.node_count())],
            vec![Cell::new("relationships"), count(g.rel_count())],
        ];
        for (l, n) in schema::label_counts(g) {
            rows.push(vec![Cell::new(format!("  :{l}")), count(n)]);
        }
        for (t, n) in schema::type_counts(g) {
            rows.push(vec![Cell::new(format!("  [:{t}]")), count(n as usize)]);
        }
        if self.store.is_read_only() {
            rows.push(vec![Cell::new("mode"), Cell::new("read-only")]);
        }
        // A two-column list reads better without a header: empty names draw none.
        format::table(&["".to_string(), "".to_string()], &rows, &self.style())
    }

    fn params_text(&self) -> String {
        if self.params.is_empty() {
            return "no parameters (set one with :param name => value)\n".into();
        }
        self.params
            .iter()
            .map(|(k, v)| format!(":param {k} => {}\n", literal::to_literal(v)))
            .collect()
    }

    fn export(&mut self, arg: &str, o: &mut Output) -> Result<()> {
        let usage = "usage: :export FORMAT FILE [--induced]";
        let mut induced = false;
        let mut rest = Vec::new();
        for w in words(arg)? {
            if w == "--induced" {
                induced = true;
            } else {
                rest.push(w);
            }
        }
        let [fmt, file] = rest.as_slice() else {
            return Err(Error::Input(usage.into()));
        };
        let Some(last) = &self.last else {
            return Err(Error::Input(
                "nothing to export yet: run a query first; :export writes its result's subgraph"
                    .into(),
            ));
        };
        let g = self.store.graph();
        let format = crate::export::Format::parse(fmt)?;
        let sub = crate::export::Subgraph::from_result(g, last, induced);
        let opts = crate::export::ExportOptions {
            induced,
            ..crate::export::ExportOptions::default()
        };
        let path = Path::new(file);
        crate::export::export_subgraph_to_path(g, &sub, format, &opts, path)?;
        o.out.push_str(&format!(
            "wrote {}: {} nodes, {} relationships ({})\n",
            path.display(),
            sub.nodes.len(),
            sub.rels.len(),
            fmt.to_ascii_lowercase()
        ));
        Ok(())
    }
}

/// Adds a cheap "did you mean" to a query error that has none: a misspelt keyword
/// where the parser stopped (among the keywords it expected there), an unknown
/// function, a variable that is not defined (among those the query binds).
fn with_hint(e: Error) -> Error {
    let Error::Query(mut q) = e else { return e };
    let (None, Some(span), Some(src)) = (&q.hint, q.span, q.source.as_deref()) else {
        return Error::Query(q);
    };
    let word: String = src
        .get(span.start..)
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    if word.is_empty() {
        return Error::Query(q);
    }
    let best = match q.code.as_deref() {
        Some("UnknownFunction") => {
            schema::nearest(&word, helper::FUNCTIONS).map(|f| format!("{f}()"))
        }
        Some("UndefinedVariable") => {
            let vars = helper::bound_variables(src);
            let vars: Vec<&str> = vars
                .iter()
                .map(String::as_str)
                .filter(|v| *v != word)
                .collect();
            schema::nearest(&word, &vars).map(str::to_string)
        }
        _ if q.kind == crate::error::QueryErrorKind::SyntaxError => {
            // "expected end of input, CALL, CREATE, …, found `RETRN`": the keywords.
            let expected = q
                .message
                .strip_prefix("expected ")
                .and_then(|m| m.rsplit_once(" found ").map(|(list, _)| list))
                .unwrap_or("");
            let mut keywords: Vec<&str> = expected
                .split([',', ' '])
                .filter(|w| helper::KEYWORDS.contains(w))
                .collect();
            if expected.split([',', ' ']).any(|w| w == "statement") {
                keywords.extend([
                    "MATCH", "OPTIONAL", "CREATE", "MERGE", "UNWIND", "WITH", "RETURN", "CALL",
                    "EXPLAIN", "PROFILE",
                ]);
            }
            let is_keyword = helper::KEYWORDS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&word));
            schema::nearest(&word, &keywords)
                .filter(|_| !is_keyword)
                .map(|k| {
                    if word.chars().all(|c| !c.is_uppercase()) {
                        k.to_lowercase()
                    } else {
                        k.to_string()
                    }
                })
        }
        _ => None,
    };
    if let Some(b) = best {
        q.hint = Some(format!("did you mean {b}?"));
    }
    Error::Query(q)
}

/// The property keys `query` reads from node and relationship variables (`p.name`
/// where `(p` or `[p` opens a pattern), found with the shell's lexer. Keys of maps
/// and other values are left out: they are not the graph's names.
fn element_keys(query: &str) -> Vec<String> {
    let toks = scan::significant(query);
    let kind = |i: usize| toks.get(i).map(|t| t.kind);
    let text = |i: usize| toks.get(i).and_then(|t| scan::name_of(query, t));
    let mut elements: Vec<String> = Vec::new();
    for i in 0..toks.len() {
        let opens = matches!(kind(i), Some(TokKind::Punct('(' | '[')));
        let then = kind(i + 2);
        let pattern = matches!(
            then,
            Some(TokKind::Punct(':' | ')' | ']' | '{' | '*' | '-' | '<'))
        );
        if opens
            && pattern
            && let Some(v) = text(i + 1)
            && !helper::KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(&v))
        {
            elements.push(v);
        }
    }
    let mut out = Vec::new();
    for i in 0..toks.len() {
        if kind(i + 1) == Some(TokKind::Punct('.'))
            && let (Some(v), Some(k)) = (text(i), text(i + 2))
            && elements.contains(&v)
            && !out.contains(&k)
        {
            out.push(k);
        }
    }
    out
}

/// A right-aligned number cell.
fn count(n: usize) -> Cell {
    Cell {
        text: n.to_string(),
        right: true,
        dim: false,
    }
}

/// `on`/`off` (or `true`/`false`); `None` when empty (show the setting).
fn on_off(arg: &str) -> Result<Option<bool>> {
    match arg.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "on" | "true" | "yes" | "1" => Ok(Some(true)),
        "off" | "false" | "no" | "0" => Ok(Some(false)),
        other => Err(Error::Input(format!("expected on or off, got {other:?}"))),
    }
}

/// Splits a meta-command's arguments at spaces; quotes (`'…'`, `"…"`) keep spaces.
pub fn words(text: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if quote.is_some() {
        return Err(Error::Input(format!("unclosed quote in {text:?}")));
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

fn single_word(arg: &str, usage: &str) -> Result<PathBuf> {
    match words(arg)?.as_slice() {
        [one] => Ok(PathBuf::from(one)),
        _ => Err(Error::Input(usage.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_quoted_spaces() {
        let w = words(r#"a "b c" 'd e' "" f"#).unwrap_or_default();
        assert_eq!(w, vec!["a", "b c", "d e", "", "f"]);
        assert!(words("'open").is_err());
    }

    #[test]
    fn element_keys_are_those_read_from_pattern_variables() {
        let q = "MATCH (p:Person)-[r]->(t) WITH p, r, t, {nme: 1} AS m \
                 UNWIND [x IN [{a: 1}] | x] AS y \
                 RETURN p.nme, r.`full name`, t.date, m.nme, y.a, date('2016-12-12').year";
        assert_eq!(element_keys(q), ["nme", "full name", "date"]);
    }

    #[test]
    fn a_stream_gets_each_statements_results_as_it_finishes() {
        use std::sync::Mutex;
        let dir = std::env::temp_dir().join(format!("dossier-stream-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let script = dir.join("s.cypher");
        let _ = std::fs::write(
            &script,
            ":format csv\nRETURN 1 AS a;\nRETURN 2 AS b;\nRETURN nosuch;\nRETURN 3 AS c;\n",
        );
        let mut sh = Shell::new(Store::in_memory(), Settings::default());
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        sh.set_stream(Some(Box::new(move |o: &Output| {
            if let Ok(mut l) = log.lock() {
                l.push(o.out.clone());
            }
        })));
        let o = sh.execute(&format!("RETURN 0 AS z; :source {}", script.display()));
        let _ = std::fs::remove_dir_all(&dir);
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(
            seen,
            [
                "┌───┐\n│ z │\n├───┤\n│ 0 │\n└───┘\n1 row\n",
                "a\n1\n",
                "b\n2\n"
            ]
        );
        // What is left for the caller: the error, no results.
        assert!(o.out.is_empty(), "{:?}", o.out);
        let e = o.error_text().unwrap_or_default();
        assert!(e.contains("s.cypher:4: SyntaxError"), "{e}");
    }

    #[test]
    fn errors_never_end_the_session() {
        let mut sh = Shell::new(Store::in_memory(), Settings::default());
        let o = sh.execute(":nosuch");
        let e = o.error_text().unwrap_or_default();
        assert!(e.contains("unknown command :nosuch"), "{e}");
        assert!(!o.quit);
        let o = sh.execute(":fromat csv");
        assert!(
            o.error_text()
                .unwrap_or_default()
                .contains("did you mean :format?")
        );
        let o = sh.execute(":format csv");
        assert!(o.error.is_none());
        assert_eq!(sh.settings.format, Format::Csv);
        assert!(sh.execute(":quit").quit);
    }
}
