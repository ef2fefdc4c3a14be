"""Customer accounts as the policy describes them: sign-up, sign-in, recovery and profile."""
