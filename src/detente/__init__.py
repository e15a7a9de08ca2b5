"""detente: a knowledge-graph builder for bilateral and conflict relations in news.

Layers, top to bottom (docs/architecture.md; a test checks that no module imports a layer
above its own): cli, http, live | sparql, analysis | ingest, graph, extract, ontology.
"""
