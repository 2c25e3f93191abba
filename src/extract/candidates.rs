//! Stage 4: candidate spans and their classification.
//!
//! The tagger proposes spans; rules built on the lexicon add what it cannot see and weigh
//! the evidence:
//! - a span is trimmed of determiners and titles ("the", "Mr.", "President"); a title before
//!   a name makes it a person, an organisation head noun or a legal form at its end an
//!   organisation;
//! - a demonym followed by a lowercase phrase ending in an organisation head noun is an
//!   organisation ("the Syrian civil defense", "the British foreign ministry"); a demonym with
//!   a word for government is that country's government ("Syrian regime forces");
//! - a direction before a place is a part of that place ("eastern Aleppo", "E. Aleppo");
//! - a capitalised gazetteer place after a locative preposition is a place even when the
//!   tagger missed it;
//! - a lone sentence-initial word is dropped unless the lexicon or the rest of the document
//!   says it is a name; months, weekdays, hashtags, handles and words in `not_entity` are
//!   never entities by themselves, nor is a bare demonym;
//! - the document's structure ([`super::context`]) settles kinds: a headline in capitals
//!   takes its names from the gazetteer and the rest of the document, a dateline gives a
//!   place, the names of a results or standings line and names next to team cues in a
//!   sports report are teams (organisations unless countries);
//! - words around a name ("shares of X", "X's chief executive") and the organisation list
//!   (`data/organisations.txt`) make it an organisation.

use super::EntityKind;
use super::lexicon::{Lexicon, class, fold};
use super::tokens::{Sentence, TokKind, Token};

/// A document after tokenising, lexicon annotation and tagging.
pub struct Doc<'a> {
    pub text: &'a str,
    pub toks: Vec<Token>,
    pub sents: Vec<Sentence>,
    /// Folded tokens, concatenated; `lrng[i]` is token i's byte range in `lbuf`.
    pub lbuf: String,
    pub lrng: Vec<(u32, u32)>,
    pub class: Vec<u32>,
    pub cap: Vec<bool>,
    pub tags: Vec<u8>,
}

impl Doc<'_> {
    pub fn lower(&self, i: usize) -> &str {
        let (a, b) = self.lrng[i];
        &self.lbuf[a as usize..b as usize]
    }
    pub fn word(&self, i: usize) -> &str {
        &self.text[self.toks[i].start..self.toks[i].end]
    }
    /// The text from token `a` to token `b` (exclusive).
    pub fn span_text(&self, a: usize, b: usize) -> &str {
        &self.text[self.toks[a].start..self.toks[b - 1].end]
    }
    fn is_word(&self, i: usize) -> bool {
        self.toks[i].kind == TokKind::Word && !self.toks[i].skip
    }
}

/// A classified mention before resolution.
#[derive(Debug, Clone)]
pub struct Cand {
    pub first: usize,
    pub last: usize,
    pub kind: EntityKind,
    /// How sure the classification is: 1 tagger, 2 tagger and lexicon agree or a rule, 3 a
    /// rule that names the kind outright (title, head noun, gazetteer country).
    pub strength: u8,
    /// The resolution key (folded, no article, hyphens as spaces, directions normalised).
    pub key: String,
    /// For a part of a place ("eastern Aleppo"): the key of the whole place.
    pub sub_of: Option<String>,
    /// For a government ("the Syrian regime"): its country code.
    pub gov: Option<String>,
    pub sent: usize,
}

/// Normalises a surface form into a resolution key.
pub fn key_of(lx: &Lexicon, s: &str) -> String {
    key_with(lx, s, true)
}

/// The gazetteer records of a name: by its key, else by its key with direction words as
/// written. The key writes "North" as "northern" (so "N. Aleppo" and "northern Aleppo" meet),
/// which would hide the gazetteer's "North Korea", "West Bank" or "South Sudan".
pub fn place_records<'a>(lx: &'a Lexicon, s: &str) -> &'a [u32] {
    place_records_keyed(lx, &key_of(lx, s), s)
}

/// [`place_records`] of `s` whose key is `key`.
fn place_records_keyed<'a>(lx: &'a Lexicon, key: &str, s: &str) -> &'a [u32] {
    let recs = lx.lookup_place(key);
    // (Every written direction has a key ending in "ern".)
    if recs.is_empty() && key.split(' ').any(|w| w.ends_with("ern")) {
        lx.lookup_place(&key_with(lx, s, false))
    } else if recs.is_empty() && key.contains('.') {
        // "U.S.", "U.K." as the gazetteer's "US", "UK".
        lx.lookup_place(&key.replace('.', ""))
    } else {
        recs
    }
}

fn key_with(lx: &Lexicon, s: &str, directions: bool) -> String {
    let f = fold(s);
    let mut out = String::with_capacity(f.len());
    for (n, w) in f
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        if n == 0 && (w == "the" || w == "a") {
            continue;
        }
        let w = w.trim_end_matches("'s").trim_end_matches('\'');
        let w = if directions && lx.word(w) & class::DIRECTION != 0 {
            canonical_direction(w)
        } else {
            w
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// "E.", "east", "East" -> "eastern" (so "E. Aleppo" and "eastern Aleppo" share a key).
fn canonical_direction(w: &str) -> &str {
    match w {
        "e." | "east" | "eastern" => "eastern",
        "w." | "west" | "western" => "western",
        "n." | "north" | "northern" => "northern",
        "s." | "south" | "southern" => "southern",
        "northeast" | "northeastern" => "northeastern",
        "northwest" | "northwestern" => "northwestern",
        "southeast" | "southeastern" => "southeastern",
        "southwest" | "southwestern" => "southwestern",
        other => other,
    }
}

/// A word that ends an organisation's name when capitalised.
const HEAD: u32 = class::ORG_HEAD | class::ORG_SUFFIX;

const LOCATIVE: &[&str] = &[
    "in", "at", "from", "to", "near", "across", "into", "outside", "inside", "around", "towards",
    "toward", "through", "of",
];

fn kind_of(ty: u8) -> Option<EntityKind> {
    match ty {
        0 => Some(EntityKind::Person),
        1 => Some(EntityKind::Organisation),
        2 => Some(EntityKind::Place),
        _ => None,
    }
}

/// Finds and classifies the mentions of one document.
pub fn candidates(lx: &Lexicon, doc: &Doc) -> Vec<Cand> {
    let mut out: Vec<Cand> = Vec::new();
    // Words seen capitalised in the middle of a sentence: a sentence-initial word that is
    // also one of these is a name, not just a capital.
    let ctx = super::context::context(lx, doc);
    let mut mid_caps: rustc_hash::FxHashSet<&str> = Default::default();
    for (si, s) in doc.sents.iter().enumerate() {
        // (Every word of a headline is a capital.)
        if ctx.shout[si] {
            continue;
        }
        for i in s.first..s.last {
            let t = &doc.toks[i];
            if doc.cap[i] && !t.initial && !t.skip && t.kind == TokKind::Word {
                mid_caps.insert(doc.lower(i));
            }
        }
    }
    // Token ranges that hold no entity (names of events and prizes, a sports header).
    let mut blocked: Vec<(usize, usize)> = Vec::new();
    // Names in brackets after players are countries when most of them are, else clubs.
    let (mut countries, mut bracketed) = (0, 0);
    for &(a, b) in ctx.bracketed.iter().flatten() {
        bracketed += 1;
        let text = doc.span_text(a, b);
        if is_country(lx, &key_of(lx, text), text) {
            countries += 1;
        }
    }
    let bracket_kind = if countries * 2 > bracketed {
        EntityKind::Place
    } else {
        EntityKind::Organisation
    };
    if let Some(h) = ctx.header {
        blocked.push(h);
    }
    // Indexes in `out` of the datelines' places.
    let mut datelines: Vec<usize> = Vec::new();

    // Per-sentence buffers, reused.
    let (mut covered, mut in_span) = (Vec::new(), Vec::new());
    let mut org_buf = String::new();
    for (si, s) in doc.sents.iter().enumerate() {
        if doc.toks[s.first].skip || ctx.heading[si] {
            blocked.push((s.first, s.last));
            continue;
        }
        covered.clear();
        covered.resize(s.last - s.first, false);
        // Rules first: they are the stronger evidence.
        let mut i = s.first;
        while i < s.last {
            if let Some(c) = demonym_org(lx, doc, i, s.last, si) {
                for x in &mut covered[c.first - s.first..c.last - s.first] {
                    *x = true;
                }
                i = c.last;
                out.push(c);
                continue;
            }
            i += 1;
        }
        let mut spans: Vec<(usize, usize, Option<EntityKind>)> =
            super::tagger::spans(&doc.tags[s.first..s.last])
                .into_iter()
                .map(|(a, b, t)| (a + s.first, b + s.first, kind_of(t)))
                .collect();
        // Spans whose kind the document's structure settles: a dateline's place, the teams
        // of a results line.
        let mut forced: Vec<(usize, usize, EntityKind)> = Vec::new();
        if let Some((a, b)) = ctx.dateline[si] {
            forced.push((a, b, EntityKind::Place));
        } else if ctx.shout[si] {
            // A headline: the tagger cannot read capitals. Its places come from the
            // gazetteer (a word that is also common English, "READING", is not taken); its
            // other names from the rest of the document (`propagate`).
            spans.clear();
            let mut i = s.first;
            while i < s.last {
                let c = doc.class[i];
                // A given name and a surname, an initial or a word no list knows
                // ("ELIZABETH B. PRELOGAR").
                let namey = |k: usize| {
                    let ck = doc.class[k];
                    doc.is_word(k)
                        && ck & (class::COMMON | class::NOT_ENTITY | class::MONTH) == 0
                        && (ck & class::SURNAME != 0
                            || ck & !class::GIVEN == 0
                            || doc.word(k).len() == 2 && doc.word(k).ends_with('.'))
                };
                // ("WEST BANK" is a place, though "West" is a given name.)
                if doc.is_word(i)
                    && c & class::GIVEN != 0
                    && c & (class::COMMON | class::NOT_ENTITY | class::PLACE_B) == 0
                    && i + 1 < s.last
                    && namey(i + 1)
                {
                    let mut j = i + 1;
                    while j < s.last && j < i + 4 && namey(j) {
                        j += 1;
                    }
                    spans.push((i, j, Some(EntityKind::Person)));
                    i = j;
                    continue;
                }
                // ("NORTHERN" is a region's name somewhere, but in "IN NORTHERN NIGERIA" a
                // direction.)
                let place = (c & (class::COUNTRY | class::REGION | class::PLACE_B) != 0
                    || c & class::CITY != 0 && c & class::COMMON == 0)
                    && (c & class::DIRECTION == 0 || c & class::PLACE_B != 0);
                if !doc.is_word(i) || !place || c & class::NOT_ENTITY != 0 {
                    i += 1;
                    continue;
                }
                let mut j = i + 1;
                if c & class::PLACE_B != 0 {
                    while j < s.last && doc.class[j] & class::PLACE_I != 0 {
                        j += 1;
                    }
                }
                spans.push((i, j, Some(EntityKind::Place)));
                i = j;
            }
        }
        for &(a, b) in &ctx.score_runs[si] {
            forced.push((a, b, EntityKind::Organisation));
        }
        for &(a, b) in &ctx.players[si] {
            forced.push((a, b, EntityKind::Person));
        }
        for &(a, b) in &ctx.venues[si] {
            forced.push((a, b, EntityKind::Place));
        }
        for &(a, b) in &ctx.bracketed[si] {
            forced.push((a, b, bracket_kind));
        }
        for &(a, b, k) in &forced {
            spans.retain(|&(x, y, _)| y <= a || x >= b);
            spans.push((a, b, Some(k)));
        }
        // Gazetteer places the tagger missed, after a locative preposition.
        for i in s.first..s.last {
            if !doc.cap[i] || !doc.is_word(i) || spans.iter().any(|&(a, b, _)| a <= i && i < b) {
                continue;
            }
            let prev = if i > s.first { doc.lower(i - 1) } else { "" };
            let c = doc.class[i];
            let place = c & (class::COUNTRY | class::REGION | class::CITY | class::PLACE_B) != 0;
            if place && LOCATIVE.contains(&prev) && c & (class::GIVEN | class::NOT_ENTITY) == 0 {
                let mut j = i + 1;
                while j < s.last && doc.class[j] & class::PLACE_I != 0 {
                    j += 1;
                }
                spans.push((i, j, Some(EntityKind::Place)));
            }
        }
        // Names in the organisation lists the tagger missed ("Interpol", "Arab League", a
        // listed company; in a headline too: "NATO", "ARAB LEAGUE"; in a sports report a
        // club's short form: "Leeds", "Arsenal").
        let mut i = s.first;
        while i < s.last {
            if !doc.cap[i] || !doc.is_word(i) || spans.iter().any(|&(a, b, _)| a <= i && i < b) {
                i += 1;
                continue;
            }
            let e = org_name_at(lx, doc, i, s.last, ctx.sports, &mut org_buf);
            // (At the start of a sentence a common word's capital says nothing; the lists
            // hold no common words alone, but a sports-only form may be one: "Wolves".)
            // In a sports report a club's form may open a sentence ("Wolves have signed").
            let initial_word =
                doc.toks[i].initial && doc.class[i] & class::COMMON != 0 && !ctx.sports;
            if e > i && !(e == i + 1 && initial_word) {
                spans.retain(|&(x, y, _)| y <= i || x >= e);
                spans.push((i, e, Some(EntityKind::Organisation)));
                i = e;
            } else {
                i += 1;
            }
        }
        // Capitalised runs ending in an organisation head noun ("World Health Organization")
        // and an acronym in brackets after a name ("(WHO)"); not in a headline.
        let mut i = if ctx.shout[si] { s.last } else { s.first };
        while i < s.last {
            // ("New" is a common word but starts "New York City Health and Hospitals
            // Corporation".)
            let closed =
                doc.class[i] & class::NOT_ENTITY != 0 && doc.class[i] & class::PLACE_B == 0;
            if !doc.cap[i] || !doc.is_word(i) || closed {
                i += 1;
                continue;
            }
            let mut j = i;
            let mut end = None;
            // ("Hadleigh & Stroud Plc": "&" is a punctuation token between two capitals.)
            while j < s.last
                && (doc.is_word(j)
                    || j > i
                        && doc.word(j) == "&"
                        && j + 1 < s.last
                        && doc.is_word(j + 1)
                        && doc.cap[j + 1])
                && (doc.cap[j] || connector(doc.lower(j)))
            {
                // "NATO and the European Union": "and the" (or "and" after an acronym) joins
                // two names, not the words of one.
                // Nor does "and" after a head noun: "the British Library and Columbia
                // University" are two.
                if doc.lower(j) == "and"
                    && j > i
                    && (j + 1 < s.last && doc.lower(j + 1) == "the"
                        || doc.word(j - 1).chars().filter(|c| c.is_uppercase()).count() >= 2
                        || end == Some(j))
                {
                    break;
                }
                // ("United" in "the United States" starts a place, it ends no name.)
                let starts_place = doc.class[j] & class::PLACE_B != 0
                    && j + 1 < s.last
                    && doc.class[j + 1] & class::PLACE_I != 0;
                if doc.class[j] & (HEAD | class::LEGAL) != 0
                    && j > i
                    && (doc.cap[j] || doc.class[j] & class::LEGAL != 0)
                    && !starts_place
                {
                    end = Some(j + 1);
                }
                j += 1;
            }
            // "Court of Appeals", "Bank of England": the name goes on after "of".
            if let Some(e) = end
                && e + 1 < j
                && doc.lower(e) == "of"
            {
                let mut k = j;
                while k > e && !doc.cap[k - 1] {
                    k -= 1;
                }
                if k > e + 1 {
                    end = Some(k);
                }
            }
            if let Some(e) = end {
                // "Jane Roe of the Daily Herald": a person's name before "of" and no head noun
                // there; the organisation starts after "of (the)".
                // So with a title or a common word first: "Finance Minister Theo Waigel of
                // the Christian Social Union", "Results of National Hockey League".
                let mut a = i;
                let lead = doc.class[i] & (class::GIVEN | class::TITLE) != 0
                    || doc.class[i] & class::COMMON != 0 && doc.class[i] & HEAD == 0;
                if lead
                    && let Some(o) = (i + 1..e).find(|&k| doc.lower(k) == "of")
                    && (i..o).all(|k| doc.class[k] & (HEAD | class::LEGAL) == 0)
                {
                    a = o + 1;
                    if a < e && doc.lower(a) == "the" {
                        a += 1;
                    }
                }
                if a < e {
                    spans.retain(|&(x, y, _)| y <= a || x >= e);
                    spans.push((a, e, Some(EntityKind::Organisation)));
                }
            }
            i = j.max(i + 1);
        }
        // In a sports report a club's suffix joins the name before it, whether the tagger
        // found that name or not ("lost to Zorvak Town"; "Mexico City" stays a place).
        if ctx.sports {
            let club = |a: usize, b: usize| {
                b < s.last
                    && doc.cap[b]
                    && doc.class[b] & class::TEAM_SUFFIX != 0
                    && place_records(lx, doc.span_text(a, b + 1)).is_empty()
            };
            for sp in spans.iter_mut() {
                if club(sp.0, sp.1) {
                    *sp = (sp.0, sp.1 + 1, Some(EntityKind::Organisation));
                } else if sp.1 - sp.0 >= 2 && club(sp.0, sp.1 - 1) {
                    sp.2 = Some(EntityKind::Organisation);
                }
            }
        }
        // Titles and appositions: "President Xi Jinping" is a person, and so is "Jane Roe, the
        // president of X"; "OpenAI, the San Francisco company" is an organisation.
        in_span.clear();
        in_span.resize(s.last - s.first, false);
        for &(a, b, _) in &spans {
            for x in &mut in_span[a - s.first..b - s.first] {
                *x = true;
            }
        }
        let mut i = if ctx.shout[si] { s.last } else { s.first };
        while i < s.last {
            if !doc.cap[i]
                || !doc.is_word(i)
                || doc.class[i] & (class::NOT_ENTITY | class::TITLE | class::DEMONYM) != 0
                || in_span[i - s.first]
            {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < s.last
                && j < i + 4
                && doc.is_word(j)
                && doc.cap[j]
                && doc.class[j] & (class::NOT_ENTITY | class::TITLE | class::MONTH | class::WEEKDAY)
                    == 0
                && !in_span[j - s.first]
            {
                j += 1;
            }
            if j == i {
                i += 1;
                continue;
            }
            let titled = i > s.first && {
                let p = doc.class[i - 1];
                p & class::TITLE != 0 && p & class::ORG_HEAD == 0
            };
            let kind = if titled {
                Some(EntityKind::Person)
            } else if ctx.sports
                && j - i >= 2
                && doc.class[j - 1] & class::TEAM_SUFFIX != 0
                && place_records(lx, doc.span_text(i, j)).is_empty()
            {
                // "Zorvak Town" in a sports report, though the tagger did not see a name.
                Some(EntityKind::Organisation)
            } else if role_before_name(lx, doc, i, j, s.last) {
                // "Kremlin spokesman Dmitry Peskov", "United manager Erik ten Hag".
                Some(EntityKind::Organisation)
            } else {
                apposition(doc, j, s.last)
            };
            if let Some(k) = kind {
                spans.push((i, j, Some(k)));
            }
            i = j;
        }
        // "Nippon Telegraph and Telephone ( NTT )", "Organisation for Security and
        // Cooperation in Europe ( OSCE )": the capitalised words whose initials the acronym
        // in brackets spells are one organisation's name, whatever the tagger cut.
        for i in s.first + 2..s.last.saturating_sub(1) {
            if doc.lower(i - 1) == "(" && doc.lower(i + 1) == ")" && doc.is_word(i) {
                let letters: Vec<char> =
                    doc.word(i).chars().filter(|c| c.is_alphabetic()).collect();
                if letters.len() >= 3
                    && letters.iter().all(|c| c.is_uppercase())
                    && let Some(a) = acronym_source(doc, s.first, i - 1, &letters)
                    // ("United Arab Emirates ( UAE )" is a place.)
                    && place_records(lx, doc.span_text(a, i - 1)).is_empty()
                {
                    spans.retain(|&(x, y, _)| y <= a || x >= i - 1);
                    spans.push((a, i - 1, Some(EntityKind::Organisation)));
                    // (Taken whole: "in" may stand inside it.)
                    forced.push((a, i - 1, EntityKind::Organisation));
                }
            }
        }
        for i in s.first + 1..s.last.saturating_sub(1) {
            if doc.lower(i - 1) == "("
                && doc.lower(i + 1) == ")"
                && doc.is_word(i)
                && doc.word(i).chars().filter(|c| c.is_uppercase()).count() >= 2
                && !spans.iter().any(|&(a, b, _)| a <= i && i < b)
                && let Some(&(_, _, k)) = spans.iter().find(|&&(_, b, _)| b + 1 == i)
            {
                spans.push((i, i + 1, k));
            }
        }
        // Names of events and prizes ("U.S. Open", "Davis Cup", "Nobel Prize"): a
        // capitalised run ending in a `misc_suffix` word is neither a place nor a person,
        // nor are its words found again by `propagate`.
        if let Some((a, b)) = ctx.header
            && a >= s.first
            && b <= s.last
        {
            spans.retain(|&(x, y, _)| y <= a || x >= b);
        }
        if let Some(misc) = lx.sections.get("misc_suffix") {
            for j in s.first + 1..s.last {
                let raw_cap = doc.word(j).chars().next().is_some_and(char::is_uppercase);
                let next_cap = j + 1 < s.last && doc.is_word(j + 1) && doc.cap[j + 1];
                if !raw_cap || next_cap || !doc.is_word(j) || !misc.contains(doc.lower(j)) {
                    continue;
                }
                let mut a = j;
                while a > s.first && doc.is_word(a - 1) && doc.cap[a - 1] {
                    a -= 1;
                }
                // (A listed company keeps its name: "Epic Games".)
                let listed = lx
                    .orgs
                    .contains(&super::lexicon::org_key((a..=j).map(|i| doc.lower(i))));
                if a < j && !listed {
                    spans.retain(|&(x, y, _)| y <= a || x > j);
                    blocked.push((a, j + 1));
                }
            }
        }
        spans.sort_by_key(|s| s.0);
        // The spans the structure settles are taken as they are ("ZELL AM SEE" though "am"
        // is a common word).
        let spans = if forced.is_empty() {
            repair(lx, doc, s.first, s.last, spans)
        } else {
            let (kept, spans): (Vec<_>, Vec<_>) = spans
                .into_iter()
                .partition(|&(a, b, _)| forced.iter().any(|&(x, y, _)| x == a && y == b));
            let mut spans = repair(lx, doc, s.first, s.last, spans);
            spans.retain(|&(a, b, _)| !kept.iter().any(|&(x, y, _)| x < b && a < y));
            spans.extend(kept);
            spans.sort_by_key(|s| s.0);
            spans
        };
        for (a, b, kind) in spans {
            if covered[a - s.first..b - s.first].iter().any(|x| *x) {
                continue;
            }
            let structural = forced.iter().find(|&&(x, y, _)| x <= a && b <= y);
            // (A team at the start of a results line is a name whoever knows it: "Arsenal
            // 2 Leeds 1".)
            if let Some(mut c) = classify(
                lx,
                doc,
                a,
                b,
                kind,
                si,
                structural.is_none().then_some(&mid_caps),
            ) {
                if let Some(&(_, _, k)) = structural {
                    force(lx, doc, &mut c, k);
                    if k == EntityKind::Place {
                        datelines.push(out.len());
                    }
                }
                out.push(c);
            }
        }
    }
    // A person's surname alone is that person, even where a table's structure took it for a
    // team ("3. Zulle 1:02" after "Alex Zulle").
    let surnames: Vec<&str> = out
        .iter()
        .filter(|c| {
            c.kind == EntityKind::Person
                && c.last - c.first >= 2
                && doc.class[c.first] & class::GIVEN != 0
        })
        .map(|c| doc.lower(c.last - 1))
        .collect();
    if !surnames.is_empty() {
        for c in out.iter_mut() {
            if c.kind == EntityKind::Organisation
                && c.last - c.first == 1
                && doc.class[c.first] & (HEAD | class::LEGAL | class::TEAM_SUFFIX) == 0
                && surnames.contains(&doc.lower(c.first))
                // (A listed firm or club keeps its kind: "Williams" after "Frank Williams".)
                && !lx.orgs.contains(&c.key)
                && !lx.team_forms.contains(&c.key)
            {
                c.kind = EntityKind::Person;
            }
        }
    }
    // Evidence from the words around a name: "shares of X", "X's chief executive"; in a
    // sports report "beat X", "X drew", "X striker".
    // (A tagger's organisation is weighed too: a cue makes its kind as sure as a rule's, so a
    // dateline or headline naming the town does not outvote the club.)
    for c in out.iter_mut() {
        if c.gov.is_some()
            || c.sub_of.is_some()
            || c.kind == EntityKind::Organisation && c.strength >= 3
        {
            continue;
        }
        let s = &doc.sents[c.sent];
        // "Leicester City", "Ipswich Town" in a sports report ("Mexico City" is a place).
        let suffix = ctx.sports
            && c.last - c.first >= 2
            && doc.cap[c.last - 1]
            && doc.class[c.last - 1] & class::TEAM_SUFFIX != 0
            && place_records(lx, doc.span_text(c.first, c.last)).is_empty();
        if suffix {
            c.kind = EntityKind::Organisation;
            c.strength = 3;
            continue;
        }
        // A club's short form in a sports report ("Arsenal", "Leeds"; not "in Leeds", nor a
        // dateline's town).
        if ctx.sports
            && !(c.kind == EntityKind::Place && c.strength >= 3)
            && !(c.first > 0
                && matches!(
                    doc.lower(c.first - 1),
                    "in" | "at" | "near" | "outside" | "around"
                ))
            && (lx.team_forms.contains(&c.key) || lx.orgs.contains(&c.key))
            && !is_country(lx, &c.key, doc.span_text(c.first, c.last))
        {
            c.kind = EntityKind::Organisation;
            c.strength = 3;
            continue;
        }
        // A person's full name stays a person; a single word the tagger took for a person
        // may be a firm or a club ("Barclays", "Blackburn").
        let person = c.kind == EntityKind::Person
            && (c.last - c.first > 1 || doc.class[c.first] & class::GIVEN != 0);
        // ("South African batsman": a demonym is not a team.)
        if person
            || is_country(lx, &c.key, doc.span_text(c.first, c.last))
            || doc.class[c.last - 1] & class::DEMONYM != 0
        {
            continue;
        }
        let team = ctx.sports
            && (c.kind != EntityKind::Person
                || !place_records(lx, doc.span_text(c.first, c.last)).is_empty())
            && super::context::team_cue(lx, doc, s, c.first, c.last);
        if team || super::context::org_cue(lx, doc, s, c.first, c.last) {
            c.kind = EntityKind::Organisation;
            c.strength = 3;
        }
    }
    // A line read as a dateline whose "place" is a listed organisation the gazetteer does
    // not know is a line of a price table or standings ("BASF 41.60 ( up 0.45 )").
    datelines.retain(|&d| {
        let c = &mut out[d];
        let text = doc.span_text(c.first, c.last);
        let listed = lx.orgs.contains(&super::lexicon::org_key(
            (c.first..c.last).map(|i| doc.lower(i)),
        ));
        if listed && place_records(lx, text).is_empty() {
            c.kind = EntityKind::Organisation;
            return false;
        }
        true
    });
    // A venue in a sports report ("won 30-6 at Batley", "in Alicante") is the town even
    // when its club plays in the report.
    if ctx.sports {
        for (i, c) in out.iter().enumerate() {
            if c.kind == EntityKind::Place
                && c.first > doc.sents[c.sent].first
                && matches!(doc.word(c.first - 1), "at" | "in")
                && !datelines.contains(&i)
            {
                datelines.push(i);
            }
        }
    }
    // A sports report filed from a town whose club plays in it: the dateline (or a venue)
    // names the town, the rest of the report the club. They are two entities, so the
    // dateline does not join the team's key (nor take its kind).
    for d in datelines {
        let key = &out[d].key;
        if out
            .iter()
            .any(|o| o.kind == EntityKind::Organisation && o.strength >= 3 && o.key == *key)
        {
            out[d].key.push_str(" (dateline)");
        }
    }
    propagate(lx, doc, &ctx.shout, &blocked, &mut out);
    // A single word no name list knows, taken for a person, that the document puts "in" (not
    // "in X's"): a place the gazetteer does not know ("in Coron"), everywhere in the document.
    let mut located: Vec<String> = Vec::new();
    let unnamed = |c: &Cand| {
        c.kind == EntityKind::Person
            && c.last - c.first == 1
            && doc.class[c.first] & (class::GIVEN | class::SURNAME | class::TITLE) == 0
    };
    for c in &out {
        if (unnamed(c) || c.kind == EntityKind::Place && c.last - c.first == 1)
            && c.first > 0
            && matches!(
                doc.lower(c.first - 1),
                "in" | "near" | "outside" | "throughout"
            )
            && (c.last >= doc.toks.len() || doc.lower(c.last) != "'s")
            && !located.contains(&c.key)
        {
            located.push(c.key.clone());
        }
    }
    for c in out.iter_mut() {
        if unnamed(c) && located.contains(&c.key) {
            c.kind = EntityKind::Place;
            c.strength = 2;
        }
    }
    // Parts of places: a direction word before a place mention.
    let mut subs = Vec::new();
    for c in &out {
        if c.kind != EntityKind::Place || c.first == 0 || c.sub_of.is_some() {
            continue;
        }
        let d = c.first - 1;
        if doc.toks[d].skip || doc.lower(d).is_empty() {
            continue;
        }
        let mut dir = doc.lower(d);
        // "rebel-held eastern Aleppo": the direction may be the last part of a hyphenated word.
        if let Some(p) = dir.rsplit('-').next() {
            dir = p;
        }
        if lx.word(dir) & class::DIRECTION != 0 && doc.lower(d) == dir {
            // "North Korea", "South Africa": a whole place name, not a part.
            let whole = format!("{dir} {}", c.key);
            if !lx.lookup_place(&whole).is_empty() {
                continue;
            }
            // "northern Iraq", "southern France": the name is the country's or the region's
            // (as annotated corpora write it); a part is kept for a town ("eastern Aleppo").
            let region = place_records(lx, doc.span_text(c.first, c.last))
                .first()
                .is_some_and(|p| lx.place(*p).kind != super::lexicon::PlaceKind::City);
            if region && !doc.cap[d] {
                continue;
            }
            subs.push((d, c.key.clone()));
        }
    }
    for (d, base) in subs {
        if let Some(c) = out.iter_mut().find(|c| c.first == d + 1) {
            c.first = d;
            c.key = key_of(lx, doc.span_text(d, c.last));
            c.sub_of = Some(base);
            c.strength = c.strength.max(2);
        }
    }
    out.sort_by_key(|c| c.first);
    out
}

/// The first word of a folded token as the organisation lists' keys write it
/// ([`super::lexicon::org_key`]: "afl" of "afl-cio", "u.s" of "u.s.").
fn org_start(w: &str) -> &str {
    let first = w.split('-').next().unwrap_or("");
    first.strip_suffix('.').unwrap_or(first)
}

/// The end of the longest name of the organisation lists starting at token `i`, or `i`;
/// in a sports report (`sports`) a club's short form counts too, unless the text puts it
/// "in" ("in Leeds" is the town). Hyphenated tokens count as their parts, as in the list's
/// keys. Legal forms after the name are part of it ("Barclays PLC").
/// `key` is scratch space.
fn org_name_at(
    lx: &Lexicon,
    doc: &Doc,
    i: usize,
    end: usize,
    sports: bool,
    key: &mut String,
) -> usize {
    if !lx.org_starts.contains(org_start(doc.lower(i))) {
        return i;
    }
    let located = i > 0
        && matches!(
            doc.lower(i - 1),
            "in" | "at" | "near" | "outside" | "around"
        );
    let mut best = i;
    key.clear();
    for j in i..end.min(i + lx.max_org_words) {
        if !doc.is_word(j) {
            break;
        }
        super::lexicon::push_org_key(key, doc.lower(j));
        // (A name ends in a capital or a legal form: "Shell plc".)
        if (doc.cap[j] || j > i && doc.class[j] & class::LEGAL != 0)
            && (lx.orgs.contains(key.as_str())
                || sports && !located && lx.team_forms.contains(key.as_str()))
        {
            best = j + 1;
        }
        if !lx.org_prefixes.contains(key.as_str()) {
            break;
        }
    }
    while best > i && best < end && doc.cap[best] && doc.class[best] & class::LEGAL != 0 {
        best += 1;
    }
    // A listed name followed by another capitalised word is part of a longer name, often a
    // product's ("Adobe Acrobat", "Bayer Leverkusen"); one owned ("your PayPal account", "a
    // Saab") is a product too.
    let longer = best > i && best < end && doc.cap[best] && doc.is_word(best);
    let owned = best == i + 1
        && i > 0
        && matches!(
            doc.lower(i - 1),
            "a" | "an" | "my" | "your" | "his" | "her" | "our" | "their" | "its"
        );
    if longer || owned {
        return i;
    }
    best
}

/// The start of the capitalised words ending at `end` (exclusive) whose initials spell
/// `letters`, small connecting words between them ("Organisation for Security and
/// Cooperation in Europe" for OSCE), if any.
fn acronym_source(doc: &Doc, first: usize, end: usize, letters: &[char]) -> Option<usize> {
    let mut need = letters.len();
    let mut j = end;
    while j > first && need > 0 && end - j < 12 {
        let k = j - 1;
        if !doc.is_word(k) {
            return None;
        }
        if doc.cap[k] {
            let initial = doc.word(k).chars().next()?;
            if initial.to_uppercase().next() != Some(letters[need - 1]) {
                return None;
            }
            need -= 1;
        } else if !matches!(
            doc.lower(k),
            "of" | "for" | "and" | "the" | "in" | "on" | "de" | "&"
        ) {
            return None;
        }
        j = k;
    }
    (need == 0 && doc.cap[j]).then_some(j)
}

/// Whether a key names a country (by the gazetteer's best record) or a nation that fields
/// its own national teams though the gazetteer has it as a region (`nation` in
/// `data/lexicon.txt`: "England", "Scotland"): a team by that name is a national team,
/// written as the place.
fn is_country(lx: &Lexicon, key: &str, text: &str) -> bool {
    place_records_keyed(lx, key, text)
        .first()
        .is_some_and(|p| lx.place(*p).kind == super::lexicon::PlaceKind::Country)
        || is_nation(lx, key)
}

fn is_nation(lx: &Lexicon, key: &str) -> bool {
    lx.sections.get("nation").is_some_and(|n| n.contains(key))
}

/// Sets the kind the document's structure gives a candidate: a dateline's place; a team of a
/// results line, which is an organisation unless it is a country (a national team is written
/// as its country) or a person's full name (golf and tennis tables list players).
fn force(lx: &Lexicon, doc: &Doc, c: &mut Cand, k: EntityKind) {
    match k {
        EntityKind::Organisation => {
            let person = c.kind == EntityKind::Person
                && c.last - c.first > 1
                && doc.class[c.first] & class::GIVEN != 0;
            if person {
                return;
            }
            if is_country(lx, &c.key, doc.span_text(c.first, c.last)) {
                c.kind = EntityKind::Place;
            } else {
                c.kind = EntityKind::Organisation;
            }
        }
        k => c.kind = k,
    }
    c.strength = 3;
}

/// Tokens `i..j` are followed by a role word and a capitalised name ("Kremlin spokesman
/// Dmitry Peskov"), which makes them the organisation the person works for. Places are left
/// out ("French President Emmanuel Macron" has a demonym, "US President" a country).
fn role_before_name(lx: &Lexicon, doc: &Doc, i: usize, j: usize, end: usize) -> bool {
    j + 1 < end
        && doc.class[j] & class::ROLE != 0
        && doc.is_word(j + 1)
        && doc.cap[j + 1]
        && doc.class[j + 1] & (class::ROLE | class::TITLE | class::NOT_ENTITY) == 0
        // ("Interior Minister X", "Economy Minister X": a portfolio, not a name.)
        && !(i..j).all(|k| doc.class[k] & class::COMMON != 0)
        && !(j == i + 1 && portfolio(lx, doc.lower(i)))
        && (i..j).all(|k| {
            doc.class[k]
                & (class::COUNTRY
                    | class::REGION
                    | class::CITY
                    | class::PLACE_B
                    | class::DEMONYM
                    | class::TITLE)
                == 0
        })
}

/// A government's portfolio ("Interior", "Foreign": `portfolio` in `data/lexicon.txt`).
fn portfolio(lx: &Lexicon, w: &str) -> bool {
    lx.sections.get("portfolio").is_some_and(|p| p.contains(w))
}

/// ", the president of", ", a spokeswoman for", ", the San Francisco company": the kind an
/// apposition after token `j` gives the name before it.
fn apposition(doc: &Doc, j: usize, end: usize) -> Option<EntityKind> {
    if j + 2 >= end || doc.lower(j) != "," || !matches!(doc.lower(j + 1), "a" | "an" | "the") {
        return None;
    }
    for k in j + 2..(j + 7).min(end) {
        let c = doc.class[k];
        if !doc.is_word(k) {
            return None;
        }
        if !doc.cap[k] && c & class::ORG_HEAD != 0 {
            return Some(EntityKind::Organisation);
        }
        if !doc.cap[k] && c & (class::ROLE | class::TITLE) != 0 {
            return Some(EntityKind::Person);
        }
    }
    None
}

/// Lowercase words that may stand inside a name ("Food and Drug Administration",
/// "Ursula von der Leyen", "Erik ten Hag").
fn connector(w: &str) -> bool {
    matches!(
        w,
        "of" | "and"
            | "&"
            | "the"
            | "for"
            | "de"
            | "du"
            | "des"
            | "da"
            | "das"
            | "dos"
            | "di"
            | "del"
            | "della"
            | "la"
            | "le"
            | "von"
            | "van"
            | "der"
            | "den"
            | "ten"
            | "ter"
            | "al"
            | "el"
            | "bin"
            | "ibn"
            | "abu"
    )
}

/// Name particles that join two parts of a person's name.
pub(crate) fn particle(w: &str) -> bool {
    matches!(
        w,
        "de" | "du"
            | "da"
            | "das"
            | "dos"
            | "di"
            | "del"
            | "della"
            | "la"
            | "le"
            | "von"
            | "van"
            | "der"
            | "den"
            | "ten"
            | "ter"
            | "al"
            | "el"
            | "bin"
            | "ibn"
            | "abu"
    )
}

/// Repairs tagger spans with the evidence of capitals and particles:
/// - a span is split at a lowercase word that cannot stand inside a name ("Liverpool beat
///   Manchester United" is two names);
/// - a person's name runs on through particles and capitalised words ("Ursula von der
///   Leyen", "Erik ten Hag") and takes in a capitalised word just before it that is a given
///   name or a word the lexicon does not know ("Satya Nadella");
/// - spans of the same kind that touch are one span.
fn repair(
    lx: &Lexicon,
    doc: &Doc,
    first: usize,
    last: usize,
    spans: Vec<(usize, usize, Option<EntityKind>)>,
) -> Vec<(usize, usize, Option<EntityKind>)> {
    let mut out: Vec<(usize, usize, Option<EntityKind>)> = Vec::new();
    for (a, b, k) in spans {
        let mut start = a;
        for i in a..b {
            let w = doc.lower(i);
            if doc.toks[i].kind == TokKind::Word && !doc.cap[i] && !connector(w) && i > start {
                if i > start {
                    out.push((start, i, k));
                }
                start = i + 1;
            }
        }
        if start < b {
            out.push((start, b, k));
        }
    }
    let name_word = |i: usize| -> bool {
        doc.is_word(i)
            && doc.cap[i]
            && doc.class[i]
                & (class::NOT_ENTITY
                    | class::TITLE
                    | class::DEMONYM
                    | class::MONTH
                    | class::WEEKDAY
                    | class::ROLE
                    | class::ORG_HEAD)
                == 0
    };
    for sp in out.iter_mut() {
        if sp.2 != Some(EntityKind::Person) {
            continue;
        }
        // Run on through particles and capitals.
        loop {
            let mut j = sp.1;
            while j < last && particle(doc.lower(j)) && !doc.cap[j] {
                j += 1;
            }
            // A common word in capitals ends the name ("John Smith Direct Dial"), unless a
            // name list knows it too ("Rose", "Young").
            let common = doc.class.get(j).is_some_and(|&c| {
                c & class::COMMON != 0 && c & (class::GIVEN | class::SURNAME) == 0
            });
            if j < last && name_word(j) && !common && (j > sp.1 || doc.class[j] & class::SAID == 0)
            {
                sp.1 = j + 1;
            } else {
                break;
            }
        }
        // Take in a given name (or an unknown capitalised word) just before.
        while sp.0 > first {
            let i = sp.0 - 1;
            let c = doc.class[i];
            let known = c & !(class::GIVEN | class::SURNAME) != 0;
            if name_word(i) && (c & class::GIVEN != 0 || !known) {
                sp.0 = i;
            } else {
                break;
            }
        }
    }
    // Merge touching spans of one kind, drop spans inside others.
    out.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
    let mut merged: Vec<(usize, usize, Option<EntityKind>)> = Vec::new();
    for sp in out {
        if let Some(prev) = merged.last_mut() {
            if sp.0 < prev.1 {
                prev.1 = prev.1.max(sp.1);
                continue;
            }
            if sp.0 == prev.1 && sp.2 == prev.2 && sp.2 == Some(EntityKind::Person) {
                prev.1 = sp.1;
                continue;
            }
        }
        merged.push(sp);
    }
    let _ = lx;
    merged
}

/// One sense per document: a name found once is a name wherever else it is written with a
/// capital, and a person's surname alone ("Salah" after "Mohamed Salah") is that person.
fn propagate(
    lx: &Lexicon,
    doc: &Doc,
    shout: &[bool],
    blocked: &[(usize, usize)],
    out: &mut Vec<Cand>,
) {
    let n = doc.toks.len();
    let mut covered = vec![false; n];
    for &(a, b) in blocked {
        covered[a..b].fill(true);
    }
    // A headline's own names (gazetteer places, given names) give way to a longer name of
    // the body: "BANK OF SPAIN" is the body's "Bank of Spain", not "SPAIN".
    let mut headline = vec![false; n];
    for c in out.iter() {
        let cover = if shout[c.sent] {
            &mut headline
        } else {
            &mut covered
        };
        for x in &mut cover[c.first..c.last] {
            *x = true;
        }
    }
    let mut replaced: Vec<(usize, usize)> = Vec::new();
    // First folded word -> (folded words, kind, key).
    type Form<'a> = (Vec<&'a str>, EntityKind, String);
    let mut forms: rustc_hash::FxHashMap<&str, Vec<Form>> = Default::default();
    for c in out.iter() {
        if c.gov.is_some() || !doc.cap[c.first] || c.key.ends_with(" (dateline)") {
            continue;
        }
        let words: Vec<&str> = (c.first..c.last).map(|i| doc.lower(i)).collect();
        // "Northern Foods" of "Northern Foods Plc" (in "NORTHERN FOODS AGREES TO BUY").
        if c.kind == EntityKind::Organisation
            && words.len() >= 3
            && doc.class[c.last - 1] & class::LEGAL != 0
        {
            let short = words[..words.len() - 1].to_vec();
            forms
                .entry(words[0])
                .or_default()
                .push((short, c.kind, c.key.clone()));
        }
        forms
            .entry(words[0])
            .or_default()
            .push((words, c.kind, c.key.clone()));
        let last = c.last - 1;
        let bad = class::NOT_ENTITY | class::TITLE | class::DEMONYM | class::ORG_HEAD;
        if c.kind == EntityKind::Person && c.last - c.first >= 2 && doc.class[last] & bad == 0 {
            let w = doc.lower(last);
            forms.entry(w).or_default().push((
                vec![w],
                EntityKind::Person,
                key_of(lx, doc.word(last)),
            ));
        }
    }
    if forms.is_empty() {
        return;
    }
    for (si, s) in doc.sents.iter().enumerate() {
        if doc.toks[s.first].skip {
            continue;
        }
        let mut i = s.first;
        while i < s.last {
            if covered[i] || !doc.cap[i] || !doc.is_word(i) {
                i += 1;
                continue;
            }
            let mut best: Option<(usize, EntityKind, String)> = None;
            if let Some(list) = forms.get(doc.lower(i)) {
                for (words, kind, key) in list {
                    let e = i + words.len();
                    if e <= s.last
                        && words
                            .iter()
                            .enumerate()
                            .all(|(k, w)| doc.lower(i + k) == *w)
                        && !covered[i..e].iter().any(|x| *x)
                        // (In a headline every word is a capital.)
                        && (e == s.last || !doc.cap[e] || !doc.is_word(e) || shout[si])
                        && best.as_ref().is_none_or(|b| b.0 < e)
                    {
                        best = Some((e, *kind, key.clone()));
                    }
                }
            }
            // Over a headline's own names only when longer than each of them.
            if let Some((e, _, _)) = best
                && headline[i..e].iter().any(|x| *x)
            {
                let longer = out.iter().filter(|c| c.sent == si).all(|c| {
                    c.last <= i
                        || c.first >= e
                        || i <= c.first && c.last <= e && c.last - c.first < e - i
                });
                if longer {
                    replaced.push((i, e));
                } else {
                    best = None;
                }
            }
            match best {
                Some((e, kind, key)) => {
                    for x in &mut covered[i..e] {
                        *x = true;
                    }
                    out.push(Cand {
                        first: i,
                        last: e,
                        kind,
                        strength: 1,
                        key,
                        sub_of: None,
                        gov: None,
                        sent: si,
                    });
                    i = e;
                }
                None => i += 1,
            }
        }
    }
    if !replaced.is_empty() {
        out.retain(|c| {
            !shout[c.sent]
                || !replaced
                    .iter()
                    .any(|&(a, b)| a <= c.first && c.last <= b && c.last - c.first < b - a)
        });
    }
}

/// "the Syrian civil defense", "Syrian government forces" at token `i`.
fn demonym_org(lx: &Lexicon, doc: &Doc, i: usize, end: usize, si: usize) -> Option<Cand> {
    if !doc.cap[i] || doc.class[i] & class::DEMONYM == 0 || !doc.is_word(i) {
        return None;
    }
    let country = lx.demonym(doc.lower(i))?.to_string();
    let mut j = i + 1;
    let mut head = None;
    while j < end && j < i + 5 && doc.is_word(j) {
        let c = doc.class[j];
        if c & class::GOV != 0 && j == i + 1 {
            // "Syrian government", "Syrian regime": the country's government, whatever follows.
            head = Some((j, true));
            break;
        }
        if c & class::ORG_HEAD != 0 && !doc.cap[j] {
            head = Some((j, false));
            // Keep going for "civil defense forces"-like heads only while heads continue.
            if j + 1 < end && doc.class[j + 1] & class::ORG_HEAD != 0 && !doc.cap[j + 1] {
                j += 1;
                head = Some((j, false));
            }
            break;
        }
        if doc.cap[j] || c & (class::NOT_ENTITY | class::SAID | class::TRIGGER) != 0 {
            return None;
        }
        j += 1;
    }
    let (h, gov) = head?;
    let kind = EntityKind::Organisation;
    let key = if gov {
        format!("{} government", fold(doc.word(i)).trim_end_matches('s'))
    } else {
        key_of(lx, doc.span_text(i, h + 1))
    };
    Some(Cand {
        first: i,
        last: h + 1,
        kind,
        strength: 3,
        key,
        sub_of: None,
        gov: gov.then_some(country),
        sent: si,
    })
}

fn classify(
    lx: &Lexicon,
    doc: &Doc,
    mut a: usize,
    mut b: usize,
    kind: Option<EntityKind>,
    si: usize,
    // Capitalised words seen mid-sentence; `None` when the document's structure says the span
    // is a name whatever its capital (a team at the start of a results line).
    mid_caps: Option<&rustc_hash::FxHashSet<&str>>,
) -> Option<Cand> {
    let mut titled = false;
    // Trim determiners, titles and punctuation at the start; punctuation at the end.
    while a < b {
        let c = doc.class[a];
        let w = doc.lower(a);
        if (!doc.is_word(a) && doc.toks[a].kind != TokKind::Number)
            || w == "the"
            || w == "a"
            || w == "an"
        {
            a += 1;
        } else if c & (class::TITLE | class::SPORT_ROLE) != 0
            && b - a > 1
            && c & class::ORG_HEAD == 0
            && !(doc.cap[b - 1] && doc.class[b - 1] & HEAD != 0)
        {
            titled = true;
            a += 1;
        } else {
            break;
        }
    }
    while b > a && (!doc.is_word(b - 1) || doc.lower(b - 1) == "'s") {
        b -= 1;
    }
    if a >= b {
        return None;
    }
    if (a..b).any(|i| doc.toks[i].skip || doc.toks[i].kind == TokKind::Url) {
        return None;
    }
    // A title just before the span ("Mr. Smith", "President Assad").
    if a > 0 && doc.class[a - 1] & class::TITLE != 0 && doc.class[a - 1] & class::ORG_HEAD == 0 {
        titled = true;
    }
    // Words that are never entities alone.
    // ("WHO" is an acronym, not the pronoun.)
    let all_closed = (a..b).all(|i| {
        let acronym = doc.word(i).chars().filter(|c| c.is_uppercase()).count() >= 2;
        !acronym
            && (doc.class[i] & (class::NOT_ENTITY | class::MONTH | class::WEEKDAY | class::SAID)
                != 0
                || !doc.cap[i] && doc.toks[i].kind == TokKind::Word)
    });
    if all_closed {
        return None;
    }
    let n = b - a;
    let first_class = doc.class[a];
    let last_class = doc.class[b - 1];
    if n == 1 {
        // A bare demonym is evidence, not an entity.
        if first_class & class::DEMONYM != 0 && first_class & class::COUNTRY == 0 {
            return None;
        }
        if !doc.cap[a] && doc.toks[a].kind == TokKind::Word {
            return None;
        }
        if doc.toks[a].initial
            && mid_caps.is_some_and(|m| !m.contains(doc.lower(a)))
            && !role_before_name(lx, doc, a, b, doc.toks.len())
        {
            let named = first_class
                & (class::GIVEN
                    | class::SURNAME
                    | class::COUNTRY
                    | class::REGION
                    | class::CITY
                    | class::LEGAL)
                != 0;
            let acronym = doc.word(a).chars().filter(|c| c.is_uppercase()).count() >= 2;
            // A name of the organisation lists ("Airbus 131.20 ( down 0.80 )"), or a club's
            // form the lists found in a sports report.
            let listed = lx.org_starts.contains(org_start(doc.lower(a))) && {
                let k = super::lexicon::org_key(std::iter::once(doc.lower(a)));
                lx.orgs.contains(&k)
                    || kind == Some(EntityKind::Organisation) && lx.team_forms.contains(&k)
            };
            if !(named || acronym || listed) || first_class & class::NOT_ENTITY != 0 {
                return None;
            }
        }
    }
    let text = doc.span_text(a, b);
    let key = key_of(lx, text);
    if key.is_empty() {
        return None;
    }
    // Evidence that names the kind outright.
    let places = place_records_keyed(lx, &key, text);
    let is_country = places
        .first()
        .is_some_and(|p| lx.place(*p).kind == super::lexicon::PlaceKind::Country)
        || is_nation(lx, &key);
    let (kind, strength) = if titled
        && (kind == Some(EntityKind::Person) || kind.is_none() || n <= 3)
    {
        (EntityKind::Person, 3)
    } else if !is_country
        && lx.org_starts.contains(org_start(doc.lower(a)))
        && lx
            .orgs
            .contains(&super::lexicon::org_key((a..b).map(|i| doc.lower(i))))
    {
        // A name of the organisation list.
        (EntityKind::Organisation, 3)
    } else if n > 1
        && places.first().is_some_and(|p| {
            lx.place(*p).kind == super::lexicon::PlaceKind::Region && key.split(' ').count() == n
        })
        && kind != Some(EntityKind::Person)
    {
        // A several-word region name the gazetteer knows whole ("West Bank", "Gaza
        // Strip"), even when it ends in a word that ends organisation names.
        (EntityKind::Place, 2)
    } else if n > 1 && last_class & (HEAD | class::LEGAL) != 0 && doc.cap[b - 1] {
        (EntityKind::Organisation, 3)
    } else if n > 2
        && (a + 1..b - 1)
            .any(|k| doc.lower(k + 1) == "of" && doc.cap[k] && doc.class[k] & HEAD != 0)
    {
        // "University of Lagos", "Housing Authority of New Orleans": a head noun before "of".
        (EntityKind::Organisation, 3)
    } else if is_country && n <= 4 {
        (EntityKind::Place, 3)
    } else if kind == Some(EntityKind::Person) && n > 1 && !places.is_empty() {
        // A several-word name the gazetteer knows as a place ("Monte Carlo").
        (EntityKind::Place, 2)
    } else if kind == Some(EntityKind::Organisation)
        && n > 1
        && last_class & (HEAD | class::LEGAL) == 0
        && places.first().is_some_and(|p| {
            let p = lx.place(*p);
            p.kind != super::lexicon::PlaceKind::City || p.population >= 100_000
        })
    {
        // A several-word name the gazetteer knows as a country, a region or a large city
        // ("Gaza Strip", "Hong Kong") without an organisation word: a place, though the
        // tagger took it for an organisation.
        (EntityKind::Place, 2)
    } else if kind == Some(EntityKind::Person)
        && n == 1
        && first_class & (class::GIVEN | class::SURNAME) == 0
        && places.first().is_some_and(|p| {
            let p = lx.place(*p);
            p.kind != super::lexicon::PlaceKind::City || p.population >= 100_000
        })
    {
        // A single word the tagger took for a person, that the gazetteer knows as a large
        // place and no name list knows as a name ("the capital Sanaa").
        (EntityKind::Place, 2)
    } else if let Some(k) = kind {
        let agree = match k {
            EntityKind::Person => first_class & class::GIVEN != 0,
            EntityKind::Place => !places.is_empty(),
            EntityKind::Organisation => last_class & HEAD != 0,
        };
        (k, if agree { 2 } else { 1 })
    } else if !places.is_empty() {
        (EntityKind::Place, 2)
    } else {
        return None;
    };
    Some(Cand {
        first: a,
        last: b,
        kind,
        strength,
        key,
        sub_of: None,
        gov: None,
        sent: si,
    })
}

#[cfg(test)]
mod tests {
    use crate::extract::{EntityKind, Extractor, Input};

    #[test]
    fn a_word_the_text_puts_in_is_a_place_throughout() {
        let x = Extractor::new();
        let text = "Quorvath welcomed the ferry on Monday. Fishermen in Quorvath said \
                    Quorvath needs a new harbour.";
        let out = x.extract(&Input {
            text,
            ..Default::default()
        });
        let kinds: Vec<(&str, EntityKind)> = out
            .mentions
            .iter()
            .filter(|m| m.text == "Quorvath")
            .map(|m| (m.text.as_str(), m.kind))
            .collect();
        assert!(!kinds.is_empty(), "found: {:?}", out.mentions);
        assert!(
            kinds.iter().all(|(_, k)| *k == EntityKind::Place),
            "every Quorvath is the place: {kinds:?}"
        );
    }

    #[test]
    fn company_words_and_cues_make_organisations() {
        let x = Extractor::new();
        let text = "Analysts at Quorvath Brothers said the axle maker Zelbrin had done well , \
                    and Interior Minister Tamsin Drake agreed .";
        let out = x.extract(&Input {
            text,
            ..Default::default()
        });
        let kind = |t: &str| out.mentions.iter().find(|m| m.text == t).map(|m| m.kind);
        assert_eq!(
            kind("Quorvath Brothers"),
            Some(EntityKind::Organisation),
            "{:?}",
            out.mentions
        );
        assert_eq!(
            kind("Zelbrin"),
            Some(EntityKind::Organisation),
            "{:?}",
            out.mentions
        );
        assert!(
            out.mentions.iter().all(|m| m.text != "Interior"),
            "a portfolio is no organisation: {:?}",
            out.mentions
        );
    }

    #[test]
    fn an_acronym_in_brackets_takes_the_words_it_spells() {
        let x = Extractor::new();
        let text = "Observers from the Council for Quorvath and Zelbrin in Europe ( CQZE ) \
                    and Zorvath Telegraph and Telephone ( ZTT ) met .";
        let out = x.extract(&Input {
            text,
            ..Default::default()
        });
        for name in [
            "Council for Quorvath and Zelbrin in Europe",
            "Zorvath Telegraph and Telephone",
        ] {
            assert!(
                out.mentions
                    .iter()
                    .any(|m| m.text == name && m.kind == EntityKind::Organisation),
                "{name}: {:?}",
                out.mentions
            );
        }
    }
}
