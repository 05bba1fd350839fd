//! `serve --cpus`: keep every thread of the server on some of the machine's CPUs.
//!
//! The server's threads (tokio's workers, each SQLite connection's thread) hand every statement
//! to one another. Across cores each hand-off wakes another CPU; confined to one core of a
//! two-core machine the burst spent 13–21% less CPU per case (BENCHMARKS.md, "The burst with the
//! server on one core"). It also caps the server at those cores, so it is a choice for a small
//! machine, never a default.

use std::fmt;

use rustix::thread::{CpuSet, Pid, sched_setaffinity};

/// CPU numbers as `0`, `0-1` or `0,2-3`: sorted, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuList(Vec<usize>);

impl std::str::FromStr for CpuList {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a CPU list like 0, 0-1 or 0,2-3");
        let number = |t: &str| t.trim().parse::<usize>().map_err(|_| bad());
        let mut cpus = Vec::new();
        for part in s.split(',') {
            let (lo, hi) = match part.split_once('-') {
                Some((lo, hi)) => (number(lo)?, number(hi)?),
                None => (number(part)?, number(part)?),
            };
            if lo > hi || hi >= CpuSet::MAX_CPU {
                return Err(bad());
            }
            cpus.extend(lo..=hi);
        }
        cpus.sort_unstable();
        cpus.dedup();
        Ok(CpuList(cpus))
    }
}

impl fmt::Display for CpuList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(usize::to_string).collect();
        f.write_str(&names.join(","))
    }
}

/// Every thread this process has now; the threads it starts later inherit the set from theirs.
pub fn confine(cpus: &CpuList) -> anyhow::Result<()> {
    let mut set = CpuSet::new();
    cpus.0.iter().for_each(|&c| set.set(c));
    for task in std::fs::read_dir("/proc/self/task")? {
        let tid: i32 = task?.file_name().to_string_lossy().parse()?;
        let Some(tid) = Pid::from_raw(tid) else { continue };
        match sched_setaffinity(Some(tid), &set) {
            Ok(()) => {}
            // The thread ended between the listing and now.
            Err(rustix::io::Errno::SRCH) => {}
            Err(e) => anyhow::bail!(
                "--cpus {cpus}: cannot keep the server's threads there ({e}); is each CPU online?"
            ),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_sorted_and_once_and_refuse_what_is_not_a_list() {
        let list = |s: &str| s.parse::<CpuList>();
        assert_eq!(list("0").unwrap().to_string(), "0");
        assert_eq!(list("2-3,0, 3").unwrap().to_string(), "0,2,3");
        for bad in ["", "a", "3-1", "-1", "0,", "99999"] {
            assert!(list(bad).is_err(), "{bad:?} accepted");
        }
    }
}
