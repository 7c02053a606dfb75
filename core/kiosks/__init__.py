"""Kiosks: pairing, tokens, the hub that feeds connected kiosks, signed URLs."""
