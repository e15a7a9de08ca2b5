"""What the SPARQL Protocol and Graph Store routes accept and answer, for the OpenAPI
document. The routes read their parameters themselves (the protocol repeats parameters and
takes three body types), so FastAPI cannot infer any of this from their signatures."""

from __future__ import annotations

from detente.sparql.engine import GRAPH_FORMATS, RESULT_FORMATS

_IRI = {"type": "string", "format": "iri", "description": "An absolute IRI."}
_IRIS = {"type": "array", "items": _IRI}
_TEXT = {"text/plain": {"schema": {"type": "string"}}}

DATASET_PARAMETERS = [
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "schema": _IRIS,
        "style": "form",
        "explode": True,
        "description": "Graphs whose union is the default graph (default: all graphs).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "schema": _IRIS,
        "style": "form",
        "explode": True,
        "description": "Graphs a GRAPH pattern may read (default: all).",
    },
]

QUERY_GET = {
    "parameters": [
        {
            "name": "query",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "A SPARQL 1.1 query; without it, the service description.",
        },
        *DATASET_PARAMETERS,
    ]
}

QUERY_POST = {
    "parameters": DATASET_PARAMETERS,
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string"},
                        "default-graph-uri": _IRIS,
                        "named-graph-uri": _IRIS,
                    },
                }
            },
            "application/sparql-query": {"schema": {"type": "string"}},
        },
    },
}

UPDATE_POST = {
    "parameters": [
        {"name": "using-graph-uri", "in": "query", "required": False, "schema": _IRIS},
        {"name": "using-named-graph-uri", "in": "query", "required": False, "schema": _IRIS},
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["update"],
                    "properties": {
                        "update": {"type": "string"},
                        "using-graph-uri": _IRIS,
                        "using-named-graph-uri": _IRIS,
                    },
                }
            },
            "application/sparql-update": {"schema": {"type": "string"}},
        },
    },
}

GRAPH_STORE_GET = {
    "parameters": [
        {
            "name": "graph",
            "in": "query",
            "required": False,
            "schema": _IRI,
            "description": "The named graph to read (or give `default`).",
        },
        {
            "name": "default",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "allowEmptyValue": True,
            "description": "Read the default graph: the union of all graphs, as in /sparql.",
        },
    ]
}

_RESULTS = {media: {"schema": {"type": "string"}} for media in RESULT_FORMATS}
_GRAPHS = {media: {"schema": {"type": "string"}} for media in GRAPH_FORMATS}

QUERY_RESPONSES: dict[int | str, dict] = {
    200: {
        "description": "Results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE, the service "
        "description), in the negotiated format.",
        "content": {**_RESULTS, **_GRAPHS},
    },
    400: {"description": "Malformed query or protocol request.", "content": _TEXT},
    406: {"description": "No acceptable result format.", "content": _TEXT},
    415: {"description": "Unsupported request media type or charset.", "content": _TEXT},
    422: {"description": "The result is larger than the configured limit.", "content": _TEXT},
    501: {"description": "The graph lives in a remote store.", "content": _TEXT},
    503: {
        "description": "The query exceeded the time or memory limit, or every worker is busy.",
        "content": _TEXT,
    },
}

UPDATE_RESPONSES: dict[int | str, dict] = {
    204: {"description": "Applied."},
    400: {"description": "Malformed update or protocol request.", "content": _TEXT},
    415: {"description": "Unsupported request media type or charset.", "content": _TEXT},
    501: {"description": "The graph lives in a remote store.", "content": _TEXT},
}

GRAPH_STORE_RESPONSES: dict[int | str, dict] = {
    200: {"description": "The graph, in the negotiated RDF format.", "content": _GRAPHS},
    400: {"description": "Neither or both of graph and default, or a bad IRI.", "content": _TEXT},
    404: {"description": "No such graph.", "content": _TEXT},
    406: {"description": "No acceptable RDF format.", "content": _TEXT},
    422: {"description": "The graph is larger than the configured limit.", "content": _TEXT},
    501: {"description": "The graph lives in a remote store.", "content": _TEXT},
    503: {"description": "Time or memory limit, or every worker is busy.", "content": _TEXT},
}
