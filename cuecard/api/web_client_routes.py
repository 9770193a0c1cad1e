"""Serves the static web client (``cuecard/web_client``)."""

from pathlib import Path

from aiohttp import web

WEB_CLIENT = Path(__file__).resolve().parent.parent / "web_client"


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_CLIENT / "index.html")


def setup(app: web.Application):
    app.router.add_get("/", index)
    app.router.add_static("/static/", WEB_CLIENT)
