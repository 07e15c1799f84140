#!/usr/bin/env bash
# JMH: FedAvg aggregation (StreamingFedAvg) beside a plain float summing loop over the same
# update data, as GB/s of updates folded. Usage: scripts/bench-fedavg-fold.sh [JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -Dstyle.color=never -DskipTests install -pl privacy,models,actors,simulations
cp="$(mktemp)"
mvn -q -B -Dstyle.color=never dependency:build-classpath -pl simulations -Dmdep.outputFile="$cp" >/dev/null
exec java --add-modules jdk.incubator.vector -cp "simulations/target/classes:$(cat "$cp")" io.flock.simulations.bench.FedAvgFoldBenchmark "$@"
