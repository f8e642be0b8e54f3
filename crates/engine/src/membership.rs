//! The membership log on this device (docs/sync.md, "The membership log"): who is a member of a
//! synced organization, with which role and identity, as Owners and Admins signed it. Each round
//! reads the server's copy, checks every entry (`stint_domain::Membership`) and that it extends
//! what this device checked before, and keeps it in the vault; the roles the engine enforces in a
//! synced organization are the log's, whatever the member records say. Changing a role or
//! removing someone signs entries here, with a new key for every compartment someone stopped
//! reading, delivered to everyone who still reads it.

use std::collections::HashMap;

use stint_crypto::{
    Header, IdentityPublic, KeyDelivery, MEMBERSHIP_ENTRY_LEN, MembershipChange, MembershipEntry,
    SymmetricKey,
};
use stint_domain::{
    Action, Compartment, Kind, Member, MemberId, Membership, OrgId, RecordDenied, Role, Target,
    ValidationError, authorize, readable_compartments, record_access, role_number,
};

use crate::records::Record;
use crate::state::OrgState;
use crate::sync::{Account, Transport, sync_error};
use crate::{ActAs, Engine, EngineError, Result, VaultError};

/// The vault setting that keeps `org`'s log as this device last checked it (the entries, one
/// after the other).
fn log_setting(org: OrgId) -> String {
    format!("sync.membership.{org}")
}

/// Who held which role, and which key epoch was current, at each point of an organization's
/// membership log: what a received record is judged by, at the position its header names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Roles {
    /// How many entries the log has (the position new records name).
    pub(crate) head: u32,
    /// Each member's roles, from the position each took effect (`None`: removed).
    changes: HashMap<MemberId, Vec<(u32, Option<Role>)>>,
    /// Each compartment's epochs, from the position each took effect.
    epochs: HashMap<u8, Vec<(u32, u32)>>,
}

/// A membership log as this device checked it: its entries, and what they gave.
#[derive(Debug, Clone)]
pub(crate) struct CheckedLog {
    entries: Vec<Vec<u8>>,
    log: Membership,
    roles: Roles,
}

impl Roles {
    /// The log `entries` of `org`, checked (as [`replay_membership`] does), with its history.
    pub(crate) fn replay(
        org: OrgId,
        entries: &[Vec<u8>],
    ) -> std::result::Result<(Membership, Roles), String> {
        Self::extend(org, Membership::empty(), Roles::default(), entries)
    }

    /// `entries` checked and taken in after a log already checked (`log`, and its history
    /// `roles`), as if the whole log were replayed: each entry is judged by the membership
    /// before it.
    fn extend(
        org: OrgId,
        mut log: Membership,
        mut roles: Roles,
        entries: &[Vec<u8>],
    ) -> std::result::Result<(Membership, Roles), String> {
        for bytes in entries {
            let at = log.head.0 + 1;
            match log.append(org, bytes)? {
                MembershipChange::Add { member, .. }
                | MembershipChange::Role { member, .. }
                | MembershipChange::Remove { member } => {
                    let id = MemberId::from_bytes(member);
                    roles
                        .changes
                        .entry(id)
                        .or_default()
                        .push((at, log.role(id)));
                }
                MembershipChange::Epoch { compartment, epoch } => {
                    roles
                        .epochs
                        .entry(compartment)
                        .or_default()
                        .push((at, epoch));
                }
            }
        }
        roles.head = log.head.0;
        Ok((log, roles))
    }

    /// `member`'s role at position `at` of the log.
    fn role_at(&self, member: MemberId, at: u32) -> Option<Role> {
        self.changes
            .get(&member)?
            .iter()
            .rev()
            .find(|(from, _)| *from <= at)
            .and_then(|(_, role)| *role)
    }

    /// The epoch of `compartment` current at position `at` of the log.
    fn epoch_at(&self, compartment: u8, at: u32) -> u32 {
        self.epochs
            .get(&compartment)
            .and_then(|list| list.iter().rev().find(|(from, _)| *from <= at))
            .map_or(1, |(_, epoch)| *epoch)
    }

    /// Whether the record under `header` (of `kind`) was its author's to write at the point of
    /// the log its header names: a member then, whose role allowed it (the role table, as the
    /// server applies it), sealed under a key that was current then. A header that names no
    /// position (0: written before the log, or by a version that did not name it) is left to the
    /// checks that do not need the log.
    pub(crate) fn check(&self, header: &Header) -> std::result::Result<(), String> {
        let at = header.log;
        if at == 0 {
            return Ok(());
        }
        if at > self.head {
            return Err(format!(
                "it was written at entry {at} of the membership log, which this device has not checked yet"
            ));
        }
        let author = MemberId::from_bytes(header.author_user);
        let role = self.role_at(author, at).ok_or_else(|| {
            format!("its author {author} was not a member at entry {at} of the membership log")
        })?;
        may_write(role, header).map_err(|_| {
            format!(
                "its author was {} at entry {at} of the membership log, who may not write it",
                role.with_article()
            )
        })?;
        if header.epoch < self.epoch_at(header.compartment, at) {
            return Err(format!(
                "it is sealed under a key that was replaced before entry {at} of the membership log"
            ));
        }
        Ok(())
    }
}

/// Whether `role` may write the record under `header` as its author: the role table, as the
/// server applies it. A header that names no owner for a kind that has one (format 1) stands for
/// its author's record.
pub(crate) fn may_write(role: Role, header: &Header) -> std::result::Result<(), RecordDenied> {
    let kind = Kind::from_u16(header.kind).ok_or(RecordDenied::Forbidden)?;
    let owner = if kind.has_owner() && header.owner == [0; 16] {
        header.author_user
    } else {
        header.owner
    };
    record_access(role, header.author_user, kind, owner, true)
}

/// Whether `role` may write every record of every kind, whoever it belongs to.
fn writes_every_record(role: Role) -> bool {
    let (me, someone) = ([0x5a; 16], [0xa5; 16]);
    Kind::ALL.into_iter().all(|kind| {
        [someone, [0; 16]].into_iter().all(|owner| {
            let possible = (owner != [0; 16]) == kind.has_owner() || kind == Kind::Attachment;
            !possible || record_access(role, me, kind, owner, true).is_ok()
        })
    })
}

/// The log of `org` this device keeps, checked again (`None` if it keeps none).
pub(crate) async fn kept_log(
    vault: &stint_vault::Vault,
    org: OrgId,
) -> Result<Option<(Membership, Roles)>> {
    let Some(bytes) = vault.setting(&log_setting(org)).await? else {
        return Ok(None);
    };
    let entries: Vec<Vec<u8>> = bytes
        .chunks(MEMBERSHIP_ENTRY_LEN)
        .map(<[u8]>::to_vec)
        .collect();
    Roles::replay(org, &entries)
        .map(Some)
        .map_err(|e| VaultError::Damaged(format!("the membership log kept here: {e}")).into())
}

/// Gives the organization's members the roles its log gives them: a member the log lists is
/// active with the log's role (a profile not yet arrived is shown by id), anyone else is not a
/// member. The vault's own versions (merges, write log entries) name the log's head from now on.
pub(crate) fn apply_roles(
    vault: &stint_vault::Vault,
    org: OrgId,
    state: &mut OrgState,
    log: &Membership,
    roles: Roles,
) {
    let by_member = log
        .members
        .iter()
        .map(|(id, (role, _))| (id.to_bytes(), *role))
        .collect();
    vault.set_log(org.to_bytes(), roles.head, by_member);
    state.roles = Some(roles);
    for (id, member) in state.members.iter_mut() {
        match log.role(*id) {
            Some(role) => {
                member.role = role;
                member.active = true;
            }
            None => member.active = false,
        }
    }
    for (id, (role, _)) in &log.members {
        state.members.entry(*id).or_insert_with(|| Member {
            id: *id,
            name: format!("member {}", &id.to_string()[..8]),
            role: *role,
            active: true,
        });
    }
}

impl Engine {
    /// Reads `org`'s membership log from the server and checks it: every entry (signatures,
    /// chain, each signer's role at that point), that it extends what this device checked before
    /// (nothing dropped or rewritten), and that it lists this account with its own identity. An
    /// organization published before the log existed gets its first entry here, from its Owner.
    /// The log is kept, and its roles applied.
    pub(crate) async fn follow_log<T: Transport>(
        &mut self,
        t: &T,
        account: &Account,
        org: OrgId,
    ) -> Result<Membership> {
        let mut entries = t.membership(org, 0).await.map_err(sync_error)?;
        let kept = self
            .vault
            .setting(&log_setting(org))
            .await?
            .unwrap_or_default();
        let known: Vec<u8> = entries.concat();
        if !known.starts_with(&kept) {
            return Err(sync_error(format!(
                "the server's membership log of organization {org} is not the one this device checked before (entries dropped or rewritten): not trusted"
            )));
        }
        if entries.is_empty() {
            entries = self.anchor_log(t, account, org).await?;
        }
        // What this session checked before is not checked again: only the entries after it.
        let replayed = match self.checked_logs.get(&org) {
            Some(c) if entries.get(..c.entries.len()) == Some(c.entries.as_slice()) => {
                Roles::extend(
                    org,
                    c.log.clone(),
                    c.roles.clone(),
                    &entries[c.entries.len()..],
                )
            }
            _ => Roles::replay(org, &entries),
        };
        let (log, roles) = replayed.map_err(|e| {
            sync_error(format!(
                "the membership log of organization {org} was refused: {e}"
            ))
        })?;
        self.checked_logs.insert(
            org,
            CheckedLog {
                entries: entries.clone(),
                log: log.clone(),
                roles: roles.clone(),
            },
        );
        let own = account.identity.public(account.user.to_bytes());
        match log.members.get(&account.user) {
            Some((_, identity)) if *identity == own => {}
            _ => {
                return Err(sync_error(format!(
                    "the membership log of organization {org} does not list this account with its identity: not trusted"
                )));
            }
        }
        let bytes = entries.concat();
        if bytes != kept {
            self.vault.set_setting(&log_setting(org), &bytes).await?;
        }
        if let Some(state) = self.orgs.get_mut(&org) {
            apply_roles(&self.vault, org, state, &log, roles);
        }
        Ok(log)
    }

    /// The first entry of a log (this account, its Owner, adds itself), for an organization
    /// published before the log existed; only its Owner writes it.
    async fn anchor_log<T: Transport>(
        &mut self,
        t: &T,
        account: &Account,
        org: OrgId,
    ) -> Result<Vec<Vec<u8>>> {
        let owner = self
            .orgs
            .get(&org)
            .and_then(|s| s.members.get(&account.user))
            .is_some_and(|m| m.role == Role::Owner);
        if !owner {
            return Err(sync_error(format!(
                "organization {org} has no membership log yet: its Owner's device writes the first entry at its next sync"
            )));
        }
        let entry = self.sign_entry(
            account,
            org,
            &Membership::empty(),
            MembershipChange::Add {
                member: account.user.to_bytes(),
                role: role_number(Role::Owner),
                identity: account.identity.public(account.user.to_bytes()),
            },
        );
        t.append_membership(org, 0, std::slice::from_ref(&entry), &[])
            .await
            .map_err(sync_error)?;
        Ok(vec![entry])
    }

    /// `change` as the entry that follows `log`, signed by this account.
    fn sign_entry(
        &self,
        account: &Account,
        org: OrgId,
        log: &Membership,
        change: MembershipChange,
    ) -> Vec<u8> {
        MembershipEntry {
            org: org.to_bytes(),
            seq: log.head.0 + 1,
            prev: log.head.1,
            signer: account.user.to_bytes(),
            at_ms: u64::try_from(self.now().as_millisecond()).unwrap_or(0),
            change,
        }
        .sign(&account.identity.signing)
        .to_vec()
    }

    /// Signs `changes` as the log's next entries and sends them with `deliveries`; on success the
    /// log is read again (kept and applied).
    pub(crate) async fn extend_log<T: Transport>(
        &mut self,
        t: &T,
        account: &Account,
        org: OrgId,
        log: &Membership,
        changes: Vec<MembershipChange>,
        deliveries: &[Vec<u8>],
    ) -> Result<Membership> {
        let mut entries: Vec<Vec<u8>> = Vec::with_capacity(changes.len());
        let mut next = log.clone();
        for change in changes {
            let entry = self.sign_entry(account, org, &next, change);
            next.append(org, &entry).map_err(sync_error)?;
            entries.push(entry);
        }
        t.append_membership(org, log.head.0, &entries, deliveries)
            .await
            .map_err(sync_error)?;
        self.follow_log(t, account, org).await
    }

    /// Changes `member`'s role in the synced organization `by.org`, or removes them (`role`
    /// `None`), through its membership log: checked as the role table says, signed here, with a
    /// new key for each compartment they stop reading, delivered to everyone who still reads it
    /// (their old keys protect nothing written after), and every key of a compartment they start
    /// reading, so that its history opens for them. Their member record follows.
    pub async fn change_membership<T: Transport>(
        &mut self,
        t: &T,
        by: &ActAs,
        member: MemberId,
        role: Option<Role>,
    ) -> Result<()> {
        let (actor, state) = self.actor(by)?;
        let profile = state.members.get(&member).cloned();
        let account = self.account().await?;
        let log = self.follow_log(t, &account, by.org).await?;
        let from = log.role(member).ok_or_else(|| {
            EngineError::not_found_hint(
                "member",
                member.to_string(),
                "list them with `stint member list`",
            )
        })?;
        let owners = log
            .members
            .values()
            .filter(|(r, _)| *r == Role::Owner)
            .count();
        authorize(
            &actor,
            Action::ManageMembersAndViewers,
            &Target::Membership {
                org: by.org,
                from: Some(from),
                to: role,
                last_owner: from == Role::Owner && owners == 1,
            },
        )?;
        let had = readable_compartments(from);
        let will = role.map(readable_compartments).unwrap_or_default();
        let mut changes = vec![match role {
            Some(role) => MembershipChange::Role {
                member: member.to_bytes(),
                role: role_number(role),
            },
            None => MembershipChange::Remove {
                member: member.to_bytes(),
            },
        }];
        let mut after = log.clone();
        after.members.remove(&member);
        if let Some(role) = role
            && let Some((_, identity)) = log.members.get(&member)
        {
            after.members.insert(member, (role, *identity));
        }
        let mut deliveries = Vec::new();
        let mut new_keys = Vec::new();
        for &c in &had {
            if will.contains(&c) {
                continue;
            }
            let epoch = log.epochs.get(&(c as u8)).copied().unwrap_or(1) + 1;
            changes.push(MembershipChange::Epoch {
                compartment: c as u8,
                epoch,
            });
            let key = self.new_key(by.org, c, epoch, &after, &account, &mut deliveries);
            new_keys.push((c, epoch, key));
        }
        if let Some((_, identity)) = after.members.get(&member) {
            for &c in will.iter().filter(|c| !had.contains(c)) {
                let newest = self
                    .keys
                    .current_epoch(by.org.to_bytes(), c)
                    .ok_or(VaultError::NoOrgKey)?;
                for epoch in 1..=newest {
                    let key = self
                        .keys
                        .org_key_for(by.org.to_bytes(), c, epoch)
                        .ok_or(VaultError::NoOrgKey)?;
                    deliveries
                        .push(self.deliver(by.org, c, epoch, key, member, identity, &account));
                }
            }
        }
        self.extend_log(t, &account, by.org, &log, changes, &deliveries)
            .await?;
        for (c, epoch, key) in new_keys {
            self.vault
                .import_org_key(&mut self.keys, by.org.to_bytes(), c, epoch, key)
                .await?;
        }
        if let Some(profile) = profile {
            let updated = Member {
                role: role.unwrap_or(profile.role),
                active: role.is_some(),
                ..profile
            };
            self.commit(by, vec![Record::Member(updated)]).await?;
        }
        if let (Some((log, roles)), Some(state)) = (
            kept_log(&self.vault, by.org).await?,
            self.orgs.get_mut(&by.org),
        ) {
            apply_roles(&self.vault, by.org, state, &log, roles);
        }
        Ok(())
    }

    /// A new key for `compartment` of `org` at `epoch`, with a delivery of it to everyone
    /// `members` lists whose role reads that compartment (this account too) added to
    /// `deliveries`.
    fn new_key(
        &self,
        org: OrgId,
        compartment: Compartment,
        epoch: u32,
        members: &Membership,
        account: &Account,
        deliveries: &mut Vec<Vec<u8>>,
    ) -> SymmetricKey {
        let key = SymmetricKey::generate();
        for (id, (r, identity)) in &members.members {
            if readable_compartments(*r).contains(&compartment) {
                deliveries.push(self.deliver(
                    org,
                    compartment,
                    epoch,
                    &key,
                    *id,
                    identity,
                    account,
                ));
            }
        }
        key
    }

    /// Leaves the synced organization `by.org`: this account's removal, signed into its
    /// membership log by this account (anyone may leave, bar its last Owner). The server stops
    /// serving this account the organization at once; the compartments it read are owed a new
    /// key, which the next Owner's or Admin's device makes (the one leaving must not know it), and
    /// until then the server takes no more writes sealed for them. As for someone removed, this
    /// device no longer syncs the organization, and keeps what it holds of it closed: the log it
    /// keeps says this account is no member. Refused while changes this device wrote wait to be
    /// pushed (they would reach nobody).
    pub async fn leave_organization<T: Transport>(&mut self, t: &T, by: &ActAs) -> Result<()> {
        self.actor(by)?;
        let account = self.account().await?;
        let log = self.follow_log(t, &account, by.org).await?;
        let me = account.user;
        let role = log
            .role(me)
            .ok_or_else(|| ValidationError::new("you are not a member of this organization"))?;
        let owners = log
            .members
            .values()
            .filter(|(r, _)| *r == Role::Owner)
            .count();
        if role == Role::Owner && owners == 1 {
            return Err(ValidationError::new(
                "the last Owner cannot leave: make someone else an Owner first (`stint member role NAME owner`)",
            )
            .into());
        }
        // What this device wrote and the others have not received would never reach them.
        let waiting = self.vault.outbox_len_of(by.org.to_bytes()).await?;
        if waiting > 0 && role != Role::Viewer {
            return Err(EngineError::Conflict(format!(
                "{waiting} change(s) of yours have not reached the others yet: sync first (`stint sync`), then leave"
            )));
        }
        let entry = self.sign_entry(
            &account,
            by.org,
            &log,
            MembershipChange::Remove {
                member: me.to_bytes(),
            },
        );
        // Checked as every device will, before it is sent.
        log.clone().append(by.org, &entry).map_err(sync_error)?;
        t.append_membership(by.org, log.head.0, std::slice::from_ref(&entry), &[])
            .await
            .map_err(sync_error)?;
        // The server no longer shows this account the log: the entry is kept here as sent.
        let mut kept = self
            .vault
            .setting(&log_setting(by.org))
            .await?
            .unwrap_or_default();
        kept.extend_from_slice(&entry);
        self.vault.set_setting(&log_setting(by.org), &kept).await?;
        if let (Some((log, roles)), Some(state)) = (
            kept_log(&self.vault, by.org).await?,
            self.orgs.get_mut(&by.org),
        ) {
            apply_roles(&self.vault, by.org, state, &log, roles);
        }
        Ok(())
    }

    /// At the start of a round, on an Owner's or Admin's device: every compartment `log` owes a
    /// new key (someone who read it left) gets one, delivered to everyone who reads it, in one
    /// request. Gives the log as it now stands; on any other device, or when nothing is owed,
    /// `log` as it was.
    pub(crate) async fn settle_owed_keys<T: Transport>(
        &mut self,
        t: &T,
        account: &Account,
        org: OrgId,
        log: Membership,
    ) -> Result<Membership> {
        if log.owed.is_empty() || !matches!(log.role(account.user), Some(Role::Owner | Role::Admin))
        {
            return Ok(log);
        }
        let mut changes = Vec::new();
        let mut deliveries = Vec::new();
        let mut new_keys = Vec::new();
        for c in Compartment::ALL {
            if !log.owed.contains(&(c as u8)) {
                continue;
            }
            let epoch = log.epochs.get(&(c as u8)).copied().unwrap_or(1) + 1;
            changes.push(MembershipChange::Epoch {
                compartment: c as u8,
                epoch,
            });
            let key = self.new_key(org, c, epoch, &log, account, &mut deliveries);
            new_keys.push((c, epoch, key));
        }
        let settled = self
            .extend_log(t, account, org, &log, changes, &deliveries)
            .await?;
        for (c, epoch, key) in new_keys {
            self.vault
                .import_org_key(&mut self.keys, org.to_bytes(), c, epoch, key)
                .await?;
        }
        Ok(settled)
    }

    /// A delivery of `key` (`compartment`, `epoch` of `org`) to `recipient`, signed by this
    /// account.
    #[allow(clippy::too_many_arguments)]
    fn deliver(
        &self,
        org: OrgId,
        compartment: Compartment,
        epoch: u32,
        key: &SymmetricKey,
        recipient: MemberId,
        identity: &IdentityPublic,
        account: &Account,
    ) -> Vec<u8> {
        debug_assert_eq!(identity.user, recipient.to_bytes());
        KeyDelivery::seal(
            key,
            org.to_bytes(),
            compartment as u8,
            epoch,
            identity,
            account.user.to_bytes(),
            &account.identity.signing,
        )
        .to_vec()
    }

    /// Before a round's keys: a compartment this account's role no longer reads (the log says)
    /// is forgotten on this device: its keys, records and outbox. `true` if one was.
    pub(crate) async fn forget_unreadable(
        &mut self,
        org: OrgId,
        log: &Membership,
        me: MemberId,
    ) -> Result<bool> {
        let reads = log.role(me).map(readable_compartments).unwrap_or_default();
        let mut forgot = false;
        for c in Compartment::ALL {
            if !reads.contains(&c) && self.keys.current_epoch(org.to_bytes(), c).is_some() {
                self.vault
                    .forget_compartment(&mut self.keys, org.to_bytes(), c)
                    .await?;
                forgot = true;
            }
        }
        Ok(forgot)
    }

    /// Before a round's pushes: what waits in the outbox of `org` and this account's role (the
    /// log says) no longer allows is set aside (`Vault::set_aside`): the server would refuse it,
    /// and every batch holding it, for good. Write log entries stay: they list what the server
    /// already took. When something was set aside, the organization is read again from the
    /// start, which brings back the versions the server holds. How many records it touched.
    pub(crate) async fn set_aside_forbidden(&mut self, org: OrgId, role: Role) -> Result<usize> {
        // A role that writes every record (an Owner's, an Admin's) has nothing to set aside: its
        // outbox is not read (after publishing, it holds the whole organization).
        if writes_every_record(role) {
            return Ok(0);
        }
        let set_aside = self
            .vault
            .set_aside(org.to_bytes(), |envelope| {
                let header = envelope.header();
                !Kind::from_u16(header.kind).is_some_and(Kind::is_write_log)
                    && may_write(role, header).is_err()
            })
            .await?;
        if set_aside > 0 {
            self.restart_pull(org).await?;
            self.reindex().await?;
        }
        Ok(set_aside)
    }

    /// After a round's keys: a compartment this device had no key of before them (`had` lists
    /// those it had) is read again from the start, so that its history arrives; what waits in
    /// the outbox under a replaced key is sealed again.
    pub(crate) async fn follow_keys(&mut self, org: OrgId, had: &[Compartment]) -> Result<()> {
        for c in Compartment::ALL {
            if !had.contains(&c) && self.keys.current_epoch(org.to_bytes(), c).is_some() {
                self.restart_pull(org).await?;
            }
        }
        self.vault.reseal_outbox(&self.keys, org.to_bytes()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Owners and Admins write every record (ROLES.md: what sets them apart is whom they let in,
    /// which the membership log decides): a Member's and a Viewer's outbox is checked before a
    /// push.
    #[test]
    fn owners_and_admins_write_every_record() {
        let all: Vec<Role> = [Role::Owner, Role::Admin, Role::Member, Role::Viewer]
            .into_iter()
            .filter(|r| writes_every_record(*r))
            .collect();
        assert_eq!(all, [Role::Owner, Role::Admin]);
    }

    /// A log checked up to some entry and then taken further (what a round does with the log it
    /// checked the round before) gives what replaying it whole gives, at every point it could
    /// have stopped; an entry the membership before it does not allow is refused either way.
    #[test]
    fn a_log_taken_further_is_the_log_replayed() {
        use stint_crypto::{IdentityKeys, MembershipEntry, SealSecretKey, SigningKey};
        let org = OrgId::from_bytes([42; 16]);
        let person = |n: u8| {
            let keys = IdentityKeys {
                signing: SigningKey::from_bytes([n; 32]),
                sealing: SealSecretKey::from_bytes([n + 100; 32]),
            };
            ([n; 16], keys)
        };
        let [ada, adam, mia, vic] = [person(1), person(2), person(3), person(4)];
        let add = |who: &([u8; 16], IdentityKeys), role| MembershipChange::Add {
            member: who.0,
            role: role_number(role),
            identity: who.1.public(who.0),
        };
        let mut entries: Vec<Vec<u8>> = Vec::new();
        let sign = |entries: &mut Vec<Vec<u8>>, by: &([u8; 16], IdentityKeys), change| {
            let entry = MembershipEntry {
                org: org.to_bytes(),
                seq: entries.len() as u32 + 1,
                prev: entries.last().map_or([0; 32], |b| MembershipEntry::hash(b)),
                signer: by.0,
                at_ms: 0,
                change,
            };
            entries.push(entry.sign(&by.1.signing).to_vec());
        };
        sign(&mut entries, &ada, add(&ada, Role::Owner));
        sign(&mut entries, &ada, add(&adam, Role::Admin));
        sign(&mut entries, &adam, add(&mia, Role::Member));
        sign(&mut entries, &adam, add(&vic, Role::Viewer));
        sign(
            &mut entries,
            &ada,
            MembershipChange::Role {
                member: mia.0,
                role: role_number(Role::Admin),
            },
        );
        sign(
            &mut entries,
            &ada,
            MembershipChange::Remove { member: vic.0 },
        );
        sign(
            &mut entries,
            &mia,
            MembershipChange::Epoch {
                compartment: Compartment::Finance as u8,
                epoch: 2,
            },
        );
        let whole = Roles::replay(org, &entries).unwrap();
        assert_eq!(whole.1.head, 7);
        for k in 0..=entries.len() {
            let (log, roles) = Roles::replay(org, &entries[..k]).unwrap();
            assert_eq!(
                Roles::extend(org, log, roles, &entries[k..]).unwrap(),
                whole,
                "checked up to entry {k}"
            );
        }
        // Vic, removed, signs nothing that counts: refused whether the log before it was
        // checked now or a round ago.
        sign(&mut entries, &vic, add(&person(5), Role::Admin));
        let refused = Roles::replay(org, &entries).unwrap_err();
        let (log, roles) = whole;
        assert_eq!(
            Roles::extend(org, log, roles, &entries[7..]).unwrap_err(),
            refused
        );
    }
}
