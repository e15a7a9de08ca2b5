"""The notebooks' corpus, ingested through detente's public API.

The bundled example articles (``detente.examples``) always; when the shared evaluation data
sits beside the repository (``../shared``, or ``$DETENTE_SHARED``), also its articles: the
seed analysis article and the re3d documents. The PLOVER file is left out: its sentences are
coding-manual examples with placeholder dates, not news.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from detente.extract import Article, read_article
from detente.graph import KnowledgeStore, open_store
from detente.graph.oxigraph import OxigraphStore
from detente.ingest import Ingestor, IngestResult

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DETENTE_SHARED", ROOT.parent / "shared"))
# The bundled articles, as installed with the package.
EXAMPLES = Path(str(files("detente.examples")))


def articles() -> Iterator[tuple[Article, str]]:
    """(article, source) for every text of the corpus, examples first."""
    for path in sorted(EXAMPLES.glob("*.txt")):
        yield read_article(path.read_bytes()), f"examples/{path.name}"
    seed = SHARED / "eval" / "seed" / "article.txt"
    if seed.is_file():
        yield read_article(seed.read_bytes()), "shared/eval/seed/article.txt"
    for documents in sorted((SHARED / "eval" / "re3d").glob("*/documents.json")):
        for line in documents.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            article = read_article(record["text"].encode("utf-8"))
            article = dataclasses.replace(
                article, title=record.get("title"), url=record.get("sourceUrl")
            )
            yield article, f"re3d/{documents.parent.name}/{record['_id']}"


def build(store: str | None = None) -> tuple[KnowledgeStore, list[IngestResult]]:
    """A store holding the whole corpus, and what each document's ingest did. By default a
    temporary on-disk store (removed when closed): unlike an in-memory one, the HTTP service
    can serve it, since its SPARQL workers read the store's files."""
    knowledge = open_store(store) if store else OxigraphStore.temporary()
    results = list(Ingestor(knowledge).ingest_many((a, s, None) for a, s in articles()))
    return knowledge, results
