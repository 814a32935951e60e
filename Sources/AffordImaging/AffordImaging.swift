// AffordImaging: implementation pending.
