#!/usr/bin/env bash
# E2ENet forward and forward+backward: e2enet (TorchSharp, libtorch 2.10) against the same network in PyTorch
# (benchmarks/e2enet_pytorch.py, Debian's python3-torch 1.13), on this machine, in the same run.
#
#   benchmarks/forward_vs_pytorch.sh [--model models/amos-ct.e2e:AmosCt] [--patch 32,64,64] [--batch 1]
#                                    [--threads 2] [--rounds 3] [--repeat 3]
#
# First proves the PyTorch network is the authors' (it reproduces tests/data/golden), then alternates rounds of
# 'e2enet bench forward' and the PyTorch script (so that load from other work on the machine hits both alike), and
# prints per round and overall (median of the rounds) the ratios PyTorch time / e2enet time: above 1, e2enet is faster.
# Both wall time and the process's CPU time (all threads) are compared: on a machine shared with other work, CPU time
# is the steadier of the two.
# The PyTorch side is configured for AMOS (1 channel, 16 classes, widths 48..320, [2,2,2] x 5, 3 shift groups): pass
# PYTORCH_ARGS="--in-ch 4 --classes 4" and so on for other models.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

model=models/amos-ct.e2e:AmosCt patch=32,64,64 batch=1 threads=2 rounds=3 repeat=3
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --patch) patch=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
python=/usr/bin/python3
"$python" -c "import torch" 2>/dev/null || { echo "Debian's python3-torch is needed: apt-get install python3-torch" >&2; exit 2; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "building e2enet (Release)..."
dotnet build src/E2ENet.Cli -c Release -v quiet -nologo 2>&1 | grep -E "error|Warn.*[1-9]" || true
e2enet=src/E2ENet.Cli/bin/Release/net10.0/e2enet

"$python" benchmarks/e2enet_pytorch.py --golden tests/data/golden

ours=() theirs=()
field() { grep -o "$1=[0-9.]*" | cut -d= -f2; }
for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds: e2enet"
  out=$("$e2enet" bench forward --model "$model" --patch "$patch" --batch "$batch" --threads "$threads" --repeat "$repeat" 2>/dev/null)
  echo "$out" | sed 's/^/  e2enet   /'
  result=$(echo "$out" | grep '^result:')
  echo "round $round/$rounds: PyTorch"
  # shellcheck disable=SC2086
  py=$("$python" benchmarks/e2enet_pytorch.py --bench --patch "$patch" --batch "$batch" --threads "$threads" --repeat "$repeat" ${PYTORCH_ARGS:-} 2>/dev/null)
  echo "$py" | sed 's/^/  pytorch  /'
  pyresult=$(echo "$py" | grep '^result:')
  values() { echo "$(field forward_ms <<<"$1") $(field forward_backward_ms <<<"$1") $(field forward_cpu_ms <<<"$1") $(field forward_backward_cpu_ms <<<"$1")"; }
  ours+=("$(values "$result")")
  theirs+=("$(values "$pyresult")")
  echo "round $round: PyTorch/e2enet wall: forward $(echo "${theirs[-1]} ${ours[-1]}" | awk '{printf "%.2f", $1/$5}'), forward+backward $(echo "${theirs[-1]} ${ours[-1]}" | awk '{printf "%.2f", $2/$6}');" \
       "cpu: forward $(echo "${theirs[-1]} ${ours[-1]}" | awk '{printf "%.2f", $3/$7}'), forward+backward $(echo "${theirs[-1]} ${ours[-1]}" | awk '{printf "%.2f", $4/$8}')"
done

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
column() { printf '%s\n' "$@" | awk -v c="$column" '{print $c}' | median; }
column=1; fo=$(column "${ours[@]}"); ft=$(column "${theirs[@]}")
column=2; bo=$(column "${ours[@]}"); bt=$(column "${theirs[@]}")
column=3; fco=$(column "${ours[@]}"); fct=$(column "${theirs[@]}")
column=4; bco=$(column "${ours[@]}"); bct=$(column "${theirs[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
echo "summary ($model, patch $patch, batch $batch, $threads threads, $rounds rounds x $repeat runs, medians of round medians; load now $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "  forward           wall: e2enet $fo ms, PyTorch $ft ms, PyTorch/e2enet $(ratio "$ft" "$fo");  cpu: e2enet $fco ms, PyTorch $fct ms, PyTorch/e2enet $(ratio "$fct" "$fco")"
echo "  forward+backward  wall: e2enet $bo ms, PyTorch $bt ms, PyTorch/e2enet $(ratio "$bt" "$bo");  cpu: e2enet $bco ms, PyTorch $bct ms, PyTorch/e2enet $(ratio "$bct" "$bco")"
