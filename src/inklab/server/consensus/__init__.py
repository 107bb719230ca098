"""Consensus: replica jobs merged by vote into their annotation job (``/api/consensus/settings``,
``POST /api/consensus/merges``). The vote itself is :func:`inklab.quality.merge_frame`."""
