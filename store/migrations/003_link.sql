-- Links found on fetched pages (metrics: click depth of datasets by BFS from the home page).
-- Added by the metrics room; the crawler/parsers fill it when they record a page's out-links.
CREATE TABLE IF NOT EXISTS link (
  run_id        INTEGER NOT NULL,
  from_fetch_id INTEGER NOT NULL,
  to_url        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS link_run ON link(run_id, from_fetch_id);
