//! `stint org join` and `stint member`: letting people into a synced organization, each confirmed
//! by their identity's fingerprint (docs/sync.md, "Joining a team"), changing their roles,
//! removing them and leaving; and the local members of an organization that is not synced.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use stint_domain::Role;
use stint_engine::{ActAs, Engine};

use crate::output::Table;
use crate::sync::{print_recovery_key, set_up_if_needed, transport};
use crate::{Cli, Ctx, done, print_json};

/// `stint org join TOKEN`: accepts an emailed invitation (setting up this account's keys first,
/// if this is its first device) and prints the fingerprint to read out to whoever confirms.
pub async fn join(json: bool, engine: &mut Engine, token: &str) -> Result<()> {
    let t = transport(engine).await?;
    let recovery_text = set_up_if_needed(engine, &t).await?;
    let joined = engine.join_org(&t, token).await?;
    if json {
        crate::print_json(&serde_json::json!({
            "org": joined.org,
            "role": joined.role,
            "pending": joined.pending,
            "fingerprint": joined.fingerprint,
            "recovery_key": recovery_text.as_ref().map(|t| t.as_str()),
        }))?;
    } else {
        println!(
            "You joined organization {} as {}.",
            joined.org,
            joined.role.with_article()
        );
        if joined.pending {
            println!();
            println!("An Owner or Admin confirms you before anything is shared. Read them your");
            println!("fingerprint (they see the same digits on their side):");
            println!();
            println!("    {}", joined.fingerprint);
            println!();
            println!("Then `stint sync` brings the organization here.");
        }
        if let Some(text) = &recovery_text {
            print_recovery_key(text);
        }
    }
    if recovery_text.is_some() {
        engine.forget_recovery_key().await?;
    }
    Ok(())
}

/// `stint member invite EMAIL --role R`: the server emails them a token for `stint org join`.
pub async fn invite(
    json: bool,
    engine: &Engine,
    by: &ActAs,
    email: &str,
    role: &str,
) -> Result<()> {
    let role: Role = role.parse()?;
    let t = transport(engine).await?;
    t.invite(by.org, email.trim(), role)
        .await
        .map_err(|e| anyhow!(e))?;
    if json {
        crate::print_json(&serde_json::json!({ "invited": email.trim(), "role": role }))
    } else {
        println!(
            "Invited {} as {}. Once they joined, confirm them with `stint member confirm {}`.",
            email.trim(),
            role.with_article(),
            email.trim()
        );
        Ok(())
    }
}

/// `stint member pending`: who waits to be confirmed, with their fingerprints.
pub async fn pending(json: bool, engine: &Engine, by: &ActAs) -> Result<()> {
    let t = transport(engine).await?;
    let waiting = engine.newcomers(&t, by).await?;
    if json {
        return crate::print_json(&waiting);
    }
    if waiting.is_empty() {
        println!("Nobody waits to be confirmed.");
        return Ok(());
    }
    let mut table = crate::output::Table::new(["EMAIL", "ROLE", "FINGERPRINT"]);
    for n in waiting {
        table.row([
            n.email,
            n.role.to_string(),
            n.fingerprint
                .unwrap_or_else(|| "(no key yet: they have not set up sync)".into()),
        ]);
    }
    table.print_or("Nobody waits to be confirmed.");
    Ok(())
}

/// `stint member confirm EMAIL [--fingerprint DIGITS]`: shows the newcomer's fingerprint and asks
/// whether it is the one they read out (or checks the digits given), then hands over the keys of
/// their role.
pub async fn confirm(
    json: bool,
    engine: &mut Engine,
    by: &ActAs,
    who: &str,
    fingerprint: Option<&str>,
) -> Result<()> {
    let t = transport(engine).await?;
    let heard = match fingerprint {
        Some(digits) => digits.to_owned(),
        None => {
            let newcomer = engine
                .newcomers(&t, by)
                .await?
                .into_iter()
                .find(|n| n.email.eq_ignore_ascii_case(who.trim()) || n.user.to_string() == who)
                .ok_or_else(|| anyhow!("nobody called {who:?} waits to be confirmed; list them with `stint member pending`"))?;
            let Some(shown) = newcomer.fingerprint else {
                bail!(
                    "{} has not set up sync on a device yet: there is no key to confirm",
                    newcomer.email
                );
            };
            if !std::io::stdin().is_terminal() {
                bail!(
                    "confirming needs you to compare the fingerprint: run in a terminal, or pass the digits they read out with --fingerprint"
                );
            }
            println!(
                "{} joins as {}. Their fingerprint:",
                newcomer.email,
                newcomer.role.with_article()
            );
            println!();
            println!("    {shown}");
            println!();
            print!("Are these the digits they read out to you? [y/N] ");
            std::io::stdout().flush()?;
            let mut answer = String::new();
            std::io::stdin().lock().read_line(&mut answer)?;
            if !matches!(answer.trim(), "y" | "Y" | "yes") {
                bail!("not confirmed: nothing was handed over");
            }
            shown
        }
    };
    let newcomer = engine.confirm_member(&t, by, who, &heard).await?;
    let reports = engine.sync(&t).await?;
    let pushed: usize = reports.iter().map(|(_, r)| r.pushed).sum();
    if json {
        crate::print_json(&serde_json::json!({
            "confirmed": newcomer.email,
            "user": newcomer.user,
            "role": newcomer.role,
            "pushed": pushed,
        }))
    } else {
        println!(
            "Confirmed {} as {}: their devices receive the organization at their next sync.",
            newcomer.email,
            newcomer.role.with_article()
        );
        Ok(())
    }
}

/// `stint member role MEMBER ROLE` and `stint member remove MEMBER` in a synced organization:
/// signed into its membership log, with new keys for what the member no longer reads.
pub async fn change(
    json: bool,
    engine: &mut Engine,
    by: &ActAs,
    member: &str,
    role: Option<&str>,
) -> Result<()> {
    let t = transport(engine).await?;
    let id = engine.find_member(by.org, member)?;
    let role: Option<Role> = role.map(str::parse).transpose()?;
    engine.change_membership(&t, by, id, role).await?;
    let reports = engine.sync(&t).await?;
    let pushed: usize = reports.iter().map(|(_, r)| r.pushed).sum();
    if json {
        return crate::print_json(&serde_json::json!({
            "member": id,
            "role": role,
            "removed": role.is_none(),
            "pushed": pushed,
        }));
    }
    match role {
        Some(role) => println!("{member} is now {}", role.with_article()),
        None => println!(
            "Removed {member}: they can no longer pull or push, and what is written from now on is sealed under new keys they do not have. What they already saw stays with them."
        ),
    }
    Ok(())
}

/// `stint member leave` in a synced organization: this account's removal, signed into its
/// membership log by itself.
pub async fn leave(json: bool, engine: &mut Engine, by: &ActAs) -> Result<()> {
    let t = transport(engine).await?;
    // What this device wrote goes to the others first.
    engine.sync(&t).await?;
    engine.leave_organization(&t, by).await?;
    if json {
        return crate::print_json(&serde_json::json!({ "org": by.org, "left": true }));
    }
    println!(
        "You left the organization: this device no longer syncs or opens it, nor do your other devices sync it; its next keys are made by an Owner or Admin without you."
    );
    Ok(())
}

/// `stint member …`: local members in an organization that is not synced; invitations,
/// confirmation, roles and leaving through the membership log in one that is.
#[derive(Subcommand)]
pub(crate) enum MemberCmd {
    /// Add a local member
    Add {
        name: String,
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// List members
    List,
    /// Change a member's role
    Role { member: String, role: String },
    /// Remove a member (their records stay)
    Remove { member: String },
    /// Leave this synced organization: your devices stop syncing it, and the next Owner's or
    /// Admin's sync moves its keys on
    Leave,
    /// Invite someone into this synced organization by email, with a role
    Invite {
        email: String,
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Who accepted an invitation and waits to be confirmed, with their fingerprints
    Pending,
    /// Confirm someone waiting (email or account id) once you compared their fingerprint with them;
    /// their devices then receive the keys of their role
    Confirm {
        who: String,
        /// The digits they read out to you (asked for in a terminal when left out)
        #[arg(long)]
        fingerprint: Option<String>,
    },
}

/// `stint member` in an organization that is not synced: local members, named only.
pub(crate) async fn member(cli: &Cli, ctx: &mut Ctx, cmd: &MemberCmd) -> Result<()> {
    let by = ctx.by;
    match cmd {
        MemberCmd::Add { name, role } => {
            let id = ctx.engine.add_member(&by, name, role.parse()?).await?;
            done(cli, id, &format!("Added {name} as {role}"))?;
        }
        MemberCmd::List => {
            let members = ctx.engine.members(&by)?;
            if cli.json {
                return print_json(&members);
            }
            let mut table = Table::new(["NAME", "ROLE", "STATUS", "ID"]);
            for m in members {
                let status = if m.active { "active" } else { "removed" };
                table.row([m.name, m.role.to_string(), status.into(), m.id.to_string()]);
            }
            table.print_or("No members.");
        }
        MemberCmd::Role { member, role } => {
            let id = ctx.engine.find_member(by.org, member)?;
            ctx.engine.set_role(&by, id, role.parse()?).await?;
            println!("{member} is now {role}");
        }
        MemberCmd::Remove { member } => {
            let id = ctx.engine.find_member(by.org, member)?;
            ctx.engine.remove_member(&by, id).await?;
            println!("Removed {member}");
        }
        MemberCmd::Leave => bail!(
            "this organization is not synced: there is nobody to leave; it is yours alone on this device"
        ),
        MemberCmd::Invite { .. } | MemberCmd::Pending | MemberCmd::Confirm { .. } => {
            unreachable!("handled before, with the sync server")
        }
    }
    Ok(())
}
