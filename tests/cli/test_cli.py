"""The ``detente extract`` command, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.paths import EXAMPLES
from tests.servers import run_cli

# Starts processes, servers or a browser: outside the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

FIELDS = {
    "subject",
    "object",
    "predicate",
    "polarity",
    "negated",
    "modality",
    "date",
    "theatre",
    "sentence",
    "confidence",
}


def run(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return run_cli(*args, stdin=stdin, cwd=cwd, text=False)


@pytest.fixture(scope="module")
def example_output() -> list[dict]:
    done = run("extract", str(EXAMPLES / "libya-2020.txt"), "--date", "2020-06-15")
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def test_jsonl_output_has_the_documented_fields(example_output):
    assert len(example_output) >= 5
    for record in example_output:
        assert record.keys() >= FIELDS
        for side in ("subject", "object"):
            assert {"id", "label", "text", "start", "end"} <= record[side].keys()
    text = (EXAMPLES / "libya-2020.txt").read_text(encoding="utf-8")
    for record in example_output:
        assert (
            text[record["subject"]["start"] : record["subject"]["end"]] == record["subject"]["text"]
        )


def test_fast_is_the_rules_alone_and_the_default_gives_probabilities(example_output):
    done = run("extract", str(EXAMPLES / "libya-2020.txt"), "--date", "2020-06-15", "--fast")
    assert done.returncode == 0, done.stderr.decode()
    fast = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert fast and all(r["pattern"] != "model" for r in fast)

    def key(r: dict) -> tuple:
        return r["subject"]["id"], r["predicate"], r["object"]["id"], r["sentence"]

    # The default keeps every relation the rules find here, with the model's probability.
    assert {key(r) for r in fast} <= {key(r) for r in example_output}
    assert all(0.0 <= r["confidence"] <= 1.0 for r in example_output)
    assert [r["confidence"] for r in fast] != [
        r["confidence"] for r in example_output if key(r) in {key(f) for f in fast}
    ]


def test_reads_standard_input_and_html():
    page = (
        b"<html><body><nav>Home | World | Sport</nav><article>"
        b"<p>Russia is supplying drones to Iran, European officials said on Tuesday.</p>"
        b"</article></body></html>"
    )
    done = run("extract", "-", stdin=page)
    assert done.returncode == 0, done.stderr.decode()
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [(r["subject"]["id"], r["predicate"], r["object"]["id"]) for r in records] == [
        ("RUS", "aids", "IRN")
    ]


def test_table_format():
    done = run("extract", str(EXAMPLES / "red-sea-2024.txt"), "--format", "table")
    assert done.returncode == 0
    assert "Houthis" in done.stdout.decode() and "mediates" in done.stdout.decode()


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b"", "empty input"),
        (b"\x00\x01\x02binary\x00", "binary input"),
        ("Gen\xe8ve talks".encode("latin-1") * 20, "not UTF-8"),
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(stdin, message):
    done = run("extract", "-", stdin=stdin)
    err = done.stderr.decode()
    assert done.returncode == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert done.stdout == b""


def test_missing_file_and_bad_date():
    done = run("extract", "/no/such/article.txt")
    assert (
        done.returncode == 2 and b"No such file" in done.stderr and b"Traceback" not in done.stderr
    )
    done = run("extract", str(EXAMPLES / "libya-2020.txt"), "--date", "yesterday")
    assert done.returncode == 2 and b"Traceback" not in done.stderr


def test_good_files_are_still_processed_when_one_is_bad(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    done = run("extract", str(bad), str(EXAMPLES / "caucasus-2023.txt"))
    assert done.returncode == 2
    assert done.stdout.decode().count("\n") >= 3


def test_parallel_workers_give_the_same_records_in_the_same_order():
    files = [str(p) for p in sorted(EXAMPLES.glob("*.txt"))]
    serial = run("extract", *files)
    parallel = run("extract", *files, "--n-process", "2", "--batch-size", "1")
    assert serial.returncode == parallel.returncode == 0, parallel.stderr.decode()
    assert serial.stdout == parallel.stdout and serial.stdout


def test_worker_processes_are_started_once_and_stopped_on_close():
    from detente.extract import Extractor
    from detente.extract.text import Article

    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    extractor = Extractor(batch_size=1, n_process=2)
    try:
        first = [rels for _, rels in extractor.process((Article(t), None) for t in texts)]
        pool = extractor._pool
        again = [rels for _, rels in extractor.process((Article(t), None) for t in texts)]
        assert extractor._pool is pool  # the second call reuses the loaded workers
        assert first == again and any(first)
    finally:
        extractor.close()
    assert extractor._pool is None
