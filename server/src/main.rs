#[tokio::main]
async fn main() -> anyhow::Result<()> {
    anlan_server::cli::main().await
}
