"""``python -m comet``: the command line lives in :mod:`comet.cli`."""
import sys

from comet.cli import build_parser, main  # noqa: F401  (build_parser: tests read the commands)

if __name__ == "__main__":
    sys.exit(main())
