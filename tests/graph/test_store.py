"""The knowledge graph store: per-document named graphs, idempotent and atomic ingest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from rdflib import Graph

from detente.extract import Article
from detente.graph import StoreError, document_iri, open_store, validate
from detente.graph.oxigraph import QuerySyntaxError
from detente.graph.store import GAZETTEER_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from detente.ingest import Ingestor
from tests.paths import EXAMPLES

TEXT = "Turkey is aiding the Government of National Accord. Russia backs Haftar."


@pytest.fixture()
def ingestor(extractor):
    with open_store("memory:") as store:
        yield Ingestor(store, extractor)


def count_relations(store) -> int:
    rows = store.query(PREFIXES + "SELECT (COUNT(?r) AS ?n) WHERE { ?r a dt:Relation }").rows
    return int(rows[0]["n"])


def test_store_urls_select_backends(tmp_path):
    assert open_store("memory:").url == "memory:"
    assert open_store(tmp_path / "kg").url.startswith("oxigraph:")
    assert open_store(f"oxigraph:{tmp_path / 'kg2'}").url.startswith("oxigraph:")
    with pytest.raises(StoreError, match="unknown store"):
        open_store("gopher:somewhere")


def test_vocabulary_graphs_are_loaded_once(ingestor):
    assert ingestor.ensure_vocabulary() is True
    assert ingestor.ensure_vocabulary() is False
    graphs = set(ingestor.store.graphs())
    assert {ONTOLOGY_GRAPH, GAZETTEER_GRAPH} <= graphs
    rows = ingestor.store.query(
        "SELECT ?qid WHERE { GRAPH <https://w3id.org/detente/graph/gazetteer> { "
        "<https://w3id.org/detente/actor/RUS> <http://www.w3.org/2002/07/owl#sameAs> ?qid } }"
    ).rows
    assert str(rows[0]["qid"]) == "http://www.wikidata.org/entity/Q159"


def test_ingest_is_idempotent_and_edits_replace(ingestor):
    first = ingestor.ingest(Article(TEXT), "https://news.example/libya")
    assert first.status == "added" and first.relations == 2
    again = ingestor.ingest(Article(TEXT), "https://news.example/libya")
    assert again.status == "unchanged" and again.doc_id == first.doc_id
    assert count_relations(ingestor.store) == 2
    edited = ingestor.ingest(
        Article(TEXT + " Egypt supports Haftar."), "https://news.example/libya"
    )
    assert edited.status == "replaced" and edited.replaced == [first.doc_id]
    assert count_relations(ingestor.store) == 3
    assert [d["id"] for d in ingestor.documents()] == [edited.doc_id]


def test_direct_edges_answer_plain_sparql_across_documents(ingestor):
    ingestor.ingest(Article(TEXT), "a")
    ingestor.ingest(Article("Qatar has long funded Hamas."), "b")
    rows = ingestor.store.query(PREFIXES + "SELECT ?s ?o WHERE { ?s dt:aids ?o }").rows
    pairs = {(str(r["s"]).rsplit("/", 1)[1], str(r["o"]).rsplit("/", 1)[1]) for r in rows}
    assert pairs == {("TUR", "LBY-GNA"), ("QAT", "HAMAS")}


def test_remove_by_id_and_by_source(ingestor):
    a = ingestor.ingest(Article(TEXT), "a")
    ingestor.ingest(Article("Qatar has long funded Hamas."), "b")
    assert ingestor.remove(a.doc_id) == [a.doc_id]
    assert ingestor.remove("b") and ingestor.documents() == []
    assert ingestor.remove("nothing-here") == []
    assert count_relations(ingestor.store) == 0


@pytest.mark.slow
def test_stored_document_graphs_conform_to_the_shapes(ingestor):
    for path in sorted(EXAMPLES.glob("*.txt")):
        ingestor.ingest(Article(path.read_text(encoding="utf-8")), str(path))
    for doc in ingestor.documents():
        graph = ingestor.store.graph_triples(document_iri(doc["id"]))
        ok, report = validate(graph)
        assert ok, report


def test_malformed_sparql_is_a_clear_error(ingestor):
    with pytest.raises(QuerySyntaxError, match="malformed SPARQL"):
        ingestor.store.query("SELEC ?x WHERE { ?x ?y ?z }")
    with pytest.raises(QuerySyntaxError):
        ingestor.store.update("INSERT DATTA { <a> <b> <c> }")


def test_failed_update_writes_nothing(ingestor):
    ingestor.ingest(Article(TEXT), "a")
    before = len(ingestor.store.graph_triples(ingestor.graphs_for_source("a")[0]))
    with pytest.raises(StoreError):
        ingestor.store.update(
            f"DROP GRAPH <{ingestor.graphs_for_source('a')[0]}> ; INSERT DATA {{ <a> <b> }}"
        )
    assert len(ingestor.store.graph_triples(ingestor.graphs_for_source("a")[0])) == before


@pytest.mark.slow
def test_killed_ingest_leaves_only_whole_documents(tmp_path):
    """Kill an ingest of many documents at an arbitrary moment: every document graph in the
    store is complete (its metadata and every statement's required fields)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    n = 200
    for i in range(n):
        (corpus / f"a{i:03d}.txt").write_text(texts[i % len(texts)] + f"\n\nEdition {i}.\n")
    store = tmp_path / "kg"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "detente",
            "ingest",
            str(corpus),
            "--store",
            str(store),
            "--create",
            "--verbose",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    landed = 0
    deadline = time.time() + 240
    while landed < 5 and time.time() < deadline and proc.poll() is None:
        line = proc.stderr.readline()  # one line per stored document
        landed += line.startswith(b"added ")
    os.kill(proc.pid, signal.SIGKILL)  # somewhere in the middle of the next documents
    proc.wait()
    assert landed >= 5, "the ingest did not get going"
    with open_store(f"oxigraph:{store}") as kg:
        ingestor = Ingestor(kg)
        docs = ingestor.documents()
        assert 0 < len(docs) < n
        for doc in docs:
            graph = kg.graph_triples(document_iri(doc["id"]))
            assert isinstance(graph, Graph) and len(graph) > 0
            ok, report = validate(graph)
            assert ok, report


@pytest.mark.slow
def test_bulk_ingest_writes_whole_documents(extractor, tmp_path):
    with open_store(f"oxigraph:{tmp_path / 'kg'}") as store:
        ingestor = Ingestor(store, extractor, bulk=2)
        items = [
            (Article(p.read_text(encoding="utf-8")), str(p), None)
            for p in sorted(EXAMPLES.glob("*.txt"))
        ]
        items.append((Article("A multi-line text.\nQatar has long funded Hamas."), "q", None))
        results = list(ingestor.ingest_many(items))
        assert sorted(r.status for r in results) == ["added"] * len(items)
        assert len(ingestor.documents()) == len(items)
        for doc in ingestor.documents():
            ok, report = validate(store.graph_triples(document_iri(doc["id"])))
            assert ok, report
        again = list(ingestor.ingest_many(items))
        assert {r.status for r in again} == {"unchanged"}


def test_interrupted_bulk_load_is_rolled_back_on_open(tmp_path):
    from rdflib import Literal, URIRef

    from detente.graph.store import JOURNAL_GRAPH, insert_data
    from detente.ontology import NS

    location = f"oxigraph:{tmp_path / 'kg'}"
    half = URIRef("https://w3id.org/detente/doc/doc-half")
    with open_store(location) as store:
        # What a crash in the middle of a bulk load leaves: a pending mark, half a graph.
        store.update(insert_data(JOURNAL_GRAPH, [(half, NS.pending, Literal(True))]))
        store.update(insert_data(half, [(URIRef(f"{half}#d"), NS.contentHash, Literal("x"))]))
        assert half in store.graphs()
    with open_store(location) as store:
        assert half not in store.graphs() and JOURNAL_GRAPH not in store.graphs()


# ---------------------------------------------------------------------- backends as plugins
def test_backends_are_entry_points_loaded_when_first_used() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from detente.graph import open_store; "
        "s = open_store('memory:'); print('detente.graph.remote' in sys.modules); "
        "r = open_store('http://127.0.0.1:9/sparql'); print('detente.graph.remote' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "True"], done.stderr


def test_callers_ask_capabilities_not_classes(tmp_path) -> None:
    from detente.graph.oxigraph import OxigraphStore
    from detente.graph.store import Capability

    on_disk = open_store(f"oxigraph:{tmp_path / 'kg'}")
    in_memory = open_store("memory:")
    served_memory = OxigraphStore.temporary()
    remote = open_store("http://127.0.0.1:9/sparql")
    try:
        assert on_disk.capabilities() == set(Capability)
        assert in_memory.capabilities() == {Capability.INDEX_READ}
        assert served_memory.supports(Capability.FILES)
        assert not served_memory.supports(Capability.SAVED_LEDGER)  # removed on close
        assert not remote.capabilities()
        with pytest.raises(StoreError, match="no files capability"):
            remote.checkpoint(tmp_path / "copy")
        with pytest.raises(StoreError, match="no saved-ledger capability"):
            remote.unstamp()
    finally:
        for store in (on_disk, in_memory, served_memory, remote):
            store.close()


def test_a_backend_registered_at_run_time_is_used_for_its_scheme(tmp_path) -> None:
    from detente.graph.oxigraph import OxigraphStore
    from detente.graph.store import _BACKENDS, register_backend

    seen = []

    def factory(rest: str, credentials):
        seen.append((rest, credentials))
        return OxigraphStore(None)

    register_backend("scratch", factory)
    try:
        open_store("scratch:anything", credentials=("u", "p")).close()
    finally:
        _BACKENDS.pop("scratch")
    assert seen == [("anything", ("u", "p"))]


@pytest.mark.slow  # a Python process of its own
def test_documents_are_written_without_the_nlp_pipeline(tmp_path) -> None:
    """The writer takes relations already extracted: storage is used (and tested) without
    spaCy ever being imported."""
    import subprocess
    import sys

    probe = f"""
import sys
from detente.domain import Article, document_id
from detente.domain.records import ActorRef, Relation
from detente.graph import open_store
from detente.graph.documents import DocumentWriter

def actor(code):
    return ActorRef(id=code, label=code, type="State", text=code, start=0, end=3, via="name")

text = "Turkey backs the Government of National Accord."
relation = Relation(
    document=document_id(text), subject=actor("TUR"), predicate="backs", object=actor("LBY"),
    polarity="alignment", plover="AID", quad_class="materialCooperation", weight=7.0,
    negated=False, modality="asserted",
    sentence=text, sentence_start=0, sentence_end=len(text), trigger="backs",
    pattern="verbal", confidence=0.9, extractor_version="by hand",
)
store = open_store("oxigraph:{tmp_path / "kg"}")
writer = DocumentWriter(store)
writer.ensure_vocabulary()
first = writer.store_extracted(Article(text), [relation], "hand/1", None, "by hand")
again = writer.store_extracted(Article(text), [relation], "hand/1", None, "by hand")
listed = writer.documents()
print(first.status, again.status, listed[0]["relations"], listed[0]["source"])
print("spacy" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.split() == ["added", "unchanged", "1", "hand/1", "False"], done.stderr
