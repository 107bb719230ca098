from django.apps import AppConfig


class ConsensusConfig(AppConfig):
    name = "inklab.server.consensus"
    label = "consensus"
    verbose_name = "Consensus"

    def ready(self) -> None:
        from inklab.server.consensus import jobs  # noqa: F401 - registers the background handler
