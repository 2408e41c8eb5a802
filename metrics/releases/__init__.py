"""Numbered, immutable releases of a round's national tables, and the builder that makes them safe
together with every earlier release (spec section 5, v1.1). See `builder` and `services`."""
