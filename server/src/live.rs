//! "The feed advanced" notices for online clients.
//!
//! Within one process a broadcast channel carries them. With PostgreSQL every commit also does
//! `pg_notify('anlan_feed', …)` inside its transaction, and every replica LISTENs and rebroadcasts
//! locally, so a client connected to any replica hears about a commit made on any other.

use tokio::sync::broadcast;

#[derive(Debug, Clone)]
pub struct FeedNotice {
    pub cursor: i64,
    /// Unit paths of the documents that changed; a listener passes the notice on only if one
    /// lies in its jurisdiction.
    pub paths: Vec<String>,
}

#[derive(Clone)]
pub struct LiveHub {
    tx: broadcast::Sender<FeedNotice>,
    /// With PostgreSQL, local commits are heard back through LISTEN like remote ones, so they
    /// are not also sent directly (that would notify twice).
    via_database: bool,
}

impl LiveHub {
    pub fn new(via_database: bool) -> Self {
        Self { tx: broadcast::channel(1024).0, via_database }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<FeedNotice> {
        self.tx.subscribe()
    }

    pub fn committed(&self, cursor: i64, paths: Vec<String>) {
        if !self.via_database && !paths.is_empty() {
            self.publish(FeedNotice { cursor, paths });
        }
    }

    pub fn publish(&self, n: FeedNotice) {
        let _ = self.tx.send(n); // no listeners is fine
    }
}

/// `cursor|path,path,…`, kept under PostgreSQL's 8,000-byte NOTIFY limit: past it the paths
/// collapse to the root, which only makes more clients check in.
pub fn encode_notice(cursor: i64, paths: &[String]) -> String {
    let mut uniq: Vec<&str> = paths.iter().map(String::as_str).collect();
    uniq.sort_unstable();
    uniq.dedup();
    let joined = uniq.join(",");
    if joined.len() > 7_000 { format!("{cursor}|/") } else { format!("{cursor}|{joined}") }
}

pub fn decode_notice(s: &str) -> Option<FeedNotice> {
    let (cursor, paths) = s.split_once('|')?;
    Some(FeedNotice { cursor: cursor.parse().ok()?, paths: paths.split(',').map(str::to_string).collect() })
}

/// Relay PostgreSQL notifications into the local hub until `shutdown`. Reconnects on error.
pub async fn listen_postgres(url: String, hub: LiveHub, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            Err(e) = relay(&url, &hub) => tracing::warn!(error = %e, "feed listener stopped; reconnecting"),
            _ = shutdown.changed() => return,
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Runs until the connection fails; it has no other way to end.
async fn relay(url: &str, hub: &LiveHub) -> Result<std::convert::Infallible, sqlx::Error> {
    let mut l = sqlx::postgres::PgListener::connect(url).await?;
    l.listen("anlan_feed").await?;
    loop {
        if let Some(notice) = decode_notice(l.recv().await?.payload()) {
            hub.publish(notice);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_round_trips_and_stays_small() {
        let n = decode_notice(&encode_notice(7, &["/a/b/".into(), "/a/b/".into(), "/a/c/".into()])).unwrap();
        assert_eq!(n.cursor, 7);
        assert_eq!(n.paths, vec!["/a/b/", "/a/c/"]);
        let many: Vec<String> = (0..1000).map(|i| format!("/350400/350481/{i:09}/")).collect();
        assert_eq!(encode_notice(9, &many), "9|/");
    }
}
