//! Every `dossier>` example in docs/guide.md is a test: the sample article is
//! ingested into an empty store, the examples run in order through the shell, and
//! their output must match the page. `UPDATE_GOLDENFILES=1` rewrites the outputs in
//! the page (review the diff as with any golden file).

mod common;

use std::path::Path;

use dossier::shell::{Settings, Shell};
use dossier::store::Store;

const PROMPT: &str = "dossier> ";
const MORE: &str = "   ...> ";

/// Runs the guide's examples and returns the page with fresh outputs.
fn run_guide(page: &str, files: &Path) -> String {
    let mut shell = Shell::new(Store::in_memory(), Settings::default());
    let mut out = String::new();
    let mut in_block = false;
    let mut lines = page.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line.starts_with("```") {
            in_block = line == "```text";
            continue;
        }
        let Some(first) = line.strip_prefix(PROMPT).filter(|_| in_block) else {
            continue;
        };
        let mut input = first.to_string();
        while let Some(more) = lines.peek().and_then(|l| l.strip_prefix(MORE)) {
            input.push('\n');
            input.push_str(more);
            out.push_str(lines.next().unwrap_or_default());
            out.push('\n');
        }
        // Files the examples write go to a temporary folder, named as in the page.
        let run = input.replace(
            " aleppo.dot",
            &format!(" {}", files.join("aleppo.dot").display()),
        );
        let o = shell.execute(&run);
        let mut answer = o.out.clone();
        for n in &o.notes {
            answer.push_str(&format!("note: {n}\n"));
        }
        if let Some(e) = o.error_text() {
            answer.push_str(&e);
            answer.push('\n');
        }
        out.push_str(&answer.replace(&format!("{}/", files.display()), ""));
        // Skip the page's old output, up to the next example or the block's end.
        while lines
            .peek()
            .is_some_and(|l| !l.starts_with(PROMPT) && !l.starts_with("```"))
        {
            lines.next();
        }
    }
    out
}

#[test]
fn guide_examples_match_the_page() {
    let page_path = Path::new("docs/guide.md");
    let page = match std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(page_path))
    {
        Ok(p) => p,
        Err(e) => panic!("cannot read docs/guide.md: {e}"),
    };
    let files = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot make a temp dir: {e}"),
    };
    let fresh = run_guide(&page, files.path());
    assert!(
        !fresh.contains("TODO(output)"),
        "every example prints something"
    );
    common::check_golden(page_path, &fresh);
}
