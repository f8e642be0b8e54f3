//! `stint org publish`, `stint device enrol|approve|list|revoke`, `stint sync`: this device's side
//! of sync, through the server `stint account sign-in` signed in to (docs/sync.md).

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use stint_domain::OrgId;
use stint_engine::{Engine, EngineError};
use stint_sync::HttpTransport;
use zeroize::Zeroizing;

#[derive(Subcommand)]
pub enum SyncCmd {
    /// Envelopes refused on arrival (a bad signature, an unknown device, changed bytes): kept for
    /// review, never shown, and tried again every round
    Quarantine {
        #[command(subcommand)]
        action: Option<QuarantineCmd>,
    },
}

#[derive(Subcommand)]
pub enum QuarantineCmd {
    /// Forget every organization's refused envelopes
    Clear,
}

#[derive(Subcommand)]
pub enum DeviceCmd {
    /// Enrol this device in your account: it shows a code to type on an enrolled device
    /// (`stint device approve CODE`) and waits; then `stint sync` brings your organizations here
    Enrol {
        /// Enrol with your recovery key instead (from STINT_RECOVERY_KEY or the terminal), when no
        /// other device is at hand
        #[arg(long)]
        recovery_key: bool,
    },
    /// Approve a new device of your account by the code it shows: it receives your account's
    /// keys, sealed so that only it can open them
    Approve { code: String },
    /// The devices of your account: their names, when each was certified and last seen
    List,
    /// Give this device a new name in your account's device list (sealed: the server cannot read
    /// it); it is named after the machine when enrolled
    Rename { name: String },
    /// Revoke another device of your account (its id, or a unique beginning of it): its changes
    /// are refused from now on
    Revoke { id: String },
}

pub(crate) async fn transport(engine: &Engine) -> Result<HttpTransport> {
    let account = engine.server_account().await?.ok_or_else(|| {
        anyhow!("not signed in to a sync server; run `stint account sign-in` first")
    })?;
    stint_sync::connect(engine, account)
        .await
        .map_err(|e| anyhow!(e))
}

/// `stint org publish`: sets up this account's keys on its first use (showing the recovery key
/// once), then publishes the organization and pushes everything in it.
pub async fn publish(json: bool, engine: &mut Engine, org: OrgId) -> Result<()> {
    let t = transport(engine).await?;
    let recovery_text = set_up_if_needed(engine, &t).await?;
    engine.publish(&t, org).await?;
    let reports = engine.sync(&t).await?;
    let pushed: usize = reports.iter().map(|(_, r)| r.pushed).sum();
    if json {
        crate::print_json(&serde_json::json!({
            "published": org,
            "pushed": pushed,
            "recovery_key": recovery_text.as_ref().map(|t| t.as_str()),
        }))?;
    } else {
        println!("Published organization {org}; {pushed} change(s) pushed.");
        if let Some(text) = &recovery_text {
            print_recovery_key(text);
        }
    }
    if recovery_text.is_some() {
        engine.forget_recovery_key().await?;
    }
    Ok(())
}

/// Sets up this account's keys on its first use here. A set-up whose recovery key may not have
/// been shown (cut short before) gives it again, to be shown now.
pub(crate) async fn set_up_if_needed(
    engine: &mut Engine,
    t: &HttpTransport,
) -> Result<Option<Zeroizing<String>>> {
    let key = if engine.sync_account().await?.is_none() {
        Some(engine.set_up_sync(t).await?)
    } else {
        engine.pending_recovery_key().await?
    };
    Ok(key.map(|k| k.to_text()))
}

/// The recovery key, shown once, with what it is for.
pub(crate) fn print_recovery_key(text: &str) {
    println!();
    println!("Your recovery key (shown this once):");
    println!();
    println!("    {text}");
    println!();
    println!("Write it down and keep it somewhere safe. With it, and only with it, a new device");
    println!("opens your organizations (`stint device enrol --recovery-key`) if no device is");
    println!("at hand. For a kit to print instead: `stint recovery-kit --out kit.pdf` (a new");
    println!("key, replacing this one).");
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

/// How long a new device waits for its approval: as long as the server keeps the request.
const ENROL_WAIT: Duration = Duration::from_secs(10 * 60);
/// How often it asks.
const ENROL_POLL: Duration = Duration::from_secs(1);

/// `stint device enrol [--recovery-key]`: by the code an enrolled device approves, or by the
/// recovery key; then one sync round brings everything here.
pub async fn enrol(json: bool, engine: &mut Engine, with_recovery_key: bool) -> Result<()> {
    let t = transport(engine).await?;
    if with_recovery_key {
        let key = recovery_key()?;
        engine.restore_sync(&t, &key).await?;
    } else {
        enrol_by_code(json, engine, &t).await?;
    }
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

/// Shows the code and fingerprint (with `--json`, as a first JSON line), then waits for the
/// answer.
async fn enrol_by_code(json: bool, engine: &mut Engine, t: &HttpTransport) -> Result<()> {
    let waiting = engine.request_enrolment(t).await?;
    let code = waiting.code();
    if json {
        let shown = serde_json::json!({
            "code": code.as_str(),
            "fingerprint": waiting.fingerprint(),
            "expires_in_s": ENROL_WAIT.as_secs(),
        });
        println!("{shown}");
    } else {
        println!("On a device already enrolled in your account, run:");
        println!();
        println!("    stint device approve {}", code.as_str());
        println!();
        println!("This device's fingerprint (the approving device shows the same digits):");
        println!();
        println!("    {}", waiting.fingerprint());
        println!();
        println!("Waiting for the approval (the code lasts ten minutes)…");
    }
    std::io::Write::flush(&mut std::io::stdout()).context("writing the code")?;
    let deadline = tokio::time::Instant::now() + ENROL_WAIT;
    let mut unreachable = false;
    loop {
        match engine.enrolment_answer(t, &waiting).await {
            Ok(Some(answer)) => {
                engine.finish_enrolment(t, waiting, &answer).await?;
                return Ok(());
            }
            Ok(None) => unreachable = false,
            // The network or the server failing for a moment (a laptop changing networks while
            // its person finds the other device): the request lives on, so keep asking. Said once.
            Err(EngineError::Sync(why)) => {
                if !unreachable {
                    eprintln!(
                        "stint: cannot ask the server for the approval ({why}); still waiting"
                    );
                }
                unreachable = true;
            }
            Err(e) => return Err(e.into()),
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("no device approved this one within ten minutes; run `stint device enrol` again");
        }
        tokio::time::sleep(ENROL_POLL).await;
    }
}

/// `stint device approve CODE`.
pub async fn approve(json: bool, engine: &Engine, code: &str) -> Result<()> {
    let t = transport(engine).await?;
    let device = engine.approve_device(&t, code).await?;
    if json {
        return crate::print_json(&device);
    }
    println!("Approved device {}.", device.id);
    println!("Its fingerprint: {}", device.fingerprint);
    println!("The new device shows the same digits; it finishes enrolling by itself.");
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
                    let mut list = Vec::with_capacity(reports.len());
                    for (org, r) in &reports {
                        let mut report = serde_json::to_value(r)?;
                        report["org"] = serde_json::json!(org);
                        list.push(report);
                    }
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
                        if r.quarantined > 0 {
                            println!(
                                "  {} refused envelope(s) kept aside and tried again each round: see `stint sync quarantine`",
                                r.quarantined
                            );
                        }
                        if r.unseen_versions > 0 || r.unseen_log_entries > 0 {
                            println!(
                                "  warning: the server withholds {} change(s) your other devices pushed and {} entry(ies) of their write logs; the devices that made them still hold them",
                                r.unseen_versions, r.unseen_log_entries
                            );
                        }
                        if let Some(problem) = &r.attachment_problem {
                            println!("  not fetched, tried again next round: {problem}");
                        }
                        if r.key_owed {
                            println!(
                                "  someone left: changes wait until an Owner's or Admin's device syncs and moves the keys on"
                            );
                        }
                        if r.set_aside > 0 {
                            println!(
                                "  {} change(s) made before your role changed were not sent (your role no longer allows them) and were undone here: see them with `stint conflicts`",
                                r.set_aside
                            );
                        }
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

/// `stint sync quarantine [clear]`.
pub async fn quarantine(json: bool, engine: &Engine, action: Option<&QuarantineCmd>) -> Result<()> {
    if let Some(QuarantineCmd::Clear) = action {
        let mut cleared = 0;
        for org in engine.organizations() {
            cleared += engine.forget_refused(org.id).await?;
        }
        if json {
            return crate::print_json(&serde_json::json!({ "cleared": cleared }));
        }
        println!("Forgot {cleared} refused envelope(s).");
        return Ok(());
    }
    let held = engine.refused_envelopes().await?;
    if json {
        return crate::print_json(&held);
    }
    let names: std::collections::HashMap<OrgId, String> = engine
        .organizations()
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut table =
        crate::output::Table::new(["ORGANIZATION", "NUMBER", "RECORD", "AUTHOR DEVICE", "WHY"]);
    for q in held {
        table.row([
            names
                .get(&q.org)
                .cloned()
                .unwrap_or_else(|| q.org.to_string()),
            q.seq.to_string(),
            q.record.unwrap_or_else(|| "(unreadable)".into()),
            q.author_device.unwrap_or_default(),
            q.reason,
        ]);
    }
    table.print_or("Nothing refused: every envelope received so far passed its checks.");
    Ok(())
}

/// `stint device list`.
pub async fn list(json: bool, engine: &Engine) -> Result<()> {
    let t = transport(engine).await?;
    let devices = engine.devices(&t).await?;
    if json {
        return crate::print_json(&devices);
    }
    let when = |ms: u64| {
        jiff::Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(0))
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    let mut table = crate::output::Table::new(["", "DEVICE", "NAME", "CERTIFIED", "LAST SEEN"]);
    for d in devices {
        table.row([
            if d.this_device {
                "*".into()
            } else {
                String::new()
            },
            d.id,
            d.name.unwrap_or_else(|| "(no name)".into()),
            when(d.issued_ms),
            if d.this_device {
                "now".into()
            } else {
                d.last_seen_ms.map(when).unwrap_or_else(|| "never".into())
            },
        ]);
    }
    table.print_or("No devices: run `stint org publish` or `stint device enrol` first.");
    Ok(())
}

/// `stint device rename NAME`.
pub async fn rename(json: bool, engine: &Engine, name: &str) -> Result<()> {
    let t = transport(engine).await?;
    let name = engine.rename_this_device(&t, name).await?;
    if json {
        return crate::print_json(&serde_json::json!({ "name": name }));
    }
    println!("This device is now called {name:?} on your other devices.");
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
