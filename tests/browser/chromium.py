"""Which Chromium the browser tests and scripts/screenshot.py drive, and how it starts."""

from __future__ import annotations

import os

# `make test` finds one (scripts/find-chromium) and passes it here; Debian's by default.
CHROMIUM = os.environ.get("PHASELAB_CHROMIUM") or "/usr/bin/chromium"
# Without the networking flags Chromium keeps trying to reach Google on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
