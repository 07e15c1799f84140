#!/usr/bin/env bash
# One short check of the GPU lane on a machine with an NVIDIA GPU (README "Training on a GPU"):
# says which CUDA natives it finds, then times local steps on GPU 0 and runs a short federated
# simulation there. Output goes to stdout and, when $OUT is set, to $OUT/gpu-check.txt.
#   scripts/gpu-check.sh                       # natives: FLOCK_CUDA=1 (Maven cu124) or FLOCK_LIBTORCH
set -uo pipefail
cd "$(dirname "$0")/.."
exec > >(tee "${OUT:-/tmp}/gpu-check.txt") 2>&1

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || { echo "no nvidia-smi: no GPU here"; exit 1; }

echo "== CUDA natives"
if [[ -n "${FLOCK_LIBTORCH:-}" ]]; then
  echo "FLOCK_LIBTORCH=$FLOCK_LIBTORCH (needs libtorch 2.7.1 built for CUDA 12.8)"
elif ls ~/.m2/repository/ai/djl/pytorch/pytorch-native-cu124/2.5.1/*.jar >/dev/null 2>&1 \
    || mvn -q -B dependency:get -Dartifact=ai.djl.pytorch:pytorch-native-cu124:2.5.1:jar:linux-x86_64 -Dtransitive=false; then
  export FLOCK_CUDA=1
  echo "FLOCK_CUDA=1: Maven's pytorch-native-cu124 2.5.1"
else
  torch_lib="$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)"
  torch_ver="$(python3 -c 'import torch; print(torch.__version__)' 2>/dev/null || true)"
  echo "no Maven CUDA natives; python torch: ${torch_ver:-none} ${torch_lib}"
  if [[ "$torch_ver" == 2.7.1+cu128 ]]; then
    export FLOCK_LIBTORCH="$torch_lib"
  else
    echo "no usable CUDA natives (need Maven access, or libtorch 2.7.1+cu128): stop"; exit 1
  fi
fi

echo "== steps/s on GPU 0"
timeout 300 ./flock bench steps --gpu --steps 20 --models cnn,resnet18,bert-tiny,gpt-mini
echo "== federated run on GPU 0"
timeout 200 ./flock simulate --gpu --rounds 5
