"""Tests for autograd_mini.cli.run: a whole run from TrainSettings (loss_and_outputs, train_and_save, SettingsError)."""

import pytest

from autograd_mini.cli.run import SettingsError, TrainSettings, loss_and_outputs, train_and_save

# -- a whole run from settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "classes", "expected"),
    [
        ("auto", 2, ("binary_cross_entropy", 1)),  # two classes: one logit
        ("auto", 3, ("cross_entropy", 3)),  # more: one logit per class
        ("auto", 4, ("cross_entropy", 4)),
        ("binary_cross_entropy", 2, ("binary_cross_entropy", 1)),
        ("cross_entropy", 2, ("cross_entropy", 2)),  # softmax over two outputs
        ("hinge", 2, ("hinge", 1)),  # one score, read by its sign
        ("hinge", 3, ("hinge", 3)),
        ("mse", 2, ("mse", 1)),
        ("mse", 4, ("mse", 4)),
    ],
)
def test_loss_and_outputs_by_hand(loss, classes, expected):
    assert loss_and_outputs(loss, classes) == expected


@pytest.mark.parametrize(
    ("loss", "classes", "error", "words"),
    [
        ("squared", 2, ValueError, "unknown loss 'squared'"),
        ("auto", 1, ValueError, r"classes must be an int >= 2, got 1"),
        ("binary_cross_entropy", 3, ValueError, "binary_cross_entropy is for 2 classes"),
        ("auto", 2.0, TypeError, r"classes must be an int >= 2, got float"),
        ("auto", True, TypeError, r"classes must be an int >= 2, got bool"),
    ],
)
def test_loss_and_outputs_refuses_what_cannot_be_trained(loss, classes, error, words):
    with pytest.raises(error, match=words):
        loss_and_outputs(loss, classes)


@pytest.mark.parametrize(
    ("data", "features", "loss", "outputs"),
    [
        ("moons", 2, "binary_cross_entropy", 1),  # classes 0, 1
        ("circles", 2, "binary_cross_entropy", 1),
        ("spirals", 2, "binary_cross_entropy", 1),  # two arms by default
        ("xor", 2, "binary_cross_entropy", 1),
        ("blobs", 2, "cross_entropy", 3),  # three centers by default
        ("credit", 10, "cross_entropy", 4),  # ten features, four decisions
    ],
)
def test_a_run_picks_the_loss_and_outputs_for_its_data(tmp_path, data, features, loss, outputs):
    settings = TrainSettings(data=data, samples=40, hidden=[], epochs=1, out=tmp_path / "run", progress=False)
    run = train_and_save(settings)
    assert (run.loss, run.model.nin, run.model.nouts, run.classes) == (loss, features, [outputs], max(outputs, 2))
    assert run.X.shape == (40, features) and len(run.history.loss) == 1
    plots = ["loss_curve.png", "decision_boundary.png"] if features == 2 else ["loss_curve.png"]
    assert run.files == [tmp_path / "run" / name for name in [*plots, "model.json"]]
    assert all(path.stat().st_size > 0 for path in run.files)


@pytest.mark.parametrize(
    ("settings", "setting", "words"),
    [
        ({"data": "mnist"}, "data", "unknown data 'mnist'; expected one of 'moons', "),
        ({"loss": "squared"}, "loss", "unknown loss 'squared'"),
        ({"optimizer": "rmsprop"}, "optimizer", "unknown optimizer 'rmsprop'; expected one of 'adam', 'sgd'"),
        ({"samples": 0}, "samples", "n must be an int >= 1, got 0"),
        ({"samples": 1}, "samples", "1 sample"),  # a single sample holds one class only
        ({"noise": -1.0}, "noise", "noise must be"),
        ({"noise": 1e308}, "noise", "noise 1e\\+308 puts points beyond the range of a float"),
        ({"hidden": [100_000, 100_000], "max_parameters": 10_000}, "hidden", "10,000,500,001 parameters, more than"),
        ({"data": "blobs", "loss": "binary_cross_entropy"}, "loss", "is for 2 classes, but the data has 3"),
    ],
)
def test_bad_settings_are_settings_errors_naming_the_setting_to_change(tmp_path, settings, setting, words):
    out = tmp_path / "run"
    with pytest.raises(SettingsError, match=words) as caught:
        train_and_save(TrainSettings(**settings, out=out, progress=False))
    assert caught.value.setting == setting and isinstance(caught.value, ValueError)
    assert not out.exists()  # refused before anything is made


@pytest.mark.parametrize(
    ("settings", "error", "words"),
    [
        ({"epochs": 0}, ValueError, "epochs must be an int >= 1, got 0"),
        ({"batch_size": 0}, ValueError, "batch_size must be an int >= 1, got 0"),
        ({"hidden": [4, 0]}, ValueError, "layer size"),
        ({"activation": "gelu"}, ValueError, "activation must be one of .*, got 'gelu'"),
        ({"lr": -0.1}, ValueError, "lr must be"),
        ({"samples": 2.5}, TypeError, "n must be an int"),
        ({"epochs": 2.0}, TypeError, r"epochs must be an int >= 1, got float: 2\.0"),
    ],
)
def test_other_bad_settings_raise_where_they_are_checked(tmp_path, settings, error, words):
    out = tmp_path / "run"
    with pytest.raises(error, match=words) as caught:
        train_and_save(TrainSettings(**settings, out=out, progress=False))
    assert not isinstance(caught.value, SettingsError)
    assert not out.exists()


@pytest.mark.parametrize("compiled", [True, False])
def test_a_run_that_diverges_is_a_settings_error_on_lr(tmp_path, compiled):
    # Plain gradient descent with lr 1e300 throws the weights to ~1e300: the squared error overflows.
    settings = TrainSettings(samples=20, hidden=[4], activation="tanh", loss="mse", optimizer="sgd", lr=1e300,
                             epochs=3, out=tmp_path, progress=False, compiled=compiled)  # fmt: skip
    with pytest.raises(SettingsError, match=r"training diverged at epoch 2, step 1 of 1: .*too large") as caught:
        train_and_save(settings)
    assert caught.value.setting == "lr"
    assert list(tmp_path.iterdir()) == []  # nothing saved


def test_a_network_within_the_limit_is_built(tmp_path):
    # 2 -> 4 -> 1 has 3 * 4 + 5 * 1 = 17 parameters: the count is the one MLP makes.
    settings = TrainSettings(samples=20, hidden=[4], epochs=1, out=tmp_path, progress=False, max_parameters=17)
    assert len(train_and_save(settings).model.parameters()) == 17
    with pytest.raises(SettingsError, match="17 parameters, more than the limit of 16"):
        train_and_save(TrainSettings(samples=20, hidden=[4], epochs=1, out=tmp_path, progress=False, max_parameters=16))


def test_on_start_sees_the_untrained_run_before_training(tmp_path):
    seen = []
    settings = TrainSettings(samples=20, hidden=[4], epochs=2, out=tmp_path / "run", progress=False)
    run = train_and_save(settings, on_start=lambda started: seen.append((started, list(started.history.loss))))
    assert seen == [(run, [])] and len(run.history.loss) == 2


def test_a_run_that_fails_at_its_first_step_blames_the_noise(tmp_path):
    # Points of size 1e307 overflow the first squared error: no learning rate is at fault then.
    for compiled in (False, True):
        settings = TrainSettings(samples=20, noise=1e307, hidden=[4], loss="mse", epochs=2, out=tmp_path / "run",
                                 progress=False, compiled=compiled)  # fmt: skip
        with pytest.raises(SettingsError, match=r"first step .*before any parameter changed") as caught:
            train_and_save(settings)
        assert caught.value.setting == "noise"


def test_a_model_that_overflows_off_the_data_is_a_settings_error_and_writes_nothing(tmp_path, monkeypatch):
    # The boundary plot runs the model on a grid wider than the data, where huge weights may overflow.
    from autograd_mini.show import plots

    def overflowing(*args, **kwargs):
        raise OverflowError("'*' of 1e+200 and 1e+200: the result is too large for a float")

    monkeypatch.setattr(plots, "decision_boundary", overflowing)
    settings = TrainSettings(samples=20, hidden=[4], epochs=1, out=tmp_path, progress=False)
    with pytest.raises(SettingsError, match=r"cannot draw the decision boundary: .*too large") as caught:
        train_and_save(settings)
    assert caught.value.setting == "lr"
    assert list(tmp_path.iterdir()) == []  # the loss curve, drawn first, was not written either
