"""Walk every menu page as each demo role, in Chinese and English, in one Chromium per role × language, and
note what a leader would see as unfinished: a cut-off headline figure, a raw message key, an exception box,
English widget text in the Chinese UI. Screenshots go to build/look/<lang>/<role>/<page>.jpg.

    .venv/bin/python -m factories.look        # on a fresh demo database; prints the findings and the folder

The browser test (tests/test_leader_look.py) runs the same walk and fails on any finding.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass, field

from components.auth import COOKIE_NAME
from components.registry import PAGES, pages_for
from components.texts import CATALOG, translate
from factories.browser import ROOT, Wire, chromium, wait_for_cookie

OUT = ROOT / "build" / "look"
ROLES = {"admin": "Admin@2026", "leader": "Leader@2026", "evaluator": "Evaluator@2026",
         "street": "Street@2026", "community": "Community@2026"}
LANGS = ("zh", "en")
PUBLIC = [spec.key for spec in PAGES.values() if spec.roles is None]
KEY = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+){1,4}\b")
# The column a leader opens a list for, which must be in sight at 1280 px without scrolling the grid sideways. A
# data grid draws on a canvas but writes the headers of the columns it shows into an accessibility table: those
# are what the probe reads, so a key column pushed off to the right is missing from them.
KEY_COLUMNS = {"eval_results": "eval.col.result", "vote_review": "vote.col.combined", "rectifications": "eval.col.due_on"}

# One pass over the page's DOM: what overflows, what is English, what broke. Data grids draw on a canvas,
# so their cells (data, in any language) are not read here.
PROBE = """
() => {
  const cjk = /[\\u3400-\\u9fff]/, latin = /[A-Za-z]{2,}/;
  // what a person sees: text the page style hides (font-size 0) is replaced by its ::after content
  const shown = (el) => {
    if (el.matches('[data-testid="stIconMaterial"], svg, title')) return '';
    if (el.children.length === 0) {
      if (getComputedStyle(el).fontSize === '0px') {
        const after = getComputedStyle(el, '::after').content;
        return after && after !== 'none' ? after.replace(/^"|"$/g, '') : '';
      }
      return el.textContent;
    }
    return [...el.children].map(shown).join(' ');
  };
  const ownText = (el) => shown(el).trim();
  const cut = [];
  const wide = (el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible';
  document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricValue"] *,'
      + '[data-testid="stMetricLabel"] *, [data-testid="stMetricDelta"] *,'
      + '[data-testid="stMain"] [data-testid="stPageLink-NavLink"] *').forEach(el => {
    if (wide(el) && el.innerText.trim() && !cut.includes(el.innerText.trim())) cut.push(el.innerText.trim());
  });
  const english = [];
  const note = (what, text) => { if (text && latin.test(text) && !cjk.test(text)) english.push(what + ': ' + text); };
  // a placeholder shows only while the box is empty (a select's input keeps one under its value)
  document.querySelectorAll('input[placeholder], textarea[placeholder]').forEach(el => {
    if (!el.value) note('placeholder', el.placeholder);
  });
  document.querySelectorAll('[data-testid="stDateInput"] [role="group"]').forEach(el => note('date', ownText(el)));
  document.querySelectorAll('button').forEach(el => {
    if (el.closest('[data-testid="stDataFrame"], [data-testid="stElementToolbar"], [data-testid="stToolbar"], .vega-embed')) return;
    note('button', ownText(el));
  });
  document.querySelectorAll('[data-testid="stFileUploaderDropzoneInstructions"]').forEach(el => note('uploader', ownText(el)));
  const exceptions = document.querySelectorAll('[data-testid="stException"], [data-testid="stExceptionMessage"]').length;
  const main = document.querySelector('[data-testid="stMain"]');
  const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(
    grid => [...grid.querySelectorAll('th')].map(th => th.textContent.trim()));
  return {cut, english, exceptions, grids, text: (main ? main.innerText : '') + '\\n' + document.body.innerText.slice(0, 0)};
}
"""


def _descendants_cpu(*, named: str) -> dict[int, float]:
    """CPU seconds of each live process below this one whose command line holds `named` (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, cpu, cmd = {}, {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as line:
                cmd[int(entry)] = line.read().decode(errors="replace")
        except OSError:
            continue
        parent[int(entry)], cpu[int(entry)] = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
    me, mine = os.getpid(), {}
    for pid in cpu:
        up = parent.get(pid)
        while up and up != me:
            up = parent.get(up)
        if up == me and named in cmd.get(pid, ""):
            mine[pid] = cpu[pid]
    return mine


@dataclass
class Walk:
    findings: list[str] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=lambda: {"app": 0.0, "browser": 0.0, "test": 0.0})
    # Chromium's processes as last seen: a context's renderers (most of its work) end with the context and their
    # time is then counted nowhere (no live ancestor reaps them), so they are read just before it closes
    browser_seen: dict[int, float] = field(default_factory=dict)

    def note_browser(self) -> None:
        for named in ("/chromium/", "run-driver"):
            for pid, seconds in _descendants_cpu(named=named).items():
                self.browser_seen[pid] = max(seconds, self.browser_seen.get(pid, 0.0))
        self.cpu["browser"] = sum(self.browser_seen.values())

    def cpu_text(self) -> str:
        return f"{sum(self.cpu.values()):.0f} s (" + ", ".join(f"{k} {v:.0f}" for k, v in self.cpu.items()) + ")"

    def check(self, page, where: str, lang: str) -> None:
        seen = page.evaluate(PROBE)
        self.pages += 1
        for text in seen["cut"]:
            self.findings.append(f"{where}: cut off: {text!r}")
        if lang == "zh":
            for text in seen["english"]:
                self.findings.append(f"{where}: English in the Chinese UI: {text}")
        if seen["exceptions"] or "Traceback (most recent call last)" in seen["text"]:
            self.findings.append(f"{where}: an exception box")
        column = KEY_COLUMNS.get(where.rsplit("/", 1)[-1])
        drawn = [headers for headers in seen["grids"] if headers]  # a grid still drawing has no headers yet
        if column and drawn and not any(translate(column, lang) in shown for shown in drawn):
            self.findings.append(f"{where}: key column {translate(column, lang)!r} out of sight "
                                 f"(the grids show {seen['grids']})")
        keys = {match for match in KEY.findall(seen["text"]) if match in CATALOG}
        for key in sorted(keys):
            self.findings.append(f"{where}: raw message key {key}")


def _shot(page, lang: str, who: str, key: str) -> None:
    folder = OUT / lang / who
    folder.mkdir(parents=True, exist_ok=True)
    # JPEG: a quarter of the browser's time a PNG of the same view takes to encode, and as readable
    page.screenshot(path=str(folder / f"{key}.jpg"), type="jpeg", quality=70)


QUIET_S = 0.3  # a second run (a page writing its filters to the URL) or a chart's frames come within this


def _after(page, wire: Wire, action) -> None:
    """Do `action` (a click, a navigation) and wait until the view it brings is drawn."""
    since = wire.finished
    action()
    _wait_drawn(page, wire, since)


def _wait_drawn(page, wire: Wire, since: int | None) -> None:
    """Until a script run has finished after the `since`-th (None: any) and nothing has come over the websocket for
    a moment, then its content (fixed sleeps around the status widget cost 0.8 s a view whatever the page)."""
    deadline = time.perf_counter() + 60
    while ((since is not None and wire.finished <= since) or time.perf_counter() - wire.last < QUIET_S
           or page.locator('[data-testid="stStatusWidget"]').count()):
        if time.perf_counter() > deadline:
            raise TimeoutError("the page never finished drawing")
        page.wait_for_timeout(50)
    # a page that draws its skeletons first: wait for the content
    page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=60_000)
    # a data grid writes its visible columns' headers a moment after it is placed (the key-column check reads them);
    # one in a tab not shown writes none (waiting 5 s for it was 5 of every 18 s of a leader's walk)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
            .every(grid => grid.querySelector('th') || !grid.checkVisibility())""", timeout=5_000)
    except PlaywrightTimeout:  # a grid without headers to wait for: the check leaves it out
        pass


def _switch_language(page, wire: Wire, lang: str) -> None:
    label = "English" if lang == "en" else "中文"
    _after(page, wire, lambda: page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text(
        label, exact=True).click())


@contextlib.contextmanager
def _page(browser, width: int, height: int, walk: Walk):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        walk.note_browser()
        context.close()


def walk_role(browser, base: str, role: str, walk: Walk, *, langs=LANGS, shots: bool = True) -> None:
    """Sign in as `role` once, then open each menu page by clicking the menu, in each language."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    keys = [spec.key for spec in pages_for(role) if spec.roles is not None]
    with _page(browser, 1280, 900, walk) as page:
        wire = Wire(page)
        page.goto(base)
        page.get_by_label("用户名").wait_for(timeout=120_000)
        page.get_by_label("用户名").fill(role)
        page.get_by_label("密码").fill(ROLES[role])
        page.get_by_role("button", name="登录").click()
        page.locator('[data-testid="stSidebar"] button').filter(has_text="退出登录").wait_for(timeout=120_000)
        wait_for_cookie(page, COOKIE_NAME)  # the cookie writer's report reruns the page once more
        _wait_drawn(page, wire, None)
        for lang in langs:
            if lang != "zh":
                _switch_language(page, wire, lang)
            for key in keys:
                href = "" if key == "home" else key  # the menu's links are relative to the app's root
                since = wire.finished
                try:
                    page.locator(f'[data-testid="stSidebar"] a[href="{href}"]').first.click(timeout=15_000)
                except PlaywrightTimeout:  # the last page broke its menu: say so and go on by address
                    walk.findings.append(f"{lang}/{role}/{key}: no menu link (the page before broke the menu)")
                    page.goto(f"{base}/{href}" + ("?lang=en" if lang == "en" else ""))
                _wait_drawn(page, wire, since)
                walk.check(page, f"{lang}/{role}/{key}", lang)
                if shots:
                    _shot(page, lang, role, key)


def walk_public(browser, base: str, walk: Walk, *, langs=LANGS, shots: bool = True) -> None:
    """The residents' pages on a phone (390 px), each opened by its address."""
    with _page(browser, 390, 844, walk) as page:
        wire = Wire(page)
        for lang in langs:
            for key in PUBLIC:
                url = f"{base}/{key}" + ("?lang=en" if lang == "en" else "")
                _after(page, wire, lambda url=url: page.goto(url))
                walk.check(page, f"{lang}/public/{key}", lang)
                if shots:
                    _shot(page, lang, "public", key)


def walk_all(base: str, roles=tuple(ROLES), langs=LANGS, shots: bool = True, public: bool = True) -> Walk:
    walk = Walk()
    start, mine = time.monotonic(), time.process_time()
    with chromium() as browser:  # one for the whole walk, a context per role
        for role in roles:
            walk_role(browser, base, role, walk, langs=langs, shots=shots)
        if public:
            walk_public(browser, base, walk, langs=langs, shots=shots)
        walk.note_browser()
    walk.seconds = time.monotonic() - start
    walk.cpu["app"] = sum(_descendants_cpu(named="streamlit").values())  # since it started, its start included
    walk.cpu["test"] = time.process_time() - mine
    return walk


def main() -> None:
    import tempfile

    from db.engine import make_engine
    from factories.browser import running_app
    from seed_data import loader

    with tempfile.TemporaryDirectory(prefix="cpme-look-") as data:
        url = f"sqlite:///{data}/app.db"
        loader.load_demo(make_engine(url))
        env = {"APP_DATA_DIR": data, "DATABASE_URL": url, "BCRYPT_ROUNDS": "4",
               "APP_SECRET_KEY": "look-only-key-" + "l" * 32}
        with running_app(env, timeout=180) as base:
            walk = walk_all(base)
    print("\n".join(walk.findings) or "nothing found")
    print(f"{walk.pages} pages in {walk.seconds:.0f} s, CPU {walk.cpu_text()}; screenshots in {OUT}")


if __name__ == "__main__":
    main()
