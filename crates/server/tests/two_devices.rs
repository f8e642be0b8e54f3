//! Sync, part 1, end to end: two real vaults of one person, a real server on a loopback port, the
//! engine's sync over HTTP (`stint-sync`), on SQLite and on PostgreSQL. A change on one device
//! appears on the other; the second device gets its keys only through the recovery key.

mod support;

use stint_domain::OrgId;
use stint_engine::sync::{SyncReport, Transport};
use stint_engine::{ClientChanges, Engine, MemoryKeyStore, NewClient, NewOrganization, Unlock};
use stint_sync::HttpTransport;
use support::{Backend, Server, Storage, everything_stored, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

async fn device(dir: &std::path::Path, keys: &MemoryKeyStore) -> Engine {
    Engine::create(dir, Unlock::Keyring(keys)).await.unwrap()
}

fn client_names(engine: &Engine, org: OrgId) -> Vec<String> {
    let by = engine.act_as_user(org).unwrap();
    let mut names: Vec<String> = engine
        .clients(&by, true)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    names
}

fn report(reports: &[(OrgId, SyncReport)], org: OrgId) -> SyncReport {
    reports
        .iter()
        .find(|(o, _)| *o == org)
        .map(|(_, r)| r.clone())
        .unwrap_or_else(|| panic!("no report for {org}: {reports:?}"))
}

async fn a_change_on_one_device_appears_on_the_other(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "ada@example.org";
    verified_account(&server, &storage, email, PASSWORD).await;
    let laptop_session = sign_in(&server, email, PASSWORD, "laptop").await;
    let phone_session = sign_in(&server, email, PASSWORD, "phone").await;
    let to_laptop = HttpTransport::new(&server.base, &laptop_session).unwrap();
    let to_phone = HttpTransport::new(&server.base, &phone_session).unwrap();

    // The laptop worked offline first: an organization and a client, under its own local ids.
    let (laptop_dir, phone_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (laptop_keys, phone_keys) = (MemoryKeyStore::default(), MemoryKeyStore::default());
    let mut laptop = device(laptop_dir.path(), &laptop_keys).await;
    let org = laptop
        .create_organization(NewOrganization {
            name: "Acme".into(),
            currency: "EUR".into(),
            locale: "en-US".into(),
            time_zone: "Europe/Berlin".into(),
            week_start: None,
            owner_name: "Ada Lovelace".into(),
        })
        .await
        .unwrap();
    let by = laptop.act_as_user(org).unwrap();
    laptop
        .add_client(
            &by,
            NewClient {
                name: "Müller & Søn".into(),
                currency: None,
                rounding: None,
                note: "pays in 14 days".into(),
            },
        )
        .await
        .unwrap();
    // A second organization on the laptop, not published (yet).
    let side = laptop
        .create_organization(NewOrganization {
            name: "Side project".into(),
            currency: "EUR".into(),
            locale: "en-US".into(),
            time_zone: "UTC".into(),
            week_start: None,
            owner_name: "Ada Lovelace".into(),
        })
        .await
        .unwrap();
    let local_user = laptop.user();

    // Set up and publish: the organization keeps its id, the person's ids become the account's.
    let recovery = laptop.set_up_sync(&to_laptop).await.unwrap();
    let written_down = recovery.to_text().to_string();
    laptop.publish(&to_laptop, org).await.unwrap();
    let account = to_laptop.account().await.unwrap();
    assert_ne!(local_user, account);
    assert_eq!(laptop.user(), account);
    assert!(
        laptop.quarantined().is_empty(),
        "{:?}",
        laptop.quarantined()
    );
    assert_eq!(client_names(&laptop, org), ["Müller & Søn"]);
    // The unpublished organization is still the laptop's own, under the account's id too.
    assert!(laptop.act_as_user(side).is_ok());
    assert_eq!(client_names(&laptop, side), Vec::<String>::new());
    let reports = laptop.sync(&to_laptop).await.unwrap();
    let first = report(&reports, org);
    assert!(first.pushed >= 3, "{first:?}");
    // Only published organizations travel; the other's changes wait for its publishing.
    assert!(reports.iter().all(|(o, _)| *o != side));
    laptop.publish(&to_laptop, side).await.unwrap();
    let reports = laptop.sync(&to_laptop).await.unwrap();
    let second = report(&reports, side);
    assert!(second.pushed >= 2 && second.pending == 0, "{second:?}");

    // The phone: a wrong recovery key opens nothing and enrols nothing.
    let mut phone = device(phone_dir.path(), &phone_keys).await;
    let wrong = stint_crypto::RecoveryKey::generate().to_text().to_string();
    let err = phone.restore_sync(&to_phone, &wrong).await.unwrap_err();
    assert!(err.to_string().contains("does not open"), "{err}");
    assert_eq!(to_phone.certificates().await.unwrap().len(), 1);
    assert!(phone.sync_account().await.unwrap().is_none());

    phone.restore_sync(&to_phone, &written_down).await.unwrap();
    assert_eq!(phone.user(), account);
    let reports = phone.sync(&to_phone).await.unwrap();
    let got = report(&reports, org);
    assert!(got.received >= 3 && got.refused == 0, "{got:?}");
    assert!(phone.quarantined().is_empty(), "{:?}", phone.quarantined());
    assert_eq!(client_names(&phone, org), ["Müller & Søn"]);
    assert!(phone.act_as_user(side).is_ok());

    // The phone renames the client; the laptop sees it after its next round.
    let by = phone.act_as_user(org).unwrap();
    let client = phone.clients(&by, false).unwrap()[0].id;
    phone
        .edit_client(
            &by,
            client,
            ClientChanges {
                name: Some("Müller & Søn GmbH".into()),
                ..ClientChanges::default()
            },
        )
        .await
        .unwrap();
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(report(&reports, org).pushed, 1);
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert_eq!(report(&reports, org).received, 1);
    assert_eq!(client_names(&laptop, org), ["Müller & Søn GmbH"]);
    assert_eq!(client_names(&phone, org), client_names(&laptop, org));

    // Nothing more to do on either side: a round moves nothing.
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert_eq!(report(&reports, org), SyncReport::default());

    // Nothing typed into either vault is readable anywhere the server keeps data: not the
    // organization's name, the client's, its note, the time zone or the owner's name.
    let stored = everything_stored(&storage).await;
    assert!(stored.len() > 1000, "the scan read the server's data");
    for typed in [
        "Acme",
        "Müller & Søn",
        "pays in 14 days",
        "Europe/Berlin",
        "Ada Lovelace",
    ] {
        assert!(
            !stored.windows(typed.len()).any(|w| w == typed.as_bytes()),
            "{typed:?} is readable on the {backend:?} server"
        );
    }
    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_change_on_one_device_appears_on_the_other);
