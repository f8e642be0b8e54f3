//! What a record is, as its envelope header says in plaintext: its kind and the compartment whose key
//! encrypts it (ROLES.md). The numbers are part of the byte format (docs/formats.md) and live here,
//! beside the role table, so the engine, the vault and the sync server share them: the server maps a
//! header's kind to its compartment, and later to a permission, without reading content.

use crate::role::{Action, Role, Scope, grant};

/// Compartments of ROLES.md, as stored in envelope headers. Never renumber.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum Compartment {
    /// Clients, projects, tasks, tags, time entries, expenses, member profiles.
    Team = 1,
    /// Rates, budgets, invoices, billing profile.
    Finance = 2,
}

impl Compartment {
    /// Both compartments.
    pub const ALL: [Compartment; 2] = [Compartment::Team, Compartment::Finance];

    /// From the header byte.
    pub fn from_u8(value: u8) -> Option<Self> {
        match value {
            1 => Some(Compartment::Team),
            2 => Some(Compartment::Finance),
            _ => None,
        }
    }

    /// `team` or `finance`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Compartment::Team => "team",
            Compartment::Finance => "finance",
        }
    }
}

/// Record kinds as stored in envelope headers. Never renumber: they are part of the byte format.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u16)]
pub enum Kind {
    /// [`Organization`](crate::Organization)
    Organization = 1,
    /// [`Member`](crate::Member)
    Member = 2,
    /// [`Client`](crate::Client)
    Client = 3,
    /// [`Project`](crate::Project)
    Project = 4,
    /// [`Task`](crate::Task)
    Task = 5,
    /// [`Tag`](crate::Tag)
    Tag = 6,
    /// [`Rate`](crate::Rate)
    Rate = 7,
    /// [`Budget`](crate::Budget)
    Budget = 8,
    /// [`TimeEntry`](crate::TimeEntry) (also running timers)
    TimeEntry = 9,
    /// [`Expense`](crate::Expense)
    Expense = 10,
    /// Raw bytes of an attached file (a receipt); not loaded at unlock.
    Attachment = 11,
    /// [`Invoice`](crate::Invoice) (also credit notes)
    Invoice = 12,
    /// [`BillingProfile`](crate::BillingProfile)
    BillingProfile = 13,
    /// [`ClientBilling`](crate::ClientBilling)
    ClientBilling = 14,
    /// [`RecurringInvoice`](crate::RecurringInvoice)
    Recurring = 15,
    /// A device's write log entry for team records ([`crate::write_log`]).
    TeamLog = 16,
    /// A device's write log entry for finance records ([`crate::write_log`]).
    FinanceLog = 17,
    /// [`BillingMark`](crate::BillingMark): which invoice bills a time entry or an expense.
    BillingMark = 18,
}

impl Kind {
    /// From the header field.
    pub fn from_u16(value: u16) -> Option<Kind> {
        use Kind::*;
        Some(match value {
            1 => Organization,
            2 => Member,
            3 => Client,
            4 => Project,
            5 => Task,
            6 => Tag,
            7 => Rate,
            8 => Budget,
            9 => TimeEntry,
            10 => Expense,
            11 => Attachment,
            12 => Invoice,
            13 => BillingProfile,
            14 => ClientBilling,
            15 => Recurring,
            16 => TeamLog,
            17 => FinanceLog,
            18 => BillingMark,
            _ => return None,
        })
    }

    /// The compartment whose key encrypts this kind (ROLES.md).
    pub fn compartment(self) -> Compartment {
        match self {
            Kind::Rate
            | Kind::Budget
            | Kind::Invoice
            | Kind::BillingProfile
            | Kind::ClientBilling
            | Kind::Recurring
            | Kind::FinanceLog => Compartment::Finance,
            _ => Compartment::Team,
        }
    }

    /// Every kind, in number order.
    pub const ALL: [Kind; 18] = [
        Kind::Organization,
        Kind::Member,
        Kind::Client,
        Kind::Project,
        Kind::Task,
        Kind::Tag,
        Kind::Rate,
        Kind::Budget,
        Kind::TimeEntry,
        Kind::Expense,
        Kind::Attachment,
        Kind::Invoice,
        Kind::BillingProfile,
        Kind::ClientBilling,
        Kind::Recurring,
        Kind::TeamLog,
        Kind::FinanceLog,
        Kind::BillingMark,
    ];

    /// Whether records of this kind belong to one member (ROLES.md's "own"): a time entry or an
    /// expense to its member (and so does its billing mark), a write log entry to the user whose
    /// device wrote it. Their headers
    /// name that member as `owner` (format 2), and it never changes; a Member writes and receives
    /// only their own. Attachments name an owner when they belong to such a record (a receipt) and
    /// none when they are the organization's (a logo).
    pub fn has_owner(self) -> bool {
        matches!(
            self,
            Kind::TimeEntry | Kind::Expense | Kind::TeamLog | Kind::FinanceLog | Kind::BillingMark
        )
    }

    /// Whether a header's kind and compartment bytes agree: the kind is known and its compartment is
    /// the one it belongs in. A server can check this on every pushed envelope without reading it.
    pub fn matches_header(kind: u16, compartment: u8) -> bool {
        Kind::from_u16(kind).is_some_and(|k| k.compartment() as u8 == compartment)
    }
}

/// The rows of the role table (ROLES.md, [`crate::role::MATRIX`]) that reading and writing a record
/// need, from what its header says (kind and owner): how the sync server applies the one table to
/// envelopes it cannot read. An attachment with an owner is a receipt (an expense's); without one,
/// the organization's logo.
pub fn record_actions(kind: Kind, owned: bool) -> (Action, Action) {
    use Action::*;
    match kind {
        Kind::Organization => (ReadOrgProfile, EditOrgProfile),
        Kind::Member => (ListMembers, ManageMembersAndViewers),
        Kind::Client | Kind::Project | Kind::Task | Kind::Tag => (ReadCatalog, EditCatalog),
        Kind::Rate | Kind::Budget => (ReadRates, EditRates),
        Kind::TimeEntry | Kind::TeamLog => (ReadTimeEntry, EditTimeEntry),
        Kind::Expense => (ReadExpense, EditExpense),
        Kind::Attachment if owned => (ReadExpense, EditExpense),
        Kind::Attachment => (ReadOrgProfile, EditOrgProfile),
        Kind::Invoice | Kind::Recurring | Kind::FinanceLog => (ReadInvoices, EditInvoices),
        Kind::BillingProfile | Kind::ClientBilling => (ReadBillingProfile, EditBillingProfile),
        // Read as the work it marks is (a Member sees their own work locked), written by whoever
        // may make invoices (an expense is read as an entry is: the same grants).
        Kind::BillingMark => (ReadTimeEntry, EditInvoices),
    }
}

/// Why a record's header is refused for its author or reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordDenied {
    /// The role may not do this with records of this kind at all.
    Forbidden,
    /// The role may do it with its own records only, and this one names another owner (or none).
    NotOwn,
    /// The header names an owner for a kind that has none, or none for a kind that has one.
    OwnerField,
}

/// Whether `role` may read (`write == false`) or write a record of `kind` whose header names
/// `owner` (all zero: none), as `member`: the role table's grant for the record's row; "own"
/// means the record's owner is `member`. Kinds that have an owner must name one
/// ([`Kind::has_owner`]); others must not, attachments excepted.
pub fn record_access(
    role: Role,
    member: [u8; 16],
    kind: Kind,
    owner: [u8; 16],
    write: bool,
) -> Result<(), RecordDenied> {
    let owned = owner != [0; 16];
    if owned != kind.has_owner() && kind != Kind::Attachment {
        return Err(RecordDenied::OwnerField);
    }
    let (read, edit) = record_actions(kind, owned);
    match grant(role, if write { edit } else { read }) {
        Scope::All => Ok(()),
        Scope::Own if owned && owner == member => Ok(()),
        Scope::Own => Err(RecordDenied::NotOwn),
        Scope::None => Err(RecordDenied::Forbidden),
    }
}

/// What `role` reads of an organization's records, as kind numbers: every record of the first
/// list's kinds, and only their own of the second's. Kinds in neither are never sent to it.
pub fn readable_kinds(role: Role) -> (Vec<u16>, Vec<u16>) {
    let mut all = Vec::new();
    let mut own = Vec::new();
    for kind in Kind::ALL {
        if kind == Kind::Attachment {
            continue; // fetched one by one, never in a page
        }
        match grant(role, record_actions(kind, kind.has_owner()).0) {
            Scope::All => all.push(kind as u16),
            Scope::Own => own.push(kind as u16),
            Scope::None => {}
        }
    }
    (all, own)
}

/// The compartments whose keys `role` holds: those of every kind it reads any record of. A Viewer
/// reads rates and invoices, a Member no finance record: a Member's devices are never handed the
/// finance key.
pub fn readable_compartments(role: Role) -> Vec<Compartment> {
    let (all, own) = readable_kinds(role);
    Compartment::ALL
        .into_iter()
        .filter(|c| {
            all.iter()
                .chain(&own)
                .filter_map(|k| Kind::from_u16(*k))
                .any(|k| k.compartment() == *c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_hold_no_finance_key_and_every_other_role_both() {
        use Compartment::*;
        assert_eq!(readable_compartments(Role::Member), vec![Team]);
        for role in [Role::Owner, Role::Admin, Role::Viewer] {
            assert_eq!(readable_compartments(role), vec![Team, Finance], "{role}");
        }
    }

    /// The numbers are a byte format: pinned here, so a renumbering fails a test.
    #[test]
    fn kind_and_compartment_numbers_never_change() {
        let numbers: Vec<(u16, u8)> = Kind::ALL
            .iter()
            .map(|k| (*k as u16, k.compartment() as u8))
            .collect();
        assert_eq!(
            numbers,
            [
                (1, 1),
                (2, 1),
                (3, 1),
                (4, 1),
                (5, 1),
                (6, 1),
                (7, 2),
                (8, 2),
                (9, 1),
                (10, 1),
                (11, 1),
                (12, 2),
                (13, 2),
                (14, 2),
                (15, 2),
                (16, 1),
                (17, 2),
                (18, 1),
            ]
        );
        for k in Kind::ALL {
            assert_eq!(Kind::from_u16(k as u16), Some(k));
            assert!(Kind::matches_header(k as u16, k.compartment() as u8));
        }
        assert_eq!(Kind::from_u16(0), None);
        assert_eq!(Kind::from_u16(19), None);
        assert!(!Kind::matches_header(9, 2));
        assert!(!Kind::matches_header(12, 1));
        assert!(!Kind::matches_header(99, 1));
        assert!(!Kind::matches_header(9, 3));
        assert_eq!(Compartment::from_u8(0), None);
        assert_eq!(Compartment::from_u8(3), None);
    }

    /// The server applies the table to headers: what each role may push and is sent.
    #[test]
    fn record_access_follows_the_role_table() {
        let me = [1; 16];
        let other = [2; 16];
        let none = [0; 16];
        use RecordDenied::*;
        // A Member writes their own entries, expenses, receipts and write log, nothing else.
        for kind in [
            Kind::TimeEntry,
            Kind::Expense,
            Kind::TeamLog,
            Kind::Attachment,
        ] {
            assert_eq!(
                record_access(Role::Member, me, kind, me, true),
                Ok(()),
                "{kind:?}"
            );
            assert_eq!(
                record_access(Role::Member, me, kind, other, true),
                Err(NotOwn)
            );
        }
        for kind in [
            Kind::Client,
            Kind::Project,
            Kind::Task,
            Kind::Tag,
            Kind::Member,
        ] {
            assert_eq!(
                record_access(Role::Member, me, kind, none, true),
                Err(Forbidden)
            );
            assert_eq!(record_access(Role::Member, me, kind, none, false), Ok(()));
        }
        for kind in [
            Kind::Rate,
            Kind::Invoice,
            Kind::BillingProfile,
            Kind::FinanceLog,
        ] {
            let owner = if kind.has_owner() { me } else { none };
            assert_eq!(
                record_access(Role::Member, me, kind, owner, true),
                Err(Forbidden)
            );
            assert_eq!(
                record_access(Role::Member, me, kind, owner, false),
                Err(Forbidden)
            );
            assert_eq!(record_access(Role::Viewer, me, kind, owner, false), Ok(()));
            assert_eq!(record_access(Role::Admin, me, kind, owner, true), Ok(()));
        }
        // A Member reads the marks on their own work and writes none; a Viewer writes none.
        assert_eq!(
            record_access(Role::Member, me, Kind::BillingMark, me, false),
            Ok(())
        );
        assert_eq!(
            record_access(Role::Member, me, Kind::BillingMark, other, false),
            Err(NotOwn)
        );
        assert_eq!(
            record_access(Role::Member, me, Kind::BillingMark, me, true),
            Err(Forbidden)
        );
        // The logo is the organization's.
        assert_eq!(
            record_access(Role::Member, me, Kind::Attachment, none, true),
            Err(Forbidden)
        );
        assert_eq!(
            record_access(Role::Admin, me, Kind::Attachment, none, true),
            Ok(())
        );
        // Owners named where there are none, or missing where there is one.
        assert_eq!(
            record_access(Role::Owner, me, Kind::Client, me, true),
            Err(OwnerField)
        );
        assert_eq!(
            record_access(Role::Owner, me, Kind::TimeEntry, none, true),
            Err(OwnerField)
        );
        // A Viewer writes nothing; Owners and Admins write anyone's entries.
        for kind in Kind::ALL {
            let owner = if kind.has_owner() { other } else { none };
            assert!(
                record_access(Role::Viewer, me, kind, owner, true).is_err(),
                "{kind:?}"
            );
            assert_eq!(record_access(Role::Owner, me, kind, owner, true), Ok(()));
            assert_eq!(record_access(Role::Admin, me, kind, owner, true), Ok(()));
        }
    }

    /// Only a Member reads less than everything; the pull's SQL relies on it (it filters for the
    /// role `member` only, with the kinds this gives).
    #[test]
    fn only_members_read_less_than_every_kind() {
        let every: Vec<u16> = Kind::ALL
            .iter()
            .filter(|k| **k != Kind::Attachment)
            .map(|k| *k as u16)
            .collect();
        for role in [Role::Owner, Role::Admin, Role::Viewer] {
            assert_eq!(
                readable_kinds(role),
                (every.clone(), Vec::new()),
                "{role:?}"
            );
        }
        let (all, own) = readable_kinds(Role::Member);
        assert_eq!(
            all,
            [
                Kind::Organization,
                Kind::Member,
                Kind::Client,
                Kind::Project,
                Kind::Task,
                Kind::Tag
            ]
            .map(|k| k as u16)
        );
        assert_eq!(
            own,
            [
                Kind::TimeEntry,
                Kind::Expense,
                Kind::TeamLog,
                Kind::BillingMark
            ]
            .map(|k| k as u16)
        );
    }
}
