"""Every list route pages alike: ``limit`` and ``offset``, the total in ``X-Total-Count``
and the next and previous pages in ``Link`` (RFC 8288), also when the answer comes from the
answer cache's fast path."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from detente.http.answer_cache import Page, answer_key
from tests.http.test_api import make_client
from tests.http.test_predicate_hierarchy import TEXTS

TOKEN = {"Authorization": "Bearer paging"}
LISTS = ("/relations", "/actors", "/documents", "/theatres", "/curation", "/feeds")


@pytest.fixture(scope="module")
def client(extractor) -> TestClient:
    api = make_client(extractor, token="paging")
    for text in TEXTS:
        assert api.post("/documents", json={"text": text}, headers=TOKEN).status_code == 201
    return api


def walk(client: TestClient, path: str, **params: object) -> tuple[list, list[int]]:
    """Every item of a list route, following its ``next`` links; and each page's total."""
    response = client.get(path, params={**params, "limit": 2})
    items, totals = [], []
    while True:
        assert response.status_code == 200, response.text
        items += response.json()
        totals.append(int(response.headers["X-Total-Count"]))
        if "next" not in response.links:
            return items, totals
        after = client.get(response.links["next"]["url"])
        assert after.links["prev"]["url"].endswith(f"offset={len(items) - 2}&limit=2")
        response = after


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/relations", {}),
        ("/relations", {"predicate": "backs"}),
        ("/relations", {"predicate": "backs", "group": "pair"}),
        ("/actors", {}),
        ("/actors", {"q": "a"}),
        ("/documents", {}),
        ("/theatres", {}),
    ],
)
def test_the_pages_of_a_list_make_the_whole_list(client, path, params) -> None:
    whole = client.get(path, params={**params, "limit": 1000})
    items = whole.json()
    assert int(whole.headers["X-Total-Count"]) == len(items) >= 3 or path == "/theatres"
    paged, totals = walk(client, path, **params)
    assert paged == items and set(totals) == {len(items)}
    again = client.get(path, params={**params, "limit": 2, "offset": 2})
    assert again.json() == items[2:4]
    past = client.get(path, params={**params, "offset": 1000})
    assert past.json() == [] and past.headers["X-Total-Count"] == str(len(items))
    assert past.links["prev"]["url"].endswith("offset=900&limit=100")


@pytest.mark.parametrize("path", ["/relations", "/actors", "/documents", "/feeds"])
def test_list_routes_take_the_same_parameters(client, path) -> None:
    # The service's row cap bounds every page (asked afresh: not a kept answer) ...
    state = client.app.state
    settings = state.settings
    state.settings = settings.model_copy(update={"max_rows": 2})
    try:
        page = client.get(path, params={"limit": 10_000, "offset": 0})
    finally:
        state.settings = settings
    assert len(page.json()) <= 2
    if "next" in page.links:
        assert page.links["next"]["url"].endswith("offset=2&limit=2")
    # ... and the same bounds refuse.
    for bad in ({"limit": 0}, {"limit": 10_001}, {"offset": -1}, {"limit": "x"}):
        assert client.get(path, params=bad).status_code == 422, bad
    assert client.get(path).headers["X-Total-Count"].isdigit()


def test_a_cached_page_is_answered_with_its_headers(client) -> None:
    answers = client.app.state.answers
    params = {"predicate": "backs", "limit": 2, "offset": 1}
    first = client.get("/relations", params=params)
    key = answer_key({"path": "/relations", "query_string": first.request.url.query})
    kept = answers.cached(key)
    # The route kept the page with its window; the fast path did not replace it by its body.
    assert isinstance(kept, Page) and (kept.total, kept.limit, kept.offset) == (5, 2, 1)
    again = client.get("/relations", params=params)  # the fast path: before routing
    assert again.content == first.content
    for header in ("X-Total-Count", "Link", "Content-Type", "Content-Length"):
        assert again.headers[header] == first.headers[header], header
    # The links are to the address the request was sent to, whoever sent it.
    other = client.get("/relations", params=params, headers={"Host": "detente.example"})
    assert other.links["next"]["url"].startswith("http://detente.example/relations?")
    assert other.headers["X-Total-Count"] == "5"


def test_a_write_answers_the_page_again_with_its_new_total(client) -> None:
    params = {"predicate": "backs", "group": "pair"}
    before = client.get("/relations", params=params)
    text = "Kuwait is funding the Government of National Accord in Libya, diplomats said."
    posted = client.post("/documents", json={"text": text}, headers=TOKEN)
    assert posted.status_code == 201
    try:
        after = client.get("/relations", params=params)
        total = int(before.headers["X-Total-Count"]) + 1
        assert after.headers["X-Total-Count"] == str(total) == str(len(after.json()))
    finally:
        client.delete(f"/documents/{posted.json()['id']}", headers=TOKEN)
    assert client.get("/relations", params=params).headers == before.headers


def test_openapi_documents_the_paging_headers_of_every_list_route(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in LISTS:
        get = paths[path]["get"]
        assert {"limit", "offset"} <= {p["name"] for p in get["parameters"]}, path
        assert {"X-Total-Count", "Link"} <= set(get["responses"]["200"]["headers"]), path
    group = next(p for p in paths["/relations"]["get"]["parameters"] if p["name"] == "group")
    assert "pair" in str(group["schema"]) or "$ref" in str(group["schema"])
