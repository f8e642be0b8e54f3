//! How domain objects become record payloads, and back. The header's `kind` names the payload type;
//! the payload is format 2, the object's fields each with the clock of its last write
//! (`stint_domain::payload`, docs/formats.md); older vaults hold format 1, the object's JSON, which
//! is still read. Deleting writes a tombstone with an empty payload.

use serde::Serialize;
use serde::de::DeserializeOwned;
use stint_domain::payload::{self, Clock, Fields};
use stint_domain::*;
use stint_vault::Header;

/// Checks that a record fetched by id as an attachment (a logo, a receipt) is one, in the
/// attachments' compartment: otherwise another record's plaintext would be handed out as file
/// bytes.
pub fn check_attachment(header: &Header) -> Result<(), String> {
    match Kind::from_u16(header.kind) {
        Some(Kind::Attachment) => check_compartment(Kind::Attachment, header),
        Some(kind) => Err(format!("it is a {kind:?} record, not an attachment")),
        None => Err(format!(
            "it is a record of unknown kind {}, not an attachment",
            header.kind
        )),
    }
}
/// The header's compartment must be the one `kind` belongs in: a finance record under the team key
/// (which every Member holds) must not count, nor a team record under the finance key.
fn check_compartment(kind: Kind, header: &Header) -> Result<(), String> {
    let expected = kind.compartment();
    if header.compartment == expected as u8 {
        return Ok(());
    }
    let name = |c: u8| {
        Compartment::from_u8(c).map_or_else(|| format!("unknown ({c})"), |c| c.name().to_owned())
    };
    Err(format!(
        "a {kind:?} record in the {} compartment; it belongs in {}",
        name(header.compartment),
        name(expected as u8)
    ))
}

/// A billing mark is the one of its work (its id derived from the work's, so that no second mark
/// can name the same work) and belongs to the work's member.
fn check_mark(mark: &BillingMark) -> Result<(), String> {
    if mark.id != crate::invoicing::billing_mark_id(mark.work()) {
        return Err("a billing mark whose id is not its work's".into());
    }
    if mark.member != mark.billed.member() {
        return Err("a billing mark naming another member than its work's".into());
    }
    Ok(())
}

/// A decoded record.
#[derive(Clone, Debug)]
pub enum Record {
    /// An organization's profile and settings.
    Organization(Organization),
    /// A member.
    Member(Member),
    /// A client.
    Client(Client),
    /// A project.
    Project(Project),
    /// A task.
    Task(Task),
    /// A tag.
    Tag(Tag),
    /// A rate rule.
    Rate(Rate),
    /// A budget.
    Budget(Budget),
    /// A time entry or running timer.
    TimeEntry(TimeEntry),
    /// An expense.
    Expense(Expense),
    /// An invoice or credit note.
    Invoice(Box<Invoice>),
    /// The organization's billing profile.
    BillingProfile(Box<BillingProfile>),
    /// A client's billing details.
    ClientBilling(Box<ClientBilling>),
    /// A recurring invoice.
    Recurring(Box<RecurringInvoice>),
    /// Which invoice bills a time entry or an expense.
    BillingMark(Box<BillingMark>),
}

impl Record {
    /// Its kind.
    pub fn kind(&self) -> Kind {
        match self {
            Record::Organization(_) => Kind::Organization,
            Record::Member(_) => Kind::Member,
            Record::Client(_) => Kind::Client,
            Record::Project(_) => Kind::Project,
            Record::Task(_) => Kind::Task,
            Record::Tag(_) => Kind::Tag,
            Record::Rate(_) => Kind::Rate,
            Record::Budget(_) => Kind::Budget,
            Record::TimeEntry(_) => Kind::TimeEntry,
            Record::Expense(_) => Kind::Expense,
            Record::Invoice(_) => Kind::Invoice,
            Record::BillingProfile(_) => Kind::BillingProfile,
            Record::ClientBilling(_) => Kind::ClientBilling,
            Record::Recurring(_) => Kind::Recurring,
            Record::BillingMark(_) => Kind::BillingMark,
        }
    }

    /// The `owner` its header names: [`Record::owner`]'s bytes, all zero for the organization's
    /// own records (`Kind::has_owner`).
    pub fn header_owner(&self) -> [u8; 16] {
        self.owner().map_or([0; 16], |member| member.to_bytes())
    }

    /// The record id in its header.
    pub fn id(&self) -> [u8; 16] {
        match self {
            Record::Organization(r) => r.id.to_bytes(),
            Record::Member(r) => r.id.to_bytes(),
            Record::Client(r) => r.id.to_bytes(),
            Record::Project(r) => r.id.to_bytes(),
            Record::Task(r) => r.id.to_bytes(),
            Record::Tag(r) => r.id.to_bytes(),
            Record::Rate(r) => r.id.to_bytes(),
            Record::Budget(r) => r.id.to_bytes(),
            Record::TimeEntry(r) => r.id.to_bytes(),
            Record::Expense(r) => r.id.to_bytes(),
            Record::Invoice(r) => r.id.to_bytes(),
            Record::BillingProfile(r) => r.id.to_bytes(),
            Record::ClientBilling(r) => r.id.to_bytes(),
            Record::Recurring(r) => r.id.to_bytes(),
            Record::BillingMark(r) => r.id.to_bytes(),
        }
    }

    /// The record's fields in declaration order, each MessagePack-encoded: what a format 2
    /// payload carries (docs/formats.md).
    pub fn values(&self) -> Result<Vec<(u16, Vec<u8>)>, String> {
        let values = match self {
            Record::Organization(r) => payload::split(r),
            Record::Member(r) => payload::split(r),
            Record::Client(r) => payload::split(r),
            Record::Project(r) => payload::split(r),
            Record::Task(r) => payload::split(r),
            Record::Tag(r) => payload::split(r),
            Record::Rate(r) => payload::split(r),
            Record::Budget(r) => payload::split(r),
            Record::TimeEntry(r) => payload::split(r),
            Record::Expense(r) => payload::split(r),
            Record::Invoice(r) => payload::split(r.as_ref()),
            Record::BillingProfile(r) => payload::split(r.as_ref()),
            Record::ClientBilling(r) => payload::split(r.as_ref()),
            Record::Recurring(r) => payload::split(r.as_ref()),
            Record::BillingMark(r) => payload::split(r.as_ref()),
        };
        values.map_err(|e| format!("{:?} record: {e}", self.kind()))
    }

    /// A new record's format 2 payload, every field written at `clock`.
    pub fn encode_fresh(&self, clock: Clock) -> Result<Vec<u8>, String> {
        Ok(Fields::fresh(self.values()?, clock).to_bytes())
    }

    /// The format 1 payload (the record's JSON): what vaults wrote before format 2, kept for
    /// tests of reading them and as bench B1's baseline of the old format.
    pub fn encode_json(&self) -> Vec<u8> {
        fn json<T: Serialize>(value: &T) -> Vec<u8> {
            // Serializing these plain structs cannot fail: no maps with non-string keys, no I/O.
            serde_json::to_vec(value).unwrap_or_default()
        }
        match self {
            Record::Organization(r) => json(r),
            Record::Member(r) => json(r),
            Record::Client(r) => json(r),
            Record::Project(r) => json(r),
            Record::Task(r) => json(r),
            Record::Tag(r) => json(r),
            Record::Rate(r) => json(r),
            Record::Budget(r) => json(r),
            Record::TimeEntry(r) => json(r),
            Record::Expense(r) => json(r),
            Record::Invoice(r) => json(r),
            Record::BillingProfile(r) => json(r),
            Record::ClientBilling(r) => json(r),
            Record::Recurring(r) => json(r),
            Record::BillingMark(r) => json(r),
        }
    }

    /// The names of `kind`'s fields, by index (empty for attachments and write log entries).
    pub fn field_names(kind: Kind) -> &'static [&'static str] {
        use payload::field_names as names;
        match kind {
            Kind::Organization => names::<Organization>(),
            Kind::Member => names::<Member>(),
            Kind::Client => names::<Client>(),
            Kind::Project => names::<Project>(),
            Kind::Task => names::<Task>(),
            Kind::Tag => names::<Tag>(),
            Kind::Rate => names::<Rate>(),
            Kind::Budget => names::<Budget>(),
            Kind::TimeEntry => names::<TimeEntry>(),
            Kind::Expense => names::<Expense>(),
            Kind::Invoice => names::<Invoice>(),
            Kind::BillingProfile => names::<BillingProfile>(),
            Kind::ClientBilling => names::<ClientBilling>(),
            Kind::Recurring => names::<RecurringInvoice>(),
            Kind::BillingMark => names::<BillingMark>(),
            Kind::Attachment | Kind::TeamLog | Kind::FinanceLog => &[],
        }
    }

    /// The member a time entry, timer or expense belongs to (its "own" field), and so its
    /// billing mark.
    pub fn owner(&self) -> Option<MemberId> {
        match self {
            Record::TimeEntry(e) => Some(e.member),
            Record::Expense(x) => Some(x.member),
            Record::BillingMark(m) => Some(m.member),
            _ => None,
        }
    }

    /// Decodes a record read at unlock and ties its content to its header: the kind is known and
    /// its compartment is the header's, the payload decodes as that kind, and the payload's id is
    /// the header's record id (an organization's profile also names the header's organization).
    /// `Ok(None)` for a tombstone. No allocation beyond the decoding unless something fails.
    ///
    /// The payload carries no kind of its own: the header's kind chooses the decoder, so the decoded
    /// record's kind is the header's by construction (checked anyway, for a future decoder that
    /// reads a kind from the payload). Whether an entry's or expense's member may be written by the
    /// header's author needs the organization's members, so the engine checks it once all records
    /// are decoded (`Engine::open`).
    pub fn decode_checked(header: &Header, plaintext: &[u8]) -> Result<Option<Record>, String> {
        let kind = Kind::from_u16(header.kind)
            .ok_or_else(|| format!("unknown record kind {}", header.kind))?;
        check_compartment(kind, header)?;
        if header.tombstone {
            return Ok(None);
        }
        let record = Record::decode(kind, plaintext)?;
        if record.kind() != kind {
            return Err(format!(
                "the payload is a {:?} record, the header says {kind:?}",
                record.kind()
            ));
        }
        if record.id() != header.record {
            return Err(format!(
                "the payload's id {} is not the header's record id",
                ulid::Ulid::from_bytes(record.id())
            ));
        }
        if let Record::Organization(org) = &record
            && org.id.to_bytes() != header.org
        {
            return Err("an organization's profile stored under another organization's id".into());
        }
        if let Record::BillingMark(mark) = &record {
            check_mark(mark)?;
        }
        Ok(Some(record))
    }

    /// Decode a payload of `kind`: format 2, or format 1 (JSON) as older versions wrote.
    pub fn decode(kind: Kind, bytes: &[u8]) -> Result<Record, String> {
        if payload::is_format2(bytes) {
            Record::decode_with::<Format2>(kind, bytes)
        } else {
            Record::decode_with::<Json>(kind, bytes)
        }
    }

    fn decode_with<D: Decoder>(kind: Kind, bytes: &[u8]) -> Result<Record, String> {
        let at = |e: String| format!("{kind:?} payload: {e}");
        Ok(match kind {
            Kind::Organization => Record::Organization(D::read(bytes).map_err(at)?),
            Kind::Member => Record::Member(D::read(bytes).map_err(at)?),
            Kind::Client => Record::Client(D::read(bytes).map_err(at)?),
            Kind::Project => Record::Project(D::read(bytes).map_err(at)?),
            Kind::Task => Record::Task(D::read(bytes).map_err(at)?),
            Kind::Tag => Record::Tag(D::read(bytes).map_err(at)?),
            Kind::Rate => Record::Rate(D::read(bytes).map_err(at)?),
            Kind::Budget => Record::Budget(D::read(bytes).map_err(at)?),
            Kind::TimeEntry => Record::TimeEntry(D::read(bytes).map_err(at)?),
            Kind::Expense => Record::Expense(D::read(bytes).map_err(at)?),
            Kind::Invoice => Record::Invoice(D::read(bytes).map_err(at)?),
            Kind::BillingProfile => Record::BillingProfile(D::read(bytes).map_err(at)?),
            Kind::ClientBilling => Record::ClientBilling(D::read(bytes).map_err(at)?),
            Kind::Recurring => Record::Recurring(D::read(bytes).map_err(at)?),
            Kind::BillingMark => Record::BillingMark(D::read(bytes).map_err(at)?),
            Kind::Attachment => return Err("attachments are not records".into()),
            Kind::TeamLog | Kind::FinanceLog => {
                return Err("write log entries are not records".into());
            }
        })
    }
}

/// A payload format's reader.
trait Decoder {
    fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String>;
}

struct Format2;

impl Decoder for Format2 {
    fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
        payload::decode(bytes).map_err(|e| e.to_string())
    }
}

struct Json;

impl Decoder for Json {
    fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(member: MemberId) -> TimeEntry {
        TimeEntry {
            id: EntryId(ulid::Ulid::from_parts(1, 1)),
            member,
            project: Some(ProjectId(ulid::Ulid::from_parts(2, 2))),
            task: None,
            time: EntryTime::Duration {
                date: jiff::civil::date(2026, 11, 30),
                seconds: 3600,
            },
            note: "homepage".into(),
            billable: true,
            tags: vec![],
            invoiced: false,
        }
    }

    /// A mark is the one of its work and its member's: any other is refused on arrival.
    #[test]
    fn a_billing_mark_must_be_its_works() {
        let mia = MemberId(ulid::Ulid::from_parts(3, 3));
        let bob = MemberId(ulid::Ulid::from_parts(4, 4));
        let work = entry(mia);
        let mark = BillingMark {
            id: crate::invoicing::billing_mark_id(Work::Entry(work.id)),
            member: mia,
            billed: Billed::Entry(work),
            invoice: Some(InvoiceId(ulid::Ulid::from_parts(5, 5))),
        };
        assert_eq!(check_mark(&mark), Ok(()));
        let second = BillingMark {
            id: BillingId(ulid::Ulid::from_parts(6, 6)),
            ..mark.clone()
        };
        assert!(check_mark(&second).unwrap_err().contains("id"));
        let claimed = BillingMark {
            member: bob,
            ..mark
        };
        assert!(check_mark(&claimed).unwrap_err().contains("member"));
    }
}
