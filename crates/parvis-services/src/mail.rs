//! Outgoing mail. With an SMTP URL (`smtp://user:pass@host:587`, `smtps://…`) mail goes through
//! it; without one, Parvis runs anyway and writes the sign-in link to its log, which is what a
//! single admin trying Parvis on a laptop needs. With a mail folder (`--mail-dir`), every mail
//! is written there as an `.eml` file instead: a file outbox that tests, the browser test and a
//! trial instance read (open one in any mail client).
//!
//! Mails may carry attachments (a session's `.ics`); they are built as MIME multipart by
//! lettre, the same bytes whether sent or written to the folder.

use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart, header};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// Why a mail could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("invalid SMTP URL: {0}")]
    BadUrl(String),
    #[error("invalid address {0:?}")]
    BadAddress(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("mail folder: {0}")]
    Dir(String),
}

/// A file joined to a mail.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub filename: String,
    /// e.g. `text/calendar; charset=utf-8; method=REQUEST`.
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// No SMTP: log links instead of sending them.
    Log,
    /// Send through an SMTP server.
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// Write each mail as an `.eml` file in a folder (`--mail-dir`).
    Dir { dir: PathBuf, from: Mailbox },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Log => f.write_str("Mailer::Log"),
            Mailer::Smtp { from, .. } => write!(f, "Mailer::Smtp(from {from})"),
            Mailer::Dir { dir, .. } => write!(f, "Mailer::Dir({})", dir.display()),
        }
    }
}

fn mailbox(addr: &str) -> Result<Mailbox, MailerError> {
    addr.parse::<Mailbox>()
        .map_err(|_| MailerError::BadAddress(addr.to_string()))
}

impl Mailer {
    /// Build from an optional SMTP URL and a sender address.
    pub fn from_url(url: Option<&str>, from: &str) -> Result<Mailer, MailerError> {
        let Some(url) = url.filter(|u| !u.is_empty()) else {
            return Ok(Mailer::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailerError::BadUrl(e.to_string()))?
            .build();
        Ok(Mailer::Smtp {
            transport,
            from: mailbox(from)?,
        })
    }

    /// A file outbox in `dir` (created if missing).
    pub fn to_dir(dir: impl Into<PathBuf>, from: &str) -> Result<Mailer, MailerError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)
            .map_err(|e| MailerError::Dir(format!("{}: {e}", dir.display())))?;
        Ok(Mailer::Dir {
            dir,
            from: mailbox(from)?,
        })
    }

    /// Send a plain-text mail. `link` is what gets logged when there is no SMTP server.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        link: &str,
    ) -> Result<(), MailerError> {
        self.send_with(to, subject, body, &[], link).await
    }

    /// Send a plain-text mail with attachments.
    pub async fn send_with(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        attachments: &[Attachment],
        link: &str,
    ) -> Result<(), MailerError> {
        let (from, transport) = match self {
            Mailer::Log => {
                tracing::info!(
                    to,
                    subject,
                    link,
                    "no SMTP configured (--smtp-url): here is the link"
                );
                return Ok(());
            }
            Mailer::Smtp { transport, from } => (from, Some(transport)),
            Mailer::Dir { from, .. } => (from, None),
        };
        let msg = build(from, mailbox(to)?, subject, body, attachments)?;
        match (self, transport) {
            (_, Some(transport)) => {
                transport
                    .send(msg)
                    .await
                    .map_err(|e| MailerError::Smtp(e.to_string()))?;
            }
            (Mailer::Dir { dir, .. }, None) => {
                write_eml(dir, &msg.formatted())
                    .await
                    .map_err(|e| MailerError::Dir(format!("{}: {e}", dir.display())))?;
                tracing::info!(to, subject, "mail written to the mail folder");
            }
            _ => {}
        }
        Ok(())
    }
}

fn build(
    from: &Mailbox,
    to: Mailbox,
    subject: &str,
    body: &str,
    attachments: &[Attachment],
) -> Result<Message, MailerError> {
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject);
    let text = SinglePart::builder()
        .header(header::ContentType::TEXT_PLAIN)
        .body(body.to_string());
    let msg = if attachments.is_empty() {
        builder.singlepart(text)
    } else {
        let mut parts = MultiPart::mixed().singlepart(text);
        for a in attachments {
            let ct = header::ContentType::parse(&a.content_type).map_err(|e| {
                MailerError::Smtp(format!("content type {:?}: {e}", a.content_type))
            })?;
            parts =
                parts.singlepart(MimeAttachment::new(a.filename.clone()).body(a.body.clone(), ct));
        }
        builder.multipart(parts)
    };
    msg.map_err(|e| MailerError::Smtp(e.to_string()))
}

/// Write one mail as `<millis>-<n>.eml`, through a temporary name so that a reader never sees
/// half a file.
async fn write_eml(dir: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let name = format!(
        "{}-{}-{n:06}.eml",
        parvis_domain::now_millis(),
        std::process::id()
    );
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, dir.join(name)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_file_outbox_writes_mails_with_their_attachments() {
        let dir = tempfile::tempdir().unwrap();
        let m = Mailer::to_dir(dir.path(), "Parvis <parvis@localhost>").unwrap();
        m.send_with(
            "ann@example.com",
            "Inscription confirmée",
            "Bonjour Ann",
            &[Attachment {
                filename: "session.ics".into(),
                content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
                body: b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".to_vec(),
            }],
            "",
        )
        .await
        .unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert!(files[0].extension().is_some_and(|e| e == "eml"));
        let eml = std::fs::read_to_string(&files[0]).unwrap();
        assert!(eml.contains("To: ann@example.com"));
        assert!(eml.contains("text/calendar"));
        assert!(eml.contains("session.ics"));
        assert!(m.send("not an address", "x", "y", "").await.is_err());
    }
}
