"""Static files with long cache lifetimes, addressed by content so a new version is a new URL."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ONE_YEAR = 31_536_000


class CachedStaticFiles(StaticFiles):
    """Serves files with ``Cache-Control: immutable`` when asked by a versioned URL.

    Pages link to ``/static/x.js?v=<hash of its content>`` (see ``static_url``), and the
    modules those scripts import are mapped to the same versioned URLs (``ImportMap``), so
    a browser may keep a file for a year: changing the file changes its URL.
    """

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = (
                f"public, max-age={ONE_YEAR}, immutable" if versioned else "public, max-age=300"
            )
        return response


class StaticUrl:
    """``static_url('css/app.css')`` -> ``/static/css/app.css?v=1a2b3c4d5e``."""

    def __init__(self, root: Path, prefix: str) -> None:
        self.root, self.prefix = root, prefix

    def __call__(self, path: str) -> str:
        return f"{self.prefix}/{path}?v={self._digest(path)}"

    @lru_cache(maxsize=256)  # noqa: B019 - one instance per app, files fixed once served
    def _digest(self, path: str) -> str:
        file = self.root / path
        if not file.is_file():
            raise FileNotFoundError(
                f"static file {file} is missing; run `make setup` to install front-end libraries"
            )
        return hashlib.sha256(file.read_bytes()).hexdigest()[:10]


@dataclass(frozen=True)
class ImportMap:
    """An import map from every module's plain URL to its versioned one.

    Our modules import each other by relative path (``import ... from "../lib/format.js"``),
    which a browser resolves to ``/static/js/lib/format.js``: a plain URL, cached five
    minutes. The map, inline in every page's head, turns each such URL into
    ``static_url``'s, so imports are cached for a year like the page's own scripts, with no
    build step. ``text`` is the element's whole content; it never changes while the server
    runs (files are fixed once served), so the Content-Security-Policy allows it by its
    hash (``csp_source``) rather than allowing inline scripts.
    """

    text: str

    @classmethod
    def of_modules(cls, static_url: StaticUrl, folder: str = "js") -> ImportMap:
        """The map of every ``.js`` file under ``static/<folder>/``."""
        modules = sorted(
            file.relative_to(static_url.root).as_posix()
            for file in (static_url.root / folder).rglob("*.js")
        )
        imports = {f"{static_url.prefix}/{path}": static_url(path) for path in modules}
        text = json.dumps({"imports": imports}, separators=(",", ":"))
        # Inside <script> only "</script" could end the element early; no path of ours has
        # a "<", but a map written for HTML should not depend on that.
        return cls(text.replace("<", "\\u003c"))

    @property
    def csp_source(self) -> str:
        """``'sha256-...'``: the CSP source that allows exactly this inline element."""
        digest = hashlib.sha256(self.text.encode()).digest()
        return f"'sha256-{base64.b64encode(digest).decode()}'"
