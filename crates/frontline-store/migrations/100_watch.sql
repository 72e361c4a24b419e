-- Watches and the alerts they fired (frontline watch add / check). Numbered 100 so that it never
-- collides with the store's own sequence; the runner applies every migration not yet recorded.
-- Append-only like everything else: a check is a new row, an alert is inserted once per
-- (watch, key) and never changed.

CREATE TABLE watches (
    id INTEGER PRIMARY KEY,
    -- The area of interest as the user named it (code or name), resolved at each check.
    aoi TEXT NOT NULL,
    trigger TEXT NOT NULL CHECK (trigger IN ('control-change', 'activity-spike')),
    -- Rule parameters (JSON), e.g. {"min_pct_points": 1.0} or {"window_days": 14}.
    params TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (aoi, trigger, params)
);

CREATE TABLE watch_checks (
    id INTEGER PRIMARY KEY,
    watch_id INTEGER NOT NULL REFERENCES watches (id),
    -- The date the area was evaluated for, and the "known on" time used, if any.
    date TEXT NOT NULL,
    known_on TEXT,
    checked_at TEXT NOT NULL,
    -- What the next check compares against (JSON; the shares for control-change).
    state TEXT NOT NULL
);
CREATE INDEX watch_checks_by_watch ON watch_checks (watch_id, id);

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    watch_id INTEGER NOT NULL REFERENCES watches (id),
    -- Stable identity of the situation (see frontline_core::analysis::watch): fires once.
    key TEXT NOT NULL,
    trigger TEXT NOT NULL,
    date TEXT NOT NULL,
    message TEXT NOT NULL,
    fired_at TEXT NOT NULL,
    check_id INTEGER NOT NULL REFERENCES watch_checks (id),
    UNIQUE (watch_id, key)
);

CREATE TRIGGER watches_no_update BEFORE UPDATE ON watches BEGIN SELECT RAISE(ABORT, 'watches are append-only'); END;
CREATE TRIGGER watches_no_delete BEFORE DELETE ON watches BEGIN SELECT RAISE(ABORT, 'watches are append-only'); END;
CREATE TRIGGER watch_checks_no_update BEFORE UPDATE ON watch_checks BEGIN SELECT RAISE(ABORT, 'watch checks are append-only'); END;
CREATE TRIGGER watch_checks_no_delete BEFORE DELETE ON watch_checks BEGIN SELECT RAISE(ABORT, 'watch checks are append-only'); END;
CREATE TRIGGER alerts_no_update BEFORE UPDATE ON alerts BEGIN SELECT RAISE(ABORT, 'alerts are append-only'); END;
CREATE TRIGGER alerts_no_delete BEFORE DELETE ON alerts BEGIN SELECT RAISE(ABORT, 'alerts are append-only'); END;
