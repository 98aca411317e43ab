"""The trial's earlier time points, imported from a file and kept apart from collected answers."""
