//! What a record is, as its envelope header says in plaintext: its kind and the compartment whose key
//! encrypts it (ROLES.md). The numbers are part of the byte format (docs/formats.md) and live here,
//! beside the role table, so the engine, the vault and the sync server share them: the server maps a
//! header's kind to its compartment, and later to a permission, without reading content.

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
    pub const ALL: [Kind; 17] = [
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
    ];

    /// Whether a header's kind and compartment bytes agree: the kind is known and its compartment is
    /// the one it belongs in. A server can check this on every pushed envelope without reading it.
    pub fn matches_header(kind: u16, compartment: u8) -> bool {
        Kind::from_u16(kind).is_some_and(|k| k.compartment() as u8 == compartment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ]
        );
        for k in Kind::ALL {
            assert_eq!(Kind::from_u16(k as u16), Some(k));
            assert!(Kind::matches_header(k as u16, k.compartment() as u8));
        }
        assert_eq!(Kind::from_u16(0), None);
        assert_eq!(Kind::from_u16(18), None);
        assert!(!Kind::matches_header(9, 2));
        assert!(!Kind::matches_header(12, 1));
        assert!(!Kind::matches_header(99, 1));
        assert!(!Kind::matches_header(9, 3));
        assert_eq!(Compartment::from_u8(0), None);
        assert_eq!(Compartment::from_u8(3), None);
    }
}
