//! A person's part in survey mailings, for their export and their erasure. What is held is
//! their address while a mail to it is pending, then only its hash (see the store's
//! `survey_privacy`); answers are never tied to a person, so neither touches them.

use super::survey_mail::{address_hash, member_marker};
use crate::{Result, Services};
use parvis_domain::{Email, MemberId};
use parvis_store::PendingSurvey;

impl Services {
    /// The normalised addresses `member` goes by (account, merged accounts, e-mail
    /// identities), as survey mailings keep them.
    async fn survey_addresses(&self, member: MemberId) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for a in self.store().person_addresses(member).await? {
            if let Ok(e) = Email::parse("email", &a)
                && !out.iter().any(|o| o == e.as_str())
            {
                out.push(e.as_str().to_string());
            }
        }
        Ok(out)
    }

    /// The surveys mailed to `member`'s addresses whose mail is still pending (for their
    /// export).
    pub(crate) async fn pending_surveys_of(&self, member: MemberId) -> Result<Vec<PendingSurvey>> {
        let addresses = self.survey_addresses(member).await?;
        Ok(self.store().pending_surveys(&addresses).await?)
    }

    /// Erasure: `member`'s addresses leave every survey mailing (pending mails dropped,
    /// mailed rows and markers no longer tied to the address nor to the member). Runs before
    /// the account loses its address.
    pub(crate) async fn erase_survey_addresses(&self, member: MemberId) -> Result<u64> {
        let pairs: Vec<(String, String)> = self
            .survey_addresses(member)
            .await?
            .into_iter()
            .map(|a| (address_hash(&a), a))
            .collect();
        Ok(self
            .store()
            .forget_survey_addresses(&pairs, &[member_marker(member)])
            .await?)
    }
}
