"""The test suite, by layer: unit/ (the core), integration/ (real git, helm and the fake
Argo CD), cli/ (the Typer app); support/ is what the layers share."""
