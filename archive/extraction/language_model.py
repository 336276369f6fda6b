"""py3langid's identifier, loaded from a decompressed copy of its model when one exists.

py3langid ships its model as an LZMA-compressed npz (4.5 MB on disk, 68 MB of
arrays). Decompressing it costs about 0.4 s of CPU, and every process that
extracts a page without a declared language pays it once: the connector's pool
workers, bulk-save pools, import workers, the CLI. The first load in any process
therefore writes the decompressed arrays to the user's cache folder as plain
``.npy`` files; later processes load them in about 20 ms of CPU, mapping the two
big tables read-only, so concurrent workers share one copy in the page cache
instead of each holding 67 MB of its own.

Everything here is an optimisation: any failure (no cache folder, a corrupt or
half-gone cache, a py3langid whose model layout or constructor differs) falls back
to ``LanguageIdentifier.from_model_file``, the normal route, and never fails an
extraction.

No pickle anywhere: ``.npy`` files are read with ``allow_pickle=False``.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from array import array
from pathlib import Path
from typing import Any

import numpy as np

from archive.base.places import APP_NAME, CACHE_ENV, cache_root  # noqa: F401 - named here too

log = logging.getLogger(__name__)

#: Bumped when the layout written here changes, so an old cache is never misread.
CACHE_FORMAT = 1
#: The arrays of py3langid's model, in the order ``py3langid.modelio.load_model``
#: returns them, with the Python type it returns each as.
FIELDS: tuple[tuple[str, type], ...] = (
    ("ptc", np.ndarray),
    ("pc", np.ndarray),
    ("classes", list),
    ("nextmove", array),
    ("nextmove_row", array),
    ("out_feat", list),
)
#: Left in the read-only map rather than copied: the two big arrays (28 and 39 MB),
#: which py3langid 0.4 only indexes and slices, never writes. Sharing the page cache
#: saves each process 67 MB of private memory and the 20 ms a copy of them costs.
#: The naive-Bayes table stays an ndarray (a view of the map). The DFA table becomes
#: a memoryview of the map with the stdlib array's item type instead of a stdlib
#: array: py3langid only indexes it, one byte of text at a time, and a memoryview
#: indexes as fast (0.74 ms per 3000-character sample with either).
MAPPED = frozenset({"ptc", "nextmove"})
#: Checked after a load from the cache: a cheap guard against a cache that reads
#: without error but holds the wrong numbers (a zero-filled file after a crash).
_PROBE = ("The committee will publish its annual report on the state of the "
          "railways next week.", "en")


def load_identifier(norm_probs: bool = True) -> Any:
    """py3langid's ``LanguageIdentifier`` for its bundled model: built from the
    cache when it holds a good copy, otherwise the normal way (and then cached)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model_path = Path(MODEL_DIR) / MODEL_FILE
    folder = _cache_folder(model_path)
    if folder is not None and folder.is_dir():
        try:
            identifier = _build(LanguageIdentifier, read_cache(folder), norm_probs)
            if _probe(identifier):
                return identifier
            log.warning("language model cache %s gives wrong answers; rewriting it", folder)
        except Exception as exc:  # noqa: BLE001 - any failure means "load the normal way"
            log.warning("language model cache %s unreadable (%s); rewriting it", folder, exc)
        identifier = None  # its maps closed first: Windows keeps a mapped file from moving
        _discard(folder)
    try:
        from py3langid.modelio import load_model

        model = tuple(load_model(model_path))
        _check_types(model)
        identifier = _build(LanguageIdentifier, model, norm_probs)
    except Exception as exc:  # noqa: BLE001 - a py3langid this module does not know
        log.info("py3langid's model layout is not the expected one (%s); not caching it", exc)
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=norm_probs)
    if folder is not None:
        try:
            write_cache(folder, model)
        except Exception as exc:  # noqa: BLE001 - read-only home, full disk: no cache
            log.info("could not cache the language model in %s: %s", folder, exc)
    return identifier


def _cache_folder(model_path: Path) -> Path | None:
    """The cache folder for this py3langid and this model file. Named by py3langid's
    version and the model file's size and mtime, so an upgraded (or reinstalled)
    py3langid never reads a copy of another model."""
    try:
        root = cache_root()
        if root is None:
            return None
        import py3langid

        version = getattr(py3langid, "__version__", None)
        if not version:
            from importlib.metadata import version as dist_version

            version = dist_version("py3langid")
        st = model_path.stat()
        name = f"langid-model-v{CACHE_FORMAT}-py3langid-{version}-{st.st_size}-{st.st_mtime_ns}"
        return root / name
    except Exception as exc:  # noqa: BLE001 - no model file, no version: no cache
        log.info("no language model cache: %s", exc)
        return None


def _check_types(model: tuple) -> None:
    """Raise unless ``model`` is laid out as FIELDS says (what this module can store)."""
    if len(model) != len(FIELDS):
        raise ValueError(f"{len(model)} parts, expected {len(FIELDS)}")
    for value, (name, kind) in zip(model, FIELDS):
        if type(value) is not kind:
            raise TypeError(f"{name} is a {type(value).__name__}, expected {kind.__name__}")


def _build(cls: Any, model: tuple, norm_probs: bool) -> Any:
    """The identifier, constructed exactly as ``from_model_file`` (py3langid 0.4)
    constructs it from ``load_model``'s result."""
    ptc, pc, classes, nextmove, row, output = model
    return cls(np.asarray(ptc), np.asarray(pc), classes, nextmove, output,
               norm_probs=norm_probs, tk_row=row)


def _probe(identifier: Any) -> bool:
    text, expected = _PROBE
    return identifier.classify(text)[0] == expected


def write_cache(folder: Path, model: tuple) -> None:
    """Store ``model`` (load_model's tuple) as one .npy file per array in ``folder``.

    Written into a temporary folder beside it and renamed into place, so a process
    starting meanwhile sees either no cache or a whole one. When another process
    got there first the rename fails and its copy is kept."""
    _check_types(model)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for value, (name, kind) in zip(model, FIELDS):
            if kind is list:
                value = np.asarray(value)
                if value.dtype.kind not in "iuU" or value.ndim != 1:
                    raise TypeError(f"{name}: cannot store a list of {value.dtype}")
            np.save(staging / f"{name}.npy", np.asarray(value), allow_pickle=False)
        try:
            os.replace(staging, folder)
        except OSError:
            if not folder.is_dir():
                raise
            # Another process renamed its copy into place first; keep that one.
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_cache(folder: Path) -> tuple:
    """load_model's tuple, read back from ``folder``: the same values, and the same
    types except for the MAPPED ones (see there)."""
    parts: list[Any] = []
    for name, kind in FIELDS:
        # Every file is mapped, so a conversion below copies straight from the page
        # cache; only the MAPPED arrays stay maps, the rest are copies or lists.
        data = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        if kind is np.ndarray:
            # np.asarray: a plain ndarray, as load_model gives (a view of the map).
            parts.append(np.asarray(data) if name in MAPPED else np.array(data))
        elif kind is array:
            # py3langid walks these one element at a time, and indexing a numpy array
            # from Python is several times slower than a stdlib array or memoryview.
            out = array(data.dtype.char)
            if out.itemsize != data.dtype.itemsize or data.ndim != 1:
                raise TypeError(f"{name}: no array type for {data.dtype}")
            raw = memoryview(np.ascontiguousarray(data)).cast("B")
            if name in MAPPED:
                parts.append(raw.cast(out.typecode))
            else:
                out.frombytes(raw)
                parts.append(out)
        else:
            parts.append(data.tolist())
    model = tuple(parts)
    ptc, pc, classes, nextmove, row, output = model
    if (ptc.ndim != 2 or ptc.shape[1] != len(pc) or len(pc) != len(classes)
            or len(row) != len(output) or len(nextmove) % 256):
        raise ValueError("the cached arrays do not fit together")
    return model


def _discard(folder: Path) -> None:
    """Remove a bad cache: renamed aside first (one atomic step, so no process reads
    it half-deleted), then deleted."""
    try:
        aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.bad.", dir=folder.parent))
        os.replace(folder, aside / "model")
    except OSError:
        return
    shutil.rmtree(aside, ignore_errors=True)
