"""How ``inklab serve`` meets its clients.

``inklab serve`` faces clients directly, so a slow or stalled client must cost a socket, never
a thread. Each web process runs one event loop (uvicorn with httptools on asyncio's loop) in front of
Django's ordinary WSGI handler:

* :mod:`.protocol` — the HTTP connection: a request head must arrive within
  ``INKLAB_HEADER_TIMEOUT`` seconds and stay under a size limit; idle keep-alive connections
  close after ``INKLAB_KEEPALIVE_TIMEOUT``;
* :mod:`.front` — the ASGI application: it reads each request body in the event loop (a
  client that sends nothing for ``INKLAB_BODY_TIMEOUT`` seconds is answered 408), spools large
  bodies to a temporary file, holds back users past their share of concurrent uploads
  (:mod:`.uploads`, 429), and only then hands the complete request to a pool of
  ``--threads`` threads running Django (:mod:`.bridge`); the embedded background workers start
  and stop with the application (ASGI lifespan);
* :mod:`.bridge` — Django's answer goes back from the loop: files (frames, chunks, exports,
  backups) with ``sendfile(2)`` (:mod:`.protocol` offers ASGI's zero-copy extension), streams
  one item at a time, so a slow reader holds no thread either;
* :mod:`.server` — ``serve()``: the uvicorn configuration and its worker processes.
"""
