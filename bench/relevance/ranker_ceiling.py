#!/usr/bin/env python3
"""How far can a better *model* take the feed on the signals it has?

Reads the cases written by the `feature_dump` example (one JSON line per
case: the 60 most recently active threads the member had not posted in,
their signals, and which one was joined), fits on the cases before
`--split` and scores nDCG@10 on those from `--split` to `--until`:

* recency and `hot` (the baselines, on the same candidates),
* a logistic regression (pointwise, linear: close to the product's scorer),
* LambdaMART (LightGBM's `lambdarank`, boosted trees, listwise).

If the trees do not beat the linear scorer by much, the gap to a goal is in
the signals, not in the model. Needs `pip install lightgbm scikit-learn`.

    cargo build --release -p parvis-relevance --examples
    target/release/examples/feature_dump ../shared/data/corpus/r-help-2004 --at-join --cutoff 0.2 > cases.jsonl
    python3 bench/relevance/ranker_ceiling.py cases.jsonl --split 0.5 --until 0.7
"""
import argparse
import json

import numpy as np

# Positions in the engine's FeatureVector that the baselines use.
LN_HOURS_SINCE_LAST = 1
HOT = 17


def ndcg10(scores, joined):
    order = np.argsort(-np.asarray(scores), kind="stable")
    for rank, i in enumerate(order[:10]):
        if joined[i]:
            return 1.0 / np.log2(rank + 2)
    return 0.0


def matrices(cases):
    x = np.array([f for c in cases for f in c["x"]], dtype=np.float64)
    y = np.array([j for c in cases for j in c["joined"]], dtype=np.int32)
    groups = [len(c["x"]) for c in cases]
    return x, y, groups


def mean_ndcg(cases, groups, scores):
    out, at = [], 0
    for c, n in zip(cases, groups):
        out.append(ndcg10(scores[at:at + n], c["joined"]))
        at += n
    return float(np.mean(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases")
    ap.add_argument("--split", type=float, default=0.5)
    ap.add_argument("--until", type=float, default=0.7)
    a = ap.parse_args()
    import lightgbm as lgb
    from sklearn.linear_model import LogisticRegression

    rows = [json.loads(line) for line in open(a.cases)]
    rows = [r for r in rows if any(r["joined"])]
    train = [r for r in rows if r["frac"] < a.split]
    test = [r for r in rows if a.split <= r["frac"] < a.until]
    xtr, ytr, gtr = matrices(train)
    xte, _, gte = matrices(test)
    result = {
        "train_cases": len(train),
        "test_cases": len(test),
        "most_recent": mean_ndcg(test, gte, -xte[:, LN_HOURS_SINCE_LAST]),
        "hot": mean_ndcg(test, gte, xte[:, HOT]),
    }
    linear = LogisticRegression(C=1.0, max_iter=3000).fit(xtr, ytr)
    result["logistic"] = mean_ndcg(test, gte, linear.decision_function(xte))
    for leaves, trees in [(7, 300), (15, 500)]:
        ranker = lgb.LGBMRanker(objective="lambdarank", num_leaves=leaves,
                                n_estimators=trees, learning_rate=0.05,
                                min_child_samples=50, verbose=-1)
        ranker.fit(xtr, ytr, group=gtr)
        result[f"lambdamart_{leaves}x{trees}"] = mean_ndcg(test, gte, ranker.predict(xte))
    best = max(result["most_recent"], result["hot"])
    for k in list(result):
        if k not in ("train_cases", "test_cases", "most_recent", "hot"):
            result[k + "_ratio"] = result[k] / best
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
