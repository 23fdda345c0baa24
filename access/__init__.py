"""Who may see what: masking of personal data (and, as they arrive, accounts, roles, area scoping
and the audit trail). Everything a page, a download or the CLI shows passes through here."""
