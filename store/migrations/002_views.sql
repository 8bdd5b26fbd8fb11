-- Migration 2: provenance of parse problems, report indices, documented views.
-- Adds only (tables/columns of migration 1 are unchanged).

-- Problems met while parsing (hostile or unexpected content): kept, never fatal.
CREATE TABLE parse_issue (
  run_id        INTEGER NOT NULL,
  portal_id     TEXT NOT NULL,
  url           TEXT,
  kind          TEXT NOT NULL,          -- 'bad-json' | 'no-items' | 'no-title' | 'http-error' | …
  message       TEXT,
  fetch_id      INTEGER
);
CREATE INDEX parse_issue_run_portal ON parse_issue(run_id, portal_id);

CREATE INDEX dataset_run_theme ON dataset(run_id, theme);
CREATE INDEX dataset_field_label ON dataset_field(label);
CREATE INDEX distribution_format ON distribution(format);
CREATE INDEX topic_run_theme ON topic(run_id, theme);

-- Datasets, APIs and apps per portal per run (0 when none).
CREATE VIEW v_portal_counts AS
SELECT p.run_id, p.portal_id, p.name, p.level, p.region, p.kind,
       (SELECT COUNT(*) FROM dataset d WHERE d.run_id = p.run_id AND d.portal_id = p.portal_id) AS datasets,
       (SELECT COUNT(*) FROM api a WHERE a.run_id = p.run_id AND a.portal_id = p.portal_id) AS apis,
       (SELECT COUNT(*) FROM app x WHERE x.run_id = p.run_id AND x.portal_id = p.portal_id) AS apps
FROM portal p;

-- Every label/value pair with its dataset's run, portal and title.
CREATE VIEW v_dataset_fields AS
SELECT d.run_id, d.portal_id, d.dataset_pk, d.title, f.label, f.value, f.canonical
FROM dataset_field f JOIN dataset d ON d.dataset_pk = f.dataset_pk;

-- Labels the dictionary does not know, counted per portal (what `odh parse` reports).
CREATE VIEW v_unknown_labels AS
SELECT d.run_id, d.portal_id, f.label, COUNT(*) AS n
FROM dataset_field f JOIN dataset d ON d.dataset_pk = f.dataset_pk
WHERE f.canonical IS NULL
GROUP BY d.run_id, d.portal_id, f.label;

-- Normalized formats offered per portal: datasets offering each format.
CREATE VIEW v_portal_formats AS
SELECT d.run_id, d.portal_id, x.format, COUNT(DISTINCT d.dataset_pk) AS datasets
FROM distribution x JOIN dataset d ON d.dataset_pk = x.dataset_pk
WHERE x.format IS NOT NULL
GROUP BY d.run_id, d.portal_id, x.format;

-- Canonical fields present per portal: datasets filling each canonical field (non-empty value).
CREATE VIEW v_field_usage AS
SELECT d.run_id, d.portal_id, f.canonical, COUNT(DISTINCT d.dataset_pk) AS datasets
FROM dataset_field f JOIN dataset d ON d.dataset_pk = f.dataset_pk
WHERE f.canonical IS NOT NULL AND f.value IS NOT NULL AND f.value <> ''
GROUP BY d.run_id, d.portal_id, f.canonical;
