"""What the package ships: the Argo CD CRD schemas, current with their generator."""
