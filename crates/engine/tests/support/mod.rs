//! What several engine stories start from.
// Each test binary compiles this module and uses part of it.
#![allow(dead_code)]

use stint_domain::OrgId;
use stint_engine::*;

/// A new vault at `dir` with one organization, "Acme" (EUR, en-US, UTC), owned by this device's
/// user "Olive".
pub async fn acme(dir: &std::path::Path, keys: &MemoryKeyStore) -> (Engine, OrgId) {
    organization(
        dir,
        keys,
        NewOrganization {
            name: "Acme".into(),
            currency: "EUR".into(),
            locale: "en-US".into(),
            time_zone: "UTC".into(),
            week_start: None,
            owner_name: "Olive".into(),
        },
    )
    .await
}

/// A new vault at `dir` with the one organization `org`.
pub async fn organization(
    dir: &std::path::Path,
    keys: &MemoryKeyStore,
    org: NewOrganization,
) -> (Engine, OrgId) {
    let mut engine = Engine::create(dir, Unlock::Keyring(keys)).await.unwrap();
    let org = engine.create_organization(org).await.unwrap();
    (engine, org)
}
