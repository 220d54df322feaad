//! Outgoing mail. With an SMTP URL (`smtp://user:pass@host:587`, `smtps://…`) mail goes through
//! it; without one, Parvis runs anyway and writes the sign-in link to its log, which is what a
//! single admin trying Parvis on a laptop needs.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

/// Why a mail could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("invalid SMTP URL: {0}")]
    BadUrl(String),
    #[error("invalid address {0:?}")]
    BadAddress(String),
    #[error("SMTP: {0}")]
    Smtp(String),
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
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Log => f.write_str("Mailer::Log"),
            Mailer::Smtp { from, .. } => write!(f, "Mailer::Smtp(from {from})"),
        }
    }
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
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| MailerError::BadAddress(from.to_string()))?;
        Ok(Mailer::Smtp { transport, from })
    }

    /// Send a plain-text mail. `link` is what gets logged when there is no SMTP server.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        link: &str,
    ) -> Result<(), MailerError> {
        match self {
            Mailer::Log => {
                tracing::info!(
                    to,
                    subject,
                    link,
                    "no SMTP configured (--smtp-url): here is the sign-in link"
                );
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let to = to
                    .parse::<Mailbox>()
                    .map_err(|_| MailerError::BadAddress(to.to_string()))?;
                let msg = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body.to_string())
                    .map_err(|e| MailerError::Smtp(e.to_string()))?;
                transport
                    .send(msg)
                    .await
                    .map_err(|e| MailerError::Smtp(e.to_string()))?;
                Ok(())
            }
        }
    }
}
