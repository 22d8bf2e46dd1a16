"""The Argo CD REST API: connection settings (flags, environment, the argocd config file),
the client with its retries, the errors it raises, and the runtime the commands get.
`errors` imports no HTTP library, so commands can name the errors without loading it."""
