"""One example implementation of each welfarekit hook, as a host or a vendor would write it.

The hook reference (``docs/hooks.md``) shows them, and ``tests/test_hook_examples.py`` runs
each one against a real :class:`welfarekit.WelfareKit`, so the examples cannot rot.

- :mod:`examples.hooks.portal_inbox`: a notifier offered by name
  (``welfarekit_register_adapters``) that delivers into the portal's own inbox
  (``welfarekit_notify``);
- :mod:`examples.hooks.siem_forwarder`: every audit event queued for a SIEM
  (``welfarekit_audit_event``);
- :mod:`examples.hooks.append_only_checkpoints`: signed heads of the audit chain kept in
  write-once files (``welfarekit_audit_checkpoint``);
- :mod:`examples.hooks.strong_authentication`: welfare records refused to anyone not
  strongly authenticated (``welfarekit_veto``).
"""
