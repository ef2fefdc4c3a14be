"""Staff roles and what each may do or see."""
