//! Two people through the `stint` binary and a real sync server: Ada invites Mia as a Member, Mia
//! joins and waits, Ada confirms her by the fingerprint Mia reads out (wrong digits hand nothing
//! over), and Mia's device receives the organization without its finance key.

mod server;
mod support;

use std::path::Path;

use server::{emails, go, ok, published_laptop, sign_in_as, start_server, text, verified_account};

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap()
}

/// The invitation token emailed to `email`.
fn invitation(outbox: &Path, email: &str) -> String {
    let mail = emails(outbox)
        .into_iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .find(|m| m.contains(&format!("To: {email}\r\n")) && m.contains("sti_"))
        .expect("an invitation email");
    let at = mail.find("sti_").unwrap();
    mail[at..].split_whitespace().next().unwrap().to_owned()
}

/// The compartments of organization `org` whose keys the vault in `dir` holds.
async fn held_compartments(dir: &Path, org: &str) -> Vec<i64> {
    let url = format!("sqlite://{}", dir.join("vault.sqlite").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let org: stint_domain::OrgId = org.parse().unwrap();
    let rows =
        sqlx::query_scalar("SELECT DISTINCT compartment FROM org_keys WHERE org = ? ORDER BY 1")
            .bind(org.to_bytes().as_slice())
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_joins_once_confirmed_by_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    verified_account(&server, "ada@example.org").await;
    verified_account(&server, "mia@example.org").await;
    let (ada, mia) = (dir.path().join("ada"), dir.path().join("mia"));
    let (org, _) = published_laptop(&ada, &server).await;
    ok(&ada, &server, &["rate", "set", "95"], &[]).await;
    ok(&ada, &server, &["sync"], &[]).await;

    let invited = json(
        &ok(
            &ada,
            &server,
            &[
                "member",
                "invite",
                "mia@example.org",
                "--role",
                "member",
                "--json",
            ],
            &[],
        )
        .await,
    );
    assert_eq!(invited["role"], "member");

    ok(&mia, &server, &["init"], &[]).await;
    sign_in_as(&mia, &server, "mia@example.org", "mia's laptop").await;
    let token = invitation(&server.outbox, "mia@example.org");
    let joined = json(&ok(&mia, &server, &["org", "join", &token, "--json"], &[]).await);
    assert_eq!(joined["org"], org.as_str());
    assert_eq!(
        (&joined["role"], &joined["pending"]),
        (&"member".into(), &true.into())
    );
    assert!(
        joined["recovery_key"].is_string(),
        "her first device set up her keys"
    );
    let fingerprint = joined["fingerprint"].as_str().unwrap().to_owned();
    assert_eq!(fingerprint.len(), 35, "{fingerprint}");

    // Waiting: nothing arrives.
    ok(&mia, &server, &["sync"], &[]).await;
    assert!(
        json(&ok(&mia, &server, &["org", "list", "--json"], &[]).await)
            .as_array()
            .unwrap()
            .is_empty()
    );

    let pending = json(&ok(&ada, &server, &["member", "pending", "--json"], &[]).await);
    assert_eq!(pending[0]["email"], "mia@example.org");
    assert_eq!(pending[0]["fingerprint"], fingerprint.as_str());

    // Digits that were misheard hand nothing over, in one line.
    let out = go(
        &ada,
        &server,
        &[
            "member",
            "confirm",
            "mia@example.org",
            "--fingerprint",
            "12345 67890 12345 67890 12345 67890",
        ],
        &[],
    )
    .await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("does not match"), "{err}");
    // Without the digits and without a terminal, confirming asks for them.
    let out = go(
        &ada,
        &server,
        &["member", "confirm", "mia@example.org"],
        &[],
    )
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--fingerprint"),
        "{}",
        text(&out.stderr)
    );

    let confirmed = json(
        &ok(
            &ada,
            &server,
            &[
                "member",
                "confirm",
                "mia@example.org",
                "--fingerprint",
                &fingerprint,
                "--json",
            ],
            &[],
        )
        .await,
    );
    assert_eq!(confirmed["role"], "member");
    assert!(
        json(&ok(&ada, &server, &["member", "pending", "--json"], &[]).await)
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Mia's device receives the organization: the catalogue, not the finance key.
    ok(&mia, &server, &["sync"], &[]).await;
    let clients = json(&ok(&mia, &server, &["client", "list", "--json"], &[]).await);
    assert_eq!(clients[0]["name"], "Globex", "{clients}");
    let members = json(&ok(&mia, &server, &["member", "list", "--json"], &[]).await);
    let roles: Vec<(String, String)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        roles.contains(&("mia@example.org".into(), "member".into())),
        "{roles:?}"
    );
    assert_eq!(held_compartments(&mia, &org).await, [1]);
    assert_eq!(held_compartments(&ada, &org).await, [1, 2]);

    // Ada issues an invoice: the number comes from the server.
    for args in [
        &[
            "billing",
            "set",
            "--name",
            "Acme GmbH",
            "--street",
            "Torstraße 1",
            "--postcode",
            "10119",
            "--city",
            "Berlin",
            "--country",
            "DE",
        ][..],
        &[
            "billing",
            "client",
            "Globex",
            "--street",
            "Hafenweg 3",
            "--postcode",
            "20457",
            "--city",
            "Hamburg",
            "--country",
            "DE",
        ],
    ] {
        ok(&ada, &server, args, &[]).await;
    }
    let draft = json(
        &ok(
            &ada,
            &server,
            &[
                "invoice",
                "create",
                "Globex",
                "--no-time",
                "--line",
                "Hosting:1:20",
                "--json",
            ],
            &[],
        )
        .await,
    );
    let id = draft["invoice"]["id"].as_str().unwrap().to_owned();
    let issued = json(
        &ok(
            &ada,
            &server,
            &["invoice", "issue", &id, "--date", "2026-11-30", "--json"],
            &[],
        )
        .await,
    );
    assert_eq!(issued["label"], "2026-0001", "{issued}");

    // Mia tracks an hour; while she changes its note offline, Ada drafts an invoice of it. The
    // draft marks the entry in a record of its own: Mia's edit survives, and Ada is told the
    // invoice bills the entry as it was.
    ok(
        &ada,
        &server,
        &["project", "add", "Website", "--client", "Globex"],
        &[],
    )
    .await;
    ok(&ada, &server, &["sync"], &[]).await;
    ok(&mia, &server, &["sync"], &[]).await;
    let entry = json(
        &ok(
            &mia,
            &server,
            &[
                "entry",
                "add",
                "--project",
                "Website",
                "--date",
                "2026-11-30",
                "--duration",
                "1h",
                "--note",
                "homepage",
                "--json",
            ],
            &[],
        )
        .await,
    );
    let entry = entry["entry"]["entry"]["id"].as_str().unwrap().to_owned();
    ok(&mia, &server, &["sync"], &[]).await;
    ok(&ada, &server, &["sync"], &[]).await;
    ok(
        &mia,
        &server,
        &[
            "entry",
            "edit",
            &entry,
            "--note",
            "homepage and contact form",
        ],
        &[],
    )
    .await;
    ok(&ada, &server, &["invoice", "create", "Globex"], &[]).await;
    let none = ok(&ada, &server, &["invoice", "problems"], &[]).await;
    assert!(none.contains("No billed work needs a look"), "{none}");
    ok(&ada, &server, &["sync"], &[]).await;
    ok(&mia, &server, &["sync"], &[]).await;
    ok(&ada, &server, &["sync"], &[]).await;
    let problems = json(&ok(&ada, &server, &["invoice", "problems", "--json"], &[]).await);
    assert_eq!(problems.as_array().unwrap().len(), 1, "{problems}");
    assert_eq!(problems[0]["work"]["entry"], entry.as_str(), "{problems}");
    assert_eq!(
        problems[0]["problem"]["kind"], "changed_since",
        "{problems}"
    );
    let shown = ok(&ada, &server, &["invoice", "problems"], &[]).await;
    assert!(shown.contains("changed after it was invoiced"), "{shown}");
    let out = go(
        &mia,
        &server,
        &["entry", "edit", &entry, "--note", "again"],
        &[],
    )
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("on an invoice"),
        "{}",
        text(&out.stderr)
    );

    // Acting as someone else is for local members only: in a synced organization, refused.
    let out = go(
        &ada,
        &server,
        &["--as", "mia@example.org", "client", "add", "Initech"],
        &[],
    )
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("writes from their own account"),
        "{}",
        text(&out.stderr)
    );

    // The last Owner cannot leave; nobody leaves an organization that is not synced.
    ok(
        &ada,
        &server,
        &["org", "create", "Solo", "--time-zone", "UTC"],
        &[],
    )
    .await;
    ok(&ada, &server, &["org", "use", &org], &[]).await;
    for (args, says) in [
        (&["member", "leave"][..], "the last Owner cannot leave"),
        (&["--org", "Solo", "member", "leave"][..], "not synced"),
    ] {
        let out = go(&ada, &server, args, &[]).await;
        assert!(!out.status.success(), "{}", text(&out.stdout));
        let err = text(&out.stderr);
        assert!(err.contains(says) && err.lines().count() == 1, "{err}");
    }

    // A Member lets nobody in, nor changes a role.
    let out = go(&mia, &server, &["member", "pending"], &[]).await;
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let out = go(
        &mia,
        &server,
        &["member", "role", "mia@example.org", "admin"],
        &[],
    )
    .await;
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );

    // Mia tracks time offline; before she syncs, Ada makes her a Viewer: signed into the log.
    // Mia's device receives the finance key, and her entry, which a Viewer may not write, is
    // not sent but set aside for her to read, and her sync goes on.
    ok(
        &mia,
        &server,
        &[
            "entry",
            "add",
            "--project",
            "Website",
            "--date",
            "2026-12-01",
            "--duration",
            "30m",
            "--note",
            "written offline",
        ],
        &[],
    )
    .await;
    let changed = json(
        &ok(
            &ada,
            &server,
            &["member", "role", "mia@example.org", "viewer", "--json"],
            &[],
        )
        .await,
    );
    assert_eq!(
        (&changed["role"], &changed["removed"]),
        (&"viewer".into(), &false.into())
    );
    let synced = ok(&mia, &server, &["sync"], &[]).await;
    assert!(
        synced.contains("1 change(s) made before your role changed were not sent"),
        "{synced}"
    );
    let set_aside = ok(&mia, &server, &["conflicts"], &[]).await;
    assert!(
        set_aside.contains("not sent, your role no longer allows it")
            && set_aside.contains(r#"note: now (none), yours was "written offline""#),
        "{set_aside}"
    );
    assert_eq!(held_compartments(&mia, &org).await, [1, 2]);
    let rates = json(&ok(&mia, &server, &["rate", "list", "--json"], &[]).await);
    assert_eq!(rates.as_array().unwrap().len(), 1, "{rates}");

    // Removed: her next sync brings nothing of the organization, her pushes are refused.
    let removed = json(
        &ok(
            &ada,
            &server,
            &["member", "remove", "mia@example.org", "--json"],
            &[],
        )
        .await,
    );
    assert_eq!(removed["removed"], true);
    let members = json(&ok(&ada, &server, &["member", "list", "--json"], &[]).await);
    let mia_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "mia@example.org")
        .unwrap()
        .clone();
    assert_eq!(mia_row["active"], false, "{members}");
    let synced = json(&ok(&mia, &server, &["sync", "--json"], &[]).await);
    assert!(
        !synced.to_string().contains(org.as_str()),
        "a removed member's device synced the organization: {synced}"
    );
}
