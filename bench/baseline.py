"""The analyst's notebook baseline (GeoPandas + Shapely + pyproj): nearest-mark Voronoi polygons
of the control marks, clipped to the region, dissolved by actor, km² in an equal-area projection.

  baseline.py snapshot DATA           the July 2017 snapshot marks over Syria + Iraq
  baseline.py series DATA FROM TO     a daily series: each day, every place's latest mark or
                                      dated change on or before it, Voronoi, clip, dissolve, km²
  baseline.py ukraine DIR             geodesic km² (pyproj.Geod) of each day's polygons

Prints CSV (date,actor,area_km2) on stdout and the wall time of the work on stderr.
"""
import csv
import datetime as dt
import glob
import os
import re
import sys
import time

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.ops import unary_union

# Lambert azimuthal equal-area centred on Syria + Iraq: areas within 0.1 % of geodesic there.
EQUAL_AREA = "+proj=laea +lat_0=34 +lon_0=41 +datum=WGS84 +units=m"


def region(data):
    world = gpd.read_file(os.path.join(data, "boundaries/ne_10m_admin_0_countries_mideast.geojson"))
    parts = world[world["iso_a3"].isin(["SYR", "IRQ"])].geometry.make_valid()
    return unary_union(list(parts))


def marks(data):
    """Snapshot marks: (lon, lat, actor), as data/control/marks.csv maps the icons."""
    table = list(csv.DictReader(open(os.path.join(data, "control/marks.csv"))))
    out = []
    for module in ("syria", "iraq"):
        prefixes = sorted(
            ((r["mark_prefix"], r["actor"]) for r in table if r["module"] == module),
            key=lambda x: -len(x[0]),
        )
        for r in csv.DictReader(open(os.path.join(data, f"control/wiki_{module}_2017.csv"))):
            actor = next((a for p, a in prefixes if r["mark"].startswith(p)), None)
            if actor:
                out.append((float(r["long"]), float(r["lat"]), actor))
    return out


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def changes(data):
    """Dated changes with coordinates: (date, lon, lat, new holder)."""
    out = []
    for r in csv.DictReader(open(os.path.join(data, "control/is_control_changes_2014_2017.csv"))):
        if r["lat"] and r["lon"] and r["new_controller"]:
            out.append((dt.date.fromisoformat(r["date"]), float(r["lon"]), float(r["lat"]), slug(r["new_controller"])))
    return out


def voronoi_km2(points, mask):
    """Voronoi of the points clipped to the mask, dissolved by actor: km² per actor."""
    # Marks beyond the region's box (one mark of the module has a longitude off by degrees)
    # would only stretch the diagram.
    x0, y0, x1, y1 = mask.bounds
    points = [p for p in points if x0 - 1 <= p[0] <= x1 + 1 and y0 - 1 <= p[1] <= y1 + 1]
    pts = gpd.GeoDataFrame(
        {"actor": [p[2] for p in points]},
        geometry=gpd.points_from_xy([p[0] for p in points], [p[1] for p in points]),
        crs="EPSG:4326",
    ).to_crs(EQUAL_AREA)
    pts = pts.drop_duplicates(subset="geometry")
    mask_ea = gpd.GeoSeries([mask], crs="EPSG:4326").to_crs(EQUAL_AREA).iloc[0]
    # A 10 m snapping tolerance: GEOS fails on marks a few metres apart.
    cells = shapely.voronoi_polygons(shapely.MultiPoint(list(pts.geometry)), tolerance=10.0, extend_to=shapely.box(*mask_ea.bounds))
    polys = gpd.GeoDataFrame(geometry=list(cells.geoms), crs=EQUAL_AREA)
    polys = gpd.sjoin(polys, pts, predicate="contains", how="inner")
    polys["geometry"] = polys.geometry.intersection(mask_ea)
    dissolved = polys.dissolve(by="actor")
    return {a: g.area / 1e6 for a, g in dissolved.geometry.items()}


def main():
    mode = sys.argv[1]
    rows = []
    if mode == "snapshot":
        data = sys.argv[2]
        t = time.perf_counter()
        for a, km2 in voronoi_km2(marks(data), region(data)).items():
            rows.append(("2017-07-20", a, km2))
    elif mode == "series":
        data, start, end = sys.argv[2], dt.date.fromisoformat(sys.argv[3]), dt.date.fromisoformat(sys.argv[4])
        t = time.perf_counter()
        mask = region(data)
        snap = marks(data)
        dated = sorted(changes(data))
        d = start
        while d <= end:
            # Every snapshot mark, plus the latest dated change on or before d at each spot
            # (changes grouped by coordinates rounded to 0.01°): an analyst's simple reading.
            latest = {}
            for cd, lon, lat, actor in dated:
                if cd <= d:
                    latest[(round(lon, 2), round(lat, 2))] = (lon, lat, actor)
            pts = list(latest.values()) + snap
            for a, km2 in voronoi_km2(pts, mask).items():
                rows.append((d.isoformat(), a, km2))
            d += dt.timedelta(days=1)
    elif mode == "ukraine":
        folder = sys.argv[2]
        t = time.perf_counter()
        geod = pyproj.Geod(ellps="WGS84")
        for f in sorted(glob.glob(os.path.join(folder, "*_????????.geojson*"))):
            day = re.search(r"_(\d{8})\.geojson", f).group(1)
            g = gpd.read_file(f)
            shape = unary_union(list(g.geometry.make_valid()))
            rows.append((f"{day[:4]}-{day[4:6]}-{day[6:]}", "occupied", abs(geod.geometry_area_perimeter(shape)[0]) / 1e6))
    else:
        sys.exit(f"unknown mode {mode}")
    elapsed = time.perf_counter() - t
    w = csv.writer(sys.stdout)
    w.writerow(["date", "actor", "area_km2"])
    for r in rows:
        w.writerow([r[0], r[1], f"{r[2]:.1f}"])
    print(f"baseline {mode}: {elapsed:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
