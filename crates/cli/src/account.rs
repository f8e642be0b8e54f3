//! `stint account`: this device's sign-in to a Stint sync server.
//!
//! Signing in from a terminal takes the password and then a one-time code that the server emails to
//! the account (plus the authenticator code where two-factor sign-in is on), so a leaked password
//! alone cannot sign a script in. The session token is kept sealed in the vault, never in a file.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use stint_engine::{Engine, ServerAccount};
use stint_protocol::CliConfirm;
use stint_signin::SignInError;
use zeroize::Zeroizing;

#[derive(Subcommand)]
pub enum AccountCmd {
    /// Sign in to a sync server: your password, then the code emailed to you
    SignIn {
        /// The server's address, like https://stint.example.org
        #[arg(long, env = "STINT_SERVER")]
        server: String,
        /// Your account's email address
        #[arg(long)]
        email: String,
        /// What to call this device in your session list
        #[arg(long, default_value = "stint CLI")]
        device: String,
    },
    /// The account this device is signed in to (asks the server)
    Show,
    /// End this device's session on the server and forget it here
    SignOut,
}

pub async fn run(json: bool, engine: &Engine, cmd: &AccountCmd) -> Result<()> {
    match cmd {
        AccountCmd::SignIn {
            server,
            email,
            device,
        } => sign_in(json, engine, server, email, device).await,
        AccountCmd::Show => show(json, engine).await,
        AccountCmd::SignOut => sign_out(json, engine).await,
    }
}

/// The server's address, refused unless it is HTTPS (plain HTTP only to this machine itself: the
/// password must not cross a network in the clear).
fn server_url(text: &str) -> Result<String> {
    stint_signin::server_origin(text).map_err(|e| anyhow!(e))
}

fn password() -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("STINT_SERVER_PASSWORD") {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        bail!("signing in needs your password: set STINT_SERVER_PASSWORD or run in a terminal");
    }
    Ok(Zeroizing::new(
        rpassword::prompt_password("Password: ").context("reading the password")?,
    ))
}

/// One line from standard input, after a prompt on standard error.
fn read_line(prompt: &str) -> Result<Zeroizing<String>> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = Zeroizing::new(String::new());
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading standard input")?;
    if read == 0 {
        bail!("standard input ended before the code was entered");
    }
    Ok(Zeroizing::new(line.trim().to_owned()))
}

fn refused(e: SignInError) -> anyhow::Error {
    match e {
        SignInError::Refused(message) => anyhow!("the server refused: {message}"),
        other => anyhow!(other),
    }
}

async fn sign_in(
    json: bool,
    engine: &Engine,
    server: &str,
    email: &str,
    device: &str,
) -> Result<()> {
    let server = server_url(server)?;
    let password = password()?;
    let started = stint_signin::cli_sign_in(&server, email, &password, device)
        .await
        .map_err(refused)?;
    drop(password);
    eprintln!("We emailed a sign-in code to {}.", email.trim());
    let email_code = read_line("Code from the email: ")?;
    let (code, recovery_code) = if started.second_factor {
        let factor = read_line("Code from your authenticator app (or a recovery code): ")?;
        if factor.chars().any(|c| c.is_ascii_alphabetic()) {
            (None, Some(factor.to_string()))
        } else {
            (Some(factor.to_string()), None)
        }
    } else {
        (None, None)
    };
    let confirm = CliConfirm {
        challenge: started.challenge,
        email_code: email_code.to_string(),
        code,
        recovery_code,
    };
    let grant = stint_signin::cli_confirm(&server, &confirm)
        .await
        .map_err(refused)?;
    let me = stint_signin::account(&server, &grant.token)
        .await
        .map_err(refused)?;
    let account = ServerAccount {
        server: server.clone(),
        email: me.email.clone(),
        session: grant.session.to_string(),
        token: grant.token.clone(),
        refresh_token: None,
        token_expires: None,
    };
    engine.set_server_account(&account).await?;
    if json {
        crate::print_json(&serde_json::json!({
            "server": server,
            "email": me.email,
            "session": grant.session,
        }))
    } else {
        println!(
            "Signed in to {server} as {} (session {}).",
            me.email, grant.session
        );
        Ok(())
    }
}

async fn show(json: bool, engine: &Engine) -> Result<()> {
    let Some(stored) = engine.server_account().await? else {
        if json {
            return crate::print_json(&serde_json::json!({ "signed_in": false }));
        }
        println!(
            "Not signed in to a sync server. Sign in with `stint account sign-in --server URL --email ADDRESS`."
        );
        return Ok(());
    };
    let stored = stint_sync::renewed(engine, stored)
        .await
        .map_err(|e| anyhow!(e))?;
    let me = stint_signin::account(&stored.server, &stored.token)
        .await
        .map_err(|e| match e {
            SignInError::Refused(_) => anyhow!(
                "{} no longer accepts this device's session (it was signed out or expired); sign in again",
                stored.server
            ),
            other => anyhow!(other),
        })?;
    if json {
        return crate::print_json(&serde_json::json!({
            "signed_in": true,
            "server": stored.server,
            "session": stored.session,
            "account": me,
        }));
    }
    println!("Signed in to {} as {}", stored.server, me.email);
    println!("  session           {}", stored.session);
    println!(
        "  two-factor        {}",
        if me.totp_enabled { "on" } else { "off" }
    );
    println!("  passkeys          {}", me.passkeys);
    Ok(())
}

async fn sign_out(json: bool, engine: &Engine) -> Result<()> {
    let Some(stored) = engine.server_account().await? else {
        bail!("this device is not signed in to a sync server");
    };
    // A desktop sign-in's access token may have run out: renewed first, so that the session can
    // be ended (a refusal here means it already was).
    let stored = match stint_sync::renewed(engine, stored.clone()).await {
        Ok(renewed) => renewed,
        Err(_) => stored,
    };
    let ended = stint_signin::sign_out(&stored.server, &stored.token).await;
    engine.forget_server_account().await?;
    let note = match &ended {
        Ok(()) | Err(SignInError::Refused(_)) => None,
        Err(e) => Some(format!(
            "could not reach {} ({e}); the session is forgotten here, end it from another device's session list",
            stored.server
        )),
    };
    if let Some(note) = &note {
        eprintln!("note: {note}");
    }
    if json {
        crate::print_json(
            &serde_json::json!({ "signed_out": true, "server_session_ended": note.is_none() }),
        )
    } else {
        println!("Signed out of {}.", stored.server);
        Ok(())
    }
}
