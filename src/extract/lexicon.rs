//! The world knowledge extraction uses, loaded from the data files under `data/`.
//!
//! Every list is a data file compiled into the binary (`include_str!`), parsed once when the
//! [`super::Extractor`] is built: countries with aliases and demonyms, regions (admin1),
//! cities of 15,000 people or more, given names, surnames, legal forms, organisation names from
//! WordNet, companies of stock indices, sports clubs with their short forms (converted from
//! registry packages by `scripts/convert_data.py`, see `data/NOTICE.md`), and
//! `data/lexicon.txt`, the
//! closed-class words written for dossier (titles, roles, organisation head nouns and suffixes,
//! directions, words that are never entities, event triggers, words of sports reports and the
//! cue phrases around team and organisation names). Code holds no names of the world.

use rustc_hash::{FxHashMap, FxHashSet};
use unicode_normalization::UnicodeNormalization;

const COUNTRIES: &str = include_str!("../../data/countries.tsv");
const ADMIN1: &str = include_str!("../../data/admin1.tsv");
const CITIES: &str = include_str!("../../data/cities.tsv");
const GIVEN: &str = include_str!("../../data/given_names.txt");
const SURNAMES: &str = include_str!("../../data/surnames.txt");
const LEGAL: &str = include_str!("../../data/legal_forms.txt");
const LEXICON: &str = include_str!("../../data/lexicon.txt");
const COMMON: &str = include_str!("../../data/common_words.txt");
const ORGS: &str = include_str!("../../data/organisations.txt");
const COMPANIES: &str = include_str!("../../data/companies.txt");
const TEAMS: &str = include_str!("../../data/teams.tsv");

/// Word classes from the lexicon and name lists, as bits (also tagger features).
pub mod class {
    pub const TITLE: u32 = 1 << 0;
    pub const ROLE: u32 = 1 << 1;
    pub const ORG_HEAD: u32 = 1 << 2;
    pub const GOV: u32 = 1 << 3;
    pub const DIRECTION: u32 = 1 << 4;
    pub const NOT_ENTITY: u32 = 1 << 5;
    pub const MONTH: u32 = 1 << 6;
    pub const WEEKDAY: u32 = 1 << 7;
    pub const SAID: u32 = 1 << 8;
    pub const VICTIM: u32 = 1 << 9;
    pub const NUMBER: u32 = 1 << 10;
    pub const GIVEN: u32 = 1 << 11;
    pub const SURNAME: u32 = 1 << 12;
    pub const LEGAL: u32 = 1 << 13;
    pub const DEMONYM: u32 = 1 << 14;
    pub const COUNTRY: u32 = 1 << 15;
    pub const CITY: u32 = 1 << 16;
    pub const REGION: u32 = 1 << 17;
    pub const TRIGGER: u32 = 1 << 18;
    /// The token starts a multi-word place name / continues one.
    pub const PLACE_B: u32 = 1 << 19;
    pub const PLACE_I: u32 = 1 << 20;
    /// A word that makes what follows hypothetical ("if", "could", "fearful").
    pub const HYPOTHETICAL: u32 = 1 << 21;
    /// A common lowercase word of English text (`data/common_words.txt`).
    pub const COMMON: u32 = 1 << 22;
    /// A word that names a sport or a sports document's furniture ("soccer", "cricket",
    /// "standings"): evidence that capitalised place names are teams.
    pub const SPORT: u32 = 1 << 23;
    /// A position in a team ("striker", "coach"): "Leeds striker X" is the club's.
    pub const SPORT_ROLE: u32 = 1 << 24;
    /// A word that ends a company's name when capitalised ("Metals", "Insurance"), but is
    /// an ordinary noun in lowercase (so never evidence after a demonym: "Saudi oil").
    pub const ORG_SUFFIX: u32 = 1 << 25;
    /// A word that ends a club's name in a sports report ("City", "Town", "Albion"), when the
    /// whole name is no place of the gazetteer ("Mexico City" is).
    pub const TEAM_SUFFIX: u32 = 1 << 26;
    /// Number of class bits the tagger uses as features (the bits above 20 are not).
    pub const COUNT: u32 = 21;
}

/// What kind of place a gazetteer record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlaceKind {
    Country,
    Region,
    City,
}

impl PlaceKind {
    pub fn name(self) -> &'static str {
        match self {
            PlaceKind::Country => "country",
            PlaceKind::Region => "region",
            PlaceKind::City => "city",
        }
    }
}

/// One gazetteer record.
#[derive(Debug, Clone)]
pub struct Place {
    pub name: String,
    pub kind: PlaceKind,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// `CC.A1` for cities and regions.
    pub admin1: Option<String>,
    pub population: u64,
}

/// All the data, parsed.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// Folded name -> records (indexes into `places`), largest first.
    pub place_index: FxHashMap<String, Vec<u32>>,
    pub places: Vec<Place>,
    /// ISO code -> index of its country record.
    pub country_by_code: FxHashMap<String, u32>,
    /// `CC.A1` -> region record.
    pub region_by_code: FxHashMap<String, u32>,
    /// Folded demonym -> ISO code.
    pub demonyms: FxHashMap<String, String>,
    /// Folded single word -> class bits.
    pub words: FxHashMap<String, u32>,
    /// Folded phrase of several words -> class bits (titles such as "prime minister").
    pub phrases: FxHashMap<String, u32>,
    /// Trigger word or phrase -> event kind.
    pub triggers: FxHashMap<String, String>,
    /// Number words -> value.
    pub numbers: FxHashMap<String, i64>,
    /// Longest place name in words.
    pub max_place_words: usize,
    /// First words of multi-word places and phrases (only these start a longer lookup).
    pub starts: FxHashSet<String>,
    /// Words and phrases before a team's name in sports text ("beat", "drew with").
    pub team_before: FxHashSet<String>,
    /// Words and phrases after a team's name in sports text ("beat", "drew", "lost to").
    pub team_after: FxHashSet<String>,
    /// Phrases after a name that make it an organisation ("said in a statement" is not one:
    /// people say that too; "shares", "'s chief executive" are).
    pub org_after: FxHashSet<String>,
    /// Phrases before a name that make it an organisation ("shares of", "a unit of").
    pub org_before: FxHashSet<String>,
    /// Every word of the cue phrases above (a phrase is built only where all its words are
    /// cue words, so most names cost no allocation).
    pub cue_words: FxHashSet<String>,
    /// Organisation names (`data/organisations.txt`, `data/companies.txt` and the forms of
    /// `data/teams.tsv` that name a club anywhere), as [`org_key`]s.
    pub orgs: FxHashSet<String>,
    /// Forms of club names that name the club only in a sports report, being also a word, a
    /// person's name or a place ("Arsenal", "Leeds", "Wolves"), as [`org_key`]s.
    pub team_forms: FxHashSet<String>,
    /// The first words of the names in `orgs` and `team_forms`.
    pub org_starts: FxHashSet<String>,
    /// The first words of those names that have more words ("deutsche", "deutsche bank" of
    /// "deutsche bank ag"): a lookup stops at a run of words no name goes on from.
    pub org_prefixes: FxHashSet<String>,
    /// The longest organisation name in words.
    pub max_org_words: usize,
    /// Every other section of `data/lexicon.txt` (no class bit of its own), by name: folded
    /// words and phrases ("player_before", "nation", "misc_suffix").
    pub sections: FxHashMap<String, FxHashSet<String>>,
}

/// The key of a name in the organisation list: folded, hyphens as spaces, one space between
/// words, no period at a word's end ("AFL-CIO" = "afl cio"; "Apple Inc." = "Apple Inc", as
/// wire copy writes it).
pub fn org_key<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for w in words {
        push_org_key(&mut out, w);
    }
    out
}

/// Appends one word (or several, split at spaces and hyphens) to an [`org_key`].
pub fn push_org_key(out: &mut String, w: &str) {
    for part in w.split(|c: char| c.is_whitespace() || c == '-') {
        let part = part.strip_suffix('.').unwrap_or(part);
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        if part.is_ascii() {
            out.extend(part.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            out.push_str(&fold(part));
        }
    }
}

/// Lowercase with diacritics removed: the key every comparison uses ("Ḥalab" = "halab").
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`] into a reused buffer.
pub fn fold_into(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        out.push_str(s);
        out.make_ascii_lowercase();
        return;
    }
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = if c == '’' { '\'' } else { c };
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
}

fn data_lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Lexicon {
    /// Parses the shipped data files. Malformed lines are skipped (the files are ours and
    /// checked by tests; a bad line must not stop extraction).
    pub fn load() -> Lexicon {
        let mut lx = Lexicon::default();
        for line in data_lines(COUNTRIES) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 5 {
                continue;
            }
            let idx = lx.places.len() as u32;
            lx.places.push(Place {
                name: f[1].to_string(),
                kind: PlaceKind::Country,
                country: f[0].to_string(),
                admin1: None,
                population: f[4].parse().unwrap_or(0),
            });
            lx.country_by_code.insert(f[0].to_string(), idx);
            lx.add_place_name(f[1], idx);
            for a in f[2].split(';').filter(|a| !a.is_empty()) {
                // Two-letter codes ("SY") are too ambiguous as words; "US", "UK" stay.
                if a.len() <= 3 && a.chars().all(|c| c.is_ascii_uppercase()) {
                    if matches!(a, "US" | "UK" | "UAE" | "USA" | "DRC") {
                        lx.add_place_name(a, idx);
                    }
                    continue;
                }
                lx.add_place_name(a, idx);
            }
            let pop: u64 = f[4].parse().unwrap_or(0);
            for d in f[3].split(';').filter(|a| !a.is_empty()) {
                // Plural demonyms ("Syrians") name the people too. A demonym shared by several
                // countries ("French": France, Mayotte…) goes to the most populous.
                for k in [fold(d), fold(d) + "s"] {
                    let better = match lx.demonyms.get(&k) {
                        Some(cc) => lx
                            .country_by_code
                            .get(cc)
                            .is_some_and(|&i| lx.places[i as usize].population < pop),
                        None => true,
                    };
                    if better {
                        lx.demonyms.insert(k, f[0].to_string());
                    }
                }
            }
        }
        for line in data_lines(ADMIN1) {
            let Some((code, name)) = line.split_once('\t') else {
                continue;
            };
            let country = code.split('.').next().unwrap_or("").to_string();
            let idx = lx.places.len() as u32;
            lx.places.push(Place {
                name: name.to_string(),
                kind: PlaceKind::Region,
                country,
                admin1: Some(code.to_string()),
                population: 0,
            });
            lx.region_by_code.insert(code.to_string(), idx);
            lx.add_place_name(name, idx);
        }
        for line in data_lines(CITIES) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 4 {
                continue;
            }
            let idx = lx.places.len() as u32;
            lx.places.push(Place {
                name: f[0].to_string(),
                kind: PlaceKind::City,
                country: f[1].to_string(),
                admin1: (!f[2].is_empty()).then(|| format!("{}.{}", f[1], f[2])),
                population: f[3].parse().unwrap_or(0),
            });
            lx.add_place_name(f[0], idx);
        }
        for l in data_lines(GIVEN) {
            *lx.words.entry(l.to_string()).or_default() |= class::GIVEN;
        }
        for l in data_lines(SURNAMES) {
            *lx.words.entry(l.to_string()).or_default() |= class::SURNAME;
        }
        for l in data_lines(COMMON) {
            *lx.words.entry(l.to_string()).or_default() |= class::COMMON;
        }
        for l in data_lines(ORGS).chain(data_lines(COMPANIES)) {
            lx.add_org(l, false);
        }
        // form, club, sport, scope ("any" or "sports").
        for l in data_lines(TEAMS) {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() >= 4 {
                lx.add_org(f[0], f[3] == "sports");
            }
        }
        for l in data_lines(LEGAL) {
            if !l.contains(' ') {
                *lx.words.entry(fold(l)).or_default() |= class::LEGAL;
            }
        }
        let mut section = String::new();
        for l in data_lines(LEXICON) {
            if let Some(s) = l.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                section = s.to_string();
                continue;
            }
            if let Some(kind) = section.strip_prefix("event.") {
                lx.triggers.insert(fold(l), kind.to_string());
                // The first word of a phrase carries the bit too, so the phrase is looked up
                // only where it can start.
                let first = l.split(' ').next().unwrap_or(l);
                *lx.words.entry(fold(first)).or_default() |= class::TRIGGER;
                continue;
            }
            let cue = match section.as_str() {
                "team_before" => Some(&mut lx.team_before),
                "team_after" => Some(&mut lx.team_after),
                "org_before" => Some(&mut lx.org_before),
                "org_after" => Some(&mut lx.org_after),
                _ => None,
            };
            if let Some(set) = cue {
                set.insert(fold(l));
                for w in fold(l).split(' ') {
                    lx.cue_words.insert(w.to_string());
                }
                continue;
            }
            if section.ends_with("_before") || section.ends_with("_after") {
                for w in fold(l).split(' ') {
                    lx.cue_words.insert(w.to_string());
                }
            }
            if section == "number" {
                if let Some((w, v)) = l.split_once('\t') {
                    lx.numbers.insert(w.to_string(), v.parse().unwrap_or(0));
                    *lx.words.entry(w.to_string()).or_default() |= class::NUMBER;
                }
                continue;
            }
            let bit = match section.as_str() {
                "title" => class::TITLE,
                "role" => class::ROLE,
                "org_head" => class::ORG_HEAD,
                "gov" => class::GOV,
                "direction" => class::DIRECTION,
                "not_entity" => class::NOT_ENTITY,
                "month" => class::MONTH,
                "weekday" => class::WEEKDAY,
                "said" => class::SAID,
                "victim" => class::VICTIM,
                "hypothetical" => class::HYPOTHETICAL,
                "sport" => class::SPORT,
                "org_suffix" => class::ORG_SUFFIX,
                "team_suffix" => class::TEAM_SUFFIX,
                "sport_role" => class::SPORT_ROLE,
                _ => 0,
            };
            if bit == 0 {
                lx.sections
                    .entry(section.clone())
                    .or_default()
                    .insert(fold(l));
                continue;
            }
            if l.contains(' ') {
                lx.starts.insert(fold(l.split(' ').next().unwrap_or("")));
                *lx.phrases.entry(fold(l)).or_default() |= bit;
            } else {
                *lx.words.entry(fold(l)).or_default() |= bit;
            }
        }
        for d in lx.demonyms.keys() {
            *lx.words.entry(d.clone()).or_default() |= class::DEMONYM;
        }
        let mut keys: Vec<(String, u32)> = Vec::new();
        for (k, v) in lx.place_index.iter_mut() {
            let places = &lx.places;
            // Countries first; then a city of half a million or more before a region of the
            // same name ("Aleppo" the city, not the governorate); then regions; then cities by
            // size.
            let rank = |p: &Place| match p.kind {
                PlaceKind::Country => 0,
                PlaceKind::City if p.population >= 500_000 => 1,
                PlaceKind::Region => 2,
                PlaceKind::City => 3,
            };
            v.sort_by(|a, b| {
                let (pa, pb) = (&places[*a as usize], &places[*b as usize]);
                rank(pa)
                    .cmp(&rank(pb))
                    .then(pb.population.cmp(&pa.population))
                    .then(a.cmp(b))
            });
            v.dedup();
            if !k.contains(' ') {
                // Small towns share their names with people and firms ("Sony", "Bana"): only
                // cities of 50,000 people or more count as evidence for the tagger.
                let bits = v.iter().fold(0, |acc, i| {
                    let p = &places[*i as usize];
                    acc | match p.kind {
                        PlaceKind::Country => class::COUNTRY,
                        PlaceKind::Region => class::REGION,
                        PlaceKind::City if p.population >= 50_000 => class::CITY,
                        PlaceKind::City => 0,
                    }
                });
                keys.push((k.clone(), bits));
            }
        }
        for (k, bits) in keys {
            *lx.words.entry(k).or_default() |= bits;
        }
        lx
    }

    /// Adds a name of the organisation lists (`sports`: a club's form that names it only in
    /// a sports report).
    fn add_org(&mut self, name: &str, sports: bool) {
        let k = org_key(std::iter::once(name));
        // Two letters are too ambiguous once periods do not count ("Ld." would be "LD").
        if k.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
            return;
        }
        let Some(first) = k.split(' ').next().filter(|w| !w.is_empty()) else {
            return;
        };
        self.org_starts.insert(first.to_string());
        self.max_org_words = self.max_org_words.max(k.split(' ').count());
        for (end, _) in k.match_indices(' ') {
            self.org_prefixes.insert(k[..end].to_string());
        }
        if sports {
            self.team_forms.insert(k);
        } else {
            self.orgs.insert(k);
        }
    }

    fn add_place_name(&mut self, name: &str, idx: u32) {
        let key = fold(name);
        if key.is_empty() {
            return;
        }
        // "Monte-Carlo" is found as one token and, by resolution keys, as "monte carlo".
        if key.contains('-') {
            self.add_key(key.replace('-', " "), idx);
        }
        self.add_key(key, idx);
    }

    fn add_key(&mut self, key: String, idx: u32) {
        let n = key.split(' ').count();
        self.max_place_words = self.max_place_words.max(n);
        if n > 1 {
            self.starts
                .insert(key.split(' ').next().unwrap_or("").to_string());
        }
        self.place_index.entry(key).or_default().push(idx);
    }

    /// Class bits of a folded word.
    pub fn word(&self, folded: &str) -> u32 {
        self.words.get(folded).copied().unwrap_or(0)
    }

    pub fn place(&self, i: u32) -> &Place {
        &self.places[i as usize]
    }

    /// Records for a folded place name, best first (countries, regions, then cities by size).
    pub fn lookup_place(&self, folded: &str) -> &[u32] {
        self.place_index
            .get(folded)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// The country code of a folded demonym.
    pub fn demonym(&self, folded: &str) -> Option<&str> {
        self.demonyms.get(folded).map(|s| s.as_str())
    }
}

impl Lexicon {
    /// Class bits for each token of a sentence (`lower` are folded words, `cap` whether each
    /// is capitalised): word classes, plus PLACE_B/PLACE_I over the longest multi-word place
    /// names starting at a capitalised word ("New York", "United States"), plus title and role
    /// phrases. `buf` is scratch space.
    pub fn annotate(&self, lower: &[&str], cap: &[bool], buf: &mut String, out: &mut Vec<u32>) {
        out.clear();
        out.extend(lower.iter().map(|w| self.word(w)));
        let n = lower.len();
        let mut i = 0;
        while i < n {
            let mut matched = 0;
            if cap[i] && i + 1 < n && self.starts.contains(lower[i]) {
                buf.clear();
                buf.push_str(lower[i]);
                for j in i + 1..n.min(i + self.max_place_words.min(5)) {
                    buf.push(' ');
                    buf.push_str(lower[j]);
                    if self.place_index.contains_key(buf.as_str()) && (cap[j] || j > i + 1) {
                        matched = j + 1 - i;
                    }
                    if let Some(&bits) = self.phrases.get(buf.as_str()) {
                        for o in &mut out[i..=j] {
                            *o |= bits;
                        }
                    }
                }
            }
            if matched > 1 {
                out[i] |= class::PLACE_B;
                for o in &mut out[i + 1..i + matched] {
                    *o |= class::PLACE_I;
                }
                i += matched;
            } else {
                i += 1;
            }
        }
    }
}

/// An FxHash of bytes with a seed: how tagger features and other keys are interned without
/// allocating.
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = seed.wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ b as u64).wrapping_mul(K);
    }
    // Final avalanche so the low bits used as table indexes are well mixed.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// The set type used across the extractor.
pub type Set = FxHashSet<String>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_places_names_and_lexicon() {
        let lx = Lexicon::load();
        assert!(lx.places.len() > 30_000, "places: {}", lx.places.len());
        let fr = lx.lookup_place("france");
        assert!(
            fr.first()
                .is_some_and(|i| lx.place(*i).kind == PlaceKind::Country),
            "France is a country"
        );
        assert_eq!(lx.demonym("french"), Some("FR"));
        assert!(lx.word("march") & class::MONTH != 0);
        assert!(lx.word("ministry") & class::ORG_HEAD != 0);
        assert!(lx.word("john") & class::GIVEN != 0);
        assert_eq!(
            lx.triggers.get("killed").map(|s| s.as_str()),
            Some("killing")
        );
    }

    #[test]
    fn folding_removes_case_and_diacritics() {
        assert_eq!(fold("Ḥalab"), "halab");
        assert_eq!(fold("São Paulo"), "sao paulo");
        assert_eq!(fold("هادي"), "هادي");
    }
}
