#!/usr/bin/env bash
# Inside an unpacked bundle (deploy/bundle.sh), on a machine without internet: makes .venv and installs
# the app's packages from the bundle's wheels only, never from an index.
#
#   deploy/install-offline.sh                       # finds python3.<the bundle's version>
#   PYTHON=/opt/python3.11/bin/python3 deploy/install-offline.sh
set -euo pipefail
cd "$(dirname "$0")/.."

arch="$(uname -m)"
want="$(cat wheelhouse/PYTHON_VERSION 2>/dev/null)" || {
  echo "no wheelhouse/ here: run this inside an unpacked cpme-offline bundle" >&2; exit 1; }
if [ ! -d "wheelhouse/$arch" ]; then
  echo "this bundle holds wheels for $(ls -d wheelhouse/*/ | xargs -n1 basename | tr '\n' ' ')but not for $arch;" \
       "build one with: deploy/bundle.sh $arch" >&2
  exit 1
fi

PYTHON="${PYTHON:-$(command -v "python$want" || command -v python3 || true)}"
# the compiled wheels are for one CPython version only; another would fail half-way with a vaguer error
if [ -z "$PYTHON" ] || ! "$PYTHON" -c "import sys; sys.exit(f'{sys.version_info[0]}.{sys.version_info[1]}' != '$want')" 2>/dev/null; then
  echo "this bundle needs CPython $want (found: ${PYTHON:-none}${PYTHON:+, $("$PYTHON" -V 2>&1)});" \
       "set PYTHON=/path/to/python$want, or build a bundle with BUNDLE_PYTHON=<its version>" >&2
  exit 1
fi

"$PYTHON" -m venv .venv
.venv/bin/pip install --no-index --find-links "wheelhouse/$arch" -r requirements.txt -c constraints.txt
.venv/bin/pip check
echo "installed into $(pwd)/.venv"
