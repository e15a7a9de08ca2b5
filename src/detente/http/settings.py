"""Service configuration, from ``DETENTE_*`` environment variables or arguments."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from detente.settings import Settings


class ServiceSettings(Settings):
    """What ``detente serve`` runs with: every command's settings and the service's own.
    Every field can be set as ``DETENTE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="DETENTE_", extra="ignore")

    # Writes are disabled unless a token is configured: a public read-only service is the
    # safe default, and nobody can write by forgetting to set a password. An empty token
    # (``DETENTE_TOKEN=`` in a compose file) counts as none, never as "anyone may write".
    token: SecretStr | None = Field(None, description="Bearer token required for writes.")
    query_timeout: float = Field(10.0, gt=0, description="Seconds a SPARQL query may take.")
    max_result_bytes: int = Field(50_000_000, gt=0, description="Largest serialised result.")
    max_body_bytes: int = Field(2_000_000, gt=0, description="Largest request body.")
    query_workers: int = Field(4, ge=1, description="Processes evaluating SPARQL queries.")
    # Each query worker's private memory (heap and anonymous mappings, RLIMIT_DATA): a
    # query that needs more ends with 503 instead of taking the machine.
    query_memory_mb: int = Field(1024, ge=256, description="Memory cap of each query worker.")
    # Oxigraph calls any URL a query names in SERVICE (and an update in LOAD). That is off:
    # only these exact absolute IRIs may be called.
    federation_allow: list[str] = Field(
        default_factory=list, description="SERVICE endpoints and LOAD sources that may be called."
    )
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS.")
    # uvicorn's httptools parser is faster, but it drops the body of a request that offers
    # an HTTP/2 upgrade (``Upgrade: h2c``, as Java's HttpClient and ``curl --http2`` do):
    # an update answers 204 having written nothing. Only behind a proxy that strips Upgrade.
    http_parser: Literal["h11", "httptools"] = Field(
        "h11", description="HTTP/1.1 parser: h11, or httptools behind a proxy."
    )
    max_rows: int = Field(1000, ge=1, description="Most rows a REST list returns.")
    # A client that sends its request slowly holds a connection (and, for a body, a task)
    # for as long as it likes unless reading has a deadline: 408 and the connection closed.
    header_timeout: float = Field(
        10.0, gt=0, description="Seconds a request's headers may take to arrive."
    )
    body_timeout: float = Field(30.0, gt=0, description="Seconds a request's body may take.")

    @field_validator("token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        secret = value.get_secret_value() if isinstance(value, SecretStr) else value
        if secret is None or (isinstance(secret, str) and not secret.strip()):
            return None
        return value

    @property
    def writable(self) -> bool:
        return self.token is not None
