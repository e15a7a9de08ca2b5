"""Near-duplicate wire copies: one story syndicated on many sites counts as evidence once.

Each document carries a MinHash signature of its text (``dt:minhash`` in its own graph):
128 permutations over the set of its word 5-shingles, after case folding and with
punctuation dropped (Broder 1997, "On the resemblance and containment of documents").
Two documents are **copies** when the signatures estimate a Jaccard similarity of at least
:data:`THRESHOLD` (0.7: another byline, headline or trailing links leave a 150-word story
above 0.8, while distinct stories on the same event share well under 0.3). Candidates come
from an LSH index over the signatures (datasketch; 14 bands of 9 rows at this threshold),
each confirmed against the estimate. Texts shorter than :data:`MIN_WORDS` are never
copies: two short posts that differ in one name or number say different things.

A **cluster** is a connected component of the copy relation. Exactly one member counts, the
one published first (undated last), then the lowest content hash, so which copy counts
depends on the set of documents, never on their arrival order. Every other member is
linked to it in the graph :data:`DUPLICATES_GRAPH` (``<copy> dt:duplicateOf <counted>``),
which SPARQL users see; aggregates (the ledger, the networkx views) leave the linked copies
out, while every copy stays stored and listed with its source.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from rdflib import URIRef

from detente.graph.rdf import DOC, document_iri
from detente.graph.store import PREFIXES, KnowledgeStore, nt
from detente.ontology import NS

THRESHOLD = 0.7
MIN_WORDS = 50
PERMUTATIONS = 128
SHINGLE = 5
SEED = 1
SCHEME = "affine32"  # datasketch 2 hash family: signatures stay comparable across versions
DUPLICATES_GRAPH = URIRef("https://w3id.org/detente/graph/duplicates")
_TAG = "mh1:"  # the signature scheme, so that another scheme is never compared with it
_WORD = re.compile(r"\w+")

if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHash


@cache
def _template() -> MinHash:
    """The hash functions every signature uses (datasketch is imported on first use: the
    readers of copy links need none of it)."""
    from datasketch import MinHash

    return MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME)


def _lean(values: np.ndarray) -> LeanMinHash:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def signature(text: str) -> str | None:
    """The text's MinHash signature as a literal, or None for a text too short to be a copy."""
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    found = _template().copy()
    found.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return _TAG + base64.b64encode(found.hashvalues.astype("<u4").tobytes()).decode("ascii")


def _values(literal: str) -> np.ndarray | None:
    if not literal.startswith(_TAG):
        return None
    raw = base64.b64decode(literal[len(_TAG) :])
    values = np.frombuffer(raw, dtype="<u4").astype(np.uint64)
    return values if len(values) == PERMUTATIONS else None


@dataclass(frozen=True, order=True)
class _Member:
    """A document in the order that decides which copy counts."""

    undated: bool
    published: str
    content_hash: str
    doc_id: str = field(compare=False)


@dataclass
class Change:
    """What one write does to the copy links: the update that makes it so (run with the
    write, atomically), the documents that stop and start counting, and the counted copy
    of each document added."""

    update: str = ""
    demoted: list[str] = field(default_factory=list)
    promoted: list[str] = field(default_factory=list)
    counted: dict[str, str] = field(default_factory=dict)


class DuplicateIndex:
    """The signatures of a store's documents and their copy links, read once from the store
    and kept in step by the ingestor that owns it. ``plan`` tells what adding and removing
    documents changes; ``commit`` records it once the store write succeeded."""

    def __init__(self) -> None:
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=PERMUTATIONS)
        self._signatures: dict[str, np.ndarray] = {}
        self._members: dict[str, _Member] = {}  # every document, signed or not
        self.links: dict[str, str] = {}  # copy -> the counted member of its cluster
        self._pending: dict[str, str | None] = {}  # planned, not yet committed

    @classmethod
    def from_store(cls, store: KnowledgeStore) -> DuplicateIndex:
        """Two flat reads: every signed document's signature, date and hash (a document
        without a signature, too short or stored before signatures, is never a copy); the
        copy links."""
        index = cls()
        rows = store.values(
            PREFIXES + "SELECT ?doc ?hash ?date ?sig WHERE { GRAPH ?g { ?doc dt:minhash ?sig ; "
            "dt:contentHash ?hash OPTIONAL { ?doc dct:date ?date } } }"
        )
        for doc, content_hash, published, sig in rows:
            doc_id = str(doc).removeprefix(str(DOC))
            index._add(doc_id, content_hash or doc_id, published, sig)
        for copy, counted in store.values(
            f"SELECT ?c ?k WHERE {{ GRAPH {nt(DUPLICATES_GRAPH)} {{ ?c <{NS.duplicateOf}> ?k }} }}"
        ):
            index.links[str(copy).removeprefix(str(DOC))] = str(counted).removeprefix(str(DOC))
        return index

    def _add(self, doc_id: str, content_hash: str, published: str | None, sig: str | None) -> None:
        self._members[doc_id] = _Member(published is None, published or "", content_hash, doc_id)
        values = _values(sig) if sig else None
        if values is not None and doc_id not in self._signatures:
            self._signatures[doc_id] = values
            self._lsh.insert(doc_id, _lean(values))

    def _drop(self, doc_id: str) -> None:
        self._members.pop(doc_id, None)
        if self._signatures.pop(doc_id, None) is not None:
            self._lsh.remove(doc_id)

    def _copies(self, doc_id: str) -> list[str]:
        """The documents whose signatures confirm the LSH's candidates for ``doc_id``."""
        mine = self._signatures.get(doc_id)
        if mine is None:
            return []
        found = []
        for other in self._lsh.query(_lean(mine)):
            if other != doc_id and float(np.mean(self._signatures[other] == mine)) >= THRESHOLD:
                found.append(other)
        return found

    def _cluster(self, doc_id: str) -> set[str]:
        """The connected component of ``doc_id`` in the copy relation. O(size · query)."""
        seen, todo = {doc_id}, [doc_id]
        while todo:
            for other in self._copies(todo.pop()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def plan(
        self,
        added: Iterable[tuple[str, str, str | None, str | None]] = (),
        removed: Iterable[str] = (),
    ) -> Change:
        """The change of links when the documents ``added`` ((id, content hash, date,
        signature) each) come in and the ones ``removed`` go. The index then holds the new
        documents; call :meth:`commit` once the write is done (after a failed write, read
        the index again from the store)."""
        removed = [d for d in removed if d in self._members]
        touched: set[str] = set()
        for doc_id in removed:
            touched |= self._cluster(doc_id)
        for doc_id in removed:
            self._drop(doc_id)
        added = list(added)
        for doc_id, content_hash, published, sig in added:
            self._add(doc_id, content_hash, published, sig)
        for doc_id, *_ in added:
            touched |= self._cluster(doc_id)
        before = {d: self.links.get(d) for d in touched}
        after: dict[str, str | None] = {}
        remaining = {d for d in touched if d in self._members}
        while remaining:
            cluster = self._cluster(next(iter(remaining)))
            remaining -= cluster
            counted = min(self._members[d] for d in cluster).doc_id
            after.update({d: (counted if d != counted else None) for d in cluster})
        change = Change()
        deletes, inserts = [], []
        for doc_id in touched:
            old, new = before[doc_id], after.get(doc_id)
            if old != new:
                if old is not None:
                    deletes.append(
                        f"{nt(document_iri(doc_id))} <{NS.duplicateOf}> {nt(document_iri(old))} ."
                    )
                if new is not None:
                    inserts.append(
                        f"{nt(document_iri(doc_id))} <{NS.duplicateOf}> {nt(document_iri(new))} ."
                    )
            if doc_id in self._members and doc_id not in {d for d, *_ in added}:
                if old is None and new is not None:
                    change.demoted.append(doc_id)
                elif old is not None and new is None:
                    change.promoted.append(doc_id)
        for doc_id, *_ in added:
            if after.get(doc_id) is not None:
                change.counted[doc_id] = after[doc_id]  # type: ignore[assignment]
        graph = nt(DUPLICATES_GRAPH)
        parts = []
        if deletes:
            parts.append(f"DELETE DATA {{ GRAPH {graph} {{ {' '.join(sorted(deletes))} }} }}")
        if inserts:
            parts.append(f"INSERT DATA {{ GRAPH {graph} {{ {' '.join(sorted(inserts))} }} }}")
        change.update = " ;\n".join(parts)
        self._pending = {d: after.get(d) for d in touched}
        return change

    def commit(self) -> None:
        """The planned links are in the store."""
        for doc_id, counted in self._pending.items():
            if counted is None:
                self.links.pop(doc_id, None)
            else:
                self.links[doc_id] = counted
            if doc_id not in self._signatures:  # alone for good: nothing to keep
                self._members.pop(doc_id, None)
        self._pending = {}

    def counts(self, doc_id: str) -> bool:
        """Whether ``doc_id`` adds evidence (it is no linked copy)."""
        return doc_id not in self.links


def copies_of_store(store: KnowledgeStore) -> set[str]:
    """The IRIs of the documents linked as copies: aggregates leave their statements out."""
    return {
        str(copy)
        for (copy,) in store.values(
            f"SELECT ?c WHERE {{ GRAPH {nt(DUPLICATES_GRAPH)} {{ ?c <{NS.duplicateOf}> ?k }} }}"
        )
    }
