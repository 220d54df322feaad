//! Segments: the part of a space a pyramid or an objective is restricted to, written
//! `kind:value` (`ecosystem_role:partner`, `organisation:Novéa`, `channel:email`,
//! `topic:presence-index`, `origin:imported`). Parsed once at the edge so that every caller
//! refuses the same inputs with the same message.

use crate::MeasureError;
use serde::Serialize;
use utoipa::ToSchema;

/// Segment kinds, in the order the interface offers them.
pub const SEGMENT_KINDS: &[&str] = &[
    "ecosystem_role",
    "organisation",
    "channel",
    "topic",
    "origin",
];

/// Where members came from: written on Parvis itself, or on an imported channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Native,
    Imported,
}

/// A parsed segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    EcosystemRole(String),
    Organisation(String),
    Channel(String),
    /// A topic, by slug.
    Topic(String),
    Origin(Origin),
}

impl Segment {
    /// `""` (blank) is the whole space (`None`); anything else must be `KIND:VALUE` with a
    /// known kind and a non-empty value; `origin` takes `native` or `imported`.
    pub fn parse(input: &str) -> Result<Option<Segment>, MeasureError> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        let unknown = || {
            MeasureError::new(
                "segment",
                "unknown_segment",
                format!(
                    "must be empty or KIND:VALUE with KIND one of {}",
                    SEGMENT_KINDS.join(", ")
                ),
            )
        };
        let (kind, value) = input.split_once(':').ok_or_else(unknown)?;
        let value = value.trim();
        if value.is_empty() || value.chars().count() > 200 {
            return Err(unknown());
        }
        Ok(Some(match kind.trim() {
            "ecosystem_role" => Segment::EcosystemRole(value.to_string()),
            "organisation" => Segment::Organisation(value.to_string()),
            "channel" => Segment::Channel(value.to_string()),
            "topic" => Segment::Topic(value.to_string()),
            "origin" => Segment::Origin(match value {
                "native" => Origin::Native,
                "imported" => Origin::Imported,
                _ => {
                    return Err(MeasureError::new(
                        "segment",
                        "unknown_segment",
                        "origin must be native or imported",
                    ));
                }
            }),
            _ => return Err(unknown()),
        }))
    }

    /// The segment written back as `kind:value`.
    pub fn key(&self) -> String {
        match self {
            Segment::EcosystemRole(v) => format!("ecosystem_role:{v}"),
            Segment::Organisation(v) => format!("organisation:{v}"),
            Segment::Channel(v) => format!("channel:{v}"),
            Segment::Topic(v) => format!("topic:{v}"),
            Segment::Origin(Origin::Native) => "origin:native".into(),
            Segment::Origin(Origin::Imported) => "origin:imported".into(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_the_whole_space_and_known_kinds_parse() {
        assert_eq!(Segment::parse("  ").unwrap(), None);
        assert_eq!(
            Segment::parse("ecosystem_role:partner").unwrap(),
            Some(Segment::EcosystemRole("partner".into()))
        );
        assert_eq!(
            Segment::parse("organisation: Novéa ").unwrap(),
            Some(Segment::Organisation("Novéa".into()))
        );
        assert_eq!(
            Segment::parse("origin:imported").unwrap(),
            Some(Segment::Origin(Origin::Imported))
        );
        for s in ["channel:email", "topic:presence", "origin:native"] {
            assert_eq!(Segment::parse(s).unwrap().unwrap().key(), s);
        }
    }

    #[test]
    fn unknown_kinds_values_and_shapes_name_the_segment_field() {
        for bad in [
            "colour:blue",
            "partner",
            "channel:",
            "origin:elsewhere",
            ":x",
        ] {
            let e = Segment::parse(bad).unwrap_err();
            assert_eq!(e.field, "segment", "{bad}");
            assert_eq!(e.rule, "unknown_segment", "{bad}");
        }
    }
}
