"""The wording of every reason, in Italian and English: message templates by reason code.

A template names the reason's arguments in braces; `fundwatch.rules.explain` fills them in
(dates in the reader's zone, amounts in euro, vocabulary codes by their labels). Every code a
predicate can emit has an entry here; a test renders each in both languages.
"""

from __future__ import annotations

__all__ = ["CRITERIA", "MESSAGES", "STATUS", "WHERE"]

CRITERIA: dict[str, tuple[str, str]] = {
    "feedback": ("segnalazioni", "feedback"),
    "status": ("stato", "status"),
    "lead_time": ("tempo utile", "lead time"),
    "call_type": ("tipo di bando", "call type"),
    "territory": ("territorio", "territory"),
    "audience": ("beneficiari", "eligibility"),
    "grant_size": ("importo", "grant size"),
    "cofinancing": ("cofinanziamento", "co-financing"),
    "interest": ("interessi", "interests"),
    "keywords_all": ("parole obbligatorie", "required keywords"),
    "keywords_none": ("parole escluse", "excluded keywords"),
    "relevance": ("pertinenza", "relevance"),
}
"""Criterion names shown in traces: (Italian, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "feedback.excluded": (
        "esclusa: segnata come non pertinente{at_it}",
        "excluded: marked as not relevant{at_en}",
    ),
    "status.ok": ("{status_text}", "{status_text}"),
    "status.not_allowed": (
        "esclusa: il bando è {status} (ammessi: {allowed})",
        "excluded: the call is {status} (allowed: {allowed})",
    ),
    "status.unknown": (
        "il bando non ha date da cui ricavare lo stato",
        "the call has no dates to tell its status",
    ),
    "lead_time.ok": (
        "scadenza {deadline}, tra {days} giorni (minimo {min})",
        "deadline {deadline}, {days} days away (at least {min} wanted)",
    ),
    "lead_time.short": (
        "esclusa: la scadenza {deadline} è tra {days} giorni, meno dei {min} necessari",
        "excluded: the deadline {deadline} is {days} days away, less than the {min} needed",
    ),
    "lead_time.past": (
        "esclusa: la scadenza {deadline} è passata",
        "excluded: the deadline {deadline} has passed",
    ),
    "lead_time.rolling": (
        "bando a sportello, senza scadenza",
        "rolling call, no deadline",
    ),
    "lead_time.no_deadline": (
        "il bando non indica una scadenza",
        "the call states no deadline",
    ),
    "call_type.ok": ("«{type}», non escluso", "'{type}', not excluded"),
    "call_type.none": ("non indicato", "not stated"),
    "call_type.excluded": (
        "esclusa: bando di tipo «{type}», escluso dal profilo",
        "excluded: a call of type '{type}', which the profile leaves out",
    ),
    "territory.covers": (
        "il bando copre {call}, che comprende {org}",
        "the call covers {call}, which contains {org}",
    ),
    "territory.outside": (
        "esclusa: il bando è per {call}, {which_it} {org}",
        "excluded: the call is for {call}, {which_en} {org}",
    ),
    "territory.unknown": (
        "il bando non indica un territorio riconosciuto{raw_it}",
        "the call names no territory we recognise{raw_en}",
    ),
    "audience.open": (
        "aperto a {audience}, che comprende {org}",
        "open to {audience}, which includes {org}",
    ),
    "audience.only": (
        "esclusa: possono partecipare solo {audiences} ({org} no)",
        "excluded: only {audiences} may apply (not {org})",
    ),
    "audience.unknown": (
        "il bando non dice chi può partecipare{raw_it}",
        "the call does not say who may apply{raw_en}",
    ),
    "grant_size.ok": (
        "importo compatibile ({range})",
        "grant size fits ({range})",
    ),
    "grant_size.small": (
        "esclusa: contributi fino a {high}, sotto il minimo di {want_min}",
        "excluded: grants up to {high}, below the minimum of {want_min}",
    ),
    "grant_size.large": (
        "esclusa: contributi da {low}, sopra il massimo di {want_max}",
        "excluded: grants from {low}, above the maximum of {want_max}",
    ),
    "grant_size.total_small": (
        "esclusa: l'intera dotazione ({total}) è sotto il minimo di {want_min}",
        "excluded: the whole budget ({total}) is below the minimum of {want_min}",
    ),
    "grant_size.unknown": (
        "il bando non indica l'importo dei contributi",
        "the call states no grant size",
    ),
    "cofinancing.ok": (
        "il bando finanzia il {rate} dei costi; quota propria {own} (massimo {max})",
        "the call funds {rate} of costs; own share {own} (at most {max})",
    ),
    "cofinancing.too_high": (
        "esclusa: quota di cofinanziamento {own}, oltre il massimo di {max}",
        "excluded: own co-financing share {own}, above the maximum of {max}",
    ),
    "cofinancing.unknown": (
        "il bando non indica la quota di cofinanziamento",
        "the call states no co-financing rate",
    ),
    "interest.unrestricted": (
        "il profilo non pone interessi: ogni bando ammesso è pertinente",
        "the profile names no interests: every eligible call is relevant",
    ),
    "interest.programme": (
        "programma «{want}»: {label}",
        "programme '{want}': {label}",
    ),
    "interest.fund": ("fondo {fund}", "fund {fund}"),
    "interest.theme": ("tema «{term}» {where}", "theme '{term}' {where}"),
    "interest.keyword": ("parola chiave «{term}» {where}", "keyword '{term}' {where}"),
    "interest.phrase": ("frase «{term}» {where}", "phrase '{term}' {where}"),
    "interest.none": (
        "esclusa: nessun programma, fondo, tema o parola chiave del profilo",
        "excluded: none of the profile's programmes, funds, themes or keywords",
    ),
    "keywords_all.present": (
        "presenti tutte: {terms}",
        "all present: {terms}",
    ),
    "keywords_all.missing": (
        "esclusa: mancano {terms}",
        "excluded: missing {terms}",
    ),
    "keywords_none.absent": (
        "nessuna di {terms}",
        "none of {terms}",
    ),
    "keywords_none.found": (
        "esclusa: compare «{term}» {where}",
        "excluded: mentions '{term}' {where}",
    ),
    "relevance.score": (
        "punteggio {score} (minimo {min})",
        "score {score} (minimum {min})",
    ),
    "relevance.fewer": (
        "−{penalty}: avete chiesto meno bandi come «{term}» ({where})",
        "−{penalty}: you asked for fewer calls like '{term}' ({where})",
    ),
}
"""Message templates by reason code: (Italian, English)."""

WHERE: dict[str, tuple[str, str]] = {
    "title": ("nel titolo", "in the title"),
    "summary": ("nella descrizione", "in the summary"),
    "keywords": ("nelle parole chiave", "in the keywords"),
    "themes": ("nei temi", "in the themes"),
}
STATUS: dict[str, tuple[str, str]] = {
    "open": ("aperto", "open"),
    "forthcoming": ("in apertura", "forthcoming"),
    "closed": ("chiuso", "closed"),
    "unknown": ("sconosciuto", "unknown"),
}
