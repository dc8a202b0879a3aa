#!/usr/bin/env bash
# Held-out ToolQA coffee, self-practised from coffee_price.csv alone (issue 24's measurement).
#
# Lane A: `seer practice --auto` over the toolqa toolkit's tables (it reads the files, never a
# question), then the test half of coffee with that pool. Lane B: the same questions with the
# toolqa seed pool. Both frozen, stepwise, k = 4, at most 8 steps, one llama.cpp thread each.
#
#   TOOLQA=../shared/toolqa OUT=runs/coffee-auto SAMPLE=8 MODEL=qwen2.5-coder-1.5b bash tools/heldout_coffee_auto.sh
set -euo pipefail
TOOLQA=${TOOLQA:-../shared/toolqa}
OUT=${OUT:-runs/coffee-auto}
SAMPLE=${SAMPLE:-8}
MODEL=${MODEL:-qwen2.5-coder-1.5b}
AUTO=${AUTO:-30}
PRACTICE_FLAGS=${PRACTICE_FLAGS:---tries 0 --phrase}
export SEER_THREADS=${SEER_THREADS:-1}
COMMON="--split all --domains coffee --split-train 0.5 --sample $SAMPLE --seed 0 -k 4 --max-steps 8 --no-judge \
 --frozen --recall stepwise --toolqa-dir $TOOLQA --model $MODEL"
mkdir -p "$OUT"
lane_a() {
    seer practice --auto "$AUTO" $PRACTICE_FLAGS --toolkit toolqa --toolqa-dir "$TOOLQA" --model "$MODEL" \
        --pool "$OUT/pool" --log "$OUT/practice.jsonl" --json > "$OUT/practice.json"
    seer eval toolqa $COMMON --pool "$OUT/pool" --out "$OUT/practised"
}
lane_b() {
    seer eval toolqa $COMMON --out "$OUT/seed"
}
lane_a > "$OUT/lane-a.log" 2>&1 &
lane_b > "$OUT/lane-b.log" 2>&1 &
wait
seer eval compare "$OUT/practised" "$OUT/seed"
