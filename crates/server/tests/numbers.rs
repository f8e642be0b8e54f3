//! Invoice numbers in a synced organization (docs/sync.md, "Invoice numbers"), over raw HTTP on a
//! real server: forty requests at once from two Admins' sessions get 1 to 40, each once; asking
//! again for an invoice gives its number; a series continues after what the devices numbered
//! before publishing; only roles that may finalize invoices get numbers.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::raw;
use support::{Backend, Server, Storage, create_org, join};

/// A new invoice id.
fn new_invoice() -> ulid::Ulid {
    ulid::Ulid::from_bytes(raw::rand_id())
}

/// A series' keyed hash, as a device would send it.
fn series(byte: u8) -> String {
    hex::encode([byte; 32])
}

async fn number(
    server: &Server,
    token: &str,
    org: &str,
    series: &str,
    invoice: ulid::Ulid,
    after: u64,
) -> (StatusCode, Value) {
    server
        .call(
            Method::POST,
            &format!("/api/v1/orgs/{org}/invoice-numbers"),
            Some(token),
            Some(json!({ "series": series, "invoice": invoice.to_string(), "after": after })),
        )
        .await
}

async fn numbers_are_gapless_unique_and_the_same_when_asked_again(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let olga = raw::person(&server, &storage, "olga").await;
    let org = create_org(&server, &olga.token, "Acme").await;
    let mut people = Vec::new();
    for (name, role) in [("adam", "admin"), ("mia", "member"), ("vic", "viewer")] {
        let p = raw::person(&server, &storage, name).await;
        join(
            &server,
            &storage,
            &olga.token,
            &org,
            &p.email,
            &p.token,
            role,
        )
        .await;
        people.push(p);
    }
    let (adam, mia, vic) = (&people[0], &people[1], &people[2]);

    // Only those who may finalize invoices are given numbers.
    for who in [mia, vic] {
        let (status, body) = number(&server, &who.token, &org, &series(1), new_invoice(), 0).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }

    // Forty at once, from two sessions.
    let mut asks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let http = server.http.clone();
        let url = format!("{}/api/v1/orgs/{org}/invoice-numbers", server.base);
        let token = if i % 2 == 0 {
            olga.token.clone()
        } else {
            adam.token.clone()
        };
        let invoice = new_invoice();
        asks.spawn(async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "series": series(1), "invoice": invoice.to_string(), "after": 0 }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let body: Value = response.json().await.unwrap();
            (invoice, body["number"].as_u64().unwrap())
        });
    }
    let mut given = asks.join_all().await;
    given.sort_by_key(|(_, n)| *n);
    let numbers: Vec<u64> = given.iter().map(|(_, n)| *n).collect();
    assert_eq!(numbers, (1..=40).collect::<Vec<_>>());

    // Asking again (an answer lost on the way) gives the same number; in another series, no.
    let (invoice, seventh) = given[6];
    let (status, body) = number(&server, &adam.token, &org, &series(1), invoice, 0).await;
    assert_eq!(
        (status, body["number"].as_u64()),
        (StatusCode::OK, Some(seventh))
    );
    let (status, body) = number(&server, &adam.token, &org, &series(2), invoice, 0).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "other_series");

    // Another series counts on its own, after what was numbered before publishing.
    let (_, body) = number(&server, &olga.token, &org, &series(2), new_invoice(), 41).await;
    assert_eq!(body["number"], 42);
    let (_, body) = number(&server, &olga.token, &org, &series(2), new_invoice(), 0).await;
    assert_eq!(body["number"], 43);
    let (_, body) = number(&server, &olga.token, &org, &series(1), new_invoice(), 0).await;
    assert_eq!(body["number"], 41);

    for bad in [series(0xab).to_uppercase(), "ab".into(), "x".repeat(64)] {
        let (status, body) = number(&server, &olga.token, &org, &bad, new_invoice(), 0).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, _) = number(
        &server,
        &olga.token,
        &org,
        &series(3),
        new_invoice(),
        u64::MAX,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.stop().await;
}
both!(numbers_are_gapless_unique_and_the_same_when_asked_again);
