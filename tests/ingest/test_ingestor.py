"""The one ingestor: what it asks of an extractor."""

from __future__ import annotations

import pytest

from detente.domain import Article
from detente.graph import open_store
from detente.ingest import Ingestor


class OneAtATime:
    """An extractor that extracts one article per call, as the service's extraction
    process does: fine for store_extracted, not for a stream."""

    version = "one-at-a-time"

    def extract(self, text, published=None, author=None) -> list:
        return []


def test_a_stream_needs_an_extractor_of_streams_and_says_so() -> None:
    store = open_store("memory:")
    try:
        ingestor = Ingestor(store, OneAtATime())  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="extractor of streams"):
            list(ingestor.ingest_many([(Article("Turkey backs Libya."), "a", None)]))
        stored = ingestor.store_extracted(Article("Turkey backs Libya."), [], "a", None)
        assert stored.status == "added" and stored.relations == 0
    finally:
        store.close()
