"""Account services: the only code that writes accounts. Interfaces call these, nothing else."""

from lumeire.accounts.services.sign_out import end_every_sign_in

__all__ = ["end_every_sign_in"]
