//! Sync, part 1, over real HTTP on SQLite and on PostgreSQL: an account's identity and device
//! certificates, and records pushed and pulled as sealed envelopes in the binary framing. The
//! server is treated as what it must check, not what it may read: every refusal below leaves the
//! organization's records exactly as they were.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use stint_crypto::{
    DeviceRevocation, Header, IdentityKeys, RecoveryKey, SigningKey, SymmetricKey, seal_record,
    wrap_account_key,
};
use stint_domain::{Compartment, Kind};
use stint_protocol::sync::{
    MAX_PUSH_BYTES, Outcome, PullPage, SYNC_MEDIA_TYPE, decode_pull, decode_push_reply, encode_push,
};
use support::raw::{
    Device, HLC, PASSWORD, Person, b64, certificate, enrol, envelope, org_bytes, person,
    post_device, put_identity, rand_id, set_up_identity,
};
use support::{Backend, Server, Storage, create_org, join, sign_in};

async fn push_raw(
    server: &Server,
    token: &str,
    org: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    server
        .http
        .post(format!("{}/api/v1/orgs/{org}/sync/push", server.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Pushes `envelopes`: the outcomes, or the refusal's status and JSON error.
async fn push(
    server: &Server,
    token: &str,
    org: &str,
    envelopes: &[Vec<u8>],
) -> Result<Vec<(Outcome, u64)>, (StatusCode, Value)> {
    let response = push_raw(server, token, org, SYNC_MEDIA_TYPE, encode_push(envelopes)).await;
    if response.status() == StatusCode::OK {
        assert_eq!(response.headers()["content-type"], SYNC_MEDIA_TYPE);
        Ok(decode_push_reply(&response.bytes().await.unwrap()).unwrap())
    } else {
        Err(support::read(response).await)
    }
}

async fn pull(server: &Server, token: &str, org: &str, query: &str) -> PullPage {
    let response = server
        .http
        .get(format!(
            "{}/api/v1/orgs/{org}/sync/pull?{query}",
            server.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], SYNC_MEDIA_TYPE);
    decode_pull(&response.bytes().await.unwrap()).unwrap()
}

/// Everything the organization holds, pulled from the start.
async fn everything(server: &Server, token: &str, org: &str) -> PullPage {
    pull(server, token, org, "after=0").await
}

async fn an_identity_is_set_once_and_certifies_devices(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let ada = person(&server, &storage, "ada").await;
    let bob = person(&server, &storage, "bob").await;

    // Before an identity exists, no device can be enrolled.
    let stranger = SigningKey::generate();
    let (status, body) = post_device(
        &server,
        &ada.token,
        &certificate(
            &ada,
            &stranger,
            &Device {
                id: [1; 16],
                signing: SigningKey::generate(),
            },
        ),
        "",
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_identity"))
    );

    // An identity must name its own account.
    let keys = IdentityKeys::generate();
    let account_key = SymmetricKey::generate();
    let (status, body) = put_identity(
        &server,
        &ada.token,
        &keys.public(bob.user).to_bytes(),
        &wrap_account_key(&RecoveryKey::generate(), &account_key, &ada.user),
        &keys.wrap(&account_key, &ada.user),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = server.get("/api/v1/identity", &ada.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let identity = set_up_identity(&server, &ada).await;
    let (status, body) = server.get("/api/v1/identity", &ada.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["public"], b64(&identity.public(ada.user).to_bytes()));
    // Once: a second identity would orphan every device the first one certified.
    let (status, body) = put_identity(
        &server,
        &ada.token,
        &keys.public(ada.user).to_bytes(),
        &wrap_account_key(&RecoveryKey::generate(), &account_key, &ada.user),
        &keys.wrap(&account_key, &ada.user),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("identity_exists"))
    );

    // A new recovery kit replaces only the account key's wrapping, and only with one of that
    // shape; an account without an identity has nothing to replace.
    let put_recovery = |token: String, wrapped: String| {
        let server = &server;
        async move {
            server
                .call(
                    Method::PUT,
                    "/api/v1/identity/recovery",
                    Some(&token),
                    Some(serde_json::json!({ "wrapped_account_key": wrapped })),
                )
                .await
        }
    };
    let new_key = RecoveryKey::generate();
    let rewrapped = wrap_account_key(&new_key, &account_key, &ada.user);
    for bad in [b64(&rewrapped[..72]), b64(&[2u8; 73]), "%%".into()] {
        let (status, _) = put_recovery(ada.token.clone(), bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, _) = put_recovery(bob.token.clone(), b64(&rewrapped)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = put_recovery(ada.token.clone(), b64(&rewrapped)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, body) = server.get("/api/v1/identity", &ada.token).await;
    assert_eq!(body["wrapped_account_key"], b64(&rewrapped));
    assert_eq!(body["public"], b64(&identity.public(ada.user).to_bytes()));

    let laptop = enrol(&server, &ada, &identity).await;
    // The server cannot make a certificate, nor accept one made by any key but the identity's:
    // not another identity's, not the device's own.
    for forger in [
        &stranger,
        &laptop.signing,
        &IdentityKeys::generate().signing,
    ] {
        let phone = Device {
            id: rand_id(),
            signing: SigningKey::generate(),
        };
        let (status, body) =
            post_device(&server, &ada.token, &certificate(&ada, forger, &phone), "").await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_certificate"))
        );
    }
    // Bob cannot enrol a device under Ada's certificate.
    identity_for_bob_refuses_adas_certificate(&server, &bob, &ada, &identity).await;
    let (status, body) = post_device(
        &server,
        &ada.token,
        &certificate(&ada, &identity.signing, &laptop),
        "",
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("device_exists"))
    );
    let (status, list) = server.get("/api/v1/devices", &ada.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["label"], b64(b"sealed label"));
    assert!(list[0]["revoked_at"].is_null());

    // A revocation must be the identity's, for this device.
    let revoke = |device: [u8; 16], signer: &SigningKey| {
        DeviceRevocation {
            user: ada.user,
            device,
            revoked_ms: 1_796_169_600_000,
        }
        .issue(signer)
        .to_vec()
    };
    let path = format!("/api/v1/devices/{}/revoke", hex::encode(laptop.id));
    for bad in [
        revoke(laptop.id, &stranger),
        revoke([9; 16], &identity.signing),
    ] {
        let (status, body) = server
            .call(
                Method::POST,
                &path,
                Some(&ada.token),
                Some(json!({ "revocation": b64(&bad) })),
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_revocation"))
        );
    }
    let good = json!({ "revocation": b64(&revoke(laptop.id, &identity.signing)) });
    let (status, _) = server
        .call(Method::POST, &path, Some(&ada.token), Some(good.clone()))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server
        .call(Method::POST, &path, Some(&ada.token), Some(good))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = server.get("/api/v1/devices", &ada.token).await;
    assert!(list[0]["revoked_at"].is_i64());
    // The account's export holds them too.
    let (_, export) = server.get("/api/v1/account/export", &ada.token).await;
    assert_eq!(
        export["identity"]["public"],
        hex::encode(identity.public(ada.user).to_bytes())
    );
    assert_eq!(export["devices"][0]["device"], hex::encode(laptop.id));
    assert!(export["devices"][0]["revoked_at"].is_i64());
    assert_eq!(
        list[0]["revocation"],
        b64(&revoke(laptop.id, &identity.signing))
    );
    server.stop().await;
}

async fn identity_for_bob_refuses_adas_certificate(
    server: &Server,
    bob: &Person,
    ada: &Person,
    adas: &IdentityKeys,
) {
    set_up_identity(server, bob).await;
    let device = Device {
        id: rand_id(),
        signing: SigningKey::generate(),
    };
    let (status, body) = post_device(
        server,
        &bob.token,
        &certificate(ada, &adas.signing, &device),
        "",
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_certificate"))
    );
}
both!(an_identity_is_set_once_and_certifies_devices);

async fn records_are_pushed_once_and_pulled_in_sequence(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let ada = person(&server, &storage, "ada").await;
    let identity = set_up_identity(&server, &ada).await;
    let laptop = enrol(&server, &ada, &identity).await;
    let phone = enrol(&server, &ada, &identity).await;
    let org = create_org(&server, &ada.token, "Sealed").await;

    let empty = everything(&server, &ada.token, &org).await;
    assert_eq!(
        (empty.history, empty.head, empty.records.len()),
        ([0; 16], 0, 0)
    );

    let first: Vec<Vec<u8>> = (1..=3)
        .map(|r| {
            envelope(
                &org,
                &ada,
                &laptop,
                r,
                Kind::TimeEntry,
                HLC + u64::from(r),
                "2h",
            )
        })
        .collect();
    let stored = push(&server, &ada.token, &org, &first).await.unwrap();
    assert_eq!(
        stored,
        [
            (Outcome::Stored, 1),
            (Outcome::Stored, 2),
            (Outcome::Stored, 3)
        ]
    );
    // A retried batch (its reply was lost) writes nothing twice.
    let again = push(&server, &ada.token, &org, &first).await.unwrap();
    assert_eq!(
        again,
        [
            (Outcome::AlreadyStored, 1),
            (Outcome::AlreadyStored, 2),
            (Outcome::AlreadyStored, 3)
        ]
    );

    let page = everything(&server, &ada.token, &org).await;
    assert_ne!(page.history, [0; 16]);
    assert_eq!(page.head, 3);
    assert_eq!(
        page.records
            .iter()
            .map(|p| (p.seq, p.envelope.clone()))
            .collect::<Vec<_>>(),
        vec![
            (1, first[0].clone()),
            (2, first[1].clone()),
            (3, first[2].clone())
        ]
    );
    // Paged: two, then the rest; the cursor is the last sequence number seen.
    let one = pull(&server, &ada.token, &org, "after=0&limit=2").await;
    assert_eq!(
        one.records.iter().map(|p| p.seq).collect::<Vec<_>>(),
        [1, 2]
    );
    let two = pull(&server, &ada.token, &org, "after=2&limit=2").await;
    assert_eq!(two.records.iter().map(|p| p.seq).collect::<Vec<_>>(), [3]);
    assert_eq!(two.head, 3);

    // A later version from the phone moves record 1 to the end of the sequence; an earlier one is
    // told it was superseded, and where the later one is.
    let later = envelope(&org, &ada, &phone, 1, Kind::TimeEntry, HLC + 10, "3h");
    let earlier = envelope(&org, &ada, &laptop, 1, Kind::TimeEntry, HLC + 5, "2h30");
    assert_eq!(
        push(&server, &ada.token, &org, std::slice::from_ref(&later))
            .await
            .unwrap(),
        [(Outcome::Stored, 4)]
    );
    assert_eq!(
        push(&server, &ada.token, &org, &[earlier]).await.unwrap(),
        [(Outcome::Superseded, 4)]
    );
    let page = pull(&server, &ada.token, &org, "after=3").await;
    assert_eq!(
        page.records
            .iter()
            .map(|p| (p.seq, p.envelope.clone()))
            .collect::<Vec<_>>(),
        vec![(4, later)]
    );
    let all = everything(&server, &ada.token, &org).await;
    assert_eq!(
        all.records.iter().map(|p| p.seq).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert_eq!(all.history, page.history);

    // Within one batch, the same record twice: the later wins, whichever comes first.
    let (a, b) = (
        envelope(&org, &ada, &laptop, 7, Kind::Client, HLC + 20, "Müller"),
        envelope(
            &org,
            &ada,
            &phone,
            7,
            Kind::Client,
            HLC + 21,
            "Müller & Søn",
        ),
    );
    assert_eq!(
        push(&server, &ada.token, &org, &[b.clone(), a])
            .await
            .unwrap(),
        [(Outcome::Stored, 5), (Outcome::Superseded, 5)]
    );
    assert_eq!(
        pull(&server, &ada.token, &org, "after=4").await.records[0].envelope,
        b
    );

    // Finance records travel too (part 2 decides who receives them).
    let rate = envelope(&org, &ada, &laptop, 8, Kind::Rate, HLC + 30, "95");
    assert_eq!(
        push(&server, &ada.token, &org, &[rate]).await.unwrap(),
        [(Outcome::Stored, 6)]
    );

    // The earlier version first, then the later one, in one batch: both stored, in order; the
    // record keeps the later one, at its number, once.
    let (first, second) = (
        envelope(&org, &ada, &laptop, 9, Kind::Client, HLC + 40, "Globex"),
        envelope(&org, &ada, &phone, 9, Kind::Client, HLC + 41, "Globex AG"),
    );
    assert_eq!(
        push(&server, &ada.token, &org, &[first, second.clone()])
            .await
            .unwrap(),
        [(Outcome::Stored, 7), (Outcome::Stored, 8)]
    );
    let page = pull(&server, &ada.token, &org, "after=6").await;
    assert_eq!(
        page.records
            .iter()
            .map(|p| (p.seq, p.envelope.clone()))
            .collect::<Vec<_>>(),
        vec![(8, second)]
    );
    assert_eq!(page.head, 8);
    server.stop().await;
}
both!(records_are_pushed_once_and_pulled_in_sequence);

async fn every_bad_push_is_refused_and_stores_nothing(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let ada = person(&server, &storage, "ada").await;
    let eve = person(&server, &storage, "eve").await;
    let vic = person(&server, &storage, "vic").await;
    let identity = set_up_identity(&server, &ada).await;
    let laptop = enrol(&server, &ada, &identity).await;
    let eves = set_up_identity(&server, &eve).await;
    let eves_laptop = enrol(&server, &eve, &eves).await;
    let vics = set_up_identity(&server, &vic).await;
    let vics_laptop = enrol(&server, &vic, &vics).await;
    let org = create_org(&server, &ada.token, "Sealed").await;
    let other = create_org(&server, &ada.token, "Other").await;
    join(
        &server, &storage, &ada.token, &org, &vic.email, &vic.token, "viewer",
    )
    .await;
    let good = envelope(&org, &ada, &laptop, 1, Kind::TimeEntry, HLC, "2h");
    assert_eq!(
        push(&server, &ada.token, &org, std::slice::from_ref(&good))
            .await
            .unwrap(),
        [(Outcome::Stored, 1)]
    );
    let before = everything(&server, &ada.token, &org).await;

    let mut flipped = envelope(&org, &ada, &laptop, 2, Kind::TimeEntry, HLC, "2h");
    let at = flipped.len() - 65;
    flipped[at] ^= 1;
    let unknown_device = Device {
        id: rand_id(),
        signing: SigningKey::generate(),
    };
    let revoked = enrol(&server, &ada, &identity).await;
    let revocation = DeviceRevocation {
        user: ada.user,
        device: revoked.id,
        revoked_ms: 1,
    }
    .issue(&identity.signing);
    let (status, _) = server
        .call(
            Method::POST,
            &format!("/api/v1/devices/{}/revoke", hex::encode(revoked.id)),
            Some(&ada.token),
            Some(json!({ "revocation": b64(&revocation) })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let mut wrong_compartment = Header {
        org: org_bytes(&org),
        record: [3; 16],
        kind: Kind::Rate as u16,
        compartment: Compartment::Team as u8,
        epoch: 1,
        author_user: ada.user,
        author_device: laptop.id,
        hlc: HLC,
        tombstone: false,
        owner: [0; 16],
        log: 0,
    };
    let misfiled = seal_record(
        &wrong_compartment,
        b"95",
        &SymmetricKey::from_bytes([7; 32]),
        &laptop.signing,
    );
    wrong_compartment.kind = 999;
    let unknown_kind = seal_record(
        &wrong_compartment,
        b"?",
        &SymmetricKey::from_bytes([7; 32]),
        &laptop.signing,
    );
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "another organization's record",
            envelope(&other, &ada, &laptop, 2, Kind::TimeEntry, HLC, "2h"),
            StatusCode::FORBIDDEN,
            "wrong_org",
        ),
        (
            "another author's record",
            envelope(&org, &eve, &eves_laptop, 2, Kind::TimeEntry, HLC, "2h"),
            StatusCode::FORBIDDEN,
            "wrong_author",
        ),
        (
            "a flipped byte",
            flipped,
            StatusCode::BAD_REQUEST,
            "bad_signature",
        ),
        (
            "an unknown device",
            envelope(&org, &ada, &unknown_device, 2, Kind::TimeEntry, HLC, "2h"),
            StatusCode::FORBIDDEN,
            "uncertified_device",
        ),
        (
            "another person's device",
            envelope(
                &org,
                &ada,
                &Device {
                    id: eves_laptop.id,
                    signing: SigningKey::generate(),
                },
                2,
                Kind::TimeEntry,
                HLC,
                "2h",
            ),
            StatusCode::FORBIDDEN,
            "uncertified_device",
        ),
        (
            "a revoked device",
            envelope(&org, &ada, &revoked, 2, Kind::TimeEntry, HLC, "2h"),
            StatusCode::FORBIDDEN,
            "revoked_device",
        ),
        (
            "a rate in the team compartment",
            misfiled,
            StatusCode::BAD_REQUEST,
            "wrong_compartment",
        ),
        (
            "an unknown kind",
            unknown_kind,
            StatusCode::BAD_REQUEST,
            "wrong_compartment",
        ),
        (
            "a clock a year ahead",
            envelope(
                &org,
                &ada,
                &laptop,
                2,
                Kind::TimeEntry,
                HLC + ((400 * 86_400_000) << 16),
                "2h",
            ),
            StatusCode::BAD_REQUEST,
            "clock_ahead",
        ),
        (
            "garbage",
            b"not an envelope at all".to_vec(),
            StatusCode::BAD_REQUEST,
            "bad_envelope",
        ),
    ];
    for (what, bad, status, code) in cases {
        // Alone, and after a good envelope in the same batch: the batch is refused whole.
        let fresh = envelope(&org, &ada, &laptop, 9, Kind::Tag, HLC, "meeting");
        for batch in [vec![bad.clone()], vec![fresh, bad]] {
            let (got, body) = push(&server, &ada.token, &org, &batch).await.unwrap_err();
            assert_eq!(
                (got, body["error"]["code"].as_str()),
                (status, Some(code)),
                "{what}: {body}"
            );
        }
    }

    // Bad frames, a wrong media type, a body over the limit.
    let frame = encode_push(std::slice::from_ref(&good));
    for body in [
        frame[..frame.len() - 1].to_vec(),
        [frame.clone(), vec![0]].concat(),
        vec![],
        vec![2, 0, 0, 0, 0],
        vec![1, 255, 255, 255, 255],
    ] {
        let (status, body) =
            support::read(push_raw(&server, &ada.token, &org, SYNC_MEDIA_TYPE, body).await).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_frame")),
            "{body}"
        );
    }
    let (status, _) =
        support::read(push_raw(&server, &ada.token, &org, "application/json", frame.clone()).await)
            .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _) = support::read(
        push_raw(
            &server,
            &ada.token,
            &org,
            SYNC_MEDIA_TYPE,
            vec![1; MAX_PUSH_BYTES + 1],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // A viewer writes nothing; a stranger learns nothing, not even that the organization exists.
    let vics_record = envelope(&org, &vic, &vics_laptop, 4, Kind::TimeEntry, HLC, "1h");
    let (status, _) = push(&server, &vic.token, &org, &[vics_record])
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let eves_record = envelope(&org, &eve, &eves_laptop, 4, Kind::TimeEntry, HLC, "1h");
    let (status, _) = push(&server, &eve.token, &org, &[eves_record])
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = server
        .http
        .get(format!(
            "{}/api/v1/orgs/{org}/sync/pull?after=0",
            server.base
        ))
        .bearer_auth(&eve.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // No such organization, or an id that does not read: the same answer.
    for missing in ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-an-id"] {
        let response = server
            .http
            .get(format!(
                "{}/api/v1/orgs/{missing}/sync/pull?after=0",
                server.base
            ))
            .bearer_auth(&ada.token)
            .send()
            .await
            .unwrap();
        let (status, body) = support::read(response).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}: {body:?}");
    }
    for query in [
        "after=0&limit=0",
        "after=0&limit=1001",
        "after=-1",
        "after=x",
        "since=0",
    ] {
        let response = server
            .http
            .get(format!(
                "{}/api/v1/orgs/{org}/sync/pull?{query}",
                server.base
            ))
            .bearer_auth(&ada.token)
            .send()
            .await
            .unwrap();
        let (status, _) = support::read(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
    }
    // The viewer reads.
    assert_eq!(everything(&server, &vic.token, &org).await, before);
    assert_eq!(everything(&server, &ada.token, &org).await, before);
    assert_eq!(everything(&server, &ada.token, &other).await.head, 0);
    server.stop().await;
}
both!(every_bad_push_is_refused_and_stores_nothing);

fn unb64(value: &Value) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(value.as_str().unwrap())
        .unwrap()
}

/// Part 1's promise through the server alone: a second device of the same person, given only the
/// recovery key and a sign-in, opens the identity, certifies itself, opens the organization's keys
/// and reads what the first device pushed, checking its signature against the first device's
/// certificate. A wrong recovery key is refused before anything is uploaded.
async fn a_second_device_opens_everything_with_the_recovery_key(backend: Backend) {
    use stint_crypto::{
        DeviceCertificate, EnvelopeRef, IdentityPublic, KeyDelivery, open_sealed_key,
        org_key_seal_context, seal_key, unwrap_account_key,
    };
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let ada = person(&server, &storage, "ada").await;

    // The first device: identity, its certificate, an organization it made offline (its own id),
    // that organization's team key sealed to the identity, and one record.
    let recovery = RecoveryKey::generate();
    let written_down = recovery.to_text().to_string();
    let account_key = SymmetricKey::generate();
    let identity = IdentityKeys::generate();
    let (status, _) = put_identity(
        &server,
        &ada.token,
        &identity.public(ada.user).to_bytes(),
        &wrap_account_key(&recovery, &account_key, &ada.user),
        &identity.wrap(&account_key, &ada.user),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let laptop = enrol(&server, &ada, &identity).await;
    let org_id = ulid::Ulid::generate();
    let org = org_id.to_string();
    let (status, body) = server
        .call(
            Method::POST,
            "/api/v1/orgs",
            Some(&ada.token),
            Some(json!({ "name": "Sealed", "id": org })),
        )
        .await;
    assert_eq!(
        (status, body["id"].as_str()),
        (StatusCode::CREATED, Some(org.as_str()))
    );
    let (status, body) = server
        .call(
            Method::POST,
            "/api/v1/orgs",
            Some(&ada.token),
            Some(json!({ "name": "Twin", "id": org })),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("org_exists"))
    );
    let team_key = SymmetricKey::generate();
    let context = org_key_seal_context(&org_id.to_bytes(), 1, 1, &ada.user);
    let delivered = |key: &SymmetricKey| {
        b64(&KeyDelivery::seal(
            key,
            org_id.to_bytes(),
            1,
            1,
            &identity.public(ada.user),
            ada.user,
            &identity.signing,
        ))
    };
    let upload = json!({ "deliveries": [delivered(&team_key)] });
    let (status, _) = server
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{org}/keys"),
            Some(&ada.token),
            Some(upload.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // The same again is harmless; another key for the slot is refused, and so is a key sealed
    // without the sealer's signature (the format of sync part 1).
    let (status, _) = server
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{org}/keys"),
            Some(&ada.token),
            Some(upload),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{org}/keys"),
            Some(&ada.token),
            Some(json!({ "deliveries": [delivered(&SymmetricKey::generate())] })),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("key_exists"))
    );
    let unsigned = seal_key(&team_key, &identity.public(ada.user).sealing, &context);
    let (status, body) = server
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{org}/keys"),
            Some(&ada.token),
            Some(json!({ "deliveries": [b64(&unsigned)] })),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_delivery"))
    );
    let header = Header {
        org: org_id.to_bytes(),
        record: [1; 16],
        kind: Kind::Client as u16,
        compartment: 1,
        epoch: 1,
        author_user: ada.user,
        author_device: laptop.id,
        hlc: HLC,
        tombstone: false,
        owner: [0; 16],
        log: 0,
    };
    let record = seal_record(
        &header,
        "Müller & Søn".as_bytes(),
        &team_key,
        &laptop.signing,
    );
    assert_eq!(
        push(&server, &ada.token, &org, &[record]).await.unwrap(),
        [(Outcome::Stored, 1)]
    );

    // The second device signs in and has only the recovery key, as written down.
    let phone_token = sign_in(&server, &ada.email, PASSWORD, "phone").await;
    let (status, stored) = server.get("/api/v1/identity", &phone_token).await;
    assert_eq!(status, StatusCode::OK);
    // A mistyped key is caught by its check; a wrong (well-formed) key does not open: refused
    // here, on the device, with nothing uploaded.
    let mut typo = written_down.clone().into_bytes();
    typo[0] = if typo[0] == b'7' { b'8' } else { b'7' };
    assert!(RecoveryKey::from_text(std::str::from_utf8(&typo).unwrap()).is_err());
    let wrapped = unb64(&stored["wrapped_account_key"]);
    assert!(unwrap_account_key(&RecoveryKey::generate(), &wrapped, &ada.user).is_err());
    let (_, devices) = server.get("/api/v1/devices", &phone_token).await;
    assert_eq!(devices.as_array().unwrap().len(), 1);

    let recovery = RecoveryKey::from_text(&written_down.to_lowercase().replace('-', " ")).unwrap();
    let account_key = unwrap_account_key(&recovery, &wrapped, &ada.user).unwrap();
    let restored = IdentityKeys::unwrap(
        &account_key,
        &unb64(&stored["wrapped_identity_keys"]),
        &ada.user,
    )
    .unwrap();
    // The identity it trusts is the one its keys make, not whatever the server says.
    let public = restored.public(ada.user);
    assert_eq!(
        IdentityPublic::from_bytes(&unb64(&stored["public"])).unwrap(),
        public
    );
    let phone = Device {
        id: rand_id(),
        signing: SigningKey::generate(),
    };
    let (status, _) = post_device(
        &server,
        &phone_token,
        &certificate(&ada, &restored.signing, &phone),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, keys) = server
        .get(&format!("/api/v1/orgs/{org}/keys"), &phone_token)
        .await;
    assert_eq!(status, StatusCode::OK);
    let deliveries = keys["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1);
    let delivery = KeyDelivery::verify(&unb64(&deliveries[0]), &public.signing).unwrap();
    let opened = delivery.open(&restored.sealing).unwrap();
    // Moved to another slot (say, finance), the sealed key does not open.
    assert!(
        open_sealed_key(
            &delivery.sealed,
            &restored.sealing,
            &org_key_seal_context(&org_id.to_bytes(), 2, 1, &ada.user)
        )
        .is_err()
    );
    let (_, devices) = server.get("/api/v1/devices", &phone_token).await;
    let signers: Vec<DeviceCertificate> = devices
        .as_array()
        .unwrap()
        .iter()
        .map(|d| DeviceCertificate::verify(&unb64(&d["certificate"]), &public.signing).unwrap())
        .collect();
    let page = everything(&server, &phone_token, &org).await;
    let envelope = EnvelopeRef::parse(&page.records[0].envelope).unwrap();
    let author = signers
        .iter()
        .find(|c| c.device == envelope.header().author_device)
        .unwrap();
    envelope.verify(&author.signing).unwrap();
    assert_eq!(
        envelope.decrypt(&opened).unwrap().as_slice(),
        "Müller & Søn".as_bytes()
    );
    server.stop().await;
}
both!(a_second_device_opens_everything_with_the_recovery_key);

/// A pull's status, with a bearer token.
async fn pull_status(server: &Server, token: &str, org: &str) -> StatusCode {
    server
        .http
        .get(format!(
            "{}/api/v1/orgs/{org}/sync/pull?after=0",
            server.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// The laptop session's `last_seen_at` as the account's other session lists it.
async fn laptop_last_seen(server: &Server, other: &str) -> i64 {
    let (status, sessions) = server.get("/api/v1/sessions", other).await;
    assert_eq!(status, StatusCode::OK);
    sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["device"] == "laptop")
        .and_then(|s| s["last_seen_at"].as_i64())
        .unwrap()
}

/// The pull checks its session itself (on PostgreSQL in the page's own statement): each way a
/// session stops being live is a `401` there as everywhere, and a pull keeps the session's
/// last-seen time current as any request does.
async fn a_pull_needs_a_live_session(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let ada = person(&server, &storage, "ada").await;
    let org = create_org(&server, &ada.token, "Sealed").await;
    let laptop = sign_in(&server, &ada.email, PASSWORD, "laptop").await;
    assert_eq!(pull_status(&server, &laptop, &org).await, StatusCode::OK);
    assert_eq!(
        pull_status(&server, "not-a-session", &org).await,
        StatusCode::UNAUTHORIZED
    );

    // Last seen long ago: the pull moves it on.
    let update_laptop = |column: &str, value: i64| {
        let hash = hex::encode(Sha256::digest(laptop.as_bytes()));
        match backend {
            Backend::Sqlite => {
                format!("UPDATE sessions SET {column} = {value} WHERE token_hash = X'{hash}'")
            }
            Backend::Postgres => format!(
                "UPDATE sessions SET {column} = {value} WHERE token_hash = '\\x{hash}'::bytea"
            ),
        }
    };
    support::execute(&storage, update_laptop("last_seen_at", 1_000)).await;
    assert_eq!(laptop_last_seen(&server, &ada.token).await, 1_000);
    assert_eq!(pull_status(&server, &laptop, &org).await, StatusCode::OK);
    assert!(laptop_last_seen(&server, &ada.token).await > 1_000);

    // A desktop session's access expired (it must refresh), then the session itself.
    support::execute(&storage, update_laptop("access_expires_at", 1_000)).await;
    assert_eq!(
        pull_status(&server, &laptop, &org).await,
        StatusCode::UNAUTHORIZED
    );
    support::execute(&storage, update_laptop("access_expires_at", i64::MAX)).await;
    assert_eq!(pull_status(&server, &laptop, &org).await, StatusCode::OK);
    support::execute(&storage, update_laptop("expires_at", 1_000)).await;
    assert_eq!(
        pull_status(&server, &laptop, &org).await,
        StatusCode::UNAUTHORIZED
    );

    // Signed out.
    let (status, _) = server
        .call(
            Method::DELETE,
            "/api/v1/sessions/current",
            Some(&ada.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        pull_status(&server, &ada.token, &org).await,
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
}
both!(a_pull_needs_a_live_session);

/// The directory, which every device reads at every round, is read in three queries whatever the
/// team's size: each member still gets their own identity and every device of their account
/// (revoked ones too, with the revocation), as their own account lists them, and a member without
/// an identity is left out.
async fn the_directory_gives_each_member_their_own_identity_and_devices(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let ada = person(&server, &storage, "ada").await;
    let org = create_org(&server, &ada.token, "Acme").await;
    let mut people = vec![ada];
    for name in ["sam", "kim", "lou"] {
        let p = person(&server, &storage, name).await;
        join(
            &server,
            &storage,
            &people[0].token,
            &org,
            &p.email,
            &p.token,
            "member",
        )
        .await;
        people.push(p);
    }
    // Ada one device, Sam three (the second revoked), Kim two, Lou no identity at all.
    for (who, devices) in people.iter().zip([1, 3, 2]) {
        let identity = set_up_identity(&server, who).await;
        let mut enrolled = Vec::new();
        for _ in 0..devices {
            enrolled.push(enrol(&server, who, &identity).await);
        }
        if devices == 3 {
            let revocation = DeviceRevocation {
                user: who.user,
                device: enrolled[1].id,
                revoked_ms: 1,
            }
            .issue(&identity.signing);
            let (status, _) = server
                .call(
                    Method::POST,
                    &format!("/api/v1/devices/{}/revoke", hex::encode(enrolled[1].id)),
                    Some(&who.token),
                    Some(json!({ "revocation": b64(&revocation) })),
                )
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT);
        }
    }

    let (status, directory) = server
        .get(&format!("/api/v1/orgs/{org}/directory"), &people[3].token)
        .await;
    assert_eq!(status, StatusCode::OK, "{directory}");
    let listed = directory.as_array().unwrap();
    let mut users: Vec<&str> = listed.iter().map(|e| e["user"].as_str().unwrap()).collect();
    users.sort_unstable();
    let mut expected: Vec<String> = people[..3]
        .iter()
        .map(|p| ulid::Ulid::from_bytes(p.user).to_string())
        .collect();
    expected.sort_unstable();
    assert_eq!(users, expected, "Lou has no identity: left out");
    for (who, devices) in people[..3].iter().zip([1, 3, 2]) {
        let user = ulid::Ulid::from_bytes(who.user).to_string();
        let entry = listed.iter().find(|e| e["user"] == user).unwrap();
        let (_, identity) = server.get("/api/v1/identity", &who.token).await;
        assert_eq!(entry["identity"], identity["public"]);
        let (_, own) = server.get("/api/v1/devices", &who.token).await;
        assert_eq!(own.as_array().unwrap().len(), devices);
        assert_eq!(
            entry["devices"], own,
            "{user}'s devices, in their account's order"
        );
    }
    let sam = listed
        .iter()
        .find(|e| e["user"] == ulid::Ulid::from_bytes(people[1].user).to_string())
        .unwrap();
    let revoked: Vec<bool> = sam["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| !d["revocation"].is_null())
        .collect();
    assert_eq!(revoked.iter().filter(|r| **r).count(), 1);
}
both!(the_directory_gives_each_member_their_own_identity_and_devices);
