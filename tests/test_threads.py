"""Tests with two or more threads: the engine's switches stay per thread, and the collector pause is shared safely.

``no_grad()``, ``detect_anomaly()`` and the nesting depth of ``grad`` belong to the thread that
entered them, as PyTorch's grad mode does; the pause of the cyclic garbage collector
(``collector.paused``) is shared by all threads, and the collector comes back when the last one
leaves. Each test reproduces a bug seen on the old engine, where the switches were one global
and every pause read ``gc.isenabled()`` then called ``gc.disable()`` with no lock. The threads
meet at events, so each interleaving happens on every run, not by luck; the stress test is the
exception: it provokes thread switches and checks after each of a bounded number of rounds.
"""

import gc
import math
import sys
import threading
import time

import pytest

from autograd_mini import MLP, Value, detect_anomaly, engine, fit, grad, losses, no_grad, predict
from autograd_mini.datasets import make_moons

TIMEOUT = 10.0  # seconds a handshake or a join may take before the test fails instead of hanging


class Worker(threading.Thread):
    """A thread that keeps what its target returned or raised, for the test to check."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self.work = target
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.work()
        except BaseException as error:  # an assertion or pytest.raises failure too: re-raised in outcome()
            self.error = error

    def outcome(self):
        """Wait for the thread; return what the target returned, or raise what it raised."""
        self.join(TIMEOUT)
        assert not self.is_alive(), f"the thread did not finish within {TIMEOUT} s"
        if self.error is not None:
            raise self.error
        return self.result


def started(target):
    worker = Worker(target)
    worker.start()
    return worker


def wait(event):
    assert event.wait(TIMEOUT), f"the other thread did not get there within {TIMEOUT} s"


def records_graph():
    """Whether this thread's operations record their parents right now."""
    return (Value(2.0) * 3.0).parents != ()


@pytest.fixture(autouse=True)
def old_switches_restored():
    """The old engine kept its switches in one global: a test failing there must not leave them changed."""
    switches = getattr(engine, "_MODE", None)
    names = [name for name in ("record_graph", "check_anomalies") if hasattr(switches, name)]
    saved = {name: getattr(switches, name) for name in names}
    yield
    for name, value in saved.items():
        setattr(switches, name, value)


@pytest.fixture
def collector_restored():
    """Leave the collector on or off as it was, and Python's thread switch interval unchanged."""
    was_on, interval = gc.isenabled(), sys.getswitchinterval()
    yield
    sys.setswitchinterval(interval)
    if was_on:
        gc.enable()
    else:
        gc.disable()


# -- no_grad, detect_anomaly and grad belong to the thread that entered them ----------------


def test_no_grad_in_one_thread_does_not_stop_another_from_recording():
    inside, done = threading.Event(), threading.Event()

    def predicting():
        with no_grad():
            inside.set()
            wait(done)
            return records_graph()

    worker = started(predicting)
    try:
        wait(inside)
        x = Value(3.0)
        y = x * x
        y.backward()
    finally:
        done.set()
    assert (len(y.parents), x.grad) == (2, 6.0)
    assert worker.outcome() is False  # no_grad still holds in its own thread


def test_interleaved_no_grad_blocks_leave_every_thread_recording():
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first():  # enters first, leaves first
        with no_grad():
            a_in.set()
            wait(b_in)
        a_out.set()

    def second():  # enters while the first is inside, leaves after it
        wait(a_in)
        with no_grad():
            b_in.set()
            wait(a_out)

    workers = [started(first), started(second)]
    for worker in workers:
        worker.outcome()
    assert records_graph()


def test_grad_returns_a_float_while_another_thread_is_inside_grad():
    inside, done = threading.Event(), threading.Event()

    def held_square(x):
        inside.set()
        wait(done)
        return x * x

    worker = started(lambda: grad(held_square)(2.0))
    try:
        wait(inside)
        slope = grad(lambda x: x**3)(3.0)
    finally:
        done.set()
    assert (type(slope), slope) == (float, 27.0)
    assert worker.outcome() == 4.0


def test_detect_anomaly_in_one_thread_does_not_raise_in_another():
    inside, done = threading.Event(), threading.Event()

    def checking():
        with detect_anomaly():
            inside.set()
            wait(done)
            x = Value(0.0)
            with pytest.raises(FloatingPointError):  # still on in its own thread
                (x.sqrt() * 0.0).backward()

    worker = started(checking)
    try:
        wait(inside)
        x = Value(0.0)
        (x.sqrt() * 0.0).backward()  # 0 * inf: a NaN gradient, which only detect_anomaly stops
    finally:
        done.set()
    assert math.isnan(x.grad)
    worker.outcome()


X_MOONS, Y_MOONS = make_moons(16, noise=0.1, seed=0)


def train(model, release=None):
    """A small seeded fit of ``model``; sets ``release`` once a few samples' graphs are built."""
    calls = 0

    def hinge(outputs, label):
        nonlocal calls
        calls += 1
        if release is not None and calls == 4:
            release.set()
        return losses.hinge(outputs, 2.0 * label - 1.0)

    history = fit(model, X_MOONS, Y_MOONS, loss=hinge, lr=0.1, epochs=8, batch_size=4, seed=0, progress=False)
    return history.loss, [p.data for p in model.parameters()]


def test_fit_while_another_thread_predicts_trains_as_alone():
    alone = train(MLP(2, [4, 1], seed=0))
    model = MLP(2, [4, 1], seed=0)
    predicting, release, trained = threading.Event(), threading.Event(), threading.Event()

    def held(row):  # the first prediction waits inside predict's no_grad until training is under way
        predicting.set()
        wait(release)
        return model(row)

    def predictor():
        predict(held, X_MOONS[:1])
        while not trained.is_set():
            predict(model, X_MOONS)

    worker = started(predictor)
    try:
        wait(predicting)
        together = train(model, release)
    finally:
        release.set()
        trained.set()
    worker.outcome()
    assert together == alone  # the same losses, epoch by epoch, and the same weights


# -- the collector pause is shared by all threads -------------------------------------------


ROUNDS = 20  # each round of the old engine's race left the collector off about 3 times in 5
SECONDS = 1.5  # and no more rounds after this: a round takes 0.05-0.4 s, depending on the pause's lock
THREADS = 8
CALLS = 1000  # per thread and round


def pausing_round():
    """THREADS threads, started together, each running backward and MLP.__call__ CALLS times."""
    start = threading.Barrier(THREADS, timeout=TIMEOUT)

    def work(seed):
        model = MLP(1, [1], seed=seed)
        start.wait()
        for _ in range(CALLS):
            x = Value(0.5)
            (x * x).backward()
            model([0.5])

    workers = [started(lambda seed=seed: work(seed)) for seed in range(THREADS)]
    for worker in workers:
        worker.outcome()


@pytest.mark.parametrize("was_on", [True, False], ids=["on", "off"])
def test_threads_pausing_the_collector_leave_it_as_they_found_it(collector_restored, was_on):
    if was_on:
        gc.enable()
    else:
        gc.disable()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, between any two calls
    deadline = time.monotonic() + SECONDS
    for round_ in range(ROUNDS):
        pausing_round()
        assert gc.isenabled() is was_on, f"round {round_}"
        if time.monotonic() > deadline:
            break


# -- collector.paused itself (the old engine has no collector module) -----------------------


@pytest.fixture
def paused(collector_restored):
    from autograd_mini.collector import paused

    gc.enable()
    return paused


def test_paused_nests(paused):
    with paused():
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_leaves_an_off_collector_off(paused):
    gc.disable()
    with paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_paused_restores_the_collector_on_an_exception(paused, error):
    with pytest.raises(error), paused():
        raise error
    assert gc.isenabled()


def test_paused_overlapping_in_two_threads_resumes_when_the_last_leaves(paused):
    a_in, b_in, a_out, b_may_leave = (threading.Event() for _ in range(4))

    def first():  # enters first, leaves first
        with paused():
            a_in.set()
            wait(b_in)
        a_out.set()

    def second():  # enters while the first is inside, leaves after it
        wait(a_in)
        with paused():
            b_in.set()
            wait(b_may_leave)

    workers = [started(first), started(second)]
    try:
        wait(a_out)
        assert not gc.isenabled()  # the second thread is still inside
    finally:
        b_may_leave.set()
    for worker in workers:
        worker.outcome()
    assert gc.isenabled()


# -- the pictures: a step page and a drawing of the same graph, at the same time --------------


def _small_graph():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    return (x * w + x).tanh()


def test_a_drawing_made_while_a_step_page_is_half_built_is_the_serial_drawing(monkeypatch):
    # The old page wrote temporary labels into the graph while it drew its frames: a drawing made
    # by another thread at that moment showed them (29 of 30 drawings differed).
    from autograd_mini import backward_page, draw
    from autograd_mini.show import frames

    root = _small_graph()
    serial = draw(root).source
    midway, drawn = threading.Event(), threading.Event()
    frame_drawing = frames.draw

    def draw_a_frame_then_wait(*args, **kwargs):
        result = frame_drawing(*args, **kwargs)
        midway.set()
        wait(drawn)
        return result

    monkeypatch.setattr(frames, "draw", draw_a_frame_then_wait)
    page = started(lambda: backward_page(root))
    wait(midway)
    drawing = started(lambda: draw(root).source).outcome()
    drawn.set()
    assert page.outcome().html and drawing == serial


def test_step_pages_that_overlap_in_two_threads_are_both_the_serial_page(monkeypatch):
    # On the old page 3 of 15 rounds of three threads gave pages without the node names: a page
    # that finished put the graph's labels back while another was still drawing with them.
    # Here the second page starts once the first has drawn a frame, and waits at its own first
    # frame until the first page is done.
    from autograd_mini import backward_page
    from autograd_mini.show import frames

    root = _small_graph()
    serial = backward_page(root).html
    assert ">n1<" in serial and ">x<" in serial
    main, second_midway, first_done = threading.main_thread(), threading.Event(), threading.Event()
    frame_drawing = frames.draw
    second = []

    def overlapping(*args, **kwargs):
        result = frame_drawing(*args, **kwargs)
        if threading.current_thread() is main and not second:
            second.append(started(lambda: backward_page(root).html))
            wait(second_midway)
        elif threading.current_thread() is not main and not second_midway.is_set():
            second_midway.set()
            wait(first_done)
        return result

    monkeypatch.setattr(frames, "draw", overlapping)
    first = backward_page(root).html
    first_done.set()
    assert first == serial and second[0].outcome() == serial
