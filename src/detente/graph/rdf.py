"""Extracted relations and gazetteer actors as RDF (the ``dt:`` vocabulary).

Each relation becomes a statement node carrying its evidence (sentence, offsets, trigger,
confidence, modality, negation, extractor version); an asserted, non-negated relation
also gets the direct edge ``actor dt:<predicate> target`` so plain SPARQL works.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import quote, unquote

from rdflib import DCTERMS, OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from detente.domain.dates import PartialDate
from detente.domain.records import ActorRef, Relation
from detente.ontology import ACTOR, NS, Actor, Gazetteer

DOC = Namespace("https://w3id.org/detente/doc/")
REL = Namespace("https://w3id.org/detente/relation/")
THEATRE = Namespace("https://w3id.org/detente/theatre/")
WD = Namespace("http://www.wikidata.org/entity/")

_DATE_TYPES = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}


def actor_iri(actor_id: str) -> URIRef:
    return ACTOR[quote(actor_id, safe="")]


def actor_id_of(iri: str) -> str:
    """The actor id an actor IRI was minted from (the inverse of :func:`actor_iri`): ids
    of entities outside the gazetteer hold a colon ("x:s-400"), which the IRI escapes and
    answers must not show escaped. An actor named elsewhere (another namespace) keeps its
    whole IRI as its id."""
    text = str(iri)
    return unquote(text[len(ACTOR) :]) if text.startswith(ACTOR) else text


def document_iri(doc_id: str) -> URIRef:
    return DOC[quote(doc_id, safe="")]


def theatre_iri(label: str) -> URIRef:
    return THEATRE[quote(re.sub(r"\s+", "_", label.strip()), safe="")]


def relation_iri(rel: Relation) -> URIRef:
    key = "|".join(
        [
            rel.document,
            rel.subject.id,
            rel.predicate,
            rel.object.id,
            str(rel.sentence_start),
            str(rel.subject.start),
            str(rel.object.start),
            rel.trigger,
        ]
    )
    return REL[hashlib.sha256(key.encode()).hexdigest()[:24]]


def _add_actor(g: Graph, actor: Actor | ActorRef, home: str | None = None) -> URIRef:
    node = actor_iri(actor.id)
    g.add((node, RDF.type, NS[actor.type]))
    g.add((node, RDFS.label, Literal(actor.label)))
    if actor.code:
        g.add((node, NS.code, Literal(actor.code)))
    if actor.qid:
        g.add((node, OWL.sameAs, WD[actor.qid]))
    if home and home != actor.id:
        g.add((node, NS.homeCountry, actor_iri(home)))
    return node


def relations_to_graph(relations: Iterable[Relation], graph: Graph | None = None) -> Graph:
    """Statement nodes (and direct edges) for ``relations``."""
    g = graph if graph is not None else Graph()
    g.bind("dt", NS)
    for rel in relations:
        node = relation_iri(rel)
        doc = document_iri(rel.document)
        subject, obj = _add_actor(g, rel.subject), _add_actor(g, rel.object)
        g.add((doc, RDF.type, NS.Document))
        g.add((node, RDF.type, NS.Relation))
        g.add((node, NS.document, doc))
        g.add((node, NS.subject, subject))
        g.add((node, NS.object, obj))
        g.add((node, NS.predicate, NS[rel.predicate]))
        g.add((node, NS.polarity, NS[rel.polarity]))
        g.add((node, NS.ploverType, Literal(rel.plover)))
        g.add((node, NS.quadClass, NS[rel.quad_class]))
        g.add((node, NS.negated, Literal(rel.negated)))
        g.add((node, NS.modality, NS[rel.modality]))
        g.add((node, NS.confidence, Literal(f"{rel.confidence:.3f}", datatype=XSD.decimal)))
        g.add((node, NS.evidence, Literal(rel.sentence)))
        g.add((node, NS.evidenceStart, Literal(rel.sentence_start)))
        g.add((node, NS.evidenceEnd, Literal(rel.sentence_end)))
        g.add((node, NS.subjectText, Literal(rel.subject.text)))
        g.add((node, NS.objectText, Literal(rel.object.text)))
        g.add((node, NS.trigger, Literal(rel.trigger)))
        g.add((node, NS.matchedBy, Literal(rel.matched_by)))
        g.add((node, NS.extractorVersion, Literal(rel.extractor_version)))
        if rel.reported_by:
            g.add((node, NS.reportedBy, Literal(rel.reported_by)))
        if rel.date:
            g.add(
                (
                    node,
                    NS.date,
                    Literal(rel.date, datatype=_DATE_TYPES[PartialDate.parse(rel.date).precision]),
                )
            )
        if rel.theatre:
            theatre = theatre_iri(rel.theatre)
            g.add((theatre, RDF.type, NS.Theatre))
            g.add((theatre, RDFS.label, Literal(rel.theatre)))
            g.add((node, NS.theatre, theatre))
        if not rel.negated and rel.modality == "asserted":
            g.add((subject, NS[rel.predicate], obj))
    return g


def actors_to_graph(gazetteer: Gazetteer, graph: Graph | None = None) -> Graph:
    """Every gazetteer actor with its label, code, Wikidata link and aliases."""
    g = graph if graph is not None else Graph()
    g.bind("dt", NS)
    names: dict[str, set[str]] = {}
    for name, readings in gazetteer.readings.items():
        for reading in readings:
            names.setdefault(reading.actor, set()).add(name)
    for actor in gazetteer.actors.values():
        node = _add_actor(g, actor, actor.home)
        for name in sorted(names.get(actor.id, ())):
            predicate = NS.demonym if gazetteer.demonyms.get(name) == actor.id else NS.alias
            g.add((node, predicate, Literal(name)))
    return g


def document_graph(
    doc_id: str,
    relations: Iterable[Relation],
    *,
    source: str | None = None,
    title: str | None = None,
    published: date | None = None,
    content_hash: str | None = None,
    extractor_version: str | None = None,
) -> Graph:
    """Everything one document contributes: its metadata, statements and direct edges."""
    g = relations_to_graph(relations)
    doc = document_iri(doc_id)
    g.add((doc, RDF.type, NS.Document))
    if source:
        g.add((doc, DCTERMS.source, Literal(source)))
    if title:
        g.add((doc, DCTERMS.title, Literal(title)))
    if published:
        g.add((doc, DCTERMS.date, Literal(published.isoformat(), datatype=XSD.date)))
    if content_hash:
        g.add((doc, NS.contentHash, Literal(content_hash)))
    if extractor_version:
        g.add((doc, NS.extractorVersion, Literal(extractor_version)))
    return g
