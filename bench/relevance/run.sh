#!/bin/sh
# Reproduces bench/relevance/RESULTS.md (release builds, own target dir): feed quality on
# each mailing list of $CORPUS under both protocols, the busy-space replay, the tuning
# period, the hand-tuned formula and the product formula without learning; then speed.
set -eu
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-relevance}"
CORPUS="${CORPUS:-/work/shared/data/corpus}"
cargo build -q --release -p parvis-relevance --examples
EVAL="$CARGO_TARGET_DIR/release/examples/eval_feed"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# The hand-tuned mailing-list formula (Config::mailing_list()) and the product formula
# without learning, as --config files.
echo '{"freshness_half_life_days":1.0,"w_base":0.3,"w_sim":3.0,"w_peer":0.0,"w_momentum":0.0,"w_awaiting":0.3,"w_starter_tie":0.3,"mmr_lambda":1.0,"learn_from_history":false}' >"$TMP/hand.json"
echo '{"learn_from_history":false}' >"$TMP/formula.json"
for list in r-sig-geo r-package-devel; do
    [ -d "$CORPUS/$list" ] || { echo "skip $list: $CORPUS/$list is absent"; continue; }
    for args in "" "--at-join" "--eras 4" "--eras 4 --at-join" "--cutoff 0.70 --until 0.85" \
        "--config $TMP/hand.json" "--config $TMP/formula.json" "--eras 4 --config $TMP/formula.json"; do
        echo "== $list $args"
        # shellcheck disable=SC2086
        "$EVAL" "$CORPUS/$list" $args | tail -n 5
    done
done
"$CARGO_TARGET_DIR/release/examples/relevance_bench" "$CORPUS/r-sig-geo"
