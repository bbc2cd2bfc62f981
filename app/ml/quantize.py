"""8-bit weights "for a phone": an MLP whose weight matrices are stored as int8.

Symmetric per-tensor quantisation: each weight matrix W is stored as
q = round(W / s) in int8 [-127, 127] with one float32 scale s = max|W| / 127, and
used as q * s. -128 is left out so that the range is symmetric and 0 stays exactly 0.
Biases are few and set where each neuron switches on, so they stay float32, as in
common phone runtimes. Inference runs in float32.

Sizes count the stored numbers only: int8 weights 1 byte, scales and biases 4, and the
original's float64 weights 8 bytes each (float32, half that, is what a phone would
otherwise ship).

    x : (n, layer_sizes[0]), probabilities : (n, n_classes)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.ml.fingerprint import fingerprint as _fingerprint
from app.ml.losses import SOFTMAX_FLOPS_PER_ELEMENT, softmax_inplace
from app.ml.models.mlp import ACTIVATIONS, MLP

Array = NDArray[np.float64]
Array32 = NDArray[np.float32]

INT8_LIMIT = 127
FLOAT32_BYTES = 4
FLOAT64_BYTES = 8


def quantize_tensor(weights: Array) -> tuple[NDArray[np.int8], float]:
    """int8 values and the float32 scale s with weights ~ values * s (symmetric, per tensor)."""
    largest = float(np.abs(weights).max())
    scale = float(np.float32(largest / INT8_LIMIT)) if largest > 0 else 1.0
    values = np.clip(np.rint(weights / scale), -INT8_LIMIT, INT8_LIMIT).astype(np.int8)
    return values, scale


class QuantizedMLP:
    """An MLP's architecture with int8 weight matrices, float32 scales and biases.

    weights : [q_0, q_1, ...] int8 of shape (fan_in, fan_out); scales : one per matrix
    biases : [b_0, b_1, ...] float32 of shape (fan_out,)
    """

    def __init__(self, model: MLP) -> None:
        self.layer_sizes = model.layer_sizes
        self.activation = model.activation
        self.weights: list[NDArray[np.int8]] = []
        self.scales: list[float] = []
        for matrix in model.params[0::2]:
            values, scale = quantize_tensor(matrix)
            self.weights.append(values)
            self.scales.append(scale)
        self.biases: list[Array32] = [b.astype(np.float32) for b in model.params[1::2]]

    def predict_proba(self, x: Array) -> Array:
        """Class probabilities (n, n_classes) for x (n, layer_sizes[0]), computed in float32.

        Each layer multiplies by the int8 matrix (widened to float32) and then by its
        scale: the same as multiplying by the dequantised matrix, one multiply per output.
        """
        activate = ACTIVATIONS[self.activation]
        a = np.asarray(x, dtype=np.float32)
        last = len(self.weights) - 1
        for layer, (values, scale, bias) in enumerate(
            zip(self.weights, self.scales, self.biases, strict=True)
        ):
            a = a @ values.astype(np.float32)
            a *= np.float32(scale)
            a += bias
            if layer < last:
                activate(a)  # type: ignore[arg-type]  # the in-place ops keep float32
        return softmax_inplace(a).astype(np.float64)

    def predict(self, x: Array) -> NDArray[np.intp]:
        """Most probable class (n,) for x (n, layer_sizes[0])."""
        classes: NDArray[np.intp] = self.predict_proba(x).argmax(axis=1)
        return classes

    @property
    def n_parameters(self) -> int:
        return sum(w.size for w in self.weights) + sum(b.size for b in self.biases)

    def size_bytes(self) -> int:
        """Stored bytes: 1 per weight, 4 per scale, 4 per bias."""
        weights = sum(w.size for w in self.weights)
        biases = sum(b.size for b in self.biases)
        return weights + FLOAT32_BYTES * (len(self.scales) + biases)

    def flops_forward(self, n_samples: int) -> int:
        """The MLP's count plus one scale multiply per layer output (app.ml.models.mlp)."""
        flops = SOFTMAX_FLOPS_PER_ELEMENT * n_samples * self.layer_sizes[-1]
        last = len(self.weights) - 1
        for layer, values in enumerate(self.weights):
            fan_in, fan_out = values.shape
            flops += 2 * n_samples * fan_in * fan_out + 2 * n_samples * fan_out
            if layer < last:
                flops += n_samples * fan_out
        return flops

    def fingerprint(self) -> str:
        """16 hex chars identifying the stored numbers (int8 values, scales, biases)."""
        arrays: list[Array] = [w.astype(np.float64) for w in self.weights]
        arrays.append(np.array(self.scales, dtype=np.float64))
        arrays.extend(b.astype(np.float64) for b in self.biases)
        return _fingerprint(arrays)


def quantize(model: MLP) -> QuantizedMLP:
    """The model with int8 weights (see the module docstring); the model is not changed."""
    return QuantizedMLP(model)


def float_size_bytes(model: MLP, bytes_per_number: int = FLOAT64_BYTES) -> int:
    """Stored bytes of the model's parameters as float64 (8, the default) or float32 (4)."""
    return model.n_parameters * bytes_per_number


def agreement(model: MLP, quantized: QuantizedMLP, x: Array) -> float:
    """Share of rows of x (n, d) on which both give the same most probable class."""
    original = model.predict_proba(x).argmax(axis=1)
    return float(np.mean(original == quantized.predict(x)))
