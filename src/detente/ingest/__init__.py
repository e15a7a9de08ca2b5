"""Ingestion, the write use case: article sources -> extraction -> the knowledge graph
(one document graph each, atomically, written by :mod:`detente.graph.documents`), on one
machine or a Dask cluster."""

from detente.errors import IngestError
from detente.graph.documents import IngestResult
from detente.ingest.ingestor import Ingestor

__all__ = ["IngestError", "IngestResult", "Ingestor"]
