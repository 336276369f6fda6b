"""Fuzz every importer's parser and the format detection on arbitrary file content."""
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
with atheris.instrument_imports():
    from archive.base.errors import QuireError
    from archive.interchange.importers import PARSERS
    from archive.interchange.importers.detect import detect_format

SUFFIX = {"netscape": ".html", "pocket": ".csv", "instapaper": ".csv", "wallabag": ".json",
          "omnivore": ".zip", "urls": ".txt", "folder": ".html", "json": ".json",
          "pinboard": ".json", "linkwarden": ".json", "karakeep": ".json", "readwise": ".csv",
          "raindrop": ".csv", "readeck": ".zip", "chrome": "", "firefox": ".sqlite"}
FORMATS = sorted(PARSERS)
TMP = Path(tempfile.mkdtemp(prefix="quire-fuzz-"))


def test_one(data: bytes) -> None:
    if not data:
        return
    fmt = FORMATS[data[0] % len(FORMATS)]
    path = TMP / f"input{SUFFIX[fmt]}"
    path.write_bytes(data[1:])
    try:
        list(PARSERS[fmt](path))
        detect_format(path)
    except QuireError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
