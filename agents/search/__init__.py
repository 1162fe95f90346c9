"""Search agents (``sample``, ``rex``, ``sample-refine``) and the nodes they log."""
