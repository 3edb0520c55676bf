"""aiohttp application keys shared by the channels and the console (both read them, neither owns them)."""

from __future__ import annotations

from aiohttp import web

# Demo mode (GOVCHAT_MODE=demo): every page says 演示模式, the chat page offers the demo sign-in (to
# loopback clients only unless GOVCHAT_ALLOW_PUBLIC_DEMO is set).
DEMO_MODE: web.AppKey[bool] = web.AppKey("demo_mode", bool)
PUBLIC_DEMO: web.AppKey[bool] = web.AppKey("public_demo", bool)
