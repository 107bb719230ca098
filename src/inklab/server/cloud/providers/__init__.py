"""Cloud storage providers behind one small :class:`Provider` protocol, chosen by ``provider_type``.

Providers register with :func:`register`; :func:`connect` builds one for a configuration.
S3 (and any S3-compatible endpoint) needs ``boto3``; Azure and Google Cloud Storage are not
built in, and asking for them is refused with the package to install.
"""

from __future__ import annotations

from collections.abc import Callable

from inklab.server.cloud.providers._base import (
    AccessDenied,
    CloudError,
    CloudObject,
    Listing,
    NoSuchObject,
    NoSuchResource,
    Provider,
    ProviderConfig,
    Unreachable,
)
from inklab.vocabulary import CloudProviderType

__all__ = ["AccessDenied", "CloudError", "CloudObject", "Listing", "NoSuchObject", "NoSuchResource", "Provider",
           "ProviderConfig", "ProviderUnavailable", "Unreachable", "connect", "register", "supported_credentials"]

Factory = Callable[[ProviderConfig], Provider]


class ProviderUnavailable(CloudError):
    """The provider type is known but its client package is not installed on this server."""


_FACTORIES: dict[str, Factory] = {}
_CREDENTIALS: dict[str, frozenset[str]] = {}
#: provider types without a built-in provider: the message that says how to get one
_MISSING = {
    CloudProviderType.AZURE_CONTAINER: "Azure containers need the Azure client on the server: "
                                       "pip install 'inklab[azure]'.",
    CloudProviderType.GOOGLE_CLOUD_STORAGE: "Google Cloud Storage buckets need the Google client on the server: "
                                            "pip install 'inklab[gcs]'.",
}


def register(provider_type: str, credentials: frozenset[str]) -> Callable[[Factory], Factory]:
    """Register the factory of ``provider_type``, accepting the ``credentials`` types; a second
    registration of one type is an error."""

    def decorate(factory: Factory) -> Factory:
        if provider_type in _FACTORIES:
            raise ValueError(f"Provider type {provider_type} is registered already.")
        _FACTORIES[provider_type] = factory
        _CREDENTIALS[provider_type] = credentials
        return factory

    return decorate


def supported_credentials(provider_type: str) -> frozenset[str]:
    """The credential types ``provider_type`` accepts; :class:`ProviderUnavailable` if it has no provider."""
    _load()
    if provider_type not in _FACTORIES:
        raise ProviderUnavailable(_MISSING.get(provider_type, f"Unknown provider type '{provider_type}'."))
    return _CREDENTIALS[provider_type]


def connect(provider_type: str, config: ProviderConfig) -> Provider:
    supported_credentials(provider_type)
    return _FACTORIES[provider_type](config)


def _load() -> None:
    """Import the built-in providers whose packages are installed."""
    if _FACTORIES:
        return
    try:
        import boto3  # noqa: F401
    except ImportError:
        _MISSING.setdefault(CloudProviderType.AWS_S3_BUCKET, "S3 buckets need boto3 on the server: "
                                                              "pip install 'inklab[server]'.")
        return
    from inklab.server.cloud.providers import s3  # noqa: F401  (registers itself)
