//! Backups round trip: data written through the API, backed up while the server could be running,
//! restored into an empty place, and served again; damaged backups are refused. On both backends.

mod support;

use reqwest::StatusCode;
use stint_server::backup;
use support::{Backend, Server, Storage, create_org, join, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

async fn a_backup_restores_into_a_working_server(backend: Backend) {
    let original = Storage::new(backend).await;
    let server = Server::start(&original).await;
    verified_account(&server, &original, "olga@example.org", PASSWORD).await;
    verified_account(&server, &original, "ben@example.org", PASSWORD).await;
    let olga = sign_in(&server, "olga@example.org", PASSWORD, "x").await;
    let ben = sign_in(&server, "ben@example.org", PASSWORD, "x").await;
    let org = create_org(&server, &olga, "Acme").await;
    join(
        &server,
        &original,
        &olga,
        &org,
        "ben@example.org",
        &ben,
        "member",
    )
    .await;

    // Taken while the server runs.
    let mut config = original.config();
    if backend == Backend::Postgres {
        config.backup.database_url = Some(original.admin_url());
    }
    let root = original.dir.path().join("backups");
    let taken = backup::backup(&config, &root).await.unwrap();
    server.stop().await;
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(taken.join("manifest.json")).unwrap()).unwrap();
    let names: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    match backend {
        Backend::Sqlite => assert_eq!(names, ["server.db".to_owned(), format!("orgs/{org}.db")]),
        Backend::Postgres => assert_eq!(names, ["postgres.dump"]),
    }
    assert!(
        !std::fs::read_dir(&root).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("partial"))
    );

    // Restored into an empty place and served again.
    let restored = Storage::new(backend).await;
    let mut target = restored.config();
    if backend == Backend::Postgres {
        target.database_url = Some(restored.admin_url());
    }
    backup::restore(&target, &taken).await.unwrap();
    let again = Server::start(&restored).await;
    let olga = sign_in(&again, "olga@example.org", PASSWORD, "after").await;
    let (status, members) = again
        .get(&format!("/api/v1/orgs/{org}/members"), &olga)
        .await;
    assert_eq!(status, StatusCode::OK, "{members}");
    let emails: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["olga@example.org", "ben@example.org"]);
    let (_, log) = again.get(&format!("/api/v1/orgs/{org}/audit"), &olga).await;
    assert_eq!(
        log.as_array().unwrap().len(),
        4,
        "create, invite, join, confirm: {log}"
    );
    again.stop().await;

    // Not over existing data (SQLite), and never from a damaged backup.
    if backend == Backend::Sqlite {
        let err = backup::restore(&restored.config(), &taken)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
    }
    let file = taken.join(names[0]);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&file, bytes).unwrap();
    let fresh = Storage::new(backend).await;
    let err = backup::restore(&fresh.config(), &taken).await.unwrap_err();
    assert!(
        err.to_string().contains("does not match the manifest"),
        "{err}"
    );
}
both!(a_backup_restores_into_a_working_server);

#[test]
fn old_backups_are_pruned_and_others_kept() {
    let root = tempfile::tempdir().unwrap();
    for name in [
        "stint-backup-20200101T000000Z",
        "stint-backup-29990101T000000Z",
        "not-a-backup",
    ] {
        std::fs::create_dir(root.path().join(name)).unwrap();
    }
    assert_eq!(backup::prune(root.path(), 7).unwrap(), 1);
    let mut left: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["not-a-backup", "stint-backup-29990101T000000Z"]);
}
