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
    try:
        raw = base64.b64decode(literal[len(_TAG) :], validate=True)
    except ValueError:  # binascii.Error: a damaged literal is no signature
        return None
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
        self._linked: dict[str, set[str]] = {}  # counted member -> its linked copies
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
            copy_id, counted_id = (str(x).removeprefix(str(DOC)) for x in (copy, counted))
            index.links[copy_id] = counted_id
            index._linked.setdefault(counted_id, set()).add(copy_id)
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
        """The cluster ``doc_id`` is in, as its links say: its counted copy and the copies
        linked to it. O(cluster)."""
        root = self.links.get(doc_id, doc_id)
        return {root, doc_id} | self._linked.get(root, set())

    def _component(self, doc_id: str) -> set[str]:
        """The connected component of ``doc_id`` in the copy relation, searched afresh
        (after a removal, which may split a cluster). O(size · LSH query)."""
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
        the index again from the store).

        An added document joins the clusters of its direct copies (one LSH query each); a
        removal searches the rest of its cluster again, since it may fall apart."""
        added = list(added)
        new_ids = {doc_id for doc_id, *_ in added}
        removed = [d for d in removed if d in self._members]
        groups = _Groups(self.links)
        old: set[str] = set()
        for doc_id in removed:
            old |= self._cluster(doc_id)
        for doc_id in removed:
            self._drop(doc_id)
        rest = {d for d in old if d in self._members}
        while rest:
            part = self._component(next(iter(rest)))
            rest -= part
            groups.assign(part)
        touched = set(old)
        for doc_id, content_hash, published, sig in added:
            self._add(doc_id, content_hash, published, sig)
        for doc_id in new_ids:
            groups.assign({doc_id})
            touched.add(doc_id)
        for doc_id in new_ids:
            for other in self._copies(doc_id):
                touched |= {d for d in self._cluster(other) if d in self._members} | {other}
                groups.union(doc_id, other)
        after: dict[str, str | None] = {}
        clusters: dict[str, list[str]] = {}
        for doc_id in touched:
            if doc_id in self._members:
                clusters.setdefault(groups.find(doc_id), []).append(doc_id)
        for members in clusters.values():
            counted = min(self._members[d] for d in members).doc_id
            after.update({d: (counted if d != counted else None) for d in members})
        change = Change(counted={d: after[d] for d in new_ids if after.get(d)})  # type: ignore[misc]
        deletes, inserts = [], []
        for doc_id in touched:
            was, now = self.links.get(doc_id), after.get(doc_id)
            if was == now:
                continue
            if was is not None:
                deletes.append(_link(doc_id, was))
            if now is not None:
                inserts.append(_link(doc_id, now))
            if doc_id in self._members and doc_id not in new_ids:
                if was is None:
                    change.demoted.append(doc_id)
                elif now is None:
                    change.promoted.append(doc_id)
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
            was = self.links.pop(doc_id, None)
            if was is not None:
                self._linked[was].discard(doc_id)
                if not self._linked[was]:
                    del self._linked[was]
            if counted is not None:
                self.links[doc_id] = counted
                self._linked.setdefault(counted, set()).add(doc_id)
            if doc_id not in self._signatures:  # alone for good: nothing to keep
                self._members.pop(doc_id, None)
        self._pending = {}

    def counts(self, doc_id: str) -> bool:
        """Whether ``doc_id`` adds evidence (it is no linked copy)."""
        return doc_id not in self.links


def _link(copy: str, counted: str) -> str:
    return f"{nt(document_iri(copy))} <{NS.duplicateOf}> {nt(document_iri(counted))} ."


class _Groups:
    """Union-find over documents; a document not assigned a group is in the cluster its
    link names (Tarjan 1975, with path halving)."""

    def __init__(self, links: dict[str, str]) -> None:
        self._links = links
        self._parent: dict[str, str] = {}

    def assign(self, members: set[str]) -> None:
        first = next(iter(members))
        for member in members:
            self._parent[member] = first

    def find(self, x: str) -> str:
        if x not in self._parent:
            root = self._links.get(x, x)
            self._parent[x] = root
            self._parent.setdefault(root, root)
        while self._parent[x] != x:
            self._parent[x] = self._parent[self._parent[x]]
            x = self._parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[ra] = rb


def copies_of_store(store: KnowledgeStore) -> set[str]:
    """The IRIs of the documents linked as copies: aggregates leave their statements out."""
    return {
        str(copy)
        for (copy,) in store.values(
            f"SELECT ?c WHERE {{ GRAPH {nt(DUPLICATES_GRAPH)} {{ ?c <{NS.duplicateOf}> ?k }} }}"
        )
    }


def is_copy(store: KnowledgeStore, document: str) -> bool:
    """Whether the document (by IRI) is linked as a copy: one index lookup."""
    node = nt(URIRef(document))
    query = f"ASK {{ GRAPH {nt(DUPLICATES_GRAPH)} {{ {node} {nt(NS.duplicateOf)} ?k }} }}"
    return store.query(query).boolean is True
