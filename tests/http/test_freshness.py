"""The freshness benchmark at a small size: every write shows in every route's answers,
with no error, while clients keep asking (figures are the benchmark's, not asserted)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.paths import ROOT

# Starts processes, servers or a cluster: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


@pytest.mark.skipif(shutil.which("oxigraph") is None, reason="needs the oxigraph loader")
def test_freshness_benchmark_runs_at_a_small_size() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "freshness.py"),
            "--relations",
            "2000",
            "--seconds",
            "5",
            "--clients",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = json.loads(run.stdout)
    assert result["posts"] == 5 and result["errors"] == {}
    assert result["cold_start_to_first_relations_s"] is not None
    for route in ("relations", "paths", "balance"):
        assert result["staleness"][route]["never"] == 0
        assert result["staleness"][route]["count"] == 5
    assert result["latency_during_ingest"]["relations"]["count"] > 0
    assert result["baseline_sparql_aggregate"]["errors"] == 0
    assert {"server", "client"} <= set(result["peak_rss_mb"])
