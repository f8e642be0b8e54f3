//! Sync, part 2: the server applies the role table of ROLES.md to every push and pull, from the
//! plaintext headers of envelopes it cannot read, on SQLite and on PostgreSQL. A Member's modified
//! client (raw HTTP with valid credentials and a certified device) tries what its role may not;
//! each try is refused with a 4xx and leaves the organization's records exactly as they were. Each
//! role then pulls exactly what it may read.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use stint_crypto::{Header, SymmetricKey, seal_record, seal_record_v1_with_nonce};
use stint_domain::Kind;
use stint_protocol::sync::{
    ENVELOPE_MEDIA_TYPE, Outcome, PullPage, SYNC_MEDIA_TYPE, decode_pull, decode_push_reply,
    encode_push,
};
use support::raw::{Device, HLC, Person, enrol, org_bytes, person, set_up_identity};
use support::{Backend, Server, Storage, create_org, execute_in_org, join};

/// Pushes `envelopes`: the outcomes, or the refusal's status and JSON error.
async fn push(
    server: &Server,
    who: &Person,
    org: &str,
    envelopes: &[Vec<u8>],
) -> Result<Vec<(Outcome, u64)>, (StatusCode, Value)> {
    let response = server
        .http
        .post(format!("{}/api/v1/orgs/{org}/sync/push", server.base))
        .bearer_auth(&who.token)
        .header("content-type", SYNC_MEDIA_TYPE)
        .body(encode_push(envelopes))
        .send()
        .await
        .unwrap();
    if response.status() == StatusCode::OK {
        Ok(decode_push_reply(&response.bytes().await.unwrap()).unwrap())
    } else {
        Err(support::read(response).await)
    }
}

/// A push that must be refused: its status and error code.
async fn refusal(
    server: &Server,
    who: &Person,
    org: &str,
    envelopes: &[Vec<u8>],
) -> (StatusCode, Option<String>) {
    let (status, body) = push(server, who, org, envelopes)
        .await
        .expect_err("a refusal");
    (status, body["error"]["code"].as_str().map(str::to_owned))
}

/// Everything `who` is sent of the organization, from the start, in pages of `limit`.
async fn pulled(server: &Server, who: &Person, org: &str, limit: u32) -> Vec<(u64, Vec<u8>)> {
    let mut after = 0;
    let mut records = Vec::new();
    loop {
        let response = server
            .http
            .get(format!(
                "{}/api/v1/orgs/{org}/sync/pull?after={after}&limit={limit}",
                server.base
            ))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page: PullPage = decode_pull(&response.bytes().await.unwrap()).unwrap();
        let Some(last) = page.records.last() else {
            return records;
        };
        after = last.seq;
        records.extend(page.records.into_iter().map(|r| (r.seq, r.envelope)));
    }
}

/// The record ids of what `who` is sent, in sequence order.
async fn ids(server: &Server, who: &Person, org: &str) -> Vec<u8> {
    pulled(server, who, org, 1000)
        .await
        .iter()
        .map(|(_, envelope)| envelope[17])
        .collect()
}

/// One envelope as a (possibly modified) client seals it: record `[record; 16]`, header as given.
#[allow(clippy::too_many_arguments)]
fn sealed(
    org: &str,
    author: &Person,
    device: &Device,
    record: u8,
    kind: Kind,
    owner: [u8; 16],
    tombstone: bool,
    hlc: u64,
) -> Vec<u8> {
    let header = Header {
        org: org_bytes(org),
        record: [record; 16],
        kind: kind as u16,
        compartment: kind.compartment() as u8,
        epoch: 1,
        author_user: author.user,
        author_device: device.id,
        hlc,
        tombstone,
        owner,
        log: 0,
    };
    seal_record(
        &header,
        if tombstone { b"" } else { b"sealed" },
        &SymmetricKey::from_bytes([7; 32]),
        &device.signing,
    )
}

const NONE: [u8; 16] = [0; 16];

/// People with an identity and one enrolled device each.
async fn people<const N: usize>(
    server: &Server,
    storage: &Storage,
    names: [&str; N],
) -> [(Person, Device); N] {
    let mut people = Vec::new();
    for name in names {
        let who = person(server, storage, name).await;
        let identity = set_up_identity(server, &who).await;
        let device = enrol(server, &who, &identity).await;
        people.push((who, device));
    }
    people.try_into().ok().unwrap()
}

async fn each_role_pushes_and_pulls_only_what_the_table_allows(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let [(ada, adas), (mia, mias), (bob, bobs), (vic, vics)] =
        people(&server, &storage, ["ada", "mia", "bob", "vic"]).await;
    let org = create_org(&server, &ada.token, "Agency").await;
    for (who, role) in [(&mia, "member"), (&bob, "member"), (&vic, "viewer")] {
        join(
            &server, &storage, &ada.token, &org, &who.email, &who.token, role,
        )
        .await;
    }

    // The Owner writes the catalogue and a rate; each Member their own entry.
    let stored = |n| Ok(vec![(Outcome::Stored, n)]);
    let client = sealed(&org, &ada, &adas, 1, Kind::Client, NONE, false, HLC);
    assert_eq!(push(&server, &ada, &org, &[client]).await, stored(1));
    let rate = sealed(&org, &ada, &adas, 2, Kind::Rate, NONE, false, HLC);
    assert_eq!(push(&server, &ada, &org, &[rate]).await, stored(2));
    let bobs_entry = sealed(&org, &bob, &bobs, 3, Kind::TimeEntry, bob.user, false, HLC);
    assert_eq!(push(&server, &bob, &org, &[bobs_entry]).await, stored(3));
    let mias_entry = sealed(&org, &mia, &mias, 4, Kind::TimeEntry, mia.user, false, HLC);
    assert_eq!(push(&server, &mia, &org, &[mias_entry]).await, stored(4));
    let mias_log = sealed(&org, &mia, &mias, 5, Kind::TeamLog, mia.user, false, HLC);
    assert_eq!(push(&server, &mia, &org, &[mias_log]).await, stored(5));
    // An Admin's (here the Owner's) edit of Bob's entry keeps Bob as its owner.
    let edited = sealed(
        &org,
        &ada,
        &adas,
        3,
        Kind::TimeEntry,
        bob.user,
        false,
        HLC + 1,
    );
    assert_eq!(push(&server, &ada, &org, &[edited]).await, stored(6));
    // The Owner marks Bob's entry as invoiced: a mark of Bob's, which Bob receives and Mia not.
    let mark = sealed(
        &org,
        &ada,
        &adas,
        6,
        Kind::BillingMark,
        bob.user,
        false,
        HLC + 2,
    );
    assert_eq!(push(&server, &ada, &org, &[mark]).await, stored(7));
    let before = pulled(&server, &ada, &org, 1000).await;
    assert_eq!(before.len(), 6);

    // Mia's modified client. Each refusal names the envelope and stores nothing.
    let later = HLC + 10;
    let tries: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "a client record",
            sealed(&org, &mia, &mias, 10, Kind::Client, NONE, false, later),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a change to the Owner's client",
            sealed(&org, &mia, &mias, 1, Kind::Client, NONE, false, later),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "another member's entry, named as Bob's",
            sealed(
                &org,
                &mia,
                &mias,
                3,
                Kind::TimeEntry,
                bob.user,
                false,
                later,
            ),
            StatusCode::FORBIDDEN,
            "not_own",
        ),
        (
            "another member's entry, claimed as her own",
            sealed(
                &org,
                &mia,
                &mias,
                3,
                Kind::TimeEntry,
                mia.user,
                false,
                later,
            ),
            StatusCode::CONFLICT,
            "owner_changed",
        ),
        (
            "a finance envelope",
            sealed(&org, &mia, &mias, 11, Kind::Rate, NONE, false, later),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a finance write log of her own",
            sealed(
                &org,
                &mia,
                &mias,
                12,
                Kind::FinanceLog,
                mia.user,
                false,
                later,
            ),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a new entry whose owner is not its author",
            sealed(
                &org,
                &mia,
                &mias,
                13,
                Kind::TimeEntry,
                bob.user,
                false,
                later,
            ),
            StatusCode::FORBIDDEN,
            "not_own",
        ),
        (
            "an entry naming no owner",
            sealed(&org, &mia, &mias, 14, Kind::TimeEntry, NONE, false, later),
            StatusCode::BAD_REQUEST,
            "wrong_owner",
        ),
        (
            "a tombstone for Bob's entry",
            sealed(&org, &mia, &mias, 3, Kind::TimeEntry, bob.user, true, later),
            StatusCode::FORBIDDEN,
            "not_own",
        ),
        (
            "a tombstone for Bob's entry, claimed as her own",
            sealed(&org, &mia, &mias, 3, Kind::TimeEntry, mia.user, true, later),
            StatusCode::CONFLICT,
            "owner_changed",
        ),
        (
            "her own entry turned into an expense",
            sealed(&org, &mia, &mias, 4, Kind::Expense, mia.user, false, later),
            StatusCode::CONFLICT,
            "kind_changed",
        ),
        (
            "a member profile",
            sealed(&org, &mia, &mias, 15, Kind::Member, NONE, false, later),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a billing mark on her own entry (releasing it for edits)",
            sealed(
                &org,
                &mia,
                &mias,
                17,
                Kind::BillingMark,
                mia.user,
                false,
                later,
            ),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
    ];
    let tried = tries.len();
    for (what, envelope, status, code) in tries {
        // Behind an envelope she may push, so the refusal is the batch's, not only its own.
        let fine = sealed(
            &org,
            &mia,
            &mias,
            20,
            Kind::TimeEntry,
            mia.user,
            false,
            later,
        );
        let refusal = push(&server, &mia, &org, &[fine, envelope]).await;
        let (got, body) = refusal.expect_err(what);
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{what}: {body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("record 1 of the batch"),
            "{what}: {body}"
        );
        assert_eq!(
            pulled(&server, &ada, &org, 1000).await,
            before,
            "{what} left a row"
        );
    }
    assert_eq!(tried, 13);

    // A Viewer pushes nothing, not even an entry of their own.
    let vics_entry = sealed(
        &org,
        &vic,
        &vics,
        16,
        Kind::TimeEntry,
        vic.user,
        false,
        later,
    );
    assert_eq!(
        refusal(&server, &vic, &org, &[vics_entry]).await,
        (StatusCode::FORBIDDEN, Some("forbidden".into()))
    );
    assert_eq!(pulled(&server, &ada, &org, 1000).await, before);

    // Pulls: the Owner and the Viewer everything; each Member the catalogue and their own
    // entries and write log, never a finance envelope or another member's entry. In pages of one
    // too, so that a page is filled from what the Member may read.
    assert_eq!(ids(&server, &ada, &org).await, [1, 2, 4, 5, 3, 6]);
    assert_eq!(ids(&server, &vic, &org).await, [1, 2, 4, 5, 3, 6]);
    assert_eq!(ids(&server, &mia, &org).await, [1, 4, 5]);
    assert_eq!(ids(&server, &bob, &org).await, [1, 3, 6]);
    let paged: Vec<u8> = pulled(&server, &mia, &org, 1)
        .await
        .iter()
        .map(|(_, e)| e[17])
        .collect();
    assert_eq!(paged, [1, 4, 5]);

    // A deletion is final: Bob's later edit of his deleted entry is answered as superseded by
    // the tombstone, and stores nothing.
    let deleted = sealed(
        &org,
        &ada,
        &adas,
        3,
        Kind::TimeEntry,
        bob.user,
        true,
        HLC + 20,
    );
    assert_eq!(push(&server, &ada, &org, &[deleted]).await, stored(8));
    let after_delete = pulled(&server, &ada, &org, 1000).await;
    let revived = sealed(
        &org,
        &bob,
        &bobs,
        3,
        Kind::TimeEntry,
        bob.user,
        false,
        HLC + 30,
    );
    assert_eq!(
        push(&server, &bob, &org, &[revived]).await,
        Ok(vec![(Outcome::Superseded, 8)])
    );
    assert_eq!(pulled(&server, &ada, &org, 1000).await, after_delete);
    assert_eq!(
        ids(&server, &bob, &org).await,
        [1, 6, 3],
        "Bob is sent the deletion"
    );
}
both!(each_role_pushes_and_pulls_only_what_the_table_allows);

/// Uploads an attachment: the status and the error code, if any.
async fn put_attachment(
    server: &Server,
    who: &Person,
    org: &str,
    envelope: Vec<u8>,
) -> (StatusCode, Option<String>) {
    let id = ulid::Ulid::from_bytes(envelope[17..33].try_into().unwrap());
    let response = server
        .http
        .put(format!(
            "{}/api/v1/orgs/{org}/attachments/{id}",
            server.base
        ))
        .bearer_auth(&who.token)
        .header("content-type", ENVELOPE_MEDIA_TYPE)
        .body(envelope)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or_default();
    (status, body["error"]["code"].as_str().map(str::to_owned))
}

async fn get_attachment(server: &Server, who: &Person, org: &str, record: u8) -> StatusCode {
    let id = ulid::Ulid::from_bytes([record; 16]);
    server
        .http
        .get(format!(
            "{}/api/v1/orgs/{org}/attachments/{id}",
            server.base
        ))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap()
        .status()
}

/// Receipts are their member's, the logo the organization's: a Member uploads and fetches only
/// their own receipts (and the logo), and is answered as if another member's were not there.
async fn a_member_fetches_only_their_own_receipts(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let [(ada, adas), (mia, mias), (bob, bobs)] =
        people(&server, &storage, ["ada", "mia", "bob"]).await;
    let org = create_org(&server, &ada.token, "Agency").await;
    for who in [&mia, &bob] {
        join(
            &server, &storage, &ada.token, &org, &who.email, &who.token, "member",
        )
        .await;
    }
    let logo = sealed(&org, &ada, &adas, 1, Kind::Attachment, NONE, false, HLC);
    assert_eq!(
        put_attachment(&server, &ada, &org, logo).await.0,
        StatusCode::CREATED
    );
    let receipt = sealed(&org, &bob, &bobs, 2, Kind::Attachment, bob.user, false, HLC);
    assert_eq!(
        put_attachment(&server, &bob, &org, receipt).await.0,
        StatusCode::CREATED
    );

    // Mia may neither upload a logo nor a receipt as Bob's.
    let her_logo = sealed(&org, &mia, &mias, 3, Kind::Attachment, NONE, false, HLC);
    assert_eq!(
        put_attachment(&server, &mia, &org, her_logo).await,
        (StatusCode::FORBIDDEN, Some("forbidden".into()))
    );
    let as_bobs = sealed(&org, &mia, &mias, 4, Kind::Attachment, bob.user, false, HLC);
    assert_eq!(
        put_attachment(&server, &mia, &org, as_bobs).await,
        (StatusCode::FORBIDDEN, Some("not_own".into()))
    );
    assert_eq!(
        get_attachment(&server, &ada, &org, 3).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_attachment(&server, &ada, &org, 4).await,
        StatusCode::NOT_FOUND
    );

    assert_eq!(get_attachment(&server, &mia, &org, 1).await, StatusCode::OK);
    assert_eq!(
        get_attachment(&server, &mia, &org, 2).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get_attachment(&server, &bob, &org, 2).await, StatusCode::OK);
    assert_eq!(get_attachment(&server, &ada, &org, 2).await, StatusCode::OK);
}
both!(a_member_fetches_only_their_own_receipts);

/// The statements of a migration that fill in the new columns of rows stored before it.
fn backfill(migration: &str) -> Vec<String> {
    migration
        .split(';')
        .map(str::trim)
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| s.trim_start().starts_with("UPDATE records"))
        .collect()
}

/// Records pushed before the role table reached the server (header version 1, which names no
/// owner) are read as their author's: what migration 0005 (SQLite) / 0015 (PostgreSQL) fills in
/// for rows stored before it, and what a version 1 push still gets.
async fn version_1_records_belong_to_their_author(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let [(ada, adas), (mia, _)] = people(&server, &storage, ["ada", "mia"]).await;
    let org = create_org(&server, &ada.token, "Published in part 1").await;
    let v1 = |record: u8, kind: Kind, tombstone: bool| {
        let header = Header {
            org: org_bytes(&org),
            record: [record; 16],
            kind: kind as u16,
            compartment: kind.compartment() as u8,
            epoch: 1,
            author_user: ada.user,
            author_device: adas.id,
            hlc: HLC,
            tombstone,
            owner: NONE,
            log: 0,
        };
        seal_record_v1_with_nonce(
            &header,
            b"",
            &SymmetricKey::from_bytes([7; 32]),
            &adas.signing,
            [record; 24],
        )
    };
    let batch = [
        v1(1, Kind::Client, false),
        v1(2, Kind::TimeEntry, false),
        v1(3, Kind::Rate, false),
        v1(4, Kind::Tag, true),
    ];
    assert_eq!(
        push(&server, &ada, &org, &batch).await.map(|o| o.len()),
        Ok(4)
    );
    // As an older server left them: the columns at their defaults, then the migration's
    // statements run over them.
    let migration = match backend {
        Backend::Sqlite => {
            execute_in_org(
                &storage,
                &org,
                "UPDATE records SET kind = 0, owner = NULL, tombstone = 0".into(),
            )
            .await;
            include_str!("../../../migrations/server-sqlite-org/0005_record_owners.sql")
        }
        Backend::Postgres => {
            execute_in_org(
                &storage,
                &org,
                "UPDATE records SET kind = 0, owner = NULL, tombstone = false".into(),
            )
            .await;
            include_str!("../../../migrations/server-postgres/0015_record_owners.sql")
        }
    };
    let statements = backfill(migration);
    assert_eq!(statements.len(), 2, "{statements:?}");
    for statement in statements {
        execute_in_org(&storage, &org, statement).await;
    }
    join(
        &server, &storage, &ada.token, &org, &mia.email, &mia.token, "member",
    )
    .await;

    // Kinds: the client is a client (not kind 0), so it cannot become a project.
    let project = sealed(&org, &ada, &adas, 1, Kind::Project, NONE, false, HLC + 1);
    assert_eq!(
        refusal(&server, &ada, &org, &[project]).await,
        (StatusCode::CONFLICT, Some("kind_changed".into()))
    );
    // Owners: the entry is Ada's, whose version 2 edit keeps it so; naming Mia is refused.
    let as_mias = sealed(
        &org,
        &ada,
        &adas,
        2,
        Kind::TimeEntry,
        mia.user,
        false,
        HLC + 1,
    );
    assert_eq!(
        refusal(&server, &ada, &org, &[as_mias]).await,
        (StatusCode::CONFLICT, Some("owner_changed".into()))
    );
    let edit = sealed(
        &org,
        &ada,
        &adas,
        2,
        Kind::TimeEntry,
        ada.user,
        false,
        HLC + 1,
    );
    assert_eq!(
        push(&server, &ada, &org, &[edit]).await,
        Ok(vec![(Outcome::Stored, 5)])
    );
    // The deleted tag stays deleted.
    let tag = sealed(&org, &ada, &adas, 4, Kind::Tag, NONE, false, HLC + 1);
    assert_eq!(
        push(&server, &ada, &org, &[tag]).await,
        Ok(vec![(Outcome::Superseded, 4)])
    );
    // A Member is sent the client and the tag, not Ada's entry or the rate.
    assert_eq!(ids(&server, &mia, &org).await, [1, 4]);
}
both!(version_1_records_belong_to_their_author);

/// Every record kind against every role, through the server alone: each role pushes a record of
/// each kind of its own (and, for kinds that belong to a member, one of Bob's), and then pulls.
/// The expectation is the table's row for the kind (`record_actions`): "all" lets everything
/// through, "own" only the role's own records, "none" nothing; each refusal is a 403 that stores
/// nothing. The cells of ROLES.md this decides are those of the sixteen actions records carry
/// (the catalogue, rates, entries, expenses, invoices, billing profile, organization profile and
/// member profiles: read and write), for each of the four roles.
async fn every_kind_for_every_role(backend: Backend) {
    use stint_domain::role::{Scope, grant};
    use stint_domain::{Role, kind::record_actions};

    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let [
        (ada, adas),
        (adam, adams),
        (mia, mias),
        (bob, _),
        (vic, vics),
    ] = people(&server, &storage, ["ada", "adam", "mia", "bob", "vic"]).await;
    let org = create_org(&server, &ada.token, "Agency").await;
    for (who, role) in [
        (&adam, "admin"),
        (&mia, "member"),
        (&bob, "member"),
        (&vic, "viewer"),
    ] {
        join(
            &server, &storage, &ada.token, &org, &who.email, &who.token, role,
        )
        .await;
    }
    let roles = [
        (&ada, &adas, Role::Owner),
        (&adam, &adams, Role::Admin),
        (&mia, &mias, Role::Member),
        (&vic, &vics, Role::Viewer),
    ];
    let allowed = |role: Role, who: &Person, kind: Kind, owner: [u8; 16], write: bool| {
        let owned = owner != NONE;
        let (read, edit) = record_actions(kind, owned);
        match grant(role, if write { edit } else { read }) {
            Scope::All => true,
            Scope::Own => owner == who.user,
            Scope::None => false,
        }
    };

    // Writes: what each role may push is stored, the rest refused with a 403 and not stored.
    let mut record = 0u8;
    let mut stored_records: Vec<(u8, Kind, [u8; 16])> = Vec::new();
    let mut cells = std::collections::BTreeSet::new();
    for (who, device, role) in roles {
        for kind in Kind::ALL {
            if kind == Kind::Attachment {
                continue; // a route of its own: `a_member_fetches_only_their_own_receipts`
            }
            let owners: Vec<[u8; 16]> = if kind.has_owner() {
                vec![who.user, bob.user]
            } else {
                vec![NONE]
            };
            for owner in owners {
                record += 1;
                let envelope = sealed(&org, who, device, record, kind, owner, false, HLC);
                let before = pulled(&server, &ada, &org, 1000).await.len();
                let may = allowed(role, who, kind, owner, true);
                let what = format!("{role} pushing {kind:?} owned by {owner:?}");
                match push(&server, who, &org, &[envelope]).await {
                    Ok(outcomes) => {
                        assert!(may, "{what}: stored, but the table says no");
                        assert_eq!(outcomes.len(), 1, "{what}");
                        assert_eq!(outcomes[0].0, Outcome::Stored, "{what}");
                        stored_records.push((record, kind, owner));
                    }
                    Err((status, body)) => {
                        assert!(!may, "{what}: refused, but the table says yes: {body}");
                        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
                        assert_eq!(
                            pulled(&server, &ada, &org, 1000).await.len(),
                            before,
                            "{what}: a refused push left a row"
                        );
                    }
                }
                cells.insert((format!("{:?}", record_actions(kind, true).1), role));
            }
        }
    }

    // Reads: each role is sent exactly the records the table lets it read.
    for (who, _, role) in roles {
        let got: Vec<u8> = ids(&server, who, &org).await;
        for (id, kind, owner) in &stored_records {
            let may = allowed(role, who, *kind, *owner, false);
            assert_eq!(
                got.contains(id),
                may,
                "{role} reading {kind:?} owned by {owner:?}"
            );
            cells.insert((format!("{:?}", record_actions(*kind, true).0), role));
        }
    }
    // Sixteen actions (eight read and write pairs) for each of the four roles.
    assert_eq!(cells.len(), 16 * 4, "{cells:?}");
}
both!(every_kind_for_every_role);
