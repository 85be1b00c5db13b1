"""The polite client: retries, Retry-After, conditional GET, per-host pacing, robots.txt,
the outbound proxy."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest
import respx

from fundwatch.errors import FetchError, ParseError
from fundwatch.http import HttpClient, HttpSettings


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def _client(clock: FakeClock, **kw: object) -> HttpClient:
    settings = HttpSettings(contact="ops@example.org", backoff=1.0, **kw)  # type: ignore[arg-type]
    return HttpClient(settings, sleep=clock.sleep, monotonic=clock.monotonic)


@respx.mock
def test_user_agent_carries_contact() -> None:
    route = respx.get("https://a.example/x").respond(200, text="ok")
    with _client(FakeClock(), respect_robots=False) as c:
        c.get("https://a.example/x")
    ua = route.calls.last.request.headers["user-agent"]
    assert ua.startswith("fundwatch/") and "mailto:ops@example.org" in ua


@respx.mock
def test_retries_5xx_with_exponential_backoff_then_succeeds() -> None:
    respx.get("https://a.example/x").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json=[1])]
    )
    clock = FakeClock()
    with _client(clock, respect_robots=False, min_interval=0) as c:
        assert c.get("https://a.example/x").json() == [1]
    assert clock.slept == [1.0, 2.0]


@respx.mock
@pytest.mark.parametrize("code", [500, 504, 520, 524])
def test_every_5xx_is_retried(code: int) -> None:
    respx.get("https://a.example/x").mock(side_effect=[httpx.Response(code), httpx.Response(200)])
    clock = FakeClock()
    with _client(clock, respect_robots=False, min_interval=0) as c:
        assert c.get("https://a.example/x").status == 200
    assert clock.slept == [1.0]


@respx.mock
def test_honours_retry_after_on_429() -> None:
    respx.get("https://a.example/x").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)]
    )
    clock = FakeClock()
    with _client(clock, respect_robots=False, min_interval=0) as c:
        c.get("https://a.example/x")
    assert clock.slept == [7.0]


@respx.mock
def test_gives_up_with_a_fetch_error_naming_the_url() -> None:
    respx.get("https://a.example/x").respond(500)
    with _client(FakeClock(), respect_robots=False, retries=2) as c, pytest.raises(FetchError) as e:
        c.get("https://a.example/x")
    assert str(e.value) == "HTTP 500 after 3 attempts (https://a.example/x)"


@respx.mock
def test_timeouts_are_retried_then_reported() -> None:
    route = respx.get("https://a.example/x").mock(side_effect=httpx.ConnectTimeout("slow"))
    with _client(FakeClock(), respect_robots=False, retries=1) as c, pytest.raises(FetchError) as e:
        c.get("https://a.example/x")
    assert route.call_count == 2
    assert "ConnectTimeout" in str(e.value)


class _BrokenStream(httpx.SyncByteStream):
    """A body that breaks off after its first chunk, as a dropped connection does."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"partial": '
        raise httpx.ReadError("connection reset")


@respx.mock
def test_download_streams_the_body_into_the_sink_and_starts_over_on_retry() -> None:
    respx.get("https://a.example/big.json").mock(
        side_effect=[
            httpx.Response(200, stream=_BrokenStream()),
            httpx.Response(503, text="busy"),
            httpx.Response(200, content=b'{"whole": true}'),
        ]
    )
    clock = FakeClock()
    sink = io.BytesIO()
    with _client(clock, respect_robots=False, min_interval=0) as c:
        resp = c.download("https://a.example/big.json", sink)
    assert (resp.status, resp.body, resp.url) == (200, b"", "https://a.example/big.json")
    assert sink.getvalue() == b'{"whole": true}'
    assert clock.slept == [1.0, 2.0]


@respx.mock
def test_download_failure_is_a_fetch_error_and_writes_no_error_page() -> None:
    respx.get("https://a.example/big.json").respond(404, text="<html>not found</html>")
    sink = io.BytesIO()
    with (
        _client(FakeClock(), respect_robots=False) as c,
        pytest.raises(FetchError, match="HTTP 404"),
    ):
        c.download("https://a.example/big.json", sink)
    assert sink.getvalue() == b""


@respx.mock
def test_client_errors_are_not_retried() -> None:
    route = respx.get("https://a.example/x").respond(404)
    with _client(FakeClock(), respect_robots=False) as c, pytest.raises(FetchError, match="404"):
        c.get("https://a.example/x")
    assert route.call_count == 1


@respx.mock
def test_conditional_get_sends_validators_and_serves_cached_body_on_304() -> None:
    route = respx.get("https://a.example/feed").mock(
        side_effect=[
            httpx.Response(
                200,
                content=b"<rss/>",
                headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Nov 2026 06:00:00 GMT"},
            ),
            httpx.Response(304),
        ]
    )
    with _client(FakeClock(), respect_robots=False, min_interval=0) as c:
        first = c.get("https://a.example/feed", conditional=True)
        second = c.get("https://a.example/feed", conditional=True)
    assert not first.not_modified and second.not_modified
    assert second.body == b"<rss/>"
    sent = route.calls.last.request.headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 02 Nov 2026 06:00:00 GMT"


@respx.mock
def test_one_request_per_interval_per_host() -> None:
    respx.get(url__regex=r"https://[ab]\.example/.*").respond(200)
    clock = FakeClock()
    with _client(clock, respect_robots=False, min_interval=1.0) as c:
        c.get("https://a.example/1")
        c.get("https://b.example/1")  # another host: no wait
        clock.t += 0.25
        c.get("https://a.example/2")
    assert clock.slept == [pytest.approx(0.75)]


@respx.mock
def test_robots_txt_is_respected_and_fetched_once_per_host() -> None:
    robots = respx.get("https://a.example/robots.txt").respond(
        200, text="User-agent: *\nDisallow: /private\n"
    )
    respx.get("https://a.example/public").respond(200)
    with _client(FakeClock(), min_interval=0) as c:
        c.get("https://a.example/public")
        with pytest.raises(FetchError, match=r"robots\.txt"):
            c.get("https://a.example/private/x")
    assert robots.call_count == 1


@respx.mock
@pytest.mark.parametrize("code", [404, 403])
def test_a_missing_or_forbidden_robots_txt_allows_everything(code: int) -> None:
    respx.get("https://a.example/robots.txt").respond(code)
    respx.get("https://a.example/x").respond(200)
    with _client(FakeClock(), min_interval=0) as c:
        assert c.get("https://a.example/x").status == 200


@respx.mock
@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (httpx.Response(503), "HTTP 503 after 3 attempts"),
        (httpx.Response(429), "HTTP 429 after 3 attempts"),
        (httpx.ConnectError("refused"), "ConnectError: refused after 3 attempts"),
    ],
)
def test_a_robots_txt_the_server_cannot_give_keeps_the_client_out(
    answer: httpx.Response | Exception, problem: str
) -> None:
    """RFC 9309: a robots.txt that cannot be read (after the retries) means complete disallow;
    the host is not asked again for the rest of the run."""
    robots = respx.get("https://a.example/robots.txt").mock(side_effect=[answer] * 3)
    page = respx.get("https://a.example/x").respond(200)
    clock = FakeClock()
    with _client(clock, min_interval=0, retries=2) as c:
        for _ in range(2):
            with pytest.raises(FetchError) as e:
                c.get("https://a.example/x")
            assert str(e.value) == (
                f"robots.txt not readable ({problem}): the host is left alone (https://a.example/x)"
            )
    assert robots.call_count == 3 and not page.called
    assert clock.slept == [1.0, 2.0]


@respx.mock
def test_robots_txt_is_retried_before_giving_up() -> None:
    respx.get("https://a.example/robots.txt").mock(
        side_effect=[httpx.Response(502), httpx.Response(200, text="User-agent: *\nAllow: /\n")]
    )
    respx.get("https://a.example/x").respond(200)
    with _client(FakeClock(), min_interval=0) as c:
        assert c.get("https://a.example/x").status == 200


@respx.mock
def test_host_overrides_send_requests_elsewhere_but_report_the_real_url() -> None:
    route = respx.get("http://127.0.0.1:9/mirror/a.example/x?page=2").respond(200)
    with _client(
        FakeClock(),
        respect_robots=False,
        min_interval=0,
        host_overrides={"a.example": "http://127.0.0.1:9/mirror/a.example"},
    ) as c:
        resp = c.get("https://a.example/x", params={"page": 2})
    assert route.called
    assert resp.url == "https://a.example/x?page=2"


@respx.mock
def test_bad_json_is_a_parse_error_naming_the_url() -> None:
    respx.get("https://a.example/x").respond(200, text="<html>maintenance</html>")
    with _client(FakeClock(), respect_robots=False) as c:
        resp = c.get("https://a.example/x")
    with pytest.raises(ParseError, match=r"malformed JSON.*\(https://a.example/x\)"):
        resp.json()


def test_offline_mode_refuses_hosts_without_override() -> None:
    with (
        _client(
            FakeClock(),
            overridden_hosts_only=True,
            host_overrides={"a.example": "http://127.0.0.1:9/a"},
        ) as c,
        pytest.raises(FetchError, match=r"offline: no override for this host"),
    ):
        c.get("https://elsewhere.example/x")


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy on loopback that answers itself: it records the absolute URL each
    request names (what a client sends to a proxy) and serves a small JSON body."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        status, body = (404, b"") if self.path.endswith("/robots.txt") else (200, b'{"ok": 1}')
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    _Proxy.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Proxy.seen
    finally:
        server.shutdown()
        server.server_close()


def test_the_proxy_setting_sends_every_request_through_the_proxy(
    proxy: tuple[str, list[str]],
) -> None:
    """incentivi.gov.it refuses some datacenter networks: with `proxy` set, robots.txt and the
    request itself go to the proxy."""
    address, seen = proxy
    url = "http://incentivi.invalid/solr/coredrupal/select"  # no such host: only the proxy answers
    with _client(FakeClock(), min_interval=0, proxy=address) as c:
        resp = c.get(url, params={"q": "index_id:incentivi", "rows": 1})
    assert resp.json() == {"ok": 1}
    assert seen == [
        "http://incentivi.invalid/robots.txt",
        f"{url}?q=index_id%3Aincentivi&rows=1",
    ]
