"""Media: uploads (multipart and TUS), frame extraction, chunks, previews, frame serving."""
