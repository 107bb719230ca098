"""Predefined auto-annotation functions, one module each (usable with ``--function-module``).

Each module has ``create(model_name, weights_name="DEFAULT", **kwargs)``; they need the
``pytorch`` extra. They implement ``detect_batch``, take ``device`` and ``batch_size``, and
load weights through torchvision (``weights_name=None`` builds an untrained model; a
``checkpoint`` file of your own is then loaded into it, with your ``categories``).
"""

__all__: list[str] = []
