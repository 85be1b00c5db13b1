"""Digests, feeds and delivery: what readers actually receive.

    matches + events + source health ─> build (pure) ─> render (jinja2, it/en) ─> mail (MIME)
        ─> outbox (store.outbox) ─> deliver (SMTP or .eml files, exactly once to the reader)
    events of matched calls ─> feeds (Atom, RSS) and ics (iCalendar) ─> feed folder / web

`fundwatch.digest.publish.publish(config, store, now, matcher=...)` is the one call after a
run; `fundwatch.digest.matching.default_matcher(config)` is the rules engine as a matcher.
`build`, `render`, `feeds` and `ics` are pure and import neither the store nor the network;
this package's modules are imported one by one (nothing is re-exported here) to keep it so.
"""
