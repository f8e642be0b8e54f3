//! The server beside a PostgreSQL that drops its connections (a restart, an administrator's
//! `pg_terminate_backend`): a pooled connection is not pinged before every use (a round trip per
//! request), only after it sat idle, so one the database closed while the pool was quiet is found
//! and replaced before a request meets it.

mod support;

use std::time::Duration;

use reqwest::StatusCode;
use sqlx::Connection;
use support::{Backend, Server, Storage, sign_in, verified_account};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_database_dropped_are_replaced_before_a_request_meets_them() {
    let storage = Storage::new(Backend::Postgres).await;
    let server = Server::start(&storage).await;
    let password = "a long and private passphrase";
    verified_account(&server, &storage, "jane@example.org", password).await;
    let token = sign_in(&server, "jane@example.org", password, "laptop").await;
    let (status, body) = server.get("/api/v1/account", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The pool goes quiet for longer than a connection may idle unpinged (1 s), then the database
    // drops every connection the server holds, and they are gone before the next request.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut admin = sqlx::PgConnection::connect(&storage.admin_url())
        .await
        .unwrap();
    let others =
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    let dropped: Vec<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT pg_terminate_backend(pid) {others}"
    )))
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(!dropped.is_empty() && dropped.iter().all(|d| *d));
    let mut left = i64::MAX;
    for _ in 0..200 {
        left = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) {others}")))
            .fetch_one(&mut admin)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(left, 0, "the server's connections are gone");

    for _ in 0..5 {
        let (status, body) = server.get("/api/v1/account", &token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    server.stop().await;
}
