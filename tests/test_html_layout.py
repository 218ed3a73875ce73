"""The HTML report on a phone: readable at 390 px wide, a 10 KB value wrapped rather than widening
the page, and headings in order (no level skipped), measured in headless Chromium.

The structural tests read the page with html.parser and always run. The browser tests open the
page in Chromium through the DevTools protocol on a pipe (--remote-debugging-pipe: no port, no
package beyond the standard library), emulate a 390 px wide screen, and read
document.scrollingElement.scrollWidth and the headings; with axe-core available (AXE_CORE_JS, or
the cache .ci/run fills with npm) they also run axe-core on the page.

Where Chromium is found: $CHROMIUM, then `chromium` on PATH, then /usr/bin/chromium. `.ci/run`
installs Debian's chromium when it is missing and sets CHROMIUM_REQUIRED=1, so in CI a missing
browser fails these tests; when it could not install it, it sets CHROMIUM_UNAVAILABLE to the
reason and they are skipped with that reason. Outside CI, without Chromium, they are skipped.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from checker.report.formatters import FORMATTERS
from checker.report.html_template import STYLE
from tests.report_runs import (
    DEMO_FACTS,
    HOSTILE_FACT,
    demo_run,
    hostile_facts,
    with_error,
    with_history,
)

PHONE_WIDTH = 390
PHONE_HEIGHT = 844
LONG_VALUE = 10 * 1024
AXE_CACHE = Path.home() / ".cache" / "contract-checker" / "axe" / "node_modules" / "axe-core"


def _render(facts: Path = DEMO_FACTS, *, history: bool = False) -> str:
    with demo_run(facts) as result:
        if history:
            with_history(with_error(result))
        return "".join(FORMATTERS["html"](result))


@pytest.fixture(scope="module")
def demo_page() -> str:
    return _render()


@pytest.fixture(scope="module")
def long_value_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo plus a deal whose id and customer are 10 KB without a space (in the message, the
    subject and the evidence), with a history, an agreement that failed and a rejected line."""
    facts = hostile_facts(tmp_path_factory.mktemp("long") / "facts")
    deal = dict(HOSTILE_FACT, id="deal-" + "x" * LONG_VALUE, customer="c" * LONG_VALUE)
    (facts / "long.jsonl").write_text(json.dumps(deal) + "\n", encoding="utf-8")
    page = _render(facts, history=True)
    assert "x" * LONG_VALUE in page
    return page


# --- Without a browser -------------------------------------------------------------------------


class _Structure(HTMLParser):
    """Heading levels in order, and tables with whether each sits in a scrolling container."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.levels: list[int] = []
        self.tables: list[bool] = []
        self._open: list[tuple[str, bool]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        if tag == "table":
            self.tables.append(any(scrolls for _, scrolls in self._open))
        if tag == "div":
            scrolls = "table-scroll" in (found.get("class") or "").split()
            if scrolls:
                assert found.get("tabindex") == "0", "a scrolling region must take the focus"
                assert found.get("role") == "region"
                assert found.get("aria-label")
            self._open.append((tag, scrolls))

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._open:
            self._open.pop()


def _skipped_levels(levels: list[int]) -> list[str]:
    """Where a heading goes down more than one level from the one before it (axe-core's
    heading-order), or the page does not start with its h1."""
    problems = [] if levels[:1] == [1] else [f"the first heading is h{levels[:1]}"]
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"h{before} then h{after}")
    return problems


@pytest.mark.parametrize("which", ["demo_page", "long_value_page"])
def test_headings_never_skip_a_level(which: str, request: pytest.FixtureRequest) -> None:
    structure = _Structure(request.getfixturevalue(which))
    assert structure.levels.count(1) == 1
    assert _skipped_levels(structure.levels) == []
    assert 4 in structure.levels  # cards under an agreement or a week are still h4


@pytest.mark.parametrize("which", ["demo_page", "long_value_page"])
def test_every_table_scrolls_in_its_own_container(
    which: str, request: pytest.FixtureRequest
) -> None:
    structure = _Structure(request.getfixturevalue(which))
    assert structure.tables
    assert all(structure.tables)


def test_the_stylesheet_wraps_long_values_and_narrows_on_a_phone() -> None:
    style = re.sub(r"\s+", " ", STYLE)
    assert "overflow-wrap: anywhere" in style
    assert ".table-scroll { overflow-x: auto;" in style
    assert "@media (max-width: 600px)" in style
    # Cells kept on one line (dates, waiver ids) only where there is room for them.
    assert re.findall(r"[^}]*white-space: nowrap", style) == [
        " @media (min-width: 601px) { .nowrap { white-space: nowrap"
    ]


def test_the_page_asks_for_the_device_width(demo_page: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in demo_page


# --- In headless Chromium ----------------------------------------------------------------------


def _chromium() -> str:
    """The browser's path, or a skip (or, in CI where it is required, a failure) saying why."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    unavailable = os.environ.get("CHROMIUM_UNAVAILABLE")
    if unavailable:
        pytest.skip(f"Chromium could not be installed on this machine: {unavailable}")
    if os.environ.get("CHROMIUM_REQUIRED"):
        pytest.fail("CHROMIUM_REQUIRED is set (by .ci/run) but no chromium was found")
    pytest.skip(
        "no Chromium here ($CHROMIUM, chromium on PATH, /usr/bin/chromium); .ci/run "
        "installs Debian's chromium with apt-get"
    )


class _Browser:
    """Headless Chromium driven over the DevTools protocol on fds 3 and 4 (JSON, NUL-ended)."""

    def __init__(self, executable: str) -> None:
        self._profile = tempfile.mkdtemp(prefix="chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def onto_3_and_4() -> None:
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self._process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                f"--user-data-dir={self._profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=onto_3_and_4,  # noqa: PLW1509 (the test process starts no threads here)
            pass_fds=(3, 4),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        while True:
            message = self._message()
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.send(method, self._session, **params)

    def wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(self._message())
        self.events.clear()

    def open(self, path: Path, width: int) -> None:
        self.page("Page.enable")
        self.page(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=PHONE_HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.events.clear()
        self.page("Page.navigate", url=path.as_uri())
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        reply = self.page(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(f"script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self._profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[_Browser]:
    opened = _Browser(_chromium())
    try:
        yield opened
    finally:
        opened.close()


MEASURE = """(() => {
  const page = document.scrollingElement;
  const inScroller = (e) => e.closest('.table-scroll') !== null;
  const wide = [...document.querySelectorAll('body *')]
    .filter((e) => !inScroller(e) && e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 5)
    .map((e) => e.tagName.toLowerCase() + '.' + e.className + ' ' +
         Math.round(e.getBoundingClientRect().right) + 'px');
  return {
    scrollWidth: page.scrollWidth,
    innerWidth: window.innerWidth,
    headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => +h.tagName[1]),
    wide: wide,
  };
})()"""


def _measure(browser: _Browser, page: str, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    browser.open(path, PHONE_WIDTH)
    measured: dict[str, Any] = browser.evaluate(MEASURE)
    assert measured["innerWidth"] == PHONE_WIDTH
    return measured


def test_demo_report_fits_390_px(browser: _Browser, demo_page: str, tmp_path: Path) -> None:
    measured = _measure(browser, demo_page, tmp_path)
    assert measured["scrollWidth"] <= PHONE_WIDTH, measured["wide"]
    assert _skipped_levels(measured["headings"]) == []


def test_a_10_kb_value_wraps_instead_of_widening_the_page(
    browser: _Browser, long_value_page: str, tmp_path: Path
) -> None:
    measured = _measure(browser, long_value_page, tmp_path)
    assert measured["scrollWidth"] <= PHONE_WIDTH, measured["wide"]
    # No table holding the value scrolls sideways for it either: each fits its container.
    widest = browser.evaluate(
        "Math.max(...[...document.querySelectorAll('.table-scroll')]"
        ".filter((e) => e.textContent.includes('x'.repeat(1000)))"
        ".map((e) => e.scrollWidth - e.clientWidth))"
    )
    assert widest <= 0


def _axe_core() -> Path | None:
    for candidate in (os.environ.get("AXE_CORE_JS"), str(AXE_CACHE / "axe.min.js")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.mark.parametrize("which", ["demo_page", "long_value_page"])
def test_axe_core_finds_no_violation(
    which: str, browser: _Browser, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    axe = _axe_core()
    if axe is None:
        if os.environ.get("AXE_REQUIRED"):
            pytest.fail("AXE_REQUIRED is set (by .ci/run) but axe-core was not found")
        pytest.skip(f"axe-core not found ($AXE_CORE_JS or {AXE_CACHE}); headings are checked above")
    _measure(browser, request.getfixturevalue(which), tmp_path)
    browser.evaluate(axe.read_text(encoding="utf-8"))
    violations = browser.evaluate(
        "axe.run(document).then((r) => r.violations.map((v) => "
        "v.id + ': ' + v.help + ' (' + v.nodes.length + ')'))"
    )
    assert violations == []
