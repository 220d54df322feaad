//! Where a space's embeds may run, their call to action, and the secret that signs
//! conversion reports.

use crate::{Actor, Result, Services, random_token};
use parvis_domain::*;
use parvis_store::EmbedSettings;

/// The longest call-to-action label.
pub const MAX_CTA_LABEL: usize = 60;

/// An admin's edit of a space's embed settings (text as typed in the form or the API).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EmbedSettingsInput {
    /// Sites allowed to embed, one origin per line or comma-separated
    /// (`https://www.example.org`); empty: anywhere.
    #[serde(default)]
    pub origins: String,
    /// The call to action's label (empty: no call to action, the card links to Parvis).
    #[serde(default)]
    pub cta_label: String,
    /// Where the call to action leads (`https://…` on the organisation's site).
    #[serde(default)]
    pub cta_url: String,
}

/// A normalised origin (`https://host[:port]`), or a validation error naming `field`.
pub fn parse_origin(field: &str, s: &str) -> Result<String, ValidationError> {
    let bad = || {
        ValidationError::broke(
            field,
            Rule::Url,
            format!("{s:?} is not a site origin such as https://www.example.org"),
        )
    };
    let url = url::Url::parse(s.trim()).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || !url.username().is_empty()
        || !url.path().trim_end_matches('/').is_empty()
        || url.query().is_some()
    {
        return Err(bad());
    }
    Ok(url.origin().ascii_serialization())
}

/// An absolute http(s) URL, or a validation error naming `field`.
pub fn parse_http_url(field: &str, s: &str) -> Result<String, ValidationError> {
    let bad = || {
        ValidationError::broke(
            field,
            Rule::Url,
            format!("{s:?} is not an address starting with https:// or http://"),
        )
    };
    let url = url::Url::parse(s.trim()).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || s.len() > 2000 {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// Label and URL of a call to action, both empty or both valid.
fn parse_cta(label: &str, url: &str) -> Result<(String, String), ValidationError> {
    let label = label.trim();
    if label.is_empty() && url.trim().is_empty() {
        return Ok((String::new(), String::new()));
    }
    if label.is_empty() {
        return Err(ValidationError::broke(
            "cta_label",
            Rule::Required,
            "a call to action needs a label",
        ));
    }
    let label = hygiene::label("cta_label", label, MAX_CTA_LABEL)?;
    Ok((label, parse_http_url("cta_url", url)?))
}

impl Services {
    /// A space's embed settings; defaults (anywhere, no call to action, a fresh secret not
    /// yet saved) when the admin never set them.
    pub async fn embed_settings(&self, space: SpaceId) -> Result<EmbedSettings> {
        Ok(match self.store().embed_settings(space).await? {
            Some(s) => s,
            None => EmbedSettings {
                space_id: space,
                origins: Vec::new(),
                cta_label: String::new(),
                cta_url: String::new(),
                secret: String::new(),
                previous_secret: String::new(),
                updated_at: 0,
            },
        })
    }

    /// Save a space's embed settings (admins only). The first save mints the signing secret.
    pub async fn update_embed_settings(
        &self,
        actor: &Actor,
        space: &Space,
        input: &EmbedSettingsInput,
    ) -> Result<EmbedSettings> {
        actor.require_admin()?;
        let mut origins = Vec::new();
        for o in input
            .origins
            .split([',', '\n', ' ', '\r', '\t'])
            .filter(|o| !o.trim().is_empty())
        {
            let o = parse_origin("origins", o)?;
            if !origins.contains(&o) {
                origins.push(o);
            }
        }
        if origins.len() > 50 {
            return Err(
                ValidationError::broke("origins", Rule::TooLong(50), "at most 50 origins").into(),
            );
        }
        let (cta_label, cta_url) = parse_cta(&input.cta_label, &input.cta_url)?;
        let mut s = self.embed_settings(space.id).await?;
        if s.secret.is_empty() {
            s.secret = random_token();
        }
        s.origins = origins;
        s.cta_label = cta_label;
        s.cta_url = cta_url;
        s.updated_at = now_millis();
        self.store().put_embed_settings(&s).await?;
        self.forget_embed_settings(space.id);
        tracing::info!(space = %space.slug, origins = s.origins.len(), "embed settings saved");
        Ok(s)
    }

    /// A new signing secret for conversion reports; the previous one stays valid until the
    /// next rotation (admins only).
    pub async fn rotate_embed_secret(&self, actor: &Actor, space: &Space) -> Result<EmbedSettings> {
        actor.require_admin()?;
        let mut s = self.embed_settings(space.id).await?;
        s.previous_secret = std::mem::take(&mut s.secret);
        s.secret = random_token();
        s.updated_at = now_millis();
        self.store().put_embed_settings(&s).await?;
        self.forget_embed_settings(space.id);
        tracing::info!(space = %space.slug, "embed secret rotated");
        Ok(s)
    }

    /// Set one embed's own call to action (empty label: back to the space's default).
    pub async fn set_embed_cta(
        &self,
        actor: &Actor,
        target: &super::EmbedTarget,
        label: &str,
        url: &str,
    ) -> Result<()> {
        actor.require_admin()?;
        let card = self.embed_card(target).await?;
        let (label, url) = parse_cta(label, url)?;
        self.store()
            .put_embed_cta(&card.key, card.space_id, &label, &url, now_millis())
            .await?;
        Ok(())
    }

    /// Whether a page at `origin` may show the space's embeds: anywhere when the list is
    /// empty; this instance itself always (previews).
    pub fn embed_allowed(&self, settings: &EmbedSettings, origin: Option<&str>) -> bool {
        if settings.origins.is_empty() {
            return true;
        }
        let Some(origin) = origin.and_then(|o| parse_origin("origin", o).ok()) else {
            return false;
        };
        let own = url::Url::parse(&self.config().public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        origin == own || settings.origins.contains(&origin)
    }

    /// The CSP `frame-ancestors` sources for a space's embeds.
    pub fn frame_ancestors(&self, settings: &EmbedSettings) -> String {
        if settings.origins.is_empty() {
            "*".into()
        } else {
            format!("'self' {}", settings.origins.join(" "))
        }
    }

    /// The call to action of an embed: its own, else the space's; `None` when neither is set.
    pub async fn embed_cta(&self, card: &super::EmbedCard) -> Result<Option<(String, String)>> {
        if let Some(own) = self.store().embed_cta(&card.key).await? {
            return Ok(Some(own));
        }
        let s = self.embed_settings(card.space_id).await?;
        Ok((!s.cta_label.is_empty()).then_some((s.cta_label, s.cta_url)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_urls_are_parsed_at_the_edge() {
        assert_eq!(
            parse_origin("o", "https://Blog.Example/").unwrap(),
            "https://blog.example"
        );
        assert_eq!(
            parse_origin("o", "http://127.0.0.1:8081").unwrap(),
            "http://127.0.0.1:8081"
        );
        for bad in [
            "blog.example",
            "ftp://x.example",
            "https://x.example/page",
            "javascript:alert(1)",
            "https://u@x.example",
            "",
        ] {
            let e = parse_origin("origins", bad).unwrap_err();
            assert_eq!((e.field.as_str(), e.rule), ("origins", Rule::Url), "{bad}");
        }
        assert!(parse_http_url("cta_url", "https://novea.example/inscription?x=1").is_ok());
        assert!(parse_http_url("cta_url", "javascript:alert(1)").is_err());
        assert!(parse_cta("", "").unwrap().0.is_empty());
        assert_eq!(
            parse_cta("", "https://x.example").unwrap_err().field,
            "cta_label"
        );
        assert_eq!(parse_cta("Go", "x").unwrap_err().field, "cta_url");
    }
}
