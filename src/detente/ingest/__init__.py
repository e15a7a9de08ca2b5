"""Ingestion, the write use case: article sources -> extraction -> the knowledge graph
(one document graph each, atomically), on one machine or a Dask cluster."""

from detente.ingest.ingestor import IngestError, Ingestor, IngestResult

__all__ = ["IngestError", "IngestResult", "Ingestor"]
