"""The fake Argo CD (fake, state), the contract check of its requests, the test fixtures
and Applications built from trees, and the `make demo` launcher."""
