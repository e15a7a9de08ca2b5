"""The explorer page in a real headless Chromium (Debian's), driven by Playwright, against
``detente serve`` holding the bundled examples. The screenshot is kept for people to see."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from tests.servers import detente_server

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "explorer-token"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> str:
    with detente_server(f"oxigraph:{tmp_path_factory.mktemp('explorer')}", TOKEN) as base:
        for path in sorted(EXAMPLES.glob("*.txt")):
            response = httpx.post(
                f"{base}/documents",
                json={"text": path.read_text(), "url": path.name},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=120,
            )
            assert response.status_code == 201
        yield base


def test_search_a_theatre_and_read_an_edge(served: str) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    expected = httpx.get(f"{served}/relations", params={"theatre": "Libya", "limit": 300}).json()
    assert expected
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto(served + "/")
        page.fill("#query", "Libya")
        page.click("button[type=submit]")
        page.wait_for_function("document.getElementById('status').textContent.includes('relation')")
        edges = page.evaluate(
            "cy.edges().map(e => [e.data('source'), e.data('target'), e.data('colour')])"
        )
        assert len(edges) == len(expected)
        colours = {row["polarity"]: c for row, (_, _, c) in zip(expected, edges, strict=True)}
        assert colours.get("alignment", "#2e7d32") == "#2e7d32"
        assert colours.get("opposition", "#c62828") == "#c62828"
        # Click the first edge at its midpoint, as a user would.
        point = page.evaluate(
            "(() => { const m = cy.edges()[0].renderedMidpoint();"
            " const r = document.getElementById('graph').getBoundingClientRect();"
            " return [r.left + m.x, r.top + m.y]; })()"
        )
        page.mouse.click(*point)
        page.wait_for_function("document.querySelectorAll('#sentences li').length > 0")
        first = expected[0]
        shown = page.inner_text("#sentences")
        assert any(e["sentence"] in shown for e in first["evidence"])
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "explorer-libya.png"))
        browser.close()
    assert failed == []  # everything the page loads is served locally
