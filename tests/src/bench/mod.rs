//! What the benchmark binaries (loadgen, sweepbench) share: running once per backend with the
//! server in its own process, and a county-sized roster of villages with one officer's phone each.

pub mod perf;

use anlan_server::store::{NewUser, SqlStore};

use crate::{Backend, TestDb};

/// The bench's entry point. Re-executed as `<bin> serve …` (by [`crate::ServerProcess`]) the
/// binary is the server under test, so its CPU time and peak RSS are its own; otherwise it parses
/// `A` and runs `bench` on each backend `backend` names: sqlite, postgres, or anything else for both.
pub fn main<A: clap::Parser>(
    backend: fn(&A) -> &str,
    bench: impl AsyncFn(&A, Backend) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("serve") {
        return tokio::runtime::Runtime::new()?.block_on(anlan_server::cli::main());
    }
    let args = A::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let backends = match backend(&args) {
            "sqlite" => vec![Backend::Sqlite],
            "postgres" => vec![Backend::Postgres],
            _ => vec![Backend::Sqlite, Backend::Postgres],
        };
        for b in backends {
            bench(&args, b).await?;
        }
        Ok(())
    })
}

/// The demo hierarchy plus `villages` villages under 永安市, VILLAGES_PER_TOWNSHIP per township,
/// each with one village officer (`{user_prefix}{i}`) and a phone: (device token, village code).
pub async fn villages(
    db: &TestDb,
    villages: usize,
    user_prefix: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    const VILLAGES_PER_TOWNSHIP: usize = 20;
    let store = SqlStore::connect(&db.url).await?;
    anlan_server::demo::seed(&store).await?;
    let mut out = Vec::with_capacity(villages);
    for i in 0..villages {
        let township = format!("350481{:03}", 200 + i / VILLAGES_PER_TOWNSHIP);
        if i % VILLAGES_PER_TOWNSHIP == 0 {
            let name = format!("压测镇{}", i / VILLAGES_PER_TOWNSHIP);
            store.create_unit(&township, &name, "township", Some("350481")).await?;
        }
        let village = format!("{township}{:03}", i % VILLAGES_PER_TOWNSHIP);
        store.create_unit(&village, &format!("压测村{i}"), "village", Some(&township)).await?;
        let user = format!("{user_prefix}{i}");
        let role = "village_officer".into();
        let name = format!("信息员{i}");
        store
            .create_user(&NewUser { id: user.clone(), name, phone: None, role, unit_code: village.clone() })
            .await?;
        out.push((store.issue_device(&user, "phone", None).await?.token, village));
    }
    store.close().await;
    Ok(out)
}
