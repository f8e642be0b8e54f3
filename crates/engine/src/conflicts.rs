//! The conflict log (docs/sync.md, "Merging"): fields of a record that two devices changed without
//! either knowing the other's change. Merging keeps one value everywhere (the later write; a stop
//! beats a running timer); the other is kept here, in the losing version's envelope, until the
//! person keeps the merge or puts the lost values back.

use serde::Serialize;
use stint_domain::payload::{self, Fields};
use stint_domain::*;
use stint_vault::ConflictRow;

use crate::records::Record;
use crate::{ActAs, Engine, EngineError, Result};

/// One field of a conflict: the value every device now shows, and the one that lost.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ConflictField {
    /// The field's name (as in the record's JSON).
    pub field: String,
    /// The value kept (JSON; `null` when the record has since been deleted).
    #[ts(type = "unknown")]
    pub kept: serde_json::Value,
    /// The value that lost (JSON).
    #[ts(type = "unknown")]
    pub lost: serde_json::Value,
}

/// A conflict to review.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ConflictView {
    /// Its number, for `keep` and `put back`.
    #[ts(type = "number")]
    pub number: i64,
    /// The record's kind, in words.
    #[ts(type = "string")]
    pub kind: &'static str,
    /// The record's id.
    pub record: String,
    /// What the person calls the record (its name, a time entry's note, an invoice's number), as
    /// kept or else as lost; `None` when it has no such field or it is empty.
    pub title: Option<String>,
    /// The fields that conflicted.
    pub fields: Vec<ConflictField>,
    /// Whether the lost values can be put back here (time entries); others are edited as usual.
    pub can_put_back: bool,
    /// Whether the lost values are a change of this device's that was never sent, because the
    /// writer's role changed before it went out and no longer allows it: undone here, kept only
    /// for the person to read (then every field that differs from the record kept is listed, and
    /// `kept` is null throughout when the server holds no such record).
    pub not_sent: bool,
}

/// What the person calls a record: the first of its name, note (a time entry's words) or number
/// that has text, cut to 80 characters.
fn title_of(json: &serde_json::Value) -> Option<String> {
    ["name", "note", "number"].iter().find_map(|field| {
        json.get(field)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(|text| text.chars().take(80).collect())
    })
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Organization => "organization",
        Kind::Member => "member",
        Kind::Client => "client",
        Kind::Project => "project",
        Kind::Task => "task",
        Kind::Tag => "tag",
        Kind::Rate => "rate",
        Kind::Budget => "budget",
        Kind::TimeEntry => "time entry",
        Kind::Expense => "expense",
        Kind::Attachment => "attachment",
        Kind::Invoice => "invoice",
        Kind::BillingProfile => "billing profile",
        Kind::ClientBilling => "client billing",
        Kind::Recurring => "recurring invoice",
        Kind::BillingMark => "billing mark",
        Kind::TeamLog | Kind::FinanceLog => "write log entry",
    }
}

impl Engine {
    /// The open conflicts of the acting member's organization, oldest first.
    pub async fn conflicts(&self, by: &ActAs) -> Result<Vec<ConflictView>> {
        self.actor(by)?;
        let mut out = Vec::new();
        for row in self.vault.conflicts().await? {
            if row.org != by.org.to_bytes() {
                continue;
            }
            out.push(self.conflict_view(by, &row).await?);
        }
        Ok(out)
    }

    async fn conflict_view(&self, by: &ActAs, row: &ConflictRow) -> Result<ConflictView> {
        let kind = Kind::from_u16(row.kind)
            .ok_or_else(|| damaged(format!("a conflict of unknown kind {}", row.kind)))?;
        let lost = self.vault.open_lost(&self.keys, &row.lost)?;
        let lost_json = json_of(kind, &lost.plaintext)?;
        let kept_json = match self
            .vault
            .get(&self.keys, by.org.to_bytes(), row.record)
            .await?
        {
            Some(Ok(current)) if !current.header.tombstone => {
                Some(json_of(kind, &current.plaintext)?)
            }
            _ => None,
        };
        let names = Record::field_names(kind);
        let value = |json: Option<&serde_json::Value>, name: &str| {
            json.and_then(|j| j.get(name))
                .cloned()
                .unwrap_or(serde_json::Value::Null)
        };
        let lost_fields: Vec<&&str> = if row.not_sent {
            names
                .iter()
                .filter(|name| value(kept_json.as_ref(), name) != value(Some(&lost_json), name))
                .collect()
        } else {
            row.fields
                .iter()
                .filter_map(|&i| names.get(usize::from(i)))
                .collect()
        };
        let fields = lost_fields
            .into_iter()
            .map(|name| ConflictField {
                field: (*name).to_owned(),
                kept: value(kept_json.as_ref(), name),
                lost: value(Some(&lost_json), name),
            })
            .collect();
        Ok(ConflictView {
            number: row.seq,
            kind: kind_name(kind),
            record: ulid::Ulid::from_bytes(row.record).to_string(),
            title: kept_json
                .as_ref()
                .and_then(title_of)
                .or_else(|| title_of(&lost_json)),
            fields,
            can_put_back: !row.not_sent && kind == Kind::TimeEntry && kept_json.is_some(),
            not_sent: row.not_sent,
        })
    }

    /// Resolves conflict `number`: keeps the merged values, or (`put_back`) writes the lost values
    /// over them as a new edit, checked and authorized as any edit of the record is, then synced.
    pub async fn resolve_conflict(
        &mut self,
        by: &ActAs,
        number: i64,
        put_back: bool,
    ) -> Result<()> {
        self.actor(by)?;
        let row = self
            .vault
            .conflicts()
            .await?
            .into_iter()
            .find(|r| r.seq == number && r.org == by.org.to_bytes())
            .ok_or_else(|| {
                EngineError::not_found_hint(
                    "conflict",
                    number.to_string(),
                    "; list them with `stint conflicts`",
                )
            })?;
        if put_back && row.not_sent {
            return Err(ValidationError::new(
                "this change was never sent: your role no longer allows it, so it cannot be put back",
            )
            .into());
        }
        if put_back {
            self.put_back(by, &row).await?;
        }
        self.vault
            .resolve_conflict(row.seq, if put_back { 2 } else { 1 })
            .await?;
        Ok(())
    }

    async fn put_back(&mut self, by: &ActAs, row: &ConflictRow) -> Result<()> {
        if row.kind != Kind::TimeEntry as u16 {
            return Err(ValidationError::new(
                "only a time entry's values can be put back from here; edit the record instead",
            )
            .into());
        }
        let id = EntryId::from_bytes(row.record);
        let current = self
            .state(by.org)?
            .entries
            .get(&id)
            .map(|e| e.to_entry())
            .ok_or_else(|| EngineError::not_found("time entry", id.to_string()))?;
        let lost = self.vault.open_lost(&self.keys, &row.lost)?;
        let lost = Fields::parse(&lost.plaintext).map_err(|e| damaged(e.to_string()))?;
        let mut values = Record::TimeEntry(current.clone())
            .values()
            .map_err(damaged)?;
        for (index, value) in &mut values {
            if row.fields.contains(index)
                && let Some(f) = lost.get(*index)
            {
                value.clone_from(&f.value);
            }
        }
        let restored: TimeEntry = payload::assemble(&values).map_err(|e| damaged(e.to_string()))?;
        if restored.is_running() && !current.is_running() {
            return Err(EngineError::Conflict(
                "the entry was stopped since; a stopped timer is not started again".into(),
            ));
        }
        let billable = Some(restored.billable);
        self.write_entry(by, Some(&current), restored, billable)
            .await
            .map(|_| ())
    }
}

/// A record's payload as its JSON object, for showing fields by name.
fn json_of(kind: Kind, plaintext: &[u8]) -> Result<serde_json::Value> {
    let record = Record::decode(kind, plaintext).map_err(damaged)?;
    serde_json::from_slice(&record.encode_json()).map_err(|e| damaged(e.to_string()))
}

pub(crate) fn damaged(what: impl Into<String>) -> EngineError {
    EngineError::Vault(stint_vault::VaultError::Damaged(what.into()))
}
