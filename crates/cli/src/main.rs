//! `stint`: Stint from a terminal. Every command goes through the same engine as the desktop app.
//!
//! Errors print one line to stderr and exit non-zero; nothing is written when a command fails.

mod account;
mod catalog;
mod conflicts;
mod entries;
mod expenses;
mod invoicing;
mod output;
mod parse;
mod recovery_kit;
mod sync;
mod team;

use anyhow::{Context, Result, anyhow, bail};
use catalog::{ClientCmd, ProjectCmd};
use clap::{Args, Parser, Subcommand, ValueEnum};
use entries::{EntryCmd, on_what, warn_overlaps};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;
use output::{Table, money_list};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use stint_domain::*;
use stint_engine::export::ExportFormat;
use stint_engine::*;
use team::MemberCmd;
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(name = "stint", version, about = "Stint: private, local-first time tracking and invoicing", long_about = None)]
struct Cli {
    /// The vault directory [default: the platform's data directory]
    #[arg(long, global = true, env = "STINT_VAULT", value_name = "DIR")]
    vault: Option<PathBuf>,
    /// The organization (name or id) [default: the one set with `org use`]
    #[arg(long, global = true, env = "STINT_ORG", value_name = "ORG")]
    org: Option<String>,
    /// Act as another local member (name or id), to exercise roles
    #[arg(long = "as", global = true, value_name = "MEMBER")]
    act_as: Option<String>,
    /// Print machine-readable JSON
    #[arg(long, global = true)]
    json: bool,
    /// Fix "now" (an RFC 3339 instant), so that tests and demos do not depend on the machine's clock
    #[arg(
        long,
        global = true,
        env = "STINT_NOW",
        value_name = "INSTANT",
        hide = true
    )]
    now: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new vault (keys in the system keyring, or a passphrase)
    Init {
        /// Protect the vault with a passphrase instead of the system keyring
        #[arg(long)]
        passphrase: bool,
    },
    /// Organizations
    #[command(subcommand)]
    Org(OrgCmd),
    /// Members and their roles
    #[command(subcommand)]
    Member(MemberCmd),
    /// Clients
    #[command(subcommand)]
    Client(ClientCmd),
    /// Projects
    #[command(subcommand)]
    Project(ProjectCmd),
    /// Tasks within projects
    #[command(subcommand)]
    Task(TaskCmd),
    /// Tags for time entries
    #[command(subcommand)]
    Tag(TagCmd),
    /// Bill rates
    #[command(subcommand)]
    Rate(RateCmd),
    /// Project budgets
    #[command(subcommand)]
    Budget(BudgetCmd),
    /// The running timer
    #[command(subcommand)]
    Timer(TimerCmd),
    /// Time entries
    #[command(subcommand)]
    Entry(EntryCmd),
    /// Expenses
    #[command(subcommand)]
    Expense(expenses::ExpenseCmd),
    /// Lock a period against edits
    #[command(subcommand)]
    Lock(LockCmd),
    /// Your billing profile and clients' billing details
    #[command(subcommand)]
    Billing(invoicing::BillingCmd),
    /// Invoices and credit notes
    #[command(subcommand)]
    Invoice(invoicing::InvoiceCmd),
    /// Reports
    #[command(subcommand)]
    Report(ReportCmd),
    /// Export the organization's data
    Export {
        /// Format
        #[arg(long, value_enum, default_value = "json")]
        format: ExportKind,
        /// Write to this file instead of standard output
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Your account on a Stint sync server
    #[command(subcommand)]
    Account(account::AccountCmd),
    /// Push this device's changes and pull everyone's, for every organization of your account
    #[command(args_conflicts_with_subcommands = true)]
    Sync {
        /// Keep going: a round a minute until interrupted
        #[arg(long)]
        watch: bool,
        #[command(subcommand)]
        action: Option<sync::SyncCmd>,
    },
    /// This device in your sync account
    #[command(subcommand)]
    Device(sync::DeviceCmd),
    /// Make a new recovery key and save it as a printable kit (PDF); the old key stops working
    RecoveryKit {
        /// The PDF to write (never over an existing file)
        #[arg(long)]
        out: PathBuf,
        /// US Letter instead of A4
        #[arg(long)]
        letter: bool,
    },
    /// Fields two devices changed at once: the merged value and the one that lost
    Conflicts {
        #[command(subcommand)]
        action: Option<conflicts::ConflictsCmd>,
    },
    /// The vault itself
    #[command(subcommand)]
    Vault(VaultCmd),
    /// Benchmarks (BENCHMARKS.md)
    #[command(subcommand)]
    Bench(BenchCmd),
    /// Crash-safety harness: add entries in a loop, printing each id once it is durable
    #[command(hide = true)]
    TortureWrite {
        #[arg(long)]
        project: String,
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportKind {
    Json,
    Csv,
}

#[derive(Subcommand)]
enum OrgCmd {
    /// Create an organization you own
    Create {
        name: String,
        #[arg(long, default_value = "EUR")]
        currency: String,
        #[arg(long, default_value = "en-US")]
        locale: String,
        /// IANA time zone [default: the system's]
        #[arg(long)]
        time_zone: Option<String>,
        #[arg(long, default_value = "monday")]
        week_start: String,
        /// Your name as the owner
        #[arg(long, env = "STINT_OWNER_NAME", default_value = "Owner")]
        owner: String,
    },
    /// List organizations
    List,
    /// Make an organization the default
    Use { org: String },
    /// Show the organization's settings
    Show,
    /// Publish the organization (--org, or the default) to your sync account; the first time, this
    /// sets up your account's keys and shows your recovery key once
    Publish,
    /// Join a synced organization with the token its invitation email gave you; an Owner or Admin
    /// then confirms you by your fingerprint, and `stint sync` brings it here
    Join { token: String },
    /// Change the organization's settings
    Set {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        locale: Option<String>,
        #[arg(long)]
        time_zone: Option<String>,
        #[arg(long)]
        week_start: Option<String>,
        #[arg(long)]
        currency: Option<String>,
        /// Rounding of billable time: up:15, down:6, nearest:30 or none
        #[arg(long)]
        rounding: Option<String>,
        /// How durations are shown: clock (1:30) or decimal (1.50)
        #[arg(long)]
        duration_style: Option<String>,
    },
}

#[derive(Subcommand)]
enum TaskCmd {
    /// Add a task to a project
    Add {
        name: String,
        #[arg(long)]
        project: String,
        #[arg(long)]
        non_billable: bool,
    },
    /// List tasks
    List {
        #[arg(long)]
        project: Option<String>,
    },
}

#[derive(Subcommand)]
enum TagCmd {
    /// Add a tag
    Add { name: String },
    /// List tags
    List {
        /// Archived ones too
        #[arg(long)]
        all: bool,
    },
    /// Rename a tag (entries keep it)
    Rename { tag: String, new_name: String },
    /// Archive a tag: gone from pickers, kept on entries
    Archive { tag: String },
    /// Bring an archived tag back
    Restore { tag: String },
}

#[derive(Args)]
struct RateScopeArgs {
    /// For one client
    #[arg(long)]
    client: Option<String>,
    /// For one project (with --member: one member on it)
    #[arg(long)]
    project: Option<String>,
    /// For one task (needs --project)
    #[arg(long)]
    task: Option<String>,
    /// For one member
    #[arg(long)]
    member: Option<String>,
}

#[derive(Subcommand)]
enum RateCmd {
    /// Set an hourly rate from a date on (no scope: organization-wide)
    Set {
        /// Hourly amount, e.g. 95 or 95.50
        #[arg(allow_hyphen_values = true)]
        amount: String,
        #[arg(long)]
        currency: Option<String>,
        /// First day it applies [default: today]
        #[arg(long)]
        from: Option<String>,
        #[command(flatten)]
        scope: RateScopeArgs,
    },
    /// List rates
    List,
}

#[derive(Subcommand)]
enum BudgetCmd {
    /// Set a project's budget
    Set {
        #[arg(long)]
        project: String,
        #[arg(long, conflicts_with = "amount", required_unless_present = "amount")]
        hours: Option<String>,
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        monthly: bool,
    },
    /// Budgets and their usage
    List,
}

#[derive(Subcommand)]
enum TimerCmd {
    /// Start the timer
    Start {
        /// The project; leave it out to start now and assign one later with `stint entry edit`
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        task: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, conflicts_with = "non_billable")]
        billable: bool,
        #[arg(long)]
        non_billable: bool,
        /// A tag (by name); repeat for several
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// Stop the timer
    Stop,
    /// Show the running timer
    Status,
}

#[derive(Subcommand)]
enum LockCmd {
    /// Lock everything dated before DATE
    Set { date: String },
    /// Remove the lock
    Clear,
    /// Work inside the locked period changed after it was locked (by a device that had not heard
    /// of the lock yet, or a modified one)
    Changes,
}

#[derive(Subcommand)]
enum ReportCmd {
    /// Tracked time and amounts, grouped
    Time {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        /// Comma-separated: client, project, task, member, day, week, month
        #[arg(long, default_value = "client,project")]
        by: String,
        #[arg(long)]
        member: Option<String>,
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        client: Option<String>,
    },
}

#[derive(Subcommand)]
enum VaultCmd {
    /// Check the database's integrity and that every record opens
    Check,
    /// Change the vault's passphrase (the new one from STINT_NEW_PASSPHRASE or the terminal); the
    /// new passphrase gets today's key derivation settings
    Passphrase,
}

#[derive(Subcommand)]
enum BenchCmd {
    /// Create the deterministic benchmark organization in the vault
    Seed {
        #[arg(long, default_value_t = 100_000)]
        entries: u64,
        /// Multiplies --entries (and everything else with it)
        #[arg(long, default_value_t = 1)]
        scale: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Measure B4: invoice PDFs beside headless Chromium printing the same invoices (release build)
    Pdf {
        /// The Chromium binary to compare with (Debian: /usr/bin/chromium)
        #[arg(long)]
        chromium: Option<PathBuf>,
        #[arg(long, default_value_t = 50)]
        runs: usize,
        /// Chromium prints per figure (each takes about a second)
        #[arg(long, default_value_t = 5)]
        chromium_runs: usize,
    },
    /// Measure B1-B3 on the seeded vault (use a release build)
    Run {
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("stint: error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Every command has finished its writes and closed the vault by now. Dropping the runtime
    // would wait for every task to notice the shutdown, and a CI run once hung there forever on
    // sqlx's pool-maintenance task spinning on a closed pool (it never yields, so its worker never
    // stops): give the tasks a moment, then exit regardless.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One readable line: the outermost message and its causes joined.
            let mut message = e.to_string();
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(": ");
                    message.push_str(&cause);
                }
            }
            eprintln!("stint: error: {}", message.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn vault_dir(cli: &Cli) -> Result<PathBuf> {
    if let Some(dir) = &cli.vault {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("dev", "stint", "Stint")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| anyhow!("cannot find a data directory; pass --vault DIR"))
}

fn passphrase(confirm: bool) -> Result<String> {
    if let Ok(p) = std::env::var("STINT_PASSPHRASE") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!("the vault needs a passphrase: set STINT_PASSPHRASE or run in a terminal");
    }
    let first = rpassword::prompt_password("Passphrase: ").context("reading the passphrase")?;
    if confirm {
        let second =
            rpassword::prompt_password("Repeat passphrase: ").context("reading the passphrase")?;
        if first != second {
            bail!("the passphrases do not match");
        }
    }
    Ok(first)
}

async fn open(dir: &Path) -> Result<Engine> {
    let engine = match Engine::status(dir).await {
        VaultStatus::Missing => bail!(
            "no Stint vault at {}; run `stint init` first",
            dir.display()
        ),
        VaultStatus::Keyring => Engine::open(dir, Unlock::Keyring(&OsKeyring)).await?,
        VaultStatus::Passphrase => {
            Engine::open(dir, Unlock::Passphrase(&passphrase(false)?)).await?
        }
    };
    for q in engine.quarantined() {
        eprintln!(
            "warning: record {} could not be opened and is hidden: {}",
            q.record, q.reason
        );
    }
    Ok(engine)
}

fn progress_bar(label: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(label.to_owned());
    bar
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

struct Ctx {
    engine: Engine,
    by: ActAs,
}

/// Who the command acts as: the chosen organization and the local member (`--as`, or the device's user).
async fn acting(cli: &Cli, engine: &Engine) -> Result<ActAs> {
    let org = match &cli.org {
            Some(name) => engine.find_org(name)?,
            None => engine
                .default_org()
                .await?
                .ok_or_else(|| anyhow!("no organization chosen; create one with `stint org create NAME` or pick one with `stint org use`"))?,
        };
    match &cli.act_as {
        Some(name) => Ok(engine
            .act_as_member(org, engine.find_member(org, name)?)
            .await?),
        None => Ok(ActAs {
            org,
            member: engine.user(),
        }),
    }
}

/// Who acts, if the organization chosen is synced (its members change on the server too).
async fn synced_org(cli: &Cli, engine: &Engine) -> Result<Option<ActAs>> {
    let by = acting(cli, engine).await?;
    Ok(engine.is_synced(by.org).await?.then_some(by))
}

impl Ctx {
    fn today(&self) -> Result<Date> {
        Ok(self.engine.today(&self.by)?)
    }

    /// How the organization writes numbers, money, dates and durations (its locale and duration
    /// style), as the app does.
    fn format(&self) -> Result<stint_locale::Format> {
        let org = self.engine.organization(&self.by)?;
        Ok(stint_locale::Format::new(&org.locale, org.duration_style)?)
    }

    fn project(&self, name: &str) -> Result<ProjectId> {
        Ok(self.engine.find_project(self.by.org, name, None)?)
    }

    fn tags(&self, names: &[String]) -> Result<Vec<TagId>> {
        names
            .iter()
            .map(|n| Ok(self.engine.find_tag(self.by.org, n)?))
            .collect()
    }

    fn instant(&self, dt: jiff::civil::DateTime) -> Result<jiff::Timestamp> {
        Ok(self.engine.local_instant(self.by.org, dt)?)
    }

    /// The day given ("2026-03-02", "yesterday": `parse::date`), or today.
    fn day_or_today(&self, day: Option<&str>) -> Result<Date> {
        let today = self.today()?;
        Ok(day
            .map(|d| parse::date(d, today))
            .transpose()?
            .unwrap_or(today))
    }

    /// `--start`/`--end`: a time alone falls on `day` (`--date`, or today if it is `None`).
    fn span(&self, start: &str, end: &str, day: Option<&str>) -> Result<EntryTime> {
        let start = parse::datetime(start, self.day_or_today(day)?)?;
        let end = parse::datetime(end, start.date())?;
        Ok(EntryTime::Span {
            start: self.instant(start)?,
            end: self.instant(end)?,
        })
    }

    /// An entry's start and end as times of day on the organization's clock ("9:00 AM", "09:00");
    /// "running" for a timer, nothing for an entry of a duration only.
    fn clock(&self, f: &stint_locale::Format, e: &TimeEntry) -> (String, String) {
        let time = |ts: jiff::Timestamp| match self.engine.time_zone(self.by.org) {
            Ok(tz) => f.time(tz.to_datetime(ts).time()),
            Err(_) => ts.to_string(),
        };
        match e.time {
            EntryTime::Running { start } => (time(start), "running".into()),
            EntryTime::Span { start, end } => (time(start), time(end)),
            EntryTime::Duration { .. } => (String::new(), String::new()),
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let dir = vault_dir(&cli)?;
    if let Command::Init {
        passphrase: use_passphrase,
    } = &cli.command
    {
        return init(&cli, &dir, *use_passphrase).await;
    }
    if let Command::Bench(BenchCmd::Pdf {
        chromium,
        runs,
        chromium_runs,
    }) = &cli.command
    {
        return bench_pdf(&cli, chromium.as_deref(), *runs, *chromium_runs).await;
    }
    if let Command::Vault(VaultCmd::Passphrase) = &cli.command {
        return change_passphrase(&cli, &dir).await;
    }
    let now = cli
        .now
        .as_deref()
        .map(|now| {
            now.parse::<jiff::Timestamp>()
                .map_err(|e| anyhow!("STINT_NOW {now:?} is not an RFC 3339 instant: {e}"))
        })
        .transpose()?;
    let mut engine = open(&dir).await?;
    engine.set_clock(now);
    if let Command::Account(cmd) = &cli.command {
        let result = account::run(cli.json, &engine, cmd).await;
        engine.close().await;
        return result;
    }
    let synced = match &cli.command {
        Command::Sync {
            action: Some(sync::SyncCmd::Quarantine { action }),
            ..
        } => Some(sync::quarantine(cli.json, &engine, action.as_ref()).await),
        Command::Sync { watch, .. } => Some(sync::sync(cli.json, &mut engine, *watch).await),
        Command::Device(sync::DeviceCmd::Enrol { recovery_key }) => {
            Some(sync::enrol(cli.json, &mut engine, *recovery_key).await)
        }
        Command::Device(sync::DeviceCmd::Approve { code }) => {
            Some(sync::approve(cli.json, &engine, code).await)
        }
        Command::RecoveryKit { out, letter } => {
            Some(recovery_kit::run(cli.json, &engine, out, *letter).await)
        }
        Command::Device(sync::DeviceCmd::List) => Some(sync::list(cli.json, &engine).await),
        Command::Device(sync::DeviceCmd::Rename { name }) => {
            Some(sync::rename(cli.json, &engine, name).await)
        }
        Command::Device(sync::DeviceCmd::Revoke { id }) => {
            Some(sync::revoke(cli.json, &engine, id).await)
        }
        Command::Org(OrgCmd::Publish) => Some(match acting(&cli, &engine).await {
            Ok(by) => sync::publish(cli.json, &mut engine, by.org).await,
            Err(e) => Err(e),
        }),
        Command::Org(OrgCmd::Join { token }) => {
            Some(team::join(cli.json, &mut engine, token).await)
        }
        Command::Member(MemberCmd::Invite { email, role }) => {
            Some(match acting(&cli, &engine).await {
                Ok(by) => team::invite(cli.json, &engine, &by, email, role).await,
                Err(e) => Err(e),
            })
        }
        Command::Member(MemberCmd::Pending) => Some(match acting(&cli, &engine).await {
            Ok(by) => team::pending(cli.json, &engine, &by).await,
            Err(e) => Err(e),
        }),
        Command::Member(MemberCmd::Role { member, role }) => {
            match synced_org(&cli, &engine).await {
                Ok(Some(by)) => Some(
                    team::change(cli.json, &mut engine, &by, member, Some(role.as_str())).await,
                ),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            }
        }
        Command::Member(MemberCmd::Remove { member }) => match synced_org(&cli, &engine).await {
            Ok(Some(by)) => Some(team::change(cli.json, &mut engine, &by, member, None).await),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        },
        Command::Member(MemberCmd::Leave) => match synced_org(&cli, &engine).await {
            Ok(Some(by)) => Some(team::leave(cli.json, &mut engine, &by).await),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        },
        Command::Member(MemberCmd::Confirm { who, fingerprint }) => {
            Some(match acting(&cli, &engine).await {
                Ok(by) => {
                    team::confirm(cli.json, &mut engine, &by, who, fingerprint.as_deref()).await
                }
                Err(e) => Err(e),
            })
        }
        _ => None,
    };
    if let Some(result) = synced {
        engine.close().await;
        return result;
    }
    match &cli.command {
        Command::Org(OrgCmd::Create {
            name,
            currency,
            locale,
            time_zone,
            week_start,
            owner,
        }) => {
            let time_zone = time_zone.clone().unwrap_or_else(|| {
                jiff::tz::TimeZone::system()
                    .iana_name()
                    .unwrap_or("UTC")
                    .to_owned()
            });
            let id = engine
                .create_organization(NewOrganization {
                    name: name.clone(),
                    currency: currency.clone(),
                    locale: locale.clone(),
                    time_zone,
                    week_start: Some(week_start.clone()),
                    owner_name: owner.clone(),
                })
                .await?;
            if cli.json {
                print_json(&serde_json::json!({ "id": id }))?;
            } else {
                println!("Created organization {name} ({id})");
            }
            return Ok(());
        }
        Command::Org(OrgCmd::List) => {
            let orgs = engine.organizations();
            let default = engine.default_org().await?;
            if cli.json {
                return print_json(&orgs);
            }
            let mut table = Table::new(["", "NAME", "ROLE", "CURRENCY", "TIME ZONE", "ID"]);
            for o in orgs {
                let mark = if Some(o.id) == default { "*" } else { "" };
                let role = o.role.map(|r| r.to_string()).unwrap_or_default();
                table.row([
                    mark.into(),
                    o.name,
                    role,
                    o.currency.to_string(),
                    o.time_zone,
                    o.id.to_string(),
                ]);
            }
            table.print_or("No organizations yet. Create one with `stint org create NAME`.");
            return Ok(());
        }
        Command::Org(OrgCmd::Use { org }) => {
            let id = engine.find_org(org)?;
            engine.set_default_org(id).await?;
            println!("Using {org} ({id})");
            return Ok(());
        }
        Command::Bench(BenchCmd::Run { runs }) => {
            return bench_run(&cli, &dir, engine, *runs).await;
        }
        Command::Vault(VaultCmd::Check) => {
            engine.integrity_check().await?;
            let quarantined = engine.quarantined().len();
            let outbox = engine.outbox_len().await?;
            if cli.json {
                print_json(
                    &serde_json::json!({ "integrity": "ok", "quarantined": quarantined, "outbox": outbox, "organizations": engine.organizations().len() }),
                )?;
            } else {
                println!(
                    "Vault integrity ok; {quarantined} record(s) quarantined; {outbox} change(s) waiting to sync."
                );
            }
            engine.close().await;
            if quarantined > 0 {
                bail!("{quarantined} record(s) could not be opened");
            }
            return Ok(());
        }
        Command::Bench(BenchCmd::Seed {
            entries,
            scale,
            seed,
        }) => {
            let bar = progress_bar("seeding");
            let spec = stint_engine::seed::SeedSpec {
                entries: entries * scale.max(&1),
                seed: *seed,
            };
            let (org, summary) = engine
                .seed(spec, &mut |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await?;
            bar.finish_and_clear();
            if cli.json {
                return print_json(&serde_json::json!({ "org": org, "summary": summary }));
            }
            println!(
                "Seeded {} records: {} members, {} clients, {} projects, {} tasks, {} time entries, {} expenses, {} invoices (organization {org})",
                summary.records,
                summary.members,
                summary.clients,
                summary.projects,
                summary.tasks,
                summary.entries,
                summary.expenses,
                summary.invoices
            );
            return Ok(());
        }
        _ => {}
    }
    let by = match acting(&cli, &engine).await {
        Ok(by) => by,
        Err(e) => {
            engine.close().await;
            return Err(e);
        }
    };
    let mut ctx = Ctx { engine, by };
    let result = command(&cli, &mut ctx).await;
    // Refused or not, the pool is closed (and the WAL checkpointed) before the process exits.
    ctx.engine.close().await;
    result
}

async fn change_passphrase(cli: &Cli, dir: &Path) -> Result<()> {
    match Engine::status(dir).await {
        VaultStatus::Missing => bail!(
            "no Stint vault at {}; run `stint init` first",
            dir.display()
        ),
        VaultStatus::Keyring => {
            bail!("this vault is protected by the system keyring; it has no passphrase to change")
        }
        VaultStatus::Passphrase => {}
    }
    let kdf = Kdf::from_env()?;
    let old = Zeroizing::new(passphrase(false)?);
    let new = Zeroizing::new(match std::env::var("STINT_NEW_PASSPHRASE") {
        Ok(p) => p,
        Err(_) => {
            if !std::io::stdin().is_terminal() {
                bail!(
                    "the new passphrase is missing: set STINT_NEW_PASSPHRASE or run in a terminal"
                );
            }
            let first =
                rpassword::prompt_password("New passphrase: ").context("reading the passphrase")?;
            let second = rpassword::prompt_password("Repeat new passphrase: ")
                .context("reading the passphrase")?;
            if first != second {
                bail!("the passphrases do not match");
            }
            first
        }
    });
    let params = Engine::change_passphrase(dir, &old, &new, kdf).await?;
    if cli.json {
        return print_json(&serde_json::json!({
            "changed": true,
            "kdf": {
                "algorithm": "argon2id",
                "memory_kib": params.m_cost_kib,
                "passes": params.t_cost,
                "lanes": params.p_cost,
            },
        }));
    }
    println!(
        "Passphrase changed. Key derivation: Argon2id, {} MiB, {} passes, {} lane(s).",
        params.m_cost_kib / 1024,
        params.t_cost,
        params.p_cost
    );
    Ok(())
}

async fn init(cli: &Cli, dir: &Path, use_passphrase: bool) -> Result<()> {
    if Engine::status(dir).await != VaultStatus::Missing {
        bail!("a Stint vault already exists at {}", dir.display());
    }
    let wants_passphrase = use_passphrase || std::env::var_os("STINT_PASSPHRASE").is_some();
    let kdf = Kdf::from_env()?;
    let (engine, how) = if wants_passphrase {
        (
            Engine::create_with(dir, Unlock::Passphrase(&passphrase(true)?), kdf).await?,
            "a passphrase",
        )
    } else {
        match Engine::create(dir, Unlock::Keyring(&OsKeyring)).await {
            Ok(engine) => (engine, "the system keyring"),
            Err(EngineError::Vault(VaultError::KeyStore(e))) => {
                eprintln!("note: {e}");
                (
                    Engine::create_with(dir, Unlock::Passphrase(&passphrase(true)?), kdf).await?,
                    "a passphrase",
                )
            }
            Err(e) => return Err(e.into()),
        }
    };
    engine.close().await;
    if cli.json {
        print_json(&serde_json::json!({ "vault": dir, "protection": how }))
    } else {
        println!("Created a vault at {} protected by {how}.", dir.display());
        println!("Next: stint org create \"Your Business\" --currency EUR");
        Ok(())
    }
}

async fn command(cli: &Cli, ctx: &mut Ctx) -> Result<()> {
    let by = ctx.by;
    match &cli.command {
        Command::Init { .. }
        | Command::Bench(_)
        | Command::Vault(_)
        | Command::Account(_)
        | Command::Sync { .. }
        | Command::Device(_)
        | Command::RecoveryKit { .. } => {
            unreachable!("handled before")
        }
        Command::Org(
            OrgCmd::Create { .. }
            | OrgCmd::List
            | OrgCmd::Use { .. }
            | OrgCmd::Publish
            | OrgCmd::Join { .. },
        ) => {
            unreachable!("handled before")
        }
        Command::Conflicts { action } => {
            conflicts::run(cli.json, &mut ctx.engine, &by, action.as_ref()).await?;
        }
        Command::Org(OrgCmd::Show) => {
            let org = ctx.engine.organization(&by)?;
            if cli.json {
                return print_json(&org);
            }
            println!("{} ({})", org.name, org.id);
            println!("  currency    {}", org.currency);
            println!("  locale      {}", org.locale);
            println!("  time zone   {}", org.time_zone);
            println!("  week starts {:?}", org.week_start);
            println!(
                "  durations   {}",
                match org.duration_style {
                    stint_domain::DurationStyle::Clock => "clock (1:30)",
                    stint_domain::DurationStyle::Decimal => "decimal (1.50)",
                }
            );
            println!(
                "  rounding    {}",
                org.rounding
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "none".into())
            );
            println!(
                "  locked      {}",
                org.lock_before
                    .map(|d| format!("before {d}"))
                    .unwrap_or_else(|| "nothing".into())
            );
        }
        Command::Org(OrgCmd::Set {
            name,
            locale,
            time_zone,
            week_start,
            currency,
            rounding,
            duration_style,
        }) => {
            let changes = OrgChanges {
                name: name.clone(),
                locale: locale.clone(),
                time_zone: time_zone.clone(),
                week_start: week_start.clone(),
                currency: currency.clone(),
                rounding: rounding.clone(),
                duration_style: duration_style.as_deref().map(str::parse).transpose()?,
            };
            ctx.engine.update_organization(&by, changes).await?;
            println!("Updated the organization");
        }
        Command::Member(cmd) => team::member(cli, ctx, cmd).await?,
        Command::Client(cmd) => catalog::client(cli, ctx, cmd).await?,
        Command::Project(cmd) => catalog::project(cli, ctx, cmd).await?,
        Command::Task(TaskCmd::Add {
            name,
            project,
            non_billable,
        }) => {
            let project = ctx.project(project)?;
            let id = ctx
                .engine
                .add_task(&by, project, name, non_billable.then_some(false))
                .await?;
            done(cli, id, &format!("Added task {name}"))?;
        }
        Command::Tag(TagCmd::Add { name }) => {
            let id = ctx.engine.add_tag(&by, name).await?;
            done(cli, id, &format!("Added tag {name}"))?;
        }
        Command::Tag(TagCmd::List { all }) => {
            let tags: Vec<_> = ctx
                .engine
                .tags(&by)?
                .into_iter()
                .filter(|t| *all || !t.archived)
                .collect();
            if cli.json {
                return print_json(&tags);
            }
            let mut table = Table::new(["TAG", "ID", "STATE"]);
            for t in tags {
                let state = if t.archived { "archived" } else { "" };
                table.row([t.name, t.id.to_string(), state.into()]);
            }
            table.print_or("No tags.");
        }
        Command::Tag(TagCmd::Rename { tag, new_name }) => {
            let id = ctx.engine.find_tag(by.org, tag)?;
            let changes = TagChanges {
                name: Some(new_name.clone()),
                archived: None,
            };
            let tag = ctx.engine.edit_tag(&by, id, changes).await?;
            done(cli, id, &format!("Renamed the tag to {}", tag.name))?;
        }
        Command::Tag(TagCmd::Archive { tag } | TagCmd::Restore { tag }) => {
            let archive = matches!(&cli.command, Command::Tag(TagCmd::Archive { .. }));
            let id = ctx.engine.find_tag(by.org, tag)?;
            let changes = TagChanges {
                name: None,
                archived: Some(archive),
            };
            let tag = ctx.engine.edit_tag(&by, id, changes).await?;
            let verb = if archive { "Archived" } else { "Restored" };
            done(cli, id, &format!("{verb} the tag {}", tag.name))?;
        }
        Command::Task(TaskCmd::List { project }) => {
            let project = project.as_deref().map(|p| ctx.project(p)).transpose()?;
            let tasks = ctx.engine.tasks(&by, project)?;
            if cli.json {
                return print_json(&tasks);
            }
            let mut table = Table::new(["PROJECT", "TASK", "BILLABLE", "ID"]);
            for t in tasks {
                let billable = t
                    .task
                    .billable
                    .map(|b| if b { "yes" } else { "no" })
                    .unwrap_or("project default");
                table.row([
                    t.project_name,
                    t.task.name,
                    billable.into(),
                    t.task.id.to_string(),
                ]);
            }
            table.print_or("No tasks.");
        }
        Command::Rate(RateCmd::Set {
            amount,
            currency,
            from,
            scope,
        }) => {
            let effective_from = match from {
                Some(d) => parse::date(d, ctx.today()?)?,
                None => ctx.today()?,
            };
            let scope = rate_scope(ctx, scope)?;
            let id = ctx
                .engine
                .set_rate(
                    &by,
                    NewRate {
                        scope,
                        effective_from,
                        hourly: amount.clone(),
                        currency: currency.clone(),
                    },
                )
                .await?;
            done(cli, id, &format!("Rate set from {effective_from}"))?;
        }
        Command::Rate(RateCmd::List) => {
            let rates = ctx.engine.rates(&by)?;
            if cli.json {
                return print_json(&rates);
            }
            let mut table = Table::new(["APPLIES TO", "FROM", "HOURLY", "ID"]);
            for r in rates {
                table.row([
                    r.applies_to,
                    r.rate.effective_from.to_string(),
                    r.rate.hourly.to_string(),
                    r.rate.id.to_string(),
                ]);
            }
            table.print_or("No rates yet. Set one with `stint rate set 95 --project NAME`.");
        }
        Command::Budget(BudgetCmd::Set {
            project,
            hours,
            amount,
            monthly,
        }) => {
            let project = ctx.project(project)?;
            let limit = match (hours, amount) {
                (Some(h), _) => BudgetLimit::Hours {
                    hours: h
                        .trim()
                        .parse()
                        .map_err(|_| anyhow!("{h:?} is not a number of hours"))?,
                },
                (None, Some(a)) => {
                    let currency = ctx.engine.organization(&by)?.currency;
                    BudgetLimit::Amount {
                        amount: Money::parse_positive(a, currency)?,
                    }
                }
                (None, None) => bail!("give --hours or --amount"),
            };
            let period = if *monthly {
                BudgetPeriod::Monthly
            } else {
                BudgetPeriod::Lifetime
            };
            let id = ctx.engine.set_budget(&by, project, limit, period).await?;
            done(cli, id, "Budget set")?;
        }
        Command::Budget(BudgetCmd::List) => {
            let budgets = ctx.engine.budgets(&by)?;
            if cli.json {
                return print_json(&budgets);
            }
            let mut table = Table::new(["PROJECT", "PERIOD", "USED", "LIMIT", "%"]);
            for b in budgets {
                let unit = match b.budget.limit {
                    BudgetLimit::Hours { .. } => "h".to_owned(),
                    BudgetLimit::Amount { amount } => format!(" {}", amount.currency),
                };
                table.row([
                    b.project_name,
                    format!("{:?}", b.budget.period).to_lowercase(),
                    format!("{}{unit}", b.usage.used),
                    format!("{}{unit}", b.usage.limit),
                    b.usage.percent.to_string(),
                ]);
            }
            table.print_or("No budgets.");
        }
        Command::Timer(TimerCmd::Start {
            project,
            task,
            note,
            billable,
            non_billable,
            tags,
        }) => {
            let project = project.as_deref().map(|p| ctx.project(p)).transpose()?;
            let task = match (task.as_deref(), project) {
                (Some(t), Some(p)) => Some(ctx.engine.find_task(by.org, p, t)?),
                (Some(_), None) => bail!("a task needs a project; give one with --project"),
                (None, _) => None,
            };
            let tags = ctx.tags(tags)?;
            let billable = if *billable {
                Some(true)
            } else if *non_billable {
                Some(false)
            } else {
                None
            };
            let outcome = ctx
                .engine
                .start_timer(
                    &by,
                    StartTimer {
                        project,
                        task,
                        note: note.clone(),
                        billable,
                        tags,
                    },
                )
                .await?;
            warn_overlaps(&outcome);
            if cli.json {
                return print_json(&outcome);
            }
            match outcome.entry.entry.project {
                Some(_) => println!("Timer started on {}", on_what(&outcome.entry)),
                None => println!(
                    "Timer started without a project; assign one with `stint entry edit {} --project NAME`",
                    outcome.entry.entry.id
                ),
            }
        }
        Command::Timer(TimerCmd::Stop) => {
            let entry = ctx.engine.stop_timer(&by).await?;
            if cli.json {
                return print_json(&entry);
            }
            println!(
                "Timer stopped: {} on {} ({})",
                ctx.format()?.duration(entry.seconds),
                on_what(&entry),
                entry.entry.id
            );
        }
        Command::Timer(TimerCmd::Status) => {
            let running = ctx.engine.running_timer(&by)?;
            if cli.json {
                return print_json(&running);
            }
            match running {
                Some(e) => println!(
                    "Running on {} for {}",
                    on_what(&e),
                    ctx.format()?.duration(e.seconds)
                ),
                None => println!("No timer running."),
            }
        }
        Command::Entry(cmd) => entries::entry(cli, ctx, cmd).await?,
        Command::Expense(cmd) => expenses::expense(cli, ctx, cmd).await?,
        Command::Billing(cmd) => invoicing::billing(cli, ctx, cmd).await?,
        Command::Invoice(cmd) => invoicing::invoice(cli, ctx, cmd).await?,
        Command::Lock(LockCmd::Set { date }) => {
            let date = parse::date(date, ctx.today()?)?;
            ctx.engine.lock_period(&by, Some(date)).await?;
            println!("Locked everything before {date}");
        }
        Command::Lock(LockCmd::Clear) => {
            ctx.engine.lock_period(&by, None).await?;
            println!("Removed the lock");
        }
        Command::Lock(LockCmd::Changes) => {
            let changes = ctx.engine.locked_changes(&by).await?;
            if cli.json {
                return print_json(&changes);
            }
            let format = ctx.format()?;
            let mut table = Table::new(["DAY", "WHAT", "MEMBER", "CHANGED", "ID"]);
            for c in changes {
                table.row([
                    format.date(c.date),
                    c.kind.to_owned(),
                    c.member_name,
                    c.fields.join(", "),
                    c.id,
                ]);
            }
            table.print_or("Nothing inside the locked period changed after it was locked.");
        }
        Command::Report(ReportCmd::Time {
            from,
            to,
            by: group,
            member,
            project,
            client,
        }) => {
            let today = ctx.today()?;
            let query = ReportQuery {
                from: from.as_deref().map(|d| parse::date(d, today)).transpose()?,
                to: to.as_deref().map(|d| parse::date(d, today)).transpose()?,
                group_by: parse::list(group)?,
                member: member
                    .as_deref()
                    .map(|m| ctx.engine.find_member(by.org, m))
                    .transpose()?,
                project: project.as_deref().map(|p| ctx.project(p)).transpose()?,
                client: client
                    .as_deref()
                    .map(|c| ctx.engine.find_client(by.org, c))
                    .transpose()?,
            };
            let report = ctx.engine.time_report(&by, &query)?;
            if cli.json {
                return print_json(&report);
            }
            let mut header: Vec<String> = report
                .group_by
                .iter()
                .map(|g| format!("{g:?}").to_uppercase())
                .collect();
            header.extend(["BILLABLE H".into(), "NON-BILLABLE H".into()]);
            if report.amounts_visible {
                header.push("AMOUNT".into());
            }
            let f = ctx.format()?;
            let mut table = Table::new(header);
            let cells = |labels: Vec<String>, row: &ReportRow| {
                let mut cells = labels;
                cells.push(f.duration(row.billable_seconds));
                cells.push(f.duration(row.non_billable_seconds));
                if report.amounts_visible {
                    cells.push(money_list(&f, &row.amounts));
                }
                cells
            };
            for row in &report.rows {
                table.row(cells(
                    row.key.iter().map(|k| report.label(k)).collect(),
                    row,
                ));
            }
            let mut total_labels = vec![String::new(); report.group_by.len()];
            if let Some(first) = total_labels.first_mut() {
                *first = "TOTAL".into();
            }
            table.rule();
            table.row(cells(total_labels, &report.total));
            table.print_or("No tracked time in this period.");
            let missing = report.unassigned;
            if missing.entries > 0 {
                println!(
                    "Not in this report: {} {} ({} h) without a project; assign one with `stint entry edit ID --project NAME`.",
                    missing.entries,
                    if missing.entries == 1 {
                        "entry"
                    } else {
                        "entries"
                    },
                    f.duration(missing.seconds)
                );
            }
        }
        Command::Export { format, output } => {
            let format = match format {
                ExportKind::Json => ExportFormat::Json,
                ExportKind::Csv => ExportFormat::Csv,
            };
            let bar = progress_bar("exporting");
            let mut progress = |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let summary = match output {
                Some(path) => {
                    // Write beside the target, then rename: a failed export leaves no half file.
                    let tmp = path.with_extension("partial");
                    let file = std::fs::File::create(&tmp)
                        .with_context(|| format!("cannot write {}", tmp.display()))?;
                    let mut writer = std::io::BufWriter::new(file);
                    let result = ctx.engine.export(&by, format, &mut writer, &mut progress);
                    let flushed = writer.flush();
                    match (result, flushed) {
                        (Ok(summary), Ok(())) => {
                            std::fs::rename(&tmp, path)
                                .with_context(|| format!("cannot write {}", path.display()))?;
                            summary
                        }
                        (Err(e), _) => {
                            let _ = std::fs::remove_file(&tmp);
                            return Err(e.into());
                        }
                        (_, Err(e)) => {
                            let _ = std::fs::remove_file(&tmp);
                            return Err(e.into());
                        }
                    }
                }
                None => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    let summary = ctx.engine.export(&by, format, &mut out, &mut progress)?;
                    out.flush()?;
                    summary
                }
            };
            bar.finish_and_clear();
            if output.is_some() {
                eprintln!(
                    "Exported {} time entries and {} expenses",
                    summary.entries, summary.expenses
                );
            }
        }
        Command::TortureWrite { project, count } => {
            let project = ctx.project(project)?;
            let base = jiff::Timestamp::from_second(1_700_000_000)?;
            let mut out = std::io::stdout().lock();
            for i in 0..*count {
                let start = base + jiff::SignedDuration::from_hours(i as i64);
                let input = NewEntry {
                    member: None,
                    project: Some(project),
                    task: None,
                    time: EntryTime::Span {
                        start,
                        end: start + jiff::SignedDuration::from_mins(30),
                    },
                    note: format!("torture {i}"),
                    billable: None,
                    tags: vec![],
                };
                let outcome = ctx.engine.add_entry(&by, input).await?;
                // Printed only after the commit returned: every id seen here must survive a kill.
                writeln!(out, "{}", outcome.entry.entry.id)?;
                out.flush()?;
            }
        }
    }
    Ok(())
}

fn done(cli: &Cli, id: impl std::fmt::Display, message: &str) -> Result<()> {
    if cli.json {
        print_json(&serde_json::json!({ "id": id.to_string() }))
    } else {
        println!("{message} ({id})");
        Ok(())
    }
}

fn rate_scope(ctx: &Ctx, args: &RateScopeArgs) -> Result<RateScope> {
    let org = ctx.by.org;
    let member = args
        .member
        .as_deref()
        .map(|m| ctx.engine.find_member(org, m))
        .transpose()?;
    let project = args
        .project
        .as_deref()
        .map(|p| ctx.project(p))
        .transpose()?;
    Ok(match (&args.task, project, &args.client, member) {
        (Some(task), Some(project), None, None) => RateScope::Task {
            task: ctx.engine.find_task(org, project, task)?,
        },
        (Some(_), None, _, _) => bail!("--task needs --project"),
        (None, Some(project), None, Some(member)) => RateScope::ProjectMember { project, member },
        (None, Some(project), None, None) => RateScope::Project { project },
        (None, None, Some(client), None) => RateScope::Client {
            client: ctx.engine.find_client(org, client)?,
        },
        (None, None, None, Some(member)) => RateScope::Member { member },
        (None, None, None, None) => RateScope::Organization,
        _ => bail!(
            "give one scope: --task with --project, --project (with --member), --client, --member, or none"
        ),
    })
}

/// B4: its own scratch vault, so it needs none.
async fn bench_pdf(
    cli: &Cli,
    chromium: Option<&Path>,
    runs: usize,
    chromium_runs: usize,
) -> Result<()> {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; figures only count from `cargo run --release`");
    }
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../invoice-pdf/fonts");
    let fonts = fonts.canonicalize().unwrap_or(fonts);
    let report =
        stint_engine::bench_pdf::run(chromium, &fonts, runs.max(3), chromium_runs.max(1)).await?;
    if cli.json {
        return print_json(&report);
    }
    println!(
        "Stint bench B4: invoice PDFs; Chromium: {}",
        report.chromium
    );
    let mut table = Table::new(["ID", "WHAT", "STINT", "CHROMIUM", "FASTER", "TARGET", "MET"]);
    for f in &report.figures {
        let (chromium, faster) = match f.baseline_ms {
            Some(c) => (format!("{c:.0} ms"), format!("{:.0}x", c / f.median_ms)),
            None => ("-".into(), "-".into()),
        };
        table.row([
            f.id.into(),
            f.what.clone(),
            format!("{:.2} ms", f.median_ms),
            chromium,
            faster,
            f.target.into(),
            if f.met { "yes".into() } else { "NO".into() },
        ]);
    }
    table.print_or("");
    println!(
        "One-page PDF: {} bytes; as Factur-X PDF/A-3: {} bytes.",
        report.one_page_bytes.0, report.one_page_bytes.1
    );
    if report.chromium_batch_sample > 0 {
        println!(
            "Chromium's batch figure is its median over {} of the invoices, times 1,000.",
            report.chromium_batch_sample
        );
    }
    Ok(())
}

async fn bench_run(cli: &Cli, dir: &Path, engine: Engine, runs: usize) -> Result<()> {
    engine.close().await;
    if Engine::status(dir).await != VaultStatus::Passphrase {
        bail!(
            "`bench run` measures a passphrase-protected vault: seed one with STINT_PASSPHRASE set"
        );
    }
    let passphrase = passphrase(false)?;
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; figures only count from `cargo run --release`");
    }
    let report = stint_engine::bench::run(dir, &passphrase, runs).await?;
    if cli.json {
        return print_json(&report);
    }
    println!(
        "Stint bench: {} records, {} time entries, median of {} runs (release: {})",
        report.records,
        report.entries,
        report.runs,
        !cfg!(debug_assertions)
    );
    let mut table = Table::new([
        "ID", "WHAT", "MEASURED", "BASELINE", "RATIO", "TARGET", "MET",
    ]);
    for f in &report.figures {
        let measured = match f.p90_ms {
            Some(p90) => format!("p50 {:.2} ms, p90 {:.2} ms", f.median_ms, p90),
            None => format!("{:.2} ms", f.median_ms),
        };
        let (baseline, ratio) = match f.baseline_ms {
            Some(b) => (format!("{b:.2} ms"), format!("{:.2}x", f.median_ms / b)),
            None => ("-".into(), "-".into()),
        };
        table.row([
            f.id.into(),
            f.what.clone(),
            measured,
            baseline,
            ratio,
            f.target.into(),
            if f.met { "yes".into() } else { "NO".into() },
        ]);
    }
    table.print_or("");
    println!(
        "B2: grouping alone (prepared inputs, no names): {:.2} ms",
        report.b2_aggregate_ms
    );
    println!("B1 phases (median ms):");
    for (phase, ms) in &report.b1_phases {
        println!("  {phase:48} {ms:8.2}");
    }
    Ok(())
}
