"""Settings for 执法记录, read from the environment (django-environ).

With no environment at all the service runs on the *embedded default*: SQLite and local disk under
``var/``, a filesystem Celery broker, so a newcomer needs nothing else. Production sets
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``REDIS_URL`` and ``S3_*``. Production strictness (secret key,
demo data, hosts) is enforced by the system checks in ``backend/config/checks.py``, which the WSGI entry
point and the worker run before serving.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # repository root
env = environ.Env()

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --------------------------------------------------------------------------- Core
DEBUG = env.bool("DEBUG", default=False)
# An insecure sentinel: checks.py refuses to start with it while DEBUG is off.
INSECURE_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="") or INSECURE_SECRET_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
DEMO_MODE = env.bool("DEMO_MODE", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "backend.common",
    "backend.accounts",
    "backend.ledger",
    "backend.holiday_calendar",
    "backend.cases",
    "backend.evidence",
    "backend.reviews",
    "backend.disclosures",
    "backend.sharing",
    "backend.execution",
    "backend.notifications",
    "backend.supervision",
    "backend.console",
    "backend.config.apps.ProjectConfig",  # last: the project's checks and cross-app commands
]

MIDDLEWARE = [
    "backend.common.middleware.RequestIdMiddleware",
    # Request id, user, agency and route in every log line; request metrics; the access log line.
    "backend.common.observability.RequestObservabilityMiddleware",
    # 413 from Content-Length before any body is read (the tus views stream theirs under their own limits).
    "backend.common.middleware.RequestBodyLimitMiddleware",
    # /healthz and /readyz, answered under any Host (probes come by IP), before host validation.
    "backend.common.health.HealthProbeMiddleware",
    # Then: X-Forwarded-* count only from TRUSTED_PROXIES (backend/common/client_address.py).
    "backend.common.client_address.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.common.middleware.ApiJsonErrorMiddleware",
]

ROOT_URLCONF = "backend.config.urls"
WSGI_APPLICATION = "backend.config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Overrides of third-party templates (drf-spectacular's Redoc page, without inline script).
        "DIRS": [BASE_DIR / "backend" / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.console.context.console_badges",
            ],
        },
    },
]

# --------------------------------------------------------------------------- Database
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the worker read while one writes; wait instead of failing.
    # IMMEDIATE: a transaction takes the write lock when it begins, so a read-then-write transaction
    # waits for a concurrent writer instead of failing with "database is locked" (concurrent uploads).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --------------------------------------------------------------------------- Cache
# Throttling and login lock-out need a cache shared by all gunicorn workers.
REDIS_URL = env.str("REDIS_URL", default="")
# Counters (throttles, lock-out) are exact on both: Redis INCR, or (embedded default) a SQLite file of their
# own shared by the host's processes (backend/common/ratelimit.py). CACHE_KEY_PREFIX separates instances that
# share one Redis database.
RATE_LIMIT_DB = Path(env.str("RATE_LIMIT_DB", default=str(VAR_DIR / "counters.sqlite3")))
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# --------------------------------------------------------------------------- Auth
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "user_id",
    "TOKEN_OBTAIN_SERIALIZER": "backend.accounts.serializers.TokenObtainInputSerializer",
    "TOKEN_REFRESH_SERIALIZER": "backend.accounts.serializers.TokenRefreshInputSerializer",
}

# Failed logins per username before a temporary lock-out (password guessing).
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)

# --------------------------------------------------------------------------- DRF
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["backend.accounts.authentication.EnforcementJWTAuthentication"],
    # Default deny: every view must be authenticated unless it says otherwise explicitly.
    # Authenticated and a role granting the request's action (an auditor reads, never writes):
    # backend/accounts/permissions.py ROLE_ACTIONS.
    "DEFAULT_PERMISSION_CLASSES": ["backend.accounts.permissions.RoleActionPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # orjson, depth-limited: hostile JSON answers 400, never a RecursionError (backend/common/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["backend.common.parsers.StrictJSONParser"],
    # drf-spectacular plus the error answers and headers every operation declares (backend/common/apidocs.py).
    "DEFAULT_SCHEMA_CLASS": "backend.common.apidocs.ContractAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "backend.common.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "backend.common.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        # Exact counters (backend/common/throttling.py), shared by every worker: Redis or a locked local store.
        "backend.common.throttling.ExactAnonRateThrottle",
        "backend.common.throttling.ExactUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "login": env.str("THROTTLE_LOGIN", default="20/min"),
        "public": env.str("THROTTLE_PUBLIC", default="300/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles key on REMOTE_ADDR, which ClientAddressMiddleware has already resolved (TRUSTED_PROXIES);
    # DRF's default (None) would key on the whole client-written X-Forwarded-For header.
    "NUM_PROXIES": 0,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "执法记录 API",
    "DESCRIPTION": "行政执法全过程记录、重大执法决定法制审核、行政执法公示 — API for mobile apps, console and public.",
    # 1.1.0: every growing list is paginated, one party-type vocabulary (api_docs/guides/pagination.md, cases.md).
    "VERSION": "1.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Each route is served in both slash forms (backend/common/urls.py); the document lists the canonical one.
    "PREPROCESSING_HOOKS": ["backend.common.urls.canonical_endpoints_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.common.apidocs.add_header_components",
    ],
    # Stable, readable enum names for the mobile apps' generated clients (instead of hashed suffixes).
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "backend.cases.models.Case.Status",
        "RoleEnum": "backend.accounts.models.Role",
        "MeasureKindEnum": "backend.cases.models.PenaltyKind",
        # One vocabulary for cases, review catalogs and notices (backend/common/parties.py).
        "PartyTypeEnum": "backend.cases.models.PartyType",
        "RecipientKindEnum": "backend.ledger.models.RecipientKind",  # share links and 移送 name one vocabulary
        "CasePauseKindEnum": "backend.cases.models.CasePause.Kind",
        "RetentionTermEnum": "backend.cases.models.RetentionTerm",
        "DecisionChangeKindEnum": "backend.disclosures.models.WithdrawalKind",
        "EvidenceNoteKindEnum": "backend.evidence.models.EvidenceNote.Kind",
        "ReviewKindEnum": "backend.reviews.models.Kind",
        "ReviewKindFilterEnum": ["legal_review", "case_review"],
        "ReviewRoundStatusEnum": "backend.reviews.models.ReviewRound.Status",
        "ReviewOutcomeEnum": "backend.reviews.models.ReviewRound.Outcome",
        "RecusalReasonEnum": "backend.reviews.models.Recusal.Reason",
        "NoticeStatusEnum": "backend.disclosures.models.Notice.Status",
        "PublicNoticeStatusEnum": ["published", "withdrawn"],
        "NonDisclosureReasonEnum": "backend.disclosures.models.NonDisclosureReason",
        "SupervisionOrderKindEnum": "backend.supervision.models.CorrectionOrder.Kind",
        "SupervisionOrderStatusEnum": "backend.supervision.models.CorrectionOrder.Status",
        "FaultCaseStatusEnum": "backend.supervision.models.FaultCase.Status",
        "FaultFindingEnum": "backend.supervision.models.FaultCase.Finding",
        "SuggestionStatusEnum": "backend.supervision.models.ProcuratorialSuggestion.Status",
        "ResponsibleRoleEnum": ["handling_officer", "legal_reviewer", "head", "collective_discussion"],
        "ChannelEnum": "backend.notifications.models.Delivery.Channel",  # its name before Payment.Channel
        "PaymentChannelEnum": "backend.execution.models.Payment.Channel",
        "PaymentPlanKindEnum": "backend.execution.models.PaymentPlan.Kind",
        "PaymentPlanStatusEnum": "backend.execution.models.PaymentPlan.Status",
        "EnforcementKindEnum": "backend.execution.models.EnforcementAction.Kind",
        "EnforcementRulingEnum": "backend.execution.models.EnforcementAction.Ruling",
        "EnforcementOutcomeEnum": "backend.execution.models.EnforcementAction.Outcome",
        "RemedyKindEnum": "backend.execution.models.Remedy.Kind",
        "RemedyStatusEnum": "backend.execution.models.Remedy.Status",
        "RemedyOutcomeEnum": "backend.execution.models.Remedy.Outcome",
    },
}

CORS_URLS_REGEX = r"^/api/v1/public/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# --------------------------------------------------------------------------- Storage
# "local" (embedded default) or "s3" (production; any S3-compatible endpoint through boto3).
S3_BUCKET = env.str("S3_BUCKET", default="")
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="s3" if S3_BUCKET else "local")
STORAGE_LOCAL_ROOT = Path(env.str("STORAGE_LOCAL_ROOT", default=str(VAR_DIR / "storage")))
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="") or None
S3_REGION = env.str("S3_REGION", default="us-east-1")
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="") or None
S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="") or None
S3_SSE = env.str("S3_SSE", default="")  # "" | "AES256" | "aws:kms"
S3_OBJECT_LOCK_DAYS = env.int("S3_OBJECT_LOCK_DAYS", default=0)
UPLOAD_SCRATCH_DIR = Path(env.str("UPLOAD_SCRATCH_DIR", default=str(VAR_DIR / "scratch")))

# --------------------------------------------------------------------------- Celery
# Embedded default: a filesystem broker under var/, so `make run` has a real background worker
# without Redis. Production: CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL == "filesystem://":
    # kombu's filesystem transport with atomic message files (a worker could read one half-written and die).
    CELERY_BROKER_TRANSPORT = "backend.common.broker:FilesystemTransport"
    for _sub in ("out", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # The default 1 s poll caps a worker at one short job (a photo) per second.
        "polling_interval": 0.1,
    }
else:
    # Redis redelivers an unacknowledged task after this; it must outlast the longest media task
    # (MEDIA_TASK_TIME_LIMIT), or a long transcode would be handed to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=7 * 3600)}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3300)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE: dict = {}

# --------------------------------------------------------------------------- Idempotency-Key (mobile sync)
# The field app works offline for up to JWT_REFRESH_DAYS (14 days: its refresh token must still be valid to
# sync without a new login) and resends queued POSTs with their original keys. Keys are remembered this long
# after their first use, which must outlast that period (checks.idempotency_ttl_check; api_docs/guides/sync.md).
IDEMPOTENCY_TTL = timedelta(days=env.int("IDEMPOTENCY_TTL_DAYS", default=30))
# A reservation whose request has not answered after this many seconds is taken as dead (its process was
# killed) and taken over by the next retry. Longer than any POST takes; a live holder that overruns it
# cannot store its answer any more, so the work still happens once.
IDEMPOTENCY_RESERVATION_TIMEOUT = env.int("IDEMPOTENCY_RESERVATION_TIMEOUT", default=60)
CELERY_BEAT_SCHEDULE["common-idempotency-purge"] = {"task": "common.idempotency_purge", "schedule": 3600}
# Dates of acts sent by the field app (performed_at, served_on, clue_received_on, ...) may not lie in the future
# (api_docs/guides/sync.md); a device clock this many seconds ahead of the server's is still accepted (the app
# compares its clock with X-Server-Time). backend/common/clock.py.
CLIENT_CLOCK_SKEW_SECONDS = env.int("CLIENT_CLOCK_SKEW_SECONDS", default=600)

# --------------------------------------------------------------------------- Media processing (evidence derivatives)
# media_pipeline.Limits for ffmpeg/ffprobe/Pillow and the evidence_process task (backend/evidence/processing.py).
MEDIA_FFMPEG = env.str("MEDIA_FFMPEG", default="ffmpeg")
MEDIA_FFPROBE = env.str("MEDIA_FFPROBE", default="ffprobe")
MEDIA_PROBE_TIMEOUT_S = env.float("MEDIA_PROBE_TIMEOUT_S", default=30.0)
MEDIA_TRANSCODE_TIMEOUT_BASE_S = env.float("MEDIA_TRANSCODE_TIMEOUT_BASE_S", default=60.0)
MEDIA_TRANSCODE_TIMEOUT_PER_MEDIA_S = env.float("MEDIA_TRANSCODE_TIMEOUT_PER_MEDIA_S", default=2.0)
MEDIA_MEMORY_BYTES = env.int("MEDIA_MEMORY_BYTES", default=3 * 1024**3)  # RLIMIT_AS of each ffmpeg child
MEDIA_MAX_OUTPUT_BYTES = env.int("MEDIA_MAX_OUTPUT_BYTES", default=4 * 1024**3)
MEDIA_MAX_IMAGE_PIXELS = env.int("MEDIA_MAX_IMAGE_PIXELS", default=120_000_000)  # 108 MP phones pass; bombs do not
MEDIA_MAX_VIDEO_PIXELS = env.int("MEDIA_MAX_VIDEO_PIXELS", default=8192 * 8192)
# Still images decode in a child under this RLIMIT_AS, and only if their decoded pixels fit the second
# figure (media_pipeline/_photo_child.py): a bomb under the pixel limit never grows the worker.
MEDIA_IMAGE_MEMORY_BYTES = env.int("MEDIA_IMAGE_MEMORY_BYTES", default=2 * 1024**3)
MEDIA_MAX_IMAGE_DECODED_BYTES = env.int("MEDIA_MAX_IMAGE_DECODED_BYTES", default=480 * 1024**2)
MEDIA_MAX_DURATION_S = env.float("MEDIA_MAX_DURATION_S", default=24 * 3600.0)
MEDIA_PREVIEW_PRESET = env.str("MEDIA_PREVIEW_PRESET", default="veryfast")
# Outer bound of one evidence_process run (hours-long body-camera recordings on a busy 2-core worker).
MEDIA_TASK_SOFT_TIME_LIMIT = env.int("MEDIA_TASK_SOFT_TIME_LIMIT", default=6 * 3600)
MEDIA_TASK_TIME_LIMIT = env.int("MEDIA_TASK_TIME_LIMIT", default=6 * 3600 + 600)
MEDIA_TASK_MAX_RETRIES = env.int("MEDIA_TASK_MAX_RETRIES", default=6)
MEDIA_RETRY_BACKOFF_S = env.int("MEDIA_RETRY_BACKOFF_S", default=10)  # 10, 20, 40 … s, full jitter
MEDIA_RETRY_BACKOFF_MAX_S = env.int("MEDIA_RETRY_BACKOFF_MAX_S", default=600)
MEDIA_HEARTBEAT_S = env.int("MEDIA_HEARTBEAT_S", default=30)  # a running job refreshes its claim this often
MEDIA_CLAIM_STALE_S = env.int("MEDIA_CLAIM_STALE_S", default=300)  # a claim silent this long is taken over
MEDIA_MAX_INTERRUPTIONS = env.int("MEDIA_MAX_INTERRUPTIONS", default=3)  # worker died this often → failed
MEDIA_RECOVERY_INTERVAL_S = env.int("MEDIA_RECOVERY_INTERVAL_S", default=300)  # re-enqueue lost/stuck items
MEDIA_CAMERA_TIMEZONE = env.str("MEDIA_CAMERA_TIMEZONE", default="Asia/Shanghai")  # EXIF wall clock without offset
MEDIA_EXIF_TIME_TOLERANCE_S = env.int("MEDIA_EXIF_TIME_TOLERANCE_S", default=300)
MEDIA_EXIF_GPS_TOLERANCE_M = env.int("MEDIA_EXIF_GPS_TOLERANCE_M", default=200)
# Hourly: abandoned partial uploads are removed within an hour of their (sliding) expiry.
CELERY_BEAT_SCHEDULE["evidence-expire-uploads"] = {"task": "evidence_expire_uploads", "schedule": 3600}
CELERY_BEAT_SCHEDULE["evidence-processing-recover"] = {
    "task": "evidence_processing_recover",
    "schedule": MEDIA_RECOVERY_INTERVAL_S,
}

# --------------------------------------------------------------------------- Ledger (Merkle log)
# Signing key: LEDGER_SIGNING_KEY (signer-key string) or LEDGER_SIGNING_KEY_FILE; see backend/ledger/keys.py.
LEDGER_ORIGIN = env.str("LEDGER_ORIGIN", default="zhifa.example/ledger")
LEDGER_SIGNING_KEY = env.str("LEDGER_SIGNING_KEY", default="")
LEDGER_SIGNING_KEY_FILE = env.str("LEDGER_SIGNING_KEY_FILE", default="")
LEDGER_PREVIOUS_PUBLIC_KEYS = env.list("LEDGER_PREVIOUS_PUBLIC_KEYS", default=[])
LEDGER_CHECKPOINT_INTERVAL = env.int("LEDGER_CHECKPOINT_INTERVAL", default=300)  # seconds
LEDGER_CHECKPOINT_MAX_AGE = env.int("LEDGER_CHECKPOINT_MAX_AGE", default=3600)  # re-sign an unchanged tree
LEDGER_SELF_AUDIT_INTERVAL = env.int("LEDGER_SELF_AUDIT_INTERVAL", default=86400)
LEDGER_SELF_AUDIT_SAMPLE = env.int("LEDGER_SELF_AUDIT_SAMPLE", default=20)
LEDGER_TSA_URL = env.str("LEDGER_TSA_URL", default="")  # RFC 3161 time-stamping authority (optional)
LEDGER_TSA_ROOTS = env.str("LEDGER_TSA_ROOTS", default="")  # PEM file of trusted TSA root certificates
# The sequencer (backend/ledger/sequencer.py): "batched" (no global lock; default on PostgreSQL) or "inline"
# (every writer chains under one lock until it commits; default on SQLite, and the benchmark's baseline).
LEDGER_SEQUENCER = env.str("LEDGER_SEQUENCER", default="")
LEDGER_SEQUENCE_BATCH = env.int("LEDGER_SEQUENCE_BATCH", default=500)  # events sealed per transaction
LEDGER_SEQUENCE_INTERVAL = env.int("LEDGER_SEQUENCE_INTERVAL", default=10)  # seconds; backstop sweep
LEDGER_PENDING_MAX_AGE = env.int("LEDGER_PENDING_MAX_AGE", default=300)  # self-audit: pending longer = problem
LEDGER_SHARE_DEFAULT_DAYS = env.int("LEDGER_SHARE_DEFAULT_DAYS", default=30)
LEDGER_SHARE_MAX_DAYS = env.int("LEDGER_SHARE_MAX_DAYS", default=90)
LEDGER_SHARE_MAX_DOWNLOADS = env.int("LEDGER_SHARE_MAX_DOWNLOADS", default=1000)
CELERY_BEAT_SCHEDULE["ledger-sequence"] = {"task": "ledger_sequence", "schedule": LEDGER_SEQUENCE_INTERVAL}
CELERY_BEAT_SCHEDULE["ledger-checkpoint"] = {"task": "ledger_checkpoint", "schedule": LEDGER_CHECKPOINT_INTERVAL}
CELERY_BEAT_SCHEDULE["ledger-self-audit"] = {"task": "ledger_self_audit", "schedule": LEDGER_SELF_AUDIT_INTERVAL}
# Case deadlines (T-3/T-1 working-day reminders, overdue flags) and missing-recording flags; both idempotent.
CELERY_BEAT_SCHEDULE["cases-deadline-reminders"] = {"task": "cases.tasks.deadline_reminders", "schedule": 3600}
CELERY_BEAT_SCHEDULE["cases-recording-flags"] = {"task": "cases.tasks.recording_flags_refresh", "schedule": 900}
# The legal-review time limit: the same T-3/T-1 reminders and overdue flag; idempotent.
CELERY_BEAT_SCHEDULE["reviews-deadline-reminders"] = {"task": "reviews.tasks.deadline_reminders", "schedule": 3600}
# Reminders into inboxes, then e-mail / webhook deliveries that are due (retries with back-off); idempotent.
CELERY_BEAT_SCHEDULE["notifications-dispatch"] = {"task": "notifications.tasks.notifications_dispatch", "schedule": 300}
# Daily: alert while next year's official holidays are unknown, and recompute every still-provisional
# deadline (cases, reviews, notices) once they are known, e.g. from a newer chinese-calendar (DOMAIN.md §1.5).
CELERY_BEAT_SCHEDULE["common-calendar-coverage"] = {
    "task": "common.calendar_coverage_check",
    "schedule": crontab(minute=5, hour=8),
}
CELERY_BEAT_SCHEDULE["common-calendar-recompute"] = {
    "task": "common.calendar_recompute",
    "schedule": crontab(minute=35, hour="0,12"),
}
# 00:20 and 12:20 Asia/Shanghai: notices leave the public list on the day their display period ends.
CELERY_BEAT_SCHEDULE["disclosures-expire-display-periods"] = {
    "task": "disclosures.notice_expire_display_periods",
    "schedule": crontab(minute=20, hour="0,12"),
}

# --------------------------------------------------------------------------- Notifications
# E-mail through Django's backend (SMTP in production: EMAIL_HOST etc.); the console backend prints locally.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="zhifa-noreply@localhost")
# Webhooks (政务微信 / 钉钉 group robots) only to these hosts, over HTTPS: a user-entered URL never makes the
# server call an arbitrary address.
NOTIFY_WEBHOOK_HOSTS = env.list("NOTIFY_WEBHOOK_HOSTS", default=["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
NOTIFY_WEBHOOK_TIMEOUT = env.float("NOTIFY_WEBHOOK_TIMEOUT", default=10.0)
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=6)
NOTIFY_RETRY_BASE_SECONDS = env.int("NOTIFY_RETRY_BASE_SECONDS", default=60)
NOTIFY_RETRY_MAX_SECONDS = env.int("NOTIFY_RETRY_MAX_SECONDS", default=6 * 3600)
NOTIFY_COLLECT_DAYS = env.int("NOTIFY_COLLECT_DAYS", default=7)
# The console's public address, for links in e-mails and robot messages ("" = no link).
CONSOLE_BASE_URL = env.str("CONSOLE_BASE_URL", default="")

# --------------------------------------------------------------------------- I18N
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --------------------------------------------------------------------------- Static
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --------------------------------------------------------------------------- Security
SESSION_COOKIE_SECURE = not DEBUG and env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS (RFC 6797) on every HTTPS response with DEBUG off: a year, subdomains included. Browsers ignore it over
# plain HTTP, so it is harmless before TLS is set up and keeps the officers' browsers on HTTPS afterwards.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Content-Security-Policy on every response (django-csp): only this origin's scripts, styles, fonts and images
# (the API docs' assets are self-hosted from drf-spectacular-sidecar), no plugins, no framing, forms post here.
# A few documents with their own <style> (the API docs, the 审核意见书) add 'unsafe-inline' styles for
# themselves only (backend/common/security.py); no page anywhere may run an inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The Django admin (/admin/; ADMIN_ENABLED=0 removes it, e.g. on an internet-facing instance). Its login is
# guarded like the API's (backend/accounts/login_guard.py: per-address throttle and per-username lock-out).
ADMIN_ENABLED = env.bool("ADMIN_ENABLED", default=True)
# The staff console (/console/): one policy, applied by backend.console.security to every console answer.
# No inline script or style anywhere; htmx and the console's own script are served from 'self'.
CONSOLE_CONTENT_SECURITY_POLICY = env.str(
    "CONSOLE_CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
)
# Console sessions: closed with the browser and after 8 idle hours (one working day); HttpOnly always.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
LOGIN_URL = "/console/login/"
# Reverse proxies whose X-Forwarded-For/-Proto/-Host are believed: comma-separated IP addresses or CIDR networks
# (127.0.0.1 when nginx runs on the same host, the proxy's network under compose/Kubernetes). Empty (the
# default): no proxy is trusted and those headers are dropped from every request. One rule for Django and
# gunicorn (forwarded_allow_ips); see backend/common/client_address.py and README "Behind a reverse proxy".
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# X-Forwarded-Proto says https only when a trusted proxy sent it (ClientAddressMiddleware drops it otherwise).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Replaced by TRUSTED_PROXIES; still read so that `manage.py check` can say so (proxy.W001).
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # JSON bodies; evidence bytes go through tus, not this
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)  # no request of the API nests more than five levels

# --------------------------------------------------------------------------- Observability
# Logs: one JSON object per line (python-json-logger) with the request id, user, agency and route of the
# request that wrote it (backend/common/observability.py), ready for a log collector. LOG_FORMAT=plain for a
# terminal. Retention is the collector's job: at least six months (网络安全法 第二十一条; README "Logs").
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# One access line per request (backend.access): method, route, status, duration, bytes, user, agency.
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "backend.common.observability.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_context"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.request": {"level": "ERROR"}},
}
# The worker logs through the same handlers (JSON, with the task's name and id) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Prometheus metrics at /metrics (backend/common/metrics.py). Protected: a scraper sends
# "Authorization: Bearer <METRICS_TOKEN>"; without a token configured only a staff session may read it.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# gunicorn's workers are separate processes: each writes its counters here and /metrics adds them up
# (prometheus_client's multiprocess mode; backend/config/gunicorn.py empties it when the server starts).
METRICS_MULTIPROC_DIR = Path(env.str("PROMETHEUS_MULTIPROC_DIR", default=str(VAR_DIR / "metrics")))

# Error tracking (sentry-sdk) to a self-hosted Sentry-compatible server (Sentry, GlitchTip); off unless
# SENTRY_DSN is set. No personal data is sent (send_default_pii off): the request id and route identify an event.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from backend.common.observability import error_tracking_init

    error_tracking_init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE or None,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

# --------------------------------------------------------------------------- Supervision (backend/supervision)
# 检察调阅 grants last at most this many days; a 检察建议 is answered within this many days (人民检察院检察建议
# 工作规定 第十九条: 两个月). Orders past their deadline unanswered are escalated hourly.
SUPERVISION_GRANT_MAX_DAYS = env.int("SUPERVISION_GRANT_MAX_DAYS", default=90)
SUPERVISION_SUGGESTION_DAYS = env.int("SUPERVISION_SUGGESTION_DAYS", default=60)
CELERY_BEAT_SCHEDULE["supervision-escalate-overdue"] = {"task": "supervision_escalate_overdue", "schedule": 3600}
