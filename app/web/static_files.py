"""Static files with long cache lifetimes, addressed by content so a new version is a new URL."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ONE_YEAR = 31_536_000


class CachedStaticFiles(StaticFiles):
    """Serves files with ``Cache-Control: immutable`` when asked by a versioned URL.

    Pages link to ``/static/x.js?v=<hash of its content>`` (see ``static_url``), so a browser
    may keep a file for a year: changing the file changes its URL.
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
