"""Reading the ledger from a store detente did not write itself (no saved ledger).

    python benchmarks/ledger_load.py [--relations 200000] [--store DIR] [--repeat 1]
                                     [--skip-old]

A synthetic store of ``--relations`` relations (the model of ``store_speed.py``: 10,000
actors, ten theatres, one named graph per 50 relations) is bulk-loaded by the ``oxigraph``
command line, as another tool would, with detente's vocabulary added (or reused from
``--store``, which keeps it between runs); its saved ledger, if any, is removed. The
store's files are read once so that both reads start from the same warm page cache.

Then, each in a fresh process, the ledger is read from the store by the statement join
(``Ledger.from_store_joined``: the read before this change, and still the read of any
backend other than the embedded one) and by ``Ledger.from_store`` (the aggregate over flat
index scans), ``--repeat`` times each, alternating. Each process reports the read's wall
and CPU seconds, its peak resident memory (the process's, interpreter included, and the
interpreter's alone before the read) and a digest of the ledger (statements with their
actors, predicate, theatre, date, confidence and document, independent of row order):
both reads must give the same. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# One read in a process of its own: its peak memory is its own.
CHILD = r"""
import hashlib, json, resource, sys, time
import numpy as np
from detente.graph import open_store
from detente.analysis.ledger import PREDICATE_NAMES, Ledger
store = open_store("oxigraph:" + sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
read = Ledger.from_store if sys.argv[2] == "new" else Ledger.from_store_joined
wall, cpu = time.perf_counter(), time.process_time()
ledger = read(store)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rows = np.flatnonzero(ledger.column("alive"))
keys = ledger.iri_keys(rows)
order = np.argsort(keys, kind="stable")
rows = rows[order]
actors = np.array(ledger.actors.values + [""])
theatres = np.array(ledger.theatres.values + [""])
whens = np.array(ledger.whens.values + [""])
documents = np.array(ledger.documents.values + [""])
digest = hashlib.sha256()
for part in (
    keys[order],
    actors[ledger.column("subject")[rows]],
    np.array(PREDICATE_NAMES)[ledger.column("predicate")[rows]],
    actors[ledger.column("object")[rows]],
    theatres[ledger.column("theatre")[rows]],
    whens[ledger.column("when")[rows]],
    np.round(ledger.column("confidence")[rows], 6),
    documents[ledger.column("document")[rows]],
):
    digest.update(np.ascontiguousarray(part).tobytes())
print(json.dumps({
    "statements": len(ledger), "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
    "peak_rss_mb": round(peak), "rss_before_read_mb": round(before),
    "digest": digest.hexdigest()[:16],
}))
"""


def build(folder: Path, relations: int) -> None:
    sys.path.insert(0, str(HERE))
    from freshness import build_store

    build_store(folder, relations)


def prepare(folder: Path) -> None:
    """Detente's vocabulary in the store (as the service loads it), no saved ledger."""
    from detente.analysis.ledger import ledger_path
    from detente.graph import open_store
    from detente.ingest import Ingestor

    store = open_store(f"oxigraph:{folder}")
    Ingestor(store).ensure_vocabulary()
    store.unstamp()
    store.close()
    ledger_path(str(folder)).unlink(missing_ok=True)


def warm(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as f:
                while f.read(1 << 24):
                    pass


def read(folder: Path, how: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), how],
        check=True,
        capture_output=True,
        text=True,
        cwd=HERE.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relations", type=int, default=200_000)
    parser.add_argument("--store", type=Path, help="Keep the synthetic store here (reused).")
    parser.add_argument("--repeat", type=int, default=1, help="Reads of each kind.")
    parser.add_argument("--skip-old", action="store_true", help="Time the new read only.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as work:
        folder = (args.store or Path(work) / "kg").resolve()
        built = None
        if not folder.exists():
            start = time.perf_counter()
            build(folder, args.relations)
            built = round(time.perf_counter() - start, 1)
        prepare(folder)
        warm(folder)
        runs: dict[str, list[dict]] = {"old": [], "new": []}
        kinds = ["new"] if args.skip_old else ["old", "new"]
        for _ in range(args.repeat):
            for how in kinds:
                runs[how].append(read(folder, how))
                print(how, json.dumps(runs[how][-1]), file=sys.stderr, flush=True)
        if args.store is None:
            shutil.rmtree(folder, ignore_errors=True)

    def best(how: str) -> dict | None:
        return min(runs[how], key=lambda r: r["seconds"]) if runs[how] else None

    old, new = best("old"), best("new")
    out = {
        "relations": args.relations,
        "store_built_s": built,
        "old_statement_join": old,
        "new_aggregate": new,
        "runs": runs,
        "old_over_new": round(old["seconds"] / new["seconds"], 2) if old and new else None,
        "cpu_old_over_new": round(old["cpu_seconds"] / new["cpu_seconds"], 2)
        if old and new
        else None,
        "same_ledger": len({r["digest"] for r in runs["old"] + runs["new"]}) == 1,
        "target_s": 15,
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
