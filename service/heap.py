"""The garbage collector and a long-running server: what start-up built is put out of the
cyclic collector's sight, once per process.

A server process holds some 200,000 objects for its whole life once started (modules,
templates, the ORM's and pydantic's schemas, the bundled data). Every full collection of
the cyclic garbage collector walks them all, and one falls, every so often, in the middle
of a request: measured at 140-180 ms on the project's 2-core machines, it was the tail of
the control room's p95 (issue 14). gc.freeze() moves them to a generation the collector
never scans; they are still freed by reference counting, and the objects of requests are
collected as before. The cost: cycles among start-up objects that die later are never
reclaimed, which start-up objects, living as long as the process, do not do."""

from __future__ import annotations

import gc
import logging

log = logging.getLogger("repmail.heap")
_frozen = False


def freeze_start_up_objects() -> None:
    """Collect once, then freeze what survives (app start-up calls this; repeated calls in
    one process do nothing, so tests starting many apps pay the collection once)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
    log.info("start-up objects frozen", extra={"objects": gc.get_freeze_count()})
