"""Observability: Prometheus metrics (``metrics``), the per-session event observer that feeds
them and the dashboard (``session_observer``), traces (``tracing``), JSON logs (``logs``) and
the reference-free recognition-quality proxy (``quality``)."""
