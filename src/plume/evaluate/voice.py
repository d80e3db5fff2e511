"""Closeness to the house voice: moved to plume.voice (plume.write uses it too); kept importable here."""

from plume.voice import NGRAMS, Scores, VoiceModel, house_voice_model, reference_texts

__all__ = ["NGRAMS", "Scores", "VoiceModel", "house_voice_model", "reference_texts"]
