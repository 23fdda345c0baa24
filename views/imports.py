"""数据导入 Import: templates, upload, the validation report, and loading with a progress bar."""
from __future__ import annotations

import dataclasses
import hashlib
import tempfile

import pandas as pd
import streamlit as st

from graph.config import archive_dir
from loaders.engine import LoadRefused, load, validate
from loaders.templates import WORKBOOK_NAME, write_templates
from loaders.uploads import UploadRefused, staged, sweep
from queries import coverage, history
from reports import export
from views._shared import audit, data_version, deny, english, plain, principal, scope, store, t

s = store()
me = principal()
st.title(t("数据导入", "Import ledgers"))
if not me.may("load"):
    deny("只有管理员可以导入台账。", "Only administrators load ledgers.")


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as d:
        return write_templates(d)[0].read_bytes()


st.download_button(t("下载台账模板（Excel）", "Download the ledger templates (Excel)"), template_bytes(), WORKBOOK_NAME,
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="tpl")

files = st.file_uploader(t("上传台账（.xlsx / .csv，可多选）", "Upload ledgers (.xlsx / .csv, several at once)"),
                         type=["xlsx", "xlsm", "csv"], accept_multiple_files=True, key="uploads")
skip = st.checkbox(t("跳过有错误的行（被拒收的行写入拒收文件）", "Skip invalid rows (rejected rows go to a rejects file)"),
                   key="skip_invalid")
replace = st.checkbox(t("替换：撤销同名文件上次导入、本次已不存在的关系", "Replace: retire relationships this file no longer has"),
                      key="replace")
as_of = st.date_input(t("数据截至日期（台账描述的时间，如季度末）", "As of (the date the ledgers describe, e.g. a quarter's end)"),
                      key="as_of")
if not files:
    st.stop()

# The same upload is validated once, not again on every click of the page: a county's ledgers
# take seconds to validate. A load or a new upload starts afresh. The uploaded files are on disk
# only while they are validated or loaded (they hold names, phones and ID numbers).
upload_key = (tuple((f.name, hashlib.sha256(f.getvalue()).hexdigest()) for f in files), data_version(s))
if st.session_state.get("upload_key") != upload_key:
    st.session_state.update(upload_key=upload_key, upload_result=None)
    sweep()  # what a process killed while validating or loading left behind


def masked_errors(errors: list) -> list:
    """The validation errors as this user may see them: each value and message through the scope's
    masks (an ID number pasted into the phone column is not shown, or downloaded, whole)."""
    rows = scope().mask([{"value": e.value, "message": e.message} for e in errors], what="import:errors")
    return [dataclasses.replace(e, value=r["value"], message=r["message"]) for e, r in zip(errors, rows)]


def error_table(errors) -> pd.DataFrame:
    lang = "en" if english() else "zh"
    return pd.DataFrame([{t("错误类型", "Code"): export.error_kind(e.code, lang), t("文件", "File"): e.file,
                          t("工作表", "Sheet"): e.sheet or "—",
                          t("行", "Row"): "—" if e.row is None else str(e.row), t("列", "Column"): e.column or "—",
                          t("值", "Value"): "—" if e.value is None else e.value,
                          t("说明", "Message"): e.message} for e in errors])


if st.session_state.get("upload_result") is None:
    try:
        with st.spinner(t("正在校验…", "Validating…")), staged((f.name, f.getvalue()) for f in files) as paths:
            st.session_state["upload_result"] = validate(paths, s)
    except UploadRefused as e:
        st.error(plain(e))
        st.stop()
result = st.session_state["upload_result"]
summary = result.summary()
st.subheader(t("校验结果", "Validation"))
st.write("；".join(f"{k} {v} 行" for k, v in summary.items()) or t("没有识别出台账。", "No ledger recognised."))
for note in result.skipped:
    st.caption(plain(note))
if result.errors:
    errors = masked_errors(result.errors)
    st.error(t(f"共 {len(errors)} 处错误。", f"{len(errors)} errors."))
    st.dataframe(error_table(errors), hide_index=True, width="stretch", key="errors",
                 column_config={t("说明", "Message"): st.column_config.TextColumn(width="large")})
    st.download_button(t("下载错误清单（XLSX）", "Download the error list (XLSX)"),
                       export.to_xlsx([dict(e.as_dict(), code=export.error_kind(e.code, "en" if english() else "zh"))
                                      for e in errors], sheet=t("错误清单", "errors"),
                                      title=t("台账校验错误清单", "Ledger validation errors"),
                                      note=t("文件：", "Files: ") + "、".join(f.name for f in files)),
                       t("错误清单.xlsx", "errors.xlsx"), key="errors_dl",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click=lambda n=len(errors): audit().record(
                           "download", user=me.user, role=me.role, area=me.area, what="错误清单.xlsx", rows=n,
                           format="xlsx", source="app"))
    with st.expander(t("逐条查看完整说明", "Every message in full"), expanded=len(result.errors) <= 10):
        for e in errors[:300]:
            where = "，".join(x for x in (e.file, e.sheet and f"工作表“{e.sheet}”", e.row and f"第 {e.row} 行",
                                          e.column and f"“{e.column}”列") if x)
            st.markdown(f"- **{plain(where)}**：{plain(e.message)}" + (f"（值：{plain(e.value)}）" if e.value else ""))
        if len(result.errors) > 300:
            st.caption(t(f"另有 {len(result.errors) - 300} 条，见下载的错误清单。",
                         f"{len(result.errors) - 300} more in the downloaded list."))
elif summary:
    st.success(t("校验通过，可以导入。", "No errors: ready to load."))

if result.errors and not skip:
    reason = t("有错误时不能导入：请按错误清单改好台账后重新上传，或勾选“跳过有错误的行”只导入无误的行。",
               "Loading is off while there are errors: fix the ledgers and upload again, or tick "
               "“Skip invalid rows” to load only the valid rows.")
elif not summary:
    reason = t("没有可导入的台账。", "There is no ledger to load.")
else:
    reason = None
clicked = st.button(t("导入", "Load"), type="primary", disabled=reason is not None, key="do_load", help=reason)
if reason:
    st.caption(reason)
if clicked:
    bar = st.progress(0.0, text=t("准备导入…", "Starting…"))

    def progress(label: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=label)

    try:
        with staged((f.name, f.getvalue()) for f in files) as paths:
            report = load(paths, s, skip_invalid=skip, replace=replace, archive=archive_dir(s),
                          rejects=paths[0].parent / "rejects.xlsx", progress=progress, user=me.user, as_of=as_of)
            rejects = report.rejects_file.read_bytes() if report.rejects_file else None
    except LoadRefused as e:
        st.error(plain(e))
    else:
        audit().record("load", user=me.user, role=me.role, area=me.area, load=report.load_id, source="app",
                       files=[p.name for p in paths], rows=sum(report.written.values()), rejected=report.rejected)
        bar.progress(1.0, text=t("记录规则结果…", "Recording rule results…"))
        history.record(s, report.load_id, archive_dir(s))  # every load is a point in time
        from cases import ledger as case_ledger

        synced = case_ledger.sync(s, archive=archive_dir(s), progress=progress, user=me.user)  # open / fix / reopen cases
        st.cache_data.clear()
        # What the pages show is computed now, with the progress bar, not on the next page view.
        coverage.warm(s, progress=lambda label, done, total: bar.progress(min(1.0, done / max(total, 1)), text=label))
        bar.progress(1.0, text=t("完成", "Done"))
        st.info(synced.line())
        st.success(t(f"已导入 {sum(report.written.values()):,} 条（{report.load_id}，{report.seconds:.1f} 秒）。",
                     f"Loaded {sum(report.written.values()):,} rows ({report.load_id}, {report.seconds:.1f} s)."))
        st.dataframe(pd.DataFrame([{t("对象/关系", "Kind"): k, t("条数", "Rows"): v} for k, v in report.written.items()]),
                     hide_index=True, key="written")
        if rejects:
            st.warning(t(f"拒收 {report.rejected} 行，请下载拒收文件修改后重新导入。",
                         f"{report.rejected} rows rejected: download them, fix and load again."))
            st.download_button(t("下载拒收文件", "Download rejected rows"), rejects, report.rejects_file.name, key="rejects",
                               on_click=lambda: audit().record("download", user=me.user, role=me.role, area=me.area,
                                                               what=report.rejects_file.name, rows=report.rejected,
                                                               format="xlsx", source="app"))
