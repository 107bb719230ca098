"""Cloud storage providers behind one small :class:`Provider` protocol, chosen by ``provider_type``.

Providers register with :func:`register`, saying which credentials types and attributes they
accept; :func:`connect` builds one for a configuration. Each needs its client package:
S3 (and S3-compatible endpoints) ``boto3`` (in ``inklab[server]``), Azure Blob containers
``azure-storage-blob`` (``inklab[azure]``), Google Cloud Storage ``google-cloud-storage``
(``inklab[gcs]``). A provider whose package is missing is refused with the extra to install.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

from inklab.server.cloud.providers._base import (
    AccessDenied,
    CloudError,
    CloudObject,
    CredentialFields,
    Endpoint,
    Listing,
    NoSuchObject,
    NoSuchResource,
    Provider,
    ProviderConfig,
    ProviderSpec,
    Unreachable,
    no_endpoints,
)
from inklab.vocabulary import CloudProviderType

__all__ = ["AccessDenied", "CloudError", "CloudObject", "CredentialFields", "Endpoint", "Listing", "NoSuchObject",
           "NoSuchResource", "Provider", "ProviderConfig", "ProviderSpec", "ProviderUnavailable", "Unreachable",
           "connect", "register", "spec"]

Factory = Callable[[ProviderConfig], Provider]


class ProviderUnavailable(CloudError):
    """The provider type is known but its client package is not installed on this server."""


_FACTORIES: dict[str, Factory] = {}
_SPECS: dict[str, ProviderSpec] = {}
#: the built-in providers: module, the package it imports, and the message when that is missing
_BUILT_IN = {
    CloudProviderType.AWS_S3_BUCKET: ("s3", "boto3", "S3 buckets need boto3 on the server: "
                                                     "pip install 'inklab[server]'."),
    CloudProviderType.AZURE_CONTAINER: ("azure", "azure.storage.blob",
                                        "Azure containers need the Azure client on the server: "
                                        "pip install 'inklab[azure]'."),
    CloudProviderType.GOOGLE_CLOUD_STORAGE: ("gcs", "google.cloud.storage",
                                             "Google Cloud Storage buckets need the Google client on the server: "
                                             "pip install 'inklab[gcs]'."),
}
_missing: dict[str, str] = {}


def register(provider_type: str, credentials: Mapping[str, CredentialFields], attributes: frozenset[str],
             endpoints: Callable[[ProviderConfig], list[Endpoint]] | None = None) -> Callable[[Factory], Factory]:
    """Register the factory of ``provider_type``, accepting the ``credentials`` types (with their
    secret fields) and the ``attributes``; ``endpoints`` finds the URLs a configuration's secrets
    name. A second registration of one type is an error."""

    def decorate(factory: Factory) -> Factory:
        if provider_type in _FACTORIES:
            raise ValueError(f"Provider type {provider_type} is registered already.")
        _FACTORIES[provider_type] = factory
        _SPECS[provider_type] = ProviderSpec(dict(credentials), attributes, endpoints or no_endpoints)
        return factory

    return decorate


def spec(provider_type: str) -> ProviderSpec:
    """What ``provider_type`` accepts; :class:`ProviderUnavailable` if this server has no provider for it."""
    _load(provider_type)
    if provider_type not in _FACTORIES:
        raise ProviderUnavailable(_missing.get(provider_type, f"Unknown provider type '{provider_type}'."))
    return _SPECS[provider_type]


def connect(provider_type: str, config: ProviderConfig) -> Provider:
    spec(provider_type)
    return _FACTORIES[provider_type](config)


def _load(provider_type: str) -> None:
    """Import the built-in provider of ``provider_type`` if its client package is installed."""
    if provider_type in _FACTORIES or provider_type in _missing or provider_type not in _BUILT_IN:
        return
    module, package, message = _BUILT_IN[CloudProviderType(provider_type)]
    try:
        importlib.import_module(package)
    except ImportError:
        _missing[provider_type] = message
        return
    importlib.import_module(f"{__name__}.{module}")  # registers itself
