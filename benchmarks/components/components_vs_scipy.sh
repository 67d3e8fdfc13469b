#!/usr/bin/env bash
# Times 3D connected components (26-neighbourhood) on a 512 x 512 x 300 label map: e2enet's ConnectedComponents and
# LargestComponent against scipy.ndimage.label (Debian's python3-scipy) on the same data. Usage:
#   bash benchmarks/components/components_vs_scipy.sh [rounds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
rounds=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet run components.cs -c Release -- "$work" "$rounds"
/usr/bin/python3 components_vs_scipy.py "$work" "$rounds"
