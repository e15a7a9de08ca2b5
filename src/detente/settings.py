"""Every ``DETENTE_*`` setting, read from the environment in one place.

:class:`Settings` holds what the command line and the library below it need; the HTTP
service's settings extend it (:class:`detente.http.settings.ServiceSettings`). Only the
command line and the service construct them (which reads the environment); every layer
below takes what it needs as arguments, so nothing there reads the environment.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_STORE = "./detente-data"


class Settings(BaseSettings):
    """Settings of every detente command. Each field can be set as ``DETENTE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="DETENTE_", extra="ignore")

    store: str = Field(DEFAULT_STORE, description="Store URL or path (see open_store).")
    # A remote store's HTTP digest credentials (Virtuoso's SPARQL endpoint asks for them).
    store_user: str | None = Field(None, description="User name for a remote store.")
    store_password: SecretStr | None = Field(None, description="Password for a remote store.")
    # Pages and feeds may not be on loopback, link-local or private addresses (the machine
    # and its network) unless listed here, comma-separated.
    fetch_allow: str = Field(
        "", description="Hosts or networks fetching may reach although they are not public."
    )
    # Where the platform can confine no process, SPARQL workers refuse to run unless the
    # operator accepts that only the query text check keeps SERVICE and LOAD in.
    unconfined_sparql: bool = Field(
        False, description="Run SPARQL workers without network confinement (accepting the risk)."
    )

    @property
    def store_credentials(self) -> tuple[str, str] | None:
        """(user, password) for a remote store, when both are set."""
        if self.store_user and self.store_password:
            return self.store_user, self.store_password.get_secret_value()
        return None

    @property
    def fetch_allowed(self) -> tuple[str, ...]:
        """The hosts or networks of ``fetch_allow``, one each."""
        return tuple(x.strip() for x in self.fetch_allow.split(",") if x.strip())
