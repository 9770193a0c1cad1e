"""Test double of an OpenAI-compatible chat server, on loopback (aiohttp).

Speaks the real ``POST /v1/chat/completions`` protocol with ``stream=true`` (server-sent
events: ``data: {chat.completion.chunk}`` lines, then ``data: [DONE]``), and the plain JSON
reply without streaming. The first token is held back ``first_token_delay`` seconds and
later tokens ``token_interval`` seconds apart, so tests and ``cuecard bench latency
--llm-test-server-delay`` can measure the pipeline's own overhead against a known model
delay, and the drafter's deadline fallback against a slow provider.

Used only by tests and benchmarks; never by a session.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from aiohttp import web

DEFAULT_REPLY = (
    "Situation: [test double] placeholder context from the local test server.\n"
    "Task: [test double] what was asked.\n"
    "Action: [test double] the steps taken.\n"
    "Result: [test double] what changed."
)


class LLMTestServer:
    def __init__(
        self,
        *,
        first_token_delay: float = 0.0,
        token_interval: float = 0.005,
        reply: str = DEFAULT_REPLY,
        fail_status: int | None = None,
    ):
        self.first_token_delay = first_token_delay
        self.token_interval = token_interval
        self.reply = reply
        self.fail_status = fail_status
        self.requests: list[dict] = []
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> LLMTestServer:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/test-double/requests", self._requests)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site.port  # the bound port once started (port 0 asked the OS for one)
        return self

    async def stop(self):
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc):
        await self.stop()

    def _tokens(self) -> list[str]:
        words = self.reply.split(" ")
        return [w if i == 0 else " " + w for i, w in enumerate(words)]

    async def _requests(self, request: web.Request) -> web.Response:
        """What was received (paths and wall-clock times), for a benchmark in another process."""
        return web.json_response([{"path": r["path"], "received_wall": r["received_wall"]} for r in self.requests])

    async def _models(self, request: web.Request) -> web.Response:
        self.requests.append({"path": "/v1/models", "received": time.monotonic(), "received_wall": time.time()})
        return web.json_response(
            {
                "object": "list",
                "data": [{"id": "test-model", "object": "model", "created": 0, "owned_by": "test-double"}],
            }
        )

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(
            {
                "path": "/v1/chat/completions",
                "body": body,
                "received": time.monotonic(),
                "received_wall": time.time(),
                "authorization": request.headers.get("Authorization"),
            }
        )
        if self.fail_status:
            return web.json_response(
                {"error": {"message": "test double failure", "type": "server_error"}}, status=self.fail_status
            )
        model = body.get("model", "test-model")
        created = int(time.time())
        cid = "chatcmpl-" + uuid.uuid4().hex[:12]
        if not body.get("stream"):
            await asyncio.sleep(self.first_token_delay)
            return web.json_response(
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": self.reply}, "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": len(self._tokens()), "total_tokens": 1},
                }
            )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)

        async def send(delta: dict, finish: str | None = None):
            chunk = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())

        try:
            await send({"role": "assistant", "content": ""})  # real servers open with the role
            await asyncio.sleep(self.first_token_delay)
            for i, token in enumerate(self._tokens()):
                if i:
                    await asyncio.sleep(self.token_interval)
                await send({"content": token})
            await send({}, "stop")
            await response.write(b"data: [DONE]\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass  # the client closed the stream early (deadline, word limit): normal
        return response


async def _serve_forever(delay: float):
    server = await LLMTestServer(first_token_delay=delay).start()
    print(json.dumps({"base_url": server.base_url}), flush=True)
    await asyncio.Event().wait()


def main(argv=None):
    """Run the test double in its own process (as a real model server would be), so that a
    benchmark's event loop does not also carry the server's work."""
    import argparse

    parser = argparse.ArgumentParser(description="OpenAI-compatible test double (loopback)")
    parser.add_argument("--delay", type=float, default=0.5, help="first-token delay, seconds")
    a = parser.parse_args(argv)
    try:
        asyncio.run(_serve_forever(a.delay))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
