#!/usr/bin/env python3
"""Is there more to learn than the engine learns? A study, not part of the product.

Reads the JSON lines written by the `feature_dump` example (one line per evaluation case:
the 60 most recently active candidate threads with the engine's 16 signals, and which
ones the user joined), trains on the cases before a fraction of the timeline and scores
the cases after it with nDCG@10, for recency order, a logistic regression (what the
engine ships) and a gradient-boosted forest (a more flexible model). Needs numpy and
scikit-learn (`pip install numpy scikit-learn`).

    target-relevance/release/examples/feature_dump DIR --cutoff 0.3 [--at-join] [--eras 4] > cases.jsonl
    python3 bench/relevance/study_scorers.py cases.jsonl [cases-to-test.jsonl]
"""
import json
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression


def load(path):
    with open(path) as f:
        return [c for c in map(json.loads, f) if any(c["joined"])]


def ndcg(order, joined):
    if not any(joined):
        return 0.0
    rel = np.array(joined)[order][:10]
    dcg = sum(1 / np.log2(i + 2) for i, r in enumerate(rel) if r)
    ideal = sum(1 / np.log2(i + 2) for i in range(min(sum(joined), 10)))
    return dcg / ideal


def main():
    train_cases = load(sys.argv[1])
    test_cases = load(sys.argv[2]) if len(sys.argv) > 2 else train_cases
    for lo, hi, test_from, test_to in ((0, 0.7, 0.7, 0.85), (0, 0.85, 0.85, 1.01)):
        train = [c for c in train_cases if lo <= c["frac"] < hi]
        test = [c for c in test_cases if test_from <= c["frac"] < test_to]
        if not train or not test:
            continue
        x = np.array([v for c in train for v in c["x"]])[:, 1:]
        y = np.array([j for c in train for j in c["joined"]])
        lr = LogisticRegression(max_iter=3000).fit(x, y)
        gb = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05).fit(x, y)
        scores = {"recency": [], "logistic": [], "boosted": []}
        for c in test:
            xs = np.array(c["x"])[:, 1:]
            scores["recency"].append(ndcg(np.arange(len(c["joined"])), c["joined"]))
            scores["logistic"].append(ndcg(np.argsort(-lr.decision_function(xs), kind="stable"), c["joined"]))
            scores["boosted"].append(ndcg(np.argsort(-gb.predict_proba(xs)[:, 1], kind="stable"), c["joined"]))
        if all("~" in c["user"] for c in test):
            # Busy space (--eras): recency within the user's own community, as if it were known.
            era = lambda key: key.rsplit("~", 1)[1]
            scores["recency in own community (oracle)"] = []
            for c in test:
                own = [j for t, j in zip(c["threads"], c["joined"]) if era(t) == era(c["user"])]
                scores["recency in own community (oracle)"].append(ndcg(np.arange(len(own)), own) if any(own) else 0.0)
        base = np.mean(scores["recency"])
        line = ", ".join(f"{k} {np.mean(v):.4f} ({np.mean(v) / base:.3f}x)" for k, v in scores.items())
        print(f"train [{lo}, {hi}) {len(train)} cases, test [{test_from}, {min(test_to, 1)}) {len(test)} cases: {line}")


if __name__ == "__main__":
    main()
