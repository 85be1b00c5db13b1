"""The JSON shape of a normalized call, as `fundwatch parse --json` and the golden tests see it.

Every field of the `Call` is there (datetimes as ISO 8601 with offset, in UTC), plus the
values derived with `now`: `title`, `deadline` (the next one after `now`, else the last),
`status`, `status_disagrees` (the source's own word says otherwise) and `budget_total_eur`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fundwatch.models import Call, status

_STATED = {
    "open": ("open", "aperto", "aperta", "attivo", "31094502"),
    "forthcoming": (
        "forthcoming",
        "pre-informazione",
        "preinformazione",
        "in apertura",
        "di prossima apertura",
        "31094501",
    ),
    "closed": (
        "closed",
        "chiuso",
        "chiusa",
        "scaduto",
        "scaduta",
        "esito",
        "terminato",
        "31094503",
    ),
}


def stated_status_code(stated: str) -> str | None:
    """Map the source's own status word to open / forthcoming / closed, when it is one."""
    word = stated.strip().lower()
    for code, words in _STATED.items():
        if word in words:
            return code
    return None


def call_to_json(call: Call, now: datetime) -> dict[str, Any]:
    data = call.model_dump(mode="json")
    derived = status(call, now).value
    stated = stated_status_code(call.stated_status)
    deadline = call.deadline(now)
    data.update(
        title=call.title,
        deadline=deadline.isoformat() if deadline else None,
        status=derived,
        status_disagrees=stated is not None and derived != "unknown" and stated != derived,
        budget_total_eur=str(call.budget.total_eur) if call.budget.total_eur is not None else None,
    )
    return data
