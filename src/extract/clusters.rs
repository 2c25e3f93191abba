//! Brown word clusters: what the tagger knows of words its training corpora never showed it.
//!
//! The tagger's corpora hold about 600,000 tokens, so most names of the news are words it has
//! never seen. Brown clusters, computed from a large unlabelled English text, group words
//! that occur in similar contexts: clubs and firms named after places ("Chelsea", "Reuters",
//! "Barclays", "Arsenal" share one cluster), given names, surnames, cities. Each word has a
//! path in a binary merge tree; words on one branch share a prefix of it, so prefixes of
//! several lengths are features from coarse (a few big classes) to fine (the cluster).
//!
//! `data/clusters.txt` (from PyPI `spacy-lookups-data` 1.0.5, MIT; converted by
//! `scripts/convert_clusters.py`) holds 96,000 case-sensitive words (the most probable of its 181,000 with a cluster), one line per cluster
//! and rarity band: `path<TAB>band<TAB>word word …`, the path root first as `0`/`1`. It is
//! compiled into the binary and parsed once, into a hash map from the word (borrowed from the
//! compiled-in text) to its path packed root-first from the least significant bit, so a
//! prefix of length `k` is `path & ((1 << k) - 1)` (the same packing as spaCy's integers).
//! A leaf's path is never a prefix of another's, so a masked prefix names one branch even
//! for a path shorter than the mask.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

const DATA: &str = include_str!("../../data/clusters.txt");

/// A word's cluster: its path (bits from the root, least significant first) and its rarity
/// band (0 most common … 3 rarest, by the word's probability in the clusters' text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cluster {
    pub path: u32,
    pub band: u8,
}

/// The cluster table.
#[derive(Debug, Default)]
pub struct Clusters {
    map: FxHashMap<&'static str, Cluster>,
}

/// The longest path the packing holds (the shipped data's longest is 18).
const MAX_BITS: usize = 31;

impl Clusters {
    /// Parses cluster lines (`path<TAB>band<TAB>words`, `#` comments); lines that are not
    /// such are skipped (the file is ours, converted by a script, so this is only a guard).
    pub fn parse(text: &'static str) -> Clusters {
        let mut map = FxHashMap::default();
        map.reserve(text.len() / 9);
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut f = line.splitn(3, '\t');
            let (Some(bits), Some(band), Some(words)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if bits.is_empty() || bits.len() > MAX_BITS {
                continue;
            }
            if !bits.bytes().all(|b| b == b'0' || b == b'1') {
                continue;
            }
            let path = bits
                .bytes()
                .enumerate()
                .fold(0u32, |p, (i, b)| p | (u32::from(b == b'1') << i));
            let Ok(band) = band.parse::<u8>() else {
                continue;
            };
            for w in words.split(' ').filter(|w| !w.is_empty()) {
                map.insert(w, Cluster { path, band });
            }
        }
        Clusters { map }
    }

    /// The table shipped with dossier, parsed on first use (the tagger's model forces it
    /// when it is loaded, so the cost falls in `Extractor::new`).
    pub fn shipped() -> &'static Clusters {
        static SHIPPED: OnceLock<Clusters> = OnceLock::new();
        SHIPPED.get_or_init(|| Clusters::parse(DATA))
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The cluster of a word as written (case matters: "Apple" and "apple" differ).
    pub fn exact(&self, word: &str) -> Option<Cluster> {
        self.map.get(word).copied()
    }

    /// The cluster of a token: as written, else its folded form `lower` (lowercase, no
    /// diacritics: "Tencent" is not in the list but "BOGOTÁ" may be as "bogota"), else, for
    /// a word in small letters, with a capital ("london" in web text). Allocates nothing.
    pub fn lookup(&self, word: &str, lower: &str) -> Option<Cluster> {
        if let Some(c) = self.exact(word) {
            return Some(c);
        }
        if lower != word
            && let Some(c) = self.exact(lower)
        {
            return Some(c);
        }
        // A capitalised form of a short ASCII word in small letters, on the stack.
        let b = word.as_bytes();
        if b.first().is_some_and(u8::is_ascii_lowercase) && b.len() <= 32 && word.is_ascii() {
            let mut buf = [0u8; 32];
            buf[..b.len()].copy_from_slice(b);
            buf[0] = buf[0].to_ascii_uppercase();
            if let Ok(s) = std::str::from_utf8(&buf[..b.len()]) {
                return self.exact(s);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_pack_root_first_from_the_low_bit() {
        let c =
            Clusters::parse("# comment\n0110\t2\tLeeds Hull\n1\t0\tthe\nbad line\n01x\t1\tno\n");
        assert_eq!(c.len(), 3, "two lines of words, the rest skipped");
        let leeds = c.exact("Leeds").expect("Leeds is in the table");
        assert_eq!(leeds.path, 0b0110, "root-first 0,1,1,0 is bits 0..3");
        assert_eq!(leeds.band, 2);
        assert_eq!(c.exact("Hull"), Some(leeds));
        assert_eq!(c.exact("the").map(|c| c.path), Some(1));
        assert_eq!(c.exact("leeds"), None, "case matters for the exact form");
    }

    #[test]
    fn lookup_falls_back_to_folded_then_capitalised_forms() {
        let c = Clusters::parse("01\t1\tLondon bogota\n10\t0\tapple\n");
        assert_eq!(c.lookup("London", "london").map(|c| c.path), Some(0b10));
        assert_eq!(c.lookup("london", "london").map(|c| c.path), Some(0b10));
        assert_eq!(c.lookup("Bogotá", "bogota").map(|c| c.path), Some(0b10));
        assert_eq!(c.lookup("APPLE", "apple").map(|c| c.path), Some(0b01));
        assert_eq!(c.lookup("Tencent", "tencent"), None);
        assert_eq!(c.lookup("", ""), None, "an empty token has no cluster");
    }

    #[test]
    fn shipped_table_knows_places_and_organisations() {
        let c = Clusters::shipped();
        assert!(c.len() > 50_000, "the shipped table has {} words", c.len());
        let (london, germany) = (c.exact("London"), c.exact("Germany"));
        let (Some(london), Some(germany)) = (london, germany) else {
            panic!("London and Germany must be in the shipped table");
        };
        assert_eq!(
            london.path & 0b11111,
            germany.path & 0b11111,
            "two places share the first branches of their paths"
        );
    }
}
