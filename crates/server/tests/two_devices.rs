//! Sync, part 1, end to end: two real vaults of one person, a real server on a loopback port, the
//! engine's sync over HTTP (`stint-sync`), on SQLite and on PostgreSQL. A change on one device
//! appears on the other; the second device gets its keys only through the recovery key.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use stint_domain::report::GroupBy;
use stint_domain::{MemberId, OrgId, RateScope};
use stint_engine::seed::SeedSpec;
use stint_engine::sync::{ListedDevice, StoredIdentity, SyncReport, Transport};
use stint_engine::{
    ClientChanges, Engine, EntryChanges, EntryFilter, InvoiceFilter, MemoryKeyStore, NewClient,
    NewOrganization, NewRate, PaperSize, ReportQuery, Unlock,
};
use stint_protocol::sync::{Outcome, PullPage};
use stint_sync::HttpTransport;
use support::devices::{client_names, device, laptop_and_phone, set_up, span_entry, two_devices};
use support::{Backend, Server, Storage, everything_stored, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

/// The real transport, except that the connection drops: once when a device is enrolled (in the
/// middle of a set-up, after the identity reached the server), or for every pull after the first
/// few.
struct Drops<'a> {
    inner: &'a HttpTransport,
    dropped: AtomicBool,
    pulls_left: AtomicUsize,
}

impl<'a> Drops<'a> {
    fn at_enrolment(inner: &'a HttpTransport) -> Self {
        Drops {
            inner,
            dropped: AtomicBool::new(false),
            pulls_left: AtomicUsize::new(usize::MAX),
        }
    }

    fn after_pulls(inner: &'a HttpTransport, pulls: usize) -> Self {
        Drops {
            inner,
            dropped: AtomicBool::new(true),
            pulls_left: AtomicUsize::new(pulls),
        }
    }
}

impl Transport for Drops<'_> {
    async fn account(&self) -> Result<MemberId, String> {
        self.inner.account().await
    }
    async fn identity(&self) -> Result<Option<StoredIdentity>, String> {
        self.inner.identity().await
    }
    async fn put_identity(&self, identity: &StoredIdentity) -> Result<(), String> {
        self.inner.put_identity(identity).await
    }
    async fn replace_recovery(&self, wrapped_account_key: &[u8]) -> Result<(), String> {
        self.inner.replace_recovery(wrapped_account_key).await
    }
    async fn devices(&self) -> Result<Vec<ListedDevice>, String> {
        self.inner.devices().await
    }
    async fn add_device(&self, certificate: &[u8], label: &[u8]) -> Result<(), String> {
        if !self.dropped.swap(true, Ordering::SeqCst) {
            return Err("the connection dropped".into());
        }
        self.inner.add_device(certificate, label).await
    }
    async fn set_device_label(&self, device: [u8; 16], label: &[u8]) -> Result<(), String> {
        self.inner.set_device_label(device, label).await
    }
    async fn revoke_device(&self, device: [u8; 16], revocation: &[u8]) -> Result<(), String> {
        self.inner.revoke_device(device, revocation).await
    }
    async fn create_enrolment(&self, nameplate: u16, request: &[u8]) -> Result<bool, String> {
        self.inner.create_enrolment(nameplate, request).await
    }
    async fn enrolment(
        &self,
        nameplate: u16,
    ) -> Result<Option<(Vec<u8>, Option<Vec<u8>>)>, String> {
        self.inner.enrolment(nameplate).await
    }
    async fn answer_enrolment(&self, nameplate: u16, answer: &[u8]) -> Result<(), String> {
        self.inner.answer_enrolment(nameplate, answer).await
    }
    async fn delete_enrolment(&self, nameplate: u16) -> Result<(), String> {
        self.inner.delete_enrolment(nameplate).await
    }
    async fn orgs(&self) -> Result<Vec<OrgId>, String> {
        self.inner.orgs().await
    }
    async fn create_org(&self, org: OrgId, name: &str) -> Result<(), String> {
        self.inner.create_org(org, name).await
    }
    members_passed_on!();
    async fn push(&self, org: OrgId, envelopes: &[Vec<u8>]) -> Result<Vec<(Outcome, u64)>, String> {
        self.inner.push(org, envelopes).await
    }
    async fn pull(&self, org: OrgId, after: u64, limit: u32) -> Result<PullPage, String> {
        let left = self.pulls_left.load(Ordering::SeqCst);
        if left == 0 {
            return Err("the connection dropped".into());
        }
        self.pulls_left
            .store(left.saturating_sub(1), Ordering::SeqCst);
        self.inner.pull(org, after, limit).await
    }
    async fn put_attachment(
        &self,
        org: OrgId,
        id: stint_domain::AttachmentId,
        envelope: &[u8],
    ) -> Result<bool, String> {
        self.inner.put_attachment(org, id, envelope).await
    }
    async fn attachment(
        &self,
        org: OrgId,
        id: stint_domain::AttachmentId,
    ) -> Result<Option<Vec<u8>>, String> {
        self.inner.attachment(org, id).await
    }
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
    // A set-up cut short after the identity reached the server resumes with the same keys: the
    // recovery key it finally shows is the one that opens the identity stored the first time.
    let flaky = Drops::at_enrolment(&to_laptop);
    let err = laptop.set_up_sync(&flaky).await.unwrap_err();
    assert!(err.to_string().contains("connection dropped"), "{err}");
    let first_identity = to_laptop.identity().await.unwrap().unwrap().public;
    assert!(laptop.sync_account().await.unwrap().is_none());
    let recovery = laptop.set_up_sync(&flaky).await.unwrap();
    assert_eq!(
        to_laptop.identity().await.unwrap().unwrap().public,
        first_identity
    );
    let written_down = recovery.to_text().to_string();
    // Kept sealed until shown and forgotten.
    assert_eq!(
        laptop
            .pending_recovery_key()
            .await
            .unwrap()
            .unwrap()
            .to_text()
            .as_str(),
        written_down
    );
    // The kit for it, on paper: the same key.
    let kit = laptop
        .set_up_recovery_kit_pdf("ada@example.org", "http://localhost", PaperSize::A4)
        .await
        .unwrap();
    assert!(kit.starts_with(b"%PDF-"));
    // Forgotten only once two of its groups come back as written down; a wrong one keeps it.
    let groups: Vec<&str> = written_down.split('-').collect();
    let wrong = if groups[2] == "0000" { "1111" } else { "0000" };
    let err = laptop
        .confirm_recovery_key_kept(&[(2, groups[1]), (3, wrong)])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("group 3 does not match"), "{err}");
    assert!(laptop.pending_recovery_key().await.unwrap().is_some());
    let typed = groups[4].to_lowercase();
    laptop
        .confirm_recovery_key_kept(&[(2, groups[1]), (5, &typed)])
        .await
        .unwrap();
    assert!(laptop.pending_recovery_key().await.unwrap().is_none());
    let err = laptop
        .set_up_recovery_kit_pdf("ada@example.org", "http://localhost", PaperSize::A4)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("forgotten already"), "{err}");
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
    assert_eq!(to_phone.devices().await.unwrap().len(), 1);
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

/// Seeds an organization of 1,500 entries on the laptop (more records than a page holds, of every
/// kind the seed writes), sets up sync, publishes and pushes it; its id and the recovery key.
async fn seeded_and_pushed(
    laptop: &mut Engine,
    to_laptop: &HttpTransport,
    seed: u64,
) -> (OrgId, String) {
    let (org, _) = laptop
        .seed(
            SeedSpec {
                entries: 1500,
                seed,
            },
            &mut |_, _| {},
        )
        .await
        .unwrap();
    let recovery = set_up(laptop, to_laptop).await;
    laptop.publish(to_laptop, org).await.unwrap();
    laptop.sync(to_laptop).await.unwrap();
    (org, recovery)
}

/// A first sync cut short by the network after a page shows what that page brought (the index is
/// rebuilt from what was stored, not only after a whole round), and the next round brings the rest.
async fn a_round_cut_short_shows_what_it_stored(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (to_laptop, to_phone) =
        laptop_and_phone(&server, &storage, "ada@example.org", PASSWORD).await;
    let (mut laptop, mut phone, _dirs) = two_devices().await;
    let (org, recovery) = seeded_and_pushed(&mut laptop, &to_laptop, 7).await;
    let everything = laptop
        .entries(&laptop.act_as_user(org).unwrap(), &EntryFilter::default())
        .unwrap()
        .len();
    assert_eq!(everything, 1500);

    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    let err = phone
        .sync(&Drops::after_pulls(&to_phone, 1))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("connection dropped"), "{err}");
    let shown = phone
        .entries(&phone.act_as_user(org).unwrap(), &EntryFilter::default())
        .unwrap()
        .len();
    assert!(
        0 < shown && shown < everything,
        "{shown} of {everything} entries shown"
    );

    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(report(&reports, org).refused, 0);
    let by = phone.act_as_user(org).unwrap();
    assert_eq!(
        phone.entries(&by, &EntryFilter::default()).unwrap().len(),
        everything
    );
    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_round_cut_short_shows_what_it_stored);

/// Everything a person sees of `org`, as text: entries, clients, projects, members, expenses,
/// invoices and a report.
fn everything_shown(engine: &Engine, org: OrgId) -> String {
    let by = engine.act_as_user(org).unwrap();
    let report = ReportQuery {
        group_by: vec![GroupBy::Client, GroupBy::Project, GroupBy::Member],
        ..ReportQuery::default()
    };
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        engine.organizations(),
        engine.entries(&by, &EntryFilter::default()).unwrap(),
        engine.clients(&by, true).unwrap(),
        engine.projects(&by, true).unwrap(),
        engine.members(&by).unwrap(),
        engine.expenses(&by, None, None).unwrap(),
        engine.invoices(&by, &InvoiceFilter::default()).unwrap(),
        engine.time_report(&by, &report).unwrap(),
    )
}

/// A new device's first sync indexes what arrived as it was stored instead of reading its whole
/// vault again, and later rounds take what arrives into the index in place: what it shows then is
/// exactly what the laptop shows, and what it shows once its vault is read from the start.
async fn a_first_sync_shows_what_a_full_read_shows(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (to_laptop, to_phone) =
        laptop_and_phone(&server, &storage, "ada@example.org", PASSWORD).await;
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let keys = [MemoryKeyStore::default(), MemoryKeyStore::default()];
    let mut laptop = device(dirs[0].path(), &keys[0]).await;
    let mut phone = device(dirs[1].path(), &keys[1]).await;
    let (org, recovery) = seeded_and_pushed(&mut laptop, &to_laptop, 11).await;

    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    let reports = phone.sync(&to_phone).await.unwrap();
    let got = report(&reports, org);
    assert!(got.received > 1500 && got.refused == 0, "{got:?}");
    assert!(phone.quarantined().is_empty(), "{:?}", phone.quarantined());
    let after_sync = everything_shown(&phone, org);
    assert_eq!(after_sync, everything_shown(&laptop, org));

    // Later rounds take what arrives into the index in place: new entries and a client (which
    // prices entries anew), then an edit and a deletion.
    let by = laptop.act_as_user(org).unwrap();
    let project = laptop.projects(&by, false).unwrap()[0].project.id;
    let start = "2026-03-02T09:00:00Z".parse::<jiff::Timestamp>().unwrap();
    let mut added = Vec::new();
    for hours in [0, 2] {
        let start = start + jiff::SignedDuration::from_hours(hours);
        let outcome = laptop
            .add_entry(&by, span_entry(project, start, 50, "written on the laptop"))
            .await
            .unwrap();
        added.push(outcome.entry.entry.id);
    }
    laptop
        .add_client(
            &by,
            NewClient {
                name: "Zeta Labs".into(),
                currency: None,
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    let got = report(&phone.sync(&to_phone).await.unwrap(), org);
    assert_eq!((got.received, got.refused), (3, 0), "{got:?}");
    assert_eq!(
        everything_shown(&phone, org),
        everything_shown(&laptop, org)
    );
    laptop
        .edit_entry(
            &by,
            added[0],
            EntryChanges {
                note: Some("edited on the laptop".into()),
                ..EntryChanges::default()
            },
        )
        .await
        .unwrap();
    laptop.delete_entry(&by, added[1]).await.unwrap();
    // A new rate for the project prices its entries anew, old ones too.
    laptop
        .set_rate(
            &by,
            NewRate {
                scope: RateScope::Project { project },
                effective_from: jiff::civil::date(2020, 1, 1),
                hourly: "173.30".into(),
                currency: None,
            },
        )
        .await
        .unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    let got = report(&phone.sync(&to_phone).await.unwrap(), org);
    assert_eq!((got.received, got.refused), (3, 0), "{got:?}");
    let after_sync = everything_shown(&phone, org);
    assert!(after_sync.contains("edited on the laptop"));
    assert_eq!(after_sync, everything_shown(&laptop, org));

    phone.close().await;
    let phone = Engine::open(dirs[1].path(), Unlock::Keyring(&keys[1]))
        .await
        .unwrap();
    assert!(phone.quarantined().is_empty(), "{:?}", phone.quarantined());
    assert_eq!(everything_shown(&phone, org), after_sync);
    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_first_sync_shows_what_a_full_read_shows);
