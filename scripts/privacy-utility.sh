#!/usr/bin/env bash
# Reproduces the privacy-utility table of README.md: DP-FedAvg on MNIST (2NN), 1,000 nodes of 60
# images each, C = 0.1 (100 nodes per round), E = 1, B = 10, lr 0.1, 30 rounds, clip norm 1.0,
# central noise calibrated so that the 30 rounds spend exactly epsilon at delta = 1e-5.
# Usage: scripts/privacy-utility.sh [OUT_DIR]   (about 1 minute per row on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/privacy-utility}"
mkdir -p "$out"
common=(simulate --nodes 1000 --fraction 0.1 --rounds 30 --target-accuracy 0 --seed 42)
for eps in 1 2 4 8; do
  ./flock "${common[@]}" --dp-epsilon "$eps" --dp-delta 1e-5 --dp-clip 1.0 \
    --metrics-out "$out/eps-$eps.jsonl" | grep -E "^(differential|finished)"
done
./flock "${common[@]}" --metrics-out "$out/eps-inf.jsonl" | grep -E "^finished"
