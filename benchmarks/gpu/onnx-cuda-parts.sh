#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root: collects the parts made by benchmarks/gpu/pack-onnx-cuda.sh, one device
# call after another, and reassembles what they carry (e2enet with ONNX Runtime's CUDA provider, the .NET runtime, the demo
# data) into a folder that outlives the calls while the machine stays warm.
#
#   bash benchmarks/gpu/onnx-cuda-parts.sh stash      copy this call's .gpu/onnx-cuda/part.* (each checked against
#                                                      SHA256SUMS), SHA256SUMS and manifest into the stash; also .gpu/app,
#                                                      .gpu/runtime.tar.xz, .gpu/run-on-device.sh and .gpu/demo when the call
#                                                      carried them; then prints the status
#   bash benchmarks/gpu/onnx-cuda-parts.sh status     which parts are stashed and which are missing, and whether the stash
#                                                      is assembled (exit 0 when it is, or every part is there; 1 otherwise)
#   bash benchmarks/gpu/onnx-cuda-parts.sh assemble   joins the parts, checks the stream's sha256, unpacks it beside (.partial),
#                                                      checks every file's sha256 and renames each into place under
#                                                      STASH/gpu (app/, runtime.tar.xz, run-on-device.sh, demo/); does
#                                                      nothing when that is already done
#   bash benchmarks/gpu/onnx-cuda-parts.sh clean      removes the stash
#
# The stash is $E2ENET_ONNX_CUDA_DIR, default /tmp/e2enet-onnx-cuda: parts/ holds the parts, gpu/ is laid out as .gpu/ here,
# so that after assemble:  bash /tmp/e2enet-onnx-cuda/gpu/run-on-device.sh e2enet.dll ...  runs e2enet, CUDA provider included
# (benchmarks/gpu_onnx_cuda.sh does). Errors are one line, naming what is missing and what to do; exit 1 (2: usage).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
me=onnx-cuda-parts
stash=${E2ENET_ONNX_CUDA_DIR:-/tmp/e2enet-onnx-cuda}
here=.gpu/onnx-cuda
parts=$stash/parts
gpu=$stash/gpu
die() { echo "$me: $*" >&2; exit 1; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# The manifest and SHA256SUMS in use: the stash's, else this call's.
manifest() { if [ -f "$parts/manifest" ]; then echo "$parts/manifest"; elif [ -f "$here/manifest" ]; then echo "$here/manifest"; fi; }
sums() { if [ -f "$parts/SHA256SUMS" ]; then echo "$parts/SHA256SUMS"; elif [ -f "$here/SHA256SUMS" ]; then echo "$here/SHA256SUMS"; fi; }
need_manifest() {
  { [ -n "$(manifest)" ] && [ -n "$(sums)" ]; } || die "no manifest or SHA256SUMS in this call (.gpu/onnx-cuda/) nor stashed in $parts: carry .gpu/onnx-cuda/manifest and .gpu/onnx-cuda/SHA256SUMS with the part (every call that pack-onnx-cuda.sh prints does)"
}
# The expected sha256 of NAME (a part, the stream, or a path inside the stream).
sum_of() { awk -v n="$1" '{ f = $2; sub(/^\*/, "", f) } f == n { print $1; exit }' "$(sums)"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# Manifest fields: the stream's name and size; the parts' names, sizes and calls.
read_manifest() {
  local key a b d
  stream_name='' stream_bytes=0 part_names=() part_bytes=() part_calls=()
  while read -r key a b _ d; do
    case $key in
      format) [ "$a" = 1 ] || die "manifest format $a is not one this script reads: use the onnx-cuda-parts.sh of the commit that packed it" ;;
      stream) stream_name=$a stream_bytes=$b ;;
      part) part_names+=("$a") part_bytes+=("$b") part_calls+=("${d:-?}") ;;
    esac
  done < "$(manifest)"
  { [ -n "$stream_name" ] && [ "${#part_names[@]}" -gt 0 ]; } || die "$(manifest) names no stream or parts: pack again with benchmarks/gpu/pack-onnx-cuda.sh"
}
# The files inside the stream, from SHA256SUMS (every line but the stream's and the parts').
stream_files() { awk -v s="$stream_name" '{ f = $2; sub(/^\*/, "", f) } f != s && f !~ /^part\.[0-9]+$/ { print f }' "$(sums)"; }
# True when every file of the stream is in place under $gpu with its sha256.
assembled() {
  local f n=0
  while read -r f; do
    { [ -f "$gpu/$f" ] && [ "$(sha "$gpu/$f")" = "$(sum_of "$f")" ]; } || return 1
    n=$((n + 1))
  done < <(stream_files)
  [ "$n" -gt 0 ]
}
# Copies FILE to TARGET through TARGET.partial, so that an interrupted copy is never taken for a whole one.
put() { mkdir -p "$(dirname "$2")"; cp "$1" "$2.partial"; mv -f "$2.partial" "$2"; }

status() {
  need_manifest
  read_manifest
  local i have=() missing=() where=()
  for i in "${!part_names[@]}"; do
    if [ -f "$parts/${part_names[$i]}" ] && [ "$(stat -c %s "$parts/${part_names[$i]}")" = "${part_bytes[$i]}" ]; then
      have+=("${part_names[$i]}")
    else
      missing+=("${part_names[$i]}")
      where+=("${part_names[$i]} (call ${part_calls[$i]})")
    fi
  done
  echo "$me: stash $stash: ${#have[@]} of ${#part_names[@]} parts (${have[*]:-none})"
  if assembled; then
    echo "$me: assembled: $gpu holds every file of the stream with its sha256; next: bash benchmarks/gpu_onnx_cuda.sh"
    return 0
  fi
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "$me: every part is here; next: bash benchmarks/gpu/onnx-cuda-parts.sh assemble"
    return 0
  fi
  echo "$me: missing: ${where[*]}; make those calls (carrying .gpu/onnx-cuda/PART, SHA256SUMS and manifest; .gpu/onnx-cuda/calls.txt where it was packed), then assemble"
  return 1
}

stash() {
  local f name want got n=0 item
  if [ -f "$here/SHA256SUMS" ] && [ -f "$here/manifest" ]; then
    if [ -f "$parts/SHA256SUMS" ] && ! cmp -s "$here/SHA256SUMS" "$parts/SHA256SUMS"; then
      echo "$me: this call's SHA256SUMS is not the stashed one (packed again): dropping the stashed parts and assembly"
      rm -rf "$parts" "$stash/assemble.partial"
    fi
    put "$here/SHA256SUMS" "$parts/SHA256SUMS"
    put "$here/manifest" "$parts/manifest"
  fi
  need_manifest
  for f in "$here"/part.*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    case $name in *.partial) continue ;; esac
    want=$(sum_of "$name")
    [ -n "$want" ] || die "$name is not in SHA256SUMS: it is from another pack; carry the SHA256SUMS and manifest packed with it"
    if [ -f "$parts/$name" ] && cmp -s "$f" "$parts/$name"; then continue; fi
    got=$(sha "$f")
    [ "$got" = "$want" ] || die "$name arrived damaged (sha256 $got, expected $want): make the call that carries it again"
    put "$f" "$parts/$name"
    n=$((n + 1))
  done
  echo "$me: stashed $n new part(s) from $here"
  # What a call may carry loose: stashed as well, so that later calls need not carry it again.
  for item in runtime.tar.xz run-on-device.sh; do
    if [ -f ".gpu/$item" ] && ! cmp -s ".gpu/$item" "$gpu/$item"; then put ".gpu/$item" "$gpu/$item"; echo "$me: stashed .gpu/$item"; fi
  done
  for item in app demo; do
    if [ -d ".gpu/$item" ]; then mkdir -p "$gpu/$item"; cp -a ".gpu/$item/." "$gpu/$item/"; echo "$me: stashed .gpu/$item"; fi
  done
  status || true
}

assemble() {
  need_manifest
  read_manifest
  if assembled; then
    echo "$me: already assembled in $gpu (every file's sha256 checked); nothing to do"
    return 0
  fi
  local i missing=() f want got joined=$stash/$stream_name work=$stash/assemble.partial n=0
  for i in "${!part_names[@]}"; do
    if [ ! -f "$parts/${part_names[$i]}" ] || [ "$(stat -c %s "$parts/${part_names[$i]}")" != "${part_bytes[$i]}" ]; then
      missing+=("${part_names[$i]} (call ${part_calls[$i]})")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] || die "cannot assemble: ${missing[*]} missing from $parts; make the call(s) carrying them (bash benchmarks/gpu/onnx-cuda-parts.sh stash), then assemble again; a fresh machine (the stash gone) means starting again at call 1"
  command -v xz > /dev/null || die "xz is not installed here: apt-get install xz-utils"
  echo "$me: joining ${#part_names[@]} parts into $joined ($(mib "$stream_bytes") MiB)"
  for i in "${!part_names[@]}"; do cat "$parts/${part_names[$i]}"; done > "$joined.partial"
  want=$(sum_of "$stream_name")
  got=$(sha "$joined.partial")
  [ "$got" = "$want" ] || { rm -f "$joined.partial"; die "the joined parts are not the packed stream (sha256 $got, expected $want): a part is damaged; run clean and make every call again"; }
  mv -f "$joined.partial" "$joined"
  echo "$me: unpacking into $work"
  rm -rf "$work"
  mkdir -p "$work"
  xz -dc "$joined" | tar -C "$work" --no-same-owner -xf - || die "unpacking $joined failed (disk full? df -h $stash)"
  while read -r f; do
    [ -f "$work/$f" ] || die "the stream lacks $f, which SHA256SUMS lists: pack again"
    got=$(sha "$work/$f")
    want=$(sum_of "$f")
    [ "$got" = "$want" ] || die "$f unpacked with sha256 $got, expected $want: pack again"
  done < <(stream_files)
  # Every file checked: rename each into place (same file system, so each appears whole or not at all).
  while read -r f; do
    mkdir -p "$(dirname "$gpu/$f")"
    mv -f "$work/$f" "$gpu/$f"
    n=$((n + 1))
  done < <(stream_files)
  rm -rf "$work" "$joined"
  chmod +x "$gpu/app/e2enet" 2> /dev/null || true
  f=app/libonnxruntime_providers_cuda.so
  if [ -f "$gpu/$f" ]; then
    echo "$me: $gpu/$f: $(stat -c %s "$gpu/$f") bytes, sha256 $(sum_of "$f") checked, beside libonnxruntime.so"
  fi
  echo "$me: assembled $n files into $gpu; next: bash benchmarks/gpu_onnx_cuda.sh"
}

case ${1:-} in
  stash) stash ;;
  status) status ;;
  assemble) assemble ;;
  clean) rm -rf "$stash"; echo "$me: removed $stash" ;;
  *) echo "usage: bash benchmarks/gpu/onnx-cuda-parts.sh stash|status|assemble|clean   (stash folder: \$E2ENET_ONNX_CUDA_DIR, default /tmp/e2enet-onnx-cuda)" >&2; exit 2 ;;
esac
