//! HTML to text, with a real parser (`scraper`, i.e. html5ever).
//!
//! Scripts, styles and other non-prose elements are dropped; block elements become
//! paragraph breaks (a blank line) and `<br>` a line break, so the segmenter sees
//! the same paragraph evidence a reader sees. `<title>` (or `og:title`) gives the
//! title; publication metadata or the first `<time>` gives the date.

use scraper::{Html, Node};

use super::dates::parse_meta_date;
use super::read::Doc;

/// Elements whose content is not prose.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "nav", "button", "select", "head",
    "object", "canvas",
];

/// Elements that end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "table",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "main",
    "figure",
    "figcaption",
    "pre",
    "hr",
    "dl",
    "dt",
    "dd",
    "address",
    "form",
    "body",
];

/// Meta tags (name or property) that carry the publication date, best first.
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "article.published",
    "sailthru.date",
];

/// Accumulates text with pending breaks, so that runs of blocks give one blank line.
struct Text {
    out: String,
    /// 0: none, 1: line break, 2: paragraph break.
    pending: u8,
}

impl Text {
    fn brk(&mut self, level: u8) {
        self.pending = self.pending.max(level);
    }
    fn push(&mut self, s: &str, pre: bool) {
        if pre {
            self.flush();
            self.out.push_str(s);
            return;
        }
        for (i, word) in s.split(char::is_whitespace).enumerate() {
            // Whitespace collapses to one space, never at a line start.
            if i > 0
                && !self.out.is_empty()
                && self.pending == 0
                && !self.out.ends_with([' ', '\n'])
            {
                self.out.push(' ');
            }
            if !word.is_empty() {
                self.flush();
                self.out.push_str(word);
            }
        }
    }
    fn flush(&mut self) {
        if self.pending > 0 && !self.out.is_empty() {
            let trimmed = self.out.trim_end_matches([' ', '\t']).len();
            self.out.truncate(trimmed);
            self.out
                .push_str(if self.pending >= 2 { "\n\n" } else { "\n" });
        }
        self.pending = 0;
    }
}

/// Parses an HTML page into a document (text, title, date, author, URL).
pub fn to_doc(html: &str) -> Doc {
    let page = Html::parse_document(html);
    let mut text = Text {
        out: String::new(),
        pending: 0,
    };
    let mut title: Option<String> = None;
    let mut og_title: Option<String> = None;
    let mut meta_date: Option<(usize, String)> = None;
    let mut time_date: Option<String> = None;
    let mut author = None;
    let mut url = None;

    // An explicit stack, not recursion: deeply nested markup must not overflow.
    // `true` marks the closing of an element.
    let mut stack = vec![(page.tree.root(), false, 0usize, false)];
    while let Some((node, closing, dropped, pre)) = stack.pop() {
        match node.value() {
            Node::Element(el) => {
                let name = el.name();
                if closing {
                    if BLOCKS.contains(&name) {
                        text.brk(2);
                    }
                    continue;
                }
                match name {
                    "title" if title.is_none() => {
                        let t: String = node
                            .children()
                            .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                            .collect();
                        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
                        if !t.is_empty() {
                            title = Some(t);
                        }
                    }
                    "meta" => {
                        let key = el
                            .attr("property")
                            .or_else(|| el.attr("name"))
                            .or_else(|| el.attr("itemprop"))
                            .map(str::to_ascii_lowercase);
                        if let (Some(key), Some(content)) = (key, el.attr("content")) {
                            if let Some(rank) = DATE_META.iter().position(|k| *k == key)
                                && meta_date.as_ref().is_none_or(|(r, _)| rank < *r)
                            {
                                meta_date = Some((rank, content.to_string()));
                            }
                            match key.as_str() {
                                "og:title" => og_title = Some(content.trim().to_string()),
                                "author" | "article:author" if author.is_none() => {
                                    author = Some(content.trim().to_string())
                                }
                                "og:url" if url.is_none() => url = Some(content.trim().to_string()),
                                _ => {}
                            }
                        }
                    }
                    "link" if el.attr("rel") == Some("canonical") => {
                        if let Some(h) = el.attr("href") {
                            url = Some(h.to_string());
                        }
                    }
                    "time" if time_date.is_none() => {
                        time_date = el.attr("datetime").map(str::to_string).or_else(|| {
                            Some(
                                node.children()
                                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                                    .collect(),
                            )
                        });
                    }
                    "br" if dropped == 0 => text.brk(1),
                    _ => {}
                }
                let drop = dropped + usize::from(DROPPED.contains(&name));
                let pre = pre || name == "pre";
                if dropped == 0 && BLOCKS.contains(&name) {
                    text.brk(2);
                }
                stack.push((node, true, drop, pre));
                let children: Vec<_> = node.children().collect();
                for c in children.into_iter().rev() {
                    stack.push((c, false, drop, pre));
                }
            }
            Node::Text(t) if !closing && dropped == 0 => text.push(t, pre),
            Node::Document | Node::Fragment if !closing => {
                let children: Vec<_> = node.children().collect();
                for c in children.into_iter().rev() {
                    stack.push((c, false, dropped, pre));
                }
            }
            _ => {}
        }
    }
    let published = meta_date
        .and_then(|(_, d)| parse_meta_date(&d))
        .or_else(|| time_date.and_then(|d| parse_meta_date(&d)));
    Doc {
        text: text.out.trim().to_string(),
        title: title.or(og_title).filter(|t| !t.is_empty()),
        published,
        author: author.filter(|a| !a.is_empty()),
        url,
        ..Doc::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_markup_keeps_paragraphs() {
        let d = to_doc(
            "<html><head><title>T</title><style>p{}</style><meta property=\"article:published_time\" content=\"2020-05-01T10:00:00Z\"></head>\
             <body><script>var x;</script><p>One <b>two</b></p><p>Three<br>four &amp; five</p></body></html>",
        );
        assert_eq!(d.text, "One two\n\nThree\nfour & five");
        assert_eq!(d.title.as_deref(), Some("T"));
        assert_eq!(d.published, chrono::NaiveDate::from_ymd_opt(2020, 5, 1));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(3_000) + "deep";
        assert_eq!(to_doc(&html).text, "deep");
    }
}
