"""Writing the protocol's using-graph-uri parameters into update text."""

from __future__ import annotations

import pyoxigraph as ox

from detente.sparql.text import declares_dataset, top_level_keywords, with_using


def test_keywords_skip_iris_strings_comments_and_groups() -> None:
    text = (
        "PREFIX where: <http://x/WHERE> # WITH in a comment\n"
        'INSERT { ?s <http://p> "USING WHERE" } WHERE { ?s ?p ?o }'
    )
    assert [k.word for k in top_level_keywords(text)] == ["PREFIX", "INSERT", "WHERE"]
    assert not declares_dataset(text)
    assert declares_dataset("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")


def test_using_sets_the_where_dataset() -> None:
    update = "INSERT { GRAPH <http://out> { ?s a <http://Copy> } } WHERE { ?s a <http://T> }"
    store = ox.Store()
    t, g = ox.NamedNode("http://T"), ox.NamedNode("http://g1")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    store.add(ox.Quad(ox.NamedNode("http://s"), rdf_type, t, g))
    rewritten = with_using(update, ["http://g1"], [])
    assert "USING <http://g1>" in rewritten
    before = len(store)
    store.update(rewritten)
    # Without USING the WHERE clause sees the (empty) default graph and changes nothing.
    assert len(store) != before
    untouched = ox.Store()
    untouched.add(ox.Quad(ox.NamedNode("http://s"), rdf_type, t, g))
    untouched.update(update)
    assert len(untouched) == 1


def test_delete_where_shorthand_becomes_its_long_form() -> None:
    rewritten = with_using("DELETE WHERE { ?s a <http://T> }", ["http://g1"], [])
    assert rewritten.split() == (
        [
            "DELETE",
            "{",
            "?s",
            "a",
            "<http://T>",
            "}",
            "USING",
            "<http://g1>",
            "WHERE",
            "{",
            "?s",
            "a",
            "<http://T>",
            "}",
        ]
    )
    ox.Store().update(rewritten)  # valid SPARQL Update


def test_operations_without_where_are_left_alone() -> None:
    update = "CLEAR ALL ; INSERT DATA { <http://a> <http://b> <http://c> }"
    assert with_using(update, ["http://g"], ["http://n"]) == update
