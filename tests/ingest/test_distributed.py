"""Corpus ingest on a Dask cluster: the same store as a plain ingest, idempotent, and
unharmed by a worker dying mid-run; JSON Lines corpora."""

from __future__ import annotations

import json
import os
import signal

import pytest
from distributed import WorkerPlugin

from detente.extract import Article
from detente.extract.corpus import corpus_files, read_corpus
from detente.graph.oxigraph import OxigraphStore
from detente.graph.rdf import DOC
from detente.ingest import Ingestor
from detente.ingest.distributed import ClusterError, DaskExtractor, dask_client
from detente.ingest.ingestor import path_source
from tests.servers import run_cli

# Starts processes, servers or a cluster: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


def quads(store: OxigraphStore) -> list[str]:
    return sorted(str(q) for q in store.native)


def news_items(shared):
    failures: list[tuple[str, str]] = []
    files = corpus_files([shared / "eval" / "news" / "texts"])
    entries = list(read_corpus(files, lambda name, why: failures.append((name, why))))
    assert not failures and len(entries) == 50
    return [(e.article, path_source(e.name), e.published) for e in entries]


@pytest.fixture(scope="module")
def cluster():
    with dask_client("local:2") as client:
        yield client


@pytest.fixture(scope="module")
def plain_store(tmp_path_factory, shared, extractor):
    store = OxigraphStore(str(tmp_path_factory.mktemp("plain") / "store"))
    results = list(Ingestor(store, extractor).ingest_many(news_items(shared)))
    assert [r.status for r in results] == ["added"] * 50
    yield store
    store.close()


def test_the_cluster_gives_the_plain_store_quad_for_quad_and_a_rerun_adds_nothing(
    tmp_path, shared, cluster, plain_store
):
    store = OxigraphStore(str(tmp_path / "store"))
    ingestor = Ingestor(store, DaskExtractor(cluster, partition=4), bulk=10)
    results = list(ingestor.ingest_many(news_items(shared)))
    assert [r.status for r in results] == ["added"] * 50
    assert sum(r.relations for r in results) > 100
    assert quads(store) == quads(plain_store)

    before = quads(store)
    again = list(ingestor.ingest_many(news_items(shared)))
    assert [r.status for r in again] == ["unchanged"] * 50
    assert quads(store) == before
    store.close()


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    tmp_path, shared, cluster, plain_store
):
    pids = sorted(cluster.run(os.getpid).values())
    assert len(pids) == 2
    store = OxigraphStore(str(tmp_path / "store"))
    ingestor = Ingestor(store, DaskExtractor(cluster, partition=2))
    statuses = []
    for result in ingestor.ingest_many(news_items(shared)):
        if not statuses:  # the first document is in: others are in flight on both workers
            os.kill(pids[0], signal.SIGKILL)
        statuses.append(result.status)
    assert statuses == ["added"] * 50
    assert quads(store) == quads(plain_store)
    assert pids[0] not in cluster.run(os.getpid).values()  # it was really gone
    store.close()


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path, shared, cluster, plain_store):
    store = OxigraphStore(str(tmp_path / "store"))
    first = Ingestor(store, DaskExtractor(cluster, partition=4), bulk=8)
    for n, _result in enumerate(first.ingest_many(news_items(shared)), 1):
        if n == 20:
            break  # the client stops (Ctrl-C, a crash) with work in flight
    again = list(Ingestor(store, DaskExtractor(cluster), bulk=8).ingest_many(news_items(shared)))
    statuses = [r.status for r in again]
    # Whole batches were written before the stop (results come once their batch is in).
    assert len(statuses) == 50 and set(statuses) == {"added", "unchanged"}
    assert statuses.count("unchanged") >= 20
    assert quads(store) == quads(plain_store)
    store.close()


class Poison(WorkerPlugin):
    """Makes every worker's pipeline fail on an article holding ``marker``, as a
    pathological text would; its teardown gives the pipeline back."""

    name = "poison"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def setup(self, worker) -> None:
        import detente.ingest.distributed as remote

        original, marker = remote._extractor, self.marker

        class Fragile:
            def __init__(self, pipeline) -> None:
                self.pipeline = pipeline
                self.version = pipeline.version

            def process(self, items):
                items = list(items)
                if any(marker in article.text for article, _ in items):
                    raise RuntimeError("the pipeline cannot read this text")
                return self.pipeline.process(items)

        self.original = original
        remote._extractor = lambda: Fragile(original())

    def teardown(self, worker) -> None:
        import detente.ingest.distributed as remote

        remote._extractor = self.original


def test_an_article_that_fails_everywhere_is_reported_and_the_rest_goes_on(
    tmp_path, shared, cluster
):
    items = news_items(shared)[:6]
    marker = "Unreadable-7f3c"
    poisoned = Article(items[2][0].text + f"\n\n{marker}.")
    items[2] = (poisoned, "poisoned.txt", None)
    store = OxigraphStore(str(tmp_path / "store"))
    cluster.register_plugin(Poison(marker))
    try:
        ingestor = Ingestor(store, DaskExtractor(cluster, partition=3))
        results = list(ingestor.ingest_many(items))
    finally:
        cluster.unregister_worker_plugin("poison")
    assert [r.status for r in results] == ["added", "added", "failed", "added", "added", "added"]
    assert results[2].source == "poisoned.txt" and "cannot read this text" in results[2].error
    documents = [g for g in store.graphs() if str(g).startswith(str(DOC))]
    assert len(documents) == 5
    # Nothing was stored for it: a rerun, the pipeline mended, reads it.
    again = list(Ingestor(store, DaskExtractor(cluster, partition=3)).ingest_many(items))
    # Unchanged documents are reported as soon as they are seen, before extracted ones.
    status = {r.source: r.status for r in again}
    assert status.pop("poisoned.txt") == "added"
    assert set(status.values()) == {"unchanged"} and len(status) == 5
    store.close()


@pytest.mark.parametrize("address", ["local:0", "local:two", "http://example.org", "nowhere"])
def test_a_bad_cluster_address_says_what_is_expected(address):
    with pytest.raises(ClusterError, match="local:N"), dask_client(address):
        pass


def test_json_lines_entries_carry_their_url_date_title_and_author(tmp_path):
    corpus = tmp_path / "wire.jsonl"
    lines = [
        {
            "text": "Chile is arming the rebels in Peru.",
            "url": "https://news.test/a",
            "date": "2021-03-04T10:00:00Z",
            "title": "Arms",
            "author": "Chilean Government",
        },
        {"html": "<html><body><p>Peru condemned Chile.</p></body></html>"},
        "",
        "{not json",
        ["a", "list"],
        {"title": "no body"},
        {"text": "Bolivia mediates.", "date": "last week"},
        {"text": "   "},
    ]
    corpus.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    failures: dict[str, str] = {}
    entries = list(read_corpus([corpus], lambda name, why: failures.setdefault(name, why)))
    assert [e.name for e in entries] == [f"{corpus}:1", f"{corpus}:2"]
    first, second = entries
    assert (first.url, str(first.published), first.article.title) == (
        "https://news.test/a",
        "2021-03-04",
        "Arms",
    )
    assert first.article.author == "Chilean Government"
    assert second.article.text.strip() == "Peru condemned Chile." and second.url is None
    assert failures == {
        f"{corpus}:4": failures[f"{corpus}:4"],
        f"{corpus}:5": "not a JSON object",
        f"{corpus}:6": "no 'text' or 'html' string",
        f"{corpus}:7": "'date' is not an ISO 8601 date: 'last week'",
        f"{corpus}:8": "empty input: nothing to extract",
    }
    assert failures[f"{corpus}:4"].startswith("not a JSON object:")


def test_a_line_that_is_not_utf8_is_reported_and_the_rest_goes_on(tmp_path):
    corpus = tmp_path / "latin.jsonl"
    corpus.write_bytes(
        b'\xef\xbb\xbf{"text": "Chile arms Peru."}\n{"text": "Per\xfa"}\n{"text": "Peru."}\n'
    )
    failures: list[str] = []
    entries = list(read_corpus([corpus], lambda name, why: failures.append(f"{name}: {why}")))
    assert [e.article.text for e in entries] == ["Chile arms Peru.", "Peru."]
    assert failures == [f"{corpus}:2: not UTF-8: invalid byte 0xfa at 13"]


def test_the_command_ingests_json_lines_and_reports_bad_lines(tmp_path):
    corpus = tmp_path / "wire.jsonl"
    corpus.write_text(
        json.dumps({"text": "Chile is arming the rebels in Peru.", "url": "https://news.test/a"})
        + "\n{oops\n",
        encoding="utf-8",
    )
    run = run_cli("ingest", str(corpus), "--store", str(tmp_path / "store"), "--create")
    assert run.returncode == 2
    assert f"{corpus}:2: not a JSON object" in run.stderr
    assert "1 added" in run.stderr and "1 failed" in run.stderr
    store = OxigraphStore(str(tmp_path / "store"))
    assert [d["source"] for d in Ingestor(store).documents()] == ["https://news.test/a"]
    store.close()


def test_a_wire_copy_on_the_cluster_is_listed_and_adds_no_evidence(
    tmp_path, shared, cluster, plain_store
):
    from detente.analysis.multigraph import who_backs_whom
    from detente.analysis.views import relation_graph
    from detente.extract import read_article

    def evidence(store):
        rows = who_backs_whom(relation_graph(store))
        return {
            (r["subject"]["id"], r["predicate"], r["object"]["id"]): r["evidence_count"]
            for r in rows
        }

    items = news_items(shared)
    article, _source, published = items[7]
    copy = read_article(
        f"By Staff Reporter\n\n{article.text}\n\nRead more: https://news.test/latest\n"
        "Follow our coverage for updates."
    )
    store = OxigraphStore(str(tmp_path / "store"))
    ingestor = Ingestor(store, DaskExtractor(cluster), bulk=16)
    results = list(ingestor.ingest_many([*items, (copy, "https://news.test/copy", published)]))
    assert [r.status for r in results] == ["added"] * 51
    assert evidence(store) == evidence(plain_store)
    listed = {d["id"]: d["duplicate_of"] for d in ingestor.documents()}
    assert len(listed) == 51
    # Exactly one of the two copies is linked to the other (the lower content hash counts:
    # neither is dated).
    original, wire = results[7].doc_id, results[-1].doc_id
    assert sorted([listed[original], listed[wire]], key=str) == sorted(
        [None, min(original, wire)], key=str
    )
    assert sum(v is not None for v in listed.values()) == 1
    store.close()


def test_a_running_scheduler_is_joined_by_its_address(cluster):
    address = cluster.scheduler_info()["address"]
    assert address.startswith("tcp://127.0.0.1:")
    with dask_client(address) as client:
        assert len(client.scheduler_info(n_workers=-1)["workers"]) == 2


def test_the_command_runs_on_a_cluster_and_counts_a_wire_copy_once_unless_told(tmp_path):
    story = (
        "Chile is arming the rebels in Peru, officials in Santiago said on Monday. The "
        "shipment of rifles and mortars crossed the border last week, according to two "
        "diplomats. Bolivia condemned the deliveries and called for talks. Argentina has "
        "offered to mediate between the two governments, and Brazil imposed sanctions."
    )
    corpus = tmp_path / "wire.jsonl"
    corpus.write_text(
        json.dumps(
            {"text": f"By Jane Roe\n\n{story}", "url": "https://a.test/1", "date": "2022-03-02"}
        )
        + "\n"
        + json.dumps({"text": f"{story}\n\nRead more: https://b.test/", "url": "https://b.test/1"})
        + "\n",
        encoding="utf-8",
    )

    def ingest(*options: str) -> str:
        run = run_cli("ingest", str(corpus), "-v", "--create", *options, timeout=600)
        assert run.returncode == 0, run.stderr
        return run.stderr

    copies = ingest("--store", str(tmp_path / "a"), "--dask", "local:1")
    assert "2 added" in copies and copies.count(", a copy of doc-") == 1
    every = ingest("--store", str(tmp_path / "b"), "--no-dedup")
    assert "2 added" in every and ", a copy of" not in every


def test_json_lines_that_would_break_a_reader_are_reported_one_by_one(tmp_path, monkeypatch):
    from detente.extract import corpus as corpus_module

    monkeypatch.setattr(corpus_module, "MAX_LINE_BYTES", 20_000)
    path = tmp_path / "odd.jsonl"
    nested = b"[" * 10_000  # deeper than the parser's recursion limit
    surrogate = b'{"text": "Peru \\ud800 Chile"}'  # a lone surrogate, escaped
    too_long = b'{"text": "' + b"x" * 50_000 + b'"}'
    after_cat = b'\xef\xbb\xbf{"text": "Chile arms Peru."}'  # a second file's BOM
    html = b'{"text": "", "html": "<p>Peru thanked Chile.</p>"}'
    path.write_bytes(b"\n".join([nested, surrogate, too_long, after_cat, html]) + b"\n")
    failures: dict[str, str] = {}
    entries = list(read_corpus([path], lambda name, why: failures.setdefault(name, why)))
    assert [e.article.text.strip() for e in entries] == ["Chile arms Peru.", "Peru thanked Chile."]
    assert failures == {
        f"{path}:1": "not a JSON object: nested too deeply",
        f"{path}:2": "'text' holds an unpaired surrogate at 5",
        f"{path}:3": "line longer than 20,000 bytes: skipped",
    }


def test_the_command_reports_a_document_it_could_not_read(capsys):
    from detente.cli.graph import _run_ingest
    from detente.ingest.ingestor import IngestResult

    class Ingested:
        def ingest_many(self, items):
            yield IngestResult("doc-1", "a.txt", "added", 3)
            yield IngestResult("doc-2", "b.txt", "failed", 0, error="RuntimeError: unreadable")

    counts, relations = _run_ingest(Ingested(), [], 0, verbose=False)
    assert counts == {"added": 1, "replaced": 0, "unchanged": 0, "failed": 1}
    assert relations == 3
    assert "b.txt: not extracted (RuntimeError: unreadable)" in capsys.readouterr().err
