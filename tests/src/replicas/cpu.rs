//! Where the CPU went during a phase. The machine is shared (other engineers build on it, and
//! PostgreSQL runs on the same two cores), so a phase's wall time alone says little: CPU seconds
//! per source, read from /proc before and after, say which part each took.

use std::collections::HashMap;

use crate::ServerProcess;
use crate::process::cpu_seconds_of;

/// Jiffies per second in /proc (USER_HZ, 100 on Linux).
const HZ: f64 = 100.0;

/// CPU seconds used so far by each source.
pub struct Sample {
    replicas: Vec<f64>,
    /// Backends of the benchmark's database, by pid (a backend opened meanwhile counts from 0).
    backends: HashMap<u32, f64>,
    /// PostgreSQL's shared processes: WAL writer, checkpointer, background writer, autovacuum.
    /// They also serve anyone else's databases, but during the burst they work mostly for it.
    auxiliary: HashMap<u32, f64>,
    generator: f64,
    /// Busy CPU seconds of the whole machine, everyone included.
    machine: f64,
}

/// What a phase cost, in CPU seconds, and the load average around it.
pub struct Spent {
    pub replicas: Vec<f64>,
    pub backends: f64,
    pub auxiliary: f64,
    pub generator: f64,
    pub machine: f64,
    pub load_before: String,
    pub load_after: String,
}

impl Spent {
    pub fn servers(&self) -> f64 {
        self.replicas.iter().sum()
    }

    pub fn postgres(&self) -> f64 {
        self.backends + self.auxiliary
    }

    /// The machine's busy time that none of the benchmark's processes account for: other
    /// engineers' builds, and whatever else runs.
    pub fn others(&self) -> f64 {
        (self.machine - self.servers() - self.postgres() - self.generator).max(0.0)
    }
}

impl Sample {
    pub fn take(servers: &[ServerProcess], database: &str) -> Sample {
        let (backends, auxiliary) = postgres_processes(database);
        Sample {
            replicas: servers.iter().map(|s| s.cpu_seconds().unwrap_or(0.0)).collect(),
            backends,
            auxiliary,
            generator: cpu_seconds_of(std::process::id()).unwrap_or(0.0),
            machine: machine_busy_seconds().unwrap_or(0.0),
        }
    }

    pub fn since(&self, before: &Sample, load_before: String) -> Spent {
        let grown = |now: &HashMap<u32, f64>, then: &HashMap<u32, f64>| -> f64 {
            now.iter().map(|(pid, s)| s - then.get(pid).copied().unwrap_or(0.0)).sum()
        };
        Spent {
            replicas: self.replicas.iter().zip(&before.replicas).map(|(a, b)| a - b).collect(),
            backends: grown(&self.backends, &before.backends),
            auxiliary: grown(&self.auxiliary, &before.auxiliary),
            generator: self.generator - before.generator,
            machine: self.machine - before.machine,
            load_before,
            load_after: load_average(),
        }
    }
}

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// PostgreSQL's processes by their title (`postgres: 15/main: <user> <database> <client> …`, or
/// `postgres: 15/main: walwriter`): the backends of `database`, and the shared auxiliaries.
fn postgres_processes(database: &str) -> (HashMap<u32, f64>, HashMap<u32, f64>) {
    const AUXILIARY: [&str; 4] = ["walwriter", "checkpointer", "background writer", "autovacuum"];
    let (mut backends, mut auxiliary) = (HashMap::new(), HashMap::new());
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return (backends, auxiliary);
    };
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(title) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let title = String::from_utf8_lossy(&title).replace('\0', " ");
        if !title.starts_with("postgres: ") {
            continue;
        }
        let words: Vec<&str> = title.split_whitespace().collect();
        let into = if words.get(3) == Some(&database) {
            &mut backends
        } else if AUXILIARY.iter().any(|a| title.contains(a)) {
            &mut auxiliary
        } else {
            continue;
        };
        if let Some(s) = cpu_seconds_of(pid) {
            into.insert(pid, s);
        }
    }
    (backends, auxiliary)
}

/// Busy CPU seconds of the machine since boot: all time but idle and I/O wait, over all cores.
fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu: Vec<f64> =
        stat.lines().next()?.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    let total: f64 = cpu.iter().take(8).sum();
    let idle = cpu.get(3)? + cpu.get(4)?;
    Some((total - idle) / HZ)
}
