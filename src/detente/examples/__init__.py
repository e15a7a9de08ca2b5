"""Example articles, written for detente, that `detente demo` ingests."""
