"""The web chat page in headless Chromium: its script runs under the strict CSP (no inline script), and a
notification delivered twice (an acknowledgement lost, the message leased again) is shown once, also after a
reload (issue 15, item 3: duplicates suppressed by message id on the client side)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.appkeys import CHAT_SIGNER
from bot.channels.rest import COOKIE
from govchat.app import create_app
from govchat.runtime import build_runtime
from kernel.config import Settings
from kernel.outbox import notify_address
from tests.support.env import free_port, need_or_skip

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
NOTICE = "您的工单 GD2026120400001 已办结，请对办理结果进行评价。"


async def _count(page: Any, text: str) -> int:
    return int(await page.locator("#log .bubble", has_text=text).count())


async def test_chat_page_runs_under_csp_and_shows_a_redelivered_notice_once(
    sqlite_settings: Settings, clock: Any
) -> None:
    need_or_skip(Path(CHROMIUM).is_file() or bool(shutil.which("chromium")), "chromium not installed")
    try:
        from playwright.async_api import Route, async_playwright
    except ImportError:
        need_or_skip(False, "playwright not installed")
        return
    runtime = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    app = create_app(runtime, background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    delivered: dict[int, dict[str, Any]] = {}

    async def replay_old_messages(route: Route) -> None:
        """A server whose acknowledgements were lost: every poll also returns what it returned before."""
        response = await route.fetch()
        fresh = await response.json()
        for m in fresh:
            delivered[m["id"]] = m
        await route.fulfill(response=response, json=list(delivered.values()) + fresh)

    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = await browser.new_page()
            csp_errors: list[str] = []
            page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
            await page.route("**/webhooks/rest/outbox", replay_old_messages)
            await page.goto(f"{base}/chat")
            # the script ran (it writes the greeting) and the visitor can ask: a reply appears
            await page.locator("#log .bubble", has_text="智能助手").wait_for(timeout=10_000)
            await page.fill("#input", "你好")
            await page.click("#send")
            await page.locator("#log .msg.bot").nth(1).wait_for(timeout=15_000)

            cookie = next(c for c in await page.context.cookies() if c["name"] == COOKIE)
            visitor = app[CHAT_SIGNER].unsign(cookie["value"])
            assert visitor is not None and visitor.startswith("v-")
            async with runtime.db.session() as s:
                await notify_address(s, "web", visitor, NOTICE, kind="ticket", now=clock.now())

            await page.locator("#log .bubble", has_text=NOTICE).first.wait_for(timeout=10_000)
            await asyncio.sleep(7)  # two more polls, each returning the notice again
            assert delivered, "the page polled the outbox"
            assert await _count(page, NOTICE) == 1

            await page.reload()  # the log starts empty; the notice served again is not shown again
            await page.locator("#log .bubble", has_text="智能助手").wait_for(timeout=10_000)
            await asyncio.sleep(4)
            assert await _count(page, NOTICE) == 0
            assert not csp_errors, json.dumps(csp_errors, ensure_ascii=False)
            await browser.close()
    finally:
        await runner.cleanup()
        await runtime.close()
