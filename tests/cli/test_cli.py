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


def test_a_text_that_is_not_english_gets_a_warning_and_utf16_is_read(tmp_path):
    french = tmp_path / "article-fr.txt"
    french.write_text(
        "La Turquie soutient le gouvernement d'union nationale à Tripoli, tandis que "
        "l'Égypte et les Émirats arabes unis appuient les forces du maréchal Haftar dans "
        "l'est du pays, selon des diplomates réunis lundi à Berlin.",
        encoding="utf-16",
    )
    done = run("extract", "--fast", str(french), "--encoding", "utf-16")
    warning = done.stderr.decode()
    assert done.returncode == 0, warning
    assert "article-fr.txt: the text reads as language 'fr', not English" in warning
    english = run("extract", "--fast", str(EXAMPLES / "libya-2020.txt"))
    assert english.returncode == 0 and b"warning" not in english.stderr


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


def _on_a_terminal(args: list[str], stdout) -> tuple[int, str]:
    """``detente ARGS`` with standard error (and input) on a pseudo-terminal, as when a
    user types the command, and standard output sent to ``stdout``: (exit code, what the
    terminal showed)."""
    import os
    import pty
    import sys

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    process = subprocess.Popen(
        [sys.executable, "-m", "detente", *args],
        stdin=follower,
        stdout=stdout,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=300), shown.decode(errors="replace")


def test_progress_on_a_terminal_never_takes_standard_output(tmp_path):
    # The display goes to the terminal on stderr; the relations go to the file, all of them.
    out = tmp_path / "out.jsonl"
    files = [str(EXAMPLES / "libya-2020.txt"), str(EXAMPLES / "libya-2019.txt")]
    with out.open("wb") as sink:
        code, shown = _on_a_terminal(["extract", "--fast", *files], sink)
    assert code == 0, shown
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records and all(set(r) >= FIELDS for r in records)
    assert '"predicate"' not in shown  # no relation reached the terminal
    assert "extracting" in shown and "2/2" in shown


def test_version():
    from importlib.metadata import version

    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.decode().strip() == f"detente {version('detente')}"
