"""The light format-name lists (archive.interchange.formats) name exactly the formats
the importers and exporters have code for, in the order --help shows them."""
import subprocess
import sys

from archive.interchange import exporters, importers
from archive.interchange.formats import EXPORT_FORMATS, IMPORT_FORMATS


def test_export_formats_are_the_exporters():
    assert EXPORT_FORMATS == tuple(exporters.EXPORTERS)
    assert exporters.FORMATS == EXPORT_FORMATS


def test_import_formats_are_the_parsers():
    assert set(IMPORT_FORMATS) == set(importers.PARSERS)
    assert importers.FORMATS == IMPORT_FORMATS


def test_cli_transfer_commands_do_not_import_the_exporters():
    """Building the import/export commands (their --help) reads only the names."""
    code = ("import sys, app.cli.transfer; "
            "print('archive.interchange.exporters' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
