//! `stint account`: the CLI signs in to a real sync server on a loopback port with the password and
//! the code the server emails, keeps the session sealed in the vault, and signs out.

mod server;
mod support;

use server::{PASSWORD, run, start_server, stint, text, verified_account, wait_for_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_signs_in_with_the_emailed_code_keeps_the_session_sealed_and_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    let vault = dir.path().join("vault");
    let out = run(
        {
            let mut c = stint(&vault, &server.url);
            c.arg("init");
            c
        },
        None,
        None,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    verified_account(&server, "eve@example.org").await;

    // Not signed in yet.
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "show", "--json"]);
    let out = run(cmd, None, None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["signed_in"], false);

    // A wrong password: one line, non-zero, nothing stored.
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "sign-in", "--email", "eve@example.org"])
        .env("STINT_SERVER_PASSWORD", "not my password");
    let out = run(cmd, Some(vec![]), None).await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(
        err.trim(),
        "stint: error: the server refused: the email address or password is wrong"
    );

    // Plain HTTP to another machine is refused before the password leaves.
    let mut cmd = stint(&vault, "http://stint.example.org");
    cmd.args(["account", "sign-in", "--email", "eve@example.org"])
        .env("STINT_SERVER_PASSWORD", PASSWORD);
    let out = run(cmd, Some(vec![]), None).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("plain HTTP"),
        "{}",
        text(&out.stderr)
    );

    // A wrong code is refused and stores nothing.
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "sign-in", "--email", "eve@example.org"])
        .env("STINT_SERVER_PASSWORD", PASSWORD);
    let out = run(
        cmd,
        Some(vec!["0000 0000x".into()]),
        Some(server.outbox.clone()),
    )
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not right"),
        "{}",
        text(&out.stderr)
    );
    wait_for_code(&server.outbox); // that attempt's email

    // The right code signs in.
    let mut cmd = stint(&vault, &server.url);
    cmd.args([
        "account",
        "sign-in",
        "--email",
        "eve@example.org",
        "--device",
        "ci runner",
    ])
    .env("STINT_SERVER_PASSWORD", PASSWORD);
    let out = run(cmd, Some(vec!["@code".into()]), Some(server.outbox.clone())).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(&format!("Signed in to {} as eve@example.org", server.url)),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("We emailed a sign-in code"));

    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "show", "--json"]);
    let out = run(cmd, None, None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["signed_in"], true);
    assert_eq!(shown["account"]["email"], "eve@example.org");
    assert_eq!(shown["server"], server.url);

    // The token is in the vault only sealed: no `sts_` token in any file of the vault.
    for entry in std::fs::read_dir(&vault).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(
            !bytes.windows(4).any(|w| w == b"sts_"),
            "{} holds a session token in the clear",
            entry.path().display()
        );
    }

    // Signing out ends the session on the server, not just here.
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "sign-out"]);
    let out = run(cmd, None, None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "show", "--json"]);
    let out = run(cmd, None, None).await;
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["signed_in"], false);
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "sign-out"]);
    let out = run(cmd, None, None).await;
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr).trim(),
        "stint: error: this device is not signed in to a sync server"
    );
}
