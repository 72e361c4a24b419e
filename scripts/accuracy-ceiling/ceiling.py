"""How well can *any* classifier place the snapshot's towns from the other marks?

An independent study (Python, scikit-learn) behind docs/estimation.md §6: every town mark of the
bundled Wikipedia snapshot is held out (leave-one-out for the neighbour votes, 10-fold for the
learned models; marks within 0.3 km of a held-out town go with it), predicted from the rest, and
scored as `frontline validate` scores it (either party of a shared or contested mark is right).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scipy scikit-learn
    /tmp/venv/bin/python scripts/accuracy-ceiling/ceiling.py

Reads data/control (the marks) and data/events (UCDP GED, for the event features). Took 7 min 49 s
on this 2-core machine. Not part of the tests: it measures the data, not Frontline.
"""

import csv
import gzip
import math
import os
from collections import Counter, defaultdict

import numpy as np
from scipy.spatial import cKDTree
from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.model_selection import KFold
from sklearn.svm import SVC

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")
FEATURES = {"base", "hill", "air", "heli", "naval", "oil", "industry"}


def load_marks():
    """The control marks of both modules: (lat, lon, actor, actor2, feature)."""
    marks = list(csv.DictReader(open(os.path.join(DATA, "control", "marks.csv"))))
    rows = []
    for module, name in [("syria", "wiki_syria_2017.csv"), ("iraq", "wiki_iraq_2017.csv")]:
        for r in csv.DictReader(open(os.path.join(DATA, "control", name))):
            best = None
            for m in marks:
                p = m["mark_prefix"]
                if m["module"] == module and (r["mark"] == p or r["mark"].startswith(p + "_")):
                    if best is None or len(p) > len(best["mark_prefix"]):
                        best = m
            if best is None:
                continue
            suffix = r["mark"][len(best["mark_prefix"]):].lstrip("_")
            if suffix and suffix not in FEATURES:
                continue
            try:
                lat, lon = float(r["lat"]), float(r["long"])
            except ValueError:
                continue
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                continue
            rows.append(dict(lat=lat, lon=lon, actor=best["actor"], actor2=best["actor2"] or None,
                             feat=suffix or "town"))
    return rows


def km(lat, lon):
    return [lon * 111.32 * math.cos(math.radians(34.5)), lat * 110.57]


ROWS = load_marks()
X = np.array([km(r["lat"], r["lon"]) for r in ROWS])
TOWNS = np.array([i for i, r in enumerate(ROWS) if r["feat"] == "town"])
ACTORS = sorted({r["actor"] for r in ROWS})
A = {a: i for i, a in enumerate(ACTORS)}
Y = np.array([A[r["actor"]] for r in ROWS])


def truth(i):
    return {ROWS[i]["actor"], ROWS[i]["actor2"]} - {None}


def report(name, predicted):
    """predicted: {town index: actor}."""
    ok, per = 0, defaultdict(lambda: [0, 0])
    for i in TOWNS:
        right = predicted[i] in truth(i)
        ok += right
        per[ROWS[i]["actor"]][0] += right
        per[ROWS[i]["actor"]][1] += 1
    worst = min(per.items(), key=lambda kv: kv[1][0] / kv[1][1])
    print(f"{name:44s} {100 * ok / len(TOWNS):6.2f} %   worst: {worst[0]} "
          f"{100 * worst[1][0] / worst[1][1]:.1f} %   hts {100 * per['hts'][0] / per['hts'][1]:.1f} %",
          flush=True)


def neighbour_studies():
    tree = cKDTree(X)
    dist, idx = tree.query(X[TOWNS], k=40)
    near = []
    for q in range(len(TOWNS)):
        keep = dist[q] > 0.3  # the town itself and marks drawn on it go with it
        near.append((dist[q][keep], idx[q][keep]))

    def vote(k, weight):
        out = {}
        for q, i in enumerate(TOWNS):
            d, ix = near[q]
            v = defaultdict(float)
            for r, (dd, j) in enumerate(zip(d[:k], ix[:k])):
                v[ROWS[j]["actor"]] += weight(dd, r)
                if ROWS[j]["actor2"]:
                    v[ROWS[j]["actor2"]] += 0.5 * weight(dd, r)
            out[i] = max(v.items(), key=lambda x: x[1])[0]
        return out

    for k in range(1, 10):
        report(f"k nearest, k = {k} (leave-one-out)", vote(k, lambda d, r: 1.0))
    for k in (4, 8, 12):
        report(f"k nearest weighted 1/d², k = {k}", vote(k, lambda d, r: 1 / (d + 0.5) ** 2))
    for k in (1, 3, 6, 12):
        hit = sum(any(ROWS[j]["actor"] in truth(i) or ROWS[j]["actor2"] in truth(i)
                      for j in near[q][1][:k]) for q, i in enumerate(TOWNS))
        print(f"{'oracle: the truth is among the ' + str(k) + ' nearest':44s} {100 * hit / len(TOWNS):6.2f} %")


def events():
    """UCDP GED events of 2016–2017 located to the place or near it, by dyad kind."""
    kinds = {"Government of Syria - Syrian insurgents": 0, "IS - SDF": 1,
             "Government of Syria - IS": 2, "Government of Iraq - IS": 3}
    pts, cat = [], []
    path = os.path.join(DATA, "events", "ucdp_ged_syria_iraq_2003_2019_yearonly.csv.gz")
    for r in csv.DictReader(gzip.open(path, "rt")):
        if r["year"] in ("2016", "2017") and r["where_prec"] in ("1", "2"):
            d = r["dyad_name"]
            pts.append(km(float(r["latitude"]), float(r["longitude"])))
            cat.append(kinds.get(d, 4 if "HTS" in d or "Fateh" in d else 5))
    return cKDTree(np.array(pts)), np.array(cat)


def neighbourhood_features(q_xy, train, with_events):
    tree = cKDTree(X[train])
    d, ix = tree.query(q_xy, k=31)
    feats = []
    for q in range(len(q_xy)):
        keep = d[q] > 0.3
        dd, ii = d[q][keep][:24], train[ix[q][keep]][:24]
        f = []
        for k in (1, 3, 6, 12, 24):
            v = np.zeros(len(ACTORS))
            for j in ii[:k]:
                v[A[ROWS[j]["actor"]]] += 1
                if ROWS[j]["actor2"]:
                    v[A[ROWS[j]["actor2"]]] += 0.5
            f += list(v / k)
        nearest = np.full(len(ACTORS), 50.0)
        for di, j in zip(dd, ii):
            nearest[A[ROWS[j]["actor"]]] = min(nearest[A[ROWS[j]["actor"]]], di)
        f += list(np.log1p(nearest))
        if with_events:
            etree, ecat = with_events
            for radius in (1.0, 3.0, 8.0):
                c = np.zeros(6)
                for j in etree.query_ball_point(q_xy[q], radius):
                    c[ecat[j]] += 1
                f += list(np.log1p(c))
        f += [dd[0], q_xy[q][0] / 100, q_xy[q][1] / 100]
        feats.append(f)
    return np.array(feats)


def learned_studies():
    ev = events()
    models = [
        ("SVM (RBF, C = 100, γ = 0.01) on position", lambda: SVC(C=100, gamma=0.01), None),
        ("random forest on position", lambda: RandomForestClassifier(300, n_jobs=2, random_state=0), None),
        ("extra trees on position", lambda: ExtraTreesClassifier(300, n_jobs=2, random_state=0), None),
        ("boosted trees on neighbourhood votes", lambda: HistGradientBoostingClassifier(random_state=0), "nb"),
        ("… plus UCDP 2016–17 events nearby", lambda: HistGradientBoostingClassifier(random_state=0), "ev"),
    ]
    for name, make, kind in models:
        predicted = {}
        for _, te in KFold(10, shuffle=True, random_state=0).split(TOWNS):
            test = TOWNS[te]
            d, _ = cKDTree(X[test]).query(X, k=1)
            train = np.where(d > 0.3)[0]
            m = make()
            if kind is None:
                m.fit(X[train], Y[train])
                p = m.predict(X[test])
            else:
                extra = ev if kind == "ev" else None
                towns_train = np.array([i for i in train if ROWS[i]["feat"] == "town"])
                m.fit(neighbourhood_features(X[towns_train], train, extra), Y[towns_train])
                p = m.predict(neighbourhood_features(X[test], train, extra))
            predicted.update({i: ACTORS[a] for i, a in zip(test, p)})
        report(name + " (10-fold)", predicted)


if __name__ == "__main__":
    print(f"{len(TOWNS)} town marks of {len(ROWS)} control marks;",
          dict(Counter(ROWS[i]["actor"] for i in TOWNS)))
    neighbour_studies()
    learned_studies()
