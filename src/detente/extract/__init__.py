"""Extraction: article text -> typed, sourced relations between actors."""

from detente.domain.records import ActorRef, Relation
from detente.extract.pipeline import (
    ExtractionProcess,
    Extractor,
    __version__,
    build_pipeline,
    document_id,
    load_language_model,
)
from detente.extract.text import Article, InputError, read_article

__all__ = [
    "ActorRef",
    "Article",
    "ExtractionProcess",
    "Extractor",
    "InputError",
    "Relation",
    "__version__",
    "build_pipeline",
    "document_id",
    "load_language_model",
    "read_article",
]
