"""The client: one server, one identity, a pool of keep-alive connections.

``make_client(host, credentials=…)`` or ``Client(url, config=…)`` then ``login``; resources are
reached through the repositories ``client.tasks``, ``client.projects``, ``client.jobs`` and
``client.users``. The low-level methods (:meth:`Client.request`, :meth:`Client.get_json`,
:meth:`Client.paginate`, :meth:`Client.wait_for_completion`) serve SDK modules and user code
that need an endpoint no repository wraps.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import orjson
import platformdirs
from packaging.specifiers import Specifier
from packaging.version import InvalidVersion, Version

from inklab._version import API_VERSION, __version__
from inklab.sdk import models
from inklab.sdk.client._auth import (
    AccessTokenCredentials,
    Credentials,
    PasswordCredentials,
    Session,
    origin_of,
)
from inklab.sdk.client._errors import (
    ApiError,
    AuthenticationError,
    BackgroundRequestError,
    BadRequestError,
    IncompatibleServerError,
    InvalidHostError,
    ResponseInfo,
    error_for_response,
)
from inklab.sdk.client._progress import NullProgressReporter, ProgressReporter
from inklab.sdk.client._transport import HttpRequest, HttpResponse, Transport, Urllib3Transport
from inklab.vocabulary import RequestStatus

if TYPE_CHECKING:
    from inklab.sdk.client.resources import (
        InvitationsRepo,
        JobsRepo,
        OrganizationsRepo,
        ProjectsRepo,
        TasksRepo,
        UsersRepo,
    )

__all__ = ["Client", "Config", "make_client", "normalize_server_url"]

DEFAULT_CACHE_DIR: Final = platformdirs.user_cache_path("inklab", "inklab")
JSON_MEDIA_TYPE: Final = "application/vnd.cvat+json"
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Final = _NoBody()


@dataclass
class Config:
    """Settings of a :class:`Client`.

    ``status_check_period``: seconds between polls of a background request.
    ``allow_unsupported_server``: only warn (True) or fail (False) when the server's API
    version is not one this SDK supports. ``verify_ssl``: False disables certificate checks.
    ``cache_dir``: where datasets cache frames and annotations. ``max_connections``: parallel
    connections for downloads. ``timeout``: seconds to wait for data on a connection.
    """

    status_check_period: float = 5
    allow_unsupported_server: bool = True
    verify_ssl: bool | None = None
    cache_dir: Path = DEFAULT_CACHE_DIR
    max_connections: int = 8
    timeout: float = 120.0

    def __post_init__(self) -> None:
        self.cache_dir = Path(self.cache_dir).expanduser()
        if self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")


def normalize_server_url(host: str, port: int | None = None) -> str:
    """The base URL for ``host``: ``http(s)://name[:port][/prefix]`` without a trailing slash.

    A host without a scheme gets ``http://`` when it is the local machine (``localhost``,
    ``127.0.0.1``, ``::1``) and ``https://`` otherwise. ``port`` may not repeat a port in ``host``.
    """
    text = host.strip()
    if not text:
        raise InvalidHostError("The server address is empty.")
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise InvalidHostError(f"Unsupported scheme '{scheme}' in '{host}'; use http:// or https://.")
        url = text
    else:
        name = urllib.parse.urlsplit("//" + text).hostname or ""
        url = ("http://" if name in _LOOPBACK or name.startswith("127.") else "https://") + text
    parts = urllib.parse.urlsplit(url.rstrip("/"))
    if not parts.hostname:
        raise InvalidHostError(f"No host name in '{host}'.")
    try:
        existing_port = parts.port
    except ValueError as exc:
        raise InvalidHostError(f"Invalid port in '{host}'.") from exc
    netloc = parts.netloc
    if port is not None:
        if existing_port is not None:
            raise InvalidHostError(f"'{host}' already has a port; do not pass port={port} as well.")
        netloc = f"{netloc}:{int(port)}"
    return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def _supported(version: Version) -> bool:
    base = Version(API_VERSION)
    targets = (f"{base.major}.{base.minor}.0", f"{base.major}.{base.minor + 1}.0")
    return any(Specifier(f"~={t}").contains(version) for t in targets)


def _encode_params(params: Mapping[str, Any] | None) -> str:
    if not params:
        return ""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, bool):
                item = "true" if item else "false"
            pairs.append((key, str(item)))
    return urllib.parse.urlencode(pairs)


def _json_default(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.to_dict()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"Cannot send a {type(value).__name__} as JSON")


def dumps(value: Any) -> bytes:
    """JSON bytes of models, dicts and lists (models nested anywhere are converted)."""
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS)


class Client:
    """A connection to one server (see the module docstring).

    ``url`` is normalised by :func:`normalize_server_url`. The constructor asks the server for
    its version (anonymously) unless ``check_server_version`` is False: then it makes no request
    at all, which is what offline use of cached datasets needs. ``transport`` replaces the HTTP
    layer (tests). Raises :class:`TransportError` when the server cannot be reached and
    :class:`IncompatibleServerError` as :attr:`Config.allow_unsupported_server` decides.
    """

    def __init__(self, url: str, *, logger: logging.Logger | None = None, config: Config | None = None,
                 check_server_version: bool = True, transport: Transport | None = None) -> None:
        self.url = normalize_server_url(url)
        self.logger = logger or logging.getLogger("inklab.sdk")
        self.config = config or Config()
        self._transport: Transport = transport or Urllib3Transport(
            max_connections=self.config.max_connections + 2, verify_ssl=self.config.verify_ssl,
            timeout=self.config.timeout)
        self._session = Session(origin_of(self.url))
        self.default_headers: dict[str, str] = {"User-Agent": f"inklab-sdk/{__version__}"}
        self._repos: dict[str, Any] = {}
        if check_server_version:
            self.check_server_version()

    # -- lifecycle and identity -------------------------------------------------------------

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections (the session on the server stays valid; see :meth:`logout`)."""
        self._transport.close()

    def login(self, credentials: Credentials | tuple[str, str]) -> None:
        """Authenticate: a password login (tuple or :class:`PasswordCredentials`) or a token.

        Raises :class:`AuthenticationError` when the server refuses the credentials.
        """
        if self.has_credentials():
            self.logout()
        if isinstance(credentials, AccessTokenCredentials):
            self._session.use_token(credentials.token)
            return
        if isinstance(credentials, tuple) and len(credentials) == 2:
            credentials = PasswordCredentials(*credentials)
        if not isinstance(credentials, PasswordCredentials):
            raise TypeError("credentials must be (user, password), PasswordCredentials or AccessTokenCredentials")
        try:
            response = self.request("POST", "/api/auth/login",
                                    json={"username": credentials.user, "password": credentials.password},
                                    authenticate=False)
        except (BadRequestError, AuthenticationError) as exc:
            raise AuthenticationError(
                f"The server at {self.url} refused the login of '{credentials.user}': "
                f"{exc.detail or 'wrong user name or password'}",
                request=exc.request, response=exc.response, detail=exc.detail) from None
        self._session.update_from(response.headers, start=True)
        if not self._session.has_session:
            raise AuthenticationError(
                f"The server at {self.url} accepted the login but set no session cookie.",
                request=response.request.info, response=ResponseInfo(response.status, {}, b""))

    def logout(self) -> None:
        """End a password session on the server (tokens stay valid) and forget the credentials."""
        if self._session.has_session:
            try:
                self.request("POST", "/api/auth/logout")
            finally:
                self._session.clear()
        self._session.clear()

    def has_credentials(self) -> bool:
        return self._session.has_credentials

    @property
    def organization_slug(self) -> str | None:
        """The organization every request works in (``X-Organization``); None for no context."""
        return self.default_headers.get("X-Organization")

    @organization_slug.setter
    def organization_slug(self, slug: str | None) -> None:
        if slug is None:
            self.default_headers.pop("X-Organization", None)
        else:
            self.default_headers["X-Organization"] = slug

    @contextmanager
    def organization_context(self, slug: str) -> Iterator[None]:
        """Work in organization ``slug`` (``""``: the personal workspace) inside the block."""
        previous = self.organization_slug
        self.organization_slug = slug
        try:
            yield
        finally:
            self.organization_slug = previous

    # -- server version ---------------------------------------------------------------------

    def get_server_version(self) -> Version:
        """The server's CVAT API version (``/api/server/about``)."""
        about = models.About.from_dict(self.get_json("/api/server/about", authenticate=False))
        return Version(about.version)

    def check_server_version(self, fail_if_unsupported: bool | None = None) -> None:
        """Warn (or raise :class:`IncompatibleServerError`) when the API version is unsupported."""
        if fail_if_unsupported is None:
            fail_if_unsupported = not self.config.allow_unsupported_server
        try:
            version = self.get_server_version()
            problem = None if _supported(version) else (
                f"The server's API version {version} is not one this SDK supports "
                f"(it speaks CVAT API {Version(API_VERSION).base_version}); some calls may fail.")
        except ApiError as exc:
            problem = f"Cannot read the server's API version: {exc}"
        except InvalidVersion as exc:
            problem = f"The server reports an unreadable API version: {exc}"
        if problem is not None:
            self.logger.warning("%s", problem)
            if fail_if_unsupported:
                raise IncompatibleServerError(problem)

    # -- low-level requests -----------------------------------------------------------------

    def url_for(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The absolute URL of an API path (``/api/…``) or of an absolute URL, with ``params``."""
        url = path if "://" in path else self.url + path
        query = _encode_params(params)
        if query:
            url += ("&" if "?" in url else "?") + query
        return url

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                json: Any = NO_BODY, body: bytes | None = None, headers: Mapping[str, str] | None = None,
                stream: bool = False, expect: Iterable[int] | None = None, timeout: float | None = None,
                authenticate: bool = True) -> HttpResponse:
        """Send a request and return the response; raise :class:`ApiError` for an error status.

        ``json`` is encoded as the body (models allowed anywhere in it); ``body`` sends raw bytes.
        ``expect`` lists the accepted statuses (default: any 2xx). ``stream`` leaves the body
        unread: iterate :meth:`HttpResponse.iter_bytes` and close the response.
        """
        all_headers = dict(self.default_headers)
        if json is not NO_BODY:
            body = b"" if json is None else dumps(json)
            all_headers["Content-Type"] = "application/json"
            all_headers["Accept"] = JSON_MEDIA_TYPE
        if authenticate:
            self._session.apply(all_headers)
        if headers:
            all_headers.update(headers)
        request = HttpRequest(method.upper(), self.url_for(path, params), all_headers, body)
        started = time.perf_counter()
        response = self._transport.send(request, stream=stream, timeout=timeout)
        self.logger.debug("%s %s -> %s (%.0f ms)", request.method, request.url, response.status,
                          (time.perf_counter() - started) * 1000)
        if authenticate:
            self._session.update_from(response.headers)
        accepted = set(expect) if expect is not None else None
        ok = response.status in accepted if accepted is not None else 200 <= response.status < 300
        if not ok:
            error = error_for_response(request.info, ResponseInfo(
                response.status, dict(response.headers.items()), response.data))
            response.close()
            raise error
        return response

    def get_json(self, path: str, params: Mapping[str, Any] | None = None, *, authenticate: bool = True) -> Any:
        """``GET`` a JSON document."""
        response = self.request("GET", path, params=params, headers={"Accept": JSON_MEDIA_TYPE},
                                authenticate=authenticate)
        return response.json()

    def send_json(self, method: str, path: str, payload: Any = None, *,
                  params: Mapping[str, Any] | None = None) -> Any:
        """Send ``payload`` as JSON; return the decoded answer (None for an empty body)."""
        response = self.request(method, path, params=params, json=payload)
        data = response.data
        return orjson.loads(data) if data.strip() else None

    def paginate(self, path: str, params: Mapping[str, Any] | None = None, *,
                 headers: Mapping[str, str] | None = None) -> list[Any]:
        """All ``results`` of a paginated collection, page after page until ``next`` is null."""
        results: list[Any] = []
        page = 1
        while True:
            response = self.request("GET", path, params={**(params or {}), "page": page},
                                    headers={"Accept": JSON_MEDIA_TYPE, **(headers or {})}, expect=(200,))
            body = response.json()
            results.extend(body.get("results", []))
            if not body.get("next"):
                return results
            page += 1

    def wait_for_completion(self, rq_id: str, *, status_check_period: float | None = None,
                            log_prefix: str | None = None, pbar: ProgressReporter | None = None
                            ) -> models.Request:
        """Poll ``/api/requests/{rq_id}`` until it finishes; return the finished request.

        Raises :class:`BackgroundRequestError` with the server's message when it fails.
        ``pbar`` shows the server's progress in percent.
        """
        period = self.config.status_check_period if status_check_period is None else status_check_period
        path = "/api/requests/" + urllib.parse.quote(rq_id, safe="")
        reporter = pbar or NullProgressReporter()
        with reporter.task(total=100, desc=log_prefix or "Waiting for the server", unit="%"):
            while True:
                request = models.Request.from_dict(self.get_json(path))
                prefix = log_prefix or f"{request.operation.type if request.operation else 'request'} {rq_id}"
                self.logger.info("%s: %s %s", prefix, request.status, request.message or "")
                if request.progress is not None:
                    reporter.report_status(int(round(request.progress * 100)))
                if request.status == RequestStatus.FINISHED:
                    reporter.report_status(100)
                    return request
                if request.status == RequestStatus.FAILED:
                    raise BackgroundRequestError(request.message or f"Request {rq_id} failed.", request_id=rq_id)
                time.sleep(period)

    # -- repositories -----------------------------------------------------------------------

    def _repo(self, name: str, factory: Any) -> Any:
        repo = self._repos.get(name)
        if repo is None:
            repo = self._repos[name] = factory(self)
        return repo

    @property
    def tasks(self) -> TasksRepo:
        from inklab.sdk.client.resources import TasksRepo

        return self._repo("tasks", TasksRepo)  # type: ignore[no-any-return]

    @property
    def projects(self) -> ProjectsRepo:
        from inklab.sdk.client.resources import ProjectsRepo

        return self._repo("projects", ProjectsRepo)  # type: ignore[no-any-return]

    @property
    def jobs(self) -> JobsRepo:
        from inklab.sdk.client.resources import JobsRepo

        return self._repo("jobs", JobsRepo)  # type: ignore[no-any-return]

    @property
    def users(self) -> UsersRepo:
        from inklab.sdk.client.resources import UsersRepo

        return self._repo("users", UsersRepo)  # type: ignore[no-any-return]

    @property
    def organizations(self) -> OrganizationsRepo:
        from inklab.sdk.client.resources import OrganizationsRepo

        return self._repo("organizations", OrganizationsRepo)  # type: ignore[no-any-return]

    @property
    def invitations(self) -> InvitationsRepo:
        from inklab.sdk.client.resources import InvitationsRepo

        return self._repo("invitations", InvitationsRepo)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<inklab.sdk.Client {self.url}>"


def make_client(host: str, *, port: int | None = None, credentials: Credentials | tuple[str, str] | None = None,
                access_token: str | None = None, config: Config | None = None,
                logger: logging.Logger | None = None) -> Client:
    """A :class:`Client` for ``host`` (``"localhost"``, ``"http://127.0.0.1:8080"``, …), logged in
    with ``credentials`` (user, password) or a personal ``access_token`` when given.

    Raises :class:`InvalidHostError` for an unusable address (ValueError for both kinds of credentials),
    :class:`TransportError` when the server is unreachable, :class:`AuthenticationError` for
    refused credentials.
    """
    if credentials is not None and access_token is not None:
        raise ValueError("Pass either credentials or access_token, not both.")
    client = Client(normalize_server_url(host, port), config=config, logger=logger)
    if access_token is not None:
        credentials = AccessTokenCredentials(access_token)
    if credentials is not None:
        try:
            client.login(credentials)
        except BaseException:
            client.close()
            raise
    return client


