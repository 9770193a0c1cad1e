"""Outgoing webhooks: signed JSON events pushed to an account's HTTPS endpoints (issue 16 item 3).

``signature``: the ``Cuecard-Signature`` header (``sign``, and ``verify`` for receivers);
``urls``: which endpoint URLs are accepted and reached (SSRF guard); ``events``: which bus
events become which webhook event types; ``dispatcher``: subscribes to the sessions of webhook
owners, queues deliveries in the store and sends them with retries.
"""
