//! Every example in docs/guide.md is a test. The `dossier>` examples: the sample
//! article is ingested into an empty store, the examples run in order through the
//! shell, and their output must match the page (`UPDATE_GOLDENFILES=1` rewrites the
//! outputs in the page; review the diff as with any golden file). Then the page's
//! `sh` commands run, in order, in the folder the shell wrote its files to, with
//! the real binary: each must succeed, the picture must come out as SVG, and the
//! command-line export must write the same file as the shell's `:export`.

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
        let run = input.replace(" aleppo.", &format!(" {}/aleppo.", files.display()));
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
    run_commands(&page, files.path());
}

/// The commands of the page's `sh` blocks, continuation lines (`\`) joined.
fn commands(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut cur = String::new();
    for line in page.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => cur.push_str(part),
            None => {
                cur.push_str(line);
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    out
}

/// Runs the page's shell commands in `dir` (where the shell examples wrote their
/// files), `dossier` being the binary under test.
fn run_commands(page: &str, dir: &Path) {
    let shell_dot = std::fs::read(dir.join("aleppo.dot")).unwrap_or_default();
    assert!(!shell_dot.is_empty(), ":export wrote no aleppo.dot");
    let shell_svg = std::fs::read_to_string(dir.join("aleppo.svg")).unwrap_or_default();
    assert!(shell_svg.contains("<svg"), ":export svg wrote no picture");
    let _ = std::fs::remove_file(dir.join("aleppo.svg"));
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    if let Err(e) = std::os::unix::fs::symlink(&seeds, dir.join("seeds")) {
        panic!("cannot link seeds/: {e}");
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_dossier"));
    let path = format!(
        "{}:{}",
        bin.parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        std::env::var("PATH").unwrap_or_default()
    );
    let cmds = commands(page);
    assert!(cmds.len() >= 3, "the page's commands: {cmds:?}");
    for cmd in cmds {
        // The test has its binary already; building a release one would take minutes.
        if cmd.trim() == "cargo build --release" {
            continue;
        }
        let cmd = cmd.replace("./target/release/dossier", "dossier");
        // The command-line export must write the file itself, not find the shell's.
        if cmd.contains(" export ") {
            let _ = std::fs::remove_file(dir.join("aleppo.dot"));
        }
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .current_dir(dir)
            .env("PATH", &path)
            .env_remove("DOSSIER_DB")
            .stdin(std::process::Stdio::null())
            .output();
        let out = match out {
            Ok(o) => o,
            Err(e) => panic!("cannot run {cmd:?}: {e}"),
        };
        assert!(
            out.status.success(),
            "{cmd:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let svg = std::fs::read_to_string(dir.join("aleppo.svg")).unwrap_or_default();
    assert!(svg.contains("<svg"), "no picture in aleppo.svg");
    let cli_dot = std::fs::read(dir.join("aleppo.dot")).unwrap_or_default();
    assert!(
        cli_dot == shell_dot,
        "`dossier export` and `:export` wrote different DOT files:\n{}\n---\n{}",
        String::from_utf8_lossy(&cli_dot),
        String::from_utf8_lossy(&shell_dot)
    );
}
