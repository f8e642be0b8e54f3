//! `stint conflicts`: fields that two devices changed at once, as sync found them (docs/sync.md,
//! "Merging"). Every device shows the same merged value; the other is listed here until kept or
//! put back.

use anyhow::Result;
use clap::Subcommand;
use stint_engine::{ActAs, Engine};

#[derive(Subcommand)]
pub enum ConflictsCmd {
    /// Keep the merged values (the conflict leaves the list)
    Keep { number: i64 },
    /// Put the values that lost back, as a new edit (time entries)
    PutBack { number: i64 },
}

fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "(deleted)".into(),
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

pub async fn run(
    json: bool,
    engine: &mut Engine,
    by: &ActAs,
    cmd: Option<&ConflictsCmd>,
) -> Result<()> {
    match cmd {
        None => {
            let list = engine.conflicts(by).await?;
            if json {
                return crate::print_json(&list);
            }
            if list.is_empty() {
                println!("No conflicts.");
                return Ok(());
            }
            for c in &list {
                if c.not_sent {
                    println!(
                        "#{} {} {}: not sent, your role no longer allows it; undone here",
                        c.number, c.kind, c.record
                    );
                    for f in &c.fields {
                        let now = match &f.kept {
                            serde_json::Value::Null => "(none)".into(),
                            kept => shown(kept),
                        };
                        println!("    {}: now {now}, yours was {}", f.field, shown(&f.lost));
                    }
                    continue;
                }
                println!("#{} {} {}", c.number, c.kind, c.record);
                for f in &c.fields {
                    println!(
                        "    {}: kept {}, lost {}",
                        f.field,
                        shown(&f.kept),
                        shown(&f.lost)
                    );
                }
            }
            println!();
            println!(
                "Keep the merge with `stint conflicts keep N`, or `stint conflicts put-back N`; a change that was not sent leaves the list with `keep`."
            );
        }
        Some(ConflictsCmd::Keep { number }) => {
            engine.resolve_conflict(by, *number, false).await?;
            if json {
                return crate::print_json(&serde_json::json!({ "kept": number }));
            }
            println!("Kept the merged values of conflict #{number}.");
        }
        Some(ConflictsCmd::PutBack { number }) => {
            engine.resolve_conflict(by, *number, true).await?;
            if json {
                return crate::print_json(&serde_json::json!({ "put_back": number }));
            }
            println!("Put back the values of conflict #{number}; `stint sync` sends them.");
        }
    }
    Ok(())
}
