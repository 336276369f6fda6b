"""The cache of py3langid's decompressed model (archive/extraction/language_model.py).

Real files in a temporary cache folder ($XDG_CACHE_HOME points at tmp_path), the
real py3langid model; the reference is py3langid's own ``from_model_file``."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from archive.extraction import language_model
from archive.extraction.language_model import load_identifier

#: Eight languages in six scripts, and one line too short to be sure of.
SAMPLES = (
    "The committee will publish its annual report on the state of the railways next week.",
    "Der Ausschuss wird seinen Jahresbericht über den Zustand der Eisenbahnen nächste Woche veröffentlichen.",
    "Le comité publiera la semaine prochaine son rapport annuel sur l'état des chemins de fer.",
    "Комитет опубликует свой ежегодный доклад о состоянии железных дорог на следующей неделе.",
    "委員会は来週、鉄道の現状に関する年次報告書を発表する予定です。",
    "ستنشر اللجنة تقريرها السنوي عن حالة السكك الحديدية الأسبوع المقبل.",
    "Η επιτροπή θα δημοσιεύσει την ετήσια έκθεσή της για την κατάσταση των σιδηροδρόμων.",
    "समिति अगले सप्ताह रेलवे की स्थिति पर अपनी वार्षिक रिपोर्ट प्रकाशित करेगी।",
    "ok 42",
)
MODEL_PATH = Path(MODEL_DIR) / MODEL_FILE


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    """py3langid's identifier loaded the normal way (decompressing the model)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user cache folder moved into tmp_path, as platformdirs finds it."""
    home = tmp_path / "cache"
    monkeypatch.delenv(language_model.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def cache_folder() -> Path:
    folder = language_model._cache_folder(MODEL_PATH)
    assert folder is not None
    return folder


def assert_classifies_like(identifier: LanguageIdentifier, reference: LanguageIdentifier) -> None:
    """The same language and the same probability, to the last bit, for every sample;
    and the same full ranking."""
    for text in SAMPLES:
        assert identifier.classify(text) == reference.classify(text), text
        assert identifier.rank(text) == reference.rank(text), text


def test_the_first_load_writes_the_cache_and_the_next_reads_it(cache_home: Path,
                                                                reference: LanguageIdentifier) -> None:
    folder = cache_folder()
    assert folder.parent == cache_home / language_model.APP_NAME
    assert not folder.exists()

    first = load_identifier()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.npy" for name, _ in language_model.FIELDS)
    # Built the normal way: the decompressed model's own stdlib array.
    assert not isinstance(first.tk_nextmove, memoryview)
    written = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    second = load_identifier()
    # Built from the cache (a view of the mapped file), which was read, not rewritten.
    assert isinstance(second.tk_nextmove, memoryview)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == written
    # Nothing left behind beside it (the staging folder was renamed into place).
    assert list(folder.parent.iterdir()) == [folder]

    assert_classifies_like(first, reference)
    assert_classifies_like(second, reference)
    assert [reference.classify(t)[0] for t in SAMPLES[:8]] == [
        "en", "de", "fr", "ru", "ja", "ar", "el", "hi"]


def test_the_cache_holds_the_model_s_values_and_types(cache_home: Path) -> None:
    from py3langid.modelio import load_model

    load_identifier()
    model = load_model(MODEL_PATH)
    cached = language_model.read_cache(cache_folder())
    for (name, kind), original, copy in zip(language_model.FIELDS, model, cached):
        assert type(original) is kind, name
        if name in language_model.MAPPED and kind is not np.ndarray:
            assert isinstance(copy, memoryview) and copy.format == original.typecode, name
        else:
            assert type(copy) is kind, name
        assert np.array_equal(np.asarray(copy), np.asarray(original)), name
        assert np.asarray(copy).dtype == np.asarray(original).dtype or kind is list, name


def test_set_languages_works_on_the_mapped_model(cache_home: Path, reference: LanguageIdentifier) -> None:
    """Restricting the languages slices the read-only mapped table: no write to it."""
    load_identifier()
    cached = load_identifier()
    restricted = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    for identifier in (cached, restricted):
        identifier.set_languages(["de", "nl", "sv"])
    assert_classifies_like(cached, restricted)
    cached.set_languages(None)
    assert_classifies_like(cached, reference)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _zero(path: Path) -> None:
    """The right size, the right header, nothing but zeros after it (a crash
    between the size and the data reaching the disk)."""
    data = path.read_bytes()
    header = len(data) - np.load(path, mmap_mode="r").nbytes
    path.write_bytes(data[:header] + bytes(len(data) - header))


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a numpy file at all")


@pytest.mark.parametrize(("name", "damage"), [
    ("ptc", _truncate), ("nextmove", _truncate), ("out_feat", _garbage), ("ptc", _zero),
    ("classes", lambda p: p.unlink()),
])
def test_a_damaged_cache_falls_back_and_is_rewritten(cache_home: Path, reference: LanguageIdentifier,
                                                      name: str, damage) -> None:
    load_identifier()
    folder = cache_folder()
    target = folder / f"{name}.npy"
    good = target.read_bytes()
    damage(target)

    identifier = load_identifier()
    assert not isinstance(identifier.tk_nextmove, memoryview)  # loaded the normal way
    assert_classifies_like(identifier, reference)
    assert target.read_bytes() == good
    assert list(folder.parent.iterdir()) == [folder]
    assert isinstance(load_identifier().tk_nextmove, memoryview)  # and read again


def test_an_unwritable_cache_folder_still_gives_an_identifier(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: LanguageIdentifier) -> None:
    # A file where the cache folder should be: mkdir fails, even for root (for whom
    # a read-only mode would not).
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    monkeypatch.delenv(language_model.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))

    assert_classifies_like(load_identifier(), reference)
    assert blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_an_empty_cache_variable_turns_the_cache_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: LanguageIdentifier) -> None:
    monkeypatch.setenv(language_model.CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert language_model._cache_folder(MODEL_PATH) is None
    assert_classifies_like(load_identifier(), reference)
    assert list(tmp_path.iterdir()) == []


def test_a_copy_already_in_place_is_kept(cache_home: Path) -> None:
    """Two processes starting at once both write; the second's rename fails and the
    first's copy stays, whole."""
    from py3langid.modelio import load_model

    load_identifier()
    folder = cache_folder()
    before = {p.name: p.stat().st_ino for p in folder.iterdir()}
    language_model.write_cache(folder, tuple(load_model(MODEL_PATH)))
    assert {p.name: p.stat().st_ino for p in folder.iterdir()} == before
    assert list(folder.parent.iterdir()) == [folder]


def test_the_cache_is_named_by_the_model_file(tmp_path: Path, cache_home: Path) -> None:
    """Another model file (an upgraded py3langid's, of another size or date) gets
    another cache: an old copy is never read for a new model."""
    import py3langid

    other = tmp_path / "model.npz.xz"
    other.write_bytes(MODEL_PATH.read_bytes()[:1000])
    names = {language_model._cache_folder(p).name for p in (MODEL_PATH, other)}
    assert len(names) == 2
    assert all(py3langid.__version__ in n for n in names)
