//! The CLI as a person uses it: a real binary, a real vault on disk, real processes.

mod support;

use std::path::Path;
use std::process::{Command, Output};

const PASS: &str = "correct horse battery staple";
/// "Now" for every command here: the stories never read the machine's clock.
const NOW: &str = "2026-12-01T15:00:00Z";

fn stint(vault: &Path, args: &[&str]) -> Output {
    stint_at(vault, NOW, args)
}

fn stint_at(vault: &Path, now: &str, args: &[&str]) -> Output {
    stint_with(vault, args, &[("STINT_NOW", Some(now))])
}

fn ok(vault: &Path, args: &[&str]) -> String {
    let out = stint(vault, args);
    assert!(
        out.status.success(),
        "stint {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(vault: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok(vault, &all)).unwrap()
}

/// Fails with exactly one readable line on stderr and changes nothing.
fn refused(vault: &Path, args: &[&str], expect: &str) {
    let before = ok(vault, &["export", "--format", "json"]);
    let out = stint(vault, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "stint {args:?} should fail");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line for {args:?}: {stderr}"
    );
    assert!(stderr.starts_with("stint: error: "), "{stderr}");
    assert!(
        stderr.to_lowercase().contains(&expect.to_lowercase()),
        "{args:?}: {stderr:?} should mention {expect:?}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        before,
        ok(vault, &["export", "--format", "json"]),
        "stint {args:?} changed data"
    );
}

#[test]
#[should_panic(expected = "did not exit within 1s; its threads were")]
fn a_command_that_hangs_fails_its_test_instead_of_the_run() {
    support::output_within(
        Command::new("sleep").arg("30"),
        std::time::Duration::from_secs(1),
    );
}

fn setup(vault: &Path) {
    ok(vault, &["init"]);
    ok(
        vault,
        &[
            "org",
            "create",
            "Acme Studio",
            "--currency",
            "EUR",
            "--time-zone",
            "Europe/Berlin",
            "--owner",
            "Jane Doe",
        ],
    );
    ok(vault, &["client", "add", "Müller & Søn"]);
    ok(
        vault,
        &[
            "project",
            "add",
            "Website relaunch",
            "--client",
            "Müller & Søn",
            "--rounding",
            "up:15",
        ],
    );
    ok(
        vault,
        &[
            "rate",
            "set",
            "95",
            "--project",
            "Website relaunch",
            "--from",
            "2026-01-01",
        ],
    );
}

#[test]
fn a_timer_started_without_a_project_gets_one_later() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    refused(
        vault,
        &["timer", "start", "--task", "Design"],
        "a task needs a project",
    );
    let started = ok(vault, &["timer", "start", "--note", "call with Jonas"]);
    let id = json(vault, &["timer", "status"])["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        started.trim(),
        format!(
            "Timer started without a project; assign one with `stint entry edit {id} --project NAME`"
        )
    );
    assert!(
        ok(vault, &["timer", "status"]).starts_with("Running on no project for"),
        "the status says there is no project"
    );
    let stopped = stint_at(vault, "2026-12-01T15:30:00Z", &["timer", "stop"]);
    assert!(stopped.status.success(), "{stopped:?}");
    let listed = ok(vault, &["entry", "list"]);
    assert!(listed.contains("(none yet)"), "{listed}");
    let report = json(
        vault,
        &[
            "report",
            "time",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-01",
        ],
    );
    assert_eq!(report["unassigned"]["entries"], 1);
    assert_eq!(report["unassigned"]["seconds"], 1800);
    let table = ok(
        vault,
        &[
            "report",
            "time",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-01",
        ],
    );
    assert!(
        table.contains("Not in this report: 1 entry (0:30 h) without a project"),
        "{table}"
    );

    ok(
        vault,
        &["entry", "edit", &id, "--project", "Website relaunch"],
    );
    let entries = json(vault, &["entry", "list"]);
    assert_eq!(entries[0]["project_name"], "Website relaunch");
    assert_eq!(entries[0]["billed_seconds"], 1800);
    assert_eq!(entries[0]["amount"]["amount"], "47.50");
    let report = json(
        vault,
        &[
            "report",
            "time",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-01",
        ],
    );
    assert_eq!(report["unassigned"]["entries"], 0);
}

#[test]
fn track_and_report_then_nothing_typed_is_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    ok(
        vault,
        &[
            "timer",
            "start",
            "--project",
            "Website relaunch",
            "--note",
            "Kickoff mit Frau Østergaard",
        ],
    );
    let status = json(vault, &["timer", "status"]);
    assert_eq!(status["project_name"], "Website relaunch");
    let refused_second = stint(vault, &["timer", "start", "--project", "Website relaunch"]);
    assert!(
        !refused_second.status.success(),
        "a second timer must be refused"
    );
    // Seven seconds later by the fixed clock.
    let out = stint_at(vault, "2026-12-01T15:00:07Z", &["timer", "stop", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let stopped: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stopped["seconds"], 7);
    assert_eq!(
        stopped["billed_seconds"], 900,
        "a few seconds round up to 15 minutes"
    );
    ok(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--start",
            "2026-11-20 09:00",
            "--end",
            "10:10",
            "--note",
            "Entwurf überarbeitet",
        ],
    );

    // 15 min + 75 min billable at 95 EUR/h.
    let report = json(vault, &["report", "time", "--by", "client,project"]);
    assert_eq!(report["total"]["billable_seconds"], 90 * 60);
    assert_eq!(
        report["total"]["amounts"][0]["amount"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap(),
        142.5
    );
    assert_eq!(report["total"]["amounts"][0]["currency"], "EUR");
    let key = &report["rows"][0]["key"];
    let names = &report["names"];
    assert_eq!(names[key[0]["value"].as_str().unwrap()], "Müller & Søn");
    assert_eq!(names[key[1]["value"].as_str().unwrap()], "Website relaunch");
    // The table writes as the organization's locale and duration style do, as the app does
    // (crates/locale's vectors hold the UI and this to the same strings).
    let table = ok(vault, &["report", "time"]);
    assert!(
        table.contains("€142.50") && table.contains("1:30"),
        "{table}"
    );
    ok(
        vault,
        &[
            "org",
            "set",
            "--locale",
            "de-DE",
            "--duration-style",
            "decimal",
        ],
    );
    let table = ok(vault, &["report", "time"]);
    assert!(
        table.contains("142,50\u{a0}€") && table.contains("1,50") && !table.contains("1:30"),
        "{table}"
    );
    let listed = ok(vault, &["entry", "list"]);
    assert!(
        listed.contains("20.11.2026")
            && listed.contains("1,17")
            && listed.contains("118,75\u{a0}€"),
        "{listed}"
    );
    ok(
        vault,
        &[
            "org",
            "set",
            "--locale",
            "en-US",
            "--duration-style",
            "clock",
        ],
    );

    let entries = json(vault, &["entry", "list"]);
    assert_eq!(entries.as_array().unwrap().len(), 2);
    let csv = ok(vault, &["export", "--format", "csv"]);
    assert!(
        csv.contains("Entwurf überarbeitet") && csv.contains("118.75"),
        "{csv}"
    );
    ok(vault, &["vault", "check"]);

    let typed = [
        "Acme Studio",
        "Müller",
        "Søn",
        "Website relaunch",
        "Kickoff",
        "Østergaard",
        "Entwurf",
        "überarbeitet",
        "Jane Doe",
        "Europe/Berlin",
        PASS,
    ];
    let mut files = 0;
    for entry in walk(vault) {
        let bytes = std::fs::read(&entry).unwrap();
        files += 1;
        for needle in typed {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} found in {}",
                entry.display()
            );
        }
    }
    assert!(files >= 1);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path))
        } else {
            out.push(path)
        }
    }
    out
}

#[test]
fn bad_input_is_refused_with_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    ok(vault, &["member", "add", "Vic", "--role", "viewer"]);
    ok(vault, &["member", "add", "Max", "--role", "member"]);
    refused(
        vault,
        &["entry", "add", "--project", "Nope", "--duration", "1h"],
        "no project",
    );
    refused(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--start",
            "10:00",
            "--end",
            "09:00",
        ],
        "end must be after",
    );
    refused(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--date",
            "2026-02-30",
            "--duration",
            "1h",
        ],
        "not a date",
    );
    refused(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--duration",
            "soon",
        ],
        "not a duration",
    );
    refused(
        vault,
        &["expense", "add", "-5", "--category", "Travel"],
        "greater than zero",
    );
    refused(
        vault,
        &["expense", "add", "12.345", "--category", "Travel"],
        "more decimals",
    );
    refused(
        vault,
        &["rate", "set", "abc", "--project", "Website relaunch"],
        "not an amount",
    );
    refused(vault, &["client", "add", "  "], "must not be empty");
    refused(vault, &["client", "add", "Müller & Søn"], "already exists");
    refused(
        vault,
        &["org", "set", "--time-zone", "Mars/Olympus"],
        "not a time zone",
    );
    refused(
        vault,
        &["--as", "Vic", "client", "add", "Viewer Client"],
        "viewer may not",
    );
    refused(
        vault,
        &[
            "--as",
            "Vic",
            "timer",
            "start",
            "--project",
            "Website relaunch",
        ],
        "viewer may not",
    );
    refused(
        vault,
        &[
            "--as",
            "Max",
            "rate",
            "set",
            "200",
            "--project",
            "Website relaunch",
        ],
        "member may not",
    );
    refused(vault, &["--as", "Nobody", "entry", "list"], "no member");
    refused(vault, &["timer", "stop"], "no timer");
    ok(vault, &["lock", "set", "2026-11-01"]);
    refused(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--date",
            "2026-10-31",
            "--duration",
            "1h",
        ],
        "locked",
    );
    // Nothing inside the locked period changed since it was locked; a Member may not ask.
    let changes = ok(vault, &["lock", "changes"]);
    assert!(
        changes.contains("Nothing inside the locked period changed"),
        "{changes}"
    );
    refused(vault, &["--as", "Max", "lock", "changes"], "member may not");

    // A wrong passphrase is one line too, and opens nothing.
    let out = support::output(
        Command::new(env!("CARGO_BIN_EXE_stint"))
            .args(["entry", "list"])
            .env("STINT_VAULT", vault)
            .env("STINT_PASSPHRASE", "not the passphrase"),
    );
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "stint: error: wrong passphrase"
    );
}

#[test]
fn members_see_only_their_own_time_and_no_amounts() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    ok(vault, &["member", "add", "Max", "--role", "member"]);
    ok(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--start",
            "2026-11-20 09:00",
            "--end",
            "10:00",
            "--note",
            "owner's work",
        ],
    );
    ok(
        vault,
        &[
            "--as",
            "Max",
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--start",
            "2026-11-20 11:00",
            "--end",
            "12:00",
            "--note",
            "max's work",
        ],
    );
    let owner_id = json(vault, &["entry", "list"])
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entry"]["note"] == "owner's work")
        .unwrap()["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let max_view = json(vault, &["--as", "Max", "entry", "list"]);
    assert_eq!(max_view.as_array().unwrap().len(), 1);
    assert_eq!(max_view[0]["entry"]["note"], "max's work");
    assert!(
        max_view[0]["amount"].is_null(),
        "members do not see amounts"
    );
    refused(
        vault,
        &[
            "--as", "Max", "entry", "edit", &owner_id, "--note", "mine now",
        ],
        "only",
    );
    refused(
        vault,
        &["--as", "Max", "entry", "delete", &owner_id],
        "only",
    );
    let report = json(vault, &["--as", "Max", "report", "time", "--by", "member"]);
    assert_eq!(report["rows"].as_array().unwrap().len(), 1);
    assert_eq!(report["amounts_visible"], false);
    assert_eq!(
        json(vault, &["report", "time", "--by", "member"])["rows"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn tags_are_made_once_and_attached_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    ok(vault, &["tag", "add", "meeting"]);
    ok(vault, &["tag", "add", "Urgent"]);
    let tags = json(vault, &["tag", "list"]);
    let id_of = |name: &str| {
        tags.as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let out = json(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--duration",
            "1h",
            "--date",
            "2026-11-20",
            "--tag",
            "meeting",
            "--tag",
            "urgent",
        ],
    );
    assert_eq!(
        out["entry"]["entry"]["tags"],
        serde_json::json!([id_of("meeting"), id_of("Urgent")]),
        "names match ignoring case, in the order given"
    );
    let timer = json(
        vault,
        &[
            "timer",
            "start",
            "--project",
            "Website relaunch",
            "--tag",
            "meeting",
        ],
    );
    assert_eq!(
        timer["entry"]["entry"]["tags"],
        serde_json::json!([id_of("meeting")])
    );
    ok(vault, &["timer", "stop"]);
    refused(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--duration",
            "1h",
            "--tag",
            "nonexistent",
        ],
        "stint tag list",
    );

    // Renamed and archived tags stay on the entries that carry them.
    ok(vault, &["tag", "rename", "urgent", "Rush"]);
    refused(
        vault,
        &["tag", "rename", "Rush", "MEETING"],
        "already exists",
    );
    ok(vault, &["tag", "archive", "meeting"]);
    let active = json(vault, &["tag", "list"]);
    assert_eq!(active.as_array().unwrap().len(), 1, "{active}");
    assert_eq!(active[0]["name"], "Rush");
    let all = json(vault, &["tag", "list", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    let entries = json(
        vault,
        &[
            "entry",
            "list",
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-20",
        ],
    );
    assert!(
        entries.to_string().contains(&id_of("meeting")),
        "an archived tag stays on its entries: {entries}"
    );
    ok(vault, &["tag", "restore", "meeting"]);
    assert_eq!(json(vault, &["tag", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn tracked_time_is_invoiced_issued_and_paid_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    ok(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--date",
            "2026-11-02",
            "--start",
            "09:00",
            "--end",
            "10:10",
            "--note",
            "Wireframes",
        ],
    );
    ok(
        vault,
        &[
            "entry",
            "add",
            "--project",
            "Website relaunch",
            "--date",
            "2026-11-03",
            "--duration",
            "30m",
        ],
    );

    // Issuing needs the seller's and buyer's addresses, and says so.
    let draft = json(
        vault,
        &[
            "invoice",
            "create",
            "Müller & Søn",
            "--line",
            "Hosting: Nov:1:20",
        ],
    );
    let id = draft["invoice"]["id"].as_str().unwrap().to_owned();
    assert_eq!(draft["invoice"]["lines"].as_array().unwrap().len(), 2);
    assert_eq!(draft["invoice"]["lines"][1]["description"], "Hosting: Nov");
    refused(vault, &["invoice", "issue", &id], "billing profile");
    ok(
        vault,
        &[
            "billing",
            "set",
            "--name",
            "Acme Studio GmbH",
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
            "Acme Studio GmbH",
            "--iban",
            "DE89 3704 0044 0532 0130 00",
            "--pattern",
            "AC-{YYYY}-{SEQ:3}",
        ],
    );
    refused(vault, &["invoice", "issue", &id], "no billing address");
    ok(
        vault,
        &[
            "billing",
            "client",
            "Müller & Søn",
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
    refused(
        vault,
        &["billing", "set", "--iban", "DE00 1234"],
        "not a valid IBAN",
    );
    refused(
        vault,
        &["billing", "set", "--pattern", "AC-{YYYY}"],
        "sequence token",
    );
    refused(
        vault,
        &["invoice", "edit", &id, "--remove-line", "9"],
        "no line 9",
    );
    refused(
        vault,
        &[
            "invoice",
            "create",
            "Müller & Søn",
            "--no-time",
            "--line",
            "oops",
        ],
        "not a line",
    );

    let issued = json(vault, &["invoice", "issue", &id, "--date", "2026-11-20"]);
    assert_eq!(issued["label"], "AC-2026-001");
    // 1:15 (rounded up to 15 min) + 0:30 at 95 EUR/h = 166.25, + 20 hosting = 186.25 net, 19 % VAT.
    assert_eq!(issued["totals"]["net"], "186.25");
    assert_eq!(issued["totals"]["tax"], "35.39");
    assert_eq!(issued["totals"]["gross"], "221.64");
    refused(
        vault,
        &["invoice", "edit", "AC-2026-001", "--notes", "late change"],
        "is issued",
    );
    refused(
        vault,
        &["invoice", "pay", "AC-2026-001", "300"],
        "still due",
    );

    let text = ok(vault, &["invoice", "show", "AC-2026-001"]);
    assert!(
        text.contains("Müller & Søn") && text.contains("€221.64"),
        "{text}"
    );
    // The tracked time as a clock (1:15 + 0:30), the typed line as typed.
    assert!(text.contains("1:45 h") && !text.contains("1.75"), "{text}");
    assert!(
        text.contains("Service period Nov 2, 2026 – Nov 3, 2026"),
        "{text}"
    );
    ok(
        vault,
        &[
            "invoice",
            "pay",
            "AC-2026-001",
            "21.64",
            "--date",
            "2026-11-25",
        ],
    );
    let listed = ok(vault, &["invoice", "list", "--status", "partially_paid"]);
    assert!(
        listed.contains("AC-2026-001") && listed.contains("Open: €200.00"),
        "{listed}"
    );
    let paid = json(vault, &["invoice", "pay", "AC-2026-001", "200"]);
    assert_eq!(paid["invoice"]["status"], "paid");
    refused(
        vault,
        &["invoice", "void", "AC-2026-001", "--reason", "x"],
        "credit note",
    );

    // The work billed is locked; the invoice lives in the finance compartment, so a Member sees none.
    let entries = json(
        vault,
        &[
            "entry",
            "list",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ],
    );
    let billed = entries[0]["entry"]["id"].as_str().unwrap().to_owned();
    refused(
        vault,
        &["entry", "edit", &billed, "--note", "rewritten"],
        "on an invoice",
    );
    ok(vault, &["member", "add", "Max Member", "--role", "member"]);
    refused(
        vault,
        &["--as", "Max Member", "invoice", "list"],
        "not allowed",
    );
    let credit = json(vault, &["invoice", "credit", "AC-2026-001"]);
    assert_eq!(credit["corrects"], "AC-2026-001");

    // Files: the PDF reads back as text; the XML is there; a second save never overwrites.
    let out = dir.path().join("files");
    std::fs::create_dir(&out).unwrap();
    let saved = json(
        vault,
        &["invoice", "pdf", "AC-2026-001", "-o", out.to_str().unwrap()],
    );
    let pdf = std::path::PathBuf::from(saved["path"].as_str().unwrap());
    assert_eq!(pdf, out.join("AC-2026-001.pdf"));
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed");
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in [
        "AC-2026-001",
        "Müller & Søn",
        "Hosting: Nov",
        "221.64",
        // Paid in full by now: stamped, and without payment instructions.
        "PAID",
    ] {
        assert!(
            text.contains(needle),
            "the PDF text lacks {needle:?}:\n{text}"
        );
    }
    assert!(!text.contains("DE89 3704 0044 0532 0130 00"), "{text}");
    ok(
        vault,
        &["invoice", "xml", "AC-2026-001", "-o", out.to_str().unwrap()],
    );
    let xml = std::fs::read_to_string(out.join("AC-2026-001-factur-x.xml")).unwrap();
    assert!(xml.contains("<ram:GrandTotalAmount>221.64</ram:GrandTotalAmount>"));
    refused(
        vault,
        &["invoice", "pdf", "AC-2026-001", "-o", out.to_str().unwrap()],
        "may exist already",
    );
    refused(
        vault,
        &[
            "invoice",
            "xml",
            "AC-2026-001",
            "--xrechnung",
            "-o",
            out.to_str().unwrap(),
        ],
        "BT-10 buyer reference",
    );
    // A monthly retainer: drafts are made once, when due.
    let started = json(
        vault,
        &[
            "invoice",
            "recurring",
            "add",
            "Müller & Søn",
            "--every",
            "month",
            "--start",
            "2026-01-15",
            "--until",
            "2026-03-31",
            "--line",
            "Retainer:1:400",
        ],
    );
    let series = started["id"].as_str().unwrap().to_owned();
    refused(
        vault,
        &[
            "invoice",
            "recurring",
            "add",
            "Müller & Søn",
            "--every",
            "fortnightly",
            "--line",
            "Retainer:1:400",
        ],
        "not an interval",
    );
    let made = json(vault, &["invoice", "recurring", "run"]);
    assert_eq!(made.as_array().unwrap().len(), 3, "{made}");
    assert_eq!(
        json(vault, &["invoice", "recurring", "run"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let listed = ok(vault, &["invoice", "recurring", "list"]);
    assert!(
        listed.contains("ended") && listed.contains(&series),
        "{listed}"
    );
    for draft in made.as_array().unwrap() {
        ok(
            vault,
            &[
                "invoice",
                "delete",
                draft["invoice"]["id"].as_str().unwrap(),
            ],
        );
    }

    let batch = dir.path().join("batch");
    let exported = json(
        vault,
        &["invoice", "export", "--dir", batch.to_str().unwrap()],
    );
    assert_eq!(exported["exported"], 2);
    assert_eq!(std::fs::read_dir(&batch).unwrap().count(), 2);
}

#[test]
fn lines_take_a_named_tax_rate_and_their_own_discount() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    ok(
        vault,
        &[
            "billing",
            "set",
            "--tax-rate",
            "Reduced=7",
            "--tax-rate",
            "EU business=reverse-charge",
        ],
    );
    let shown = ok(vault, &["billing", "show"]);
    assert!(shown.contains("Tax rate \"Reduced\": S 7 %"), "{shown}");
    assert!(
        shown.contains("Tax rate \"EU business\": AE 0 %"),
        "{shown}"
    );
    refused(
        vault,
        &[
            "billing",
            "set",
            "--tax-rate",
            "Reduced=7",
            "--tax-rate",
            "reduced=5",
        ],
        "two tax rates are named",
    );
    refused(
        vault,
        &["billing", "set", "--tax-rate", "Odd"],
        "NAME=PERCENT",
    );

    let draft = json(
        vault,
        &[
            "invoice",
            "create",
            "Müller & Søn",
            "--no-time",
            "--line",
            "Setup:1:100",
        ],
    );
    let id = draft["invoice"]["id"].as_str().unwrap().to_owned();
    // 2 x 40 less 10 % = 72 at 7 %; 100 at the default 19 %.
    let edited = json(
        vault,
        &[
            "invoice",
            "edit",
            &id,
            "--add-line",
            "Books: a colon:2:40:-10%",
            "--line-tax",
            "reduced",
        ],
    );
    let line = &edited["invoice"]["lines"][1];
    assert_eq!(line["description"], "Books: a colon");
    assert_eq!(
        line["discount"],
        serde_json::json!({"type": "percent", "value": "10"})
    );
    assert_eq!(line["tax"]["percent"], "7");
    let amount = |v: &serde_json::Value| {
        v.as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
    };
    assert_eq!(
        amount(&edited["totals"]["net"]),
        rust_decimal::Decimal::new(172, 0)
    );
    assert_eq!(
        amount(&edited["totals"]["tax"]),
        rust_decimal::Decimal::new(2404, 2)
    );
    refused(
        vault,
        &["invoice", "edit", &id, "--add-line", "X:1:5:-ten"],
        "not a discount",
    );
    refused(
        vault,
        &[
            "invoice",
            "edit",
            &id,
            "--add-line",
            "X:1:5",
            "--line-tax",
            "super",
        ],
        "Reduced, EU business",
    );
}

#[test]
fn entries_that_overlap_are_marked_in_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    let add = |start: &str, end: &str| {
        ok(
            vault,
            &[
                "entry",
                "add",
                "--project",
                "Website relaunch",
                "--start",
                start,
                "--end",
                end,
            ],
        )
    };
    add("2026-11-18 09:00", "11:00");
    add("2026-11-18 10:30", "12:00");
    add("2026-11-18 12:00", "13:00");
    let list = json(
        vault,
        &[
            "entry",
            "list",
            "--from",
            "2026-11-18",
            "--to",
            "2026-11-18",
        ],
    );
    let flags: Vec<bool> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["overlaps"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, [true, true, false], "{list}");
}

#[test]
fn days_come_from_the_fixed_clock_in_the_organizations_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    let add = |now: &str, args: &[&str]| {
        let mut all = vec!["entry", "add", "--project", "Website relaunch"];
        all.extend_from_slice(args);
        all.push("--json");
        let out = stint_at(vault, now, &all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // A time alone falls on --date, not on today.
    add(
        NOW,
        &["--date", "2026-11-02", "--start", "09:00", "--end", "10:10"],
    );
    // 23:30 UTC on New Year's Eve is already 2027 in Berlin.
    add("2026-12-31T23:30:00Z", &["--duration", "1h"]);
    add(
        "2026-12-31T23:30:00Z",
        &["--start", "08:00", "--end", "09:00"],
    );
    let mut days: Vec<String> = json(vault, &["entry", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date"].as_str().unwrap().to_owned())
        .collect();
    days.sort();
    assert_eq!(days, ["2026-11-02", "2027-01-01", "2027-01-01"]);

    let out = stint_at(vault, "yesterday", &["entry", "list"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not an RFC 3339 instant"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `stint` with the story's environment (its passphrase, the cheapest passphrase settings, since
/// every command unlocks the vault, and the fixed clock), then `env` (`None` removes a variable).
fn stint_with(vault: &Path, args: &[&str], env: &[(&str, Option<&str>)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stint"));
    cmd.args(args)
        .env("STINT_VAULT", vault)
        .env("STINT_PASSPHRASE", PASS)
        .env("STINT_KDF", "minimum")
        .env("STINT_NOW", NOW)
        .env_remove("STINT_ORG");
    for (name, value) in env {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
    support::output(&mut cmd)
}

/// A vault made with the weakest accepted passphrase settings (as the stories' are) keeps them
/// until `stint vault passphrase`, which writes today's (256 MiB, 3 passes); the old passphrase
/// then opens nothing and the new one opens everything.
#[test]
fn a_passphrase_change_upgrades_the_vault_and_retires_the_old_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    setup(vault);
    let before = ok(vault, &["export", "--format", "json"]);
    const NEW: &str = "a longer passphrase for the new laptop";

    // Refusals are one line and change nothing.
    for (env, expect) in [
        (
            vec![("STINT_NEW_PASSPHRASE", Some("short"))],
            "stint: error: the passphrase must be at least 8 characters",
        ),
        (
            vec![
                ("STINT_NEW_PASSPHRASE", Some(NEW)),
                ("STINT_PASSPHRASE", Some("not the passphrase")),
            ],
            "stint: error: wrong passphrase",
        ),
        (
            vec![("STINT_NEW_PASSPHRASE", None)],
            "stint: error: the new passphrase is missing: set STINT_NEW_PASSPHRASE or run in a terminal",
        ),
        (
            vec![
                ("STINT_NEW_PASSPHRASE", Some(NEW)),
                ("STINT_KDF", Some("weak")),
            ],
            "stint: error: STINT_KDF must be `recommended` or `minimum`",
        ),
    ] {
        let out = stint_with(vault, &["vault", "passphrase"], &env);
        assert!(!out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stderr).trim_end(), expect);
    }
    assert_eq!(ok(vault, &["export", "--format", "json"]), before);

    let out = stint_with(
        vault,
        &["vault", "passphrase", "--json"],
        &[("STINT_NEW_PASSPHRASE", Some(NEW)), ("STINT_KDF", None)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let changed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        changed,
        serde_json::json!({
            "changed": true,
            "kdf": { "algorithm": "argon2id", "memory_kib": 262144, "passes": 3, "lanes": 2 },
        })
    );

    let old = stint(vault, &["entry", "list"]);
    assert!(!old.status.success());
    assert_eq!(
        String::from_utf8_lossy(&old.stderr).trim_end(),
        "stint: error: wrong passphrase"
    );
    let after = stint_with(
        vault,
        &["export", "--format", "json"],
        &[("STINT_PASSPHRASE", Some(NEW))],
    );
    assert!(after.status.success());
    assert_eq!(String::from_utf8(after.stdout).unwrap(), before);
}
