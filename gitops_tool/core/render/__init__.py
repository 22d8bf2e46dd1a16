"""Rendering: the Argo CD Applications, ApplicationSets, AppProjects and bootstrap settings
as data, the YAML emitter that writes them, and the write plan against what is on disk."""
