"""Drive the running app in Debian's headless Chromium: used by the browser test and the screenshot script."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
INSTALL_HINT = "apt-get update && apt-get install -y chromium chromium-driver fonts-noto-cjk"

#: url path, title the page shows (Chinese labels), file name of the screenshot
PAGES = [
    ("", "总览", "overview"), ("gaps", "覆盖缺口", "gaps"), ("links", "包联关系", "links"),
    ("org", "组织架构", "org-chart"), ("map", "地图", "map"), ("history", "历史与变化", "history"),
    ("figures", "统计与核稿", "figures"), ("queries", "查询", "queries"),
    ("import", "数据导入", "import"), ("model", "数据模型", "model"), ("audit", "审计日志", "audit"),
    ("cases", "整改台账", "cases"), ("planning", "规划", "planning"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(db: str, port: int | None = None, *, via_cli: bool = False, wait_s: float = 60,
                env_extra: dict[str, str] | None = None, args: tuple[str, ...] = ()):
    """Start the app on ``db`` and yield its base URL; stop it afterwards.

    ``via_cli`` starts it the README's way, ``orgnet app`` (which loads the demo county into an
    empty database first); otherwise ``streamlit run app.py`` directly, with ``args`` added to its
    options (``--secrets.files …``). ``env_extra`` adds to the environment.
    """
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["ORGNET_DB"] = db
    env.update(env_extra or {})
    if via_cli:
        cmd = [sys.executable, "-m", "orgnet", "app", "--port", str(port)]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               *args]
    log = open(Path(db).with_suffix(".log"), "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the app did not come up: " + Path(log.name).read_text(errors="replace")[-2000:])
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # `orgnet app` runs streamlit as its child
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@contextmanager
def chromium(width: int = 1440, height: int = 1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        raise RuntimeError(f"Chromium and ChromeDriver are needed for the browser test: {INSTALL_HINT}")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}", "--lang=zh-CN"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


def click(driver, find, timeout: float = 300) -> None:
    """Click the first element ``find(driver)`` lists, once there is one. Streamlit redraws
    elements while the script runs, so an element gone stale (or covered) between being found
    and being read or clicked is looked up again rather than failing the test."""
    from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while True:
        try:
            found = find(driver)
            if found:
                driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", found[0])
                found[0].click()
                return
        except (StaleElementReferenceException, ElementClickInterceptedException):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing to click on {driver.current_url}: "
                                 + driver.find_element(By.CSS_SELECTOR, "body").text[-1500:])
        time.sleep(0.5)


def open_page(driver, base: str, url_path: str, title: str, timeout: float = 60) -> float:
    """Load a page and wait until its title shows and the script has finished; returns seconds taken."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    t0 = time.monotonic()
    driver.get(f"{base}/{url_path}")
    wait = WebDriverWait(driver, timeout)
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "h1"), title))

    def settled(d):
        try:
            running = d.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
            return not any("Running" in e.text or "运行" in e.text for e in running)
        except StaleElementReferenceException:  # re-rendered while we looked: look again
            return False

    wait.until(settled)
    elapsed = time.monotonic() - t0
    time.sleep(1.5)  # let charts and maps draw before a screenshot
    return elapsed
