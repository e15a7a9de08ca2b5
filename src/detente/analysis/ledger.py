"""The live state of a knowledge graph: every statement as one row of interned ids.

The service and the analysis commands answer from a :class:`Ledger` instead of a networkx
view of the whole store. A row is a handful of integers (subject, object, predicate,
theatre, day, document), a confidence and the statement's IRI, held in numpy columns, so a
million statements take about 60 MB instead of gigabytes of dicts. Evidence sentences stay
in the store and are read for the rows an answer returns.

A document write changes one named graph, and :meth:`Ledger.apply` applies exactly that:
the rows of the dropped documents are retired, the new graph's statements are read (three
small queries restricted to it) and appended. Retired rows are compacted away once they
are a quarter of the ledger. Who owns the ledger decides when readers may see it (the
service applies a delta in the same critical section as the store write).

A whole store is read once, when no saved ledger describes it (see below): any backend by
one streamed statement join, an embedded store by an aggregate over flat index scans,
about four times faster at a million statements (see :meth:`Ledger.from_store`).

On an embedded on-disk store the ledger is saved beside it (``.NAME.ledger.npz``) together
with a random stamp that is also written into the store; every write through
:class:`~detente.graph.oxigraph.OxigraphStore` removes the stamp first, so a saved ledger is
used only if nothing wrote to the store since it was saved (see :func:`open_ledger`).
"""

from __future__ import annotations

import bisect
import logging
import re
import secrets
from array import array
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyoxigraph as ox

from detente.domain.curation import Withheld
from detente.domain.dates import PartialDate
from detente.domain.documents import outlet
from detente.domain.filters import StatementFilter
from detente.graph.curation import withheld
from detente.graph.duplicates import copies_of_store, is_copy
from detente.graph.rdf import DOC, REL, actor_id_of
from detente.graph.store import PREFIXES, Capability, KnowledgeStore, StoreError
from detente.ontology import NS, predicates

log = logging.getLogger("detente.graph")

# Predicates by index: a row's predicate is a small integer, its polarity, sign, Goldstein
# weight and symmetry are looked up in these arrays.
PREDICATE_NAMES: tuple[str, ...] = tuple(sorted(predicates()))
PREDICATE_INDEX = {name: i for i, name in enumerate(PREDICATE_NAMES)}
SIGN = np.array([1 if predicates()[n].polarity == "alignment" else -1 for n in PREDICATE_NAMES])
# A statement's vote in its pair's stance: its Goldstein weight, half that for a verbal act,
# 0 for mediation (neither side; see Predicate.stance_weight).
STANCE_WEIGHT = np.array([predicates()[n].stance_weight for n in PREDICATE_NAMES], dtype=np.float64)
SYMMETRIC = np.array([predicates()[n].symmetric for n in PREDICATE_NAMES], dtype=bool)
MATERIAL = np.array([predicates()[n].quad_class.material for n in PREDICATE_NAMES], dtype=bool)
QUAD_CLASS = [predicates()[n].quad_class.value for n in PREDICATE_NAMES]  # as the API writes it

_COLUMNS = {
    "subject": np.int32,
    "object": np.int32,
    "predicate": np.int16,
    "theatre": np.int32,  # -1: no theatre
    "day": np.int32,  # proleptic ordinal of the first day of the date; 0: undated
    "when": np.int32,  # the date as the text gave it (interned); -1: undated
    "confidence": np.float64,
    "document": np.int32,
    "alive": np.bool_,
}

_STATEMENT_PATTERN = """
    ?r dt:subject ?s ; dt:object ?o ; dt:predicate ?p ; dt:negated false ;
       dt:confidence ?conf ; dt:document ?doc ; dt:evidence ?evidence ; dt:modality ?modality .
    OPTIONAL { ?r dt:date ?date }
    OPTIONAL { ?r dt:theatre ?theatre }"""


# Each query reads either every graph or one graph named by a constant: Oxigraph does not
# push a VALUES binding of ?g into the GRAPH pattern, so "VALUES ?g { <one> }" would join
# the statements of the whole store before keeping that graph's. ``only``: the statements
# to read (IRIs in SPARQL syntax), in every graph.
def _statements_query(graph: str | None, only: str | None = None) -> str:
    scope = f"<{graph}>" if graph else "?g"
    restrict = f"VALUES ?r {{ {only} }} " if only else ""
    return (
        PREFIXES
        + "SELECT ?r ?s ?p ?o ?date ?theatre ?conf ?doc ?modality WHERE { "
        + f"GRAPH {scope} {{ {restrict}{_STATEMENT_PATTERN} }} }}"
    )


# ---------------------------------------------------------------------- the embedded read
# Properties read by the aggregate (see Ledger._load_embedded), the kind of value each has
# (subject and object share the actors), and the branches of the aggregate: the statement
# itself (dt:negated false, which also gives its IRI), each property, its evidence.
_PROPERTIES = (
    "subject",
    "object",
    "predicate",
    "document",
    "theatre",
    "modality",
    "confidence",
    "date",
)
_KIND = {p: i for i, p in enumerate(("subject", *_PROPERTIES[2:]))} | {"object": 0}
_BRANCHES = ("statement", *_PROPERTIES, "evidence")
_REQUIRED = tuple(b for b in _BRANCHES if b not in ("theatre", "date"))
# The counts word: each branch's number of values in 5 bits, and in the 12 bits above
# them the number of all values (which tells a count that did not fit its 5 bits).
_COUNT_BITS = 5
_TOTAL_SHIFT = _COUNT_BITS * len(_BRANCHES)


class _NotModelled(Exception):
    """The store holds something the aggregate does not read (a blank node where it maps
    values to codes): read it by the statement join."""


def _distinct_values(native: Any, properties: Iterable[str]) -> dict[int, list[tuple[str, str]]]:
    """The distinct values of ``properties`` in named graphs, by kind, as (SPARQL term,
    lexical value)."""
    branches = " UNION ".join(f"{{ ?r dt:{p} ?v BIND({_KIND[p]} AS ?k) }}" for p in properties)
    query = PREFIXES + f"SELECT DISTINCT ?k ?v WHERE {{ GRAPH ?g {{ {branches} }} }}"
    found: dict[int, list[tuple[str, str]]] = {}
    for kind, term in _evaluate(native, query):
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise _NotModelled(f"a value that is not an IRI or a literal: {term}")
        found.setdefault(int(kind.value), []).append((str(term), term.value))
    return found


# Two reads of distinct values of about the same size (subject and object share a kind).
_HALVES = (
    ("subject", "object", "predicate", "modality"),
    ("document", "theatre", "confidence", "date"),
)


class _Packing:
    """Where each property's code sits in the aggregate's integer sums: its value's index
    plus one (0: none) in a bit field of a 62-bit word, fields packed greedily; each
    branch's number of values in the counts word. A statement with one value per property
    sums to its fields; one with several has a count above one (then its fields mean
    nothing and it is read by the join)."""

    def __init__(self, values: dict[int, list[tuple[str, str]]]) -> None:
        self.field: dict[str, tuple[int, int, int]] = {}  # property -> (word, shift, bits)
        word, used = 0, 0
        for p in _PROPERTIES:
            bits = (len(values.get(_KIND[p], [])) + 1).bit_length()
            if used + bits > 62:
                word, used = word + 1, 0
            self.field[p] = (word, used, bits)
            used += bits
        self.words = word + 1

    def row(self, branch: str, index: int = 0) -> str:
        """The VALUES row (the words, then the count) one value of ``branch`` adds."""
        words = [0] * self.words
        if branch in self.field:
            word, shift, _ = self.field[branch]
            words[word] = (index + 1) << shift
        count = (1 << (_COUNT_BITS * _BRANCHES.index(branch))) + (1 << _TOTAL_SHIFT)
        return " ".join(str(w) for w in [*words, count])


def _aggregate(native: Any, values: dict[int, list[tuple[str, str]]]) -> bytes:
    """One row per statement and graph, as TSV: the statement's IRI as the ledger keeps it
    (its part after the relation namespace, else "<" and the IRI), the packed sums of its
    values' codes and the counts word (see :class:`_Packing`)."""
    packing = _Packing(values)
    rel = str(REL)
    sums = " ".join(f"?w{w}" for w in range(packing.words))
    local = f'IF(STRSTARTS(STR(?r), "{rel}"), STRAFTER(STR(?r), "{rel}"), CONCAT("<", STR(?r)))'
    branches = [
        f"{{ ?r dt:negated false VALUES ({sums} ?n) {{ ({packing.row('statement')}) }} "
        f"BIND({local} AS ?iri) }}"
    ]
    for p in _PROPERTIES:
        table = " ".join(
            f"({term} {packing.row(p, i)})" for i, (term, _) in enumerate(values.get(_KIND[p], []))
        )
        branches.append(f"{{ ?r <{NS}{p}> ?x VALUES (?x {sums} ?n) {{ {table} }} }}")
    branches.append(f"{{ ?r dt:evidence ?e VALUES ({sums} ?n) {{ ({packing.row('evidence')}) }} }}")
    totals = " ".join(f"(SUM(?w{w}) AS ?sum{w})" for w in range(packing.words))
    query = (
        PREFIXES
        + f"SELECT (SAMPLE(?iri) AS ?statement) {totals} (SUM(?n) AS ?counts) "
        + f"WHERE {{ GRAPH ?g {{ {' UNION '.join(branches)} }} }} "
        + "GROUP BY ?g ?r"
    )
    solutions = _evaluate(native, query)
    try:
        return solutions.serialize(format=ox.QueryResultsFormat.TSV)
    except OSError as exc:
        raise StoreError(f"query failed: {exc}") from exc


def _evaluate(native: Any, query: str) -> Any:
    try:
        return native.query(query, use_default_graph_as_union=True)
    except OSError as exc:
        raise StoreError(f"query failed: {exc}") from exc


def _labels(store: KnowledgeStore) -> dict[str, tuple[str, str | None]]:
    """What the labels query gives (:func:`_labels_query`: each node's first label and
    first type, in index order), by two flat reads instead of a type lookup per label."""
    first_label: dict[str, str] = {}
    for node, label in store.values(
        PREFIXES + "SELECT DISTINCT ?x ?label WHERE { ?x rdfs:label ?label }"
    ):
        first_label.setdefault(node, label)  # type: ignore[arg-type]
    first_type: dict[str, str] = {}
    for node, kind in store.values(
        PREFIXES + "SELECT DISTINCT ?x ?type WHERE { "
        "{ SELECT DISTINCT ?x WHERE { ?x rdfs:label ?l } } ?x a ?type }"
    ):
        first_type.setdefault(node, kind)  # type: ignore[arg-type]
    return {node: (label, first_type.get(node)) for node, label in first_label.items()}


def _first_seen(codes: np.ndarray) -> np.ndarray:
    """The distinct codes in the order they first occur."""
    unique, first = np.unique(codes, return_index=True)
    return unique[np.argsort(first, kind="stable")]


def _lookup(
    table: list[str], codes: np.ndarray, convert: Callable[[str], Any], dtype: Any = np.int16
) -> np.ndarray:
    """``convert`` of each code's value (called once per distinct code used)."""
    out = np.zeros(len(table), dtype=dtype)
    for code in np.unique(codes):
        out[code] = convert(table[code])
    return out[codes]


def _predicate_index(iri: str) -> int:
    return PREDICATE_INDEX[iri.removeprefix(str(NS))]


def _full_iri(local: str) -> str:
    return local[1:] if local.startswith("<") else str(REL) + local


def _unescape(raw: bytes) -> bytes:
    """A TSV string's content without its escapes."""
    out = raw.decode().replace("\\\\", "\0")
    for escape, char in (("\\t", "\t"), ("\\n", "\n"), ("\\r", "\r"), ('\\"', '"')):
        out = out.replace(escape, char)
    return out.replace("\0", "\\").encode()


def _documents_query(graph: str | None) -> str:
    """The documents' publication dates and sources, in one read."""
    pattern = (
        "?doc a dt:Document OPTIONAL { ?doc dct:date ?date } OPTIONAL { ?doc dct:source ?source }"
    )
    if graph is None:
        return PREFIXES + f"SELECT DISTINCT ?doc ?date ?source WHERE {{ {pattern} }}"
    return (
        PREFIXES + f"SELECT DISTINCT ?doc ?date ?source WHERE {{ GRAPH <{graph}> {{ {pattern} }} }}"
    )


def _labels_query(graph: str | None) -> str:
    pattern = "?x rdfs:label ?label OPTIONAL { ?x a ?type }"
    if graph is None:
        return PREFIXES + f"SELECT DISTINCT ?x ?label ?type WHERE {{ {pattern} }}"
    return PREFIXES + f"SELECT DISTINCT ?x ?label ?type WHERE {{ GRAPH <{graph}> {{ {pattern} }} }}"


def _day(text: str) -> int:
    """The ledger's day column: the proleptic ordinal of a date's first day."""
    return PartialDate.parse(text).first_day().toordinal()


def calendar(day: np.ndarray, unit: str) -> np.ndarray:
    """Days of the day column (all dated) as numpy dates cut to ``unit`` ("M" months, "Y"
    years). Ordinal 1 is 0001-01-01. Vectorised."""
    days = np.datetime64("0001-01-01") + (day - 1).astype("timedelta64[D]")
    return days.astype(f"datetime64[{unit}]")


EVERY_STATEMENT = StatementFilter()


def with_subproperties(names: Iterable[str]) -> set[str]:
    """``backs`` and every predicate declared a sub-property of it (``aids``)."""
    vocab = predicates()
    wanted = set(names)
    changed = True
    while changed:
        extra = {p.name for p in vocab.values() if p.parent in wanted} - wanted
        wanted |= extra
        changed = bool(extra)
    return wanted


def allowed_predicates(where: StatementFilter) -> set[str]:
    """The predicates ``where`` lets through: its own with their sub-relations (all when
    it names none), of its polarity."""
    names = with_subproperties(where.predicates) if where.predicates else set(PREDICATE_NAMES)
    if where.polarity is not None:
        aligned = where.polarity == "alignment"
        names = {n for n in names if (SIGN[PREDICATE_NAMES.index(n)] > 0) == aligned}
    return names


class Names:
    """Strings interned as consecutive integers."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.values: list[str] = []
        self.ids: dict[str, int] = {}
        for value in values:
            self.add(value)

    def add(self, value: str) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found

    def __len__(self) -> int:
        return len(self.values)


class _Ordering:
    """Row numbers 0..n-1 kept sorted by ``key`` as n grows (each new one inserted,
    O(n) a change, not sorted again), and each one's place in that order."""

    def __init__(self, key: Callable[[int], Any]) -> None:
        self.key = key
        self.order: list[int] | None = None
        self.places = np.zeros(0, dtype=np.int64)

    def places_of(self, n: int) -> np.ndarray:
        if self.order is None:
            self.order = sorted(range(n), key=self.key)
        for index in range(len(self.order), n):
            bisect.insort(self.order, index, key=self.key)
        if len(self.places) != n:
            self.places = np.empty(n, dtype=np.int64)
            self.places[np.array(self.order, dtype=np.int64)] = np.arange(n)
        return self.places


def _iri_key(iri: str) -> bytes:
    """A statement IRI as the ledger keeps it: without the relation namespace (24 bytes
    for detente's own), any other IRI whole after a ``<``."""
    local = iri.removeprefix(str(REL)) if iri.startswith(str(REL)) else "<" + iri
    return local.encode()


class Ledger:
    """Every asserted or reported, non-negated statement of a store, one row each.

    Hypothetical statements are not kept: no answer counts them. Read the columns through
    :meth:`column` and :meth:`select`; change them only through :meth:`apply` (or
    :meth:`add_rows` / :meth:`retire_documents`).
    """

    def __init__(self) -> None:
        self._size = 0
        self._cols: dict[str, np.ndarray] = {
            name: np.zeros(1024, dtype) for name, dtype in _COLUMNS.items()
        }
        self._iris = np.zeros(1024, dtype="S24")  # statement IRIs, without the REL prefix
        self.actors = Names()
        self.actor_labels: list[str] = []
        self.actor_types: list[str] = []
        self.theatres = Names()  # casefolded labels
        self.theatre_labels: list[str] = []
        self.documents = Names()  # document ids (doc-…)
        self.outlets = Names()  # web hosts, and "doc:<id>" for a document of unknown outlet
        self._outlet_of: dict[int, int] = {}  # document -> outlet, where its source says
        self._outlets_column = np.zeros(0, dtype=np.int64)  # document_outlets(), kept
        self._outlets_noted = 0  # how many sources it was computed with
        self.whens = Names()  # dates as the texts gave them
        self._by_theatre: dict[int, array] = {}
        self._retired = 0
        self.compactions = 0  # row ids change at each: indexes over rows rebuild
        self._by_label = _Ordering(self._label_key)
        self._by_id = _Ordering(lambda index: self.actors.values[index])
        self._degree = np.zeros(0, dtype=np.int64)  # live statements per actor
        self._folded: dict[str, list[int]] = {}  # casefolded label -> actors
        self._folded_upto = 0
        self.curation = Withheld()  # the acts in force it was last curated with
        self.merged: dict[str, str] = {}  # actor id -> the id its rows were given

    # ------------------------------------------------------------------ reading columns
    def __len__(self) -> int:
        """Live statements."""
        return int(self._size - self._retired)

    @property
    def size(self) -> int:
        """Rows in use, live or retired: row ids are below it."""
        return self._size

    def column(self, name: str) -> np.ndarray:
        """A column over every row in use (read-only use: it is the ledger's own array)."""
        return self._cols[name][: self._size]

    def votes(self, rows: np.ndarray) -> np.ndarray:
        """Each row's vote in its pair's stance: its predicate's stance weight (Goldstein,
        half for words, 0 for mediation: :data:`STANCE_WEIGHT`) times its confidence."""
        return STANCE_WEIGHT[self._cols["predicate"][rows]] * self._cols["confidence"][rows]

    def iris(self, rows: np.ndarray) -> list[str]:
        """The statement IRIs of ``rows``."""
        out = []
        for raw in self._iris[rows]:
            text = raw.decode()
            out.append(text[1:] if text.startswith("<") else str(REL) + text)
        return out

    def iri_keys(self, rows: np.ndarray) -> np.ndarray:
        """The statement IRIs of ``rows`` as stored (bytes): a sort key that does not depend
        on the order rows were added in."""
        return self._iris[rows]

    def actor(self, name: str) -> int | None:
        return self.actors.ids.get(name)

    def _label_key(self, index: int) -> tuple[str, str]:
        return (self.actor_labels[index], self.actors.values[index])

    def rank(self) -> np.ndarray:
        """Each actor's place when actors are sorted by (label, id)."""
        return self._by_label.places_of(len(self.actors))

    def select(self, where: StatementFilter = EVERY_STATEMENT) -> np.ndarray:
        """Live row ids of the statements ``where`` lets through, in row order (its
        predicates with their sub-relations). O(rows of the theatre), vectorised."""
        if where.theatre is not None:
            found = self.theatres.ids.get(where.theatre.casefold())
            if found is None:
                return np.zeros(0, dtype=np.int64)
            rows = np.frombuffer(self._by_theatre[found], dtype=np.int32).astype(np.int64)
            mask = self._cols["alive"][rows]
        else:
            rows = None
            mask = self.column("alive").copy()

        def col(name: str) -> np.ndarray:
            return self._cols[name][rows] if rows is not None else self.column(name)

        mask &= self._kept(col("day"), col("predicate"), where)
        if where.actor is not None:
            found = self.actors.ids.get(where.actor)
            if found is None:
                return np.zeros(0, dtype=np.int64)
            mask &= (col("subject") == found) | (col("object") == found)
        return rows[mask] if rows is not None else np.flatnonzero(mask)

    def keep(self, rows: np.ndarray, where: StatementFilter) -> np.ndarray:
        """``rows`` inside the dates, predicates and polarity of ``where`` (its theatre and
        actor are the caller's to apply). O(len(rows))."""
        day, predicate = self._cols["day"][rows], self._cols["predicate"][rows]
        return rows[self._kept(day, predicate, where)]

    @staticmethod
    def _kept(day: np.ndarray, predicate: np.ndarray, where: StatementFilter) -> np.ndarray:
        keep = np.ones(len(day), dtype=bool)
        if where.since is not None or where.until is not None:
            keep &= day > 0  # a date bound keeps dated statements only
            if where.since is not None:
                keep &= day >= where.since.toordinal()
            if where.until is not None:
                keep &= day <= where.until.toordinal()
            if where.undated:  # unless asked for the undated ones too
                keep |= day == 0
        if where.predicates or where.polarity is not None:
            allowed = allowed_predicates(where)
            keep &= np.array([n in allowed for n in PREDICATE_NAMES])[predicate]
        return keep

    def degrees(self) -> np.ndarray:
        """Live statements per actor (as subject or object), kept up to date by every
        change (O(rows changed)), not counted again."""
        n = len(self.actors)
        if len(self._degree) < n:
            self._degree = np.concatenate([self._degree, np.zeros(n - len(self._degree), np.int64)])
        return self._degree[:n]

    def _count(self, rows: np.ndarray, by: int) -> None:
        self.degrees()
        np.add.at(self._degree, self._cols["subject"][rows], by)
        np.add.at(self._degree, self._cols["object"][rows], by)

    def labelled(self, label: str) -> list[int]:
        """The actors whose label is ``label`` in any case (an index kept up to date)."""
        while self._folded_upto < len(self.actor_labels):
            folded = self.actor_labels[self._folded_upto].casefold()
            self._folded.setdefault(folded, []).append(self._folded_upto)
            self._folded_upto += 1
        return self._folded.get(label.casefold(), [])

    def id_rank(self) -> np.ndarray:
        """Each actor's place when actors are sorted by id."""
        return self._by_id.places_of(len(self.actors))

    # ------------------------------------------------------------------ changing
    def _grow(self, needed: int) -> None:
        capacity = len(self._iris)
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        for name, col in self._cols.items():
            grown = np.zeros(capacity, col.dtype)
            grown[: self._size] = col[: self._size]
            self._cols[name] = grown
        iris = np.zeros(capacity, self._iris.dtype)
        iris[: self._size] = self._iris[: self._size]
        self._iris = iris

    def _actor(self, iri: str, labels: dict[str, tuple[str, str | None]]) -> int:
        name = actor_id_of(iri)
        found = self.actors.ids.get(name)
        if found is None:
            found = self.actors.add(name)
            label, kind = labels.get(iri, (name, None))
            self.actor_labels.append(label)
            self.actor_types.append((kind or str(NS) + "Actor").removeprefix(str(NS)))
        return found

    def add_rows(
        self,
        statements: Iterable[tuple[str | None, ...]],
        published: dict[str, str],
        labels: dict[str, tuple[str, str | None]],
    ) -> int:
        """Append statements read by the statement query (see :func:`_statements_query`),
        one at a time (a million need not be held at once), with the documents'
        publication dates and the labels of their actors and theatres. Returns the rows
        added."""
        ns = str(NS)
        start = self._size
        cols = self._cols
        row = start
        for r, s, p, o, when, theatre_iri, conf, doc, modality in statements:
            if row >= len(self._iris):
                self._size = row  # what _grow copies
                self._grow(row + 1)
                cols = self._cols
            if modality == ns + "hypothetical":
                continue
            given = when or published.get(doc)  # type: ignore[arg-type]
            cols["subject"][row] = self._actor(s, labels)  # type: ignore[arg-type]
            cols["object"][row] = self._actor(o, labels)  # type: ignore[arg-type]
            cols["predicate"][row] = PREDICATE_INDEX[p.removeprefix(ns)]  # type: ignore[union-attr]
            if theatre_iri is not None and theatre_iri in labels:
                label = labels[theatre_iri][0]
                theatre = self.theatres.add(label.casefold())
                if theatre == len(self.theatre_labels):
                    self.theatre_labels.append(label)
                    self._by_theatre[theatre] = array("i")
                self._by_theatre[theatre].append(row)
                cols["theatre"][row] = theatre
            else:
                cols["theatre"][row] = -1
            if given:
                cols["day"][row] = _day(given)
                cols["when"][row] = self.whens.add(given[:10])
            else:
                cols["day"][row] = 0
                cols["when"][row] = -1
            cols["confidence"][row] = float(conf)  # type: ignore[arg-type]
            cols["document"][row] = self.documents.add(doc.removeprefix(str(DOC)))  # type: ignore[union-attr]
            cols["alive"][row] = True
            raw = _iri_key(r)  # type: ignore[arg-type]
            if len(raw) > self._iris.dtype.itemsize:
                self._iris = self._iris.astype(f"S{len(raw)}")
            self._iris[row] = raw
            row += 1
        self._size = row
        self._count(np.arange(start, row), 1)
        return row - start

    def retire_documents(self, doc_ids: Iterable[str]) -> int:
        """Retire every row of these documents; returns how many."""
        ids = [self.documents.ids[d] for d in doc_ids if d in self.documents.ids]
        if not ids:
            return 0
        doomed = np.flatnonzero(np.isin(self.column("document"), ids) & self.column("alive"))
        self._cols["alive"][doomed] = False
        self._count(doomed, -1)
        self._retired += len(doomed)
        if self._retired > max(1024, self._size // 4):
            self.compact()
        return len(doomed)

    def compact(self) -> None:
        """Drop retired rows (row ids change)."""
        keep = np.flatnonzero(self.column("alive"))
        for col in self._cols.values():
            col[: len(keep)] = col[keep]
        self._iris[: len(keep)] = self._iris[keep]
        self._size = len(keep)
        self._retired = 0
        self.compactions += 1
        self._index_theatres()

    def _index_theatres(self) -> None:
        """Each theatre's row ids, read again from the column (after rows moved)."""
        theatre = self.column("theatre")
        self._by_theatre = {}
        for t in range(len(self.theatres)):
            self._by_theatre[t] = array("i")
            self._by_theatre[t].frombytes(np.flatnonzero(theatre == t).astype(np.int32).tobytes())

    def load_graphs(self, store: KnowledgeStore, graphs: list[str] | None = None) -> int:
        """Read the statements of ``graphs`` (all graphs when None) and append them."""
        added = 0
        # Near-duplicate copies of a story add no evidence (graph.duplicates); a document's
        # graph is named by the document's own IRI. A whole read reads every link once; a
        # delta asks about its own graphs only.
        copies = copies_of_store(store) if graphs is None else set()
        for graph in graphs if graphs is not None else [None]:
            if graph is not None and is_copy(store, graph):
                continue
            published = self._read_documents(store, graph)
            labels: dict[str, tuple[str, str | None]] = {}
            for node, label, kind in store.values(_labels_query(graph)):
                labels.setdefault(node, (label, kind))  # type: ignore[arg-type]
            statements = store.stream_values(_statements_query(graph))
            if graph is None and copies:
                statements = (row for row in statements if row[7] not in copies)
            added += self.add_rows(statements, published, labels)  # type: ignore[arg-type]
        return added

    def apply(self, store: KnowledgeStore, *, added: list[str], removed: list[str]) -> None:
        """One write's delta: the documents ``removed`` (ids) are gone and the document
        graphs ``added`` (IRIs) are new; the acts of curation in force apply to what came
        (read again: a delta of no documents is how a note reaches the ledger). O(rows) to
        retire and curate, O(new statements) to add."""
        self.retire_documents(removed)
        if added:
            self.load_graphs(store, added)
        self.withhold(withheld(store))

    def _read_documents(self, store: KnowledgeStore, graph: str | None) -> dict[str, str]:
        """The publication date of each document of ``graph`` (all when None), by IRI;
        notes on the way the outlet each one's source names (see
        :func:`detente.domain.outlet`)."""
        published: dict[str, str] = {}
        for doc_iri, day, source in store.values(_documents_query(graph)):
            if day is not None:
                published[doc_iri] = day  # type: ignore[index]
            found = outlet(source)
            if found is not None:
                doc = self.documents.add(doc_iri.removeprefix(str(DOC)))  # type: ignore[union-attr]
                self._outlet_of[doc] = self.outlets.add(found)
        return published

    def document_outlets(self) -> np.ndarray:
        """Each document's outlet (index into :attr:`outlets`): the web host of its URL, or,
        where its source names none (a file, pasted text), an outlet of its own, since
        nothing says it shares one. O(new documents): documents and sources only grow, so
        the documents seen before keep their outlets."""
        known = len(self._outlets_column)
        if known == len(self.documents) and self._outlets_noted == len(self._outlet_of):
            return self._outlets_column
        start = known if self._outlets_noted == len(self._outlet_of) else 0
        out = np.empty(len(self.documents), dtype=np.int64)
        out[:start] = self._outlets_column[:start]
        for doc in range(start, len(self.documents)):
            found = self._outlet_of.get(doc)
            name = self.documents.values[doc]
            out[doc] = found if found is not None else self.outlets.add("doc:" + name)
        self._outlets_column, self._outlets_noted = out, len(self._outlet_of)
        return out

    def remember(self, curation: Withheld) -> None:
        """Keep the acts in force this ledger's rows were curated with (their merges and
        notes answer lookups and profiles), changing no row: what a ledger saved under the
        same acts needs when loaded."""
        self.curation = curation
        # A merge applies once the actor merged into is known (a document names it).
        self.merged = {a: into for a, into in curation.merged.items() if into in self.actors.ids}

    def absorbed(self, actor: str) -> list[str]:
        """The ids of the actors merged into ``actor``, whose statements are now its."""
        return sorted(a for a, into in self.merged.items() if into == actor)

    def withhold(self, curation: Withheld) -> int:
        """Apply the acts of curation in force to the live rows: retire the statements
        marked wrong and every statement of a hidden actor, and give a merged actor's rows
        to the actor it became (their subject and object columns mapped; a statement
        between the two, now of one actor with itself, retired). Returns the rows retired.
        O(rows), vectorised; applying the same acts again changes nothing. Taking an act
        back is reading its documents again (:meth:`apply`)."""
        self.remember(curation)
        if not curation:
            return 0
        size = self._size
        alive = self.column("alive")
        out = np.zeros(size, dtype=bool)
        width = self._iris.dtype.itemsize
        keys = [key for iri in curation.statements if len(key := _iri_key(iri)) <= width]
        if keys:
            out |= np.isin(self._iris[:size], np.array(keys, dtype=self._iris.dtype))
        subject, obj = self.column("subject"), self.column("object")  # the ledger's own
        hidden = [self.actors.ids[a] for a in curation.actors if a in self.actors.ids]
        if hidden:
            out |= np.isin(subject, hidden) | np.isin(obj, hidden)
        # Only actors with rows move: a merged actor whose documents are all gone has none
        # (its merge still answers lookups of its names).
        moving = [
            (self.actors.ids[a], self.actors.ids[b])
            for a, b in self.merged.items()
            if a in self.actors.ids
        ]
        moving = [(a, b) for a, b in moving if a != b]
        if moving:
            given = np.arange(len(self.actors), dtype=subject.dtype)
            given[[a for a, _ in moving]] = [b for _, b in moving]
            new_s, new_o = given[subject], given[obj]
            rows = np.flatnonzero(alive & ((new_s != subject) | (new_o != obj)))
            if len(rows):
                self._count(rows, -1)
                subject[rows], obj[rows] = new_s[rows], new_o[rows]
                self._count(rows, 1)
                out[rows] |= subject[rows] == obj[rows]  # the two merged: no pair left
                if hidden:  # merged into a hidden actor
                    out[rows] |= np.isin(subject[rows], hidden) | np.isin(obj[rows], hidden)
        doomed = np.flatnonzero(out & alive)
        if len(doomed):
            self._cols["alive"][doomed] = False
            self._count(doomed, -1)
            self._retired += len(doomed)
        return len(doomed)

    @classmethod
    def from_store(cls, store: KnowledgeStore) -> Ledger:
        """Every statement of ``store``. An embedded store is read by one aggregate over
        flat index scans (:meth:`_load_embedded`); any other backend, or an embedded store
        holding what that read does not model (blank nodes), by the statement join
        (:meth:`from_store_joined`). Both give the same ledger."""
        if store.supports(Capability.INDEX_READ):
            ledger = cls()
            try:
                ledger._load_embedded(store)
            except _NotModelled as exc:
                log.info("reading the ledger by the statement join: %s", exc)
            else:
                ledger.withhold(withheld(store))
                return ledger
        return cls.from_store_joined(store)

    @classmethod
    def from_store_joined(cls, store: KnowledgeStore) -> Ledger:
        """Every statement of ``store`` by the statement join (one streamed SELECT, with
        the documents' dates and the labels): any backend, only its public methods."""
        ledger = cls()
        ledger.load_graphs(store)
        ledger.withhold(withheld(store))
        return ledger

    def _load_embedded(self, store: KnowledgeStore) -> None:
        """Read a whole embedded store into this (empty) ledger.

        Oxigraph evaluates the statement join as nested loops, an index lookup per
        statement and property (86 s of a 100 s read at 1M statements). Here each property
        is one flat index scan, its values mapped to small integers by a VALUES table
        (read first: the distinct values of each property), and one GROUP BY statement
        sums a statement's integers (packed in bit fields) into one row each, serialised
        by Oxigraph and parsed as columns by numpy. Statements whose properties do not have
        one value each (two evidence sentences, a relation spread over graphs...) are read
        again by the statement join, restricted to them, so the ledger equals the join's.
        """
        # Held for the whole read, so the store is not lent to an update meanwhile.
        with store.holding() as native, ThreadPoolExecutor(max_workers=2) as pool:
            # Oxigraph evaluates without the GIL: the small reads go on meanwhile.
            halves = [pool.submit(_distinct_values, native, half) for half in _HALVES]
            copies = copies_of_store(store)
            published = self._read_documents(store, None)
            labels = _labels(store)
            values = halves[0].result() | halves[1].result()
            data = _aggregate(native, values)
            del native
        irregular = self._add_aggregate(data, values, published, labels, copies)
        del data
        for start in range(0, len(irregular), 1000):
            batch = " ".join(f"<{iri}>" for iri in irregular[start : start + 1000])
            rows = store.stream_values(_statements_query(None, only=batch))
            if copies:
                rows = (row for row in rows if row[7] not in copies)
            self.add_rows(rows, published, labels)  # type: ignore[arg-type]

    def _add_aggregate(
        self,
        data: bytes,
        values: dict[int, list[tuple[str, str]]],
        published: dict[str, str],
        labels: dict[str, tuple[str, str | None]],
        copies: set[str],
    ) -> list[str]:
        """Append the statements of the aggregate (see :func:`_aggregate`) that have one
        value of each property; returns the IRIs of the statements to read by the join
        instead (several values of a property)."""
        packing = _Packing(values)
        width = packing.words + 2
        _, _, body = data.partition(b"\n")
        names = re.findall(rb"^([^\t]*)\t", body, re.MULTILINE)  # the IRI cells, quoted
        n = len(names)
        if n == 0:
            return []
        numbers = np.fromstring(
            re.sub(rb"^[^\t]*\t", b"", body, flags=re.MULTILINE), dtype=np.int64, sep=" "
        )
        if len(numbers) == n * (width - 1):
            table = numbers.reshape(n, width - 1).T
        else:  # an empty cell: a sum too large for an integer (many values), read by the join
            rows_ = [line.split(b"\t")[1:] for line in body.split(b"\n") if line]
            table = np.array([[int(c) if c else -1 for c in r] for r in rows_]).T
        del body, numbers
        words, counts = list(table[: packing.words]), table[-1]
        total = counts >> _TOTAL_SHIFT
        count = {
            b: (counts >> (_COUNT_BITS * i)) & ((1 << _COUNT_BITS) - 1)
            for i, b in enumerate(_BRANCHES)
        }
        column = {}
        for p, (word, shift, bits) in packing.field.items():
            column[p] = ((words[word] >> shift) & ((1 << bits) - 1)) - 1
        present = np.ones(n, dtype=bool)
        for name in _REQUIRED:
            present &= count[name] > 0
        several = sum(count.values()) != total  # a count that did not fit its bits
        several |= (counts < 0) | np.any([w < 0 for w in words], axis=0)
        for name in _BRANCHES:
            several |= count[name] > 1
        several &= present
        keys = np.array(names, dtype=object)
        if (keys[present] == b"").any():
            raise _NotModelled("a statement that is a blank node")
        redo = sorted({k[1:-1].decode() for k in keys[several]})
        regular = present & ~several
        if redo:
            # A statement in several graphs is read whole by the join.
            regular &= ~np.isin(keys, np.array([f'"{k}"'.encode() for k in redo], dtype=object))
        for codes in column.values():
            codes[~regular] = -1  # the sums of several values are no codes

        def value(kind: int) -> list[str]:
            return [v for _, v in values.get(kind, [])]

        modality = value(_KIND["modality"])
        documents = value(_KIND["document"])
        hypothetical = np.array([m == str(NS) + "hypothetical" for m in modality] + [False])
        copied = np.array([d in copies for d in documents] + [False])
        regular &= ~hypothetical[column["modality"]] & ~copied[column["document"]]
        rows = np.flatnonzero(regular)
        k = len(rows)
        if k == 0:
            return [_full_iri(r) for r in redo]
        cols = {name: column[name][rows] for name in _PROPERTIES}

        # Actors in the order they first appear (subject before object), as a row-by-row
        # read adds them.
        actors = value(_KIND["subject"])
        both = np.empty(2 * k, dtype=np.int64)
        both[0::2], both[1::2] = cols["subject"], cols["object"]
        actor_id = np.zeros(len(actors), dtype=np.int32)
        for code in _first_seen(both):
            actor_id[code] = self._actor(actors[code], labels)
        predicate_id = _lookup(value(_KIND["predicate"]), cols["predicate"], _predicate_index)
        confidence = _lookup(value(_KIND["confidence"]), cols["confidence"], float, np.float64)
        document_id = np.zeros(len(documents), dtype=np.int32)
        for code in _first_seen(cols["document"]):
            document_id[code] = self.documents.add(documents[code].removeprefix(str(DOC)))
        theatres = value(_KIND["theatre"])
        theatre_id = np.full(len(theatres) + 1, -1, dtype=np.int32)  # [-1]: none
        for code in _first_seen(cols["theatre"][cols["theatre"] >= 0]):
            iri = theatres[code]
            if iri in labels:
                label = labels[iri][0]
                theatre = self.theatres.add(label.casefold())
                if theatre == len(self.theatre_labels):
                    self.theatre_labels.append(label)
                theatre_id[code] = theatre
        # The date a statement gives, else its document's publication date.
        dates = value(_KIND["date"])
        nonempty = np.array([bool(d) for d in dates] + [False])  # [-1]: no date
        dated = nonempty[cols["date"]]
        given_key = np.where(dated, cols["date"], len(dates) + cols["document"])
        day = np.zeros(len(dates) + len(documents), dtype=np.int32)
        when = np.full(len(dates) + len(documents), -1, dtype=np.int32)
        for key in _first_seen(given_key):
            given = dates[key] if key < len(dates) else published.get(documents[key - len(dates)])
            if given:
                day[key] = _day(given)
                when[key] = self.whens.add(given[:10])
        raw = [names[i][1:-1] for i in rows]
        if any(b"\\" in r for r in raw):
            raw = [_unescape(r) for r in raw]
        iris = np.array(raw, dtype=bytes)
        del raw

        start = self._size
        self._grow(start + k)
        if iris.dtype.itemsize > self._iris.dtype.itemsize:
            self._iris = self._iris.astype(iris.dtype)
        out = self._cols
        out["subject"][start : start + k] = actor_id[cols["subject"]]
        out["object"][start : start + k] = actor_id[cols["object"]]
        out["predicate"][start : start + k] = predicate_id
        out["theatre"][start : start + k] = theatre_id[cols["theatre"]]
        out["day"][start : start + k] = day[given_key]
        out["when"][start : start + k] = when[given_key]
        out["confidence"][start : start + k] = confidence
        out["document"][start : start + k] = document_id[cols["document"]]
        out["alive"][start : start + k] = True
        self._iris[start : start + k] = iris
        self._size = start + k
        self._count(np.arange(start, start + k), 1)
        self._index_theatres()
        return [_full_iri(r) for r in redo]

    # ------------------------------------------------------------------ comparing, saving
    def canonical(self) -> dict:
        """The live state as plain sets, independent of row order: two ledgers of the same
        store compare equal whatever sequence of deltas built them."""
        rows = np.flatnonzero(self.column("alive"))
        out = set()
        for row, iri in zip(rows, self.iris(rows), strict=True):
            c = {name: self._cols[name][row] for name in _COLUMNS}
            out.add(
                (
                    iri,
                    self.actors.values[c["subject"]],
                    PREDICATE_NAMES[c["predicate"]],
                    self.actors.values[c["object"]],
                    self.theatres.values[c["theatre"]] if c["theatre"] >= 0 else None,
                    self.whens.values[c["when"]] if c["when"] >= 0 else None,
                    round(float(c["confidence"]), 6),
                    self.documents.values[c["document"]],
                )
            )
        live = set(self.column("subject")[rows].tolist()) | set(
            self.column("object")[rows].tolist()
        )
        actors = {(self.actors.values[a], self.actor_labels[a], self.actor_types[a]) for a in live}
        outlets = self.document_outlets()
        sources = {
            (self.documents.values[d], self.outlets.values[outlets[d]])
            for d in set(self.column("document")[rows].tolist())
        }
        return {"statements": out, "actors": actors, "outlets": sources}

    def save(self, path: Path, stamp: str) -> None:
        """Write the ledger to ``path`` (atomically: a temporary file renamed)."""
        size = self._size
        tables = {
            "actors": self.actors.values,
            "actor_labels": self.actor_labels,
            "actor_types": self.actor_types,
            "theatres": self.theatres.values,
            "theatre_labels": self.theatre_labels,
            "documents": self.documents.values,
            "whens": self.whens.values,
            "outlets": self.outlets.values,
        }
        arrays = {name: col[:size] for name, col in self._cols.items()}
        arrays["outlet_of"] = np.array(sorted(self._outlet_of.items()), dtype=np.int64).reshape(
            -1, 2
        )
        arrays["iris"] = self._iris[:size]
        for name, values in tables.items():
            arrays["t_" + name] = np.array(values, dtype=str) if values else np.zeros(0, dtype="U1")
        arrays["stamp"] = np.array(stamp)
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as out:
            np.savez(out, **arrays)  # type: ignore[arg-type]  # the stubs take a name for allow_pickle
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> tuple[Ledger, str]:
        """A saved ledger and the stamp it was saved with."""
        ledger = cls()
        with np.load(path, allow_pickle=False) as data:
            size = len(data["alive"])
            ledger._grow(size)
            for name in _COLUMNS:
                ledger._cols[name][:size] = data[name]
            ledger._iris = np.zeros(len(ledger._iris), dtype=data["iris"].dtype)
            ledger._iris[:size] = data["iris"]
            ledger._size = size
            ledger.actors = Names(data["t_actors"].tolist())
            ledger.actor_labels = data["t_actor_labels"].tolist()
            ledger.actor_types = data["t_actor_types"].tolist()
            ledger.theatres = Names(data["t_theatres"].tolist())
            ledger.theatre_labels = data["t_theatre_labels"].tolist()
            ledger.documents = Names(data["t_documents"].tolist())
            ledger.whens = Names(data["t_whens"].tolist())
            ledger.outlets = Names(data["t_outlets"].tolist())
            ledger._outlet_of = {int(d): int(o) for d, o in data["outlet_of"].tolist()}
            stamp = str(data["stamp"])
        ledger._retired = int(size - ledger.column("alive").sum())
        ledger._count(np.flatnonzero(ledger.column("alive")), 1)
        ledger._index_theatres()
        return ledger, stamp


# ---------------------------------------------------------------------- beside a store
def ledger_path(location: str) -> Path:
    """Where the ledger of the embedded store at ``location`` is saved: a hidden sibling
    (inside the store's folder RocksDB would see it)."""
    store = Path(location).resolve()
    return store.parent / f".{store.name}.ledger.npz"


def _saved_at(store: KnowledgeStore) -> Path | None:
    """Where the ledger of ``store`` is saved: only beside an embedded store on disk (a
    server's ``memory:`` is a temporary folder, and its url says so)."""
    if not store.supports(Capability.SAVED_LEDGER) or store.location is None:
        return None
    return ledger_path(store.location)


def open_ledger(store: KnowledgeStore) -> Ledger:
    """The ledger of ``store``: the saved one when the store still carries the stamp it was
    saved with (no write since), otherwise read from the store (and saved for next time)."""
    path = _saved_at(store)
    if path is not None and path.exists():
        try:
            ledger, stamp = Ledger.load(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring the saved ledger %s: %s", path, exc)
        else:
            if stamp and stamp == store.ledger_stamp():  # type: ignore[attr-defined]
                ledger.remember(withheld(store))  # its rows were curated with these acts
                return ledger
    ledger = Ledger.from_store(store)
    save_ledger(store, ledger)
    return ledger


def save_ledger(store: KnowledgeStore, ledger: Ledger) -> None:
    """Save ``ledger`` beside an embedded on-disk store and stamp the store (nothing for
    other stores). The file is written before the stamp, so a crash in between leaves a
    store without a stamp: the next open reads the store again."""
    path = _saved_at(store)
    if path is None:
        return
    stamp = secrets.token_hex(16)
    try:
        ledger.save(path, stamp)
    except OSError as exc:
        log.warning("cannot save the ledger to %s: %s", path, exc)
        return
    store.stamp_ledger(stamp)  # type: ignore[attr-defined]


__all__ = ["Ledger", "Names", "ledger_path", "open_ledger", "save_ledger"]
