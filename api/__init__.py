"""Interfaces to detente: the command line (and, later, the HTTP service)."""
