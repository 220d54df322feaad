//! What the measures read: activity pre-aggregated per (space, member, channel, week), kept
//! current incrementally, plus objectives, surveys, answers, settings and dated figures.
//!
//! One submodule per concern: the weekly aggregate and its refresh (`aggregate`), who counts
//! as staff and what staff and community wrote (`staff`), topic and organisation segments
//! (`segments`), settings, objectives and figures (`objectives`), surveys and their answers
//! (`surveys`), and whole-space reads for imported corpora and benchmarks (`corpus`).

mod aggregate;
mod corpus;
mod objectives;
mod segments;
mod staff;
mod surveys;

pub use aggregate::{ActivityRow, RefreshOutcome};
pub use corpus::ReplyDelay;
pub use objectives::ObjectiveRow;
pub use staff::{QuestionRow, StaffPublication};
pub use surveys::{AnswerRow, SurveyRow};

use parvis_domain::Millis;

const WEEK_MS: i64 = 604_800_000;

/// Week index of a time (whole weeks since 1970-01-01), as the aggregate stores it.
pub fn measure_week(ms: Millis) -> i64 {
    ms.div_euclid(WEEK_MS)
}
