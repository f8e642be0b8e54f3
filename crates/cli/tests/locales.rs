//! One locale everywhere: the same work, tracked and invoiced in an en-US, en-GB, de-DE and fr-FR
//! organization, reads the same in the terminal and on the invoice PDF as the app writes it. The
//! expected strings are `crates/locale/tests/vectors.json`, the file `ui/src/format.test.ts` holds
//! the UI's `Intl` formats to — so the three agree through one file.

mod support;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const PASS: &str = "correct horse battery staple";
const NOW: &str = "2026-12-01T15:00:00Z";

#[derive(Deserialize)]
struct Vectors {
    locales: BTreeMap<String, Cases>,
}

#[derive(Deserialize)]
struct Cases {
    money: Vec<Case>,
    percent: Vec<Case>,
    date: Vec<Case>,
    time: Vec<Case>,
    duration: Vec<Case>,
}

/// One value and its text; the value's field depends on the kind (amount, percent, date, …).
#[derive(Deserialize)]
struct Case {
    #[serde(alias = "percent", alias = "date", alias = "time")]
    amount: Option<String>,
    currency: Option<String>,
    seconds: Option<i64>,
    style: Option<String>,
    text: String,
}

impl Cases {
    fn find<'a>(cases: &'a [Case], pick: impl Fn(&Case) -> bool, what: &str) -> &'a str {
        &cases
            .iter()
            .find(|c| pick(c))
            .unwrap_or_else(|| panic!("vectors.json has no {what}"))
            .text
    }
}

fn stint(vault: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stint"));
    cmd.args(args)
        .env("STINT_VAULT", vault)
        .env("STINT_PASSPHRASE", PASS)
        .env("STINT_KDF", "minimum")
        .env("STINT_NOW", NOW)
        .env_remove("STINT_ORG");
    let out = support::output(&mut cmd);
    assert!(
        out.status.success(),
        "stint {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The PDF's text as pdftotext extracts it.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// pdftotext turns no-break spaces into plain ones; compared that way, the rest exactly.
fn plain(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

#[test]
fn the_terminal_and_the_invoice_write_what_the_app_writes_in_four_locales() {
    let vectors: Vectors =
        serde_json::from_str(include_str!("../../locale/tests/vectors.json")).unwrap();
    assert_eq!(vectors.locales.len(), 4);
    for (locale, cases) in &vectors.locales {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path();
        stint(vault, &["init"]);
        stint(
            vault,
            &[
                "org",
                "create",
                "Acme Studio",
                "--currency",
                "EUR",
                "--locale",
                locale,
                "--time-zone",
                "UTC",
                "--owner",
                "Jane Doe",
            ],
        );
        stint(vault, &["client", "add", "Client"]);
        stint(vault, &["project", "add", "Work", "--client", "Client"]);
        // 1:30 at 823 an hour is 1,234.50, the vectors' amount.
        stint(
            vault,
            &[
                "rate",
                "set",
                "823",
                "--project",
                "Work",
                "--from",
                "2026-01-01",
            ],
        );
        stint(
            vault,
            &[
                "entry",
                "add",
                "--project",
                "Work",
                "--date",
                "2026-12-01",
                "--start",
                "09:05",
                "--end",
                "10:35",
            ],
        );
        let money = Cases::find(
            &cases.money,
            |c| c.amount.as_deref() == Some("1234.5") && c.currency.as_deref() == Some("EUR"),
            "1234.5 EUR",
        );
        let day = Cases::find(
            &cases.date,
            |c| c.amount.as_deref() == Some("2026-12-01"),
            "2026-12-01",
        );
        let start = Cases::find(
            &cases.time,
            |c| c.amount.as_deref() == Some("09:05"),
            "09:05",
        );
        let duration = Cases::find(
            &cases.duration,
            |c| c.seconds == Some(5400) && c.style.as_deref() == Some("clock"),
            "1:30 clock",
        );
        let vat = Cases::find(&cases.percent, |c| c.amount.as_deref() == Some("19"), "19%");

        let report = stint(vault, &["report", "time"]);
        assert!(
            report.contains(money) && report.contains(duration),
            "{locale}: the report lacks {money:?} or {duration:?}:\n{report}"
        );
        let entries = stint(vault, &["entry", "list"]);
        assert!(
            entries.contains(day) && entries.contains(start),
            "{locale}: the entry list lacks {day:?} or {start:?}:\n{entries}"
        );

        stint(
            vault,
            &[
                "billing",
                "set",
                "--name",
                "Acme Studio",
                "--street",
                "Torstraße 1",
                "--postcode",
                "10119",
                "--city",
                "Berlin",
                "--country",
                "DE",
                "--vat-id",
                "DE123456789",
                "--holder",
                "Acme Studio",
                "--iban",
                "DE89 3704 0044 0532 0130 00",
                "--pattern",
                "A-{YYYY}-{SEQ:3}",
            ],
        );
        stint(
            vault,
            &[
                "billing",
                "client",
                "Client",
                "--street",
                "Hafenweg 3",
                "--postcode",
                "20457",
                "--city",
                "Hamburg",
                "--country",
                "DE",
            ],
        );
        let draft: serde_json::Value =
            serde_json::from_str(&stint(vault, &["invoice", "create", "Client", "--json"]))
                .unwrap();
        let id = draft["invoice"]["id"].as_str().unwrap().to_owned();
        stint(vault, &["invoice", "issue", &id]);

        let shown = stint(vault, &["invoice", "show", "A-2026-001"]);
        for expected in [money, day, vat] {
            assert!(
                shown.contains(expected),
                "{locale}: `invoice show` lacks {expected:?}:\n{shown}"
            );
        }

        let out = dir.path().join("files");
        std::fs::create_dir(&out).unwrap();
        stint(
            vault,
            &["invoice", "pdf", "A-2026-001", "-o", out.to_str().unwrap()],
        );
        let text = plain(&pdf_text(&out.join("A-2026-001.pdf")));
        for expected in [money, day, vat, duration] {
            assert!(
                text.contains(&plain(expected)),
                "{locale}: the PDF lacks {expected:?}:\n{text}"
            );
        }
    }
}
