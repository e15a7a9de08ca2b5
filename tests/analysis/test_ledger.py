"""The live ledger: every write's delta leaves it equal to a rebuild, answers follow writes
at once, a saved ledger is used only while the store is unchanged."""

from __future__ import annotations

import json
import random
import time
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from detente.analysis.actors import actor_summaries
from detente.analysis.balance import ledger_balance
from detente.analysis.evidence import store_evidence
from detente.analysis.ledger import Ledger, ledger_path
from detente.analysis.multigraph import (
    relation_paths,
    signed_graph,
    structural_balance,
    who_backs_whom,
)
from detente.analysis.paths import ledger_paths
from detente.analysis.relations import relation_rows
from detente.analysis.views import relation_graph, time_slice
from detente.domain.filters import StatementFilter
from detente.extract import ActorRef, Article, Relation
from detente.graph import open_store
from detente.graph.duplicates import DUPLICATES_GRAPH
from detente.graph.rdf import document_graph, document_iri
from detente.graph.store import KnowledgeStore
from detente.http.app import create_app
from detente.http.settings import ServiceSettings
from detente.ingest import Ingestor
from detente.live.service import KnowledgeService
from detente.ontology import NS, predicates
from tests.paths import EXAMPLES, ROOT

TOKEN = "ledger-test-token"


def _paragraphs() -> list[str]:
    found = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        found += [p.strip() for p in path.read_text().split("\n\n") if len(p.split()) > 12]
    return found


def _same_answers(ledger: Ledger, store) -> None:
    """The ledger answers as a ledger read from scratch, and as the networkx view."""
    fresh = Ledger.from_store(store)
    assert ledger.canonical() == fresh.canonical()
    evidence = store_evidence(store)
    view = relation_graph(store)
    for theatre in (None, "Libya", "Syria"):
        for predicate in ("backs", None):
            where = StatementFilter(theatre=theatre, predicates=(predicate,) if predicate else ())
            ours = relation_rows(ledger, evidence, where)
            assert ours == relation_rows(fresh, evidence, where)
            theirs = who_backs_whom(view, theatre=theatre, predicate=predicate)
            assert _rows(ours) == _rows(theirs)
        assert _balance(ledger_balance(ledger, theatre=theatre)) == _balance(
            structural_balance(signed_graph(time_slice(view, theatre=theatre)))
        )
    actors = [a["id"] for a in actor_summaries(ledger)[:5]]
    assert actors == [a["id"] for a in actor_summaries(fresh)[:5]]
    for source in actors:
        for target in actors:
            if source != target:
                assert _paths(ledger_paths(ledger, evidence, source, target)) == _paths(
                    relation_paths(view, source, target)
                )


def _rows(rows: list[dict]) -> list[str]:
    """Rows without the order of equal-count rows and of evidence, which the view leaves
    to insertion order."""
    out = []
    for row in rows:
        row = {**row, "documents": sorted(row.get("documents", []))}
        row["evidence"] = sorted(json.dumps(e, sort_keys=True) for e in row["evidence"])
        out.append(json.dumps(row, sort_keys=True))
    return sorted(out)


def _balance(result: dict) -> dict:
    frustrated = sorted(json.dumps(e, sort_keys=True) for e in result["frustrated"])
    return {**result, "frustrated": frustrated}


def _paths(paths: list[list[dict]]) -> list[str]:
    return sorted(json.dumps([_rows([h]) for h in path]) for path in paths)


@pytest.mark.slow
def test_random_writes_leave_the_ledger_equal_to_a_rebuild(extractor) -> None:
    texts = _paragraphs()
    rng = random.Random(20261201)
    service = KnowledgeService(open_store("memory:"), extractor)
    ledger = service.ledger()
    sources = [f"feed:{i}" for i in range(5)]
    kinds = []
    for step in range(36):
        source = rng.choice(sources)
        if rng.random() < 0.25:
            service.remove(source)
            kinds.append("removed")
        else:
            published = date(2019 + rng.randrange(5), 1 + rng.randrange(12), 1)
            result, _ = service.ingest(Article(rng.choice(texts)), source, published)
            kinds.append(result.status)
        if step % 9 == 8:
            ledger.compact()  # row ids change: indexes kept over rows must follow
        if step % 6 == 5:
            _same_answers(ledger, service.store)
    assert service.ledger() is ledger  # changed in place, never rebuilt
    assert {"added", "replaced", "removed"} <= set(kinds)
    _same_answers(ledger, service.store)


@pytest.fixture
def client(tmp_path, extractor):
    settings = ServiceSettings(store=f"oxigraph:{tmp_path / 'kg'}", token=TOKEN)
    service = KnowledgeService(settings.store, extractor)
    with TestClient(create_app(settings, service)) as test_client:
        yield test_client
    service.close()


WRITE = {"Authorization": f"Bearer {TOKEN}"}
FIRST = "Egypt is arming the Libyan National Army in Libya, officials said on Monday."
SECOND = "Qatar is funding the Government of National Accord in Libya."


@pytest.mark.slow
def test_an_answer_after_a_write_includes_the_new_document(client) -> None:
    question = {"theatre": "Libya", "predicate": "backs"}
    first = client.post("/documents", json={"text": FIRST, "date": "2020-03-01"}, headers=WRITE)
    assert first.status_code == 201
    before = client.get("/relations", params=question).json()
    assert before  # asked and cached before the write
    posted = client.post("/documents", json={"text": SECOND, "date": "2020-03-02"}, headers=WRITE)
    assert posted.status_code == 201
    doc = posted.json()["id"]
    # Answered again by the write itself, before its 201: no reader waits for it.
    answers = client.app.state.answers
    ready = answers.cached(("raw", "/relations", b"theatre=Libya&predicate=backs"))
    assert ready is not None and doc.encode() in ready
    after = client.get("/relations", params=question).json()
    assert any(doc in row["documents"] for row in after)
    assert {r["subject"]["id"] for r in after} > {r["subject"]["id"] for r in before}
    balance = client.get("/balance", params={"theatre": "Libya"}).json()
    assert "QAT" in {n for bloc in balance["blocs"] for n in bloc}
    client.delete(f"/documents/{doc}", headers=WRITE)
    assert client.get("/relations", params=question).json() == before


@pytest.mark.slow
def test_a_sparql_update_is_followed_by_a_background_rebuild(client) -> None:
    posted = client.post("/documents", json={"text": FIRST}, headers=WRITE).json()
    assert client.get("/relations", params={"theatre": "Libya"}).json()
    drop = f"DROP GRAPH <https://w3id.org/detente/doc/{posted['id']}>"
    headers = {**WRITE, "Content-Type": "application/sparql-update"}
    assert client.post("/sparql/update", content=drop, headers=headers).status_code == 204
    deadline = time.monotonic() + 60
    while client.get("/health").json()["state"] == "rebuilding" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.get("/health").json()["state"] == "live"
    assert client.get("/relations", params={"predicate": "backs"}).json() == []
    assert client.get("/relations", params={"theatre": "Libya"}).status_code == 404


def test_a_saved_ledger_is_used_only_while_the_store_is_unchanged(
    tmp_path, extractor, monkeypatch
) -> None:
    location = tmp_path / "kg"
    service = KnowledgeService(open_store(f"oxigraph:{location}"), extractor)
    service.ingest(Article(FIRST), "feed:a", date(2020, 3, 1))
    state = service.ledger().canonical()
    service.close()
    assert ledger_path(str(location)).exists()

    reads = []
    original = Ledger.from_store.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        Ledger, "from_store", classmethod(lambda cls, s: reads.append(1) or original(cls, s))
    )
    service = KnowledgeService(open_store(f"oxigraph:{location}"), extractor)
    assert service.ledger().canonical() == state and reads == []
    service.store.close()  # a crash: nothing saved
    # Another writer (the command line, say) changes the store: the saved ledger is stale.
    store = open_store(f"oxigraph:{location}")
    Ingestor(store, extractor).ingest(Article(SECOND), "feed:b", date(2020, 3, 2))
    store.close()
    service = KnowledgeService(open_store(f"oxigraph:{location}"), extractor)
    assert service.ledger().canonical() == Ledger.from_store(service.store).canonical()
    assert reads and "QAT" in {a[0] for a in service.ledger().canonical()["actors"]}
    service.close()


def test_document_writes_during_a_rebuild_are_not_lost(extractor, monkeypatch) -> None:
    service = KnowledgeService(open_store("memory:"), extractor)
    service.ingest(Article(FIRST), "feed:a", date(2020, 3, 1))
    service.ledger()
    original = Ledger.from_store.__func__  # type: ignore[attr-defined]

    def read_then_write(cls, store):
        ledger = original(cls, store)
        # A document write lands after the rebuild read the store, before the swap.
        monkeypatch.setattr(Ledger, "from_store", classmethod(original))
        service.ingest(Article(SECOND), "feed:b", date(2020, 3, 2))
        service.remove("feed:a")
        return ledger

    monkeypatch.setattr(Ledger, "from_store", classmethod(read_then_write))
    with service.writing():
        service.store.update("INSERT DATA { GRAPH <http://example.org/g> { <x:a> <x:b> 1 } }")
        service.changed()
    deadline = time.monotonic() + 60
    while service.rebuilding and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not service.rebuilding
    state = service.ledger().canonical()
    assert state == Ledger.from_store(service.store).canonical()
    assert {a[0] for a in state["actors"]} == {"QAT", "LBY-GNA"}


def test_a_large_read_grows_the_columns_and_survives_saving(tmp_path) -> None:
    import sys

    import pyoxigraph as ox

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from store_speed import synthetic_nquads

    store = open_store("memory:")
    for chunk in synthetic_nquads(2500, 300, per_doc=50):
        store.native.bulk_load(chunk, format=ox.RdfFormat.N_QUADS)
    ledger = Ledger.from_store(store)
    assert len(ledger) == 2500
    state = ledger.canonical()
    assert len(state["statements"]) == 2500
    ledger.save(tmp_path / "ledger.npz", "stamp")
    loaded, stamp = Ledger.load(tmp_path / "ledger.npz")
    assert stamp == "stamp" and loaded.canonical() == state
    evidence = store_evidence(store)
    libya = StatementFilter(theatre="Libya", predicates=("backs",))
    assert relation_rows(loaded, evidence, libya) == relation_rows(ledger, evidence, libya)


def test_failed_questions_leave_nothing_behind(client) -> None:
    """Each question gets a gate while it is computed; one that fails (404) must not keep
    it, or anonymous readers could grow the service's memory without bound."""
    for i in range(20):
        answer = client.get("/relations", params={"actor": f"nobody-{i}"})
        assert answer.status_code == 404
    answers = client.app.state.answers
    assert answers._computing == {} and answers._computing_async == {}


# ---------------------------------------------------------------------- reading a whole store
def _relation(rng: random.Random, doc_id: str, i: int) -> Relation:
    """A generated relation of ``doc_id``, with the shapes a whole read must handle: negated,
    reported and hypothetical statements, dates of a year, a month, a day or none, a
    theatre or none, actors labelled and typed differently in different documents."""
    names = sorted(predicates())
    p = predicates()[rng.choice(names)]
    s, o = rng.sample(range(40), 2)

    def actor(n: int, start: int) -> ActorRef:
        return ActorRef(
            id=f"A{n}",
            label=rng.choice([f"Actor {n}", f"actor {n}"]),
            type=rng.choice(["State", "Organization"]),
            text="Actor",
            start=start,
            end=start + 5,
            via="name",
        )

    day = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
    when = rng.choice([None, day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]])
    sentence = f"Actor {s} {p.name} actor {o} ({i})."
    return Relation(
        document=doc_id,
        subject=actor(s, 0),
        predicate=p.name,
        object=actor(o, 10),
        polarity=p.polarity,
        plover=p.plover,
        quad_class=p.quad_class,
        weight=p.weight,
        negated=rng.random() < 0.1,
        modality=rng.choice(["asserted", "asserted", "reported", "hypothetical"]),
        date=when,
        theatre=rng.choice([None, "Libya", "Syria", "Upper Nile"]),
        sentence=sentence,
        sentence_start=i * 100,
        sentence_end=i * 100 + len(sentence),
        trigger=p.name,
        pattern="verbal",
        confidence=round(rng.uniform(0.5, 1.0), 3),
        extractor_version="test",
    )


def _generated_store(documents: int = 300, seed: int = 5):
    """A store of generated documents, written as detente writes them."""
    rng = random.Random(seed)
    store = open_store("memory:")
    graphs = []
    for d in range(documents):
        doc_id = f"doc-gen{d:05d}"
        relations = [_relation(rng, doc_id, i) for i in range(rng.randrange(6))]
        published = date(2020, 1, 1) + timedelta(days=d) if rng.random() < 0.7 else None
        graphs.append(
            (document_iri(doc_id), document_graph(doc_id, relations, published=published))
        )
    store.bulk_write(graphs)
    return store, [str(iri) for iri, _ in graphs]


def _statements(store, graph: str) -> list[str]:
    query = f"SELECT ?r WHERE {{ GRAPH <{graph}> {{ ?r a <{NS}Relation> }} }} ORDER BY ?r"
    return [r for (r,) in store.values(query)]


def _make_irregular(store, graphs: list[str]) -> None:
    """Statements that do not have one value of each property, and other shapes a
    detente write never makes but another tool's might."""
    dt, actor = str(NS), "https://w3id.org/detente/actor/"
    first, second, third, fourth, fifth = [g for g in graphs if len(_statements(store, g)) > 1][:5]
    a, b = _statements(store, first)[:2]
    c, d = _statements(store, second)[:2]
    e, f = _statements(store, third)[:2]
    g, h = _statements(store, fourth)[:2]
    [(kept,)] = store.values(
        f"SELECT ?r WHERE {{ GRAPH <{fifth}> {{ ?r <{dt}negated> false ; <{dt}modality> "
        f"<{dt}asserted> }} }} ORDER BY ?r LIMIT 1"
    )
    other = "http://example.org/statement/1"
    changes = [
        # a: two evidence sentences; b: two theatres
        f'INSERT DATA {{ GRAPH <{first}> {{ <{a}> <{dt}evidence> "A second sentence." . '
        f"<{b}> <{dt}theatre> <https://w3id.org/detente/theatre/Yemen> }} }}",
        # c: its object moved to another graph (no graph holds the whole statement)
        f"DELETE WHERE {{ GRAPH <{second}> {{ <{c}> <{dt}object> ?o }} }}",
        f"INSERT DATA {{ GRAPH <{third}> {{ <{c}> <{dt}object> <{actor}A1> ; "
        f"<{dt}subject> <{actor}A2> }} }}",
        # d: without a confidence; e: its date empty; f: a theatre nobody labelled
        f"DELETE WHERE {{ GRAPH <{second}> {{ <{d}> <{dt}confidence> ?c }} }}",
        f"DELETE WHERE {{ GRAPH <{third}> {{ <{e}> <{dt}date> ?w }} }}",
        f'INSERT DATA {{ GRAPH <{third}> {{ <{e}> <{dt}date> "" }} }}',
        f"DELETE WHERE {{ GRAPH <{third}> {{ <{f}> <{dt}theatre> ?t }} }}",
        f"INSERT DATA {{ GRAPH <{third}> {{ <{f}> <{dt}theatre> <http://example.org/x> }} }}",
        # g: the whole statement in a second graph too; h: a second subject and predicate
        f"INSERT {{ GRAPH <{second}> {{ <{g}> ?p ?o }} }} "
        f"WHERE {{ GRAPH <{fourth}> {{ <{g}> ?p ?o }} }}",
        f"INSERT DATA {{ GRAPH <{fourth}> {{ <{h}> <{dt}subject> <{actor}A3> ; "
        f"<{dt}predicate> <{dt}backs> }} }}",
        # a statement outside the relation namespace, and a document linked as a copy
        f"INSERT {{ GRAPH <{fourth}> {{ <{other}> ?p ?o }} }} "
        f"WHERE {{ GRAPH <{fifth}> {{ <{kept}> ?p ?o }} }}",
        f"INSERT DATA {{ GRAPH <{DUPLICATES_GRAPH}> {{ "
        f"<{graphs[-1]}> <{dt}duplicateOf> <{first}> }} }}",
    ]
    store.update(" ;\n".join(changes))


@pytest.mark.slow
def test_a_whole_read_equals_the_statement_join_and_the_deltas() -> None:
    """The aggregate read of an embedded store gives the ledger the statement join gives,
    and the one a write-by-write application of its documents builds."""
    store, graphs = _generated_store()
    fast = Ledger.from_store(store)
    joined = Ledger.from_store_joined(store)
    assert len(fast) > 300 and fast.canonical() == joined.canonical()
    deltas = Ledger()
    for graph in graphs:
        deltas.apply(store, added=[graph], removed=[])
    # Labels differ between documents here: a write takes the first document's, a whole
    # read the store's first; the statements are the same.
    assert fast.canonical()["statements"] == deltas.canonical()["statements"]
    evidence = store_evidence(store)
    for theatre in (None, "Libya", "upper nile"):
        where = StatementFilter(theatre=theatre, predicates=("backs",))
        assert relation_rows(fast, evidence, where) == relation_rows(joined, evidence, where)
        assert _balance(ledger_balance(fast, theatre=theatre)) == _balance(
            ledger_balance(joined, theatre=theatre)
        )


def test_a_whole_read_of_irregular_statements_equals_the_statement_join() -> None:
    store, graphs = _generated_store(documents=120, seed=9)
    _make_irregular(store, graphs)
    fast = Ledger.from_store(store)
    state = Ledger.from_store_joined(store).canonical()
    assert fast.canonical() == state
    iris = {s[0] for s in state["statements"]}
    assert "http://example.org/statement/1" in iris
    # A blank-node statement is not read by the aggregate: the join reads the store.
    any_graph = graphs[0]
    store.update(
        f"INSERT {{ GRAPH <{any_graph}> {{ _:x ?p ?o }} }} WHERE {{ GRAPH <{graphs[1]}> "
        f"{{ ?r a <{NS}Relation> ; ?p ?o }} }}"
    )
    assert Ledger.from_store(store).canonical() == Ledger.from_store_joined(store).canonical()


class _Endpoint(KnowledgeStore):
    """A backend known only through the store interface, as a SPARQL endpoint is."""

    url = "test:"

    def __init__(self, inner) -> None:
        self.inner = inner

    def query(self, sparql: str, *, union_default_graph: bool = True):
        return self.inner.query(sparql, union_default_graph=union_default_graph)

    def update(self, sparql: str) -> None:
        self.inner.update(sparql)

    def graphs(self):
        return self.inner.graphs()


def test_any_backend_is_read_by_the_statement_join() -> None:
    store, _ = _generated_store(documents=80, seed=3)
    assert Ledger.from_store(_Endpoint(store)).canonical() == Ledger.from_store(store).canonical()
    empty = open_store("memory:")
    assert len(Ledger.from_store(empty)) == 0


def test_an_aggregate_row_that_does_not_parse_is_read_by_the_join(monkeypatch) -> None:
    """A sum too large for an integer comes back empty: that statement is read by the
    join, the others still by the aggregate."""
    from detente.analysis import ledger as module

    store, _ = _generated_store(documents=40, seed=11)
    original = module._aggregate

    def one_sum_empty(native, values):
        head, *lines = original(native, values).split(b"\n")
        cells = lines[0].split(b"\t")
        lines[0] = b"\t".join([cells[0], b"", *cells[2:]])
        return b"\n".join([head, *lines])

    monkeypatch.setattr(module, "_aggregate", one_sum_empty)
    redo = []
    add = Ledger._add_aggregate
    monkeypatch.setattr(
        Ledger, "_add_aggregate", lambda self, *a: redo.extend(add(self, *a)) or redo
    )
    assert Ledger.from_store(store).canonical() == Ledger.from_store_joined(store).canonical()
    assert len(redo) == 1
