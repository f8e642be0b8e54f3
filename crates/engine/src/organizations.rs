//! Which organizations this device holds, finding one by name, and which one to use when none is
//! named: the default (the CLI's `org use`) and the one the desktop app last opened.

use crate::{Engine, OrgSummary, Result, lookup};
use stint_domain::OrgId;

/// The organization commands use when none is named (`stint org use`).
pub(crate) const DEFAULT_ORG_SETTING: &str = "default_org";
/// The organization the desktop app opened last, reopened after the next unlock. Kept apart from
/// the default, so that browsing another organization in the app does not change what a script's
/// `stint` commands act on.
const OPENED_ORG_SETTING: &str = "opened_org";

impl Engine {
    /// Organizations this device holds, with the user's role in each.
    pub fn organizations(&self) -> Vec<OrgSummary> {
        let mut list: Vec<OrgSummary> = self
            .orgs
            .values()
            .map(|state| {
                let org = state.organization();
                OrgSummary {
                    id: org.id,
                    name: org.name.clone(),
                    role: state.members.get(&self.user).map(|m| m.role),
                    currency: org.currency,
                    time_zone: org.time_zone.clone(),
                }
            })
            .collect();
        list.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        list
    }

    /// Find an organization by id or (case-insensitive) name.
    pub fn find_org(&self, name_or_id: &str) -> Result<OrgId> {
        let orgs = self.orgs.values().map(|s| s.organization());
        lookup(
            ("organization", "list them with `stint org list`"),
            name_or_id,
            orgs,
            |o| (o.id, &o.name, false),
        )
    }

    /// The organization used when none is named.
    pub async fn default_org(&self) -> Result<Option<OrgId>> {
        let id = self.stored_org(DEFAULT_ORG_SETTING).await?;
        Ok(id.filter(|id| self.orgs.contains_key(id)).or_else(|| {
            let orgs = self.organizations();
            (orgs.len() == 1).then(|| orgs[0].id)
        }))
    }

    /// Make `org` the default.
    pub async fn set_default_org(&self, org: OrgId) -> Result<()> {
        self.store_org(DEFAULT_ORG_SETTING, org).await
    }

    /// The organization to reopen after unlock: the one opened last (`remember_opened_org`) if this
    /// device still holds it and the user may act there, else the default. `None` when there is
    /// no such organization, and the user chooses.
    pub async fn opened_org(&self) -> Result<Option<OrgId>> {
        let stored = self.stored_org(OPENED_ORG_SETTING).await?;
        let candidate = match stored.filter(|id| self.orgs.contains_key(id)) {
            Some(id) => Some(id),
            None => self.default_org().await?,
        };
        Ok(candidate.filter(|&org| self.act_as_user(org).is_ok()))
    }

    /// Remember `org` as the one opened last.
    pub async fn remember_opened_org(&self, org: OrgId) -> Result<()> {
        self.store_org(OPENED_ORG_SETTING, org).await
    }

    /// Store `org`, which this device must hold, under `setting`.
    async fn store_org(&self, setting: &str, org: OrgId) -> Result<()> {
        self.state(org)?;
        Ok(self.vault.set_setting(setting, &org.to_bytes()).await?)
    }

    async fn stored_org(&self, setting: &str) -> Result<Option<OrgId>> {
        let stored = self.vault.setting(setting).await?;
        Ok(stored
            .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
            .map(OrgId::from_bytes))
    }
}
