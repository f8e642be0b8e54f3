//! A new recovery key for the account (`stint recovery-kit`): made on an enrolled device, the
//! account key wrapped under it replaces the server's copy, and the old key stops opening it. The
//! account key itself does not change, so no device or record is touched (a server that kept the
//! old wrapping could still open it with the old key: docs/sync.md, "Keys").

use stint_crypto::{RecoveryKey, unwrap_account_key, wrap_account_key};

use crate::sync::{Transport, sync_error};
use crate::{Engine, Result};

/// A recovery key made but not yet in force: show or save it first, then
/// [`Engine::replace_recovery_key`].
#[derive(Debug)]
pub struct NewRecoveryKey {
    /// The key; its text goes on the kit.
    pub key: RecoveryKey,
    /// The account's identity fingerprint, for the kit.
    pub identity_fingerprint: String,
    wrapped: Vec<u8>,
}

impl Engine {
    /// Makes a new recovery key and the account key's wrapping under it; nothing changes yet.
    pub async fn new_recovery_key(&self) -> Result<NewRecoveryKey> {
        let account = self.account().await?;
        let key = RecoveryKey::generate();
        let account_key = self.account_key().await?;
        let user = account.user.to_bytes();
        Ok(NewRecoveryKey {
            wrapped: wrap_account_key(&key, &account_key, &user),
            identity_fingerprint: account.identity.public(user).fingerprint(),
            key,
        })
    }

    /// Puts the new key in force: the server's copy of the account key is replaced by the one
    /// under the new key, read back and opened here with it. A recovery key from set-up still
    /// kept on this device for showing is forgotten: it no longer opens anything.
    pub async fn replace_recovery_key<T: Transport>(
        &self,
        t: &T,
        new: &NewRecoveryKey,
    ) -> Result<()> {
        let user = self
            .sync_account()
            .await?
            .ok_or_else(|| sync_error("this device is not set up for sync yet"))?;
        t.replace_recovery(&new.wrapped).await.map_err(sync_error)?;
        let stored = t
            .identity()
            .await
            .map_err(sync_error)?
            .ok_or_else(|| sync_error("the server lost this account's identity"))?;
        let opened = unwrap_account_key(&new.key, &stored.wrapped_account_key, &user.to_bytes())
            .map_err(|_| {
                sync_error("the server did not keep the new recovery key: make a new kit again")
            })?;
        if opened.expose_secret() != self.account_key().await?.expose_secret() {
            return Err(sync_error(
                "the server did not keep the new recovery key: make a new kit again",
            ));
        }
        self.forget_recovery_key().await
    }
}

impl Engine {
    /// The kit for `new` as a one-page PDF (made today by this engine's clock, in UTC). The
    /// buffer is wiped on drop.
    pub fn recovery_kit_pdf(
        &self,
        new: &NewRecoveryKey,
        email: &str,
        server: &str,
        paper: crate::PaperSize,
    ) -> Result<stint_vault::Zeroizing<Vec<u8>>> {
        self.kit_pdf(&new.key, &new.identity_fingerprint, email, server, paper)
    }

    /// The kit for the recovery key of this device's set-up, while it is kept for showing
    /// ([`Engine::pending_recovery_key`]): the same key, on paper.
    pub async fn set_up_recovery_kit_pdf(
        &self,
        email: &str,
        server: &str,
        paper: crate::PaperSize,
    ) -> Result<stint_vault::Zeroizing<Vec<u8>>> {
        let key = self.pending_recovery_key().await?.ok_or_else(|| {
            sync_error("the recovery key was shown and forgotten already; make a new kit instead")
        })?;
        let fingerprint = self.account_fingerprint().await?;
        self.kit_pdf(&key, &fingerprint, email, server, paper)
    }

    /// Checks that the person kept the recovery key of this device's set-up: each of `typed` is
    /// one of its groups (numbered from 1) as they read it from their copy, case and spaces aside.
    /// Then, and only then, the key is forgotten here. A group that differs says which, and
    /// keeps the key for showing again.
    pub async fn confirm_recovery_key_kept(&self, typed: &[(usize, &str)]) -> Result<()> {
        let key = self.pending_recovery_key().await?.ok_or_else(|| {
            sync_error("the recovery key was shown and forgotten already; make a new kit instead")
        })?;
        if typed.len() < 2 {
            return Err(stint_domain::ValidationError::new(
                "type two groups of the recovery key back",
            )
            .into());
        }
        let text = key.to_text();
        let groups: Vec<&str> = text.split('-').collect();
        for (number, group) in typed {
            if !group_matches(&groups, *number, group) {
                return Err(stint_domain::ValidationError::new(format!(
                    "group {number} does not match the recovery key: look at your copy again"
                ))
                .into());
            }
        }
        self.forget_recovery_key().await
    }

    fn kit_pdf(
        &self,
        key: &RecoveryKey,
        identity_fingerprint: &str,
        email: &str,
        server: &str,
        paper: crate::PaperSize,
    ) -> Result<stint_vault::Zeroizing<Vec<u8>>> {
        let text = key.to_text();
        let kit = stint_invoice_pdf::RecoveryKit {
            email,
            server,
            recovery_key: &text,
            identity_fingerprint,
            made: jiff::tz::TimeZone::UTC.to_datetime(self.now()).date(),
            paper: match paper {
                crate::PaperSize::A4 => stint_invoice_pdf::Paper::A4,
                crate::PaperSize::Letter => stint_invoice_pdf::Paper::Letter,
            },
        };
        stint_invoice_pdf::render_recovery_kit(&kit)
            .map(stint_vault::Zeroizing::new)
            .map_err(|e| sync_error(format!("the recovery kit could not be made: {e}")))
    }
}

/// Whether `typed` is group `number` (from 1) of `groups`, as a person copies it: case, spaces and
/// hyphens aside.
fn group_matches(groups: &[&str], number: usize, typed: &str) -> bool {
    let typed: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    number
        .checked_sub(1)
        .and_then(|i| groups.get(i))
        .is_some_and(|group| group.eq_ignore_ascii_case(&typed))
}

#[cfg(test)]
mod tests {
    use super::group_matches;

    #[test]
    fn a_group_is_read_as_a_person_copies_it() {
        let groups = ["AB12", "CD34", "EF56"];
        assert!(group_matches(&groups, 1, "AB12"));
        assert!(group_matches(&groups, 2, " cd34 "));
        assert!(group_matches(&groups, 3, "ef-56"));
        assert!(
            !group_matches(&groups, 2, "AB12"),
            "another group's letters"
        );
        assert!(!group_matches(&groups, 1, "AB1"), "too short");
        assert!(!group_matches(&groups, 0, "AB12"), "groups count from 1");
        assert!(!group_matches(&groups, 4, "AB12"), "no fourth group");
        assert!(!group_matches(&groups, 1, ""), "nothing typed");
    }
}
