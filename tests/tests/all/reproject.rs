//! `anlan reproject` rebuilds the projection from the log a page of documents at a time.

use anlan_tests::*;
use sqlx::Connection;
use sync_protocol::case::Severity;

async fn a_rebuild_in_pages_puts_back_what_the_log_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    for i in 0..7 {
        let c = officer.new_case(PUTOU, Severity::General, &format!("第{i}件纠纷"));
        officer.create(&c);
    }
    officer.sync().await.unwrap();
    let live = app.store.case_rows().await.unwrap();
    assert!(live.len() >= 7, "{} cases", live.len());

    // The projection drifts from the log: every title, and one row gone.
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
    sqlx::query("UPDATE cases SET title = 'stale', body = '{}'").execute(&mut db).await.unwrap();
    let gone = live[3].0;
    sqlx::query("DELETE FROM cases WHERE doc_id = $1").bind(gone.0.to_vec()).execute(&mut db).await.unwrap();
    assert_ne!(app.store.case_rows().await.unwrap(), live);

    // Pages of two: every page boundary falls between documents of this test.
    let n = anlan_server::reproject::reproject_paged(&app.store, 2).await.unwrap();
    assert!(n >= live.len(), "{n} documents rebuilt");
    assert_eq!(app.store.case_rows().await.unwrap(), live, "the rebuild is the live projection");
    app.stop().await;
}

on_both_backends!(a_rebuild_in_pages_puts_back_what_the_log_says);
