//! Rebuilds the server when a migration is added. `sqlx::migrate!` embeds the migration files at
//! compile time, and on stable Rust Cargo does not know to run the macro again for a new file in
//! the directory: a reused target directory (CI keeps one) would migrate to the old list. This is
//! the build script sqlx recommends.
fn main() {
    for dir in ["server-sqlite", "server-sqlite-org", "server-postgres"] {
        println!("cargo:rerun-if-changed=../../migrations/{dir}");
    }
}
