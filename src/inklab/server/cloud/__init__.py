"""Cloud storages (``/api/cloudstorages``): buckets the server reads task data from and writes
exports and backups to. See :mod:`.services` and :mod:`.providers`."""
