//! A server that lies (issue 14): between a device and a real server on a loopback port, a
//! transport that tampers with what the server answers: bytes flipped, an old version replayed, an
//! envelope moved to another record or another organization, pages reordered, a device certificate
//! inserted for the account. Each is refused or has no effect; nothing tampered is ever shown, and
//! once the server is honest again the device catches up with everything.

mod support;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use stint_crypto::{DeviceCertificate, IdentityKeys};
use stint_domain::{AttachmentId, Kind, MemberId, OrgId};
use stint_engine::sync::{ListedDevice, StoredIdentity, SyncReport, Transport};
use stint_engine::{ClientChanges, Engine, NewClient};
use stint_protocol::sync::{Outcome, PullPage};
use stint_sync::HttpTransport;
use support::devices::{client_names, laptop_and_phone, organization, set_up, two_devices, unseen};
use support::{Backend, Server, Storage};

const PASSWORD: &str = "a long and private passphrase";

#[derive(Clone, Debug)]
enum Attack {
    /// One byte of every pulled envelope's ciphertext flipped.
    FlipByte,
    /// An old version of a record of this organization added to its pages.
    Replay(OrgId, Vec<u8>),
    /// Every pulled envelope's record id changed.
    MoveRecord,
    /// Another organization's envelopes served as this one's.
    FromOrg(OrgId),
    /// Pages reversed.
    Reorder,
    /// A certificate for this account made with a key that is not its identity's.
    ForgedCertificate(Vec<u8>),
    /// One byte of the ciphertext of every envelope of one record flipped.
    FlipRecord([u8; 16]),
    /// Every envelope of one record left out of the pages.
    Hide([u8; 16]),
    /// The first write log entry served while this lasts left out of the pages, and again
    /// whenever it is asked for.
    HideFirstLogEntry,
    /// One byte of every downloaded attachment's ciphertext flipped.
    FlipAttachment,
    /// This attachment served whatever attachment is asked for.
    SwapAttachment(AttachmentId),
    /// An attachment of another organization served as the one asked for, its header's
    /// organization and id rewritten to match.
    AttachmentFrom(OrgId, AttachmentId),
    /// The next push answered as stored at this number (where another device's record is),
    /// whatever number the server gave; once.
    ClaimSeq(u64),
}

struct Hostile<'a> {
    inner: &'a HttpTransport,
    attack: Mutex<Option<Attack>>,
    /// Envelopes served so far.
    served: AtomicUsize,
    /// The write log entry [`Attack::HideFirstLogEntry`] hides.
    hidden_log: Mutex<Option<Vec<u8>>>,
}

impl Hostile<'_> {
    /// Honest until told otherwise.
    fn over(inner: &HttpTransport) -> Hostile<'_> {
        Hostile {
            inner,
            attack: Mutex::new(None),
            served: AtomicUsize::new(0),
            hidden_log: Mutex::new(None),
        }
    }

    fn set(&self, attack: Option<Attack>) {
        *self.attack.lock().unwrap() = attack;
    }

    fn attack(&self) -> Option<Attack> {
        self.attack.lock().unwrap().clone()
    }
}

impl Transport for Hostile<'_> {
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
        let mut devices = self.inner.devices().await?;
        if let Some(Attack::ForgedCertificate(forged)) = self.attack() {
            devices.push(ListedDevice {
                certificate: forged,
                ..ListedDevice::default()
            });
        }
        Ok(devices)
    }
    async fn add_device(&self, certificate: &[u8], label: &[u8]) -> Result<(), String> {
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
        let mut outcomes = self.inner.push(org, envelopes).await?;
        if let Some(Attack::ClaimSeq(seq)) = self.attack() {
            self.set(None);
            for (_, at) in &mut outcomes {
                *at = seq;
            }
        }
        Ok(outcomes)
    }
    async fn pull(&self, org: OrgId, after: u64, limit: u32) -> Result<PullPage, String> {
        let attack = self.attack();
        let mut page = match &attack {
            Some(Attack::FromOrg(other)) if *other != org => {
                let mut page = self.inner.pull(*other, after, limit).await?;
                page.history = self.inner.pull(org, after, limit).await?.history;
                page
            }
            _ => self.inner.pull(org, after, limit).await?,
        };
        match attack {
            Some(Attack::FlipByte) => {
                for r in &mut page.records {
                    let at = r.envelope.len() - 70;
                    r.envelope[at] ^= 0x20;
                }
            }
            Some(Attack::Replay(of, old)) if of == org => {
                let seq = page.records.last().map_or(after, |r| r.seq);
                page.records
                    .push(stint_protocol::sync::Pulled { seq, envelope: old });
            }
            Some(Attack::MoveRecord) => {
                for r in &mut page.records {
                    r.envelope[17] ^= 0x01;
                }
            }
            Some(Attack::Reorder) => page.records.reverse(),
            Some(Attack::Hide(record)) => page.records.retain(|r| r.envelope[17..33] != record),
            Some(Attack::HideFirstLogEntry) => {
                let log = (Kind::TeamLog as u16).to_be_bytes();
                let mut hidden = self.hidden_log.lock().unwrap();
                if hidden.is_none() {
                    *hidden = page
                        .records
                        .iter()
                        .find(|r| r.envelope[33..35] == log)
                        .map(|r| r.envelope[17..33].to_vec());
                }
                if let Some(id) = hidden.as_deref() {
                    page.records.retain(|r| r.envelope[17..33] != *id);
                }
            }
            Some(Attack::FlipRecord(record)) => {
                for r in &mut page.records {
                    if r.envelope[17..33] == record {
                        let at = r.envelope.len() - 70;
                        r.envelope[at] ^= 0x20;
                    }
                }
            }
            _ => {}
        }
        self.served.fetch_add(page.records.len(), Ordering::SeqCst);
        Ok(page)
    }
    async fn put_attachment(
        &self,
        org: OrgId,
        id: AttachmentId,
        envelope: &[u8],
    ) -> Result<bool, String> {
        self.inner.put_attachment(org, id, envelope).await
    }
    async fn attachment(&self, org: OrgId, id: AttachmentId) -> Result<Option<Vec<u8>>, String> {
        match self.attack() {
            Some(Attack::FlipAttachment) => {
                let mut bytes = self.inner.attachment(org, id).await?;
                if let Some(bytes) = &mut bytes {
                    let at = bytes.len() - 70;
                    bytes[at] ^= 0x20;
                }
                Ok(bytes)
            }
            Some(Attack::SwapAttachment(other)) => self.inner.attachment(org, other).await,
            Some(Attack::AttachmentFrom(other_org, other)) => {
                let mut bytes = self.inner.attachment(other_org, other).await?;
                if let Some(bytes) = &mut bytes {
                    bytes[1..17].copy_from_slice(&org.to_bytes());
                    bytes[17..33].copy_from_slice(&id.to_bytes());
                }
                Ok(bytes)
            }
            _ => self.inner.attachment(org, id).await,
        }
    }
}

fn total(reports: &[(OrgId, SyncReport)]) -> SyncReport {
    let mut sum = SyncReport::default();
    for (_, r) in reports {
        sum.received += r.received;
        sum.refused += r.refused;
        sum.pushed += r.pushed;
    }
    sum
}

/// A new client of that name, with nothing else set.
fn named_client(name: &str) -> NewClient {
    NewClient {
        name: name.into(),
        currency: None,
        rounding: None,
        note: String::new(),
    }
}

async fn rename_client(engine: &mut Engine, org: OrgId, to: &str) {
    let by = engine.act_as_user(org).unwrap();
    let client = engine.clients(&by, true).unwrap()[0].id;
    engine
        .edit_client(
            &by,
            client,
            ClientChanges {
                name: Some(to.into()),
                ..ClientChanges::default()
            },
        )
        .await
        .unwrap();
}

async fn a_lying_server_changes_nothing_shown(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "ada@example.org";
    let (to_laptop, honest_phone) = laptop_and_phone(&server, &storage, email, PASSWORD).await;
    let to_phone = Hostile::over(&honest_phone);
    let (mut laptop, mut phone, _dirs) = two_devices().await;

    // Two published organizations, each with a client.
    let acme = organization(&mut laptop, "Acme").await;
    let side = organization(&mut laptop, "Side project").await;
    for (org, client) in [(acme, "Globex"), (side, "Initech")] {
        let by = laptop.act_as_user(org).unwrap();
        laptop.add_client(&by, named_client(client)).await.unwrap();
    }
    let recovery = set_up(&mut laptop, &to_laptop).await;
    laptop.forget_recovery_key().await.unwrap();
    laptop.publish(&to_laptop, acme).await.unwrap();
    laptop.publish(&to_laptop, side).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    // The client's first version, kept for a replay later.
    let first_version = {
        let page = to_laptop.pull(acme, 0, 1000).await.unwrap();
        page.records.last().unwrap().envelope.clone()
    };
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    phone.sync(&to_phone).await.unwrap();
    assert_eq!(client_names(&phone, acme), ["Globex"]);
    assert_eq!(client_names(&phone, side), ["Initech"]);

    // Each attack meets a new version on the server; the phone refuses or ignores it, shows
    // nothing of it, and its next honest round brings the real version.
    let attacks = [
        ("flipped byte", Attack::FlipByte, "Globex 2", true),
        ("moved record", Attack::MoveRecord, "Globex 3", true),
        (
            "another organization's records",
            Attack::FromOrg(side),
            "Globex 4",
            true,
        ),
        ("reordered pages", Attack::Reorder, "Globex 5", false),
    ];
    for (what, attack, renamed, refused) in attacks {
        rename_client(&mut laptop, acme, renamed).await;
        laptop.sync(&to_laptop).await.unwrap();
        let shown_before = (client_names(&phone, acme), client_names(&phone, side));
        to_phone.set(Some(attack));
        let reports = phone.sync(&to_phone).await.unwrap();
        let sum = total(&reports);
        if refused {
            assert!(sum.refused >= 1, "{what}: {reports:?}");
            assert_eq!(
                (client_names(&phone, acme), client_names(&phone, side)),
                shown_before,
                "{what} changed what the phone shows"
            );
            assert!(
                phone.quarantined().is_empty(),
                "{what}: {:?}",
                phone.quarantined()
            );
            // Refused, kept aside for review, never stored.
            let held = phone.refused_envelopes().await.unwrap();
            assert!(!held.is_empty(), "{what}");
            assert_eq!(
                reports.iter().map(|(_, r)| r.quarantined).sum::<u64>(),
                held.len() as u64,
                "{what}"
            );
            assert!(
                held.iter().all(|q| !q.reason.is_empty()),
                "{what}: {held:?}"
            );
        } else {
            // Order does not matter to merging: the real version, as if honest.
            assert_eq!(sum.refused, 0, "{what}: {reports:?}");
            assert_eq!(client_names(&phone, acme), [renamed], "{what}");
        }
        to_phone.set(None);
        // The tampered round moved the cursor past what it refused; the next round asks the
        // now honest server for those numbers again, stores the real versions and empties the
        // quarantine.
        let reports = phone.sync(&to_phone).await.unwrap();
        assert_eq!(client_names(&phone, acme), [renamed], "after {what}");
        assert_eq!(client_names(&phone, side), ["Initech"], "after {what}");
        assert!(
            phone.refused_envelopes().await.unwrap().is_empty(),
            "after {what}"
        );
        assert_eq!(total(&reports).refused, 0, "after {what}: {reports:?}");
    }

    // An old version replayed: the phone keeps the newer one.
    to_phone.set(Some(Attack::Replay(acme, first_version)));
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(total(&reports).refused, 0, "{reports:?}");
    assert_eq!(client_names(&phone, acme), ["Globex 5"]);
    to_phone.set(None);

    // A certificate for this account that the identity did not sign: not a device of the account.
    let fake_identity = IdentityKeys::generate();
    let account = honest_phone.account().await.unwrap();
    let forged = DeviceCertificate {
        user: account.to_bytes(),
        device: [0xee; 16],
        signing: stint_crypto::SigningKey::generate().verifying_key(),
        sealing: stint_crypto::SealSecretKey::generate().public_key(),
        issued_ms: 1,
    }
    .issue(&fake_identity.signing)
    .to_vec();
    to_phone.set(Some(Attack::ForgedCertificate(forged)));
    let devices = phone.devices(&to_phone).await.unwrap();
    assert_eq!(devices.len(), 2, "{devices:?}");
    assert!(devices.iter().all(|d| d.id != "ee".repeat(16)));
    to_phone.set(None);

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_lying_server_changes_nothing_shown);

/// A server that keeps spoiling one record: the phone refuses it every round and keeps it aside,
/// while everything else keeps arriving; and since its cursor moved past the bad version, a round
/// with nothing new costs one envelope (the refused number asked for again), not everything after
/// it.
async fn one_spoiled_record_costs_one_envelope_a_round(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "ada@example.org";
    let (to_laptop, honest_phone) = laptop_and_phone(&server, &storage, email, PASSWORD).await;
    let to_phone = Hostile::over(&honest_phone);
    let (mut laptop, mut phone, _dirs) = two_devices().await;
    let acme = organization(&mut laptop, "Acme").await;
    let by = laptop.act_as_user(acme).unwrap();
    let client = laptop
        .add_client(&by, named_client("Globex"))
        .await
        .unwrap();
    let recovery = set_up(&mut laptop, &to_laptop).await;
    laptop.publish(&to_laptop, acme).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    phone.sync(&to_phone).await.unwrap();

    // The client renamed on the laptop; the server spoils that record from now on.
    rename_client(&mut laptop, acme, "Globex 2").await;
    laptop.sync(&to_laptop).await.unwrap();
    to_phone.set(Some(Attack::FlipRecord(client.to_bytes())));
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(total(&reports).refused, 1, "{reports:?}");
    assert_eq!(client_names(&phone, acme), ["Globex"]);

    // Other records still arrive past it.
    let by = laptop.act_as_user(acme).unwrap();
    for name in ["Initech", "Hooli", "Umbrella"] {
        laptop.add_client(&by, named_client(name)).await.unwrap();
    }
    laptop.sync(&to_laptop).await.unwrap();
    phone.sync(&to_phone).await.unwrap();
    assert_eq!(
        client_names(&phone, acme),
        ["Globex", "Hooli", "Initech", "Umbrella"]
    );

    // Nothing new: one envelope served, the spoiled one asked for again and refused again.
    let before = to_phone.served.load(Ordering::SeqCst);
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(to_phone.served.load(Ordering::SeqCst) - before, 1);
    assert_eq!(
        total(&reports).refused,
        0,
        "counted once, when it first came"
    );
    let held = phone.refused_envelopes().await.unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].record, Some(hex(client.to_bytes())));

    // Honest again: the real version arrives and the quarantine empties.
    to_phone.set(None);
    phone.sync(&to_phone).await.unwrap();
    assert_eq!(
        client_names(&phone, acme),
        ["Globex 2", "Hooli", "Initech", "Umbrella"]
    );
    assert!(phone.refused_envelopes().await.unwrap().is_empty());

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(one_spoiled_record_costs_one_envelope_a_round);

/// A server that hides records for good, answering every pull as if they had never been pushed:
/// the laptop's write log lists them, so the phone notices once it has pulled to the head, says
/// so in its report, and gets them once the server serves them again. A hidden write log entry
/// is noticed by the gap it leaves in the laptop's chain.
async fn a_server_that_hides_records_is_caught(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (to_laptop, honest_phone) =
        laptop_and_phone(&server, &storage, "ada@example.org", PASSWORD).await;
    let to_phone = Hostile::over(&honest_phone);
    let (mut laptop, mut phone, _dirs) = two_devices().await;
    let acme = organization(&mut laptop, "Acme").await;
    let by = laptop.act_as_user(acme).unwrap();
    laptop
        .add_client(&by, named_client("Globex"))
        .await
        .unwrap();
    let recovery = set_up(&mut laptop, &to_laptop).await;
    laptop.publish(&to_laptop, acme).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(unseen(&reports), (0, 0), "an honest server: {reports:?}");
    let by = laptop.act_as_user(acme).unwrap();

    // A new client, hidden from the phone.
    let hidden = laptop.add_client(&by, named_client("Hooli")).await.unwrap();
    laptop
        .add_client(&by, named_client("Initech"))
        .await
        .unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    to_phone.set(Some(Attack::Hide(hidden.to_bytes())));
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(unseen(&reports), (1, 0), "{reports:?}");
    assert_eq!(client_names(&phone, acme), ["Globex", "Initech"]);
    // Still hidden a round later: still said.
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(unseen(&reports), (1, 0), "{reports:?}");

    // Honest again: the phone reads the organization again and has everything.
    to_phone.set(None);
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(unseen(&reports), (0, 0), "{reports:?}");
    assert_eq!(client_names(&phone, acme), ["Globex", "Hooli", "Initech"]);

    // Two rounds on the laptop, two write log entries; the server hides the first of them.
    laptop
        .add_client(&by, named_client("Umbrella"))
        .await
        .unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    laptop.add_client(&by, named_client("Wayne")).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    to_phone.set(Some(Attack::HideFirstLogEntry));
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(unseen(&reports), (0, 1), "{reports:?}");
    assert_eq!(
        client_names(&phone, acme),
        ["Globex", "Hooli", "Initech", "Umbrella", "Wayne"]
    );
    // Served again, it closes the gap.
    to_phone.set(None);
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(unseen(&reports), (0, 0), "{reports:?}");

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_server_that_hides_records_is_caught);

fn hex(bytes: [u8; 16]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A PNG's signature and bytes after it.
fn logo(seed: u8) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend((0..4000u32).map(|i| (i as u8).wrapping_mul(seed)));
    png
}

/// A server that serves the wrong bytes for an attachment: flipped, another attachment of the
/// organization, or one of another organization made to look like the one asked for. The phone
/// refuses each, stores nothing, shows no logo, and says why in its report; honest again, the
/// server's real logo arrives.
async fn a_lying_server_cannot_pass_off_an_attachment(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (to_laptop, honest_phone) =
        laptop_and_phone(&server, &storage, "ada@example.org", PASSWORD).await;
    let to_phone = Hostile::over(&honest_phone);
    let (mut laptop, mut phone, _dirs) = two_devices().await;
    let acme = organization(&mut laptop, "Acme").await;
    let side = organization(&mut laptop, "Side project").await;
    let recovery = set_up(&mut laptop, &to_laptop).await;
    laptop.publish(&to_laptop, acme).await.unwrap();
    laptop.publish(&to_laptop, side).await.unwrap();
    // Two logos in Acme (the first replaced), one in the side project.
    let mut ids = Vec::new();
    for (org, seed) in [(acme, 3), (side, 5), (acme, 7)] {
        let by = laptop.act_as_user(org).unwrap();
        laptop.set_logo(&by, Some(logo(seed))).await.unwrap();
        let id = laptop.organization(&by).unwrap().logo.unwrap();
        ids.push(id);
    }
    laptop.sync(&to_laptop).await.unwrap();
    let (old_acme, side_logo) = (ids[0], ids[1]);

    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    let attacks = [
        ("a flipped byte", Attack::FlipAttachment),
        ("another attachment", Attack::SwapAttachment(old_acme)),
        (
            "another organization's, made to look like this one's",
            Attack::AttachmentFrom(side, side_logo),
        ),
    ];
    for (what, attack) in attacks {
        to_phone.set(Some(attack));
        let reports = phone.sync(&to_phone).await.unwrap();
        let acme_report = &reports.iter().find(|(o, _)| *o == acme).unwrap().1;
        let problem = acme_report.attachment_problem.clone();
        assert!(
            problem.as_deref().is_some_and(|p| p.contains("refused")),
            "{what}: {reports:?}"
        );
        let on_phone = phone.act_as_user(acme).unwrap();
        assert_eq!(phone.logo(&on_phone).unwrap(), None, "{what}");
        // Nothing stored: asking directly meets the same refusal.
        let err = phone
            .fetch_attachment(&to_phone, acme, ids[2])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("was refused"), "{what}: {err}");
    }

    to_phone.set(None);
    let reports = phone.sync(&to_phone).await.unwrap();
    let acme_report = &reports.iter().find(|(o, _)| *o == acme).unwrap().1;
    assert_eq!(
        (
            acme_report.fetched,
            acme_report.attachment_problem.as_deref()
        ),
        (1, None),
        "{reports:?}"
    );
    assert_eq!(
        phone.logo(&phone.act_as_user(acme).unwrap()).unwrap(),
        Some(logo(7))
    );
    assert_eq!(
        phone.logo(&phone.act_as_user(side).unwrap()).unwrap(),
        Some(logo(5))
    );

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_lying_server_cannot_pass_off_an_attachment);

/// A push stored under exactly the numbers after the device's cursor holds only its own versions:
/// the next pull does not bring them back. Once another device wrote in between, the numbers are
/// not this device's alone, and its pull brings everything after its cursor; what it holds at the
/// numbers the server gave this device's versions is passed over, unchecked (spoilt there, it is
/// not even refused).
async fn a_device_does_not_pull_back_what_it_just_pushed(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (honest_laptop, to_phone) =
        laptop_and_phone(&server, &storage, "ada@example.org", PASSWORD).await;
    let to_laptop = Hostile::over(&honest_laptop);
    let (mut laptop, mut phone, _dirs) = two_devices().await;
    let acme = organization(&mut laptop, "Acme").await;
    let recovery = set_up(&mut laptop, &to_laptop).await;
    laptop.publish(&to_laptop, acme).await.unwrap();
    // The first push, before any pull: the organization was empty, so none of it comes back.
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert!(total(&reports).pushed >= 2, "{reports:?}");
    assert_eq!(to_laptop.served.load(Ordering::SeqCst), 0);
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    phone.sync(&to_phone).await.unwrap();

    // The laptop alone writes: its round pushes three and is served none of them back.
    let by = laptop.act_as_user(acme).unwrap();
    for name in ["Globex", "Initech", "Hooli"] {
        laptop.add_client(&by, named_client(name)).await.unwrap();
    }
    let before = to_laptop.served.load(Ordering::SeqCst);
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert_eq!(total(&reports).pushed, 3, "{reports:?}");
    assert_eq!(to_laptop.served.load(Ordering::SeqCst) - before, 0);

    // The phone writes one, then the laptop two more: the laptop's numbers follow the phone's,
    // so its pull brings the phone's client and the phone's write log entry for it, and its own
    // two (its own write log entry is written after the pull, and not served back).
    let on_phone = phone.act_as_user(acme).unwrap();
    phone
        .add_client(&on_phone, named_client("Umbrella"))
        .await
        .unwrap();
    phone.sync(&to_phone).await.unwrap();
    let wayne = laptop.add_client(&by, named_client("Wayne")).await.unwrap();
    laptop.add_client(&by, named_client("Stark")).await.unwrap();
    let before = to_laptop.served.load(Ordering::SeqCst);
    to_laptop.set(Some(Attack::FlipRecord(wayne.to_bytes())));
    let reports = laptop.sync(&to_laptop).await.unwrap();
    to_laptop.set(None);
    assert_eq!(to_laptop.served.load(Ordering::SeqCst) - before, 4);
    assert_eq!(total(&reports).refused, 0, "{reports:?}");
    assert_eq!(total(&reports).received, 1, "{reports:?}");
    assert!(laptop.refused_envelopes().await.unwrap().is_empty());
    phone.sync(&to_phone).await.unwrap();
    assert_eq!(client_names(&laptop, acme), client_names(&phone, acme));
    assert_eq!(client_names(&laptop, acme).len(), 6);

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_device_does_not_pull_back_what_it_just_pushed);

/// A server that answers a push with the number of another device's record makes the device pass
/// that record over: hidden, like any record a server leaves out, and caught the same way. The
/// other device's write log lists it, so the round reads the organization again from the start,
/// checking everything: the record arrives in that same round.
async fn a_server_that_lies_about_a_push_hides_nothing(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (honest_laptop, to_phone) =
        laptop_and_phone(&server, &storage, "ada@example.org", PASSWORD).await;
    let to_laptop = Hostile::over(&honest_laptop);
    let (mut laptop, mut phone, _dirs) = two_devices().await;
    let acme = organization(&mut laptop, "Acme").await;
    let recovery = set_up(&mut laptop, &to_laptop).await;
    laptop.publish(&to_laptop, acme).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    phone.sync(&to_phone).await.unwrap();

    // The phone writes two clients; the laptop one, whose push the server answers with the
    // number of the phone's second (not the one after the laptop's cursor: nothing is skipped
    // on the strength of the numbers' run).
    let on_phone = phone.act_as_user(acme).unwrap();
    phone
        .add_client(&on_phone, named_client("Umbrella"))
        .await
        .unwrap();
    let wayne = phone
        .add_client(&on_phone, named_client("Wayne"))
        .await
        .unwrap();
    phone.sync(&to_phone).await.unwrap();
    let at = honest_laptop
        .pull(acme, 0, 1000)
        .await
        .unwrap()
        .records
        .into_iter()
        .find(|r| r.envelope[17..33] == wayne.to_bytes())
        .unwrap()
        .seq;
    let by = laptop.act_as_user(acme).unwrap();
    laptop.add_client(&by, named_client("Stark")).await.unwrap();
    to_laptop.set(Some(Attack::ClaimSeq(at)));
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert!(to_laptop.attack().is_none(), "the push was answered");
    assert_eq!(unseen(&reports), (0, 0), "{reports:?}");
    assert_eq!(client_names(&laptop, acme), ["Stark", "Umbrella", "Wayne"]);
    phone.sync(&to_phone).await.unwrap();
    assert_eq!(client_names(&phone, acme), client_names(&laptop, acme));

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_server_that_lies_about_a_push_hides_nothing);

/// Mia, a Member, signs a client of her own making (her device, modified, writes what her role
/// may not); the server refuses her push, but a lying server passes it on to Ada anyway. Ada's
/// device judges it by Mia's role at the point of the membership log its header names, and
/// refuses it: it is never shown.
async fn a_record_beyond_its_authors_role_is_refused(backend: Backend) {
    use stint_domain::{Client, ClientId, Compartment, Role};
    use stint_engine::RawRecord;
    use support::team::{ada_with_acme, confirmed_and_synced, publish};
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, _) = ada_with_acme(&server, &storage).await;
    publish(&mut ada, org).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let mut mia = confirmed_and_synced(
        &server,
        &storage,
        &mut ada,
        org,
        "mia@example.org",
        Role::Member,
    )
    .await;

    let mia_id = mia.engine.sync_account().await.unwrap().unwrap();
    let id = ClientId(ulid::Ulid::from_bytes(support::raw::rand_id()));
    mia.engine
        .put_raw_record(RawRecord {
            org,
            id: id.to_bytes(),
            kind: Kind::Client as u16,
            compartment: Compartment::Team as u8,
            author: mia_id,
            owner: [0; 16],
            payload: serde_json::to_vec(&Client {
                id,
                name: "Initech".into(),
                currency: None,
                rounding: None,
                archived: false,
                note: String::new(),
            })
            .unwrap(),
        })
        .await
        .unwrap();
    let forged = support::devices::stored_records(mia.dir(), org)
        .await
        .into_iter()
        .find(|(record, _)| record.as_slice() == id.to_bytes())
        .unwrap()
        .1;
    let header = *stint_crypto::EnvelopeRef::parse(&forged).unwrap().header();
    assert_eq!(header.log, 2, "written knowing the log's two entries");
    let (status, body) = support::team::push_raw(&server, &mia, org, forged.clone()).await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN, "{body}");
    let refused = body["error"]["message"].as_str().unwrap();
    assert!(refused.contains("may not write"), "{refused}");
    // Her own device, as it is, sets it aside rather than pushing it.
    let got = mia.engine.sync(&mia.t).await.unwrap();
    assert_eq!(got[0].1.set_aside, 1, "{got:?}");

    let to_ada = Hostile::over(&ada.t);
    to_ada.set(Some(Attack::Replay(org, forged)));
    ada.engine.sync(&to_ada).await.unwrap();
    let names: Vec<String> = ada
        .engine
        .clients(&by, true)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(!names.contains(&"Initech".to_owned()), "{names:?}");
    let reasons: Vec<String> = ada
        .engine
        .quarantined()
        .iter()
        .map(|q| q.reason.clone())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("at entry 2 of the membership log, who may not write it")),
        "{reasons:?}"
    );
    server.stop().await;
}
both!(a_record_beyond_its_authors_role_is_refused);
