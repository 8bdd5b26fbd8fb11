-- What probing a distribution's URL found (issue 16; harvest's file stage, docs/files.md). The columns
-- `live`, `rows`, `columns`, `sniffed_format` and `fetch_id` of schema 1 are now written too; these add the
-- verdicts behind them. All NULL for a distribution that was not probed (per-run limits, robots, policy).
ALTER TABLE distribution ADD COLUMN link_class TEXT;       -- ok | not-found | server-error | timeout | unreachable
                                                           -- | login-wall | approval-required | challenge
                                                           -- | wrong-content | client-error
ALTER TABLE distribution ADD COLUMN link_evidence TEXT;    -- why: status, redirect target or the phrase seen
ALTER TABLE distribution ADD COLUMN mime TEXT;             -- libmagic's MIME type of the bytes fetched
ALTER TABLE distribution ADD COLUMN machine_readable INTEGER;  -- 1/0 by content (sniffed_format)
ALTER TABLE distribution ADD COLUMN stars INTEGER;         -- Tim Berners-Lee level of the file itself, 0..4
ALTER TABLE distribution ADD COLUMN format_matches INTEGER;    -- 1 the declared format agrees with the bytes, 0 mislabelled
ALTER TABLE distribution ADD COLUMN rows_lower_bound INTEGER;  -- 1: only the first bytes were fetched; rows counted so far
ALTER TABLE distribution ADD COLUMN encoding TEXT;         -- text files: the charset detected
CREATE INDEX distribution_url ON distribution(url);
