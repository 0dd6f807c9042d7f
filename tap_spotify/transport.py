"""GET requests to the Web API over urllib3, the connection pool beneath requests.

Through requests, each GET cost this tap about a millisecond of CPU (preparing the
request, merging session settings, hooks and cookies, reading the body in 10 KB
chunks): more than decoding the answer, and most of the tap's CPU per record. So the
Web API's GETs go through urllib3 directly, the body in one read; the token request
stays on requests (one request an hour).

Proxy and CA settings come from the environment, as requests reads them, once a run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import typing as t

import certifi
import requests
import urllib3

#: urllib3's failures that are worth another try (requests maps them to its
#: ConnectionError, Timeout and ChunkedEncodingError): resets, timeouts, cut bodies.
TRANSIENT_TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    urllib3.exceptions.ProtocolError,
    urllib3.exceptions.TimeoutError,
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.SSLError,
    urllib3.exceptions.ProxyError,
    urllib3.exceptions.DecodeError,
)


def ca_bundle_from_environment() -> str | None:
    """The CA bundle named by the variables requests reads, if any."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")


class ApiAnswer:
    """One HTTP answer: what errors.py, the retry policy and the SDK's request metric
    read of it."""

    __slots__ = ("authorization", "content", "elapsed", "headers", "reason", "status_code",
                 "url")

    def __init__(self, response: urllib3.BaseHTTPResponse, url: str, authorization: str,
                 seconds: float) -> None:
        self.status_code = response.status
        self.reason = response.reason
        self.headers = response.headers  # case-insensitive, like requests'
        self.content = response.data
        self.url = url
        self.authorization = authorization  # which token a 401 refers to
        self.elapsed = dt.timedelta(seconds=seconds)

    def json(self) -> t.Any:
        return json.loads(self.content)


class ApiTransport:
    """A keep-alive pool for the Web API's host, shared by every worker."""

    def __init__(self, api_url: str, pool_size: int, timeout: float) -> None:
        proxies = requests.utils.get_environ_proxies(api_url) if api_url else {}
        proxy = requests.utils.select_proxy(api_url, proxies) if api_url else None
        options: dict[str, t.Any] = {"maxsize": pool_size,
                                     "ca_certs": ca_bundle_from_environment() or certifi.where(),
                                     "timeout": urllib3.Timeout(timeout)}
        self._pool: urllib3.PoolManager
        if proxy:
            user, password = requests.utils.get_auth_from_url(proxy)
            self._pool = urllib3.ProxyManager(proxy, proxy_headers=urllib3.make_headers(
                proxy_basic_auth=f"{user}:{password}") if user else None, **options)
        else:
            self._pool = urllib3.PoolManager(**options)

    def get(self, url: str, headers: dict[str, str]) -> ApiAnswer:
        """One GET, no retries and no redirects (the retry policy decides)."""
        start = time.perf_counter()
        response = self._pool.request("GET", url, headers=headers, retries=False,
                                      redirect=False, preload_content=True)
        return ApiAnswer(response, url, headers.get("Authorization", ""),
                         time.perf_counter() - start)

    def close(self) -> None:
        self._pool.clear()
