"""``gradcheck``: the engine's gradients held against central differences, input by input.

>>> print(gradcheck(lambda x: x * x, 3.0))  # doctest: +NORMALIZE_WHITESPACE
gradcheck (pass if |analytic - numeric| <= 1e-06 + 0.0001 |numeric|): ok
input            analytic        numeric  abs error  rel error  ok
x0                      6              6    ...  yes
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..engine import Value, gradients
from ..numeric import as_float
from .slopes import numeric_grad


@dataclass(frozen=True)
class GradcheckRow:
    """The check of one input: backward's gradient against central differences."""

    name: str
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float  # abs_error / |numeric| (inf when numeric is 0 and they differ)
    ok: bool


@dataclass(frozen=True)
class GradcheckReport:
    """What ``gradcheck`` found: one row per input, and the tolerances used."""

    rows: tuple[GradcheckRow, ...]
    rtol: float
    atol: float

    @property
    def ok(self) -> bool:
        """True when every input passed."""
        return all(row.ok for row in self.rows)

    @property
    def failures(self) -> tuple[GradcheckRow, ...]:
        """The inputs whose gradients disagree."""
        return tuple(row for row in self.rows if not row.ok)

    def __str__(self) -> str:
        verdict = "ok" if self.ok else f"FAILED for {len(self.failures)} of {len(self.rows)} inputs"
        lines = [
            f"gradcheck (pass if |analytic - numeric| <= {self.atol:g} + {self.rtol:g} |numeric|): {verdict}",
            f"{'input':<10} {'analytic':>14} {'numeric':>14} {'abs error':>10} {'rel error':>10}  ok",
        ]
        for row in self.rows:
            lines.append(
                f"{row.name:<10} {row.analytic:>14.8g} {row.numeric:>14.8g} "
                f"{row.abs_error:>10.2g} {row.rel_error:>10.2g}  {'yes' if row.ok else 'NO'}"
            )
        return "\n".join(lines)


def _compare(name: str, analytic: float, numeric: float, rtol: float, atol: float) -> GradcheckRow:
    abs_error = abs(analytic - numeric)
    rel_error = abs_error / abs(numeric) if numeric != 0.0 else (0.0 if abs_error == 0.0 else math.inf)
    # Written so that a NaN anywhere fails the check (every comparison with NaN is False).
    ok = abs_error <= atol + rtol * abs(numeric)
    return GradcheckRow(name, analytic, numeric, abs_error, rel_error, ok)


def gradcheck(
    f: Callable[..., Any],
    *xs: Any,
    rtol: float = 1e-4,
    atol: float = 1e-6,
    eps: float = 1e-6,
    raise_on_failure: bool = False,
) -> GradcheckReport:
    """Compare the engine's gradients of f with central differences, input by input.

    f is called with fresh leaf Values at ``xs``; ``gradients`` (what backward uses) gives the
    analytic gradient and ``numeric_grad`` the numeric one. An input passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Args:
        f: a function of Values returning a Value (or a number, for a constant function).
        *xs: the point, numbers or Values (a Value's label names its row).
        rtol: relative tolerance.
        atol: absolute tolerance.
        eps: the step of the central differences.
        raise_on_failure: raise AssertionError listing the mismatches instead of returning a
            failed report.

    Returns:
        A GradcheckReport: ``report.ok``, ``report.rows``, ``report.failures``; print it for a table.

    >>> report = gradcheck(lambda x, y: (x * y).tanh(), 0.5, -1.5)
    >>> report.ok, [row.name for row in report.rows]
    (True, ['x0', 'x1'])
    """
    if not xs:
        raise ValueError("gradcheck needs at least one point to check at, got none")
    rtol, atol = checks.non_negative(rtol, "rtol"), checks.non_negative(atol, "atol")
    checks.flag(raise_on_failure, "raise_on_failure")
    names = [x.label if isinstance(x, Value) and x.label else f"x{i}" for i, x in enumerate(xs)]
    leaves = [Value(as_float(x, f"gradcheck argument {i}"), label=names[i]) for i, x in enumerate(xs)]
    out = f(*leaves)
    as_float(out, "the result of f in gradcheck")  # a clear TypeError for a non-scalar result
    grads = gradients(out) if isinstance(out, Value) else {}
    numeric = numeric_grad(f, *leaves, eps=eps)
    rows = tuple(
        _compare(name, float(grads.get(leaf, 0.0)), estimate, rtol, atol)
        for name, leaf, estimate in zip(names, leaves, numeric, strict=True)
    )
    report = GradcheckReport(rows, rtol, atol)
    if raise_on_failure and not report.ok:
        mismatches = "\n".join(
            f"  {row.name}: analytic {row.analytic!r} vs numeric {row.numeric!r} "
            f"(abs error {row.abs_error:.3g}, rel error {row.rel_error:.3g})"
            for row in report.failures
        )
        raise AssertionError(f"gradcheck failed for {len(report.failures)} of {len(rows)} inputs:\n{mismatches}")
    return report
