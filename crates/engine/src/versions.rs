//! New versions of records. A version's payload is format 2 (`stint_domain::payload`): each field
//! with the clock of the write that set it. A field this write leaves as it was keeps its clock, so
//! that another device's concurrent change to a different field survives the merge
//! (docs/sync.md, "Merging").

use stint_domain::payload::{self, Clock, Fields};
use stint_domain::{OrgId, ValidationError};
use stint_vault::Write;

use crate::records::Record;
use crate::{ActAs, Engine, Result};

impl Engine {
    /// Writes for new versions of `records`, each at a fresh HLC of this device.
    pub(crate) async fn record_writes(&self, by: &ActAs, records: &[Record]) -> Result<Vec<Write>> {
        self.record_writes_over(by, records, None).await
    }

    /// [`Engine::record_writes`]; a record with no previous version here that equals `defaults`
    /// in some fields gives them [`Clock::DEFAULT`]: for singletons, which two devices may make
    /// offline from the same defaults.
    pub(crate) async fn record_writes_over(
        &self,
        by: &ActAs,
        records: &[Record],
        defaults: Option<&Record>,
    ) -> Result<Vec<Write>> {
        let defaults = defaults
            .map(|d| d.values().map_err(ValidationError::new))
            .transpose()?;
        let device = self.keys.device_id();
        let mut writes = Vec::with_capacity(records.len());
        for record in records {
            let clock = Clock {
                hlc: self.vault.next_hlc(),
                device,
            };
            let values = record.values().map_err(ValidationError::new)?;
            let fields = match self.previous_fields(by.org, record).await? {
                Some(previous) => previous.edit(values, clock),
                None => match &defaults {
                    Some(defaults) => Fields::fresh_over(values, defaults, clock),
                    None => Fields::fresh(values, clock),
                },
            };
            let mut write = self.write_for(
                by,
                record.kind(),
                record.id(),
                record.header_owner(),
                false,
                fields.to_bytes(),
            )?;
            write.header.hlc = clock.hlc;
            writes.push(write);
        }
        Ok(writes)
    }

    /// Writes for records that are new everywhere (seeding, publishing): no previous version is
    /// looked up.
    pub(crate) fn fresh_writes(&self, by: &ActAs, records: &[Record]) -> Result<Vec<Write>> {
        let device = self.keys.device_id();
        records
            .iter()
            .map(|record| {
                let clock = Clock {
                    hlc: self.vault.next_hlc(),
                    device,
                };
                let bytes = record.encode_fresh(clock).map_err(ValidationError::new)?;
                let mut write = self.write_for(
                    by,
                    record.kind(),
                    record.id(),
                    record.header_owner(),
                    false,
                    bytes,
                )?;
                write.header.hlc = clock.hlc;
                Ok(write)
            })
            .collect()
    }

    /// The fields of the version of `record` this vault holds, if it is format 2 and not deleted.
    async fn previous_fields(&self, org: OrgId, record: &Record) -> Result<Option<Fields>> {
        Ok(
            match self
                .vault
                .get(&self.keys, org.to_bytes(), record.id())
                .await?
            {
                Some(Ok(old))
                    if !old.header.tombstone
                        && old.header.kind == record.kind() as u16
                        && payload::is_format2(&old.plaintext) =>
                {
                    Fields::parse(&old.plaintext).ok()
                }
                _ => None,
            },
        )
    }
}
