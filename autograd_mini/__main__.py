"""``python -m autograd_mini`` runs the command line."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while numpy and the package are still loading: as main says it
    print("autograd-mini: interrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
