//! The metrics: nDCG@k with binary gains and recall@k.

use std::collections::BTreeSet;

/// nDCG@k with binary gains.
pub fn ndcg_at(ranking: &[String], relevant: &BTreeSet<String>, k: usize) -> f64 {
    let dcg: f64 = ranking
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, t)| relevant.contains(*t))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .fold(0.0, |a, b| a + b); // not `sum`: it starts at -0.0
    let idcg: f64 = (0..relevant.len().min(k))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    if idcg > 0.0 { dcg / idcg } else { 0.0 }
}

/// Recall@k.
pub fn recall_at(ranking: &[String], relevant: &BTreeSet<String>, k: usize) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    ranking
        .iter()
        .take(k)
        .filter(|t| relevant.contains(*t))
        .count() as f64
        / relevant.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics() {
        let rel: BTreeSet<String> = ["a".to_string(), "b".to_string()].into();
        let perfect = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        assert!((ndcg_at(&perfect, &rel, 10) - 1.0).abs() < 1e-12);
        let half = vec!["c".to_string(), "a".to_string()];
        assert!((recall_at(&half, &rel, 20) - 0.5).abs() < 1e-12);
        assert!(ndcg_at(&half, &rel, 10) < 0.5);
    }
}
