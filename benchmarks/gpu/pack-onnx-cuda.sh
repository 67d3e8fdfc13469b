#!/usr/bin/env bash
# Packs e2enet with ONNX Runtime's CUDA execution provider for the lent GPU machine (issue 14), in parts small enough to
# travel one per device call, and prints the calls to make. On the GPU machine, benchmarks/gpu/onnx-cuda-parts.sh stashes
# the parts call after call and reassembles them; benchmarks/gpu_onnx_cuda.sh then measures.
#
# Why parts: a device call carries at most 64 MiB, and that counts the whole working tree that travels with it (the tracked
# files, about 18 MiB here, and untracked files that git does not ignore), not only the carried paths. ONNX Runtime's CUDA
# provider (libonnxruntime_providers_cuda.so, 284 MB) and libonnxruntime.so (33 MB) are 187 MiB under xz; with the .NET
# runtime, the rest of the app and the demo data, everything the GPU machine needs is 219 MiB compressed: five calls.
#
# Usage, from the repository root of the checkout whose tree the device calls send:
#   bash benchmarks/gpu/pack-onnx-cuda.sh [more dotnet publish arguments]
# It runs benchmarks/gpu/pack.sh with -p:E2ENetOnnxDevice=cuda (Microsoft.ML.OnnxRuntime.Gpu) and fills .gpu/ (ignored by git):
#   app/               e2enet, framework-dependent for linux-x64, with ONNX Runtime's CUDA provider; without the TensorRT
#                      provider, the Windows copies of ONNX Runtime, .pdb and .xml files (none is used there)
#   runtime.tar.xz, run-on-device.sh   as pack.sh makes them
#   demo/              the Colin27 demo dataset (e2enet dataset make-demo; needs Debian's mricron-data), unless already there
#   onnx-cuda/         what travels: part.00, part.01, ... (one per call), SHA256SUMS, manifest, calls.txt (the sequence)
# The parts are one xz stream, split: a tar of app/ (whole), runtime.tar.xz, run-on-device.sh and demo/. Everything goes
# into the stream, the app too, because its files compress (9 MB to 2 MB) and ONNX Runtime's libonnxruntime.so (33 MB)
# would not fit beside the runtime in one call anyway; .gpu/app stays here whole, as pack.sh leaves it.
# SHA256SUMS holds the sha256 of the stream, of each part and of every file inside the stream (the .so files included).
#
# Settings (environment): E2ENET_CALL_MIB (64), the most one call may send; E2ENET_CALL_MARGIN_MIB (1), kept free in every
# call for files added to the tree after packing; E2ENET_XZ_LEVEL (6; 9e saves 0.5% and takes twice as long);
# E2ENET_SEND_TREE (this checkout): the checkout whose tree the device calls send, when packing elsewhere (in a git
# worktree, say, so that the CUDA restore stays out of a checkout where someone builds): its tree is measured, and
# .gpu/onnx-cuda is copied into it, since the calls carry paths of that checkout; it must hold these scripts too.
# Fails (exit 1) when a call would exceed the limit, with what to do.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
me=pack-onnx-cuda.sh
die() { echo "$me: $*" >&2; exit 1; }
MiB=1048576
limit=$(( ${E2ENET_CALL_MIB:-64} * MiB ))
margin=$(( ${E2ENET_CALL_MARGIN_MIB:-1} * MiB ))
level=${E2ENET_XZ_LEVEL:-6}
out=.gpu/onnx-cuda
stream=e2enet-gpu.tar.xz
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
size() { stat -c %s "$1"; }

# 1. e2enet with the GPU package of ONNX Runtime, as pack.sh publishes it.
bash benchmarks/gpu/pack.sh src/E2ENet.Cli/E2ENet.Cli.csproj -p:E2ENetOnnxDevice=cuda "$@"
app=.gpu/app
[ -f "$app/libonnxruntime_providers_cuda.so" ] || die "$app has no libonnxruntime_providers_cuda.so: the publish did not take Microsoft.ML.OnnxRuntime.Gpu (is -p:E2ENetOnnxDevice=cuda overridden?)"
[ -f "$app/libonnxruntime.so" ] || die "$app has no libonnxruntime.so"

# 2. What the GPU machine does not use: TensorRT's provider, the Windows natives of the GPU package, symbols, XML docs.
rm -f "$app/libonnxruntime_providers_tensorrt.so" "$app/onnxruntime.dll" "$app"/onnxruntime_providers_*.dll "$app"/*.pdb "$app"/*.xml
echo "$me: $app holds $(mib "$(du -sb "$app" | cut -f1)") MiB ($(mib "$(size "$app/libonnxruntime_providers_cuda.so")") MiB of them the CUDA provider)"

# 3. The demo data the measurements run on (a one-iteration training gives the weights to export; predict reads imagesTs).
if [ ! -f .gpu/demo/dataset.json ]; then
  bin=src/E2ENet.Cli/bin/Release/net10.0/linux-x64
  echo "$me: making the demo dataset in .gpu/demo with $bin/e2enet.dll"
  rm -rf .gpu/demo
  dotnet "$bin/e2enet.dll" dataset make-demo .gpu/demo \
    || die "cannot make .gpu/demo (it needs Debian's mricron-data: apt-get install mricron-data); or copy a dataset made by 'e2enet dataset make-demo' there"
fi
demo=()
for d in dataset.json imagesTr labelsTr imagesTs labelsTs; do
  if [ -e ".gpu/demo/$d" ]; then demo+=("demo/$d"); fi   # the dataset only: no preprocessed/ or runs of earlier local use
done

# 4. The working tree that travels with every call: tracked files and untracked ones git does not ignore (and shared/).
send=$(cd "${E2ENET_SEND_TREE:-.}" && pwd -P) || die "E2ENET_SEND_TREE '${E2ENET_SEND_TREE:-}' is not a folder"
tree=$( (cd "$send" || exit 1; { git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- 2>/dev/null; } || true) | tail -1 | cut -f1)
{ [ -n "$tree" ] && [ "$tree" -gt 0 ]; } || die "cannot measure the working tree of $send (is it a git checkout?)"
if [ -d "$send/shared" ] && git -C "$send" check-ignore -q shared; then tree=$(( tree + $(du -sb "$send/shared" | cut -f1) )); fi

# 5. One xz stream of everything, its checksums, then parts that fit one call each.
rm -rf "$out" .gpu/onnx-cuda.work
mkdir -p "$out" .gpu/onnx-cuda.work
members=(app runtime.tar.xz run-on-device.sh "${demo[@]}")
echo "$me: compressing ${members[*]} (xz -$level; a few minutes)"
tar -C .gpu --sort=name --owner=0 --group=0 --numeric-owner -cf - "${members[@]}" | xz -T0 "-$level" > ".gpu/onnx-cuda.work/$stream"
total=$(size ".gpu/onnx-cuda.work/$stream")
sums=.gpu/onnx-cuda.work/SHA256SUMS
( cd .gpu && find "${members[@]}" -type f -print0 | sort -z | xargs -0 sha256sum ) > "$sums.files"
# What each call sends besides its part: the tree, SHA256SUMS and the manifest (a few KiB; 64 KiB allowed for them).
room=$(( limit - margin - tree - 65536 ))
[ "$room" -ge $(( 4 * MiB )) ] || die "the working tree alone ($(mib "$tree") MiB) leaves no room in a $(mib "$limit") MiB call: ignore or remove large untracked files"
count=$(( (total + room - 1) / room ))
[ "$count" -le 100 ] || die "$count parts: too many for part.00..part.99"
split -d -a 2 -n "$count" ".gpu/onnx-cuda.work/$stream" "$out/part."
{
  (cd .gpu/onnx-cuda.work && sha256sum "$stream")
  (cd "$out" && sha256sum part.*)
  cat "$sums.files"
} > "$out/SHA256SUMS"
rm -f "$sums.files"

# 6. The manifest: what the parts make and which call carries each (read by onnx-cuda-parts.sh).
ort=$(sed -n 's:.*<E2ENetOnnxRuntimeVersion>\(.*\)</E2ENetOnnxRuntimeVersion>.*:\1:p' Directory.Packages.props)
{
  echo "# Written by benchmarks/gpu/pack-onnx-cuda.sh; read by benchmarks/gpu/onnx-cuda-parts.sh. Lines: key value..."
  echo "format 1"
  echo "packed $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (src modified)')"
  echo "onnxruntime Microsoft.ML.OnnxRuntime.Gpu $ort"
  echo "stream $stream $total"
  echo "parts $count"
  i=0
  for p in "$out"/part.*; do
    i=$((i + 1))
    echo "part $(basename "$p") $(size "$p") call $i"
  done
  echo "tree $tree"
  echo "limit $limit"
} > "$out/manifest"

# 7. Check every call against the limit, and write the sequence.
calls=$out/calls.txt
final="bash benchmarks/gpu/onnx-cuda-parts.sh stash && bash benchmarks/gpu/onnx-cuda-parts.sh assemble && BUDGET_S=540 bash benchmarks/gpu_onnx_cuda.sh"
{
  echo "Device calls ('run' of the device tool), back to back: the machine stays warm only ~30 s after a call, and the"
  echo "stash (/tmp/e2enet-onnx-cuda there) lasts only while it does. If a call finds a fresh machine (status: warm false"
  echo "before it, or 'stash' reports parts missing that an earlier call carried), start again at call 1."
  echo "Each call sends the working tree ($(mib "$tree") MiB) plus what it carries; the limit is $(mib "$limit") MiB."
  i=0
  for p in "$out"/part.*; do
    i=$((i + 1))
    sent=$(( tree + $(size "$p") + $(size "$out/SHA256SUMS") + $(size "$out/manifest") ))
    [ "$sent" -le $(( limit - margin )) ] || die "call $i would send $(mib "$sent") MiB (limit $(mib "$limit") less a margin of $(mib "$margin")): lower E2ENET_CALL_MARGIN_MIB, or shrink the tree"
    command="bash benchmarks/gpu/onnx-cuda-parts.sh stash"
    timeout=120
    if [ "$i" -eq "$count" ]; then command=$final; timeout=600; fi
    echo
    echo "call $i/$count: sends $(mib "$sent") MiB ($(basename "$p"): $(mib "$(size "$p")") MiB)"
    echo "  carry: [\"$p\", \"$out/SHA256SUMS\", \"$out/manifest\"]"
    echo "  timeout_s: $timeout"
    echo "  command: $command"
  done
  echo
  echo "The last call's BUDGET_S (seconds for the measurements) must fit the session's device time left (device status:"
  echo "budget_left_s) after the calls before it; gpu_onnx_cuda.sh skips what no longer fits. Its logs come back from \$OUT."
  echo "If the machine is still warm afterwards, a rerun needs no carry: bash benchmarks/gpu_onnx_cuda.sh"
} > "$calls"
rm -rf .gpu/onnx-cuda.work
if [ "$send" != "$(pwd -P)" ]; then
  git -C "$send" check-ignore -q .gpu/onnx-cuda || die "$send does not ignore .gpu/ (its .gitignore): the parts would travel with every call"
  rm -rf "$send/.gpu/onnx-cuda"
  mkdir -p "$send/.gpu"
  cp -a "$out" "$send/.gpu/onnx-cuda"
  echo "$me: copied $out to $send/.gpu/onnx-cuda: the calls carry it from there"
fi
for script in benchmarks/gpu/onnx-cuda-parts.sh benchmarks/gpu_onnx_cuda.sh; do
  [ -f "$send/$script" ] || echo "$me: warning: $send has no $script, which the calls run: merge it there before the calls" >&2
done
echo "$me: stream $(mib "$total") MiB in $count part(s) of at most $(mib "$room") MiB (room per call beside the $(mib "$tree") MiB tree)"
echo
cat "$calls"
