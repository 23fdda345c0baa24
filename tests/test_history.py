"""Every load is a point in time: rule results per load, trends, and what changed between two loads,
each change traced to the ledger row responsible; relationships a --replace load retires are kept."""
from __future__ import annotations

import re

import pytest

from graph.config import open_store
from queries import coverage, history
from queries.diff import diff
from queries.registry import ParameterError
from queries.scope import Scope
from access.roles import Principal
from quarters import Q1, Q2


@pytest.fixture
def db(_quarters, monkeypatch, tmp_path) -> str:
    """The quarters' database as a ``--db`` value (Neo4j's credentials in the environment)."""
    return _quarters.db(monkeypatch, tmp_path)


def test_loads_carry_their_as_of_date_and_rule_results(quarters):
    with quarters.open() as s:
        loads = history.loads(s)
        assert [(r["id"], r["as_of"]) for r in loads] == [(quarters.first, Q1), (quarters.second, Q2)]
        now = {r["rule"]: r for r in coverage.summary(s)}
        county = history.trend(s, level="county")
        assert {r["as_of"] for r in county} == {Q1, Q2}
        latest = {r["rule"]: r for r in county if r["load_id"] == quarters.second}
        assert {k: (v["total"], v["violating"]) for k, v in latest.items()} == \
               {k: (v["total"], v["violating"]) for k, v in now.items()}
        # per community the recorded figures add up to the county's
        for rid in ("R03A", "R08"):
            per = [r for r in history.trend(s, rid, "community") if r["load_id"] == quarters.second]
            assert sum(r["total"] for r in per) == latest[rid]["total"]
            assert sum(r["violating"] for r in per) == latest[rid]["violating"]
        change = {r["rule"]: r for r in history.since_previous(s)}
        assert change["R08"]["previous_load"] == quarters.first
        # the ended link left its household unlinked, and the new household has no link yet
        assert change["R08"]["violating_change"] == 2


def test_trend_refuses_unknown_rule_level_and_area(quarters):
    with quarters.open() as s:
        with pytest.raises(ParameterError):
            history.trend(s, "R99")
        with pytest.raises(ParameterError):
            history.trend(s, "R08", level="province")
        with pytest.raises(ParameterError):
            history.trend(s, "R08", area="没有这个社区")
        with pytest.raises(ParameterError):
            history.resolve_load(s, "L19990101")


def test_diff_traces_every_line_to_a_ledger_row(quarters):
    with quarters.open() as s:
        lines = diff(s, quarters.archive, quarters.first, quarters.second)
    assert lines and all(line["file"] and line["row"] for line in lines)
    by = lambda kind, change: [x for x in lines if x["kind"] == kind and x["change"] == change]
    # the building leader replaced: one line, the changed row of 楼长.csv
    (rep,) = by("role", "replaced")
    assert (rep["entity"], rep["before"], rep["after"]) == (quarters.leader["building"], quarters.leader["before"],
                                                            quarters.leader["after"])
    assert (rep["file"], rep["row"]) == ("楼长.csv", quarters.leader["row"])
    # the 包联 link ended on the second quarter's date, traced to the row that had written it
    (ended,) = by("role", "ended")
    assert ended["id"] == f"{quarters.link['person']}→{quarters.link['household']}"
    assert (ended["file"], ended["row"], ended["ended_on"]) == ("包联.csv", quarters.link["row"], Q2.isoformat())
    # the household's residents changed; a new household was added
    (prop,) = [x for x in by("property", "changed") if x["id"] == quarters.household["id"]]
    assert (prop["before"], prop["after"], prop["row"]) == (quarters.household["before"], quarters.household["after"],
                                                            quarters.household["row"])
    added = [x for x in by("entity", "added")]
    assert [(x["id"], x["file"], x["row"]) for x in added] == [("H-NEW-0001", "住户.csv", quarters.new_household["row"])]
    # gaps: the unlinked household opened an R08 gap, caused by the ended link's row
    opened = {(x["what"], x["id"]): x for x in by("gap", "opened")}
    r08 = opened[("R08", quarters.link["household"])]
    assert (r08["file"], r08["row"]) == ("包联.csv", quarters.link["row"])
    # nothing else changed
    assert not by("entity", "removed")
    assert {(x["kind"], x["change"]) for x in lines} <= {("role", "replaced"), ("role", "ended"), ("property", "changed"),
                                                         ("entity", "added"), ("relationship", "added"),
                                                         ("gap", "opened"), ("gap", "closed")}


def test_diff_masks_a_changed_personal_property_through_the_scope(quarters, tmp_path):
    """A changed head of household: the diff holds both names as the ledgers had them; the scope masks
    both by the property's personal mark (the old name is no longer in the database, so no value net
    would find it), unless the role may unmask and asked to, which is audited."""
    from access.audit import AuditLog
    from access.masking import mask_name

    with quarters.open() as s:
        lines = diff(s, quarters.archive, quarters.first, quarters.second)
        (raw,) = [x for x in lines if x["id"] == quarters.head["id"] and x.get("prop") == "head_name"]
        assert (raw["before"], raw["after"], raw["row"]) == (quarters.head["before"], quarters.head["after"],
                                                             quarters.head["row"])
        assert quarters.head["before"] and not s.query("MATCH (h:Household) WHERE h.head_name = $n RETURN h.id AS id",
                                                       {"n": quarters.head["before"]})
        log = AuditLog(tmp_path / "audit.jsonl")
        masked = Scope(s, Principal("li", "analyst"), log).mask_properties(lines, what="diff")
        (m,) = [x for x in masked if x["id"] == quarters.head["id"] and x.get("prop") == "head_name"]
        assert (m["before"], m["after"]) == (mask_name(quarters.head["before"]), "欧**民")
        assert not log.read(event="unmask")
        # everything else passes unchanged (ids, files, rows, the residents figure)
        (res,) = [x for x in masked if x["id"] == quarters.household["id"] and x.get("prop") == "residents"]
        assert (res["before"], res["after"]) == (quarters.household["before"], quarters.household["after"])
        plain = Scope(s, Principal("li", "analyst", unmask=True), log).mask_properties(lines, what="diff")
        assert plain == lines
        assert [(e["user"], e["what"], e["rows"]) for e in log.read(event="unmask")] == [("li", "diff", len(lines))]
        # a role that may not unmask gets masked values even when it asks
        staff = Scope(s, Principal("w", "community", area="C-001", unmask=True)).mask_properties(lines, what="diff")
        assert [x["before"] for x in staff if x["id"] == quarters.head["id"] and x.get("prop") == "head_name"] == \
               [m["before"]]


def test_replace_keeps_retired_relationships_as_history(quarters):
    with quarters.open() as s:
        ended = s.query("MATCH (e:EndedRel) RETURN e.rel_type AS t, e.start_id AS a, e.end_id AS b, "
                        "e.ended_on AS ended_on, e.ended_load AS by, e.src_file AS file, e.src_row AS row "
                        "ORDER BY t, a")
    assert {(e["t"], e["a"], e["b"]) for e in ended} == {
        ("LINKED_TO", quarters.link["person"], quarters.link["household"]),
        ("BUILDING_LEADER_OF", quarters.leader["before"], quarters.leader["building"])}
    assert all(e["ended_on"] == Q2 and e["by"] == quarters.second for e in ended)
    link = next(e for e in ended if e["t"] == "LINKED_TO")
    assert (link["file"], link["row"]) == ("包联.csv", quarters.link["row"])


def test_diff_needs_two_different_known_loads(quarters):
    with quarters.open() as s:
        with pytest.raises(ValueError):
            diff(s, quarters.archive, quarters.second, quarters.second)
        with pytest.raises(ParameterError):
            diff(s, quarters.archive, "L-nope", quarters.second)
        # the defaults are the one before the latest and the latest
        assert diff(s, quarters.archive) == diff(s, quarters.archive, quarters.first, quarters.second)


def test_cli_diff_and_loads(quarters, db):
    import json

    from access.masking import mask_name

    from click.testing import CliRunner

    from orgnet import cli

    runner = CliRunner(env={"ORGNET_ARCHIVE": str(quarters.archive)})
    result = runner.invoke(cli, ["--db", db, "diff", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["change"] for r in rows} >= {"更换", "结束", "变更", "新增", "新出现"}
    assert all(r["file"] and r["row"] for r in rows)
    head = [(r["old_value"], r["new_value"]) for r in rows if r["id"] == quarters.head["id"]]
    assert head == [(mask_name(quarters.head["before"]), mask_name(quarters.head["after"]))]
    result = runner.invoke(cli, ["--db", db, "--unmask", "diff", "--format", "json"])
    assert result.exit_code == 0, result.output
    head = [(r["old_value"], r["new_value"]) for r in json.loads(result.output) if r["id"] == quarters.head["id"]]
    assert head == [(quarters.head["before"], quarters.head["after"])]
    result = runner.invoke(cli, ["--db", db, "diff", quarters.second, quarters.second])
    assert result.exit_code != 0 and "两次导入相同" in result.output
    result = runner.invoke(cli, ["--db", db, "diff", "L-nope"])
    assert result.exit_code != 0 and "找不到导入" in result.output
    result = runner.invoke(cli, ["--db", db, "loads"])
    assert "2026-03-31" in result.output and "2026-06-30" in result.output


def test_community_brief_renders_with_its_chinese_text(quarters, db, tmp_path):
    import shutil
    import subprocess

    from click.testing import CliRunner

    from orgnet import cli
    from reports import brief

    with quarters.open() as s:
        community = s.query("MATCH (c:Community) RETURN c.name AS n ORDER BY c.id LIMIT 1")[0]["n"]
        data = brief.brief_data(Scope(s, Principal("li", "analyst")), community)
        with pytest.raises(ParameterError, match="找不到社区"):
            brief.brief_data(Scope(s, Principal("li", "analyst")), "没有这个社区")
        where = coverage.context(s, "Household")
        # the household whose link ended and the new household, where they are in this community
        opened = sum(where[h]["community"] == community for h in (quarters.link["household"], "H-NEW-0001"))
    assert data["as_of"] == Q2 and data["previous_as_of"] == Q1
    r08 = next(r for r in data["rules"] if r["rule"] == "R08")
    assert opened and r08["change"] == opened
    assert any(k.startswith("R08") for k in data["series"])  # the rule that moved is charted
    assert data["gaps"] and all(g["fix"] for g in data["gaps"])
    # people and addresses are masked
    assert not any(re.search(r"单元\d+$", g["name"]) for g in data["gaps"])
    pdf = tmp_path / "brief.pdf"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "brief", "--community", community, "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    assert shutil.which("pdftoppm"), "apt-get install poppler-utils"
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and all(p.stat().st_size > 5000 for p in pages)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in (f"{community}党建引领基层治理简报", "主要指标", "覆盖规则", "住户无党员包联", "主要缺口与整改办法",
                  "安排党员包联该户", "数据截至 2026-06-30", "较上次（2026-03-31）", "待整改案件"):
        assert words in text, words
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "WenQuanYi" in line or "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded
    docx = tmp_path / "brief.docx"
    result = runner.invoke(cli, ["--db", db, "brief", "--community", community, "-o", str(docx)])
    assert result.exit_code == 0, result.output
    from docx import Document

    body = "\n".join(p.text for p in Document(docx).paragraphs)
    assert f"{community}党建引领基层治理简报" in body and "主要缺口与整改办法" in body
    result = runner.invoke(cli, ["--db", db, "brief", "--community", community, "-o", str(tmp_path / "x.txt")])
    assert result.exit_code != 0


def test_two_demo_quarters_give_a_trend_and_a_traced_diff(tmp_path):
    """The README's way: `orgnet demo --as-of …` then `orgnet demo --quarter 2 --as-of …`."""
    from click.testing import CliRunner

    from demo import generate
    from demo.quarter import next_quarter
    from orgnet import cli

    db = str(tmp_path / "demo.kuzu")
    runner = CliRunner()
    for args in (["--as-of", "2026-03-31"], ["--quarter", "2", "--as-of", "2026-06-30"]):
        result = runner.invoke(cli, ["--db", db, "demo", "--scale", "0.05", *args])
        assert result.exit_code == 0, result.output
    # the changes the second quarter made, as the generator lists them (same seed, same changes)
    g = generate("gaoqing", scale=0.05, seed=1, out_dir=tmp_path / "again")
    _, changes = next_quarter(g, tmp_path / "again-q2", seed=2)
    with open_store(db) as s:
        points = history.trend(s, "R08", "county")
        assert [str(p["as_of"]) for p in points] == ["2026-03-31", "2026-06-30"]
        lines = diff(s, tmp_path / "demo.archive")
    # every line traces to a ledger row: the demo workbook's, or the 整改台账 the CLI's case sync loads
    assert lines and all(x["file"] and x["row"] for x in lines)
    assert any(x["file"] == "orgnet-demo-gaoqing.xlsx" for x in lines)
    replaced = {(x["sheet"], x["row"]) for x in lines if x["change"] == "replaced"}
    assert replaced == {("楼长", c["row"]) for c in changes if c["change"] == "leader-replaced"}
    started = {(x["sheet"], x["row"]) for x in lines if x["change"] == "started" and x["what"] == "包联"}
    assert started == {("包联", c["row"]) for c in changes if c["change"] == "link-started"}
    ended = {x["id"] for x in lines if x["change"] == "ended"}
    assert ended == {f"{c['person']}→{c['household']}" for c in changes if c["change"] == "link-ended"}
    closed = {x["id"] for x in lines if x["kind"] == "gap" and x["change"] == "closed" and x["what"] == "R08"}
    assert closed == {c["household"] for c in changes if c["change"] == "link-started"}
    # the CLI keeps the rectification ledger: a community's brief lists its open cases
    from cases import ledger as case_ledger
    from reports import brief

    with open_store(db) as s:
        community = s.query("MATCH (c:Community) RETURN c.id AS id ORDER BY c.id LIMIT 1")[0]["id"]
        data = brief.brief_data(Scope(s, Principal("li", "analyst")), community)
        expected = {(r["rule"], r["entity_id"]) for r in case_ledger.cases(s, community=community)
                    if r["status"] in case_ledger.OPEN}
    assert expected and {(c["rule"], c["id"]) for c in data["cases"]} == expected
