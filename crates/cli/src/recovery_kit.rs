//! `stint recovery-kit --out FILE`: a new recovery key for the account, saved as a printable
//! one-page PDF. The old key stops working once the server holds the new one; the file is written
//! (owner-only) before that, and appears under its name only after it.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use stint_engine::{Engine, PaperSize};

pub async fn run(json: bool, engine: &Engine, out: &Path, letter: bool) -> Result<()> {
    let account = engine.server_account().await?.ok_or_else(|| {
        anyhow!("not signed in to a sync server; run `stint account sign-in` first")
    })?;
    if out.exists() {
        bail!("{} exists already; choose another file", out.display());
    }
    let t = stint_sync::connect(engine, account.clone())
        .await
        .map_err(|e| anyhow!(e))?;
    let new = engine.new_recovery_key().await?;
    let paper = if letter {
        PaperSize::Letter
    } else {
        PaperSize::A4
    };
    let pdf = engine.recovery_kit_pdf(&new, &account.email, &account.server, paper)?;

    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)?;
        file.write_all(&pdf)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e).with_context(|| format!("cannot write {}", partial.display()));
    }
    if let Err(e) = engine.replace_recovery_key(&t, &new).await {
        let _ = std::fs::remove_file(&partial);
        return Err(anyhow!(e).context("your old recovery key still works"));
    }
    // The key is in force: the kit takes its name (never over another file).
    std::fs::hard_link(&partial, out)
        .and_then(|()| std::fs::remove_file(&partial))
        .with_context(|| {
            format!(
                "your new recovery kit is in {}; it could not be renamed to {}",
                partial.display(),
                out.display()
            )
        })?;

    let text = new.key.to_text();
    if json {
        return crate::print_json(&serde_json::json!({
            "kit": out,
            "recovery_key": text.as_str(),
            "identity_fingerprint": new.identity_fingerprint,
        }));
    }
    println!("Saved your new recovery kit to {}.", out.display());
    println!();
    println!("    {}", text.as_str());
    println!();
    println!("Print it and keep it somewhere safe, then delete the file. Your old recovery key");
    println!("no longer opens your account.");
    Ok(())
}
