"""Entry point of `nnsim` and `python -m nnsim`.

`nnsim train ...`, `trace`, `explain`, `export` and `import` are the
command-line twin (no Qt is imported on that path); anything else opens the window.
"""
from __future__ import annotations

import sys

CLI_COMMANDS = ("train", "trace", "explain", "export", "import")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in CLI_COMMANDS:
        from .cli import main as cli_main
        return cli_main(argv)
    from .app import main as app_main
    return app_main(argv)


if __name__ == "__main__":
    sys.exit(main())
