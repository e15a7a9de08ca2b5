"""Curation as RDF: each act an analyst makes (a statement is wrong or confirmed, an actor
is hidden or merged into another, a note on either) is a node in one named graph of its
own, with who made it, when and why.

Acts are never deleted: taking one back adds when and by whom, so the graph is the history
of every correction and the answers read only the acts that still apply. Keeping the acts
in the store (rather than beside it) means a SPARQL client sees them, a backup carries
them, and any store detente runs on holds them.

Every term written comes from :func:`detente.graph.store.nt`: what a curator types can
only ever be one literal, never SPARQL syntax.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone

from rdflib import DCTERMS, RDF, RDFS, XSD, Literal, Namespace, URIRef

from detente.domain.curation import CurationAct, Note, Verdict, Withheld, resolve_merges
from detente.errors import CurationConflict, UnknownNameError
from detente.graph.rdf import REL, actor_id_of, actor_iri
from detente.graph.store import PREFIXES, InvalidTermError, KnowledgeStore, nt
from detente.ontology import NS, predicates

_IRI = re.compile(r"[^\s<>\"{}|^`\\]+")  # what an IRI term may hold
CURATION_GRAPH = URIRef("https://w3id.org/detente/graph/curation")
ACT = Namespace("https://w3id.org/detente/curation/")
MAX_WHY = 2000  # characters of a reason kept


def _now() -> str:
    """Now in UTC, to the microsecond (acts made within a second keep their order)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(
    store: KnowledgeStore,
    verdict: Verdict,
    target: str,
    curator: str,
    why: str | None = None,
    into: str | None = None,
) -> CurationAct:
    """Write one act; returns it. ``target`` is a statement IRI (``wrong``,
    ``confirmed``), an actor IRI (``hidden``, ``merged``) or either (``noted``, the note in
    ``why``); ``into`` the IRI of the actor a merged one becomes. The caller has checked
    them (:func:`detente.analysis.curation.prepare`)."""
    act = CurationAct(
        id=f"act-{secrets.token_hex(8)}",
        verdict=verdict,
        target=target,
        curator=curator,
        at=_now(),
        why=(why or None) and why[:MAX_WHY],
        into=into if verdict is Verdict.merged else None,
    )
    node = ACT[act.id]
    triples = [
        (node, RDF.type, NS.CurationAct),
        (node, NS.verdict, NS[verdict.value]),
        (node, NS.target, URIRef(target)),
        (node, DCTERMS.creator, Literal(curator)),
        (node, DCTERMS.created, Literal(act.at, datatype=XSD.dateTime)),
    ]
    if act.why:
        triples.append((node, RDFS.comment, Literal(act.why)))
    if act.into:
        triples.append((node, NS.into, URIRef(act.into)))
    body = " ".join(f"{nt(s)} {nt(p)} {nt(o)} ." for s, p, o in triples)
    store.update(f"INSERT DATA {{ GRAPH {nt(CURATION_GRAPH)} {{ {body} }} }}")
    return act


def retract(store: KnowledgeStore, act_id: str, curator: str) -> CurationAct:
    """Take an act back (it stays, as history, with when and by whom); an unknown act is an
    :class:`~detente.errors.UnknownNameError`, one taken back already a
    :class:`~detente.errors.CurationConflict`."""
    found = {a.id: a for a in acts(store)}.get(act_id)
    if found is None:
        raise UnknownNameError("curation act", act_id)
    if not found.applies:
        raise CurationConflict(
            f"the act {act_id} was taken back already ({found.retracted_at}, by "
            f"{found.retracted_by})"
        )
    node, at = ACT[act_id], _now()
    body = (
        f"{nt(node)} {nt(NS.retractedAt)} {nt(Literal(at, datatype=XSD.dateTime))} ; "
        f"{nt(NS.retractedBy)} {nt(Literal(curator))} ."
    )
    store.update(f"INSERT DATA {{ GRAPH {nt(CURATION_GRAPH)} {{ {body} }} }}")
    return CurationAct(**{**found.__dict__, "retracted_at": at, "retracted_by": curator})


_ACTS = (
    PREFIXES
    + "SELECT ?act ?verdict ?target ?curator ?at ?why ?retractedAt ?retractedBy ?into WHERE { "
    + f"GRAPH <{CURATION_GRAPH}> {{ "
    + "?act a dt:CurationAct ; dt:verdict ?verdict ; dt:target ?target ; "
    + "dct:creator ?curator ; dct:created ?at . "
    + "OPTIONAL { ?act rdfs:comment ?why } OPTIONAL { ?act dt:retractedAt ?retractedAt } "
    + "OPTIONAL { ?act dt:retractedBy ?retractedBy } OPTIONAL { ?act dt:into ?into } } } "
    + "ORDER BY ?at ?act"
)


def acts(store: KnowledgeStore) -> list[CurationAct]:
    """Every act, taken back or not, oldest first."""
    out = []
    for act, verdict, target, curator, at, why, retracted_at, retracted_by, into in store.values(
        _ACTS
    ):
        out.append(
            CurationAct(
                id=str(act).removeprefix(str(ACT)),
                verdict=Verdict(str(verdict).removeprefix(str(NS))),
                target=str(target),
                curator=str(curator),
                at=str(at),
                why=why,
                retracted_at=retracted_at,
                retracted_by=retracted_by,
                into=into,
            )
        )
    return out


def withheld(store: KnowledgeStore) -> Withheld:
    """What the acts in force change in every answer: the statements marked wrong (IRIs),
    the actors hidden (ids), the actors merged (id to the id each finally becomes), and
    the notes by target. Of several verdicts in force on one statement the latest decides.
    One small read of the curation graph."""
    return in_force(acts(store))


def in_force(history: list[CurationAct]) -> Withheld:
    """What the acts of ``history`` (oldest first) that still apply change."""
    latest: dict[str, Verdict] = {}
    actors = set()
    merges: list[tuple[str, str]] = []
    notes: dict[str, list[Note]] = {}
    for act in history:
        if not act.applies:
            continue
        if act.verdict.about_statements:
            latest[act.target] = act.verdict
        elif act.verdict is Verdict.hidden:
            actors.add(actor_id_of(act.target))
        elif act.verdict is Verdict.merged and act.into:
            merges.append((actor_id_of(act.target), actor_id_of(act.into)))
        elif act.verdict is Verdict.noted and act.why:
            notes.setdefault(act.target, []).append(Note(act.id, act.why, act.curator, act.at))
    wrong = frozenset(s for s, v in latest.items() if v is Verdict.wrong)
    return Withheld(
        wrong,
        frozenset(actors),
        resolve_merges(merges),
        {target: tuple(found) for target, found in notes.items()},
    )


def _actor_term(actor: str) -> URIRef:
    """The IRI of an actor id (an actor named in another namespace has its IRI as id)."""
    return URIRef(actor) if "://" in actor else actor_iri(actor)


def statement_exists(store: KnowledgeStore, iri: str) -> bool:
    """Whether ``iri`` is a statement of some document graph."""
    if not iri.startswith(str(REL)) or not _IRI.fullmatch(iri):
        return False
    try:
        term = nt(URIRef(iri))
    except InvalidTermError:  # not an IRI at all: no statement has it
        return False
    return store.query(f"ASK {{ GRAPH ?g {{ {term} {nt(NS.subject)} ?s }} }}").boolean is True


def documents_of(store: KnowledgeStore, act: CurationAct) -> list[str]:
    """The documents (ids) whose statements an act concerns, read in the state the act
    leaves: a statement's own; for an act on an actor (hidden, merged), every document that
    names it or an actor merged into it (whose statements the ledger reads as its). A note
    concerns none: it changes no statement."""
    if act.verdict is Verdict.noted:
        return []
    target = nt(URIRef(act.target))
    if act.verdict.about_statements:
        pattern = f"{target} dt:document ?doc ."
    else:
        me = actor_id_of(act.target)
        merged = withheld(store).merged
        names = [target, *sorted(nt(_actor_term(a)) for a, into in merged.items() if into == me)]
        pattern = (
            f"VALUES ?actor {{ {' '.join(names)} }} "
            "{ ?r dt:subject ?actor } UNION { ?r dt:object ?actor } ?r dt:document ?doc ."
        )
    query = PREFIXES + f"SELECT DISTINCT ?doc WHERE {{ GRAPH ?g {{ {pattern} }} }}"
    return sorted(str(doc).rsplit("/", 1)[-1] for (doc,) in store.values(query))


_STATEMENT = (
    PREFIXES
    + "SELECT ?sentence ?s ?o ?p ?negated ?modality ?doc ?subjectText ?objectText WHERE {{ "
    + "GRAPH ?g {{ {r} dt:evidence ?sentence ; dt:subject ?s ; dt:object ?o ; "
    + "dt:predicate ?p ; dt:negated ?negated ; dt:modality ?modality ; dt:document ?doc . "
    + "OPTIONAL {{ {r} dt:subjectText ?subjectText }} "
    + "OPTIONAL {{ {r} dt:objectText ?objectText }} }} }} LIMIT 1"
)


def examples(store: KnowledgeStore) -> list[dict]:
    """The statement verdicts in force as labelled pairs in the relation corpus's format
    (``corpus/GUIDELINES.md``): the sentence as the window, the subject as mention A and
    the object as mention B. A confirmed statement gives its own label (``opposition``;
    ``mutual`` for a symmetric relation; else ``a_backs_b``) and status; a wrong one gives
    ``none`` for that reading of the pair. Each example says who labelled it and why, so
    that corrections can join the training data under the datasheet's rules."""
    vocabulary = predicates()
    out = []
    for act in acts(store):
        if not act.applies or not act.verdict.about_statements:
            continue
        rows = store.values(_STATEMENT.format(r=nt(URIRef(act.target))))
        if not rows:  # its document was removed since
            continue
        sentence, s, o, p, negated, modality, doc, s_text, o_text = rows[0]
        spec = vocabulary[str(p).removeprefix(str(NS))]
        if act.verdict is Verdict.wrong:
            label, status = "none", ""
        else:
            label = (
                "opposition"
                if spec.polarity == "opposition"
                else "mutual"
                if spec.symmetric
                else "a_backs_b"
            )
            status = "negated" if negated == "true" else str(modality).removeprefix(str(NS))
        out.append(
            {
                "id": act.id,
                "story": str(doc).rsplit("/", 1)[-1],
                "source": "curation",
                "window": sentence,
                "a": _mention(sentence or "", s_text, str(s)),
                "b": _mention(sentence or "", o_text, str(o)),
                "label": label,
                "status": status,
                "relation": {"statement": act.target, "predicate": spec.name},
                "annotator": act.curator,
                "labelled_at": act.at,
                "note": act.why or "",
            }
        )
    return out


def _mention(sentence: str, text: str | None, iri: str) -> dict:
    """A mention as the corpus writes it: its text and offsets in the sentence (None
    where the text does not hold it), and the actor it was read as."""
    start = sentence.find(text) if text else -1
    return {
        "text": text,
        "start": start if start >= 0 else None,
        "end": start + len(text) if text and start >= 0 else None,
        "actor": actor_id_of(iri),
    }
