//! Opinion map (placeholder, being written).
