//! Extraction: people, organisations, places and events in text, each resolved
//! within the document into one entity.
//!
//! The life of a document in the extractor, one module per stage, joined by data:
//! 1. [`tokens`]: tokens with byte and code-point offsets, then sentences;
//! 2. [`lexicon`]: every token gets its word classes from the shipped data (places, names,
//!    demonyms, titles, organisation words, triggers);
//! 3. [`tagger`]: an averaged perceptron trained on open corpora tags each sentence (IOB2);
//! 4. [`candidates`]: tagger spans and lexicon rules become classified mentions;
//! 5. [`resolve`]: mentions and post accounts join into entities; places get a kind, a
//!    country and a PART_OF chain;
//! 6. [`events`]: trigger words with count, places, participants and date;
//! 7. [`affiliations`]: stated memberships (MEMBER_OF).
//!
//! `docs/extraction.md` explains each stage and its data, and gives the measured quality.

use chrono::NaiveDate;
use serde::Serialize;

pub mod affiliations;
pub mod candidates;
pub mod clusters;
pub mod context;
pub mod events;
pub mod lexicon;
pub mod resolve;
pub mod score;
pub mod tagger;
pub mod tokens;

use std::time::{Duration, Instant};

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

impl Entity {
    /// A key that is equal for the same entity in two documents: the kind, the country (for
    /// places) and the name folded (case, diacritics, leading article, hyphens).
    pub fn key(&self) -> String {
        let name = lexicon::fold(&self.name).replace('-', " ");
        let name = name.strip_prefix("the ").unwrap_or(&name);
        let name: Vec<&str> = name.split_whitespace().collect();
        format!(
            "{}:{}:{}",
            self.kind.label(),
            self.country.as_deref().unwrap_or(""),
            name.join(" ")
        )
    }
}

/// Time spent in each stage (for benchmarks).
#[derive(Debug, Default, Clone, Copy)]
pub struct StageTimes {
    pub tokens: Duration,
    pub lexicon: Duration,
    pub tagger: Duration,
    pub candidates: Duration,
    pub resolve: Duration,
    pub events: Duration,
    pub affiliations: Duration,
}

impl StageTimes {
    pub fn add(&mut self, o: &StageTimes) {
        self.tokens += o.tokens;
        self.lexicon += o.lexicon;
        self.tagger += o.tagger;
        self.candidates += o.candidates;
        self.resolve += o.resolve;
        self.events += o.events;
        self.affiliations += o.affiliations;
    }
}

/// The extractor, holding its data (gazetteers, word lists, model). Build once and
/// share across threads.
#[derive(Debug)]
pub struct Extractor {
    lexicon: lexicon::Lexicon,
    model: Option<tagger::Tagger>,
}

impl Default for Extractor {
    fn default() -> Self {
        Extractor::new()
    }
}

const MODEL: &[u8] = include_bytes!("../../data/tagger.bin");

impl Extractor {
    /// The extractor with the data shipped in the crate.
    pub fn new() -> Extractor {
        Extractor {
            lexicon: lexicon::Lexicon::load(),
            model: tagger::Tagger::from_bytes(MODEL),
        }
    }

    /// The extractor with the shipped data and another tagger model (`None`: rules alone);
    /// for measuring a model before it is shipped (`examples/eval_ner.rs --model`).
    pub fn with_model(model: Option<tagger::Tagger>) -> Extractor {
        Extractor {
            lexicon: lexicon::Lexicon::load(),
            model,
        }
    }

    /// Whether the shipped tagger model loaded (else extraction runs on rules alone).
    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    /// Extracts from one document.
    pub fn extract(&self, input: &Input) -> Extraction {
        self.extract_timed(input, &mut StageTimes::default())
    }

    /// [`Extractor::extract`], adding the time of each stage to `times`.
    pub fn extract_timed(&self, input: &Input, times: &mut StageTimes) -> Extraction {
        let lx = &self.lexicon;
        let t0 = Instant::now();
        let mut toks = Vec::new();
        tokens::tokenize(input.text, input.skip, &mut toks);
        let mut sents = Vec::new();
        tokens::sentences(input.text, &mut toks, &mut sents);
        let t1 = Instant::now();
        times.tokens += t1 - t0;

        let mut lbuf = String::with_capacity(input.text.len());
        let mut lrng = Vec::with_capacity(toks.len());
        let mut tmp = String::new();
        let mut cap = Vec::with_capacity(toks.len());
        for t in &toks {
            let w = &input.text[t.start..t.end];
            lexicon::fold_into(w, &mut tmp);
            let a = lbuf.len() as u32;
            lbuf.push_str(&tmp);
            lrng.push((a, lbuf.len() as u32));
            cap.push(
                t.kind == tokens::TokKind::Word && w.chars().next().is_some_and(char::is_uppercase),
            );
        }
        let mut class = Vec::with_capacity(toks.len());
        let mut sclass = Vec::new();
        let mut lows: Vec<&str> = Vec::new();
        for s in &sents {
            lows.clear();
            lows.extend(
                lrng[s.first..s.last]
                    .iter()
                    .map(|&(a, b)| &lbuf[a as usize..b as usize]),
            );
            lx.annotate(&lows, &cap[s.first..s.last], &mut tmp, &mut sclass);
            class.extend_from_slice(&sclass);
        }
        // A sentence in capitals (a headline, a dateline) says nothing by its capitals: its
        // words count as capitalised when they usually are ("LEEDS" yes, "BEAT" no), by the
        // rest of the document or the common words, for the rules as for the tagger
        // (`tagger::usual_case`). The tagger also reads how the document writes each word.
        let mut shouting = vec![false; toks.len()];
        for s in &sents {
            let words = toks[s.first..s.last]
                .iter()
                .filter(|t| t.kind == tokens::TokKind::Word)
                .map(|t| &input.text[t.start..t.end]);
            if tagger::shouting(words) {
                shouting[s.first..s.last].fill(true);
            }
        }
        let mut feats: Vec<tagger::Feat> = toks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let (a, b) = lrng[i];
                tagger::Feat {
                    word: &input.text[t.start..t.end],
                    lower: &lbuf[a as usize..b as usize],
                    class: class[i],
                    initial: t.initial,
                    special: !matches!(
                        t.kind,
                        tokens::TokKind::Word | tokens::TokKind::Number | tokens::TokKind::Punct
                    ),
                    doc: 0,
                    prior: 0,
                    doc_tag: 0,
                }
            })
            .collect();
        if shouting.contains(&true) {
            tagger::doc_case(&mut feats, |i| !shouting[i] && !toks[i].skip);
            for (i, f) in feats.iter().enumerate() {
                if shouting[i] && cap[i] {
                    cap[i] = tagger::usually_capitalised(f.word, f.class, f.doc);
                }
            }
        }
        let t2 = Instant::now();
        times.lexicon += t2 - t1;

        let mut tags = vec![0u8; toks.len()];
        if let Some(model) = &self.model {
            let mut scratch = tagger::Scratch::default();
            let ranges: Vec<(usize, usize)> = sents
                .iter()
                .filter(|s| !toks[s.first].skip)
                .map(|s| (s.first, s.last))
                .collect();
            model.tag_document(&mut feats, &ranges, &mut scratch, &mut tags);
        }
        let t3 = Instant::now();
        times.tagger += t3 - t2;

        let doc = candidates::Doc {
            text: input.text,
            toks,
            sents,
            lbuf,
            lrng,
            class,
            cap,
            tags,
        };
        let cands = candidates::candidates(lx, &doc);
        let t4 = Instant::now();
        times.candidates += t4 - t3;

        let (entities, cand_entity) = resolve::resolve(lx, &doc, &cands, input.accounts);
        let t5 = Instant::now();
        times.resolve += t5 - t4;

        let events = events::events(
            lx,
            &doc,
            &cands,
            &cand_entity,
            &entities,
            input.date,
            input.accounts,
        );
        let t6 = Instant::now();
        times.events += t6 - t5;

        let affiliations = affiliations::affiliations(lx, &doc, &cands, &cand_entity, &entities);
        times.affiliations += t6.elapsed();

        let mentions = cands
            .iter()
            .zip(&cand_entity)
            .map(|(c, &e)| Mention {
                kind: entities[e].kind,
                text: doc.span_text(c.first, c.last).to_string(),
                start: doc.toks[c.first].cstart,
                end: doc.toks[c.last - 1].cend,
                entity: e,
            })
            .collect();
        Extraction {
            mentions,
            entities,
            events,
            affiliations,
        }
    }
}
