"""The alliance map of a theatre or an actor, as the explorer draws it.

One signed edge per actor pair (the net stance of its statements, by the vote
:func:`~detente.analysis.balance.signed_pairs` casts), nodes placed in the structural-balance
blocs of the graph shown, and the date range and predicates the view's filters can choose
from. The evidence of one edge is asked of the store as one SPARQL query, which the page
links to so that the same question can be asked elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import networkx as nx
import numpy as np
from rdflib import Literal, URIRef

from detente.analysis.layout import view_positions
from detente.analysis.ledger import (
    MATERIAL,
    PREDICATE_NAMES,
    QUAD_CLASS,
    SIGN,
    SYMMETRIC,
    Ledger,
    allowed_predicates,
    calendar,
)
from detente.analysis.multigraph import pair_balance
from detente.analysis.palette import (
    BLOC_COLOURS,
    BLOC_SHAPES,
    NO_BLOC_COLOUR,
    STANCE_COLOURS,
    STANCE_LINES,
)
from detente.domain.curation import CurationAct, Verdict
from detente.domain.filters import StatementFilter
from detente.graph.curation import acts
from detente.graph.duplicates import DUPLICATES_GRAPH
from detente.graph.rdf import actor_id_of, actor_iri
from detente.graph.store import PREFIXES, KnowledgeStore, nt
from detente.ontology import NS, predicates

MAX_PAIRS = 150  # the most evidenced pairs drawn; a briefing graph stays legible
MAX_EVIDENCE = 500  # statements listed for one edge, oldest first
MAX_BINS = 600  # months a timeline draws (50 years); more are drawn as years


@dataclass
class AllianceView:
    """The graph shown: ``nodes`` and ``edges`` as the page reads them, ``rows`` the
    ledger rows behind the edges (for exports)."""

    nodes: list[dict]
    edges: list[dict]
    pairs_total: int
    balance: dict
    dates: dict
    predicates: list[dict]
    rows: np.ndarray = field(repr=False)
    partitioned: bool = True  # whether nodes carry blocs (a view of one theatre)

    def as_graph(self, title: str) -> nx.Graph:
        """The view as a networkx graph (for GraphML): one edge per pair, from its source
        to its target (``directed`` says whether the direction means anything), its
        predicates as "backs 3 (TUR→LBY); ..." text."""
        graph = nx.DiGraph(name=title)
        if self.balance["balance"] is not None:
            graph.graph["balance"] = self.balance["balance"]
        # Positions (in pixels of a 1000 x 1000 canvas) so that Gephi and yEd open the
        # graph laid out, blocs apart, instead of as a pile.
        place = view_positions(self.nodes, self.edges)
        for node in self.nodes:
            bloc = node["bloc"]
            graph.add_node(
                node["id"],
                **{k: v for k, v in node.items() if k != "id" and v is not None},
                x=round(1000 * place[node["id"]][0], 1),
                y=round(1000 * place[node["id"]][1], 1),
                colour=BLOC_COLOURS[bloc] if bloc is not None else NO_BLOC_COLOUR,
                shape=BLOC_SHAPES[bloc] if bloc is not None else BLOC_SHAPES[0],
            )
        for edge in self.edges:
            tallies = "; ".join(
                f"{t['predicate']} {t['count']} ({t['subject']}→{t['object']})"
                for t in edge["predicates"]
            )
            graph.add_edge(
                edge["source"],
                edge["target"],
                stance=edge["stance"],
                sign={"alignment": 1, "opposition": -1}.get(edge["stance"], 0),
                colour=STANCE_COLOURS[edge["stance"]],
                line=STANCE_LINES[edge["stance"]],
                net=edge["net"],
                evidence=edge["evidence"],
                documents=edge["documents"],
                outlets=edge["outlets"],
                confidence=edge["confidence"],
                material=edge["material"],
                kind=edge["kind"],
                directed=edge["directed"],
                frustrated=edge["frustrated"],
                predicates=tallies,
            )
        return graph

    def as_json(self, focus: str | None) -> dict:
        return {
            "focus": focus,
            "nodes": self.nodes,
            "edges": self.edges,
            "pairs_total": self.pairs_total,
            "balance": self.balance,
            "dates": self.dates,
            "predicates": self.predicates,
            "partitioned": self.partitioned,
        }


def _base(ledger: Ledger, wanted: StatementFilter) -> tuple[np.ndarray, int | None]:
    """The statements a view starts from (its theatre's, between two actors) and the
    actor it centres on (none for a theatre; an unknown one leaves nothing)."""
    base = ledger.select(StatementFilter(theatre=wanted.theatre))
    s_all, o_all = ledger.column("subject"), ledger.column("object")
    base = base[s_all[base] != o_all[base]]
    focus = ledger.actor(wanted.actor) if wanted.actor else None
    if wanted.actor and focus is None:
        base = base[:0]
    return base, focus


def _neighbourhood(ledger: Ledger, rows: np.ndarray, actor: int) -> np.ndarray:
    """The statements among ``actor`` and its partners: its own, and those between two of
    its partners, so that blocs around it can show."""
    s, o = ledger.column("subject")[rows], ledger.column("object")[rows]
    touching = (s == actor) | (o == actor)
    inside = np.zeros(len(ledger.actors), dtype=bool)
    inside[s[touching]] = True
    inside[o[touching]] = True
    return rows[inside[s] & inside[o]]


def _iso(day: int) -> str:
    return date.fromordinal(int(day)).isoformat()


def alliance_view(
    ledger: Ledger,
    wanted: StatementFilter,
    *,
    max_pairs: int = MAX_PAIRS,
    min_documents: int = 1,
    min_confidence: float = 0.0,
) -> AllianceView:
    """The view of ``wanted``: the ``max_pairs`` most evidenced actor pairs (around the
    actor first, when one is asked for), one edge each.

    An edge's ``stance`` is the sign of the Goldstein- and confidence-weighted vote of its
    statements (``mixed`` when they cancel out); it is ``directed`` when every statement of
    a one-way predicate runs the same way. In a view of one theatre, nodes carry the bloc of
    :func:`~detente.analysis.multigraph.pair_balance` over the signed edges shown; a view
    across theatres (all of them, or an actor's) has no blocs (``partitioned`` false). The date
    range is the view's without its dates, and the predicate counts its statements under
    every filter but the predicate and polarity ones, so the page can widen them again.
    Each edge says how many independent
    documents (a wire copy counts once) and outlets its statements come from, and their mean
    confidence; ``min_documents`` and ``min_confidence`` keep only the pairs that reach
    them. O(n log n) for the n statements read.
    """
    base, focus = _base(ledger, wanted)
    s_all, o_all = ledger.column("subject"), ledger.column("object")
    rows = ledger.keep(base, wanted)
    # The relations the filter list offers: counted under every filter but the predicate
    # and polarity ones, which they are there to widen.
    in_dates = ledger.keep(
        base, StatementFilter(since=wanted.since, until=wanted.until, undated=wanted.undated)
    )
    if focus is not None:
        # Partners by the filtered statements: a pair seen only outside the dates asked
        # for does not bring its actors in.
        base = _neighbourhood(ledger, base, focus)
        rows = _neighbourhood(ledger, rows, focus)
        in_dates = _neighbourhood(ledger, in_dates, focus)
    dates = _date_range(ledger, base)
    predicates = _predicate_counts(ledger, in_dates)

    s = s_all[rows].astype(np.int64)
    o = o_all[rows].astype(np.int64)
    n_actors = len(ledger.actors)
    low, high = np.minimum(s, o), np.maximum(s, o)
    pairs, inverse, counts = np.unique(
        low * n_actors + high, return_inverse=True, return_counts=True
    )
    votes = np.bincount(
        inverse,
        weights=ledger.votes(rows),
        minlength=len(pairs),
    )
    # Evidence strength: documents per pair, and the statements' mean confidence.
    docs = ledger.column("document")[rows].astype(np.int64)
    span = max(len(ledger.documents), 1)
    pair_docs = np.unique(inverse * span + docs) // span
    documents = np.bincount(pair_docs, minlength=len(pairs))
    confidence = np.bincount(
        inverse, weights=ledger.column("confidence")[rows], minlength=len(pairs)
    ) / np.maximum(counts, 1)
    strong = (documents >= min_documents) & (confidence >= min_confidence - 1e-9)
    u_actor, v_actor = pairs // n_actors, pairs % n_actors
    rank = ledger.rank()
    touches = (u_actor == focus) | (v_actor == focus) if focus is not None else np.zeros(len(pairs))
    order = np.lexsort((rank[v_actor], rank[u_actor], -counts, -touches.astype(np.int64)))
    order = order[strong[order]]
    kept = order[:max_pairs]
    # Only the kept pairs' rows are grouped: a whole graph has as many pairs as rows.
    place = np.full(len(pairs), -1, dtype=np.int64)
    place[kept] = np.arange(len(kept))
    member_place = place[inverse]
    shown_rows = rows[member_place >= 0]
    member_place = member_place[member_place >= 0]
    by_pair = np.argsort(member_place, kind="stable")
    bounds = np.searchsorted(member_place[by_pair], np.arange(len(kept) + 1))
    outlets = ledger.document_outlets()
    edges = [
        _edge(
            ledger,
            shown_rows[by_pair[bounds[k] : bounds[k + 1]]],
            int(u_actor[i]),
            int(v_actor[i]),
            float(votes[i]),
            float(confidence[i]),
            outlets,
        )
        for k, i in enumerate(kept)
    ]
    # Blocs only within one theatre: a partition across unrelated theatres would put
    # actors who never meet on one side or the other of lines the data does not draw.
    partitioned = wanted.theatre is not None
    balance = _blocs(edges) if partitioned else _NO_BLOCS
    if not partitioned:
        for edge in edges:
            edge["frustrated"] = False
    nodes = _nodes(ledger, edges, balance)
    return AllianceView(
        nodes=nodes,
        edges=edges,
        pairs_total=int(strong.sum()),
        balance={k: balance[k] for k in ("balance", "triangles", "frustration")},
        partitioned=partitioned,
        dates=dates,
        predicates=predicates,
        rows=shown_rows,
    )


def view_timeline(ledger: Ledger, wanted: StatementFilter, *, period: str = "month") -> dict:
    """How the statements of a view spread over time: per month (or year; years when the
    months would be more than ``MAX_BINS``), the dated statements of each polarity, and
    how many no text dates, under every filter of the view but its dates (the range a
    reader picks from). O(n) for the n statements read."""
    base, focus = _base(ledger, wanted)
    undated_view = StatementFilter(predicates=wanted.predicates, polarity=wanted.polarity)
    rows = ledger.keep(base, undated_view)
    if focus is not None:
        rows = _neighbourhood(ledger, rows, focus)
    day = ledger.column("day")[rows]
    dated = day > 0
    unit = "M" if period == "month" else "Y"
    when = calendar(day[dated], unit)
    positive = SIGN[ledger.column("predicate")[rows][dated]] > 0
    bins = []
    if len(when) and unit == "M" and (when.max() - when.min()).astype(int) > MAX_BINS:
        # Too many months to draw (or a stray date far off): years instead, as said.
        return view_timeline(ledger, wanted, period="year")
    if len(when):
        starts = np.arange(when.min(), when.max() + 1)
        place = (when - starts[0]).astype(np.int64)
        aligned = np.bincount(place[positive], minlength=len(starts))
        opposed = np.bincount(place[~positive], minlength=len(starts))
        bins = [
            {"start": str(start), "alignment": int(a), "opposition": int(o)}
            for start, a, o in zip(starts, aligned, opposed, strict=True)
        ]
    return {
        "period": period,
        "bins": bins,
        "dated": int(dated.sum()),
        "undated": int((~dated).sum()),
    }


def _date_range(ledger: Ledger, rows: np.ndarray) -> dict:
    day = ledger.column("day")[rows]
    dated = day[day > 0]
    if not len(dated):
        return {"first": None, "last": None, "undated": len(day)}
    return {"first": _iso(dated.min()), "last": _iso(dated.max()), "undated": int((day == 0).sum())}


def _predicate_counts(ledger: Ledger, rows: np.ndarray) -> list[dict]:
    counts = np.bincount(ledger.column("predicate")[rows], minlength=len(PREDICATE_NAMES))
    return [
        {
            "predicate": PREDICATE_NAMES[i],
            "polarity": "alignment" if SIGN[i] > 0 else "opposition",
            "quad_class": QUAD_CLASS[i],
            "count": int(counts[i]),
        }
        for i in np.argsort(-counts, kind="stable")
        if counts[i]
    ]


def _edge(
    ledger: Ledger,
    rows: np.ndarray,
    u: int,
    v: int,
    vote: float,
    confidence: float,
    outlets: np.ndarray,
) -> dict:
    """One pair's edge: ``vote`` and ``confidence`` as the view computed them for every
    pair (the filters read the same numbers), the rest from its ``rows``."""
    ids = ledger.actors.values
    documents = np.unique(ledger.column("document")[rows])
    s = ledger.column("subject")[rows]
    p = ledger.column("predicate")[rows]
    # How much of the pair's stance is deeds rather than words: the share of its weighted
    # votes cast by material acts (aid, sanctions, fighting). Mediation votes nothing.
    sway = np.abs(ledger.votes(rows))
    total = float(sway.sum())
    material = float(sway[MATERIAL[p]].sum()) / total if total > 0 else 0.0
    tally: dict[tuple[int, int, int], int] = {}
    for key in zip(p.tolist(), s.tolist(), strict=True):
        subject = key[1]
        tally_key = (key[0], subject, v if subject == u else u)
        tally[tally_key] = tally.get(tally_key, 0) + 1
    one_way = {(subj, obj) for (pred, subj, obj) in tally if not SYMMETRIC[pred]}
    directed = len(one_way) == 1
    source, target = next(iter(one_way)) if directed else (u, v)
    if not directed and ledger.id_rank()[v] < ledger.id_rank()[u]:
        source, target = v, u
    listed = sorted(
        tally.items(), key=lambda item: (-item[1], PREDICATE_NAMES[item[0][0]], ids[item[0][1]])
    )
    return {
        "id": f"{ids[source]}|{ids[target]}",
        "source": ids[source],
        "target": ids[target],
        "directed": directed,
        "stance": "alignment" if vote > 0 else "opposition" if vote < 0 else "mixed",
        "net": round(vote, 3),
        "evidence": len(rows),
        "documents": len(documents),
        "outlets": len(np.unique(outlets[documents])),
        "confidence": round(confidence, 3),
        "material": round(material, 3),
        "kind": "material" if material >= 0.5 else "verbal",
        "predicates": [
            {
                "predicate": PREDICATE_NAMES[pred],
                "quad_class": QUAD_CLASS[pred],
                "subject": ids[subj],
                "object": ids[obj],
                "count": n,
            }
            for (pred, subj, obj), n in listed
        ],
    }


_NO_BLOCS: dict = {"balance": None, "triangles": 0, "frustration": 0, "blocs": [[], []]}


def _blocs(edges: list[dict]) -> dict:
    signed = [e for e in edges if e["stance"] != "mixed"]
    nodes = sorted({end for e in signed for end in (e["source"], e["target"])})
    place = {n: i for i, n in enumerate(nodes)}
    found = pair_balance(
        nodes,
        np.array([place[e["source"]] for e in signed], dtype=np.int64),
        np.array([place[e["target"]] for e in signed], dtype=np.int64),
        np.array([1 if e["stance"] == "alignment" else -1 for e in signed], dtype=np.int64),
        np.array([abs(e["net"]) for e in signed], dtype=np.float64),
    )
    frustrated = {(f["source"], f["target"]) for f in found["frustrated"]}
    for edge in edges:
        ends = (edge["source"], edge["target"])
        edge["frustrated"] = ends in frustrated or ends[::-1] in frustrated
    return found


def _nodes(ledger: Ledger, edges: list[dict], balance: dict) -> list[dict]:
    bloc = {actor: i for i, members in enumerate(balance["blocs"]) for actor in members}
    evidence: dict[str, int] = {}
    for edge in edges:
        for end in (edge["source"], edge["target"]):
            evidence[end] = evidence.get(end, 0) + edge["evidence"]
    out = []
    for actor in sorted(evidence):
        index = ledger.actor(actor)
        assert index is not None
        out.append(
            {
                "id": actor,
                "label": ledger.actor_labels[index],
                "type": ledger.actor_types[index],
                "evidence": evidence[actor],
                "bloc": bloc.get(actor),
            }
        )
    return out


# ---------------------------------------------------------------------- evidence
def actor_node(actor: str) -> str:
    """An actor id of the ledger as a SPARQL term: the IRI it was minted as
    (:func:`~detente.graph.rdf.actor_iri`), or the whole IRI of an actor named elsewhere."""
    return nt(URIRef(actor) if "://" in actor else actor_iri(actor))


def pair_question(wanted: StatementFilter, first: str, second: str) -> str:
    """The SPARQL query for every statement between two actors (either way) that the
    view's filters let through, negated ones included (flagged: the edge does not count
    them) and hypothetical ones and wire copies left out, as the edge is counted."""
    a, b = actor_node(first), actor_node(second)
    predicates = " ".join(f"dt:{n}" for n in sorted(allowed_predicates(wanted)))
    # The bindings inside the graph pattern: Oxigraph then looks the pair up by index
    # instead of reading every statement of the store.
    where = [
        "GRAPH ?g {",
        f"  VALUES (?s ?o) {{ ({a} {b}) ({b} {a}) }}",
        f"  VALUES ?p {{ {predicates} }}",
        "  ?r dt:subject ?s ; dt:object ?o ; dt:predicate ?p ; dt:negated ?negated ;",
        "     dt:modality ?modality ; dt:evidence ?sentence ; dt:document ?doc .",
        "  FILTER (?modality != dt:hypothetical)",
        "  OPTIONAL { ?r dt:subjectText ?subjectText }",
        "  OPTIONAL { ?r dt:objectText ?objectText }",
        "  OPTIONAL { ?r dt:reportedBy ?reportedBy }",
        "  OPTIONAL { ?r dt:date ?stated }",
        "  OPTIONAL { ?doc dct:date ?published }",
        "  OPTIONAL { ?doc dct:title ?title }",
        "  OPTIONAL { ?doc dct:source ?source }",
        "  OPTIONAL { ?s rdfs:label ?subjectLabel }",
        "  OPTIONAL { ?o rdfs:label ?objectLabel }",
    ]
    if wanted.theatre:
        # A test on each statement found, not a pattern to join: Oxigraph would start
        # from every statement of the theatre (seconds at a million).
        where.append(
            "  FILTER EXISTS { ?r dt:theatre/rdfs:label ?theatre ."
            f" FILTER (LCASE(STR(?theatre)) = LCASE({nt(Literal(wanted.theatre))})) }}"
        )
    where += [
        "}",
        f"FILTER NOT EXISTS {{ GRAPH <{DUPLICATES_GRAPH}> {{ ?doc dt:duplicateOf ?counted }} }}",
        "BIND (COALESCE(?stated, ?published) AS ?date)",
    ]
    # A year or a month is read as its first day, as the ledger reads it.
    day = 'SUBSTR(CONCAT(STR(?date), "-01-01"), 1, 10)'
    # A date bound keeps dated statements only, unless the undated are asked for too.
    undated = "!BOUND(?date) || " if wanted.undated else ""
    if wanted.since:
        where.append(f'FILTER ({undated}(BOUND(?date) && {day} >= "{wanted.since.isoformat()}"))')
    if wanted.until:
        where.append(f'FILTER ({undated}(BOUND(?date) && {day} <= "{wanted.until.isoformat()}"))')
    body = "\n  ".join(where)
    return (
        PREFIXES
        + "SELECT ?r ?s ?subjectLabel ?p ?o ?objectLabel ?sentence ?subjectText ?objectText\n"
        + "       ?date ?negated ?modality ?reportedBy ?doc ?title ?source\n"
        + f"WHERE {{\n  {body}\n}}\nORDER BY ?date ?r\nLIMIT {MAX_EVIDENCE}"
    )


def pair_evidence(store: KnowledgeStore, question: str) -> list[dict]:
    """The statements :func:`pair_question` finds, as the evidence panel shows them, each
    with the verdict an analyst gave it (if any, and the act's id, so that the panel can
    take it back): a statement marked wrong is listed, flagged, and not counted."""
    verdicts = {a.target: a for a in acts(store) if a.applies and a.verdict.about_statements}
    out = []
    for row in store.query(question).rows:
        text = {k: None if v is None else str(v) for k, v in row.items()}
        # What the question's pattern binds in every row (the rest is OPTIONAL).
        bound = {k: str(row[k]) for k in ("s", "o", "p", "modality", "doc")}
        negated = text["negated"] in ("true", "1")
        subject, obj = (actor_id_of(bound[k]) for k in ("s", "o"))
        predicate = bound["p"].removeprefix(str(NS))
        out.append(
            {
                "statement": text["r"],
                "subject": {"id": subject, "label": text["subjectLabel"] or subject},
                "predicate": predicate,
                "quad_class": predicates()[predicate].quad_class.value,
                "object": {"id": obj, "label": text["objectLabel"] or obj},
                "sentence": text["sentence"],
                "mentions": [m for m in (text["subjectText"], text["objectText"]) if m],
                "date": text["date"][:10] if text["date"] else None,
                "negated": negated,
                "reported_by": text["reportedBy"],
                "modality": bound["modality"].removeprefix(str(NS)),
                "counted": not negated and not _marked_wrong(verdicts, text["r"]),
                "curation": (
                    {"act": act.id, "verdict": act.verdict.value, "curator": act.curator}
                    if (act := verdicts.get(text["r"] or "")) is not None
                    else None
                ),
                "document": {
                    "id": bound["doc"].rsplit("/", 1)[-1],
                    "title": text["title"],
                    "source": text["source"],
                },
            }
        )
    return out


def _marked_wrong(verdicts: dict[str, CurationAct], statement: str | None) -> bool:
    found = verdicts.get(statement or "")
    return found is not None and found.verdict is Verdict.wrong
