"""整改 Rectification: every gap as a case — open and overdue per community, the task list to send
out, a returned task list read back through the validating loader, and 销号 of checked fixes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from cases import ledger, tasklist
from graph.config import archive_dir
from graph.model import CASE_STATUS
from loaders.engine import LoadRefused, load
from loaders.uploads import UploadRefused, staged
from reports import export
from views._shared import case_rows, data_version, frame, plain, principal, scope, store, t

s = store()
version = data_version(s)
st.title(t("整改台账", "Rectification ledger"))
st.caption(t("每次导入后，新发现的缺口自动立案（待整改）；缺口消失的案件转为“已整改待核验”，由核验人销号；"
             "缺口再次出现的案件重新打开。",
             "After every load new gaps open cases; cases whose gap is gone become 'fixed, awaiting check' "
             "and a checker closes them; a gap that returns reopens its case."))


rows = case_rows(s, s.location, version)  # only the principal's area
if not rows:
    st.info(t("还没有整改案件：导入台账后，发现的缺口会自动立案。也可点击下方按钮按当前数据立案。",
              "No cases yet: loading ledgers opens them. Or open cases for the current data now."))
if st.button(t("按当前数据核对案件", "Check cases against the data now"), key="case_sync"):
    bar = st.progress(0.0)
    report = ledger.sync(s, archive=archive_dir(s), user=principal().user,
                         progress=lambda label, done, total: bar.progress(min(1.0, done / max(total, 1)), text=label))
    st.cache_data.clear()
    st.success(report.line())
    rows = case_rows(s, s.location, data_version(s))

per = ledger.per_community(rows)
m = st.columns(4)
m[0].metric(t("待整改/整改中", "Open"), f"{sum(r['open'] for r in per):,}")
m[1].metric(t("逾期", "Overdue"), f"{sum(r['overdue'] for r in per):,}")
m[2].metric(t("已整改待核验", "Awaiting check"), f"{sum(r['awaiting_check'] for r in per):,}")
m[3].metric(t("已销号", "Closed"), f"{sum(r['closed'] for r in per):,}")

st.subheader(t("各社区", "Per community"))
st.dataframe(frame(per), hide_index=True, width="stretch", key="case_per_community")

if not principal().may("detail"):
    st.info(t("您的角色只能查看汇总。", "Your role sees aggregates only."))
    st.stop()

st.subheader(t("案件", "Cases"))
wanted = st.query_params.get("case")
if wanted and not any(r["id"] == wanted for r in rows):
    st.warning(t(f"没有找到案件 {plain(wanted)}（或不在您的管辖范围内），下面是全部案件。",
                 f"No case {plain(wanted)} (or not in your area); all cases are shown."))
    wanted = None
communities = sorted({r["community"] for r in rows if r["community"]})
f1, f2, f3 = st.columns([2, 2, 1])
community = f1.selectbox(t("社区", "Community"), [""] + communities, format_func=lambda v: v or t("全部", "All"),
                         key="case_community")
status = f2.selectbox(t("状态", "Status"), [""] + list(CASE_STATUS), format_func=lambda v: v or t("全部", "All"),
                      key="case_status")
overdue_only = f3.toggle(t("只看逾期", "Overdue only"), key="case_overdue")
shown = [r for r in rows if (not community or r["community"] == community) and (not status or r["status"] == status)
         and (not overdue_only or r["overdue"]) and (not wanted or r["id"] == wanted)]
if wanted:
    st.info(t(f"只显示案件 {plain(wanted)}（来自覆盖缺口页）。", f"Showing case {plain(wanted)} only (from the gaps page)."))
display = tasklist.masked(scope(), shown, what="cases:page")
columns = ["id", "rule", "status", "overdue", "deadline", "community", "grid", "entity_id", "entity_name", "problem",
           "remedy", "owner_name", "reason", "notes", "gap_present", "reopened", "opened_on", "fixed_load", "checked_by"]
st.dataframe(frame([{c: r[c] for c in columns} for r in display]), hide_index=True, width="stretch", key="case_table")
st.caption(t(f"{len(shown):,} 件", f"{len(shown):,} cases"))
name = f"整改任务清单-{community or '全部'}"
d1, d2, _ = st.columns([1, 1, 3])
# built when clicked, not on every run: a county's task list takes openpyxl ~1.5 CPU-s (bench_pages)
d1.download_button(t("下载任务清单 XLSX", "Download task list (XLSX)"), lambda: tasklist.task_list_xlsx(display),
                   f"{name}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   key="case_dl_xlsx", on_click=scope().audit_export, args=(f"{name}.xlsx", len(shown), "xlsx"))
d2.download_button(t("下载 JSON", "Download JSON"), export.to_json(display).encode("utf-8"), f"{name}.json",
                   mime="application/json", key="case_dl_json", on_click=scope().audit_export,
                   args=(f"{name}.json", len(shown), "json"))
st.caption(t("任务清单发给社区：填写“状态、不适用理由、整改期限、备注、责任主体编号”后交回，在下方上传。",
             "Send the task list to the community; it fills in status, reason, deadline, notes and owner and returns it."))

st.subheader(t("交回的任务清单", "Returned task list"))
upload = st.file_uploader(t("上传社区交回的任务清单（.xlsx）", "Upload a returned task list (.xlsx)"), type=["xlsx", "csv"],
                          key="case_upload")
if upload is not None and st.button(t("校验并导入", "Validate and load"), key="case_return"):
    try:
        with staged([(upload.name, upload.getvalue())]) as paths:  # the file's own name, never a path
            report = load(paths, s, archive=archive_dir(s), user=principal().user)
    except UploadRefused as e:
        st.error(plain(e))
    except LoadRefused as e:
        st.error(t(f"任务清单有 {len(e.validation.errors)} 处错误，未做任何修改。请改正后重新上传。",
                   f"{len(e.validation.errors)} errors: nothing was changed. Fix them and upload again."))
        st.dataframe(pd.DataFrame([{t("代码", "Code"): x.code, t("文件", "File"): x.file, t("工作表", "Sheet"): x.sheet,
                                    t("行", "Row"): x.row, t("列", "Column"): x.column, t("值", "Value"): x.value,
                                    t("说明", "Message"): x.message} for x in e.validation.errors]),
                     hide_index=True, width="stretch", key="case_return_errors")
    else:
        st.cache_data.clear()
        st.success(t(f"已更新 {report.written.get('Rectification', 0)} 件（{report.load_id}）。",
                     f"Updated {report.written.get('Rectification', 0)} cases ({report.load_id})."))

st.subheader(t("销号", "Close checked cases"))
ready = [r for r in rows if r["status"] == ledger.FIXED and not r["gap_present"]]
if not ready:
    st.caption(t("没有可销号的案件：缺口在最新导入中消失后，案件才能销号。",
                 "Nothing to close: a case can be closed once the latest load no longer shows its gap."))
else:
    chosen = st.multiselect(t("选择已核验的案件", "Cases checked on site"), [r["id"] for r in ready], key="case_close_ids")
    checker = st.text_input(t("核验人", "Checked by"), key="case_checker")
    if st.button(t("销号", "Close"), disabled=not (chosen and checker.strip()), key="case_close"):
        try:
            load_id = ledger.close(s, chosen, checker=checker.strip(), archive=archive_dir(s), user=principal().user)
        except ledger.CaseError as e:
            st.error(plain(e))
        else:
            st.cache_data.clear()
            st.success(t(f"已销号 {len(chosen)} 件（{load_id}）。", f"Closed {len(chosen)} cases ({load_id})."))
