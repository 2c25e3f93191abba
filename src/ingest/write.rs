//! The graph writer: an analysed document merged into the store, following the
//! graph contract of `docs/model.md`.
//!
//! Merging rules, in the order they are tried:
//! - a Document whose content hash is already in the store is skipped whole, so
//!   ingesting the same content twice changes nothing;
//! - an account is one node per handle (case-insensitive, as the platforms treat
//!   handles), whatever its label;
//! - an entity merges with a node of the same label whose name or an alias matches its
//!   name or an alias, compared in a normal form (case and diacritics folded,
//!   punctuation dropped); places whose countries are known and differ never merge;
//! - a Post is one node per (handle, date, text), so a post quoted by two articles is
//!   one node embedded twice; what each article's reading finds in its text is merged
//!   into its MENTIONS (the extractor sees another context each time); a Hashtag is
//!   one node per name.
//!
//! The lookup tables live in memory, built from the graph when the writer starts and
//! kept up to date as it writes: the graph's indexes cover `name` and `handle`, but
//! not aliases or case-folded handles. Growing lists (`documents`, `aliases`) are
//! gathered per batch and written once per node per batch, so a node seen in many
//! documents is not rewritten once for each.

use std::collections::HashMap;

use indexmap::IndexMap;
use petgraph::Direction;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::extract::Analysed;
use crate::error::Result;
use crate::extract::EntityKind;
use crate::graph::{Graph, NodeId, RelId, Txn};
use crate::value::Value;

/// What writing one document did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// False when the document was already in the store (and nothing was written).
    pub new: bool,
    pub posts: usize,
    pub entities: usize,
    pub events: usize,
}

/// Growing lists to write at the end of the batch.
#[derive(Debug, Default)]
struct Pending {
    documents: Vec<String>,
    aliases: Vec<String>,
}

/// The writer and its lookup tables.
pub struct Writer {
    handles: HashMap<String, NodeId>,
    /// (label, normal form of a name or alias) -> nodes, in creation order.
    names: HashMap<(EntityKind, String), Vec<NodeId>>,
    posts: HashMap<String, NodeId>,
    pending: IndexMap<NodeId, Pending>,
}

/// The normal form names are compared in: NFKD, combining marks dropped, lower case,
/// only letters and digits, single spaces.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = false;
    for c in name.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' {
            space = true;
        }
    }
    out
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn int_list(v: Option<&Value>) -> Vec<usize> {
    match v {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|x| match x {
                Value::Int(i) => usize::try_from(*i).ok(),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> Value {
    Value::List(items.into_iter().map(|s| Value::str(s.as_ref())).collect())
}

fn ints(items: impl IntoIterator<Item = usize>) -> Value {
    Value::List(items.into_iter().map(|i| Value::Int(i as i64)).collect())
}

fn kind_of(graph: &Graph, id: NodeId) -> Option<EntityKind> {
    if graph.has_label(id, "Person") {
        Some(EntityKind::Person)
    } else if graph.has_label(id, "Organisation") {
        Some(EntityKind::Organisation)
    } else if graph.has_label(id, "Place") {
        Some(EntityKind::Place)
    } else {
        None
    }
}

/// A post's identity: its author, date and text.
fn post_id(handle: &str, date: Option<chrono::NaiveDate>, text: &str) -> String {
    let mut h = Sha256::new();
    h.update(handle.to_lowercase().as_bytes());
    h.update(b"\n");
    h.update(date.map(|d| d.to_string()).unwrap_or_default().as_bytes());
    h.update(b"\n");
    h.update(text.as_bytes());
    hex::encode(&h.finalize()[..16])
}

impl Writer {
    /// A writer whose tables reflect `graph`.
    pub fn new(graph: &Graph) -> Writer {
        let mut w = Writer {
            handles: HashMap::new(),
            names: HashMap::new(),
            posts: HashMap::new(),
            pending: IndexMap::new(),
        };
        for kind in [
            EntityKind::Person,
            EntityKind::Organisation,
            EntityKind::Place,
        ] {
            for id in graph.nodes_with_label(kind.label()) {
                if let Some(Value::String(h)) = graph.node_prop(id, "handle") {
                    w.handles.entry(h.to_lowercase()).or_insert(id);
                }
                let mut forms = str_list(graph.node_prop(id, "aliases"));
                if let Some(Value::String(n)) = graph.node_prop(id, "name") {
                    forms.insert(0, n.to_string());
                }
                for f in forms {
                    w.add_name(kind, &f, id);
                }
            }
        }
        for id in graph.nodes_with_label("Post") {
            if let Some(Value::String(p)) = graph.node_prop(id, "id") {
                w.posts.insert(p.to_string(), id);
            }
        }
        w
    }

    fn add_name(&mut self, kind: EntityKind, form: &str, id: NodeId) {
        let key = normalise(form);
        if key.is_empty() {
            return;
        }
        let ids = self.names.entry((kind, key)).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }

    fn pend(&mut self, id: NodeId) -> &mut Pending {
        self.pending.entry(id).or_default()
    }

    /// Writes one document. Nothing is written for a document already stored.
    pub fn write(&mut self, txn: &mut Txn, a: &Analysed) -> Result<Written> {
        let mut out = Written::default();
        let exists = txn
            .graph()
            .index_lookup("Document", "id", &Value::str(&a.id))
            .is_some_and(|v| !v.is_empty());
        if exists {
            return Ok(out);
        }
        out.new = true;
        let d = &a.doc;
        let mut props = vec![
            ("id".to_string(), Value::str(&a.id)),
            (
                "title".to_string(),
                d.title.as_deref().map_or(Value::Null, Value::str),
            ),
            ("source".to_string(), Value::str(&d.source)),
        ];
        if let Some(r) = d.record {
            props.push(("record".into(), Value::Int(r as i64)));
        }
        if let Some(p) = d.published {
            props.push(("published".into(), Value::Date(p)));
        }
        props.push(("length".into(), Value::Int(a.length as i64)));
        for (k, v) in [
            ("url", &d.url),
            ("author", &d.author),
            ("publisher", &d.publisher),
        ] {
            if let Some(v) = v {
                props.push((k.into(), Value::str(v)));
            }
        }
        props.retain(|(_, v)| !v.is_null());
        let doc = txn.create_node(&["Document"], props)?;

        // Entities first: post authors are among them.
        let x = &a.extraction;
        let mut nodes = Vec::with_capacity(x.entities.len());
        for e in &x.entities {
            let (id, created) = self.resolve(txn, e)?;
            if created {
                out.entities += 1;
            }
            let p = self.pend(id);
            if !p.documents.contains(&a.id) {
                p.documents.push(a.id.clone());
            }
            let name = txn.graph().node_prop(id, "name").cloned();
            for form in std::iter::once(&e.name).chain(&e.aliases) {
                let is_name = matches!(&name, Some(Value::String(n)) if n.as_ref() == form);
                if !is_name && !self.pending[&id].aliases.contains(form) {
                    self.pend(id).aliases.push(form.clone());
                }
                self.add_name(e.kind, form, id);
            }
            nodes.push(id);
        }

        // Posts: one node per (handle, date, text); an already known post is only embedded.
        let mut post_nodes: Vec<(NodeId, bool)> = Vec::with_capacity(a.posts.len());
        for (p, span) in a.posts.iter().zip(&a.post_spans) {
            let pid = post_id(&p.handle, p.date, &p.text);
            let (node, new) = match self.posts.get(&pid) {
                Some(&n) => (n, false),
                None => {
                    let mut props = vec![
                        ("id".to_string(), Value::str(&pid)),
                        ("text".to_string(), Value::str(&p.text)),
                    ];
                    if let Some(date) = p.date {
                        props.push(("date".into(), Value::Date(date)));
                    }
                    props.push(("handle".into(), Value::str(&p.handle)));
                    if let Some(n) = &p.display_name {
                        props.push(("name".into(), Value::str(n)));
                    }
                    props.push(("urls".into(), list(&p.urls)));
                    props.push(("hashtags".into(), list(&p.hashtags)));
                    props.push(("mentions".into(), list(&p.mentions)));
                    let n = txn.create_node(&["Post"], props)?;
                    self.posts.insert(pid, n);
                    out.posts += 1;
                    (n, true)
                }
            };
            txn.create_rel(
                doc,
                node,
                "EMBEDS",
                vec![
                    ("start".into(), Value::Int(span.start as i64)),
                    ("end".into(), Value::Int(span.sig_end as i64)),
                ],
            )?;
            if new {
                let author = x
                    .entities
                    .iter()
                    .position(|e| {
                        e.handle
                            .as_deref()
                            .is_some_and(|h| h.eq_ignore_ascii_case(&p.handle))
                    })
                    .map(|i| nodes[i])
                    .or_else(|| self.handles.get(&p.handle.to_lowercase()).copied());
                if let Some(author) = author {
                    txn.create_rel(author, node, "POSTED", vec![])?;
                }
                for tag in &p.hashtags {
                    let h = self.hashtag(txn, tag)?;
                    txn.create_rel(node, h, "TAGGED", vec![])?;
                }
            }
            post_nodes.push((node, new));
        }
        // Posts an earlier document embedded (their MENTIONS may exist already).
        let old_posts: Vec<NodeId> = post_nodes
            .iter()
            .filter(|(_, new)| !new)
            .map(|(n, _)| *n)
            .collect();

        // The container of a span: the post whose text holds it (with the offset of
        // that text in the document), else the document.
        let container = |s: usize, e: usize| -> (NodeId, usize) {
            for (i, span) in a.post_spans.iter().enumerate() {
                if s >= span.start && e <= span.end {
                    return (post_nodes[i].0, span.start);
                }
            }
            (doc, 0)
        };

        // Mentions, grouped by (entity node, container) in order of first mention.
        let mut groups: IndexMap<(NodeId, NodeId), Vec<(usize, usize)>> = IndexMap::new();
        for m in &x.mentions {
            let (c, base) = container(m.start, m.end);
            let pairs = groups.entry((c, nodes[m.entity])).or_default();
            // A post embedded twice in one document gives the same pair twice.
            if !pairs.contains(&(m.start - base, m.end - base)) {
                pairs.push((m.start - base, m.end - base));
            }
        }
        for ((from, to), pairs) in groups {
            // A post another document embedded first already has MENTIONS: this
            // document's reading of the same text adds what it found that the first
            // did not (the extractor sees a different context), never a second
            // relationship.
            let existing = if old_posts.contains(&from) {
                let graph = txn.graph();
                graph.type_id("MENTIONS").and_then(|t| {
                    graph
                        .rels_of(from, Direction::Outgoing, Some(t))
                        .find(|(_, other)| *other == to)
                        .map(|(r, _)| r)
                })
            } else {
                None
            };
            match existing {
                None => {
                    let (starts, ends): (Vec<usize>, Vec<usize>) = pairs.into_iter().unzip();
                    txn.create_rel(
                        from,
                        to,
                        "MENTIONS",
                        vec![("starts".into(), ints(starts)), ("ends".into(), ints(ends))],
                    )?;
                }
                Some(r) => {
                    let g = txn.graph();
                    let (old_s, old_e) = (
                        int_list(g.rel_prop(r, "starts")),
                        int_list(g.rel_prop(r, "ends")),
                    );
                    let mut all: Vec<(usize, usize)> = old_s.into_iter().zip(old_e).collect();
                    let before = all.len();
                    for p in pairs {
                        if !all.contains(&p) {
                            all.push(p);
                        }
                    }
                    if all.len() != before {
                        all.sort_unstable();
                        let (starts, ends): (Vec<usize>, Vec<usize>) = all.into_iter().unzip();
                        txn.set_rel_prop(r, "starts", ints(starts))?;
                        txn.set_rel_prop(r, "ends", ints(ends))?;
                    }
                }
            }
        }

        // Places within places.
        for (i, e) in x.entities.iter().enumerate() {
            for &j in &e.part_of {
                self.shared_rel(txn, nodes[i], nodes[j], "PART_OF", &a.id, None)?;
            }
        }
        for af in &x.affiliations {
            self.shared_rel(
                txn,
                nodes[af.person],
                nodes[af.organisation],
                "MEMBER_OF",
                &a.id,
                Some((af.start, af.end)),
            )?;
        }

        // Events: one node per event per document.
        for ev in &x.events {
            let mut props = vec![("kind".to_string(), Value::str(&ev.kind))];
            if let Some(date) = ev.date {
                props.push(("date".into(), Value::Date(date)));
                props.push(("date_stated".into(), Value::Bool(ev.date_stated)));
            }
            props.push(("summary".into(), Value::str(&ev.summary)));
            if let Some(c) = ev.count {
                props.push(("count".into(), Value::Int(c)));
            }
            props.push(("documents".into(), list([&a.id])));
            props.push(("start".into(), Value::Int(ev.start as i64)));
            props.push(("end".into(), Value::Int(ev.end as i64)));
            let node = txn.create_node(&["Event"], props)?;
            out.events += 1;
            let (c, base) = container(ev.start, ev.end);
            txn.create_rel(
                c,
                node,
                "REPORTS",
                span_props(ev.start - base, ev.end - base),
            )?;
            let mut seen = Vec::new();
            for &p in &ev.places {
                if !seen.contains(&nodes[p]) && nodes[p] != node {
                    seen.push(nodes[p]);
                    txn.create_rel(node, nodes[p], "OCCURRED_IN", span_props(ev.start, ev.end))?;
                }
            }
            let mut seen = Vec::new();
            for (i, role) in &ev.involved {
                if !seen.contains(&(nodes[*i], role)) {
                    seen.push((nodes[*i], role));
                    let mut props = vec![("role".to_string(), Value::str(role))];
                    props.extend(span_props(ev.start, ev.end));
                    txn.create_rel(node, nodes[*i], "INVOLVED", props)?;
                }
            }
        }
        Ok(out)
    }

    /// Writes the lists gathered during the batch; call before committing it.
    pub fn flush(&mut self, txn: &mut Txn) -> Result<()> {
        for (id, p) in std::mem::take(&mut self.pending) {
            if !p.documents.is_empty() {
                let mut docs = str_list(txn.graph().node_prop(id, "documents"));
                let before = docs.len();
                for d in p.documents {
                    if !docs.contains(&d) {
                        docs.push(d);
                    }
                }
                if docs.len() != before {
                    txn.set_node_prop(id, "documents", list(&docs))?;
                }
            }
            if !p.aliases.is_empty() {
                let name = match txn.graph().node_prop(id, "name") {
                    Some(Value::String(n)) => n.to_string(),
                    _ => String::new(),
                };
                let mut aliases = str_list(txn.graph().node_prop(id, "aliases"));
                let before = aliases.len();
                for al in p.aliases {
                    if al != name && !aliases.contains(&al) {
                        aliases.push(al);
                    }
                }
                if aliases.len() != before {
                    txn.set_node_prop(id, "aliases", list(&aliases))?;
                }
            }
        }
        Ok(())
    }

    /// The node for an entity: found by handle, then by name or alias; else created.
    fn resolve(&mut self, txn: &mut Txn, e: &crate::extract::Entity) -> Result<(NodeId, bool)> {
        if let Some(h) = &e.handle
            && let Some(&id) = self.handles.get(&h.to_lowercase())
        {
            return Ok((id, false));
        }
        let graph = txn.graph();
        let mut found = None;
        'forms: for form in std::iter::once(&e.name).chain(&e.aliases) {
            let Some(ids) = self.names.get(&(e.kind, normalise(form))) else {
                continue;
            };
            for &id in ids {
                let other_handle = graph.node_prop(id, "handle").is_some();
                let compatible = match (&e.country, graph.node_prop(id, "country")) {
                    (Some(c), Some(Value::String(o))) => c.eq_ignore_ascii_case(o),
                    _ => true,
                };
                // A node with another handle is another account.
                if compatible
                    && !(e.handle.is_some() && other_handle)
                    && kind_of(graph, id) == Some(e.kind)
                {
                    found = Some(id);
                    break 'forms;
                }
            }
        }
        if let Some(id) = found {
            if let Some(h) = &e.handle {
                txn.set_node_prop(id, "handle", Value::str(h))?;
                self.handles.insert(h.to_lowercase(), id);
            }
            self.fill(txn, id, e)?;
            return Ok((id, false));
        }
        let mut props = vec![("name".to_string(), Value::str(&e.name))];
        if let Some(h) = &e.handle {
            props.push(("handle".into(), Value::str(h)));
        }
        if let Some(k) = &e.place_kind {
            props.push(("kind".into(), Value::str(k)));
        }
        if let Some(c) = &e.country {
            props.push(("country".into(), Value::str(c)));
        }
        let id = txn.create_node(&[e.kind.label()], props)?;
        if let Some(h) = &e.handle {
            self.handles.insert(h.to_lowercase(), id);
        }
        self.add_name(e.kind, &e.name, id);
        Ok((id, true))
    }

    /// Sets what a merged node lacks (a place's kind and country).
    fn fill(&mut self, txn: &mut Txn, id: NodeId, e: &crate::extract::Entity) -> Result<()> {
        for (key, v) in [("kind", &e.place_kind), ("country", &e.country)] {
            if let Some(v) = v
                && txn.graph().node_prop(id, key).is_none()
            {
                txn.set_node_prop(id, key, Value::str(v))?;
            }
        }
        Ok(())
    }

    fn hashtag(&mut self, txn: &mut Txn, name: &str) -> Result<NodeId> {
        let key = Value::str(name);
        if let Some(&id) = txn
            .graph()
            .index_lookup("Hashtag", "name", &key)
            .and_then(|v| v.first().copied())
            .as_ref()
        {
            return Ok(id);
        }
        txn.create_node(&["Hashtag"], vec![("name".into(), key)])
    }

    /// A relationship several documents can state (PART_OF, MEMBER_OF): one per pair,
    /// with the documents (and sentence spans) that state it as parallel lists.
    fn shared_rel(
        &mut self,
        txn: &mut Txn,
        from: NodeId,
        to: NodeId,
        ty: &str,
        doc: &str,
        span: Option<(usize, usize)>,
    ) -> Result<()> {
        if from == to {
            return Ok(());
        }
        let graph = txn.graph();
        let existing: Option<RelId> = graph.type_id(ty).and_then(|t| {
            graph
                .rels_of(from, Direction::Outgoing, Some(t))
                .find(|(_, other)| *other == to)
                .map(|(r, _)| r)
        });
        match existing {
            None => {
                let mut props = vec![("documents".to_string(), list([doc]))];
                if let Some((s, e)) = span {
                    props.push(("starts".into(), ints([s])));
                    props.push(("ends".into(), ints([e])));
                }
                txn.create_rel(from, to, ty, props)?;
            }
            Some(r) => {
                let rel_list = |k: &str| txn.graph().rel_prop(r, k).cloned();
                let mut docs = str_list(rel_list("documents").as_ref());
                if docs.iter().any(|d| d == doc) {
                    return Ok(());
                }
                docs.push(doc.to_string());
                let push = |v: Option<Value>, x: usize| -> Value {
                    let mut items = match v {
                        Some(Value::List(items)) => items,
                        _ => Vec::new(),
                    };
                    items.push(Value::Int(x as i64));
                    Value::List(items)
                };
                let (starts, ends) = (rel_list("starts"), rel_list("ends"));
                txn.set_rel_prop(r, "documents", list(&docs))?;
                if let Some((s, e)) = span {
                    txn.set_rel_prop(r, "starts", push(starts, s))?;
                    txn.set_rel_prop(r, "ends", push(ends, e))?;
                }
            }
        }
        Ok(())
    }
}

fn span_props(start: usize, end: usize) -> Vec<(String, Value)> {
    vec![
        ("start".into(), Value::Int(start as i64)),
        ("end".into(), Value::Int(end as i64)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form_folds_case_diacritics_punctuation() {
        assert_eq!(normalise("  Ça  Va-Bien! "), "ca va bien");
        assert_eq!(normalise("U.S."), "us");
        assert_eq!(normalise("هادي العبدالله"), "هادي العبدالله");
    }
}
