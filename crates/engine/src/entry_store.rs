//! An organization's time entries in memory, compactly: the largest part of the unlocked index.
//!
//! A `TimeEntry` takes 160 bytes, and its note an allocation of its own (about 16 bytes more
//! than the text). Stored here, an entry is a [`Slot`] of 80 bytes: its member, project and task
//! as dense numbers rather than 16-byte ids, its time in plain integers, and its note as a span of
//! one text that holds every note. For 100,000 entries the slots take 8 MB less, and no note has
//! an allocation of its own. Readers get an [`EntryRef`], which reads the slot's fields and makes
//! a `TimeEntry` where one is needed.

use crate::state::EntryFacts;
use foldhash::{HashMap, HashSet};
use hashbrown::HashTable;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::hash::BuildHasher;
use stint_domain::entry::{EntryTime, TimeEntry, Valuation};
use stint_domain::report::{Codes, Numbering};
use stint_domain::{EntryId, MemberId, ProjectId, TagId, TaskId};
use ulid::Ulid;

/// Every time entry and its facts, in two dense arrays at the same positions (the facts are what
/// reports scan), with an index by id.
#[derive(Default)]
pub struct Entries {
    /// Positions in `slots`, found by hashing the entry's id with `hasher`: 4 bytes and a control
    /// byte an entry.
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    /// The running timers (a handful at most).
    running: HashSet<EntryId>,
    /// Each member's entries, as positions (4 bytes an entry).
    by_member: HashMap<MemberId, Vec<u32>>,
    slots: Vec<Slot>,
    /// Facts of `slots[i]` at `facts[i]`; placeholders (all zero, no codes, so left out of
    /// reports) until `OrgState::reprice` or `OrgState::reprice_all` computes them.
    facts: Vec<EntryFacts>,
    /// Every entry's note, one after another; a slot names its note's span.
    notes: String,
    /// Bytes of `notes` that no slot names any more (notes replaced or removed): reclaimed once
    /// they are half of it.
    stale: usize,
    /// Spans in `notes` of notes taken out of entries as they were decoded at unlock, for the
    /// entries not inserted yet (see [`DecodedNotes`]).
    pending: HashMap<EntryId, (u32, u32)>,
    /// Dense numbers for ids: the slots' members, projects and tasks, and what reports group by
    /// (see [`EntryFacts::codes`]). The organization's other records number their ids here too.
    pub numbers: Numbering,
}

/// The notes of entries as they are decoded at unlock, by organization, taken out of each entry at
/// once: the decoded note is freed on the thread that decoded it and its memory reused by the next
/// record decoded there. Copied into the store only when the entry is indexed, after every record
/// is decoded, the notes would be freed as 100,000 scattered holes between the records that stay,
/// which the heap cannot give back (6 MB of the app's private memory on the B8 vault).
#[derive(Default)]
pub(crate) struct DecodedNotes(HashMap<[u8; 16], Notes>);

/// One organization's decoded notes: their text and where each entry's is.
#[derive(Default)]
pub(crate) struct Notes {
    text: String,
    spans: HashMap<EntryId, (u32, u32)>,
}

impl DecodedNotes {
    /// Move the entry's note into its organization's text, leaving the entry's empty.
    pub(crate) fn take(&mut self, org: [u8; 16], entry: &mut TimeEntry) {
        if entry.note.is_empty() {
            return;
        }
        let notes = self.0.entry(org).or_default();
        let span = append(&mut notes.text, &entry.note);
        notes.spans.insert(entry.id, span);
        entry.note = String::new();
    }

    /// The organization's notes, for its store ([`Entries::adopt`]).
    pub(crate) fn remove(&mut self, org: [u8; 16]) -> Option<Notes> {
        self.0.remove(&org)
    }
}

/// Append `note` to `text`: where it starts, and its length in bytes. Both fit in a `u32`: a note
/// is at most 5,000 characters (`validate::note`), and 4 GB of notes is far more than the
/// 100,000-entry vault's 10 MB.
fn append(text: &mut String, note: &str) -> (u32, u32) {
    let span = u32::try_from(text.len())
        .ok()
        .zip(u32::try_from(note.len()).ok())
        .expect("notes under 4 GB in all");
    text.push_str(note);
    span
}

/// One stored entry. Its time in integers: a running timer's start in `a`; a span's start in `a`
/// and end in `b` (seconds and nanoseconds); a duration's seconds in `a` and its day in `b`
/// ([`day_code`]).
struct Slot {
    a: i64,
    b: i64,
    tags: Box<[TagId]>,
    a_nanos: i32,
    b_nanos: i32,
    /// Where its note is in [`Entries::notes`], and how many bytes.
    note_at: u32,
    note_len: u32,
    /// Numbers in [`Entries::numbers`]; 0 for no project or no task.
    member: u32,
    project: u32,
    task: u32,
    id: EntryId,
    kind: TimeKind,
    billable: bool,
    invoiced: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeKind {
    Running,
    Span,
    Duration,
}

/// A day as one integer: year, month and day in bits 16 and up, 8 to 15, and 0 to 7.
fn day_code(date: Date) -> i64 {
    (i64::from(date.year()) << 16) | (i64::from(date.month()) << 8) | i64::from(date.day())
}

// A slot's integers are written only by `Slot::set_time` from a valid `EntryTime`, so they always
// read back; were one ever not to, the default day or the epoch shows, not a stopped process.
fn day_of(code: i64) -> Date {
    Date::new((code >> 16) as i16, (code >> 8) as i8, code as i8).unwrap_or_default()
}

fn instant(seconds: i64, nanos: i32) -> Timestamp {
    Timestamp::new(seconds, nanos).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl Slot {
    fn time(&self) -> EntryTime {
        match self.kind {
            TimeKind::Running => EntryTime::Running {
                start: instant(self.a, self.a_nanos),
            },
            TimeKind::Span => EntryTime::Span {
                start: instant(self.a, self.a_nanos),
                end: instant(self.b, self.b_nanos),
            },
            TimeKind::Duration => EntryTime::Duration {
                date: day_of(self.b),
                seconds: self.a,
            },
        }
    }

    fn set_time(&mut self, time: EntryTime) {
        let (kind, a, a_nanos, b, b_nanos) = match time {
            EntryTime::Running { start } => (
                TimeKind::Running,
                start.as_second(),
                start.subsec_nanosecond(),
                0,
                0,
            ),
            EntryTime::Span { start, end } => (
                TimeKind::Span,
                start.as_second(),
                start.subsec_nanosecond(),
                end.as_second(),
                end.subsec_nanosecond(),
            ),
            EntryTime::Duration { date, seconds } => {
                (TimeKind::Duration, seconds, 0, day_code(date), 0)
            }
        };
        (self.kind, self.a, self.a_nanos, self.b, self.b_nanos) = (kind, a, a_nanos, b, b_nanos);
    }
}

/// One stored entry, to read.
#[derive(Clone, Copy)]
pub struct EntryRef<'a> {
    store: &'a Entries,
    at: usize,
}

impl<'a> EntryRef<'a> {
    fn slot(self) -> &'a Slot {
        &self.store.slots[self.at]
    }

    fn id_of(self, code: u32) -> Option<Ulid> {
        self.store.numbers.id(code).map(Ulid)
    }

    pub fn id(self) -> EntryId {
        self.slot().id
    }

    pub fn member(self) -> MemberId {
        // The member was numbered when the entry was stored, and numbers are never taken back.
        MemberId(self.id_of(self.slot().member).unwrap_or_default())
    }

    pub fn project(self) -> Option<ProjectId> {
        self.id_of(self.slot().project).map(ProjectId)
    }

    pub fn task(self) -> Option<TaskId> {
        self.id_of(self.slot().task).map(TaskId)
    }

    pub fn time(self) -> EntryTime {
        self.slot().time()
    }

    pub fn is_running(self) -> bool {
        self.slot().kind == TimeKind::Running
    }

    pub fn billable(self) -> bool {
        self.slot().billable
    }

    pub fn invoiced(self) -> bool {
        self.slot().invoiced
    }

    pub fn note(self) -> &'a str {
        self.store.note_of(self.slot())
    }

    pub fn tags(self) -> &'a [TagId] {
        &self.slot().tags
    }

    /// The day it counts for, in `tz` (see [`TimeEntry::date`]).
    pub fn date(self, tz: &TimeZone) -> Date {
        self.time().date(tz)
    }

    /// Its member, project and task as numbers (0 for none).
    pub fn codes(self) -> (u32, u32, u32) {
        let slot = self.slot();
        (slot.member, slot.project, slot.task)
    }

    /// Its facts.
    pub fn facts(self) -> &'a EntryFacts {
        &self.store.facts[self.at]
    }

    /// The entry itself.
    pub fn to_entry(self) -> TimeEntry {
        TimeEntry {
            id: self.id(),
            member: self.member(),
            project: self.project(),
            task: self.task(),
            time: self.time(),
            note: self.note().to_owned(),
            billable: self.billable(),
            tags: self.tags().to_vec(),
            invoiced: self.invoiced(),
        }
    }
}

/// Written as the entry itself.
impl serde::Serialize for EntryRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_entry().serialize(serializer)
    }
}

impl std::fmt::Debug for EntryRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_entry().fmt(f)
    }
}

impl Entries {
    pub(crate) const PLACEHOLDER: EntryFacts = EntryFacts {
        codes: Codes {
            member: 0,
            client: 0,
            project: 0,
            task: 0,
        },
        date: Date::constant(1970, 1, 1),
        billable: false,
        running: false,
        valuation: Valuation {
            raw_seconds: 0,
            billed_seconds: 0,
            amount: None,
        },
    };

    /// Where the entry `id` is in `slots`.
    fn position(&self, id: &EntryId) -> Option<usize> {
        self.index
            .find(self.hasher.hash_one(id), |&at| {
                self.slots[at as usize].id == *id
            })
            .map(|&at| at as usize)
    }

    fn at(&self, at: usize) -> EntryRef<'_> {
        EntryRef { store: self, at }
    }

    fn note_of(&self, slot: &Slot) -> &str {
        let at = slot.note_at as usize;
        &self.notes[at..at + slot.note_len as usize]
    }

    /// One entry.
    pub fn get(&self, id: &EntryId) -> Option<EntryRef<'_>> {
        self.position(id).map(|at| self.at(at))
    }

    /// One entry's facts.
    pub fn facts(&self, id: &EntryId) -> Option<&EntryFacts> {
        self.position(id).map(|i| &self.facts[i])
    }

    /// Start from notes taken out of entries as they were decoded: an entry inserted with an empty
    /// note gets the one taken from it. Only into an empty store.
    pub(crate) fn adopt(&mut self, notes: Notes) {
        debug_assert!(self.slots.is_empty() && self.notes.is_empty());
        self.notes = notes.text;
        self.pending = notes.spans;
    }

    fn slot_of(&mut self, entry: TimeEntry, note: (u32, u32)) -> Slot {
        let mut slot = Slot {
            a: 0,
            b: 0,
            tags: entry.tags.into_boxed_slice(),
            a_nanos: 0,
            b_nanos: 0,
            note_at: note.0,
            note_len: note.1,
            member: self.numbers.assign(entry.member.0.0),
            project: entry.project.map_or(0, |p| self.numbers.assign(p.0.0)),
            task: entry.task.map_or(0, |t| self.numbers.assign(t.0.0)),
            id: entry.id,
            kind: TimeKind::Running,
            billable: entry.billable,
            invoiced: entry.invoiced,
        };
        slot.set_time(entry.time);
        slot
    }

    /// Add or replace an entry; a replaced entry keeps its facts until they are recomputed.
    pub fn insert(&mut self, entry: TimeEntry) {
        if entry.is_running() {
            self.running.insert(entry.id);
        } else {
            self.running.remove(&entry.id);
        }
        match self.position(&entry.id) {
            Some(i) => {
                let old_member = self.at(i).member();
                let old = &self.slots[i];
                let old_note = (old.note_at, old.note_len);
                // An edit of the time or the project keeps the note where it is.
                let note = if self.note_of(old) == entry.note {
                    old_note
                } else {
                    self.stale += old_note.1 as usize;
                    append(&mut self.notes, &entry.note)
                };
                if old_member != entry.member {
                    self.unlist(old_member, i as u32);
                    self.by_member
                        .entry(entry.member)
                        .or_default()
                        .push(i as u32);
                }
                let slot = self.slot_of(entry, note);
                self.slots[i] = slot;
                self.reclaim_notes();
            }
            None => {
                // Positions are `u32`, as in `remove`: 4 billion slots would be 320 GB.
                let at = self.slots.len() as u32;
                let hash = self.hasher.hash_one(entry.id);
                self.by_member.entry(entry.member).or_default().push(at);
                let taken = if entry.note.is_empty() {
                    self.pending.remove(&entry.id)
                } else {
                    None
                };
                let note = taken.unwrap_or_else(|| append(&mut self.notes, &entry.note));
                let slot = self.slot_of(entry, note);
                self.slots.push(slot);
                self.facts.push(Self::PLACEHOLDER);
                let Self {
                    index,
                    hasher,
                    slots,
                    ..
                } = self;
                index.insert_unique(hash, at, |&p| hasher.hash_one(slots[p as usize].id));
            }
        }
    }

    /// Set whether an entry is on an invoice.
    pub fn set_invoiced(&mut self, id: &EntryId, invoiced: bool) {
        if let Some(i) = self.position(id) {
            self.slots[i].invoiced = invoiced;
        }
    }

    /// Set one entry's facts.
    pub fn set_facts(&mut self, id: &EntryId, facts: EntryFacts) {
        if let Some(i) = self.position(id) {
            self.facts[i] = facts;
        }
    }

    /// Forget one entry (the last one takes its place).
    pub fn remove(&mut self, id: &EntryId) -> Option<TimeEntry> {
        let i = self.position(id)?;
        let removed = self.at(i).to_entry();
        let hash = self.hasher.hash_one(id);
        let at = i as u32;
        if let Ok(slot) = self.index.find_entry(hash, |&p| p == at) {
            slot.remove();
        }
        self.running.remove(id);
        let last = (self.slots.len() - 1) as u32;
        let gone = self.slots.swap_remove(i);
        self.stale += gone.note_len as usize;
        self.facts.swap_remove(i);
        self.unlist(removed.member, at);
        if i < self.slots.len() {
            let (moved_id, moved_member) = (self.slots[i].id, self.at(i).member());
            // The last entry moved into the gap: its slot says `last`, which no other slot does.
            if let Some(slot) = self
                .index
                .find_mut(self.hasher.hash_one(moved_id), |&p| p == last)
            {
                *slot = at;
            }
            if let Some(at) = self
                .by_member
                .get_mut(&moved_member)
                .and_then(|list| list.iter_mut().find(|at| **at == last))
            {
                *at = i as u32;
            }
        }
        self.reclaim_notes();
        Some(removed)
    }

    /// Take position `at` off `member`'s list.
    fn unlist(&mut self, member: MemberId, at: u32) {
        if let Some(list) = self.by_member.get_mut(&member)
            && let Some(k) = list.iter().position(|p| *p == at)
        {
            list.swap_remove(k);
        }
    }

    /// Rewrite `notes` with only the notes that slots name, once the rest is half of it (so that
    /// each byte is copied a bounded number of times however often notes are edited).
    fn reclaim_notes(&mut self) {
        if self.stale < 4096 || self.stale < self.notes.len() / 2 {
            return;
        }
        let mut notes = String::with_capacity(self.notes.len() - self.stale);
        for slot in &mut self.slots {
            let at = slot.note_at as usize;
            let text = &self.notes[at..at + slot.note_len as usize];
            slot.note_at = notes.len() as u32;
            notes.push_str(text);
        }
        self.notes = notes;
        self.stale = 0;
    }

    /// One member's entries.
    pub fn of_member(&self, member: MemberId) -> impl Iterator<Item = EntryRef<'_>> {
        self.by_member
            .get(&member)
            .into_iter()
            .flatten()
            .map(|at| self.at(*at as usize))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// The running timers.
    pub fn running(&self) -> impl Iterator<Item = EntryRef<'_>> {
        self.running.iter().filter_map(|id| self.get(id))
    }

    /// All entries, in no particular order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = EntryRef<'_>> {
        (0..self.slots.len()).map(|at| self.at(at))
    }

    /// All entries, to read from several threads.
    pub fn par_values(&self) -> impl rayon::iter::IndexedParallelIterator<Item = EntryRef<'_>> {
        use rayon::prelude::*;
        (0..self.slots.len()).into_par_iter().map(|at| self.at(at))
    }

    /// All facts, in no particular order.
    pub fn all_facts(&self) -> impl Iterator<Item = &EntryFacts> {
        self.facts.iter()
    }

    /// All facts as one slice, in no particular order (for parallel scans).
    pub fn facts_slice(&self) -> &[EntryFacts] {
        &self.facts
    }

    /// Replace every entry's facts (in the order of [`Entries::values`]).
    pub(crate) fn set_all_facts(&mut self, facts: Vec<EntryFacts>) {
        debug_assert_eq!(facts.len(), self.slots.len());
        self.facts = facts;
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        // Notes taken from entries that were not indexed (quarantined) are stale.
        self.stale += self
            .pending
            .drain()
            .map(|(_, (_, len))| len as usize)
            .sum::<usize>();
        self.pending.shrink_to_fit();
        self.reclaim_notes();
        self.slots.shrink_to_fit();
        self.facts.shrink_to_fit();
        self.notes.shrink_to_fit();
        let Self {
            index,
            hasher,
            slots,
            ..
        } = self;
        index.shrink_to_fit(|&p| hasher.hash_one(slots[p as usize].id));
        self.by_member.values_mut().for_each(Vec::shrink_to_fit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_entry_takes_80_bytes() {
        assert_eq!(std::mem::size_of::<Slot>(), 80);
    }

    #[test]
    fn notes_taken_as_entries_are_decoded_are_their_notes_once_indexed() {
        let org = [1; 16];
        let mut decoded = DecodedNotes::default();
        let mut entries: Vec<TimeEntry> = (0..5)
            .map(|n| TimeEntry {
                note: format!("note {n} ✓"),
                ..entry(n)
            })
            .collect();
        entries[2].note.clear();
        for e in &mut entries {
            decoded.take(org, e);
        }
        assert!(entries.iter().all(|e| e.note.is_empty()));
        assert!(decoded.remove([2; 16]).is_none());
        let mut store = Entries::default();
        store.adopt(decoded.remove(org).unwrap());
        // Entry 4 is not indexed, as a quarantined record is not: its note is stale.
        for e in &entries[..4] {
            store.insert(e.clone());
        }
        store.shrink_to_fit();
        for n in [0, 1, 3] {
            let stored = store.get(&entry(n).id).unwrap();
            assert_eq!(stored.note(), format!("note {n} ✓"));
            assert_eq!(stored.to_entry().note, format!("note {n} ✓"));
        }
        assert_eq!(store.get(&entry(2).id).unwrap().note(), "");
        assert_eq!(store.stale, "note 4 ✓".len());
        assert!(store.pending.is_empty());
        // Later entries with empty notes are just that.
        store.insert(entry(4));
        store.insert(TimeEntry {
            note: String::new(),
            ..entry(9)
        });
        assert_eq!(store.get(&entry(9).id).unwrap().note(), "");
    }

    #[test]
    fn times_are_stored_and_read_back_exactly() {
        let instants = [
            Timestamp::MIN,
            Timestamp::MAX,
            Timestamp::UNIX_EPOCH,
            Timestamp::new(-1, -1).unwrap(),
            Timestamp::new(1_764_000_000, 999_999_999).unwrap(),
        ];
        let days = [
            Date::MIN,
            Date::MAX,
            Date::constant(-1, 12, 31),
            Date::constant(2024, 2, 29),
        ];
        let mut times: Vec<EntryTime> = Vec::new();
        for start in instants {
            times.push(EntryTime::Running { start });
            for end in instants {
                times.push(EntryTime::Span { start, end });
            }
        }
        for date in days {
            for seconds in [0, 1, i64::MAX, -1] {
                times.push(EntryTime::Duration { date, seconds });
            }
        }
        let mut store = Entries::default();
        for (n, time) in times.iter().enumerate() {
            store.insert(TimeEntry {
                time: *time,
                ..entry(n as u64)
            });
        }
        for (n, time) in times.iter().enumerate() {
            let stored = store.get(&entry(n as u64).id).unwrap();
            assert_eq!(stored.time(), *time);
            assert_eq!(stored.is_running(), time.is_running());
        }
    }

    fn entry(n: u64) -> TimeEntry {
        TimeEntry {
            id: EntryId(Ulid::from_parts(n, 9)),
            member: MemberId(Ulid::from_parts(1, 1)),
            project: Some(ProjectId(Ulid::from_parts(1, 2))),
            task: None,
            time: EntryTime::Duration {
                date: Date::constant(2026, 1, 1),
                seconds: 60 * (n as i64 + 1),
            },
            note: format!("entry {n}"),
            billable: true,
            tags: Vec::new(),
            invoiced: false,
        }
    }

    fn facts(n: u64) -> EntryFacts {
        EntryFacts {
            valuation: Valuation {
                raw_seconds: n as i64,
                billed_seconds: n as i64,
                amount: None,
            },
            ..Entries::PLACEHOLDER
        }
    }

    #[test]
    fn dense_entries_and_facts_stay_indexed_together_through_removals() {
        let id = |n| EntryId(Ulid::from_parts(n, 9));
        let mut store = Entries::default();
        for n in 0..10 {
            store.insert(entry(n));
            store.set_facts(&id(n), facts(n));
        }
        assert_eq!(store.remove(&id(0)).map(|e| e.note), Some("entry 0".into()));
        assert_eq!(store.remove(&id(5)).map(|e| e.note), Some("entry 5".into()));
        assert!(store.remove(&id(42)).is_none());
        // Replacing an entry keeps its place and its facts until they are recomputed.
        store.insert(TimeEntry {
            note: "edited".into(),
            ..entry(3)
        });
        store.set_facts(&id(7), facts(77));
        assert_eq!(store.len(), 8);
        assert_eq!(store.values().count(), 8);
        assert_eq!(store.all_facts().count(), 8);
        for n in [1, 2, 3, 4, 6, 7, 8, 9] {
            let e = store.get(&id(n)).unwrap();
            assert_eq!(e.id(), id(n));
            assert_eq!(
                e.facts().valuation.raw_seconds,
                if n == 7 { 77 } else { n as i64 }
            );
            let expected = if n == 7 { 77 } else { n as i64 };
            assert_eq!(
                store.facts(&id(n)).unwrap().valuation.raw_seconds,
                expected,
                "entry {n}"
            );
        }
        assert_eq!(store.get(&id(3)).unwrap().note(), "edited");
        assert!(store.get(&id(0)).is_none() && store.facts(&id(5)).is_none());
        // Running timers are found without a scan, and forgotten once stopped or removed.
        let running = |n: u64| TimeEntry {
            time: EntryTime::Running {
                start: jiff::Timestamp::UNIX_EPOCH,
            },
            ..entry(n)
        };
        store.insert(running(4));
        store.insert(running(30));
        let mut ids: Vec<EntryId> = store.running().map(|e| e.id()).collect();
        ids.sort();
        assert_eq!(ids, [id(4), id(30)]);
        store.insert(entry(4));
        store.remove(&id(30));
        assert_eq!(store.running().count(), 0);
        // Each member's entries stay listed through moves, edits that change the member, and
        // removals.
        let other = MemberId(Ulid::from_parts(1, 3));
        store.insert(TimeEntry {
            member: other,
            ..entry(8)
        });
        store.insert(TimeEntry {
            member: other,
            ..entry(40)
        });
        store.remove(&id(1));
        let mut mine: Vec<EntryId> = store.of_member(entry(0).member).map(|e| e.id()).collect();
        mine.sort();
        assert_eq!(mine, [id(2), id(3), id(4), id(6), id(7), id(9)]);
        let mut theirs: Vec<EntryId> = store.of_member(other).map(|e| e.id()).collect();
        theirs.sort();
        assert_eq!(theirs, [id(8), id(40)]);
        for e in store.values() {
            assert_eq!(store.get(&e.id()).map(|g| g.id()), Some(e.id()));
        }
        // A new entry's facts are a placeholder that no report counts.
        store.insert(entry(20));
        assert_eq!(store.facts(&id(20)).unwrap().codes, Codes::default());
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Insert or replace entry `n` for member `m`, with a time, note and tags of its own.
        Put {
            n: u8,
            m: u8,
            /// 0: running, 1: a span, 2: a duration.
            kind: u8,
            nanos: u32,
            /// The note's length in characters (of two bytes each).
            note: u16,
            tags: u8,
        },
        Remove {
            n: u8,
        },
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            3 => (0u8..24, 0u8..3, 0u8..3, 0u32..1_000_000_000, 0u16..400, 0u8..4)
                .prop_map(|(n, m, kind, nanos, note, tags)| Op::Put { n, m, kind, nanos, note, tags }),
            1 => (0u8..24).prop_map(|n| Op::Remove { n }),
        ]
    }

    proptest::proptest! {
        /// Against a plain map as the model: after any sequence of inserts, replacements (also to
        /// another member) and removals, lookups, each member's list and the running set agree.
        #[test]
        fn the_dense_store_agrees_with_a_map(ops in proptest::collection::vec(op(), 0..120)) {
            let member = |m: u8| MemberId(Ulid::from_parts(1, u128::from(m) + 100));
            let mut store = Entries::default();
            let mut model: std::collections::BTreeMap<u8, TimeEntry> = Default::default();
            for op in ops {
                match op {
                    Op::Put { n, m, kind, nanos, note, tags } => {
                        let start = jiff::Timestamp::new(1_700_000_000 + i64::from(n), nanos as i32).unwrap();
                        let time = match kind {
                            0 => EntryTime::Running { start },
                            1 => EntryTime::Span { start, end: start + jiff::SignedDuration::from_secs(i64::from(note) + 1) },
                            _ => EntryTime::Duration { date: Date::constant(2026, 12, 31), seconds: i64::from(nanos % 90_000) },
                        };
                        let e = TimeEntry {
                            member: member(m),
                            time,
                            note: format!("{n}:{}", "é".repeat(usize::from(note))),
                            tags: (0..tags).map(|t| TagId(Ulid::from_parts(7, u128::from(t)))).collect(),
                            project: (m != 2).then(|| ProjectId(Ulid::from_parts(1, 2))),
                            task: (m == 1).then(|| TaskId(Ulid::from_parts(1, 5))),
                            billable: nanos % 2 == 0,
                            ..entry(u64::from(n))
                        };
                        store.insert(e.clone());
                        store.set_facts(&e.id, facts(u64::from(n)));
                        model.insert(n, e);
                    }
                    Op::Remove { n } => {
                        let removed = store.remove(&EntryId(Ulid::from_parts(u64::from(n), 9)));
                        proptest::prop_assert_eq!(removed.map(|e| e.id), model.remove(&n).map(|e| e.id));
                    }
                }
            }
            proptest::prop_assert_eq!(store.len(), model.len());
            // Replaced and removed notes are reclaimed: the text never holds more than half stale
            // bytes beyond the first 4 KiB.
            let live: usize = model.values().map(|e| e.note.len()).sum();
            proptest::prop_assert!(store.notes.len() <= (live + 4096).max(2 * live));
            for (n, e) in &model {
                let stored = store.get(&e.id).map(|g| g.to_entry());
                proptest::prop_assert_eq!(stored.as_ref(), Some(e));
                proptest::prop_assert_eq!(store.facts(&e.id).map(|f| f.valuation.raw_seconds), Some(i64::from(*n)));
            }
            for m in 0..3 {
                let mut listed: Vec<EntryId> = store.of_member(member(m)).map(|e| e.id()).collect();
                listed.sort();
                let expected: Vec<EntryId> = model.values().filter(|e| e.member == member(m)).map(|e| e.id).collect();
                proptest::prop_assert_eq!(listed, expected);
            }
            let mut running: Vec<EntryId> = store.running().map(|e| e.id()).collect();
            running.sort();
            let expected: Vec<EntryId> = model.values().filter(|e| e.is_running()).map(|e| e.id).collect();
            proptest::prop_assert_eq!(running, expected);
        }
    }
}
