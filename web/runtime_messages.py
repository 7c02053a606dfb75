"""Messages the code picks at run time (a job's status and stage, a category, a
role, what to do about an error): no ``_("...")`` call names them, so this module
lists them for the catalogue and serves as the Babel extractor that puts them in
``messages.pot`` (see ``babel.cfg``)."""

from __future__ import annotations

from collections.abc import Iterator


def runtime_messages() -> set[str]:
    """Every message a template or script translates from a value, not a literal."""
    from core.convert.scene import CATEGORIES
    from core.jobs.progress import STAGE_SPANS
    from core.jobs.states import CANCELLED, FAILED, QUEUED, RUNNING, SUCCEEDED
    from web.console.pages import FIXES

    statuses = {QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, "online", "offline", "revoked"}
    return statuses | {"admin", "staff"} | set(STAGE_SPANS) | set(CATEGORIES) | set(FIXES.values())


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extraction method: the run-time messages, whatever file it is given."""
    for message in sorted(runtime_messages()):
        yield 1, "gettext", message, ["chosen at run time"]
