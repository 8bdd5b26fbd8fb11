-- odh store, schema version 1 (first cut; store/ owns migrations: store/migrations/NNN_*.sql).
-- Every harvested row carries its run and, where it came from a page, the fetch it came from.
-- Conventions: times are ISO 8601 text (UTC) unless named *_ms; dates of portal content are
-- normalized to 'YYYY-MM-DD' (NULL when absent or unparseable; raw value kept beside it).

CREATE TABLE run (
  run_id      INTEGER PRIMARY KEY,
  label       TEXT NOT NULL,            -- e.g. '2026-11' or a user label
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  source      TEXT NOT NULL,            -- 'live' | 'replay' | 'sim'
  sites_file  TEXT,
  odh_version TEXT
);

-- Registry snapshot per run (sites.yaml as it was).
CREATE TABLE portal (
  run_id        INTEGER NOT NULL REFERENCES run(run_id),
  portal_id     TEXT NOT NULL,          -- registry id
  seq           INTEGER,
  name          TEXT NOT NULL,
  province      TEXT, city TEXT, county TEXT,
  division_code TEXT,
  level         TEXT NOT NULL,          -- 省级 | 副省级 | 地市级 | 县区级
  region        TEXT NOT NULL,
  kind          TEXT NOT NULL,          -- independent | embedded
  family        TEXT NOT NULL,
  url           TEXT NOT NULL,
  PRIMARY KEY (run_id, portal_id)
);

CREATE TABLE portal_status (
  run_id        INTEGER NOT NULL,
  portal_id     TEXT NOT NULL,
  reachable     INTEGER NOT NULL,       -- 0/1: home page answered 2xx
  error_class   TEXT,                   -- NULL when reachable
  robots        TEXT,                   -- 'ok' | 'none' (4xx) | 'unreachable' (5xx/net: disallow all)
  pages         INTEGER NOT NULL DEFAULT 0,
  bytes         INTEGER NOT NULL DEFAULT 0,
  requests_2xx  INTEGER DEFAULT 0, requests_3xx INTEGER DEFAULT 0,
  requests_4xx  INTEGER DEFAULT 0, requests_5xx INTEGER DEFAULT 0, requests_err INTEGER DEFAULT 0,
  retries       INTEGER DEFAULT 0,
  backoff_s     REAL DEFAULT 0,
  mean_latency_ms REAL,
  paused        INTEGER DEFAULT 0,      -- 1 when paused after consecutive failures
  PRIMARY KEY (run_id, portal_id)
);

CREATE TABLE fetch (
  fetch_id      INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL,
  portal_id     TEXT,
  url           TEXT NOT NULL,
  method        TEXT NOT NULL DEFAULT 'GET',
  kind          TEXT,                   -- spider's tag: home, list, detail, terms, file, robots…
  status        INTEGER,
  content_type  TEXT,
  charset       TEXT,
  charset_source TEXT,
  bytes         INTEGER,
  warc_file     TEXT,
  warc_offset   INTEGER,
  fetched_at    TEXT,
  depth         INTEGER,
  error_class   TEXT
);
CREATE INDEX fetch_run_portal ON fetch(run_id, portal_id);

CREATE TABLE dataset (
  dataset_pk    INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL,
  portal_id     TEXT NOT NULL,
  source_id     TEXT,                   -- the portal's own id of the dataset
  url           TEXT,                   -- detail page / API URL
  title         TEXT,
  description   TEXT,
  publisher     TEXT,                   -- 数据提供方 / 来源部门
  topic_raw     TEXT,                   -- portal's own topic name(s)
  theme         TEXT,                   -- one of the 16 unified themes (NULL if unmapped)
  issued        TEXT,                   -- 发布日期, YYYY-MM-DD
  modified      TEXT,                   -- 更新日期, YYYY-MM-DD
  frequency_raw TEXT,
  frequency     TEXT,                   -- 实时 每日 每周 每月 每季度 每半年 每年 不定期 不更新 (NULL = 未提供)
  open_condition TEXT,                  -- 无条件 | 有条件 | 不予开放 (NULL unknown)
  tags          TEXT,                   -- normalized, joined with ';'
  views         INTEGER,                -- NULL when the portal does not publish it
  downloads     INTEGER,
  record_count  INTEGER,                -- 数据量 (rows) from metadata
  field_count   INTEGER,                -- 数据项 (columns) from metadata
  rating        REAL,
  rating_count  INTEGER,
  comment_count INTEGER,
  fetch_id      INTEGER REFERENCES fetch(fetch_id),
  depth         INTEGER                 -- click depth from the home page
);
CREATE INDEX dataset_run_portal ON dataset(run_id, portal_id);

-- Every label/value pair as published, with the canonical field it maps to.
CREATE TABLE dataset_field (
  dataset_pk    INTEGER NOT NULL REFERENCES dataset(dataset_pk),
  label         TEXT NOT NULL,          -- raw label, e.g. 数据提供方, 来源部门
  value         TEXT,
  canonical     TEXT                    -- canonical field (NULL = unknown label, kept raw)
);
CREATE INDEX dataset_field_pk ON dataset_field(dataset_pk);
CREATE INDEX dataset_field_canonical ON dataset_field(canonical);

CREATE TABLE distribution (
  distribution_pk INTEGER PRIMARY KEY,
  dataset_pk    INTEGER NOT NULL REFERENCES dataset(dataset_pk),
  format_raw    TEXT,
  format        TEXT,                   -- normalized lowercase: csv xls xlsx json xml rdf pdf doc …
  url           TEXT,
  byte_size     INTEGER,
  rows          INTEGER,                -- from the file when fetched
  columns       INTEGER,
  sniffed_format TEXT,                  -- from content when fetched
  live          INTEGER,                -- 1 ok, 0 dead, NULL not checked
  fetch_id      INTEGER
);
CREATE INDEX distribution_dataset ON distribution(dataset_pk);

CREATE TABLE api (
  api_pk        INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL,
  portal_id     TEXT NOT NULL,
  source_id     TEXT,
  title         TEXT,
  publisher     TEXT,
  url           TEXT,
  dataset_pk    INTEGER,                -- when the API belongs to a dataset
  fetch_id      INTEGER
);
CREATE INDEX api_run_portal ON api(run_id, portal_id);

CREATE TABLE app (
  app_pk        INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL,
  portal_id     TEXT NOT NULL,
  title         TEXT,
  app_kind      TEXT,                   -- 移动APP | 小程序 | Web应用 | 分析报告 | 创新方案 | 其他
  developer     TEXT,
  url           TEXT,
  fetch_id      INTEGER
);
CREATE INDEX app_run_portal ON app(run_id, portal_id);

-- Which datasets an app says it uses (for the dataset–tag–app network).
CREATE TABLE app_dataset (
  app_pk        INTEGER NOT NULL,
  dataset_pk    INTEGER,
  dataset_title TEXT
);

CREATE TABLE topic (
  run_id        INTEGER NOT NULL,
  portal_id     TEXT NOT NULL,
  name_raw      TEXT NOT NULL,          -- the portal's own topic name
  theme         TEXT,                   -- unified theme (NULL unmapped)
  datasets      INTEGER,                -- datasets in that topic, when the portal says
  PRIMARY KEY (run_id, portal_id, name_raw)
);

CREATE TABLE terms (
  run_id        INTEGER NOT NULL,
  portal_id     TEXT NOT NULL,
  url           TEXT,
  aspect        TEXT NOT NULL,          -- licence | free_access | non_discrimination | free_use | free_sharing
  verdict       TEXT NOT NULL,          -- e.g. 不限时免费 / 现阶段免费 / 保障 / 受限 / 禁止 / 未提及
  evidence      TEXT,                   -- the sentence behind the verdict
  fetch_id      INTEGER
);

CREATE TABLE indicator (
  run_id        INTEGER NOT NULL,
  scope         TEXT NOT NULL,          -- 'portal' | 'national' | 'level' | 'region' | 'tier' | 'theme' | 'dataset'
  scope_key     TEXT NOT NULL,          -- portal id, level name, region, … ('' for national)
  indicator     TEXT NOT NULL,          -- stable id, see docs/indicators.md
  value         REAL,                   -- NULL when not computable (missing input)
  value_text    TEXT,                   -- for categorical indicators
  unit          TEXT,
  n             INTEGER,                -- number of observations behind the value
  PRIMARY KEY (run_id, scope, scope_key, indicator)
);
