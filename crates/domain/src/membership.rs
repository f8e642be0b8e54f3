//! Reading an organization's membership log (docs/formats.md, "Membership log entry"): every
//! entry checked in order against the role each signer had at that point of the log, so that the
//! membership a device acts on is what Owners and Admins signed, whatever the server stores.
//!
//! Shared by the devices, which act on nothing else, and the server, which keeps its own table of
//! members in step with what the log says (and refuses an entry the log would refuse).

use std::collections::{BTreeSet, HashMap};

use crate::{Action, Actor, MemberId, OrgId, Role, Target, authorize, readable_compartments};
use stint_crypto::{IdentityPublic, MembershipChange, MembershipEntry};

/// The membership a log gives, once every entry checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// Each member's role and identity.
    pub members: HashMap<MemberId, (Role, IdentityPublic)>,
    /// Every identity the log ever added, members still or not: the signatures they made while
    /// members (key deliveries, entries) still check.
    pub identities: HashMap<MemberId, IdentityPublic>,
    /// Each compartment's newest epoch (1 until an entry moves it on).
    pub epochs: HashMap<u8, u32>,
    /// Compartments someone stopped reading (they left, were removed or demoted) whose key has
    /// not moved on since: nothing more is written to them until an Owner or Admin gives them a
    /// new epoch. Someone removed or demoted by another gets it in the same request; someone who
    /// leaves cannot make a key the others would then use, so it waits for the next Owner's or
    /// Admin's device.
    pub owed: BTreeSet<u8>,
    /// How many entries, and the last one's hash: what the next entry chains to.
    pub head: (u32, [u8; 32]),
}

/// The role a log entry names by number.
pub fn role_of(number: u8) -> Option<Role> {
    Some(match number {
        1 => Role::Owner,
        2 => Role::Admin,
        3 => Role::Member,
        4 => Role::Viewer,
        _ => return None,
    })
}

/// The number a log entry names `role` by.
pub fn role_number(role: Role) -> u8 {
    match role {
        Role::Owner => 1,
        Role::Admin => 2,
        Role::Member => 3,
        Role::Viewer => 4,
    }
}

/// Checks `entries` of `org`'s log from the first and gives the membership they make, or why the
/// log is refused (the position and the reason). The first entry must add its own signer as Owner,
/// signed by the identity it adds: the log's anchor, which a device compares with what it knows
/// (its own identity, or one whose fingerprint was read out). Every later entry must chain to the
/// one before, be signed by a member's identity as the log knows it, and be a change that
/// member's role allowed at that point (ROLES.md, through `authorize`).
pub fn replay_membership(org: OrgId, entries: &[Vec<u8>]) -> Result<Membership, String> {
    let mut log = Membership::empty();
    for bytes in entries {
        log.append(org, bytes)?;
    }
    Ok(log)
}

impl Membership {
    /// The membership before any entry: nobody, every compartment at epoch 1.
    pub fn empty() -> Membership {
        Membership {
            members: HashMap::new(),
            identities: HashMap::new(),
            epochs: HashMap::from([(1, 1), (2, 1)]),
            owed: BTreeSet::new(),
            head: (0, [0; 32]),
        }
    }

    /// The role the log gives `member`, if they are one.
    pub fn role(&self, member: MemberId) -> Option<Role> {
        self.members.get(&member).map(|(role, _)| *role)
    }

    /// Checks the entry that follows the log so far (as [`replay_membership`] does each) and
    /// applies it, giving the change it made; on a refusal the membership is unchanged.
    pub fn append(&mut self, org: OrgId, bytes: &[u8]) -> Result<MembershipChange, String> {
        let at = self.head.0;
        let refused = |why: &str| format!("membership log entry {}: {why}", at + 1);
        let peeked = MembershipEntry::peek(bytes).map_err(|e| refused(&e.to_string()))?;
        let signer = MemberId::from_bytes(peeked.signer);
        let signing = if at == 0 {
            match &peeked.change {
                MembershipChange::Add {
                    member,
                    role: 1,
                    identity,
                } if *member == peeked.signer && identity.user == peeked.signer => identity.signing,
                _ => return Err(refused("the first entry must add its signer as the Owner")),
            }
        } else {
            self.members
                .get(&signer)
                .map(|(_, identity)| identity.signing)
                .ok_or_else(|| refused("signed by someone who is not a member"))?
        };
        let entry =
            MembershipEntry::verify(bytes, &signing).map_err(|e| refused(&e.to_string()))?;
        if entry.org != org.to_bytes() {
            return Err(refused("it is another organization's"));
        }
        if entry.seq != self.head.0 + 1 || entry.prev != self.head.1 {
            return Err(refused(
                "it does not follow the entry before (missing, moved or replayed entries)",
            ));
        }
        if at > 0 {
            allowed(org, self, signer, &entry.change).map_err(|why| refused(&why))?;
        }
        let mut next = self.clone();
        apply(&mut next, entry.change.clone()).map_err(|why| refused(&why))?;
        next.head = (entry.seq, MembershipEntry::hash(bytes));
        *self = next;
        Ok(entry.change)
    }
}

/// Whether `signer`, with the role the log gives them now, may make `change`.
fn allowed(
    org: OrgId,
    log: &Membership,
    signer: MemberId,
    change: &MembershipChange,
) -> Result<(), String> {
    let role = log.members[&signer].0;
    let actor = Actor {
        member: signer,
        org,
        role,
        active: true,
    };
    let owners = log
        .members
        .values()
        .filter(|(r, _)| *r == Role::Owner)
        .count();
    let (member, to) = match change {
        MembershipChange::Add { member, role, .. } | MembershipChange::Role { member, role } => {
            (*member, Some(role_of(*role).ok_or("an unknown role")?))
        }
        MembershipChange::Remove { member } => (*member, None),
        MembershipChange::Epoch { .. } => {
            // Only those who let people in and out move keys on.
            return match role {
                Role::Owner | Role::Admin => Ok(()),
                _ => Err(format!("{} may not rotate keys", role.with_article())),
            };
        }
    };
    let from = log.members.get(&MemberId::from_bytes(member)).map(|m| m.0);
    // Leaving is anyone's right, bar the last Owner.
    if matches!(change, MembershipChange::Remove { .. }) && member == signer.to_bytes() {
        return if from == Some(Role::Owner) && owners == 1 {
            Err("the last Owner cannot leave".into())
        } else {
            Ok(())
        };
    }
    authorize(
        &actor,
        Action::ManageMembersAndViewers,
        &Target::Membership {
            org,
            from,
            to,
            last_owner: from == Some(Role::Owner) && owners == 1,
        },
    )
    .map_err(|denied| denied.to_string())
}

fn apply(log: &mut Membership, change: MembershipChange) -> Result<(), String> {
    match change {
        MembershipChange::Add {
            member,
            role,
            identity,
        } => {
            let id = MemberId::from_bytes(member);
            if identity.user != member {
                return Err("the identity added is another account's".into());
            }
            if log.members.contains_key(&id) {
                return Err("adds someone who is a member already".into());
            }
            let role = role_of(role).ok_or("an unknown role")?;
            log.members.insert(id, (role, identity));
            log.identities.insert(id, identity);
        }
        MembershipChange::Role { member, role } => {
            let role = role_of(role).ok_or("an unknown role")?;
            let entry = log
                .members
                .get_mut(&MemberId::from_bytes(member))
                .ok_or("changes the role of someone who is not a member")?;
            let reads = readable_compartments(role);
            for c in readable_compartments(entry.0) {
                if !reads.contains(&c) {
                    log.owed.insert(c as u8);
                }
            }
            entry.0 = role;
        }
        MembershipChange::Remove { member } => {
            let (role, _) = log
                .members
                .remove(&MemberId::from_bytes(member))
                .ok_or("removes someone who is not a member")?;
            log.owed
                .extend(readable_compartments(role).into_iter().map(|c| c as u8));
        }
        MembershipChange::Epoch { compartment, epoch } => {
            let current = log
                .epochs
                .get_mut(&compartment)
                .ok_or("an unknown compartment")?;
            if epoch != *current + 1 {
                return Err("an epoch that does not follow the compartment's last".into());
            }
            *current = epoch;
            log.owed.remove(&compartment);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use stint_crypto::{IdentityKeys, SealSecretKey, SigningKey};

    use super::*;

    struct Person {
        id: [u8; 16],
        keys: IdentityKeys,
    }

    fn person(n: u8) -> Person {
        Person {
            id: [n; 16],
            keys: IdentityKeys {
                signing: SigningKey::from_bytes([n; 32]),
                sealing: SealSecretKey::from_bytes([n + 100; 32]),
            },
        }
    }

    const ORG: [u8; 16] = [42; 16];

    /// A log being written: each entry chained to the last.
    struct Writer(Vec<Vec<u8>>);

    impl Writer {
        fn push(&mut self, by: &Person, change: MembershipChange) -> &mut Self {
            let prev = self
                .0
                .last()
                .map_or([0; 32], |bytes| MembershipEntry::hash(bytes));
            let entry = MembershipEntry {
                org: ORG,
                seq: self.0.len() as u32 + 1,
                prev,
                signer: by.id,
                at_ms: 0,
                change,
            };
            self.0.push(entry.sign(&by.keys.signing).to_vec());
            self
        }
    }

    fn add(who: &Person, role: Role) -> MembershipChange {
        MembershipChange::Add {
            member: who.id,
            role: role_number(role),
            identity: who.keys.public(who.id),
        }
    }

    fn org() -> OrgId {
        OrgId::from_bytes(ORG)
    }

    /// Ada (Owner) lets Adam in as an Admin; Adam lets Mia in as a Member and Vic as a Viewer;
    /// Ada makes Mia an Admin; Vic leaves; Adam moves the finance key on.
    fn agency() -> (Writer, [Person; 4]) {
        let [ada, adam, mia, vic] = [person(1), person(2), person(3), person(4)];
        let mut log = Writer(Vec::new());
        log.push(&ada, add(&ada, Role::Owner))
            .push(&ada, add(&adam, Role::Admin))
            .push(&adam, add(&mia, Role::Member))
            .push(&adam, add(&vic, Role::Viewer))
            .push(
                &ada,
                MembershipChange::Role {
                    member: mia.id,
                    role: role_number(Role::Admin),
                },
            )
            .push(&vic, MembershipChange::Remove { member: vic.id })
            .push(
                &adam,
                MembershipChange::Epoch {
                    compartment: 2,
                    epoch: 2,
                },
            );
        (log, [ada, adam, mia, vic])
    }

    #[test]
    fn a_signed_chain_gives_the_membership_its_entries_make() {
        let (log, [ada, adam, mia, _]) = agency();
        let membership = replay_membership(org(), &log.0).unwrap();
        let roles: HashMap<MemberId, Role> = membership
            .members
            .iter()
            .map(|(id, (role, _))| (*id, *role))
            .collect();
        assert_eq!(
            roles,
            HashMap::from([
                (MemberId::from_bytes(ada.id), Role::Owner),
                (MemberId::from_bytes(adam.id), Role::Admin),
                (MemberId::from_bytes(mia.id), Role::Admin),
            ])
        );
        assert_eq!(membership.epochs[&2], 2);
        assert_eq!(membership.head.0, 7);
    }

    /// A compartment someone stops reading is owed a new key until an entry moves it on: Mia's
    /// promotion owes nothing, Vic (a Viewer, reading both) leaving owes both, Adam's new finance
    /// epoch settles finance; an Admin made a Member (by Ada) owes finance again.
    #[test]
    fn who_stops_reading_leaves_a_new_key_owed() {
        let (mut log, [ada, adam, mia, _]) = agency();
        let owed_after =
            |n: usize, log: &Writer| replay_membership(org(), &log.0[..n]).unwrap().owed;
        assert_eq!(owed_after(5, &log), BTreeSet::new());
        assert_eq!(owed_after(6, &log), BTreeSet::from([1, 2]));
        assert_eq!(owed_after(7, &log), BTreeSet::from([1]));
        log.push(
            &adam,
            MembershipChange::Epoch {
                compartment: 1,
                epoch: 2,
            },
        )
        .push(
            &ada,
            MembershipChange::Role {
                member: mia.id,
                role: role_number(Role::Member),
            },
        );
        assert_eq!(owed_after(8, &log), BTreeSet::new());
        assert_eq!(owed_after(9, &log), BTreeSet::from([2]));
    }

    #[test]
    fn a_server_cannot_drop_move_replay_or_graft_entries() {
        let (log, _) = agency();
        let refused = |entries: Vec<Vec<u8>>| replay_membership(org(), &entries).unwrap_err();
        // Dropped from the middle, moved, replayed, or the log of another organization.
        let mut dropped = log.0.clone();
        dropped.remove(2);
        assert!(refused(dropped).contains("entry 3: it does not follow"));
        let mut moved = log.0.clone();
        moved.swap(3, 4);
        assert!(refused(moved).contains("entry 4: it does not follow"));
        let mut replayed = log.0.clone();
        replayed.push(log.0[1].clone());
        assert!(refused(replayed).contains("entry 8: it does not follow"));
        assert!(replay_membership(OrgId::from_bytes([7; 16]), &log.0).is_err());
        // Dropping from the end only hides changes: a shorter, valid log (the device compares
        // its head with what it saw before).
        assert_eq!(replay_membership(org(), &log.0[..3]).unwrap().head.0, 3);
    }

    #[test]
    fn each_signer_is_judged_by_their_role_at_that_point() {
        let [ada, adam, mia, vic, eve] = [person(1), person(2), person(3), person(4), person(5)];
        let start = || {
            let mut log = Writer(Vec::new());
            log.push(&ada, add(&ada, Role::Owner))
                .push(&ada, add(&adam, Role::Admin))
                .push(&adam, add(&mia, Role::Member));
            log
        };
        let refused = |log: &Writer| replay_membership(org(), &log.0).unwrap_err();
        // A Member lets nobody in.
        let mut log = start();
        log.push(&mia, add(&vic, Role::Viewer));
        assert_eq!(
            refused(&log),
            "membership log entry 4: a member may not manage members and viewers; ask an owner or admin"
        );
        // Someone outside the log signs nothing.
        let mut log = start();
        log.push(&eve, add(&eve, Role::Admin));
        assert!(refused(&log).contains("not a member"));
        // An Admin makes no Owner (ROLES.md: owners are made by owners).
        let mut log = start();
        log.push(
            &adam,
            MembershipChange::Role {
                member: mia.id,
                role: role_number(Role::Owner),
            },
        );
        assert!(refused(&log).contains("entry 4: an admin may not manage admins and owners"));
        // Removed, Adam signs nothing more.
        let mut log = start();
        log.push(&ada, MembershipChange::Remove { member: adam.id })
            .push(&adam, add(&vic, Role::Viewer));
        assert!(refused(&log).contains("not a member"));
        // The last Owner stays.
        let mut log = start();
        log.push(&ada, MembershipChange::Remove { member: ada.id });
        assert!(refused(&log).contains("entry 4: the last Owner cannot leave"));
        // A Member rotates no key; an epoch skips none.
        let mut log = start();
        log.push(
            &mia,
            MembershipChange::Epoch {
                compartment: 1,
                epoch: 2,
            },
        );
        assert!(refused(&log).contains("entry 4: a member may not rotate keys"));
        let mut log = start();
        log.push(
            &ada,
            MembershipChange::Epoch {
                compartment: 1,
                epoch: 3,
            },
        );
        assert!(refused(&log).contains("entry 4: an epoch that does not follow"));
        // The anchor adds its own signer as Owner.
        let mut log = Writer(Vec::new());
        log.push(&ada, add(&ada, Role::Admin));
        assert!(refused(&log).contains("first entry"));
        let mut log = Writer(Vec::new());
        log.push(&ada, add(&adam, Role::Owner));
        assert!(refused(&log).contains("first entry"));
    }
}
