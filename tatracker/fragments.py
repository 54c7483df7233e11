"""Pieces of pages laid out once and reused by this process while the data they are
laid out from stay the same: the needs filters' choice lists (`needs.filtersets`).

An entry is a dict kept under a key that names everything its pieces depend on
(the language, and for a list that depends on the reader, the statement that reads
it), together with the data version (`tatracker.data_version`): a write that changes
those data raises the version, and the next request asks for entries under the new
one. Nothing that varies by user is kept under a key that does not say so.

Entries are kept in this process (no round trip to the shared cache for each piece;
one read of the data version per request that lays a piece out), at most
MAX_ENTRIES of them, the least recently used going first. Inside a transaction that
changed counted data (the version is raised when it commits), nothing is reused.
"""

import threading
from collections import OrderedDict

from tatracker import data_version

MAX_ENTRIES = 256
_entries: OrderedDict[tuple, dict] = OrderedDict()
_lock = threading.Lock()


def kept(key: tuple, request=None) -> dict:
    """The dict kept for `key` under the current data version (a new empty one the
    first time); the caller stores what it lays out in it. With `request`, the
    version is read once for the request (its pieces agree with each other)."""
    if data_version.changed_in_transaction():
        return {}
    versioned = (_version(request), *key)
    with _lock:
        entry = _entries.get(versioned)
        if entry is None:
            entry = _entries[versioned] = {}
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        else:
            _entries.move_to_end(versioned)
    return entry


def _version(request) -> str:
    if request is None:
        return data_version.current()
    if not hasattr(request, "_tatracker_data_version"):
        request._tatracker_data_version = data_version.current()
    return request._tatracker_data_version


def clear() -> None:
    """Forget every entry (tests)."""
    with _lock:
        _entries.clear()
