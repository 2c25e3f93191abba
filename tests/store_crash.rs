//! Crash test: the real binary commits transactions in a loop and is killed with
//! SIGKILL at seeded random moments (including mid-checkpoint: the child
//! checkpoints every few kilobytes). After every kill the store must open, pass the
//! same checks as `dossier check`, and hold every transaction the child reported
//! as committed (and nothing half-done).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use dossier::store::{OpenOptions, Store};
use dossier::value::Value;

const BIN: &str = env!("CARGO_BIN_EXE_dossier");
const ROUNDS: u32 = 50;

/// xorshift64*: a seeded generator, so a failing round can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Opens the store and checks it: every Tick 1..=n present once, chained by NEXT,
/// indexes consistent. Returns n.
fn verify(dir: &Path, round: u32) -> u64 {
    let s = match Store::open(dir, &OpenOptions { read_only: false }) {
        Ok(s) => s,
        Err(e) => panic!("round {round}: the store does not open after a kill: {e}"),
    };
    let g = s.graph();
    let problems = g.verify_indexes();
    assert!(problems.is_empty(), "round {round}: {problems:?}");
    let mut ks: Vec<i64> = g
        .nodes_with_label("Tick")
        .map(|id| match g.node_prop(id, "k") {
            Some(Value::Int(k)) => *k,
            other => panic!("round {round}: Tick without k: {other:?}"),
        })
        .collect();
    ks.sort();
    let n = ks.len() as u64;
    let want: Vec<i64> = (1..=n as i64).collect();
    assert_eq!(ks, want, "round {round}: ticks are not exactly 1..=n");
    assert_eq!(
        g.type_count("NEXT"),
        n.saturating_sub(1),
        "round {round}: a transaction was half applied"
    );
    n
}

#[test]
fn killing_the_writer_never_loses_a_reported_commit() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    let seed = std::env::var("DOSSIER_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_u64);
    let mut rng = Rng(seed);
    let mut reported_total = 0u64;
    let mut kills_after_commits = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(&dir)
            .args(["debug-write-loop", "--checkpoint-bytes", "3000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {BIN}: {e}"));
        // Between 0 and 60 ms: sometimes before the store is even open.
        std::thread::sleep(Duration::from_micros(rng.next() % 60_000));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let mut out = String::new();
        if let Some(mut o) = child.stdout.take() {
            let _ = o.read_to_string(&mut out);
        }
        let reported = out
            .lines()
            .filter_map(|l| l.strip_prefix("committed "))
            .filter_map(|k| k.trim().parse::<u64>().ok())
            .max();
        if let Some(k) = reported {
            reported_total = reported_total.max(k);
            kills_after_commits += 1;
        }
        let n = verify(&dir, round);
        assert!(
            n >= reported_total,
            "round {round} (seed {seed}): the child reported {reported_total} committed, the store holds {n}"
        );
        // The child may have committed one more than it managed to print.
        reported_total = n;
        if round % 10 == 9 {
            let st = Command::new(BIN)
                .arg("--db")
                .arg(&dir)
                .arg("check")
                .output()
                .unwrap_or_else(|e| panic!("run check: {e}"));
            assert!(
                st.status.success(),
                "round {round}: dossier check failed: {}",
                String::from_utf8_lossy(&st.stderr)
            );
        }
    }
    assert!(
        kills_after_commits >= 10,
        "only {kills_after_commits} rounds got as far as a commit: the test proves little"
    );
    assert!(reported_total > 0);
}
