#!/usr/bin/env bash
# CI: the offline bundle installs without an index and the installed app starts. Builds the x86_64
# bundle, unpacks it in a temp dir, runs deploy/install-offline.sh there (with no network when this
# machine allows `unshare -n`, and never with this machine's pip configuration), then starts the app
# on a free port until /_stcore/health answers "ok", draws its home page once through AppTest, and has
# systemd-analyze verify the units pointed at the installed bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

work="$(mktemp -d)"
app_pid=""
cleanup() {
  if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

OUT="$work/dist" deploy/bundle.sh x86_64
tar -xzf "$work"/dist/cpme-offline-*.tar.gz -C "$work"
bundle="$(echo "$work"/cpme-offline-*/)"
cd "$bundle"

# pip.conf or PIP_* variables could point at other wheels and hide one missing from the bundle
isolated=(env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null)
if unshare -n true 2>/dev/null; then
  isolated=(unshare -n "${isolated[@]}")
else
  echo "unshare -n not permitted here: installing with the network present (pip still runs --no-index)" >&2
fi
"${isolated[@]}" deploy/install-offline.sh >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
echo "installed offline in $((SECONDS - started)) s since the start" >&2

export APP_DATA_DIR="$work/data" APP_DEMO=1
port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# started as the systemd unit starts it (cpme@.service): the app with the warm-up beside it
.venv/bin/python -m components.warmup --server.headless=true --server.address=127.0.0.1 --server.port="$port" \
  --server.fileWatcherType=none >"$work/app.log" 2>&1 &
app_pid=$!
if ! .venv/bin/python - "$port" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + 600  # beside the suite at nice 19 (see the draw below)
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", timeout=2) as r:
            if r.read().decode().strip() == "ok":
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit("no 'ok' from /_stcore/health within 600 s")
EOF
then
  cat "$work/app.log" >&2
  exit 1
fi

# health answers before any page runs: draw the home page to import what app.py imports and prepare
# the database (demo loaded) the way a first visitor would. CI runs this check at nice 19 beside the suite,
# which keeps both cores busy, so the first draw (waiting on the warm-up's demo load) gets what CPU is
# left: 90 s was once not enough (stop 27). The bound is a hang detector, not a speed target.
.venv/bin/python - <<'EOF'
from streamlit.testing.v1 import AppTest

at = AppTest.from_file("app.py", default_timeout=900).run()
assert not at.exception, [e.message for e in at.exception]
assert at.text_input, "the home page drew no sign-in form"
EOF

# the systemd units as installed (paths pointing into this bundle): systemd's own parser reads every line;
# it only warns and goes on for a bad setting, so any word from it fails the check
if command -v systemd-analyze >/dev/null 2>&1; then
  units="$work/units"
  mkdir -p "$units"
  for unit in deploy/systemd/*; do sed "s#/opt/cpme#${bundle%/}#g" "$unit" >"$units/$(basename "$unit")"; done
  said="$(cd "$units" && systemd-analyze verify --man=no cpme@8501.service cpme-backup.service cpme-backup.timer \
    cpme-reminders.service cpme-reminders.timer 2>&1)"
  if [ -n "$said" ]; then echo "systemd-analyze verify: $said" >&2; exit 1; fi
  echo "systemd units verified by systemd-analyze"
fi

echo "offline bundle checked in $((SECONDS - started)) s"
