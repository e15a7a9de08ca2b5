"""Helper processes end with the process that started them.

A server's helpers (SPARQL workers, the extraction process) hold hundreds of megabytes and
a share of the store's files. If the server dies without closing them (killed, out of
memory, a crash in native code), nothing else would end them: they are re-parented and run
on. Each helper therefore watches its parent and exits once it is gone.

The kernel's own parent-death signal (``PR_SET_PDEATHSIG``) is not used: it fires when the
*thread* that started the child ends, and the server starts replacement workers from
short-lived threads. Watching the parent's pid works whichever thread started the helper.
"""

from __future__ import annotations

import os
import threading

CHECK_S = 0.5  # how soon a helper notices that its parent is gone


def die_with_parent(parent: int | None = None) -> None:
    """End this process (at once, without cleanup: the parent that would want it is gone)
    when ``parent`` (by default the current parent) is no longer its parent."""
    parent = os.getppid() if parent is None else parent
    if os.getppid() != parent:  # gone already, before the watch began
        os._exit(1)

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(CHECK_S):
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="detente-parent-watch", daemon=True).start()
