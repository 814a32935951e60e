// AffordDaemon: implementation pending.
