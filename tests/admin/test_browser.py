"""The console's real pages in headless Chromium (Debian's package, driven by Playwright).

Screenshots of the main pages go to tests/artifacts/ for review.
"""

from __future__ import annotations

import shutil
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from govchat.app import create_app
from govchat.runtime import build_runtime
from kernel.config import Settings
from office_flows.alerts.service import AlertService, day_start
from tests.support.admin_rig import PASSWORD, seed, seed_rated_tickets
from tests.support.env import ROOT, need_or_skip

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# One citizen: the web chat's identity is the signed cookie the server hands out (kept for 127.0.0.1).
_CITIZEN: list[aiohttp.CookieJar] = []


def _citizen() -> aiohttp.CookieJar:
    if not _CITIZEN:
        _CITIZEN.append(aiohttp.CookieJar(unsafe=True))
    return _CITIZEN[0]


async def _chat(base: str, text: str) -> str:
    async with aiohttp.ClientSession(cookie_jar=_citizen()) as http:
        resp = await http.post(f"{base}/webhooks/rest/webhook", json={"message": text})
        return " ".join(m.get("text", "") for m in await resp.json())


async def test_editor_and_supervisor_in_the_browser(sqlite_settings: Settings, clock: Any, encoder: Any) -> None:
    need_or_skip(Path(CHROMIUM).is_file() or bool(shutil.which("chromium")), "chromium not installed")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        need_or_skip(False, "playwright not installed")
        return
    runtime = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    ids = await seed(runtime)
    rated = await seed_rated_tickets(runtime)
    # the day's 未诉先办 run finds the hot topics with the KB encoder (the dashboard shows what it stored)
    await AlertService(runtime.db, clock, encoder).run(day_start(clock.now()) + timedelta(days=1))
    runner = web.AppRunner(create_app(runtime, background=False))
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            # the strict CSP (no inline script) blocks nothing the console needs
            blocked: list[str] = []
            page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
            # sign in
            await page.goto(f"{base}/admin/kb")
            assert "/admin/login" in page.url
            await page.screenshot(path=str(ARTIFACTS / "login.png"))
            await page.fill("#username", "editor")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{base}/admin/kb")
            await page.screenshot(path=str(ARTIFACTS / "kb_list.png"), full_page=True)
            # edit an FAQ, publish it, the chat answer changes
            faq = ids["居住证怎么办理"]
            await page.goto(f"{base}/admin/kb/faq/{faq}")
            await page.fill("#f-answer", "居住证可以在粤省事小程序上全程网办。")
            await page.click("#save")
            await page.click("#to-review")
            await page.click("#to-published")
            await page.wait_for_selector("text=已发布")
            await page.screenshot(path=str(ARTIFACTS / "kb_entry.png"), full_page=True)
            assert "粤省事" in await _chat(base, "居住证怎么办理")
            # roll back to version 1 and publish again
            await page.click("#rollback-1")
            await page.click("#to-review")
            await page.click("#to-published")
            await page.wait_for_selector("text=已发布")
            assert "政务服务中心" in await _chat(base, "居住证怎么办理")
            # an unanswered question becomes an FAQ
            await _chat(base, "垃圾分类怎么投放")
            await page.goto(f"{base}/admin/kb/unanswered")
            await page.screenshot(path=str(ARTIFACTS / "unanswered.png"), full_page=True)
            await page.click("button.make-faq")
            await page.fill("#f-answer", "请按可回收物、有害垃圾、厨余垃圾和其他垃圾分开投放。")
            await page.click("#save")
            await page.wait_for_selector("text=已由未答问题新建问答草稿")
            # hit test page
            await page.goto(f"{base}/admin/kb/hittest?q=营业执照在哪里办")
            assert await page.inner_text("#decision") == "直接回答"
            await page.screenshot(path=str(ARTIFACTS / "hittest.png"), full_page=True)
            # the supervisor's dashboard draws its charts with ECharts
            await page.context.clear_cookies()
            await page.goto(f"{base}/admin/login")
            await page.fill("#username", "supervisor")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.goto(f"{base}/admin/dashboard")
            assert await page.evaluate("typeof window.echarts") == "object"
            await page.wait_for_selector("#chart-rates canvas")
            await page.wait_for_selector("#chart-trend canvas")
            assert not blocked, blocked
            await page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
            # drill down from 满意率 (2 of 3 satisfied) to the tickets behind it
            rate = page.locator("a.rate[data-metric=satisfaction_rate]")
            assert await rate.count() == 1 and (await rate.inner_text()).strip() == "66.7%"
            await rate.click()
            await page.wait_for_url("**/admin/dashboard/drill?*")
            listed = await page.inner_text("body")
            for code in rated["good"] + rated["bad"]:
                assert code in listed, code
            await page.screenshot(path=str(ARTIFACTS / "drill_satisfaction.png"), full_page=True)
            await page.go_back()
            await page.click("a[href*='metric=satisfaction_rate'][href*='part=bad']")
            await page.wait_for_url("**part=bad*")
            listed = await page.inner_text("body")
            assert rated["bad"][0] in listed and not any(c in listed for c in rated["good"])
            # hot topics: the three noise complaints on 东路 are one topic, linked to its tickets
            await page.goto(f"{base}/admin/dashboard")
            assert "梅江区东路" in await page.inner_text("#topics")
            await page.click("a.topic")
            listed = await page.inner_text("#drill")
            assert all(code in listed for code in rated["good"] + rated["bad"])
            await page.screenshot(path=str(ARTIFACTS / "hot_topic.png"), full_page=True)
            # an operator takes a citizen who asked for a person, replies and hands back
            assert "转接人工客服" in await _chat(base, "人工")
            await _chat(base, "社保卡丢了怎么办")
            await page.context.clear_cookies()
            await page.goto(f"{base}/admin/login")
            await page.fill("#username", "operator")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.goto(f"{base}/admin/handoff")
            assert "社保卡丢了怎么办" in await page.inner_text("#handoff-1")
            await page.click("#take-1")
            await page.fill("#reply-1", "请带身份证到社保窗口补办")
            await page.click("#send-1")
            await page.wait_for_selector("text=已回复 #1")
            await page.screenshot(path=str(ARTIFACTS / "handoff.png"), full_page=True)
            await page.click("#return-1")
            await page.wait_for_selector("text=当前没有排队或进行中的人工对话")
            async with aiohttp.ClientSession(cookie_jar=_citizen()) as http:
                resp = await http.get(f"{base}/webhooks/rest/outbox")
                relayed = [m["text"] for m in await resp.json()]
            assert "【人工客服】请带身份证到社保窗口补办" in relayed
            await browser.close()
    finally:
        await runner.cleanup()
        await runtime.close()
