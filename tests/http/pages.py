"""Pages the page tests open: confined to the server under test, their errors recorded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def local_page(
    browser,
    served: str,
    *,
    init_script: str | None = None,
    viewport: tuple[int, int] = (1400, 900),
) -> Iterator[tuple]:
    """(page, elsewhere, errors): a page of ``viewport`` size that may reach only ``served``
    (any other request is aborted and its URL recorded in ``elsewhere``), with its script
    errors recorded in ``errors``; ``init_script`` runs in every document first. Closed on
    leaving."""
    width, height = viewport
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    if init_script:
        context.add_init_script(init_script)
    elsewhere: list[str] = []

    def only_local(route) -> None:
        if route.request.url.startswith((served, "blob:", "data:")):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page, elsewhere, errors
    finally:
        context.close()
