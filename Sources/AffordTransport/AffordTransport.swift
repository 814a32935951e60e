// AffordTransport: implementation pending.
