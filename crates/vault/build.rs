//! Rebuilds the vault when a migration is added: `sqlx::migrate!` embeds the migration files at
//! compile time, and on stable Rust Cargo does not know to run the macro again for a new file in
//! the directory. This is the build script sqlx recommends.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/local");
}
