"""The knowledge-graph commands, run as a user runs them, on a store in a temp folder."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from rdflib import Dataset

from tests.cli.test_cli import run
from tests.paths import EXAMPLES

# Starts processes, servers or a browser: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

ARTICLES = len(list(EXAMPLES.glob("*.txt")))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("kg") / "store")
    done = run("ingest", str(EXAMPLES), "--store", path, "--create")
    assert done.returncode == 0, done.stderr.decode()
    assert f"{ARTICLES} added".encode() in done.stderr
    return path


def test_ingest_again_changes_nothing(store):
    done = run("ingest", str(EXAMPLES), "--store", store)
    assert done.returncode == 0 and f"{ARTICLES} unchanged".encode() in done.stderr


def test_query_formats(store):
    sparql = "SELECT ?s ?o WHERE { ?s dt:aids ?o } ORDER BY ?s"
    as_csv = run("query", sparql, "--store", store, "--format", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout.decode())))
    assert rows[0] == ["s", "o"] and len(rows) > 2
    as_json = json.loads(run("query", sparql, "--store", store, "--format", "json").stdout)
    assert as_json["head"]["vars"] == ["s", "o"] and as_json["results"]["bindings"]
    ask = json.loads(run("query", "ASK { ?s dt:backs ?o }", "--store", store).stdout)
    assert ask["boolean"] is True
    bad = run("query", "SELECT WHERE {", "--store", store)
    assert bad.returncode == 2 and b"malformed SPARQL" in bad.stderr
    assert b"Traceback" not in bad.stderr


def test_backers_and_paths(store):
    rows = json.loads(run("backers", "--theatre", "Libya", "--store", store, "--json").stdout)
    assert {(r["subject"]["id"], r["object"]["id"]) for r in rows} >= {
        ("TUR", "LBY-GNA"),
        ("EGY", "LNA"),
    }
    found = json.loads(run("paths", "Egypt", "Wagner Group", "--store", store, "--json").stdout)
    assert [h["target"] for h in found[0]] == ["LNA", "WAGNER"]
    unknown = run("paths", "Narnia", "Egypt", "--store", store)
    assert unknown.returncode == 2 and b"unknown actor" in unknown.stderr


def test_exports(store):
    trig = run("export", "--format", "trig", "--store", store)
    dataset = Dataset().parse(data=trig.stdout.decode(), format="trig")
    assert len(list(dataset.graphs())) >= 5  # the documents, ontology, gazetteer (+ default)
    events = list(
        csv.DictReader(
            io.StringIO(run("export", "--format", "csv", "--store", store).stdout.decode())
        )
    )
    assert events and {"event_type", "source_code", "target_code", "goldstein"} <= events[0].keys()
    assert b"<graphml" in run("export", "--format", "graphml", "--store", store).stdout


def test_remove(store, tmp_path):
    copy = tmp_path / "one.txt"
    copy.write_text("Qatar has long funded Hamas.\n")
    assert run("ingest", str(copy), "--store", store).returncode == 0
    assert run("remove", str(copy.resolve()), "--store", store).returncode == 0
    again = run("remove", str(copy.resolve()), "--store", store)
    assert again.returncode == 2 and b"no such document" in again.stderr


def test_theatres_and_misspelt_names_point_to_what_the_store_holds(store):
    listed = json.loads(run("theatres", "--store", store, "--json").stdout)
    libya = next(t for t in listed if t["theatre"] == "Libya")
    assert libya["statements"] >= libya["undated"] and libya["documents"] == 3
    assert run("theatres", "--store", store).stdout.count(b"Libya") == 1
    misspelt = run("backers", "--theatre", "Lybia", "--store", store)
    assert misspelt.returncode == 2 and misspelt.stdout == b""
    assert b"unknown theatre 'Lybia'" in misspelt.stderr and b"'Libya'" in misspelt.stderr
    unknown = run("paths", "Rusia", "Egypt", "--store", store)
    assert unknown.returncode == 2 and b"did you mean 'Russia'" in unknown.stderr
    assert b"Traceback" not in misspelt.stderr + unknown.stderr


def test_a_store_path_that_does_not_exist_is_refused_unless_asked_to_create(tmp_path):
    missing = str(tmp_path / "no-such-store")
    for command in (["documents"], ["theatres"], ["backers"], ["query", "ASK {}"]):
        done = run(*command, "--store", missing)
        assert done.returncode == 2 and b"no store at" in done.stderr, command
    article = str(EXAMPLES / "libya-2020.txt")
    refused = run("ingest", article, "--store", missing)
    assert refused.returncode == 2 and b"pass --create" in refused.stderr
    assert not (tmp_path / "no-such-store").exists()  # nothing made on the way
    made = run("ingest", article, "--store", missing, "--create")
    assert made.returncode == 0 and b"1 added" in made.stderr
    assert run("documents", "--store", missing).returncode == 0


def _libya_store(tmp_path) -> tuple[str, Callable[[], set[tuple[str, str]]]]:
    """A store holding the Libya example, and who backs whom in it, asked of the CLI."""
    store = str(tmp_path / "store")
    libya = str(EXAMPLES / "libya-2020.txt")
    assert run("ingest", libya, "--store", store, "--create").returncode == 0

    def backers() -> set[tuple[str, str]]:
        rows = json.loads(run("backers", "--store", store, "--json").stdout)
        return {(r["subject"]["id"], r["object"]["id"]) for r in rows}

    return store, backers


def test_curation_from_the_command_line(tmp_path):
    store, backers = _libya_store(tmp_path)
    before = backers()
    assert ("EGY", "LNA") in before
    hidden = run("curate", "hide", "Egypt", "--who", "ana", "--why", "test", "--store", store)
    assert hidden.returncode == 0, hidden.stderr.decode()
    assert all("EGY" not in pair for pair in backers())
    [act] = json.loads(run("curate", "list", "--json", "--store", store).stdout)
    assert (act["verdict"], act["curator"], act["why"]) == ("hidden", "ana", "test")
    assert run("curate", "undo", act["id"], "--store", store).returncode == 0
    assert backers() == before
    again = run("curate", "undo", act["id"], "--store", store)
    assert again.returncode == 2 and b"taken back already" in again.stderr

    sparql = "SELECT ?r WHERE { ?r dt:subject actor:EGY ; dt:object actor:LNA } LIMIT 1"
    found = json.loads(run("query", sparql, "--store", store, "--format", "json").stdout)
    statement = found["results"]["bindings"][0]["r"]["value"]
    assert run("curate", "confirm", statement, "--who", "ben", "--store", store).returncode == 0
    [example] = [
        json.loads(x) for x in run("curate", "examples", "--store", store).stdout.splitlines()
    ]
    assert example["relation"]["statement"] == statement and example["annotator"] == "ben"
    assert example["label"] in ("a_backs_b", "mutual") and example["a"]["actor"] == "EGY"
    unknown = run("curate", "hide", "Egipt", "--store", store)
    assert unknown.returncode == 2 and b"did you mean 'Egypt'" in unknown.stderr


def test_merges_and_notes_from_the_command_line(tmp_path):
    store, backers = _libya_store(tmp_path)
    before = backers()
    assert {("ARE", "LNA"), ("EGY", "LNA")} <= before
    merged = run("curate", "merge", "UAE", "--into", "Egypt", "--why", "one", "--store", store)
    assert merged.returncode == 0 and b"into https://w3id.org/detente/actor/EGY" in merged.stderr
    after = backers()
    assert ("EGY", "LNA") in after and all("ARE" not in pair for pair in after)
    # Read from the saved ledger: the merged actor's names still lead to the survivor.
    found = json.loads(run("paths", "Abu Dhabi", "LNA", "--store", store, "--json").stdout)
    assert found[0][0]["source"] == "EGY"
    cycle = run("curate", "merge", "Egypt", "--into", "UAE", "--store", store)
    assert cycle.returncode == 2 and b"cycle" in cycle.stderr
    itself = run("curate", "merge", "Egypt", "--into", "Cairo", "--store", store)
    assert itself.returncode == 2 and b"into itself" in itself.stderr
    noted = run("curate", "note", "Egypt", "backs Haftar", "--who", "ana", "--store", store)
    assert noted.returncode == 0, noted.stderr.decode()
    acts = json.loads(run("curate", "list", "--json", "--store", store).stdout)
    assert [(a["verdict"], a["into"], a["why"]) for a in acts] == [
        ("merged", "https://w3id.org/detente/actor/EGY", "one"),
        ("noted", None, "backs Haftar"),
    ]
    for act in acts:
        assert run("curate", "undo", act["id"], "--store", store).returncode == 0
    assert backers() == before
