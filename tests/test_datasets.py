"""Tests for autograd_mini.datasets: shapes, seeds, the documented geometry and rules, bad input."""

import math
import warnings
from statistics import NormalDist

import numpy as np
import pytest

from autograd_mini import datasets
from autograd_mini.datasets import (
    CREDIT_FEATURES,
    CREDIT_WEIGHTS,
    make_blobs,
    make_circles,
    make_credit,
    make_moons,
    make_spirals,
    make_xor,
)

# maker, number of features, number of classes with the default arguments
MAKERS = [
    (make_moons, 2, 2),
    (make_circles, 2, 2),
    (make_spirals, 2, 2),
    (make_xor, 2, 2),
    (make_blobs, 2, 3),
    (make_credit, 10, 4),
]


@pytest.mark.parametrize(("maker", "d", "k"), MAKERS)
def test_shapes_dtypes_and_labels(maker, d, k):
    x, y = maker(61, seed=3)
    assert isinstance(x, np.ndarray) and isinstance(y, np.ndarray)
    assert x.shape == (61, d) and x.dtype == np.float64
    assert y.shape == (61,) and y.dtype == np.int64
    assert set(y.tolist()) <= set(range(k))
    assert np.all(np.isfinite(x))


@pytest.mark.parametrize(("maker", "d", "k"), MAKERS)
def test_same_seed_same_data_other_seed_other_data(maker, d, k):
    x1, y1 = maker(40, seed=7)
    x2, y2 = maker(40, seed=7)
    x3, _ = maker(40, seed=8)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize(("maker", "d", "k"), MAKERS)
def test_one_sample_is_enough(maker, d, k):
    x, y = maker(1, seed=0)
    assert x.shape == (1, d) and y.shape == (1,)


@pytest.mark.parametrize(("maker", "sizes"), [(make_moons, [4, 3]), (make_circles, [4, 3]), (make_blobs, [3, 2, 2])])
def test_classes_split_evenly_and_rows_are_shuffled(maker, sizes):
    _, y = maker(7, seed=0)
    assert np.bincount(y).tolist() == sizes
    _, y_big = maker(300, seed=0)
    assert not np.all(np.diff(y_big) >= 0)  # not sorted by class


def test_moons_without_noise_lie_on_their_arcs():
    x, y = make_moons(50, noise=0.0, seed=0)
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(1.0 - lower[:, 0], 0.5 - lower[:, 1]), 1.0)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


@pytest.mark.parametrize("maker", [make_moons, make_circles, make_spirals, make_blobs])
def test_noise_is_the_standard_deviation_of_the_jitter(maker):
    clean, y_clean = maker(2000, noise=0.0, seed=4)
    noisy, y_noisy = maker(2000, noise=0.2, seed=4)
    np.testing.assert_array_equal(y_clean, y_noisy)  # same seed: same rows in the same order
    jitter = noisy - clean
    np.testing.assert_allclose(jitter.mean(axis=0), 0.0, atol=0.02)
    np.testing.assert_allclose(jitter.std(axis=0), 0.2, atol=0.01)


def test_circles_radii_and_factor():
    x, y = make_circles(40, noise=0.0, seed=0, factor=0.3)
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)


def test_spirals_follow_the_documented_angle():
    k = 3
    x, y = make_spirals(90, noise=0.0, seed=0, classes=k)
    radius = np.hypot(x[:, 0], x[:, 1])
    angle = np.arctan2(x[:, 1], x[:, 0])
    expected = 2 * math.pi * y / k + 3 * math.pi * radius
    gap = np.angle(np.exp(1j * (angle - expected)))  # difference folded into (-pi, pi]
    np.testing.assert_allclose(gap, 0.0, atol=1e-9)
    assert radius.min() == pytest.approx(0.05) and radius.max() == pytest.approx(1.0)
    assert np.bincount(y).tolist() == [30, 30, 30]


def test_xor_labels_follow_the_quadrants():
    x, y = make_xor(200, noise=0.0, seed=0)
    assert np.all(np.abs(x) <= 1.0)
    expected = np.where(x[:, 0] * x[:, 1] < 0, 1, 0)
    np.testing.assert_array_equal(y, expected)
    assert 60 < y.sum() < 140


def test_blobs_sit_on_a_circle_of_radius_two():
    x, y = make_blobs(3000, noise=0.5, seed=0, centers=4)
    for label, (cx, cy) in enumerate([(2, 0), (0, 2), (-2, 0), (0, -2)]):
        cloud = x[y == label]
        np.testing.assert_allclose(cloud.mean(axis=0), [cx, cy], atol=0.07)
        np.testing.assert_allclose(cloud.std(axis=0), [0.5, 0.5], atol=0.05)


def test_credit_labels_follow_the_documented_rule():
    x, y = make_credit(4000, noise=0.0, seed=0)
    w = np.array([1.0, 0.8, -1.0, 0.5, 0.5, -1.2, -0.8, 0.2, 0.0, -0.4])  # written out again from the docs
    assert len(CREDIT_FEATURES) == 10 and tuple(w) == CREDIT_WEIGHTS
    score = x @ w / math.sqrt(np.sum(w**2))
    q = NormalDist().inv_cdf(0.75)
    expected = np.select([score >= q, score >= 0, score >= -q], [0, 1, 2], default=3)
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_allclose(np.bincount(y) / len(y), 0.25, atol=0.03)
    np.testing.assert_allclose(x.mean(axis=0), 0.0, atol=0.06)
    np.testing.assert_allclose(x.std(axis=0), 1.0, atol=0.06)


def test_credit_noise_flips_labels_near_the_band_edges():
    clean_x, clean_y = make_credit(3000, noise=0.0, seed=5)
    _, noisy_y = make_credit(3000, noise=0.3, seed=5)
    noisy_x, _ = make_credit(3000, noise=0.3, seed=5)
    np.testing.assert_array_equal(clean_x, noisy_x)  # the noise is on the score, not on the features
    changed = np.mean(clean_y != noisy_y)
    assert 0.05 < changed < 0.4
    assert np.all(np.abs(clean_y - noisy_y) <= 2)  # moved by bands, not scrambled


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: make_moons(0), ValueError, "n must be an int >= 1, got 0"),
        (lambda: make_credit(-5), ValueError, "n must be an int >= 1, got -5"),
        (lambda: make_moons(2.5), TypeError, "n must be an int"),
        (lambda: make_moons(True), TypeError, "n must be an int"),
        (lambda: make_circles(10, noise=-0.1), ValueError, "noise"),
        (lambda: make_xor(10, noise=float("nan")), ValueError, "noise"),
        (lambda: make_blobs(10, noise="big"), TypeError, "noise must be a real number, got str"),
        (lambda: make_moons(10, seed="a"), TypeError, "seed"),
        (lambda: make_circles(10, factor=1.5), ValueError, "factor"),
        (lambda: make_spirals(10, classes=1), ValueError, "classes"),
        (lambda: make_blobs(10, centers=0), ValueError, "centers"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_module_documents_its_return_types():
    assert "numpy" in datasets.__doc__ and "int64" in datasets.__doc__


# -- issue 19: finite data, sizes checked before any work, every argument named ------------------

ALL_MAKERS = [maker for maker, _, _ in MAKERS]


@pytest.mark.parametrize("maker", ALL_MAKERS)
def test_a_noise_that_overflows_is_refused_naming_noise(maker):
    # The issue: noise=1e308 gave data holding infinities (and numpy's overflow warning).
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way to the error
        with pytest.raises(ValueError, match=r"^noise must be small enough to keep every number finite, got 1e\+308"):
            maker(200, noise=1e308, seed=0)


@pytest.mark.parametrize("maker", ALL_MAKERS)
def test_a_huge_noise_that_does_not_overflow_gives_finite_data(maker):
    x, _ = maker(200, noise=1e300, seed=0)  # |jitter| < ~6e300: finite
    assert np.all(np.isfinite(x))


@pytest.mark.parametrize("maker", ALL_MAKERS)
def test_too_many_samples_are_refused_before_any_work(maker, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the generator was made before the size was checked")

    monkeypatch.setattr(datasets.np.random, "default_rng", no_work)
    with pytest.raises(ValueError, match=r"^n must be at most 1,000,000 \(datasets\.MAX_SAMPLES\), got 1,000,000,001$"):
        maker(10**9 + 1)


@pytest.mark.parametrize("maker", ALL_MAKERS)
def test_the_sample_limit_is_the_module_attribute_at_its_edge(maker, monkeypatch):
    monkeypatch.setattr(datasets, "MAX_SAMPLES", 50)
    assert len(maker(50, seed=0)[1]) == 50
    with pytest.raises(ValueError, match=r"^n must be at most 50 "):
        maker(51, seed=0)


@pytest.mark.parametrize(("maker", "argument"), [(make_blobs, "centers"), (make_spirals, "classes")])
def test_too_many_classes_are_refused_before_any_work(maker, argument, monkeypatch):
    # The issue: make_blobs(10, centers=10**9) looped over a billion classes (> 20 s).
    def no_work(n, k):
        raise AssertionError("the classes were being made before their number was checked")

    monkeypatch.setattr(datasets, "_class_sizes", no_work)
    words = rf"^{maker.__name__} {argument} must be at most 1,000 \(datasets\.MAX_CLASSES\), got 1,000,000,000$"
    with pytest.raises(ValueError, match=words):
        maker(10, **{argument: 10**9})


@pytest.mark.parametrize(("maker", "argument"), [(make_blobs, "centers"), (make_spirals, "classes")])
def test_the_most_classes_allowed_are_made(maker, argument):
    _, y = maker(2000, seed=0, **{argument: datasets.MAX_CLASSES})
    assert np.bincount(y).tolist() == [2] * 1000  # 2000 samples, 1,000 classes of 2
    with pytest.raises(ValueError, match=rf"{argument} must be at most 1,000"):
        maker(10, **{argument: 1001})


def test_the_limits_are_stated_in_the_docs():
    assert (datasets.MAX_SAMPLES, datasets.MAX_CLASSES) == (1_000_000, 1_000)
    assert "MAX_SAMPLES`` (1,000,000)" in datasets.__doc__ and "MAX_CLASSES`` (1,000)" in datasets.__doc__
    for maker in ALL_MAKERS:
        assert "1 to MAX_SAMPLES" in maker.__doc__


@pytest.mark.parametrize("maker", ALL_MAKERS)
@pytest.mark.parametrize(
    ("seed", "error", "words"),
    [
        (-1, ValueError, r"^seed must be an int >= 0 or None, got -1$"),  # was numpy's "expected non-negative integer"
        (np.int64(-5), ValueError, r"^seed must be an int >= 0 or None, got np\.int64\(-5\)$|got -5$"),
        (True, TypeError, r"^seed must be an int >= 0 or None, got bool: True$"),
        (1.0, TypeError, r"^seed must be an int >= 0 or None, got float: 1\.0$"),
    ],
)
def test_bad_seeds_are_refused_naming_seed(maker, seed, error, words):
    with pytest.raises(error, match=words):
        maker(10, seed=seed)


@pytest.mark.parametrize("maker", ALL_MAKERS)
def test_seeds_of_every_kind_of_int_work(maker):
    np.testing.assert_array_equal(maker(10, seed=np.int64(3))[0], maker(10, seed=3)[0])
    assert maker(10, seed=2**100)[0].shape[0] == 10


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda m: m(True), TypeError, r"^n must be an int >= 1, got bool: True$"),
        (lambda m: m(10.0), TypeError, r"^n must be an int >= 1, got float: 10\.0$"),
        (lambda m: m(10, noise=True), TypeError, r"^noise must be a real number, got bool: True$"),
        (lambda m: m(10, noise=math.nan), ValueError, r"^noise must be a finite number >= 0, got nan$"),
        (lambda m: m(10, noise=math.inf), ValueError, r"^noise must be a finite number >= 0, got inf$"),
        (lambda m: m(10, noise=10**400), ValueError, r"^noise must be a finite number >= 0, got 1000"),
        (lambda m: m(10, seed="a"), TypeError, r"^seed must be an int >= 0 or None, got str: 'a'$"),
    ],
)
@pytest.mark.parametrize("maker", ALL_MAKERS)
def test_every_shared_argument_error_names_the_argument(maker, call, error, words):
    with pytest.raises(error, match=words):
        call(maker)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: make_circles(10, factor=True), TypeError, r"^make_circles factor must be a real number, got bool"),
        (lambda: make_circles(10, factor=math.nan), ValueError, r"^make_circles factor must be a finite number > 0"),
        (lambda: make_blobs(10, centers=True), TypeError, r"^make_blobs centers must be an int >= 1, got bool"),
        (lambda: make_blobs(10, centers=3.0), TypeError, r"^make_blobs centers must be an int >= 1, got float"),
        (lambda: make_spirals(10, classes=False), TypeError, r"^make_spirals classes must be an int >= 2, got bool"),
    ],
)
def test_the_makers_own_arguments_are_named_too(call, error, words):
    with pytest.raises(error, match=words):
        call()
