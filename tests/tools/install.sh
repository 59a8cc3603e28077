#!/usr/bin/env bash
# Installs the npm tools the quality-gate tests use into tests/tools/node_modules (git-ignored):
#   vnu-jar  - the Nu Html Checker (run with the system's Java)
#   axe-core - accessibility rules, injected into pages by Playwright for Python
# Idempotent: does nothing when the pinned versions are already there. No install scripts run
# (--ignore-scripts), so nothing is downloaded beyond the npm registry's tarballs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VNU_VERSION="26.9.27"
AXE_VERSION="4.14.1"

installed() {  # installed NAME VERSION FILE
  local pkg="$here/node_modules/$1/package.json"
  [ -f "$pkg" ] && [ -f "$here/node_modules/$1/$3" ] &&
    grep -q "\"version\": *\"$2\"" "$pkg"
}

if installed vnu-jar "$VNU_VERSION" build/dist/vnu.jar && installed axe-core "$AXE_VERSION" axe.min.js; then
  echo "tests/tools: vnu-jar $VNU_VERSION and axe-core $AXE_VERSION already installed"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "tests/tools/install.sh: npm is not installed" >&2; exit 1; }
npm install --ignore-scripts --no-audit --no-fund --no-save --prefix "$here" \
  "vnu-jar@$VNU_VERSION" "axe-core@$AXE_VERSION" </dev/null
installed vnu-jar "$VNU_VERSION" build/dist/vnu.jar || { echo "tests/tools: vnu-jar did not install" >&2; exit 1; }
installed axe-core "$AXE_VERSION" axe.min.js || { echo "tests/tools: axe-core did not install" >&2; exit 1; }
echo "tests/tools: installed vnu-jar $VNU_VERSION and axe-core $AXE_VERSION"
