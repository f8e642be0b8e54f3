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
    "lock_vault",
    "act_as",
    "permissions",
    "organization",
    "update_organization",
    "lock_period",
    "members",
    "add_member",
    "set_role",
    "clients",
    "add_client",
    "edit_client",
    "add_project",
    "edit_project",
    "tasks",
    "add_task",
    "tags",
    "add_tag",
    "rates",
    "set_rate",
    "budgets",
    "set_budget",
    "add_entry",
    "delete_entry",
    "time_report",
    "save_report_csv",
    "expenses",
    "add_expense",
    "receipt",
    "save_receipt",
    "watch_settings",
    "resolve_idle",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
