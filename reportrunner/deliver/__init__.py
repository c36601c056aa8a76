"""Delivering reports where people read them: Slack (incoming webhook) and e-mail (SMTP).

After a run publishes the site, `deliver.entry.deliver` decides per delivery and report whether
to send (rules.py, from the state of what each delivery last sent: state.py), builds one Slack
message (slack.py) or one e-mail (mailmsg.py) per delivery from the reports' headline numbers
(digest.py, the one adapter over the page's view model), and sends it (senders.py) or, in a dry
run, writes it to a folder. Failures are data (`DeliveryResult`); nothing here reads the
environment: the CLI passes the secrets in. This package's `__init__` imports nothing, so
validation (which needs only config.py) stays fast.
"""
