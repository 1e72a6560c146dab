"""Linking: other vocabularies loaded beside ours, mappings proposed and exported as SSSOM, pushes to stores."""
