//! `stint entry`: time entries added, listed, edited and deleted; and what the timer commands
//! say of an entry the same way.

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use stint_domain::*;
use stint_engine::*;

use crate::output::{Table, money};
use crate::{Cli, Ctx, parse, print_json};

#[derive(Subcommand)]
pub(crate) enum EntryCmd {
    /// Add finished work: --start/--end, or --duration on --date
    Add {
        #[arg(long)]
        project: String,
        #[arg(long)]
        task: Option<String>,
        /// 09:00 (on --date) or 2026-11-23T09:00
        #[arg(long, requires = "end", conflicts_with = "duration")]
        start: Option<String>,
        /// 10:30 (same day as start) or 2026-11-23T10:30
        #[arg(long, requires = "start")]
        end: Option<String>,
        /// 1h30m, 90m, 1.5h or 1:30
        #[arg(long, required_unless_present = "start")]
        duration: Option<String>,
        /// The day of the entry: of --duration, or of --start given as a time [default: today]
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, conflicts_with = "non_billable")]
        billable: bool,
        #[arg(long)]
        non_billable: bool,
        /// Whose work [default: yours]
        #[arg(long)]
        member: Option<String>,
        /// A tag (by name); repeat for several
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// List entries
    List {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        member: Option<String>,
        #[arg(long)]
        project: Option<String>,
    },
    /// Change an entry
    Edit {
        id: String,
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        task: Option<String>,
        #[arg(long, requires = "end")]
        start: Option<String>,
        #[arg(long, requires = "start")]
        end: Option<String>,
        #[arg(long, conflicts_with = "start")]
        duration: Option<String>,
        /// The day of the entry: of --duration, or of --start given as a time [default: the entry's]
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        billable: Option<bool>,
    },
    /// Delete an entry
    Delete { id: String },
}

/// `stint entry …`.
pub(crate) async fn entry(cli: &Cli, ctx: &mut Ctx, cmd: &EntryCmd) -> Result<()> {
    let by = ctx.by;
    match cmd {
        EntryCmd::Add {
            project,
            task,
            start,
            end,
            duration,
            date,
            note,
            billable,
            non_billable,
            member,
            tags,
        } => {
            let project = ctx.project(project)?;
            let tags = ctx.tags(tags)?;
            let task = task
                .as_deref()
                .map(|t| ctx.engine.find_task(by.org, project, t))
                .transpose()?;
            let time = match (start, end, duration) {
                (Some(start), Some(end), None) => ctx.span(start, end, date.as_deref())?,
                (None, None, Some(duration)) => EntryTime::Duration {
                    date: ctx.day_or_today(date.as_deref())?,
                    seconds: parse::duration(duration)?,
                },
                _ => bail!("give --start and --end, or --duration (with an optional --date)"),
            };
            let member = member
                .as_deref()
                .map(|m| ctx.engine.find_member(by.org, m))
                .transpose()?;
            let billable = if *billable {
                Some(true)
            } else if *non_billable {
                Some(false)
            } else {
                None
            };
            let input = NewEntry {
                member,
                project: Some(project),
                task,
                time,
                note: note.clone(),
                billable,
                tags,
            };
            let outcome = ctx.engine.add_entry(&by, input).await?;
            warn_overlaps(&outcome);
            if cli.json {
                return print_json(&outcome);
            }
            println!(
                "Added {} on {} ({})",
                ctx.format()?.duration(outcome.entry.seconds),
                outcome.entry.project_name,
                outcome.entry.entry.id
            );
        }
        EntryCmd::List {
            from,
            to,
            member,
            project,
        } => {
            let today = ctx.today()?;
            let filter = EntryFilter {
                from: from.as_deref().map(|d| parse::date(d, today)).transpose()?,
                to: to.as_deref().map(|d| parse::date(d, today)).transpose()?,
                member: member
                    .as_deref()
                    .map(|m| ctx.engine.find_member(by.org, m))
                    .transpose()?,
                project: project.as_deref().map(|p| ctx.project(p)).transpose()?,
            };
            let entries = ctx.engine.entries(&by, &filter)?;
            if cli.json {
                return print_json(&entries);
            }
            let f = ctx.format()?;
            let mut table = Table::new([
                "DATE", "START", "END", "MEMBER", "CLIENT", "PROJECT", "HOURS", "AMOUNT", "NOTE",
                "ID",
            ]);
            for e in entries {
                let (start, end) = ctx.clock(&f, &e.entry);
                let mut note: String = e.entry.note.chars().take(40).collect();
                if e.locked {
                    note.insert_str(0, "[locked] ");
                }
                table.row([
                    e.date.parse().map(|d| f.date(d)).unwrap_or(e.date),
                    start,
                    end,
                    e.member_name,
                    e.client_name,
                    if e.entry.project.is_some() {
                        e.project_name
                    } else {
                        "(none yet)".to_owned()
                    },
                    f.duration(e.seconds),
                    e.amount.map(|m| money(&f, &m)).unwrap_or_default(),
                    note,
                    e.entry.id.to_string(),
                ]);
            }
            table.print_or("No entries.");
        }
        EntryCmd::Edit {
            id,
            project,
            task,
            start,
            end,
            duration,
            date,
            note,
            billable,
        } => {
            let id: EntryId = id.parse()?;
            let project = project.as_deref().map(|p| ctx.project(p)).transpose()?;
            let task = match task {
                Some(t) => {
                    let p = match project {
                        Some(p) => p,
                        None => ctx.engine.entry(&by, id)?.entry.project.ok_or_else(|| {
                            anyhow!("this entry has no project yet; give one with --project")
                        })?,
                    };
                    Some(ctx.engine.find_task(by.org, p, t)?)
                }
                None => None,
            };
            let own_date = || -> Result<String> { Ok(ctx.engine.entry(&by, id)?.date) };
            let time = match (start, end, duration) {
                (Some(start), Some(end), _) => {
                    let day = match date {
                        Some(d) => d.clone(),
                        None => own_date()?,
                    };
                    Some(ctx.span(start, end, Some(&day))?)
                }
                (None, None, Some(duration)) => {
                    let today = ctx.today()?;
                    let date = match date {
                        Some(d) => parse::date(d, today)?,
                        None => parse::date(&own_date()?, today)?,
                    };
                    Some(EntryTime::Duration {
                        date,
                        seconds: parse::duration(duration)?,
                    })
                }
                _ => None,
            };
            let changes = EntryChanges {
                project,
                task,
                clear_task: false,
                time,
                note: note.clone(),
                billable: *billable,
                tags: None,
            };
            let outcome = ctx.engine.edit_entry(&by, id, changes).await?;
            warn_overlaps(&outcome);
            if cli.json {
                return print_json(&outcome);
            }
            println!("Updated entry {id}");
        }
        EntryCmd::Delete { id } => {
            let id: EntryId = id.parse()?;
            ctx.engine.delete_entry(&by, id).await?;
            println!("Deleted entry {id}");
        }
    }
    Ok(())
}

/// Warns when the entry just written overlaps others of the same member (it is kept).
pub(crate) fn warn_overlaps(outcome: &EntryOutcome) {
    if !outcome.overlaps.is_empty() {
        let ids: Vec<String> = outcome.overlaps.iter().map(ToString::to_string).collect();
        eprintln!(
            "warning: this overlaps other entries of {}: {}",
            outcome.entry.member_name,
            ids.join(", ")
        );
    }
}

/// What an entry is on, as a line says it: "Client — Project", or that it has no project yet.
pub(crate) fn on_what(e: &EntryView) -> String {
    match e.entry.project {
        Some(_) => format!("{} — {}", e.client_name, e.project_name),
        None => "no project".to_owned(),
    }
}
