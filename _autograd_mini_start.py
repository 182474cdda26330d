"""Where the ``autograd-mini`` command starts: outside the package, so that Ctrl-C is caught from the first line.

Importing the package and its command line is most of the command's start-up (the core, then
argparse and the four commands). Python imports a package before any of its modules, so an entry
point inside ``autograd_mini`` could only catch a Ctrl-C once the core had loaded: before that it
ends in a traceback. From here, a Ctrl-C at any moment ends as it does in a running command, with
one line and exit code 130. Only Python's own start-up (``site``, before this line) is beyond reach.
"""

import contextlib
import sys


def run() -> int:
    """Load the command line and run it with ``sys.argv``; the exit code (130 after Ctrl-C)."""
    try:
        from autograd_mini.cli import main

        return main()
    except KeyboardInterrupt:  # while the command line was still loading: as main says it
        with contextlib.suppress(OSError):  # stderr closed as well: nowhere left to say it
            print("autograd-mini: interrupted", file=sys.stderr, flush=True)
        return 130
