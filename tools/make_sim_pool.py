#!/usr/bin/env python3
"""Build data/sim/pool.json, the simulator's pool of real dataset metadata.

Reads the real Chinese portal records of ../shared/fixtures-real/cn-* (see each PROVENANCE.md)
and writes one normalized object per record: title, dept, topic, industry, desc, tags, freq,
open, published, updated, formats, volume, source. The simulator recombines these fields
deterministically; it never reads ../shared at run time.
Usage: tools/make_sim_pool.py [SHARED_DIR] > data/sim/pool.json
"""
import json, os, re, sys

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'shared')
fx = os.path.join(shared, 'fixtures-real')
out = []

def fmts(v):
    if isinstance(v, list):
        return [str(x).lower() for x in v if x]
    if isinstance(v, str):
        return [x.lower() for x in re.findall(r"'([^']+)'", v)]
    return []

def add(src, title, dept='', topic='', industry='', desc='', tags=None, freq='', open_='', pub='', upd='', formats=None, volume=''):
    if not title:
        return
    out.append(dict(title=title.strip(), dept=(dept or '').strip(), topic=(topic or '').strip(),
                    industry=(industry or '').strip(), desc=(desc or '').strip()[:300], tags=tags or [],
                    freq=freq or '', open=open_ or '', published=pub or '', updated=upd or '',
                    formats=[f for f in (formats or []) if f != 'file'], volume=str(volume or ''), source=src))

def load(p):
    return json.load(open(os.path.join(fx, p), encoding='utf-8'))

for r in load('cn-oportal/gxzf-nanning_oportal_normalized_2023.json'):
    add('oportal-nanning-2023', r.get('标题'), r.get('来源部门'), r.get('重点领域'), r.get('所属行业'), r.get('描述'),
        [t for t in re.split(r'\r\n\t', r.get('标签', '')) if t], r.get('更新频率'), r.get('开放条件'),
        r.get('发布时间'), r.get('更新时间'), fmts(r.get('数据格式')), r.get('数据量', '').replace(',', ''))
for r in load('cn-odweb/yinchuan_odweb_normalized_2023.json'):
    add('odweb-yinchuan-2023', r.get('标题'), r.get('来源部门'), r.get('所属主题'), r.get('所属行业'), r.get('描述'),
        [t for t in r.get('标签', '').split(',') if t][:8], r.get('更新频率'), r.get('开放状态'),
        r.get('发布时间'), r.get('最后更新'), fmts(r.get('数据格式')))
for r in load('cn-guizhou/guiyang_normalized_2023.json')[:900]:
    add('guizhou-guiyang-2023', r.get('标题'), r.get('数据提供方'), r.get('主题名称'), r.get('所属行业'), r.get('数据摘要'),
        [], r.get('更新频率'), r.get('开放属性'), r.get('发布时间'), r.get('更新时间'), fmts(r.get('数据格式')))
for r in load('cn-open-data-web/hefei_open-data-web_normalized_2023.json'):
    add('open-data-web-hefei-2023', r.get('标题'), r.get('提供单位'), r.get('所属领域'), '', r.get('摘要信息'),
        [], r.get('更新频率'), r.get('开放条件'), r.get('发布时间'), r.get('更新时间'), fmts(r.get('资源格式')))
for line in open(os.path.join(fx, 'cn-jdop/zjzwfw_2021_detail-labels.jsonl'), encoding='utf-8'):
    r = json.loads(line); i = r['info']
    add('jdop-zjzwfw-2021', r['name'], '', r.get('topic'), '', i.get('desc'), i.get('label', '').split('、'), '', '',
        i.get('time'), i.get('time_gx'))
for line in open(os.path.join(fx, 'cn-shanghai/data.sh.gov.cn_2021_detail-labels.jsonl'), encoding='utf-8'):
    r = json.loads(line); i = r['info']
    add('shanghai-2021', r['name'], '', r.get('topic'), i.get('country_topic'), i.get('desc'),
        [t for t in [i.get('label')] if t], i.get('time_pl'), '', i.get('time'), i.get('time_gx'))
# Beijing: concatenated JSON objects.
txt = open(os.path.join(fx, 'cn-beijing/data.beijing.gov.cn_2021_detail-text.first30.json'), encoding='utf-8').read()
dec = json.JSONDecoder(); pos = 0
while pos < len(txt):
    while pos < len(txt) and txt[pos].isspace():
        pos += 1
    if pos >= len(txt):
        break
    r, pos = dec.raw_decode(txt, pos)
    kv = dict(p.split('\t', 1) for p in r['info'].strip().split('#') if '\t' in p)
    add('beijing-2021', r['name'], kv.get('资源所有权单位'), r.get('topic'), '', kv.get('资源摘要'),
        [t for t in kv.get('关键字说明', '').split('；') if t])
json.dump(out, sys.stdout, ensure_ascii=False, separators=(',', ':'))
sys.stdout.write('\n')
