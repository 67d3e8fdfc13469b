#!/usr/bin/env bash
# The accuracy half of the frontier (benchmarks/frontier/frontier.sh: train, predict and evaluate the held-out synthetic
# subjects, several seeds per model) on a lent GPU machine, many runs at once on its one GPU, within a time budget.
# The cost half (export, ONNX Runtime latency) stays on the CPU: benchmarks/frontier/frontier.sh --out DIR picks up the
# runs this script brings back (it trains only what is missing).
#
# Prepare here (x64 Linux with the .NET SDK and Debian's mricron-data), from the repository root:
#   bash benchmarks/gpu/pack.sh src/E2ENet.Cli/E2ENet.Cli.csproj
#   bash benchmarks/gpu/frontier-gpu.sh --prepare     # packs .gpu/app as one xz file, adds PNG libraries and the
#                                                     # three mricron templates make-synth needs (~54 MiB with the tree)
# Run there (device tool, carry [".gpu"]):
#   bash benchmarks/gpu/frontier-gpu.sh [--budget SECONDS] [--jobs N] [--key "MODELS"] [--models "MODELS"]
#                                       [--seeds "1 2 3"] [--extra-seeds "4 5"] [--epochs E] [--iterations I] [--device cuda]
# Back here, in $OUT: frontier-gpu.log (what ran, when, and each run's Dice), runs.tar.gz (every run's evaluation, logs,
# metrics, run.json, model.e2e, plan.json, train-seconds) and weights-seedN.tar.xz (weights.pt of each run of seed N).
# Unpack: mkdir -p DIR/runs && tar -xzf runs.tar.gz -C DIR/runs && for f in weights-seed*.tar.xz; do tar -xJf $f -C DIR/runs; done
#
# Runs are started in priority order, --jobs at a time: the --key models (default: the kernel unit, the output-group
# unit with 8 and 4 groups at S = 0.8 and the plain U-Net, the comparison the hardware-aware sparsity issue is judged on) with every seed, then
# the other --models (seed-major), then the key models' --extra-seeds;
# no run is started that the remaining budget cannot finish (judged from the longest finished run), and whatever still runs
# at the end of the budget is stopped, so the results always come back before the device call's limit.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [ "${1:-}" = --prepare ]; then
  [ -d .gpu/app ] || { echo "frontier-gpu: run benchmarks/gpu/pack.sh src/E2ENet.Cli/E2ENet.Cli.csproj first" >&2; exit 2; }
  rm -f .gpu/app/onnxruntime.dll .gpu/app/libonnxruntime.so .gpu/app/*.pdb .gpu/app/*.xml   # ONNX Runtime is not used there
  cp src/E2ENet.Cli/bin/Release/net10.0/lib{SkiaSharp,HarfBuzzSharp}.so .gpu/app/ 2>/dev/null \
    || cp "$(dirname "$(find src/E2ENet.Cli/bin -name libSkiaSharp.so | head -1)")"/lib{SkiaSharp,HarfBuzzSharp}.so .gpu/app/
  tar -C .gpu -cJf .gpu/app.tar.xz.partial app && mv .gpu/app.tar.xz.partial .gpu/app.tar.xz && rm -rf .gpu/app
  mkdir -p .gpu/templates
  cp /usr/share/mricron/templates/{ch2,ch2bet,aal}.nii.gz .gpu/templates/
  echo "frontier-gpu: .gpu holds $(du -sh .gpu | cut -f1); with the tree: $(( ($(du -sb .gpu | cut -f1) + $(git ls-files -z | xargs -0 du -bc | tail -1 | cut -f1)) / 1048576 )) MiB (64 at most)"
  exit 0
fi

budget=540 jobs=12 seeds="1 2 3" extra_seeds="4 5" epochs="" iterations="" device=cuda
key="FrontierKernelS8 FrontierGroup8S8 FrontierGroup4S8 FrontierUNet"
models="FrontierChannelS8 FrontierGroupS8 FrontierKernelS7 FrontierDense FrontierChannelS5"
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --key) key=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --extra-seeds) extra_seeds=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --iterations) iterations=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    *) echo "frontier-gpu: unknown argument $1" >&2; exit 2 ;;
  esac
done
start=$(date +%s)
OUT=${OUT:-/tmp/frontier-gpu-out}
work=${FRONTIER_WORK:-/tmp/frontier-gpu}
mkdir -p "$OUT" "$work/runs"
exec > >(tee "$OUT/frontier-gpu.log") 2>&1
elapsed() { echo $(( $(date +%s) - start )); }
log() { echo "frontier-gpu $(date +%T) +$(elapsed)s: $*"; }
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi')"

# The program: unpacked once; its dotnet called directly (run-on-device.sh's python probe once, not per run).
# E2ENET=path/to/e2enet runs a local build instead (to try this script on a CPU: --device cpu --epochs 1 --iterations 2).
if [ -n "${E2ENET:-}" ]; then
  e2enet=("$E2ENET")
else
  if [ ! -d .gpu/app ]; then tar -C .gpu -xJf .gpu/app.tar.xz || { log "cannot unpack .gpu/app.tar.xz"; exit 1; }; fi
  if [ ! -f /usr/share/mricron/templates/ch2.nii.gz ] && [ -d .gpu/templates ]; then
    mkdir -p /usr/share/mricron/templates && cp .gpu/templates/*.nii.gz /usr/share/mricron/templates/
  fi
  bash .gpu/run-on-device.sh e2enet.dll --version || { log "the program does not start"; exit 1; }
  runtime=${E2ENET_DOTNET_DIR:-/tmp/e2enet-dotnet}
  torch_lib=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
  export DOTNET_ROOT=$runtime LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  e2enet=("$runtime/dotnet" "$PWD/.gpu/app/e2enet.dll")
fi
# Each run's CPU side (batches, augmentation) gets two threads; the GPU does the network.
export OMP_NUM_THREADS=2 MKL_NUM_THREADS=2
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv,noheader -l 5 > "$OUT/nvidia-smi.csv" 2>/dev/null &
sampler=$!

data=$work/synth
if [ ! -f "$data/dataset.json" ]; then
  log "making the synthetic subjects (20 training, 10 test, seed 2026: the frontier's defaults)"
  "${e2enet[@]}" dataset make-synth "$data" --cases 20 --test-cases 10 --seed 2026 --force > "$work/make-synth.log" 2>&1 \
    || { tail -5 "$work/make-synth.log"; exit 1; }
fi
"${e2enet[@]}" dataset check "$data" > "$work/check.log" 2>&1 || { log "the dataset does not check"; exit 1; }

train_options=(--device "$device")
[ -n "$epochs" ] && train_options+=(--epochs "$epochs")
[ -n "$iterations" ] && train_options+=(--iterations "$iterations")

# One run: train, predict the held-out subjects, evaluate; everything of it in its folder, 'status' last.
one_run() {
  local model=$1 seed=$2 run=$work/runs/$1-seed$2 t
  rm -rf "$run"; mkdir -p "$run"
  t=$(date +%s)
  if ! "${e2enet[@]}" train "$data" --model benchmarks/frontier/frontier.e2e:"$model" --out "$run" --seed "$seed" --fold 0 \
      --no-final-validation "${train_options[@]}" > "$run/train-stdout.log" 2> "$run/train-stderr.log"; then
    echo "train failed" > "$run/status"; return 1
  fi
  echo $(( $(date +%s) - t )) > "$run/train-seconds"
  if ! "${e2enet[@]}" predict --run "$run" --input "$data/imagesTs" --output "$run/test-predictions" --device "$device" \
      > /dev/null 2> "$run/predict-stderr.log"; then
    echo "predict failed" > "$run/status"; return 1
  fi
  "${e2enet[@]}" evaluate --pred "$run/test-predictions" --ref "$data/labelsTs" --json > "$run/test-evaluation.json.tmp" 2> "$run/evaluate-stderr.log" \
    && mv "$run/test-evaluation.json.tmp" "$run/test-evaluation.json" || { echo "evaluate failed" > "$run/status"; return 1; }
  echo $(( $(date +%s) - t )) > "$run/run-seconds"
  echo ok > "$run/status"
}

# The comparison the issue is judged on first (--key models, every seed), then the other rows, then more seeds of the key
# models while the budget lasts.
queue=()
for seed in $seeds; do for model in $key; do queue+=("$model $seed"); done; done
for seed in $seeds; do for model in $models; do queue+=("$model $seed"); done; done
for seed in $extra_seeds; do for model in $key; do queue+=("$model $seed"); done; done
declare -A pids=()
longest=0
deadline=$(( start + budget ))
reap() {
  local key pid run s
  for key in "${!pids[@]}"; do
    pid=${pids[$key]}
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"; unset "pids[$key]"
      run=$work/runs/${key% *}-seed${key#* }
      s=$(cat "$run/status" 2>/dev/null || echo "no status")
      if [ "$s" = ok ]; then
        local took; took=$(cat "$run/run-seconds"); [ "$took" -gt "$longest" ] && longest=$took
        log "done $key in ${took}s (train $(cat "$run/train-seconds") s): mean Dice $(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['meanDice'], 4))" "$run/test-evaluation.json" 2>/dev/null)"
      else
        log "FAILED $key: $s"; tail -3 "$run/train-stderr.log" "$run/predict-stderr.log" 2>/dev/null | sed 's/^/    /'
      fi
    fi
  done
}
started=0
while :; do
  reap
  left=$(( deadline - $(date +%s) ))
  if [ "$left" -le 0 ]; then
    log "budget spent: stopping ${#pids[@]} runs still going (${!pids[*]}); ${#queue[@]} never started"
    for key in "${!pids[@]}"; do pkill -P "${pids[$key]}" 2>/dev/null; kill "${pids[$key]}" 2>/dev/null; done
    pkill -f "${e2enet[-1]} " 2>/dev/null
    sleep 2; break
  fi
  need=$longest
  if [ ${#queue[@]} -gt 0 ] && [ ${#pids[@]} -lt "$jobs" ]; then
    # Start only what can finish: once a run has finished, the longest duration so far must fit in what is left.
    if { [ "$longest" -gt 0 ] && [ "$left" -gt "$need" ]; } || { [ "$longest" -eq 0 ] && [ "$started" -lt "$jobs" ]; }; then
      item=${queue[0]}; queue=("${queue[@]:1}")
      one_run $item & pids[$item]=$!
      started=$((started + 1))
      log "started $item (${#pids[@]} running, ${#queue[@]} queued)"
      continue
    fi
  fi
  if [ ${#pids[@]} -eq 0 ]; then
    [ ${#queue[@]} -eq 0 ] && break
    [ "$longest" -eq 0 ] && { log "every run started so far failed: stopping"; break; }
    [ "$left" -le "$need" ] && { log "${#queue[@]} runs left that the budget cannot finish"; break; }
  fi
  sleep 2
done
kill $sampler 2>/dev/null

log "packing the results"
(cd "$work/runs" && tar -czf "$OUT/runs.tar.gz" --exclude=checkpoints --exclude=preprocessed --exclude=test-predictions \
  --exclude=weights.pt --exclude=weights_best.pt --exclude=plots .)
for seed in $seeds $extra_seeds; do
  files=$(cd "$work/runs" && ls -d *-seed"$seed"/weights.pt 2>/dev/null)
  [ -n "$files" ] && (cd "$work/runs" && tar -cJf "$OUT/weights-seed$seed.tar.xz" $files)
done
for f in "$OUT"/weights-seed*.tar.xz; do
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 16000000 ] && { log "$(basename "$f") is over 16 MB: split"; split -b 15M -d "$f" "$f.part-" && rm "$f"; }
done
log "summary (model seed: status, mean Dice of the test subjects)"
for key in $(cd "$work/runs" && ls); do
  echo "  $key: $(cat "$work/runs/$key/status" 2>/dev/null || echo stopped) $(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['meanDice'], 4))" "$work/runs/$key/test-evaluation.json" 2>/dev/null)"
done
ls -la "$OUT"
log "done"
