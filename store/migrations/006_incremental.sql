-- Incremental re-harvest (`odh run --previous DIR`, docs/schema.md "Incremental runs").
-- fetch.revisit_of_*: the server answered 304 Not Modified to a conditional GET; warc_file/offset are
-- this run's revisit record, status/content_type/bytes the earlier response's, whose WARC record is here
-- (path of the previous crawl's WARC file, offset of the response record).
ALTER TABLE fetch ADD COLUMN revisit_of_file TEXT;
ALTER TABLE fetch ADD COLUMN revisit_of_offset INTEGER;
-- dataset.list_stamp: the update time (or hash) the catalogue list showed for the dataset, when its
-- family spec declares one (`list: updated:`); the key an incremental run compares.
-- dataset.carried_from: the dataset_pk of the previous run's row this row was carried forward from
-- (list stamp unchanged, detail page not requested); NULL for a row parsed in this run. Its fetch_id
-- is the list page of this run that showed the entry; the earlier row's fetch is the detail's WARC record.
ALTER TABLE dataset ADD COLUMN list_stamp TEXT;
ALTER TABLE dataset ADD COLUMN carried_from INTEGER;
