"""What a DXF layer holds, guessed from its name: the rules live in core, shared
with the PDF plugin's optional content groups."""

from core.plugin_api import classify_layer as classify

__all__ = ["classify"]
