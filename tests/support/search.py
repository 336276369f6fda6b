"""A small archive with known articles, for the query-language and search tests.

Articles go straight into the catalog and the index (no fetch, no extraction),
so each test knows exactly which words, fields, dates and states exist.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from archive.search.index import make_document
from archive.base.models import Article

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _iso(dt: datetime) -> str:
    return dt.isoformat()


ARTICLES = [
    dict(id="tides00001", title="Tides of the northern marsh", site="The Daily Example",
         url="https://www.daily.example/tides", authors=["Ada Smith"], tags=["science", "long reads"],
         saved="2026-01-15T10:00:00+00:00", published="2016-05-01T00:00:00+00:00", lang="en",
         text="Researchers counted herons on the northern marsh. The spring floods arrived earlier "
              "every year, and the marsh birds adjusted their nesting calendar to match the water."),
    dict(id="bread00002", title="Sourdough bread at home", site="Kitchen Notes",
         url="https://kitchen.example/bread", authors=["Ben Okafor"], tags=["recipes"],
         saved="2025-06-01T08:00:00+00:00", published="2020-03-03T00:00:00+00:00", lang="en",
         is_read=True, is_favorite=True,
         text="Feed the starter, then mix flour and water. We measured the rise of the dough "
              "every hour; a warm oven makes a crisp crust on the loaf."),
    dict(id="cafe000003", title="Café culture in Paris", site="Le Monde Example",
         url="https://lemonde.example/cafe", authors=["Chloé Müller"], tags=["travel"],
         saved=_iso(NOW - timedelta(days=2)), lang="fr", is_archived=True,
         text="Le café du coin sert une crème brûlée parfaite. Les habitués lisent le journal "
              "au comptoir pendant des heures."),
    dict(id="run0000004", title="Running a first marathon", site="Trail Weekly",
         url="https://trail.example/marathon", authors=["Dmitri Ivanova"], tags=["sport", "health"],
         saved=_iso(NOW - timedelta(days=20)), lang="en", uncertain=True,
         text="Runners who run slowly in training often race faster. Running long on Sundays "
              "builds the endurance a marathon needs."),
    dict(id="solar00005", title="Solar batteries and the grid", site="Grid Report",
         url="https://grid.example/solar-batteries", authors=["Eva Garcia"], tags=["energy", "science"],
         saved="2024-02-10T12:00:00+00:00", published="2023-12-01T00:00:00+00:00", lang="en",
         text="A solar battery stores photovoltaic power for the evening peak. Photographs of "
              "the storage hall show rows of cabinets."),
    dict(id="wind000006", title="Wind power on the coast", site="Grid Report",
         url="https://grid.example/wind", authors=["Eva Garcia"], tags=["energy"],
         saved="2023-08-08T12:00:00+00:00", lang="en",
         text="Wind turbines and solar farms share the coastal grid. The turbines turn "
              "even in winter storms."),
    dict(id="pend000007", title="Unfetched page about volcanoes", site="volcano.example",
         url="https://volcano.example/etna", tags=[], saved="2022-01-01T00:00:00+00:00",
         status="pending", text=""),
    dict(id="escape0008", title="Markup in articles", site="Web Notes", url="https://web.example/markup",
         tags=["programming"], saved="2021-05-05T00:00:00+00:00", lang="en",
         text="Write <script>alert(1)</script> & other markup as text; the escaping matters."),
]


def add_articles(archive, specs=ARTICLES) -> dict[str, Article]:
    """Catalog rows and index documents for the given specs; returns id → Article."""
    out = {}
    with archive.batch():
        for spec in specs:
            spec = dict(spec)
            text = spec.pop("text")
            article = Article(**spec)
            archive.catalog.insert(article, None)
            archive.index.add(make_document(article, text))
            out[article.id] = article
    archive.catalog.dequeue_indexed(list(out))  # indexed already; nothing to redo on reopen
    return out


def ids(result_or_hits) -> set[str]:
    hits = getattr(result_or_hits, "hits", result_or_hits)
    return {h.id for h in hits}


@pytest.fixture(scope="module")
def arch(tmp_path_factory):
    """An archive of ARTICLES shared by a module's read-only tests (building it is
    most of a test's time). Import it into a test module to use it."""
    from archive import Archive

    a = Archive(tmp_path_factory.mktemp("search") / "arch", seed=False, fetch=False)
    add_articles(a)
    yield a
    a.close()
