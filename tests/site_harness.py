"""The built website served on loopback, and a headless Chromium that loads only from it.

Used by tests/test_site.py and benchmarks/bench_site.py. The server is
Python's own static file server on a free port; the browser blocks (and
records) every request that does not go to it, so a page that would fetch
anything from the internet is caught.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

from browser_harness import free_port


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no line per request in the test output
        pass


class SiteServer:
    """A static server of `folder` on 127.0.0.1; a context manager."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        handler = functools.partial(_Quiet, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, page: str) -> str:
        return f"{self.base}/{page}"


class Watch:
    """What one page did: the requests it was denied, its console errors."""

    def __init__(self, context, page, base: str):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.base = base

        def route(request_route):
            url = request_route.request.url
            if url.startswith(self.base + "/") or url.startswith("data:"):
                self.requests.append(url)
                request_route.continue_()
            else:
                self.blocked.append(url)
                request_route.abort()

        context.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        # The console says only "404"; this says what was missing.
        page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"{r.status} {r.url}"))


def open_page(browser, site: SiteServer, path: str, **context_options):
    """(page, watch): a new browser context with `path` loaded (scripts may still run)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    watch = Watch(context, page, site.base)
    page.goto(site.url(path), wait_until="load")
    return page, watch
