//! The extraction stage: a segmented document handed to the [`Extractor`], and the
//! answer checked and completed so the writer can trust it.
//!
//! This is also where byte offsets become code points: everything after this stage
//! (the graph's provenance properties, `dossier extract`'s JSON) counts Unicode code
//! points from the start of the document's text, end exclusive.

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::read::Doc;
use super::segment::{Post, segment};
use crate::extract::{Account, Entity, EntityKind, Extraction, Extractor, Input};

/// A document with everything found in it.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub doc: Doc,
    /// The content hash: the first 128 bits of SHA-256 over the text, in hex.
    pub id: String,
    /// The text's length in code points.
    pub length: usize,
    pub posts: Vec<Post>,
    /// Each post's spans in code points, parallel to `posts`.
    pub post_spans: Vec<PostSpans>,
    /// What the extractor found, every account of `posts` among its entities.
    pub extraction: Extraction,
}

/// A post's spans in code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PostSpans {
    pub start: usize,
    pub end: usize,
    pub sig_start: usize,
    pub sig_end: usize,
}

/// The content hash of a text (a document's id).
pub fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    hex::encode(&digest[..16])
}

/// Converts byte offsets of one text into code-point offsets. ASCII text (most of
/// it) needs no table; other text gets one, built once per document.
pub struct CharMap {
    table: Option<Vec<u32>>,
    len: usize,
}

impl CharMap {
    pub fn new(text: &str) -> CharMap {
        if text.is_ascii() {
            return CharMap {
                table: None,
                len: text.len(),
            };
        }
        // table[b] = the number of code points before byte b (for every byte).
        let mut table = Vec::with_capacity(text.len() + 1);
        let mut n = 0u32;
        for (i, c) in text.char_indices() {
            for _ in 0..c.len_utf8() {
                table.push(n);
            }
            n += 1;
            debug_assert_eq!(table.len(), i + c.len_utf8());
        }
        table.push(n);
        CharMap {
            table: Some(table),
            len: text.len(),
        }
    }

    /// The code-point offset of byte offset `b` (clamped to the text).
    pub fn cp(&self, b: usize) -> usize {
        let b = b.min(self.len);
        match &self.table {
            None => b,
            Some(t) => t[b] as usize,
        }
    }

    pub fn chars(&self) -> usize {
        self.cp(self.len)
    }
}

/// Segments and extracts one document.
pub fn analyse(extractor: &Extractor, doc: Doc) -> Analysed {
    let text = doc.text.as_str();
    let seg = segment(text, doc.published);
    let map = CharMap::new(text);
    let post_spans: Vec<PostSpans> = seg
        .posts
        .iter()
        .map(|p| PostSpans {
            start: map.cp(p.start),
            end: map.cp(p.end),
            sig_start: map.cp(p.sig_start),
            sig_end: map.cp(p.sig_end),
        })
        .collect();
    let accounts: Vec<Account> = seg
        .posts
        .iter()
        .zip(&post_spans)
        .map(|(p, s)| Account {
            display_name: p.display_name.clone(),
            handle: p.handle.clone(),
            start: s.sig_start,
            end: s.sig_end,
        })
        .collect();
    let skip: Vec<(usize, usize)> = seg
        .skip
        .iter()
        .map(|&(s, e)| (map.cp(s), map.cp(e)))
        .collect();
    let mut extraction = extractor.extract(&Input {
        text,
        date: doc.published,
        accounts: &accounts,
        skip: &skip,
    });
    let length = map.chars();
    sanitise(&mut extraction, length);
    ensure_accounts(&mut extraction, &accounts);
    Analysed {
        id: content_hash(text),
        length,
        posts: seg.posts,
        post_spans,
        extraction,
        doc,
    }
}

/// Drops what the writer could not place: out-of-range entity indexes and spans.
fn sanitise(x: &mut Extraction, length: usize) {
    let n = x.entities.len();
    let span_ok = |s: usize, e: usize| s <= e && e <= length;
    x.mentions
        .retain(|m| m.entity < n && span_ok(m.start, m.end) && x.entities[m.entity].kind == m.kind);
    for e in &mut x.entities {
        e.part_of.retain(|&p| p < n);
    }
    x.affiliations
        .retain(|a| a.person < n && a.organisation < n && span_ok(a.start, a.end));
    for ev in &mut x.events {
        ev.places.retain(|&p| p < n);
        ev.involved.retain(|(i, _)| *i < n);
        if !span_ok(ev.start, ev.end) {
            ev.start = 0;
            ev.end = 0;
        }
    }
}

/// Every account comes back as an entity with its handle: the extractor promises
/// it, and where it did not (or before it does), a Person is made for the account.
fn ensure_accounts(x: &mut Extraction, accounts: &[Account]) {
    for a in accounts {
        let name = a.display_name.clone().unwrap_or_else(|| a.handle.clone());
        let existing = x.entities.iter_mut().find(|e| {
            e.handle
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(&a.handle))
        });
        match existing {
            Some(e) => {
                // A post without a display name adds no form of the name.
                if a.display_name.is_some() && e.name != name && !e.aliases.contains(&name) {
                    e.aliases.push(name);
                }
            }
            None => x.entities.push(Entity {
                kind: EntityKind::Person,
                name,
                aliases: Vec::new(),
                handle: Some(a.handle.clone()),
                place_kind: None,
                part_of: Vec::new(),
                country: None,
            }),
        }
    }
}

// ----- the JSON of `dossier extract` (docs/input-formats.md) -----

#[derive(Serialize)]
struct JsonDoc<'a> {
    document: JsonDocument<'a>,
    mentions: Vec<JsonMention<'a>>,
    posts: Vec<JsonPost<'a>>,
    events: Vec<JsonEvent<'a>>,
    entities: Vec<JsonEntity<'a>>,
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    id: &'a str,
    title: Option<&'a str>,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<usize>,
    published: Option<NaiveDate>,
    length: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonMention<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
    start: usize,
    end: usize,
    entity: &'a str,
}

#[derive(Serialize)]
struct JsonPost<'a> {
    text: &'a str,
    handle: &'a str,
    name: Option<&'a str>,
    date: Option<NaiveDate>,
    start: usize,
    end: usize,
    signature: [usize; 2],
    hashtags: &'a [String],
    urls: &'a [String],
    mentions: &'a [String],
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    kind: &'a str,
    date: Option<NaiveDate>,
    date_stated: bool,
    summary: &'a str,
    start: usize,
    end: usize,
    count: Option<i64>,
    places: Vec<&'a str>,
    involved: Vec<JsonInvolved<'a>>,
}

#[derive(Serialize)]
struct JsonInvolved<'a> {
    entity: &'a str,
    role: &'a str,
}

#[derive(Serialize)]
struct JsonEntity<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    aliases: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    handle: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    place_kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    part_of: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
}

impl Analysed {
    /// The document as one line of `dossier extract --format json`.
    pub fn to_json_line(&self) -> String {
        let x = &self.extraction;
        let name = |i: usize| x.entities.get(i).map_or("", |e| e.name.as_str());
        let d = &self.doc;
        let j = JsonDoc {
            document: JsonDocument {
                id: &self.id,
                title: d.title.as_deref(),
                source: &d.source,
                record: d.record,
                published: d.published,
                length: self.length,
                url: d.url.as_deref(),
                author: d.author.as_deref(),
                publisher: d.publisher.as_deref(),
            },
            mentions: x
                .mentions
                .iter()
                .map(|m| JsonMention {
                    kind: m.kind.label(),
                    text: &m.text,
                    start: m.start,
                    end: m.end,
                    entity: name(m.entity),
                })
                .collect(),
            posts: self
                .posts
                .iter()
                .zip(&self.post_spans)
                .map(|(p, s)| JsonPost {
                    text: &p.text,
                    handle: &p.handle,
                    name: p.display_name.as_deref(),
                    date: p.date,
                    start: s.start,
                    end: s.end,
                    signature: [s.sig_start, s.sig_end],
                    hashtags: &p.hashtags,
                    urls: &p.urls,
                    mentions: &p.mentions,
                })
                .collect(),
            events: x
                .events
                .iter()
                .map(|e| JsonEvent {
                    kind: &e.kind,
                    date: e.date,
                    date_stated: e.date_stated,
                    summary: &e.summary,
                    start: e.start,
                    end: e.end,
                    count: e.count,
                    places: e.places.iter().map(|&p| name(p)).collect(),
                    involved: e
                        .involved
                        .iter()
                        .map(|(i, role)| JsonInvolved {
                            entity: name(*i),
                            role,
                        })
                        .collect(),
                })
                .collect(),
            entities: x
                .entities
                .iter()
                .map(|e| JsonEntity {
                    kind: e.kind.label(),
                    name: &e.name,
                    aliases: &e.aliases,
                    handle: e.handle.as_deref(),
                    place_kind: e.place_kind.as_deref(),
                    part_of: e.part_of.iter().map(|&p| name(p)).collect(),
                    country: e.country.as_deref(),
                })
                .collect(),
        };
        // Serialising plain structs of strings and numbers cannot fail.
        serde_json::to_string(&j).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_map_counts_code_points() {
        let t = "aé日😀b";
        let m = CharMap::new(t);
        let b = t.find('b').unwrap_or(0);
        assert_eq!(m.cp(b), 4);
        assert_eq!(m.chars(), 5);
    }

    #[test]
    fn accounts_become_people_when_the_extractor_is_silent() {
        let mut x = Extraction::default();
        let acc = |h: &str, n: Option<&str>| Account {
            display_name: n.map(str::to_string),
            handle: h.to_string(),
            start: 0,
            end: 0,
        };
        ensure_accounts(
            &mut x,
            &[
                acc("ab", Some("A B")),
                acc("AB", Some("A. B.")),
                acc("aB", None),
                acc("cd", None),
            ],
        );
        assert_eq!(x.entities.len(), 2);
        assert_eq!(x.entities[0].name, "A B");
        assert_eq!(x.entities[0].aliases, vec!["A. B.".to_string()]);
        assert_eq!(x.entities[1].name, "cd");
    }
}
