"""The command line, run as a user would run it."""

from __future__ import annotations

import math
import subprocess
import sys


def test_python_dash_m_runs_the_demo_and_prints_the_gradients() -> None:
    result = subprocess.run([sys.executable, "-m", "autograd_mini"], capture_output=True, text=True, check=True)
    # y = tanh(xw + b) at x = 0.5, w = -1.2, b = 0.3; dy/dw = (1 - y**2) x
    y = math.tanh(0.5 * -1.2 + 0.3)
    assert f"{y:.6f}" in result.stdout
    assert f"dy/dw = {(1 - y * y) * 0.5:+.6f}" in result.stdout
