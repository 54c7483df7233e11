"""The statistics document in the shared cache (`CACHES["default"]`: the database
cache table, or Redis when REDIS_URL is set), so that unchanged data are not counted
again by every page, process and server.

What is cached is the document, never a page: the document is the same for every user
(pages add the user's navigation, CSRF token and CSP nonce; `StatisticsFilterForm`
removes regional breakdowns for some roles from it afterwards). It holds ids mapped to
slugs and the record's own titles; the labels in the reader's language are looked up
when a page is rendered (`tables.Names`), so one entry serves every language.

Keys: `statistics:<data version>:<digest of the filters>`. The data version
(`tatracker.data_version`) changes on every write that changes what the statistics
count; the services call `statistics_changed()`. An entry is therefore never stale: a
change makes every earlier entry unreachable.

"As of" documents are keyed on the version too. Their needs come from historical
rows dated before the cut-off, which later writes do not touch, but the rest of such a
document is read as it is now: which reviews are completed and when, each State's
regional group, the chapters, articles and types and their titles and order. A review
recorded as completed last month with a completion date of 2012 changes the document
"as of 2013"; so does a correction of a State's regional group, a history row written
with an explicit past date (the 2013 loader dates its rows at acceptance), or pruned
history. Entries for a past date would only be safe under a version of those data
alone; one version for all keeps the rule simple, and the cost is one recomputation
per change.

One computation per miss: the first process to miss takes a short lock
(`cache.add`), computes and stores; the others wait for the entry (polling, with a
deadline) instead of computing the same document at the same time. If the cache
fails, documents are computed without it.
"""

import hashlib
import json
import logging
import threading
import time

from django.core.cache import cache

from tatracker import data_version

PREFIX = "statistics"
TIMEOUT = 24 * 60 * 60  # entries of old versions expire; current ones are recomputed
# The lock outlives the slowest computation (a few seconds at a million needs) and
# frees itself if its process dies; waiters give up well before gunicorn's 30-second
# worker timeout and compute the document themselves.
LOCK_SECONDS = 30
WAIT_SECONDS = 15
logger = logging.getLogger(__name__)
FRAGMENT_PREFIX = "statistics-page"
# The data version this process saw last: the warm read asks for it and for the
# document under it in one round trip.
_seen: dict[str, str | None] = {"version": None}
# The version of the document this thread read last (None: computed outside the
# cache): the key of the page fragments laid out from it.
_local = threading.local()


def statistics_changed() -> None:
    """Call after every write that changes what the statistics count: a need accepted,
    withdrawn or deleted, its coverage, a review's scope (cycle, year, status,
    completion date), a State's regional group, the reference rows. Bulk writes and
    `.update()` included. Takes effect when the transaction commits."""
    data_version.data_changed()


def key(version: str, filters) -> str:
    text = json.dumps(filters.as_dict(), sort_keys=True)
    return f"{PREFIX}:{version}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def document(filters, compute):
    """The document for `filters` from the cache, else `compute(filters)` (stored)."""
    _local.version = None
    if data_version.changed_in_transaction():
        return compute(filters)  # uncommitted rows: neither read nor fill the cache
    try:
        wanted, found = _read(filters)
    except Exception:
        logger.exception("The statistics cache could not be read")
        return compute(filters)
    _local.version = _seen["version"]
    if found is not None:
        return found
    return _fill(wanted, filters, compute)


# ---------------------------------------------------------------------------
# Page fragments: the parts of a report page laid out from the document (tables,
# charts, sentences) and its filter form, rendered once per data version, page,
# query, language and role, by the `statistics_fragment` template tag.
# ---------------------------------------------------------------------------
def fragment_key(*parts) -> str | None:
    """The key of a fragment laid out from the document this thread just read, or
    None when that document did not come through the cache (do not cache then)."""
    version = getattr(_local, "version", None)
    if version is None:
        return None
    text = json.dumps([str(part) for part in parts])
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"{FRAGMENT_PREFIX}:{version}:{digest}"


def fragment_get(key: str | None) -> str | None:
    if not key:
        return None
    try:
        return cache.get(key)
    except Exception:
        logger.exception("The statistics cache could not be read")
        return None


def fragment_set(key: str | None, html: str) -> None:
    if key:
        _quietly(cache.set, key, html, timeout=TIMEOUT)


def _read(filters) -> tuple[str, object]:
    """(the key the document has under the current version, the document or None)."""
    guess = _seen["version"]
    keys = [data_version.KEY] + ([key(guess, filters)] if guess else [])
    found = cache.get_many(keys)
    version = data_version.resolve(found)
    _seen["version"] = version
    wanted = key(version, filters)
    if wanted in found:
        return wanted, found[wanted]
    return wanted, (cache.get(wanted) if version != guess else None)


def _fill(wanted: str, filters, compute):
    lock = f"{wanted}:lock"
    try:
        mine = cache.add(lock, 1, timeout=LOCK_SECONDS)
    except Exception:
        logger.exception("The statistics cache could not be locked")
        return compute(filters)
    if not mine:
        return _wait(wanted, lock) or compute(filters)
    try:
        result = compute(filters)
        _quietly(cache.set, wanted, result, timeout=TIMEOUT)
        return result
    finally:
        _quietly(cache.delete, lock)


def _quietly(operation, *args, **kwargs):
    """A cache write that may fail: the document is served all the same."""
    try:
        operation(*args, **kwargs)
    except Exception:
        logger.exception("The statistics cache could not be written")


def _wait(wanted: str, lock: str):
    """The document another process is computing, or None if it gave up."""
    deadline = time.monotonic() + WAIT_SECONDS
    delay = 0.02
    while time.monotonic() < deadline:
        time.sleep(delay)
        try:
            found = cache.get_many([wanted, lock])
        except Exception:
            return None
        if wanted in found:
            return found[wanted]
        if lock not in found:
            return None  # it failed, or stored nothing: compute here
        delay = min(delay * 2, 0.5)
    return None
