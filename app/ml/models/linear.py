"""Linear regression on one input, optionally on polynomial features: mean squared error.

    y_hat = phi(x) @ w + b,   phi(x) = [t, t**2, ..., t**degree],   t = x / FEATURE_SCALE

With degree 1 the model is a straight line; degrees 2 and 3 let it bend to fit a
curve while staying linear in its parameters, so least squares still has one exact
answer (``least_squares``) that training should reach. The input is divided by
FEATURE_SCALE (the half-width of the data box) so every feature lies in [-1, 1]: with
raw x the t**3 column would be 8 times larger than t and need a learning rate 64
times smaller.

Shapes (n = samples, d = degree):
    x : (n, 1) float64, y : (n,) float64, phi : (n, d)
    params = [w (d,), b (1,)]

FLOP convention, counted from shapes (per call on n samples), as in app.ml.models.mlp:
    forward     features: scale n divides, each further power one multiply: n*d
                matmul 2*n*d (a multiply-add is 2), bias add n
    loss (MSE)  residual y_hat - y: n, square: n, accumulate into the mean: n = 3*n
    backward    residual scaled by 2/n: n; weight gradient phi^T r: 2*n*d;
                bias gradient (a sum): n
    optimizer   counted by each optimizer from its own update formula
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.ml.datasets import DATA_BOX, RegressionDataset
from app.ml.fingerprint import fingerprint as _fingerprint

Array = NDArray[np.float64]

FEATURE_SCALE = max(abs(DATA_BOX[0]), abs(DATA_BOX[1]))
MAX_DEGREE = 3
MSE_FLOPS_PER_SAMPLE = 3
# Targets lie in DATA_BOX, 4 wide, so predicting 0 everywhere already scores an MSE of
# at most 4. An MSE of 10,000 means predictions off by 100 on average, 25 times the
# whole range of the targets: only weights that have blown up get there.
MSE_DIVERGENCE_LOSS = 1.0e4
# Small seeded start, so the reader sees the line turn into place rather than grow from 0.
INIT_SCALE = 0.5


def polynomial_features(x: Array, degree: int) -> Array:
    """phi (n, degree): columns t, t**2, ..., t**degree of t = x / FEATURE_SCALE; x (n, 1)."""
    t = x[:, 0] / FEATURE_SCALE
    columns = [t]
    for _ in range(degree - 1):
        columns.append(columns[-1] * t)
    return np.column_stack(columns)


class LinearRegression:
    """y_hat = phi(x) @ w + b on polynomial features of one input, trained by MSE.

    degree : 1 (a line) to MAX_DEGREE
    params : [w of shape (degree,), b of shape (1,)]
    """

    divergence_loss = MSE_DIVERGENCE_LOSS

    def __init__(self, degree: int = 1, seed: int = 0) -> None:
        if not 1 <= degree <= MAX_DEGREE:
            raise ValueError(f"degree must be 1 to {MAX_DEGREE}, got {degree}")
        self.degree = degree
        rng = np.random.default_rng(seed)
        self.params: list[Array] = [
            rng.uniform(-INIT_SCALE, INIT_SCALE, size=degree),
            np.zeros(1),
        ]

    @property
    def n_parameters(self) -> int:
        """degree weights and one bias."""
        return self.degree + 1

    # -- training path -------------------------------------------------------------

    def loss_and_grads(self, x: Array, y: Array) -> tuple[float, list[Array]]:
        """Mean squared error on (x (n, 1), y (n,)) and its gradient [dw (d,), db (1,)].

        MSE = mean(r**2) with r = y_hat - y, so dMSE/dy_hat = 2 r / n; the features are
        kept from the forward pass because the weight gradient is phi^T (2 r / n).
        """
        phi = polynomial_features(x, self.degree)
        residual = phi @ self.params[0] + self.params[1] - y
        loss = float(np.mean(residual * residual))
        delta = residual * (2.0 / len(y))
        return loss, [phi.T @ delta, np.array([delta.sum()])]

    # -- inference path ------------------------------------------------------------

    def predict(self, x: Array) -> Array:
        """Predicted y (n,) for x (n, 1)."""
        prediction: Array = polynomial_features(x, self.degree) @ self.params[0]
        prediction += self.params[1]
        return prediction

    def loss(self, x: Array, y: Array) -> float:
        """Mean squared error on (x (n, 1), y (n,))."""
        residual = self.predict(x) - y
        return float(np.mean(residual * residual))

    # -- cost ----------------------------------------------------------------------

    def flops_forward(self, n_samples: int) -> int:
        """Features n*d, matmul 2*n*d, bias n (see module docstring)."""
        return 3 * n_samples * self.degree + n_samples

    def flops_loss(self, n_samples: int) -> int:
        """Residual, square and accumulate: 3 per sample."""
        return MSE_FLOPS_PER_SAMPLE * n_samples

    def flops_backward(self, n_samples: int) -> int:
        """Scale the residual n, weight gradient 2*n*d, bias gradient n."""
        return 2 * n_samples * self.degree + 2 * n_samples

    # -- identity ------------------------------------------------------------------

    def fingerprint(self) -> str:
        """16 hex chars identifying the exact weights (bytes and shapes, in order)."""
        return _fingerprint(self.params)

    def copy(self) -> LinearRegression:
        """An independent model with equal weights."""
        clone = LinearRegression.__new__(LinearRegression)
        clone.degree = self.degree
        clone.params = [p.copy() for p in self.params]
        return clone


def least_squares(dataset: RegressionDataset, degree: int = 1) -> LinearRegression:
    """The exact minimiser of the training MSE, from np.linalg.lstsq, as a model.

    What gradient descent should converge to: the reference for tests and for the page's
    "best possible line".
    """
    phi = polynomial_features(dataset.x_train, degree)
    design = np.column_stack([phi, np.ones(len(phi))])
    solution = np.asarray(np.linalg.lstsq(design, dataset.y_train, rcond=None)[0], np.float64)
    model = LinearRegression(degree)
    model.params = [solution[:-1].copy(), solution[-1:].copy()]
    return model
