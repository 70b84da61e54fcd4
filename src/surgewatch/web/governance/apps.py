from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "surgewatch.web.governance"
    label = "governance"
    verbose_name = "Governance: pack and plan approvals, sign-off and the exercise log (issue 7)"
