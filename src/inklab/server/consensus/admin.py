from django.contrib import admin

from inklab.server.consensus.models import ConsensusSettings

admin.site.register(ConsensusSettings)
