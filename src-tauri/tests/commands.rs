//! Every command the window may call is declared three times: `#[tauri::command]` (in `src/`) and
//! `generate_handler!` in `src/main.rs`, the permission list in `build.rs`, and the window's
//! capability. A command missing from the last two is refused at run time with no trace in the
//! UI but a screen that stays empty, so the three lists are compared here.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The names of the functions marked `#[tauri::command]`.
fn commands(main: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut marked = false;
    for line in main.lines().map(str::trim) {
        if line == "#[tauri::command]" {
            marked = true;
        } else if marked
            && ["async fn ", "fn ", "pub async fn ", "pub fn "]
                .iter()
                .any(|p| line.starts_with(p))
        {
            let name = line
                .trim_start_matches("pub ")
                .trim_start_matches("async ")
                .trim_start_matches("fn ")
                .split(['(', '<'])
                .next()
                .unwrap_or_default();
            names.insert(name.to_owned());
            marked = false;
        }
    }
    names
}

/// The identifiers listed in `generate_handler![…]`, without their module path.
fn handled(main: &str) -> BTreeSet<String> {
    let start =
        main.find("generate_handler![").expect("generate_handler!") + "generate_handler![".len();
    let end = start
        + main[start..]
            .find(']')
            .expect("the end of generate_handler!");
    main[start..end]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit("::").next().unwrap_or(s).to_owned())
        .collect()
}

/// Every Rust file of `src/`, one after another.
fn sources() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The quoted names of `build.rs`'s COMMANDS list.
fn permitted(build: &str) -> BTreeSet<String> {
    let start = build.find("const COMMANDS").expect("COMMANDS");
    let end = start + build[start..].find("];").expect("the end of COMMANDS");
    build[start..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"'))
        .filter_map(|l| l.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_is_handled_permitted_and_allowed_to_the_window() {
    let main = read("src/main.rs");
    let declared = commands(&sources());
    assert!(declared.len() > 50, "found only {declared:?}");
    assert_eq!(
        handled(&main),
        declared,
        "generate_handler! and #[tauri::command] differ"
    );
    assert_eq!(
        permitted(&read("build.rs")),
        declared,
        "build.rs's COMMANDS and #[tauri::command] differ"
    );
    let capability: serde_json::Value =
        serde_json::from_str(&read("capabilities/main-window.json")).unwrap();
    let allowed: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    let missing: Vec<&String> = declared.iter().filter(|c| !allowed.contains(*c)).collect();
    assert!(
        missing.is_empty(),
        "the window's capability does not allow {missing:?}"
    );
}
