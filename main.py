"""Quire: `python main.py` opens the window; `python main.py COMMAND` is the CLI."""
import sys


def open_window(root, screenshot=None) -> int:
    """The GUI, imported only when wanted, so commands never load Qt."""
    from app import run

    return run(root, screenshot=screenshot)


def main() -> int:
    from app.cli.commands import main as cli_main

    return cli_main(sys.argv[1:], gui=open_window)


if __name__ == "__main__":
    sys.exit(main())
