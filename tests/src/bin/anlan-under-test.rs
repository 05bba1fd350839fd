//! The `anlan` binary, rebuilt inside this package so integration tests can start it as a real
//! process (to kill it with SIGKILL, or run two replicas) via `CARGO_BIN_EXE_anlan-under-test`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    anlan_server::cli::main().await
}
