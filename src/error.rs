//! The crate-wide error type.
//!
//! Few variants, each with one meaning for the user and one exit code:
//! bad input from the user (a query, a file, a flag) is exit code 1; trouble with
//! the store on disk (corruption, locking, I/O) is exit code 2. Query errors carry
//! a [`Span`] into the query text so they render as `line:col`, the source line and
//! a caret under the offending token.

use std::fmt;
use std::path::PathBuf;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A byte range into a source text (a query, a document).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// The kind of a query error, named as the openCypher TCK names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryErrorKind {
    SyntaxError,
    SemanticError,
    TypeError,
    ArgumentError,
    ConstraintValidationFailed,
    EntityNotFound,
    /// CALL of a procedure that does not exist (openCypher's `ProcedureError`).
    ProcedureError,
    /// A parameter the query uses was not given (openCypher's `ParameterMissing`).
    ParameterMissing,
    /// A runtime failure that is none of the above (e.g. a resource limit).
    Runtime,
}

impl fmt::Display for QueryErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            QueryErrorKind::SyntaxError => "SyntaxError",
            QueryErrorKind::SemanticError => "SemanticError",
            QueryErrorKind::TypeError => "TypeError",
            QueryErrorKind::ArgumentError => "ArgumentError",
            QueryErrorKind::ConstraintValidationFailed => "ConstraintValidationFailed",
            QueryErrorKind::EntityNotFound => "EntityNotFound",
            QueryErrorKind::ProcedureError => "ProcedureError",
            QueryErrorKind::ParameterMissing => "ParameterMissing",
            QueryErrorKind::Runtime => "Error",
        };
        f.write_str(s)
    }
}

/// An error in a query, with where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    pub kind: QueryErrorKind,
    /// The openCypher TCK detail code where one applies (e.g. `UndefinedVariable`).
    pub code: Option<String>,
    pub message: String,
    pub span: Option<Span>,
    /// The query text, kept so the error renders on its own.
    pub source: Option<String>,
    /// A cheap hint ("did you mean :Person?").
    pub hint: Option<String>,
}

impl QueryError {
    pub fn new(kind: QueryErrorKind, message: impl Into<String>) -> QueryError {
        QueryError {
            kind,
            code: None,
            message: message.into(),
            span: None,
            source: None,
            hint: None,
        }
    }
    pub fn with_code(mut self, code: &str) -> QueryError {
        self.code = Some(code.to_string());
        self
    }
    pub fn at(mut self, span: Span) -> QueryError {
        self.span = Some(span);
        self
    }
    pub fn with_source(mut self, src: &str) -> QueryError {
        if self.source.is_none() {
            self.source = Some(src.to_string());
        }
        self
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> QueryError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.source, self.span) {
            (Some(src), Some(span)) => {
                let pos = Position::of(src, span.start);
                writeln!(
                    f,
                    "{} at {}:{}: {}",
                    self.kind, pos.line, pos.column, self.message
                )?;
                write!(f, "{}", render_caret(src, span))?;
            }
            _ => write!(f, "{}: {}", self.kind, self.message)?,
        }
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {h}")?;
        }
        Ok(())
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte offset `offset` in `src` (clamped to the text, and to a
    /// character boundary, so a bad offset never panics).
    pub fn of(src: &str, offset: usize) -> Position {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = src[line_start..offset].chars().count() + 1;
        Position { line, column }
    }
}

/// The source line holding `span.start`, and a caret line under the span. The caret
/// is placed by display width so it lines up under Arabic, CJK or emoji text.
pub fn render_caret(src: &str, span: Span) -> String {
    let mut start = span.start.min(src.len());
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let line_start = src[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = src[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(src.len());
    let line = &src[line_start..line_end];
    // A tab is copied into the padding (the terminal expands both alike); every
    // other character is padded by its display width.
    let pad: String = src[line_start..start]
        .chars()
        .map(|c| match c {
            '\t' => "\t".to_string(),
            c => " ".repeat(UnicodeWidthChar::width(c).unwrap_or(0)),
        })
        .collect();
    let mut end = span.end.clamp(start, line_end);
    while !src.is_char_boundary(end) {
        end -= 1;
    }
    let width = UnicodeWidthStr::width(&src[start..end]).max(1);
    format!("  {}\n  {}{}", line, pad, "^".repeat(width))
}

/// Every error dossier reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad query: syntax, meaning, types or a runtime failure of the query itself.
    #[error("{0}")]
    Query(Box<QueryError>),
    /// Bad input from the user that is not a query: a file, a record, a flag.
    #[error("{0}")]
    Input(String),
    /// Data on disk that does not read back: names the file and the byte offset.
    #[error("corrupt store file {}: at byte {offset}: {message}", file.display())]
    Corrupt {
        file: PathBuf,
        offset: u64,
        message: String,
    },
    /// Another process holds the store for writing.
    #[error("{0}")]
    Locked(String),
    /// A write was attempted on a store opened read-only.
    #[error("the store is open read-only; this command would write to it")]
    ReadOnly,
    /// The query was cancelled (Ctrl-C) or ran past its deadline.
    #[error("{0}")]
    Cancelled(String),
    /// An I/O failure, with what was being done.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A bug: an invariant that should have held did not.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The process exit code for this error: 1 for user errors, 2 for store errors.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Query(_) | Error::Input(_) | Error::Cancelled(_) => 1,
            Error::Corrupt { .. }
            | Error::Locked(_)
            | Error::ReadOnly
            | Error::Io { .. }
            | Error::Internal(_) => 2,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Points a query error that does not yet say where it happened at `span`
    /// (the expression whose evaluation failed). An error that already has a place
    /// keeps it, so the innermost failing expression wins; an empty span (an
    /// expression the planner made up) places nothing. Other errors pass unchanged.
    pub fn located(self, span: Span) -> Error {
        match self {
            Error::Query(mut q) if q.span.is_none() && span.start < span.end => {
                q.span = Some(span);
                Error::Query(q)
            }
            e => e,
        }
    }

    /// The query text for a query error's caret (kept if it has one already).
    pub fn with_source(self, src: &str) -> Error {
        match self {
            Error::Query(q) => Error::Query(Box::new(q.with_source(src))),
            e => e,
        }
    }

    /// The query error inside, if this is one.
    pub fn as_query(&self) -> Option<&QueryError> {
        match self {
            Error::Query(q) => Some(q),
            _ => None,
        }
    }
}

impl From<QueryError> for Error {
    fn from(e: QueryError) -> Error {
        Error::Query(Box::new(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Builds an [`Error::Input`] from a format string.
#[macro_export]
macro_rules! errinput {
    ($($args:tt)*) => { $crate::error::Error::Input(format!($($args)*)) };
}

/// Builds an [`Error::Internal`] from a format string.
#[macro_export]
macro_rules! errinternal {
    ($($args:tt)*) => { $crate::error::Error::Internal(format!($($args)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_lines() {
        let src = "MATCH (n)\nRETURN é, x";
        let off = src.find('x').unwrap_or(0);
        assert_eq!(
            Position::of(src, off),
            Position {
                line: 2,
                column: 11
            }
        );
    }

    #[test]
    fn caret_aligns_by_display_width() {
        let src = "RETURN '日本' + x";
        let off = src.find('x').unwrap_or(0);
        let r = render_caret(src, Span::new(off, off + 1));
        let lines: Vec<&str> = r.lines().collect();
        // '日本' is 4 columns wide but 2 characters: the caret must sit under x.
        let caret_col = lines[1].find('^').unwrap_or(0);
        let x_col = UnicodeWidthStr::width(&lines[0][..lines[0].find('x').unwrap_or(0)]);
        assert_eq!(caret_col, x_col);
    }

    #[test]
    fn located_sets_a_missing_span_only() {
        let bare = || Error::from(QueryError::new(QueryErrorKind::ArgumentError, "/ by zero"));
        let span = |e: &Error| e.as_query().and_then(|q| q.span);
        // The innermost failing expression places the error; outer ones keep it.
        let inner = bare().located(Span::new(7, 12));
        assert_eq!(span(&inner), Some(Span::new(7, 12)));
        let outer = inner.located(Span::new(0, 20));
        assert_eq!(
            span(&outer),
            Some(Span::new(7, 12)),
            "an outer span replaced the inner one"
        );
        // An empty span (an expression the planner made up) places nothing.
        assert_eq!(span(&bare().located(Span::default())), None);
        // Other errors pass through.
        assert!(matches!(
            Error::ReadOnly.located(Span::new(1, 2)),
            Error::ReadOnly
        ));
        // With the text, it renders like a compile-time error.
        let text = "RETURN 1 / 0".to_string();
        let e = bare()
            .located(Span::new(7, 12))
            .with_source(&text)
            .to_string();
        assert_eq!(
            e,
            "ArgumentError at 1:8: / by zero\n  RETURN 1 / 0\n         ^^^^^"
        );
    }

    #[test]
    fn caret_follows_tabs() {
        let src = "MATCH (n)\n\tWHERE\tn.x / 0 RETURN n";
        let off = src.find("n.x").unwrap_or(0);
        let r = render_caret(src, Span::new(off, off + 3));
        assert_eq!(r, "  \tWHERE\tn.x / 0 RETURN n\n  \t     \t^^^");
    }

    #[test]
    fn out_of_range_offsets_do_not_panic() {
        let src = "héllo";
        let _ = Position::of(src, 2); // inside 'é'
        let _ = render_caret(src, Span::new(2, 100));
        let _ = render_caret("", Span::new(5, 9));
    }
}
