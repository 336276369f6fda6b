"""Fuzz decoding + extraction of a page (archive.store.prepare_page)."""
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
with atheris.instrument_imports():
    from archive.base.errors import QuireError
    from archive.library.store import prepare_page


def test_one(data: bytes) -> None:
    try:
        prepare_page(data, "https://fuzz.example/page")
    except QuireError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
