//! Prometheus text metrics, counted with atomics: a handful of numbers does not need a crate.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Counter(AtomicU64);

#[derive(Default)]
pub struct Gauge(AtomicU64);

impl Gauge {
    pub fn set(&self, v: u64) {
        self.0.store(v, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Counter {
    pub fn inc(&self) {
        self.add(1);
    }
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Sync latency buckets in seconds.
const BUCKETS: [f64; 8] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    pub sync_requests: Counter,
    pub sync_errors: Counter,
    pub changes_accepted: Counter,
    pub docs_rejected: Counter,
    pub need_changes: Counter,
    pub live_connections: Counter,
    pub backups_written: Counter,
    pub backup_failures: Counter,
    /// When the last scheduled backup was written (Unix ms); 0 before the first.
    pub last_backup_ms: Gauge,
    /// Sends, failures and cost per delivery channel.
    pub channels: crate::channels::ChannelMetrics,
    /// SMS held back by the per-person hourly cap, and by the daily budget.
    pub sms_capped: Counter,
    pub sms_over_budget: Counter,
    sync_micros_sum: Counter,
    sync_buckets: [Counter; 8],
}

impl Metrics {
    pub fn observe_sync(&self, secs: f64) {
        self.sync_micros_sum.add((secs * 1e6) as u64);
        for (b, le) in self.sync_buckets.iter().zip(BUCKETS) {
            if secs <= le {
                b.inc();
            }
        }
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let counters = [
            ("anlan_sync_requests_total", "Sync requests answered", &self.sync_requests),
            ("anlan_sync_errors_total", "Sync requests that failed as a whole", &self.sync_errors),
            ("anlan_changes_accepted_total", "Changes durably stored", &self.changes_accepted),
            ("anlan_docs_rejected_total", "Pushed documents rejected and quarantined", &self.docs_rejected),
            ("anlan_need_changes_total", "Pushed documents answered need_changes", &self.need_changes),
            ("anlan_sms_capped_total", "SMS held back by the per-person hourly cap", &self.sms_capped),
            ("anlan_sms_over_budget_total", "SMS held back by the daily budget", &self.sms_over_budget),
            ("anlan_live_connections_total", "Live (SSE) connections opened", &self.live_connections),
            ("anlan_backups_written_total", "Scheduled backups written", &self.backups_written),
            ("anlan_backup_failures_total", "Scheduled backups that failed", &self.backup_failures),
        ];
        for (name, help, c) in counters {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", c.get());
        }
        let name = "anlan_sync_duration_seconds";
        let _ = writeln!(s, "# HELP {name} Time to answer a sync request\n# TYPE {name} histogram");
        for (b, le) in self.sync_buckets.iter().zip(BUCKETS) {
            let _ = writeln!(s, "{name}_bucket{{le=\"{le}\"}} {}", b.get());
        }
        let count = self.sync_requests.get();
        let _ = writeln!(s, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(s, "{name}_sum {}", self.sync_micros_sum.get() as f64 / 1e6);
        let _ = writeln!(s, "{name}_count {count}");
        if self.last_backup_ms.get() > 0 {
            let name = "anlan_backup_last_success_timestamp_seconds";
            let v = self.last_backup_ms.get() as f64 / 1e3;
            let _ = writeln!(
                s,
                "# HELP {name} When the last scheduled backup was written\n# TYPE {name} gauge\n{name} {v}"
            );
        }
        s.push_str(&self.channels.render());
        s
    }
}

/// The data disk and storage errors (see [`crate::store::Space`]).
pub fn render_space(space: &crate::store::Space) -> String {
    let mut s = String::new();
    let refusing = space.refusal().is_some() as u8;
    let gauge = |s: &mut String, name: &str, help: &str, v: String| {
        let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
    };
    if let Some(free) = space.free() {
        gauge(
            &mut s,
            "anlan_storage_free_bytes",
            "Bytes available on the data filesystem",
            free.available.to_string(),
        );
        gauge(
            &mut s,
            "anlan_storage_size_bytes",
            "Size of the data filesystem in bytes",
            free.total.to_string(),
        );
    }
    gauge(
        &mut s,
        "anlan_storage_writes_refused",
        "1 while pushes and uploads are refused for want of space",
        refusing.to_string(),
    );
    for (name, help, v) in [
        ("anlan_storage_errors_total", "Writes that failed in the database", space.errors()),
        ("anlan_storage_refusals_total", "Writes refused for want of space", space.refused()),
    ] {
        let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
    }
    s
}
