//! `perf record` around one phase of a benchmark, attached to the server process only, so the
//! profile shows where the server's CPU goes and none of the generator's (BENCHMARKS.md, "The
//! merge path near its floor").

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `perf record -p <pid>`; [`Recording::finish`] stops it and waits for the file.
pub struct Recording {
    child: Child,
    out: PathBuf,
}

impl Recording {
    /// Sample `pid` at 499 Hz with DWARF call graphs: release builds keep no frame pointers,
    /// and the line tables (`[profile.release] debug`) let `perf report` name inlined frames.
    pub fn start(pid: u32, out: &Path) -> anyhow::Result<Recording> {
        let child = Command::new("perf")
            .args(["record", "-q", "-F", "499", "--call-graph", "dwarf,16384", "-p"])
            .arg(pid.to_string())
            .arg("-o")
            .arg(out)
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("perf record does not start ({e}); is linux-perf installed?"))?;
        // perf needs a moment to attach to every thread before the phase begins.
        std::thread::sleep(Duration::from_millis(500));
        Ok(Recording { child, out: out.to_path_buf() })
    }

    /// SIGINT (perf's "stop and write"), then wait for it to finish the file.
    pub fn finish(mut self) -> anyhow::Result<PathBuf> {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status()?;
        anyhow::ensure!(status.success(), "could not signal perf");
        let status = self.child.wait()?;
        // perf re-raises the SIGINT it stopped on once the file is written.
        let stopped = status.success() || status.code() == Some(130) || status.signal() == Some(2);
        anyhow::ensure!(stopped, "perf record failed: {status}");
        println!("perf profile written to {} (perf report -i …)", self.out.display());
        Ok(self.out)
    }
}
