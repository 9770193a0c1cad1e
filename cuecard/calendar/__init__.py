"""Calendar import and subscriptions: interviews found in ICS files, and their scheduled opt-ins."""
