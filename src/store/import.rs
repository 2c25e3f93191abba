//! `import`: loading a graph from dossier's JSON interchange format
//! (`docs/formats.md`), the shape of Neo4j's HTTP "graph" results:
//! `{"nodes":[{"id","labels","properties"}],"relationships":[{"id","type",
//! "startNode","endNode","properties"}]}`.
//!
//! The file is streamed: serde visits the two arrays and hands each record over as
//! soon as it is parsed, so memory grows with the graph being built, never with the
//! file's text. Ids in the file are the file's own; each node gets a fresh store id
//! (in file order) and relationships are resolved through a map from file ids.
//!
//! An import is one all-or-nothing transaction, committed one of two ways:
//! - into an empty store, the graph is bulk-built on the side and committed as a
//!   new snapshot (write, fsync, rename): no log record as large as the file and no
//!   undo log, and a crash before the rename leaves the store as it was;
//! - into a store that holds data, through [`Store::write`]: one log record, rolled
//!   back on the first bad record. (Large imports into a non-empty store therefore
//!   cost memory for the undo and redo lists: import big files first.)

use std::borrow::Cow;
use std::fmt;
use std::io::Read;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use super::Store;
use crate::error::{Error, Result};
use crate::graph::{BulkState, Graph, NodeId, RelId, Sym, Txn};
use crate::value::Value;
use crate::value::json::property_from_json;

/// What an import created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportStats {
    pub nodes: u64,
    pub relationships: u64,
}

/// A string from the file, borrowed from the input buffer when it has no escapes.
/// Ids may also be written as integers; they are taken as their decimal text.
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<Str<'a>, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(
                self,
                s: &'de str,
            ) -> std::result::Result<Str<'a>, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> std::result::Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(s)))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> std::result::Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(n.to_string())))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> std::result::Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(n.to_string())))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A record's properties, in file order.
#[derive(Default)]
struct RawProps<'a>(Vec<(Str<'a>, serde_json::Value)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawProps<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<RawProps<'a>, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawProps<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of properties")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<RawProps<'a>, A::Error> {
                let mut v = Vec::with_capacity(m.size_hint().unwrap_or(4));
                while let Some((k, x)) = m.next_entry::<Str<'a>, serde_json::Value>()? {
                    v.push((k, x));
                }
                Ok(RawProps(v))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct NodeRec<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(default, borrow)]
    labels: Vec<Str<'a>>,
    #[serde(default, borrow)]
    properties: RawProps<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RelRec<'a> {
    #[serde(default, borrow)]
    id: Option<Str<'a>>,
    #[serde(rename = "type", borrow)]
    ty: Str<'a>,
    #[serde(borrow)]
    start_node: Str<'a>,
    #[serde(borrow)]
    end_node: Str<'a>,
    #[serde(default, borrow)]
    properties: RawProps<'a>,
}

/// Where parsed records go.
trait Sink {
    fn node(&mut self, rec: NodeRec, what: &What) -> Result<()>;
    fn rel(&mut self, rec: RelRec, what: &What) -> Result<()>;
}

/// Splits the input into records without parsing them: a windowed buffer over
/// the reader and a scanner that knows only strings and bracket depth. Each record
/// is then parsed with `serde_json::from_slice`, which borrows its strings from the
/// buffer; this is several times faster than serde's byte-by-byte reader, and
/// memory stays at the window (a few MiB) however large the file.
struct Scanner<'n, R: Read> {
    r: R,
    name: &'n str,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// The file offset of `buf[0]`.
    base: u64,
    eof: bool,
}

impl<R: Read> Scanner<'_, R> {
    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn error(&self, msg: &str) -> Error {
        Error::Input(format!("{}: at byte {}: {msg}", self.name, self.offset()))
    }

    /// Reads more input, moving the unread part to the front (and growing the
    /// buffer when one value fills it). Returns false at the end of the input.
    fn more(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.base += self.pos as u64;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len() * 2;
            self.buf.resize(n, 0);
        }
        loop {
            match self.r.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::Input(format!("{}: cannot read: {e}", self.name)));
                }
            }
        }
    }

    /// The next non-whitespace byte, not consumed; `None` at the end of input.
    fn peek(&mut self) -> Result<Option<u8>> {
        loop {
            while self.pos < self.end {
                let b = self.buf[self.pos];
                if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                    self.pos += 1;
                } else {
                    return Ok(Some(b));
                }
            }
            if !self.more()? {
                return Ok(None);
            }
        }
    }

    fn expect(&mut self, want: u8, what: &str) -> Result<()> {
        match self.peek()? {
            Some(b) if b == want => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.error(&format!("expected {what}"))),
            None => Err(self.error(&format!("the file ends where {what} was expected"))),
        }
    }

    /// The length of the JSON value at the current position (after whitespace),
    /// with all of it in the buffer. Only strings and nesting are understood here;
    /// the value's own syntax is checked when it is parsed.
    fn value_len(&mut self) -> Result<usize> {
        if self.peek()?.is_none() {
            return Err(self.error("the file ends where a value was expected"));
        }
        let mut j = 0usize; // relative to pos: `more` may move the window
        let mut depth = 0u32;
        let mut in_str = false;
        let mut esc = false;
        loop {
            if self.pos + j >= self.end {
                if !self.more()? {
                    if depth == 0 && !in_str && j > 0 {
                        return Ok(j);
                    }
                    return Err(self.error("the file ends inside a value"));
                }
                continue;
            }
            if in_str && !esc {
                // Jump to the next quote or backslash: strings are most of the text.
                let from = self.pos + j;
                match memchr::memchr2(b'"', b'\\', &self.buf[from..self.end]) {
                    Some(k) => j += k,
                    None => {
                        j = self.end - self.pos;
                        continue;
                    }
                }
            }
            let b = self.buf[self.pos + j];
            j += 1;
            if in_str {
                if esc {
                    esc = false;
                } else if b == b'\\' {
                    esc = true;
                } else if b == b'"' {
                    in_str = false;
                    if depth == 0 {
                        return Ok(j);
                    }
                }
                continue;
            }
            match b {
                b'"' => in_str = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    if depth == 0 {
                        // The end of the enclosing array or object: a scalar ends here.
                        return Ok(j - 1);
                    }
                    depth -= 1;
                    if depth == 0 {
                        return Ok(j);
                    }
                }
                b',' | b' ' | b'\n' | b'\r' | b'\t' if depth == 0 => return Ok(j - 1),
                _ => {}
            }
        }
    }

    /// Parses the value at the current position as `T` and moves past it.
    fn parse_value<T: for<'de> Deserialize<'de>>(&mut self) -> Result<T> {
        let n = self.value_len()?;
        let v = serde_json::from_slice(&self.buf[self.pos..self.pos + n])
            .map_err(|e| self.error(&e.to_string()))?;
        self.pos += n;
        Ok(v)
    }

    /// Walks the array at the current position, handing each element to `f`.
    fn each_element(&mut self, kind: &str, f: &mut RecordFn) -> Result<()> {
        self.expect(b'[', &format!("an array of {kind}s"))?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut i = 0u64;
        loop {
            i += 1;
            let n = self.value_len()?;
            let what = What { kind, i };
            match f(&self.buf[self.pos..self.pos + n], &what) {
                Ok(()) => {}
                Err(RecordError::Syntax(e)) => {
                    return Err(Error::Input(format!(
                        "{}: {what} (at byte {}): {e}",
                        self.name,
                        self.offset()
                    )));
                }
                Err(RecordError::Refused(e)) => return Err(e),
            }
            self.pos += n;
            match self.peek()? {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => return Err(self.error(&format!("expected `,` or `]` after {what}"))),
                None => {
                    return Err(self.error(&format!(
                        "the file ends inside the array of {kind}s, after {what}"
                    )));
                }
            }
        }
    }
}

/// What the array walker hands each record's bytes to.
type RecordFn<'f> = dyn FnMut(&[u8], &What) -> std::result::Result<(), RecordError> + 'f;

/// Which record is being read ("node 12"), formatted only for an error message.
struct What<'k> {
    kind: &'k str,
    i: u64,
}

impl fmt::Display for What<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.i)
    }
}

enum RecordError {
    Syntax(serde_json::Error),
    Refused(Error),
}

/// Parses the interchange format from `reader` into `sink`.
fn parse(reader: impl Read, name: &str, sink: &mut dyn Sink) -> Result<()> {
    let mut sc = Scanner {
        r: reader,
        name,
        buf: vec![0; 4 << 20],
        pos: 0,
        end: 0,
        base: 0,
        eof: false,
    };
    sc.expect(
        b'{',
        r#"an object {"nodes": [...], "relationships": [...]}"#,
    )?;
    let mut nodes_seen = false;
    if sc.peek()? == Some(b'}') {
        sc.pos += 1;
    } else {
        loop {
            let key: String = sc.parse_value()?;
            sc.expect(b':', "`:`")?;
            match key.as_str() {
                "nodes" => {
                    nodes_seen = true;
                    sc.each_element("node", &mut |bytes, what| {
                        let rec: NodeRec =
                            serde_json::from_slice(bytes).map_err(RecordError::Syntax)?;
                        sink.node(rec, what).map_err(RecordError::Refused)
                    })?;
                }
                "relationships" => {
                    if !nodes_seen {
                        return Err(
                            sc.error("\"relationships\" comes before \"nodes\"; write nodes first")
                        );
                    }
                    sc.each_element("relationship", &mut |bytes, what| {
                        let rec: RelRec =
                            serde_json::from_slice(bytes).map_err(RecordError::Syntax)?;
                        sink.rel(rec, what).map_err(RecordError::Refused)
                    })?;
                }
                _ => {
                    // Other members are allowed and ignored, but must be valid JSON.
                    let _: IgnoredAny = sc.parse_value()?;
                }
            }
            match sc.peek()? {
                Some(b',') => sc.pos += 1,
                Some(b'}') => {
                    sc.pos += 1;
                    break;
                }
                _ => return Err(sc.error("expected `,` or `}` in the top-level object")),
            }
        }
    }
    if sc.peek()?.is_some() {
        return Err(sc.error("unexpected data after the top-level object"));
    }
    Ok(())
}

fn describe(name: &str, what: &What, id: &str) -> String {
    if id.is_empty() {
        format!("{name}: {what}")
    } else {
        format!("{name}: {what} (id {id:?})")
    }
}

fn props_of(raw: RawProps, name: &str, what: &What, id: &str) -> Result<Vec<(String, Value)>> {
    raw.0
        .into_iter()
        .map(|(k, j)| {
            let k = k.0;
            match property_from_json(&k, &j) {
                Ok(v) if v.is_storable() => Ok((k.into_owned(), v)),
                Ok(v) => Err(Error::Input(format!(
                    "{}: property `{k}` cannot hold a {} value",
                    describe(name, what, id),
                    v.type_name()
                ))),
                Err(m) => Err(Error::Input(format!(
                    "{}: property `{k}`: {m}",
                    describe(name, what, id)
                ))),
            }
        })
        .collect()
}

/// File id -> store id: looked up twice per relationship, so ten million times in
/// a big import, where it was the largest cost. Ids of up to 15 bytes (the usual
/// kind, such as "n123456") are packed with their length into the key itself, so a
/// lookup touches one table slot instead of a slot and a separate string; longer
/// ids go to a second map. FxHash because the keys are the file's own and SipHash's
/// flood resistance buys nothing for them.
#[derive(Default)]
struct IdMap {
    short: FxHashMap<u128, NodeId>,
    long: FxHashMap<Box<str>, NodeId>,
}

impl IdMap {
    fn pack(s: &str) -> Option<u128> {
        let b = s.as_bytes();
        if b.len() > 15 {
            return None;
        }
        let mut a = [0u8; 16];
        a[..b.len()].copy_from_slice(b);
        a[15] = b.len() as u8;
        Some(u128::from_le_bytes(a))
    }
    fn get(&self, s: &str) -> Option<NodeId> {
        match Self::pack(s) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(s).copied(),
        }
    }
    fn contains_key(&self, s: &str) -> bool {
        self.get(s).is_some()
    }
    fn insert(&mut self, s: &str, id: NodeId) {
        match Self::pack(s) {
            Some(k) => self.short.insert(k, id),
            None => self.long.insert(Box::from(s), id),
        };
    }
}

/// One element for the graph builder, with names as the parser's own numbers
/// (announced by `Name` before first use, in order).
enum Item {
    /// A new name: 0 label, 1 relationship type, 2 property key.
    Name(u8, String),
    Node(NodeId, Vec<u32>, Vec<(u32, Value)>),
    Rel(RelId, NodeId, NodeId, u32, Vec<(u32, Value)>),
}

const BATCH: usize = 4096;

/// The parsing half of an import into an empty store: checks each record,
/// resolves file ids to store ids and hands the elements, in batches, to the
/// builder thread ([`build`]). Parsing with id resolution and building the graph
/// cost about the same, so on two cores the halves overlap.
struct ParseSink<'a> {
    name: &'a str,
    tx: std::sync::mpsc::SyncSender<Vec<Item>>,
    batch: Vec<Item>,
    names: [FxHashMap<Box<str>, u32>; 3],
    ids: IdMap,
    next_node: u64,
    next_rel: u64,
    stats: ImportStats,
}

impl ParseSink<'_> {
    fn sym(&mut self, kind: u8, s: &str) -> u32 {
        let table = &mut self.names[kind as usize];
        if let Some(x) = table.get(s) {
            return *x;
        }
        let n = table.len() as u32;
        table.insert(Box::from(s), n);
        self.batch.push(Item::Name(kind, s.to_string()));
        n
    }

    fn push(&mut self, it: Item) -> Result<()> {
        self.batch.push(it);
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        let b = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx
            .send(b)
            .map_err(|_| Error::Internal("the graph builder stopped early".into()))
    }

    fn props(&mut self, raw: RawProps, what: &What, id: &str) -> Result<Vec<(u32, Value)>> {
        let mut out = Vec::with_capacity(raw.0.len());
        for (k, j) in raw.0 {
            let k = k.0;
            match property_from_json(&k, &j) {
                Ok(v) if v.is_storable() => {
                    if !v.is_null() {
                        out.push((self.sym(2, &k), v));
                    }
                }
                Ok(v) => {
                    return Err(Error::Input(format!(
                        "{}: property `{k}` cannot hold a {} value",
                        describe(self.name, what, id),
                        v.type_name()
                    )));
                }
                Err(m) => {
                    return Err(Error::Input(format!(
                        "{}: property `{k}`: {m}",
                        describe(self.name, what, id)
                    )));
                }
            }
        }
        Ok(out)
    }
}

impl Sink for ParseSink<'_> {
    fn node(&mut self, rec: NodeRec, what: &What) -> Result<()> {
        let id = rec.id.0;
        if self.ids.contains_key(&id) {
            return Err(Error::Input(format!(
                "{}: the id appears twice",
                describe(self.name, what, &id)
            )));
        }
        let labels: Vec<u32> = rec.labels.iter().map(|l| self.sym(0, &l.0)).collect();
        let props = self.props(rec.properties, what, &id)?;
        let nid = NodeId(self.next_node);
        self.next_node += 1;
        self.ids.insert(&id, nid);
        self.stats.nodes += 1;
        self.push(Item::Node(nid, labels, props))
    }

    fn rel(&mut self, rec: RelRec, what: &What) -> Result<()> {
        let rid = rec.id.map(|i| i.0).unwrap_or_default();
        let (start, end) = ends(&self.ids, &rec.start_node, &rec.end_node)
            .map_err(|m| Error::Input(format!("{}: {m}", describe(self.name, what, &rid))))?;
        let ty = self.sym(1, &rec.ty.0);
        let props = self.props(rec.properties, what, &rid)?;
        let id = RelId(self.next_rel);
        self.next_rel += 1;
        self.stats.relationships += 1;
        self.push(Item::Rel(id, start, end, ty, props))
    }
}

/// The building half: adds the parser's elements to `g` in order.
fn build(mut g: Graph, rx: std::sync::mpsc::Receiver<Vec<Item>>) -> Result<(Graph, BulkState)> {
    let mut st = BulkState::default();
    // The store is empty, so its declared indexes (the defaults) come before any
    // node: the nodes gather their entries as they go in.
    g.bulk_watch_indexes(&mut st);
    let mut map: [Vec<Sym>; 3] = Default::default();
    let bad = || Error::Internal("a name was used before it was announced".into());
    for batch in rx {
        for it in batch {
            match it {
                Item::Name(kind, s) => {
                    let sym = match kind {
                        0 => g.bulk_label(&s),
                        1 => g.bulk_type(&s),
                        _ => g.bulk_key(&s),
                    };
                    map[kind as usize % 3].push(sym);
                }
                Item::Node(id, labels, props) => {
                    let ls = labels
                        .iter()
                        .map(|l| map[0].get(*l as usize).copied().ok_or_else(bad))
                        .collect::<Result<Vec<Sym>>>()?;
                    let ps = props
                        .into_iter()
                        .map(|(k, v)| Ok((*map[2].get(k as usize).ok_or_else(bad)?, v)))
                        .collect::<Result<Vec<_>>>()?;
                    g.bulk_add_node(&mut st, id, &ls, ps)?;
                }
                Item::Rel(id, s, e, t, props) => {
                    let t = *map[1].get(t as usize).ok_or_else(bad)?;
                    let ps = props
                        .into_iter()
                        .map(|(k, v)| Ok((*map[2].get(k as usize).ok_or_else(bad)?, v)))
                        .collect::<Result<Vec<_>>>()?;
                    g.bulk_add_rel(id, s, e, t, ps)?;
                }
            }
        }
    }
    Ok((g, st))
}

fn ends(ids: &IdMap, s: &Str, e: &Str) -> std::result::Result<(NodeId, NodeId), String> {
    let look = |which: &str, f: &Str| {
        ids.get(&f.0)
            .ok_or_else(|| format!("{which} {:?} is not a node in the file", f.0))
    };
    Ok((look("startNode", s)?, look("endNode", e)?))
}

/// Writes through a transaction (the non-empty-store path).
struct TxnSink<'a, 't, 'g> {
    name: &'a str,
    txn: &'t mut Txn<'g>,
    ids: IdMap,
    stats: ImportStats,
}

impl Sink for TxnSink<'_, '_, '_> {
    fn node(&mut self, rec: NodeRec, what: &What) -> Result<()> {
        let id = rec.id.0;
        if self.ids.contains_key(&id) {
            return Err(Error::Input(format!(
                "{}: the id appears twice",
                describe(self.name, what, &id)
            )));
        }
        let labels: Vec<&str> = rec.labels.iter().map(|l| &*l.0).collect();
        let props = props_of(rec.properties, self.name, what, &id)?;
        let nid = self
            .txn
            .create_node(&labels, props)
            .map_err(|e| Error::Input(format!("{}: {e}", describe(self.name, what, &id))))?;
        self.ids.insert(&id, nid);
        self.stats.nodes += 1;
        Ok(())
    }

    fn rel(&mut self, rec: RelRec, what: &What) -> Result<()> {
        let rid = rec.id.map(|i| i.0).unwrap_or_default();
        let (start, end) = ends(&self.ids, &rec.start_node, &rec.end_node)
            .map_err(|m| Error::Input(format!("{}: {m}", describe(self.name, what, &rid))))?;
        let props = props_of(rec.properties, self.name, what, &rid)?;
        self.txn
            .create_rel(start, end, &rec.ty.0, props)
            .map_err(|e| Error::Input(format!("{}: {e}", describe(self.name, what, &rid))))?;
        self.stats.relationships += 1;
        Ok(())
    }
}

/// Imports the interchange-format JSON read from `reader` into `store` as one
/// all-or-nothing transaction. `name` names the input in error messages.
///
/// ```
/// use dossier::store::{Store, import};
/// let mut store = Store::in_memory();
/// let json = r#"{"nodes":[{"id":"a","labels":["Person"],"properties":{"name":"Ann"}},
///                         {"id":"b","labels":["Post"],"properties":{"date":"2016-12-12"}}],
///                "relationships":[{"id":"r","type":"POSTED","startNode":"a","endNode":"b"}]}"#;
/// let stats = import(&mut store, json.as_bytes(), "example.json").unwrap();
/// assert_eq!((stats.nodes, stats.relationships), (2, 1));
/// ```
pub fn import(store: &mut Store, reader: impl Read, name: &str) -> Result<ImportStats> {
    if store.is_read_only() {
        return Err(Error::ReadOnly);
    }
    let g = store.graph();
    if g.node_count() == 0 && g.rel_count() == 0 {
        let (next_node, next_rel) = (g.next_node_id().0, g.next_rel_id().0);
        let g = g.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel(16);
        let (built, stats) = std::thread::scope(|scope| {
            let builder = scope.spawn(move || build(g, rx));
            let mut sink = ParseSink {
                name,
                tx,
                batch: Vec::with_capacity(BATCH),
                names: Default::default(),
                ids: IdMap::default(),
                next_node,
                next_rel,
                stats: ImportStats::default(),
            };
            let parsed = parse(reader, name, &mut sink).and_then(|_| sink.flush());
            let stats = sink.stats;
            drop(sink); // closes the channel: the builder finishes
            let built = builder
                .join()
                .unwrap_or_else(|_| Err(Error::Internal("the graph builder panicked".into())));
            // A builder failure explains a parse that stopped on a closed channel.
            match (parsed, built) {
                (_, Err(e)) | (Err(e), _) => Err(e),
                (Ok(()), Ok(b)) => Ok((b, stats)),
            }
        })?;
        if stats == ImportStats::default() {
            return Ok(stats);
        }
        let (mut g, st) = built;
        g.bulk_finish(st);
        store.replace_graph(g)?;
        return Ok(stats);
    }
    let (stats, _) = store.write(|txn| {
        let mut sink = TxnSink {
            name,
            txn,
            ids: IdMap::default(),
            stats: ImportStats::default(),
        };
        parse(reader, name, &mut sink)?;
        Ok(sink.stats)
    })?;
    Ok(stats)
}
