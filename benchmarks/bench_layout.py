"""What the package layout costs: import time, the command line's start, and naming a long chain.

    python benchmarks/bench_layout.py                  # the full run: about 4 minutes with --before on 2 cores
    python benchmarks/bench_layout.py --quick          # 3 rounds, a 5,000-node chain (the test suite runs this)
    python benchmarks/bench_layout.py --before PATH    # also measure the checkout at PATH, side by side

It prints figures (it asserts nothing) in three Markdown tables:

1. ``python -c "import autograd_mini"`` over ``python -c "pass"``, for this tree (and the tree at
   PATH). Target: at most 60 ms more than ``pass``.
2. ``grad "tanh(x*w + b)" x=0.5 w=-1.2 b=0.3`` over ``python -c "pass"``: for this tree through the
   installed console script ``autograd-mini`` and through ``python -m autograd_mini``, for the tree
   at PATH through ``python -m autograd_mini``. Target: at most 150 ms more than ``pass``.
3. Naming on a chain ``y = x * 1.0 * 1.0 ...`` of 100,000 multiplications (5,000 with --quick):
   ``node_names(y)``, ``explain(y, x)``, ``draw(y, max_nodes=10**6).source``, and the two calls a
   graph that size must be refused by their size limit: ``show.frames.backward_frames(y)`` and
   ``draw(y)``. Target: under 2 s, or refused in under 1 s by its size limit.

How. Parts 1 and 2: every command is a fresh process (its wall time, from ``subprocess`` start to
exit) with its working directory set to its tree and ``PYTHONPATH=<tree>``, so that the tree's own
package is imported; the script checks that by printing each tree's ``autograd_mini.__file__``
first. The commands take turns: each round runs every command once, the order rotating from round
to round; one warm-up round comes first and is not counted, then N rounds (default 15, --quick 3).
A figure is the median over the rounds; "more than pass" is the median over the rounds of the
command's time minus the ``pass`` run of the same round. Bytecode is cached (in a temporary
directory, ``PYTHONPYCACHEPREFIX``, so that nothing is written into either tree), as it is for an
installed package: the warm-up round fills the cache. Part 3: each call is timed with
``time.perf_counter``, three times, the median kept. This tree's calls run in this process; the
tree at PATH runs each call in a fresh process of its own (the same interpreter, the same
site-packages), the two trees taking turns. Every call has 60 s (then "over 60 s (stopped)"), every
process a timeout, and a process of part 3 at most 4 GiB of memory: the script never hangs.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # this tree: the checkout the script belongs to
GRAD = ("grad", "tanh(x*w + b)", "x=0.5", "w=-1.2", "b=0.3")
GRAD_TEXT = 'grad "tanh(x*w + b)" x=0.5 w=-1.2 b=0.3'
IMPORT_TARGET_MS = 60.0
CLI_TARGET_MS = 150.0
ROUNDS, QUICK_ROUNDS = 15, 3
CHAIN, QUICK_CHAIN = 100_000, 5_000
REPEATS = 3  # part 3: each call timed this many times, the median kept
DONE_WITHIN, REFUSED_WITHIN = 2.0, 1.0  # seconds, part 3's target
NAMING_TARGET = "under 2 s, or refused in under 1 s by its size limit"
CALL_TIMEOUT = 60.0  # seconds for one call of part 3
COMMAND_TIMEOUT = 60.0  # seconds for one command of parts 1 and 2
WORKER_MARGIN = 60.0  # a part-3 process may take this long beyond its call (start, import, building the chain)
MEMORY_LIMIT = 4 << 30  # bytes of address space for a part-3 process
NAMING_LABEL_WIDTH = 24  # a name longer than this is shown cut, with its length


# -- part 3: one call on the chain, in whichever process imports the tree --------------------------


class CallTimeoutError(Exception):
    """The call ran out of its CALL_TIMEOUT."""


@dataclass(frozen=True)
class Call:
    key: str
    title: str  # the row's name in the table
    refusal: bool  # the call must be refused (ValueError) by its max_nodes limit


CALLS = (
    Call("node_names", "`node_names(y)`", False),
    Call("explain", "`explain(y, x)`", False),
    Call("draw_source", "`draw(y, max_nodes=10**6).source`", False),
    Call("frames_refused", "`show.frames.backward_frames(y)`: the step page's value count", True),
    Call("draw_refused", "`draw(y)`, default max_nodes", True),
)
CALL_BY_KEY = {call.key: call for call in CALLS}


def _is_editable_finder(finder: Any) -> bool:
    return str(getattr(finder, "__module__", "")).startswith("__editable__")


def node_names_function(package: Any) -> Callable[..., dict[Any, str]]:
    """``autograd_mini.names.node_names`` (this layout) or ``autograd_mini.steps.node_names`` (the old one).

    Only from the package's own folder: a module found anywhere else belongs to another checkout.
    """
    home = Path(package.__file__).resolve().parent
    for name in ("names", "steps"):
        try:
            module = importlib.import_module(f"{package.__name__}.{name}")
        except ImportError:
            continue
        found = getattr(module, "node_names", None)
        if found is not None and Path(module.__file__ or "").resolve().is_relative_to(home):
            return found  # type: ignore[no-any-return]
    raise ImportError(f"neither autograd_mini.names.node_names nor autograd_mini.steps.node_names in {home}")


def build_chain(length: int) -> tuple[Any, Any]:
    """``x = Value(1.0, label="x"); y = x`` then ``y = y * 1.0``, ``length`` times: (x, y)."""
    from autograd_mini import Value

    x = Value(1.0, label="x")
    y = x
    for _ in range(length):
        y = y * 1.0
    return x, y


def call_function(key: str, x: Any, y: Any) -> Callable[[], Any]:
    """What part 3 times, the imports done beforehand so that only the call itself is timed."""
    import autograd_mini

    if key == "node_names":
        names = node_names_function(autograd_mini)
        return lambda: names(y)
    if key == "explain":
        return lambda: autograd_mini.explain(y, x)
    draw = autograd_mini.draw
    if key == "draw_source":
        return lambda: draw(y, max_nodes=10**6).source
    if key == "draw_refused":
        return lambda: draw(y)
    if key == "frames_refused":
        frames = importlib.import_module("autograd_mini.show.frames")
        return lambda: frames.backward_frames(y)
    raise ValueError(f"unknown call {key!r}")


def _stop(signum: int, frame: Any) -> None:
    raise CallTimeoutError


def time_call(key: str, x: Any, y: Any, timeout: float) -> dict[str, Any]:
    """One timed call: its seconds and outcome, and for node_names what the names are like."""
    function = call_function(key, x, y)
    report: dict[str, Any] = {"seconds": None, "outcome": "done", "message": ""}
    can_stop = hasattr(signal, "setitimer")
    if can_stop:
        previous = signal.signal(signal.SIGALRM, _stop)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    result = None
    gc.collect()
    start = time.perf_counter()
    try:
        result = function()
        report["seconds"] = time.perf_counter() - start
    except CallTimeoutError:
        report["outcome"] = "stopped"
    except MemoryError:
        report["outcome"] = "out of memory"
    except ValueError as error:
        report["seconds"] = time.perf_counter() - start
        message = str(error)
        report["message"] = message
        report["outcome"] = "refused" if "max_nodes" in message else f"error: ValueError: {message}"
    except Exception as error:
        report["seconds"] = time.perf_counter() - start
        report["outcome"] = f"error: {type(error).__name__}: {error}"
    finally:
        if can_stop:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if report["outcome"] == "done" and CALL_BY_KEY[key].refusal:
        report["outcome"] = "not refused"
    if key == "node_names" and isinstance(result, dict):
        names = list(result.values())
        longest = max(names, key=len)
        report.update(count=len(names), longest=longest[:200], longest_length=len(longest), total=sum(map(len, names)))
    del result
    return report


def worker(key: str, length: int, timeout: float) -> None:
    """``--worker``: in a fresh process of the tree at PYTHONPATH, build the chain, time one call, print JSON.

    The editable install's finder is taken off ``sys.meta_path`` first: it would otherwise serve a
    module the tree lacks (the old tree has no ``autograd_mini/names.py``) from the installed checkout.
    """
    sys.meta_path[:] = [finder for finder in sys.meta_path if not _is_editable_finder(finder)]
    import autograd_mini

    x, y = build_chain(length)
    report = time_call(key, x, y, timeout)
    report["file"] = autograd_mini.__file__
    print(json.dumps(report))
    sys.stdout.flush()
    os._exit(0)  # not the slow teardown of a 200,000-node graph and its names


# -- running processes with a timeout ----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    seconds: float | None  # wall time, None when stopped
    code: int | None
    stdout: str
    stderr: str


def run(argv: Sequence[str], cwd: Path, env: dict[str, str], timeout: float, memory: int | None = None) -> Outcome:
    """A process's wall time and output; on timeout its whole process group is killed (seconds None)."""

    def limit() -> None:  # in the child, before it runs the command: at most ``memory`` bytes of address space
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = MEMORY_LIMIT if memory is None else memory
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))

    start = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=os.name == "posix",
        preexec_fn=limit if memory is not None and os.name == "posix" else None,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(process)
        stdout, stderr = process.communicate()
        return Outcome(None, None, stdout, stderr)
    seconds = time.perf_counter() - start
    return Outcome(seconds, process.returncode, stdout, stderr)


def kill(process: subprocess.Popen[str]) -> None:
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass


def tree_env(tree: Path, cache: Path) -> dict[str, str]:
    """The environment of a process of ``tree``: its package first on the path, bytecode cached outside it."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


# -- parts 1 and 2: commands taking turns -------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    key: str
    part: int  # 0: the pass baseline, 1: import, 2: the command line
    title: str
    tree: str  # "this tree" or "before"
    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str]


def commands(trees: dict[str, Path], cache: Path, script: Path | None) -> list[Command]:
    python = sys.executable
    now = tree_env(trees["this tree"], cache)
    found = [Command("pass", 0, '`python -c "pass"`', "this tree", (python, "-c", "pass"), trees["this tree"], now)]
    for name, tree in trees.items():
        env = tree_env(tree, cache)
        found.append(
            Command(
                f"import {name}",
                1,
                '`python -c "import autograd_mini"`',
                name,
                (python, "-c", "import autograd_mini"),
                tree,
                env,
            )
        )
    if script is not None:
        found.append(
            Command(
                "script this tree",
                2,
                f"`autograd-mini {GRAD_TEXT}` (console script)",
                "this tree",
                (str(script), *GRAD),
                trees["this tree"],
                now,
            )
        )
    for name, tree in trees.items():
        found.append(
            Command(
                f"module {name}",
                2,
                f"`python -m autograd_mini {GRAD_TEXT}`",
                name,
                (python, "-m", "autograd_mini", *GRAD),
                tree,
                tree_env(tree, cache),
            )
        )
    return found


def console_script() -> Path | None:
    """The installed ``autograd-mini``: next to this interpreter, or in this tree's .venv."""
    for folder in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        candidate = folder / ("autograd-mini.exe" if os.name == "nt" else "autograd-mini")
        if candidate.exists():
            return candidate
    return None


def take_turns(
    all_commands: list[Command], rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, str]]:
    """One warm-up round, then ``rounds`` rounds, the order rotating: times, times minus that round's pass, failures."""
    times: dict[str, list[float]] = {command.key: [] for command in all_commands}
    over_pass: dict[str, list[float]] = {command.key: [] for command in all_commands}
    failures: dict[str, str] = {}
    for index in range(-1, rounds):  # -1: the warm-up
        shift = index % len(all_commands)
        order = all_commands[shift:] + all_commands[:shift]
        if index % 2:
            order.reverse()
        this_round: dict[str, float] = {}
        for command in order:
            if command.key in failures:
                continue
            outcome = run(command.argv, command.cwd, command.env, COMMAND_TIMEOUT)
            if outcome.seconds is None:
                failures[command.key] = f"over {COMMAND_TIMEOUT:.0f} s (stopped)"
            elif outcome.code != 0:
                failures[command.key] = f"failed (exit {outcome.code}): {last_line(outcome.stderr)}"
            else:
                this_round[command.key] = outcome.seconds
        if index < 0:
            continue
        for key, seconds in this_round.items():
            times[key].append(seconds)
            if "pass" in this_round:
                over_pass[key].append(seconds - this_round["pass"])
    return times, over_pass, failures


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def startup_table(
    part: int,
    all_commands: list[Command],
    times: dict[str, list[float]],
    over_pass: dict[str, list[float]],
    failures: dict[str, str],
    target_ms: float,
) -> str:
    header = ("command", "tree", "median", '`python -c "pass"`', "more than pass", "target", "verdict")
    target = f"at most {target_ms:.0f} ms more than pass"
    base = times["pass"]
    base_text = ms(statistics.median(base)) if base else failures.get("pass", "no figure")
    rows = []
    for command in (c for c in all_commands if c.part == part):
        if command.key in failures or not over_pass[command.key]:
            rows.append(
                (command.title, command.tree, failures.get(command.key, "no figure"), base_text, "", target, "MISS")
            )
            continue
        more = statistics.median(over_pass[command.key])
        verdict = "PASS" if more * 1000 <= target_ms else "MISS"
        rows.append(
            (
                command.title,
                command.tree,
                ms(statistics.median(times[command.key])),
                base_text,
                ms(more),
                target,
                verdict,
            )
        )
    return table(header, rows)


# -- part 3: the calls, this tree in this process, the other in fresh ones ---------------------------


def call_in(tree: Path, key: str, length: int, cache: Path) -> dict[str, Any]:
    """One call of part 3 in a fresh process of ``tree``."""
    argv = (sys.executable, str(Path(__file__).resolve()), "--worker", key, "--chain", str(length))
    outcome = run(argv, tree, tree_env(tree, cache), CALL_TIMEOUT + WORKER_MARGIN, memory=MEMORY_LIMIT)
    if outcome.seconds is None:
        return {"seconds": None, "outcome": "stopped", "message": ""}
    for line in reversed(outcome.stdout.splitlines()):
        if line.startswith("{"):
            report: dict[str, Any] = json.loads(line)
            if not Path(report["file"]).resolve().is_relative_to(tree.resolve()):
                report["outcome"] = f"error: imported {report['file']}, not the tree's own package"
            return report
    if "MemoryError" in outcome.stderr:
        return {"seconds": None, "outcome": "out of memory", "message": ""}
    return {"seconds": None, "outcome": f"error: exit {outcome.code}: {last_line(outcome.stderr)}", "message": ""}


def naming(trees: dict[str, Path], length: int, cache: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every call REPEATS times per tree, the trees taking turns; a tree's call stops repeating once stopped."""
    x, y = build_chain(length)
    reports: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for call in CALLS:
        for repeat in range(REPEATS):
            names = list(trees)
            if repeat % 2:
                names.reverse()
            for name in names:
                done = reports.setdefault((call.key, name), [])
                if done and done[-1]["outcome"] in ("stopped", "out of memory"):
                    continue
                if name == "this tree":
                    done.append(time_call(call.key, x, y, CALL_TIMEOUT))
                else:
                    done.append(call_in(trees[name], call.key, length, cache))
    return reports


def seconds_text(seconds: float) -> str:
    return ms(seconds) if seconds < 1 else f"{seconds:.2f} s"


def naming_row(call: Call, tree: str, reports: list[dict[str, Any]]) -> tuple[str, ...]:
    last = reports[-1]
    outcome = last["outcome"]
    if outcome == "stopped":
        return (call.title, tree, f"over {CALL_TIMEOUT:.0f} s (stopped)", "stopped", NAMING_TARGET, "MISS")
    if outcome == "out of memory":
        return (call.title, tree, f"out of memory (over {MEMORY_LIMIT >> 30} GiB)", "stopped", NAMING_TARGET, "MISS")
    timed = [report["seconds"] for report in reports if report["seconds"] is not None]
    seconds = statistics.median(timed)
    times = seconds_text(seconds) if len(timed) == REPEATS else f"{seconds_text(seconds)} (median of {len(timed)})"
    if outcome.startswith("error"):
        return (call.title, tree, times, outcome.replace("|", "/")[:120], NAMING_TARGET, "MISS")
    met = (outcome == "refused" and seconds < REFUSED_WITHIN) or (
        outcome == "done" and not call.refusal and seconds < DONE_WITHIN
    )
    return (call.title, tree, times, outcome, NAMING_TARGET, "PASS" if met else "MISS")


def naming_notes(length: int, trees: Sequence[str], reports: dict[tuple[str, str], list[dict[str, Any]]]) -> list[str]:
    notes = []
    for tree in trees:
        last = reports[("node_names", tree)][-1]
        if "longest" not in last:
            notes.append(f"node_names, {tree}: no names ({last['outcome']})")
            continue
        longest: str = last["longest"]
        shown = longest if len(longest) <= NAMING_LABEL_WIDTH else longest[:NAMING_LABEL_WIDTH] + "..."
        notes.append(
            f"node_names, {tree}: {last['count']:,} names; the longest {shown!r} "
            f"({last['longest_length']:,} characters); all names together {last['total']:,} characters"
        )
    for tree in trees:
        for key in ("frames_refused", "draw_refused"):
            message = reports[(key, tree)][-1].get("message", "")
            if message:
                notes.append(f"{CALL_BY_KEY[key].title.split(':')[0]}, {tree}, refused with: {message}")
    return notes


# -- the run --------------------------------------------------------------------------------------------


def package_file(tree: Path, cache: Path) -> str:
    """Which autograd_mini a process of ``tree`` imports (its ``__file__``); exits if it is not the tree's own."""
    code = "import autograd_mini; print(autograd_mini.__file__)"
    outcome = run((sys.executable, "-c", code), tree, tree_env(tree, cache), COMMAND_TIMEOUT)
    if outcome.seconds is None or outcome.code != 0:
        raise SystemExit(f"cannot import autograd_mini from {tree}: {last_line(outcome.stderr) or 'stopped'}")
    file = outcome.stdout.strip()
    if not Path(file).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"a process of {tree} imports autograd_mini from {file}, not from the tree itself")
    return file


def check_grad_outputs(all_commands: list[Command]) -> list[str]:
    """Each grad command's output, once, so that a reader sees they all compute the same thing."""
    notes = []
    for command in all_commands:
        if command.part != 2:
            continue
        outcome = run(command.argv, command.cwd, command.env, COMMAND_TIMEOUT)
        text = outcome.stdout.strip().replace("\n", "; ") if outcome.code == 0 else last_line(outcome.stderr)
        notes.append(f"{command.title}, {command.tree}: {text or 'no output'}")
    return notes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds and a 5,000-node chain: a smoke test")
    parser.add_argument("--before", type=Path, metavar="PATH", help="another checkout of this repository to compare")
    parser.add_argument("--rounds", type=int, help="rounds of parts 1 and 2 (default 15, --quick 3)")
    parser.add_argument("--worker", choices=[call.key for call in CALLS], help=argparse.SUPPRESS)
    parser.add_argument("--chain", type=int, default=CHAIN, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.chain, CALL_TIMEOUT)
        return 0

    sys.path.insert(0, str(ROOT))  # this process's part 3 imports this tree's package
    rounds = args.rounds or (QUICK_ROUNDS if args.quick else ROUNDS)
    length = QUICK_CHAIN if args.quick else CHAIN
    trees = {"this tree": ROOT}
    if args.before is not None:
        before = args.before.resolve()
        if not (before / "autograd_mini" / "__init__.py").is_file():
            parser.error(f"--before {args.before}: no autograd_mini/__init__.py there")
        trees["before"] = before

    with tempfile.TemporaryDirectory(prefix="bench_layout_pycache_") as folder:
        cache = Path(folder)
        print("# bench_layout" + (" (quick)" if args.quick else ""))
        print()
        print(
            f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores; {sys.executable}; "
            f"load average (1 min) {os.getloadavg()[0]:.2f}."
        )
        for name, tree in trees.items():
            print(f"{name}: {tree}: a process there imports {package_file(tree, cache)}")
        import autograd_mini

        print(f"this process (part 3, this tree) imports {autograd_mini.__file__}")
        if not Path(autograd_mini.__file__ or "").resolve().is_relative_to(ROOT):
            raise SystemExit(f"this process imports autograd_mini from {autograd_mini.__file__}, not from {ROOT}")
        script = console_script()
        if script is None:
            print("the console script autograd-mini is not installed: its row is left out")
        else:
            print(f"console script: {script}")

        all_commands = commands(trees, cache, script)
        grad_notes = check_grad_outputs(all_commands)
        times, over_pass, failures = take_turns(all_commands, rounds)
        print()
        print(f"## 1. Import: median of {rounds} rounds, after a warm-up round")
        print()
        print(startup_table(1, all_commands, times, over_pass, failures, IMPORT_TARGET_MS))
        print()
        print(f"## 2. Command line `{GRAD_TEXT}`: median of {rounds} rounds, after a warm-up round")
        print()
        print(startup_table(2, all_commands, times, over_pass, failures, CLI_TARGET_MS))
        print()
        for note in grad_notes:
            print(note)

        reports = naming(trees, length, cache)
        print()
        print(f"## 3. Naming a chain of {length:,} multiplications ({2 * length + 1:,} values)")
        print()
        header = ("call", "tree", f"time (median of {REPEATS})", "outcome", "target", "verdict")
        rows = [naming_row(call, name, reports[(call.key, name)]) for call in CALLS for name in trees]
        print(table(header, rows))
        print()
        for note in naming_notes(length, list(trees), reports):
            print(note)
        print()
        print(
            f"Load average (1 min) after the run {os.getloadavg()[0]:.2f}. "
            "Part 3: this tree in this process, "
            + ("the tree before in a fresh process per call." if len(trees) > 1 else "no --before.")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
