"""The few HTML pages the web app shows: confirmations for unsubscribe and "not relevant".

A GET only shows a confirmation with a button; the action is a POST. Mail scanners and link
previews fetch every link in a message, and must not unsubscribe anyone by doing so.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

TEXT: dict[str, dict[str, str]] = {
    "it": {
        "unsub_title": "Annullare l'iscrizione?",
        "unsub_line": "{email} non riceverà più i riepiloghi di «{name}».",
        "unsub_button": "Annulla l'iscrizione",
        "unsub_done": "Iscrizione annullata",
        "unsub_done_line": "{email} non riceverà più i riepiloghi di «{name}».",
        "nr_title": "Segnare come non pertinente?",
        "nr_line": "«{title}» non sarà più mostrato a «{name}», né nei riepiloghi né nei feed.",
        "nr_button": "Non pertinente",
        "nr_done": "Segnato come non pertinente",
        "nr_done_line": "«{title}» non sarà più mostrato a «{name}».",
        "bad_title": "Link non valido",
        "bad_line": "Il link è incompleto o è stato modificato. Usate il link dell'ultimo "
        "messaggio ricevuto.",
        "missing_title": "Pagina non trovata",
        "missing_line": "Questo indirizzo non corrisponde a nessun feed o pagina.",
    },
    "en": {
        "unsub_title": "Unsubscribe?",
        "unsub_line": "{email} will no longer receive the digests of “{name}”.",
        "unsub_button": "Unsubscribe",
        "unsub_done": "You are unsubscribed",
        "unsub_done_line": "{email} will no longer receive the digests of “{name}”.",
        "nr_title": "Mark as not relevant?",
        "nr_line": "“{title}” will no longer be shown to “{name}”, in digests or feeds.",
        "nr_button": "Not relevant",
        "nr_done": "Marked as not relevant",
        "nr_done_line": "“{title}” will no longer be shown to “{name}”.",
        "bad_title": "Invalid link",
        "bad_line": "The link is incomplete or was altered. Use the link of the latest message "
        "you received.",
        "missing_title": "Not found",
        "missing_line": "This address matches no feed or page.",
    },
}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("fundwatch.web", "templates"),
        undefined=StrictUndefined,
        autoescape=True,
    )


def say(lang: str, key: str, **values: str) -> str:
    return TEXT[lang if lang in TEXT else "en"][key].format(**values)


def page(
    lang: str, title_key: str, lines: list[str], *, action: str = "", button_key: str = ""
) -> bytes:
    """A page; `action` (a relative URL) adds a POST button labelled by `button_key`."""
    html = (
        _environment()
        .get_template("page.html.j2")
        .render(
            lang=lang if lang in TEXT else "en",
            title=say(lang, title_key),
            lines=lines,
            action=action,
            button=say(lang, button_key) if button_key else "",
        )
    )
    return html.encode("utf-8")
