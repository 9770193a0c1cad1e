"""WebRTC signalling (SmallWebRTC offer / trickle ICE). Filled in by the live-transcript work."""

from aiohttp import web


def setup(app: web.Application):
    pass
