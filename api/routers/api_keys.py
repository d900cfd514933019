"""API keys (admin): issue (the secret is shown once), list, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.auth import KeyCache
from api.deps import Admin, SessionDep
from api.errors import problem_responses
from api.schemas.access import ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyRead
from catalog.access.keys import create_key, list_keys, revoke_key

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


@router.post(
    "",
    status_code=201,
    response_model=ApiKeyCreated,
    responses=problem_responses(401, 403, 404, 422),
)
def issue(body: ApiKeyCreate, principal: Admin, session: SessionDep) -> ApiKeyCreated:
    """Issue a key; the response carries the secret `key`, which is never shown again."""
    key, token = create_key(
        session,
        actor=principal.actor,
        role=body.role,
        name=body.name,
        rights_holder_id=body.rights_holder_id,
        rotates=body.rotates,
        client_of=body.client_of,
    )
    return ApiKeyCreated(
        id=key.id,
        key=token,
        prefix=key.prefix,
        role=key.role,
        name=key.name,
        client_id=key.client_id,
        rights_holder_id=key.rights_holder_id,
    )


@router.get("", response_model=ApiKeyList, responses=problem_responses(401, 403))
def list_all(principal: Admin, session: SessionDep) -> ApiKeyList:
    """Every key, without secrets."""
    return ApiKeyList(
        items=[ApiKeyRead.model_validate(k, from_attributes=True) for k in list_keys(session)]
    )


@router.delete("/{key_id}", status_code=204, responses=problem_responses(401, 403, 404))
def revoke(key_id: str, request: Request, principal: Admin, session: SessionDep) -> Response:
    """Revoke a key: this worker refuses it at once, others within the key-cache TTL."""
    revoke_key(session, actor=principal.actor, key_id=key_id)
    cache: KeyCache = request.app.state.key_cache
    cache.evict_key(key_id)
    return Response(status_code=204)
