"""torch.linalg (being written)."""
