#!/usr/bin/env bash
# Packs a .NET program of this repository for a Linux x64 machine with an NVIDIA GPU and PyTorch (CUDA) but no .NET,
# such as a rented GPU machine. TorchSharp's native layer (libLibTorchSharp.so) then runs against that PyTorch's own
# CUDA libtorch, so the CPU build of this repository runs on the GPU without the TorchSharp-cuda-linux package.
#
# Usage, from the repository root:   bash benchmarks/gpu/pack.sh path/to/Project.csproj [more dotnet publish arguments]
# It fills .gpu/ (ignored by git):
#   runtime.tar.xz     the .NET runtime of the SDK on this machine (packed on the first run only)
#   app/               the program, published framework-dependent for linux-x64, without the CPU libtorch libraries
#   run-on-device.sh   the launcher; on the GPU machine, from the same root:   bash .gpu/run-on-device.sh Program.dll [args]
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: bash benchmarks/gpu/pack.sh path/to/Project.csproj [dotnet publish arguments]" >&2
  exit 2
fi
project=$1
shift
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mkdir -p .gpu

if [ ! -s .gpu/runtime.tar.xz ]; then
  sdk_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  echo "pack.sh: packing the .NET runtime of $sdk_root (first run only)"
  tar -C "$sdk_root" -cJf .gpu/runtime.tar.xz.partial dotnet host shared/Microsoft.NETCore.App
  mv .gpu/runtime.tar.xz.partial .gpu/runtime.tar.xz
fi

rm -rf .gpu/app
dotnet publish "$project" -c Release -r linux-x64 --self-contained false -o .gpu/app "$@"
# The GPU machine brings libtorch; keep only TorchSharp's own native layer and ONNX Runtime among the native libraries.
find .gpu/app -maxdepth 1 -type f -name 'lib*.so*' ! -name 'libLibTorchSharp.so' ! -name 'libonnxruntime*' -delete
cp benchmarks/gpu/run-on-device.sh .gpu/run-on-device.sh
echo "pack.sh: .gpu/ holds $(du -sh .gpu | cut -f1)"
