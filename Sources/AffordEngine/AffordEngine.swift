// AffordEngine: implementation pending.
