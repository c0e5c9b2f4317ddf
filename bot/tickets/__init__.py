"""办不成事 tickets: models, deadlines, routing, outbox, the internal API and the handler desk."""
