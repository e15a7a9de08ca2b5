"""The HTTP service: the REST API, the SPARQL 1.1 Protocol endpoint and the explorer page
in one FastAPI app (:func:`detente.api.http.app.create_app`), the live knowledge service
behind them, and the query workers that evaluate SPARQL out of the server's process."""
