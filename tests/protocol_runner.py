"""Run the W3C SPARQL 1.1 Protocol test manifest against a running endpoint, over HTTP.

    python -m tests.protocol_runner http://127.0.0.1:8000 --token TOKEN \
        [--manifest ../shared/conformance/protocol/manifest.ttl]

Each request's ``/sparql/`` path is mapped to the endpoint under test: updates (a
``application/sparql-update`` body, an ``update=`` form or parameter, or any other request
of an update test that is not a query) go to ``/sparql/update`` with the write token, the
rest to ``/sparql``, as the manifest allows ("an endpoint being tested may require
different endpoints to be used for Query and Update requests"). Before each test the store
is emptied and the test's ``ut:graphData`` loaded into its named graphs.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import httpx
from rdflib import Graph, Namespace
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

TABULAR = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # expected status classes: 2, 3, 4
    boolean: bool | None
    format: str | None


@dataclass
class ProtocolTest:
    name: str
    iri: str
    graph_data: list[tuple[Path, str]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)


def load_manifest(path: Path) -> list[ProtocolTest]:
    g = Graph().parse(path, format="turtle")
    manifest = next(g.subjects(MF.entries, None))
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        test = ProtocolTest(str(g.value(entry, MF.name)), str(entry))
        for data in g.objects(entry, UT.graphData):
            test.graph_data.append(
                (
                    path.parent / Path(str(g.value(data, UT.graph))).name,
                    str(g.value(data, RDFS.label)),
                )
            )
        action = g.value(entry, MF.action)
        for req in Collection(g, g.value(action, HT.requests)):
            header_list = g.value(req, HT.headers)
            headers = {
                str(g.value(h, HT.fieldName)): str(g.value(h, HT.fieldValue))
                for h in (Collection(g, header_list) if header_list is not None else [])
            }
            body_node = g.value(req, HT.body)
            body = None
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding.lower())
            resp = g.value(req, HT.resp)
            statuses = {
                int(str(s).rsplit("StatusCode", 1)[1][0])
                for s in g.objects(resp, MF.expectedStatus)
            }
            boolean = g.value(resp, MF.expectedBoolean)
            fmt = g.value(resp, MF.expectedFormat)
            test.requests.append(
                Request(
                    str(g.value(req, HT.methodName)),
                    str(g.value(req, HT.absolutePath)),
                    headers,
                    body,
                    statuses,
                    None if boolean is None else bool(boolean.toPython()),
                    None if fmt is None else str(fmt),
                )
            )
        tests.append(test)
    return tests


def is_update(test: ProtocolTest, req: Request) -> bool:
    content_type = {k.lower(): v for k, v in req.headers.items()}.get("content-type", "")
    body = req.body or b""
    if "sparql-update" in content_type or body.startswith(b"update=") or "update=" in req.path:
        return True
    if "sparql-query" in content_type or body.startswith(b"query=") or "query=" in req.path:
        return False
    return "update" in test.iri.rsplit("#", 1)[-1]


def _result_ok(req: Request, response: httpx.Response) -> str | None:
    """Why the response's body does not meet the expectation (None if it does)."""
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if req.format == "boolean":
        if media == "application/sparql-results+json":
            value = json.loads(response.content).get("boolean")
        elif media == "application/sparql-results+xml":
            root = ElementTree.fromstring(response.content)
            found = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
            value = None if found is None else found.text == "true"
        else:
            return f"boolean result in {media!r}"
        if req.boolean is not None and value is not req.boolean:
            return f"expected {req.boolean}, got {value}"
    elif req.format == "tabular":
        if media not in TABULAR:
            return f"tabular result in {media!r}"
    elif req.format == "RDF":
        if media not in RDF_TYPES:
            return f"RDF result in {media!r}"
        Graph().parse(data=response.content, format=RDF_TYPES[media])
    return None


def run(base: str, token: str, manifest: Path) -> list[tuple[ProtocolTest, str | None]]:
    """Every test's outcome: (test, None) when it passed, else (test, reason)."""
    auth = {"Authorization": f"Bearer {token}"}
    outcomes = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for test in load_manifest(manifest):
            reset = ["DROP ALL"]
            for file, graph in test.graph_data:
                reset.append(f"INSERT DATA {{ GRAPH <{graph}> {{ {file.read_text()} }} }}")
            setup = client.post(
                "/sparql/update",
                content=" ;\n".join(reset).encode(),
                headers={**auth, "Content-Type": "application/sparql-update"},
            )
            setup.raise_for_status()
            reason = None
            for req in test.requests:
                update = is_update(test, req)
                path = req.path.removeprefix("/sparql/")
                target = ("/sparql/update" if update else "/sparql") + path
                headers = {**req.headers, **(auth if update else {})}
                response = client.request(req.method, target, headers=headers, content=req.body)
                if response.status_code // 100 not in req.statuses:
                    reason = (
                        f"{req.method} {target}: status {response.status_code}, expected "
                        f"{'/'.join(f'{s}xx' for s in sorted(req.statuses))}: "
                        f"{response.text[:200]}"
                    )
                    break
                if response.status_code < 300 and (problem := _result_ok(req, response)):
                    reason = f"{req.method} {target}: {problem}"
                    break
            outcomes.append((test, reason))
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="Server root, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="The server's write token.")
    parser.add_argument(
        "--manifest", type=Path, default=Path("../shared/conformance/protocol/manifest.ttl")
    )
    args = parser.parse_args()
    outcomes = run(args.base, args.token, args.manifest)
    for test, reason in outcomes:
        print(
            ("PASS " if reason is None else "FAIL ")
            + test.name
            + (f"\n     {reason}" if reason else "")
        )
    passed = sum(1 for _, r in outcomes if r is None)
    print(f"{passed}/{len(outcomes)} passed")
    sys.exit(0 if passed == len(outcomes) else 1)


if __name__ == "__main__":
    main()
