"""The data version: one key in the shared cache that changes whenever data that the
published figures count change (needs, their coverage, reviews, the reference rows).

Documents cached from those data carry the version in their key
(`needs.reports.cache`), so an entry computed before a change is never read after it:
nothing is deleted, stale entries simply stop being asked for and expire. The version
is a random token, not a counter: if the cache loses the key (eviction, a restart of
Redis), the next reader draws a new token and no old entry can match it again.

`data_changed()` is called by every service that writes such data (in `reviews` too,
which may not import `needs`: hence this module here). The new version is set when the
transaction commits: a reader that drew the new version before the commit would cache
the old figures under it. Until the commit, `changed_in_transaction()` tells readers
on the same connection, which see the uncommitted rows, not to use the cache at all.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import connection, transaction

# Named to sort after the documents' keys ("statistics:…"): when the database cache
# is full it culls the first third of its keys in order, and losing the version
# would make every document computed again.
KEY = "version:data"
logger = logging.getLogger(__name__)


def data_changed() -> None:
    """Record that counted data changed (from when the transaction commits).
    Once per transaction: a bump awaiting the commit covers this change too (a
    rollback that takes that bump away takes this change with it: the bump was
    registered in this savepoint or in one enclosing it)."""
    if changed_in_transaction():
        return
    transaction.on_commit(_Bump())


class _Bump:
    """The on-commit callback that draws a new version (once)."""

    done = False

    def __call__(self) -> None:
        self.done = True
        try:
            cache.set(KEY, new_version(), timeout=None)
        except Exception:  # the cache is down: entries expire; figures are not lost
            logger.exception("The data version could not be raised")


def new_version() -> str:
    return secrets.token_hex(8)


def changed_in_transaction() -> bool:
    """Whether the open transaction changed counted data (its bump awaits the
    commit). `run_on_commit` is Django's list of the callbacks awaiting it; a
    rolled-back savepoint takes its callbacks with it."""
    return connection.in_atomic_block and any(
        isinstance(callback, _Bump) and not callback.done
        for _, callback, _ in connection.run_on_commit
    )


def current() -> str:
    """The data version now (one read of the shared cache); a new one, which no entry
    can match, if the cache fails."""
    try:
        return resolve(cache.get_many([KEY]))
    except Exception:
        logger.exception("The data version could not be read")
        return new_version()


def resolve(found: dict) -> str:
    """The version from a `cache.get_many` that asked for KEY; a new one if the key
    was missing (another process may have drawn one first: theirs wins)."""
    version = found.get(KEY)
    if version is None:
        version = new_version()
        if not cache.add(KEY, version, timeout=None):
            version = cache.get(KEY) or version
    return version
