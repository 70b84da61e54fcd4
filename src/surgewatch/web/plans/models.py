"""Capacity plans of an organisation, stored as immutable versions of their plan file.

Issue 5: a plan is a YAML file the planning core reads (``surgewatch plan``).
DESIGN.md, 'Security and records': nothing is overwritten, so editing a plan
stores a new version with who, when and why; the latest version is the one the
pages show, and every earlier one stays readable. Uncertainty runs are jobs,
not records: their status moves from queued to done (or failed) in the worker.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from surgewatch.web.decisions.models import ImmutableQuerySet, ImmutableRecord
from surgewatch.web.orgs.models import Organisation


class Plan(models.Model):
    """A named plan of an organisation; its content is in its versions."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plans_created"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = (models.CheckConstraint(condition=~Q(title=""), name="plan_has_title"),)

    def __str__(self) -> str:
        return self.title

    def latest_version(self) -> PlanVersion:
        """The version the pages show: the highest number (every plan has version 1)."""
        return self.versions.order_by("-number").first()  # type: ignore[return-value]


class PlanVersionQuerySet(ImmutableQuerySet["PlanVersion"]):
    def newest_first(self) -> PlanVersionQuerySet:
        return self.select_related("uploaded_by").order_by("-number")


class PlanVersion(ImmutableRecord):
    """One plan file as uploaded: never changed; an edit is the next number.

    ``kinds`` lists the parts the file holds (``capacity``, ``costs``,
    ``risks``, ``demand``), comma-separated, as the loader found them.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    yaml_text = models.TextField()
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    kinds = models.CharField(max_length=100)
    change_note = models.TextField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_versions"
    )
    uploaded_at = models.DateTimeField()

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="plan_version_from_1"),
            models.CheckConstraint(condition=~Q(yaml_text=""), name="plan_version_has_text"),
            models.CheckConstraint(condition=~Q(change_note=""), name="plan_version_has_note"),
        )

    def __str__(self) -> str:
        return f"{self.plan.title} v{self.number}"

    @property
    def kind_list(self) -> list[str]:
        return self.kinds.split(",")


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class UncertaintyRun(models.Model):
    """The uncertainty model run once for a version, replications and seed; reused after.

    ``result`` is :func:`surgewatch.planning.report.uncertainty_json` of the run.
    """

    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="uncertainty_runs"
    )
    replications = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=RunStatus.choices)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["version", "replications", "seed"], name="uncertainty_run_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.version} x{self.replications} seed {self.seed}: {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class Scenario(models.Model):
    """A named patient-flow scenario of an organisation (issue 6); its content is in versions."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="flow_scenarios"
    )
    title = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scenarios_created"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = (models.CheckConstraint(condition=~Q(title=""), name="scenario_has_title"),)

    def __str__(self) -> str:
        return self.title

    def latest_version(self) -> ScenarioVersion:
        return self.versions.order_by("-number").first()  # type: ignore[return-value]


class ScenarioVersionQuerySet(ImmutableQuerySet["ScenarioVersion"]):
    def newest_first(self) -> ScenarioVersionQuerySet:
        return self.select_related("uploaded_by", "plan_version__plan").order_by("-number")


class ScenarioVersion(ImmutableRecord):
    """One scenario file as uploaded, never changed, with what its references resolved to.

    A scenario file names its plan by a relative path (``plan: ../plans/x.yaml``)
    and may start from another scenario (``extends: base.yaml``). Stored, those
    become records: ``plan_version`` is the stored plan version the scenario
    builds on, and ``resolved_yaml`` is the scenario with its base merged in as
    it stood at upload, so a run reads the same inputs for ever.
    """

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    yaml_text = models.TextField()
    resolved_yaml = models.TextField()
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="scenarios"
    )
    base = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="extended_by"
    )
    change_note = models.TextField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scenario_versions"
    )
    uploaded_at = models.DateTimeField()

    objects = ScenarioVersionQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["scenario", "number"], name="scenario_version_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="scenario_version_from_1"),
            models.CheckConstraint(condition=~Q(yaml_text=""), name="scenario_version_has_text"),
            models.CheckConstraint(condition=~Q(change_note=""), name="scenario_version_has_note"),
        )

    def __str__(self) -> str:
        return f"{self.scenario.title} v{self.number}"


class SimulationRun(models.Model):
    """A scenario version (optionally against a second) run once for replications and seed.

    A job, not a record: status and progress move in the worker; ``result`` is
    written once, with the run, as :func:`surgewatch.planning.flow.report.flow_json`
    (or ``comparison_json`` when ``compared_with`` is set).
    """

    scenario = models.ForeignKey(
        ScenarioVersion, on_delete=models.PROTECT, related_name="simulation_runs"
    )
    compared_with = models.ForeignKey(
        ScenarioVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replications = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=RunStatus.choices)
    done = models.PositiveIntegerField(default=0)  # replications finished so far
    total = models.PositiveIntegerField(default=0)  # replications in all (twice, for a comparison)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["scenario", "replications", "seed"],
                condition=Q(compared_with__isnull=True),
                name="simulation_run_once",
            ),
            models.UniqueConstraint(
                fields=["scenario", "compared_with", "replications", "seed"],
                name="simulation_comparison_once",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="simulation_progress_le_total"
            ),
        )

    def __str__(self) -> str:
        return f"{self.scenario} x{self.replications} seed {self.seed}: {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def percent(self) -> int:
        """Share of replications finished, as a whole percentage for the progress bar."""
        return 100 * self.done // self.total if self.total else 0


# --- Scheme outcomes and savings (issue 7, 'Savings and outcomes'; seed 003, HART) ----------


class SavingsUnitCostsQuerySet(ImmutableQuerySet["SavingsUnitCosts"]):
    def in_force(self, organisation: Organisation) -> SavingsUnitCosts | None:
        """The organisation's latest unit costs, or None before any are set."""
        return self.filter(organisation=organisation).order_by("-set_at", "-pk").first()


class SavingsUnitCosts(ImmutableRecord):
    """An organisation's price of a bed day and of an avoided admission, from ``set_at`` on.

    Records, never changed: new costs are a new row and the latest one prices the
    savings, so a board paper's figures can be traced to the costs then in force.
    Seed 003's worked example is GBP 400 a bed day and GBP 2,000 an avoided admission.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="savings_unit_costs"
    )
    bed_day = models.DecimalField(max_digits=14, decimal_places=2)
    admission_avoided = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    objects = SavingsUnitCostsQuerySet.as_manager()

    class Meta:
        constraints = (
            models.CheckConstraint(condition=Q(bed_day__gte=0), name="unit_costs_bed_day_ge_0"),
            models.CheckConstraint(
                condition=Q(admission_avoided__gte=0), name="unit_costs_admission_ge_0"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="unit_costs_have_source"),
        )

    def __str__(self) -> str:
        return f"{self.organisation.slug} unit costs from {self.set_at:%Y-%m-%d}"


class SchemeOutcomeQuerySet(ImmutableQuerySet["SchemeOutcome"]):
    def current(self) -> SchemeOutcomeQuerySet:
        """Records no later record amends: the ones the savings count."""
        return self.filter(amended_by__isnull=True)


class SchemeOutcome(ImmutableRecord):
    """What one scheme achieved over one period (seed 003: HART, Dec 2015 to Aug 2017).

    ``plan`` is the plan whose schemes ``scheme`` names, when it is one of them.
    An amendment is a new row pointing at the row it replaces (``amends``, at most
    once), with the reason; the original stays on record.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="scheme_outcomes"
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="scheme_outcomes"
    )
    scheme = models.CharField(max_length=200)
    provider = models.CharField(max_length=300, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    referrals = models.PositiveIntegerField(null=True, blank=True)
    discharges_supported = models.PositiveIntegerField(null=True, blank=True)
    admissions_avoided = models.PositiveIntegerField()
    bed_days_saved = models.DecimalField(max_digits=14, decimal_places=2)
    bed_days_potential = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True)
    amends = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amended_by"
    )
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    objects = SchemeOutcomeQuerySet.as_manager()

    class Meta:
        constraints = (
            models.CheckConstraint(condition=~Q(scheme=""), name="scheme_outcome_names_scheme"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="scheme_outcome_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(bed_days_saved__gte=0) & Q(bed_days_potential__gte=0)
                | Q(bed_days_saved__gte=0, bed_days_potential__isnull=True),
                name="scheme_outcome_days_ge_0",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(reason=""),
                name="scheme_outcome_amendment_has_reason",
            ),
        )

    def __str__(self) -> str:
        return f"{self.scheme} {self.period_start} to {self.period_end}"
