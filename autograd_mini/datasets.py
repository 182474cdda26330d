"""Small toy data sets for classification, made with numpy from a seed.

Every maker takes ``n`` (the number of samples), ``noise`` (how much random jitter) and
``seed`` (an int, or None for a fresh random draw), and returns two numpy arrays:

* ``X``: float64 of shape ``(n, d)``, one row of features per sample;
* ``y``: int64 of shape ``(n,)``, the class of each row, ``0 .. k-1``.

Samples are split between the classes as evenly as possible and the rows are shuffled, so
any slice of the data holds a mix of classes. The same seed gives the same arrays.

Every argument is checked before any work, and an error names it: ``n`` is 1 to
``MAX_SAMPLES`` (1,000,000), a number of classes at most ``MAX_CLASSES`` (1,000), ``noise`` a
finite number >= 0, ``seed`` an int >= 0 or None. A noise so large that a point (or make_credit's
score) would overflow a float is refused too, so the data are always finite.

>>> X, y = make_moons(6, seed=0)
>>> X.shape, X.dtype, y.shape, y.dtype
((6, 2), dtype('float64'), (6,), dtype('int64'))
>>> sorted(y.tolist())
[0, 0, 0, 1, 1, 1]
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

from . import checks

try:
    import numpy as np
    from numpy.typing import NDArray
except ImportError as error:
    raise checks.missing("numpy", "autograd_mini.datasets (the toy data sets)") from error


Dataset: TypeAlias = "tuple[NDArray[np.float64], NDArray[np.int64]]"

#: The most samples a maker makes: a million rows (16 MB for 2 features, 80 MB for make_credit's 10),
#: more than the scalar engine trains on in an hour.
MAX_SAMPLES = 1_000_000
#: The most classes (blobs, spiral arms): each is a step of Python, and a classifier of a toy set
#: with more classes than this is no longer a toy.
MAX_CLASSES = 1_000

CREDIT_FEATURES = (
    "income",
    "savings",
    "debt",
    "years_employed",
    "credit_history_years",
    "late_payments",
    "credit_utilization",
    "age",
    "open_accounts",
    "recent_inquiries",
)
"""What the 10 columns of ``make_credit`` stand for, each in standard units (z-scores)."""

CREDIT_WEIGHTS = (1.0, 0.8, -1.0, 0.5, 0.5, -1.2, -0.8, 0.2, 0.0, -0.4)
"""How much each feature adds to the credit score; ``open_accounts`` does not matter at all."""

CREDIT_CLASSES = (
    "excellent: high spending limit",
    "average: moderate spending limit",
    "low: low spending limit",
    "high default risk",
)
"""The four decisions of ``make_credit``, best first (class 0 is the best)."""


def make_moons(n: int = 100, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Two interleaving half circles: class 0 arches up, class 1 arches down beside it.

    Class 0 lies on ``(cos t, sin t)`` and class 1 on ``(1 - cos t, 0.5 - sin t)``, t evenly
    spaced in [0, pi], before the noise.

    Args:
        n: number of samples, 1 to MAX_SAMPLES.
        noise: standard deviation of the Gaussian jitter added to each coordinate, >= 0.
        seed: an int >= 0 for a repeatable draw, None for a fresh one.

    Returns:
        ``(X, y)``: X of shape (n, 2), y in {0, 1}.

    Raises:
        TypeError: an argument of the wrong type (``n`` 2.5, ``seed`` "a", ``noise`` True), named.
        ValueError: an argument out of its range (the module's docs), named; ``noise`` so large
            that a point overflows. The other makers raise the same way.

    >>> X, y = make_moons(4, noise=0.0, seed=0)
    >>> sorted(map(tuple, X[y == 0].round(3).tolist()))
    [(-1.0, 0.0), (1.0, 0.0)]
    """
    rng = _generator(n, noise, seed)
    points, labels = [], []
    for label, m in enumerate(_class_sizes(n, 2)):
        t = np.linspace(0.0, math.pi, m)
        arc = np.column_stack([np.cos(t), np.sin(t)])
        points.append(arc if label == 0 else np.column_stack([1.0 - arc[:, 0], 0.5 - arc[:, 1]]))
        labels.append(np.full(m, label))
    return _finish(points, labels, noise, rng)


def make_circles(n: int = 100, noise: float = 0.05, seed: int | None = None, factor: float = 0.5) -> Dataset:
    """Two rings around the origin: class 0 of radius 1 outside, class 1 of radius ``factor`` inside.

    Args:
        n: number of samples, 1 to MAX_SAMPLES.
        noise: standard deviation of the Gaussian jitter added to each coordinate, >= 0.
        seed: an int >= 0 for a repeatable draw, None for a fresh one.
        factor: the inner ring's radius, between 0 and 1.

    Returns:
        ``(X, y)``: X of shape (n, 2), y in {0, 1}.

    >>> X, y = make_circles(8, noise=0.0, seed=0)
    >>> np.hypot(X[:, 0], X[:, 1])[y == 1].round(6).tolist()
    [0.5, 0.5, 0.5, 0.5]
    """
    radius_inside = checks.number_in(factor, "make_circles factor", 0.0, 1.0, low_open=True, high_open=True)
    rng = _generator(n, noise, seed)
    points, labels = [], []
    for label, m in enumerate(_class_sizes(n, 2)):
        angle = np.linspace(0.0, 2.0 * math.pi, m, endpoint=False)
        radius = 1.0 if label == 0 else radius_inside
        points.append(radius * np.column_stack([np.cos(angle), np.sin(angle)]))
        labels.append(np.full(m, label))
    return _finish(points, labels, noise, rng)


def make_spirals(n: int = 100, noise: float = 0.05, seed: int | None = None, classes: int = 2) -> Dataset:
    """``classes`` spiral arms wound around each other, one arm per class.

    Arm c holds points at radius r (evenly spaced in [0.05, 1]) and angle
    ``2 pi c / classes + 3 pi r``: one and a half turns from the centre outwards.

    Args:
        n: number of samples, 1 to MAX_SAMPLES.
        noise: standard deviation of the Gaussian jitter added to each coordinate, >= 0.
        seed: an int >= 0 for a repeatable draw, None for a fresh one.
        classes: number of arms (and classes), 2 to MAX_CLASSES; with more than ``n``, some get no sample.

    Returns:
        ``(X, y)``: X of shape (n, 2), y in {0, ..., classes - 1}.

    >>> X, y = make_spirals(9, seed=0, classes=3)
    >>> X.shape, np.bincount(y).tolist()
    ((9, 2), [3, 3, 3])
    """
    k = _classes(classes, "make_spirals classes", least=2)
    rng = _generator(n, noise, seed)
    points, labels = [], []
    for label, m in enumerate(_class_sizes(n, k)):
        radius = np.linspace(0.05, 1.0, m)
        angle = 2.0 * math.pi * label / k + 3.0 * math.pi * radius
        points.append(radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]))
        labels.append(np.full(m, label))
    return _finish(points, labels, noise, rng)


def make_xor(n: int = 100, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Points in the square [-1, 1]², class 1 where exactly one coordinate is positive.

    The label is set from the clean point; the noise then moves points, so a few cross the axes.
    Unlike the other makers, the class sizes follow the draw (about half each).

    Args:
        n: number of samples, 1 to MAX_SAMPLES.
        noise: standard deviation of the Gaussian jitter added to each coordinate, >= 0.
        seed: an int >= 0 for a repeatable draw, None for a fresh one.

    Returns:
        ``(X, y)``: X of shape (n, 2), y in {0, 1}.

    >>> X, y = make_xor(50, noise=0.0, seed=0)
    >>> bool(np.all(y == ((X[:, 0] > 0) != (X[:, 1] > 0))))
    True
    """
    rng = _generator(n, noise, seed)
    clean = rng.uniform(-1.0, 1.0, size=(n, 2))
    labels = ((clean[:, 0] > 0) != (clean[:, 1] > 0)).astype(np.int64)
    return _finish([clean], [labels], noise, rng)


def make_blobs(n: int = 100, noise: float = 0.5, seed: int | None = None, centers: int = 3) -> Dataset:
    """Round Gaussian clouds, one per class, centred evenly on a circle of radius 2.

    Args:
        n: number of samples, 1 to MAX_SAMPLES.
        noise: standard deviation of each cloud (per coordinate), >= 0.
        seed: an int >= 0 for a repeatable draw, None for a fresh one.
        centers: number of clouds (and classes), 1 to MAX_CLASSES; with more than ``n``, some get no sample.

    Returns:
        ``(X, y)``: X of shape (n, 2), y in {0, ..., centers - 1}.

    >>> X, y = make_blobs(4, noise=0.0, seed=0, centers=2)
    >>> X[y == 1].round(6).tolist()
    [[-2.0, 0.0], [-2.0, 0.0]]
    """
    k = _classes(centers, "make_blobs centers", least=1)
    rng = _generator(n, noise, seed)
    points, labels = [], []
    for label, m in enumerate(_class_sizes(n, k)):
        angle = 2.0 * math.pi * label / k
        points.append(np.tile([2.0 * math.cos(angle), 2.0 * math.sin(angle)], (m, 1)))
        labels.append(np.full(m, label))
    return _finish(points, labels, noise, rng)


def make_credit(n: int = 200, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """The seed texts' bank example: 10 facts about an applicant -> one of 4 credit decisions.

    The rule: each of the 10 features (named in ``CREDIT_FEATURES``: income, savings, debt,
    years employed, ...) is drawn as a z-score from a standard normal. The credit score is
    the weighted sum ``X @ CREDIT_WEIGHTS`` scaled to standard deviation 1, plus Gaussian
    noise of standard deviation ``noise`` (applicants the rule misjudges). The score is cut
    into four bands at -0.674, 0 and 0.674 (the quartiles of a standard normal), so the
    classes are about equally common: class 0 (excellent) for the top band down to class 3
    (high default risk) for the bottom one; ``CREDIT_CLASSES`` names them.

    Args:
        n: number of applicants, 1 to MAX_SAMPLES.
        noise: standard deviation of the noise on the score, >= 0 (0: the rule holds exactly).
        seed: an int >= 0 for a repeatable draw, None for a fresh one.

    Returns:
        ``(X, y)``: X of shape (n, 10), y in {0, 1, 2, 3}.

    >>> X, y = make_credit(1000, noise=0.0, seed=0)
    >>> X.shape, np.bincount(y).tolist()           # about a quarter each
    ((1000, 10), [251, 253, 265, 231])
    >>> int(y[np.argmax(X @ CREDIT_WEIGHTS)])       # the best score gets the best class
    0
    """
    rng = _generator(n, noise, seed)
    weights = np.array(CREDIT_WEIGHTS)
    features = rng.standard_normal((n, len(CREDIT_FEATURES)))
    score = _finite(features @ weights / np.linalg.norm(weights), noise, rng, "scores")
    quartile = 0.6744897501960817  # the standard normal's 75th percentile
    y = 3 - np.searchsorted([-quartile, 0.0, quartile], score)
    return features, y.astype(np.int64)


# -- helpers ------------------------------------------------------------------------------


def _generator(n: Any, noise: Any, seed: Any) -> np.random.Generator:
    """Check the arguments every maker shares, and return the seeded generator."""
    checks.count(n, "n")
    if n > MAX_SAMPLES:
        raise ValueError(f"n must be at most {MAX_SAMPLES:,} (datasets.MAX_SAMPLES), got {n:,}")
    checks.non_negative(noise, "noise")
    return np.random.default_rng(checks.seed(seed, least=0))


def _classes(value: Any, name: str, least: int) -> int:
    """A number of classes, from ``least`` to MAX_CLASSES."""
    k = checks.count(value, name, least=least)
    if k > MAX_CLASSES:
        raise ValueError(f"{name} must be at most {MAX_CLASSES:,} (datasets.MAX_CLASSES), got {k:,}")
    return k


def _class_sizes(n: int, k: int) -> list[int]:
    """n split into k sizes as equal as possible, the first classes taking the remainder."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _finite(clean: Any, noise: float, rng: np.random.Generator, what: str = "points") -> Any:
    """``clean`` plus Gaussian jitter of standard deviation ``noise``, or a ValueError if one of ``what`` overflows."""
    with np.errstate(over="ignore"):  # an overflow is refused below, by name, not warned about
        jittered = clean + noise * rng.standard_normal(np.shape(clean))
    if not np.all(np.isfinite(jittered)):
        raise ValueError(
            f"noise must be small enough to keep every number finite, got {noise!r}: "
            f"noise {noise!r} puts {what} beyond the range of a float (about 1.8e+308)"
        )
    return jittered


def _finish(points: list[Any], labels: list[Any], noise: float, rng: np.random.Generator) -> Dataset:
    """Stack the classes, add the jitter, and shuffle the rows."""
    clean = np.concatenate(points).astype(np.float64)
    y = np.concatenate(labels).astype(np.int64)
    jittered = _finite(clean, noise, rng)
    order = rng.permutation(len(y))
    return jittered[order], y[order]
