//! Acting as another local member, and the permissions a UI is given for the acting member.

use stint_domain::role::grant;
use stint_domain::*;
use stint_engine::*;

mod support;
use support::acme;

#[tokio::test]
async fn permissions_are_the_role_table_and_removed_members_cannot_act() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let (mut engine, org) = acme(dir.path(), &keys).await;
    let owner = engine.act_as_user(org).unwrap();
    for role in Role::ALL {
        let id = engine
            .add_member(&owner, &format!("{role:?} person"), role)
            .await
            .unwrap();
        let by = engine.act_as_member(org, id).await.unwrap();
        assert_eq!(by, ActAs { org, member: id });
        let permissions = engine.permissions(&by).unwrap();
        assert_eq!(permissions.member.id, id);
        assert_eq!(permissions.member.role, role);
        let expected: Vec<Grant> = Action::all()
            .map(|action| Grant {
                action,
                scope: grant(role, action),
            })
            .collect();
        assert_eq!(permissions.grants, expected, "{role:?}");
    }
    let leaver = engine
        .add_member(&owner, "Lee Leaver", Role::Member)
        .await
        .unwrap();
    engine.remove_member(&owner, leaver).await.unwrap();
    let err = engine.act_as_member(org, leaver).await.unwrap_err();
    assert!(err.to_string().contains("removed"), "{err}");
    let stranger = MemberId(ulid::Ulid::from_parts(1, 2));
    assert!(engine.act_as_member(org, stranger).await.is_err());
}

#[tokio::test]
async fn tags_are_renamed_archived_and_restored_and_entries_keep_them() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let (mut engine, org) = acme(dir.path(), &keys).await;
    let me = engine.act_as_user(org).unwrap();
    let meeting = engine.add_tag(&me, "meeting").await.unwrap();
    let travel = engine.add_tag(&me, "travel").await.unwrap();

    let renamed = engine
        .edit_tag(
            &me,
            meeting,
            TagChanges {
                name: Some("  Meetings ".into()),
                archived: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Meetings", "names are trimmed");
    assert_eq!(engine.find_tag(org, "meetings").unwrap(), meeting);

    // Another tag's name (in any case) and an empty name are refused, and nothing changes.
    for name in ["TRAVEL", "   "] {
        let err = engine
            .edit_tag(
                &me,
                meeting,
                TagChanges {
                    name: Some(name.into()),
                    archived: Some(true),
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, EngineError::Invalid(_)), "{name:?}: {err}");
    }
    let tags = engine.tags(&me).unwrap();
    assert_eq!(
        tags.iter()
            .map(|t| (t.name.as_str(), t.archived))
            .collect::<Vec<_>>(),
        [("Meetings", false), ("travel", false)]
    );

    engine
        .edit_tag(
            &me,
            travel,
            TagChanges {
                name: None,
                archived: Some(true),
            },
        )
        .await
        .unwrap();
    let unknown = TagId(ulid::Ulid::from_parts(3, 4));
    assert!(matches!(
        engine
            .edit_tag(&me, unknown, TagChanges::default())
            .await
            .unwrap_err(),
        EngineError::NotFound { .. }
    ));

    // The change is a record like any other: it survives locking and unlocking.
    engine.close().await;
    let engine = Engine::open(dir.path(), Unlock::Keyring(&keys))
        .await
        .unwrap();
    let tags = engine.tags(&me).unwrap();
    assert_eq!(
        tags.iter()
            .map(|t| (t.name.as_str(), t.archived))
            .collect::<Vec<_>>(),
        [("Meetings", false), ("travel", true)]
    );
}
