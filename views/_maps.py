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


# Radii are in metres, deck.gl's default. (pydeck turns any string argument into a JavaScript
# expression, so passing radius_units="meters" would break the layer.)
def deck(buildings: list[dict], sites: list[dict] | None = None, radius_m: float = 1000, tile_url: str = "",
         tooltip: str = "{name}") -> pdk.Deck:
    """Buildings coloured by ``gap`` (True = red), service sites with circles of ``radius_m``."""
    pts = [dict(b, color=GAP if b.get("gap") else OK) for b in buildings if b.get("lat") is not None]
    layers = []
    if sites:
        layers.append(pdk.Layer("ScatterplotLayer", data=sites, id="circles", get_position="[lon, lat]",
                                get_radius=radius_m, filled=False, stroked=True,
                                get_line_color=[211, 84, 0, 200], get_line_width=1, line_width_min_pixels=2,
                                pickable=False))
    layers.append(pdk.Layer("ScatterplotLayer", data=pts, id="buildings", get_position="[lon, lat]",
                            get_fill_color="color", get_radius=18, radius_min_pixels=3,
                            pickable=True))
    if sites:
        layers.append(pdk.Layer("ScatterplotLayer", data=sites, id="sites", get_position="[lon, lat]",
                                get_fill_color=SITE, get_radius=30, radius_min_pixels=5,
                                pickable=True))
    return pdk.Deck(layers=layers, initial_view_state=view(pts or (sites or [])), map_style=map_style(tile_url),
                    map_provider="carto", tooltip={"text": tooltip})
