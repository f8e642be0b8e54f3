//! Attachments over sync (docs/sync.md, "Attachments"), on SQLite and PostgreSQL: receipts and
//! logos leave the device on their own route, never in a push batch, and another device fetches
//! them when it needs them; the route refuses what is not one signed attachment of the caller's,
//! and stores nothing then.

mod support;

use reqwest::StatusCode;
use stint_domain::{AttachmentId, Kind, OrgId};
use stint_engine::NewExpense;
use stint_engine::ReceiptFile;
use stint_engine::sync::Transport;
use stint_protocol::sync::{ENVELOPE_MEDIA_TYPE, MAX_ATTACHMENT_LEN, SYNC_MEDIA_TYPE, encode_push};
use support::devices::{laptop_and_phone, organization, set_up, two_devices};
use support::raw::{HLC, PASSWORD, enrol, envelope, person, set_up_identity};
use support::{Backend, Server, Storage, create_org};

/// A PNG's signature and enough bytes after it to stand for a logo.
fn logo() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend((0..20_000u32).map(|i| (i * 7 % 251) as u8));
    png
}

/// A receipt of `len` bytes that holds a string one could search for.
fn receipt(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7 Receipt of Cafe Zeitgeist, table 12, EUR 48.20 ".to_vec();
    bytes.extend((0..len - bytes.len()).map(|i| (i % 253) as u8));
    bytes
}

/// The kinds of every envelope a pull of `org` from the start serves.
async fn pulled_kinds<T: Transport>(t: &T, org: OrgId) -> Vec<u16> {
    let page = t.pull(org, 0, 1000).await.unwrap();
    page.records
        .iter()
        .map(|r| {
            stint_crypto::EnvelopeRef::parse(&r.envelope)
                .unwrap()
                .header()
                .kind
        })
        .collect()
}

async fn a_receipt_and_a_logo_travel_on_their_own(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (to_laptop, to_phone) =
        laptop_and_phone(&server, &storage, "ada@example.org", PASSWORD).await;
    let (mut laptop, mut phone, _dirs) = two_devices().await;

    let acme = organization(&mut laptop, "Acme").await;
    let by = laptop.act_as_user(acme).unwrap();
    laptop.set_logo(&by, Some(logo())).await.unwrap();
    // Four times the largest envelope a push batch may carry: this did not sync before.
    let scan = receipt(1024 * 1024);
    let lunch = laptop
        .add_expense(
            &by,
            NewExpense {
                member: None,
                date: "2026-11-30".parse().unwrap(),
                amount: "48.20".into(),
                currency: None,
                category: "Meals".into(),
                note: "Client lunch".into(),
                billable: true,
                project: None,
                receipt: Some(ReceiptFile {
                    file_name: "zeitgeist.pdf".into(),
                    bytes: scan.clone(),
                }),
            },
        )
        .await
        .unwrap();
    let recovery = set_up(&mut laptop, &to_laptop).await;
    laptop.publish(&to_laptop, acme).await.unwrap();
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert_eq!(reports[0].1.pending, 0, "{reports:?}");
    // Published, the laptop's person is the account.
    let by = laptop.act_as_user(acme).unwrap();
    // The records went in batches; the two attachments on their own route only.
    let kinds = pulled_kinds(&to_laptop, acme).await;
    assert!(!kinds.is_empty());
    assert!(
        !kinds.contains(&(Kind::Attachment as u16)),
        "an attachment travelled in the records: {kinds:?}"
    );
    let receipt_id = laptop.expenses(&by, None, None).unwrap()[0]
        .expense
        .receipt
        .clone()
        .unwrap()
        .attachment;
    let on_server = to_laptop
        .attachment(acme, receipt_id)
        .await
        .unwrap()
        .unwrap();
    assert!(on_server.len() > scan.len());
    // As sealed: nothing of the receipt readable.
    assert!(
        !on_server
            .windows(b"Zeitgeist".len())
            .any(|w| w == b"Zeitgeist")
    );

    // The phone gets the records, and the logo with them (an invoice needs it offline).
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(reports[0].1.fetched, 1, "{reports:?}");
    assert_eq!(reports[0].1.attachment_problem, None);
    let on_phone = phone.act_as_user(acme).unwrap();
    assert_eq!(phone.logo(&on_phone).unwrap(), Some(logo()));
    // The receipt only when it is opened.
    let err = phone.receipt(&on_phone, lunch).await.unwrap_err();
    assert!(err.to_string().contains("zeitgeist.pdf"), "{err}");
    let (named, bytes) = phone
        .synced_receipt(&to_phone, &on_phone, lunch)
        .await
        .unwrap();
    assert_eq!(named.file_name, "zeitgeist.pdf");
    assert_eq!(*bytes, scan);
    // Then it is on the phone, offline too; asking again fetches nothing.
    assert_eq!(*phone.receipt(&on_phone, lunch).await.unwrap().1, scan);
    assert!(
        !phone
            .fetch_attachment(&to_phone, acme, receipt_id)
            .await
            .unwrap()
    );
    // A second round fetches nothing more.
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(reports[0].1.fetched, 0, "{reports:?}");

    // A new logo on the phone reaches the laptop the same way.
    let mut second = logo();
    second.push(1);
    phone
        .set_logo(&on_phone, Some(second.clone()))
        .await
        .unwrap();
    phone.sync(&to_phone).await.unwrap();
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert_eq!(reports[0].1.fetched, 1, "{reports:?}");
    assert_eq!(laptop.logo(&by).unwrap(), Some(second));

    // Nothing of the receipt, its name or its expense is readable where the server keeps data.
    let stored = support::everything_stored(&storage).await;
    assert!(stored.len() > scan.len(), "the scan read the attachments");
    // It reads what is stored as bytes, on PostgreSQL too: the receipt's signature is found.
    let signature = &on_server[on_server.len() - 64..];
    assert!(stored.windows(64).any(|w| w == signature));
    for typed in [
        "Zeitgeist",
        "zeitgeist.pdf",
        "Client lunch",
        "48.20",
        "Meals",
    ] {
        assert!(
            !stored.windows(typed.len()).any(|w| w == typed.as_bytes()),
            "{typed:?} is readable on the {backend:?} server"
        );
    }

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_receipt_and_a_logo_travel_on_their_own);

async fn put(
    server: &Server,
    token: &str,
    org: &str,
    id: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let response = server
        .http
        .put(format!(
            "{}/api/v1/orgs/{org}/attachments/{id}",
            server.base
        ))
        .bearer_auth(token)
        .header("content-type", content_type)
        // Refusals that come before the body is read close the connection: none is reused.
        .header("connection", "close")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_default())
}

async fn get(server: &Server, token: &str, org: &str, id: &str) -> (StatusCode, Vec<u8>) {
    let response = server
        .http
        .get(format!(
            "{}/api/v1/orgs/{org}/attachments/{id}",
            server.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        assert_eq!(response.headers()["content-type"], ENVELOPE_MEDIA_TYPE);
    }
    (status, response.bytes().await.unwrap().to_vec())
}

fn ulid_of(id: [u8; 16]) -> String {
    AttachmentId(ulid::Ulid::from_bytes(id)).to_string()
}

/// What is tried, by whom (token), at which id, as which media type, the body, and the refusal
/// expected (status, code).
type Case<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Vec<u8>,
    StatusCode,
    &'a str,
);

async fn the_attachment_route_refuses_what_is_not_one_signed_attachment(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let ada = person(&server, &storage, "ada").await;
    let eve = person(&server, &storage, "eve").await;
    let identity = set_up_identity(&server, &ada).await;
    let laptop = enrol(&server, &ada, &identity).await;
    let eves = set_up_identity(&server, &eve).await;
    let eves_laptop = enrol(&server, &eve, &eves).await;
    let org = create_org(&server, &ada.token, "Sealed").await;
    let other = create_org(&server, &ada.token, "Other").await;
    let scan = String::from_utf8_lossy(&receipt(300_000)).into_owned();
    let good = envelope(&org, &ada, &laptop, 1, Kind::Attachment, HLC, &scan);
    let id = ulid_of([1; 16]);

    // Stored once (201); the same bytes again are acknowledged (200); and served as uploaded.
    let (status, body) = put(
        &server,
        &ada.token,
        &org,
        &id,
        ENVELOPE_MEDIA_TYPE,
        good.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = put(
        &server,
        &ada.token,
        &org,
        &id,
        ENVELOPE_MEDIA_TYPE,
        good.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        get(&server, &ada.token, &org, &id).await,
        (StatusCode::OK, good.clone())
    );

    let mut flipped = envelope(&org, &ada, &laptop, 2, Kind::Attachment, HLC, &scan);
    let at = flipped.len() - 100;
    flipped[at] ^= 1;
    let record = envelope(&org, &ada, &laptop, 2, Kind::Expense, HLC, "48.20");
    let elsewhere = envelope(&other, &ada, &laptop, 2, Kind::Attachment, HLC, "scan");
    let eves_own = envelope(&org, &eve, &eves_laptop, 2, Kind::Attachment, HLC, "scan");
    let ahead = envelope(
        &org,
        &ada,
        &laptop,
        2,
        Kind::Attachment,
        u64::MAX >> 1,
        "scan",
    );
    let changed = envelope(
        &org,
        &ada,
        &laptop,
        1,
        Kind::Attachment,
        HLC + 1,
        "other scan",
    );
    let second = ulid_of([2; 16]);
    let cases: Vec<Case> = vec![
        (
            "other bytes under a stored id",
            &ada.token,
            &id,
            ENVELOPE_MEDIA_TYPE,
            changed,
            StatusCode::CONFLICT,
            "attachment_exists",
        ),
        (
            "a flipped byte",
            &ada.token,
            &second,
            ENVELOPE_MEDIA_TYPE,
            flipped,
            StatusCode::BAD_REQUEST,
            "bad_signature",
        ),
        (
            "a record, not an attachment",
            &ada.token,
            &second,
            ENVELOPE_MEDIA_TYPE,
            record,
            StatusCode::BAD_REQUEST,
            "not_an_attachment",
        ),
        (
            "another id than the address",
            &ada.token,
            &second,
            ENVELOPE_MEDIA_TYPE,
            good.clone(),
            StatusCode::BAD_REQUEST,
            "wrong_id",
        ),
        (
            "another organization's",
            &ada.token,
            &second,
            ENVELOPE_MEDIA_TYPE,
            elsewhere,
            StatusCode::FORBIDDEN,
            "wrong_org",
        ),
        (
            "a clock far ahead",
            &ada.token,
            &second,
            ENVELOPE_MEDIA_TYPE,
            ahead,
            StatusCode::BAD_REQUEST,
            "clock_ahead",
        ),
        (
            "garbage",
            &ada.token,
            &second,
            ENVELOPE_MEDIA_TYPE,
            b"not an envelope".to_vec(),
            StatusCode::BAD_REQUEST,
            "bad_envelope",
        ),
        (
            "the wrong media type",
            &ada.token,
            &second,
            "application/octet-stream",
            good.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "more than the largest attachment",
            &ada.token,
            &second,
            ENVELOPE_MEDIA_TYPE,
            vec![1; MAX_ATTACHMENT_LEN + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            "not a member of the organization",
            &eve.token,
            &second,
            ENVELOPE_MEDIA_TYPE,
            eves_own,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "an id that is no id",
            &ada.token,
            "receipt.pdf",
            ENVELOPE_MEDIA_TYPE,
            good.clone(),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (what, token, id, content_type, body, status, code) in cases {
        let (got, body) = put(&server, token, &org, id, content_type, body).await;
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{what}: {body}"
        );
        assert!(body["error"]["message"].as_str().is_some(), "{what}");
    }
    // Nothing of it was stored: the first attachment as it was, nothing under the second id.
    assert_eq!(
        get(&server, &ada.token, &org, &id).await,
        (StatusCode::OK, good.clone())
    );
    assert_eq!(
        get(&server, &ada.token, &org, &second).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&server, &eve.token, &org, &id).await.0,
        StatusCode::NOT_FOUND
    );

    // An attachment in a push batch is refused: it has its own route.
    let response = server
        .http
        .post(format!("{}/api/v1/orgs/{org}/sync/push", server.base))
        .bearer_auth(&ada.token)
        .header("content-type", SYNC_MEDIA_TYPE)
        .body(encode_push(&[envelope(
            &org,
            &ada,
            &laptop,
            3,
            Kind::Attachment,
            HLC,
            "scan",
        )]))
        .send()
        .await
        .unwrap();
    let (status, body) = support::read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "attachment_in_batch");

    server.stop().await;
}
both!(the_attachment_route_refuses_what_is_not_one_signed_attachment);

/// An organization keeps at most `limits.attachment_bytes_per_org` of attachments: past it, `507`
/// and nothing stored.
async fn attachments_stop_at_the_organizations_limit(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start_with(&storage, |config| {
        config.limits.attachment_bytes_per_org = 250_000;
    })
    .await;
    let ada = person(&server, &storage, "ada").await;
    let identity = set_up_identity(&server, &ada).await;
    let laptop = enrol(&server, &ada, &identity).await;
    let org = create_org(&server, &ada.token, "Sealed").await;
    let scan = "x".repeat(100_000);
    for (record, status) in [
        (1, StatusCode::CREATED),
        (2, StatusCode::CREATED),
        (3, StatusCode::INSUFFICIENT_STORAGE),
    ] {
        let sealed = envelope(&org, &ada, &laptop, record, Kind::Attachment, HLC, &scan);
        let (got, body) = put(
            &server,
            &ada.token,
            &org,
            &ulid_of([record; 16]),
            ENVELOPE_MEDIA_TYPE,
            sealed,
        )
        .await;
        assert_eq!(got, status, "{body}");
    }
    assert_eq!(
        get(&server, &ada.token, &org, &ulid_of([3; 16])).await.0,
        StatusCode::NOT_FOUND
    );
    server.stop().await;
}
both!(attachments_stop_at_the_organizations_limit);
