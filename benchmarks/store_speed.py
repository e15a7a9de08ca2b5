"""Knowledge-graph speed: ingest, who-backs-whom and alignment paths at scale.

    python benchmarks/store_speed.py [--relations 50000] [--query-relations 1000000]
                                     [--actors 10000]

A synthetic graph in detente's RDF model (statement nodes with their evidence plus the
direct edges, one named graph per document, about 20 triples per relation) is
* ingested through detente's store layer — one atomic write per document, and in journaled
  bulk batches of 100 and of 1,000 documents (``detente ingest --bulk N``) — and, in the same run,
  bulk-loaded raw into a fresh pyoxigraph store (the baseline): ratio target <= 1.5;
* queried, on a separate store of ``--query-relations`` relations among ``--actors`` actors
  (bulk-loaded from generated N-Quads, untimed): who_backs_whom on one theatre (target
  < 50 ms) and alignment paths of up to 3 hops (the first 50) between two actors with no
  direct relation (target < 200 ms), on the networkx view loaded once (its load time and
  each question's first, index-building call are reported too);
* measured for peak memory (resident set size).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta

import pyoxigraph as ox

from detente.analysis.multigraph import relation_paths, who_backs_whom
from detente.analysis.views import relation_graph
from detente.domain.records import ActorRef, Relation
from detente.graph.oxigraph import to_oxigraph
from detente.graph.rdf import document_graph, document_iri
from detente.graph.store import open_store
from detente.ontology import predicates

THEATRES = [
    "Libya",
    "Syria",
    "Yemen",
    "Ukraine",
    "Sudan",
    "Gaza",
    "Iraq",
    "Somalia",
    "Mali",
    "Armenia",
]


# Documents per bulk batch (``detente ingest --bulk N``): every batch is one Oxigraph bulk
# load, and many small loads leave RocksDB more level-0 files to compact.
BULK_BATCHES = (100, 1000)


def synthetic_documents(n_relations: int, n_actors: int, per_doc: int, seed: int = 7):
    rng = random.Random(seed)
    names = sorted(predicates())
    start = date(2015, 1, 1)
    docs = []
    for d in range(0, n_relations, per_doc):
        doc_id = f"doc-bench{d:010d}"
        rels = []
        for i in range(per_doc):
            s, o = rng.sample(range(n_actors), 2)
            p = predicates()[rng.choice(names)]
            sentence = f"Actor {s} {p.name} actor {o} (statement {d + i})."
            ref = {"type": "Organization", "start": 0, "end": 5, "via": "name"}
            rels.append(
                Relation(
                    document=doc_id,
                    predicate=p.name,
                    polarity=p.polarity,
                    plover=p.plover,
                    weight=p.weight,
                    subject=ActorRef(id=f"A{s}", label=f"Actor {s}", text="Actor", **ref),
                    object=ActorRef(id=f"A{o}", label=f"Actor {o}", text="Actor", **ref),
                    negated=False,
                    modality="asserted",
                    date=str(start + timedelta(days=rng.randrange(3650))),
                    theatre=rng.choice(THEATRES),
                    sentence=sentence,
                    sentence_start=0,
                    sentence_end=len(sentence),
                    trigger=p.name,
                    pattern="verbal",
                    confidence=round(rng.uniform(0.5, 1.0), 3),
                    extractor_version="bench",
                )
            )
        docs.append((doc_id, document_graph(doc_id, rels, source=f"bench:{d}")))
    return docs


def synthetic_nquads(n_relations: int, n_actors: int, per_doc: int = 50, seed: int = 11):
    """The same model as ``synthetic_documents``, written straight to N-Quads in chunks,
    for stores too large to build as Python graphs."""
    rng = random.Random(seed)
    vocab = predicates()
    names = sorted(vocab)
    dt, act, xsd = (
        "https://w3id.org/detente/ns#",
        "https://w3id.org/detente/actor/",
        "http://www.w3.org/2001/XMLSchema#",
    )
    start = date(2015, 1, 1)
    lines: list[str] = []
    for i in range(n_relations):
        doc = f"https://w3id.org/detente/doc/doc-q{i // per_doc:09d}"
        g = f"<{doc}>"
        s, o = rng.sample(range(n_actors), 2)
        p = vocab[rng.choice(names)]
        r = f"<https://w3id.org/detente/relation/q{i:010d}>"
        when = start + timedelta(days=rng.randrange(3650))
        theatre = rng.choice(THEATRES)
        rows = [
            (r, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{dt}Relation>"),
            (r, f"<{dt}subject>", f"<{act}A{s}>"),
            (r, f"<{dt}object>", f"<{act}A{o}>"),
            (r, f"<{dt}predicate>", f"<{dt}{p.name}>"),
            (r, f"<{dt}polarity>", f"<{dt}{p.polarity}>"),
            (r, f"<{dt}negated>", f'"false"^^<{xsd}boolean>'),
            (r, f"<{dt}modality>", f"<{dt}asserted>"),
            (r, f"<{dt}confidence>", f'"{rng.uniform(0.5, 1):.3f}"^^<{xsd}decimal>'),
            (r, f"<{dt}document>", f"<{doc}>"),
            (r, f"<{dt}evidence>", f'"Actor {s} {p.name} actor {o}."'),
            (r, f"<{dt}date>", f'"{when.isoformat()}"^^<{xsd}date>'),
            (r, f"<{dt}theatre>", f"<https://w3id.org/detente/theatre/{theatre}>"),
            (
                f"<https://w3id.org/detente/theatre/{theatre}>",
                "<http://www.w3.org/2000/01/rdf-schema#label>",
                f'"{theatre}"',
            ),
            (f"<{act}A{s}>", "<http://www.w3.org/2000/01/rdf-schema#label>", f'"Actor {s}"'),
            (f"<{act}A{o}>", "<http://www.w3.org/2000/01/rdf-schema#label>", f'"Actor {o}"'),
            (f"<{act}A{s}>", f"<{dt}{p.name}>", f"<{act}A{o}>"),
        ]
        lines.extend(f"{a} {b} {c} {g} .\n" for a, b, c in rows)
        if len(lines) >= 200_000:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_ms(run, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relations", type=int, default=50_000)
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--per-document", type=int, default=50)
    parser.add_argument("--query-relations", type=int, default=1_000_000)
    args = parser.parse_args()

    docs = synthetic_documents(args.relations, args.actors, args.per_document)
    n_triples = sum(len(g) for _, g in docs)
    with tempfile.TemporaryDirectory() as raw_dir, tempfile.TemporaryDirectory() as kg_dir:
        quads = [
            ox.Quad(
                to_oxigraph(s),
                to_oxigraph(p),
                to_oxigraph(o),
                ox.NamedNode(str(document_iri(doc_id))),
            )
            for doc_id, g in docs
            for s, p, o in g
        ]
        raw = ox.Store(raw_dir)
        start = time.perf_counter()
        raw.bulk_extend(quads)
        raw.flush()
        baseline = time.perf_counter() - start
        del quads, raw

        store = open_store(f"oxigraph:{kg_dir}")
        start = time.perf_counter()
        for doc_id, graph in docs:
            store.replace_graphs([], document_iri(doc_id), graph)
        store.close()
        ours = time.perf_counter() - start

        bulk: dict[int, float] = {}
        for batch in BULK_BATCHES:
            with tempfile.TemporaryDirectory() as bulk_dir:
                bulk_store = open_store(f"oxigraph:{bulk_dir}")
                start = time.perf_counter()
                for i in range(0, len(docs), batch):
                    bulk_store.bulk_write([(document_iri(d), g) for d, g in docs[i : i + batch]])
                bulk_store.close()
                bulk[batch] = time.perf_counter() - start

        del docs
        with tempfile.TemporaryDirectory() as query_dir:
            big = open_store(f"oxigraph:{query_dir}")
            for chunk in synthetic_nquads(args.query_relations, args.actors):
                big.native.bulk_load(chunk, format=ox.RdfFormat.N_QUADS)
            start = time.perf_counter()
            view = relation_graph(big)  # with its theatre/predicate and hop indexes
            load_view = time.perf_counter() - start
            big.close()
        # Two actors with no direct relation: every path between them has 2 or 3 hops.
        rng = random.Random(3)
        nodes = sorted(view)
        hub, far = rng.sample(nodes, 2)
        while view.has_edge(hub, far) or view.has_edge(far, hub):
            hub, far = rng.sample(nodes, 2)
        result = {
            "relations": args.relations,
            "triples": n_triples,
            "baseline_bulk_load_triples_per_s": round(n_triples / baseline),
            "detente_ingest_triples_per_s": round(n_triples / ours),
            "ingest_ratio": round(ours / baseline, 3),
            **{
                f"bulk_{batch}_ingest_triples_per_s": round(n_triples / took)
                for batch, took in bulk.items()
            },
            **{
                f"bulk_{batch}_ingest_ratio": round(took / baseline, 3)
                for batch, took in bulk.items()
            },
            "ingest_ratio_target": 1.5,
            "query_relations": view.number_of_edges(),
            "query_actors": view.number_of_nodes(),
            "view_load_s": round(load_view, 2),
            "who_backs_whom_first_call_ms": timed_ms(
                lambda: who_backs_whom(view, theatre="Libya"), repeat=1
            ),
            "who_backs_whom_top100_first_call_ms": timed_ms(
                lambda: who_backs_whom(view, theatre="Libya", limit=100), repeat=1
            ),
            "who_backs_whom_ms": timed_ms(lambda: who_backs_whom(view, theatre="Libya")),
            "who_backs_whom_rows": len(who_backs_whom(view, theatre="Libya")),
            "who_backs_whom_target_ms": 50,
            "alignment_path_first_call_ms": timed_ms(
                lambda: relation_paths(view, hub, far, max_hops=3, limit=50), repeat=1
            ),
            "alignment_path_3_hops_ms": timed_ms(
                lambda: relation_paths(view, hub, far, max_hops=3, limit=50)
            ),
            "alignment_path_target_ms": 200,
            "peak_rss_mb": round(peak_rss_mb()),
        }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
