"""Processes that cannot reach the network: where SPARQL is evaluated.

Oxigraph opens a connection to whatever a query names in ``SERVICE`` (and an update in
``LOAD``) and has no switch to stop it. A check of the query text before evaluation
(:func:`detente.sparql.engine.check_outbound`) must agree with Oxigraph's own
grammar on every token to be complete, and one divergence is enough to make the server
fetch a URL for an anonymous client. So the processes that evaluate SPARQL are confined:
once :func:`confine` has run, the process cannot create an Internet socket at all, and a
query that names another server fails however it is spelled.

Two mechanisms, both kernel-enforced and inherited by every thread started afterwards:

* **seccomp** (libseccomp, through :mod:`pyseccomp`): ``socket()`` for the Internet, packet
  and netlink families fails with ``EACCES``, and io_uring (which can open sockets without
  the ``socket`` system call) is refused; Unix sockets, the worker's pipe to the server,
  keep working. Needs no privilege (``no_new_privs`` is set by libseccomp).
* **an empty network namespace** (``unshare(CLONE_NEWNET)``): the process sees only a
  loopback interface that is down. Needs ``CAP_SYS_ADMIN``, so it is the fallback where
  seccomp is missing.

Where neither is available the worker refuses to start, unless the operator accepts the
risk explicitly (``DETENTE_UNCONFINED_SPARQL=1``); then the text check is the only guard.
A server that allows federation (``DETENTE_FEDERATION_ALLOW``) must reach those endpoints,
so its workers are not confined: configuring an allow-list is accepting that risk.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import socket

from detente.errors import SandboxUnavailable

UNCONFINED_VARIABLE = "DETENTE_UNCONFINED_SPARQL"
_CLONE_NEWNET = 0x40000000
# Families that reach beyond this host (or configure it); AF_UNIX stays allowed.
_FAMILIES = ("AF_INET", "AF_INET6", "AF_PACKET", "AF_NETLINK")
# io_uring can create and connect sockets without the socket() system call.
_IO_URING = ("io_uring_setup", "io_uring_enter", "io_uring_register")


def _seccomp() -> None:
    import pyseccomp as seccomp  # loads libseccomp.so.2 (OSError where it is missing)

    policy = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in _FAMILIES:
        family = getattr(socket, name, None)
        if family is not None:
            policy.add_rule(
                seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, int(family))
            )
    for call in _IO_URING:
        # A libseccomp too old to know the call's name: a kernel that old has no io_uring.
        with contextlib.suppress(OSError, ValueError):
            policy.add_rule(seccomp.ERRNO(errno.ENOSYS), call)
    policy.load()


def _network_namespace() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def confine(accept_unconfined: bool = False) -> str:
    """Confine this process (and the threads it starts from now on) so that it cannot open
    network connections; returns the mechanism used. Raises :class:`SandboxUnavailable`
    where there is none, unless ``DETENTE_UNCONFINED_SPARQL=1`` accepts the risk (then
    ``"none"``)."""
    reasons = []
    for name, mechanism in (("seccomp", _seccomp), ("network namespace", _network_namespace)):
        try:
            mechanism()
        except (OSError, ValueError, RuntimeError, ImportError) as exc:
            reasons.append(f"{name}: {exc}")
            continue
        return name
    if accept_unconfined:  # Settings.unconfined_sparql: the operator accepted the risk
        return "none"
    raise SandboxUnavailable(
        "cannot stop SPARQL evaluation from reaching the network on this platform ("
        + "; ".join(reasons)
        + f"): install libseccomp, or set {UNCONFINED_VARIABLE}=1 to accept that only the "
        "query text check keeps SERVICE and LOAD from calling other hosts"
    )


def network_reachable() -> bool:
    """Whether this process may still create an Internet socket (for tests and health)."""
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    except OSError:
        return False
    probe.close()
    return True
