"""httpx transports for the faults a real server cannot be made to produce: an answer lost after
the server acted, a proxy's error in front of it. The request still reaches the real server
first (unless a test says otherwise), so what the server did is real."""

from __future__ import annotations

import httpx

__all__ = ["ForwardThenFail"]


class ForwardThenFail(httpx.AsyncBaseTransport):
    """Send requests to the real server, but spoil the answer of selected ones.

    ``spoil(request, attempt)`` returns ``None`` to pass the real answer through, an exception
    to raise after the server has acted (the answer is lost), or a response to return instead.
    ``before(request, attempt)`` is asked first, the same way, and what it returns stands for
    the whole exchange: the request never reaches the server.
    """

    def __init__(self, spoil, before=None):
        self.real = httpx.AsyncHTTPTransport()
        self.spoil = spoil
        self.before = before or (lambda request, n: None)
        self.seen: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path))
        instead = self.before(request, len(self.seen))
        if isinstance(instead, Exception):
            raise instead
        if instead is not None:
            return instead
        response = await self.real.handle_async_request(request)
        await response.aread()
        outcome = self.spoil(request, len(self.seen))
        if outcome is None:
            return response
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def aclose(self) -> None:
        await self.real.aclose()
