"""What happens after a finding: alert records, metrics, notifications."""
