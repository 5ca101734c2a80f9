"""One screen per module. Only the unlock screen is imported at start; the rest load when first opened."""
