"""Starting the real app and a real Chromium for browser tests (Debian's chromium, never a download)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-quic", "--no-first-run"]


def require_browser() -> None:
    """Skip without a browser on a developer machine; in CI (REQUIRE_BROWSER=1) a missing one fails."""
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(CHROMIUM)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("python playwright")
    if missing:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but missing: {missing}")
        pytest.skip(f"no browser: {missing}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(env_overrides: dict[str, str], timeout: float = 60.0, port: int | None = None, *,
                warm_up: bool = False):
    """`streamlit run app.py` on a free port (or `port`); yields the base URL once /_stcore/health answers.
    `warm_up`: served as the systemd unit does, through `python -m components.warmup`; its log is
    APP_DATA_DIR/streamlit-<port>.log."""
    port = port or free_port()
    env = {**os.environ, **env_overrides}
    log = open(Path(env_overrides.get("APP_DATA_DIR", "/tmp")) / f"streamlit-{port}.log", "w")
    launcher = ["-m", "components.warmup"] if warm_up else ["-m", "streamlit", "run", str(ROOT / "app.py")]
    proc = subprocess.Popen(
        [sys.executable, *launcher, "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(proc, base, timeout, log.name)
        yield base
    finally:
        stop(proc)
        log.close()


def wait_until_healthy(proc: subprocess.Popen, base: str, timeout: float, log_name: str) -> None:
    """Until the server at `base` answers /_stcore/health; its exit or the deadline fail, naming its log."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log_name}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"streamlit did not become healthy; see {log_name}")
        time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def chromium():
    """One headless Chromium (Debian's) for several contexts: a launch costs seconds of CPU."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def chromium_page(width: int = 1280, height: int = 900):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()


def settle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)
    page.wait_for_timeout(200)


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None


def sign_in(page, base: str, username: str, password: str, *, landing_text: str, timeout: float = 60_000) -> None:
    """Open the app, fill the staff sign-in form and wait until `landing_text` shows after it."""
    page.goto(base)
    page.get_by_label("用户名").wait_for(timeout=timeout)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(landing_text).first.wait_for(timeout=timeout)
    settle(page, timeout=timeout)


def wait_for_cookie(page, name: str, *, present: bool = True, timeout: float = 60.0) -> None:
    """Wait until the browser holds (or no longer holds) cookie `name`. The cookie component writes it
    from its own frame after the page has drawn, so a reload right after sign-in can come too early."""
    deadline = time.monotonic() + timeout
    while (any(c["name"] == name for c in page.context.cookies()) != present):
        if time.monotonic() > deadline:
            raise AssertionError(f"cookie {name} {'never set' if present else 'still set'} after {timeout:.0f} s")
        time.sleep(0.2)


class Wire:
    """What one tab receives over the websocket: (time, bytes, kind) per frame, kind from the ForwardMsg."""

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._parse, self.frames = ForwardMsg.FromString, []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        try:
            kind = self._parse(data).WhichOneof("type")
        except Exception:  # not a ForwardMsg (should not happen): counted, not classified
            kind = None
        self.frames.append((time.perf_counter(), len(data), kind))

    def reset(self) -> None:
        self.frames = []

    @property
    def finished(self) -> int:
        """Script runs finished since the last reset."""
        return sum(kind == "script_finished" for _, _, kind in self.frames)

    @property
    def last(self) -> float:
        """When the last frame came (perf_counter; 0 if none)."""
        return self.frames[-1][0] if self.frames else 0.0
