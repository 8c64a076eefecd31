"""A lean HTTP/1.1 keep-alive client for the load generator.

httpx costs about 1.5-2 ms of CPU per request; on a 2-core machine that makes the load generator,
not the minimal server, the bottleneck of the baseline, and flatters the ratio. This client
writes a request in one call and reads the response by Content-Length (or chunks): a fraction
of that cost. It speaks only to the servers started by the benchmark.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit


class Response:
    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: Any, headers: dict[str, str]) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}", "", ""]
        self.writer.write("\r\n".join(lines).encode() + payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            content = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            content = await self._chunks()
        else:
            raise RuntimeError(f"response without a length: {status_line}")
        if fields.get("connection") == "close":
            await self.close()
        return Response(int(status_line.split()[1]), content)

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self.reader.readexactly(size + 2))
            if size == 0:
                return b"".join(p[:-2] for p in parts)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
            self.reader = self.writer = None


class Pool:
    """`size` keep-alive connections handed out to one task at a time."""

    def __init__(self, base_url: str, size: int) -> None:
        url = urlsplit(base_url)
        assert url.hostname is not None and url.port is not None
        self.idle: asyncio.Queue[Connection] = asyncio.Queue()
        self.all = [Connection(url.hostname, url.port) for _ in range(size)]
        for connection in self.all:
            self.idle.put_nowait(connection)

    async def post(self, path: str, body: Any, headers: dict[str, str]) -> Response:
        connection = await self.idle.get()
        try:
            return await connection.post(path, body, headers)
        except BaseException:
            await connection.close()  # its state is unknown: start afresh next time
            raise
        finally:
            self.idle.put_nowait(connection)

    async def close(self) -> None:
        for connection in self.all:
            await connection.close()


@asynccontextmanager
async def pool(base_url: str, size: int) -> AsyncIterator[Pool]:
    connections = Pool(base_url, size)
    try:
        yield connections
    finally:
        await connections.close()
