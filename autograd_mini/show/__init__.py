"""Pictures of the graph: drawings (viz), the step-by-step page (frames, page) and training plots."""
