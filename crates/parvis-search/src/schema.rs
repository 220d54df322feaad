//! The tantivy schema: which field holds what, and how each is indexed.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) message_id: Field,
    pub(crate) thread_id: Field,
    pub(crate) space_id: Field,
    pub(crate) topic_id: Field,
    pub(crate) channel: Field,
    pub(crate) author_id: Field,
    pub(crate) created_at: Field,
    pub(crate) title: Field,
    pub(crate) body: Field,
    pub(crate) plain: Field,
    pub(crate) fr: Field,
    pub(crate) en: Field,
}

pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let fields = Fields {
        message_id: b.add_i64_field("message_id", INDEXED | STORED | FAST),
        thread_id: b.add_i64_field("thread_id", STORED),
        space_id: b.add_i64_field("space_id", INDEXED),
        topic_id: b.add_i64_field("topic_id", INDEXED),
        channel: b.add_text_field("channel", STRING),
        author_id: b.add_i64_field("author_id", INDEXED),
        created_at: b.add_i64_field("created_at", INDEXED | FAST),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
        plain: b.add_text_field(
            "plain",
            text(analysis::PLAIN, IndexRecordOption::WithFreqsAndPositions),
        ),
        fr: b.add_text_field("fr", text(analysis::FRENCH, IndexRecordOption::WithFreqs)),
        en: b.add_text_field("en", text(analysis::ENGLISH, IndexRecordOption::WithFreqs)),
    };
    (b.build(), fields)
}
