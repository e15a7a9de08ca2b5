"""One predicate hierarchy, the ontology's: a predicate includes its sub-properties
(``aids`` is a kind of ``backs``), as RDFS entailment says. The table in
docs/knowledge-graph.md is the ontology's, the REST filter follows it, and the documented
SPARQL query and ``/relations?group=pair`` give the same pairs and counts.

``python -m tests.http.test_predicate_hierarchy`` prints the table to paste in the doc."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from detente.analysis.ledger import with_subproperties
from detente.graph.rdf import actor_id_of
from detente.ontology import NS, ontology_path
from tests.http.test_api import make_client
from tests.paths import ROOT

DOC = ROOT / "docs" / "knowledge-graph.md"
START, END = "<!-- predicate-hierarchy:start -->", "<!-- predicate-hierarchy:end -->"
TOKEN = {"Authorization": "Bearer hierarchy"}
# Statements about Libya: a pair stated by backs and by aids (one row per predicate, one
# pair), a hypothetical one (counted by neither), and opposition (left out of backs).
TEXTS = (
    "Turkey backs the Government of National Accord in Libya, diplomats said.",
    "Turkey is arming the Government of National Accord in Libya, officials said in 2020.",
    "Qatar is funding the Government of National Accord in Libya.",
    "Egypt backs the Libyan National Army in Libya.",
    "Egypt may send weapons to the Libyan National Army in Libya.",
    "Russia is arming the Libyan National Army in Libya.",
    "Turkey criticised Egypt over Libya.",
)


def _name(node: object) -> str:
    return str(node).removeprefix(str(NS))


def hierarchy_table() -> str:
    """The relation predicates of detente.ttl as a Markdown table, each after its parent:
    what a predicate filter includes, as RDFS entailment reads rdfs:subPropertyOf."""
    g = Graph().parse(ontology_path(), format="turtle")
    relations = [p for p in g.subjects(RDF.type, OWL.ObjectProperty) if (p, NS.family, None) in g]
    children: dict[str | None, list[URIRef]] = {}
    for prop in relations:
        parent = g.value(prop, RDFS.subPropertyOf)
        children.setdefault(_name(parent) if parent else None, []).append(prop)  # type: ignore[arg-type]

    def below(name: str) -> list[str]:
        return [n for c in children.get(name, []) for n in (_name(c), *below(_name(c)))]

    lines = [
        "| predicate | label | parent | includes | polarity | CAMEO root | PLOVER type |",
        "|---|---|---|---|---|---|---|",
    ]

    def walk(parent: str | None) -> None:
        for prop in sorted(children.get(parent, []), key=_name):
            name = _name(prop)
            cameo, plover = g.value(prop, NS.cameoRoot), g.value(prop, NS.ploverType)
            aliases = sorted(str(a) for a in g.objects(prop, NS.ploverAlias))
            plover_text = f"{plover}" + "".join(f" (formerly {a})" for a in aliases)
            included = ", ".join(f"`{n}`" for n in sorted(below(name)))
            lines.append(
                "| "
                + " | ".join(
                    [
                        f"`dt:{name}`",
                        str(g.value(prop, RDFS.label)),
                        f"`dt:{parent}`" if parent else "",
                        included,
                        _name(g.value(prop, NS.family)),
                        str(cameo) if cameo else "",
                        plover_text if plover else "",
                    ]
                )
                + " |"
            )
            walk(name)

    walk(None)
    return "\n".join(lines)


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_documented_hierarchy_is_the_ontologys() -> None:
    text = _doc()
    assert START in text and END in text, f"{DOC} has no predicate hierarchy section"
    documented = text.split(START, 1)[1].split(END, 1)[0].strip()
    expected = hierarchy_table()
    assert documented == expected, (
        "docs/knowledge-graph.md's predicate table differs from detente.ttl; "
        f"paste this between the markers:\n{expected}"
    )


def test_the_rest_filter_is_the_ontologys_subproperty_closure() -> None:
    """``predicate=X`` lets through X and its sub-properties, transitively, and nothing
    else: the 'includes' column of the table, read from the ontology itself."""
    g = Graph().parse(ontology_path(), format="turtle")
    for prop in g.subjects(NS.ploverType, None):
        name = _name(prop)
        entailed = {
            _name(p)
            for p in g.transitive_subjects(RDFS.subPropertyOf, prop)
            if (p, NS.ploverType, None) in g
        }
        assert with_subproperties([name]) == entailed, name


def documented_query() -> str:
    """The SPARQL query of the predicate hierarchy section (the first block after its
    heading)."""
    section = _doc().split("## Predicate hierarchy", 1)[1]
    found = re.search(r"```sparql\n(.*?)```", section, re.DOTALL)
    assert found, "the predicate hierarchy section has no SPARQL query"
    return found.group(1)


@pytest.fixture(scope="module")
def client(extractor) -> TestClient:
    api = make_client(extractor, token="hierarchy")
    for text in TEXTS:
        assert api.post("/documents", json={"text": text}, headers=TOKEN).status_code == 201
    return api


def _rest_pairs(client: TestClient, **params: str) -> Counter:
    response = client.get("/relations", params=params)
    assert response.status_code == 200, response.text
    rows = response.json()
    assert int(response.headers["X-Total-Count"]) == len(rows)
    return Counter({(r["subject"]["id"], r["object"]["id"]): r["evidence_count"] for r in rows})


def test_documented_sparql_and_rest_give_the_same_pairs_and_counts(client) -> None:
    result = client.app.state.service.store.query(documented_query())
    sparql = Counter(
        {
            (actor_id_of(str(row["subject"])), actor_id_of(str(row["object"]))): int(
                row["statements"].toPython()
            )
            for row in result.rows
        }
    )
    pairs = _rest_pairs(client, theatre="Libya", predicate="backs", group="pair")
    assert sparql == pairs
    # The data shows what the rule decides: a pair stated by backs and by aids is one pair
    # counting both, and the hypothetical statement counts nowhere.
    assert pairs[("TUR", "LBY-GNA")] == 2 and pairs[("EGY", "LNA")] == 1
    assert ("TUR", "EGY") not in pairs
    # One row per predicate tallies to the same pairs, each saying what it was counted as.
    rows = client.get("/relations", params={"theatre": "Libya", "predicate": "backs"}).json()
    tally: Counter = Counter()
    for row in rows:
        assert row["family"] == "backs" and row["predicate"] in ("backs", "aids")
        tally[(row["subject"]["id"], row["object"]["id"])] += row["evidence_count"]
    assert tally == pairs
    assert {r["predicate"] for r in rows} == {"backs", "aids"}


def test_a_pair_row_says_how_many_statements_state_each_predicate(client) -> None:
    rows = client.get("/relations", params={"predicate": "backs", "group": "pair"}).json()
    turkey = next(r for r in rows if (r["subject"]["id"], r["object"]["id"]) == ("TUR", "LBY-GNA"))
    assert turkey["predicates"] == {"aids": 1, "backs": 1}
    assert turkey["family"] == "backs" and turkey["polarity"] == "alignment"
    assert turkey["evidence_count"] == len(turkey["evidence"]) == 2
    every = client.get("/relations", params={"group": "pair"}).json()
    assert all(r["family"] is None for r in every)
    assert sum(r["evidence_count"] for r in every) == sum(
        r["evidence_count"] for r in client.get("/relations").json()
    )


if __name__ == "__main__":
    print(hierarchy_table())
