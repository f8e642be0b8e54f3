//! Coming back to a running timer after being away (idle, asleep or locked): keep the time, discard
//! the time away, or split it off into an entry of its own.

use crate::{ActAs, Engine, EngineError, EntryChanges, EntryView, NewEntry, Result, StartTimer};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use stint_domain::EntryTime;

/// What to do with the time away.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum IdleChoice {
    /// Count it: the timer runs on untouched.
    Keep,
    /// Drop it: the entry ends when the idle time began and a new timer on the same work starts now.
    Discard,
    /// Keep it apart: as `Discard`, plus an entry "Time away" covering the idle time.
    Split,
}

/// The entries after the choice: the running timer now, and the time-away entry if split.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct IdleOutcome {
    /// The running timer.
    pub running: Option<EntryView>,
    /// The entry that holds the time away (`Split` only).
    pub away: Option<EntryView>,
}

impl Engine {
    /// Resolve time away from a running timer: the acting member's timer, idle since `since` (an
    /// instant in the past, after the timer started; earlier instants are clamped to its start).
    pub async fn resolve_idle(
        &mut self,
        by: &ActAs,
        since: Timestamp,
        choice: IdleChoice,
    ) -> Result<IdleOutcome> {
        let now = self.now();
        if since > now {
            return Err(EngineError::Conflict(
                "the idle time cannot begin in the future".into(),
            ));
        }
        let Some(running) = self.running_timer(by)? else {
            return Err(EngineError::Conflict(
                "no timer is running; nothing to resolve".into(),
            ));
        };
        let EntryTime::Running { start } = running.entry.time else {
            return Err(EngineError::Conflict("the timer is not running".into()));
        };
        if choice == IdleChoice::Keep {
            return Ok(IdleOutcome {
                running: Some(running),
                away: None,
            });
        }
        let entry = running.entry;
        let since = since.max(start);
        let restart = StartTimer {
            project: entry.project,
            task: entry.task,
            note: entry.note.clone(),
            billable: Some(entry.billable),
            tags: entry.tags.clone(),
        };
        if since == start {
            // Away from the very start: nothing worked to keep; the timer starts over now.
            self.delete_entry(by, entry.id).await?;
        } else {
            self.edit_entry(
                by,
                entry.id,
                EntryChanges {
                    time: Some(EntryTime::Span { start, end: since }),
                    ..EntryChanges::default()
                },
            )
            .await?;
        }
        let away = if choice == IdleChoice::Split && since < now {
            let outcome = self
                .add_entry(
                    by,
                    NewEntry {
                        member: None,
                        project: entry.project,
                        task: entry.task,
                        time: EntryTime::Span {
                            start: since,
                            end: now,
                        },
                        note: "Time away".into(),
                        billable: Some(false),
                        tags: entry.tags.clone(),
                    },
                )
                .await?;
            Some(outcome.entry)
        } else {
            None
        };
        let running = self.start_timer(by, restart).await?.entry;
        Ok(IdleOutcome {
            running: Some(running),
            away,
        })
    }
}
