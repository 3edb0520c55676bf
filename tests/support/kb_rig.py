"""A runtime with one published KB entry and no embedding model (lexical retrieval), for channel tests."""

from __future__ import annotations

from govchat.runtime import Runtime, build_runtime
from kernel.clock import Clock
from kernel.config import Settings
from knowledge_base import store

QUESTION = "请问居住证办理要带什么材料"


async def kb_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    rt = await build_runtime(settings, clock=clock, load_model=False)
    await publish_item(rt)
    return rt


async def publish_item(rt: Runtime) -> None:
    """The one published entry (居住证办理), indexed."""
    async with rt.db.session() as s:
        item = await store.create_entry(
            s,
            "item",
            {
                "name": "居住证办理",
                "aliases": ["办居住证"],
                "department": "梅江分局",
                "source_code": "T-1",
                "materials": ["身份证", "居住证明"],
            },
            actor="t",
            now=rt.clock.now(),
        )
        await store.publish_now(s, "item", item, actor="t", now=rt.clock.now(), comment="")
    await rt.index.sync()
