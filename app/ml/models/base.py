"""What the training loop needs from a model: the common protocol every model satisfies.

A model owns its parameters as a list of float64 arrays (the optimizers update them in
place), computes its mean loss and the gradient of that loss for each parameter, and
counts the FLOPs of each phase from its own shapes. The input and target types vary
by model, so the protocol is generic in both:

    model                       x (inputs)                    y (targets)
    MLP (2-D points, digits)    (n, n_features) float64       (n,) int64 classes
    LinearRegression            (n, 1) float64                (n,) float64 values
    NextWordModel               (n, context) int64 token ids  (n,) int64 next-token ids

Every model also reports ``divergence_loss``: the mean loss above which the training
loop calls a run diverged. The right threshold depends on the loss (see each model).
"""

from __future__ import annotations

from typing import Protocol, Self, TypeVar

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

# Contravariant: a model that accepts any array also accepts the narrower arrays a
# dataset holds, and mypy checks a model against a dataset through these two.
X_contra = TypeVar("X_contra", contravariant=True)
Y_contra = TypeVar("Y_contra", contravariant=True)

# A uniform guess over k classes scores ln(k): 0.69 for two, 6.2 for 500 words. A mean
# cross-entropy of 100 means the model gives the true class about e^-100 on average:
# no learning run gets there without its weights having blown up.
CROSS_ENTROPY_DIVERGENCE_LOSS = 100.0


class TrainableModel(Protocol[X_contra, Y_contra]):
    """A model that ``app.ml.training.train_steps`` can train and count.

    params : list of float64 arrays, updated in place by an optimizer
    """

    params: list[Array]

    @property
    def n_parameters(self) -> int:
        """Number of scalar parameters (the optimizer's per-parameter FLOPs scale by it)."""
        ...

    @property
    def divergence_loss(self) -> float:
        """Mean loss above which training is called diverged and stops."""
        ...

    def loss_and_grads(self, x: X_contra, y: Y_contra) -> tuple[float, list[Array]]:
        """Training path: mean loss on (x, y) and its gradient, one array per param."""
        ...

    def loss(self, x: X_contra, y: Y_contra) -> float:
        """Inference path: the same mean loss, keeping nothing for a backward pass."""
        ...

    def flops_forward(self, n_samples: int) -> int:
        """FLOPs of the forward pass (the inference cost) on n_samples."""
        ...

    def flops_loss(self, n_samples: int) -> int:
        """FLOPs that turn the forward pass's output into the mean loss."""
        ...

    def flops_backward(self, n_samples: int) -> int:
        """FLOPs of the gradient computation only (no optimizer update)."""
        ...

    def fingerprint(self) -> str:
        """16 hex chars identifying the exact weights."""
        ...

    def copy(self) -> Self:
        """An independent model with equal weights (the start of a fine-tuning run)."""
        ...
