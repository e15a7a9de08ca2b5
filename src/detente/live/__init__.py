"""The live graph a running service holds: one store, its ledger kept current by every
write, the extraction process, and the feeds it polls."""
