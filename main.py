"""Quire: `python main.py` opens the window; `python main.py COMMAND` is the CLI."""
import sys


def main() -> int:
    from archive.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
