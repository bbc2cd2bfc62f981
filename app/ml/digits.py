"""Synthetic handwritten-style digits, generated here (nothing is downloaded).

Each digit 0-9 is a template of strokes (line segments and elliptical arcs) on a unit
square, x to the right and y downwards as on a screen. A sample moves every stroke
point a little (a wobbly hand), turns, scales and shears the glyph slightly, renders it
with a random stroke thickness into a SIDE x SIDE grayscale image (ink 1, paper 0),
then normalises it as ``normalise_image`` does for a reader's drawing, and finally adds
pixel noise. Because training images and drawings pass through the same
normalisation, where and how large the reader draws does not matter.

    x : ndarray of shape (n_samples, SIDE * SIDE), float64 in [0, 1], rows of the image
        concatenated (pixel (r, c) is feature r * SIDE + c)
    y : ndarray of shape (n_samples,), int64 digits 0-9
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from app.ml.datasets import Dataset, check_sizes, stratified_split

Array = NDArray[np.float64]

SIDE = 16
N_CLASSES = 10

# A stroke is ("line", x0, y0, x1, y1) or ("arc", cx, cy, rx, ry, t0, t1) with angles in
# degrees, the point at angle t being (cx + rx cos t, cy - ry sin t): 90 is the top,
# 0 the right, and going from t0 to t1 > t0 turns anticlockwise on screen.
Stroke = tuple[str, float, float, float, float, *tuple[float, ...]]
GLYPHS: dict[int, tuple[Stroke, ...]] = {
    0: (("arc", 0.5, 0.5, 0.22, 0.34, 0.0, 360.0),),
    1: (("line", 0.52, 0.15, 0.52, 0.85), ("line", 0.52, 0.15, 0.38, 0.3)),
    2: (
        ("arc", 0.5, 0.34, 0.21, 0.19, -40.0, 165.0),
        ("line", 0.66, 0.46, 0.28, 0.85),
        ("line", 0.28, 0.85, 0.75, 0.85),
    ),
    3: (
        ("arc", 0.5, 0.32, 0.19, 0.17, -90.0, 150.0),
        ("arc", 0.5, 0.66, 0.21, 0.19, -150.0, 90.0),
    ),
    4: (
        ("line", 0.62, 0.15, 0.25, 0.62),
        ("line", 0.25, 0.62, 0.78, 0.62),
        ("line", 0.62, 0.15, 0.62, 0.85),
    ),
    5: (
        ("line", 0.72, 0.15, 0.35, 0.15),
        ("line", 0.35, 0.15, 0.32, 0.48),
        ("arc", 0.5, 0.64, 0.22, 0.21, -150.0, 140.0),
    ),
    6: (
        ("arc", 0.5, 0.65, 0.2, 0.2, 0.0, 360.0),
        ("arc", 0.66, 0.62, 0.36, 0.46, 100.0, 180.0),
    ),
    7: (("line", 0.25, 0.15, 0.75, 0.15), ("line", 0.75, 0.15, 0.42, 0.85)),
    8: (
        ("arc", 0.5, 0.32, 0.17, 0.16, 0.0, 360.0),
        ("arc", 0.5, 0.67, 0.21, 0.18, 0.0, 360.0),
    ),
    9: (
        ("arc", 0.5, 0.35, 0.2, 0.2, 0.0, 360.0),
        ("line", 0.7, 0.35, 0.66, 0.85),
    ),
}

# Points per full turn of an arc: enough that the polyline looks round at 16 pixels.
_ARC_POINTS_PER_TURN = 24
# Images rendered per vectorised call: bounds the (chunk, pixels, segments) temporaries.
_RENDER_CHUNK = 128
# The normalised glyph's longer side spans this share of the image, as MNIST puts a
# 20-pixel box in a 28-pixel image: a margin, so a shifted stroke is not cut off.
GLYPH_EXTENT = 0.7
# Pixels at or above this share of the brightest pixel count as ink for the bounding box.
INK_THRESHOLD = 0.2
# A drawing whose total ink is below this many full pixels is treated as empty.
MIN_INK_PIXELS = 3.0

# Sampling ranges of the random hand (uniform unless noted).
WOBBLE = 0.05  # amplitude of the smooth wobble, in glyph units
ROTATION_DEGREES = 15.0
SCALE_RANGE = (0.75, 1.25)
SHEAR = 0.25
SHIFT = 0.1
THICKNESS_PIXELS = (0.6, 1.8)  # half-width of the pen, in output pixels


def _polyline(stroke: Stroke) -> Array:
    """The stroke as (m, 2) points in glyph units."""
    kind, *numbers = stroke
    if kind == "line":
        return np.array(numbers, dtype=np.float64).reshape(2, 2)
    cx, cy, rx, ry, t0, t1 = numbers
    count = max(3, round(abs(t1 - t0) / 360.0 * _ARC_POINTS_PER_TURN) + 1)
    angles = np.radians(np.linspace(t0, t1, count))
    return np.column_stack([cx + rx * np.cos(angles), cy - ry * np.sin(angles)])


def template_segments(digit: int) -> tuple[Array, Array]:
    """Start and end points (m, 2) each, of every straight piece of the digit's strokes."""
    starts, ends = [], []
    for stroke in GLYPHS[digit]:
        points = _polyline(stroke)
        starts.append(points[:-1])
        ends.append(points[1:])
    return np.concatenate(starts), np.concatenate(ends)


def _pixel_centres(side: int) -> Array:
    """(side * side, 2) pixel centres as (x, y) in unit-square units, row-major."""
    coords = (np.arange(side) + 0.5) / side
    xs, ys = np.meshgrid(coords, coords)
    return np.column_stack([xs.ravel(), ys.ravel()])


def render_segments(starts: Array, ends: Array, thickness: Array, side: int) -> Array:
    """Ink images (n, side * side) of n sets of m segments: starts, ends (n, m, 2).

    thickness (n,): half-width of the pen in pixels. A pixel's ink falls linearly from 1
    to 0 as its distance to the nearest segment goes from half a pixel inside the
    half-width to half a pixel beyond it (anti-aliasing, so a thin stroke still shows).
    """
    pixels = _pixel_centres(side) * side  # in pixel units, so thickness is in pixels
    a, b = starts * side, ends * side
    # x and y kept apart: reductions over a trailing axis of 2 are slow in numpy.
    ab_x, ab_y = (b[..., 0] - a[..., 0])[:, None, :], (b[..., 1] - a[..., 1])[:, None, :]
    ap_x = pixels[None, :, 0, None] - a[:, None, :, 0]  # (n, P, m)
    ap_y = pixels[None, :, 1, None] - a[:, None, :, 1]
    inverse_length2 = 1.0 / np.maximum(ab_x * ab_x + ab_y * ab_y, 1e-12)
    # Closest point on each segment to each pixel, as a fraction t of the way along it.
    t = np.clip((ap_x * ab_x + ap_y * ab_y) * inverse_length2, 0.0, 1.0)
    ap_x -= t * ab_x
    ap_y -= t * ab_y
    distance = np.sqrt((ap_x * ap_x + ap_y * ap_y).min(axis=2))  # (n, P)
    ink: Array = np.clip(thickness[:, None] + 0.5 - distance, 0.0, 1.0)
    return ink


def _bilinear(images: Array, rows: Array, cols: Array) -> Array:
    """images (n, side, side) sampled at fractional pixel coordinates rows, cols (n, side,
    side); 0 outside the image."""
    n, side = images.shape[0], images.shape[1]
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))  # a pixel of paper all round
    r = np.clip(rows + 1.0, 0.0, side + 1.0 - 1e-9)
    c = np.clip(cols + 1.0, 0.0, side + 1.0 - 1e-9)
    r0, c0 = np.floor(r).astype(np.intp), np.floor(c).astype(np.intp)
    fr, fc = r - r0, c - c0
    image = np.arange(n)[:, None, None]
    top = padded[image, r0, c0] * (1 - fc) + padded[image, r0, c0 + 1] * fc
    bottom = padded[image, r0 + 1, c0] * (1 - fc) + padded[image, r0 + 1, c0 + 1] * fc
    sampled: Array = top * (1 - fr) + bottom * fr
    return sampled


def normalise_images(images: Array) -> Array:
    """Scale each image's ink box to GLYPH_EXTENT of the side, centre its mass, peak 1.

    images : (n, side, side) ink in [0, 1]. Returns new (n, side, side) images; an image
    without ink comes back as zeros. The same steps for training images and drawings.
    """
    side = images.shape[1]
    peak = images.max(axis=(1, 2))
    has_ink = peak > 0.0
    safe_peak = np.where(has_ink, peak, 1.0)[:, None, None]
    # Bounding box of the pixels at or above INK_THRESHOLD of the image's peak.
    ink: NDArray[np.bool_] = images >= INK_THRESHOLD * safe_peak
    grid = np.arange(side, dtype=np.float64)
    rows_any = np.asarray(ink.any(axis=2), dtype=np.bool_)  # (n, side)
    cols_any = np.asarray(ink.any(axis=1), dtype=np.bool_)
    height = _span(rows_any)
    width = _span(cols_any)
    scale = GLYPH_EXTENT * side / np.maximum(np.maximum(height, width), 1.0)
    total = np.where(has_ink, images.sum(axis=(1, 2)), 1.0)
    centre_row = (images.sum(axis=2) @ grid) / total
    centre_col = (images.sum(axis=1) @ grid) / total
    middle = (side - 1) / 2.0
    out_rows, out_cols = np.meshgrid(grid, grid, indexing="ij")
    # Each output pixel reads the source where the inverse of "scale about the centre of
    # mass, then move it to the middle" sends it.
    inverse = (1.0 / scale)[:, None, None]
    normalised = _bilinear(
        images,
        (out_rows - middle) * inverse + centre_row[:, None, None],
        (out_cols - middle) * inverse + centre_col[:, None, None],
    )
    top = normalised.max(axis=(1, 2))
    normalised /= np.where(top > 0.0, top, 1.0)[:, None, None]
    normalised[~has_ink] = 0.0
    clipped: Array = np.clip(normalised, 0.0, 1.0)
    return clipped


def _span(any_ink: NDArray[np.bool_]) -> Array:
    """Extent in pixels (n,) from the first to the last True of each row of (n, side)."""
    side = any_ink.shape[1]
    first = np.argmax(any_ink, axis=1)
    last = side - 1 - np.argmax(any_ink[:, ::-1], axis=1)
    span: Array = (last - first + 1).astype(np.float64)
    return span


def normalise_image(image: Array) -> Array:
    """``normalise_images`` for one (side, side) image."""
    normalised: Array = normalise_images(image[None])[0]
    return normalised


def _random_hand(digit: int, count: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """Segment starts and ends (count, m, 2) of ``count`` randomly drawn copies of a digit."""
    starts, ends = template_segments(digit)
    m = len(starts)
    points = np.concatenate([starts, ends])  # (2m, 2)
    # The wobble is a smooth random displacement *field* (one sine wave per axis, about
    # one cycle across the square): a point shared by two segments moves once, so
    # strokes bend without breaking apart at their joints.
    frequency = rng.uniform(2.0, 7.0, size=(count, 2, 2))
    phase = rng.uniform(0.0, 2.0 * np.pi, size=(count, 2))
    wobble = WOBBLE * np.sin(np.einsum("pi,nki->npk", points, frequency) + phase[:, None, :])
    angle = np.radians(rng.uniform(-ROTATION_DEGREES, ROTATION_DEGREES, count))
    scale = rng.uniform(*SCALE_RANGE, size=(count, 2))
    shear = rng.uniform(-SHEAR, SHEAR, count)
    shift = rng.uniform(-SHIFT, SHIFT, size=(count, 2))
    cos, sin = np.cos(angle), np.sin(angle)
    # Row vectors p @ M about the middle of the square: shear x by y, scale, then turn.
    matrix = np.empty((count, 2, 2))
    matrix[:, 0, 0] = scale[:, 0] * cos
    matrix[:, 0, 1] = scale[:, 0] * sin
    matrix[:, 1, 0] = shear * scale[:, 0] * cos - scale[:, 1] * sin
    matrix[:, 1, 1] = shear * scale[:, 0] * sin + scale[:, 1] * cos
    centred = points[None] + wobble - 0.5
    moved = np.einsum("npi,nij->npj", centred, matrix) + 0.5 + shift[:, None, :]
    return moved[:, :m], moved[:, m:]


def render_digits(
    digits: Sequence[int] | NDArray[np.int64],
    noise: float,
    rng: np.random.Generator,
    side: int = SIDE,
) -> Array:
    """Images (n, side * side) of the given digits drawn by the random hand.

    Each image is normalised (``normalise_images``), then Gaussian pixel noise of standard
    deviation ``noise`` is added and the result clipped to [0, 1].
    """
    labels = np.asarray(digits, dtype=np.int64)
    images = np.empty((len(labels), side * side))
    # Digits are drawn class by class (each has its own segment count), in a fixed order.
    for digit in range(N_CLASSES):
        rows = np.flatnonzero(labels == digit)
        if len(rows) == 0:
            continue
        starts, ends = _random_hand(digit, len(rows), rng)
        thickness = rng.uniform(*THICKNESS_PIXELS, size=len(rows))
        for chunk in range(0, len(rows), _RENDER_CHUNK):
            part = slice(chunk, chunk + _RENDER_CHUNK)
            ink = render_segments(starts[part], ends[part], thickness[part], side)
            normalised = normalise_images(ink.reshape(-1, side, side))
            images[rows[part]] = normalised.reshape(-1, side * side)
    if noise > 0:
        images += noise * rng.standard_normal(images.shape)
        np.clip(images, 0.0, 1.0, out=images)
    return images


def make_digits(
    n_samples: int, seed: int, noise: float = 0.1, val_fraction: float = 0.3
) -> Dataset:
    """``n_samples`` synthetic digit images, classes balanced (n_samples // 10 or one more).

    Deterministic from ``seed``. ``noise`` in [0, 1] is the standard deviation of the
    pixel noise. The split is stratified like the 2-D datasets'.
    """
    check_sizes(n_samples, noise, val_fraction)
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples, dtype=np.int64) % N_CLASSES
    x = render_digits(y, noise, rng)
    train, val = stratified_split(y, val_fraction, rng)
    return Dataset(
        x_train=np.ascontiguousarray(x[train]),
        y_train=y[train],
        x_val=np.ascontiguousarray(x[val]),
        y_val=y[val],
        n_classes=N_CLASSES,
    )


def template_image(digit: int, side: int = SIDE, thickness: float = 1.0) -> Array:
    """The digit's template drawn cleanly (no hand, no noise) as a (side, side) image.

    Not normalised: it stands in for a reader's drawing in tests and demos.
    """
    starts, ends = template_segments(digit)
    return render_segments(starts[None], ends[None], np.array([thickness]), side).reshape(
        side, side
    )


# -- a reader's drawing ---------------------------------------------------------------


def drawing_problem(pixels: object, side: int = SIDE) -> str | None:
    """A plain-language reason a drawing cannot be read, or None when it is fine.

    Expected input: a side x side grid (list of rows, top row first, or an array) of
    numbers in [0, 1], 1 = ink, 0 = paper; the page downsamples its canvas to that grid.
    """
    try:
        grid = np.asarray(pixels, dtype=np.float64)
    except (TypeError, ValueError):
        return f"The drawing should be a {side} by {side} grid of numbers between 0 and 1."
    if grid.shape != (side, side):
        return (
            f"The drawing should be a {side} by {side} grid of numbers; "
            f"this one is {' by '.join(map(str, grid.shape)) or 'a single number'}."
        )
    if not np.isfinite(grid).all() or grid.min() < 0.0 or grid.max() > 1.0:
        return "Every pixel of the drawing should be a number between 0 (paper) and 1 (ink)."
    if grid.sum() < MIN_INK_PIXELS:
        return "The drawing is empty: draw a digit first."
    return None


def prepare_drawing(pixels: object, side: int = SIDE) -> Array:
    """A reader's drawing as model input: (1, side * side) features, normalised as in training.

    pixels : a side x side grid of ink values in [0, 1] (see ``drawing_problem``, whose
    message is raised as a ValueError when the drawing cannot be used).
    """
    problem = drawing_problem(pixels, side)
    if problem is not None:
        raise ValueError(problem)
    grid = np.asarray(pixels, dtype=np.float64)
    return normalise_image(grid).reshape(1, side * side)
