"""Softmax cross-entropy: the classifiers' loss, computed in one place.

Every classifier in app.ml (the MLP on 2-D points or digits, and the next-word model)
ends in logits and trains on the mean softmax cross-entropy of its rows.
``softmax_cross_entropy`` is the only implementation of it: the loss, its gradient with
respect to the logits and the count of right answers, for one model's logits (n, k) or
a stack of R models' (R, n, k) at once. ``softmax_inplace`` is the same softmax without
the loss, for the inference paths; its probabilities are the same bits as those the
loss came from. ``cross_entropy_scores`` is what a held-out measurement reports.

The loss is taken from the logits (log-sum-exp), never from the log of a probability,
so a confidently wrong prediction gives a large finite loss rather than log(0).

Shapes (the leading ``...`` is () for one model, (R,) for a stack of R):
    logits : (..., n, k), y : (..., n) int classes 0..k-1
    losses, hits : (...,), gradient : (..., n, k)

FLOP convention (see app.ml.models.mlp), per call on n rows of k classes:
    softmax                 5*n*k: max 1, subtract 1, exp 1, sum 1, divide 1
    cross-entropy (loss)    3*n: log of the normaliser 1, subtract the true logit 1,
                            accumulate into the mean 1
    gradient                (P - Y) / n: 2*n*k, counted in each model's backward pass
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
AnyFloats = NDArray[np.floating[Any]]
# The inference paths also take softmaxes in single precision (decision maps, int8 model).
Floats = TypeVar("Floats", bound=AnyFloats)

SOFTMAX_FLOPS_PER_ELEMENT = 5
CROSS_ENTROPY_FLOPS_PER_SAMPLE = 3

# Up to this many classes, reducing over the class axis column by column is faster.
FEW_CLASSES = 4


def _over_classes(combine: np.ufunc, z: AnyFloats) -> AnyFloats:
    """combine.reduce over the last (class) axis of z, keeping the axis.

    With a few classes and many rows, numpy's reduction over a short last axis pays its
    loop overhead once per row; column by column it is paid once per class ("Reductions
    over the class axis" in docs/benchmarks-history.md). With many classes (the
    ten digits, a vocabulary) or few rows, numpy's own reduction is the cheaper. The
    choice depends only on the number of classes, so a model always takes the same path.
    """
    if z.shape[-1] > FEW_CLASSES:
        reduced: AnyFloats = combine.reduce(z, axis=-1, keepdims=True)
        return reduced
    out = z[..., 0:1].copy()
    for column in range(1, z.shape[-1]):
        combine(out, z[..., column : column + 1], out=out)
    return out


def _subtract_row_max(z: AnyFloats) -> None:
    """z -= its max over the last axis, in place: exp cannot overflow, softmax unchanged."""
    np.subtract(z, _over_classes(np.maximum, z), out=z)


def softmax_inplace(z: Floats) -> Floats:
    """Softmax over the last axis of logits z (..., k), in place; returns z."""
    _subtract_row_max(z)
    np.exp(z, out=z)
    np.divide(z, _over_classes(np.add, z), out=z)
    return z


class CrossEntropy(NamedTuple):
    """What ``softmax_cross_entropy`` computes, per model (one, or each of a stack).

    losses : (...,) mean cross-entropy over each model's n rows
    gradient : (..., n, k) d losses / d logits, each model's own: (softmax - onehot(y)) / n
    hits : (...,) rows whose most probable class (the first, on a tie) is the label
    """

    losses: Array
    gradient: Array
    hits: NDArray[np.intp]


def softmax_cross_entropy(logits: Array, y: NDArray[np.int64]) -> CrossEntropy:
    """Mean softmax cross-entropy of logits (..., n, k) against labels y (..., n).

    One model's logits (n, k) with y (n,), or R models' (R, n, k) with y (R, n), each
    model averaged over its own rows. ``logits`` is used as scratch: it is overwritten
    (with the logits minus their row max). Model r's answers depend only on row r of the
    inputs, by elementwise operations and reductions within the row, so they are the same
    bits whatever R is: a run scores and trains the same alone or in a stack.
    """
    *stack, n, k = logits.shape
    _subtract_row_max(logits)
    gradient = np.exp(logits)
    norm = _over_classes(np.add, gradient)
    gradient /= norm  # the probabilities, until they are turned into the gradient
    # Each row's true class, as positions in the flattened logits.
    true_class = np.arange(0, logits.size, k)
    true_class += y.reshape(-1)
    picked = logits.reshape(-1)[true_class].reshape(*stack, n)
    # log-sum-exp minus the true logit; np.mean's arithmetic (a sum, then one division)
    # without its Python overhead.
    losses: Array = np.add.reduce(np.log(norm[..., 0]) - picked, axis=-1) / n
    # Right answers as predict counts them: argmax of the probabilities the loss came from.
    hits: NDArray[np.intp] = np.add.reduce(gradient.argmax(axis=-1) == y, axis=-1)
    gradient.reshape(-1)[true_class] -= 1.0
    gradient /= n
    return CrossEntropy(losses, gradient, hits)


def cross_entropy_scores(logits: Array, y: NDArray[np.int64]) -> tuple[Array, Array]:
    """Mean cross-entropy and accuracy (...,) of logits (..., n, k) for labels (..., n).

    A held-out measurement of one model (a stack of one) or of several at once, from
    ``softmax_cross_entropy`` (``logits`` is overwritten likewise).
    """
    scored = softmax_cross_entropy(logits, y)
    accuracies: Array = scored.hits / y.shape[-1]
    return scored.losses, accuracies
