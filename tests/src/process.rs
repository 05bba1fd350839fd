//! The server as a separate OS process, for tests that must kill it or run several.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct ServerProcess {
    pub url: String,
    child: Child,
}

impl ServerProcess {
    /// Start `anlan serve` on a free port against `database_url`; returns once it listens.
    pub fn start(bin: &str, database_url: &str) -> ServerProcess {
        Self::start_with_env(bin, database_url, &HashMap::new())
    }

    /// The same, with `env` (`ANLAN_*` settings: the channels, the delivery lease…).
    pub fn start_with_env(bin: &str, database_url: &str, env: &HashMap<String, String>) -> ServerProcess {
        let mut child = Command::new(bin)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                database_url,
                "--static-dir",
                "/nonexistent",
            ])
            .env("RUST_LOG", "warn")
            .envs(env)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server binary");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.to_string());
                }
            }
        });
        let url = rx.recv_timeout(Duration::from_secs(30)).expect("the server announces its address");
        ServerProcess { url, child }
    }

    /// The server's process id (for `perf record -p`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's peak resident set (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// CPU seconds (user + system) the process has used so far.
    pub fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds_of(self.child.id())
    }

    /// What the process has asked of the kernel so far, all threads together.
    pub fn counts(&self) -> Option<Counts> {
        Counts::of(self.child.id())
    }

    /// SIGKILL: no shutdown, no flush, as a power cut or the OOM killer would.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// CPU seconds (user + system) process `pid` has used so far: any process, a PostgreSQL backend
/// as well as a server.
pub fn cpu_seconds_of(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Counts that, unlike CPU time, do not move with the machine's speed: the same work asks for
/// the same reads, writes and thread hand-offs on a fast machine and a slow one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Read and write system calls of every kind (`/proc/PID/io` syscr, syscw): the
    /// database's page reads and log writes, and the sockets' too, which cost the same per sync
    /// at any database size.
    pub reads: u64,
    pub writes: u64,
    /// Bytes they moved (rchar, wchar), from the page cache or the disk alike.
    pub read_bytes: u64,
    pub written_bytes: u64,
    /// Bytes the reads had to fetch from the disk (`read_bytes`): pages the kernel's cache did
    /// not hold. Where the kernel reclaims idle memory (DAMON on some VMs pages out what nobody
    /// touched for a minute), a large database is often cold, so a slow sync may be waiting.
    pub fetched_bytes: u64,
    /// Context switches summed over the live threads (`/proc/PID/task/*/status`): voluntary
    /// ones are mostly a thread waiting for another (a statement handed to SQLite's thread).
    pub voluntary: u64,
    pub involuntary: u64,
}

impl Counts {
    pub fn of(pid: u32) -> Option<Counts> {
        let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
        let field = |name: &str| -> Option<u64> {
            io.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(": ")?.trim().parse().ok())
        };
        let mut c = Counts {
            reads: field("syscr")?,
            writes: field("syscw")?,
            read_bytes: field("rchar")?,
            written_bytes: field("wchar")?,
            fetched_bytes: field("read_bytes")?,
            ..Counts::default()
        };
        for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
            let Ok(status) = std::fs::read_to_string(task.path().join("status")) else { continue };
            for l in status.lines() {
                let n = |p: &str| l.strip_prefix(p).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(0);
                c.voluntary += n("voluntary_ctxt_switches:");
                c.involuntary += n("nonvoluntary_ctxt_switches:");
            }
        }
        Some(c)
    }

    /// What happened between `self` and `later`, per `n` units of work.
    pub fn per(&self, later: &Counts, n: usize) -> String {
        let d = |a: u64, b: u64| b.saturating_sub(a) as f64 / n.max(1) as f64;
        format!(
            "{:.1} reads ({:.1} KiB, {:.1} KiB of it from the disk), {:.1} writes ({:.1} KiB), {:.1} voluntary and {:.1} involuntary switches",
            d(self.reads, later.reads),
            d(self.read_bytes, later.read_bytes) / 1024.0,
            d(self.fetched_bytes, later.fetched_bytes) / 1024.0,
            d(self.writes, later.writes),
            d(self.written_bytes, later.written_bytes) / 1024.0,
            d(self.voluntary, later.voluntary),
            d(self.involuntary, later.involuntary),
        )
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
