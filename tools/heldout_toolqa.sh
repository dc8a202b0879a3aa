#!/usr/bin/env bash
# The held-out ToolQA measurement of README.md ("Measured: held-out questions"), as run.
#
# Every run scores the same test questions: per split (easy, hard) of coffee, the questions are
# split 50/50 by template with seed 0 (--split-train 0.5); --sample draws the test questions from
# the test half across templates. Practice uses only the train half. Two runs at a time, one
# llama.cpp thread each (a 2-core machine).
#
#   TOOLQA=~/ToolQA OUT=runs SAMPLE=12 PRACTICE=8 bash tools/heldout_toolqa.sh
set -euo pipefail
TOOLQA=${TOOLQA:-../shared/toolqa}
OUT=${OUT:-runs}
SAMPLE=${SAMPLE:-12}
PRACTICE=${PRACTICE:-8}
DOMAINS=${DOMAINS:-coffee}
export SEER_THREADS=${SEER_THREADS:-1}
COMMON="--split all --domains $DOMAINS --split-train 0.5 --sample $SAMPLE --seed 0 -k 4 --max-steps 8 --no-judge --toolqa-dir $TOOLQA"
mkdir -p "$OUT"

lane_a() {  # practice on the train half, then the test half with the practised pool
    seer eval toolqa $COMMON --recall stepwise --frozen --practice-tries 2 --practice-sample "$PRACTICE" --out "$OUT/d-practiced-stepwise"
}
# (a) and (e) ran on half the sample for time: --sample 6 draws the first 6 of the same
# round-robin, so their questions are a subset of the others' and compare pairs them.
HALF=${HALF:-$(( SAMPLE / 2 ))}
COMMON_HALF="${COMMON/--sample $SAMPLE/--sample $HALF}"
lane_b() {  # the baselines, then task-level recall over the pool practised in lane A
    seer eval toolqa $COMMON --demos static --frozen --out "$OUT/b-static"
    seer eval toolqa $COMMON --recall stepwise --frozen --out "$OUT/c-seed-stepwise"
    seer eval toolqa $COMMON_HALF --recall none --frozen --out "$OUT/a-none"
    while [ ! -f "$OUT/d-practiced-stepwise/results.jsonl" ]; do sleep 30; done  # practice done: its pool is final
    seer eval toolqa $COMMON_HALF --recall task --frozen --pool "$OUT/d-practiced-stepwise/pool" --out "$OUT/e-practiced-task"
}
lane_a > "$OUT/lane-a.log" 2>&1 &
lane_b > "$OUT/lane-b.log" 2>&1 &
wait
python tools/eval_table.py "$OUT/a-none" "$OUT/b-static" "$OUT/c-seed-stepwise" "$OUT/d-practiced-stepwise" \
    "$OUT/e-practiced-task" --baseline "$OUT/b-static"
seer eval compare "$OUT/d-practiced-stepwise" "$OUT/b-static"
seer eval compare "$OUT/d-practiced-stepwise" "$OUT/c-seed-stepwise"
seer eval compare "$OUT/d-practiced-stepwise" "$OUT/e-practiced-task"
