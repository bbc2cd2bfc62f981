"""A minimal HTTP/1.1 keep-alive client over asyncio streams, and an SSE event parser."""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from collections.abc import AsyncIterator

HOST = "127.0.0.1"  # loopback only: this benchmark never sends traffic anywhere else


class HttpError(Exception):
    """A response or a connection that a learner counts as an error."""


class Connection:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams.

    httpx costs several times more CPU per event than this (its h11 parser and its
    per-chunk machinery run in Python), and on two cores every cycle the load generator
    spends is taken from the server being measured. This speaks exactly what the two
    servers answer: Content-Length or chunked bodies, optionally gzip-encoded.
    """

    def __init__(self, port: int, timeout: float, cookie: str) -> None:
        self.port = port
        self.timeout = timeout
        self.cookie = cookie
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        async with asyncio.timeout(self.timeout):
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(1):
                    await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes | None = None, accept: str = "application/json"
    ) -> tuple[int, dict[str, str]]:
        """Send a request and read the status line and headers; the body is read after."""
        for attempt in (0, 1):
            reused = self.writer is not None
            if self.writer is None:
                await self._connect()
            assert self.reader is not None and self.writer is not None
            head = (
                f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
                f"User-Agent: phaselab-bench\r\nAccept: {accept}\r\n"
                "Accept-Encoding: gzip\r\n"  # as a browser sends; the servers decide
                f"Cookie: {self.cookie}\r\n"
            )
            if body is not None:
                head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            try:
                self.writer.write(head.encode() + b"\r\n" + (body or b""))
                async with asyncio.timeout(self.timeout):
                    await self.writer.drain()
                    raw = await self.reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError) as error:
                await self.close()
                # A kept-alive connection the server closed while idle: retry once, fresh.
                if reused and attempt == 0:
                    continue
                raise HttpError(f"{method} connection lost before the response") from error
            return _status_and_headers(raw)
        raise AssertionError("unreachable")

    async def chunks(self, headers: dict[str, str]) -> AsyncIterator[bytes]:
        """The body as it arrives: each chunk of a chunked body, else the whole body."""
        assert self.reader is not None
        decoder = (
            zlib.decompressobj(wbits=31) if headers.get("content-encoding") == "gzip" else None
        )
        try:
            if "content-length" in headers:
                async with asyncio.timeout(self.timeout):
                    data = await self.reader.readexactly(int(headers["content-length"]))
                yield decoder.decompress(data) if decoder else data
            elif headers.get("transfer-encoding") == "chunked":
                while True:
                    async with asyncio.timeout(self.timeout):
                        size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                        data = await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
                    yield decoder.decompress(data[:-2]) if decoder else data[:-2]
            else:
                raise HttpError("response with neither Content-Length nor chunked body")
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            await self.close()
            raise HttpError("connection lost mid-body") from error
        if headers.get("connection", "").lower() == "close":
            await self.close()

    async def read_body(self, headers: dict[str, str]) -> bytes:
        return b"".join([chunk async for chunk in self.chunks(headers)])


def _status_and_headers(raw: bytes) -> tuple[int, dict[str, str]]:
    """The status code and the headers (names lower-cased) of a response head."""
    lines = raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


def parse_events(block: bytes) -> tuple[str | None, str | None, bytes]:
    """One SSE event block: its type, id and data (data lines joined)."""
    event: str | None = None
    event_id: str | None = None
    data: list[bytes] = []
    for line in block.split(b"\n"):
        if line.startswith(b"event:"):
            event = line[6:].strip().decode()
        elif line.startswith(b"id:"):
            event_id = line[3:].strip().decode()
        elif line.startswith(b"data:"):
            data.append(line[5:].lstrip(b" "))
    return event, event_id, b"\n".join(data)


async def sse_events(
    chunks: AsyncIterator[bytes],
) -> AsyncIterator[tuple[float, str | None, str | None, bytes]]:
    """Each event of an SSE body: (arrival of its chunk, type, id, data).

    The arrival is stamped when the chunk that completes the event is read, before any
    parsing, so the parser's own time does not count as the server's lateness.
    """
    buffer = b""
    async for chunk in chunks:
        arrived = time.perf_counter()
        # SSE lines may end in \r\n, \n or \r (sse-starlette sends \r\n by default).
        buffer = (buffer + chunk).replace(b"\r\n", b"\n")
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            yield (arrived, *parse_events(block))
