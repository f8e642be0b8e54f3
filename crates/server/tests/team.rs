//! Sync, part 2: people joining a team (docs/sync.md, "Joining a team"), on a real server over
//! HTTP, with real engines and vaults for each person: invite → accept (pending: nothing
//! travels) → confirm by fingerprint (a key swapped by the server is caught) → each device holds
//! the keys, and only the records, its role may read.

mod support;

use reqwest::{Method, StatusCode};
use stint_crypto::{IdentityKeys, KeyDelivery};
use stint_domain::{Compartment, EntryTime, RateScope, Role};
use stint_engine::{Engine, EntryFilter, NewRate};
use stint_sync::HttpTransport;
use support::devices::{span_entry, stored_records};
use support::raw;
use support::team::{ada_with_acme, held_compartments, invited, report};
use support::{Backend, Server, Storage};

/// Replaces the published identity the server keeps for `user` (as a hostile server would), and
/// returns what was there.
async fn swap_identity(storage: &Storage, user: &str, public: &[u8]) -> Vec<u8> {
    let url = match storage.backend {
        Backend::Sqlite => format!(
            "sqlite://{}",
            storage.dir.path().join("data").join("server.db").display()
        ),
        Backend::Postgres => storage.admin_url(),
    };
    let select = "SELECT public FROM identities WHERE user_id = $1";
    let update = "UPDATE identities SET public = $2 WHERE user_id = $1";
    match storage.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let old: Vec<u8> = sqlx::query_scalar(select)
                .bind(user)
                .fetch_one(&pool)
                .await
                .unwrap();
            sqlx::query(update)
                .bind(user)
                .bind(public)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            old
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            let old: Vec<u8> = sqlx::query_scalar(select)
                .bind(user)
                .fetch_one(&pool)
                .await
                .unwrap();
            sqlx::query(update)
                .bind(user)
                .bind(public)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            old
        }
    }
}

/// Ada owns Acme and publishes it. Mia (Member) and Vic (Viewer) are invited and join: pending,
/// they can neither pull nor push. While the server shows Ada another key for Mia, the digits Mia
/// reads out do not match and nothing is handed over. Confirmed by their real fingerprints, each
/// device receives what its role may read: Mia's holds the team key only and no finance record,
/// Vic's both; Mia's entry reaches Ada.
async fn members_join_by_fingerprint_and_hold_what_their_role_reads(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, project) = ada_with_acme(&server, &storage).await;
    let by = ada.engine.act_as_user(org).unwrap();
    ada.engine
        .set_rate(
            &by,
            NewRate {
                scope: RateScope::Project { project },
                effective_from: jiff::civil::date(2020, 1, 1),
                hourly: "95".into(),
                currency: None,
            },
        )
        .await
        .unwrap();
    ada.engine.publish(&ada.t, org).await.unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    // Publishing made Ada's account the acting member.
    let by = ada.engine.act_as_user(org).unwrap();

    let mut newcomers = Vec::new();
    for (email, role) in [
        ("mia@example.org", Role::Member),
        ("vic@example.org", Role::Viewer),
    ] {
        newcomers.push(invited(&server, &storage, &ada, org, email, role).await);
    }

    // Pending: the organization sends nothing and takes nothing.
    for (p, _) in &mut newcomers {
        for (method, path) in [
            (Method::GET, format!("/api/v1/orgs/{org}/sync/pull")),
            (Method::GET, format!("/api/v1/orgs/{org}/keys")),
            (Method::GET, format!("/api/v1/orgs/{org}/directory")),
        ] {
            let (status, body) = server.call(method, &path, Some(&p.session), None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
            assert_eq!(body["error"]["code"], "pending", "{body}");
        }
        let response = server
            .http
            .post(format!("{}/api/v1/orgs/{org}/sync/push", server.base))
            .bearer_auth(&p.session)
            .header("content-type", stint_protocol::sync::SYNC_MEDIA_TYPE)
            .body(stint_protocol::sync::encode_push::<Vec<u8>>(&[]))
            .send()
            .await
            .unwrap();
        let (status, body) = support::read(response).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "pending", "{body}");
        let reports = p.engine.sync(&p.t).await.unwrap();
        assert!(reports.is_empty(), "{reports:?}");
        assert!(p.engine.organizations().is_empty());
    }

    // The server shows Ada a key of its own making for Mia: the digits differ, and confirming with
    // the ones Mia reads out hands nothing over.
    let mia_id = newcomers[0].0.engine.sync_account().await.unwrap().unwrap();
    let forged = IdentityKeys::generate()
        .public(mia_id.to_bytes())
        .to_bytes();
    let real = swap_identity(&storage, &mia_id.to_string(), &forged).await;
    let shown = ada.engine.newcomers(&ada.t, &by).await.unwrap();
    let mia_shown = shown.iter().find(|n| n.email == "mia@example.org").unwrap();
    assert_ne!(
        mia_shown.fingerprint.as_deref(),
        Some(newcomers[0].1.as_str())
    );
    let refused = ada
        .engine
        .confirm_member(&ada.t, &by, "mia@example.org", &newcomers[0].1)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("does not match"), "{refused}");
    assert_eq!(ada.engine.newcomers(&ada.t, &by).await.unwrap().len(), 2);
    swap_identity(&storage, &mia_id.to_string(), &real).await;

    // Confirmed by the digits each reads out.
    for (p, fingerprint) in &newcomers {
        let confirmed = ada
            .engine
            .confirm_member(&ada.t, &by, &p.email.to_uppercase(), fingerprint)
            .await
            .unwrap();
        assert_eq!(confirmed.email, p.email);
    }
    assert!(ada.engine.newcomers(&ada.t, &by).await.unwrap().is_empty());
    assert!(report(&ada.engine.sync(&ada.t).await.unwrap(), org).pushed >= 2);

    // Each device now receives what its role reads.
    let (mut mia, _) = newcomers.remove(0);
    let (mut vic, _) = newcomers.remove(0);
    let got = report(&mia.engine.sync(&mia.t).await.unwrap(), org);
    assert!(got.received > 0 && got.refused == 0, "{got:?}");
    assert!(
        mia.engine.quarantined().is_empty(),
        "{:?}",
        mia.engine.quarantined()
    );
    assert_eq!(
        held_compartments(mia.dir(), org).await,
        [Compartment::Team as i64]
    );
    let mia_by = mia.engine.act_as_user(org).unwrap();
    assert_eq!(
        mia.engine.clients(&mia_by, false).unwrap()[0].name,
        "Globex"
    );
    for (_, envelope) in stored_records(mia.dir(), org).await {
        let header = stint_crypto::EnvelopeRef::parse(&envelope).unwrap();
        assert_eq!(
            header.header().compartment,
            Compartment::Team as u8,
            "a finance envelope reached a Member's device"
        );
    }
    let got = report(&vic.engine.sync(&vic.t).await.unwrap(), org);
    assert!(got.received > 0 && got.refused == 0, "{got:?}");
    assert_eq!(
        held_compartments(vic.dir(), org).await,
        [Compartment::Team as i64, Compartment::Finance as i64]
    );
    let vic_by = vic.engine.act_as_user(org).unwrap();
    assert_eq!(vic.engine.rates(&vic_by).unwrap().len(), 1);

    // Mia tracks time; Ada's device receives it, checked against Mia's certified device.
    let start: jiff::Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
    mia.engine
        .add_entry(&mia_by, span_entry(project, start, 90, "wireframes"))
        .await
        .unwrap();
    assert_eq!(
        report(&mia.engine.sync(&mia.t).await.unwrap(), org).pushed,
        1
    );
    let got = report(&ada.engine.sync(&ada.t).await.unwrap(), org);
    assert_eq!((got.received, got.refused), (1, 0), "{got:?}");
    let entries = ada.engine.entries(&by, &EntryFilter::default()).unwrap();
    let mias: Vec<_> = entries
        .iter()
        .filter(|e| e.entry.member == mia_id)
        .collect();
    assert_eq!(mias.len(), 1, "{entries:?}");
    assert!(matches!(mias[0].entry.time, EntryTime::Span { start: s, .. } if s == start));
    // Ada's device cannot write as Mia (`--as` is for local members only).
    let as_mia = stint_engine::ActAs {
        org,
        member: mia_id,
    };
    let refused = ada
        .engine
        .add_entry(&as_mia, span_entry(project, start, 30, "not hers"))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("own account"), "{refused}");
    // Nor choose to act as her.
    let refused = ada.engine.act_as_member(org, mia_id).await.unwrap_err();
    assert!(refused.to_string().contains("own account"), "{refused}");
    assert_eq!(
        ada.engine
            .act_as_member(org, ada.engine.user())
            .await
            .unwrap(),
        by
    );

    for p in [ada, mia, vic] {
        p.engine.close().await;
    }
    server.stop().await;
}
both!(members_join_by_fingerprint_and_hold_what_their_role_reads);

/// A delivery of `key` for `compartment` (epoch 1) of `org` to `to`, signed by `by`.
fn delivery(
    org: &str,
    compartment: Compartment,
    key: &stint_crypto::SymmetricKey,
    to: &raw::Person,
    to_identity: &IdentityKeys,
    by: &raw::Person,
    by_identity: &IdentityKeys,
) -> String {
    raw::b64(&KeyDelivery::seal(
        key,
        raw::org_bytes(org),
        compartment as u8,
        1,
        &to_identity.public(to.user),
        by.user,
        &by_identity.signing,
    ))
}

async fn confirming(
    server: &Server,
    who: &raw::Person,
    org: &str,
    newcomer: &raw::Person,
    deliveries: Vec<String>,
) -> (StatusCode, serde_json::Value) {
    server
        .call(
            Method::POST,
            &format!(
                "/api/v1/orgs/{org}/members/{}/confirm",
                ulid::Ulid::from_bytes(newcomer.user)
            ),
            Some(&who.token),
            Some(serde_json::json!({ "deliveries": deliveries })),
        )
        .await
}

/// The server's checks on confirming, over raw HTTP: only an Owner or Admin confirms; only with
/// exactly the keys the newcomer's role reads (a Member never gets the finance key), each a
/// delivery to them signed by the confirming identity; the newcomer then fetches deliveries that
/// verify under the Owner's identity and open with their own. Someone waiting can be turned away.
async fn confirming_hands_over_exactly_the_keys_of_the_role(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let olga = raw::person(&server, &storage, "olga").await;
    let olga_identity = raw::set_up_identity(&server, &olga).await;
    let org = support::create_org(&server, &olga.token, "Acme").await;
    // Max joins while the organization has no keys: confirming hands over nothing.
    let max = raw::person(&server, &storage, "max").await;
    let max_identity = raw::set_up_identity(&server, &max).await;
    support::join(
        &server,
        &storage,
        &olga.token,
        &org,
        &max.email,
        &max.token,
        "member",
    )
    .await;
    // Olga's own keys, delivered to herself.
    let (team, finance) = (
        stint_crypto::SymmetricKey::generate(),
        stint_crypto::SymmetricKey::generate(),
    );
    let own: Vec<String> = [(Compartment::Team, &team), (Compartment::Finance, &finance)]
        .into_iter()
        .map(|(c, k)| delivery(&org, c, k, &olga, &olga_identity, &olga, &olga_identity))
        .collect();
    let (status, body) = server
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{org}/keys"),
            Some(&olga.token),
            Some(serde_json::json!({ "deliveries": own })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    // Keys stored before deliveries were signed (sync part 1) are not handed out; the member's
    // own signed delivery of the same key takes the slot.
    let olga_id = ulid::Ulid::from_bytes(olga.user);
    support::execute_in_org(
        &storage,
        &org,
        format!("UPDATE sealed_keys SET signature = NULL WHERE user_id = '{olga_id}'"),
    )
    .await;
    let keys = format!("/api/v1/orgs/{org}/keys");
    let (_, held) = server.get(&keys, &olga.token).await;
    assert_eq!(held["deliveries"], serde_json::json!([]));
    let again: Vec<String> = [(Compartment::Team, &team), (Compartment::Finance, &finance)]
        .into_iter()
        .map(|(c, k)| delivery(&org, c, k, &olga, &olga_identity, &olga, &olga_identity))
        .collect();
    let (status, body) = server
        .call(
            Method::PUT,
            &keys,
            Some(&olga.token),
            Some(serde_json::json!({ "deliveries": again })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, held) = server.get(&keys, &olga.token).await;
    assert_eq!(held["deliveries"], serde_json::json!(again));

    let mia = raw::person(&server, &storage, "mia").await;
    let mia_identity = raw::set_up_identity(&server, &mia).await;
    support::accepted(
        &server,
        &storage,
        &olga.token,
        &org,
        &mia.email,
        &mia.token,
        "member",
    )
    .await;
    let (_, orgs) = server.get("/api/v1/orgs", &mia.token).await;
    assert_eq!(orgs[0]["pending"], true, "{orgs}");
    let (status, body) = server
        .get(&format!("/api/v1/orgs/{org}/members"), &mia.token)
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::FORBIDDEN, &"pending".into())
    );
    let (status, pending) = server
        .get(&format!("/api/v1/orgs/{org}/members/pending"), &olga.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{pending}");
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(pending[0]["role"], "member");
    assert_eq!(
        pending[0]["identity"],
        raw::b64(&mia_identity.public(mia.user).to_bytes())
    );

    let team_to_mia = delivery(
        &org,
        Compartment::Team,
        &team,
        &mia,
        &mia_identity,
        &olga,
        &olga_identity,
    );
    let finance_to_mia = delivery(
        &org,
        Compartment::Finance,
        &finance,
        &mia,
        &mia_identity,
        &olga,
        &olga_identity,
    );
    // A Member cannot let anyone in.
    let (status, body) = confirming(
        &server,
        &max,
        &org,
        &mia,
        vec![delivery(
            &org,
            Compartment::Team,
            &team,
            &mia,
            &mia_identity,
            &max,
            &max_identity,
        )],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // Not the keys of the role: none, or the finance key to a Member.
    for wrong in [vec![], vec![team_to_mia.clone(), finance_to_mia]] {
        let (status, body) = confirming(&server, &olga, &org, &mia, wrong).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "wrong_keys", "{body}");
    }
    // Not a delivery of Olga's to Mia: signed by Max, or addressed to Max.
    for wrong in [
        delivery(
            &org,
            Compartment::Team,
            &team,
            &mia,
            &mia_identity,
            &max,
            &max_identity,
        ),
        delivery(
            &org,
            Compartment::Team,
            &team,
            &max,
            &max_identity,
            &olga,
            &olga_identity,
        ),
    ] {
        let (status, body) = confirming(&server, &olga, &org, &mia, vec![wrong]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "bad_delivery", "{body}");
    }
    let (_, pending) = server
        .get(&format!("/api/v1/orgs/{org}/members/pending"), &olga.token)
        .await;
    assert_eq!(
        pending.as_array().unwrap().len(),
        1,
        "refused, still waiting"
    );

    let (status, body) = confirming(&server, &olga, &org, &mia, vec![team_to_mia]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "member");
    let (status, keys) = server
        .get(&format!("/api/v1/orgs/{org}/keys"), &mia.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{keys}");
    let deliveries = keys["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "a Member holds the team key only");
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(deliveries[0].as_str().unwrap())
        .unwrap();
    let got = KeyDelivery::verify(&bytes, &olga_identity.signing.verifying_key()).unwrap();
    assert_eq!(got.compartment, Compartment::Team as u8);
    assert_eq!(
        got.open(&mia_identity.sealing).unwrap().expose_secret(),
        team.expose_secret()
    );
    let (status, _) = confirming(&server, &olga, &org, &mia, vec![]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "confirmed once");
    // Nor can a Member keep a finance key on the server for their other devices, even one they
    // got hold of: a device of theirs never receives one.
    let own_finance = delivery(
        &org,
        Compartment::Finance,
        &finance,
        &mia,
        &mia_identity,
        &mia,
        &mia_identity,
    );
    let (status, body) = server
        .call(
            Method::PUT,
            &format!("/api/v1/orgs/{org}/keys"),
            Some(&mia.token),
            Some(serde_json::json!({ "deliveries": [own_finance] })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, keys) = server
        .get(&format!("/api/v1/orgs/{org}/keys"), &mia.token)
        .await;
    assert_eq!(keys["deliveries"].as_array().unwrap().len(), 1, "{keys}");

    // Someone waiting is turned away; then the organization is as absent to them as any other.
    let pat = raw::person(&server, &storage, "pat").await;
    support::accepted(
        &server,
        &storage,
        &olga.token,
        &org,
        &pat.email,
        &pat.token,
        "viewer",
    )
    .await;
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!(
                "/api/v1/orgs/{org}/members/{}",
                ulid::Ulid::from_bytes(pat.user)
            ),
            Some(&olga.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.get(&format!("/api/v1/orgs/{org}"), &pat.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, orgs) = server.get("/api/v1/orgs", &pat.token).await;
    assert_eq!(orgs, serde_json::json!([]));
    server.stop().await;
}
both!(confirming_hands_over_exactly_the_keys_of_the_role);

/// A draft for `client` with one typed line.
async fn retainer(
    engine: &mut Engine,
    by: stint_engine::ActAs,
    client: stint_domain::ClientId,
) -> stint_domain::InvoiceId {
    use stint_domain::invoice::{Tax, TypedLine, Unit};
    let line = TypedLine {
        description: "Retainer".into(),
        detail: None,
        quantity: "1".parse().unwrap(),
        unit: Unit::LumpSum,
        unit_price: "500".parse().unwrap(),
        discount: None,
        tax: Tax::standard("19".parse().unwrap()),
    };
    let input = stint_engine::NewInvoice {
        client: Some(client),
        lines: vec![line],
        ..Default::default()
    };
    engine.create_invoice(&by, input).await.unwrap().invoice.id
}

/// Issues `ids` one after the other, through the server; their numbers.
async fn issue_all(
    engine: &mut Engine,
    t: &HttpTransport,
    by: stint_engine::ActAs,
    ids: Vec<stint_domain::InvoiceId>,
    day: Option<jiff::civil::Date>,
) -> Vec<String> {
    let mut numbers = Vec::new();
    for id in ids {
        let issued = engine.issue_invoice_online(t, &by, id, day).await.unwrap();
        numbers.push(issued.invoice.number.unwrap());
    }
    numbers
}

/// Ada numbered two invoices before publishing Acme; Adam joins as an Admin. Offline, issuing in
/// a synced organization is refused and the draft stays a draft. Then both issue three invoices at
/// the same moment from their own devices: the server's numbers continue after Ada's, unique and
/// gapless, and after a sync each device shows all eight.
async fn two_admins_issue_at_the_same_moment(backend: Backend) {
    use stint_domain::invoice::NumberingScheme;
    use stint_engine::InvoiceFilter;

    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, _) = ada_with_acme(&server, &storage).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let mut profile = ada.engine.billing_profile(&by).unwrap();
    profile.seller.name = "Acme GmbH".into();
    profile.seller.street = "Torstraße 1".into();
    profile.seller.postcode = "10119".into();
    profile.seller.city = "Berlin".into();
    profile.seller.country = "DE".into();
    profile.numbering = NumberingScheme {
        pattern: "RE-{YYYY}-{SEQ:3}".into(),
        yearly_reset: true,
        per_client: false,
    };
    ada.engine.save_billing_profile(&by, profile).await.unwrap();
    let client = ada.engine.clients(&by, false).unwrap()[0].id;
    let mut details = ada.engine.client_billing(&by, client).unwrap();
    details.buyer.street = "Hafenweg 3".into();
    details.buyer.postcode = "20457".into();
    details.buyer.city = "Hamburg".into();
    details.buyer.country = "DE".into();
    ada.engine.save_client_billing(&by, details).await.unwrap();
    let day = Some(jiff::civil::date(2026, 11, 30));
    for _ in 0..2 {
        let id = retainer(&mut ada.engine, by, client).await;
        ada.engine.issue_invoice(&by, id, day).await.unwrap();
    }
    ada.engine.publish(&ada.t, org).await.unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    let by = ada.engine.act_as_user(org).unwrap();

    let (mut adam, fingerprint) = invited(
        &server,
        &storage,
        &ada,
        org,
        "adam@example.org",
        Role::Admin,
    )
    .await;
    ada.engine
        .confirm_member(&ada.t, &by, &adam.email, &fingerprint)
        .await
        .unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    adam.engine.sync(&adam.t).await.unwrap();
    let adam_by = adam.engine.act_as_user(org).unwrap();

    // Offline (or through the call that cannot ask the server): refused, still a draft.
    let id = retainer(&mut adam.engine, adam_by, client).await;
    let refused = adam
        .engine
        .issue_invoice(&adam_by, id, day)
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("server gives out invoice numbers"),
        "{refused}"
    );
    assert!(
        adam.engine
            .invoice(&adam_by, id)
            .unwrap()
            .invoice
            .number
            .is_none()
    );

    let mut adas = Vec::new();
    let mut adams = vec![id];
    for _ in 0..3 {
        adas.push(retainer(&mut ada.engine, by, client).await);
    }
    for _ in 0..2 {
        adams.push(retainer(&mut adam.engine, adam_by, client).await);
    }
    let (from_ada, from_adam) = tokio::join!(
        issue_all(&mut ada.engine, &ada.t, by, adas.clone(), day),
        issue_all(&mut adam.engine, &adam.t, adam_by, adams.clone(), day),
    );
    let mut numbers: Vec<String> = from_ada.into_iter().chain(from_adam).collect();
    numbers.sort();
    let expected: Vec<String> = (3..=8).map(|n| format!("RE-2026-{n:03}")).collect();
    assert_eq!(numbers, expected);

    // Asking again for an issued invoice's number changes nothing.
    let again = adam
        .engine
        .issue_invoice_online(&adam.t, &adam_by, adams[0], day)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("issued"), "{again}");

    ada.engine.sync(&ada.t).await.unwrap();
    adam.engine.sync(&adam.t).await.unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    for (engine, by) in [(&ada.engine, by), (&adam.engine, adam_by)] {
        let mut all: Vec<String> = engine
            .invoices(&by, &InvoiceFilter::default())
            .unwrap()
            .into_iter()
            .filter_map(|v| v.invoice.number)
            .collect();
        all.sort();
        let expected: Vec<String> = (1..=8).map(|n| format!("RE-2026-{n:03}")).collect();
        assert_eq!(all, expected);
    }
    for p in [ada, adam] {
        p.engine.close().await;
    }
    server.stop().await;
}
both!(two_admins_issue_at_the_same_moment);

/// Someone invited twice, who accepts both invitations, waits with the later one's role: the one
/// the answer names, the one Owners and Admins see, and the one they are confirmed with. (The
/// server kept the first one's role while its answer named the second's.)
async fn a_second_invitation_accepted_gives_its_role(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, _) = ada_with_acme(&server, &storage).await;
    support::team::publish(&mut ada, org).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let (mut mia, _) = invited(
        &server,
        &storage,
        &ada,
        org,
        "mia@example.org",
        Role::Member,
    )
    .await;

    ada.t
        .invite(org, "mia@example.org", Role::Viewer)
        .await
        .unwrap();
    let token = support::invitation_token(&storage, "mia@example.org");
    let joined = mia.engine.join_org(&mia.t, &token).await.unwrap();
    assert_eq!((joined.role, joined.pending), (Role::Viewer, true));
    let waiting = ada.engine.newcomers(&ada.t, &by).await.unwrap();
    let roles: Vec<(&str, Role)> = waiting.iter().map(|n| (n.email.as_str(), n.role)).collect();
    assert_eq!(roles, [("mia@example.org", Role::Viewer)]);

    ada.engine
        .confirm_member(&ada.t, &by, "mia@example.org", &joined.fingerprint)
        .await
        .unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    mia.engine.sync(&mia.t).await.unwrap();
    assert_eq!(
        held_compartments(mia.dir(), org).await,
        [Compartment::Team as i64, Compartment::Finance as i64]
    );
}
both!(a_second_invitation_accepted_gives_its_role);
