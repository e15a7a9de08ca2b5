"""Who may write: a bearer token from configuration; without one, nobody."""

from __future__ import annotations

import secrets

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from detente.http.models import Problem

bearer = HTTPBearer(auto_error=False, description="The token configured as DETENTE_TOKEN.")


# What every write route may answer besides its own responses (for the OpenAPI document).
WRITE_RESPONSES: dict[int | str, dict] = {
    401: {"model": Problem, "description": "Missing or wrong bearer token."},
    403: {"model": Problem, "description": "Writes are disabled (no token configured)."},
}


def require_writer(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> None:
    """Route dependency of every write: 403 if writes are disabled, 401 if the token is
    missing or wrong."""
    token = request.app.state.settings.token
    if token is None:
        raise HTTPException(403, "writes are disabled: the server has no DETENTE_TOKEN set")
    given = credentials.credentials if credentials else ""
    # Constant-time comparison: response timing must not reveal the token prefix.
    if not secrets.compare_digest(given.encode(), token.get_secret_value().encode()):
        raise HTTPException(
            401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
