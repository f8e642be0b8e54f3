//! Working in a team (docs/sync.md, "Joining a team"): accepting an invitation, confirming a
//! newcomer by their identity's fingerprint and handing them the keys of their role, and knowing
//! other members' identities and devices, so that what they wrote can be checked.
//!
//! Every organization key a device accepts is a key delivery (docs/formats.md) signed by an
//! identity this device trusts to hand it out: its own account's, or a member's it has pinned. A
//! member's identity is pinned the first time this device sees it, and a later different one is
//! refused: the server cannot swap a member's keys once a device knows them. (Until the membership
//! log exists, the first sight is trusted as the server shows it; a newcomer's identity is checked
//! by the person who confirms them, through the fingerprint.)

use std::collections::HashMap;

use stint_crypto::{
    DeviceCertificate, IdentityPublic, KeyDelivery, MembershipChange, SigningKey, SymmetricKey,
    VerifyingKey,
};
use stint_domain::{
    Action, Compartment, Member, MemberId, Membership, OrgId, Role, Target, authorize,
    readable_compartments, role_number,
};

use crate::records::Record;
use crate::sync::{Account, DirectoryMember, Transport, sync_error};
use crate::{ActAs, Engine, EngineError, Result, VaultError};

/// A device's signing key and the account it writes for, from a certificate that account's
/// identity signed: what an arriving envelope's header is checked against.
pub(crate) type Signers = HashMap<[u8; 16], ([u8; 16], VerifyingKey)>;

/// Device certificates and published identities that passed their checks this session, by their
/// bytes. Every round meets the same ones (each member's devices, the account's own), and
/// checking costs a signature verification or a curve multiplication apiece; that and the
/// membership log replayed whole (`membership::CheckedLog`) were most of what a round that finds
/// nothing new cost. Only what passed is kept; the same bytes pass the same checks every time.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// By the certificate and the identity key it was checked against.
    certificates: HashMap<(Vec<u8>, [u8; 32]), DeviceCertificate>,
    identities: HashMap<Vec<u8>, IdentityPublic>,
}

impl Engine {
    fn checked(&self) -> std::sync::MutexGuard<'_, Checked> {
        // Nothing is left half-written under this lock: a panic elsewhere spoils nothing here.
        self.checked.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`DeviceCertificate::verify`], each certificate checked once a session.
    pub(crate) fn certificate(
        &self,
        bytes: &[u8],
        identity: &VerifyingKey,
    ) -> Option<DeviceCertificate> {
        let key = (bytes.to_vec(), identity.to_bytes());
        if let Some(c) = self.checked().certificates.get(&key) {
            return Some(*c);
        }
        let c = DeviceCertificate::verify(bytes, identity).ok()?;
        self.checked().certificates.insert(key, c);
        Some(c)
    }

    /// [`IdentityPublic::from_bytes`], each identity checked once a session.
    pub(crate) fn identity(&self, bytes: &[u8]) -> Option<IdentityPublic> {
        if let Some(i) = self.checked().identities.get(bytes) {
            return Some(*i);
        }
        let i = IdentityPublic::from_bytes(bytes).ok()?;
        self.checked().identities.insert(bytes.to_vec(), i);
        Some(i)
    }
}

/// Who this device knows in an organization: their devices' keys, and their identities (whose
/// signatures on key deliveries it accepts).
pub(crate) struct Known {
    pub(crate) signers: Signers,
    pub(crate) identities: HashMap<MemberId, IdentityPublic>,
    /// The organization's membership log as checked this round, if it has one.
    pub(crate) log: Option<Membership>,
}

/// Whose key deliveries a device accepts: `current` for any epoch (its own account, and in an
/// organization with a log its Owners and Admins), `former` (anyone else the log ever added, as
/// a Member now or removed since) only for epochs a newer one has replaced, so that keys they
/// handed out while they could still open, and no key they make now is taken.
pub(crate) struct Sealers<'a> {
    pub(crate) current: &'a HashMap<MemberId, IdentityPublic>,
    pub(crate) former: Option<&'a Membership>,
}

fn pin_setting(user: MemberId) -> String {
    format!("sync.identity-of.{user}")
}

/// An accepted invitation, as the invitee's device sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Joined {
    pub org: OrgId,
    pub role: Role,
    /// Waiting to be confirmed (false for someone who was a member already).
    pub pending: bool,
    /// This account's identity fingerprint, to read out to whoever confirms them.
    pub fingerprint: String,
}

/// Someone waiting to be confirmed, with the fingerprint to compare.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Newcomer {
    pub user: MemberId,
    pub email: String,
    pub role: Role,
    /// Their identity's fingerprint as the server's copy of it gives; `None` until they set up
    /// sync on a device.
    pub fingerprint: Option<String>,
}

impl Engine {
    /// This account's identity fingerprint (thirty digits), which others compare.
    pub async fn account_fingerprint(&self) -> Result<String> {
        let account = self.account().await?;
        Ok(account
            .identity
            .public(account.user.to_bytes())
            .fingerprint())
    }

    /// Accepts an invitation with its emailed token. The device's own organizations are first
    /// rewritten under the account's id (as publishing does), so that this device acts as the
    /// account in the organization it joins. Until an Owner or Admin confirms the account, the
    /// organization sends nothing.
    pub async fn join_org<T: Transport>(&mut self, t: &T, token: &str) -> Result<Joined> {
        let account = self.account().await?;
        if self.adopt_account(&account).await? {
            self.reindex().await?;
        }
        let (org, role, pending) = t.accept_invitation(token).await.map_err(sync_error)?;
        Ok(Joined {
            org,
            role,
            pending,
            fingerprint: account
                .identity
                .public(account.user.to_bytes())
                .fingerprint(),
        })
    }

    /// Who waits to be confirmed in `org`, with their fingerprints. Only for those who may let
    /// people in (Owners and Admins).
    pub async fn newcomers<T: Transport>(&self, t: &T, by: &ActAs) -> Result<Vec<Newcomer>> {
        let (actor, _) = self.actor(by)?;
        authorize(&actor, Action::ListMembers, &Target::Org { org: by.org })?;
        Ok(t.pending_members(by.org)
            .await
            .map_err(sync_error)?
            .into_iter()
            .map(|p| Newcomer {
                fingerprint: p
                    .identity
                    .as_deref()
                    .and_then(|bytes| IdentityPublic::from_bytes(bytes).ok())
                    .filter(|public| public.user == p.user.to_bytes())
                    .map(|public| public.fingerprint()),
                user: p.user,
                email: p.email,
                role: p.role,
            })
            .collect())
    }

    /// Confirms the newcomer `who` (email or account id) once the person confirming has compared
    /// `fingerprint` with them: the server's copy of their identity must give exactly these digits
    /// (a key swapped by the server gives others, and nothing is handed over). Then the newest key
    /// of each compartment their role may read is sealed to that identity and signed by this
    /// account's, the server is told, and their member record is written (pushed by the next
    /// sync), so that every device knows their role.
    pub async fn confirm_member<T: Transport>(
        &mut self,
        t: &T,
        by: &ActAs,
        who: &str,
        fingerprint: &str,
    ) -> Result<Newcomer> {
        let (actor, _) = self.actor(by)?;
        let account = self.account().await?;
        let newcomer = self
            .newcomers(t, by)
            .await?
            .into_iter()
            .find(|n| n.email.eq_ignore_ascii_case(who.trim()) || n.user.to_string() == who.trim())
            .ok_or_else(|| {
                EngineError::not_found_hint(
                    "newcomer",
                    who.to_owned(),
                    "list those waiting with `stint member pending`",
                )
            })?;
        authorize(
            &actor,
            Action::ManageMembersAndViewers,
            &Target::Membership {
                org: by.org,
                from: None,
                to: Some(newcomer.role),
                last_owner: false,
            },
        )?;
        let Some(expected) = &newcomer.fingerprint else {
            return Err(sync_error(format!(
                "{} has not set up sync on a device yet, so there is no key to confirm: ask them to sign in and join from their device",
                newcomer.email
            )));
        };
        if digits(expected) != digits(fingerprint) {
            return Err(sync_error(format!(
                "the fingerprint {} reads out does not match their key as the server gives it ({expected}): nothing was handed over. Check the digits with them again; if they still differ, the server or the connection is not to be trusted",
                newcomer.email
            )));
        }
        let pending = t.pending_members(by.org).await.map_err(sync_error)?;
        let identity = pending
            .iter()
            .find(|p| p.user == newcomer.user)
            .and_then(|p| p.identity.as_deref())
            .and_then(|bytes| IdentityPublic::from_bytes(bytes).ok())
            .filter(|public| public.fingerprint() == *expected)
            .ok_or_else(|| sync_error("their key changed while confirming: compare again"))?;
        let deliveries = self.deliveries_for(
            by.org,
            &identity,
            &readable_compartments(newcomer.role),
            account.user,
            &account.identity.signing,
        )?;
        // Their profile's name: the one this device knows them by, or their email (before the log
        // gives them a placeholder).
        let name = self
            .state(by.org)?
            .members
            .get(&newcomer.user)
            .map_or_else(|| newcomer.email.clone(), |m| m.name.clone());
        let log = self.follow_log(t, &account, by.org).await?;
        self.extend_log(
            t,
            &account,
            by.org,
            &log,
            vec![MembershipChange::Add {
                member: newcomer.user.to_bytes(),
                role: role_number(newcomer.role),
                identity,
            }],
            &deliveries,
        )
        .await?;
        self.commit(
            by,
            vec![Record::Member(Member {
                id: newcomer.user,
                name,
                role: newcomer.role,
                active: true,
            })],
        )
        .await?;
        Ok(newcomer)
    }

    /// Deliveries of the newest key this device holds of each of `compartments` to `recipient`,
    /// signed by `sealer`.
    pub(crate) fn deliveries_for(
        &self,
        org: OrgId,
        recipient: &IdentityPublic,
        compartments: &[Compartment],
        sealer: MemberId,
        sealer_key: &SigningKey,
    ) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for &compartment in compartments {
            let Some(epoch) = self.keys.current_epoch(org.to_bytes(), compartment) else {
                continue;
            };
            let key: &SymmetricKey = self
                .keys
                .org_key_for(org.to_bytes(), compartment, epoch)
                .ok_or(VaultError::NoOrgKey)?;
            out.push(
                KeyDelivery::seal(
                    key,
                    org.to_bytes(),
                    compartment as u8,
                    epoch,
                    recipient,
                    sealer.to_bytes(),
                    sealer_key,
                )
                .to_vec(),
            );
        }
        Ok(out)
    }

    /// Keeps `identity` as `user`'s, refusing one that differs from what this device knew.
    async fn pin(&self, user: MemberId, identity: &[u8]) -> Result<()> {
        match self.vault.setting(&pin_setting(user)).await? {
            Some(known) if known == identity => Ok(()),
            Some(_) => Err(sync_error(format!(
                "the server now gives member {user} another identity key than this device knew: not trusted (ask them whether they reset their account, and compare fingerprints)"
            ))),
            None => {
                self.vault.set_setting(&pin_setting(user), identity).await?;
                Ok(())
            }
        }
    }

    /// The members of `org` as the server lists them, each identity checked against the one this
    /// device pinned (pinned now if new), and their devices' keys from certificates those
    /// identities signed; with this account's own devices (`own`, fetched once a round).
    pub(crate) async fn known_members<T: Transport>(
        &self,
        t: &T,
        account: &Account,
        org: OrgId,
        own: &Signers,
        log: Option<&Membership>,
    ) -> Result<Known> {
        let directory = t.directory(org).await.map_err(sync_error)?;
        self.known_from(directory, account, own, log).await
    }

    /// [`Engine::known_members`] from a directory already fetched (a round fetches it beside the
    /// membership log).
    pub(crate) async fn known_from(
        &self,
        directory: Vec<DirectoryMember>,
        account: &Account,
        own: &Signers,
        log: Option<&Membership>,
    ) -> Result<Known> {
        let mut signers: Signers = own.clone();
        let mut identities = HashMap::new();
        identities.insert(
            account.user,
            account.identity.public(account.user.to_bytes()),
        );
        for member in directory {
            if member.user == account.user {
                continue;
            }
            let Some(public) = self.identity(&member.identity) else {
                continue;
            };
            if public.user != member.user.to_bytes() {
                continue;
            }
            match log {
                // The log says who is a member, by which identity: the directory only adds
                // their devices.
                Some(log) => {
                    if log.members.get(&member.user).map(|(_, i)| i) != Some(&public) {
                        continue;
                    }
                }
                None => self.pin(member.user, &member.identity).await?,
            }
            for bytes in &member.certificates {
                if let Some(c) = self.certificate(bytes, &public.signing)
                    && c.user == member.user.to_bytes()
                {
                    signers.insert(c.device, (c.user, c.signing));
                }
            }
            identities.insert(member.user, public);
        }
        // With a log, only those who hand keys out now are trusted for any epoch; the others
        // the log knows are `Sealers::former`.
        if let Some(log) = log {
            identities.retain(|user, _| {
                *user == account.user || matches!(log.role(*user), Some(Role::Owner | Role::Admin))
            });
        }
        Ok(Known {
            signers,
            identities,
            log: log.cloned(),
        })
    }

    /// Imports the keys delivered to this account that this device lacks, each checked: signed
    /// by an identity of `identities` (this account's, or a member's this device pinned), naming
    /// this organization and this account, and opening with this account's identity. Then makes
    /// sure the server holds, for this account's other devices, a delivery of every key this
    /// device holds (sealed by this account to itself): an organization published before
    /// deliveries were signed gets them here.
    pub(crate) async fn open_keys<T: Transport>(
        &mut self,
        t: &T,
        account: &Account,
        org: OrgId,
        sealers: Sealers<'_>,
    ) -> Result<()> {
        let mut delivered = Vec::new();
        for bytes in t.keys(org).await.map_err(sync_error)? {
            let refused = |why: &str| {
                sync_error(format!(
                    "a key of organization {org} delivered to this account was refused: {why}"
                ))
            };
            let peeked = KeyDelivery::peek(&bytes).map_err(|e| refused(&e.to_string()))?;
            let who = MemberId::from_bytes(peeked.sealer);
            let sealer = match (sealers.current.get(&who), sealers.former) {
                (Some(identity), _) => identity,
                (None, Some(log)) => log
                    .identities
                    .get(&who)
                    .filter(|_| {
                        log.epochs
                            .get(&peeked.compartment)
                            .is_some_and(|newest| peeked.epoch < *newest)
                    })
                    .ok_or_else(|| {
                        refused("it is signed by someone who may not hand out this key now")
                    })?,
                (None, None) => {
                    return Err(refused("it is signed by someone who is not a member"));
                }
            };
            let delivery = KeyDelivery::verify(&bytes, &sealer.signing)
                .map_err(|_| refused("its signature does not check"))?;
            if delivery.org != org.to_bytes() || delivery.recipient != account.user.to_bytes() {
                return Err(refused("it names another organization or member"));
            }
            let Some(compartment) = Compartment::from_u8(delivery.compartment) else {
                continue;
            };
            delivered.push((compartment, delivery.epoch));
            if self
                .keys
                .org_key_for(org.to_bytes(), compartment, delivery.epoch)
                .is_some()
            {
                continue;
            }
            let key = delivery
                .open(&account.identity.sealing)
                .map_err(|_| refused("it does not open with this account's identity"))?;
            self.vault
                .import_org_key(
                    &mut self.keys,
                    org.to_bytes(),
                    compartment,
                    delivery.epoch,
                    key,
                )
                .await?;
        }
        let own = account.identity.public(account.user.to_bytes());
        let missing: Vec<Compartment> = Compartment::ALL
            .into_iter()
            .filter(|c| {
                self.keys
                    .current_epoch(org.to_bytes(), *c)
                    .is_some_and(|epoch| !delivered.contains(&(*c, epoch)))
            })
            .collect();
        if !missing.is_empty() {
            let deliveries =
                self.deliveries_for(org, &own, &missing, account.user, &account.identity.signing)?;
            t.put_keys(org, &deliveries).await.map_err(sync_error)?;
        }
        Ok(())
    }
}

/// The digits of a fingerprint as a person may type them (spaces, dashes and all).
fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}
