"""Alert routing, the delivery outbox, webhooks and node-to-node exchange (Article 12(9)(c))."""
