"""HTTP client of the Rasa server's /model/parse; a failure is logged once, recovery too."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class NluUnavailable(RuntimeError):
    """The Rasa server did not answer in time (down, starting, or overloaded)."""


class RasaClient:
    def __init__(self, base_url: str, *, timeout: float = 2.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self.available = True

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def parse(self, text: str) -> dict[str, Any]:
        try:
            http = await self._http()
            async with http.post(f"{self.base_url}/model/parse", json={"text": text}) as resp:
                if resp.status != 200:
                    raise NluUnavailable(f"Rasa answered HTTP {resp.status}")
                body: dict[str, Any] = await resp.json()
        except (TimeoutError, aiohttp.ClientError, NluUnavailable) as exc:
            if self.available:
                log.warning(
                    "NLU server %s unavailable (%s); explicit commands and the KB keep working",
                    self.base_url,
                    exc.__class__.__name__,
                )
                self.available = False
            raise NluUnavailable(str(exc)) from exc
        if not self.available:
            log.info("NLU server %s is back", self.base_url)
            self.available = True
        return body

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
