#!/usr/bin/env bash
# Runs a program packed by benchmarks/gpu/pack.sh on the GPU machine, from the repository root:
#   bash .gpu/run-on-device.sh Program.dll [arguments]
# It unpacks the .NET runtime once (to $E2ENET_DOTNET_DIR, default /tmp/e2enet-dotnet) and puts the libtorch of the
# machine's PyTorch ($E2ENET_PYTHON, default python3) first on the library path, so that TorchSharp uses its CUDA build.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: bash .gpu/run-on-device.sh Program.dll [arguments]" >&2
  exit 2
fi
here=$(dirname "${BASH_SOURCE[0]}")
runtime=${E2ENET_DOTNET_DIR:-/tmp/e2enet-dotnet}
if [ ! -x "$runtime/dotnet" ]; then
  # Unpacked beside, then renamed into place: an interrupted unpack is never mistaken for a runtime.
  rm -rf "$runtime.partial"
  mkdir -p "$runtime.partial"
  tar -C "$runtime.partial" -xJf "$here/runtime.tar.xz"
  rm -rf "$runtime"
  mv "$runtime.partial" "$runtime"
fi
python=${E2ENET_PYTHON:-python3}
if ! torch_lib=$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))'); then
  echo "run-on-device.sh: '$python' cannot import torch; TorchSharp needs PyTorch's libtorch here (set E2ENET_PYTHON to a python that has it)" >&2
  exit 2
fi
export DOTNET_ROOT=$runtime
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
program=$1
shift
exec "$runtime/dotnet" "$here/app/$program" "$@"
