//! Stage 5: resolution, mentions into entities, and the place hierarchy.
//!
//! Mentions (and the accounts of embedded posts) are joined with a union-find when the
//! evidence says they name the same thing:
//! 1. the same key: case, diacritics, a leading article, a possessive, hyphens and the form of
//!    a direction ("E." = "east" = "eastern") do not matter;
//! 2. an alias construction between two mentions: "X, also known as Y", "X (XY)", "X aka Y";
//! 3. an acronym and the capitalised words it abbreviates ("UN" and "United Nations");
//! 4. a person's surname or given name alone after the full name ("Kareem" after
//!    "Bilal Abdul Kareem"), when exactly one person fits;
//! 5. an account's display name ("The White Helmets") and a mention with the same key, or a
//!    person whose name shares the display name's words.
//!
//! Nothing joins on a shared word alone: "Syria" and "Syrian civil defense" have different
//! keys and no construction links them. Each group's kind is a vote weighted by evidence;
//! its name is the most proper form (capitalised words, then the longest). Places then get
//! a gazetteer record (a country mentioned in the document wins ties), a kind and a
//! PART_OF chain: a part of a place -> the place -> its country (added if not mentioned).

use rustc_hash::FxHashMap;

use super::candidates::{Cand, Doc, key_of, place_records};
use super::lexicon::{Lexicon, PlaceKind, class, fold};
use super::{Account, Entity, EntityKind};

struct Uf(Vec<usize>);

impl Uf {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The smaller index stays root: deterministic.
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            self.0[hi] = lo;
        }
    }
}

/// One account's view for resolution.
struct Acct {
    key: String,
    display: Option<String>,
    kind: EntityKind,
}

fn initials(key: &str) -> String {
    key.split(' ')
        .filter(|w| !matches!(*w, "of" | "the" | "for" | "and" | "&" | "de" | "on"))
        .filter_map(|w| w.chars().next())
        .collect()
}

fn is_acronym(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    (2..=6).contains(&letters.len()) && letters.iter().all(|c| c.is_uppercase())
}

fn display_key(lx: &Lexicon, d: &str) -> String {
    // "Mr.Alhamdo" -> "Alhamdo"; "The White Helmets" -> "white helmets"; Arabic kept.
    let mut k = key_of(lx, &d.replace('.', ". "));
    loop {
        let first = k.split(' ').next().unwrap_or("").to_string();
        let f = first.trim_end_matches('.');
        if k.contains(' ')
            && (lx.word(&first) & class::TITLE != 0
                || lx.word(&format!("{f}.")) & class::TITLE != 0)
        {
            k = k[first.len() + 1..].to_string();
        } else {
            break;
        }
    }
    k.replace(". ", " ").replace('.', "")
}

fn account_kind(lx: &Lexicon, display: Option<&str>) -> EntityKind {
    let Some(d) = display else {
        return EntityKind::Person;
    };
    let f = fold(d);
    let words: Vec<&str> = f.split_whitespace().collect();
    let org = words.first() == Some(&"the")
        || words
            .iter()
            .any(|w| lx.word(w) & (class::ORG_HEAD | class::LEGAL) != 0)
        || (is_acronym(d) && !d.contains(' '));
    if org {
        EntityKind::Organisation
    } else {
        EntityKind::Person
    }
}

/// Resolves candidates and accounts into entities. Returns the entities and, per candidate,
/// its entity index.
pub fn resolve(
    lx: &Lexicon,
    doc: &Doc,
    cands: &[Cand],
    accounts: &[Account],
) -> (Vec<Entity>, Vec<usize>) {
    let n = cands.len();
    let accts: Vec<Acct> = accounts
        .iter()
        .map(|a| {
            let display = a
                .display_name
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty() && !d.starts_with('@'))
                .map(str::to_string);
            let key = display
                .as_deref()
                .map(|d| display_key(lx, d))
                .unwrap_or_else(|| fold(&a.handle));
            Acct {
                kind: account_kind(lx, display.as_deref()),
                key,
                display,
            }
        })
        .collect();
    let mut uf = Uf((0..n + accts.len()).collect());

    // 1. Same key (governments by country).
    let mut by_key: FxHashMap<String, usize> = FxHashMap::default();
    for (i, c) in cands.iter().enumerate() {
        let k = match &c.gov {
            Some(cc) => format!("gov:{cc}"),
            None => c.key.clone(),
        };
        match by_key.get(&k) {
            Some(&j) => uf.union(i, j),
            None => {
                by_key.insert(k, i);
            }
        }
    }
    // 2. Alias constructions between neighbouring mentions.
    for w in 0..n.saturating_sub(1) {
        let (a, b) = (&cands[w], &cands[w + 1]);
        if a.sent != b.sent || b.first < a.last || b.first - a.last > 6 {
            continue;
        }
        let between: Vec<&str> = (a.last..b.first)
            .map(|i| doc.lower(i))
            .filter(|w| *w != "the")
            .collect();
        let between = between.join(" ");
        let alias = matches!(
            between.as_str(),
            ", also known as"
                | "also known as"
                | ", known as"
                | "known as"
                | ", aka"
                | "aka"
                | ", also called"
                | ", formerly known as"
                | ", or"
        ) || (between == "("
            && is_acronym(doc.span_text(b.first, b.last))
            && a.kind != EntityKind::Place
            // "Pete Sampras ( U.S. )": a player's country, not his initials.
            && a.kind != EntityKind::Person
            && b.kind != EntityKind::Place);
        if alias {
            uf.union(w, w + 1);
        }
    }
    // 3. Acronyms.
    let long: Vec<(String, usize)> = cands
        .iter()
        .enumerate()
        .filter(|(_, c)| c.last - c.first > 1 && c.kind != EntityKind::Person)
        .map(|(i, c)| (initials(&c.key), i))
        .collect();
    for (i, c) in cands.iter().enumerate() {
        let text = doc.span_text(c.first, c.last);
        if c.last - c.first == 1 && is_acronym(text) {
            let k = fold(&text.replace('.', ""));
            if let Some((_, j)) = long.iter().find(|(ini, _)| *ini == k) {
                uf.union(i, *j);
            }
        }
    }
    // 4. Partial person names.
    let persons: Vec<usize> = (0..n)
        .filter(|&i| cands[i].kind == EntityKind::Person && cands[i].key.contains(' '))
        .collect();
    for (i, c) in cands.iter().enumerate() {
        if c.sub_of.is_some() || c.gov.is_some() {
            continue;
        }
        // The mention's words are the first or the last words of a longer person's name.
        let mut fits: Vec<usize> = persons
            .iter()
            .copied()
            .filter(|&p| {
                let k = &cands[p].key;
                k.len() > c.key.len()
                    && (k.ends_with(c.key.as_str())
                        && k.as_bytes()[k.len() - c.key.len() - 1] == b' '
                        || k.starts_with(c.key.as_str()) && k.as_bytes()[c.key.len()] == b' ')
            })
            .map(|p| uf.find(p))
            .collect();
        fits.sort_unstable();
        fits.dedup();
        if fits.len() == 1 && (c.kind == EntityKind::Person || c.strength < 3) {
            uf.union(i, fits[0]);
        }
    }
    // 4b. An organisation's name without its head noun or legal form ("Lakeshore" after
    // "Lakeshore Metals", "Barclays" after "Barclays Bank"), when exactly one organisation fits
    // and the short form is not a place of the gazetteer ("Manchester" is not "Manchester
    // United").
    let mut short: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, c) in cands.iter().enumerate() {
        if c.kind == EntityKind::Organisation
            && c.last - c.first >= 2
            && doc.class[c.last - 1] & (class::ORG_HEAD | class::ORG_SUFFIX | class::LEGAL) != 0
            && let Some((head, _)) = c.key.rsplit_once(' ')
        {
            let g = uf.find(i);
            let v = short.entry(head.to_string()).or_default();
            if !v.contains(&g) {
                v.push(g);
            }
        }
    }
    for (i, c) in cands.iter().enumerate() {
        if let Some(v) = short.get(&c.key)
            && v.len() == 1
            && c.gov.is_none()
            && c.sub_of.is_none()
            && !(c.kind == EntityKind::Person
                && (c.last - c.first > 1 || doc.class[c.first] & class::GIVEN != 0))
            && place_records(lx, doc.span_text(c.first, c.last)).is_empty()
        {
            uf.union(i, v[0]);
        }
    }
    // 5. Accounts.
    for (ai, a) in accts.iter().enumerate() {
        let node = n + ai;
        if let Some(d) = &a.display {
            let _ = d;
        }
        let exact = cands
            .iter()
            .position(|c| c.key == a.key && c.kind != EntityKind::Place);
        if let Some(i) = exact {
            uf.union(node, i);
            continue;
        }
        // The display name's words are all in one person's name, or vice versa.
        if a.kind == EntityKind::Person {
            let aw: Vec<&str> = a.key.split(' ').filter(|w| w.len() > 1).collect();
            let mut fits: Vec<usize> = persons
                .iter()
                .copied()
                .filter(|&p| {
                    let pw: Vec<&str> = cands[p].key.split(' ').collect();
                    let shared = aw.iter().filter(|w| pw.contains(w)).count();
                    shared >= 2 || (shared == 1 && (aw.len() == 1 || pw.len() == 1))
                })
                .map(|p| uf.find(p))
                .collect();
            fits.sort_unstable();
            fits.dedup();
            if fits.len() == 1 {
                uf.union(node, fits[0]);
                continue;
            }
        }
        // Another account with the same key (the same poster quoted twice).
        if let Some(bj) = (0..ai).find(|&j| accts[j].key == a.key) {
            uf.union(node, n + bj);
        }
    }

    // Groups in order of first appearance.
    let mut group_of: FxHashMap<usize, usize> = FxHashMap::default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for x in 0..n + accts.len() {
        let r = uf.find(x);
        let g = *group_of.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(x);
    }
    let mut entities: Vec<Entity> = Vec::new();
    let mut cand_entity = vec![0usize; n];
    let mut sub_base: Vec<Option<String>> = Vec::new();
    for members in &groups {
        let mut votes = [0u32; 3];
        let mut has_account = false;
        for &m in members {
            if m < n {
                let c = &cands[m];
                let w = c.strength as u32 * c.strength as u32;
                votes[c.kind as usize] += w;
            } else {
                has_account = true;
                votes[accts[m - n].kind as usize] += 2;
            }
        }
        if has_account {
            // An account is a person or an organisation, never a place.
            votes[EntityKind::Place as usize] = 0;
        }
        let kind = [
            EntityKind::Organisation,
            EntityKind::Person,
            EntityKind::Place,
        ]
        .into_iter()
        .max_by_key(|k| (votes[*k as usize], *k == EntityKind::Organisation))
        .unwrap_or(EntityKind::Organisation);
        // Name: the most proper surface form.
        let mut forms: Vec<String> = Vec::new();
        let mut handle = None;
        let mut gov = false;
        let mut sub = None;
        for &m in members {
            if m < n {
                let c = &cands[m];
                forms.push(doc.span_text(c.first, c.last).to_string());
                gov |= c.gov.is_some();
                if sub.is_none() {
                    sub = c.sub_of.clone();
                }
            } else {
                let a = &accounts[m - n];
                if handle.is_none() {
                    handle = Some(a.handle.trim_start_matches('@').to_string());
                }
                if let Some(d) = &accts[m - n].display {
                    forms.push(d.clone());
                }
            }
        }
        let mut forms_dedup: Vec<String> = Vec::new();
        for f in forms {
            if !forms_dedup.contains(&f) {
                forms_dedup.push(f);
            }
        }
        let proper = |s: &str| -> (bool, bool, bool, usize, usize) {
            let words: Vec<&str> = s.split_whitespace().collect();
            // "E. Aleppo" names the same place as "eastern Aleppo" but is the worse name.
            let abbreviated = words
                .iter()
                .any(|w| w.ends_with('.') && w.chars().count() <= 2);
            let starts_the = fold(words.first().copied().unwrap_or("")) == "the";
            let caps = words
                .iter()
                .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()));
            let govern = gov && fold(s).contains("government");
            (
                govern,
                !abbreviated,
                caps && !starts_the,
                words.len(),
                s.chars().count(),
            )
        };
        let name = forms_dedup
            .iter()
            .max_by(|a, b| proper(a).cmp(&proper(b)).then(b.cmp(a)))
            .cloned()
            .or_else(|| handle.clone())
            .unwrap_or_default();
        let name = strip_article(&name);
        let aliases: Vec<String> = forms_dedup.into_iter().filter(|f| *f != name).collect();
        let idx = entities.len();
        for &m in members {
            if m < n {
                cand_entity[m] = idx;
            }
        }
        entities.push(Entity {
            kind,
            name,
            aliases,
            handle,
            place_kind: None,
            part_of: Vec::new(),
            country: None,
        });
        sub_base.push(if kind == EntityKind::Place { sub } else { None });
    }
    places(lx, &mut entities, &sub_base);
    // Hierarchy from the text: "Plano, Texas" and "Homs, Syria" put the first place in the
    // second when the second is a region or a country.
    for w in 0..n.saturating_sub(1) {
        let (a, b) = (&cands[w], &cands[w + 1]);
        if a.sent != b.sent || b.first != a.last + 1 || doc.lower(a.last) != "," {
            continue;
        }
        let (x, y) = (cand_entity[w], cand_entity[w + 1]);
        if x == y
            || entities[x].kind != EntityKind::Place
            || entities[y].kind != EntityKind::Place
            || entities[x].place_kind.as_deref() == Some("country")
            || !matches!(
                entities[y].place_kind.as_deref(),
                Some("region" | "country")
            )
            || entities[y].part_of.contains(&x)
        {
            continue;
        }
        if entities[x].country.is_none() || entities[x].country == entities[y].country {
            entities[x].country = entities[y].country.clone();
            // The region is nearer than the country: replace a country parent it lies in.
            let yc = entities[y].part_of.clone();
            entities[x].part_of.retain(|p| !yc.contains(p));
            if !entities[x].part_of.contains(&y) {
                entities[x].part_of.push(y);
            }
        }
    }
    (entities, cand_entity)
}

fn strip_article(s: &str) -> String {
    for p in ["The ", "the "] {
        if let Some(r) = s.strip_prefix(p)
            && !r.is_empty()
        {
            return r.to_string();
        }
    }
    s.to_string()
}

/// Gazetteer records, kinds and PART_OF for the place entities.
fn places(lx: &Lexicon, entities: &mut Vec<Entity>, sub_base: &[Option<String>]) {
    let mut places_by_key: FxHashMap<String, usize> = FxHashMap::default();
    for (i, e) in entities.iter().enumerate() {
        if e.kind == EntityKind::Place {
            places_by_key.entry(fold(&e.name)).or_insert(i);
            for a in &e.aliases {
                places_by_key.entry(fold(a)).or_insert(i);
            }
        }
    }
    // Countries mentioned: they settle ambiguous names ("Tripoli" in a text about Libya).
    let mut mentioned: Vec<String> = Vec::new();
    for e in entities.iter() {
        if e.kind == EntityKind::Place
            && let Some(&p) = lx.lookup_place(&fold(&e.name)).first()
            && lx.place(p).kind == PlaceKind::Country
        {
            mentioned.push(lx.place(p).country.clone());
        }
    }
    let count = entities.len();
    for i in 0..count {
        if entities[i].kind != EntityKind::Place {
            continue;
        }
        if let Some(base) = &sub_base[i] {
            // A part of a place: part of the place itself (added if not mentioned alone).
            let base_idx = match places_by_key.get(base) {
                Some(&b) => b,
                None => {
                    let name = base_name(lx, base);
                    entities.push(place_entity(name));
                    let b = entities.len() - 1;
                    places_by_key.insert(base.clone(), b);
                    b
                }
            };
            if base_idx != i {
                entities[i].part_of.push(base_idx);
                entities[i].place_kind = Some("area".into());
            }
            continue;
        }
        let names: Vec<&String> = std::iter::once(&entities[i].name)
            .chain(entities[i].aliases.iter())
            .collect();
        let mut best: Option<u32> = None;
        for k in &names {
            let recs = place_records(lx, k);
            let pick = recs
                .iter()
                .copied()
                .find(|r| mentioned.contains(&lx.place(*r).country))
                .or_else(|| recs.first().copied());
            if let Some(p) = pick {
                best = Some(p);
                break;
            }
        }
        let Some(p) = best else { continue };
        let rec = lx.place(p).clone();
        entities[i].place_kind = Some(rec.kind.name().into());
        entities[i].country = Some(rec.country.clone());
        if fold(&rec.name) == fold(&entities[i].name) && rec.name != entities[i].name {
            let old = std::mem::replace(&mut entities[i].name, rec.name.clone());
            if !entities[i].aliases.contains(&old) {
                entities[i].aliases.push(old);
            }
        }
        if rec.kind != PlaceKind::Country
            && let Some(&ci) = lx.country_by_code.get(&rec.country)
        {
            let cname = lx.place(ci).name.clone();
            let ck = fold(&cname);
            let c_idx = match places_by_key.get(&ck) {
                Some(&c) => c,
                None => {
                    let mut e = place_entity(cname);
                    e.place_kind = Some("country".into());
                    e.country = Some(rec.country.clone());
                    entities.push(e);
                    let c = entities.len() - 1;
                    places_by_key.insert(ck, c);
                    c
                }
            };
            if c_idx != i && !entities[i].part_of.contains(&c_idx) {
                entities[i].part_of.push(c_idx);
            }
        }
    }
    // Entities added above (bases of parts) need their own records and countries.
    let added: Vec<usize> = (count..entities.len()).collect();
    for i in added {
        if entities[i].place_kind.is_some() {
            continue;
        }
        let k = fold(&entities[i].name);
        let Some(&p) = lx.lookup_place(&k).first() else {
            continue;
        };
        let rec = lx.place(p).clone();
        entities[i].place_kind = Some(rec.kind.name().into());
        entities[i].country = Some(rec.country.clone());
        if rec.kind != PlaceKind::Country
            && let Some(&ci) = lx.country_by_code.get(&rec.country)
        {
            let ck = fold(&lx.place(ci).name);
            let c_idx = match places_by_key.get(&ck) {
                Some(&c) => c,
                None => {
                    let mut e = place_entity(lx.place(ci).name.clone());
                    e.place_kind = Some("country".into());
                    e.country = Some(rec.country.clone());
                    entities.push(e);
                    entities.len() - 1
                }
            };
            entities[i].part_of.push(c_idx);
        }
    }
    // A part of a place is in its country.
    for i in 0..entities.len() {
        if entities[i].place_kind.as_deref() == Some("area")
            && entities[i].country.is_none()
            && let Some(&b) = entities[i].part_of.first()
        {
            entities[i].country = entities[b].country.clone();
        }
    }
}

fn base_name(lx: &Lexicon, key: &str) -> String {
    match lx.lookup_place(key).first() {
        Some(&p) => lx.place(p).name.clone(),
        None => key.to_string(),
    }
}

fn place_entity(name: String) -> Entity {
    Entity {
        kind: EntityKind::Place,
        name,
        aliases: Vec::new(),
        handle: None,
        place_kind: None,
        part_of: Vec::new(),
        country: None,
    }
}
