"""The connector's endpoints over real HTTP: saving a rendered page (through the
same pipeline as every save: extraction, sanitizing, pictures stored locally),
saving by address, status by the canonical address, tagging."""
from __future__ import annotations

import httpx

from tests.support import make_page
from tests.support.export_library import PNG

RENDERED = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Owls after dark</title></head>
<body><nav><a href="/">Home</a></nav><article><h1>Owls after dark</h1>
<p>The tawny owl hunts by sound alone; on a still night it hears a vole under a hand's depth of snow.
Field workers on the ridge ringed thirty owlets this spring, the most since records began.</p>
<figure><img src="{pic}" alt="An owl on a branch"><figcaption>An owl on a branch</figcaption></figure>
<p>Young owls leave the nest before they can fly and climb the trunk back up with beak and claws,
which is why a fallen owlet should be left where it is found.</p>
<script>document.title = 'changed'</script></article></body></html>"""


def saved_pictures(archive, article_id: str) -> list[str]:
    return sorted(p.name for p in (archive.article_dir(article_id) / "images").glob("*.png"))


def test_save_rendered_html_goes_through_the_save_pipeline(connector, httpserver):
    httpserver.expect_request("/img/owl.png").respond_with_data(PNG, content_type="image/png")
    page = RENDERED.format(pic=httpserver.url_for("/img/owl.png"))
    answer = connector.client.post("/api/v1/save", json={
        "url": "https://example.com/owls?utm_source=feed", "title": "Tab title", "html": page,
        "tags": ["birds", "night"], "selection": "The tawny owl hunts by sound alone"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["title"] == "Owls after dark"
    assert body["created"] is True and body["tags"] == ["birds", "night"]
    article = connector.archive.get(body["id"])
    assert article.tags == ["birds", "night"]
    text = connector.archive.article_text(body["id"])
    assert "hears a vole under a hand's depth of snow" in text
    html = connector.archive.article_html(body["id"])
    assert "<script" not in html and "document.title" not in html  # sanitized
    assert saved_pictures(connector.archive, body["id"]) and 'src="images/' in html
    assert httpserver.url_for("/img/owl.png") not in html
    assert connector.archive.search("tawny vole")[0].id == body["id"]
    marks = connector.archive.highlights.list(body["id"])
    assert [m.quote for m in marks] == ["The tawny owl hunts by sound alone"]
    assert body["highlight"] == marks[0].id
    assert connector.changes == [(body["id"], "saved"), (body["id"], "tagged")]


def test_a_selection_the_article_does_not_hold_is_said_and_the_save_stands(connector):
    answer = connector.client.post("/api/v1/save", json={
        "url": "https://example.com/menu", "html": make_page("Menus"), "selection": "Home World"})
    assert answer.status_code == 201
    assert "does not contain" in answer.json()["highlight_problem"]
    assert connector.archive.highlights.list(answer.json()["id"]) == []
    again = connector.client.post("/api/v1/save", json={
        "url": "https://example.com/menu", "selection": "the marsh birds had adjusted"})
    assert again.status_code == 200 and "highlight" in again.json()
    assert [m.quote for m in connector.archive.highlights.list(answer.json()["id"])] == [
        "the marsh birds had adjusted"]


def test_the_tabs_title_is_used_when_the_page_names_itself_nowhere(connector):
    page = ("<html><body><article>" + "<p>" + "Plain words about the river delta and its silt. " * 20
            + "</p></article></body></html>")
    answer = connector.client.post("/api/v1/save", json={"url": "https://example.com/untitled",
                                                         "title": "The river delta", "html": page})
    assert answer.status_code == 201, answer.text
    assert answer.json()["title"] == "The river delta"


def test_save_without_html_fetches_the_page_as_a_cli_save_does(connector, httpserver):
    httpserver.expect_request("/story").respond_with_data(make_page("Tides of the connector"),
                                                          content_type="text/html; charset=utf-8")
    answer = connector.client.post("/api/v1/save", json={"url": httpserver.url_for("/story")})
    assert answer.status_code == 201, answer.text
    assert answer.json()["title"] == "Tides of the connector"
    assert "harbour observatory" in connector.archive.article_text(answer.json()["id"])


def test_a_fetch_failure_gives_the_clis_message(connector, httpserver):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    answer = connector.client.post("/api/v1/save", json={"url": httpserver.url_for("/gone")})
    assert answer.status_code == 422
    assert answer.json()["error"] == f"Could not fetch {httpserver.url_for('/gone')}: HTTP 404 Not Found"


def test_saving_again_returns_the_article_and_adds_the_tags(connector):
    page = make_page("Saved twice")
    first = connector.client.post("/api/v1/save", json={"url": "https://example.com/twice", "html": page,
                                                        "tags": ["a"]})
    again = connector.client.post("/api/v1/save", json={"url": "https://EXAMPLE.com/twice#top", "html": page,
                                                        "tags": ["b"]})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert again.json()["tags"] == ["a", "b"]
    assert len(connector.archive.articles()) == 1


def test_status_follows_the_canonical_and_tracking_rules(connector):
    page = make_page("Status check").replace("<head>", '<head><link rel="canonical" href="https://example.com/c/story">')
    saved = connector.client.post("/api/v1/save", json={"url": "https://example.com/s?id=7", "html": page,
                                                        "tags": ["kept"]}).json()
    for url in ("https://example.com/s?id=7&utm_source=x&fbclid=1", "HTTPS://Example.COM/s?id=7#frag",
                "https://example.com/c/story"):
        answer = connector.client.get("/api/v1/status", params={"url": url})
        assert answer.status_code == 200
        assert answer.json() == {"saved": True, "id": saved["id"], "title": "Status check",
                                 "tags": ["kept"], "status": "saved"}
    assert connector.client.get("/api/v1/status", params={"url": "https://example.com/s?id=8"}).json() == {
        "saved": False}


def test_tags_adds_and_removes(connector):
    saved = connector.client.post("/api/v1/save", json={"url": "https://example.com/t",
                                                        "html": make_page("Tagged"), "tags": ["old"]}).json()
    answer = connector.client.post("/api/v1/tags", json={"id": saved["id"], "add": ["new", "Other"],
                                                         "remove": ["old"]})
    assert answer.status_code == 200
    assert answer.json() == {"id": saved["id"], "tags": ["new", "Other"]}
    assert connector.archive.get(saved["id"]).tags == ["new", "Other"]
    assert (saved["id"], "tagged") in connector.changes
    missing = connector.client.post("/api/v1/tags", json={"id": "0000000000", "add": ["x"]})
    assert missing.status_code == 404 and "no article" in missing.json()["error"]


def test_keep_alive_connections_serve_several_requests(connector):
    for _ in range(3):
        assert connector.client.get("/api/v1/ping").status_code == 200
    assert connector.client.post("/api/v1/save", content=b"{", headers={"Content-Type": "application/json"}
                                 ).status_code == 400
    assert connector.client.get("/api/v1/status?url=https://example.com/k").json() == {"saved": False}


def test_saves_posted_together_share_index_commits_and_are_findable_when_answered(connector):
    import threading

    commits = []
    writer = connector.archive.index.writer

    def counting_writer(**kwargs):
        commits.append(1)
        return writer(**kwargs)

    connector.archive.index.writer = counting_writer  # counts commits; each still happens
    found: dict[int, bool] = {}

    def post(n: int) -> None:
        with httpx.Client(base_url=connector.base, timeout=120,
                          headers={"Authorization": f"Bearer {connector.secret}"}) as http:
            answer = http.post("/api/v1/save", json={"url": f"https://example.com/together/{n}",
                                                     "html": make_page(f"Together {n}")})
        assert answer.status_code == 201, answer.text
        found[n] = bool(connector.archive.index.stored_text(answer.json()["id"]))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == {n: True for n in range(12)}  # in the index before its answer came
    assert len(commits) < 12
    assert len(connector.archive.search("together", limit=50)) == 12


def test_saves_commit_without_merging_and_the_segments_are_merged_once_saves_stop(connector, monkeypatch):
    """A save waits for its index commit, so its commit merges no segments (merging is
    most of a commit's time); once saves stop, the segments they left are merged."""
    import time

    from app.connector import grouping
    from archive.search.whoosh_internals import listed_segments

    monkeypatch.setattr(grouping, "MERGE_IDLE_SECONDS", 1.5)
    index = connector.archive.index
    for n in range(6):
        answer = connector.client.post("/api/v1/save", json={
            "url": f"https://example.com/merge/{n}", "html": make_page(f"Merged heron {n}")})
        assert answer.status_code == 201, answer.text
    left = len(listed_segments(index.ix))
    assert left >= 6, "each save's commit should have left its own segment"
    deadline = time.monotonic() + 30
    while len(listed_segments(index.ix)) >= left and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(listed_segments(index.ix)) < left, "the segments were not merged once saves stopped"
    assert len(connector.archive.search("merged heron", limit=50)) == 6


def test_a_save_waiting_for_its_index_commit_holds_no_save_slot(connector, monkeypatch):
    """Save slots bound the pages held in memory; a stored article waiting for its index
    commit holds none, so the next pages are stored meanwhile (and share that commit)."""
    import threading
    import time

    monkeypatch.setattr(connector.api, "_saves", threading.BoundedSemaphore(1))
    other = connector.archive.index.ix.writer()  # another process's writer: commits wait for it
    answers: dict[int, httpx.Response] = {}

    def post(n: int) -> None:
        with httpx.Client(base_url=connector.base, timeout=120,
                          headers={"Authorization": f"Bearer {connector.secret}"}) as http:
            answers[n] = http.post("/api/v1/save", json={"url": f"https://example.com/slot/{n}",
                                                         "html": make_page(f"Slot heron {n}")})

    threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
    try:
        threads[0].start()
        deadline = time.monotonic() + 60
        while connector.archive.find_duplicate(url="https://example.com/slot/0") is None:
            assert time.monotonic() < deadline, "the first page was never stored"
            time.sleep(0.05)
        threads[1].start()  # the only slot must be free although the first commit waits
        while connector.archive.find_duplicate(url="https://example.com/slot/1") is None:
            assert time.monotonic() < deadline, "the second page waited for the first one's commit"
            time.sleep(0.05)
        assert not answers, "nothing may be answered before its commit"
    finally:
        other.cancel()
        for t in threads:
            t.join(120)
    assert [answers[n].status_code for n in range(2)] == [201, 201]
    assert len(connector.archive.search("slot heron", limit=10)) == 2
