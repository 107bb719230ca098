"""inklab: a visual annotation platform that speaks the CVAT REST API v2.

Subpackages:

* :mod:`inklab.server` – the Django server (needs the ``server`` extra);
* :mod:`inklab.sdk` – the Python client, PyTorch datasets and auto-annotation;
* :mod:`inklab.formats` – dataset formats, a pure library without Django;
* :mod:`inklab.cli` – the ``inklab`` command.
"""

from inklab._version import API_VERSION, __version__

__all__ = ["API_VERSION", "__version__"]
