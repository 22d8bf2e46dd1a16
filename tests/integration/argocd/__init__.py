"""The Argo CD client, status, sync and doctor against the fake server, its contract with
swagger.json, and `make demo`."""
