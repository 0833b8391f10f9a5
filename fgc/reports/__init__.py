"""Evidence of effect: what happened to the child after the conference (outcome
check-ins). At the top of the dependency chain: it reads cases, conferences and plans."""
