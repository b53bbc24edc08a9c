#!/usr/bin/env bash
# Builds dist/cpme-offline-<version>.tar.gz, everything an intranet server without internet needs: the
# source tree at HEAD and a wheelhouse per architecture with the exact versions of constraints.txt.
# There: tar -xzf cpme-offline-<version>.tar.gz && cd cpme-offline-<version> && deploy/install-offline.sh
#
#   deploy/bundle.sh                 # x86_64 and aarch64 (Kunpeng/Phytium)
#   deploy/bundle.sh x86_64          # one architecture only
#   BUNDLE_PYTHON=3.12 deploy/bundle.sh   # wheels for the target's CPython, if it is not 3.11
#
# The wheels are manylinux up to glibc 2.28 (pyarrow has nothing older): Kylin V10, UOS 20, openEuler
# 20.03 and Debian 10 or newer qualify; CentOS 7 (glibc 2.17) does not. Needs this machine to reach
# the package index (pip download); the target needs only CPython of BUNDLE_PYTHON with venv.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"          # runs `pip download`; its own version does not matter
BUNDLE_PYTHON="${BUNDLE_PYTHON:-3.11}"
OUT="${OUT:-dist}"

archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(x86_64 aarch64)
for arch in "${archs[@]}"; do
  case "$arch" in
    x86_64|aarch64) ;;
    *) echo "unknown architecture '$arch': x86_64 or aarch64" >&2; exit 2 ;;
  esac
done

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml)"
[ -n "$version" ] || { echo "no version in pyproject.toml" >&2; exit 1; }
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "warning: uncommitted changes are not in the bundle (it holds HEAD, $(git rev-parse --short HEAD))" >&2
fi

name="cpme-offline-$version"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/$name"
mkdir -p "$root"
git archive --format=tar HEAD | tar -x -C "$root"

for arch in "${archs[@]}"; do
  # pip does not widen a platform tag to older glibc versions itself, so name every one we accept
  platforms=(--platform "manylinux2014_$arch")
  for minor in $(seq 17 28); do platforms+=(--platform "manylinux_2_${minor}_$arch"); done
  echo "downloading wheels for $arch (CPython $BUNDLE_PYTHON)" >&2
  # --only-binary: the target has no compiler; a package without a wheel for this arch fails here, by name
  "$PYTHON" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
    --implementation cp --python-version "$BUNDLE_PYTHON" "${platforms[@]}" \
    -r "$root/requirements.txt" -c "$root/constraints.txt" -d "$root/wheelhouse/$arch"
done
echo "$BUNDLE_PYTHON" >"$root/wheelhouse/PYTHON_VERSION"
cat >"$root/BUNDLE_INFO" <<EOF
cpme $version, commit $(git rev-parse HEAD)
built $(date -u +%Y-%m-%dT%H:%M:%SZ) for CPython $BUNDLE_PYTHON on: ${archs[*]}
EOF

mkdir -p "$OUT"
# the wheels are compressed already: the fastest gzip level makes nearly the same file
tar -C "$work" -cf - "$name" | gzip -1 >"$OUT/$name.tar.gz"
echo "$OUT/$name.tar.gz ($(du -h "$OUT/$name.tar.gz" | cut -f1))"
