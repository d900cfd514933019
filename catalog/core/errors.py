"""Domain errors: each carries its HTTP status and RFC 9457 problem type.

    DomainError
    ├── NotFound (404)             a record does not exist or is not yours
    ├── Unauthorized (401)         no key, an unknown key or a revoked key
    ├── Forbidden (403)            your role may not do this
    ├── Conflict (409)             a uniqueness rule (GTIN per holder, in-flight idempotency key)
    ├── Gone (410)                 a retired product, or an image of one, read at its own URL
    ├── ContentTooLarge (413)      a request's images declare more pixels than its budget
    ├── UnsupportedMediaType (415) the body's Content-Type is not accepted here
    ├── Unprocessable (422)        the input is well-formed but invalid (image, idempotency reuse)
    │   └── InvalidFields (422)    fields failed validation, one entry each in `errors`
    ├── TooManyRequests (429)      the client has its image jobs' limit in the pool (Retry-After)
    ├── ServiceUnavailable (503)   the database or blob store cannot be used now (Retry-After)
    ├── IndexNotReady (503)        this worker is still loading its matching index
    └── InsufficientStorage (507)  the blob store is full

The API renders every one as `application/problem+json`; nothing below `api/` raises
HTTP exceptions. (A body over the size cap is refused by the API's body-limit
middleware before any of this code runs.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

PROBLEM_BASE = "https://countermark.dev/problems/"


class DomainError(Exception):
    """A failure the client can act on; `status` and `type` say which."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self, detail: str, *, errors: Sequence[dict[str, Any]] | None = None, slug: str = ""
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.problem_slug = slug or self.slug

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep slug and errors when the error crosses a process boundary (image pool).
        return (type(self), (self.detail,), self.__dict__)

    @property
    def type(self) -> str:
        """The problem type URI."""
        return PROBLEM_BASE + self.problem_slug


class NotFound(DomainError):  # noqa: N818 - named for the HTTP status
    """The record does not exist, or belongs to someone else."""

    status = 404
    slug = "not-found"
    title = "Not found"


class Unauthorized(DomainError):  # noqa: N818 - named for the HTTP status
    """No valid API key was presented."""

    status = 401
    slug = "unauthorized"
    title = "Unauthorized"


class Forbidden(DomainError):  # noqa: N818 - named for the HTTP status
    """The key's role may not do this."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"


class Conflict(DomainError):  # noqa: N818 - named for the HTTP status
    """The change would break a uniqueness rule."""

    status = 409
    slug = "conflict"
    title = "Conflict"


class Gone(DomainError):  # noqa: N818 - named for the HTTP status
    """The record was retired (DELETE): it is no longer served at its own URL."""

    status = 410
    slug = "gone"
    title = "Gone"


class UnsupportedMediaType(DomainError):  # noqa: N818 - named for the HTTP status
    """The Content-Type is not accepted by this endpoint."""

    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class Unprocessable(DomainError):  # noqa: N818 - named for the HTTP status
    """The input is syntactically fine but cannot be used."""

    status = 422
    slug = "unprocessable"
    title = "Unprocessable content"


class InvalidFields(Unprocessable):
    """Fields of a request failed validation; `errors` holds one `loc`/`msg`/`type` each."""

    slug = "validation-error"
    title = "Invalid request"


class IndexNotReady(DomainError):  # noqa: N818 - named like the other domain errors
    """The worker is still loading its index (or could not start screening)."""

    status = 503
    slug = "index-not-ready"
    title = "Index not ready"


class ServiceUnavailable(DomainError):  # noqa: N818 - named for the HTTP status
    """A part the request needs (database, blob store) cannot be used now; retry later."""

    status = 503
    slug = "unavailable"
    title = "Service unavailable"


class InsufficientStorage(DomainError):  # noqa: N818 - named for the HTTP status
    """The blob store has no room for the upload."""

    status = 507
    slug = "insufficient-storage"
    title = "Insufficient storage"


# --- Image work bounds (issue 9): a request's pixel budget, a client's jobs in the pool ---


class ContentTooLarge(DomainError):  # noqa: N818 - named for the HTTP status
    """The request asks for more work than one request may (e.g. its images' total pixels)."""

    status = 413
    slug = "content-too-large"
    title = "Content too large"


class TooManyRequests(DomainError):  # noqa: N818 - named for the HTTP status
    """The client already has as much work running as it may; retry after the given delay."""

    status = 429
    slug = "too-many-requests"
    title = "Too many requests"
