#!/usr/bin/env bash
# ONNX Runtime's CUDA execution provider on the GPU machine (issue 14), in one run: e2enet's bundles in ONNX Runtime (CUDA)
# beside the same networks in TorchSharp (CUDA), on a machine with an NVIDIA GPU and PyTorch but no .NET (Ubuntu 24.04,
# CUDA 13, cuDNN 9, PyTorch 2.11 under python3, as lent here).
#
# Prepare here (x64 Linux with the .NET SDK), from the repository root of the checkout the device calls send:
#   bash benchmarks/gpu/pack-onnx-cuda.sh    # e2enet with Microsoft.ML.OnnxRuntime.Gpu, the .NET runtime and the demo
#                                            # data, in parts of one call each; prints the calls (also .gpu/onnx-cuda/calls.txt)
# The calls stash the parts there with benchmarks/gpu/onnx-cuda-parts.sh; the last one assembles them and runs this script:
#   bash benchmarks/gpu_onnx_cuda.sh [all|quick|fast|smoke]   (OUT=folder for the logs, default /tmp/gpu-out)
#   all    AmosCtChannel (pruned, channel unit), AmosCt (dense export, kernel unit), nnU-Net's plain U-Net
#          (models/baselines/nnunet-plain.e2e), then bench export at 32x64x64 as docs/benchmarks.md runs it
#   quick  AmosCtChannel only
#   fast   AmosCtFast (output-group unit, 8 groups: grouped convolutions, the issue-13 question) and nnU-Net's plain U-Net,
#          then bench export of AmosCtFast at 32x64x64
#   smoke  Colin27Demo at 32^3: checks this script anywhere. On a machine without a GPU, after a local assemble (E2ENET_ONNX_CUDA_DIR):
#          LD_LIBRARY_PATH=~/.nuget/packages/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native DEVICE=cpu \
#          E2ENET_CLI="dotnet STASH/gpu/app/e2enet.dll" E2ENET_PYTHON=/usr/bin/python3 bash benchmarks/gpu_onnx_cuda.sh smoke
#
# Bundles are made there, not carried: fp32 bundles measured 24 MB (AmosCtChannel, pruned), 96 MB (AmosCt, dense) and
# 125 MB (the U-Net), more than a call may carry. Export needs weights, and the shipped models are untrained: one training
# iteration on the demo data (`e2enet train --epochs 1 --iterations 1`) writes a run folder (weights.pt with the model's
# mask structure, plan.json), and `e2enet export --run` makes a bundle of it that carries the plan, so `predict --bundle`
# needs nothing else. The exports are checked on the CPU against TorchSharp at 32x64x64 (--verify-patch) and not tuned
# (--no-tune: the tuner measures lowerings in ONNX Runtime on the CPU, which says nothing of CUDA). Every model gets the
# demo's four classes (--set classes=4 and its labels) so that the demo's plan fits; a 4-class head instead of 16 changes
# the 1x1x1 output convolution only.
#
# For each model, fp32 first for every model, then fp16 (export --fp16; TorchSharp --precision fp16), then predict:
#   export, `forward --bundle --device cuda` on a 1x1x64x160x160 input (the whole process's wall time: .NET start, CUDA
#   and cuDNN set-up, session creation and one run; e2enet has no bundle latency benchmark on CUDA: `bench export` times
#   ONNX Runtime on the CPU only), `bench forward --device cuda --cudnn-benchmark` (TorchSharp, median of 7), and
#   `predict --bundle --device cuda` beside `predict --run --device cuda` (TorchSharp) on the demo's two test cases.
# Every step has a time limit, cut to what is left of BUDGET_S (default 540 s, so that assembling and this script fit
# one 600 s device call); steps that no longer fit are skipped and say so. Steps that succeeded are listed in WORK/done
# and not run again: while the machine stays warm, running this script again (no carry needed) goes on where the last
# run stopped (FRESH=1 starts over). Logs: $OUT/onnx-cuda.log, one line per step in $OUT/onnx-cuda-steps.tsv (exit code,
# seconds), GPU memory and load in $OUT/nvidia-smi.csv.
#
# Environment: DEVICE (cuda), E2ENET_ONNX_CUDA_DIR (the stash, /tmp/e2enet-onnx-cuda), E2ENET_CLI (the command that runs
# e2enet; default: bash STASH/gpu/run-on-device.sh e2enet.dll), E2ENET_PYTHON (python3, with torch), WORK (runs, bundles,
# inputs: /tmp/e2enet-onnx-cuda-work), BUDGET_S (540), FRESH (0).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
mode=${1:-all}
case $mode in
  all | quick | fast | smoke) ;;
  *) echo "usage: bash benchmarks/gpu_onnx_cuda.sh [all|quick|fast|smoke]" >&2; exit 2 ;;
esac
OUT=${OUT:-/tmp/gpu-out}
DEVICE=${DEVICE:-cuda}
stash=${E2ENET_ONNX_CUDA_DIR:-/tmp/e2enet-onnx-cuda}
gpu=$stash/gpu
work=${WORK:-/tmp/e2enet-onnx-cuda-work}
python=${E2ENET_PYTHON:-python3}
deadline=$(( $(date +%s) + ${BUDGET_S:-540} ))
if [ -n "${E2ENET_CLI:-}" ]; then
  read -r -a e2enet <<< "$E2ENET_CLI"
else
  if [ ! -f "$gpu/app/e2enet.dll" ] || [ ! -f "$gpu/run-on-device.sh" ]; then
    echo "gpu_onnx_cuda.sh: no e2enet in $gpu: run bash benchmarks/gpu/onnx-cuda-parts.sh assemble first (after the calls that carry the parts)" >&2
    exit 1
  fi
  e2enet=(bash "$gpu/run-on-device.sh" e2enet.dll)   # arrays, not functions: `timeout` runs programs
fi
demo=$gpu/demo
if [ "${FRESH:-0}" = 1 ]; then rm -rf "$work"; fi
mkdir -p "$OUT" "$work"
exec > >(tee "$OUT/onnx-cuda.log") 2>&1
steps=$OUT/onnx-cuda-steps.tsv
printf 'step\texit\tseconds\n' > "$steps"
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv,noheader -lms 250 > "$OUT/nvidia-smi.csv" 2> /dev/null &
  sampler=$!
  trap 'kill $sampler 2>/dev/null' EXIT
fi

step() { # step NAME SECONDS COMMAND...: runs with a time limit (at most what is left of BUDGET_S); logs exit code and seconds
  local name=$1 limit=$2 left rc start seconds
  shift 2
  if grep -Fxq "$name" "$work/done" 2> /dev/null; then
    echo "== $name: done by an earlier run ($work/done; FRESH=1 redoes everything)"
    return 0
  fi
  left=$(( deadline - $(date +%s) ))
  if [ "$left" -lt 15 ]; then
    echo "== $name: skipped (BUDGET_S spent)"
    printf '%s\tskipped\t0\n' "$name" >> "$steps"
    return 124
  fi
  if [ "$limit" -gt "$left" ]; then limit=$left; fi
  echo "== $(date +%T) $name"
  start=$(date +%s.%N)
  timeout "$limit" "$@" 2>&1 | grep -v -E '^bench: |^preprocess: |^predict: +predict [0-9]+/'
  rc=${PIPESTATUS[0]}
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  echo "== $name: exit $rc, $seconds s"
  printf '%s\t%s\t%s\n' "$name" "$rc" "$seconds" >> "$steps"
  if [ "$rc" -eq 0 ]; then echo "$name" >> "$work/done"; fi
  return "$rc"
}

# ONNX Runtime's CUDA provider needs CUDA 13 (libcudart, libcublas, libcublasLt, libcurand) and cuDNN 9 on the library
# path; PyTorch's wheels bring them in site-packages/nvidia/*/lib, which only PyTorch itself finds (by its RPATH).
cudnn=()
if [ "$DEVICE" = cuda ]; then
  cudnn=(--cudnn-benchmark)
  nvidia_libs=$("$python" - 2> /dev/null << 'EOF'
import glob, os
try:
    import nvidia
except ImportError:
    raise SystemExit(0)
found = set()
for root in nvidia.__path__:
    for pattern in ("*/lib", "*/*/lib"):
        found.update(d for d in glob.glob(os.path.join(root, pattern)) if os.path.isdir(d))
print(":".join(sorted(found)))
EOF
)
  if [ -d /usr/local/cuda/lib64 ]; then nvidia_libs="${nvidia_libs:+$nvidia_libs:}/usr/local/cuda/lib64"; fi
  export LD_LIBRARY_PATH="$nvidia_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "== $(date +%T) GPU and libraries"
  nvidia-smi -L
  echo "library path added for ONNX Runtime: ${nvidia_libs:-nothing found (no nvidia packages under $python)}"
  provider=$gpu/app/libonnxruntime_providers_cuda.so
  if [ -f "$provider" ]; then
    unresolved=$(ldd "$provider" | grep 'not found')
    echo "ldd $provider: ${unresolved:-every library resolved}"
    for lib in libcudnn.so.9 libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10; do
      hit=$(for d in ${LD_LIBRARY_PATH//:/ }; do ls "$d/$lib" 2> /dev/null; done | head -1)
      echo "  $lib: ${hit:-$(ldconfig -p | grep -m1 -F "$lib" | sed 's/.*=> //')}"
    done
  else
    echo "no $provider: the CUDA steps will fail with E2E6301 (run onnx-cuda-parts.sh assemble)"
  fi
fi

# The models: KEY MODEL EXPORT-FLAGS (sets: --set overrides for the demo's classes; patch: the model's own).
labels="labels=[background, cerebellum, thalamus, basal_ganglia]"
sets=(--set classes=4 --set "$labels")
patch=64,160,160
verify=32,64,64
case $mode in
  all) models=("amos-channel models/amos-ct.e2e:AmosCtChannel" "amos-dense models/amos-ct.e2e:AmosCt --dense" "unet models/baselines/nnunet-plain.e2e:NnUNetPlainAmos") ;;
  quick) models=("amos-channel models/amos-ct.e2e:AmosCtChannel") ;;
  fast) models=("amos-fast models/amos-ct.e2e:AmosCtFast" "unet models/baselines/nnunet-plain.e2e:NnUNetPlainAmos") ;;
  smoke) models=("demo models/demo/colin27.e2e:Colin27Demo") sets=() patch=32,32,32 verify=32,32,32 ;;
esac

input=$work/input-${patch//,/x}.pt
step "input tensor 1x1x${patch//,/x} (torch.save, seed 0)" 60 "$python" -c '
import sys, torch
d, h, w = (int(s) for s in sys.argv[2].split(","))
torch.manual_seed(0)
torch.save({"input": torch.randn(1, 1, d, h, w)}, sys.argv[1])' "$input" "$patch"

# Phase 1, the numbers that matter most: per model, fp32 bundle in ONNX Runtime beside TorchSharp. Phase 2: the same in fp16.
# Phase 3: predict on the demo's test cases. A model whose training or export failed is left out of what follows.
# TorchSharp's fp16 convolutions on a CPU take minutes (smoke on a CPU): they run only where the device is a GPU.
declare -A model_of flags_of ok
for entry in "${models[@]}"; do
  read -r key model flag_text <<< "$entry"
  model_of[$key]=$model flags_of[$key]=${flag_text:-}
done
mapfile -t keys < <(for entry in "${models[@]}"; do echo "${entry%% *}"; done)   # in the order above

export_bundle() { # export_bundle KEY PRECISION: the bundle of KEY's run, fp32 or fp16
  local key=$1 precision=$2 flags half=()
  read -r -a flags <<< "${flags_of[$key]}"
  if [ "$precision" = fp16 ]; then half=(--fp16); fi
  step "$key $precision: export ${flags[*]} ${half[*]}" 180 "${e2enet[@]}" export --run "$work/run-$key" --out "$work/bundle-$key-$precision" \
    --force --no-tune --verify-patch "$verify" "${flags[@]}" "${half[@]}"
}
forward_pair() { # forward_pair KEY PRECISION: the bundle's forward in ONNX Runtime, then TorchSharp's bench forward
  local key=$1 precision=$2
  step "$key $precision: ONNX Runtime forward --device $DEVICE, 1x1x${patch//,/x} (process wall time)" 120 "${e2enet[@]}" forward \
    --bundle "$work/bundle-$key-$precision" --input "$input" --output "$work/out-$key-$precision.pt" --device "$DEVICE"
  if [ "$precision" = fp32 ] || [ "$DEVICE" != cpu ]; then
    step "$key $precision: TorchSharp bench forward --device $DEVICE ${cudnn[*]}" 120 "${e2enet[@]}" bench forward --model "${model_of[$key]}" \
      "${sets[@]}" --patch "$patch" --batch 1 --warmup 3 --repeat 7 --device "$DEVICE" "${cudnn[@]}" --precision "$precision"
  fi
}

for key in "${keys[@]}"; do
  run=$work/run-$key
  if ! grep -Fxq "$key: train 1 iteration on $DEVICE (weights with the mask structure, plan)" "$work/done" 2> /dev/null; then rm -rf "$run"; fi
  # --precision fp32: the weights only need the model's mask structure; one fp32 iteration is the plainest way there.
  step "$key: train 1 iteration on $DEVICE (weights with the mask structure, plan)" 180 "${e2enet[@]}" train "$demo" --model "${model_of[$key]}" \
    "${sets[@]}" --out "$run" --device "$DEVICE" --precision fp32 --epochs 1 --iterations 1 --validation-iterations 1 --no-final-validation \
    --workers 4 || continue
  export_bundle "$key" fp32 || continue
  ok[$key-fp32]=1
  forward_pair "$key" fp32
done
for key in "${keys[@]}"; do
  [ -f "$work/run-$key/weights.pt" ] || continue
  export_bundle "$key" fp16 || continue
  ok[$key-fp16]=1
  forward_pair "$key" fp16
done
for precision in fp32 fp16; do
  for key in "${keys[@]}"; do
    [ -n "${ok[$key-$precision]:-}" ] || continue
    step "$key $precision: ONNX Runtime predict --device $DEVICE (demo imagesTs, process wall time)" 150 "${e2enet[@]}" predict \
      --bundle "$work/bundle-$key-$precision" --input "$demo/imagesTs" --output "$work/pred-$key-$precision" --device "$DEVICE"
    if [ "$precision" = fp32 ] || [ "$DEVICE" != cpu ]; then
      step "$key $precision: TorchSharp predict --device $DEVICE (demo imagesTs, process wall time)" 150 "${e2enet[@]}" predict --run "$work/run-$key" \
        --input "$demo/imagesTs" --output "$work/pred-torch-$key-$precision" --device "$DEVICE" --precision "$precision"
    fi
  done
done

# bench export as docs/benchmarks.md runs it (32x64x64, 16 classes), on this machine's CPU cores: it has no --device.
# Its default baseline runs /usr/bin/python3, which has no torch on the lent machine: export the U-Net with $python first.
if [ "$mode" != quick ]; then
  case $mode in
    smoke) bench_models=(models/demo/colin27.e2e:Colin27Demo) classes=4 ;;
    fast) bench_models=(models/amos-ct.e2e:AmosCtFast) classes=16 ;;
    *) bench_models=(models/amos-ct.e2e:AmosCtChannel models/amos-ct.e2e:AmosCt) classes=16 ;;
  esac
  bench_patch=32,64,64   # not 32^3: the U-Net's five halvings would leave one voxel, which its instance norm refuses
  unet=$work/plain-unet-$classes-${bench_patch//,/x}.onnx
  baseline=(--no-baseline)
  if step "nnU-Net plain U-Net to ONNX ($python benchmarks/onnx/plain_unet.py)" 120 "$python" benchmarks/onnx/plain_unet.py --out "$unet" \
    --in-channels 1 --classes "$classes" --patch "$bench_patch"; then
    baseline=(--baseline-onnx "$unet")
  fi
  for model in "${bench_models[@]}"; do
    step "bench export $model ${bench_patch//,/x} (ONNX Runtime and TorchSharp on the CPU)" 240 "${e2enet[@]}" bench export --model "$model" \
      --patch "$bench_patch" --runs 5 --warmup 1 "${baseline[@]}"
  done
fi

echo "== $(date +%T) done"
column -t -s $'\t' "$steps" 2> /dev/null || cat "$steps"
