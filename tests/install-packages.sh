#!/usr/bin/env bash
# Installs the Debian packages listed in tests/apt-packages.txt that are missing (real test volumes, independent
# readers, fonts for plots). Does nothing when all are present; explains what to run when it cannot install.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mapfile -t wanted < <(grep -vE '^\s*(#|$)' apt-packages.txt | awk '{print $1}')
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "tests need these Debian packages, and this machine has no apt-get: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then runner=(); elif sudo -n true 2>/dev/null; then runner=(sudo); else
  echo "tests need these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages the tests need: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${runner[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { "${runner[@]}" apt-get update >/dev/null 2>&1 && "${runner[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; } \
  || { echo "could not install: ${missing[*]}" >&2; exit 1; }
