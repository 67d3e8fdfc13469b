#!/usr/bin/env bash
# Sparsity units on the demo, several seeds: the quickstart's model and recipe (models/demo/colin27.e2e, Colin27Demo:
# widths 16..64, patch 32^3, 10 epochs x 50 iterations, AdamW 1e-3) with only the fusion unit changed, trained per seed,
# then the held-out demo test cases predicted and evaluated. Prints one line per run, a mean +- sd per unit, how many seeds
# lost a whole structure, and each unit's difference from the first unit, paired by seed.
#
#   benchmarks/frontier/demo-units.sh [--out DIR] [--sparsity S] [--seeds "1 2 3"] [--units "group kernel"] [--groups N]
#                                     [--set KEY=VALUE ...] [--tag NAME]
#
# Defaults: DIR benchmarks/frontier/out-demo, S = 0.8 (AmosCtFast's), seeds 1 2 3, units group (2 groups; AmosCtFast's 8
# with --groups 8) and kernel. The unit 'unet' is the baseline: nnU-Net's plain U-Net with the same widths and recipe
# (benchmarks/frontier/demo-unet.e2e; dense, so S and --groups do not apply to it and its runs are named unet-seed<seed>).
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
  [ "$1" = unet ] && { [ -n "$tag" ] && n+="-$tag"; echo "$n"; return; }
  [ "$1" = group ] && [ "$groups" != 2 ] && n+="-g$groups"
  [ -n "$tag" ] && n+="-$tag"
  echo "$n"
}

for seed in $seeds; do
  for unit in $units; do
    run=$out/runs/$(name_of "$unit")-S$sparsity-seed$seed
    [ "$unit" = unet ] && run=$out/runs/$(name_of "$unit")-seed$seed
    if [ ! -f "$run/test-evaluation.json" ]; then
      rm -rf "$run"; mkdir -p "$run"
      model=models/demo/colin27.e2e
      sets=(--set "fusion.sparsity=$sparsity" --set "fusion.unit=$unit" "${extra[@]}")
      [ "$unit" = group ] && sets+=(--set "fusion.groups=$groups")
      [ "$unit" = unet ] && { model=benchmarks/frontier/demo-unet.e2e:Colin27DemoUNet; sets=("${extra[@]}"); }
      echo "demo-units: $(name_of "$unit") $([ "$unit" = unet ] || echo "S = $sparsity ")seed $seed: training" >&2
      start=$(date +%s)
      "$E2ENET" train "$data" --model "$model" --out "$run" --seed "$seed" --no-final-validation "${sets[@]}" \
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
import json, math, os, statistics, sys
out, sparsity, seeds, units = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
results = {}
for unit in units:
    dice, lost = [], 0
    dense = unit.split("-")[0] == "unet"
    label = unit if dense else f"{unit} S={sparsity}"
    for seed in seeds:
        run = f"{unit}-seed{seed}" if dense else f"{unit}-S{sparsity}-seed{seed}"
        e = json.load(open(os.path.join(out, "runs", run, "test-evaluation.json")))
        dice.append(e["meanDice"])
        per_class = [c["dice"] for c in e["perClass"]]
        lost += min(per_class) < 0.1
        print(f"{label} seed {seed}: mean Dice {e['meanDice']:.3f}, per class " + " / ".join(f"{d:.3f}" for d in per_class))
    sd = statistics.stdev(dice) if len(dice) > 1 else 0.0
    print(f"{label}: mean Dice {statistics.mean(dice):.3f} +- {sd:.3f} over {len(dice)} seeds; "
          f"a structure lost (its Dice < 0.1) in {lost} of {len(dice)}")
    results[unit] = (label, dice)
# Paired by seed (same split, same sampler seed): each unit against the first one given, so that the spread the seeds
# share does not hide a difference. Standard error of the mean difference = sd / sqrt(n).
if len(units) > 1 and len(seeds) > 1:
    ref_label, ref = results[units[0]]
    for unit in units[1:]:
        label, dice = results[unit]
        diff = [d - r for d, r in zip(dice, ref)]
        sd = statistics.stdev(diff)
        print(f"{label} - {ref_label}, paired by seed: {statistics.mean(diff):+.3f} +- {sd:.3f} (standard error "
              f"{sd / math.sqrt(len(diff)):.3f}); higher in {sum(d > 0 for d in diff)} of {len(diff)} seeds")
EOF
