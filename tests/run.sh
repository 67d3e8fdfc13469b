#!/usr/bin/env bash
# Runs the whole test suite: installs the Debian packages some tests need (tests/apt-packages.txt), builds, runs
# every test project of E2ENet.Compiler.sln, and ends with one plain line "N passed, N failed".
# Exit status: 0 when every test passed, 1 otherwise. Extra arguments go to 'dotnet test' (e.g. --filter ...).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash tests/install-packages.sh || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test E2ENet.Compiler.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
passed=$(grep -aoE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -aoE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host failed before any test could: count it as a failure.
  echo "dotnet test exited with status $status before reporting a failed test (build error or crashed test host)."
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
