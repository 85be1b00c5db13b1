"""The HTML digest in a real browser (headless Chromium): layout measured, screenshot checked.

A wrapper page shows the digest twice, in a 375 px "phone" frame and a 1024 px "desktop"
frame. A first load measures the layout from the DOM (the frames' documents are same-origin
`srcdoc`s); a second load takes a screenshot, whose pixels are checked where the measurements
say the masthead, the text and the background are.

Chromium is needed: `apt-get install chromium`. Outside CI the test is skipped when it is
missing; in CI (CI=true) a missing browser is a failure.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from fundwatch.digest.build import Match
from fundwatch.digest.links import Links
from fundwatch.digest.options import options_for
from fundwatch.digest.render import render
from fundwatch.digest.tokens import Signer
from tests.digest.calls import EVIL_TITLE, INSEDIAMENTO, NOW, POW, evil
from tests.digest.conftest import SECRET, T0, torino
from tests.digest.png import Image, read_png
from tests.digest.samples import MATCHES, sample_digest

BROWSER = next(
    (shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
    None,
)

pytestmark = pytest.mark.skipif(
    BROWSER is None and not os.environ.get("CI"),
    reason="headless Chromium not installed (apt-get install chromium); CI runs this test",
)

MASTHEAD = (0x12, 0x3F, 0x6E)
BACKGROUND = (0xEE, 0xF1, 0xF5)
PHONE, DESKTOP, GAP = 375, 1024, 25

_MEASURE = """
<script>
window.addEventListener("load", () => {
  const box = (el) => { if (!el) return null; const b = el.getBoundingClientRect();
                        return [b.left, b.top, b.width, b.height]; };
  const out = {};
  for (const id of ["phone", "desktop"]) {
    const d = document.getElementById(id).contentDocument;
    out[id] = {
      scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth,
      height: d.documentElement.scrollHeight,
      masthead: box(d.getElementById("masthead")),
      sections: [...d.querySelectorAll("[id^=section-]")].map((e) => [e.id, box(e)]),
      health: box(d.getElementById("health")), footer: box(d.getElementById("footer")),
      scripts: d.scripts.length, images: d.images.length,
      h1: d.querySelector("h1").textContent,
      h3: [...d.querySelectorAll("h3")].map((e) => e.textContent),
      fontSize: getComputedStyle(d.body).fontSize,
    };
  }
  document.body.setAttribute("data-measure", JSON.stringify(out));
});
</script>"""


def _wrapper(digest_html: str, height: int, measure: bool) -> str:
    doc = html.escape(digest_html, quote=True)
    frame = "position:absolute;top:0;border:0;height:{h}px;width:{w}px;left:{x}px"
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body style="margin:0;background:#ffffff">'
        f'<iframe id="phone" style="{frame.format(h=height, w=PHONE, x=0)}" srcdoc="{doc}">'
        "</iframe>"
        f'<iframe id="desktop" style="{frame.format(h=height, w=DESKTOP, x=PHONE + GAP)}" '
        f'srcdoc="{doc}"></iframe>' + (_MEASURE if measure else "") + "</body></html>"
    )


def _chromium(tmp: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None, "CI must have Chromium (apt-get install chromium)"
    return subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp / 'profile'}",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _measure(tmp: Path, digest_html: str) -> dict[str, Any]:
    page = tmp / "measure.html"
    page.write_text(_wrapper(digest_html, 100, measure=True), encoding="utf-8")
    dom = _chromium(tmp, page, f"--window-size={PHONE + GAP + DESKTOP},800", "--dump-dom")
    found = re.search(r'data-measure="([^"]*)"', dom.stdout)
    assert found, dom.stdout[:500]
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


def _screenshot(tmp: Path, digest_html: str, height: int) -> Image:
    page, png = tmp / "shot.html", tmp / "shot.png"
    page.write_text(_wrapper(digest_html, height, measure=False), encoding="utf-8")
    _chromium(tmp, page, f"--window-size={PHONE + GAP + DESKTOP},{height}", f"--screenshot={png}")
    return read_png(png.read_bytes())


def _near(pixel: tuple[int, int, int], colour: tuple[int, int, int], tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def _dark(pixels: list[tuple[int, int, int]]) -> int:
    return sum(1 for r, g, b in pixels if r + g + b < 3 * 110)


def test_digest_renders_in_a_browser_on_phone_and_desktop(tmp_path: Path) -> None:
    matches = [*MATCHES, Match(evil(POW), 99, NOW.replace(hour=2))]
    digest = sample_digest(options_for(torino()), matches)
    links = Links("https://fundwatch.example.org", Signer(SECRET.encode()))
    page = render(digest, links, "giunta@example.org").html

    m = _measure(tmp_path, page)
    phone, desktop = m["phone"], m["desktop"]
    for frame, width in ((phone, PHONE), (desktop, DESKTOP)):
        assert frame["scrollWidth"] <= width, "content wider than the screen: horizontal scroll"
        assert frame["h1"] == "Bandi per Comune di Torino"
        assert [s[0] for s in frame["sections"]] == [
            "section-new",
            "section-changed",
            "section-closed",
        ]
        assert frame["h3"][:2] == [EVIL_TITLE, INSEDIAMENTO.title]  # markup shown as text
        assert (frame["scripts"], frame["images"]) == (0, 0)  # no element came from a title
        assert frame["fontSize"] == "16px"
        tops = [
            frame["masthead"][1],
            *(s[1][1] for s in frame["sections"]),
            frame["health"][1],
            frame["footer"][1],
        ]
        assert tops == sorted(tops)  # masthead, sections, health, footer: in reading order
    # phone: the card fills the screen but for the outer padding; desktop: a centred 640 column
    assert phone["masthead"][0] == 8 and phone["masthead"][2] == PHONE - 16
    assert desktop["masthead"][0] == (DESKTOP - 640) / 2 and desktop["masthead"][2] == 640
    assert 2000 < phone["height"] < 12000 and desktop["height"] < phone["height"]

    height = int(max(phone["height"], desktop["height"]))
    shot = _screenshot(tmp_path, page, height)
    assert (shot.width, shot.height) == (PHONE + GAP + DESKTOP, height)
    for frame, offset in ((phone, 0), (desktop, PHONE + GAP)):
        left, top, width, tall = (int(v) for v in frame["masthead"])
        left += offset
        # the masthead band is there, in its colour, across the card
        band = shot.region(left + 2, top + 2, width - 4, 4)
        assert sum(_near(p, MASTHEAD) for p in band) > 0.6 * len(band)
        # outside the card: the page background
        assert _near(shot.pixel(offset + 3, top + tall // 2), BACKGROUND)
        # text was drawn in every section (dark pixels where the DOM says the section is)
        for name, (sx, sy, sw, sh) in frame["sections"]:
            area = shot.region(int(sx) + offset, int(sy), int(sw), int(sh))
            assert _dark(area) > 0.02 * len(area), f"{name} looks blank"
    assert _near(shot.pixel(PHONE + 5, 50), (255, 255, 255))  # the gap between the frames
    assert (
        len({shot.pixel(x, y) for x in range(0, shot.width, 7) for y in range(0, shot.height, 29)})
        > 20
    )


def test_phone_frame_width_is_really_375(tmp_path: Path) -> None:
    page = render(
        sample_digest(options_for(torino()), [Match(INSEDIAMENTO, 6, T0)], []),
        Links("https://fundwatch.example.org", Signer(SECRET.encode())),
        None,
    ).html
    m = _measure(tmp_path, page)
    assert m["phone"]["clientWidth"] == PHONE and m["desktop"]["clientWidth"] == DESKTOP
