//! Shared helpers of the extraction tests: signature lines into accounts, and a stable text
//! rendering of an extraction for golden files.

#![allow(dead_code)] // each test binary uses a part of these helpers
use dossier::extract::{Account, Extraction};

/// Accounts and skip spans from signature lines `— Name (@handle) Month D, YYYY` (what the
/// ingestion stage hands the extractor).
pub fn signatures(text: &str) -> (Vec<Account>, Vec<(usize, usize)>) {
    let mut accounts = Vec::new();
    let mut skip = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let n = line.chars().count();
        let l = line.trim_end();
        if let Some(rest) = l.strip_prefix("— ")
            && let Some(open) = rest.find("(@")
            && let Some(close) = rest[open..].find(')')
        {
            let name = rest[..open].trim();
            let handle = &rest[open + 2..open + close];
            let len = l.chars().count();
            accounts.push(Account {
                display_name: (!name.is_empty()).then(|| name.to_string()),
                handle: handle.to_string(),
                start: pos,
                end: pos + len,
            });
            skip.push((pos, pos + len));
        }
        pos += n;
    }
    (accounts, skip)
}

/// A stable, readable rendering of an extraction.
pub fn render(x: &Extraction) -> String {
    let mut s = String::from("entities:\n");
    for (i, e) in x.entities.iter().enumerate() {
        s += &format!("  [{i}] {:?} {:?}", e.kind, e.name);
        if !e.aliases.is_empty() {
            s += &format!(" aliases={:?}", e.aliases);
        }
        if let Some(h) = &e.handle {
            s += &format!(" handle=@{h}");
        }
        if let Some(k) = &e.place_kind {
            s += &format!(" place_kind={k}");
        }
        if let Some(c) = &e.country {
            s += &format!(" country={c}");
        }
        if !e.part_of.is_empty() {
            s += &format!(" part_of={:?}", e.part_of);
        }
        s += "\n";
    }
    s += "mentions:\n";
    for m in &x.mentions {
        s += &format!(
            "  {}..{} {:?} {:?} -> [{}]\n",
            m.start, m.end, m.kind, m.text, m.entity
        );
    }
    s += "events:\n";
    for e in &x.events {
        s += &format!(
            "  {} date={} stated={} count={:?} places={:?} involved={:?} at {}..{}\n",
            e.kind,
            e.date.map(|d| d.to_string()).unwrap_or_default(),
            e.date_stated,
            e.count,
            e.places,
            e.involved,
            e.start,
            e.end
        );
    }
    s += "affiliations:\n";
    for a in &x.affiliations {
        s += &format!(
            "  [{}] MEMBER_OF [{}] at {}..{}\n",
            a.person, a.organisation, a.start, a.end
        );
    }
    s
}
