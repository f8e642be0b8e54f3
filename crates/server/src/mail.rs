//! Email. With no SMTP server configured (the default for a self-hoster trying Stint out), every
//! message is written as an `.eml` file to the outbox directory and the file's path is logged, so
//! the person running the server can open the link. The message text never goes to the log.

use std::io::Write;
use std::path::PathBuf;

/// One message to one person.
#[derive(Debug, Clone)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Where messages go.
#[derive(Debug, Clone)]
pub struct Mailer {
    outbox: PathBuf,
}

impl Mailer {
    pub fn outbox(dir: PathBuf) -> Mailer {
        Mailer { outbox: dir }
    }

    /// Writes the message (to a temporary name, then renamed, so a reader never sees half of it).
    pub async fn send(&self, message: Message) -> std::io::Result<PathBuf> {
        let dir = self.outbox.clone();
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            let name = format!("{}.eml", ulid::Ulid::generate());
            let path = dir.join(&name);
            let partial = dir.join(format!(".{name}.partial"));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&partial)?;
            write!(
                file,
                "From: Stint <no-reply@stint.invalid>\r\nTo: {}\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
                message.to,
                message.subject,
                message.body.replace('\n', "\r\n")
            )?;
            file.sync_all()?;
            std::fs::rename(&partial, &path)?;
            tracing::info!(
                "no SMTP server configured: the email \"{}\" was written to {}",
                message.subject,
                path.display()
            );
            Ok(path)
        })
        .await
        .map_err(std::io::Error::other)?
    }
}
