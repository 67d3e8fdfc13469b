#!/usr/bin/env bash
# Packs e2enet as a .NET tool, installs it into a temporary tool path from the package folder (as a user would, offline),
# and runs the installed command: --help, --version, 'check' on a model, and a TorchSharp forward (libtorch loads). Checks the package's
# metadata (id, version, tool command, readme, repository, license when configured) and that the symbols package exists.
# Slow (the package carries libtorch: about 500 MB unpacked), so it is a script and not part of the test suite.
# Usage: bash eng/pack-tool.sh [extra dotnet pack arguments, e.g. -p:Version=1.2.3]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
packages=artifacts/packages
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -f "$packages"/e2enet.*.nupkg "$packages"/e2enet.*.snupkg
start=$(date +%s)
dotnet pack src/E2ENet.Cli -c Release "$@"
packed=$(date +%s)
nupkg=$(ls "$packages"/e2enet.*.nupkg | grep -v '\.symbols\.' | head -1)
version=$(basename "$nupkg" .nupkg); version=${version#e2enet.}
[ -f "$packages/e2enet.$version.snupkg" ] || { echo "FAIL: no symbols package $packages/e2enet.$version.snupkg"; exit 1; }
echo "package: $nupkg ($(du -h "$nupkg" | cut -f1)), symbols: e2enet.$version.snupkg, packed in $((packed - start)) s"

# The metadata a user sees.
unzip -p "$nupkg" e2enet.nuspec > "$work/e2enet.nuspec"
for needle in "<id>e2enet</id>" "<version>$version</version>" "<readme>README.md</readme>" "<packageType name=\"DotnetTool\""; do
  grep -q "$needle" "$work/e2enet.nuspec" || { echo "FAIL: the nuspec lacks $needle"; cat "$work/e2enet.nuspec"; exit 1; }
done
grep -q '<repository type="git"' "$work/e2enet.nuspec" || echo "note: no repository in the nuspec (no git origin; pass -p:RepositoryUrl=...)"
grep -q '<license' "$work/e2enet.nuspec" || echo "note: no license in the nuspec (no LICENSE file; pass -p:PackageLicenseExpression=SPDX-ID)"
unzip -l "$nupkg" > "$work/files.txt"
grep -q ' README.md$' "$work/files.txt" || { echo "FAIL: README.md is not in the package"; exit 1; }
grep -q 'tools/net10.0/linux-x64/libtorch_cpu.so' "$work/files.txt" || { echo "FAIL: libtorch is not in the package"; exit 1; }

# Install from the folder only (no other source needed: the tool package is self-contained apart from the .NET runtime).
dotnet tool install e2enet --tool-path "$work/tools" --add-source "$packages" --version "$version"
installed=$(date +%s)
echo "installed in $((installed - packed)) s"
"$work/tools/e2enet" --help > "$work/help.txt"; head -5 "$work/help.txt"
"$work/tools/e2enet" --version
"$work/tools/e2enet" --help > "$work/help.txt"
grep -q 'dataset' "$work/help.txt" || { echo "FAIL: e2enet --help does not list its commands"; exit 1; }
cp models/reference/tiny_s3_dense.e2e "$work/"
(cd "$work" && "$work/tools/e2enet" check tiny_s3_dense.e2e | tail -1)
# libtorch loads from the installed package (on Debian 12 only because the packed libLibTorchSharp.so was patched).
(cd "$work" && "$work/tools/e2enet" bench forward --model tiny_s3_dense.e2e --patch 32,32,64 --warmup 0 --repeat 1 | tail -3)
echo "OK: e2enet $version packs, installs as a .NET tool and runs"
