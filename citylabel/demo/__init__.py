"""The bundled fictional portals: the demo, and the fixtures of the tests."""
