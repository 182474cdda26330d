"""Tests for autograd_mini.datasets: shapes, seeds, the documented geometry and rules, bad input."""

import math
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
