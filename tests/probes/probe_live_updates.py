"""Live-updates probe of a running Order Hub (issue 13): a user works in the
web client for a while, in headless Chromium, and the browser's websocket
(``/websocket``, Odoo's bus: chat, notifications, counters) must open with
HTTP 101 through the server's proxy and stay up, with no JavaScript error.

    cd tests && python -m probes.probe_live_updates --url http://127.0.0.1:8069 \\
        --db order_hub_demo --login hub.cs --password orderhub-cs --minutes 10

The browser logs in, then moves between the user's menus every ``--every``
seconds (a full reload every fifth move, which opens a new websocket).  Odoo
opens the websocket in a shared worker, out of the page's sight: after each
move the probe reads the state of the web client's bus (``CONNECTED`` when
the websocket is up).  It prints the states seen and the JavaScript errors,
and exits 1 when the bus was not connected at a move or a page raised an
error.  The server's own log is the other half of the check: its
``GET /websocket`` lines answer 101, and no websocket error or traceback
appears over the same minutes.

Needs Chromium (Debian's ``chromium``) and ``websocket-client``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter

import requests
import websocket

# the web client's bus service: the state of the websocket its shared worker holds
BUS_STATE = "odoo.__WOWL_DEBUG__?.root?.env?.services?.bus_service?.workerState"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class Browser:
    """Just enough of the Chrome DevTools Protocol: one page, its events kept."""

    def __init__(self, port):
        self.profile = tempfile.mkdtemp(prefix="order-hub-probe-")
        binary = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
        if not binary:
            sys.exit("Chromium is not installed (Debian: apt-get install chromium)")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--window-size=1366,900",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                pages = requests.get(f"http://127.0.0.1:{port}/json", timeout=5).json()
                page = next(p for p in pages if p.get("type") == "page")
                break
            except (requests.RequestException, StopIteration, ValueError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.events = []
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method, **params):
        self.next_id += 1
        wanted = self.next_id
        self.ws.send(json.dumps({"id": wanted, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def pump(self, seconds):
        """Collect events for ``seconds``."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.ws.settimeout(max(0.1, end - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                break

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        return result.get("result", {}).get("value")

    def goto(self, url, settle=4):
        self.call("Page.navigate", url=url)
        self.pump(settle)

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            self.process.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)


def summarise(events):
    handshakes, closed, failed, errors = Counter(), 0, [], []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.webSocketHandshakeResponseReceived":
            handshakes[params["response"]["status"]] += 1
        elif method == "Network.webSocketClosed":
            closed += 1
        elif method == "Network.webSocketFrameError":
            failed.append(params.get("errorMessage"))
        elif method == "Runtime.exceptionThrown":
            errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            # a websocket closed by our own reload is not an error of the server
            if "websocket" in entry.get("text", "").lower() and entry.get("source") == "network":
                failed.append(entry["text"])
            elif entry.get("source") != "network":
                errors.append(entry["text"])
    return handshakes, closed, failed, errors


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="order_hub_demo")
    parser.add_argument("--login", default="hub.cs")
    parser.add_argument("--password", default="orderhub-cs")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--every", type=float, default=30, help="seconds between two moves")
    parser.add_argument("--debug-port", type=int, default=9333)
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    browser = Browser(args.debug_port)
    try:
        browser.goto(f"{url}/web/login?db={args.db}")
        login, password = json.dumps(args.login), json.dumps(args.password)
        browser.evaluate(
            f"document.querySelector('input[name=login]').value = {login};"
            f"document.querySelector('input[name=password]').value = {password};"
            "document.querySelector('form.oe_login_form').submit(); true"
        )
        browser.pump(8)
        if "/odoo" not in (browser.evaluate("location.pathname") or ""):
            sys.exit(f"could not log in as {args.login}: {browser.evaluate('location.href')}")
        menus = browser.evaluate(
            "Array.from(document.querySelectorAll('.o_menu_sections a, .o_menu_sections button'))"
            ".map(a => a.textContent.trim()).filter(Boolean)"
        )
        print(f"logged in as {args.login}; menus: {', '.join(menus or [])}")
        start, moves, states = time.monotonic(), 0, Counter()
        while time.monotonic() - start < args.minutes * 60:
            moves += 1
            if moves % 5 == 0:
                browser.goto(f"{url}/odoo", settle=args.every)
                states[browser.evaluate(BUS_STATE) or "no web client"] += 1
                continue
            # open the next menu of the app's top bar, as a user clicking around
            browser.evaluate(
                "(() => { const items = Array.from(document.querySelectorAll("
                "'.o_menu_sections a.dropdown-item, .o_menu_sections > a, .o_menu_sections button'));"
                f" const item = items[{moves} % Math.max(items.length, 1)];"
                " if (item) item.click(); return true; })()"
            )
            browser.pump(args.every)
            states[browser.evaluate(BUS_STATE) or "no web client"] += 1
        handshakes, closed, failed, errors = summarise(browser.events)
    finally:
        browser.close()
    minutes = (time.monotonic() - start) / 60
    print(f"{minutes:.1f} minutes, {moves} moves")
    print(f"bus (websocket) state after each move: {dict(states)}")
    print(f"websocket handshakes the page saw, by HTTP status: {dict(handshakes) or 'none (shared worker)'}")
    print(f"websockets closed: {closed}; failed: {len(failed)}")
    print(f"JavaScript errors: {len(errors)}")
    for text in (failed + errors)[:20]:
        print(f"  - {text}")
    ok = set(states) == {"CONNECTED"} and set(handshakes) <= {101} and not failed and not errors
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
