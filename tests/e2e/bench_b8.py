"""B8 of BENCHMARKS.md, measured on the real release app through tauri-driver (run it with
scripts/bench-desktop, which builds, seeds and starts Xvfb).

Per run:
  launch → interactive   from asking the driver for a session (which starts the app) until the
                         passphrase field is shown and enabled: an upper bound, as it includes the
                         driver's own start-up
  unlock → main screen   from pressing Unlock (Argon2id + decrypting and indexing the whole vault)
                         until the chosen organization's main screen is shown
  week view / report     100,000 entries: the week view, and a report over all time by project
  RSS                    resident memory of the stint-desktop process (VmRSS; VmHWM is its peak),
                         the WebKit web process not included
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from desktop import by_testid, launch

BENCH_ORG = "Northwind Studio (bench)"


def app_pid(binary: str) -> int:
    out = subprocess.run(["pgrep", "-n", "-f", binary], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def memory_mb(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    kb = lambda name: int(fields[name].split()[0])  # noqa: E731
    return kb("VmRSS") / 1024, kb("VmHWM") / 1024


def shown(driver, testid: str, timeout: float = 60):
    """Wait for an element to be visible, polling every 10 ms (the default 0.5 s would be the
    resolution of every figure)."""
    return WebDriverWait(driver, timeout, poll_frequency=0.01).until(
        EC.visibility_of_element_located(by_testid(testid))
    )


def one_run(vault: Path, passphrase: str, logs: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    t0 = time.perf_counter()
    with launch(vault, logs) as driver:
        field = shown(driver, "unlock-passphrase")
        WebDriverWait(driver, 30, poll_frequency=0.01).until(lambda d: field.is_enabled())
        figures["launch → interactive (s)"] = time.perf_counter() - t0

        field.send_keys(passphrase)
        t1 = time.perf_counter()
        driver.find_element(*by_testid("unlock-submit")).click()
        WebDriverWait(driver, 120, poll_frequency=0.01).until(
            EC.visibility_of_element_located(by_testid("org-list"))
        )
        options = driver.find_elements(*by_testid("org-option"))
        target = next(o for o in options if BENCH_ORG in o.text)
        target.click()
        WebDriverWait(driver, 120, poll_frequency=0.01).until(
            lambda d: d.find_elements(*by_testid("today-empty")) or d.find_elements(*by_testid("today-list"))
        )
        figures["unlock → main screen (s)"] = time.perf_counter() - t1
        # Let the first loads finish (the timer bar's 5,000 projects), so that what follows measures
        # the view changes alone.
        WebDriverWait(driver, 60, poll_frequency=0.01).until(
            lambda d: d.find_element(*by_testid("timer-project")).get_attribute("value")
        )
        figures["… until projects loaded (s)"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        driver.find_element(*by_testid("view-week")).click()
        shown(driver, "week-view")
        figures["week view (s)"] = time.perf_counter() - t2

        driver.find_element(*by_testid("nav-reports")).click()
        shown(driver, "report-preset")
        t3 = time.perf_counter()
        Select(driver.find_element(*by_testid("report-preset"))).select_by_value("all_time")
        # Done when the table holds the whole period's rows (it renders only those in view).
        WebDriverWait(driver, 60, poll_frequency=0.01).until(
            lambda d: int(d.find_element(*by_testid("report-table")).get_attribute("aria-rowcount") or 0) > 100
        )
        figures["report, all time by project (s)"] = time.perf_counter() - t3

        time.sleep(1)
        rss, peak = memory_mb(app_pid(os.environ["STINT_DESKTOP_BIN"]))
        figures["RSS after unlock (MB)"] = rss
        figures["peak RSS (MB)"] = peak
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    vault = Path(os.environ["STINT_BENCH_VAULT"])
    passphrase = os.environ["STINT_PASSPHRASE"]
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / "stint-b8-logs"
    logs.mkdir(exist_ok=True)
    runs = [one_run(vault, passphrase, logs) for _ in range(max(1, args.runs))]
    print(f"B8, release, seeded vault at {vault}, median of {len(runs)} runs (min – max)")
    for name in runs[0]:
        values = [r[name] for r in runs]
        print(f"  {name:34} {statistics.median(values):9.3f}   ({min(values):.3f} – {max(values):.3f})")
    launch_s = statistics.median(r["launch → interactive (s)"] for r in runs)
    rss = statistics.median(r["RSS after unlock (MB)"] for r in runs)
    print(f"  target: launch ≤ 1.5 s: {'met' if launch_s <= 1.5 else 'NOT met'}; RSS ≤ 150 MB: {'met' if rss <= 150 else 'NOT met'}")


if __name__ == "__main__":
    main()
