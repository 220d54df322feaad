//! Warm introductions (in progress).
