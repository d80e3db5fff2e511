"""Language-model backends: one protocol over the openai SDK, for OpenAI, any OpenAI-compatible server and
the embedded offline model (llama.cpp in-process). Heavy imports happen inside functions."""

from plume.backends.base import Backend, Completion, TextStream, Usage
from plume.backends.resolve import get_backend

__all__ = ["Backend", "Completion", "TextStream", "Usage", "get_backend"]
