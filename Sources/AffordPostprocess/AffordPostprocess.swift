// AffordPostprocess: implementation pending.
