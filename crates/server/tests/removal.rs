//! Removing and demoting members of a synced organization (docs/sync.md, "Removal and role
//! changes"): signed membership log entries with a new key epoch for every compartment someone
//! stops reading, over a real server on both backends.

mod support;

use reqwest::{Method, StatusCode};
use stint_crypto::EnvelopeRef;
use stint_domain::{Compartment, MemberId, OrgId, RateScope, Role};
use stint_engine::{EntryFilter, NewRate};
use support::devices::{client_names, span_entry, stored_records};
use support::team::{
    Person, acme_with_mia_and_vic, ada_with_acme, confirmed, confirmed_and_synced,
    held_compartments, publish, push_raw, report,
};
use support::{Backend, Server, Storage};

/// The epochs of `compartment` of `org` whose keys the vault at `dir` holds.
async fn held_epochs(dir: &std::path::Path, org: OrgId, compartment: Compartment) -> Vec<i64> {
    let url = format!("sqlite://{}", dir.join("vault.sqlite").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT epoch FROM org_keys WHERE org = ? AND compartment = ? ORDER BY 1",
    )
    .bind(org.to_bytes().as_slice())
    .bind(compartment as i64)
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows
}

/// The envelope of record `id` in the vault at `dir`.
async fn envelope_of(dir: &std::path::Path, org: OrgId, id: [u8; 16]) -> Vec<u8> {
    stored_records(dir, org)
        .await
        .into_iter()
        .find(|(record, _)| record.as_slice() == id)
        .map(|(_, envelope)| envelope)
        .expect("the record is in the vault")
}

fn epoch(envelope: &[u8]) -> u32 {
    EnvelopeRef::parse(envelope).unwrap().header().epoch
}

/// Ada owns Acme; Mia (Member) and Vic (Admin) are confirmed by fingerprint. Ada removes Mia:
/// Mia's account can no longer pull or push, the team key moves to epoch 2 (delivered to Ada and
/// Vic), and what Ada writes afterwards is sealed under a key Mia never held. Vic's change made
/// before he heard of it, waiting in his outbox under epoch 1, is sealed again and arrives; the
/// server refuses the old version (409). Ada demotes Vic to Member: his device forgets the
/// finance keys and records, and the finance key moves on. Promoted again, his device receives
/// every finance key and reads the whole history again, the rate set while he was a Member too.
async fn removal_and_role_changes_move_keys_on(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, project) = ada_with_acme(&server, &storage).await;
    let rate = |from: (i16, i8, i8), hourly: &str| NewRate {
        scope: RateScope::Project { project },
        effective_from: jiff::civil::date(from.0, from.1, from.2),
        hourly: hourly.into(),
        currency: None,
    };
    let by = ada.engine.act_as_user(org).unwrap();
    ada.engine
        .set_rate(&by, rate((2020, 1, 1), "95"))
        .await
        .unwrap();
    publish(&mut ada, org).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let mut mia = confirmed(
        &server,
        &storage,
        &mut ada,
        org,
        "mia@example.org",
        Role::Member,
    )
    .await;
    let mut vic = confirmed(
        &server,
        &storage,
        &mut ada,
        org,
        "vic@example.org",
        Role::Admin,
    )
    .await;
    ada.engine.sync(&ada.t).await.unwrap();
    for p in [&mut mia, &mut vic] {
        let got = report(&p.engine.sync(&p.t).await.unwrap(), org);
        assert!(got.received > 0 && got.refused == 0, "{got:?}");
    }
    let mia_id = mia.engine.sync_account().await.unwrap().unwrap();
    let vic_id = vic.engine.sync_account().await.unwrap().unwrap();
    let vic_by = vic.engine.act_as_user(org).unwrap();
    assert_eq!(vic.engine.rates(&vic_by).unwrap().len(), 1);

    // Vic tracks time and has not synced yet: his change waits under the team key of epoch 1.
    let start: jiff::Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
    let vics_entry = vic
        .engine
        .add_entry(&vic_by, span_entry(project, start, 60, "review"))
        .await
        .unwrap()
        .entry
        .entry
        .id;
    let held_back = envelope_of(vic.dir(), org, vics_entry.to_bytes()).await;
    assert_eq!(epoch(&held_back), 1);

    // Ada removes Mia.
    ada.engine
        .change_membership(&ada.t, &by, mia_id, None)
        .await
        .unwrap();
    let log = format!("/api/v1/orgs/{org}/membership");
    let (status, body) = server.get(&log, &ada.session).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The anchor, two confirmations, the removal and the team key's new epoch.
    assert_eq!(body["entries"].as_array().unwrap().len(), 5, "{body}");
    for (method, path) in [
        (Method::GET, format!("/api/v1/orgs/{org}/sync/pull")),
        (Method::GET, format!("/api/v1/orgs/{org}/keys")),
        (Method::GET, log.clone()),
    ] {
        let (status, body) = server.call(method, &path, Some(&mia.session), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let mias_old = stored_records(mia.dir(), org).await.remove(0).1;
    let (status, body) = push_raw(&server, &mia, org, mias_old).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(report(&mia.engine.sync(&mia.t).await.unwrap(), org) == Default::default());

    // What Ada writes now is sealed under epoch 2, which Mia never held.
    let adas_entry = ada
        .engine
        .add_entry(&by, span_entry(project, start, 30, "after Mia left"))
        .await
        .unwrap()
        .entry
        .entry
        .id;
    assert_eq!(
        epoch(&envelope_of(ada.dir(), org, adas_entry.to_bytes()).await),
        2
    );
    assert_eq!(held_epochs(mia.dir(), org, Compartment::Team).await, [1]);
    ada.engine.sync(&ada.t).await.unwrap();

    // Vic's waiting change is sealed again under the new key and arrives; the old version is
    // refused.
    let got = report(&vic.engine.sync(&vic.t).await.unwrap(), org);
    assert_eq!((got.pushed, got.refused), (1, 0), "{got:?}");
    assert_eq!(held_epochs(vic.dir(), org, Compartment::Team).await, [1, 2]);
    assert_eq!(
        epoch(&envelope_of(vic.dir(), org, vics_entry.to_bytes()).await),
        2
    );
    let (status, body) = push_raw(&server, &vic, org, held_back).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "old_epoch", "{body}");
    ada.engine.sync(&ada.t).await.unwrap();
    let entries = ada.engine.entries(&by, &EntryFilter::default()).unwrap();
    assert!(
        entries.iter().any(|e| e.entry.id == vics_entry),
        "{entries:?}"
    );
    assert!(
        ada.engine
            .members(&by)
            .unwrap()
            .iter()
            .any(|m| m.id == mia_id && !m.active)
    );

    // Demoted to Member, Vic's device forgets everything of finance.
    ada.engine
        .change_membership(&ada.t, &by, vic_id, Some(Role::Member))
        .await
        .unwrap();
    ada.engine
        .set_rate(&by, rate((2026, 1, 1), "120"))
        .await
        .unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    vic.engine.sync(&vic.t).await.unwrap();
    let vic_by = vic.engine.act_as_user(org).unwrap();
    assert_eq!(
        held_compartments(vic.dir(), org).await,
        [Compartment::Team as i64]
    );
    for (_, envelope) in stored_records(vic.dir(), org).await {
        let parsed = EnvelopeRef::parse(&envelope).unwrap();
        assert_eq!(parsed.header().compartment, Compartment::Team as u8);
    }
    assert!(vic.engine.rates(&vic_by).is_err());
    assert_eq!(
        vic.engine
            .members(&vic_by)
            .unwrap()
            .iter()
            .find(|m| m.id == vic_id)
            .unwrap()
            .role,
        Role::Member
    );

    // Promoted again: every finance key, and the history they open.
    ada.engine
        .change_membership(&ada.t, &by, vic_id, Some(Role::Admin))
        .await
        .unwrap();
    let got = report(&vic.engine.sync(&vic.t).await.unwrap(), org);
    assert_eq!(got.refused, 0, "{got:?}");
    assert_eq!(
        held_epochs(vic.dir(), org, Compartment::Finance).await,
        [1, 2]
    );
    let vic_by = vic.engine.act_as_user(org).unwrap();
    assert_eq!(vic.engine.rates(&vic_by).unwrap().len(), 2);
}
both!(removal_and_role_changes_move_keys_on);

/// Asserts an answer is the refusal `status` with error `code`.
fn refused_with(got: StatusCode, body: &serde_json::Value, status: StatusCode, code: &str) {
    assert_eq!(
        (got, body["error"]["code"].as_str()),
        (status, Some(code)),
        "{body}"
    );
}

/// A log entry of `org` after `prev` (the entries so far), signed by `by`.
fn entry(
    org: &str,
    prev: &[Vec<u8>],
    by: &support::raw::Person,
    identity: &stint_crypto::IdentityKeys,
    change: stint_crypto::MembershipChange,
) -> Vec<u8> {
    stint_crypto::MembershipEntry {
        org: support::raw::org_bytes(org),
        seq: prev.len() as u32 + 1,
        prev: prev
            .last()
            .map_or([0; 32], |e| stint_crypto::MembershipEntry::hash(e)),
        signer: by.user,
        at_ms: 1_700_000_000_000,
        change,
    }
    .sign(&identity.signing)
    .to_vec()
}

async fn append(
    server: &Server,
    who: &support::raw::Person,
    org: &str,
    after: usize,
    entries: &[Vec<u8>],
    deliveries: Vec<String>,
) -> (StatusCode, serde_json::Value) {
    let entries: Vec<String> = entries.iter().map(|e| support::raw::b64(e)).collect();
    server
        .call(
            Method::POST,
            &format!("/api/v1/orgs/{org}/membership"),
            Some(&who.token),
            Some(
                serde_json::json!({ "after": after, "entries": entries, "deliveries": deliveries }),
            ),
        )
        .await
}

/// The server takes only entries the log would take, signed by the account sending them, with the
/// deliveries they call for, and changes its members only through them once a log exists.
async fn the_server_takes_only_what_the_log_allows(backend: Backend) {
    use stint_crypto::MembershipChange;
    use support::raw;
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let olga = raw::person(&server, &storage, "olga").await;
    let olga_keys = raw::set_up_identity(&server, &olga).await;
    let org = support::create_org(&server, &olga.token, "Acme").await;
    let max = raw::person(&server, &storage, "max").await;
    let max_keys = raw::set_up_identity(&server, &max).await;
    support::accepted(
        &server,
        &storage,
        &olga.token,
        &org,
        &max.email,
        &max.token,
        "member",
    )
    .await;
    let team = stint_crypto::SymmetricKey::generate();
    let to = |key: &stint_crypto::SymmetricKey,
              c: Compartment,
              epoch: u32,
              p: &raw::Person,
              k: &stint_crypto::IdentityKeys| {
        raw::b64(&stint_crypto::KeyDelivery::seal(
            key,
            raw::org_bytes(&org),
            c as u8,
            epoch,
            &k.public(p.user),
            olga.user,
            &olga_keys.signing,
        ))
    };

    let mut log: Vec<Vec<u8>> = Vec::new();
    // The anchor must add its signer as Owner.
    let wrong_anchor = entry(
        &org,
        &log,
        &olga,
        &olga_keys,
        MembershipChange::Add {
            member: olga.user,
            role: 2,
            identity: olga_keys.public(olga.user),
        },
    );
    let (status, body) = append(&server, &olga, &org, 0, &[wrong_anchor], vec![]).await;
    refused_with(status, &body, StatusCode::BAD_REQUEST, "bad_entry");
    let anchor = entry(
        &org,
        &log,
        &olga,
        &olga_keys,
        MembershipChange::Add {
            member: olga.user,
            role: 1,
            identity: olga_keys.public(olga.user),
        },
    );
    let (status, body) = append(
        &server,
        &olga,
        &org,
        0,
        std::slice::from_ref(&anchor),
        vec![],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    log.push(anchor);

    // Adding Max: without his key, with another identity than his, or sent by someone else than
    // its signer, refused; the log as it was says 1 entry, not 0.
    let add_max = entry(
        &org,
        &log,
        &olga,
        &olga_keys,
        MembershipChange::Add {
            member: max.user,
            role: 3,
            identity: max_keys.public(max.user),
        },
    );
    let forged = stint_crypto::IdentityKeys::generate();
    let add_forged = entry(
        &org,
        &log,
        &olga,
        &olga_keys,
        MembershipChange::Add {
            member: max.user,
            role: 3,
            identity: forged.public(max.user),
        },
    );
    let team_to_max = to(&team, Compartment::Team, 1, &max, &max_keys);
    for (who, after, entries, deliveries, status, code) in [
        (
            &olga,
            1,
            vec![add_max.clone()],
            vec![],
            StatusCode::BAD_REQUEST,
            "wrong_keys",
        ),
        (
            &olga,
            1,
            vec![add_forged],
            vec![to(&team, Compartment::Team, 1, &max, &forged)],
            StatusCode::BAD_REQUEST,
            "bad_entry",
        ),
        (
            &max,
            1,
            vec![add_max.clone()],
            vec![team_to_max.clone()],
            StatusCode::FORBIDDEN,
            "pending",
        ),
        (
            &olga,
            0,
            vec![add_max.clone()],
            vec![team_to_max.clone()],
            StatusCode::CONFLICT,
            "log_moved",
        ),
        (
            &olga,
            1,
            vec![add_max.clone()],
            vec![
                team_to_max.clone(),
                to(&team, Compartment::Finance, 1, &max, &max_keys),
            ],
            StatusCode::BAD_REQUEST,
            "bad_delivery",
        ),
    ] {
        let (got, body) = append(&server, who, &org, after, &entries, deliveries).await;
        assert_eq!(
            (got, body["error"]["code"].as_str().unwrap()),
            (status, code),
            "{body}"
        );
    }
    let (status, body) = append(
        &server,
        &olga,
        &org,
        1,
        std::slice::from_ref(&add_max),
        vec![team_to_max],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    log.push(add_max);

    // Max, a Member, cannot make himself an Admin, nor rotate keys.
    for change in [
        MembershipChange::Role {
            member: max.user,
            role: 2,
        },
        MembershipChange::Epoch {
            compartment: 1,
            epoch: 2,
        },
    ] {
        let own = entry(&org, &log, &max, &max_keys, change);
        let (status, body) = append(&server, &max, &org, 2, &[own], vec![]).await;
        refused_with(status, &body, StatusCode::BAD_REQUEST, "bad_entry");
    }
    // Removing Max without moving the team key on is refused; the plain routes are closed.
    let remove = entry(
        &org,
        &log,
        &olga,
        &olga_keys,
        MembershipChange::Remove { member: max.user },
    );
    let (status, body) = append(
        &server,
        &olga,
        &org,
        2,
        std::slice::from_ref(&remove),
        vec![],
    )
    .await;
    refused_with(status, &body, StatusCode::BAD_REQUEST, "bad_entry");
    let member = format!(
        "/api/v1/orgs/{org}/members/{}",
        ulid::Ulid::from_bytes(max.user)
    );
    for (method, body) in [
        (Method::DELETE, None),
        (Method::PATCH, Some(serde_json::json!({ "role": "viewer" }))),
    ] {
        let (status, answer) = server.call(method, &member, Some(&olga.token), body).await;
        refused_with(status, &answer, StatusCode::CONFLICT, "membership_log");
    }
    let (_, stored) = server
        .get(&format!("/api/v1/orgs/{org}/membership"), &max.token)
        .await;
    assert_eq!(stored["entries"].as_array().unwrap().len(), 2, "{stored}");
    let status = server
        .http
        .get(format!("{}/api/v1/orgs/{org}/sync/pull", server.base))
        .bearer_auth(&max.token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK, "still a member");
    server.stop().await;
}
both!(the_server_takes_only_what_the_log_allows);

/// A literal of `bytes` in the SQL of `storage`'s backend.
fn blob(storage: &Storage, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match storage.backend {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("decode('{hex}', 'hex')"),
    }
}

/// The server drops an entry of the membership log, or forges one: the device that checked the
/// log before refuses it as not the one it knew, a device seeing it for the first time refuses
/// the forged signature; nothing of the organization is synced meanwhile. Put back, both sync.
async fn a_device_refuses_a_log_the_server_changed(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, _) = ada_with_acme(&server, &storage).await;
    publish(&mut ada, org).await;
    let mut mia = confirmed(
        &server,
        &storage,
        &mut ada,
        org,
        "mia@example.org",
        Role::Member,
    )
    .await;
    ada.engine.sync(&ada.t).await.unwrap();
    let (_, log) = server
        .get(&format!("/api/v1/orgs/{org}/membership"), &ada.session)
        .await;
    use base64::Engine as _;
    let adds_mia = base64::engine::general_purpose::STANDARD
        .decode(log["entries"][1].as_str().unwrap())
        .unwrap();
    let org_id = org.to_string();
    let put = |bytes: &[u8]| {
        format!(
            "INSERT INTO membership_log (org_id, seq, entry) VALUES ('{org_id}', 2, {})",
            blob(&storage, bytes)
        )
    };
    let drop = format!("DELETE FROM membership_log WHERE org_id = '{org_id}' AND seq = 2");

    support::execute_in_org(&storage, &org_id, drop.clone()).await;
    let refused = ada.engine.sync(&ada.t).await.unwrap_err().to_string();
    assert!(
        refused.contains("not the one this device checked before"),
        "{refused}"
    );

    let mut forged = adds_mia.clone();
    forged[100] ^= 1;
    support::execute_in_org(&storage, &org_id, put(&forged)).await;
    let refused = mia.engine.sync(&mia.t).await.unwrap_err().to_string();
    assert!(
        refused.contains("membership log of organization"),
        "{refused}"
    );
    assert!(mia.engine.organizations().is_empty());
    let refused = ada.engine.sync(&ada.t).await.unwrap_err().to_string();
    assert!(
        refused.contains("not the one this device checked before"),
        "{refused}"
    );

    support::execute_in_org(&storage, &org_id, drop).await;
    support::execute_in_org(&storage, &org_id, put(&adds_mia)).await;
    ada.engine.sync(&ada.t).await.unwrap();
    let got = report(&mia.engine.sync(&mia.t).await.unwrap(), org);
    assert!(got.received > 0 && got.refused == 0, "{got:?}");
    server.stop().await;
}
both!(a_device_refuses_a_log_the_server_changed);

/// Adam, an Admin, is removed. The server then hands Mia, in his name, a team key of the new
/// epoch that he made himself (his delivery replaces Ada's in the server's table): had Mia taken
/// it, she would write under a key the removed Admin holds. Her device trusts someone the log no
/// longer lists as Owner or Admin only for keys of replaced epochs, and refuses it.
async fn a_removed_admin_cannot_hand_out_the_new_key(backend: Backend) {
    use support::raw;
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, _) = ada_with_acme(&server, &storage).await;
    publish(&mut ada, org).await;
    let mut mia = confirmed(
        &server,
        &storage,
        &mut ada,
        org,
        "mia@example.org",
        Role::Member,
    )
    .await;
    let adam = raw::person(&server, &storage, "adam").await;
    let adam_keys = raw::set_up_identity(&server, &adam).await;
    let org_id = org.to_string();
    support::accepted(
        &server,
        &storage,
        &ada.session,
        &org_id,
        &adam.email,
        &adam.token,
        "admin",
    )
    .await;
    let by = ada.engine.act_as_user(org).unwrap();
    let digits = adam_keys.public(adam.user).fingerprint();
    ada.engine
        .confirm_member(&ada.t, &by, &adam.email, &digits)
        .await
        .unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    mia.engine.sync(&mia.t).await.unwrap();

    let adam_id = stint_domain::MemberId::from_bytes(adam.user);
    ada.engine
        .change_membership(&ada.t, &by, adam_id, None)
        .await
        .unwrap();
    let (_, directory) = server
        .get(&format!("/api/v1/orgs/{org}/directory"), &ada.session)
        .await;
    let mia_id = mia.engine.sync_account().await.unwrap().unwrap();
    use base64::Engine as _;
    let mia_identity = directory
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["user"] == mia_id.to_string())
        .map(|e| {
            base64::engine::general_purpose::STANDARD
                .decode(e["identity"].as_str().unwrap())
                .unwrap()
        })
        .unwrap();
    let mia_identity = stint_crypto::IdentityPublic::from_bytes(&mia_identity).unwrap();
    let his = stint_crypto::KeyDelivery::seal(
        &stint_crypto::SymmetricKey::generate(),
        org.to_bytes(),
        Compartment::Team as u8,
        2,
        &mia_identity,
        adam.user,
        &adam_keys.signing,
    );
    support::execute_in_org(
        &storage,
        &org_id,
        format!(
            "UPDATE sealed_keys SET sealed = {}, sealed_by = '{}', signature = {} \
             WHERE org_id = '{org_id}' AND user_id = '{mia_id}' AND compartment = 1 AND epoch = 2",
            blob(&storage, &his[54..159]),
            ulid::Ulid::from_bytes(adam.user),
            blob(&storage, &his[159..]),
        ),
    )
    .await;
    let refused = mia.engine.sync(&mia.t).await.unwrap_err().to_string();
    assert!(
        refused.contains("may not hand out this key now"),
        "{refused}"
    );
    assert_eq!(held_epochs(mia.dir(), org, Compartment::Team).await, [1]);
    server.stop().await;
}
both!(a_removed_admin_cannot_hand_out_the_new_key);

/// Ownership moves through the log: Ada (Owner) makes Adam an Owner, then steps down to Admin,
/// each a signed entry the server applies to its members table. Adam, now the only Owner, cannot
/// step down; Ada, now an Admin, cannot make herself an Owner again. Every device agrees.
async fn ownership_moves_through_the_log(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, _) = ada_with_acme(&server, &storage).await;
    publish(&mut ada, org).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let mut adam = confirmed_and_synced(
        &server,
        &storage,
        &mut ada,
        org,
        "adam@example.org",
        Role::Admin,
    )
    .await;
    let ada_id = ada.engine.sync_account().await.unwrap().unwrap();
    let adam_id = adam.engine.sync_account().await.unwrap().unwrap();
    let role_on_server = |p: &Person| {
        let (server, token) = (&server, p.session.clone());
        async move {
            let (status, body) = server.get(&format!("/api/v1/orgs/{org}"), &token).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["role"].as_str().unwrap().to_owned()
        }
    };

    ada.engine
        .change_membership(&ada.t, &by, adam_id, Some(Role::Owner))
        .await
        .unwrap();
    ada.engine
        .change_membership(&ada.t, &by, ada_id, Some(Role::Admin))
        .await
        .unwrap();
    assert_eq!(role_on_server(&adam).await, "owner");
    assert_eq!(role_on_server(&ada).await, "admin");

    adam.engine.sync(&adam.t).await.unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    let adam_by = adam.engine.act_as_user(org).unwrap();
    for (engine, on) in [(&ada.engine, by), (&adam.engine, adam_by)] {
        let mut roles: Vec<(MemberId, Role)> = engine
            .members(&on)
            .unwrap()
            .into_iter()
            .filter(|m| m.active)
            .map(|m| (m.id, m.role))
            .collect();
        roles.sort();
        let mut expected = vec![(ada_id, Role::Admin), (adam_id, Role::Owner)];
        expected.sort();
        assert_eq!(roles, expected);
    }

    // The last Owner stays; an Admin makes nobody an Owner, herself included.
    let last = adam
        .engine
        .change_membership(&adam.t, &adam_by, adam_id, Some(Role::Admin))
        .await
        .unwrap_err();
    assert!(last.to_string().contains("at least one owner"), "{last}");
    let back = ada
        .engine
        .change_membership(&ada.t, &by, ada_id, Some(Role::Owner))
        .await
        .unwrap_err();
    assert!(back.to_string().contains("admin"), "{back}");
    assert_eq!(role_on_server(&adam).await, "owner");
    assert_eq!(role_on_server(&ada).await, "admin");
    for p in [ada, adam] {
        p.engine.close().await;
    }
    server.stop().await;
}
both!(ownership_moves_through_the_log);

/// A change written offline that the writer's new role no longer allows does not stop the
/// device's sync: the server would refuse it for good, so it is set aside (undone on the device,
/// its values kept in the conflict log for review) and everything else goes on. Mia (Member)
/// tracks time and Vic (Admin) adds a client, both offline; Ada makes Mia a Viewer and Vic a
/// Member. Both sync: Mia's entry and Vic's client are set aside, Vic's own entry arrives, and
/// both receive what Ada wrote meanwhile.
async fn a_change_the_new_role_forbids_is_set_aside_and_sync_goes_on(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, project, mut mia, mut vic) =
        acme_with_mia_and_vic(&server, &storage, Role::Member, Role::Admin).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let mia_id = mia.engine.sync_account().await.unwrap().unwrap();
    let vic_id = vic.engine.sync_account().await.unwrap().unwrap();
    let start: jiff::Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();

    // Offline: Mia tracks an hour; Vic adds a client and tracks half an hour.
    let mia_by = mia.engine.act_as_user(org).unwrap();
    let mias_entry = mia
        .engine
        .add_entry(
            &mia_by,
            span_entry(project, start, 60, "offline, then a viewer"),
        )
        .await
        .unwrap()
        .entry
        .entry
        .id;
    let vic_by = vic.engine.act_as_user(org).unwrap();
    vic.engine
        .add_client(
            &vic_by,
            stint_engine::NewClient {
                name: "Initech".into(),
                currency: None,
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let vics_entry = vic
        .engine
        .add_entry(
            &vic_by,
            span_entry(project, start, 30, "still a member's to write"),
        )
        .await
        .unwrap()
        .entry
        .entry
        .id;

    ada.engine
        .change_membership(&ada.t, &by, mia_id, Some(Role::Viewer))
        .await
        .unwrap();
    ada.engine
        .change_membership(&ada.t, &by, vic_id, Some(Role::Member))
        .await
        .unwrap();
    let adas_entry = ada
        .engine
        .add_entry(&by, span_entry(project, start, 15, "written meanwhile"))
        .await
        .unwrap()
        .entry
        .entry
        .id;
    ada.engine
        .add_client(
            &by,
            stint_engine::NewClient {
                name: "Hooli".into(),
                currency: None,
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    ada.engine.sync(&ada.t).await.unwrap();

    for (p, kind) in [(&mut mia, "time entry"), (&mut vic, "client")] {
        let got = report(&p.engine.sync(&p.t).await.unwrap(), org);
        assert_eq!(
            (got.set_aside, got.pending, got.refused),
            (1, 0, 0),
            "{got:?}"
        );
        let again = report(&p.engine.sync(&p.t).await.unwrap(), org);
        assert_eq!((again.set_aside, again.pending), (0, 0), "{again:?}");
        let p_by = p.engine.act_as_user(org).unwrap();
        let conflicts = p.engine.conflicts(&p_by).await.unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(conflicts[0].kind, kind, "{conflicts:?}");
        assert!(conflicts[0].not_sent, "{conflicts:?}");
        assert!(!conflicts[0].can_put_back, "{conflicts:?}");
        assert_eq!(client_names(&p.engine, org), ["Globex", "Hooli"]);
    }
    let mia_by = mia.engine.act_as_user(org).unwrap();
    let mias = mia
        .engine
        .entries(&mia_by, &EntryFilter::default())
        .unwrap();
    assert!(!mias.iter().any(|e| e.entry.id == mias_entry), "{mias:?}");
    assert!(mias.iter().any(|e| e.entry.id == adas_entry), "{mias:?}");
    let note = mia.engine.conflicts(&mia_by).await.unwrap().remove(0);
    assert!(
        note.fields
            .iter()
            .any(|f| f.lost == serde_json::json!("offline, then a viewer") && f.kept.is_null()),
        "{note:?}"
    );

    ada.engine.sync(&ada.t).await.unwrap();
    let entries = ada.engine.entries(&by, &EntryFilter::default()).unwrap();
    assert!(
        entries.iter().any(|e| e.entry.id == vics_entry),
        "{entries:?}"
    );
    assert!(
        !entries.iter().any(|e| e.entry.id == mias_entry),
        "{entries:?}"
    );
    assert_eq!(client_names(&ada.engine, org), ["Globex", "Hooli"]);
}
both!(a_change_the_new_role_forbids_is_set_aside_and_sync_goes_on);

/// Leaving (docs/sync.md, "Leaving"): Mia, a Member, signs her own removal (once her last change
/// has gone: with one waiting, she is told to sync first). The server stops
/// serving her at once; she cannot make the team's next key (she would know it), so the team
/// compartment is owed one and the server takes nothing more sealed for it: Vic's change waits on
/// his device, and pushed anyway it is refused (`409 rotation_pending`). Ada's next round moves
/// the key on; Vic's change is sealed again and arrives under a key Mia never held. The last Owner
/// cannot leave.
async fn leaving_holds_writes_until_an_owner_moves_the_keys_on(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, project, mut mia, mut vic) =
        acme_with_mia_and_vic(&server, &storage, Role::Member, Role::Member).await;
    let by = ada.engine.act_as_user(org).unwrap();

    let err = ada
        .engine
        .leave_organization(&ada.t, &by)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("the last Owner cannot leave"), "{err}");

    // What Mia wrote and has not pushed would reach nobody: she syncs first.
    let mia_by = mia.engine.act_as_user(org).unwrap();
    let before: jiff::Timestamp = "2026-12-01T08:00:00Z".parse().unwrap();
    mia.engine
        .add_entry(&mia_by, span_entry(project, before, 30, "her last"))
        .await
        .unwrap();
    let err = mia
        .engine
        .leave_organization(&mia.t, &mia_by)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("sync first"), "{err}");
    mia.engine.sync(&mia.t).await.unwrap();
    mia.engine
        .leave_organization(&mia.t, &mia_by)
        .await
        .unwrap();
    for path in [
        format!("/api/v1/orgs/{org}/sync/pull"),
        format!("/api/v1/orgs/{org}/keys"),
        format!("/api/v1/orgs/{org}/membership"),
    ] {
        let (status, body) = server
            .call(Method::GET, &path, Some(&mia.session), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    assert!(report(&mia.engine.sync(&mia.t).await.unwrap(), org) == Default::default());
    // Her device keeps the organization's log with her removal: she acts in it no more.
    let err = mia
        .engine
        .entries(&mia_by, &EntryFilter::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("removed from the organization"), "{err}");

    // Vic tracks time: it waits on his device, the round otherwise whole.
    let start: jiff::Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
    let vic_by = vic.engine.act_as_user(org).unwrap();
    let vics_entry = vic
        .engine
        .add_entry(&vic_by, span_entry(project, start, 45, "after Mia left"))
        .await
        .unwrap()
        .entry
        .entry
        .id;
    let got = report(&vic.engine.sync(&vic.t).await.unwrap(), org);
    assert!(got.key_owed, "{got:?}");
    assert_eq!((got.pushed, got.pending), (0, 1), "{got:?}");
    let waiting = envelope_of(vic.dir(), org, vics_entry.to_bytes()).await;
    assert_eq!(epoch(&waiting), 1);
    let (status, body) = push_raw(&server, &vic, org, waiting).await;
    refused_with(status, &body, StatusCode::CONFLICT, "rotation_pending");

    // Ada's round moves the team key on (an entry of the log), delivered to Vic and herself.
    let log = format!("/api/v1/orgs/{org}/membership");
    let (_, before) = server.get(&log, &ada.session).await;
    let got = report(&ada.engine.sync(&ada.t).await.unwrap(), org);
    assert!(!got.key_owed, "{got:?}");
    let (_, after) = server.get(&log, &ada.session).await;
    assert_eq!(
        after["entries"].as_array().unwrap().len(),
        before["entries"].as_array().unwrap().len() + 1,
        "{after}"
    );
    let got = report(&vic.engine.sync(&vic.t).await.unwrap(), org);
    assert_eq!(
        (got.pushed, got.pending, got.key_owed),
        (1, 0, false),
        "{got:?}"
    );
    assert_eq!(
        epoch(&envelope_of(vic.dir(), org, vics_entry.to_bytes()).await),
        2
    );
    assert_eq!(held_epochs(mia.dir(), org, Compartment::Team).await, [1]);
    ada.engine.sync(&ada.t).await.unwrap();
    let entries = ada.engine.entries(&by, &EntryFilter::default()).unwrap();
    assert!(
        entries.iter().any(|e| e.entry.id == vics_entry),
        "{entries:?}"
    );
}
both!(leaving_holds_writes_until_an_owner_moves_the_keys_on);
