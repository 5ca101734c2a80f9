"""One pack per use case from the BOLD research: each asks one question of the linked data, in plain words."""
