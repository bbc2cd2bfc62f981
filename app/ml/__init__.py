"""The numpy training engine: datasets, models, optimizers, training loop, decision surface.

The model zoo (app.ml.models): the MLP classifier (2-D points and digits), linear
regression on one input, and a tiny next-word model, all trained by the one loop in
app.ml.training through the protocol in app.ml.models.base. Around them: digits.py
(synthetic digit images and a reader's drawing), text.py (the corpus, its tokens and
vocabulary), novelty.py (is an input like the training data?) and quantize.py (8-bit
weights). The engine holds no default setup: every default of a run is its spec's
(app.runs.specs), and tests/ml asserts the quality of the app's own default runs.

Imports numpy and the standard library only, so the math can be read, tested and
benchmarked without the web app.
"""

from __future__ import annotations
