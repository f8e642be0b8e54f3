//! Acting as another local member, and the permissions a UI is given for the acting member.

use stint_domain::role::grant;
use stint_domain::*;
use stint_engine::*;

#[tokio::test]
async fn permissions_are_the_role_table_and_removed_members_cannot_act() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let mut engine = Engine::create(dir.path(), Unlock::Keyring(&keys))
        .await
        .unwrap();
    let org = engine
        .create_organization(NewOrganization {
            name: "Acme".into(),
            currency: "EUR".into(),
            locale: "en-US".into(),
            time_zone: "UTC".into(),
            week_start: None,
            owner_name: "Olive".into(),
        })
        .await
        .unwrap();
    let owner = engine.act_as_user(org).unwrap();
    for role in Role::ALL {
        let id = engine
            .add_member(&owner, &format!("{role:?} person"), role)
            .await
            .unwrap();
        let by = engine.act_as_member(org, id).unwrap();
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
    let err = engine.act_as_member(org, leaver).unwrap_err();
    assert!(err.to_string().contains("removed"), "{err}");
    let stranger = MemberId(ulid::Ulid::from_parts(1, 2));
    assert!(engine.act_as_member(org, stranger).is_err());
}
