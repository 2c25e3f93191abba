//! Full-text search over nodes' string properties: an in-memory inverted index
//! ranked with BM25, behind the `db.search(labels, query)` procedure.
//!
//! Written by hand rather than with tantivy: tantivy is a heavyweight on-disk
//! search engine with its own segments, commit points and writer threads, while
//! dossier's durability already lives in its log and the index must follow every
//! [`Op`] exactly, including a transaction's rollback. An in-memory map from
//! term to postings, updated in [`Graph::apply`], does that in a few hundred lines.
//!
//! What is indexed: every string property of every node, and every string in a
//! list property. Text is split into words with Unicode word segmentation
//! (UAX #29, so Arabic, CJK and emoji-laden text split sensibly), each word is
//! lower-cased and stripped of diacritics (NFD, combining marks dropped), so
//! `Café` matches `cafe`. Labels are not part of the index: the label filter is
//! applied at search time against the graph itself, so adding or removing a label
//! needs no index update and can never leave it stale.
//!
//! Memory: the index is built lazily, on the first search, and from then on kept
//! in sync incrementally by `apply` (create, delete and property ops on nodes; a
//! rollback replays inverse ops through `apply`, so it is covered too). A graph
//! that is never searched (a bulk import, a 1M-node benchmark that only matches)
//! pays nothing but one empty cell. Once built, it costs about 16 bytes per
//! (distinct word, node) pair plus 4 bytes per node.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

use super::{Graph, NodeId, Op};
use crate::value::Value;

/// BM25 parameters: the usual defaults (Robertson & Zaragoza).
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The inverted index.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// term -> (node id, term frequency), sorted by node id.
    postings: HashMap<Box<str>, Vec<(u64, u32)>>,
    /// Words per node, by node id (0: nothing indexed).
    doc_len: Vec<u32>,
    /// Nodes with at least one word, and their words in total (for BM25's average).
    docs: u64,
    total_len: u64,
}

/// The words of `text`, normalised for the index: lower-case, without diacritics.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.unicode_words().filter_map(|w| {
        let t: String = w
            .nfd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase)
            .collect();
        (!t.is_empty()).then_some(t)
    })
}

fn value_text<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::List(items) => items.iter().for_each(|x| value_text(x, out)),
        _ => {}
    }
}

fn has_text(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::List(items) => items.iter().any(has_text),
        _ => false,
    }
}

impl Index {
    fn build(g: &Graph) -> Index {
        let mut ix = Index::default();
        for id in g.node_ids() {
            ix.add(g, id);
        }
        ix
    }

    /// A node's term frequencies, from its current properties.
    fn terms(g: &Graph, id: NodeId) -> HashMap<String, u32> {
        let mut texts = Vec::new();
        if let Some(n) = g.node(id) {
            for (_, v) in n.props.iter() {
                value_text(v, &mut texts);
            }
        }
        let mut tf: HashMap<String, u32> = HashMap::new();
        for t in texts {
            for w in tokens(t) {
                *tf.entry(w).or_default() += 1;
            }
        }
        tf
    }

    fn add(&mut self, g: &Graph, id: NodeId) {
        let tf = Index::terms(g, id);
        let len: u32 = tf.values().sum();
        if len == 0 {
            return;
        }
        for (term, n) in tf {
            let list = self.postings.entry(term.into_boxed_str()).or_default();
            match list.binary_search_by_key(&id.0, |p| p.0) {
                Ok(i) => list[i].1 = n,
                Err(i) => list.insert(i, (id.0, n)),
            }
        }
        let slot = id.0 as usize;
        if self.doc_len.len() <= slot {
            self.doc_len.resize(slot + 1, 0);
        }
        self.doc_len[slot] = len;
        self.docs += 1;
        self.total_len += len as u64;
    }

    fn remove(&mut self, g: &Graph, id: NodeId) {
        let Some(len) = self.doc_len.get(id.0 as usize).copied().filter(|l| *l > 0) else {
            return;
        };
        for term in Index::terms(g, id).into_keys() {
            if let Some(list) = self.postings.get_mut(term.as_str()) {
                if let Ok(i) = list.binary_search_by_key(&id.0, |p| p.0) {
                    list.remove(i);
                }
                if list.is_empty() {
                    self.postings.remove(term.as_str());
                }
            }
        }
        self.doc_len[id.0 as usize] = 0;
        self.docs -= 1;
        self.total_len -= len as u64;
    }

    fn search(&self, g: &Graph, labels: &[&str], query: &str) -> Vec<(NodeId, f64)> {
        let mut terms: Vec<String> = tokens(query).collect();
        terms.sort();
        terms.dedup();
        if self.docs == 0 {
            return Vec::new();
        }
        let n = self.docs as f64;
        let avgdl = self.total_len as f64 / n;
        let mut scores: HashMap<u64, f64> = HashMap::new();
        for t in &terms {
            let Some(list) = self.postings.get(t.as_str()) else {
                continue;
            };
            let df = list.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for &(id, tf) in list {
                let dl = self.doc_len.get(id as usize).copied().unwrap_or(0) as f64;
                let tf = tf as f64;
                let s = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * dl / avgdl));
                *scores.entry(id).or_default() += s;
            }
        }
        let mut out: Vec<(NodeId, f64)> = scores
            .into_iter()
            .map(|(id, s)| (NodeId(id), s))
            .filter(|(id, _)| labels.is_empty() || labels.iter().any(|l| g.has_label(*id, l)))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

impl Graph {
    /// Nodes whose string properties match words of `query`, best first (BM25),
    /// ties by node id. With `labels`, only nodes carrying at least one of them.
    /// Any word may match (OR); nodes matching more and rarer words rank higher.
    /// The first call builds the index; later writes keep it current.
    pub fn fulltext_search(&self, labels: &[&str], query: &str) -> Vec<(NodeId, f64)> {
        self.fulltext
            .get_or_init(|| Index::build(self))
            .search(self, labels, query)
    }

    /// The full-text index's size, once built: (distinct words, postings,
    /// approximate heap bytes). For the benchmark and `:stats`-style reports.
    pub fn fulltext_footprint(&self) -> Option<(usize, usize, usize)> {
        let ix = self.fulltext.get()?;
        let postings: usize = ix.postings.values().map(Vec::len).sum();
        let words: usize = ix.postings.keys().map(|k| k.len()).sum();
        // Per term: the key (box + bytes), the Vec header and hash-map slack.
        let bytes = ix.postings.len() * (16 + 24 + 16)
            + words
            + ix.postings
                .values()
                .map(|v| v.capacity() * 16)
                .sum::<usize>()
            + ix.doc_len.capacity() * 4;
        Some((ix.postings.len(), postings, bytes))
    }

    /// Splits a `db.search` label argument such as `'Person|Post'` (also `:` or `,`
    /// separated, blanks ignored; empty means every label).
    pub fn fulltext_labels(spec: &str) -> Vec<&str> {
        spec.split(['|', ':', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Before `op` is applied: the node whose indexed text `op` may change, with
    /// its old entry taken out of the index. `None` when the index is not built.
    pub(super) fn fulltext_before(&mut self, op: &Op) -> Option<NodeId> {
        self.fulltext.get()?;
        let id = match op {
            Op::CreateNode { id, props, .. } => {
                props.iter().any(|(_, v)| has_text(v)).then_some(*id)
            }
            Op::DeleteNode { id } => Some(*id),
            Op::SetNodeProp { id, key, value } => {
                let old = self.node_prop(*id, key).is_some_and(has_text);
                (old || has_text(value)).then_some(*id)
            }
            _ => None,
        }?;
        let mut ix = self.fulltext.take()?;
        ix.remove(self, id);
        let _ = self.fulltext.set(ix);
        Some(id)
    }

    /// After `op` (whether it succeeded or not): the node's current text goes back in.
    pub(super) fn fulltext_after(&mut self, touched: Option<NodeId>) {
        let Some(id) = touched else { return };
        if let Some(mut ix) = self.fulltext.take() {
            ix.add(self, id);
            let _ = self.fulltext.set(ix);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Txn;

    fn post(t: &mut Txn, label: &str, text: &str) -> NodeId {
        t.create_node(&[label], vec![("text".into(), Value::str(text))])
            .unwrap_or(NodeId(u64::MAX))
    }

    fn ids(g: &Graph, labels: &[&str], q: &str) -> Vec<u64> {
        g.fulltext_search(labels, q)
            .into_iter()
            .map(|(id, _)| id.0)
            .collect()
    }

    #[test]
    fn tokens_fold_case_and_diacritics() {
        let t: Vec<String> = tokens("Café CRÈME, naïve—Ünïcode 👍 مُحَمَّد").collect();
        assert_eq!(t, ["cafe", "creme", "naive", "unicode", "محمد"]);
    }

    #[test]
    fn ranking_prefers_rarer_and_denser_matches() {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let a = post(&mut t, "Post", "bunker busters hit the bunker");
        let b = post(
            &mut t,
            "Post",
            "the busters of the town and the city and more words",
        );
        let c = post(&mut t, "Post", "nothing relevant here");
        let p = t
            .create_node(
                &["Person"],
                vec![("tags".into(), Value::from(vec!["Bunker", "x"]))],
            )
            .unwrap_or(NodeId(u64::MAX));
        t.commit();
        let hits = g.fulltext_search(&["Post"], "bunker busters");
        assert_eq!(
            hits.iter().map(|h| h.0).collect::<Vec<_>>(),
            vec![a, b],
            "{hits:?}"
        );
        assert!(hits[0].1 > hits[1].1);
        assert!(!ids(&g, &[], "relevant").is_empty());
        assert_eq!(ids(&g, &["Person", "Post"], "relevant"), vec![c.0]);
        assert_eq!(ids(&g, &["Person"], "bunker"), vec![p.0]);
        assert!(ids(&g, &[], "").is_empty());
        assert!(ids(&g, &[], "absent").is_empty());
    }

    #[test]
    fn ties_break_by_id() {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let a = post(&mut t, "Post", "same words");
        let b = post(&mut t, "Post", "same words");
        t.commit();
        assert_eq!(ids(&g, &[], "same"), vec![a.0, b.0]);
    }

    #[test]
    fn index_follows_writes_and_rollback() {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let a = post(&mut t, "Post", "alpha");
        t.commit();
        // Build the index, then change things behind it.
        assert_eq!(ids(&g, &[], "alpha"), vec![a.0]);
        let mut t = Txn::new(&mut g);
        t.set_node_prop(a, "text", Value::str("beta")).ok();
        let b = post(&mut t, "Post", "alpha gamma");
        t.commit();
        assert_eq!(ids(&g, &[], "alpha"), vec![b.0]);
        assert_eq!(ids(&g, &[], "beta"), vec![a.0]);
        // Removing a property (null) and deleting a node take them out.
        let mut t = Txn::new(&mut g);
        t.set_node_prop(a, "text", Value::Null).ok();
        t.delete_node(b, true).ok();
        t.commit();
        assert!(ids(&g, &[], "beta").is_empty());
        assert!(ids(&g, &[], "alpha").is_empty());
        // A rolled-back transaction leaves the index as it was.
        let mut t = Txn::new(&mut g);
        t.set_node_prop(a, "text", Value::str("delta")).ok();
        post(&mut t, "Post", "epsilon");
        t.rollback();
        assert!(ids(&g, &[], "delta").is_empty());
        assert!(ids(&g, &[], "epsilon").is_empty());
        // Labels are filtered live.
        let mut t = Txn::new(&mut g);
        t.set_node_prop(a, "text", Value::str("zeta")).ok();
        t.add_label(a, "Person").ok();
        t.commit();
        assert_eq!(ids(&g, &["Person"], "zeta"), vec![a.0]);
        let mut t = Txn::new(&mut g);
        t.remove_label(a, "Person").ok();
        t.commit();
        assert!(ids(&g, &["Person"], "zeta").is_empty());
        // The incremental index equals one built from scratch.
        let fresh = Index::build(&g);
        let live = g.fulltext.get().cloned().unwrap_or_default();
        assert_eq!(fresh.docs, live.docs);
        assert_eq!(fresh.total_len, live.total_len);
        let mut x: Vec<_> = fresh.postings.into_iter().collect();
        let mut y: Vec<_> = live.postings.into_iter().collect();
        x.sort();
        y.sort();
        assert_eq!(x, y);
    }

    #[test]
    fn label_specs_split() {
        assert_eq!(Graph::fulltext_labels("Person|Post"), ["Person", "Post"]);
        assert_eq!(Graph::fulltext_labels(" Post "), ["Post"]);
        assert!(Graph::fulltext_labels("").is_empty());
    }
}
