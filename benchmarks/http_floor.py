"""Where a one-client SPARQL request's time goes: the floor of each HTTP layer.

With one client, the same ``httpx`` client measures, in one run:

* ``oxigraph serve`` answering ``ASK {}`` (its HTTP, a trivial query, the client);
* a bare uvicorn ASGI app returning a constant body, with h11 and with httptools (the
  least any Python server costs, with no application code at all);
* ``detente serve`` answering the same ``ASK {}`` with h11 (the default) and httptools.

Prints p50 latencies (ms) and the ratios to Oxigraph as JSON. A SPARQL request through
detente cannot be cheaper than the bare app plus the query's evaluation plus the pipe to a
query worker; this is the measurement behind the README's note on the one-client ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import detente_server, free_port, oxigraph_serve

BARE_APP = """
import sys, uvicorn
BODY = b'{"head":{},"boolean":true}'
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/sparql-results+json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            http=sys.argv[2])
"""


def p50_ms(url: str, requests: int) -> float:
    """The median latency of ``requests`` sequential GETs of ``url``, after a warm-up."""
    with httpx.Client(timeout=30) as http:
        for _ in range(200):
            http.get(url).raise_for_status()
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            http.get(url).raise_for_status()
            times.append(time.perf_counter() - start)
    times.sort()
    return round(1000 * times[len(times) // 2], 3)


def bare(parser: str, requests: int) -> float:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", BARE_APP, str(port), parser])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the bare uvicorn app did not start") from None
                time.sleep(0.1)
        return p50_ms(f"http://127.0.0.1:{port}/", requests)
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    ask = "?query=ASK%7B%7D"
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        with oxigraph_serve(Path(tmp) / "oxigraph") as base:
            result["oxigraph_serve"] = p50_ms(f"{base}/query{ask}", args.requests)
        for name in ("h11", "httptools"):
            result[f"bare_uvicorn_{name}"] = bare(name, args.requests)
            store = str(Path(tmp) / f"detente-{name}")
            with detente_server(store, token=None, DETENTE_HTTP_PARSER=name) as base:
                result[f"detente_{name}"] = p50_ms(f"{base}/sparql{ask}", args.requests)
    floor = result["oxigraph_serve"]
    ratios = {
        f"{k}_to_oxigraph": round(v / floor, 2) for k, v in result.items() if k != "oxigraph_serve"
    }
    print(json.dumps({"p50_ms": result, "ratios": ratios}, indent=2))


if __name__ == "__main__":
    main()
