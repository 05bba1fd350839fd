//! Fuzz the merge with damaged changes on stable Rust.
//!
//! ```sh
//! cargo run -p anlan-tests --bin fuzz -- --target judge --seconds 600 --save /tmp/fuzz
//! cargo run -p anlan-tests --bin fuzz -- --target sync --seconds 120
//! ```
//!
//! The command supervises a worker (this binary with `--worker`) that runs the cases and says
//! which one it starts before it starts it. A panic Automerge raises is contained in the worker
//! and counted; a case that kills the worker outright (an abort, a stack overflow — no
//! unwinding to catch) is reported with its index and saved, and a new worker carries on after
//! it. The last line is the summary: executions, contained panics, escaped panics, aborts, and
//! the changes the merge refused because Automerge would store them under another hash.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anlan_tests::fuzz::sync_target::SyncTarget;
use anlan_tests::fuzz::{self, Corpus, FuzzCase, Outcome, PANICS};
use clap::Parser;

#[derive(Parser, Debug, Clone)]
struct Args {
    /// `judge`: the merge's handling of a device's bytes, in process (fast). `sync`: whole
    /// sync requests to a real server over HTTP.
    #[arg(long, default_value = "judge")]
    target: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Stop after this many cases...
    #[arg(long, default_value_t = u64::MAX)]
    iterations: u64,
    /// ...or after this long, whichever comes first.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// `sync` only: sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Where to write cases that panicked or aborted (as JSON), one file each, first 20 kinds.
    #[arg(long)]
    save: Option<PathBuf>,
    #[arg(long, hide = true)]
    worker: bool,
    #[arg(long, hide = true, default_value_t = 0)]
    from: u64,
    /// Abort the worker when it reaches this case: shows that an abort is reported and the
    /// run carries on after it (the harness's own test).
    #[arg(long, hide = true)]
    abort_at: Option<u64>,
}

/// The corpus of the in-process target: a fixed actor, so a case is reproducible by index.
fn judge_corpus() -> Corpus {
    Corpus::new(fuzz::fuzz_actor(), fuzz::FUZZ_REPORTER)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.worker { worker(&args) } else { supervise(&args) }
}

fn supervise(args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let (mut execs, mut contained, mut escaped, mut aborts, mut from) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut reencoded = 0u64;
    let mut kinds: Vec<String> = Vec::new();
    while from < args.iterations && Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now()).as_secs().max(1);
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--worker", "--target", &args.target, "--backend", &args.backend])
            .args(["--seed", &args.seed.to_string(), "--from", &from.to_string()])
            .args(["--iterations", &args.iterations.to_string(), "--seconds", &left.to_string()])
            .args(args.save.iter().flat_map(|p| ["--save".into(), p.display().to_string()]))
            .args(args.abort_at.iter().flat_map(|n| ["--abort-at".into(), n.to_string()]))
            .stdout(Stdio::piped())
            .spawn()?;
        let mut last = None;
        let mut finished = false;
        for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
            let line = line?;
            let mut words = line.splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("run"), Some(i), _) => last = i.parse::<u64>().ok(),
                (Some("panic"), Some(_), Some(msg)) => {
                    if !kinds.iter().any(|k| k == msg) {
                        println!("contained panic (new kind): {msg}");
                        kinds.push(msg.to_string());
                    }
                }
                (Some("escaped"), Some(i), Some(msg)) => println!("ESCAPED at case {i}: {msg}"),
                (Some("done"), Some(counts), _) => {
                    let n: Vec<u64> = counts.split(',').filter_map(|x| x.parse().ok()).collect();
                    if let [e, c, x, r] = n[..] {
                        (execs, contained, escaped) = (execs + e, contained + c, escaped + x);
                        reencoded += r;
                    }
                    finished = true;
                }
                _ => println!("{line}"),
            }
        }
        let status = child.wait()?;
        if finished && status.success() {
            break;
        }
        let at = last.unwrap_or(from);
        aborts += 1;
        println!("ABORT at case {at}: the worker died ({status}) without unwinding");
        if let (Some(dir), "judge") = (&args.save, args.target.as_str()) {
            let case = judge_corpus().case(args.seed, at);
            save(dir, &format!("abort-{}-{at}", args.seed), &case, "the process aborted")?;
        }
        // Counts of the dead worker are lost but for the case that killed it.
        execs += at.saturating_sub(from) + 1;
        from = at + 1;
    }
    println!(
        "target {} seed {}: {execs} executions in {:.1} s, {contained} contained panics ({} kinds), \
         {escaped} escaped, {aborts} aborts, {reencoded} refused as re-encoding",
        args.target,
        args.seed,
        started.elapsed().as_secs_f64(),
        kinds.len()
    );
    anyhow::ensure!(escaped == 0 && aborts == 0, "the merge let a panic or an abort through");
    Ok(())
}

fn worker(args: &Args) -> anyhow::Result<()> {
    fuzz::count_panics();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let out = std::io::stdout();
    let mut kinds: Vec<String> = Vec::new();
    let (mut execs, mut escaped, mut reencoded) = (0u64, 0u64, 0u64);
    let mut note = |i: u64, outcome: &Outcome, case: &FuzzCase| -> anyhow::Result<()> {
        if let (Outcome::Reencoded, Some(dir)) = (outcome, &args.save)
            && reencoded == 0
        {
            save(dir, &format!("reencoded-{}-{i}", args.seed), case, "encodes to another hash")?;
        }
        reencoded += u64::from(matches!(outcome, Outcome::Reencoded));
        if let Outcome::Contained(msg) = outcome {
            let kind = kind_of(msg);
            if !kinds.contains(&kind) && kinds.len() < 20 {
                writeln!(out.lock(), "panic {i} {kind}")?;
                if let Some(dir) = &args.save {
                    save(dir, &format!("panic-{}-{i}", args.seed), case, &kind)?;
                }
                kinds.push(kind);
            }
        }
        Ok(())
    };
    match args.target.as_str() {
        "judge" => {
            let corpus = judge_corpus();
            let mut i = args.from;
            while i < args.iterations && (!i.is_multiple_of(64) || Instant::now() < deadline) {
                let case = corpus.case(args.seed, i);
                writeln!(out.lock(), "run {i}")?;
                if args.abort_at == Some(i) {
                    std::process::abort();
                }
                match std::panic::catch_unwind(|| fuzz::judge(&corpus, &case)) {
                    Ok(outcome) => note(i, &outcome, &case)?,
                    Err(p) => {
                        escaped += 1;
                        let msg = anlan_server::merge::contain::panic_message(p.as_ref());
                        writeln!(out.lock(), "escaped {i} {msg}")?;
                    }
                }
                execs += 1;
                i += 1;
            }
        }
        "sync" => {
            let backend = match args.backend.as_str() {
                "postgres" => anlan_tests::Backend::Postgres,
                _ => anlan_tests::Backend::Sqlite,
            };
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                let mut target = SyncTarget::start(backend).await?;
                let mut i = args.from;
                while i < args.iterations && Instant::now() < deadline {
                    let case = target.corpus.case(args.seed, i);
                    if let Some(dir) = &args.save {
                        save(dir, "current-sync-case", &case, "")?;
                    }
                    writeln!(out.lock(), "run {i}")?;
                    if let Err(e) = target.run(&case, args.seed ^ i).await {
                        escaped += 1;
                        writeln!(out.lock(), "escaped {i} {}", format!("{e:#}").replace('\n', " "))?;
                    }
                    execs += 1;
                    i += 1;
                }
                anyhow::Ok(())
            })?;
        }
        other => anyhow::bail!("unknown target {other}: judge or sync"),
    }
    let contained = PANICS.load(std::sync::atomic::Ordering::Relaxed);
    writeln!(out.lock(), "done {execs},{contained},{escaped},{reencoded}")?;
    Ok(())
}

/// A case as JSON: `{"on_created": bool, "changes": ["hex", …], "found": what it did}`.
fn save(dir: &std::path::Path, name: &str, case: &FuzzCase, found: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::json!({
        "found": found,
        "on_created": case.on_created,
        "changes": case.changes.iter().map(hex::encode).collect::<Vec<_>>(),
    });
    std::fs::write(dir.join(format!("{name}.json")), serde_json::to_vec_pretty(&json)?)?;
    Ok(())
}

/// A panic message without the hashes and numbers that make each occurrence unique.
fn kind_of(msg: &str) -> String {
    let line = msg.lines().next().unwrap_or_default();
    let mut out = String::with_capacity(line.len());
    for word in line.split_inclusive(|c: char| !c.is_ascii_alphanumeric()) {
        let (core, tail) = word.split_at(word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).len());
        let numeric = !core.is_empty() && core.chars().all(|c| c.is_ascii_digit());
        let hash = core.len() >= 16 && core.chars().all(|c| c.is_ascii_hexdigit());
        out.push_str(if numeric || hash { "N" } else { core });
        out.push_str(tail);
    }
    out
}
