"""The demo county generator: stated figures, determinism, validity, planted gaps end to end."""
from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from demo import PROFILES, RULE_IDS, generate, recompute, run_demo
from loaders.engine import validate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def counties(tmp_path_factory):
    """Every profile at scale 1, as CSV ledgers (fast to write and to read)."""
    base = tmp_path_factory.mktemp("demo")
    return {key: generate(key, scale=1.0, seed=1, out_dir=base / key, fmt="csv") for key in PROFILES}


def ledger(g, zh: str) -> list[dict[str, str]]:
    """Rows of one CSV ledger keyed by header without the required-marker, empty cells dropped."""
    with open(g.out_dir / f"{zh}.csv", encoding="utf-8-sig", newline="") as f:
        return [{k.rstrip("*"): v for k, v in row.items() if v} for row in csv.DictReader(f)]


def count(rows, **where) -> int:
    return sum(1 for r in rows if all(r.get(k) == v for k, v in where.items()))


def tiers(g) -> Counter:
    return Counter(r.get("层级称谓") for r in ledger(g, "党组织"))


def test_gaoqing_stated_totals(counties):
    g = counties["gaoqing"]
    assert len(ledger(g, "社区")) == 10
    assert len(ledger(g, "小区")) == 105
    assert len(ledger(g, "网格")) == 134
    assert len(ledger(g, "住户")) == 39_327
    leaders = ledger(g, "楼长")
    assert len(leaders) == len({r["人员编号"] for r in leaders}) == 1315
    assert count(leaders, 红色楼长="是") == 233
    assert all(r["是否在职"] == "是" for r in leaders if r.get("红色楼长") == "是")
    unit_leaders = ledger(g, "单元长")
    assert len(unit_leaders) == len({r["人员编号"] for r in unit_leaders}) == 1569
    assert count(ledger(g, "网格员"), 是否专职="是") == 138
    reports = ledger(g, "双报到")
    units = {r["单位编号"] for r in ledger(g, "单位")}
    people = {r["人员编号"] for r in ledger(g, "人员")}
    assert sum(r["报到主体编号"] in units for r in reports) == 80
    assert sum(r["报到主体编号"] in people for r in reports) == 2921
    assert count(ledger(g, "业委会物管会"), 类型="业主委员会") == 66
    sites = Counter(r["阵地类型"] for r in ledger(g, "服务阵地"))
    assert (sites["红色驿站"], sites["青蜂驿站"], sites["党群服务中心"]) == (57, 9, 10)
    assert len(ledger(g, "志愿服务队")) == 37
    branches = {r["党组织编号"] for r in ledger(g, "党组织") if r.get("层级称谓") == "网格党支部"}
    secretaries = {r["人员编号"] for r in ledger(g, "党组织任职") if r["党组织编号"] in branches and r["职务"] == "书记"}
    assert len(secretaries) == 118
    assert len({r["人员编号"] for r in ledger(g, "领导联系网格")}) == 15
    t = tiers(g)
    assert all(t[w] for w in "街道党工委 社区党总支 网格党支部 楼栋（单元）党小组".split())
    kinds = Counter(r.get("党员类别") for r in ledger(g, "人员"))
    assert all(kinds[k] for k in ("社区党员", "在职党员", "退休党员", "新发展党员", "流动党员"))


def test_pingshun_stated_totals(counties):
    g = counties["pingshun"]
    assert len(ledger(g, "社区")) == 4
    assert Counter(r["层级"] for r in ledger(g, "网格")) == {"1": 4, "2": 17, "3": 121}
    sites = Counter(r["阵地类型"] for r in ledger(g, "服务阵地"))
    assert (sites["网格驿站"], sites["党群服务点"]) == (17, 26)
    people = {r["人员编号"] for r in ledger(g, "人员")}
    assert sum(r["报到主体编号"] in people for r in ledger(g, "双报到")) == 1720
    t = tiers(g)
    assert all(t[w] for w in ("社区党委", "网格党支部", "楼栋党小组"))
    # one party group per three buildings
    groups = [r for r in ledger(g, "党组织") if r.get("层级称谓") == "楼栋党小组"]
    assert groups and all(1 <= len(r["负责对象编号"].split("、")) <= 3 for r in groups)
    # 党员单元长: every unit leader is a member, except the planted R04B units
    manifest = json.loads(g.manifest.read_text(encoding="utf-8"))
    member = {r["人员编号"]: r["是否党员"] == "是" for r in ledger(g, "人员")}
    non_members = {r["单元编号"] for r in ledger(g, "单元长") if not member[r["人员编号"]]}
    assert non_members == set(manifest["rules"]["R04B"])
    assert count(ledger(g, "住户"), 党员中心户="是") > 0


def test_huguan_stated_totals(counties):
    g = counties["huguan"]
    assert Counter(r["小区类型"] for r in ledger(g, "小区")) == {"大产权小区": 40, "村建小区": 33, "单位家属小区": 42}
    assert Counter(r["类型"] for r in ledger(g, "业委会物管会")) == {"业主委员会": 16, "物业管理委员会": 99}
    companies = {r["物业企业编号"] for r in ledger(g, "物业企业")}
    coverage = [r for r in ledger(g, "单位党组织") if r["单位编号"] in companies]
    assert len({r["党组织编号"] for r in coverage if r["组建方式"] == "单独组建"}) == 7
    assert len({r["党组织编号"] for r in coverage if r["组建方式"] == "联合组建"}) == 4
    instructors = [r for r in ledger(g, "党建指导员") if r["指导对象编号"] in companies]
    assert len({r["人员编号"] for r in instructors}) == 4


def test_wuxiang_stated_totals(counties):
    g = counties["wuxiang"]
    assert len(ledger(g, "小区")) == 102
    t = tiers(g)
    assert t["小区(网格)党支部"] == 32
    assert t["楼栋党小组"] == 241
    assert count(ledger(g, "住户"), 党员中心户="是") == 512  # 500+
    sites = Counter(r["阵地类型"] for r in ledger(g, "服务阵地"))
    assert sites["小区党群服务站"] == 38
    people = {r["人员编号"] for r in ledger(g, "人员")}
    assert sum(r["报到主体编号"] in people for r in ledger(g, "双报到")) == 2300
    assert Counter(r["类型"] for r in ledger(g, "业委会物管会")) == {"业主委员会": 8, "物业管理委员会": 94}


@pytest.mark.parametrize("key", list(PROFILES))
def test_recompute_matches_manifest(counties, key):
    g = counties[key]
    manifest = json.loads(g.manifest.read_text(encoding="utf-8"))
    assert (manifest["profile"], manifest["seed"], manifest["scale"]) == (key, 1, 1.0)
    assert list(manifest["rules"]) == list(RULE_IDS)
    # at scale 1 every rule has planted violations, and only a few percent of its population
    assert all(manifest["rules"][r] for r in RULE_IDS)
    assert recompute(g.paths) == manifest["rules"]


def test_content_is_plausible(counties):
    from loaders.cells import check_id_card, check_mobile

    g = counties["gaoqing"]
    people = ledger(g, "人员")
    assert all(check_id_card(r["身份证号"]) == r["身份证号"] for r in people)
    assert all(check_mobile(r["手机号"]) == r["手机号"] for r in people)
    assert len({r["身份证号"] for r in people}) == len(people)
    # buildings near the county seat (but for the few planted outside every service circle)
    lat0, lon0 = PROFILES["gaoqing"].lat, PROFILES["gaoqing"].lon
    far = {r["楼栋编号"] for r in ledger(g, "楼栋")
           if math.hypot(float(r["纬度"]) - lat0, float(r["经度"]) - lon0) > 0.1}
    manifest = json.loads(g.manifest.read_text(encoding="utf-8"))
    assert far <= set(manifest["rules"]["R15"])
    # 1–2 links per member, outside the planted gaps
    links = Counter(r["人员编号"] for r in ledger(g, "包联"))
    members = [r["人员编号"] for r in people if r["是否党员"] == "是"]
    ok = [links[m] for m in members if m not in set(manifest["rules"]["R09"])]
    assert set(ok) <= {1, 2}
    assert all("单元" in r["门牌地址"] for r in ledger(g, "住户")[:50])
    ids = [r["住户编号"] for r in ledger(g, "住户")]
    assert ids[0] == "H-000001" and len(set(ids)) == len(ids)


def _bytes(paths):
    return {Path(p).name: Path(p).read_bytes() for p in paths}


def test_same_seed_gives_identical_files(tmp_path):
    code = ("import sys; from demo import generate; "
            "generate('pingshun', scale=0.1, seed=5, out_dir=sys.argv[1], fmt=sys.argv[2])")
    for fmt in ("xlsx", "csv"):
        a = generate("pingshun", scale=0.1, seed=5, out_dir=tmp_path / f"a-{fmt}", fmt=fmt)
        # another process with another string-hash seed: no set or dict order may leak into the files
        env = {**os.environ, "PYTHONHASHSEED": "12345"}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / f"b-{fmt}"), fmt], cwd=ROOT, env=env, check=True)
        b = sorted((tmp_path / f"b-{fmt}").glob(f"*.{fmt}"))
        assert _bytes(a.paths) == _bytes(b)
        assert a.manifest.read_bytes() == (tmp_path / f"b-{fmt}" / "manifest.json").read_bytes()
    c = generate("pingshun", scale=0.1, seed=6, out_dir=tmp_path / "c", fmt="csv")
    assert _bytes(c.paths) != _bytes(sorted((tmp_path / "b-csv").glob("*.csv")))


def test_xlsx_workbook_layout(tmp_path):
    import openpyxl

    from loaders.specs import LEDGERS
    from loaders.templates import header_text

    g = generate("huguan", scale=0.05, seed=2, out_dir=tmp_path, fmt="xlsx")
    assert len(g.paths) == 1 and g.paths[0].suffix == ".xlsx"
    wb = openpyxl.load_workbook(g.paths[0], read_only=True)
    # every ledger a county keeps (cases are orgnet's own record, not a demo ledger)
    county = [spec for spec in LEDGERS.values() if spec.label != "Rectification"]
    assert wb.sheetnames == [spec.zh for spec in county]
    for spec in county:
        header = next(wb[spec.zh].iter_rows(max_row=1, values_only=True))
        assert list(header) == [header_text(spec, c) for c in spec.all_columns()]
    assert wb.properties.created == wb.properties.modified
    wb.close()


@pytest.mark.parametrize("key,scale,fmt", [("gaoqing", 0.15, "xlsx"), ("pingshun", 0.3, "csv"),
                                           ("huguan", 0.15, "csv"), ("wuxiang", 0.3, "csv")])
def test_ledgers_validate_without_errors(tmp_path, key, scale, fmt):
    g = generate(key, scale=scale, seed=3, out_dir=tmp_path, fmt=fmt)
    v = validate(g.paths)
    assert v.errors == [] and v.skipped == []
    assert v.summary() == {k: n for k, n in g.counts.items()}
    assert recompute(g.paths) == json.loads(g.manifest.read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize("key,scale", [("gaoqing", 0.1), ("pingshun", 0.3), ("huguan", 0.15), ("wuxiang", 0.2)])
def test_load_and_rule_queries_match_manifest(store, tmp_path, key, scale):
    """Through the real front door: every rule's detail query returns exactly the manifest's entities."""
    from queries import coverage

    out = tmp_path / "demo" / f"{key}-s7"
    report = run_demo(store, key, scale=scale, seed=7, archive=tmp_path / "archive", out_dir=out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert report.rejected == 0 and report.written["Household"] == manifest["counts"]["住户"]
    assert sum(1 for _ in (tmp_path / "archive" / "files").iterdir()) == 1
    mismatches = {}
    for rule in RULE_IDS:
        got = sorted(r["id"] for r in coverage.violations(store, rule))
        if got != manifest["rules"][rule]:
            mismatches[rule] = (got[:5], manifest["rules"][rule][:5])
    assert mismatches == {}
    assert all(manifest["rules"][r] for r in RULE_IDS)
    for rule in RULE_IDS:  # roll-ups add up to the detail
        assert sum(r["violating"] for r in coverage.rollup(store, rule)) == len(manifest["rules"][rule])


def test_gap_rate_zero_is_a_clean_county(tmp_path):
    g = generate("wuxiang", scale=0.1, seed=1, out_dir=tmp_path, fmt="csv", gap_rate=0.0)
    assert all(v == [] for v in g.rules.values())
    assert recompute(g.paths) == g.rules


def test_unknown_profile():
    with pytest.raises(KeyError):
        generate("nowhere")


def test_scale_grows_the_county(tmp_path):
    small = generate("wuxiang", scale=0.2, seed=1, out_dir=tmp_path / "s", fmt="csv")
    big = generate("wuxiang", scale=0.4, seed=1, out_dir=tmp_path / "b", fmt="csv")
    assert big.counts["住户"] == round(19_800 * 0.4) and small.counts["住户"] == round(19_800 * 0.2)
    assert big.counts["人员"] > 1.6 * small.counts["人员"]
    by_rule = defaultdict(int)
    for r, ids in big.rules.items():
        by_rule[r] = len(ids)
    assert by_rule["R08"] > len(small.rules["R08"])


def test_readme_and_help_examples_name_what_the_demo_county_has(counties):
    """Issue 13, defect 6: every id and community an example names exists in `orgnet demo`'s county."""
    import re

    from click.testing import CliRunner

    from orgnet import cli

    g = counties["gaoqing"]
    ids = {row[k] for zh in ("住户", "人员", "单位", "楼栋", "网格", "社区") for row in ledger(g, zh)
           for k in row if k.endswith("编号") and not k.startswith("所属")}
    communities = {row["名称"] for row in ledger(g, "社区")}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = [line for line in readme.splitlines() if line.strip().startswith("orgnet ")]
    runner = CliRunner()
    for name in cli.commands:
        examples.append(runner.invoke(cli, [name, "--help"]).output)
    assert len(examples) > 20
    named_ids = {i for text in examples for i in re.findall(r"\b[A-Z]-\d{3,}\b", text)}
    named_communities = {c for text in examples for c in re.findall(r"--community\s+([^\sA-Z]\S*)", text)}
    assert named_ids and named_communities
    assert named_ids <= ids, named_ids - ids
    assert named_communities <= communities, named_communities - communities
