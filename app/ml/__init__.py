"""The numpy training engine: datasets, models, optimizers, training loop, decision surface.

Imports numpy and the standard library only, so the math can be read, tested and
benchmarked without the web app.
"""

from __future__ import annotations
