//! rustyline's helper for the shell: completion, hints and highlighting.
//!
//! Everything here reads the cached [`SchemaNames`] (refreshed by the loop between
//! statements when the graph's schema version moves), never the graph, so typing
//! never waits on a large store. The decisions (what to complete at the cursor,
//! how to colour a line) are plain functions with unit tests; the trait impls
//! only adapt them to rustyline.
//!
//! rustyline edits one line at a time, but a statement may span several: the loop
//! shares the earlier lines of the unfinished statement ([`ShellHelper::pending`]),
//! and completion and colours read the line in their light (a `[` left open, a
//! variable bound, a string not yet closed).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::shell::help::{self, COMMANDS};
use crate::shell::scan::{TokKind, name_of, significant, tokens};
use crate::shell::schema::SchemaNames;

/// Keywords of the query language, for completion and highlighting.
pub const KEYWORDS: &[&str] = &[
    "MATCH",
    "OPTIONAL",
    "WHERE",
    "RETURN",
    "WITH",
    "UNWIND",
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "DETACH",
    "REMOVE",
    "ORDER",
    "BY",
    "SKIP",
    "LIMIT",
    "ASC",
    "ASCENDING",
    "DESC",
    "DESCENDING",
    "DISTINCT",
    "AS",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "IN",
    "STARTS",
    "ENDS",
    "CONTAINS",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "UNION",
    "ALL",
    "ON",
    "EXPLAIN",
    "PROFILE",
    "CALL",
    "YIELD",
    "EXISTS",
    "INDEX",
    "FOR",
];

/// Functions offered by completion (and by error hints), as they are usually
/// written; the engine matches names case-insensitively. A unit test checks that
/// the engine knows each one.
pub const FUNCTIONS: &[&str] = &[
    "abs",
    "acos",
    "allShortestPaths",
    "asin",
    "atan",
    "atan2",
    "avg",
    "ceil",
    "char_length",
    "character_length",
    "coalesce",
    "collect",
    "cos",
    "cot",
    "count",
    "date",
    "date.truncate",
    "degrees",
    "duration",
    "duration.between",
    "duration.inDays",
    "duration.inMonths",
    "duration.inSeconds",
    "e",
    "endNode",
    "exists",
    "exp",
    "floor",
    "haversin",
    "head",
    "id",
    "isEmpty",
    "keys",
    "labels",
    "last",
    "left",
    "length",
    "log",
    "log10",
    "lower",
    "ltrim",
    "max",
    "min",
    "nodes",
    "percentileCont",
    "percentileDisc",
    "pi",
    "properties",
    "radians",
    "rand",
    "range",
    "relationships",
    "replace",
    "reverse",
    "right",
    "round",
    "rtrim",
    "shortestPath",
    "sign",
    "sin",
    "size",
    "split",
    "sqrt",
    "startNode",
    "stDev",
    "stDevP",
    "substring",
    "sum",
    "tail",
    "tan",
    "toBoolean",
    "toBooleanOrNull",
    "toFloat",
    "toFloatOrNull",
    "toInteger",
    "toIntegerOrNull",
    "toLower",
    "toString",
    "toStringOrNull",
    "toUpper",
    "trim",
    "type",
    "upper",
    "valueType",
];

/// What to complete at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Replace from `start` to the cursor with one of these.
    Words {
        start: usize,
        candidates: Vec<String>,
    },
    /// Complete a file name (rustyline's file-name completer does it).
    Path,
}

/// Decides what to complete at byte `pos` of `line`, the line being typed, when
/// `pending` holds the earlier lines of an unfinished statement (empty at the
/// start of one). Completion sees the whole statement so far: a `[` opened on an
/// earlier line makes `:` complete relationship types, and variables bound there
/// are offered as words. The returned start is a position in `line`.
pub fn complete_statement(
    pending: &str,
    line: &str,
    pos: usize,
    names: &SchemaNames,
    params: &[String],
) -> Completion {
    if pending.is_empty() {
        return complete_at(line, pos, true, names, params);
    }
    let pos = pos.min(line.len());
    let offset = pending.len() + 1;
    let full = format!("{pending}\n{line}");
    match complete_at(&full, offset + pos, false, names, params) {
        Completion::Words { start, candidates } if start >= offset => Completion::Words {
            start: start - offset,
            candidates,
        },
        Completion::Words { .. } => Completion::Words {
            start: pos,
            candidates: Vec::new(),
        },
        c => c,
    }
}

/// Decides what to complete in `line` at byte `pos`. `statement_start` says the line
/// begins a statement (not a continuation line), where `:` starts a meta-command.
pub fn complete_at(
    line: &str,
    pos: usize,
    statement_start: bool,
    names: &SchemaNames,
    params: &[String],
) -> Completion {
    let pos = pos.min(line.len());
    let before = &line[..pos];
    let trimmed = before.trim_start();
    if statement_start && trimmed.starts_with(':') {
        let cmd_start = before.len() - trimmed.len() + 1;
        let body = &before[cmd_start..];
        let Some((name, rest)) = body.split_once(char::is_whitespace) else {
            return words(cmd_start, body, COMMANDS.iter().map(|c| c.name));
        };
        let arg_words: Vec<&str> = rest.split_whitespace().collect();
        let typing_new = rest.is_empty() || rest.ends_with(char::is_whitespace);
        let index = arg_words.len() - usize::from(!typing_new); // which argument is being typed
        let word_start = if typing_new {
            pos
        } else {
            pos - arg_words.last().map_or(0, |w| w.len())
        };
        let prefix = &line[word_start..pos];
        return match help::find(name).map(|c| c.name) {
            Some("ingest" | "source") => Completion::Path,
            Some("export") if index >= 1 => Completion::Path,
            Some("export") => words(
                word_start,
                prefix,
                crate::export::Format::NAMES.iter().copied(),
            ),
            Some("format") => words(
                word_start,
                prefix,
                crate::shell::format::Format::NAMES.iter().copied(),
            ),
            Some("timing") => words(word_start, prefix, ["on", "off"].into_iter()),
            Some("params") => words(word_start, prefix, ["clear"].into_iter()),
            Some("help") => words(
                word_start,
                prefix,
                COMMANDS
                    .iter()
                    .map(|c| c.name)
                    .chain(["formats", "keys", "params"]),
            ),
            Some("explain") => {
                let offset = before.len() - rest.len();
                match complete_query(&line[offset..], pos - offset, names, params) {
                    Completion::Words { start, candidates } => Completion::Words {
                        start: start + offset,
                        candidates,
                    },
                    c => c,
                }
            }
            _ => Completion::Words {
                start: pos,
                candidates: Vec::new(),
            },
        };
    }
    complete_query(line, pos, names, params)
}

/// Completion inside a query: labels after `:`, relationship types after `[:` (or
/// `|` between types), property keys after `.`, parameters after `$`, else
/// keywords and functions.
fn complete_query(line: &str, pos: usize, names: &SchemaNames, params: &[String]) -> Completion {
    // Only the statement under the cursor counts: start after the last `;`.
    let stmt = tokens(&line[..pos])
        .iter()
        .rev()
        .find(|t| t.kind == TokKind::Punct(';'))
        .map_or(0, |t| t.end);
    let before = &line[..pos];
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
        .last()
        .map_or(pos, |(i, _)| i);
    let prefix = &line[start..pos];
    let prev = before[..start].chars().next_back();
    // The innermost open bracket before the word decides `:` label vs type.
    let mut stack = Vec::new();
    for t in tokens(&before[stmt..start]) {
        match t.kind {
            TokKind::Punct(c @ ('(' | '[' | '{')) => stack.push(c),
            TokKind::Punct(')' | ']' | '}') => {
                stack.pop();
            }
            // Inside a string or comment: nothing to complete.
            TokKind::Str { closed: false } | TokKind::Comment { closed: false } => {
                return Completion::Words {
                    start: pos,
                    candidates: Vec::new(),
                };
            }
            _ => {}
        }
    }
    let names_of = |list: &[String]| list.iter().map(|s| quote_name(s)).collect::<Vec<_>>();
    match prev {
        Some(':') | Some('|') if stack.last() == Some(&'[') => words(
            start,
            prefix,
            names_of(&names.types).iter().map(String::as_str),
        ),
        Some(':') if stack.last() != Some(&'{') => words(
            start,
            prefix,
            names_of(&names.labels).iter().map(String::as_str),
        ),
        Some('.') => {
            let after_number = before[..start - 1]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_digit());
            if after_number {
                Completion::Words {
                    start: pos,
                    candidates: Vec::new(),
                }
            } else {
                // Keys of the variable's labels first (`(p:Person) … p.`), else all.
                let var_end = start - 1;
                let var_start = before[..var_end]
                    .char_indices()
                    .rev()
                    .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
                    .last()
                    .map_or(var_end, |(i, _)| i);
                let labels = variable_labels(&before[stmt..var_start], &before[var_start..var_end]);
                let mut own: Vec<String> = Vec::new();
                for l in &labels {
                    for k in names.keys_of_label(l) {
                        let q = quote_name(k);
                        if !own.contains(&q) {
                            own.push(q);
                        }
                    }
                }
                own.sort();
                match words(start, prefix, own.iter().map(String::as_str)) {
                    Completion::Words { candidates, .. } if candidates.is_empty() => words(
                        start,
                        prefix,
                        names_of(&names.keys).iter().map(String::as_str),
                    ),
                    c => c,
                }
            }
        }
        Some('$') => words(start, prefix, params.iter().map(String::as_str)),
        _ if prefix.is_empty() => Completion::Words {
            start: pos,
            candidates: Vec::new(),
        },
        _ => {
            let lower = prefix.chars().all(|c| !c.is_uppercase());
            // Variables the statement has bound come first, as typed.
            let mut c: Vec<String> = bound_variables(&before[stmt..start])
                .into_iter()
                .filter(|v| v.starts_with(prefix) && v != prefix)
                .collect();
            c.extend(
                KEYWORDS
                    .iter()
                    .filter(|k| starts_with_ci(k, prefix))
                    .map(|k| {
                        if lower {
                            k.to_lowercase()
                        } else {
                            k.to_string()
                        }
                    }),
            );
            c.extend(
                FUNCTIONS
                    .iter()
                    .filter(|f| starts_with_ci(f, prefix))
                    .map(|f| format!("{f}(")),
            );
            Completion::Words {
                start,
                candidates: c,
            }
        }
    }
}

/// The variables `text` binds, in order of first appearance: a name opening a node
/// or relationship pattern (`(p:Person`, `[r]`), a path (`MATCH p = …`), an alias
/// (`AS x`, `UNWIND … AS x`) and a list comprehension's variable (`[x IN …`).
/// A lexical guess, good enough to offer names; the planner decides what is bound.
pub fn bound_variables(text: &str) -> Vec<String> {
    let toks = significant(text);
    let word = |i: usize| -> Option<&str> {
        let t = toks.get(i)?;
        matches!(t.kind, TokKind::Word | TokKind::Quoted { closed: true })
            .then(|| &text[t.start..t.end])
    };
    let is_kw = |w: &str| KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w));
    let punct = |i: usize| {
        toks.get(i).and_then(|t| match t.kind {
            TokKind::Punct(c) => Some(c),
            _ => None,
        })
    };
    let path_var = |i: usize| {
        word(i + 1).filter(|_| {
            punct(i + 2) == Some('=') && (punct(i + 3) == Some('(') || word(i + 3).is_some())
        })
    };
    let mut out: Vec<String> = Vec::new();
    for i in 0..toks.len() {
        let var = match (punct(i), word(i)) {
            // `(p:Person`, `(p)`, `(p {`, `[r:T`, `[r*`, `[x IN list`.
            (Some('(' | '['), _) => word(i + 1).filter(|w| {
                !is_kw(w)
                    && (matches!(punct(i + 2), Some(':' | ')' | ']' | '{' | '*'))
                        || word(i + 2).is_some_and(|n| n.eq_ignore_ascii_case("in")))
            }),
            // `AS x`.
            (_, Some(w)) if w.eq_ignore_ascii_case("as") => word(i + 1),
            // `MATCH p = (…)`, `, p = shortestPath(…)`.
            (Some(','), _) => path_var(i),
            (_, Some(w)) if w.eq_ignore_ascii_case("match") => path_var(i),
            _ => None,
        };
        if let Some(v) = var
            && !out.iter().any(|o| o == v)
        {
            out.push(v.to_string());
        }
    }
    out
}

/// The labels `var` is written with in `text`: `(var:A:B` and `(var:A|B` give A
/// and B. Like [`bound_variables`], a lexical guess for completion.
pub fn variable_labels(text: &str, var: &str) -> Vec<String> {
    if var.is_empty() {
        return Vec::new();
    }
    let toks = significant(text);
    let name = |i: usize| toks.get(i).and_then(|t| name_of(text, t));
    let punct = |i: usize| {
        toks.get(i).and_then(|t| match t.kind {
            TokKind::Punct(c) => Some(c),
            _ => None,
        })
    };
    let mut out: Vec<String> = Vec::new();
    for i in 0..toks.len() {
        if punct(i) != Some('(') || name(i + 1).as_deref() != Some(var) {
            continue;
        }
        let mut j = i + 2;
        while matches!(punct(j), Some(':' | '|' | '&')) {
            match name(j + 1) {
                Some(l) => {
                    if !out.contains(&l) {
                        out.push(l);
                    }
                    j += 2;
                }
                None => break,
            }
        }
    }
    out
}

fn starts_with_ci(word: &str, prefix: &str) -> bool {
    word.len() >= prefix.len()
        && word.is_char_boundary(prefix.len())
        && word[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A name as it must be typed: back-quoted unless it is a plain identifier.
fn quote_name(name: &str) -> String {
    let mut s = String::new();
    crate::value::format_key(name, &mut s);
    s
}

fn words<'a>(start: usize, prefix: &str, options: impl Iterator<Item = &'a str>) -> Completion {
    let mut candidates: Vec<String> = options
        .filter(|o| o.starts_with(prefix) || starts_with_ci(o, prefix))
        .map(str::to_string)
        .collect();
    candidates.dedup();
    Completion::Words { start, candidates }
}

/// The ANSI-coloured form of `line` (same display width), with the bracket at
/// `bracket` and its match emphasised.
pub fn highlight_line(line: &str, bracket: Option<usize>) -> String {
    highlight_from(line, 0, bracket)
}

/// The ANSI-coloured form of `text[from..]`, tokens read in the whole `text` (so a
/// string opened before `from` stays a string); `bracket` is a position in `text`.
pub fn highlight_from(text: &str, from: usize, bracket: Option<usize>) -> String {
    let line = text;
    let toks = tokens(line);
    let meta = from == 0
        && line.trim_start().starts_with(':')
        && toks
            .iter()
            .find(|t| t.kind != TokKind::Space)
            .is_some_and(|t| t.kind == TokKind::Punct(':'));
    let matched = bracket.and_then(|b| matching_bracket(line, b).map(|m| (b, m)));
    let mut out = String::with_capacity(line.len() * 2);
    let mut prev: Option<TokKind> = None;
    for (i, t) in toks.iter().enumerate() {
        let whole = &line[t.start..t.end];
        if t.end <= from {
            if t.kind != TokKind::Space {
                prev = Some(t.kind);
            }
            continue;
        }
        // Only the part from `from` on is shown (a token may begin earlier).
        let s = &line[t.start.max(from)..t.end];
        let code = match t.kind {
            TokKind::Word if meta && i <= 1 => Some("1"),
            _ if meta => None,
            TokKind::Word if prev == Some(TokKind::Punct(':')) => Some("35"),
            TokKind::Word if prev == Some(TokKind::Punct('$')) => Some("36"),
            TokKind::Word if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(whole)) => Some("1;34"),
            TokKind::Number => Some("33"),
            TokKind::Str { .. } => Some("32"),
            TokKind::Comment { .. } => Some("2"),
            TokKind::Punct(_) if matched.is_some_and(|(a, b)| t.start == a || t.start == b) => {
                Some("1;4")
            }
            _ => None,
        };
        match code {
            Some(c) => {
                out.push_str("\x1b[");
                out.push_str(c);
                out.push('m');
                out.push_str(s);
                out.push_str("\x1b[0m");
            }
            None => out.push_str(s),
        }
        if t.kind != TokKind::Space {
            prev = Some(t.kind);
        }
    }
    out
}

/// The byte position of the bracket matching the one at `at`, skipping brackets
/// inside strings and comments.
pub fn matching_bracket(line: &str, at: usize) -> Option<usize> {
    let toks = tokens(line);
    let i = toks
        .iter()
        .position(|t| t.start == at && matches!(t.kind, TokKind::Punct(_)))?;
    let TokKind::Punct(c) = toks[i].kind else {
        return None;
    };
    let (open, close, forward) = match c {
        '(' => ('(', ')', true),
        '[' => ('[', ']', true),
        '{' => ('{', '}', true),
        ')' => ('(', ')', false),
        ']' => ('[', ']', false),
        '}' => ('{', '}', false),
        _ => return None,
    };
    let mut depth = 0i32;
    let order: Box<dyn Iterator<Item = &crate::shell::scan::Tok>> = if forward {
        Box::new(toks[i..].iter())
    } else {
        Box::new(toks[..=i].iter().rev())
    };
    for t in order {
        match t.kind {
            TokKind::Punct(x) if x == open => depth += if forward { 1 } else { -1 },
            TokKind::Punct(x) if x == close => depth += if forward { -1 } else { 1 },
            _ => continue,
        }
        if depth == 0 {
            return Some(t.start);
        }
    }
    None
}

/// The bracket at or just before the cursor, if any.
fn bracket_near(line: &str, pos: usize) -> Option<usize> {
    let is_bracket = |i: usize| {
        line[i..]
            .chars()
            .next()
            .is_some_and(|c| "()[]{}".contains(c))
    };
    if pos < line.len() && is_bracket(pos) {
        return Some(pos);
    }
    let prev = line[..pos].char_indices().next_back().map(|(i, _)| i)?;
    is_bracket(prev).then_some(prev)
}

/// The shell's rustyline helper.
pub struct ShellHelper {
    pub names: Rc<RefCell<SchemaNames>>,
    pub params: Rc<RefCell<Vec<String>>>,
    /// The earlier lines of the unfinished statement the line being read
    /// continues (empty at the start of a statement).
    pub pending: Rc<RefCell<String>>,
    pub color: bool,
    files: FilenameCompleter,
    bracket: Cell<Option<usize>>,
}

impl ShellHelper {
    pub fn new(color: bool) -> ShellHelper {
        ShellHelper {
            names: Rc::default(),
            params: Rc::default(),
            pending: Rc::default(),
            color,
            files: FilenameCompleter::new(),
            bracket: Cell::new(None),
        }
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let c = complete_statement(
            &self.pending.borrow(),
            line,
            pos,
            &self.names.borrow(),
            &self.params.borrow(),
        );
        match c {
            Completion::Path => self.files.complete(line, pos, ctx),
            Completion::Words { start, candidates } => Ok((
                start,
                candidates
                    .into_iter()
                    .map(|c| Pair {
                        display: c.clone(),
                        replacement: c,
                    })
                    .collect(),
            )),
        }
    }
}

/// A hint that is shown but not inserted (the argument syntax of a meta-command).
pub struct ArgHint(String);

impl rustyline::hint::Hint for ArgHint {
    fn display(&self) -> &str {
        &self.0
    }
    fn completion(&self) -> Option<&str> {
        None
    }
}

impl Hinter for ShellHelper {
    type Hint = ArgHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<ArgHint> {
        if !self.pending.borrow().is_empty() || pos < line.len() {
            return None;
        }
        let body = line.trim_start().strip_prefix(':')?;
        let name = body.strip_suffix(' ')?;
        let cmd = help::find(name)?;
        (!cmd.args.is_empty()).then(|| ArgHint(cmd.args.to_string()))
    }
}

impl Highlighter for ShellHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        let pending = self.pending.borrow();
        if pending.is_empty() {
            return Cow::Owned(highlight_line(line, self.bracket.get()));
        }
        // Colour the line in the light of the lines before it (a string or
        // comment left open there), and match brackets across lines.
        let from = pending.len() + 1;
        let full = format!("{pending}\n{line}");
        Cow::Owned(highlight_from(
            &full,
            from,
            self.bracket.get().map(|b| b + from),
        ))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if !self.color {
            return Cow::Borrowed(hint);
        }
        Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }

    fn highlight_char(&self, line: &str, pos: usize, kind: CmdKind) -> bool {
        if !self.color {
            return false;
        }
        let b = if kind == CmdKind::ForcedRefresh {
            None
        } else {
            bracket_near(line, pos)
        };
        let changed = b != self.bracket.get();
        self.bracket.set(b);
        changed || b.is_some()
    }
}

/// Statements end with `;`, which the loop checks itself (so it can show a
/// continuation prompt): every line is accepted as typed.
impl Validator for ShellHelper {}

impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> SchemaNames {
        SchemaNames {
            labels: vec!["Organisation".into(), "Person".into(), "Post".into()],
            types: vec!["MENTIONS".into(), "POSTED".into()],
            keys: vec!["date".into(), "full name".into(), "name".into()],
            ..SchemaNames::default()
        }
    }

    fn cands(line: &str, start_of_statement: bool) -> (usize, Vec<String>) {
        match complete_at(
            line,
            line.len(),
            start_of_statement,
            &names(),
            &["who".into()],
        ) {
            Completion::Words { start, candidates } => (start, candidates),
            Completion::Path => (usize::MAX, vec!["<path>".into()]),
        }
    }

    #[test]
    fn labels_types_keys_and_params_by_context() {
        assert_eq!(
            cands("MATCH (n:P", true),
            (9, vec!["Person".into(), "Post".into()])
        );
        assert_eq!(cands("MATCH (n)-[:P", true), (12, vec!["POSTED".into()]));
        assert_eq!(cands("MATCH ()-[r:POSTED|M", true).1, vec!["MENTIONS"]);
        assert_eq!(cands("MATCH (n) WHERE n:Or", true).1, vec!["Organisation"]);
        assert_eq!(
            cands("RETURN n.", true).1,
            vec!["date", "`full name`", "name"]
        );
        assert_eq!(cands("RETURN n.na", true).1, vec!["name"]);
        assert_eq!(cands("RETURN $w", true).1, vec!["who"]);
        // A map key is not a label: nothing to offer after `{name:`.
        assert!(cands("MATCH (n {name:", true).1.is_empty());
        // Not inside a string.
        assert!(cands("RETURN 'n:P", true).1.is_empty());
        assert!(cands("RETURN 1.", true).1.is_empty());
    }

    fn cands_in(pending: &str, line: &str) -> (usize, Vec<String>) {
        match complete_statement(pending, line, line.len(), &names(), &["who".into()]) {
            Completion::Words { start, candidates } => (start, candidates),
            Completion::Path => (usize::MAX, vec!["<path>".into()]),
        }
    }

    #[test]
    fn continuation_lines_see_the_whole_statement() {
        // A `[` opened on an earlier line: `:` completes relationship types.
        assert_eq!(cands_in("MATCH (a)-[", ":PO"), (1, vec!["POSTED".into()]));
        assert_eq!(
            cands_in("MATCH (a)-[r", "  :M"),
            (3, vec!["MENTIONS".into()])
        );
        // Out of the bracket again: labels.
        assert_eq!(cands_in("MATCH (a)-[r]->", "(b:Pe").1, vec!["Person"]);
        // Variables bound on earlier lines, then keywords and functions.
        let (start, c) = cands_in(
            "MATCH (person:Person)-[posted:POSTED]->(p2)\nWHERE",
            "RETURN p",
        );
        assert_eq!(start, 7);
        assert_eq!(&c[..3], ["person", "posted", "p2"]);
        assert!(c.contains(&"properties(".to_string()), "{c:?}");
        // Property keys after a variable from an earlier line.
        assert_eq!(cands_in("MATCH (p:Person)", "RETURN p.na").1, vec!["name"]);
        // A string opened on an earlier line is still open: nothing to offer.
        assert!(cands_in("RETURN 'a", "b:P").1.is_empty());
        // `:` at the start of a continuation line is part of the statement.
        assert_eq!(cands_in("MATCH (n", ":Or").1, vec!["Organisation"]);
        // Variables of an earlier, finished statement on the same input do not leak.
        assert!(
            !cands_in("MATCH (old) RETURN old;", "MATCH (n) RETURN o")
                .1
                .contains(&"old".to_string())
        );
    }

    #[test]
    fn keys_of_the_variables_label_come_first() {
        let mut n = names();
        n.label_keys = vec![
            ("Person".into(), vec!["name".into()]),
            ("Post".into(), vec!["date".into(), "text".into()]),
        ];
        let c = |line: &str| match complete_at(line, line.len(), true, &n, &[]) {
            Completion::Words { candidates, .. } => candidates,
            Completion::Path => Vec::new(),
        };
        assert_eq!(c("MATCH (p:Person)-->(t:Post) RETURN t."), ["date", "text"]);
        assert_eq!(c("MATCH (p:Person)-->(t:Post) RETURN p."), ["name"]);
        // Two labels: the keys of both.
        assert_eq!(
            c("MATCH (x:Person:Post) RETURN x."),
            ["date", "name", "text"]
        );
        // No label, or no sampled key fits the prefix: every key.
        assert_eq!(c("MATCH (x) RETURN x."), ["date", "`full name`", "name"]);
        assert_eq!(c("MATCH (p:Person) RETURN p.da"), ["date"]);
        assert_eq!(
            variable_labels("MATCH (a:A|B)-[:T]->(b:`My L`), (a:C)", "a"),
            ["A", "B", "C"]
        );
        assert_eq!(variable_labels("MATCH (a:A)", "b"), Vec::<String>::new());
    }

    #[test]
    fn variables_are_found_where_they_are_bound() {
        let v = bound_variables(
            "MATCH p = shortestPath((a:Person {name: 'x'})-[r:T*..3]-(b)), q = (c)-->(d) \
             WITH a, count(*) AS n UNWIND [x IN range(1, n) | x] AS y RETURN labels(a)",
        );
        assert_eq!(v, ["p", "a", "r", "b", "q", "c", "d", "n", "x", "y"]);
        // Keywords and property access are not variables.
        assert!(bound_variables("RETURN count(DISTINCT a.x), exists(n.y)").is_empty());
    }

    #[test]
    fn every_function_offered_is_one_the_engine_knows() {
        use crate::query::{aggregate, functions};
        for f in FUNCTIONS {
            let l = f.to_lowercase();
            let special = matches!(l.as_str(), "shortestpath" | "allshortestpaths" | "exists");
            assert!(
                special || functions::is_scalar(&l) || aggregate::is_aggregate(&l),
                "{f} is offered but the engine does not know it"
            );
        }
    }

    #[test]
    fn keywords_follow_the_typed_case() {
        assert!(cands("MAT", true).1.contains(&"MATCH".to_string()));
        assert!(cands("mat", true).1.contains(&"match".to_string()));
        assert!(cands("RETURN co", true).1.contains(&"count(".to_string()));
        assert!(cands("RETURN ", true).1.is_empty());
    }

    #[test]
    fn meta_commands_and_their_arguments() {
        assert_eq!(cands(":fo", true), (1, vec!["format".into()]));
        assert_eq!(
            cands(":format j", true),
            (8, vec!["json".into(), "jsonl".into()])
        );
        assert_eq!(cands(":timing ", true).1, vec!["on", "off"]);
        assert_eq!(cands(":ingest seeds/", true).1, vec!["<path>"]);
        assert_eq!(cands(":export dot ", true).1, vec!["<path>"]);
        assert_eq!(cands(":export g", true).1, vec!["graphml"]);
        assert_eq!(cands(":explain MATCH (n:Pe", true).1, vec!["Person"]);
        // On a continuation line `:` is part of the statement.
        assert_eq!(cands(":Pe", false).1, vec!["Person"]);
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let line = "MATCH (n:Person {name: 'x'}) RETURN n.age, 42 // c";
        let h = highlight_line(line, Some(6));
        let plain = h
            .split("\x1b[")
            .enumerate()
            .map(|(i, s)| {
                if i == 0 {
                    s
                } else {
                    s.split_once('m').map_or(s, |x| x.1)
                }
            })
            .collect::<String>();
        assert_eq!(plain, line);
        assert!(h.contains("\x1b[1;34mMATCH\x1b[0m"));
        assert!(h.contains("\x1b[35mPerson\x1b[0m"));
        assert!(h.contains("\x1b[32m'x'\x1b[0m"));
    }

    #[test]
    fn continuation_lines_are_coloured_in_context() {
        // The string opened on the first line goes on: the `RETURN` in it is text.
        let text = "RETURN 'open\nRETURN x' AS s";
        let from = text.find('\n').map_or(0, |i| i + 1);
        let h = highlight_from(text, from, None);
        assert!(h.starts_with("\x1b[32mRETURN x'\x1b[0m"), "{h:?}");
        assert!(h.contains("\x1b[1;34mAS\x1b[0m"), "{h:?}");
        // A label after a `:` that ends the previous line.
        let h = highlight_from("MATCH (n:\nPerson)", 10, None);
        assert!(h.starts_with("\x1b[35mPerson\x1b[0m"), "{h:?}");
        // The bracket under the cursor matches one on an earlier line.
        let text = "MATCH (n\n)";
        let h = highlight_from(text, 9, Some(9));
        assert_eq!(h, "\x1b[1;4m)\x1b[0m");
    }

    #[test]
    fn brackets_match_outside_strings() {
        let line = "RETURN [1, ')', (2)]";
        assert_eq!(matching_bracket(line, 7), Some(19));
        assert_eq!(matching_bracket(line, 19), Some(7));
        assert_eq!(matching_bracket(line, 16), Some(18));
        assert_eq!(matching_bracket("(()", 0), None);
    }
}
