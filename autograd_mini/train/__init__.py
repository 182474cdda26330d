"""Training a classifier: ``fit`` runs gradient descent over a data set; ``predict`` and ``accuracy`` judge it.

Three modules, one concern each: ``loop`` is the public API and the epoch loop, ``batches`` how a
batch is computed (the engine's graphs, or traced numpy programs), ``inputs`` the checks of the data
and the model. This package needs numpy and tqdm; ``import autograd_mini`` loads it only when
``fit``, ``predict`` or ``accuracy`` is first used.

>>> from autograd_mini.datasets import make_blobs
>>> from autograd_mini.nn import MLP
>>> X, y = make_blobs(30, noise=0.3, seed=0, centers=3)
>>> model = MLP(2, [3], seed=0)                          # 3 linear outputs, one per class
>>> history = fit(model, X, y, loss="cross_entropy", lr=0.5, epochs=20, seed=0, progress=False)
>>> history.loss[-1] < history.loss[0], accuracy(model, X, y)
(True, 1.0)
"""

from .batches import LossFunction, Model
from .loop import DEFAULT_LR, LOSSES, DivergenceError, History, accuracy, fit, predict

__all__ = ["DEFAULT_LR", "LOSSES", "DivergenceError", "History", "LossFunction", "Model", "accuracy", "fit", "predict"]
