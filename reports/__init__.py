"""Reports: read stored runs and render them. Never crawls, never judges."""
