//! The terminal loop around [`Shell`]: read lines with rustyline until a statement
//! is complete, run it, print. Deliberately thin: all behaviour worth testing is in
//! `Shell::execute` and the helper's plain functions; this file is exercised by the
//! pseudo-terminal tests (`tests/pty_repl.rs`).
//!
//! Keys: Enter runs the statement once it ends with `;` (else the continuation
//! prompt `   ...> ` waits for more); Ctrl-C cancels a running query (or
//! `:ingest`, or `:source`), clears a
//! non-empty line or unfinished statement, and on an empty line twice in a row
//! leaves; Ctrl-D leaves.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustyline::config::{Builder, ColorMode, CompletionType};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{
    Cmd, ConditionalEventHandler, Editor, Event, EventContext, EventHandler, KeyEvent, RepeatCount,
};

use crate::error::{Error, Result};
use crate::shell::helper::ShellHelper;
use crate::shell::{Output, Shell, scan};

pub const PROMPT: &str = "dossier> ";
pub const CONTINUATION: &str = "   ...> ";

/// Where history lives, if anywhere.
#[derive(Debug, Clone)]
pub struct ReplOptions {
    pub history: Option<PathBuf>,
}

/// Whether to colour output: standard output is a terminal and `NO_COLOR` is unset
/// (<https://no-color.org>: any non-empty value disables colour).
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The terminal's width in columns, if standard output is a terminal.
pub fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    // SAFETY: TIOCGWINSZ only writes a `winsize` into the struct we pass.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    if ok && ws.ws_col > 0 {
        return Some(ws.ws_col as usize);
    }
    std::env::var("COLUMNS").ok()?.parse().ok()
}

/// Records whether the line was empty when Ctrl-C was pressed (rustyline's
/// `Interrupted` does not say), then interrupts as usual.
struct CtrlC(Arc<AtomicBool>);

impl ConditionalEventHandler for CtrlC {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        self.0.store(ctx.line().is_empty(), Ordering::SeqCst);
        Some(Cmd::Interrupt)
    }
}

/// Runs the interactive loop until the user leaves. Returns the exit code (0).
pub fn run(shell: &mut Shell, opts: &ReplOptions) -> Result<i32> {
    let color = shell.settings.color;
    let config = Builder::new()
        .auto_add_history(false)
        .history_ignore_dups(true)
        .map_err(|e| Error::Internal(format!("history settings: {e}")))?
        .max_history_size(2000)
        .map_err(|e| Error::Internal(format!("history settings: {e}")))?
        .completion_type(CompletionType::List)
        .color_mode(if color {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .build();
    let mut ed: Editor<ShellHelper, FileHistory> = Editor::with_config(config)
        .map_err(|e| Error::Internal(format!("cannot start the line editor: {e}")))?;
    let helper = ShellHelper::new(color);
    let names = helper.names.clone();
    let params = helper.params.clone();
    let pending_lines = helper.pending.clone();
    ed.set_helper(Some(helper));
    let empty_at_ctrl_c = Arc::new(AtomicBool::new(false));
    ed.bind_sequence(
        KeyEvent::ctrl('C'),
        EventHandler::Conditional(Box::new(CtrlC(empty_at_ctrl_c.clone()))),
    );

    if let Some(path) = &opts.history
        && path.exists()
        && let Err(e) = ed.load_history(path)
    {
        eprintln!("warning: cannot read history {}: {e}", path.display());
    }
    shell.history = ed.history().iter().cloned().collect();

    // Ctrl-C while a query, ingest or script runs (the terminal is not in raw mode
    // then) arrives as SIGINT: cancel it, keep the shell. At the prompt, rustyline reads
    // Ctrl-C as a key instead.
    let cancel = shell.cancel_flag();
    if let Err(e) = ctrlc::set_handler(move || cancel.store(true, Ordering::SeqCst)) {
        eprintln!("warning: Ctrl-C will not cancel queries: {e}");
    }

    // Results print as each statement finishes (a long `:source` script shows
    // them as it goes); what `execute` returns then holds only the error.
    shell.set_stream(Some(Box::new(move |o: &Output| print_output(o, color))));

    println!("{}", shell.banner());
    let mut pending = String::new();
    let mut armed = false; // a first Ctrl-C on an empty prompt was pressed
    loop {
        names.borrow_mut().refresh(shell.store().graph());
        *params.borrow_mut() = shell.params().keys().cloned().collect();
        pending_lines.borrow_mut().clone_from(&pending);
        if shell.settings.auto_width {
            shell.settings.max_width = terminal_width();
        }
        let prompt = if pending.is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        let line = match ed.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                if !pending.is_empty() || !empty_at_ctrl_c.load(Ordering::SeqCst) {
                    pending.clear();
                    armed = false;
                } else if armed {
                    break;
                } else {
                    armed = true;
                    println!("(Ctrl-C again or Ctrl-D to leave)");
                }
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Error::Internal(format!("line editor: {e}"))),
        };
        armed = false;
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(&line);
        if !scan::is_complete(&pending) {
            continue;
        }
        let input = std::mem::take(&mut pending);
        if input.trim().is_empty() {
            continue;
        }
        if ed.add_history_entry(input.trim_end()).unwrap_or(false) {
            shell.history.push(input.trim_end().to_string());
        }
        let out = shell.execute(&input);
        print_output(&out, color);
        if out.quit {
            break;
        }
    }
    if let Some(path) = &opts.history
        && let Err(e) = ed.save_history(path)
    {
        eprintln!("warning: cannot save history {}: {e}", path.display());
    }
    Ok(0)
}

/// Prints an output at the terminal: results, then notes, then the error.
pub fn print_output(out: &Output, color: bool) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.out.as_bytes());
    for n in &out.notes {
        let _ = if color {
            writeln!(stdout, "\x1b[33mnote:\x1b[0m {n}")
        } else {
            writeln!(stdout, "note: {n}")
        };
    }
    let _ = stdout.flush();
    drop(stdout);
    if let Some(e) = out.error_text() {
        if color {
            eprintln!("\x1b[31m{e}\x1b[0m");
        } else {
            eprintln!("{e}");
        }
    }
}
