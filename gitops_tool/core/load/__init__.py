"""Loading: from the text of the files people write (gitops-tool.yaml, environments/, the
charts' Chart.yaml) to checked model objects, and the tree with its cross-file checks."""
