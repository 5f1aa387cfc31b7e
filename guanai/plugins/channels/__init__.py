"""Built-in reminder channels: the in-app inbox, e-mail over SMTP and group-robot webhooks."""
