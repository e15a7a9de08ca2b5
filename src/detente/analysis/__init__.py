"""Reading the knowledge graph: the live ledger (one row per statement), its views and
the analysts' questions over it (who backs whom, paths, blocs, timelines, exports). The
networkx versions in :mod:`detente.analysis.multigraph` are the test oracle and serve
notebooks."""
