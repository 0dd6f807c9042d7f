"""``POST /api/token``: the client credentials grant here, the user grants handed to
user/authorize.py (``authorization_code``, ``refresh_token``)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from ..backend import SpotifyBackend
from ..user.authorize import USER_GRANTS, read_client, user_grant
from .messages import Request, Response, dumpb, oauth_error


def token(backend: SpotifyBackend, req: Request, issue: bool = True) -> Response:
    """Check the grant type and the client, then answer with a token (``issue=False``:
    a throwaway one, for an answer a fault will spoil)."""
    form = dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    grant = form.get("grant_type")
    if not grant:
        return oauth_error("unsupported_grant_type", "grant_type parameter is missing")
    if grant != "client_credentials" and grant not in USER_GRANTS:
        return oauth_error(
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        )
    client = read_client(req, form)
    if isinstance(client, Response):
        return client
    if grant != "client_credentials":
        return user_grant(backend, grant, form, client, issue)
    if client.client_id != backend.options.client_id:
        return oauth_error("invalid_client", "Invalid client")
    if client.secret != backend.options.client_secret:
        return oauth_error("invalid_client", "Invalid client secret")
    issued = backend.tokens.issue() if issue else backend.tokens.throwaway()
    body = {"access_token": issued, "token_type": "Bearer", "expires_in": backend.tokens.expires_in}
    return Response(200, dumpb(body), content_type="application/json")
