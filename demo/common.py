"""What every part of the demo generator shares: the rule ids and default parameters, the fixed
dates, exact integer apportionment, distances on the sphere and the site index, small text helpers,
the in-memory records of a generated county, and ``Generated`` (what ``generate`` returns)."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


RULE_IDS = ("R01", "R02", "R03A", "R03B", "R04A", "R04B", "R05A", "R05B", "R06", "R07", "R08", "R09",
            "R10A", "R10B", "R11A", "R11B", "R12", "R13", "R14A", "R14B", "R15", "R16", "R17A", "R17B")
#: the default parameters of docs/coverage-rules.md
PARAMS = {"max_households": 300, "min_households": 1000, "min_links": 1, "max_links": 2, "radius_m": 1000}
EARTH_RADIUS_M = 6_371_000.0
#: fixed workbook timestamps, so the same profile, scale and seed give byte-identical files
FIXED_TIME = dt.datetime(2024, 1, 1, 8, 0, 0)
TODAY = dt.date(2024, 6, 30)


# --- small helpers ------------------------------------------------------------------------------
def apportion(total: int, weights: Sequence[float], minimum: int | Sequence[int] = 0,
              caps: Sequence[int] | None = None) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), each at least
    ``minimum`` and at most its cap. Exact: the result always sums to ``total``."""
    n = len(weights)
    if n == 0:
        if total:
            raise ValueError("nothing to apportion to")
        return []
    mins = [minimum] * n if isinstance(minimum, int) else list(minimum)
    caps_ = [10 ** 12] * n if caps is None else list(caps)
    if sum(mins) > total or sum(caps_) < total:
        raise ValueError(f"cannot apportion {total} with minimums {sum(mins)} and caps {sum(caps_)}")
    out = list(mins)
    rest = total - sum(mins)
    free = [i for i in range(n) if out[i] < caps_[i]]
    while rest > 0:
        w = [max(weights[i], 1e-9) for i in free]
        sw = sum(w)
        shares = [rest * x / sw for x in w]
        add = [min(int(s), caps_[i] - out[i]) for s, i in zip(shares, free)]
        for a, i in zip(add, free):
            out[i] += a
        given = sum(add)
        if given < rest:
            order = sorted(range(len(free)), key=lambda k: (-(shares[k] - int(shares[k])), k))
            left = rest - given
            for k in order:
                i = free[k]
                if left == 0:
                    break
                if out[i] < caps_[i] and add[k] == int(shares[k]):
                    out[i] += 1
                    left -= 1
            given = rest - left
        rest -= given
        free = [i for i in free if out[i] < caps_[i]]
        if rest and not free:
            raise ValueError("caps exhausted")
    return out


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on a sphere of radius 6 371 000 m (as rule R15)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin(math.radians(lat2 - lat1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


class SiteIndex:
    """Service sites sorted by latitude: "is there a site within r metres" without an all-pairs scan.
    Exact: a site within r metres is within r / R radians of latitude."""

    def __init__(self, sites: Iterable[tuple[float, float]]):
        self.sites = sorted(sites)
        self.lats = [s[0] for s in self.sites]

    def nearest_within(self, lat: float, lon: float, radius_m: float) -> float | None:
        """Distance to the nearest site within ``radius_m``, or None."""
        import bisect

        dlat = math.degrees(radius_m / EARTH_RADIUS_M) + 1e-9
        lo, hi = bisect.bisect_left(self.lats, lat - dlat), bisect.bisect_right(self.lats, lat + dlat)
        best = None
        for s_lat, s_lon in self.sites[lo:hi]:
            d = haversine(lat, lon, s_lat, s_lon)
            if d <= radius_m and (best is None or d < best):
                best = d
        return best


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (lat + north_m / 111_320.0, lon + east_m / (111_320.0 * math.cos(math.radians(lat))))


CN_DIGITS = "零一二三四五六七八九十"


def _cn_number(n: int) -> str:
    if n >= 1000:
        return str(n)
    if n >= 100:  # a city (scale 50) has more than 99 of some bodies: 一百零五, 一百二十
        hundreds, rest = divmod(n, 100)
        tail = "" if not rest else ("零" + CN_DIGITS[rest] if rest < 10 else
                                    (_cn_number(rest) if rest >= 20 else "一" + _cn_number(rest)))
        return _cn_number(hundreds) + "百" + tail
    if n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n - 10] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CN_DIGITS[tens] + "十" + (CN_DIGITS[ones] if ones else "")


def _d(x: dt.date | None) -> str:
    return x.isoformat() if x else ""


def _b(x: bool | None) -> str:
    return "" if x is None else ("是" if x else "否")


# --- the generated county, in memory ------------------------------------------------------------
class _Comm:
    __slots__ = ("i", "id", "name", "street", "weight", "lat", "lon", "new", "grids", "basic", "compounds",
                 "buildings", "org", "households", "road")


class _Grid:
    __slots__ = ("i", "id", "name", "level", "level_name", "comm", "parent", "basic", "h", "ft", "buildings",
                 "branch", "covers")


class _Compound:
    __slots__ = ("i", "id", "name", "kind", "comm", "buildings", "lat", "lon", "address", "built", "h", "branch",
                 "bodies", "company", "self_managed")


class _Bld:
    __slots__ = ("i", "id", "name", "address", "lat", "lon", "floors", "comm", "compound", "grid", "units", "h",
                 "group", "prefix")


class _Unit:
    __slots__ = ("i", "id", "name", "bld", "hh", "leader")


class _HH:
    __slots__ = ("i", "id", "address", "room", "unit", "bld", "special", "centre", "head", "phone", "residents",
                 "head_taken")


class _Person:
    __slots__ = ("i", "id", "name", "gender", "id_card", "phone", "birth", "member", "kind", "joined", "org", "work",
                 "post", "home", "head", "links", "quota")


@dataclass
class Generated:
    """What ``generate`` wrote."""

    profile: str
    seed: int
    scale: float
    fmt: str
    out_dir: Path
    #: the ledger files, to pass to ``loaders.engine.load``/``validate``
    paths: list[Path]
    manifest: Path
    #: rows per ledger (Chinese ledger name → rows)
    counts: dict[str, int]
    #: rule id → sorted ids of the planted violations (as in the manifest)
    rules: dict[str, list[str]]
    #: the figures reproduced (for reports and tests)
    figures: dict[str, int] = field(default_factory=dict)
