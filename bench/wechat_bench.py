"""A passive reply's time inside the product on the WeChat official account (safe mode).

    python -m bench.wechat_bench                 # --runs 3 --messages 254 --clients 8 → bench/results/wechat.json
    python -m bench.wechat_bench --no-nlu        # KB only (no Rasa server)

One process: the demo district (demo KB with the embedding model) and, unless ``--no-nlu``, the real Rasa
server (the cached model of the tests, ``~/.cache/govchat/nlu-models``). The official-account channel runs in
safe mode behind a real aiohttp server on loopback, its outbound API pointed at the local fake platform.
Each message of ``bench/data/nlu_eval.jsonl`` (254 varied sentences, citizens' and staff's) is encrypted and
signed as WeChat sends it, posted, and its encrypted passive reply decrypted: the time measured is the HTTP
round trip on loopback (decrypt, guard, understand, answer, encrypt — and the loopback HTTP itself), against
the platform's 5-second limit. Baseline in the same run: the same sentences through ``Bot.process`` directly
(the channel's own cost is the difference). Two loads: one sender at a time, and ``--clients`` senders at
once. Every figure is the median over ``--runs`` runs; replies that missed the budget ("success", answer
later by the customer-service API) are counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bench.common import machine_speed, percentile, write_result
from bot.messages import Incoming
from govchat.app import create_app
from govchat.runtime import Runtime, build_runtime
from kernel.clock import SHANGHAI, SystemClock
from kernel.config import load_settings
from tests.support.wechat_client import AES_KEY, TOKEN, OfficialPlatform
from tests.support.wechat_fake import FakeWeixin, running

ROOT = Path(__file__).resolve().parent
SENTENCES = ROOT / "data" / "nlu_eval.jsonl"
OUT = ROOT / "results" / "wechat.json"
LIMIT_MS = 5000.0


def sentences() -> list[str]:
    with SENTENCES.open(encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


async def start_nlu(tmp: Path) -> Any:
    """The real Rasa server on the tests' cached model (trained once per fingerprint)."""
    from nlu.client import RasaClient
    from nlu.manager import NluRuntime
    from nlu.rasa_env import ensure_rasa_env
    from nlu.server import RasaServer
    from nlu.training import PROJECT_DIR, train
    from tests.support.env import free_port
    from tests.support.rasa import MODELS

    settings = load_settings()
    rasa = await asyncio.to_thread(ensure_rasa_env, settings.rasa_venv.expanduser(), python=settings.rasa_python)
    model, _ = await asyncio.to_thread(train, rasa, MODELS, progress=print)
    server = RasaServer(rasa, model, port=free_port(), project=PROJECT_DIR, log_file=tmp / "rasa.log")
    await server.start(timeout=300)
    return NluRuntime(RasaClient(server.url, timeout=settings.nlu_timeout), server, model)


def stats(times: list[float], late: int) -> dict[str, float | int]:
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        "late": late,
    }


async def through_channel(official: OfficialPlatform, texts: list[str], clients: int, tag: str) -> dict[str, Any]:
    times: list[float] = []
    late = 0

    async def sender(n: int, part: list[str]) -> None:
        nonlocal late
        for i, text in enumerate(part):
            openid = f"o-bench-{tag}-{n}-{i}"  # each message opens a conversation (no dialogue left open)
            t = time.perf_counter()
            reply = await official.say(openid, text)
            times.append((time.perf_counter() - t) * 1000)
            late += reply == ""

    await asyncio.gather(*(sender(n, texts[n::clients]) for n in range(clients)))
    return stats(times, late)


async def through_bot(rt: Runtime, texts: list[str], clients: int, tag: str) -> dict[str, Any]:
    times: list[float] = []

    async def sender(n: int, part: list[str]) -> None:
        for i, text in enumerate(part):
            t = time.perf_counter()
            await rt.bot.process(Incoming("wechat", f"o-direct-{tag}-{n}-{i}", text))
            times.append((time.perf_counter() - t) * 1000)

    await asyncio.gather(*(sender(n, texts[n::clients]) for n in range(clients)))
    return stats(times, 0)


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {k: round(statistics.median(r[k] for r in runs), 1) for k in runs[0]} | {
        "runs_p95_ms": [r["p95_ms"] for r in runs]
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    texts = sentences()[: args.messages]
    result: dict[str, Any] = {
        "machine_before": machine_speed(),
        "messages_per_run": len(texts),
        "runs": args.runs,
        "clients": args.clients,
        "nlu": not args.no_nlu,
        "safe_mode": True,
        "limit_ms": LIMIT_MS,
    }
    fake = FakeWeixin()
    with tempfile.TemporaryDirectory(prefix="govchat-wechat-bench-") as tmp:
        nlu = None if args.no_nlu else await start_nlu(Path(tmp))
        async with running(fake) as base:
            settings = load_settings(
                environ={},
                data_dir=str(Path(tmp) / "data"),
                mode="demo",
                nlu_enabled=not args.no_nlu,
                wechat_token=TOKEN,
                wechat_app_id=fake.app_id,
                wechat_app_secret=fake.app_secret,
                wechat_aes_key=AES_KEY,
                wechat_api_base=base,
            )
            clock = SystemClock()
            t = time.perf_counter()
            rt = await build_runtime(settings, clock=clock, nlu=nlu, progress=print)
            result["startup_seconds"] = round(time.perf_counter() - t, 1)
            async with TestClient(TestServer(create_app(rt, background=False))) as client:
                official = OfficialPlatform(client, clock, fake.app_id, aes_key=AES_KEY)
                await official.say("o-warmup", texts[0])  # first parse and first encode load lazily
                await rt.bot.process(Incoming("wechat", "o-warmup-2", texts[1]))
                sample = []
                for i, text in enumerate(texts[:: max(1, len(texts) // 12)]):
                    t = time.perf_counter()
                    reply = await official.say(f"o-sample-{i}", text)
                    ms = round((time.perf_counter() - t) * 1000, 1)
                    sample.append({"says": text, "ms": ms, "reply": reply.replace("\n", " ")[:60]})
                result["sample"] = sample
                for clients in (1, args.clients):
                    channel, direct = [], []
                    for run in range(args.runs):
                        tag = f"{clients}-{run}"
                        channel.append(await through_channel(official, texts, clients, tag))
                        direct.append(await through_bot(rt, texts, clients, tag))
                    mc, md = median_of(channel), median_of(direct)
                    result[f"senders_{clients}"] = {
                        "passive_reply": mc,
                        "bot_process_baseline": md,
                        "channel_overhead_p50_ms": round(mc["p50_ms"] - md["p50_ms"], 1),
                        "p95_share_of_limit": round(mc["p95_ms"] / LIMIT_MS, 3),
                    }
    result["machine_after"] = machine_speed()
    result["when"] = SystemClock().now().astimezone(SHANGHAI).isoformat(timespec="seconds")
    return result


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--messages", type=int, default=254)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--no-nlu", action="store_true")
    ap.add_argument("--out", default=str(OUT))
    write_result(asyncio.run(main(ap.parse_args())), ap.parse_args().out)
