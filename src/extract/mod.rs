//! Extraction: people, organisations, places and events in text, each resolved
//! within the document into one entity.
//!
//! SKELETON: the types the ingestion stage consumes. The pipeline (sentences,
//! tokens, candidate spans, classification, resolution, events) is being built
//! behind [`Extractor::extract`]; see `docs/extraction.md`.

use chrono::NaiveDate;
use serde::Serialize;

/// The kind of a named entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum EntityKind {
    Person,
    Organisation,
    Place,
}

impl EntityKind {
    /// The graph label for this kind.
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Person => "Person",
            EntityKind::Organisation => "Organisation",
            EntityKind::Place => "Place",
        }
    }
}

/// One mention of an entity in the text. Offsets count Unicode code points from
/// the start of the text given to [`Extractor::extract`], end exclusive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mention {
    pub kind: EntityKind,
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// Index into [`Extraction::entities`].
    pub entity: usize,
}

/// An entity resolved within one text: every mention of it points here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    pub kind: EntityKind,
    /// The canonical form (original script and casing kept).
    pub name: String,
    /// Every other form seen.
    pub aliases: Vec<String>,
    /// An account handle, without `@`.
    pub handle: Option<String>,
    /// For places: country, region, city, district, … when known.
    pub place_kind: Option<String>,
    /// For places: the places this one is part of (indexes into `entities`).
    pub part_of: Vec<usize>,
    /// For places: an ISO country code when known (helps cross-document resolution).
    pub country: Option<String>,
}

/// An event reported by the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub kind: String,
    pub date: Option<NaiveDate>,
    /// Whether the date was stated in the text (else it was inherited).
    pub date_stated: bool,
    /// The sentence the event was found in.
    pub summary: String,
    /// The sentence's span (code points).
    pub start: usize,
    pub end: usize,
    /// The number of people affected, when given.
    pub count: Option<i64>,
    /// Places it occurred in (indexes into `entities`).
    pub places: Vec<usize>,
    /// Who took part, with a role such as `agent` or `target`.
    pub involved: Vec<(usize, String)>,
}

/// A stated membership: a person is a member of (speaks for, works for) an organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Affiliation {
    pub person: usize,
    pub organisation: usize,
    /// The sentence's span (code points).
    pub start: usize,
    pub end: usize,
}

/// An account known from the document's structure (an embedded post's signature),
/// handed to the extractor so that it resolves mentions of the account's owner
/// ("the White Helmets") with the account (`@SyriaCivilDef`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    /// The display name as written, when there is one.
    pub display_name: Option<String>,
    /// The handle, without `@`.
    pub handle: String,
    /// The span of the signature (code points).
    pub start: usize,
    pub end: usize,
}

/// What the extractor reads: one document's text and what segmentation knows of it.
#[derive(Debug, Clone, Default)]
pub struct Input<'a> {
    /// The whole document text; every offset is into this.
    pub text: &'a str,
    /// The document's date, for events whose date the text does not state.
    pub date: Option<NaiveDate>,
    /// The accounts of embedded posts. Each must come back as an entity with its
    /// `handle` set (a Person or an Organisation).
    pub accounts: &'a [Account],
    /// Spans (code points) that are not prose and must not be tagged: signature
    /// lines, URLs. Handles and hashtags are never entities by themselves anyway.
    pub skip: &'a [(usize, usize)],
}

/// Everything found in one text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extraction {
    pub mentions: Vec<Mention>,
    pub entities: Vec<Entity>,
    pub events: Vec<Event>,
    pub affiliations: Vec<Affiliation>,
}

/// The extractor, holding its data (gazetteers, word lists, model). Build once and
/// share across threads.
#[derive(Debug, Default)]
pub struct Extractor {}

impl Extractor {
    /// The extractor with the data shipped in the crate.
    pub fn new() -> Extractor {
        Extractor {}
    }

    /// Extracts from one document.
    pub fn extract(&self, _input: &Input) -> Extraction {
        Extraction::default()
    }
}
