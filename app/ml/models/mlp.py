"""A multi-layer perceptron classifier in numpy: softmax output, mean cross-entropy loss.

The loss, its gradient with respect to the logits and the softmax are app.ml.losses'.

Two paths, as in scikit-learn's MLP. The training path, ``stacked_loss_and_grads``,
keeps every layer's activation for the backward pass, and runs R models of one shape at
once (a class training together; a model alone is a stack of one); ``stacked_logits`` is
its forward pass alone, used to measure runs. ``predict_proba`` is the inference path
for one model: it overwrites one buffer per layer and keeps nothing. Each model's
weights live in one flat vector (``layer_layout``), so models stack into one array.

Shapes (n = samples, k = classes, layer l maps fan_in a_l to fan_out b_l):
    x : (n, layer_sizes[0]), y : (n,) int classes, W_l : (a_l, b_l), b_l : (b_l,)
    params = [W_0, b_0, W_1, b_1, ...]

FLOP convention, counted from shapes (every count below is per call on n samples):
    forward, per layer      matmul 2*n*a*b (a multiply-add is 2), bias add n*b,
                            hidden activation n*b (1 per element)
    softmax                 5*n*k: max 1, subtract 1, exp 1, sum 1, divide 1
    cross-entropy (loss)    3*n: log of the normaliser 1, subtract the true logit 1,
                            accumulate into the mean 1 (both in app.ml.losses)
    backward                output gradient (P - Y) / n: 2*n*k
                            per layer: weight gradient A^T @ delta 2*n*a*b,
                            bias gradient (column sums) n*b, and, except for the first
                            layer whose input gradient is never needed, input gradient
                            delta @ W^T 2*n*b*a plus activation derivative 1 and
                            product 1 per input element: 2*n*a
    optimizer               counted by each optimizer from its own update formula
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.ml.fingerprint import fingerprint_flat
from app.ml.losses import (
    CROSS_ENTROPY_FLOPS_PER_SAMPLE,
    SOFTMAX_FLOPS_PER_ELEMENT,
    softmax_cross_entropy,
    softmax_inplace,
)
from app.ml.models.base import CROSS_ENTROPY_DIVERGENCE_LOSS

Array = NDArray[np.float64]
# The inference path also runs in single precision where only a picture needs it.
Floats = NDArray[np.floating[Any]]


def _tanh(z: Array) -> Array:
    """Hyperbolic tangent, in place; returns z."""
    return np.tanh(z, out=z)


def _tanh_derivative(a: Array, delta: Array) -> None:
    """delta *= tanh'(z), written with the activation a = tanh(z): 1 - a**2."""
    slope = a * a  # one temporary, reused: a class's stacks make these large
    np.subtract(1.0, slope, out=slope)
    delta *= slope


def _relu(z: Array) -> Array:
    """max(z, 0), in place; returns z."""
    return np.maximum(z, 0.0, out=z)


def _relu_derivative(a: Array, delta: Array) -> None:
    """delta *= relu'(z), written with a = relu(z): the gradient is cut where a == 0."""
    delta[a == 0.0] = 0.0


# Activations work in place so the inference path allocates one buffer per layer.
ACTIVATIONS: dict[str, Callable[[Array], Array]] = {"tanh": _tanh, "relu": _relu}
DERIVATIVES: dict[str, Callable[[Array, Array], None]] = {
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
}
# Uniform init bound from (fan_in, fan_out): Glorot keeps tanh out of saturation,
# He compensates for ReLU zeroing half its inputs. The biases are drawn within the same
# bound, as scikit-learn's MLP draws them, not started at zero. Zero biases make every
# first-layer unit's boundary a line through the origin and, with tanh, the whole network
# an odd function, f(-x) = -f(x). On the spiral and the moons the data are symmetric the
# same way (the point -x has the other class), so the biases' gradients cancel in
# expectation and stay near zero; a spiral needs boundaries that miss the origin, and
# 3 of 20 seeds stalled there (spiral, (32, 32), tanh, Adam 0.01: 0.58-0.68 training
# accuracy after 1,500 steps, against 0.94-0.98 for scikit-learn and for this init).
INIT_BOUNDS: dict[str, Callable[[int, int], float]] = {
    "tanh": lambda fan_in, fan_out: float(np.sqrt(6.0 / (fan_in + fan_out))),
    "relu": lambda fan_in, fan_out: float(np.sqrt(6.0 / fan_in)),
}


@functools.cache
def layer_layout(layer_sizes: tuple[int, ...]) -> tuple[tuple[int, int, int], ...]:
    """(offset, fan_in, fan_out) of each layer in the flat parameter vector.

    Layer l's weights W_l (fan_in, fan_out) start at its offset, row-major, and its bias
    b_l (fan_out,) follows them; the next layer starts right after.
    """
    layout = []
    offset = 0
    for fan_in, fan_out in pairwise(layer_sizes):
        layout.append((offset, fan_in, fan_out))
        offset += fan_in * fan_out + fan_out
    return tuple(layout)


def param_views(flat: Array, layer_sizes: tuple[int, ...]) -> list[Array]:
    """[W_0, b_0, W_1, b_1, ...] as views into one flat parameter (or gradient) vector."""
    views = []
    for offset, fan_in, fan_out in layer_layout(layer_sizes):
        end = offset + fan_in * fan_out
        views.append(flat[offset:end].reshape(fan_in, fan_out))
        views.append(flat[end : end + fan_out])
    return views


def _stacked_layers(
    rows: Floats, layout: tuple[tuple[int, int, int], ...]
) -> list[tuple[Any, Any]]:
    """Views (W (R, a, b), b (R, 1, b)) of each layer in rows (R, n_parameters)."""
    count = rows.shape[0]
    views = []
    for offset, fan_in, fan_out in layout:
        end = offset + fan_in * fan_out
        weights = rows[:, offset:end].reshape(count, fan_in, fan_out)
        views.append((weights, rows[:, end : end + fan_out].reshape(count, 1, fan_out)))
    return views


def _through_hidden(layers: list[tuple[Any, Any]], activation: str, x: Any) -> list[Any]:
    """[x, h_1, ..., h_last]: the stacked forward pass up to the output layer."""
    activate = ACTIVATIONS[activation]
    outputs = [x]
    for weights, bias in layers[:-1]:
        a = outputs[-1] @ weights
        a += bias
        outputs.append(activate(a))
    return outputs


def _output(layers: list[tuple[Any, Any]], hidden: Any) -> Any:
    """Logits (R, n, k) of the last hidden layer's activations (R, n, h)."""
    weights, bias = layers[-1]
    logits = hidden @ weights
    logits += bias
    return logits


def stacked_logits(rows: Floats, layer_sizes: tuple[int, ...], activation: str, x: Floats) -> Any:
    """Output logits (R, n, k) of R models of one shape, one per row of rows.

    rows : (R, n_parameters), each an MLP's flat parameters; x : (R, n, d) inputs per
    model, or (n, d) shared by all. The training step's forward pass, so a run's metrics
    are the same numbers whether it was measured alone or with others. Works in the
    inputs' precision: double for metrics, single for decision maps. Held-out loss and
    accuracy: ``app.ml.losses.cross_entropy_scores(stacked_logits(...), y)``.
    """
    layers = _stacked_layers(rows, layer_layout(layer_sizes))
    return _output(layers, _through_hidden(layers, activation, x)[-1])


def stacked_chance_of_class(
    rows: Floats, layer_sizes: tuple[int, ...], activation: str, x: Floats, chosen: int
) -> Any:
    """The probability (R, n) of one class, for R models of one shape (see stacked_logits).

    With two classes it is a sigmoid of the difference of the two logits, the same
    quantity as the softmax's but without computing every class's probability: a
    decision map needs only this, at every point of its grid.
    """
    if layer_sizes[-1] != 2:
        return softmax_inplace(stacked_logits(rows, layer_sizes, activation, x))[..., chosen]
    layers = _stacked_layers(rows, layer_layout(layer_sizes))
    a = _through_hidden(layers, activation, x)[-1]
    weights, bias = layers[-1]
    other = 1 - chosen
    toward = (weights[..., chosen] - weights[..., other])[..., None]  # (R, h, 1)
    margin = a @ toward
    margin += (bias[..., chosen] - bias[..., other])[..., None]
    # Beyond +-30 the probability is 0 or 1 to far more digits than a map shows.
    np.clip(margin, -30.0, 30.0, out=margin)
    np.negative(margin, out=margin)
    np.exp(margin, out=margin)
    margin += 1.0
    np.reciprocal(margin, out=margin)
    return margin[..., 0]


def stacked_loss_and_grads(
    rows: Array,
    layer_sizes: tuple[int, ...],
    activation: str,
    x: Array,
    y: NDArray[np.int64],
) -> tuple[Array, Array, NDArray[np.intp]]:
    """Mean cross-entropy (R,), its gradient (R, n_parameters) and the number of rows
    each model classified right (R,), for R models at once.

    rows : (R, n_parameters), one model's flat parameters per row; x : (R, n, d) and
    y : (R, n), one minibatch per model, all of n rows. Row r of the answer depends only
    on row r of the inputs, and is the same bits whatever R is: the arithmetic is
    elementwise, per-row reductions, and one matrix product per model (numpy calls BLAS
    once per stacked matrix). So a run trains to the same weights alone or in a group.
    """
    n = y.shape[-1]
    layout = layer_layout(layer_sizes)
    layers = _stacked_layers(rows, layout)
    derivative = DERIVATIVES[activation]

    # Forward, keeping every layer's input for the backward pass.
    inputs = _through_hidden(layers, activation, x)
    # Each model's mean cross-entropy, right answers and d(loss)/d(logits), (P - Y) / n.
    losses, delta, hits = softmax_cross_entropy(_output(layers, inputs[-1]), y)

    grads = np.empty_like(rows)
    grad_layers = _stacked_layers(grads, layout)
    ones = np.ones((1, n))  # column sums as a product, so they are per-model BLAS calls too
    for layer in range(len(layers) - 1, -1, -1):
        layer_input = inputs[layer]
        grad_weights, grad_bias = grad_layers[layer]
        np.matmul(layer_input.swapaxes(-1, -2), delta, out=grad_weights)
        np.matmul(ones, delta, out=grad_bias)
        if layer > 0:
            delta = delta @ layers[layer][0].swapaxes(-1, -2)
            derivative(layer_input, delta)
    return losses, grads, hits


class MLP:
    """Fully connected classifier: hidden layers of one activation, softmax output.

    layer_sizes : e.g. (2, 16, 16, 2) = input, hidden..., n_classes
    flat : every weight and bias in one vector (see layer_layout), so an optimizer
        updates it in a few operations and several models stack into one array
    params : [W_0, b_0, W_1, b_1, ...], views into flat, W_l of shape (fan_in, fan_out),
        b_l of (fan_out,)
    """

    divergence_loss = CROSS_ENTROPY_DIVERGENCE_LOSS

    def __init__(self, layer_sizes: Sequence[int], activation: str, seed: int) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
            )
        sizes = tuple(int(size) for size in layer_sizes)
        if len(sizes) < 2 or min(sizes) < 1 or sizes[-1] < 2:
            raise ValueError(f"layer_sizes needs an input size and at least 2 classes, got {sizes}")
        self.layer_sizes = sizes
        self.activation = activation
        self._set_flat(np.zeros(sum(a * b + b for a, b in pairwise(sizes))))
        rng = np.random.default_rng(seed)
        bound = INIT_BOUNDS[activation]
        for layer, (fan_in, fan_out) in enumerate(pairwise(sizes)):
            limit = bound(fan_in, fan_out)
            # The biases are drawn like the weights, as scikit-learn draws them, not set to
            # zero: see INIT_BOUNDS for why a zero start can stall on symmetric patterns.
            self.params[2 * layer][...] = rng.uniform(-limit, limit, size=(fan_in, fan_out))
            self.params[2 * layer + 1][...] = rng.uniform(-limit, limit, size=fan_out)

    def _set_flat(self, flat: Array) -> None:
        self.flat = flat
        self.params: list[Array] = param_views(flat, self.layer_sizes)

    def move_weights_to(self, flat: Array) -> None:
        """Keep the weights in ``flat`` from now on, typically a row of a stack of runs'
        weights (app.ml.training): writing that row is then changing this model."""
        if flat.shape != self.flat.shape:
            raise ValueError(f"weights need shape {self.flat.shape}, got {flat.shape}")
        flat[...] = self.flat
        self._set_flat(flat)

    def release_weights(self) -> None:
        """Keep the weights in an array of its own, so a shared stack is not kept alive."""
        self._set_flat(self.flat.copy())

    @property
    def n_parameters(self) -> int:
        """Number of scalar weights and biases."""
        return int(self.flat.size)

    @property
    def _layer_shapes(self) -> list[tuple[int, int]]:
        return list(pairwise(self.layer_sizes))

    # -- training path -------------------------------------------------------------

    def loss_and_grads(self, x: Array, y: NDArray[np.int64]) -> tuple[float, list[Array]]:
        """Mean softmax cross-entropy on (x (n, d), y (n,)) and its gradient per param.

        The training step of app.ml.training, for one model (a stack of one).
        """
        losses, grads, _ = stacked_loss_and_grads(
            self.flat[None], self.layer_sizes, self.activation, x[None], y[None]
        )
        return float(losses[0]), param_views(grads[0], self.layer_sizes)

    # -- inference path ------------------------------------------------------------

    def logits(self, x: Array) -> Array:
        """Output-layer logits (n, n_classes); one new buffer per layer, activated in place."""
        activate = ACTIVATIONS[self.activation]
        params = self.params
        a = x
        for i in range(0, len(params) - 2, 2):
            a = a @ params[i]
            a += params[i + 1]
            activate(a)
        a = a @ params[-2]
        a += params[-1]
        return a

    def predict_proba(self, x: Array) -> Array:
        """Class probabilities (n, n_classes) for x (n, layer_sizes[0]); stores nothing."""
        return softmax_inplace(self.logits(x))

    def loss(self, x: Array, y: NDArray[np.int64]) -> float:
        """Mean cross-entropy on (x (n, d), y (n,)) via the inference path."""
        return float(softmax_cross_entropy(self.logits(x), y).losses)

    def accuracy(self, x: Array, y: NDArray[np.int64]) -> float:
        """Fraction of rows of x whose most probable class equals y."""
        return float(np.mean(self.predict_proba(x).argmax(axis=1) == y))

    # -- cost ----------------------------------------------------------------------

    def flops_forward(self, n_samples: int) -> int:
        """FLOPs to compute class probabilities for n_samples (see module docstring)."""
        shapes = self._layer_shapes
        flops = 0
        for layer, (fan_in, fan_out) in enumerate(shapes):
            flops += 2 * n_samples * fan_in * fan_out + n_samples * fan_out
            if layer < len(shapes) - 1:
                flops += n_samples * fan_out
        return flops + SOFTMAX_FLOPS_PER_ELEMENT * n_samples * self.layer_sizes[-1]

    def flops_loss(self, n_samples: int) -> int:
        """FLOPs to turn probabilities' normalisers and logits into the mean cross-entropy."""
        return CROSS_ENTROPY_FLOPS_PER_SAMPLE * n_samples

    def flops_backward(self, n_samples: int) -> int:
        """FLOPs of the gradient computation only (no optimizer update)."""
        flops = 2 * n_samples * self.layer_sizes[-1]
        for layer, (fan_in, fan_out) in enumerate(self._layer_shapes):
            flops += 2 * n_samples * fan_in * fan_out + n_samples * fan_out
            if layer > 0:
                flops += 2 * n_samples * fan_out * fan_in + 2 * n_samples * fan_in
        return flops

    # -- identity ------------------------------------------------------------------

    def fingerprint(self) -> str:
        """16 hex chars identifying the exact weights: the layer sizes and every weight's
        bytes, in order (all of them are in flat)."""
        return fingerprint_flat(self.layer_sizes, self.flat)

    def copy(self) -> MLP:
        """An independent model with equal weights."""
        clone = MLP.__new__(MLP)
        clone.layer_sizes = self.layer_sizes
        clone.activation = self.activation
        clone._set_flat(self.flat.copy())
        return clone
