//! Which organization is used when none is named, and which one the desktop app reopens.

use stint_engine::*;

mod support;
use support::acme;

fn new_org(name: &str) -> NewOrganization {
    NewOrganization {
        name: name.into(),
        currency: "EUR".into(),
        locale: "en-US".into(),
        time_zone: "UTC".into(),
        week_start: None,
        owner_name: "Olive".into(),
    }
}

#[tokio::test]
async fn the_last_opened_organization_is_reopened_after_unlock_and_leaves_the_default_alone() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let (mut engine, acme) = acme(dir.path(), &keys).await;
    // One organization: it is the one to open, though none was ever opened.
    assert_eq!(engine.opened_org().await.unwrap(), Some(acme));

    let globex = engine.create_organization(new_org("Globex")).await.unwrap();
    // The first organization became the default; with nothing opened yet, it is reopened.
    assert_eq!(engine.default_org().await.unwrap(), Some(acme));
    assert_eq!(engine.opened_org().await.unwrap(), Some(acme));

    engine.remember_opened_org(globex).await.unwrap();
    drop(engine);
    let engine = Engine::open(dir.path(), Unlock::Keyring(&keys))
        .await
        .unwrap();
    assert_eq!(engine.opened_org().await.unwrap(), Some(globex));
    // What a script's `stint` commands act on did not move with the window.
    assert_eq!(engine.default_org().await.unwrap(), Some(acme));
}

#[tokio::test]
async fn with_several_organizations_and_no_default_none_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let (mut engine, _acme) = acme(dir.path(), &keys).await;
    engine.create_organization(new_org("Globex")).await.unwrap();
    // A default naming an organization this device no longer holds is as good as none.
    drop(engine);
    let db = rusqlite::Connection::open(dir.path().join("vault.sqlite")).unwrap();
    let gone = ulid::Ulid::from_parts(1, 2).to_bytes();
    let changed = db
        .execute(
            "UPDATE meta SET value = ?1 WHERE name = 'setting.default_org'",
            [gone.as_slice()],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let engine = Engine::open(dir.path(), Unlock::Keyring(&keys))
        .await
        .unwrap();
    assert_eq!(engine.default_org().await.unwrap(), None);
    assert_eq!(engine.opened_org().await.unwrap(), None);
}

#[tokio::test]
async fn an_organization_this_device_does_not_hold_cannot_be_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let (engine, acme) = acme(dir.path(), &keys).await;
    let stranger = stint_domain::OrgId(ulid::Ulid::from_parts(1, 2));
    let err = engine.remember_opened_org(stranger).await.unwrap_err();
    assert!(err.to_string().contains("organization"), "{err}");
    assert_eq!(engine.opened_org().await.unwrap(), Some(acme));
}
