//! How domain objects become record payloads, and back. The header's `kind` names the payload type;
//! the payload is the object's JSON (see docs/formats.md). Deleting writes a tombstone with an empty
//! payload.

use serde::Serialize;
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
        }
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
        }
    }

    /// The payload bytes.
    pub fn encode(&self) -> Vec<u8> {
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
        }
    }

    /// The member a time entry, timer or expense belongs to (its "own" field).
    pub fn owner(&self) -> Option<MemberId> {
        match self {
            Record::TimeEntry(e) => Some(e.member),
            Record::Expense(x) => Some(x.member),
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
        Ok(Some(record))
    }

    /// Decode a payload of `kind`.
    pub fn decode(kind: Kind, bytes: &[u8]) -> Result<Record, String> {
        let err = |e: serde_json::Error| format!("{kind:?} payload: {e}");
        Ok(match kind {
            Kind::Organization => Record::Organization(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Member => Record::Member(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Client => Record::Client(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Project => Record::Project(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Task => Record::Task(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Tag => Record::Tag(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Rate => Record::Rate(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Budget => Record::Budget(serde_json::from_slice(bytes).map_err(err)?),
            Kind::TimeEntry => Record::TimeEntry(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Expense => Record::Expense(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Invoice => Record::Invoice(serde_json::from_slice(bytes).map_err(err)?),
            Kind::BillingProfile => {
                Record::BillingProfile(serde_json::from_slice(bytes).map_err(err)?)
            }
            Kind::ClientBilling => {
                Record::ClientBilling(serde_json::from_slice(bytes).map_err(err)?)
            }
            Kind::Recurring => Record::Recurring(serde_json::from_slice(bytes).map_err(err)?),
            Kind::Attachment => return Err("attachments are not records".into()),
        })
    }
}
