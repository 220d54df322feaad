//! The weekly measures digest: every Monday at 08:00 (Paris time), each admin and moderator
//! with an e-mail address receives, per live space, the pyramid with its change, the
//! objectives' status, the staff's answers and the Presence index, with a link to the
//! dashboards.
//!
//! One background job per (space, week, person), planned ahead by the job worker with a
//! dedup key: a digest is never sent twice, even when several instances plan it, and one that
//! could not be sent is retried with the queue's back-off without resending the others.

use super::Dashboard;
use crate::{Result, Services, mail_text};
use parvis_domain::fluent::Value;
use parvis_domain::*;
use parvis_measure::objectives::Status;
use parvis_measure::pyramid::Level;
use parvis_store::Job;

/// The digest's job kind.
pub const MEASURES_DIGEST: &str = "measures.digest";
/// The zone whose Monday 08:00 the digest waits for.
const DIGEST_ZONE: &str = "Europe/Paris";

#[derive(serde::Serialize, serde::Deserialize)]
struct DigestJob {
    space_id: i64,
    member_id: i64,
}

/// The first Monday 08:00 (Paris time) strictly after `now`.
pub fn next_digest_at(now: Millis) -> Millis {
    let tz = jiff::tz::TimeZone::get(DIGEST_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(ts) = jiff::Timestamp::from_millisecond(now) else {
        return now + 7 * 86_400_000;
    };
    let today = ts.to_zoned(tz.clone()).date();
    (0..=7)
        .filter_map(|k| today.checked_add(jiff::Span::new().days(k)).ok())
        .filter(|d| d.weekday() == jiff::civil::Weekday::Monday)
        .filter_map(|d| d.at(8, 0, 0, 0).to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp().as_millisecond())
        .find(|&at| at > now)
        .unwrap_or(now + 7 * 86_400_000)
}

impl Services {
    /// Plan the next digest of every live space for every admin and moderator with an
    /// e-mail address; how many new jobs (0 when they were already planned).
    pub async fn plan_measure_digests(&self, now: Millis) -> Result<usize> {
        let at = next_digest_at(now);
        let day = jiff::Timestamp::from_millisecond(at)
            .map(|t| t.to_string()[..10].to_string())
            .unwrap_or_default();
        let staff = self.store().measure_staff().await?;
        let mut planned = 0;
        for space in self.store().list_spaces().await? {
            if space.archived_at.is_some() {
                continue;
            }
            for &member_id in &staff {
                let payload = serde_json::json!(DigestJob {
                    space_id: space.id.0,
                    member_id
                })
                .to_string();
                let key = format!("{MEASURES_DIGEST}:{}:{day}:{member_id}", space.id.0);
                if self
                    .store()
                    .enqueue_job(MEASURES_DIGEST, &key, &payload, at, now)
                    .await?
                {
                    planned += 1;
                }
            }
        }
        Ok(planned)
    }

    /// Send one digest (a job's work). A space archived or a person no longer staff since
    /// the job was planned: done without a mail.
    pub(crate) async fn run_measure_digest(&self, job: &Job) -> Result<(), String> {
        let p: DigestJob = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
        let store = self.store();
        let member = store
            .member_by_id(MemberId(p.member_id))
            .await
            .map_err(|e| e.to_string())?;
        let Some(member) = member.filter(|m| m.site_role.can_moderate()) else {
            return Ok(());
        };
        let Some(email) = member.email.clone().filter(|e| !e.is_empty()) else {
            return Ok(());
        };
        let space = store
            .space_by_id(SpaceId(p.space_id))
            .await
            .map_err(|e| e.to_string())?;
        let Some(space) = space.filter(|s| s.archived_at.is_none()) else {
            return Ok(());
        };
        let d = self
            .compute_dashboard(&space.slug, space.id.0, now_millis())
            .await
            .map_err(|e| e.to_string())?;
        let lang = Lang::from_code(&member.lang).unwrap_or_default();
        let link = format!(
            "{}/s/{}/measures",
            self.config().public_url.trim_end_matches('/'),
            space.slug
        );
        let (subject, body) = digest_text(&d, lang, &space.name, &member.display_name, &link);
        self.mailer()
            .send(&email, &subject, &body, &link)
            .await
            .map_err(|e| e.to_string())
    }
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Achieved => "achieved",
        Status::OnTrack => "on_track",
        Status::AtRisk => "at_risk",
        Status::Missed => "missed",
        Status::NoData => "no_data",
    }
}

/// A number as each language writes it (`3,5` / `3.5`; whole numbers without decimals).
fn num(v: f64, lang: Lang) -> String {
    let s = if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    };
    if lang == Lang::Fr {
        s.replace('.', ",")
    } else {
        s
    }
}

/// The digest's subject and plain-text body (pure, for the tests).
pub fn digest_text(
    d: &Dashboard,
    lang: Lang,
    space: &str,
    name: &str,
    link: &str,
) -> (String, String) {
    let t = |key: &str, args: &[(&str, Value<'_>)]| mail_text::text(lang, key, args);
    let weeks = d.settings.thresholds.window_weeks;
    let subject = t("digest-subject", &[("space", space.into())]);
    let mut b = t(
        "digest-intro",
        &[
            ("name", name.into()),
            ("space", space.into()),
            ("weeks", (weeks as i64).into()),
        ],
    );
    b.push_str("\n\n");
    b.push_str(&t("digest-pyramid", &[]));
    b.push('\n');
    let count = |list: &[parvis_measure::pyramid::LevelCount], l: Level| {
        list.iter()
            .find(|c| c.level == l)
            .map(|c| c.count as i64)
            .unwrap_or(0)
    };
    for l in Level::ALL.iter().rev() {
        let now = count(&d.pyramid, *l);
        let change = now - count(&d.previous_pyramid, *l);
        let change = match change {
            0 => "=".to_string(),
            c if c > 0 => format!("+{c}"),
            c => format!("−{}", -c),
        };
        let level = t(&format!("m_level_{}", l.key()), &[]);
        b.push_str(&t(
            "digest-level",
            &[
                ("level", level.into()),
                ("count", now.into()),
                ("change", change.into()),
            ],
        ));
        b.push('\n');
    }
    if !d.objectives.is_empty() {
        b.push('\n');
        b.push_str(&t("digest-objectives", &[]));
        b.push('\n');
        for o in &d.objectives {
            let current = o
                .progress
                .current
                .map(|v| num(v, lang))
                .unwrap_or_else(|| "—".into());
            let measure = t(&format!("m_measure_{}", o.measure), &[]);
            let status = t(&format!("m_status_{}", status_key(o.progress.status)), &[]);
            b.push_str(&t(
                "digest-objective",
                &[
                    ("measure", measure.into()),
                    ("current", current.into()),
                    ("target", num(o.target, lang).into()),
                    ("status", status.into()),
                ],
            ));
            b.push('\n');
        }
    }
    let sc = &d.scorecard;
    if let Some(share) = sc.answer_share {
        let mut args: Vec<(&str, Value<'_>)> = vec![
            ("percent", num((share * 100.0).round(), lang).into()),
            ("answered", (sc.questions_answered as i64).into()),
            ("questions", (sc.questions as i64).into()),
        ];
        let key = match sc.median_first_answer_hours {
            Some(h) => {
                args.push(("hours", num((h * 10.0).round() / 10.0, lang).into()));
                "digest-answered-median"
            }
            None => "digest-answered",
        };
        b.push('\n');
        b.push_str(&t(key, &args));
        b.push('\n');
    }
    let slipping = d.slipping_away.len();
    if slipping > 0 {
        b.push_str(&t(
            "digest-slipping",
            &[("count", (slipping as i64).into())],
        ));
        b.push('\n');
    }
    if let Some(ip) = d.presence.ip {
        b.push_str(&t(
            "digest-presence",
            &[
                ("ip", num(ip.round(), lang).into()),
                ("version", d.presence.formula_version.to_string().into()),
            ],
        ));
        b.push('\n');
    }
    b.push('\n');
    b.push_str(&t("digest-link", &[("link", link.into())]));
    b.push('\n');
    (subject, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_waits_for_monday_eight_in_paris() {
        // Saturday 5 December 2026, 23:00 UTC → Monday 7 December, 08:00 Paris = 07:00 UTC.
        let sat = jiff::Timestamp::from_second(1_796_511_600).unwrap();
        assert_eq!(sat.to_string(), "2026-12-05T23:00:00Z");
        let at = next_digest_at(sat.as_millisecond());
        let at = jiff::Timestamp::from_millisecond(at).unwrap();
        assert_eq!(at.to_string(), "2026-12-07T07:00:00Z");
        // On Monday at 08:00 exactly, the next one is a week later (summer time: 06:00 UTC).
        let mon = jiff::Timestamp::from_second(1_782_712_800).unwrap();
        assert_eq!(mon.to_string(), "2026-06-29T06:00:00Z");
        let next = next_digest_at(mon.as_millisecond());
        assert_eq!(
            jiff::Timestamp::from_millisecond(next).unwrap().to_string(),
            "2026-07-06T06:00:00Z"
        );
    }

    #[test]
    fn numbers_read_as_each_language_writes_them() {
        assert_eq!(num(3.26, Lang::Fr), "3,3");
        assert_eq!(num(3.0, Lang::Fr), "3");
        assert_eq!(num(12.5, Lang::En), "12.5");
    }
}
