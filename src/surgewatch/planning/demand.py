"""Demand forecast (seed 001, section 1.1.4 'Demand and Capacity Plan for winter 2020').

Service usage rates per 10,000 population by age band, with the trend of the
base years continued (least-squares line, floored at zero), times the
population projection for the year; then scenario multipliers by month (seed
001: 'a peak of extra demand by up to 20% above usual in the lead up to and
after Christmas', and a COVID-19 second-wave scenario).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field, model_validator

from surgewatch.planning.loading import load_model
from surgewatch.planning.months import Month, split
from surgewatch.planning.plan import Frozen


class Service(Frozen):
    """A service and its usage rate per 10,000 population, by age band and base year."""

    name: str
    rates: dict[str, tuple[float, ...]]


class Scenario(Frozen):
    """Multipliers on baseline monthly demand (1.2 = +20%)."""

    name: str
    multipliers: dict[Month, float]


class DemandPlan(Frozen):
    """The file behind ``surgewatch plan demand``."""

    title: str
    base_years: tuple[int, ...] = Field(min_length=2)
    population: dict[str, dict[int, float]]
    services: tuple[Service, ...] = Field(min_length=1)
    months: tuple[Month, ...] = Field(min_length=1)
    scenarios: tuple[Scenario, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> DemandPlan:
        problems = []
        years = {split(m)[0] for m in self.months}
        for band, projection in self.population.items():
            if missing := sorted(years - set(projection)):
                problems.append(f"population.{band}: no projection for {missing}; fix: add them")
        for i, service in enumerate(self.services):
            for band, rates in service.rates.items():
                where = f"services.{i}({service.name}).rates.{band}"
                if band not in self.population:
                    problems.append(f"{where}: no population for this band; fix: add it")
                if len(rates) != len(self.base_years):
                    problems.append(f"{where}: one rate per base year; fix: match base_years")
        for i, scenario in enumerate(self.scenarios):
            if extra := sorted(set(scenario.multipliers) - set(self.months)):
                problems.append(
                    f"scenarios.{i}({scenario.name}).multipliers: {extra} not in "
                    "months; fix: use months from 'months'"
                )
        if problems:
            raise ValueError("\n".join(problems))
        return self


@dataclass(frozen=True)
class ServiceForecast:
    """Forecast monthly demand for one service: baseline and each scenario."""

    name: str
    annual: dict[int, float]  # by calendar year
    baseline: tuple[float, ...]  # by month
    scenarios: dict[str, tuple[float, ...]]


@dataclass(frozen=True)
class DemandForecast:
    """Forecast demand for every service by month."""

    title: str
    months: tuple[str, ...]
    services: tuple[ServiceForecast, ...]


def trend_rate(base_years: tuple[int, ...], rates: tuple[float, ...], year: int) -> float:
    """The base years' least-squares trend continued to ``year``, floored at zero."""
    slope, intercept = np.polyfit(np.asarray(base_years, float), np.asarray(rates, float), 1)
    return max(float(slope * year + intercept), 0.0)


def annual_demand(plan: DemandPlan, service: Service, year: int) -> float:
    """Sum over age bands of trend rate per 10,000 x projected population."""
    return sum(
        trend_rate(plan.base_years, rates, year) * plan.population[band][year] / 10_000
        for band, rates in service.rates.items()
    )


def forecast_service(plan: DemandPlan, service: Service) -> ServiceForecast:
    """Annual demand spread evenly over months, then each scenario's multipliers."""
    years = sorted({split(m)[0] for m in plan.months})
    annual = {year: annual_demand(plan, service, year) for year in years}
    baseline = tuple(annual[split(m)[0]] / 12 for m in plan.months)
    scenarios = {
        s.name: tuple(
            b * s.multipliers.get(m, 1.0) for b, m in zip(baseline, plan.months, strict=True)
        )
        for s in plan.scenarios
    }
    return ServiceForecast(service.name, annual, baseline, scenarios)


def forecast_demand(plan: DemandPlan) -> DemandForecast:
    """Forecast every service in the plan."""
    services = tuple(forecast_service(plan, s) for s in plan.services)
    return DemandForecast(plan.title, plan.months, services)


def load_demand(source: str | Path) -> DemandPlan:
    """Load and validate a demand file; raises PlanError naming file, path and fix."""
    return load_model(DemandPlan, source)
