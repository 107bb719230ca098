"""Annotation guides: a markdown text per project or task, with images (assets), shown to annotators.

``/api/guides`` and ``/api/assets`` as CVAT's. Images are validated as images when uploaded and
served only as images, under the media's content security policy.
"""
