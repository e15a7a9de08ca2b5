"""networkx views of the knowledge graph: one edge per sourced statement.

A view is a snapshot: analyses keep indexes and answers on it (``graph.graph``), so build a
new one with :func:`relation_graph` after the store changes rather than editing it.

The store is read once, with three flat SELECT queries; everything else is a plain function on
the resulting :class:`networkx.MultiDiGraph` (nodes: actor ids with ``label`` and
``type``; edges: ``predicate``, ``polarity``, ``sign``, ``weight`` (Goldstein),
``confidence``, ``date`` (the first day of what the text gave) and ``when`` (the ISO text
as given: "2014", "2020-06", "2020-06-15"), ``theatre``, ``document``, ``evidence``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import networkx as nx

from detente.domain.dates import PartialDate, first_day
from detente.graph.curation import withheld
from detente.graph.duplicates import copies_of_store
from detente.graph.rdf import actor_id_of, actor_iri
from detente.graph.store import PREFIXES, KnowledgeStore
from detente.ontology import NS, find_known_actor, predicates

# Three flat reads instead of one query with OPTIONAL labels per statement: Oxigraph
# evaluates each star join per row, so labels and document dates are read once per actor
# or document and joined here (3x faster on 100k statements).
_STATEMENTS = (
    PREFIXES
    + """
SELECT ?r ?s ?p ?o ?date ?theatre ?conf ?doc ?evidence ?modality
WHERE {
  GRAPH ?g {
    ?r dt:subject ?s ; dt:object ?o ; dt:predicate ?p ; dt:negated false ;
       dt:confidence ?conf ; dt:document ?doc ; dt:evidence ?evidence ; dt:modality ?modality .
    OPTIONAL { ?r dt:date ?date }
    OPTIONAL { ?r dt:theatre ?theatre }
  }
}"""
)
_DOCUMENTS = PREFIXES + (
    "SELECT DISTINCT ?doc ?date ?title ?source WHERE { ?doc a dt:Document "
    "OPTIONAL { ?doc dct:date ?date } OPTIONAL { ?doc dct:title ?title } "
    "OPTIONAL { ?doc dct:source ?source } }"
)
_LABELS = (
    PREFIXES
    + "SELECT DISTINCT ?x ?label ?type WHERE { ?x rdfs:label ?label OPTIONAL { ?x a ?type } }"
)


def _local(iri: object, base: str) -> str:
    return str(iri).removeprefix(base)


def date_text(statement: dict) -> str | None:
    """A statement's date as ISO text to the precision the source gave ("2014",
    "2020-06" or "2020-06-15"); None if undated."""
    return statement.get("when")


def precision(statement: dict) -> str | None:
    """How much of a date the source gave: "year", "month" or "day" (None if undated)."""
    when = statement.get("when")
    return PartialDate.parse(when).precision if when else None


def relation_graph(store: KnowledgeStore, *, include_hypothetical: bool = False) -> nx.MultiDiGraph:
    """Every asserted (or reported) non-negated relation in ``store`` as a multigraph edge.

    An edge's ``date`` is the date the text gives for the event, else the document's
    publication date, else None. Complexity: three SELECT reads, O(statements) afterwards.
    """
    vocab = predicates()
    graph = nx.MultiDiGraph()
    index: dict[tuple[str | None, str], dict[tuple[str, str], list[dict]]] = {}
    published: dict[str, str] = {}
    cited: dict[str, tuple[str | None, str | None]] = {}  # document -> (title, url)
    for doc, day, title, source in store.values(_DOCUMENTS):
        if day:
            published[doc] = day  # type: ignore[index]
        url = source if source and source.startswith(("http://", "https://")) else None
        cited[doc] = (title, url)  # type: ignore[index]
    days: dict[str, str] = {}
    labels: dict[str, tuple[str, str]] = {}
    for node, label, kind in store.values(_LABELS):
        labels.setdefault(node, (label, kind))  # type: ignore[arg-type]
    ns = str(NS)
    copies = copies_of_store(store)  # near-duplicate copies of a story add no evidence
    # Curation as every answer reads it: statements marked wrong and hidden actors stay
    # out, a merged actor's statements are its survivor's (and leave when between the two).
    curation = withheld(store)
    rows = store.values(_STATEMENTS)
    for r, s, p, o, when, theatre_iri, conf, doc, evidence, modality_iri in rows:
        if doc in copies or r in curation.statements:
            continue
        modality = _local(modality_iri, ns)
        given = when or published.get(doc)  # type: ignore[arg-type]
        if modality == "hypothetical" and not include_hypothetical:
            continue
        subject, obj = actor_id_of(s), actor_id_of(o)  # type: ignore[arg-type]
        if subject in curation.merged or obj in curation.merged:
            if subject in curation.merged:
                subject = curation.merged[subject]
                s = str(actor_iri(subject))  # its label is the survivor's
            if obj in curation.merged:
                obj = curation.merged[obj]
                o = str(actor_iri(obj))
            if subject == obj:
                continue
        if subject in curation.actors or obj in curation.actors:
            continue
        for iri, node in ((s, subject), (o, obj)):
            if node not in graph:
                label, kind = labels.get(iri, (node, None))  # type: ignore[arg-type]
                graph.add_node(node, label=label, type=_local(kind or ns + "Actor", ns))
        theatre = labels[theatre_iri][0] if theatre_iri in labels else None
        name = _local(p, ns)
        spec = vocab[name]
        key = graph.add_edge(
            subject,
            obj,
            key=None,
            predicate=name,
            polarity=spec.polarity,
            sign=1 if spec.polarity == "alignment" else -1,
            weight=spec.weight,
            quad_class=spec.quad_class.value,
            confidence=float(conf),  # type: ignore[arg-type]
            modality=modality,
            date=first_day(given),
            # The text as given, one string per distinct date: answers quote it as is.
            when=days.setdefault(given[:10], given[:10]) if given else None,
            theatre=theatre,
            document=_local(doc, "https://w3id.org/detente/doc/"),
            evidence=evidence,
            # (title, url), one tuple per document, shared by its statements.
            source=cited.get(doc, (None, None)),  # type: ignore[arg-type]
        )
        index.setdefault((theatre.casefold() if theatre else None, name), {}).setdefault(
            (subject, obj), []
        ).append(graph._adj[subject][obj][key])  # the edge's own attribute dict
    # Statements by theatre and predicate, grouped by actor pair: per-theatre questions read
    # only their own statements, already tallied per (subject, predicate, object).
    graph.graph["index"] = index
    actor_refs(graph)
    hop_graph(graph)
    return graph


def actor_refs(graph: nx.MultiDiGraph) -> tuple[dict[str, dict], dict[str, int]]:
    """One ``{"id", "label"}`` per actor, for answers to share (they are read-only), and
    each actor's place in label order, so answers sort on integers rather than on strings.
    Kept on the graph: built with a view by :func:`relation_graph`, otherwise on first use.
    O(actors log actors) once."""
    cached = graph.graph.get("actor_refs")
    if cached is None:
        refs = {n: {"id": n, "label": d["label"]} for n, d in graph.nodes(data=True)}
        by_label = sorted(refs, key=lambda n: (refs[n]["label"], n))
        cached = graph.graph["actor_refs"] = (refs, {n: i for i, n in enumerate(by_label)})
    return cached


def find_actor(graph: nx.MultiDiGraph, name: str) -> str | None:
    """The view's actor id for an id, a label (any case) or any gazetteer name; None if
    the actor is not in the view. O(1) for an id, O(actors) otherwise."""

    def labelled(label: str) -> Iterator[str]:
        folded = label.casefold()
        for node, data in graph.nodes(data=True):
            if data.get("label", "").casefold() == folded:
                yield node

    return find_known_actor(name, graph.__contains__, labelled)


def statements(
    graph: nx.MultiDiGraph,
    *,
    theatre: str | None = None,
    since: date | None = None,
    until: date | None = None,
    predicates: set[str] | None = None,
):
    """(subject, object, data) of the statements matching the filters, without copying the
    graph; uses the (theatre, predicate) index when the graph has one, so the cost is
    O(matching statements) rather than O(all statements)."""
    dated = since is not None or until is not None
    grouped = statement_groups(graph, theatre, predicates) if theatre is not None else None
    if grouped is not None:
        # The index already matched theatre and predicate, and holds the edges' attribute
        # dicts: no adjacency lookups (at 1M statements each is a cache miss).
        for (u, _, v), found in grouped.items():
            for data in found:
                if not dated or _within(data["date"], since, until):
                    yield u, v, data
        return
    folded = theatre.casefold() if theatre else None
    for u, v, data in graph.edges(data=True):
        if dated and not _within(data["date"], since, until):
            continue
        if folded and (data["theatre"] or "").casefold() != folded:
            continue
        if predicates is not None and data["predicate"] not in predicates:
            continue
        yield u, v, data


def _within(when: date | None, since: date | None, until: date | None) -> bool:
    """A dated statement inside [since, until]; undated ones are outside any bound."""
    return when is not None and not (since and when < since) and not (until and when > until)


def statement_groups(
    graph: nx.MultiDiGraph, theatre: str, predicates: set[str] | None = None
) -> dict[tuple[str, str, str], list[dict]] | None:
    """The statements about ``theatre`` grouped by (subject, predicate, object), straight
    from the view's index (the lists are the index's own: read them, do not change them);
    None when the view has no index. O(groups)."""
    index = graph.graph.get("index")
    if index is None:
        return None
    wanted = theatre.casefold()
    return {
        (u, name, v): found
        for (where, name), groups in index.items()
        if where == wanted and (predicates is None or name in predicates)
        for (u, v), found in groups.items()
    }


def time_slice(
    graph: nx.MultiDiGraph,
    *,
    since: date | None = None,
    until: date | None = None,
    theatre: str | None = None,
) -> nx.MultiDiGraph:
    """The relations dated within [since, until] (undated ones only when no bound is
    given) and, if given, concerning ``theatre``, as a graph of their own. O(edges)."""
    out = nx.MultiDiGraph()
    for u, v, data in statements(graph, theatre=theatre, since=since, until=until):
        for node in (u, v):
            if node not in out:
                out.add_node(node, **graph.nodes[node])
        out.add_edge(u, v, **data)
    return out


def evidence_weight(
    data: dict, *, as_of: date | None = None, half_life_days: float = 365.0
) -> float:
    """How much one statement counts: its confidence, halved for every ``half_life_days``
    between its date and ``as_of`` (undated statements count at half weight)."""
    weight = data["confidence"]
    if as_of is not None:
        if data["date"] is None:
            weight *= 0.5
        else:
            age = max((as_of - data["date"]).days, 0)
            weight *= 0.5 ** (age / half_life_days)
    return weight


def hop_graph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """One directed hop per actor pair, carrying its statements; symmetric predicates
    ("cooperates", "fights") run both ways: the index path searches walk. Built once per
    view (by :func:`relation_graph`) and kept on it. O(statements)."""
    cached = graph.graph.get("hops")
    if cached is not None:
        return cached
    vocab = predicates()
    hops = nx.DiGraph()
    for u, v, data in graph.edges(data=True):
        pairs = [(u, v)] + ([(v, u)] if vocab[data["predicate"]].symmetric else [])
        for a, b in pairs:
            if a == b:
                continue
            if not hops.has_edge(a, b):
                hops.add_edge(a, b, statements=[])
            hops[a][b]["statements"].append(data)
    graph.graph["hops"] = hops
    return hops
