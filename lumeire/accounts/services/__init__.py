"""Account services: the only code that writes accounts. Interfaces call these, nothing else."""
