"""What is remembered about a feed between polls, kept in the store it feeds.

The feeds graph (:data:`FEEDS_GRAPH`) holds the service's registrations and, for every
feed polled into the store (by the service or by ``detente watch``), the validators of its
last answer: an ETag and a Last-Modified date. A restarted watcher asks conditionally from
its first poll, and the state travels with the store instead of a side file that can drift.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager, nullcontext

from rdflib import Literal, URIRef

from detente.graph.store import KnowledgeStore, nt
from detente.ontology import NS

FEEDS_GRAPH = URIRef("https://w3id.org/detente/graph/feeds")
_FIELDS = {"etag": NS.feedETag, "modified": NS.feedLastModified}
_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|\\^`]')


def _storable(url: str) -> bool:
    return not _NOT_IN_IRIS.search(url)


class StoredValidators(MutableMapping[str, dict]):
    """Feed URL -> ``{"etag": …, "modified": …}``, read from and written to the store.
    ``writing`` guards each write (the service's write lock); each access is one query."""

    def __init__(
        self,
        store: KnowledgeStore,
        writing: Callable[[], AbstractContextManager] = nullcontext,
    ) -> None:
        self.store = store
        self.writing = writing

    def __getitem__(self, feed: str) -> dict:
        if not _storable(feed):
            raise KeyError(feed)
        found = {
            name: value
            for name, value in self.store.values(
                f"SELECT ?name ?value WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ "
                f"VALUES (?name ?p) {{ {self._names()} }} {nt(URIRef(feed))} ?p ?value }} }}"
            )
        }
        if not found:
            raise KeyError(feed)
        return {name: found.get(name) for name in _FIELDS}

    def __setitem__(self, feed: str, validators: dict) -> None:
        # A write drops the ledger saved beside an embedded store: none when nothing
        # changed, and none for a URL no IRI can hold (it is simply asked in full).
        wanted = {n: validators.get(n) for n in _FIELDS}
        if not _storable(feed) or self.get(feed, dict.fromkeys(_FIELDS)) == wanted:
            return
        node = nt(URIRef(feed))
        graph = nt(FEEDS_GRAPH)
        removes = " ".join(f"OPTIONAL {{ {node} {nt(p)} ?{n} }}" for n, p in _FIELDS.items())
        drops = " ".join(f"{node} {nt(p)} ?{n} ." for n, p in _FIELDS.items())
        kept = " ".join(
            f"{node} {nt(p)} {nt(Literal(validators[n]))} ."
            for n, p in _FIELDS.items()
            if validators.get(n)
        )
        update = (
            f"DELETE {{ GRAPH {graph} {{ {drops} }} }} WHERE {{ GRAPH {graph} {{ {removes} }} }}"
        )
        if kept:
            update += f" ;\nINSERT DATA {{ GRAPH {graph} {{ {kept} }} }}"
        with self.writing():
            self.store.update(update)

    def __delitem__(self, feed: str) -> None:
        if feed not in self:
            raise KeyError(feed)
        self[feed] = dict.fromkeys(_FIELDS)

    def __iter__(self) -> Iterator[str]:
        rows = self.store.values(
            f"SELECT DISTINCT ?f WHERE {{ GRAPH {nt(FEEDS_GRAPH)} {{ "
            f"VALUES ?p {{ {' '.join(nt(p) for p in _FIELDS.values())} }} ?f ?p ?v }} }}"
        )
        return iter(sorted(str(f) for (f,) in rows))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @staticmethod
    def _names() -> str:
        return " ".join(f'("{n}" {nt(p)})' for n, p in _FIELDS.items())
