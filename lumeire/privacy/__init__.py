"""The privacy policy in force, its versions, and each customer's acceptance of them."""
