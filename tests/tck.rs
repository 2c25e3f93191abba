//! The openCypher TCK, run against dossier's Cypher-like engine.
//!
//! Reads every `.feature` file under `$DOSSIER_TCK_DIR` (default
//! `../shared/tck/features` next to the crate), expands Scenario Outlines, and runs
//! each scenario against a fresh in-memory store: named graphs, setup queries,
//! parameters, the query, then the expected result (in order or not, lists with or
//! without element order), side effects, or error. Prints one line per folder,
//! `folder: N passed, M failed, K skipped`, then the totals.
//!
//! The run fails only when a scenario listed in `tests/tck/expected-pass.txt`
//! does not pass, so conformance ratchets up without blocking work in progress.
//!
//! Environment:
//! - `DOSSIER_TCK_DIR`: the features directory;
//! - `DOSSIER_TCK_FILTER`: run only scenarios whose id contains this text;
//! - `DOSSIER_TCK_VERBOSE=1`: print every failure and skip with its reason;
//! - `DOSSIER_TCK_REPORT=path`: write a markdown report (totals per folder, every
//!   failing and skipped scenario with a one-line reason);
//! - `DOSSIER_TCK_UPDATE=1`: rewrite `expected-pass.txt` with what passes now.
//!
//! Side effects are counted the way the TCK's reference harness does, by
//! comparing the graph before and after the query: `+nodes`/`-nodes` and
//! `+relationships`/`-relationships` are elements that appeared or vanished,
//! `+labels`/`-labels` are label names that came into or went out of use, and
//! `+properties`/`-properties` are (element, key, value) triples that appeared or
//! vanished (so changing a value counts one of each).
//!
//! Errors: the kind (`SyntaxError`, `TypeError`, ...) must match; the detail code
//! (`UnknownFunction`) is compared when the engine sets one. The phase (compile
//! time or runtime) is not checked.

#[path = "tck/lit.rs"]
mod lit;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use dossier::query::{self, Params, QueryOptions, QueryResult};
use dossier::value::format_float;
use dossier::{Error, Graph, Store, Value};
use gherkin::{Feature, GherkinEnv, Step};
use lit::Lit;

/// Per query; the engine checks it between rows.
const QUERY_DEADLINE: Duration = Duration::from_secs(5);
/// Per scenario, for an engine that never looks at its deadline.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone)]
enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

/// One runnable scenario (an outline expands to one per example row).
struct Case {
    /// `folder/File.feature: name` plus ` [n]` for the n-th example of an outline.
    id: String,
    folder: String,
    steps: Vec<StepData>,
}

#[derive(Clone)]
struct StepData {
    text: String,
    docstring: Option<String>,
    table: Vec<Vec<String>>,
}

fn main() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("DOSSIER_TCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../shared/tck/features"));
    let expected_path = manifest.join("tests/tck/expected-pass.txt");
    let expected: BTreeSet<String> = std::fs::read_to_string(&expected_path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    if !dir.is_dir() {
        println!("tck: features directory {} not found", dir.display());
        if expected.is_empty() {
            println!("tck: nothing is expected to pass; skipping the run");
            return;
        }
        eprintln!(
            "tck: {} scenarios are expected to pass but there is nothing to run",
            expected.len()
        );
        std::process::exit(1);
    }
    let graphs = dir.join("../graphs");
    let filter = std::env::var("DOSSIER_TCK_FILTER").ok();
    let verbose = std::env::var_os("DOSSIER_TCK_VERBOSE").is_some();

    let mut files = Vec::new();
    collect_features(&dir, &mut files);
    files.sort();

    let started = Instant::now();
    let mut results: Vec<(Case, Outcome)> = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&dir)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let folder = rel.rsplit_once('/').map_or("", |(f, _)| f).to_string();
        let cases = match Feature::parse_path(file, GherkinEnv::default()) {
            Ok(f) => expand(&f, &rel, &folder),
            Err(e) => {
                let case = Case {
                    id: format!("{rel}: (file)"),
                    folder,
                    steps: Vec::new(),
                };
                results.push((
                    case,
                    Outcome::Fail(format!("feature file does not parse: {e}")),
                ));
                continue;
            }
        };
        for case in cases {
            if filter
                .as_ref()
                .is_some_and(|f| !case.id.contains(f.as_str()))
            {
                continue;
            }
            let outcome = run_isolated(&case, &graphs);
            if verbose && !matches!(outcome, Outcome::Pass) {
                println!("{}: {outcome:?}", case.id);
            }
            results.push((case, outcome));
        }
    }

    // One line per folder, then the totals.
    let mut per_folder: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for (case, outcome) in &results {
        let e = per_folder.entry(case.folder.as_str()).or_default();
        e[match outcome {
            Outcome::Pass => 0,
            Outcome::Fail(_) => 1,
            Outcome::Skip(_) => 2,
        }] += 1;
    }
    let mut total = [0usize; 3];
    for (folder, [p, f, s]) in &per_folder {
        println!("{folder}: {p} passed, {f} failed, {s} skipped");
        total[0] += p;
        total[1] += f;
        total[2] += s;
    }
    println!(
        "total: {} passed, {} failed, {} skipped ({} scenarios in {:.1}s)",
        total[0],
        total[1],
        total[2],
        results.len(),
        started.elapsed().as_secs_f64()
    );

    if let Some(path) = std::env::var_os("DOSSIER_TCK_REPORT") {
        let report = markdown_report(&per_folder, total, &results);
        match std::fs::write(&path, report) {
            Ok(()) => println!("tck: report written to {}", PathBuf::from(&path).display()),
            Err(e) => eprintln!("tck: cannot write the report: {e}"),
        }
    }

    let passing: BTreeSet<&str> = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Pass))
        .map(|(c, _)| c.id.as_str())
        .collect();
    if std::env::var_os("DOSSIER_TCK_UPDATE").is_some() && filter.is_none() {
        let mut text = String::from(
            "# Scenarios that pass and must keep passing (rewrite with DOSSIER_TCK_UPDATE=1).\n",
        );
        for id in &passing {
            text.push_str(id);
            text.push('\n');
        }
        match std::fs::write(&expected_path, text) {
            Ok(()) => println!(
                "tck: wrote {} scenarios to expected-pass.txt",
                passing.len()
            ),
            Err(e) => eprintln!("tck: cannot write expected-pass.txt: {e}"),
        }
        return;
    }

    let ran: BTreeSet<&str> = results.iter().map(|(c, _)| c.id.as_str()).collect();
    let mut regressions = Vec::new();
    for id in &expected {
        if filter.as_ref().is_some_and(|f| !id.contains(f.as_str())) {
            continue;
        }
        if !ran.contains(id.as_str()) {
            regressions.push(format!("{id}: not found (renamed or removed?)"));
        } else if !passing.contains(id.as_str()) {
            let why = results
                .iter()
                .find(|(c, _)| &c.id == id)
                .map(|(_, o)| format!("{o:?}"))
                .unwrap_or_default();
            regressions.push(format!("{id}: {why}"));
        }
    }
    let newly = passing.iter().filter(|id| !expected.contains(**id)).count();
    if newly > 0 {
        println!(
            "tck: {newly} passing scenarios are not in tests/tck/expected-pass.txt (DOSSIER_TCK_UPDATE=1 adds them)"
        );
    }
    if !regressions.is_empty() {
        eprintln!(
            "tck: {} scenarios expected to pass did not:",
            regressions.len()
        );
        for r in &regressions {
            eprintln!("  {r}");
        }
        std::process::exit(1);
    }
}

fn collect_features(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_features(&p, out);
        } else if p.extension().is_some_and(|x| x == "feature") {
            out.push(p);
        }
    }
}

fn step_data(s: &Step) -> StepData {
    StepData {
        text: s.value.trim().to_string(),
        docstring: s.docstring.clone(),
        table: s.table.as_ref().map(|t| t.rows.clone()).unwrap_or_default(),
    }
}

/// Scenarios, with outlines expanded: `<name>` replaced by each example row's cell.
fn expand(f: &Feature, rel: &str, folder: &str) -> Vec<Case> {
    let background: Vec<StepData> = f
        .background
        .iter()
        .flat_map(|b| b.steps.iter().map(step_data))
        .collect();
    let mut out = Vec::new();
    for sc in &f.scenarios {
        let steps: Vec<StepData> = background
            .iter()
            .cloned()
            .chain(sc.steps.iter().map(step_data))
            .collect();
        let base = format!("{rel}: {}", sc.name.trim());
        if sc.examples.is_empty() {
            out.push(Case {
                id: base,
                folder: folder.to_string(),
                steps,
            });
            continue;
        }
        let mut n = 0;
        for ex in &sc.examples {
            let Some(table) = &ex.table else { continue };
            let Some((header, rows)) = table.rows.split_first() else {
                continue;
            };
            for row in rows {
                n += 1;
                let subst = |text: &str| {
                    let mut t = text.to_string();
                    for (k, v) in header.iter().zip(row) {
                        t = t.replace(&format!("<{k}>"), v);
                    }
                    t
                };
                let steps = steps
                    .iter()
                    .map(|s| StepData {
                        text: subst(&s.text),
                        docstring: s.docstring.as_deref().map(subst),
                        table: s
                            .table
                            .iter()
                            .map(|r| r.iter().map(|c| subst(c)).collect())
                            .collect(),
                    })
                    .collect();
                out.push(Case {
                    id: format!("{base} [{n}]"),
                    folder: folder.to_string(),
                    steps,
                });
            }
        }
    }
    out
}

/// Runs a case on its own thread, catching panics and giving up after a timeout
/// (the thread is then left behind: Rust cannot kill it).
fn run_isolated(case: &Case, graphs: &Path) -> Outcome {
    let steps = case.steps.clone();
    let graphs = graphs.to_path_buf();
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("tck-scenario".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| run_case(&steps, &graphs)));
            let outcome = match r {
                Ok(o) => o,
                Err(p) => {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Outcome::Fail(format!("panic: {}", one_line(&msg)))
                }
            };
            let _ = tx.send(outcome);
        });
    if let Err(e) = spawned {
        return Outcome::Fail(format!("cannot start a thread: {e}"));
    }
    match rx.recv_timeout(SCENARIO_TIMEOUT) {
        Ok(o) => o,
        Err(_) => Outcome::Fail(format!("timed out after {}s", SCENARIO_TIMEOUT.as_secs())),
    }
}

fn one_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        out.push('…');
    }
    out
}

fn run_query(store: &mut Store, text: &str, params: &Params) -> Result<QueryResult, Error> {
    let opts = QueryOptions {
        deadline: Some(Instant::now() + QUERY_DEADLINE),
        ..QueryOptions::default()
    };
    query::execute(store, text, params, &opts)
}

/// What a query did, for the result and side-effect steps.
struct Ran {
    result: Result<QueryResult, Error>,
    before: Snapshot,
    after: Snapshot,
}

/// Temporal types dossier does not have (it has dates and durations only).
const UNSUPPORTED_TEMPORAL: &[&str] = &["time", "localtime", "datetime", "localdatetime"];

/// Why a query cannot run here, if it calls a temporal function dossier lacks
/// (`datetime(...)`, `localtime.truncate(...)`, `date.truncate(...)`). String
/// literals are blanked first so `'a time...'` is not a call.
fn unsupported(query: &str) -> Option<String> {
    let mut code = String::with_capacity(query.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in query.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                code.push(' ');
            }
            None => {
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                code.push(c.to_ascii_lowercase());
            }
        }
    }
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !(chars[i].is_alphabetic() || chars[i] == '_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
        {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        let mut j = i;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if chars.get(j) != Some(&'(') {
            continue;
        }
        let head = name.split('.').next().unwrap_or("");
        if UNSUPPORTED_TEMPORAL.contains(&head)
            || (head == "date" && name != "date" && name != "date.truncate")
        {
            return Some(format!(
                "calls {name}(): only date and duration temporal values are supported"
            ));
        }
    }
    None
}

fn run_case(steps: &[StepData], graphs: &Path) -> Outcome {
    let mut store = Store::in_memory();
    let mut params = Params::new();
    let mut ran: Option<Ran> = None;
    for step in steps {
        let t = step.text.as_str();
        let doc = step.docstring.as_deref().unwrap_or("");
        if t == "an empty graph" || t == "any graph" {
            continue;
        }
        if let Some(name) = t
            .strip_prefix("the ")
            .and_then(|r| r.strip_suffix(" graph"))
        {
            if let Err(e) = load_graph(&mut store, graphs, name) {
                return Outcome::Fail(format!("loading graph {name}: {e}"));
            }
            continue;
        }
        if t.starts_with("there exists a procedure") {
            return Outcome::Skip(
                "declares a test procedure; only the built-in db.* procedures exist".into(),
            );
        }
        if t.starts_with("having executed") {
            if let Some(why) = unsupported(doc) {
                return Outcome::Skip(why);
            }
            if let Err(e) = run_query(&mut store, doc, &params) {
                return Outcome::Fail(format!("setup query failed: {}", one_line(&e.to_string())));
            }
            continue;
        }
        if t.starts_with("parameters are") {
            for row in &step.table {
                let [k, v] = &row[..] else {
                    return Outcome::Fail(format!("bad parameter row {row:?}"));
                };
                match lit::parse(v).and_then(|l| lit::to_value(&l)) {
                    Ok(val) => {
                        params.insert(k.clone(), val);
                    }
                    Err(e) => return Outcome::Fail(format!("bad parameter {k}: {e}")),
                }
            }
            continue;
        }
        if t.starts_with("executing query") || t.starts_with("executing control query") {
            if let Some(why) = unsupported(doc) {
                return Outcome::Skip(why);
            }
            let before = Snapshot::of(store.graph());
            let result = run_query(&mut store, doc, &params);
            let after = Snapshot::of(store.graph());
            ran = Some(Ran {
                result,
                before,
                after,
            });
            continue;
        }
        let Some(r) = &ran else {
            return Outcome::Fail(format!("step {t:?} comes before any query"));
        };
        let check = if t.starts_with("the result should be empty") {
            check_rows(r, &[], false, false, store.graph())
        } else if let Some(rest) = t.strip_prefix("the result should be") {
            let ordered = rest.contains("in order");
            let unordered_lists = rest.contains("ignoring element order for lists");
            check_rows(r, &step.table, ordered, unordered_lists, store.graph())
        } else if t.starts_with("no side effects") {
            check_side_effects(r, &[])
        } else if t.starts_with("the side effects should be") {
            check_side_effects(r, &step.table)
        } else if let Some(rest) = t.strip_prefix("a ").or_else(|| t.strip_prefix("an ")) {
            check_error(r, rest)
        } else {
            return Outcome::Skip(format!("unknown step: {}", one_line(t)));
        };
        if let Err(why) = check {
            return Outcome::Fail(why);
        }
    }
    if ran.is_none() {
        return Outcome::Fail("no query was executed".into());
    }
    Outcome::Pass
}

fn load_graph(store: &mut Store, graphs: &Path, name: &str) -> Result<(), String> {
    let dir = graphs.join(name);
    let meta = std::fs::read_to_string(dir.join(format!("{name}.json")))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let meta: serde_json::Value = serde_json::from_str(&meta).map_err(|e| e.to_string())?;
    let scripts: Vec<String> = meta["scripts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_else(|| vec![name.to_string()]);
    for s in scripts {
        let path = dir.join(format!("{s}.cypher"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        // A script is statements separated by `;` at line ends.
        for stmt in text
            .split(";\n")
            .map(|s| s.trim().trim_end_matches(';').trim())
        {
            if stmt.is_empty() {
                continue;
            }
            run_query(store, stmt, &Params::new())
                .map_err(|e| format!("{}: {}", path.display(), one_line(&e.to_string())))?;
        }
    }
    Ok(())
}

fn check_rows(
    r: &Ran,
    table: &[Vec<String>],
    ordered: bool,
    unordered_lists: bool,
    g: &Graph,
) -> Result<(), String> {
    let res = match &r.result {
        Ok(res) => res,
        Err(e) => return Err(format!("query failed: {}", one_line(&e.to_string()))),
    };
    let (header, rows) = match table.split_first() {
        Some((h, rows)) => (Some(h), rows),
        None => (None, &[][..]),
    };
    // Columns: the expected names, each found in the result (order may differ).
    let mut idx = Vec::new();
    if let Some(h) = header {
        if h.len() != res.columns.len() {
            return Err(format!("columns {:?}, expected {:?}", res.columns, h));
        }
        for name in h {
            match res.columns.iter().position(|c| c == name) {
                Some(i) => idx.push(i),
                None => {
                    return Err(format!("no column {name:?} (columns {:?})", res.columns));
                }
            }
        }
    }
    let mut expected = Vec::new();
    for row in rows {
        let mut cells = Vec::new();
        for c in row {
            cells.push(lit::parse(c).map_err(|e| format!("expected cell {c:?}: {e}"))?);
        }
        expected.push(cells);
    }
    let actual: Vec<Vec<Lit>> = res
        .rows
        .iter()
        .map(|row| {
            idx.iter()
                .map(|i| {
                    row.get(*i)
                        .map(|v| lit::from_value(g, v))
                        .unwrap_or(Lit::Null)
                })
                .collect()
        })
        .collect();
    let row_eq = |e: &Vec<Lit>, a: &Vec<Lit>| {
        e.len() == a.len()
            && e.iter()
                .zip(a)
                .all(|(x, y)| lit::equal(x, y, unordered_lists))
    };
    let same = if ordered {
        expected.len() == actual.len() && expected.iter().zip(&actual).all(|(e, a)| row_eq(e, a))
    } else {
        lit::multiset_eq(&expected, &actual, row_eq)
    };
    if same {
        return Ok(());
    }
    let show = |rows: &[Vec<Lit>]| {
        let mut s = String::new();
        for (i, row) in rows.iter().take(4).enumerate() {
            if i > 0 {
                s.push_str("; ");
            }
            let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
            s.push_str(&cells.join(" | "));
        }
        if rows.len() > 4 {
            let _ = write!(s, "; … ({} rows)", rows.len());
        }
        s
    };
    Err(one_line(&format!(
        "got {} rows [{}], expected {} [{}]",
        actual.len(),
        show(&actual),
        expected.len(),
        show(&expected)
    )))
}

/// The graph's state as the TCK counts side effects.
#[derive(Default)]
struct Snapshot {
    nodes: BTreeSet<u64>,
    rels: BTreeSet<u64>,
    labels: BTreeSet<String>,
    /// (node?, id, key, value as text)
    props: BTreeSet<(bool, u64, String, String)>,
}

fn prop_text(v: &Value) -> String {
    match v {
        // Float text keeps the type apart from an equal integer.
        Value::Float(f) => format!("f:{}", format_float(*f)),
        other => format!("{}:{other}", other.type_name()),
    }
}

impl Snapshot {
    fn of(g: &Graph) -> Snapshot {
        let mut s = Snapshot::default();
        for n in g.node_ids() {
            s.nodes.insert(n.0);
            for l in g.node_labels(n) {
                s.labels.insert(l.to_string());
            }
            for (k, v) in g.node_props(n) {
                s.props.insert((true, n.0, k.to_string(), prop_text(v)));
            }
        }
        for r in g.rel_ids() {
            s.rels.insert(r.0);
            for (k, v) in g.rel_props(r) {
                s.props.insert((false, r.0, k.to_string(), prop_text(v)));
            }
        }
        s
    }
}

fn diff<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> (u64, u64) {
    (
        b.difference(a).count() as u64,
        a.difference(b).count() as u64,
    )
}

fn check_side_effects(r: &Ran, table: &[Vec<String>]) -> Result<(), String> {
    if r.result.is_err() {
        // The error step reports the failure; a failed query must change nothing.
        return Ok(());
    }
    let (b, a) = (&r.before, &r.after);
    let (pn, mn) = diff(&b.nodes, &a.nodes);
    let (pr, mr) = diff(&b.rels, &a.rels);
    let (pl, ml) = diff(&b.labels, &a.labels);
    let (pp, mp) = diff(&b.props, &a.props);
    let actual: BTreeMap<&str, u64> = [
        ("+nodes", pn),
        ("-nodes", mn),
        ("+relationships", pr),
        ("-relationships", mr),
        ("+labels", pl),
        ("-labels", ml),
        ("+properties", pp),
        ("-properties", mp),
    ]
    .into_iter()
    .collect();
    let mut expected: BTreeMap<&str, u64> = actual.keys().map(|k| (*k, 0)).collect();
    for row in table {
        let [k, v] = &row[..] else {
            return Err(format!("bad side-effect row {row:?}"));
        };
        let Some(slot) = expected.get_mut(k.trim()) else {
            return Err(format!("unknown side effect {k:?}"));
        };
        *slot = v
            .trim()
            .parse()
            .map_err(|_| format!("bad side-effect count {v:?}"))?;
    }
    if expected == actual {
        return Ok(());
    }
    let show = |m: &BTreeMap<&str, u64>| {
        m.iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(format!(
        "side effects [{}], expected [{}]",
        show(&actual),
        show(&expected)
    ))
}

/// `rest` is e.g. `SyntaxError should be raised at compile time: UnknownFunction`.
fn check_error(r: &Ran, rest: &str) -> Result<(), String> {
    let kind = rest.split_whitespace().next().unwrap_or("");
    let code = rest.rsplit_once(':').map(|(_, c)| c.trim()).unwrap_or("");
    match &r.result {
        Ok(_) => Err(format!("expected {kind} {code}, but the query succeeded")),
        Err(Error::Query(q)) => {
            let got = q.kind.to_string();
            if got != kind {
                return Err(one_line(&format!(
                    "expected {kind} {code}, got {got} {}: {}",
                    q.code.as_deref().unwrap_or("-"),
                    q.message
                )));
            }
            match &q.code {
                Some(c) if !code.is_empty() && c != code => Err(one_line(&format!(
                    "expected {kind} {code}, got {kind} {c}: {}",
                    q.message
                ))),
                _ => Ok(()),
            }
        }
        Err(other) => Err(one_line(&format!("expected {kind} {code}, got {}", other))),
    }
}

fn markdown_report(
    per_folder: &BTreeMap<&str, [usize; 3]>,
    total: [usize; 3],
    results: &[(Case, Outcome)],
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| folder | passed | failed | skipped |");
    let _ = writeln!(s, "|---|---:|---:|---:|");
    for (folder, [p, f, k]) in per_folder {
        let _ = writeln!(s, "| {folder} | {p} | {f} | {k} |");
    }
    let _ = writeln!(
        s,
        "| **total** | **{}** | **{}** | **{}** |",
        total[0], total[1], total[2]
    );
    let esc = |t: &str| t.replace('|', "\\|");
    let _ = writeln!(s, "\n### Failing scenarios\n");
    for (c, o) in results {
        if let Outcome::Fail(why) = o {
            let _ = writeln!(s, "- `{}`: {}", c.id, esc(why));
        }
    }
    let _ = writeln!(s, "\n### Skipped scenarios\n");
    for (c, o) in results {
        if let Outcome::Skip(why) = o {
            let _ = writeln!(s, "- `{}`: {}", c.id, esc(why));
        }
    }
    s
}
