//! Files and directories the server keeps (databases, organization files, backups, the outbox)
//! are readable by the server's own user alone: directories 0700, files 0600, whatever the umask.

use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if needed and makes it 0700.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Creates an empty `file` with mode 0600 if it does not exist, so that what opens it next (SQLite,
/// and the WAL and shared-memory files SQLite makes beside it with the same mode) keeps that mode.
pub fn private_file(file: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)?;
    set_mode(file, 0o600)
}

/// Makes an existing file 0600 (one that another program wrote: `VACUUM INTO`, `pg_dump`).
pub fn make_private(file: &Path) -> io::Result<()> {
    set_mode(file, 0o600)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}
