//! DOT, Graphviz's language: a digraph with one style (shape and colours) per
//! label, a legend of the labels present, node captions (see
//! [`super::caption`]) and relationship captions from the type, cut to
//! `max_label` characters. SVG and PNG are DOT rendered by Graphviz's `dot`.
//!
//! Escaping: every caption is a double-quoted DOT string. Inside one, `"` and `\`
//! are escaped, a line break becomes DOT's `\n`, `&` becomes `&amp;` (Graphviz
//! decodes HTML entities even in plain labels, so a literal `&lt;` would otherwise
//! print as `<`), and control characters, which Graphviz refuses, become U+FFFD.
//! `< > { } |` need nothing: they are special only in record shapes and HTML
//! labels, which this writer never uses for that reason.

use std::io::Write;
use std::process::{Command, Stdio};

use super::{ExportOptions, Format, Numbering, Subgraph, caption, io_err, truncate};
use crate::error::{Error, Result};
use crate::graph::{Graph, NodeId};

/// How a label is drawn: a Graphviz shape, a fill and a border colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub shape: &'static str,
    pub fill: &'static str,
    pub border: &'static str,
}

/// The labels of dossier's graph model, each drawn so it is told apart at a glance
/// (shape and hue both differ, for readers who do not see colour).
const KNOWN: &[(&str, Style)] = &[
    ("Person", style("ellipse", "#cfe2ff", "#1f5fbf")),
    ("Organisation", style("box", "#ffe0b3", "#c06000")),
    ("Place", style("house", "#d4f0d4", "#2e7d32")),
    ("Post", style("note", "#fff7c2", "#a08a00")),
    ("Event", style("octagon", "#f8c8c8", "#b71c1c")),
    ("Document", style("folder", "#e6e6e6", "#555555")),
    ("Hashtag", style("hexagon", "#ead7f7", "#6a1b9a")),
];

/// Styles for other labels, handed out in order of the label names.
const OTHERS: &[Style] = &[
    style("component", "#d0f4f7", "#00838f"),
    style("parallelogram", "#fde0ef", "#ad1457"),
    style("egg", "#e8f5c8", "#558b2f"),
    style("trapezium", "#ffe8d6", "#8d4e00"),
    style("tab", "#e0e0ff", "#303f9f"),
    style("box3d", "#f0f0d0", "#6d6d00"),
];

/// A node with no label.
const UNLABELLED: Style = style("circle", "#ffffff", "#888888");

const fn style(shape: &'static str, fill: &'static str, border: &'static str) -> Style {
    Style {
        shape,
        fill,
        border,
    }
}

/// Chooses each node's styling label and each label's style.
struct Palette<'g> {
    /// Labels present, sorted, with their style: the legend.
    styles: Vec<(&'g str, Style)>,
}

impl<'g> Palette<'g> {
    fn new(graph: &'g Graph, sub: &Subgraph) -> Palette<'g> {
        let mut present: Vec<&'g str> = Vec::new();
        let mut unlabelled = false;
        for n in &sub.nodes {
            match styling_label(graph, *n) {
                Some(l) => present.push(l),
                None => unlabelled = true,
            }
        }
        present.sort_unstable();
        present.dedup();
        let mut other = 0;
        let mut styles: Vec<(&str, Style)> = present
            .into_iter()
            .map(|l| match KNOWN.iter().find(|(k, _)| *k == l) {
                Some((_, s)) => (l, *s),
                None => {
                    let s = OTHERS[other % OTHERS.len()];
                    other += 1;
                    (l, s)
                }
            })
            .collect();
        if unlabelled {
            styles.push(("(no label)", UNLABELLED));
        }
        Palette { styles }
    }

    fn of(&self, graph: &Graph, n: NodeId) -> Style {
        styling_label(graph, n)
            .and_then(|l| self.styles.iter().find(|(k, _)| *k == l))
            .map_or(UNLABELLED, |(_, s)| *s)
    }
}

/// The label a node is drawn by: its first label of the model, else its first label.
fn styling_label(graph: &Graph, n: NodeId) -> Option<&str> {
    let labels = graph.node_labels(n);
    KNOWN
        .iter()
        .find(|(k, _)| labels.contains(k))
        .map(|(k, _)| *k)
        .or_else(|| labels.first().copied())
}

/// Writes the subgraph as DOT.
pub fn write(
    graph: &Graph,
    sub: &Subgraph,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<()> {
    super::buffered(out, |w| write_inner(graph, sub, opts, w))
}

fn write_inner(
    graph: &Graph,
    sub: &Subgraph,
    opts: &ExportOptions,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let palette = Palette::new(graph, sub);
    w.write_all(
        b"digraph dossier {\n  graph [charset=\"UTF-8\", rankdir=LR, fontname=\"Helvetica\", \
          fontsize=10];\n  node [style=filled, fontname=\"Helvetica\", fontsize=10];\n  \
          edge [fontname=\"Helvetica\", fontsize=8, color=\"#666666\"];\n",
    )?;
    if !palette.styles.is_empty() {
        w.write_all(
            b"  subgraph cluster_legend {\n    label=\"Legend\";\n    style=rounded;\n    \
              color=\"#999999\";\n",
        )?;
        for (i, (label, s)) in palette.styles.iter().enumerate() {
            write!(w, "    legend_{i} [label=\"")?;
            escape(w, label)?;
            write_style(w, s)?;
            w.write_all(b"];\n")?;
        }
        // Invisible edges stack the legend's entries in one column.
        if palette.styles.len() > 1 {
            w.write_all(b"    ")?;
            for i in 0..palette.styles.len() {
                if i > 0 {
                    w.write_all(b" -> ")?;
                }
                write!(w, "legend_{i}")?;
            }
            w.write_all(b" [style=invis];\n")?;
        }
        w.write_all(b"  }\n")?;
    }
    for (i, n) in sub.nodes.iter().enumerate() {
        write!(w, "  n{i} [label=\"")?;
        escape(w, &truncate(&caption(graph, *n), opts.max_label))?;
        write_style(w, &palette.of(graph, *n))?;
        w.write_all(b"];\n")?;
    }
    let numbering = Numbering::new(sub);
    for r in &sub.rels {
        let (s, e) = numbering
            .ends(graph, *r)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        write!(w, "  n{s} -> n{e} [label=\"")?;
        escape(
            w,
            &truncate(graph.rel_type(*r).unwrap_or(""), opts.max_label),
        )?;
        w.write_all(b"\"];\n")?;
    }
    w.write_all(b"}\n")
}

/// Closes a `label="…` and adds the style attributes.
fn write_style(w: &mut dyn Write, s: &Style) -> std::io::Result<()> {
    write!(
        w,
        "\", shape={}, fillcolor=\"{}\", color=\"{}\"",
        s.shape, s.fill, s.border
    )?;
    if s.shape == "box" {
        w.write_all(b", style=\"filled,rounded\"")?;
    }
    Ok(())
}

/// Writes `s` as the inside of a double-quoted DOT string (see the module doc).
pub fn escape(w: &mut dyn Write, s: &str) -> std::io::Result<()> {
    let mut buf = [0u8; 4];
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => w.write_all(b"\\\"")?,
            '\\' => w.write_all(b"\\\\")?,
            '&' => w.write_all(b"&amp;")?,
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    w.write_all(b"\\n")?;
                }
            }
            '\n' => w.write_all(b"\\n")?,
            '\t' => w.write_all(b" ")?,
            c if c.is_control() => w.write_all("\u{FFFD}".as_bytes())?,
            c => w.write_all(c.encode_utf8(&mut buf).as_bytes())?,
        }
    }
    Ok(())
}

/// Renders DOT text to SVG or PNG with Graphviz's `dot`. Warnings `dot` prints are
/// passed on to standard error; a failure is an error with what `dot` said.
pub fn render(dot_text: &[u8], format: Format, out: &mut dyn Write) -> Result<()> {
    let kind = match format {
        Format::Svg => "-Tsvg",
        Format::Png => "-Tpng",
        other => return Err(crate::errinternal!("cannot render {other:?} with Graphviz")),
    };
    let mut child = Command::new("dot")
        .arg(kind)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::Input(NO_GRAPHVIZ.into())
            } else {
                Error::io("cannot run Graphviz's dot", e)
            }
        })?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| crate::errinternal!("dot's standard input is not piped"))?;
    // Feed dot from another thread: dot may fill its output pipe before it has
    // read all its input, and one thread doing both would deadlock.
    let input = dot_text.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let output = child
        .wait_with_output()
        .map_err(|e| Error::io("cannot run Graphviz's dot", e))?;
    let fed = feeder
        .join()
        .map_err(|_| crate::errinternal!("the thread feeding dot panicked"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(Error::Input(format!(
            "Graphviz's dot failed ({}): {}",
            output.status,
            stderr.trim()
        )));
    }
    fed.map_err(|e| Error::io("cannot feed Graphviz's dot", e))?;
    if !stderr.trim().is_empty() {
        eprintln!("dot: {}", stderr.trim());
    }
    out.write_all(&output.stdout).map_err(io_err)
}

/// What to say when `dot` is not installed.
pub const NO_GRAPHVIZ: &str = "SVG and PNG are drawn by Graphviz's `dot`, which was not found \
on PATH. Install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`; Fedora: `sudo dnf \
install graphviz`; macOS: `brew install graphviz`; Windows: `winget install graphviz`), or export \
with --format dot and render the file elsewhere.";

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut v = Vec::new();
        let _ = escape(&mut v, s);
        String::from_utf8_lossy(&v).into_owned()
    }

    #[test]
    fn escapes_quotes_backslashes_and_breaks() {
        assert_eq!(esc(r#"a "b" \c"#), r#"a \"b\" \\c"#);
        assert_eq!(esc("x\ny\r\nz\rw"), r"x\ny\nz\nw");
        assert_eq!(esc("<b>{x}|y"), "<b>{x}|y");
        assert_eq!(esc("AT&T &lt;"), "AT&amp;T &amp;lt;");
        assert_eq!(esc("a\u{0}b\u{7f}"), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(esc("حلب 🇸🇾"), "حلب 🇸🇾");
        // A trailing backslash must not escape the closing quote.
        assert_eq!(esc("end\\"), "end\\\\");
    }
}
