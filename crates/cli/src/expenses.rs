//! `stint expense …`: expenses and their receipts.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use stint_domain::*;
use stint_engine::*;

use crate::output::{Table, money};
use crate::{Cli, Ctx, done, parse, print_json};

#[derive(Subcommand)]
pub enum ExpenseCmd {
    /// Record an expense
    Add {
        /// Amount, e.g. 12.50
        #[arg(allow_hyphen_values = true)]
        amount: String,
        #[arg(long)]
        category: String,
        /// [default: today]
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        currency: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        billable: bool,
        #[arg(long)]
        project: Option<String>,
        /// Attach a receipt file (stored encrypted)
        #[arg(long)]
        receipt: Option<PathBuf>,
    },
    /// List expenses
    List {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
    /// Save an expense's receipt to a new file (fetched from the sync server first when another
    /// device attached it)
    Receipt {
        /// The expense's id
        id: String,
        /// Where to save it (a file that does not exist yet)
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn expense(cli: &Cli, ctx: &mut Ctx, cmd: &ExpenseCmd) -> Result<()> {
    let by = ctx.by;
    match cmd {
        ExpenseCmd::Add {
            amount,
            category,
            date,
            currency,
            note,
            billable,
            project,
            receipt,
        } => {
            let date = ctx.day_or_today(date.as_deref())?;
            let project = project.as_deref().map(|p| ctx.project(p)).transpose()?;
            let receipt = match receipt {
                Some(path) => {
                    let size = std::fs::metadata(path)
                        .with_context(|| format!("cannot read {}", path.display()))?
                        .len();
                    if size > stint_domain::expense::MAX_RECEIPT_BYTES {
                        bail!("{} is larger than 20 MiB", path.display());
                    }
                    let bytes = std::fs::read(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    let file_name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "receipt".into());
                    Some(ReceiptFile { file_name, bytes })
                }
                None => None,
            };
            let input = NewExpense {
                member: None,
                date,
                amount: amount.clone(),
                currency: currency.clone(),
                category: category.clone(),
                note: note.clone(),
                billable: *billable,
                project,
                receipt,
            };
            let id = ctx.engine.add_expense(&by, input).await?;
            done(cli, id, &format!("Recorded expense of {amount}"))?;
        }
        ExpenseCmd::List { from, to } => {
            let today = ctx.today()?;
            let from = from.as_deref().map(|d| parse::date(d, today)).transpose()?;
            let to = to.as_deref().map(|d| parse::date(d, today)).transpose()?;
            let expenses = ctx.engine.expenses(&by, from, to)?;
            if cli.json {
                return print_json(&expenses);
            }
            let f = ctx.format()?;
            let mut table = Table::new([
                "DATE", "MEMBER", "CATEGORY", "AMOUNT", "BILLABLE", "PROJECT", "RECEIPT", "NOTE",
                "ID",
            ]);
            for x in expenses {
                table.row([
                    f.date(x.expense.date),
                    x.member_name,
                    x.expense.category,
                    money(&f, &x.expense.amount),
                    if x.expense.billable {
                        "yes".into()
                    } else {
                        String::new()
                    },
                    x.project_name.unwrap_or_default(),
                    x.expense.receipt.map(|r| r.file_name).unwrap_or_default(),
                    x.expense.note.chars().take(40).collect(),
                    x.expense.id.to_string(),
                ]);
            }
            table.print_or("No expenses.");
        }
        ExpenseCmd::Receipt { id, out } => {
            let id: ExpenseId = id.parse()?;
            let (receipt, bytes) = if ctx.engine.server_account().await?.is_some() {
                let t = crate::sync::transport(&ctx.engine).await?;
                ctx.engine.synced_receipt(&t, &by, id).await?
            } else {
                ctx.engine.receipt(&by, id).await?
            };
            save_new(out, &bytes)?;
            if cli.json {
                return print_json(&serde_json::json!({
                    "file_name": receipt.file_name,
                    "media_type": receipt.media_type,
                    "size": bytes.len(),
                    "saved_to": out,
                }));
            }
            println!(
                "Saved {} ({} bytes) to {}",
                receipt.file_name,
                bytes.len(),
                out.display()
            );
        }
    }
    Ok(())
}

/// Writes `bytes` to `path`, which must not exist yet: nothing of the person's is overwritten.
fn save_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow!(
                    "{} exists already; choose another file name",
                    path.display()
                )
            }
            _ => anyhow!("cannot write {}: {e}", path.display()),
        })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}
