"""The HTTP layer and only it: the REST API, the SPARQL 1.1 Protocol and Graph Store routes
and the explorer page, composed in one FastAPI app (:func:`detente.http.app.create_app`)
over the live graph (:mod:`detente.live`) and the SPARQL workers (:mod:`detente.sparql`)."""
