"""Every page of the running app in a real (headless Chromium) browser, with a screenshot each.

No skip: if Chromium is missing this fails with the install command (the README's test command
installs it). Set ORGNET_SCREENSHOTS=DIR to keep the screenshots (docs/screenshots holds the
README's).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from browser import PAGES, chromium, click, open_page, running_app
from ledgers import mini_county_db


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The mini county, for the upload test (its ids are known)."""
    tmp = tmp_path_factory.mktemp("browser")
    db = mini_county_db(str(tmp / "app.kuzu"), tmp)
    APP["tmp"] = tmp / "tmp"  # the app's temporary folder, to see what an upload leaves there
    APP["tmp"].mkdir()
    with running_app(db, env_extra={"TMPDIR": str(APP["tmp"])}) as base:
        yield base


APP: dict[str, Path] = {}


DEMO: dict[str, Path] = {}
FIRST_START_S = 20  # the README's command must answer HTTP within this, whatever the demo load takes


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """The README's run command: `orgnet app` on an empty database; the demo county loads in the
    background while the app already answers. Yields (base URL, seconds until it answered)."""
    tmp = tmp_path_factory.mktemp("readme")
    DEMO["dir"] = tmp
    t0 = time.monotonic()
    with running_app(str(tmp / "orgnet.kuzu"), via_cli=True, wait_s=FIRST_START_S) as base:
        yield base, time.monotonic() - t0


def test_first_start_answers_at_once_and_shows_the_demo_load(demo_url):
    """Issue 13: the page answers within seconds and shows the demo load's progress, then the overview."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, up_s = demo_url
    assert up_s < FIRST_START_S
    shots = os.environ.get("ORGNET_SCREENSHOTS")
    with chromium() as driver:
        t0 = time.monotonic()
        driver.get(base + "/")  # the address the README gives
        # a few seconds on an idle machine; the bound leaves room for a machine shared by a whole team
        WebDriverWait(driver, FIRST_START_S).until(
            ec.text_to_be_present_in_element((By.CSS_SELECTOR, "body"), "正在生成并载入示范县"))
        assert time.monotonic() - t0 < FIRST_START_S
        WebDriverWait(driver, FIRST_START_S).until(  # the progress bar, refreshed every second
            ec.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="stProgress"]')))
        time.sleep(2)
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(Path(shots) / "first-start.png"))
        first = driver.find_element(By.CSS_SELECTOR, '[data-testid="stProgress"]').text
        # the page follows the load by itself and opens the overview when it is done
        WebDriverWait(driver, 900).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "h1"), "总览"))
        assert first != driver.find_element(By.CSS_SELECTOR, "body").text
        WebDriverWait(driver, 300).until(  # the overview's script has drawn its figures
            lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, '[data-testid="stMetricValue"]')][:1] == ["39,327"])


def _personal_values(folder: Path) -> tuple[set[str], set[str]]:
    """(full names, full phone and ID numbers) of every person and household in the demo ledgers."""
    from demo.recompute import read_ledgers

    ledgers = read_ledgers(sorted(folder.rglob("*.xlsx")) + sorted(folder.rglob("*.csv")))
    names, numbers = set(), set()
    for ledger, rows in ledgers.items():
        for r in rows:
            for header, v in r.items():
                if not v:
                    continue
                if header in ("姓名", "户主姓名"):
                    names.add(v)
                elif header in ("手机号", "联系电话", "身份证号") and ledger in ("people", "households"):
                    numbers.add(v)
    return names, numbers


def scanner(names: set[str], long_names: set[str]):
    """``scan(text, where)``: fails on a valid ID number, a mobile number, a full name of three or more
    characters anywhere in ``text``, or any full name as a whole ``>cell<``. A name is found by
    looking every window of the text of that name's length up in a set — the same answer as
    ``name in text`` for each name, in well under a second instead of 20 s for 40,000 names and a
    page's 600 KB of HTML."""
    import re

    from access.masking import id_card_valid

    by_length: dict[int, set[str]] = {}
    for n in long_names:
        by_length.setdefault(len(n), set()).add(n)

    def scan(text: str, where: str) -> None:
        ids = [m for m in re.findall(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])", text) if id_card_valid(m)]
        assert not ids, f"{where}: ID numbers {ids[:3]}"
        phones = re.findall(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", text)
        assert not phones, f"{where}: phone numbers {phones[:3]}"
        leaked = sorted(n for size, of_size in by_length.items()
                        for n in {text[i:i + size] for i in range(len(text) - size + 1)} & of_size)
        assert not leaked, f"{where}: names {leaked[:3]}"
        cells = set(re.findall(r">([^<>]{2,4})<", text))
        assert not (cells & names), f"{where}: names {sorted(cells & names)[:3]}"

    return scan


def test_the_scanner_finds_what_it_looks_for():
    scan = scanner({"王芳", "欧阳小明", "张小明"}, {"欧阳小明", "张小明"})
    scan("<td>王*</td><td>欧**明</td> 138****5678 110101********4512", "masked")
    for leak in ("<p>住户欧阳小明家</p>", ">王芳<", "电话13800005678", "身份证11010519491231002X",
                 "户主张小明"):
        with pytest.raises(AssertionError):
            scan(leak, "leak")


def _settle(driver, timeout: float = 300) -> None:
    """Wait until the page's script has finished (no "Running…" in Streamlit's status widget)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def done(d):
        try:
            return not any("Running" in e.text or "运行" in e.text
                           for e in d.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]'))
        except Exception:
            return False
    time.sleep(1)
    WebDriverWait(driver, timeout).until(done)


def _done_files(downloads: Path) -> list[Path]:
    return [p for p in downloads.iterdir() if p.suffix not in (".crdownload", ".tmp")]


def _download_all(driver, downloads: Path, *labels: str, expect: int = 1) -> None:
    """Click the download buttons whose label holds one of ``labels`` (or all), once at least
    ``expect`` of them are on the page (a page draws them after its tables), one at a time."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def found(d):
        try:
            return [b for b in d.find_elements(By.CSS_SELECTOR, '[data-testid="stDownloadButton"] button')
                    if b.is_displayed() and (not labels or any(x in b.text for x in labels))]
        except StaleElementReferenceException:
            return []
    count = len(WebDriverWait(driver, 300).until(lambda d: len(found(d)) >= expect and found(d)))
    for i in range(count):
        before = len(_done_files(downloads))
        click(driver, lambda d: found(d)[i:i + 1])  # a click reruns the page: find the buttons again
        # as a person would, wait for the file before the next click: a file built when clicked
        # (an XLSX, the task list) is lost if another click reruns the page meanwhile
        WebDriverWait(driver, 180).until(lambda d: len(_done_files(downloads)) > before)
        _settle(driver)


def test_every_page_renders_in_chromium_and_shows_no_personal_data(demo_url, tmp_path):
    """Every page, opened once: it renders without an exception or a browser error (with a
    screenshot each), and under the default settings its rendered HTML, its text and the overview's
    gaps downloads hold no full name, phone or ID number. (One walk for both: the pages of a ×1
    county take most of a minute to open, so they are opened once, not once per check.)"""
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    demo_url, _ = demo_url
    names, numbers = _personal_values(DEMO["dir"] / "demo")
    assert len(names) > 1000 and len(numbers) > 1000
    # two-character names also occur inside place names; look for them as whole table cells
    long_names = {n for n in names if len(n) >= 3}
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    out = Path(os.environ.get("ORGNET_SCREENSHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)

    scan = scanner(names, long_names)

    def scan_page(where: str) -> None:
        html = driver.page_source
        for frame in driver.find_elements(By.TAG_NAME, "iframe"):  # the network picture
            driver.switch_to.frame(frame)
            html += driver.page_source
            driver.switch_to.default_content()
        scan(html, where)
        # a dataframe draws on a canvas: read its cells through the grid's accessible copy
        scan(driver.find_element(By.CSS_SELECTOR, "body").text, where + " (text)")

    # the organisation page twice: as opened from the menu, and a community's party organisation
    # with its many sub-organisations
    walk = [(p, t, s) for p, t, s in PAGES if p != "org"] + [("org", "组织架构", None)] + \
           [("org?org=O-00004", "组织架构", shot) for p, _, shot in PAGES if p == "org"]
    with chromium() as driver:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        for url_path, title, shot in walk:
            try:
                open_page(driver, demo_url, url_path, title, timeout=900)
            except Exception as e:
                body = driver.find_element(By.CSS_SELECTOR, "body").text[:800]
                raise AssertionError(f"{url_path} did not finish: {type(e).__name__}\n{body}") from None
            if url_path == "links":  # a person's view: look up a household, its chain, its network at 2 hops
                box = driver.find_element(By.CSS_SELECTOR, 'input[aria-label^="搜索"]')
                box.send_keys("H-000001", Keys.ENTER)
                WebDriverWait(driver, 120).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "body"), "责任链"))
                time.sleep(3)
                scan_page(url_path + " (1 层)")
                click(driver, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, '[data-testid="stRadio"] label')
                                         if e.text.strip() == "2 层"], 120)
                WebDriverWait(driver, 120).until(
                    ec.text_to_be_present_in_element((By.CSS_SELECTOR, "body"), "合并为一个圆点"))
                legend = driver.find_element(By.CSS_SELECTOR, "body").text
                assert "住户" in legend and "人员" in legend
                time.sleep(6)  # the network picture settles and fits its frame
            if url_path.startswith("org?"):
                body = driver.find_element(By.CSS_SELECTOR, "body").text
                assert "中共富明社区总支部委员会" in body and "图中画出前 24 个" in body
                svg = driver.find_element(By.CSS_SELECTOR, '[data-testid="stGraphVizChart"] svg')
                assert svg.size["height"] > svg.size["width"]  # the sub-organisations stack in a column
            if url_path == "map":
                body = driver.find_element(By.CSS_SELECTOR, "body").text
                assert "图例" in body and "有缺口的楼栋" in body and "党群服务阵地" in body
                assert driver.find_elements(By.CSS_SELECTOR, ".orgnet-legend .sym")
                # the map draws into a canvas even though no tile server is reachable
                WebDriverWait(driver, 120).until(lambda d: d.find_elements(By.CSS_SELECTOR, "canvas"))
            errors = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
            assert not errors, f"{url_path}: {errors[0].text[:500]}"
            if shot:
                assert driver.save_screenshot(str(out / f"{shot}.png"))
                assert (out / f"{shot}.png").stat().st_size > 10_000
            severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                      and "favicon" not in e["message"] and "_stcore" not in e["message"]
                      # Streamlit's own notice when a page URL is opened directly, before navigation registers
                      and "does not seem to exist" not in e["message"]]
            assert not severe, f"{url_path}: browser errors {severe}"
            scan_page(url_path)
            if url_path == "gaps":
                _download_all(driver, downloads, expect=2)
                driver.get_log("browser")  # what the downloads logged is not the next page's
    files = sorted(downloads.iterdir())
    assert len(files) >= 2, files
    for f in files:
        if f.suffix == ".xlsx":
            text = "\n".join(f">{c.value}<" for ws in load_workbook(f) for row in ws.iter_rows() for c in row)
        else:
            text = "\n".join(f">{cell}<" for line in f.read_text(encoding="utf-8-sig").splitlines()
                             for cell in line.split(","))
        scan(text, f.name)


def test_upload_validate_and_load_in_the_browser(app_url, tmp_path):
    """A person uploads a ledger, sees it validate, loads it, and the new site is in the database;
    then loads a ledger with a bad row, skipping it, and downloads the rejected row. No uploaded
    file is left on disk at any step."""
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    ledger = tmp_path / "服务阵地.csv"
    ledger.write_text("阵地编号,名称,阵地类型,纬度,经度,所在社区编号\nX9,青羊红驿站,红色驿站,37.18,117.84,C2\n",
                      encoding="utf-8-sig")
    with chromium() as driver:
        open_page(driver, app_url, "import", "数据导入")
        wait = WebDriverWait(driver, 60)
        # the uploader comes after the templates are built: on a busy machine that outlasts open_page
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, 'input[type="file"]')))
        driver.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(ledger))
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "body"), "校验通过"))
        # an uploaded ledger holds personal data: on disk only while it is validated or loaded
        assert not list(APP["tmp"].glob("orgnet-upload-*"))
        # the load button is drawn after the validation report: wait for it rather than race it
        click(driver, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "button")
                                 if b.text.strip() == "导入" and b.is_enabled()], 60)
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "body"), "已导入"))
        driver.save_screenshot(str(tmp_path / "import-done.png"))
        assert "已导入 2 条" in driver.find_element(By.CSS_SELECTOR, "body").text  # the site and its PART_OF
        assert not list(APP["tmp"].glob("orgnet-upload-*"))
        # the app holds the database, so look through the app: the map now counts two sites
        open_page(driver, app_url, "map", "地图")
        values = [e.text for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMetricValue"]')]
        assert values[-1] == "2", values

        # skipping invalid rows: the good one is loaded, the bad one comes back in a rejects file
        bad = tmp_path / "upload2" / "服务阵地.csv"
        bad.parent.mkdir()
        bad.write_text("阵地编号,名称,阵地类型,纬度,经度,所在社区编号\nX10,青羊城市驿站,城市驿站,37.18,117.84,C2\n"
                       "X11,坏坐标驿站,红色驿站,137.18,117.84,C2\n", encoding="utf-8-sig")
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        open_page(driver, app_url, "import", "数据导入")
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, 'input[type="file"]')))
        driver.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(bad))
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "body"), "共 1 处错误"))
        click(driver, lambda d: [x for x in d.find_elements(By.CSS_SELECTOR, '[data-testid="stCheckbox"] label')
                                 if "跳过有错误的行" in x.text], 60)
        click(driver, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "button")
                                 if b.text.strip() == "导入" and b.is_enabled()], 60)
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "body"), "拒收 1 行"))
        assert not list(APP["tmp"].glob("orgnet-upload-*"))  # the rejects file is held in memory, not on disk
        _download_all(driver, downloads, "下载拒收文件")
        (rejected,) = _done_files(downloads)
        cells = [c.value for ws in load_workbook(rejected) for row in ws.iter_rows() for c in row]
        assert "X11" in cells and "X10" not in cells


def test_the_overview_answers_at_its_own_address_and_at_the_root(app_url):
    """Issue 13: /overview (the default page's own address, as bookmarked or linked) showed
    Streamlit's "Page not found" dialog; it and the root both show the overview."""
    from selenium.webdriver.common.by import By

    with chromium() as driver:
        for path in ("overview", ""):
            open_page(driver, app_url, path, "总览")
            body = driver.find_element(By.CSS_SELECTOR, "body").text
            assert "Page not found" not in body and "覆盖率" in body, body[:300]
            assert driver.current_url.rstrip("/") == f"{app_url}/{path}".rstrip("/")
            missing = [e for e in driver.get_log("browser") if "does not seem to exist" in e["message"]]
            assert not missing, missing
        # the menu's 总览 entry still leads to the root
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"] a')]
        assert links[0].rstrip("/") == app_url and not any(h.rstrip("/").endswith("/home") for h in links), links
        assert sum(1 for a in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"] a')
                   if a.text.strip() == "总览") == 1  # the hidden twin is not in the menu


def test_a_link_cannot_put_a_link_or_markup_on_the_page(app_url):
    """cases?case=… and org?org=… are echoed in the page's warning: a crafted link's Markdown (a
    link to another site, a bare URL, bold) is drawn as typed, and no link to that site appears."""
    from urllib.parse import quote

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    payload = "[请重新登录](http://evil.example/login) **紧急** www.evil.example"
    with chromium() as driver:
        for page, param, said in (("cases", "case", "没有找到案件"), ("org", "org", "没有找到党组织")):
            driver.get(f"{app_url}/{page}?{param}={quote(payload)}")
            WebDriverWait(driver, 120).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "body"), said))
            body = driver.find_element(By.CSS_SELECTOR, "body").text
            assert payload in body.replace("\u200b", ""), body[-800:]  # a zero-width space breaks each address
            links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a")]
            assert not [h for h in links if h and "evil" in h and not h.startswith(app_url)], links
            assert not driver.find_elements(By.XPATH, "//strong[contains(., '紧急')]")


# --- every download the app offers, fetched as a browser does ---------------------------------------
#: file name (as the app names it) → page; the overview's gaps downloads are in the test above
DOWNLOADS = {
    "覆盖率矩阵.xlsx": "", "整改任务清单-全部.xlsx": "cases", "整改任务清单-全部.json": "cases", "统计表.xlsx": "figures",
    "简报.pdf": "figures", "简报.docx": "figures", "包联建议.xlsx": "planning", "新建服务阵地.xlsx": "planning",
    "网格员缺口.xlsx": "planning", "search.csv": "queries", "错误清单.xlsx": "import", "audit.csv": "audit",
}
#: the downloads that carry data, audited when clicked (the template is blank, the audit CSV is the log itself)
AUDITED = [n for n in DOWNLOADS if n not in ("audit.csv",)]


def _document_text(f: Path) -> str:
    """A downloaded file's text, every cell or word as ``>value<`` (so whole-cell names can be found)."""
    import json
    import subprocess

    from docx import Document
    from openpyxl import load_workbook

    if f.suffix == ".xlsx":
        return "\n".join(f">{c.value}<" for ws in load_workbook(f) for row in ws.iter_rows() for c in row)
    if f.suffix == ".pdf":
        words = subprocess.run(["pdftotext", "-layout", str(f), "-"], check=True, capture_output=True,
                               text=True).stdout
        assert "社区" in words, f"{f.name}: pdftotext read no Chinese text"
        return "\n".join(f">{w}<" for w in words.split())
    if f.suffix == ".docx":
        doc = Document(str(f))
        parts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join(f">{w}<" for p in parts for w in p.split())
    if f.suffix == ".json":
        def cells(v):
            if isinstance(v, dict):
                return [x for y in v.values() for x in cells(y)]
            if isinstance(v, list):
                return [x for y in v for x in cells(y)]
            return [str(v)]
        return "\n".join(f">{c}<" for c in cells(json.loads(f.read_text(encoding="utf-8"))))
    return "\n".join(f">{cell}<" for line in f.read_text(encoding="utf-8-sig").splitlines() for cell in line.split(","))


def test_every_download_is_masked_and_audited(demo_url, tmp_path):
    """Default settings: click every download on every page in Chromium (running what a page needs
    first: a brief, the planners, a named query, an upload with errors), read each file — XLSX,
    CSV, JSON, PDF (pdftotext), DOCX — and find no full name, phone or ID number; each click of a
    download holding data wrote an audit event with the account, the file and its row count."""
    import json

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = demo_url
    names, numbers = _personal_values(DEMO["dir"] / "demo")
    long_names = {n for n in names if len(n) >= 3}
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    # a clerk's ledger with mistakes: an ID number pasted into the phone column, a bad yes/no
    bad = tmp_path / "人员.csv"
    bad.write_text("人员编号,姓名,是否党员,手机号,身份证号\nPZ1,赵钱孙,也许,13912345678,11010519491231002X\n"
                   "PZ2,周吴郑,是,11010519491231002X,\n", encoding="utf-8-sig")
    names |= {"赵钱孙", "周吴郑"}
    long_names |= {"赵钱孙", "周吴郑"}

    scan = scanner(names, long_names)

    def button(driver, label: str, timeout=300):
        """Click the button labelled exactly ``label`` (not a tab or another button that contains it)."""
        click(driver, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "button")
                                 if b.text.strip() == label and b.get_attribute("role") != "tab" and b.is_displayed()],
              timeout)
        _settle(driver)

    def tab(driver, label: str):
        click(driver, lambda d: [t for t in d.find_elements(By.CSS_SELECTOR, '[role="tab"]') if label in t.text], 120)
        time.sleep(1)

    with chromium() as driver:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        open_page(driver, base, "", "总览", timeout=300)
        _download_all(driver, downloads)
        open_page(driver, base, "cases", "整改台账", timeout=300)
        _download_all(driver, downloads, expect=2)
        open_page(driver, base, "figures", "统计与核稿", timeout=300)
        _download_all(driver, downloads, "统计表")
        tab(driver, "社区简报")
        button(driver, "生成简报")
        _download_all(driver, downloads, "简报.pdf")
        click(driver, lambda d: [x for x in d.find_elements(By.CSS_SELECTOR, '[data-testid="stRadio"] label')
                                 if "Word" in x.text], 120)
        _settle(driver)
        button(driver, "生成简报")
        _download_all(driver, downloads, "简报.docx")
        open_page(driver, base, "planning", "规划", timeout=300)
        button(driver, "生成包联建议")
        _download_all(driver, downloads, "包联台账")
        tab(driver, "服务阵地选址")
        button(driver, "选址")
        _download_all(driver, downloads, "服务阵地台账")
        tab(driver, "网格员配置")
        _download_all(driver, downloads, "缺员网格", "楼栋调整", expect=2)
        open_page(driver, base, "queries", "查询", timeout=300)
        box = WebDriverWait(driver, 300).until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stSelectbox"] input')))
        box.click()
        box.send_keys("搜索人员", Keys.ENTER)  # the query named search
        _settle(driver)
        q = WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, 'input[aria-label="关键词"]')))
        q.send_keys("王")
        button(driver, "运行")
        _download_all(driver, downloads, "下载 CSV")
        open_page(driver, base, "import", "数据导入", timeout=300)
        WebDriverWait(driver, 120).until(ec.presence_of_element_located((By.CSS_SELECTOR, 'input[type="file"]')))
        driver.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(bad))
        WebDriverWait(driver, 120).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "body"), "处错误"))
        _settle(driver)
        scan(driver.page_source + driver.find_element(By.CSS_SELECTOR, "body").text, "import errors (page)")
        _download_all(driver, downloads, "错误清单")
        open_page(driver, base, "audit", "审计日志", timeout=300)
        _download_all(driver, downloads)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
                any(p.suffix == ".crdownload" for p in downloads.iterdir())
                or not all(any(p.name.endswith(n) for p in downloads.iterdir()) for n in DOWNLOADS)):
            time.sleep(0.5)
    files = sorted(downloads.iterdir())
    missing = [n for n in DOWNLOADS if not any(p.name.endswith(n) for p in files)]
    assert not missing, (missing, [p.name for p in files])
    for f in files:
        scan(_document_text(f), f.name)
    # each click was audited by the page: who, which file, how many rows
    log = DEMO["dir"] / "orgnet.access" / "audit.jsonl"
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    clicked = [e for e in events if e["event"] == "download"]
    for name in AUDITED:
        found = [e for e in clicked if str(e.get("what", "")).endswith(name)]
        assert found, (name, [e.get("what") for e in clicked])
        assert found[-1]["user"].startswith("local:") and isinstance(found[-1]["rows"], int), found[-1]
    # and the count is the file's: the task list's cases, the error list's errors
    rows_of = {e["what"]: e["rows"] for e in clicked}
    [as_json] = [f for f in files if f.name.endswith("整改任务清单-全部.json")]
    assert rows_of["整改任务清单-全部.json"] == len(json.loads(as_json.read_text(encoding="utf-8"))) > 0
    [errors] = [f for f in files if f.name.endswith("错误清单.xlsx")]
    assert rows_of["错误清单.xlsx"] == _document_text(errors).count(">人员.csv<") >= 2
