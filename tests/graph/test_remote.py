"""The same knowledge-graph behaviour on every backend: embedded, Oxigraph server, Virtuoso."""

from __future__ import annotations

import shutil
import subprocess

import psutil
import pytest

from detente.analysis.multigraph import who_backs_whom
from detente.analysis.views import relation_graph
from detente.extract import Article
from detente.graph import StoreError, open_store
from detente.graph.remote import RemoteQueryError
from detente.graph.store import PREFIXES
from detente.ingest import Ingestor
from tests.servers import SERVERS, _isql, virtuoso_serve

# Starts processes, servers or a cluster: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

TEXT = "Turkey is aiding the Government of National Accord in Libya. Egypt backs Haftar."


@pytest.fixture(params=["memory", "oxigraph-server", "virtuoso"])
def store(request):
    if request.param == "memory":
        url = "memory:"
    elif request.param == "oxigraph-server":
        url = request.getfixturevalue("oxigraph_server")
    else:
        url = request.getfixturevalue("virtuoso_server")
    with open_store(url) as kg:
        for graph in kg.graphs():  # a shared server: start from no detente graphs
            if str(graph).startswith("https://w3id.org/detente/"):
                kg.drop_graph(graph)
        yield kg


def test_ingest_query_replace_remove(store, extractor):
    ingestor = Ingestor(store, extractor)
    first = ingestor.ingest(Article(TEXT), "https://news.example/1")
    assert first.status == "added"
    assert ingestor.ingest(Article(TEXT), "https://news.example/1").status == "unchanged"
    edited = ingestor.ingest(Article(TEXT + " Russia backs Haftar."), "https://news.example/1")
    assert edited.status == "replaced"
    docs = ingestor.documents()
    assert [d["id"] for d in docs] == [edited.doc_id] and docs[0]["relations"] == 3
    rows = store.query(PREFIXES + "SELECT ?o WHERE { GRAPH ?g { ?s dt:aids ?o } }").rows
    assert [str(r["o"]).rsplit("/", 1)[1] for r in rows] == ["LBY-GNA"]
    backers = who_backs_whom(relation_graph(store))
    assert {(r["subject"]["id"], r["object"]["id"]) for r in backers} == {
        ("TUR", "LBY-GNA"),
        ("EGY", "LNA"),
        ("RUS", "LNA"),
    }
    assert ingestor.remove("https://news.example/1") == [edited.doc_id]
    assert ingestor.documents() == []


def test_unicode_and_quotes_survive_the_round_trip(store, extractor):
    ingestor = Ingestor(store, extractor)
    text = 'Türkiye’s "drone diplomacy": Ankara backs Azerbaijan, said Erdoğan\\\'s aide.'
    ingestor.ingest(Article(text), "q")
    rows = store.query(PREFIXES + "SELECT ?e WHERE { GRAPH ?g { ?r dt:evidence ?e } }").rows
    assert [str(r["e"]) for r in rows] == [text]


def test_malformed_query_is_reported(store):
    with pytest.raises(StoreError):
        store.query("SELEC nothing")


def test_unreachable_endpoint_is_a_clear_error():
    with (
        open_store("sparql:http://127.0.0.1:9/sparql") as kg,
        pytest.raises(StoreError, match="cannot reach"),
    ):
        kg.query("ASK {}")
    assert issubclass(RemoteQueryError, StoreError)


def test_bulk_ingest_through_the_graph_store_protocol(oxigraph_server, extractor):
    with open_store(oxigraph_server) as kg:
        assert kg.graph_store_url, "the Oxigraph server offers the Graph Store Protocol"
        ingestor = Ingestor(kg, extractor, bulk=2)
        items = [
            (Article(f"Qatar has long funded Hamas. Edition {i}."), f"gsp-{i}", None)
            for i in range(3)
        ]
        assert [r.status for r in ingestor.ingest_many(items)] == ["added"] * 3
        docs = {d["source"]: d for d in ingestor.documents()}
        assert {"gsp-0", "gsp-1", "gsp-2"} <= docs.keys()
        from detente.graph import document_iri

        graph = kg.graph_triples(document_iri(docs["gsp-1"]["id"]))
        assert len(graph) > 10
        for source in ("gsp-0", "gsp-1", "gsp-2"):
            ingestor.remove(source)


def test_the_test_virtuoso_is_private_and_stopped(tmp_path):
    """The tests' Virtuoso listens on loopback only and does not take the well-known dba
    password; it is gone when its context ends."""
    if shutil.which("virtuoso-t") is None:
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    with virtuoso_serve(tmp_path) as endpoint:
        process = psutil.Process(SERVERS[endpoint])
        listening = [c.laddr for c in process.net_connections() if c.status == "LISTEN"]
        assert len(listening) == 2 and {a.ip for a in listening} == {"127.0.0.1"}
        sql_port = next(a.port for a in listening if str(a.port) not in endpoint)
        with pytest.raises(subprocess.CalledProcessError):
            _isql(sql_port, "dba", "select 1;")
    assert not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
