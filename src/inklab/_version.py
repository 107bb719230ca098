"""Version numbers of the package and of the CVAT API it implements."""

__version__ = "0.1.0"

#: The CVAT server version inklab reports at ``/api/server/about``. cvat-sdk 2.80 accepts
#: any 2.80.x or 2.81.x release; the local part names the inklab release.
API_VERSION = f"2.80.0+inklab.{__version__}"
