//! `stint org publish`, `stint device enrol`, `stint sync`: this device's side of sync, through the
//! server `stint account sign-in` signed in to (docs/sync.md).

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use stint_domain::OrgId;
use stint_engine::Engine;
use stint_sync::HttpTransport;
use zeroize::Zeroizing;

#[derive(Subcommand)]
pub enum DeviceCmd {
    /// Enrol this device in your account with your recovery key (from STINT_RECOVERY_KEY or the
    /// terminal); then `stint sync` brings your organizations here
    Enrol,
    /// The devices of your account
    List,
    /// Revoke another device of your account (its id, or a unique beginning of it): its changes
    /// are refused from now on
    Revoke { id: String },
}

async fn transport(engine: &Engine) -> Result<HttpTransport> {
    let account = engine.server_account().await?.ok_or_else(|| {
        anyhow!("not signed in to a sync server; run `stint account sign-in` first")
    })?;
    HttpTransport::new(&account.server, &account.token).map_err(|e| anyhow!(e))
}

/// `stint org publish`: sets up this account's keys on its first use (showing the recovery key
/// once), then publishes the organization and pushes everything in it.
pub async fn publish(json: bool, engine: &mut Engine, org: OrgId) -> Result<()> {
    let t = transport(engine).await?;
    // A set-up whose recovery key may not have been shown (cut short before) shows it now.
    let recovery = if engine.sync_account().await?.is_none() {
        Some(engine.set_up_sync(&t).await?)
    } else {
        engine.pending_recovery_key().await?
    };
    engine.publish(&t, org).await?;
    let reports = engine.sync(&t).await?;
    let pushed: usize = reports.iter().map(|(_, r)| r.pushed).sum();
    let recovery_text = recovery.as_ref().map(|r| r.to_text());
    if json {
        crate::print_json(&serde_json::json!({
            "published": org,
            "pushed": pushed,
            "recovery_key": recovery_text.as_ref().map(|t| t.as_str()),
        }))?;
    } else {
        println!("Published organization {org}; {pushed} change(s) pushed.");
        if let Some(text) = &recovery_text {
            println!();
            println!("Your recovery key (shown this once):");
            println!();
            println!("    {}", text.as_str());
            println!();
            println!(
                "Write it down and keep it somewhere safe. With it, and only with it, a new device"
            );
            println!("opens your organizations (`stint device enrol`) if this one is lost.");
        }
    }
    if recovery.is_some() {
        engine.forget_recovery_key().await?;
    }
    Ok(())
}

fn recovery_key() -> Result<Zeroizing<String>> {
    if let Ok(key) = std::env::var("STINT_RECOVERY_KEY") {
        return Ok(Zeroizing::new(key));
    }
    if !std::io::stdin().is_terminal() {
        bail!("the recovery key is missing: set STINT_RECOVERY_KEY or run in a terminal");
    }
    rpassword::prompt_password("Recovery key: ")
        .map(Zeroizing::new)
        .context("reading the recovery key")
}

/// `stint device enrol`.
pub async fn enrol(json: bool, engine: &mut Engine) -> Result<()> {
    let t = transport(engine).await?;
    let key = recovery_key()?;
    engine.restore_sync(&t, &key).await?;
    let reports = engine.sync(&t).await?;
    let received: usize = reports.iter().map(|(_, r)| r.received).sum();
    if json {
        crate::print_json(&serde_json::json!({ "enrolled": true, "received": received }))?;
    } else {
        println!(
            "This device is enrolled; {} organization(s), {received} record(s) received.",
            reports.len()
        );
    }
    Ok(())
}

/// `stint sync [--watch]`: one round, or a round a minute until interrupted (a failed round, such as
/// being offline, is reported and retried).
pub async fn sync(json: bool, engine: &mut Engine, watch: bool) -> Result<()> {
    let t = transport(engine).await?;
    loop {
        match engine.sync(&t).await {
            Ok(reports) => {
                if json {
                    let list: Vec<serde_json::Value> = reports
                        .iter()
                        .map(|(org, r)| serde_json::json!({ "org": org, "pushed": r.pushed, "received": r.received, "refused": r.refused, "merged": r.merged, "conflicts": r.conflicts, "pending": r.pending }))
                        .collect();
                    crate::print_json(&list)?;
                } else {
                    for (org, r) in &reports {
                        let name = engine
                            .organizations()
                            .into_iter()
                            .find(|o| o.id == *org)
                            .map(|o| o.name)
                            .unwrap_or_else(|| org.to_string());
                        println!(
                            "{name}: {} pushed, {} received, {} refused, {} waiting",
                            r.pushed, r.received, r.refused, r.pending
                        );
                        if r.conflicts > 0 {
                            println!(
                                "  {} field(s) changed on two devices at once: review with `stint conflicts`",
                                r.conflicts
                            );
                        }
                    }
                }
            }
            // Offline, or the server busy: nothing is lost, the next round goes on from here.
            Err(e) if watch => {
                eprintln!("stint: sync did not finish, trying again in a minute: {e}")
            }
            Err(e) => return Err(e.into()),
        }
        if !watch {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

/// `stint device list`.
pub async fn list(json: bool, engine: &Engine) -> Result<()> {
    let t = transport(engine).await?;
    let devices = engine.devices(&t).await?;
    if json {
        return crate::print_json(&devices);
    }
    let mut table = crate::output::Table::new(["", "DEVICE", "CERTIFIED"]);
    for d in devices {
        let when = jiff::Timestamp::from_millisecond(i64::try_from(d.issued_ms).unwrap_or(0))
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        table.row([
            if d.this_device {
                "*".into()
            } else {
                String::new()
            },
            d.id,
            when,
        ]);
    }
    table.print_or("No devices: run `stint org publish` or `stint device enrol` first.");
    Ok(())
}

/// `stint device revoke ID`.
pub async fn revoke(json: bool, engine: &Engine, id: &str) -> Result<()> {
    let t = transport(engine).await?;
    let device = engine.revoke_device(&t, id).await?;
    if json {
        return crate::print_json(&serde_json::json!({ "revoked": device.id }));
    }
    println!(
        "Revoked device {}: its changes are refused from now on.",
        device.id
    );
    Ok(())
}
