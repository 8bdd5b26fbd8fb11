#!/usr/bin/env bash
# Metrics benchmark: builds a synthetic store of 670 portals, 1,000,000 datasets, 10,000,000
# dataset_field rows and 1,000,000 distributions in /tmp (SQL only, through the store's own schema and
# migrations), then times `odh metrics` computing and writing every indicator (the `indicator` table:
# portal and group rows; `dataset_quality`: one MQA row per dataset).
# Usage: bench/metrics_bench.sh [ODH_BINARY] [DATASETS]   (default build/odh, 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
odh=${1:-build/odh}
n=${2:-1000000}
db=/tmp/odh-metrics-bench.sqlite
rm -f "$db" "$db-wal" "$db-shm"
{
  cat store/schema.sql
  for m in store/migrations/*.sql; do cat "$m"; done
  # The store's schema version, as Store::open records it (so odh opens the file without migrating it).
  echo "PRAGMA user_version=$(( $(ls store/migrations/*.sql | wc -l) + 1 ));"
  cat <<SQL
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO run VALUES (1,'bench','2026-12-01T00:00:00Z',NULL,'sim',NULL,NULL);
WITH RECURSIVE p(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM p WHERE i<669)
INSERT INTO portal SELECT 1, 'p'||i, i, 'portal '||i, 'prov'||(i%31), CASE WHEN i%4=0 THEN '' ELSE 'city'||i END, '', '',
  CASE i%4 WHEN 0 THEN '省级' WHEN 1 THEN '副省级' WHEN 2 THEN '地市级' ELSE '县区级' END,
  CASE i%7 WHEN 0 THEN '华东' WHEN 1 THEN '华南' WHEN 2 THEN '华北' WHEN 3 THEN '华中' WHEN 4 THEN '西南' WHEN 5 THEN '西北' ELSE '东北' END,
  CASE WHEN i%5=0 THEN 'independent' ELSE 'embedded' END, 'x', 'http://p'||i||'.example/' FROM p;
INSERT INTO portal_status(run_id,portal_id,reachable) SELECT 1, portal_id, 1 FROM portal;
WITH RECURSIVE d(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM d WHERE i<$n)
INSERT INTO dataset(dataset_pk,run_id,portal_id,title,description,publisher,topic_raw,theme,issued,modified,frequency_raw,
  frequency,open_condition,tags,views,downloads,record_count,field_count,rating_count,comment_count,depth)
SELECT i, 1, 'p'||(i%670), 'dataset '||i, CASE WHEN i%3 THEN 'description' END, 'dept'||(i%37), 'topic'||(i%23),
  CASE i%16 WHEN 0 THEN '文体休闲' WHEN 1 THEN '教育科技' WHEN 2 THEN '能源环境' WHEN 3 THEN '道路交通' WHEN 4 THEN '民生服务'
    WHEN 5 THEN '医疗卫生' WHEN 6 THEN '公共安全' WHEN 7 THEN '农业农村' WHEN 8 THEN '机构团体' WHEN 9 THEN '财税金融'
    WHEN 10 THEN '社保就业' WHEN 11 THEN '经贸工商' WHEN 12 THEN '信用服务' WHEN 13 THEN '城建住房' WHEN 14 THEN '地理气象' ELSE '市场监察' END,
  date('2026-12-01', '-'||(i%900)||' days'), date('2026-12-01', '-'||(i%400)||' days'),
  CASE i%5 WHEN 0 THEN '每年' WHEN 1 THEN '一年' WHEN 2 THEN '每月' WHEN 3 THEN '实时' END,
  CASE i%5 WHEN 0 THEN '每年' WHEN 1 THEN '每年' WHEN 2 THEN '每月' WHEN 3 THEN '实时' END,
  CASE i%2 WHEN 0 THEN '无条件' ELSE '有条件' END, 'tag'||(i%101)||';tag'||(i%997),
  CASE WHEN i%7 THEN i%5000 END, CASE WHEN i%7 THEN i%300 END, i%10000, i%40, CASE WHEN i%11=0 THEN 0 END, NULL, 1+i%6 FROM d;
INSERT INTO dataset_field(dataset_pk,label,value,canonical)
SELECT d.dataset_pk, l.label, l.value, l.canonical FROM dataset d CROSS JOIN (
  SELECT '数据提供方' label, 'dept' value, 'department' canonical UNION ALL SELECT '发布日期','2026-01-01','publish_time'
  UNION ALL SELECT '更新日期','2026-02-01','update_time' UNION ALL SELECT '更新频率','每年','update_frequency'
  UNION ALL SELECT '数据量','100','data_volume' UNION ALL SELECT '数据项','5','field_count'
  UNION ALL SELECT '联系电话','0571','telephone' UNION ALL SELECT '数据大小','12KB','byte_size'
  UNION ALL SELECT '资源代码','X-1','identifier' UNION ALL SELECT '所属行业','other',NULL) l;
INSERT INTO distribution(dataset_pk,format_raw,format,url,byte_size,live)
SELECT dataset_pk, 'CSV', CASE dataset_pk%4 WHEN 0 THEN 'csv' WHEN 1 THEN 'xls' WHEN 2 THEN 'json' ELSE 'pdf' END,
  'http://f.example/'||dataset_pk, CASE WHEN dataset_pk%2 THEN 1000 END, CASE WHEN dataset_pk%3=0 THEN 1 END FROM dataset;
COMMIT;
SQL
} | sqlite3 "$db"
echo "store: $(sqlite3 "$db" 'SELECT count(*) FROM dataset') datasets, $(sqlite3 "$db" 'SELECT count(*) FROM dataset_field') fields, $(du -h "$db" | cut -f1)"
start=$(date +%s.%N)
# CPU time (user + sys) beside the wall time: on a shared machine only the former is meaningful.
# ODH_METRICS_TIMING=1 in the environment adds per-task thread CPU on stderr.
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "odh metrics: %U s user + %S s sys CPU, peak RSS %M KB" \
    "$odh" metrics --db "$db" --indicator platform.datasets --scope national
else
  "$odh" metrics --db "$db" --indicator platform.datasets --scope national
fi
end=$(date +%s.%N)
echo "odh metrics: $(echo "$end - $start" | bc) s (wall), $(sqlite3 "$db" 'SELECT count(*) FROM indicator') indicator rows, $(sqlite3 "$db" 'SELECT count(*) FROM dataset_quality') dataset_quality rows"
