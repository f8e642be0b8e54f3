//! Generates Tauri's context and the permissions for the app's own commands, so that the capability
//! file can allow exactly these and nothing else.

/// Every `#[tauri::command]` in `src/main.rs`; keep in step with `generate_handler!` there.
const COMMANDS: &[&str] = &[
    "vault_status",
    "create_vault",
    "unlock_vault",
    "organizations",
    "create_organization",
    "choose_organization",
    "projects",
    "running_timer",
    "start_timer",
    "stop_timer",
    "today",
    "entries",
    "edit_entry",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
