//! Roles and the permission matrix of ROLES.md: one table, one `authorize`.
//!
//! The engine, the sync server and the key distribution all consult [`MATRIX`]; nothing else decides
//! who may do what. [`authorize`] looks at the target object itself (its organization, its author, whether
//! it is locked or invoiced), never only at the container it sits in.

use crate::ids::{MemberId, OrgId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// A member's role in an organization.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Role {
    /// Full control, including deleting the organization.
    Owner,
    /// Runs the organization day to day.
    Admin,
    /// Tracks their own time and expenses.
    Member,
    /// Reads everything, writes nothing.
    Viewer,
}

impl Role {
    /// Every role, in the matrix's column order.
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];

    fn column(self) -> usize {
        self as usize
    }

    /// "an owner", "an admin", "a member", "a viewer": for messages.
    pub fn with_article(self) -> &'static str {
        match self {
            Role::Owner => "an owner",
            Role::Admin => "an admin",
            Role::Member => "a member",
            Role::Viewer => "a viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
        })
    }
}

impl FromStr for Role {
    type Err = crate::ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            "viewer" => Ok(Role::Viewer),
            other => Err(crate::ValidationError::new(format!(
                "{other:?} is not a role (use owner, admin, member or viewer)"
            ))),
        }
    }
}

/// Everything a member may try to do; one variant per row of the matrix in ROLES.md.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Action {
    /// Read the organization profile (name, logo, currency, locale).
    ReadOrgProfile,
    /// Change the organization profile, time zone, week start, rounding.
    EditOrgProfile,
    /// Read the billing profile, numbering, tax rates.
    ReadBillingProfile,
    /// Change the billing profile, numbering, tax rates.
    EditBillingProfile,
    /// Delete the organization.
    DeleteOrganization,
    /// Hand ownership to someone else.
    TransferOwnership,
    /// See members' names and roles.
    ListMembers,
    /// Invite, remove or change the role of Members and Viewers.
    ManageMembersAndViewers,
    /// Invite, remove or change the role of Admins and Owners.
    ManageAdminsAndOwners,
    /// Read clients, projects, tasks, tags.
    ReadCatalog,
    /// Create, change or archive clients, projects, tasks, tags.
    EditCatalog,
    /// Read bill and cost rates and budgets.
    ReadRates,
    /// Set bill and cost rates and budgets.
    EditRates,
    /// Read a time entry or timer.
    ReadTimeEntry,
    /// Create, change or delete a time entry, start or stop a timer.
    EditTimeEntry,
    /// Read an expense.
    ReadExpense,
    /// Create, change or delete an expense.
    EditExpense,
    /// Lock a period (no edits before a date).
    LockPeriod,
    /// Edit entries inside a locked period or already invoiced: nobody may.
    EditLockedOrInvoiced,
    /// Read invoices, payments, credit notes.
    ReadInvoices,
    /// Create and change draft invoices, payments, credit notes.
    EditInvoices,
    /// Finalize (number and send) an invoice.
    FinalizeInvoice,
    /// Change a finalized invoice: nobody may (void or credit note instead).
    EditFinalizedInvoice,
    /// Time reports.
    ReadTimeReports,
    /// Revenue, outstanding and profitability reports.
    ReadFinancialReports,
    /// The audit log.
    ReadAuditLog,
    /// Create an API token for oneself (scope at most one's own role; read-only for Viewers).
    CreateOwnApiToken,
    /// List and revoke anyone's API tokens in the organization.
    ManageApiTokens,
    /// Export the organization's data.
    ExportOrganization,
}

/// How far a grant reaches.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Scope {
    /// Not allowed.
    None,
    /// Only records the acting member authored.
    Own,
    /// Allowed on everything in the organization.
    All,
}

use Scope::{All, Own};
const NO: Scope = Scope::None;

/// The matrix of ROLES.md. Columns: Owner, Admin, Member, Viewer.
pub const MATRIX: &[(Action, [Scope; 4])] = &[
    (Action::ReadOrgProfile, [All, All, All, All]),
    (Action::EditOrgProfile, [All, All, NO, NO]),
    (Action::ReadBillingProfile, [All, All, NO, All]),
    (Action::EditBillingProfile, [All, All, NO, NO]),
    (Action::DeleteOrganization, [All, NO, NO, NO]),
    (Action::TransferOwnership, [All, NO, NO, NO]),
    (Action::ListMembers, [All, All, All, All]),
    (Action::ManageMembersAndViewers, [All, All, NO, NO]),
    (Action::ManageAdminsAndOwners, [All, NO, NO, NO]),
    (Action::ReadCatalog, [All, All, All, All]),
    (Action::EditCatalog, [All, All, NO, NO]),
    (Action::ReadRates, [All, All, NO, All]),
    (Action::EditRates, [All, All, NO, NO]),
    (Action::ReadTimeEntry, [All, All, Own, All]),
    (Action::EditTimeEntry, [All, All, Own, NO]),
    (Action::ReadExpense, [All, All, Own, All]),
    (Action::EditExpense, [All, All, Own, NO]),
    (Action::LockPeriod, [All, All, NO, NO]),
    (Action::EditLockedOrInvoiced, [NO, NO, NO, NO]),
    (Action::ReadInvoices, [All, All, NO, All]),
    (Action::EditInvoices, [All, All, NO, NO]),
    (Action::FinalizeInvoice, [All, All, NO, NO]),
    (Action::EditFinalizedInvoice, [NO, NO, NO, NO]),
    (Action::ReadTimeReports, [All, All, Own, All]),
    (Action::ReadFinancialReports, [All, All, NO, All]),
    (Action::ReadAuditLog, [All, All, NO, NO]),
    (Action::CreateOwnApiToken, [All, All, All, All]),
    (Action::ManageApiTokens, [All, All, NO, NO]),
    (Action::ExportOrganization, [All, All, Own, NO]),
];

impl Action {
    /// Every action, in table order.
    pub fn all() -> impl Iterator<Item = Action> {
        MATRIX.iter().map(|(action, _)| *action)
    }

    /// Whether the action changes something (as opposed to reading).
    pub fn is_write(self) -> bool {
        !matches!(
            self,
            Action::ReadOrgProfile
                | Action::ReadBillingProfile
                | Action::ListMembers
                | Action::ReadCatalog
                | Action::ReadRates
                | Action::ReadTimeEntry
                | Action::ReadExpense
                | Action::ReadInvoices
                | Action::ReadTimeReports
                | Action::ReadFinancialReports
                | Action::ReadAuditLog
        )
    }

    /// Words for messages: "edit time entries".
    pub fn describe(self) -> &'static str {
        match self {
            Action::ReadOrgProfile => "read the organization profile",
            Action::EditOrgProfile => "change the organization's settings",
            Action::ReadBillingProfile => "read the billing profile",
            Action::EditBillingProfile => "change the billing profile",
            Action::DeleteOrganization => "delete the organization",
            Action::TransferOwnership => "transfer ownership",
            Action::ListMembers => "list members",
            Action::ManageMembersAndViewers => "manage members and viewers",
            Action::ManageAdminsAndOwners => "manage admins and owners",
            Action::ReadCatalog => "read clients and projects",
            Action::EditCatalog => "change clients, projects, tasks and tags",
            Action::ReadRates => "read rates and budgets",
            Action::EditRates => "set rates and budgets",
            Action::ReadTimeEntry => "read this time entry",
            Action::EditTimeEntry => "change time entries",
            Action::ReadExpense => "read this expense",
            Action::EditExpense => "change expenses",
            Action::LockPeriod => "lock a period",
            Action::EditLockedOrInvoiced => "change locked or invoiced records",
            Action::ReadInvoices => "read invoices",
            Action::EditInvoices => "change invoices",
            Action::FinalizeInvoice => "finalize invoices",
            Action::EditFinalizedInvoice => "change a finalized invoice",
            Action::ReadTimeReports => "read time reports",
            Action::ReadFinancialReports => "read financial reports",
            Action::ReadAuditLog => "read the audit log",
            Action::CreateOwnApiToken => "create an API token",
            Action::ManageApiTokens => "manage other members' API tokens",
            Action::ExportOrganization => "export the organization",
        }
    }
}

/// What the table grants a role for an action.
pub fn grant(role: Role, action: Action) -> Scope {
    MATRIX
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, scopes)| scopes[role.column()])
        .unwrap_or(Scope::None)
}

/// The member acting, as the engine resolved them from the organization's current state.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Actor {
    /// Who.
    pub member: MemberId,
    /// In which organization.
    pub org: OrgId,
    /// Their current role there.
    pub role: Role,
    /// False once removed: a removed member can do nothing.
    pub active: bool,
}

/// What an action is aimed at. `authorize` checks the object itself, not only its container.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Target {
    /// The organization as a whole (its profile, settings, catalog, reports).
    Org {
        /// Which organization.
        org: OrgId,
    },
    /// A record someone authored: a time entry, timer or expense.
    Record {
        /// The record's organization.
        org: OrgId,
        /// Who authored (owns) it.
        author: MemberId,
        /// The record's date falls before the organization's lock date.
        locked_before: Option<Date>,
        /// The record is on an invoice.
        invoiced: bool,
    },
    /// A membership being added, removed or changed.
    Membership {
        /// The organization.
        org: OrgId,
        /// The member's role now (None when inviting).
        from: Option<Role>,
        /// The role after the change (None when removing).
        to: Option<Role>,
        /// The member is the organization's only active Owner.
        last_owner: bool,
    },
}

impl Target {
    fn org(&self) -> OrgId {
        match *self {
            Target::Org { org } | Target::Record { org, .. } | Target::Membership { org, .. } => {
                org
            }
        }
    }
}

/// Why an action was refused. Messages say what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Denied {
    /// The target belongs to another organization.
    #[error("that belongs to another organization")]
    OtherOrganization,
    /// The member was removed.
    #[error("this member has been removed from the organization")]
    Removed,
    /// The role does not allow the action.
    #[error("{} may not {what}; ask an owner or admin", role.with_article())]
    Role {
        /// The acting role.
        role: Role,
        /// The action's description.
        what: &'static str,
    },
    /// The role allows the action on own records only.
    #[error("{} may only {what} they created themselves", role.with_article())]
    NotAuthor {
        /// The acting role.
        role: Role,
        /// The action's description.
        what: &'static str,
    },
    /// Inside a locked period.
    #[error(
        "the period before {0} is locked; nobody can change records in it (an owner or admin can move the lock date)"
    )]
    Locked(Date),
    /// Already invoiced.
    #[error("this record is on an invoice and cannot be changed; void or credit the invoice first")]
    Invoiced,
    /// Would leave the organization without an owner.
    #[error("an organization needs at least one owner; make someone else owner first")]
    LastOwner,
}

/// May `actor` do `action` to `target`? The one place the matrix is applied.
pub fn authorize(actor: &Actor, action: Action, target: &Target) -> Result<(), Denied> {
    if target.org() != actor.org {
        return Err(Denied::OtherOrganization);
    }
    if !actor.active {
        return Err(Denied::Removed);
    }
    // Membership changes need the row that matches the roles involved on both sides of the change.
    let action = match (action, target) {
        (
            Action::ManageMembersAndViewers | Action::ManageAdminsAndOwners,
            Target::Membership { from, to, .. },
        ) => {
            let touches_senior = [from, to]
                .into_iter()
                .flatten()
                .any(|role| matches!(role, Role::Owner | Role::Admin));
            if touches_senior {
                Action::ManageAdminsAndOwners
            } else {
                Action::ManageMembersAndViewers
            }
        }
        _ => action,
    };
    let role_refuses = || Denied::Role {
        role: actor.role,
        what: action.describe(),
    };
    match grant(actor.role, action) {
        Scope::None => return Err(role_refuses()),
        Scope::Own => match target {
            Target::Record { author, .. } if *author == actor.member => {}
            Target::Record { .. } => {
                return Err(Denied::NotAuthor {
                    role: actor.role,
                    what: action.describe(),
                });
            }
            // "own" reaches only records; at organization level it means "limited to one's own
            // records", which the caller filters (reports, export).
            Target::Org { .. } => {}
            Target::Membership { .. } => return Err(role_refuses()),
        },
        Scope::All => {}
    }
    match *target {
        Target::Record {
            locked_before: Some(date),
            ..
        } if action.is_write() => Err(Denied::Locked(date)),
        Target::Record { invoiced: true, .. } if action.is_write() => Err(Denied::Invoiced),
        Target::Membership {
            from: Some(Role::Owner),
            to,
            last_owner: true,
            ..
        } if to != Some(Role::Owner) => Err(Denied::LastOwner),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ulid::Ulid;

    fn actor(role: Role) -> Actor {
        Actor {
            member: MemberId(Ulid::from_parts(1, 1)),
            org: OrgId(Ulid::from_parts(1, 2)),
            role,
            active: true,
        }
    }

    /// ROLES.md transcribed again, by hand, as text: the test compares the code's table with it, so a
    /// typo in either shows up. Columns: Owner Admin Member Viewer; "-" none, "own", "all".
    const EXPECTED: &str = "
        ReadOrgProfile           all all all all
        EditOrgProfile           all all -   -
        ReadBillingProfile       all all -   all
        EditBillingProfile       all all -   -
        DeleteOrganization       all -   -   -
        TransferOwnership        all -   -   -
        ListMembers              all all all all
        ManageMembersAndViewers  all all -   -
        ManageAdminsAndOwners    all -   -   -
        ReadCatalog              all all all all
        EditCatalog              all all -   -
        ReadRates                all all -   all
        EditRates                all all -   -
        ReadTimeEntry            all all own all
        EditTimeEntry            all all own -
        ReadExpense              all all own all
        EditExpense              all all own -
        LockPeriod               all all -   -
        EditLockedOrInvoiced     -   -   -   -
        ReadInvoices             all all -   all
        EditInvoices             all all -   -
        FinalizeInvoice          all all -   -
        EditFinalizedInvoice     -   -   -   -
        ReadTimeReports          all all own all
        ReadFinancialReports     all all -   all
        ReadAuditLog             all all -   -
        CreateOwnApiToken        all all all all
        ManageApiTokens          all all -   -
        ExportOrganization       all all own -
    ";

    #[test]
    fn table_matches_roles_md_for_every_role_and_action() {
        let mut rows = 0;
        for line in EXPECTED.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let action = Action::all()
                .find(|a| format!("{a:?}") == cells[0])
                .unwrap_or_else(|| panic!("{} is not an action", cells[0]));
            for (role, cell) in Role::ALL.iter().zip(&cells[1..]) {
                let expected = match *cell {
                    "all" => Scope::All,
                    "own" => Scope::Own,
                    "-" => Scope::None,
                    other => panic!("bad cell {other}"),
                };
                assert_eq!(grant(*role, action), expected, "{role} / {action:?}");
            }
            rows += 1;
        }
        assert_eq!(
            rows,
            MATRIX.len(),
            "every action of the code's table is in ROLES.md"
        );
    }

    #[test]
    fn own_scope_checks_the_author_of_the_record() {
        let member = actor(Role::Member);
        let mine = Target::Record {
            org: member.org,
            author: member.member,
            locked_before: None,
            invoiced: false,
        };
        let theirs = Target::Record {
            org: member.org,
            author: MemberId(Ulid::from_parts(9, 9)),
            locked_before: None,
            invoiced: false,
        };
        assert_eq!(authorize(&member, Action::EditTimeEntry, &mine), Ok(()));
        assert!(matches!(
            authorize(&member, Action::EditTimeEntry, &theirs),
            Err(Denied::NotAuthor { .. })
        ));
        assert!(matches!(
            authorize(&member, Action::ReadTimeEntry, &theirs),
            Err(Denied::NotAuthor { .. })
        ));
    }

    #[test]
    fn nobody_writes_locked_or_invoiced_records_but_everyone_entitled_reads_them() {
        let date = Date::constant(2026, 1, 1);
        for role in Role::ALL {
            let a = actor(role);
            let locked = Target::Record {
                org: a.org,
                author: a.member,
                locked_before: Some(date),
                invoiced: false,
            };
            let invoiced = Target::Record {
                org: a.org,
                author: a.member,
                locked_before: None,
                invoiced: true,
            };
            assert!(
                authorize(&a, Action::EditTimeEntry, &locked).is_err(),
                "{role}"
            );
            assert!(
                authorize(&a, Action::EditExpense, &invoiced).is_err(),
                "{role}"
            );
            assert_eq!(
                authorize(&a, Action::ReadTimeEntry, &locked),
                Ok(()),
                "{role}"
            );
        }
        let owner = actor(Role::Owner);
        let locked = Target::Record {
            org: owner.org,
            author: owner.member,
            locked_before: Some(date),
            invoiced: false,
        };
        assert_eq!(
            authorize(&owner, Action::EditTimeEntry, &locked),
            Err(Denied::Locked(date))
        );
    }

    #[test]
    fn membership_changes_need_the_senior_row_when_admins_or_owners_are_involved() {
        let admin = actor(Role::Admin);
        let change = |from, to| Target::Membership {
            org: admin.org,
            from,
            to,
            last_owner: false,
        };
        assert_eq!(
            authorize(
                &admin,
                Action::ManageMembersAndViewers,
                &change(Some(Role::Viewer), Some(Role::Member))
            ),
            Ok(())
        );
        assert_eq!(
            authorize(
                &admin,
                Action::ManageMembersAndViewers,
                &change(None, Some(Role::Viewer))
            ),
            Ok(())
        );
        assert!(
            authorize(
                &admin,
                Action::ManageMembersAndViewers,
                &change(Some(Role::Member), Some(Role::Admin))
            )
            .is_err()
        );
        assert!(
            authorize(
                &admin,
                Action::ManageMembersAndViewers,
                &change(Some(Role::Admin), None)
            )
            .is_err()
        );
        let owner = actor(Role::Owner);
        let last = Target::Membership {
            org: owner.org,
            from: Some(Role::Owner),
            to: Some(Role::Admin),
            last_owner: true,
        };
        assert_eq!(
            authorize(&owner, Action::ManageAdminsAndOwners, &last),
            Err(Denied::LastOwner)
        );
    }

    #[test]
    fn other_organizations_and_removed_members_are_refused() {
        let owner = actor(Role::Owner);
        let elsewhere = Target::Org {
            org: OrgId(Ulid::from_parts(5, 5)),
        };
        assert_eq!(
            authorize(&owner, Action::ReadCatalog, &elsewhere),
            Err(Denied::OtherOrganization)
        );
        let removed = Actor {
            active: false,
            ..owner
        };
        assert_eq!(
            authorize(
                &removed,
                Action::ReadCatalog,
                &Target::Org { org: owner.org }
            ),
            Err(Denied::Removed)
        );
    }

    #[test]
    fn viewers_write_nothing() {
        let viewer = actor(Role::Viewer);
        for action in Action::all().filter(|a| a.is_write() && *a != Action::CreateOwnApiToken) {
            let targets = [
                Target::Org { org: viewer.org },
                Target::Record {
                    org: viewer.org,
                    author: viewer.member,
                    locked_before: None,
                    invoiced: false,
                },
                Target::Membership {
                    org: viewer.org,
                    from: Some(Role::Viewer),
                    to: Some(Role::Member),
                    last_owner: false,
                },
            ];
            for target in targets {
                assert!(
                    authorize(&viewer, action, &target).is_err(),
                    "viewer may {action:?} on {target:?}"
                );
            }
        }
    }
}
