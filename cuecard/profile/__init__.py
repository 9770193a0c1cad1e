"""The candidate (profile, STAR stories) and the job they interview for."""
