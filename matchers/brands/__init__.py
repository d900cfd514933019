"""Brand matching: registered brands, aliases and look-alikes."""
