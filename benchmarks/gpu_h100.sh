#!/usr/bin/env bash
# The GPU measurements recorded in docs/benchmarks.md and docs/training.md, in one run on a machine with an NVIDIA GPU
# and PyTorch (CUDA) but no .NET, such as a rented H100 (Ubuntu 24.04, CUDA 13, PyTorch 2.11).
#
# Prepare here (x64 Linux with the .NET SDK), from the repository root:
#   bash benchmarks/gpu/pack.sh src/E2ENet.Cli/E2ENet.Cli.csproj # .gpu/: the .NET runtime and e2enet, against the GPU's libtorch
#   rm -f .gpu/app/onnxruntime.dll .gpu/app/libonnxruntime.so .gpu/app/*.pdb .gpu/app/*.xml   # ONNX Runtime is not used here
#   cp src/E2ENet.Cli/bin/Release/net10.0/lib{SkiaSharp,HarfBuzzSharp}.so .gpu/app/          # PNG plots
#   e2enet dataset make-demo .gpu/demo                             # the Colin27 demo dataset (6 MB)
# then run there:  bash benchmarks/gpu_h100.sh [all|inference]   (OUT=folder for the logs; default /tmp/gpu-out)
# `inference` runs only the batch-1 comparisons (64x160x160 and 128x128x128, the inference rows of docs/method.md's reference timings).
# ONNX Runtime on CUDA (bundles) is measured by benchmarks/gpu_onnx_cuda.sh: its provider is too big for one call and travels
# in parts (benchmarks/gpu/pack-onnx-cuda.sh prints the calls; docs/onnx.md, "The CUDA provider on the lent GPU machine").
#
# In this order (the first steps matter most): the AMOS configuration's forward and forward+backward at batch 2,
# 64x160x160, e2enet (TorchSharp) against the same network in PyTorch (benchmarks/e2enet_pytorch.py) on the same GPU,
# default and with cuDNN's benchmark mode, PyTorch also with fp16 autocast; then real `e2enet train` runs on CUDA (the
# demo model, and the full-width AmosCt on the demo data at its 64x160x160 patch) and a CUDA `e2enet predict`.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu.log") 2>&1
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv,noheader -lms 250 > "$OUT/nvidia-smi.csv" 2>/dev/null &
sampler=$!
trap 'kill $sampler 2>/dev/null' EXIT

step() { # step NAME SECONDS COMMAND...: runs with a time limit, keeps the summary lines
  local name=$1 limit=$2; shift 2
  echo "== $(date +%T) $name"
  timeout "$limit" "$@" 2>&1 | grep -v -E '^bench: |^preprocess: '
  echo "== $name: exit ${PIPESTATUS[0]}"
}
e2enet=(bash .gpu/run-on-device.sh e2enet.dll)   # arrays, not functions: `timeout` runs programs
pytorch=(python3 benchmarks/e2enet_pytorch.py --bench --device cuda)
shape=(--patch 64,160,160 --batch 2 --warmup 3 --repeat 7)

if [ "${1:-all}" = inference ]; then
  for patch in 64,160,160 128,128,128; do
    one=(--patch "$patch" --batch 1 --warmup 3 --repeat 7)
    step "e2enet b1 $patch fp32, cudnn benchmark" 90 "${e2enet[@]}" bench forward --model models/amos-ct.e2e:AmosCt "${one[@]}" --device cuda --cudnn-benchmark
    step "pytorch b1 $patch fp32, cudnn benchmark" 90 "${pytorch[@]}" "${one[@]}" --cudnn-benchmark
    step "pytorch b1 $patch fp16 autocast, cudnn benchmark" 90 "${pytorch[@]}" "${one[@]}" --cudnn-benchmark --amp
    step "e2enet b1 $patch fp16, cudnn benchmark" 90 "${e2enet[@]}" bench forward --model models/amos-ct.e2e:AmosCt "${one[@]}" --device cuda --cudnn-benchmark --precision fp16
  done
  step "e2enet b1 64,160,160 fp32" 90 "${e2enet[@]}" bench forward --model models/amos-ct.e2e:AmosCt --patch 64,160,160 --batch 1 --warmup 3 --repeat 7 --device cuda
  step "pytorch b1 64,160,160 fp32" 90 "${pytorch[@]}" --patch 64,160,160 --batch 1 --warmup 3 --repeat 7
  echo "== $(date +%T) done"
  exit 0
fi

step "e2enet fp32" 90 "${e2enet[@]}" bench forward --model models/amos-ct.e2e:AmosCt "${shape[@]}" --device cuda
step "pytorch fp32" 90 "${pytorch[@]}" "${shape[@]}"
step "e2enet fp32, cudnn benchmark" 90 "${e2enet[@]}" bench forward --model models/amos-ct.e2e:AmosCt "${shape[@]}" --device cuda --cudnn-benchmark
step "pytorch fp32, cudnn benchmark" 90 "${pytorch[@]}" "${shape[@]}" --cudnn-benchmark
step "pytorch fp16 autocast, cudnn benchmark" 90 "${pytorch[@]}" "${shape[@]}" --cudnn-benchmark --amp
step "e2enet bf16, cudnn benchmark" 90 "${e2enet[@]}" bench forward --model models/amos-ct.e2e:AmosCt "${shape[@]}" --device cuda --cudnn-benchmark --precision bf16
step "e2enet fp16, cudnn benchmark" 90 "${e2enet[@]}" bench forward --model models/amos-ct.e2e:AmosCt "${shape[@]}" --device cuda --cudnn-benchmark --precision fp16

step "train AmosCt (full width, 64x160x160) fp32 on cuda" 150 "${e2enet[@]}" train .gpu/demo --model models/amos-ct.e2e:AmosCt --out /tmp/run-amos \
  --device cuda --precision fp32 --set classes=4 --set "labels=[background, cerebellum, thalamus, basal_ganglia]" \
  --epochs 1 --iterations 40 --workers 12 --validation-iterations 2 --no-final-validation
step "train AmosCt fp16 (loss scaling) on cuda" 150 "${e2enet[@]}" train .gpu/demo --model models/amos-ct.e2e:AmosCt --out /tmp/run-amos-fp16 \
  --device cuda --precision fp16 --set classes=4 --set "labels=[background, cerebellum, thalamus, basal_ganglia]" \
  --epochs 1 --iterations 40 --workers 12 --validation-iterations 2 --no-final-validation
step "train Colin27Demo on cuda" 120 "${e2enet[@]}" train .gpu/demo --model models/demo/colin27.e2e --out /tmp/run-demo --device cuda \
  --epochs 2 --iterations 50 --workers 8 --validation-iterations 5 --no-final-validation
step "predict on cuda" 60 "${e2enet[@]}" predict --run /tmp/run-demo --input .gpu/demo/imagesTs --output /tmp/pred-demo --device cuda
step "evaluate" 30 "${e2enet[@]}" evaluate --pred /tmp/pred-demo --ref .gpu/demo/labelsTs
grep -h "s/it" /tmp/run-amos/train.log 2>/dev/null | tail -3
cp /tmp/run-amos/metrics.csv "$OUT/amos-metrics.csv" 2>/dev/null
cp /tmp/run-demo/plots/progress.png "$OUT/demo-progress.png" 2>/dev/null
echo "== $(date +%T) done"
