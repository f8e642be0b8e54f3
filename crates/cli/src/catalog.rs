//! `stint client` and `stint project`: the organization's catalogue of clients and projects.

use anyhow::Result;
use clap::Subcommand;
use stint_engine::*;

use crate::output::Table;
use crate::{Cli, Ctx, done, print_json};

#[derive(Subcommand)]
pub(crate) enum ClientCmd {
    /// Add a client
    Add {
        name: String,
        #[arg(long)]
        currency: Option<String>,
        /// up:15, down:6, nearest:30
        #[arg(long)]
        rounding: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List clients
    List {
        #[arg(long)]
        archived: bool,
    },
    /// Change a client
    Edit {
        client: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        currency: Option<String>,
        #[arg(long)]
        rounding: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Archive a client (or --undo)
    Archive {
        client: String,
        #[arg(long)]
        undo: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum ProjectCmd {
    /// Add a project
    Add {
        name: String,
        #[arg(long)]
        client: String,
        #[arg(long)]
        non_billable: bool,
        /// up:15, down:6, nearest:30
        #[arg(long)]
        rounding: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List projects
    List {
        #[arg(long)]
        archived: bool,
    },
    /// Change a project
    Edit {
        project: String,
        #[arg(long)]
        client: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        billable: Option<bool>,
        #[arg(long)]
        rounding: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Archive a project (or --undo)
    Archive {
        project: String,
        #[arg(long)]
        undo: bool,
    },
}

/// `stint client …`.
pub(crate) async fn client(cli: &Cli, ctx: &mut Ctx, cmd: &ClientCmd) -> Result<()> {
    let by = ctx.by;
    match cmd {
        ClientCmd::Add {
            name,
            currency,
            rounding,
            note,
        } => {
            let input = NewClient {
                name: name.clone(),
                currency: currency.clone(),
                rounding: rounding.clone(),
                note: note.clone(),
            };
            let id = ctx.engine.add_client(&by, input).await?;
            done(cli, id, &format!("Added client {name}"))?;
        }
        ClientCmd::List { archived } => {
            let clients = ctx.engine.clients(&by, *archived)?;
            if cli.json {
                return print_json(&clients);
            }
            let mut table = Table::new(["NAME", "CURRENCY", "ROUNDING", "ARCHIVED", "ID"]);
            for c in clients {
                table.row([
                    c.name,
                    c.currency.map(|c| c.to_string()).unwrap_or_default(),
                    c.rounding.map(|r| r.to_string()).unwrap_or_default(),
                    if c.archived {
                        "yes".into()
                    } else {
                        String::new()
                    },
                    c.id.to_string(),
                ]);
            }
            table.print_or("No clients yet. Add one with `stint client add NAME`.");
        }
        ClientCmd::Edit {
            client,
            name,
            currency,
            rounding,
            note,
        } => {
            let id = ctx.engine.find_client(by.org, client)?;
            let changes = ClientChanges {
                name: name.clone(),
                currency: currency.clone(),
                rounding: rounding.clone(),
                note: note.clone(),
                archived: None,
            };
            ctx.engine.edit_client(&by, id, changes).await?;
            println!("Updated client {client}");
        }
        ClientCmd::Archive { client, undo } => {
            let id = ctx.engine.find_client(by.org, client)?;
            ctx.engine
                .edit_client(
                    &by,
                    id,
                    ClientChanges {
                        archived: Some(!undo),
                        ..Default::default()
                    },
                )
                .await?;
            println!(
                "{} client {client}",
                if *undo { "Unarchived" } else { "Archived" }
            );
        }
    }
    Ok(())
}

/// `stint project …`.
pub(crate) async fn project(cli: &Cli, ctx: &mut Ctx, cmd: &ProjectCmd) -> Result<()> {
    let by = ctx.by;
    match cmd {
        ProjectCmd::Add {
            name,
            client,
            non_billable,
            rounding,
            note,
        } => {
            let client = ctx.engine.find_client(by.org, client)?;
            let input = NewProject {
                client,
                name: name.clone(),
                billable: Some(!non_billable),
                rounding: rounding.clone(),
                note: note.clone(),
            };
            let id = ctx.engine.add_project(&by, input).await?;
            done(cli, id, &format!("Added project {name}"))?;
        }
        ProjectCmd::List { archived } => {
            let projects = ctx.engine.projects(&by, *archived)?;
            if cli.json {
                return print_json(&projects);
            }
            let mut table = Table::new([
                "CLIENT", "PROJECT", "BILLABLE", "ROUNDING", "ARCHIVED", "ID",
            ]);
            for p in projects {
                table.row([
                    p.client_name,
                    p.project.name,
                    if p.project.billable {
                        "yes".into()
                    } else {
                        "no".into()
                    },
                    p.project
                        .rounding
                        .map(|r| r.to_string())
                        .unwrap_or_default(),
                    if p.project.archived {
                        "yes".into()
                    } else {
                        String::new()
                    },
                    p.project.id.to_string(),
                ]);
            }
            table.print_or(
                "No projects yet. Add one with `stint project add NAME --client CLIENT`.",
            );
        }
        ProjectCmd::Edit {
            project,
            client,
            name,
            billable,
            rounding,
            note,
        } => {
            let id = ctx.project(project)?;
            let client = client
                .as_deref()
                .map(|c| ctx.engine.find_client(by.org, c))
                .transpose()?;
            let changes = ProjectChanges {
                client,
                name: name.clone(),
                billable: *billable,
                rounding: rounding.clone(),
                note: note.clone(),
                archived: None,
            };
            ctx.engine.edit_project(&by, id, changes).await?;
            println!("Updated project {project}");
        }
        ProjectCmd::Archive { project, undo } => {
            let id = ctx.project(project)?;
            ctx.engine
                .edit_project(
                    &by,
                    id,
                    ProjectChanges {
                        archived: Some(!undo),
                        ..Default::default()
                    },
                )
                .await?;
            println!(
                "{} project {project}",
                if *undo { "Unarchived" } else { "Archived" }
            );
        }
    }
    Ok(())
}
