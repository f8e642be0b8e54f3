//! Work inside the locked period changed after the period was locked (docs/sync.md, "The role
//! table, cell by cell"). Nobody may edit it (ROLES.md), and no device lets anyone; but a device
//! that had not heard of the lock yet, or a modified client, can still write such a change, and
//! the server, which cannot read dates, takes it. So every device finds them in what it holds, the
//! same ones whatever order things arrived in: an entry or expense dated before the lock with a
//! field set by a write later than the one that set the lock. Owners and Admins review them
//! (`stint lock changes`), as they review billed work that changed (`billing_problems`).

use serde::Serialize;
use stint_domain::payload::{self, Fields};
use stint_domain::*;

use crate::conflicts::damaged;
use crate::records::Record;
use crate::{ActAs, Engine, Result};

/// A time entry or expense inside the locked period with fields set after it was locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockedChange {
    /// "time entry" or "expense".
    pub kind: &'static str,
    /// The record's id.
    pub id: String,
    /// Its day (inside the locked period).
    pub date: jiff::civil::Date,
    /// Whose work it is.
    pub member: MemberId,
    /// Their name.
    pub member_name: String,
    /// The fields set after the lock (the record's JSON names), all of them for work made then.
    pub fields: Vec<String>,
}

impl Engine {
    /// Work of the acting member's organization dated inside the locked period that was changed
    /// (or made) after the lock was set, oldest day first. For those who may lock a period.
    pub async fn locked_changes(&self, by: &ActAs) -> Result<Vec<LockedChange>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::LockPeriod, &Target::Org { org: by.org })?;
        let Some(lock) = state.organization().lock_before else {
            return Ok(Vec::new());
        };
        let org = by.org.to_bytes();
        let Some(locked_at) = self
            .field_clock(org, org, Kind::Organization, "lock_before")
            .await?
        else {
            return Ok(Vec::new());
        };
        let later = self
            .vault
            .written_after(
                org,
                &[Kind::TimeEntry as u16, Kind::Expense as u16],
                locked_at,
            )
            .await?;
        let tz = state.time_zone();
        let mut out = Vec::new();
        for id in later {
            let (kind, member, date) = if let Some(e) = state.entries.get(&EntryId::from_bytes(id))
            {
                let date = state
                    .entries
                    .facts(&e.id())
                    .map_or_else(|| e.date(tz), |f| f.date);
                (Kind::TimeEntry, e.member(), date)
            } else if let Some(x) = state.expenses.get(&ExpenseId::from_bytes(id)) {
                (Kind::Expense, x.member, x.date)
            } else {
                continue;
            };
            if date >= lock {
                continue;
            }
            let fields = self.fields_set_after(org, id, kind, locked_at).await?;
            if fields.is_empty() {
                continue;
            }
            out.push(LockedChange {
                kind: if kind == Kind::TimeEntry {
                    "time entry"
                } else {
                    "expense"
                },
                id: ulid::Ulid::from_bytes(id).to_string(),
                date,
                member,
                member_name: state
                    .members
                    .get(&member)
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                fields,
            });
        }
        out.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        Ok(out)
    }

    /// The HLC of the write that set field `name` of record `id` (of `kind`): its own clock in
    /// a format 2 payload, the version's in a format 1 one. `None` without such a record.
    async fn field_clock(
        &self,
        org: [u8; 16],
        id: [u8; 16],
        kind: Kind,
        name: &str,
    ) -> Result<Option<u64>> {
        let Some(Ok(opened)) = self.vault.get(&self.keys, org, id).await? else {
            return Ok(None);
        };
        if !payload::is_format2(&opened.plaintext) {
            return Ok(Some(opened.header.hlc));
        }
        let index = Record::field_names(kind)
            .iter()
            .position(|n| *n == name)
            .and_then(|i| u16::try_from(i).ok());
        let fields = Fields::parse(&opened.plaintext).map_err(|e| damaged(e.to_string()))?;
        Ok(Some(
            index
                .and_then(|i| fields.get(i))
                .map_or(0, |field| field.clock.hlc),
        ))
    }

    /// The names of the fields of record `id` (of `kind`) set by a write later than `hlc`; in a
    /// format 1 payload, every field when its version is.
    async fn fields_set_after(
        &self,
        org: [u8; 16],
        id: [u8; 16],
        kind: Kind,
        hlc: u64,
    ) -> Result<Vec<String>> {
        let Some(Ok(opened)) = self.vault.get(&self.keys, org, id).await? else {
            return Ok(Vec::new());
        };
        let names = Record::field_names(kind);
        if !payload::is_format2(&opened.plaintext) {
            return Ok(if opened.header.hlc > hlc {
                names.iter().map(|n| (*n).to_owned()).collect()
            } else {
                Vec::new()
            });
        }
        let fields = Fields::parse(&opened.plaintext).map_err(|e| damaged(e.to_string()))?;
        Ok(fields
            .fields()
            .iter()
            .filter(|f| f.clock.hlc > hlc)
            .filter_map(|f| names.get(usize::from(f.index)))
            .map(|n| (*n).to_owned())
            .collect())
    }
}
