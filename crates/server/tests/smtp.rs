//! Email through a real SMTP exchange: the server talks SMTP to a small sink on a loopback port,
//! which keeps what it receives; the verification link in it works.

mod support;

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::json;
use support::{Backend, Server, Storage};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Accepts SMTP sessions (no TLS, no auth) and keeps each message's envelope and data.
async fn sink() -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&received);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let keep = Arc::clone(&keep);
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut rcpt = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.to_ascii_uppercase();
                    if verb.starts_with("EHLO") || verb.starts_with("HELO") {
                        write
                            .write_all(b"250-sink\r\n250 8BITMIME\r\n")
                            .await
                            .unwrap();
                    } else if verb.starts_with("MAIL FROM") {
                        write.write_all(b"250 ok\r\n").await.unwrap();
                    } else if verb.starts_with("RCPT TO") {
                        rcpt = line[8..].trim().to_owned();
                        write.write_all(b"250 ok\r\n").await.unwrap();
                    } else if verb == "DATA" {
                        write.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            data.push_str(&line);
                            data.push('\n');
                        }
                        keep.lock().unwrap().push((rcpt.clone(), data));
                        write.write_all(b"250 queued\r\n").await.unwrap();
                    } else if verb == "QUIT" {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        write.write_all(b"250 ok\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    (port, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_go_through_smtp_when_a_relay_is_configured() {
    let (port, received) = sink().await;
    let storage = Storage::new(Backend::Sqlite).await;
    let server = Server::start_with(&storage, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail_from = "Stint <stint@example.org>".into();
    })
    .await;
    let (status, _) = server
        .post(
            "/api/v1/accounts",
            json!({ "email": "sam@example.org", "password": "a long and private passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (rcpt, data) = received
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("a message reached the relay");
    assert_eq!(rcpt, "<sam@example.org>");
    assert!(data.contains("From: Stint <stint@example.org>"), "{data}");
    assert!(
        data.contains("Subject: Confirm your email for Stint"),
        "{data}"
    );
    assert!(!storage.outbox().exists(), "nothing written to the outbox");
    // The body travels quoted-printable (long lines are folded with soft breaks).
    assert!(
        data.contains("Content-Transfer-Encoding: quoted-printable"),
        "{data}"
    );
    let body = data.replace("=\n", "");
    let token = body[body.find("ste_").unwrap()..][..68].to_owned();
    let (status, _) = server
        .post(
            "/api/v1/accounts/verify",
            json!({ "token": token, "password": "a long and private passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn a_relay_that_is_down_is_a_clear_error_not_a_hang() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let storage = Storage::new(Backend::Sqlite).await;
    let server = Server::start_with(&storage, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{closed}"));
    })
    .await;
    let (status, body) = server
        .post(
            "/api/v1/accounts",
            json!({ "email": "sam@example.org", "password": "a long and private passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    server.stop().await;
}

/// Forgot-password answers at once whether or not the address has an account: the email goes out
/// off the request path, so even a relay that never answers does not make the known address's
/// request slower (here: it would time out) than an unknown one's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_answers_alike_even_when_the_relay_hangs() {
    // Accepts connections and says nothing, ever.
    let mute = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = mute.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = mute.accept().await {
            held.push(stream);
        }
    });
    let storage = Storage::new(Backend::Sqlite).await;
    let first = Server::start(&storage).await;
    support::verified_account(
        &first,
        &storage,
        "sam@example.org",
        "a long and private passphrase",
    )
    .await;
    first.stop().await;
    let server = Server::start_with(&storage, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.limits.request_timeout_secs = 5;
    })
    .await;
    let mut answers = Vec::new();
    for email in ["sam@example.org", "nobody@example.org"] {
        let (status, body) = server
            .post("/api/v1/password/forgot", json!({ "email": email }))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{email}: {body}");
        answers.push(body);
    }
    assert_eq!(answers[0], answers[1]);
    server.stop().await;
}
