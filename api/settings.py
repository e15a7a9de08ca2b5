"""Service configuration, from ``DETENTE_*`` environment variables or arguments."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What ``detente serve`` runs with. Every field can be set as ``DETENTE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="DETENTE_", extra="ignore")

    store: str = Field("./detente-data", description="Store URL or path (see open_store).")
    # Writes are disabled unless a token is configured: a public read-only service is the
    # safe default, and nobody can write by forgetting to set a password.
    token: SecretStr | None = Field(None, description="Bearer token required for writes.")
    query_timeout: float = Field(10.0, gt=0, description="Seconds a SPARQL query may take.")
    max_result_bytes: int = Field(50_000_000, gt=0, description="Largest serialised result.")
    max_body_bytes: int = Field(2_000_000, gt=0, description="Largest request body.")
    query_workers: int = Field(4, ge=1, description="Threads (and processes) evaluating SPARQL.")
    # On an on-disk store, queries run in worker processes so a runaway one can be ended at
    # its deadline; threads cannot be stopped, and Oxigraph cannot be interrupted.
    query_processes: bool = Field(
        True, description="Evaluate /sparql queries in worker processes (on-disk stores)."
    )
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS.")
    max_rows: int = Field(1000, ge=1, description="Most rows a REST list returns.")
