"""Teaching tools: one derivative seen three ways, one module each.

* As a limit of slopes (``slopes``): ``numeric_grad`` (central differences) and ``secant_slopes``
  (watch the slope settle, then break down when h is so small that rounding wins); ``gradcheck``
  (``gradient_check``) holds the engine's gradients against central differences.
* As the chain rule written out (``paths``): d(root)/d(x) is the sum, over every path from x up to
  the root, of the product of the local derivatives along the path (``count_paths``,
  ``grad_by_paths``); ``explain`` (``explanation``) writes that sum out.
* As backpropagation: the same sums, memoized, so every edge is used once (``backward_cost`` next to
  ``path_sum_cost``). On k stacked layers of width w there are w**k paths but only about k*w*w edges.

``quiz`` makes questions on derivatives (``autograd-mini quiz`` asks them), ``answers`` reads and
judges a typed answer for the quiz and for the step page's predict mode (one set of rules), and
``example`` builds the small graph worked by hand in the example step-by-step page and the tests.

>>> from autograd_mini import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> count_paths(y, x), backward_cost(y)    # x*x reaches x twice; 3 edges, 3 multiplications
(2, 3)
"""

from .example import TwoPath, two_path_example
from .explanation import Explanation, explain
from .gradient_check import GradcheckReport, GradcheckRow, gradcheck
from .paths import PathSum, backward_cost, count_paths, grad_by_paths, path_sum_cost
from .slopes import DEFAULT_STEPS, Slope, numeric_grad, secant_slopes

__all__ = [
    "DEFAULT_STEPS",
    "Explanation",
    "GradcheckReport",
    "GradcheckRow",
    "PathSum",
    "Slope",
    "TwoPath",
    "backward_cost",
    "count_paths",
    "explain",
    "grad_by_paths",
    "gradcheck",
    "numeric_grad",
    "path_sum_cost",
    "secant_slopes",
    "two_path_example",
]
