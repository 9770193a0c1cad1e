"""Running Cuecard past one process: replicas behind a reverse proxy (``replica``) and the
meeting-bot fleet as a worker pool on Redis (``bot_queue``, ``bot_worker``)."""
