//! Reading: paths in, documents out, one format at a time.
//!
//! Formats are told by extension (and sniffed for standard input and unknown
//! extensions): plain text and Markdown (`.txt`, `.md`), HTML (`.html`, `.htm`),
//! JSON (`.json`: one record or an array of them), JSON Lines (`.jsonl`, `.ndjson`)
//! and CSV with a header (`.csv`). A record's text is found by field name.
//!
//! Reading is split in two so the costly half runs in parallel: [`Sources`] walks the
//! inputs in a fixed order and yields [`Raw`] items cheaply (file bytes checked and
//! decoded, records split), and [`Raw::parse`] turns one item into a [`Doc`] (HTML
//! parsed, dates read). Every byte read goes through [`LineCap`], so a 100 MB line
//! or a runaway file is refused after reading at most the limit, not all of it.

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::dates::parse_meta_date;

/// The longest line accepted, in bytes. A flattened article is one long line, but
/// not this long; a line beyond it is a data dump or a binary blob.
pub const MAX_LINE: usize = 8 << 20;
/// The largest single document (a text or HTML file), in bytes.
pub const MAX_DOCUMENT: usize = 32 << 20;
/// The largest JSON file (parsed whole), in bytes. JSON Lines and CSV stream.
pub const MAX_JSON: usize = 256 << 20;

const TEXT_FIELDS: &[&str] = &["text", "content", "body", "article"];
const TITLE_FIELDS: &[&str] = &["title", "headline"];
const DATE_FIELDS: &[&str] = &[
    "date",
    "published",
    "published_at",
    "publishedat",
    "pubdate",
    "datepublished",
];
const URL_FIELDS: &[&str] = &["url", "link"];
const AUTHOR_FIELDS: &[&str] = &["author", "byline", "authors"];
const SOURCE_FIELDS: &[&str] = &["source", "publisher", "outlet"];

/// A document that could not be read, or a record in it: which, where and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The file (or `<stdin>`).
    pub source: String,
    /// Where in it, e.g. `record 3 (line 4)` or `line 2`.
    pub at: Option<String>,
    pub message: String,
}

impl Failure {
    pub fn new(source: &str, at: Option<String>, message: impl Into<String>) -> Failure {
        Failure {
            source: source.to_string(),
            at,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{}: {at}: {}", self.source, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    Json,
    JsonLines,
    Csv,
}

impl Format {
    /// The format an extension names; `None` for extensions dossier does not read.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" | "xhtml" => Format::Html,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "csv" => Format::Csv,
            _ => return None,
        })
    }

    /// Guesses the format of unnamed bytes (standard input, unknown extensions).
    fn sniff(bytes: &[u8]) -> Format {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        let t = head.trim_start();
        if t.starts_with('<') {
            Format::Html
        } else if t.starts_with('[') {
            Format::Json
        } else if t.starts_with('{') {
            // One object per line is JSON Lines; one object over many lines is JSON.
            if serde_json::from_slice::<Json>(bytes).is_ok() {
                Format::Json
            } else {
                Format::JsonLines
            }
        } else {
            Format::Text
        }
    }
}

/// A metadata record (JSON, CSV): the text and what else the record says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub text: String,
    pub title: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub publisher: Option<String>,
}

/// One document as read, before parsing.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Text(String),
    Markdown(String),
    Html(String),
    Record(Record),
}

/// One document as read: where it came from and its undigested body.
#[derive(Debug, Clone, PartialEq)]
pub struct Raw {
    pub source: String,
    /// The record number (1-based) in a JSON, JSON Lines or CSV file.
    pub record: Option<usize>,
    /// Where to point an error at (`record 3 (line 4)`).
    pub at: Option<String>,
    pub body: Body,
}

/// A document ready for segmentation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    pub text: String,
    pub source: String,
    pub record: Option<usize>,
    pub title: Option<String>,
    pub published: Option<NaiveDate>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub publisher: Option<String>,
}

impl Raw {
    /// Parses the body: HTML to text, dates read, empty documents refused.
    pub fn parse(self) -> Result<Doc, Failure> {
        let Raw {
            source,
            record,
            at,
            body,
        } = self;
        let mut doc = match body {
            Body::Text(text) => Doc {
                title: text_title(&text),
                text,
                ..Doc::default()
            },
            Body::Markdown(text) => Doc {
                title: markdown_title(&text),
                text,
                ..Doc::default()
            },
            Body::Html(html) => super::html::to_doc(&html),
            Body::Record(r) => Doc {
                published: r.date.as_deref().and_then(parse_meta_date),
                text: r.text,
                title: r.title,
                url: r.url,
                author: r.author,
                publisher: r.publisher,
                ..Doc::default()
            },
        };
        if doc.text.trim().is_empty() {
            return Err(Failure::new(&source, at, "empty document: no text"));
        }
        doc.source = source;
        doc.record = record;
        Ok(doc)
    }
}

/// A text file's title: a short first line followed by a blank line.
fn text_title(text: &str) -> Option<String> {
    let mut lines = text.lines();
    let first = lines.next()?.trim();
    let second = lines.next()?;
    (!first.is_empty() && first.chars().count() <= 150 && second.trim().is_empty())
        .then(|| first.to_string())
}

/// A Markdown file's title: its first level-one heading.
fn markdown_title(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// One input: a file or standard input.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
        }
    }
}

/// Expands paths into inputs: folders recursively (hidden entries and files of
/// unknown type skipped), entries in name order so every run reads the same order.
/// A path that does not exist is a failure; the others still go in.
pub fn collect(paths: &[PathBuf]) -> (Vec<Input>, Vec<Failure>) {
    let mut inputs = Vec::new();
    let mut failures = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, 0, &mut inputs, &mut failures),
            Ok(_) => inputs.push(Input::File(p.clone())),
            Err(e) => failures.push(Failure::new(
                &p.display().to_string(),
                None,
                format!("cannot read: {e}"),
            )),
        }
    }
    (inputs, failures)
}

fn walk(dir: &Path, depth: usize, inputs: &mut Vec<Input>, failures: &mut Vec<Failure>) {
    // Deep enough for any real archive, and a stop for symlink loops.
    if depth > 64 {
        failures.push(Failure::new(
            &dir.display().to_string(),
            None,
            "folders nested too deep (a symlink loop?)",
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            failures.push(Failure::new(
                &dir.display().to_string(),
                None,
                format!("cannot read folder: {e}"),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, depth + 1, inputs, failures);
        } else if Format::from_path(&p).is_some() {
            inputs.push(Input::File(p));
        }
    }
}

/// Options for reading.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The field holding the text in JSON and CSV records (else found by name).
    pub text_field: Option<String>,
}

/// The documents of all inputs, in order, read lazily: JSON Lines and CSV files are
/// streamed a record at a time.
pub struct Sources {
    inputs: VecDeque<Input>,
    opts: ReadOptions,
    current: Option<Box<dyn Iterator<Item = Result<Raw, Failure>> + Send>>,
}

impl Sources {
    pub fn new(inputs: Vec<Input>, opts: ReadOptions) -> Sources {
        Sources {
            inputs: inputs.into(),
            opts,
            current: None,
        }
    }
}

impl Iterator for Sources {
    type Item = Result<Raw, Failure>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(it) = &mut self.current {
                if let Some(item) = it.next() {
                    return Some(item);
                }
                self.current = None;
            }
            let input = self.inputs.pop_front()?;
            self.current = Some(open(&input, &self.opts));
        }
    }
}

type Items = Box<dyn Iterator<Item = Result<Raw, Failure>> + Send>;

fn fail(name: &str, at: Option<String>, msg: impl Into<String>) -> Items {
    Box::new(std::iter::once(Err(Failure::new(name, at, msg))))
}

/// Opens one input and returns its documents.
fn open(input: &Input, opts: &ReadOptions) -> Items {
    let name = input.name();
    let (reader, format): (Box<dyn Read + Send>, Option<Format>) = match input {
        Input::Stdin => (Box::new(io::stdin()), None),
        Input::File(p) => match File::open(p) {
            Ok(f) => (Box::new(f), Format::from_path(p)),
            Err(e) => return fail(&name, None, format!("cannot open: {e}")),
        },
    };
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    // Binary files are told by a NUL byte near the start, as git and grep tell them.
    let head = match reader.fill_buf() {
        Ok(h) => h,
        Err(e) => return fail(&name, None, format!("cannot read: {e}")),
    };
    if let Some(pos) = head[..head.len().min(8192)].iter().position(|&b| b == 0) {
        return fail(
            &name,
            None,
            format!("binary file (NUL byte at offset {pos}); not a text format dossier reads"),
        );
    }
    let format = match format {
        Some(f) => f,
        None => {
            // Unknown type: read it (bounded) and look.
            let bytes = match read_all(reader, MAX_DOCUMENT) {
                Ok(b) => b,
                Err(e) => return fail(&name, e.0, e.1),
            };
            let f = Format::sniff(&bytes);
            return open_format(&name, Box::new(io::Cursor::new(bytes)), f, opts);
        }
    };
    open_format(&name, Box::new(reader), format, opts)
}

fn open_format(
    name: &str,
    reader: Box<dyn Read + Send>,
    format: Format,
    opts: &ReadOptions,
) -> Items {
    match format {
        Format::Text | Format::Markdown | Format::Html => {
            let bytes = match read_all(reader, MAX_DOCUMENT) {
                Ok(b) => b,
                Err(e) => return fail(name, e.0, e.1),
            };
            let text = match decode(bytes) {
                Ok(t) => t,
                Err(e) => return fail(name, e.0, e.1),
            };
            let body = match format {
                Format::Html => Body::Html(text),
                Format::Markdown => Body::Markdown(text),
                _ => Body::Text(text),
            };
            Box::new(std::iter::once(Ok(Raw {
                source: name.to_string(),
                record: None,
                at: None,
                body,
            })))
        }
        Format::Json => {
            let bytes = match read_all(reader, MAX_JSON) {
                Ok(b) => b,
                Err(e) => return fail(name, e.0, e.1),
            };
            let text = match decode(bytes) {
                Ok(t) => t,
                Err(e) => return fail(name, e.0, e.1),
            };
            if text.trim().is_empty() {
                return fail(name, None, "empty file");
            }
            let value: Json = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => {
                    return fail(
                        name,
                        Some(format!("line {}, column {}", e.line(), e.column())),
                        format!("malformed JSON: {e}"),
                    );
                }
            };
            let records = match value {
                Json::Array(items) => items,
                v => vec![v],
            };
            let name = name.to_string();
            let field = opts.text_field.clone();
            Box::new(records.into_iter().enumerate().map(move |(i, v)| {
                let at = format!("record {}", i + 1);
                json_record(&name, i + 1, at, v, field.as_deref())
            }))
        }
        Format::JsonLines => {
            let name = name.to_string();
            let field = opts.text_field.clone();
            let mut lines = BufReader::new(LineCap::new(reader, MAX_LINE, u64::MAX));
            let mut line_no = 0usize;
            let mut record = 0usize;
            let mut done = false;
            Box::new(std::iter::from_fn(move || {
                loop {
                    if done {
                        return None;
                    }
                    let mut buf = Vec::new();
                    line_no += 1;
                    match lines.read_until(b'\n', &mut buf) {
                        Ok(0) => {
                            done = true;
                            if record == 0 {
                                return Some(Err(Failure::new(
                                    &name,
                                    None,
                                    "empty file: no records",
                                )));
                            }
                            return None;
                        }
                        Ok(_) => {}
                        Err(e) => {
                            // The rest of the file cannot be trusted to split into lines.
                            done = true;
                            return Some(Err(Failure::new(&name, None, e.to_string())));
                        }
                    }
                    let line = match String::from_utf8(buf) {
                        Ok(l) => l,
                        Err(e) => {
                            record += 1;
                            let at = format!("record {record} (line {line_no})");
                            let msg = format!(
                                "invalid UTF-8 at byte {} of the line",
                                e.utf8_error().valid_up_to()
                            );
                            return Some(Err(Failure::new(&name, Some(at), msg)));
                        }
                    };
                    if line.trim().is_empty() {
                        continue;
                    }
                    record += 1;
                    let at = format!("record {record} (line {line_no})");
                    return Some(match serde_json::from_str::<Json>(&line) {
                        Ok(v) => json_record(&name, record, at, v, field.as_deref()),
                        Err(e) => Err(Failure::new(
                            &name,
                            Some(at),
                            format!("malformed JSON at column {}: {e}", e.column()),
                        )),
                    });
                }
            }))
        }
        Format::Csv => csv_records(name, reader, opts),
    }
}

fn csv_records(name: &str, reader: Box<dyn Read + Send>, opts: &ReadOptions) -> Items {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(LineCap::new(reader, MAX_LINE, u64::MAX));
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return fail(name, Some("header".into()), format!("malformed CSV: {e}")),
    };
    if headers.is_empty() {
        return fail(name, None, "empty file: no CSV header");
    }
    let headers: Vec<String> = headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_lowercase()
        })
        .collect();
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let text_col = match &opts.text_field {
        Some(f) => headers.iter().position(|h| *h == f.to_lowercase()),
        None => find(TEXT_FIELDS),
    };
    let Some(text_col) = text_col else {
        let wanted = opts
            .text_field
            .clone()
            .unwrap_or_else(|| TEXT_FIELDS.join(", "));
        return fail(
            name,
            Some("header".into()),
            format!("no text column (looked for {wanted}; use --text-field)"),
        );
    };
    let cols = [
        find(TITLE_FIELDS),
        find(DATE_FIELDS),
        find(URL_FIELDS),
        find(AUTHOR_FIELDS),
        find(SOURCE_FIELDS),
    ];
    let name = name.to_string();
    let mut record = 0usize;
    let mut done = false;
    let mut rec = csv::ByteRecord::new();
    Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        record += 1;
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => {
                done = true;
                if record == 1 {
                    return Some(Err(Failure::new(
                        &name,
                        None,
                        "no records after the header",
                    )));
                }
                None
            }
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line());
                let at = format!("record {record} (line {line})");
                let field = |c: Option<usize>| -> Result<Option<String>, Failure> {
                    let Some(c) = c else { return Ok(None) };
                    let Some(b) = rec.get(c) else { return Ok(None) };
                    match std::str::from_utf8(b) {
                        Ok(s) if s.trim().is_empty() => Ok(None),
                        Ok(s) => Ok(Some(s.to_string())),
                        Err(e) => Err(Failure::new(
                            &name,
                            Some(at.clone()),
                            format!(
                                "invalid UTF-8 in column `{}` at byte {}",
                                headers[c],
                                e.valid_up_to()
                            ),
                        )),
                    }
                };
                let r = (|| {
                    Ok(Record {
                        text: field(Some(text_col))?.unwrap_or_default(),
                        title: field(cols[0])?,
                        date: field(cols[1])?,
                        url: field(cols[2])?,
                        author: field(cols[3])?,
                        publisher: field(cols[4])?,
                    })
                })();
                Some(r.map(|r| Raw {
                    source: name.clone(),
                    record: Some(record),
                    at: Some(at.clone()),
                    body: Body::Record(r),
                }))
            }
            Err(e) => {
                let at = e
                    .position()
                    .map(|p| format!("record {record} (line {})", p.line()))
                    .unwrap_or_else(|| format!("record {record}"));
                // An I/O error (an over-long line) ends the file; a malformed record does not.
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    done = true;
                }
                Some(Err(Failure::new(
                    &name,
                    Some(at),
                    format!("malformed CSV: {e}"),
                )))
            }
        }
    }))
}

/// One JSON record: an object whose text field is found by name.
fn json_record(
    name: &str,
    record: usize,
    at: String,
    v: Json,
    text_field: Option<&str>,
) -> Result<Raw, Failure> {
    let Json::Object(map) = v else {
        return Err(Failure::new(name, Some(at), "record is not a JSON object"));
    };
    let get = |names: &[&str]| -> Option<&Json> {
        map.iter()
            .find(|(k, _)| names.contains(&k.to_lowercase().as_str()))
            .map(|(_, v)| v)
    };
    let text = match text_field {
        Some(f) => map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(f))
            .map(|(_, v)| v),
        None => get(TEXT_FIELDS),
    };
    let text = match text {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Null) | None => {
            let wanted = text_field
                .map(str::to_string)
                .unwrap_or_else(|| TEXT_FIELDS.join(", "));
            return Err(Failure::new(
                name,
                Some(at),
                format!("no text field (looked for {wanted}; use --text-field)"),
            ));
        }
        Some(other) => {
            return Err(Failure::new(
                name,
                Some(at),
                format!("the text field is a {}, not a string", json_type(other)),
            ));
        }
    };
    Ok(Raw {
        source: name.to_string(),
        record: Some(record),
        at: Some(at),
        body: Body::Record(Record {
            text,
            title: get(TITLE_FIELDS).and_then(json_str),
            date: get(DATE_FIELDS).and_then(json_str),
            url: get(URL_FIELDS).and_then(json_str),
            author: get(AUTHOR_FIELDS).and_then(json_str),
            publisher: get(SOURCE_FIELDS).and_then(json_str),
        }),
    })
}

fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "list",
        Json::Object(_) => "object",
    }
}

/// A metadata value as a string: strings, numbers, a list of them (joined), or an
/// object's `name` (NewsAPI writes `"source": {"name": "…"}`).
fn json_str(v: &Json) -> Option<String> {
    let s = match v {
        Json::String(s) => s.trim().to_string(),
        Json::Number(n) => n.to_string(),
        Json::Array(items) => items
            .iter()
            .filter_map(json_str)
            .collect::<Vec<_>>()
            .join(", "),
        Json::Object(m) => m.get("name").and_then(json_str)?,
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A read error: where (`line 3`) and what.
struct ReadError(Option<String>, String);

/// Reads everything, refusing over-long lines and files over `max` bytes.
fn read_all(reader: impl Read, max: usize) -> Result<Vec<u8>, ReadError> {
    let mut capped = LineCap::new(reader, MAX_LINE, max as u64);
    let mut bytes = Vec::new();
    match capped.read_to_end(&mut bytes) {
        Ok(_) if bytes.is_empty() => Err(ReadError(None, "empty file".into())),
        Ok(_) => Ok(bytes),
        Err(e) => Err(ReadError(None, e.to_string())),
    }
}

/// Decodes UTF-8 (dropping a byte-order mark), naming the line of the first bad byte.
fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Ok(s)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = bytes[..valid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            Err(ReadError(
                Some(format!("line {line}")),
                format!(
                    "invalid UTF-8 (byte {valid} of the file, column {} of the line); dossier reads UTF-8 text",
                    valid - line_start + 1
                ),
            ))
        }
    }
}

/// A reader that fails once a line runs past `max_line` bytes or the whole past
/// `max_total`, so that no input makes dossier hold more than the limits.
pub struct LineCap<R> {
    inner: R,
    max_line: usize,
    max_total: u64,
    run: usize,
    line: usize,
    total: u64,
}

impl<R: Read> LineCap<R> {
    pub fn new(inner: R, max_line: usize, max_total: u64) -> LineCap<R> {
        LineCap {
            inner,
            max_line,
            max_total,
            run: 0,
            line: 1,
            total: 0,
        }
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > self.max_total {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "file larger than {} MiB, the limit for one document",
                    self.max_total >> 20
                ),
            ));
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line += 1;
                self.run = 0;
            } else {
                self.run += 1;
            }
        }
        if self.run > self.max_line {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "line {} is longer than {} MiB; not a document dossier reads",
                    self.line,
                    self.max_line >> 20
                ),
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_cap_stops_long_lines() {
        let data = vec![b'a'; 5000];
        let mut r = LineCap::new(&data[..], 1000, u64::MAX);
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("line 1 is longer")),
            "{err:?}"
        );
    }

    #[test]
    fn sniffing() {
        assert_eq!(Format::sniff(b"<html>"), Format::Html);
        assert_eq!(Format::sniff(b"{\"a\":1}\n{\"a\":2}\n"), Format::JsonLines);
        assert_eq!(Format::sniff(b"{\n\"a\": 1\n}"), Format::Json);
        assert_eq!(Format::sniff(b"Hello"), Format::Text);
    }

    #[test]
    fn titles() {
        assert_eq!(text_title("Title\n\nBody"), Some("Title".into()));
        assert_eq!(text_title("Body line one.\nBody two"), None);
        assert_eq!(markdown_title("x\n# Head\n"), Some("Head".into()));
    }
}
