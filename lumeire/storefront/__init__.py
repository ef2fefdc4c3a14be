"""Interface: the customer-facing HTML pages (thin views over services and selectors)."""
