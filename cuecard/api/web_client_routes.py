"""Serves the static web client (``cuecard/web_client``): the live page, the account page and
their files; no build step, no CDN.

The live page is served with ``Cache-Control: no-cache`` so an updated client is picked up on
the next reload (the files are small; revalidation is cheap).
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

WEB_CLIENT = Path(__file__).resolve().parent.parent / "web_client"


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_CLIENT / "index.html", headers={"Cache-Control": "no-cache"})


async def account_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_CLIENT / "account.html")


async def no_favicon(request: web.Request) -> web.Response:
    return web.Response(status=204)


def setup(app: web.Application):
    app.router.add_get("/", index)
    app.router.add_get("/account", account_page)
    app.router.add_get("/favicon.ico", no_favicon)
    app.router.add_static("/static/", WEB_CLIENT)
