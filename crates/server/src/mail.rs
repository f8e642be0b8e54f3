//! Email. With an SMTP server configured (`smtp_url`, for example
//! `smtp://user:password@mail.example.org:587?tls=required` or `smtps://…:465`) messages are sent
//! through it with lettre; without one (a self-hoster trying Stint out) every message is written as
//! an `.eml` file to the outbox directory and the file's path is logged, so the person running the
//! server can open the link. The message text never goes to the log.

use std::io::Write;
use std::path::PathBuf;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// One message to one person.
#[derive(Debug, Clone)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Where messages go.
#[derive(Clone)]
pub enum Mailer {
    Outbox(PathBuf),
    Smtp(Box<Smtp>),
}

/// An SMTP relay and the sender address.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Outbox(dir) => write!(f, "Mailer::Outbox({})", dir.display()),
            // The URL may hold a password: never printed.
            Mailer::Smtp(smtp) => write!(f, "Mailer::Smtp(from {})", smtp.from),
        }
    }
}

impl Mailer {
    pub fn outbox(dir: PathBuf) -> Mailer {
        Mailer::Outbox(dir)
    }

    /// An SMTP relay from its URL (`smtp://`, `smtp://…?tls=required`, `smtps://`), sending as
    /// `from`.
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("smtp_url is not usable: {e}"))?
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("mail_from {from:?} is not an address: {e}"))?;
        Ok(Mailer::Smtp(Box::new(Smtp { transport, from })))
    }

    /// Sends the message: through SMTP, or into the outbox (written to a temporary name, then
    /// renamed, so a reader never sees half of it).
    pub async fn send(&self, message: Message) -> std::io::Result<()> {
        match self {
            Mailer::Smtp(smtp) => {
                let Smtp { transport, from } = smtp.as_ref();
                let to: Mailbox = message
                    .to
                    .parse()
                    .map_err(|e| std::io::Error::other(format!("not an address: {e}")))?;
                let email = lettre::Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(message.subject)
                    .body(message.body)
                    .map_err(std::io::Error::other)?;
                transport
                    .send(email)
                    .await
                    .map(|_| ())
                    .map_err(|e| std::io::Error::other(format!("SMTP: {e}")))
            }
            Mailer::Outbox(dir) => {
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || write_to_outbox(&dir, &message))
                    .await
                    .map_err(std::io::Error::other)?
                    .map(|_| ())
            }
        }
    }
}

/// Sends through the server's mailer; a failure is logged in full and answered as 503.
pub(crate) async fn send(
    state: &crate::app::AppState,
    message: Message,
) -> crate::error::ApiResult<()> {
    state
        .mailer
        .send(message)
        .await
        .map_err(|e| crate::error::ApiError::internal("sending email", e))
}

fn write_to_outbox(dir: &std::path::Path, message: &Message) -> std::io::Result<PathBuf> {
    crate::files::private_dir(dir)?;
    // Named in the order they were sent, so a reader sorting by name reads the last one last.
    let name = format!("{}.eml", crate::store::ordered_id());
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
}
