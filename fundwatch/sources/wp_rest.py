"""WordPress REST post types of regional agencies, configured entirely in ``sources.yaml``.

Sites: Lazio Innova (route ``bandi``), Sviluppo Toscana (``bando``), Basilicata Portale Bandi
(``avvisi-e-bandi``), Calabria Europa (route ``bando``, posts of type ``cem_procedure``) and any
other WordPress site that exposes its calls as a post type.
Endpoint: ``GET <base_url>/wp-json/wp/v2/<route>?<query>&per_page=N&page=P``; paged with the
``X-WP-TotalPages`` / ``X-WP-Total`` headers, and without them until an empty or short page
(a 400 past the last page ends the run too: that is how WordPress answers an out-of-range page).
Quirks handled: route and ``type`` differ; ``date`` is local time and ``date_gmt`` UTC, and they
disagree (``date_gmt`` wins when present); content may be empty or password-protected; a
payload may start with whitespace or a BOM; titles carry HTML entities; audiences and funds
may live only in ``class_list`` slugs (Lazio: ``tematiche-*``, ``destinatari-*``,
``tipologie-*``); no structured deadline, so Italian cue words in excerpt, content and title
give it ("entro le ore 17:00 del 24 giugno 2026"), with "a sportello" meaning rolling; one
listing mixes grants with procurement and auctions (Basilicata), which keyword rules mark.
An HTML page served with 200, a WordPress error object and broken JSON are ParseErrors naming
the URL; no posts where the last good run had many is ShapeChanged.
Fixtures: ``tests/fixtures/wp_rest/`` (Lazio Innova, Basilicata), with the shipped site
configurations in ``tests/fixtures/wp_rest/sites.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping

from fundwatch.errors import FetchError, ShapeChanged
from fundwatch.models import Call
from fundwatch.sources.base import FetchContext, Harvest, SourceKind
from fundwatch.sources.guards import check_shape
from fundwatch.sources.wp_rest_params import WpRestParams
from fundwatch.sources.wp_rest_parse import PageResult, posts_to_calls, read_page

__all__ = ["KIND", "WpRestParams", "fetch", "parse"]


def parse(raw: bytes, params: WpRestParams, source_id: str) -> list[Call]:
    """The calls in one recorded page of the post type's REST listing."""
    posts = read_page(raw, params.endpoint)
    result = posts_to_calls(posts, params, source_id)
    _check(result, None, params.endpoint)
    return result.calls


def fetch(params: WpRestParams, ctx: FetchContext) -> Harvest:
    """Read every page of the listing; stopping short (max_pages, a failed later page, fewer
    posts than X-WP-Total announced) gives an incomplete harvest, never a silent one."""
    total: PageResult = PageResult()
    calls: dict[str, Call] = {}
    notes: list[str] = []
    complete = True
    expected: int | None = None
    pages: int | None = None
    page = 1
    while True:
        query: dict[str, str | int] = {**params.query, "per_page": params.per_page, "page": page}
        try:
            response = ctx.client.get(params.endpoint, params=query, conditional=True)
        except FetchError as exc:
            if page == 1:
                raise
            if expected is None and str(exc).startswith("HTTP 400"):
                break  # WordPress: rest_post_invalid_page_number, the list ended on a full page
            notes.append(f"page {page} failed, run incomplete: {exc}")
            complete = False
            break
        ctx.save_raw(f"{params.route}_page{page}.json", response.body)
        result = posts_to_calls(read_page(response.body, response.url), params, ctx.source_id)
        _add(total, result)
        for call in result.calls:
            calls.setdefault(call.source_id, call)
        ctx.progress(f"{ctx.source_id}: page {page}, {total.found} posts")
        if page == 1:
            expected = _header_int(response.headers, "x-wp-total")
            pages = _header_int(response.headers, "x-wp-totalpages")
        more = page < pages if pages is not None else result.found >= params.per_page
        if not more:
            break
        if page >= params.max_pages:
            notes.append(f"stopped at max_pages={params.max_pages} with more pages announced")
            complete = False
            break
        page += 1

    _check(total, ctx.last_good_count, params.endpoint)
    if expected is not None and total.found < expected and complete:
        notes.append(f"X-WP-Total announced {expected} posts, {total.found} arrived")
        complete = False
    if total.skipped_types:
        notes.append(f"{total.skipped_types} posts of other types left out")
    if total.dropped:
        notes.append(f"{total.dropped} posts of dropped call types left out")
    return Harvest(calls=list(calls.values()), complete=complete, expected=expected, notes=notes)


def _check(result: PageResult, last_good_count: int | None, url: str) -> None:
    """The shared shape guards, plus one of this kind: posts that all have another type than
    the configured ones mean the site renamed its post type (Calabria's is not the route)."""
    check_shape(result.readable, result.found, last_good_count, url)
    if result.readable and result.skipped_types == result.readable:
        raise ShapeChanged(
            f"none of the {result.readable} posts has an accepted type (post_types)", url=url
        )


def _add(total: PageResult, page: PageResult) -> None:
    total.found += page.found
    total.readable += page.readable
    total.skipped_types += page.skipped_types
    total.dropped += page.dropped


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    for key, value in headers.items():
        if key.lower() == name:
            try:
                return int(value.strip())
            except ValueError:
                return None
    return None


KIND: SourceKind[WpRestParams] = SourceKind(
    name="wp_rest",
    description="WordPress REST post type of calls (Lazio Innova, Sviluppo Toscana, ...)",
    params=WpRestParams,
    fetch=fetch,
    parse=parse,
)
