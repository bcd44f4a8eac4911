"""Open a map in headless Chromium: screenshot, load time, requests, dialogs.

Chromium is driven through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages ended by a NUL byte on file
descriptors 3 and 4), so nothing but the Python standard library is needed and
no port is opened.  Every run uses a fresh profile folder and, by default,
``--host-resolver-rules=MAP * ~NOTFOUND`` so that no request can leave the
machine even if a page asked for one; the requests the page made are recorded
all the same (``Network.requestWillBeSent``) so a test can assert there were none.

    >>> from kg.view.browser import screenshot
    >>> screenshot("output/graph.html", "docs/map.png")          # doctest: +SKIP

or from a shell: ``python -m kg.view.browser PAGE.html OUT.png [WIDTH HEIGHT]``.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
BASE_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
    "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
    # quieten the browser's own background requests (they could not resolve anyway)
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-default-apps",
    "--no-pings", "--disable-breakpad",
)
OFFLINE_FLAGS = ("--host-resolver-rules=MAP * ~NOTFOUND",)
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome-error:")


class BrowserError(RuntimeError):
    """Chromium is missing, crashed, or did not answer in time."""


def find_chromium() -> str | None:
    """The Chromium executable: ``$KG_CHROMIUM``, else the usual Debian paths, else ``None``."""
    env = os.environ.get("KG_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@dataclass
class PageReport:
    """What happened while a page loaded."""

    url: str
    state: str | None = None               # window.kgMap.state when the wait ended ("drawn" when ready)
    wall_ms: float = 0.0                   # navigate → ready, measured from Python
    page_ms: float | None = None           # performance.now() when the network was first drawn
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    @property
    def remote_requests(self) -> list[str]:
        """Requests to anything but the local file and ``data:`` URLs."""
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]


class Chromium:
    """One headless Chromium process driven over the DevTools pipe.

    >>> with Chromium() as browser:                                   # doctest: +SKIP
    ...     report = browser.open("out/graph.html")
    ...     browser.screenshot_png("map.png")
    """

    def __init__(self, executable: str | None = None, *, width: int = 1400, height: int = 900,
                 offline: bool = True, timeout: float = 60.0, extra_args: tuple[str, ...] = ()):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise BrowserError("Chromium not found (install the Debian package 'chromium' or set KG_CHROMIUM)")
        self.width, self.height, self.offline, self.timeout = width, height, offline, timeout
        self.extra_args = tuple(extra_args)
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict] = []
        self._report: PageReport | None = None
        self.session: str | None = None

    # --- process -----------------------------------------------------------------
    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="kg-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:  # runs in the child: the protocol expects fds 3 (in) and 4 (out)
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        args = [self.executable, *BASE_FLAGS, *(OFFLINE_FLAGS if self.offline else ()),
                *self.extra_args, f"--user-data-dir={self._profile}", f"--window-size={self.width},{self.height}",
                "--remote-debugging-pipe", "about:blank"]
        self._process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, pass_fds=(3, 4), preexec_fn=wire_fds)
        os.close(to_child_r)
        os.close(from_child_w)
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
            self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                     session=False)["sessionId"]
            for domain in ("Page", "Runtime", "Network"):
                self.call(f"{domain}.enable")
            self.call("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height,
                                                             "deviceScaleFactor": 1, "mobile": False})
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._process.poll() is None:
                try:
                    self._send("Browser.close", {}, session=False)
                except OSError:
                    pass
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout=10)
        finally:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self._profile, ignore_errors=True)

    # --- protocol ----------------------------------------------------------------
    def _send(self, method: str, params: dict, *, session: bool = True) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed the DevTools pipe (crashed?)")
                self._buffer += chunk
            elif self._process.poll() is not None:
                raise BrowserError(f"Chromium exited with code {self._process.returncode}")
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _handle_event(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        report = self._report
        if method == "Page.javascriptDialogOpening":
            if report:
                report.dialogs.append(f"{params.get('type')}: {params.get('message')}")
            self._send("Page.handleJavaScriptDialog", {"accept": True})
        elif report is None:
            return
        elif method == "Network.requestWillBeSent":
            report.requests.append(params["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            report.exceptions.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Runtime.consoleAPICalled":
            report.console.append(" ".join(str(arg.get("value", arg.get("description", "")))
                                           for arg in params.get("args", [])))

    def call(self, method: str, params: dict | None = None, *, session: bool = True,
             timeout: float | None = None) -> dict:
        """Send one command and wait for its answer (events meanwhile are recorded)."""
        wanted = self._send(method, params or {}, session=session)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            message = self._read_message(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self._handle_event(message)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluation failed: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    # --- pages -------------------------------------------------------------------
    def open(self, page: str | Path, *, ready: str = "drawn", timeout: float | None = None,
             settle_ms: int = 100) -> PageReport:
        """Load a page and wait until ``window.kgMap.state`` is ``ready`` (or the load event
        when ``ready`` is empty); then wait ``settle_ms`` more for late requests."""
        url = Path(page).resolve().as_uri() if not str(page).startswith(("file:", "data:", "about:")) else str(page)
        report = self._report = PageReport(url=url)
        start = time.monotonic()
        deadline = start + (timeout or self.timeout)
        self.call("Page.navigate", {"url": url})
        while time.monotonic() < deadline:
            if ready:
                report.state = self.evaluate("window.kgMap ? String(window.kgMap.state) : null")
                if report.state == ready:
                    break
            elif self.evaluate("document.readyState") == "complete":
                break
            time.sleep(0.01)
        report.wall_ms = (time.monotonic() - start) * 1000
        if ready:
            report.page_ms = self.evaluate("window.kgMap && window.kgMap.drawnMs ? window.kgMap.drawnMs : null")
        time.sleep(settle_ms / 1000)
        self.evaluate("1")  # drain events that arrived while waiting
        return report

    def hover(self, query: str, *, wait: float = 0.6) -> str | None:
        """Move the mouse onto the node found by ``query`` (name, alias or id) and return
        the text of the tooltip that opens (``None`` if no such node)."""
        found = self.evaluate(f"(q => kgMap.network.body.data.nodes.get(q) ? q : kgMap.find(q))({json.dumps(query)})")
        if not found:
            return None
        x, y = self.evaluate(f"""(() => {{
            const p = kgMap.network.canvasToDOM(kgMap.network.getPosition({json.dumps(found)}));
            const box = document.getElementById('kg-network').getBoundingClientRect();
            return [p.x + box.left, p.y + box.top]; }})()""")
        for step in (3, 1, 0):  # a few moves: vis-network opens the tooltip after it sees motion
            self.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x + step, "y": y})
            time.sleep(0.05)
        time.sleep(wait)
        return self.evaluate("(() => { const t = document.querySelector('div.vis-tooltip');"
                             " return t && t.style.visibility !== 'hidden' ? t.innerText : null; })()")

    def screenshot_png(self, path: str | Path | None = None) -> bytes:
        """A PNG of the viewport; also written to ``path`` if given (atomically)."""
        data = base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"])
        if path is not None:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return data


def screenshot(html_path: str | Path, png_path: str | Path, width: int = 1400, height: int = 900,
               *, hover: str | None = None, timeout: float = 120.0) -> PageReport:
    """Open a map written by ``write_map``/``write_ego_map`` and save a PNG of it
    (with the tooltip of the entity ``hover`` open, if given and found)."""
    with Chromium(width=width, height=height, timeout=timeout) as browser:
        report = browser.open(html_path)
        if report.state != "drawn":
            raise BrowserError(f"the map did not draw (state {report.state!r}; errors: {report.exceptions})")
        if hover:
            browser.hover(hover)
        browser.screenshot_png(png_path)
    return report


# --- what the network stack did (``--log-net-log=FILE``) --------------------------------

@dataclass
class NetLog:
    """URL requests in a Chromium net log, split by who made them, and any connection made."""

    page_urls: list[str] = field(default_factory=list)      # initiated by a page (initiator is an origin)
    browser_urls: list[str] = field(default_factory=list)   # the browser's own ("not an origin")
    errors: dict[str, int] = field(default_factory=dict)     # url -> net error (-105: name not resolved)
    connected: list[str] = field(default_factory=list)      # TCP/QUIC connections that were made

    @property
    def remote_page_urls(self) -> list[str]:
        return [url for url in self.page_urls if not url.startswith(LOCAL_SCHEMES)]

    @property
    def left_the_machine(self) -> list[str]:
        """Remote requests that got past name resolution (should be none)."""
        remote = [u for u in self.page_urls + self.browser_urls if not u.startswith(LOCAL_SCHEMES)]
        return [u for u in remote if self.errors.get(u) != -105] + self.connected


def read_net_log(path: str | Path) -> NetLog:
    """Summarise a ``--log-net-log`` file (also one cut short by a crash)."""
    text = Path(path).read_text(encoding="utf-8", errors="replace").rstrip()
    try:
        data = json.loads(text)
    except ValueError:  # not closed: drop the last partial event and close the lists
        data = json.loads(text[:text.rfind("}") + 1].rstrip(",") + "]}")
    names = {value: key for key, value in data["constants"]["logEventTypes"].items()}
    log, url_of = NetLog(), {}
    for event in data.get("events", []):
        kind, params, source = names.get(event["type"]), event.get("params") or {}, event["source"]["id"]
        if kind == "URL_REQUEST_START_JOB" and "url" in params:
            url_of[source] = params["url"]
            (log.browser_urls if params.get("initiator") == "not an origin" else log.page_urls).append(params["url"])
        elif kind == "URL_REQUEST_START_JOB" and "net_error" in params and source in url_of:
            log.errors[url_of[source]] = params["net_error"]
        elif kind in ("TCP_CONNECT", "QUIC_SESSION") and "net_error" not in params and params:
            log.connected.append(f"{kind} {params.get('address') or params.get('host') or params}")
    return log


# --- a tiny PNG reader, to tell a drawn map from a blank page ----------------------

def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    import struct
    import zlib

    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError("only 8-bit, non-interlaced RGB/RGBA PNGs are read")
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(idat)
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 255
            elif kind == 4:
                upleft = previous[i - bpp] if i >= bpp else 0
                p = left + up - upleft
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else upleft)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def png_colours(data: bytes, *, step: int = 1) -> int:
    """Number of distinct RGB colours in a PNG (every ``step``-th pixel)."""
    width, _, rows = png_pixels(data)
    bpp = len(rows[0]) // width if rows else 3
    seen: set[bytes] = set()
    for row in rows[::step]:
        for x in range(0, width, step):
            seen.add(row[x * bpp:x * bpp + 3])
    return len(seen)


def _main(argv: list[str]) -> int:
    if len(argv) not in (2, 4):
        print("usage: python -m kg.view.browser PAGE.html OUT.png [WIDTH HEIGHT]", file=sys.stderr)
        return 2
    size = (int(argv[2]), int(argv[3])) if len(argv) == 4 else (1400, 900)
    report = screenshot(argv[0], argv[1], *size)
    print(f"{argv[1]}: drawn in {report.page_ms:.0f} ms (page), {report.wall_ms:.0f} ms (wall)")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
