//! What several engine stories start from.

use stint_domain::OrgId;
use stint_engine::*;

/// A new vault at `dir` with one organization, "Acme" (EUR, en-US, UTC), owned by this device's
/// user "Olive".
pub async fn acme(dir: &std::path::Path, keys: &MemoryKeyStore) -> (Engine, OrgId) {
    let mut engine = Engine::create(dir, Unlock::Keyring(keys)).await.unwrap();
    let org = engine
        .create_organization(NewOrganization {
            name: "Acme".into(),
            currency: "EUR".into(),
            locale: "en-US".into(),
            time_zone: "UTC".into(),
            week_start: None,
            owner_name: "Olive".into(),
        })
        .await
        .unwrap();
    (engine, org)
}
