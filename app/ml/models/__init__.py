"""Models trained by the engine; each exposes a training path and a fast inference path."""

from __future__ import annotations
