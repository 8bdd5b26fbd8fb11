-- Per-dataset metadata quality (data.europa.eu MQA style, docs/indicators.md "Metadata quality").
-- Added by the metrics room: one integer-keyed row per dataset of a run, written by `odh metrics` /
-- `odh run` beside the `indicator` table, which keeps only the portal and group aggregates (the portal
-- value of quality.mqa is the mean of `total` over the portal's datasets). No index on run_id: rows are
-- appended in dataset_pk order (the cheapest insert) and a run's rows are replaced by one table scan.
CREATE TABLE IF NOT EXISTS dataset_quality (
  dataset_pk       INTEGER PRIMARY KEY,   -- dataset.dataset_pk (unique across runs)
  run_id           INTEGER NOT NULL,
  findability      INTEGER NOT NULL,      -- points, max 100
  accessibility    INTEGER NOT NULL,      -- max 100
  interoperability INTEGER NOT NULL,      -- max 110
  reusability      INTEGER NOT NULL,      -- max 75
  contextuality    INTEGER NOT NULL,      -- max 20
  total            INTEGER NOT NULL,      -- max 405
  band             TEXT NOT NULL          -- excellent ≥351 | good ≥221 | sufficient ≥121 | bad
);
