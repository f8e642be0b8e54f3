//! Two devices of one person through the `stint` binary and a real sync server on a loopback
//! port: publish on the laptop (which shows the recovery key once), enrol the phone with that key,
//! and changes on either appear on the other after `stint sync`.

mod server;
mod support;

use std::path::Path;

use server::{
    enrolled_phone, go, ok, published_laptop, sign_in, start_server, text, verified_account,
};

fn notes(json: &str) -> Vec<String> {
    let entries: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut notes: Vec<String> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"]["note"].as_str().unwrap().to_owned())
        .collect();
    notes.sort();
    notes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_and_a_phone_share_an_organization_through_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    verified_account(&server, "ada@example.org").await;
    let (laptop, phone) = (dir.path().join("laptop"), dir.path().join("phone"));

    // The laptop tracked time before it ever synced.
    ok(&laptop, &server, &["init"], &[]).await;
    ok(
        &laptop,
        &server,
        &[
            "org",
            "create",
            "Acme",
            "--currency",
            "EUR",
            "--time-zone",
            "Europe/Berlin",
            "--owner",
            "Ada",
        ],
        &[],
    )
    .await;
    ok(&laptop, &server, &["client", "add", "Müller & Søn"], &[]).await;
    ok(
        &laptop,
        &server,
        &["project", "add", "Website", "--client", "Müller & Søn"],
        &[],
    )
    .await;
    ok(
        &laptop,
        &server,
        &[
            "entry",
            "add",
            "--project",
            "Website",
            "--date",
            "2026-11-20",
            "--start",
            "09:00",
            "--end",
            "10:30",
            "--note",
            "Kickoff",
        ],
        &[],
    )
    .await;

    // Syncing before signing in says what to do, in one line.
    let out = go(&laptop, &server, &["sync"], &[]).await;
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr).trim_end(),
        "stint: error: not signed in to a sync server; run `stint account sign-in` first"
    );

    sign_in(&laptop, &server, "laptop").await;
    let published: serde_json::Value =
        serde_json::from_str(&ok(&laptop, &server, &["org", "publish", "--json"], &[]).await)
            .unwrap();
    assert!(published["pushed"].as_u64().unwrap() >= 5, "{published}");
    let recovery = published["recovery_key"].as_str().unwrap().to_owned();
    assert_eq!(recovery.len(), 39);
    // Shown once: publishing again sets nothing up and shows no key.
    let again: serde_json::Value =
        serde_json::from_str(&ok(&laptop, &server, &["org", "publish", "--json"], &[]).await)
            .unwrap();
    assert!(again["recovery_key"].is_null(), "{again}");

    // The phone: a wrong key is one line and enrols nothing; the right one brings everything.
    ok(&phone, &server, &["init"], &[]).await;
    sign_in(&phone, &server, "phone").await;
    let wrong = "0000-0000-0000-0000-0000-0000-0000-0000";
    let out = go(
        &phone,
        &server,
        &["device", "enrol", "--recovery-key"],
        &[("STINT_RECOVERY_KEY", wrong)],
    )
    .await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.starts_with("stint: error: sync: ") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    let enrolled: serde_json::Value = serde_json::from_str(
        &ok(
            &phone,
            &server,
            &["device", "enrol", "--recovery-key", "--json"],
            &[("STINT_RECOVERY_KEY", &recovery)],
        )
        .await,
    )
    .unwrap();
    assert_eq!(enrolled["enrolled"], true);
    let listed = ok(
        &phone,
        &server,
        &[
            "entry",
            "list",
            "--org",
            "Acme",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--json",
        ],
        &[],
    )
    .await;
    assert_eq!(notes(&listed), ["Kickoff"]);

    // The phone adds an entry; after both sync, the laptop has it too.
    ok(
        &phone,
        &server,
        &[
            "entry",
            "add",
            "--org",
            "Acme",
            "--project",
            "Website",
            "--date",
            "2026-11-21",
            "--duration",
            "45m",
            "--note",
            "From the phone",
        ],
        &[],
    )
    .await;
    let pushed: serde_json::Value =
        serde_json::from_str(&ok(&phone, &server, &["sync", "--json"], &[]).await).unwrap();
    assert_eq!(pushed[0]["pushed"], 1, "{pushed}");
    assert_eq!(pushed[0]["pending"], 0, "{pushed}");
    assert_eq!(pushed[0]["resent"], 0, "{pushed}");
    let pulled = ok(&laptop, &server, &["sync"], &[]).await;
    assert_eq!(
        pulled.trim_end(),
        "Acme: 0 pushed, 1 received, 0 refused, 0 waiting"
    );
    let listed = ok(
        &laptop,
        &server,
        &[
            "entry",
            "list",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--json",
        ],
        &[],
    )
    .await;
    assert_eq!(notes(&listed), ["From the phone", "Kickoff"]);
    let out = go(&laptop, &server, &["vault", "check"], &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = go(&phone, &server, &["vault", "check"], &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The same note edited on both devices before either syncs: one wording everywhere, the other
    // in the laptop's conflict log, which puts it back.
    let kickoff = {
        let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["entry"]["note"] == "Kickoff")
            .unwrap()["entry"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (vault, text) in [(&laptop, "Kickoff call"), (&phone, "Kickoff meeting")] {
        ok(
            vault,
            &server,
            &["entry", "edit", &kickoff, "--note", text],
            &[],
        )
        .await;
    }
    ok(&phone, &server, &["sync"], &[]).await;
    let synced = ok(&laptop, &server, &["sync"], &[]).await;
    assert!(synced.contains("review with `stint conflicts`"), "{synced}");
    let conflicts: serde_json::Value =
        serde_json::from_str(&ok(&laptop, &server, &["conflicts", "--json"], &[]).await).unwrap();
    let c = &conflicts[0];
    assert_eq!(c["kind"], "time entry", "{conflicts}");
    assert_eq!(c["fields"][0]["field"], "note");
    assert_eq!(c["fields"][0]["kept"], "Kickoff meeting");
    assert_eq!(c["fields"][0]["lost"], "Kickoff call");
    let shown = ok(&laptop, &server, &["conflicts"], &[]).await;
    assert!(
        shown.contains("note: kept \"Kickoff meeting\", lost \"Kickoff call\""),
        "{shown}"
    );
    let out = go(&laptop, &server, &["conflicts", "keep", "999"], &[]).await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("no conflict") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    let number = c["number"].to_string();
    ok(&laptop, &server, &["conflicts", "put-back", &number], &[]).await;
    assert_eq!(
        ok(&laptop, &server, &["conflicts"], &[]).await.trim_end(),
        "No conflicts."
    );
    ok(&laptop, &server, &["sync"], &[]).await;
    ok(&phone, &server, &["sync"], &[]).await;
    for vault in [&laptop, &phone] {
        let listed = ok(
            vault,
            &server,
            &[
                "entry",
                "list",
                "--org",
                "Acme",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
                "--json",
            ],
            &[],
        )
        .await;
        assert_eq!(notes(&listed), ["From the phone", "Kickoff call"]);
    }

    // The phone lists both devices and revokes the laptop (never itself); the laptop's next
    // changes are refused by the server.
    let devices: serde_json::Value =
        serde_json::from_str(&ok(&phone, &server, &["device", "list", "--json"], &[]).await)
            .unwrap();
    let devices = devices.as_array().unwrap();
    assert_eq!(devices.len(), 2, "{devices:?}");
    let id = |this: bool| {
        devices.iter().find(|d| d["this_device"] == this).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (own, laptops) = (id(true), id(false));
    // Named after the machine when enrolled; renamed, the laptop reads the new name.
    let here = stint_engine::device_name::this_device();
    assert!(
        devices.iter().all(|d| d["name"] == here.as_str()),
        "{devices:?}"
    );
    let renamed = ok(
        &phone,
        &server,
        &["device", "rename", "Ada’s phone", "--json"],
        &[],
    )
    .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&renamed).unwrap()["name"],
        "Ada’s phone"
    );
    let out = go(&phone, &server, &["device", "rename", "   "], &[]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("1 to 64 characters"),
        "{}",
        text(&out.stderr)
    );
    let seen_by_laptop = ok(&laptop, &server, &["device", "list"], &[]).await;
    assert!(
        seen_by_laptop.contains("Ada’s phone") && seen_by_laptop.contains("LAST SEEN"),
        "{seen_by_laptop}"
    );
    let out = go(&phone, &server, &["device", "revoke", &own[..8]], &[]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("the device you are using"),
        "{}",
        text(&out.stderr)
    );
    ok(&phone, &server, &["device", "revoke", &laptops[..8]], &[]).await;
    let listed = ok(&phone, &server, &["device", "list"], &[]).await;
    assert!(
        listed.contains(&own) && !listed.contains(&laptops),
        "{listed}"
    );
    ok(
        &laptop,
        &server,
        &[
            "entry",
            "add",
            "--project",
            "Website",
            "--date",
            "2026-11-22",
            "--duration",
            "1h",
            "--note",
            "After the revocation",
        ],
        &[],
    )
    .await;
    let out = go(&laptop, &server, &["sync"], &[]).await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("revoked") && err.trim_end().lines().count() == 1,
        "{err}"
    );
}

/// The server's organization file (SQLite), and its newest record that is not a write log entry
/// (kinds 16 and 17 come after every push): after `published_laptop`, the client.
async fn newest_record(dir: &Path, org: &str) -> (sqlx::SqlitePool, Vec<u8>, Vec<u8>) {
    let file = dir.join("data").join("orgs").join(format!("{org}.db"));
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let rows: Vec<(Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT record, envelope FROM records ORDER BY seq DESC")
            .fetch_all(&pool)
            .await
            .unwrap();
    let (record, envelope) = rows
        .into_iter()
        .find(|(_, envelope)| ![[0, 16], [0, 17]].contains(&[envelope[33], envelope[34]]))
        .unwrap();
    (pool, record, envelope)
}

/// A server that spoils a stored envelope: the phone refuses it, keeps it aside, says so after
/// `stint sync`, lists it under `stint sync quarantine`, and shows nothing of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoiled_envelope_is_kept_aside_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    verified_account(&server, "ada@example.org").await;
    let (laptop, phone) = (dir.path().join("laptop"), dir.path().join("phone"));
    let (org, recovery) = published_laptop(&laptop, &server).await;

    // The server's copy of the client gets one byte of ciphertext flipped.
    let (pool, record, mut envelope) = newest_record(dir.path(), &org).await;
    let at = envelope.len() - 70;
    envelope[at] ^= 0x01;
    sqlx::query("UPDATE records SET envelope = ? WHERE record = ?")
        .bind(&envelope)
        .bind(&record)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    enrolled_phone(&phone, &server, &recovery).await;
    let said = ok(&phone, &server, &["sync"], &[]).await;
    assert!(said.contains("1 refused envelope(s) kept aside"), "{said}");
    let round: serde_json::Value =
        serde_json::from_str(&ok(&phone, &server, &["sync", "--json"], &[]).await).unwrap();
    assert_eq!(round[0]["quarantined"], 1, "{round}");
    let clients = ok(&phone, &server, &["client", "list", "--json"], &[]).await;
    assert!(
        !clients.contains("Globex"),
        "nothing spoiled is shown: {clients}"
    );

    let held: serde_json::Value =
        serde_json::from_str(&ok(&phone, &server, &["sync", "quarantine", "--json"], &[]).await)
            .unwrap();
    let hex: String = record.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
    assert_eq!(held[0]["record"], hex.as_str());
    assert!(!held[0]["reason"].as_str().unwrap().is_empty());
    let listed = ok(&phone, &server, &["sync", "quarantine"], &[]).await;
    assert!(listed.contains(&hex), "{listed}");
    // `--watch` and a subcommand do not go together.
    let out = go(&phone, &server, &["sync", "--watch", "quarantine"], &[]).await;
    assert!(!out.status.success());

    let cleared: serde_json::Value = serde_json::from_str(
        &ok(
            &phone,
            &server,
            &["sync", "quarantine", "clear", "--json"],
            &[],
        )
        .await,
    )
    .unwrap();
    assert_eq!(cleared["cleared"], 1);
    let listed = ok(&phone, &server, &["sync", "quarantine"], &[]).await;
    assert!(listed.contains("Nothing refused"), "{listed}");
}

/// A server that drops a record from its database for good: the phone never receives it, but the
/// laptop's write log lists it, so `stint sync` warns (and says it in `--json`) instead of looking
/// complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_the_server_dropped_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    verified_account(&server, "ada@example.org").await;
    let (laptop, phone) = (dir.path().join("laptop"), dir.path().join("phone"));
    let (org, recovery) = published_laptop(&laptop, &server).await;
    let (pool, record, _) = newest_record(dir.path(), &org).await;
    let dropped = sqlx::query("DELETE FROM records WHERE record = ?")
        .bind(&record)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(dropped.rows_affected(), 1);
    pool.close().await;

    enrolled_phone(&phone, &server, &recovery).await;
    let said = ok(&phone, &server, &["sync"], &[]).await;
    assert!(
        said.contains("warning: the server withholds 1 change(s) your other devices pushed"),
        "{said}"
    );
    let round: serde_json::Value =
        serde_json::from_str(&ok(&phone, &server, &["sync", "--json"], &[]).await).unwrap();
    assert_eq!(round[0]["unseen_versions"], 1, "{round}");
    assert_eq!(round[0]["unseen_log_entries"], 0, "{round}");
    let clients = ok(&phone, &server, &["client", "list", "--json"], &[]).await;
    assert!(!clients.contains("Globex"), "{clients}");
}

/// A receipt added on the laptop (larger than a push batch may carry) syncs on its own route, and
/// the phone saves it with `stint expense receipt`, fetching it then; a file that exists is never
/// overwritten; an unknown expense is one line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_from_the_laptop_is_saved_on_the_phone() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    verified_account(&server, "ada@example.org").await;
    let (laptop, phone) = (dir.path().join("laptop"), dir.path().join("phone"));
    let (_org, recovery) = published_laptop(&laptop, &server).await;
    let scan: Vec<u8> = b"%PDF-1.7 Cafe Zeitgeist "
        .iter()
        .copied()
        .chain((0..600_000u32).map(|i| (i % 241) as u8))
        .collect();
    let file = dir.path().join("zeitgeist.pdf");
    std::fs::write(&file, &scan).unwrap();
    ok(
        &laptop,
        &server,
        &[
            "expense",
            "add",
            "48.20",
            "--category",
            "Meals",
            "--receipt",
            file.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    let round: serde_json::Value =
        serde_json::from_str(&ok(&laptop, &server, &["sync", "--json"], &[]).await).unwrap();
    assert_eq!(round[0]["pending"], 0, "{round}");

    enrolled_phone(&phone, &server, &recovery).await;
    ok(&phone, &server, &["sync"], &[]).await;
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&phone, &server, &["expense", "list", "--json"], &[]).await)
            .unwrap();
    let id = listed[0]["expense"]["id"].as_str().unwrap().to_owned();
    let saved = dir.path().join("saved.pdf");
    let said = ok(
        &phone,
        &server,
        &["expense", "receipt", &id, "--out", saved.to_str().unwrap()],
        &[],
    )
    .await;
    assert!(said.contains("Saved zeitgeist.pdf"), "{said}");
    assert_eq!(std::fs::read(&saved).unwrap(), scan);

    // Never over a file that exists.
    let out = go(
        &phone,
        &server,
        &["expense", "receipt", &id, "--out", saved.to_str().unwrap()],
        &[],
    )
    .await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("exists already"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read(&saved).unwrap(), scan);

    // Fetched once, it is on the phone: saved again from there.
    let again = dir.path().join("again.pdf");
    ok(
        &phone,
        &server,
        &["expense", "receipt", &id, "--out", again.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(std::fs::read(&again).unwrap(), scan);

    let out = go(
        &phone,
        &server,
        &[
            "expense",
            "receipt",
            "01M8VT8B06E1NAZKCRE3JP45CA",
            "--out",
            dir.path().join("none.pdf").to_str().unwrap(),
        ],
        &[],
    )
    .await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("no expense"), "{err}");
    assert!(!dir.path().join("none.pdf").exists());
}
