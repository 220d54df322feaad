//! Event matching (in progress).
