// AffordCapture: implementation pending.
