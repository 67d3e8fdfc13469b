#!/usr/bin/env bash
# Sparsity units on the demo, several seeds: the quickstart's model and recipe (models/demo/colin27.e2e, Colin27Demo:
# widths 16..64, patch 32^3, 10 epochs x 50 iterations, AdamW 1e-3) with only the fusion unit changed, trained per seed,
# then the held-out demo test cases predicted and evaluated. Prints one line per run and a mean +- sd per unit.
#
#   benchmarks/frontier/demo-units.sh [--out DIR] [--sparsity S] [--seeds "1 2 3"] [--units "group kernel"] [--groups N]
#                                     [--set KEY=VALUE ...] [--tag NAME]
#
# Defaults: DIR benchmarks/frontier/out-demo, S = 0.8 (AmosCtFast's), seeds 1 2 3, units group (2 groups; AmosCtFast's 4
# with --groups 4) and kernel.
# --set changes the recipe of every run (e.g. --set evolve.regrow=gradient); --tag names such a variant, so its runs
# (DIR/runs/UNIT[-gN][-TAG]-S<S>-seed<seed>) do not reuse the default recipe's.
# About 10 minutes a run on 2 cores. A run already evaluated in DIR is reused, so an interrupted comparison resumes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

out=benchmarks/frontier/out-demo sparsity=0.8 seeds="1 2 3" units="group kernel" groups=2 tag=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --sparsity) sparsity=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --units) units=$2; shift 2 ;;
    --groups) groups=$2; shift 2 ;;
    --set) extra+=(--set "$2"); shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    *) echo "demo-units: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "${E2ENET:-}" ]; then
  dotnet build src/E2ENet.Cli -c Release -v quiet -nologo 2>&1 | grep -E " error |rror\(s\)" | grep -v " 0 Error" || true
  E2ENET=src/E2ENet.Cli/bin/Release/net10.0/e2enet
fi
data=$out/demo
mkdir -p "$out/runs"
[ -f "$data/dataset.json" ] || "$E2ENET" dataset make-demo "$data" > "$out/make-demo.log" 2>&1 \
  || { echo "demo-units: making the demo dataset failed; see $out/make-demo.log" >&2; exit 1; }

# The run's folder name: the unit, its group count when not the default 2, the variant's tag.
name_of() {
  local n=$1
  [ "$1" = group ] && [ "$groups" != 2 ] && n+="-g$groups"
  [ -n "$tag" ] && n+="-$tag"
  echo "$n"
}

for seed in $seeds; do
  for unit in $units; do
    run=$out/runs/$(name_of "$unit")-S$sparsity-seed$seed
    if [ ! -f "$run/test-evaluation.json" ]; then
      rm -rf "$run"; mkdir -p "$run"
      sets=(--set "fusion.sparsity=$sparsity" --set "fusion.unit=$unit" "${extra[@]}")
      [ "$unit" = group ] && sets+=(--set "fusion.groups=$groups")
      echo "demo-units: $(name_of "$unit") S = $sparsity seed $seed: training" >&2
      start=$(date +%s)
      "$E2ENET" train "$data" --model models/demo/colin27.e2e --out "$run" --seed "$seed" --no-final-validation "${sets[@]}" \
        > "$run/train-stdout.log" 2> "$run/train-stderr.log" || { tail -5 "$run/train-stderr.log" >&2; exit 1; }
      echo $(( $(date +%s) - start )) > "$run/train-seconds"
      "$E2ENET" predict --run "$run" --input "$data/imagesTs" --output "$run/test-predictions" > /dev/null 2> "$run/predict-stderr.log" \
        || { echo "demo-units: predicting failed; see $run/predict-stderr.log" >&2; exit 1; }
      "$E2ENET" evaluate --pred "$run/test-predictions" --ref "$data/labelsTs" --json > "$run/test-evaluation.json.tmp" 2> "$run/evaluate-stderr.log" \
        || { echo "demo-units: evaluating failed; see $run/evaluate-stderr.log" >&2; exit 1; }
      mv "$run/test-evaluation.json.tmp" "$run/test-evaluation.json"
    fi
  done
done

names=""
for unit in $units; do names+=" $(name_of "$unit")"; done
python3 - "$out" "$sparsity" "$seeds" "$names" <<'EOF'
import json, os, statistics, sys
out, sparsity, seeds, units = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
for unit in units:
    dice, per_class = [], []
    for seed in seeds:
        e = json.load(open(os.path.join(out, "runs", f"{unit}-S{sparsity}-seed{seed}", "test-evaluation.json")))
        dice.append(e["meanDice"])
        per_class.append([c["dice"] for c in e["perClass"]])
        print(f"{unit} S={sparsity} seed {seed}: mean Dice {e['meanDice']:.3f}, per class " + " / ".join(f"{d:.3f}" for d in per_class[-1]))
    sd = statistics.stdev(dice) if len(dice) > 1 else 0.0
    print(f"{unit} S={sparsity}: mean Dice {statistics.mean(dice):.3f} +- {sd:.3f} over {len(dice)} seeds")
EOF
