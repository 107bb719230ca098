"""REST plumbing shared by every app: renderers, parsers, pagination, filters, errors."""
