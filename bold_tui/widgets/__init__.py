"""One widget per module, named for what a person sees on screen."""
