"""reportrunner: Close CRM opportunity-funnel reports kept as YAML specs and published as pages."""

__version__ = "0.1.0"
