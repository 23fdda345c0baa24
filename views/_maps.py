"""Maps that work on a government intranet: no tile server is needed.

Without a tile URL the map has a plain background and only orgnet's own layers (buildings,
service sites with their radius circles); with one (``ORGNET_TILE_URL`` or the app's setting, an
XYZ template such as ``http://tiles.intranet/{z}/{x}/{y}.png``) the tiles are drawn underneath.
"""
from __future__ import annotations

import json
import math
from urllib.parse import quote
from typing import Any

import pydeck as pdk

OK = [39, 174, 96, 200]
GAP = [192, 57, 43, 230]
SITE = [211, 84, 0, 255]


def map_style(tile_url: str = "") -> str:
    """A MapLibre style as a ``data:`` URL: background only, or the given raster tiles.

    A URL rather than a style object because Streamlit's map component calls string methods on
    the style; a ``data:`` URL needs no server and no network.
    """
    style: dict[str, Any] = {"version": 8, "sources": {},
                             "layers": [{"id": "background", "type": "background",
                                         "paint": {"background-color": "#f3f1ec"}}]}
    if tile_url:
        style["sources"]["tiles"] = {"type": "raster", "tiles": [tile_url], "tileSize": 256}
        style["layers"].append({"id": "tiles", "type": "raster", "source": "tiles"})
    return "data:application/json;charset=utf-8," + quote(json.dumps(style, separators=(",", ":")))


def view(points: list[dict]) -> pdk.ViewState:
    lats = [p["lat"] for p in points if p.get("lat") is not None]
    lons = [p["lon"] for p in points if p.get("lon") is not None]
    if not lats:
        return pdk.ViewState(latitude=35.0, longitude=105.0, zoom=3)
    span = max(max(lats) - min(lats), max(lons) - min(lons), 0.03)  # at least a 15-minute circle across
    zoom = max(3, min(16, 9 - math.log2(span)))
    return pdk.ViewState(latitude=(min(lats) + max(lats)) / 2, longitude=(min(lons) + max(lons)) / 2, zoom=zoom)


def triangle(lat: float, lon: float, size_m: float = 45) -> list[list[float]]:
    """A small upward triangle around a point, as [lon, lat] corners: the service-site symbol,
    so a site never looks like a (round) building."""
    dlat = size_m / 111_320
    dlon = size_m / (111_320 * max(0.2, math.cos(math.radians(lat))))
    return [[lon, lat + dlat], [lon - dlon, lat - dlat * 0.6], [lon + dlon, lat - dlat * 0.6]]


# Radii are in metres, deck.gl's default. (pydeck turns any string argument into a JavaScript
# expression, so passing radius_units="meters" would break the layer.)
def deck(buildings: list[dict], sites: list[dict] | None = None, radius_m: float = 1000, tile_url: str = "",
         tooltip: str = "{tip}") -> pdk.Deck:
    """Buildings as circles — red with a dark ring where ``gap`` holds, small green dots otherwise,
    sized by ``count`` (gaps or households there) when given — and service sites as orange
    triangles with their ``radius_m`` circles. ``tip`` (text) is what hovering shows; it defaults
    to the name."""
    pts = []
    for b in buildings:
        if b.get("lat") is None:
            continue
        count = b.get("count") or 1
        pts.append(dict(b, color=GAP if b.get("gap") else OK, tip=b.get("tip") or b.get("name") or "",
                        size=(26 + 8 * min(count, 25) ** 0.5) if b.get("gap") else 14,
                        ring=[90, 20, 10, 255] if b.get("gap") else [39, 174, 96, 0]))
    # Gaps drawn last, on top of the green dots.
    pts.sort(key=lambda p: bool(p.get("gap")))
    site_rows = [dict(x, polygon=triangle(x["lat"], x["lon"]),
                      tip=x.get("tip") or f"{x.get('name')}（{x.get('kind') or '服务阵地'}）")
                 for x in (sites or []) if x.get("lat") is not None]
    layers = []
    if site_rows:
        layers.append(pdk.Layer("ScatterplotLayer", data=site_rows, id="circles", get_position="[lon, lat]",
                                get_radius=radius_m, filled=False, stroked=True,
                                get_line_color=[211, 84, 0, 160], get_line_width=1, line_width_min_pixels=1,
                                pickable=False))
    layers.append(pdk.Layer("ScatterplotLayer", data=pts, id="buildings", get_position="[lon, lat]",
                            get_fill_color="color", get_radius="size", radius_min_pixels=3, stroked=True,
                            get_line_color="ring", line_width_min_pixels=1, pickable=True))
    if site_rows:
        layers.append(pdk.Layer("PolygonLayer", data=site_rows, id="sites", get_polygon="polygon",
                                get_fill_color=SITE, get_line_color=[80, 30, 0, 255], line_width_min_pixels=1,
                                stroked=True, pickable=True))
    return pdk.Deck(layers=layers, initial_view_state=view(pts or site_rows), map_style=map_style(tile_url),
                    map_provider="carto", tooltip={"text": tooltip})


def legend(items: list[tuple[str, str, str]]) -> str:
    """A legend as HTML: (symbol, colour, text) with symbol ``gap`` | ``ok`` | ``site`` | ``circle``.

    Symbols are coloured characters, not SVG: ``st.html`` sanitises its HTML and drops SVG."""
    glyph = {"gap": ("●", 20), "ok": ("●", 11), "site": ("▲", 16), "circle": ("○", 20)}
    rows = "".join(f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
                   f'<span class="sym" style="color:{colour};font-size:{glyph[sym][1]}px;width:20px;'
                   f'text-align:center;line-height:1">{glyph[sym][0]}</span><span>{text}</span></div>'
                   for sym, colour, text in items)
    return f'<div class="orgnet-legend" style="font-size:14px;line-height:1.3">{rows}</div>'


def rgb(colour: list[int]) -> str:
    return "#%02x%02x%02x" % tuple(colour[:3])
