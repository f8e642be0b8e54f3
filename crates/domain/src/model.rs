//! Organizations, members and the catalog (clients, projects, tasks, tags).
//!
//! Catalog items are archived, never deleted, because time entries and invoices refer to them.

use crate::ids::*;
use crate::money::Currency;
use crate::role::Role;
use crate::rounding::Rounding;
use crate::validate::{self, ValidationError};
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// The day a week starts on, for week views and weekly reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum WeekStart {
    /// ISO weeks.
    Monday,
    /// As in the US.
    Sunday,
    /// As in parts of the Middle East.
    Saturday,
}

impl WeekStart {
    /// As jiff's weekday.
    pub fn weekday(self) -> Weekday {
        match self {
            WeekStart::Monday => Weekday::Monday,
            WeekStart::Sunday => Weekday::Sunday,
            WeekStart::Saturday => Weekday::Saturday,
        }
    }
}

/// How durations are shown: as a clock ("1:30") or in decimal hours ("1.50").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum DurationStyle {
    /// Hours and minutes, "1:30" (as Harvest and Toggl show time).
    #[default]
    Clock,
    /// Decimal hours, "1.50" (as spreadsheets and invoices count).
    Decimal,
}

impl std::str::FromStr for DurationStyle {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "clock" | "h:mm" | "hh:mm" => Ok(DurationStyle::Clock),
            "decimal" | "hours" => Ok(DurationStyle::Decimal),
            _ => Err(ValidationError::new(format!(
                "{s:?} is not a duration style (use clock for 1:30 or decimal for 1.50)"
            ))),
        }
    }
}

impl std::str::FromStr for WeekStart {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "monday" | "mon" => Ok(WeekStart::Monday),
            "sunday" | "sun" => Ok(WeekStart::Sunday),
            "saturday" | "sat" => Ok(WeekStart::Saturday),
            _ => Err(ValidationError::new(format!(
                "{s:?} is not a week start (use monday, sunday or saturday)"
            ))),
        }
    }
}

/// An organization: a freelancer's business or a team.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Organization {
    /// Its id.
    pub id: OrgId,
    /// Display name.
    pub name: String,
    /// Default currency for rates and reports.
    pub currency: Currency,
    /// BCP 47 locale for numbers and dates, e.g. `de-DE`.
    pub locale: String,
    /// IANA time zone in which days and weeks are counted.
    pub time_zone: String,
    /// First day of the week.
    pub week_start: WeekStart,
    /// Default rounding of billable time (clients and projects may override).
    pub rounding: Option<Rounding>,
    /// Nothing dated before this day may be changed.
    #[ts(type = "string | null")]
    pub lock_before: Option<Date>,
    /// The logo (a PNG stored encrypted as an attachment), shown on invoices.
    #[serde(default)]
    pub logo: Option<AttachmentId>,
    /// How durations are shown (records from before it read as the clock style).
    #[serde(default)]
    pub duration_style: DurationStyle,
}

impl Organization {
    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.name = validate::name("organization", &self.name)?;
        validate_time_zone(&self.time_zone)?;
        validate_locale(&self.locale)?;
        Ok(self)
    }

    /// The organization's time zone.
    pub fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// An IANA time zone name known to the bundled database.
pub fn validate_time_zone(name: &str) -> Result<(), ValidationError> {
    jiff::tz::TimeZone::get(name).map(|_| ()).map_err(|_| {
        ValidationError::new(format!(
            "{name:?} is not a time zone (use an IANA name such as Europe/Berlin)"
        ))
    })
}

/// A plausible BCP 47 tag: letters, digits and hyphens, starting with a 2-3 letter language.
pub fn validate_locale(tag: &str) -> Result<(), ValidationError> {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    let ok = (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(format!(
            "{tag:?} is not a locale (use e.g. en-US or de-DE)"
        )))
    }
}

/// A member of an organization.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Member {
    /// Its id.
    pub id: MemberId,
    /// Display name.
    pub name: String,
    /// Role in the organization.
    pub role: Role,
    /// False once removed; kept because their entries remain.
    pub active: bool,
}

impl Member {
    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.name = validate::name("member", &self.name)?;
        Ok(self)
    }
}

/// A client the organization works for.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Client {
    /// Its id.
    pub id: ClientId,
    /// Display name.
    pub name: String,
    /// Billing currency, if not the organization's.
    pub currency: Option<Currency>,
    /// Rounding for this client's projects, if not the organization's.
    pub rounding: Option<Rounding>,
    /// Free text.
    pub note: String,
    /// Hidden from pickers; history keeps it.
    pub archived: bool,
}

impl Client {
    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.name = validate::name("client", &self.name)?;
        self.note = validate::note(&self.note)?;
        Ok(self)
    }
}

/// A project for a client.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Project {
    /// Its id.
    pub id: ProjectId,
    /// The client.
    pub client: ClientId,
    /// Display name.
    pub name: String,
    /// Whether time on it is billable by default.
    pub billable: bool,
    /// Rounding, if not the client's or organization's.
    pub rounding: Option<Rounding>,
    /// Free text.
    pub note: String,
    /// Hidden from pickers; history keeps it.
    pub archived: bool,
}

impl Project {
    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.name = validate::name("project", &self.name)?;
        self.note = validate::note(&self.note)?;
        Ok(self)
    }
}

/// A task within a project.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Task {
    /// Its id.
    pub id: TaskId,
    /// The project.
    pub project: ProjectId,
    /// Display name.
    pub name: String,
    /// Overrides the project's billable default when set.
    pub billable: Option<bool>,
    /// Hidden from pickers; history keeps it.
    pub archived: bool,
}

impl Task {
    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.name = validate::name("task", &self.name)?;
        Ok(self)
    }
}

/// A tag for entries.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Tag {
    /// Its id.
    pub id: TagId,
    /// Display name.
    pub name: String,
    /// Hidden from pickers; history keeps it.
    pub archived: bool,
}

impl Tag {
    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.name = validate::name("tag", &self.name)?;
        Ok(self)
    }
}

/// The rounding that applies to a project: the project's own, else its client's, else the organization's.
pub fn effective_rounding(
    org: &Organization,
    client: Option<&Client>,
    project: &Project,
) -> Option<Rounding> {
    project
        .rounding
        .or(client.and_then(|c| c.rounding))
        .or(org.rounding)
}

/// Whether a date falls inside the organization's locked period.
pub fn is_locked(org: &Organization, date: Date) -> bool {
    org.lock_before.is_some_and(|lock| date < lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_time_zone_and_locale() {
        assert!(validate_time_zone("Europe/Berlin").is_ok());
        assert!(validate_time_zone("Mars/Olympus").is_err());
        assert!(validate_locale("de-DE").is_ok());
        assert!(validate_locale("en").is_ok());
        assert!(validate_locale("d").is_err());
        assert!(validate_locale("de_DE").is_err());
    }
}
