// AffordRecording: implementation pending.
