#!/usr/bin/env bash
# The accuracy frontier: trains every model of benchmarks/frontier/frontier.e2e (E2ENet's sparsity units and nnU-Net's
# plain U-Net, one recipe) with several seeds on synthetic subjects ('e2enet dataset make-synth'), evaluates the held-out
# test subjects (never seen in training), exports each trained run, times the exports in ONNX Runtime (CPU), and writes
# one table: Dice mean +- sd over seeds (and per class), HD95, parameters and MACs (dense, active, executed after export),
# latency at the patch, each relative to the plain U-Net trained the same way.
#
#   benchmarks/frontier/frontier.sh [--out DIR] [--data DIR] [--seeds "1 2 3"] [--epochs E] [--iterations I]
#                                   [--cases N] [--test-cases N] [--models "FrontierUNet FrontierKernelS8 ..."]
#                                   [--runs N]
#
# Defaults: 20 training and 10 test subjects, seeds 1 2 3, the recipe's 10 epochs x 50 iterations (about 10 minutes a run
# on 2 cores), every model of frontier.e2e. A run already trained in DIR is reused (delete it to retrain), so an
# interrupted benchmark resumes where it stopped. The table goes to DIR/frontier.md (and standard output); the raw
# figures to DIR/frontier.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

out=benchmarks/frontier/out data="" seeds="1 2 3" epochs="" iterations="" cases=20 test_cases=10 runs=5
models="FrontierUNet FrontierKernelS7 FrontierKernelS8 FrontierGroupS8 FrontierGroup4S8 FrontierGroup8S8 FrontierChannelS5 FrontierChannelS8 FrontierDense"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --iterations) iterations=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --test-cases) test_cases=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
file=benchmarks/frontier/frontier.e2e
data=${data:-$out/synth}
mkdir -p "$out"
log() { echo "frontier: $*" >&2; }

log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
if [ -z "${E2ENET:-}" ]; then
  log "building e2enet (Release)"
  dotnet build src/E2ENet.Cli -c Release -v quiet -nologo 2>&1 | grep -E " error |rror\(s\)" | grep -v " 0 Error" || true
  E2ENET=src/E2ENet.Cli/bin/Release/net10.0/e2enet
fi
e2enet=$E2ENET

if [ ! -f "$data/dataset.json" ]; then
  log "making $cases training and $test_cases test subjects in $data"
  "$e2enet" dataset make-synth "$data" --cases "$cases" --test-cases "$test_cases" --seed 2026 >&2
fi
"$e2enet" dataset check "$data" >/dev/null

train_options=()
[ -n "$epochs" ] && train_options+=(--epochs "$epochs")
[ -n "$iterations" ] && train_options+=(--iterations "$iterations")

# Seed-major: every model gets seed 1 before any gets seed 2, so a benchmark stopped early still compares every row.
for seed in $seeds; do
  for model in $models; do
    run=$out/runs/$model-seed$seed
    if [ ! -f "$run/test-evaluation.json" ]; then
      rm -rf "$run"; mkdir -p "$out/runs"
      log "$model seed $seed: training"
      start=$(date +%s)
      "$e2enet" train "$data" --model "$file:$model" --out "$run" --seed "$seed" --fold 0 --no-final-validation --preprocessed "$out/preprocessed" "${train_options[@]}" 2>"$run.train.log" >&2 \
        || { tail -5 "$run.train.log" >&2; exit 1; }
      echo $(( $(date +%s) - start )) > "$run/train-seconds"
      mv "$run.train.log" "$run/train-stderr.log"
      log "$model seed $seed: predicting and evaluating the held-out test subjects"
      "$e2enet" predict --run "$run" --input "$data/imagesTs" --output "$run/test-predictions" >/dev/null 2>"$run/predict-stderr.log"
      "$e2enet" evaluate --pred "$run/test-predictions" --ref "$data/labelsTs" --json > "$run/test-evaluation.json.tmp"
      mv "$run/test-evaluation.json.tmp" "$run/test-evaluation.json"
    fi
    # The table reads the cost of each model's first seed only: later seeds are not exported (runs trained elsewhere,
    # e.g. by benchmarks/gpu/frontier-gpu.sh, may come without their weights).
    if [ "$seed" = "${seeds%% *}" ] && [ ! -f "$run/bundle/report.json" ]; then
      log "$model seed $seed: exporting"
      "$e2enet" export --run "$run" --out "$run/bundle" --force >/dev/null 2>"$run/export-stderr.log"
    fi
  done
done

for model in $models; do
  first=$out/runs/$model-seed${seeds%% *}
  if [ ! -f "$first/bench.txt" ]; then
    log "$model: timing the exports (ONNX Runtime CPU, $runs runs)"
    patch=$(python3 -c "import json,sys; print(','.join(str(v) for v in json.load(open(sys.argv[1]))['patch']))" "$first/bundle/report.json")
    "$e2enet" bench export --model "$file:$model" --patch "$patch" --weights "$first/weights.pt" --runs "$runs" --no-baseline \
      > "$first/bench.txt.tmp" 2>/dev/null
    mv "$first/bench.txt.tmp" "$first/bench.txt"
  fi
done

python3 benchmarks/frontier/frontier_table.py --out "$out" --models "$models" --seeds "$seeds" --data "$data" \
  --machine "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
