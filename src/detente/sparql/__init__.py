"""SPARQL evaluation for the service: the query text checks, the engine, and the confined
worker processes that evaluate queries and updates on read-only snapshots of the store."""
