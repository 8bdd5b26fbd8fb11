#!/usr/bin/env python3
"""Build the small reference tables of data/reference (python3 stdlib only).

Usage: tools/build_reference.py [--shared DIR] [--report]   (after build_divisions.py and build_appendix.py)

Writes: themes.csv (16 unified themes, report §4.2), sub_provincial.csv (15 副省级城市),
city_tiers.csv (2021 city tiers, report §5.1.1 — see SOURCES below), topic_themes.tsv (portal topic
name -> theme: keyword rules + one exact row for every appendix-2 topic the rules do not map right).
Every city name is resolved against divisions.csv, so a typo fails the build.
"""
import argparse
import csv
import glob
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "data/reference"

SUB_PROVINCIAL = "哈尔滨市 长春市 沈阳市 大连市 济南市 青岛市 南京市 杭州市 宁波市 厦门市 武汉市 广州市 深圳市 成都市 西安市"

# 2021 city tiers. The report (§5.1.1) gives the tier sizes (4/15/30/70/90/128) and names only the
# 一线 cities and three examples per other tier; that is all the seed holds. The 新一线 and 二线 lists
# are the 2021 edition of 第一财经·新一线城市研究所《城市商业魅力排行榜》(published 2021-05-27), the
# ranking whose tier sizes the report quotes; they were entered from that published list, not from a
# file in ../shared (no copy is stored offline) — the tests check them against the report's examples.
# 三线/四线/五线: only the report's examples are recorded (the full 288-city list is not sourced).
REPORT = "report §5.1.1 (seed 004 line {line})"
YICAI = "第一财经·新一线城市研究所 2021城市商业魅力排行榜"
TIERS = [
    ("一线", "北京市 上海市 广州市 深圳市", REPORT),
    ("新一线", "成都市 重庆市 杭州市 西安市 武汉市 苏州市 郑州市 南京市 天津市 长沙市 东莞市 宁波市 佛山市 合肥市 青岛市",
     YICAI),
    ("二线", "昆明市 沈阳市 济南市 无锡市 厦门市 福州市 温州市 金华市 哈尔滨市 大连市 贵阳市 南宁市 泉州市 石家庄市 长春市 "
     "南昌市 惠州市 常州市 嘉兴市 徐州市 南通市 太原市 保定市 珠海市 中山市 兰州市 临沂市 潍坊市 烟台市 绍兴市", YICAI),
    ("三线", "济宁市 威海市 乌鲁木齐市", REPORT + ", examples only"),
    ("四线", "日照市 开封市 大同市", REPORT + ", examples only"),
    ("五线", "萍乡市 新余市 随州市", REPORT + ", examples only"),
]

THEMES = "文体休闲 教育科技 能源环境 道路交通 民生服务 医疗卫生 公共安全 农业农村 机构团体 财税金融 社保就业 经贸工商 信用服务 城建住房 地理气象 市场监察"

# Keyword rules (the parsers map every harvested topic with them, parsers/normalize.cpp map_theme):
# a keyword matches as a substring; the keyword found earliest in the topic wins; on a tie the
# earlier rule wins (so longer keywords come first).
KEYWORDS = """
食品药品 市场监察|食药 市场监察|药品安全 市场监察|食品安全 市场监察|市场监 市场监察|价格 市场监察|质量 市场监察|计量 市场监察|特种设备 市场监察|监管 市场监察|监察 市场监察|市场 市场监察
社会保障 社保就业|社会保险 社保就业|社保 社保就业|就业 社保就业|劳动 社保就业|人力 社保就业|人事 社保就业|人社 社保就业|人设 社保就业
自然资源 地理气象|地理 地理气象|地名 地理气象|地域 地理气象|气象 地理气象|测绘 地理气象|地震 地理气象|空间 地理气象|水文 地理气象|海洋 地理气象
公共服务 民生服务|民生 民生服务|生活 民生服务|民政 民生服务|社区 民生服务|救助 民生服务|救灾 民生服务|扶贫 民生服务|宗教 民生服务|殡葬 民生服务|婚育 民生服务|人口 民生服务|社会服务 民生服务|消费 民生服务|餐饮 民生服务
文体 文体休闲|文化 文体休闲|体育 文体休闲|旅游 文体休闲|休闲 文体休闲|娱乐 文体休闲|文物 文体休闲|住宿 文体休闲
教育 教育科技|科技 教育科技|科研 教育科技|科学 教育科技|信息产业 教育科技|知识产权 教育科技
能源 能源环境|环境 能源环境|生态 能源环境|环保 能源环境|资源 能源环境
交通 道路交通|道路 道路交通|出行 道路交通|运输 道路交通|邮政 道路交通|邮电 道路交通
医疗 医疗卫生|卫生 医疗卫生|健康 医疗卫生|医药 医疗卫生|疫情 医疗卫生|防疫 医疗卫生|卫计 医疗卫生
安全 公共安全|应急 公共安全|公安 公共安全|政法 公共安全|司法 公共安全|法律 公共安全|法治 公共安全|执法 公共安全|军事 公共安全|军人 公共安全|出境入境 公共安全
农业 农业农村|农村 农业农村|三农 农业农村|水利 农业农村|林业 农业农村|畜牧 农业农村|渔业 农业农村|农副 农业农村
机构 机构团体|团体 机构团体|政务 机构团体|党 机构团体|政府 机构团体|行政 机构团体|统计 机构团体|政策 机构团体|法规 机构团体
财税 财税金融|金融 财税金融|财政 财税金融|财会 财税金融|税 财税金融|审计 财税金融
信用 信用服务|双公示 信用服务
经贸 经贸工商|工商 经贸工商|制品 经贸工商|纺织 经贸工商|造纸 经贸工商|印刷 经贸工商|商贸 经贸工商|贸易 经贸工商|企业 经贸工商|工业 经贸工商|商业 经贸工商|经济 经贸工商|制造 经贸工商|加工 经贸工商|投资 经贸工商|项目 经贸工商|市场主体 经贸工商|对外 经贸工商|涉外 经贸工商|闽台 经贸工商
城建 城建住房|住房 城建住房|住宅 城建住房|房屋 城建住房|城乡 城建住房|城市 城建住房|建设 城建住房|房产 城建住房|规划 城建住房|工程 城建住房
"""

# Appendix-2 topics the keyword rules would map wrongly or not at all: topic -> theme ("-" = no theme).
EXACT = {
    "其他": "-", "其他主题": "-", "社会发展": "民生服务", "社会资源": "民生服务", "社会民生": "民生服务",
    "人民生活": "民生服务", "劳动力": "社保就业", "综合政务": "机构团体", "政府机构与社会团体": "机构团体",
    "经济建设": "经贸工商", "城乡建设、环境保护": "城建住房", "城乡建设环境保护": "城建住房",
    "国土资源、能源": "能源环境", "国土资源能源": "能源环境", "资源环境": "能源环境", "环境与资源保护": "能源环境",
    "工业、交通": "道路交通", "工业交通": "道路交通", "工业、交通、邮政": "道路交通", "工业交通邮政": "道路交通",
    "工业农业": "农业农村", "交通水利": "道路交通", "交通旅游": "道路交通", "文化、卫生、体育": "文体休闲",
    "文化健康": "文体休闲", "旅游、服务业": "文体休闲", "旅游服务业": "文体休闲", "科技、教育": "教育科技",
    "政法、监察": "公共安全", "政法监察": "公共安全", "安全监督": "公共安全", "安全监管": "公共安全", "安监": "公共安全",
    "食品安全监督": "市场监察", "药品安全监督": "市场监察", "能源安全": "能源环境", "能源安全监督": "能源环境",
    "金融监督": "财税金融", "金融监管": "财税金融", "行政执法监督": "公共安全", "行政执法": "公共安全",
    "行政许可": "机构团体", "行政审批": "机构团体", "投资审批": "经贸工商", "企业登记监管": "市场监察",
    "健康保障": "医疗卫生", "全民健康保障": "医疗卫生", "全民住房保障": "城建住房", "全州住房保障": "城建住房",
    "全民社会保障": "社保就业", "医疗保障": "医疗卫生", "生活保障": "民生服务", "生态环境保障": "能源环境",
    "应急维稳保障": "公共安全", "应急维稳": "公共安全", "生活安全": "公共安全", "婚育收养": "民生服务",
    "地理服务": "地理气象", "环保气象": "能源环境", "社会信用基础信息": "信用服务", "人口基础信息": "民生服务",
    "法人基础信息": "经贸工商", "宏观经济基础信息": "经贸工商", "电子证照基础信息": "机构团体", "电子证照": "机构团体",
    "文秘、行政": "机构团体", "业务对接": "机构团体", "数据共享": "机构团体", "政务数据": "机构团体", "物联感知": "-",
    "区统计局": "机构团体", "项目库": "经贸工商", "重点项目": "经贸工商", "重大项目": "经贸工商",
    "重大建设项目": "经贸工商", "公共资源交易": "经贸工商", "气瓶分装": "市场监察", "设立变更": "经贸工商",
    "纳税缴费": "财税金融", "执业资格": "社保就业", "职业资格": "社保就业", "行业准营": "经贸工商",
    "破产注销": "经贸工商", "公共信息": "机构团体", "公共信息服务": "机构团体", "信息服务": "机构团体",
    "企业服": "经贸工商", "畅游东城": "文体休闲", "环境保护目": "能源环境", "海关口岸": "经贸工商",
    "运输邮电": "道路交通", "住房建设": "城建住房", "消费购物": "民生服务", "餐饮美食": "民生服务",
    "旅游住宿": "文体休闲", "生态资源": "能源环境", "环境资源": "能源环境", "自然资源": "能源环境",
    "工业商贸": "经贸工商", "交通服务": "道路交通", "房屋住宅": "城建住房", "民主法治建设": "公共安全",
    "执政能力建设": "机构团体", "国民经济和社会发展计划执行情况": "经贸工商", "政府工作报告": "机构团体",
    "规划计划": "机构团体", "政府管理": "机构团体", "社会信用": "信用服务", "科技建设": "教育科技",
    "生态文明": "能源环境", "文化科技": "文体休闲", "公共服务事项": "民生服务", "公共法律服务": "公共安全",
    "公共文化服务": "文体休闲", "公共文化": "文体休闲", "公共卫生": "医疗卫生", "公共教育": "教育科技",
    "城市部件": "城建住房", "经济运行": "经贸工商", "市场价格监管": "市场监察", "市场价格监督": "市场监察",
    "价格监督": "市场监察", "价格监管": "市场监察", "物价信息": "市场监察", "能源环境": "能源环境",
    "生活服务": "民生服务", "气象水温测绘地震": "地理气象", "劳动人士": "社保就业", "社保服务": "社保就业",
    "建设服务": "城建住房", "农业服务": "农业农村", "文化服务": "文体休闲", "民政服务": "民生服务",
    "商业服务": "经贸工商", "企业服务": "经贸工商", "科技服务": "教育科技", "环保服务": "能源环境",
    "教育服务": "教育科技", "海洋服务": "地理气象", "人设服务": "社保就业", "金融服务": "财税金融",
    "就业服务": "社保就业", "统计服务": "机构团体", "三农服务": "农业农村", "旅游服务": "文体休闲",
    "政务服务": "机构团体", "文体娱乐": "文体休闲", "文化娱乐": "文体休闲", "市场主体": "经贸工商",
    # 鹰潭 lists GB/T 4754 manufacturing classes as topics (its "、" also splits class names: 鞋, 竹 …)
    "鞋": "经贸工商", "皮革": "经贸工商", "毛皮": "经贸工商", "竹": "经贸工商", "藤": "经贸工商", "棕": "经贸工商",
    "通信设备": "经贸工商", "文教体育用品制造业": "经贸工商", "医药制造业": "经贸工商", "交通运输设备制造业": "经贸工商",
    "仪器仪表及文化": "经贸工商", "农副食品加工业": "经贸工商",
}


def load_divisions():
    return list(csv.DictReader(open(REF / "divisions.csv", encoding="utf-8")))


def keyword_rules():
    rules = []
    for line in KEYWORDS.strip().split("\n"):
        for item in line.split("|"):
            kw, theme = item.split()
            rules.append((kw, theme))
    return rules


def theme_by_keywords(topic, rules):
    best, best_pos = "", None
    for kw, theme in rules:
        pos = topic.find(kw)
        if pos >= 0 and (best_pos is None or pos < best_pos):
            best, best_pos = theme, pos
    return best


def appendix2_topics():
    text = (REF / "appendix2.yaml").read_text(encoding="utf-8")
    topics = []
    for m in re.finditer(r"topics: \[(.*)\]", text):
        for t in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)):
            if t not in topics:
                topics.append(t)
    return topics


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    shared = Path(args.shared) if Path(args.shared).exists() else Path("/work/shared")
    seed = open(sorted(glob.glob(str(shared / "seeds/004_*.txt")))[0], encoding="utf-8").read().split("\n")
    divs = load_divisions()
    prefectures = {}
    for d in divs:
        if d["level"] == "prefecture":
            prefectures.setdefault(d["name"], []).append(d)
    provinces = {d["name"]: d for d in divs if d["level"] == "province"}
    by_code = {d["code"]: d for d in divs}

    def city_code(name):
        if name in provinces:  # 北京 上海 天津 重庆: the municipality itself
            return provinces[name]["code"]
        hits = prefectures.get(name, [])
        if len(hits) != 1:
            sys.exit(f"city '{name}': {len(hits)} prefecture matches in divisions.csv")
        return hits[0]["code"]

    # themes.csv
    theme_line = next(i + 1 for i, l in enumerate(seed) if "16 个主题分别是" in l)
    themes = THEMES.split()
    assert len(themes) == 16
    with open(REF / "themes.csv", "w", encoding="utf-8") as f:
        f.write(f"# The 16 unified themes of report §4.2 (seed 004 lines {theme_line}-{theme_line + 2}), in its order.\n")
        f.write("order,theme\n")
        for i, t in enumerate(themes, 1):
            f.write(f"{i},{t}\n")

    # sub_provincial.csv
    with open(REF / "sub_provincial.csv", "w", encoding="utf-8") as f:
        f.write("# The 15 副省级城市 (sub-provincial cities; report §2 counts 15).\n")
        f.write("code,name,province\n")
        for name in SUB_PROVINCIAL.split():
            code = city_code(name)
            f.write(f"{code},{name},{by_code[code[:2] + '0000']['name']}\n")

    # city_tiers.csv
    tier_line = next(i + 1 for i, l in enumerate(seed) if "根据 2021 年城市等级划分标准" in l)
    with open(REF / "city_tiers.csv", "w", encoding="utf-8") as f:
        f.write("# 2021 city tiers of report §5.1.1 (sizes 4/15/30/70/90/128). 三线-五线: the report's examples\n")
        f.write("# only. Sources per row; see PROVENANCE.md.\n")
        f.write("tier,city,code,source\n")
        for tier, names, src in TIERS:
            for name in names.split():
                f.write(f'{tier},{name},{city_code(name)},"{src.format(line=tier_line)}"\n')

    # division_counts.csv: the report's denominators next to what divisions.csv holds
    count_line = next(i + 1 for i, l in enumerate(seed) if "个副省级城市、333个地市级行政区" in l)
    have = {lv: sum(1 for d in divs if d["level"] == lv) for lv in ("province", "prefecture", "county")}
    with open(REF / "division_counts.csv", "w", encoding="utf-8") as f:
        f.write(f"# Divisions per level: report_2020_12 = the report's count (seed 004 line {count_line}, MCA 2020-12\n")
        f.write("# codes); in_table = rows of divisions.csv (NBS 2023-06 codes). Metrics use report_2020_12 as the\n")
        f.write("# denominator; PROVENANCE.md explains the difference.\n")
        f.write("level,report_2020_12,in_table\n")
        f.write(f"province,31,{have['province']}\n")
        f.write(f"sub_provincial,15,{len(SUB_PROVINCIAL.split())}\n")
        f.write(f"prefecture,333,{have['prefecture']}\n")
        f.write(f"county,2844,{have['county']}\n")

    # topic_themes.tsv
    rules = keyword_rules()
    for kw, th in rules:
        assert th in themes, (kw, th)
    for t, th in EXACT.items():
        assert th == "-" or th in themes, (t, th)
    topics = appendix2_topics()
    exact_rows = []
    unmapped = []
    for t in topics:
        if t in EXACT:
            if theme_by_keywords(t, rules) != EXACT[t] or EXACT[t] == "-":
                exact_rows.append((t, EXACT[t]))
        elif not theme_by_keywords(t, rules):
            unmapped.append(t)
    with open(REF / "topic_themes.tsv", "w", encoding="utf-8") as f:
        f.write("# Portal topic name -> one of the 16 unified themes of report §4.2 (themes.csv); '-' = no theme.\n")
        f.write("# GENERATED by tools/build_reference.py. kind exact: the whole topic name; kind keyword: a\n")
        f.write("# substring — the keyword found earliest in the name wins, ties go to the earlier row.\n")
        f.write("# The exact rows cover every appendix-2 topic name the keyword rules would map wrongly.\n")
        f.write("kind\tname\ttheme\n")
        for t, th in exact_rows:
            f.write(f"exact\t{t}\t{th}\n")
        for kw, th in rules:
            f.write(f"keyword\t{kw}\t{th}\n")
    mapped = sum(1 for t in topics if (EXACT.get(t) or theme_by_keywords(t, rules)) not in ("", "-"))
    print(f"topics in appendix 2: {len(topics)} distinct; mapped {mapped}; "
          f"deliberately unmapped {sum(1 for t in topics if EXACT.get(t) == '-')}; unmapped {len(unmapped)}")
    if args.report:
        for t in topics:
            print(" ", t, "->", EXACT.get(t) or theme_by_keywords(t, rules) or "??")
    if unmapped:
        print("unmapped:", " ".join(unmapped))


if __name__ == "__main__":
    main()
