"""The discrete-event patient-flow model: one replication (issue 6).

Patients arrive (non-homogeneous Poisson: the day's expected arrivals, placed
in the day by the hourly profile). Admission avoidance diverts a share
before they need a bed; an eligible share goes to a virtual ward while it has
a free place. The rest need an acute bed: if every bed is full they wait in
ED with a decision to admit (DTA), first come first served, or are diverted
(``when_full: divert``). After their stay to medically fit they leave by
their pathway: pathway 0 goes home; pathways 1-3 need a place in their
downstream service, and while none is free (or the day's starts are used up)
they stay in their acute bed, counted as NCTR with the bed days lost.
Weekend limits cap discharges and starts unless the service runs seven days.

Time is in days from the start of the warm-up. Every random draw is made up
front, one value per patient from a stream per purpose, so two scenarios run
on the same streams see the same patients (common random numbers) and any
difference between them comes from the scenarios, not from the dice.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surgewatch.planning.flow.inputs import FlowInputs
from surgewatch.planning.los import StayModel

FloatArray = NDArray[np.float64]
FIT, SERVICE_END, VIRTUAL_END = 0, 1, 2
WARD_SERIES = (
    "occupancy",
    "dta_waiting",
    "nctr_patients",
    "bed_days_lost",
    "arrivals",
    "ward_arrivals",
    "found_full",
    "diverted",
    "avoided",
    "virtual_ward_admissions",
    "virtual_ward_occupancy",
    "dta_admissions",
    "dta_wait_days",
)
SERVICE_SERIES = ("in_service", "queue", "free_places", "free_starts_today")


@dataclass(frozen=True)
class Patients:
    """Every patient of one replication, drawn up front (arrays of equal length)."""

    time: FloatArray
    day: NDArray[np.int64]
    service: NDArray[np.int64]
    fit_stay: FloatArray
    service_stay: FloatArray
    virtual: NDArray[np.bool_]
    virtual_stay: FloatArray
    avoided_by_day: NDArray[np.int64]
    arrivals_by_day: NDArray[np.int64]


@dataclass(frozen=True)
class Replication:
    """Daily series of one replication over the counted days.

    ``ward[name]`` has shape (days,), ``services[name]`` (service, days).
    ``patients`` counts every simulated arrival, warm-up included.
    """

    ward: dict[str, FloatArray]
    services: dict[str, FloatArray]
    patients: int


def stays_from(model: StayModel, u: FloatArray, z: FloatArray) -> FloatArray:
    """Stays by inversion from one uniform ``u`` and one normal ``z`` per patient.

    One draw per patient whatever the distribution keeps patients aligned
    across scenarios (common random numbers).
    """
    if model.kind == "exponential":
        return np.asarray(-model.mean * np.log1p(-u))
    if model.kind == "lognormal":
        mu = math.log(model.mean) - model.sigma**2 / 2
        return np.asarray(np.exp(mu + model.sigma * z))
    cumulative = np.cumsum(model.probabilities())
    index = np.minimum(np.searchsorted(cumulative, u, side="right"), cumulative.size - 1)
    return np.asarray(np.asarray(model.values, dtype=np.float64)[index])


def _arrivals(
    x: FlowInputs, rng: np.random.Generator
) -> tuple[FloatArray, NDArray[np.int64], NDArray[np.int64]]:
    """Poisson counts per day placed in the day by the hourly profile: (times, days, counts)."""
    counts = rng.poisson(x.arrivals)
    day = np.repeat(np.arange(x.total_days), counts)
    if x.hourly_profile is not None:
        hour = rng.choice(24, size=day.size, p=x.hourly_profile)
        time = day + (hour + rng.random(day.size)) / 24
    else:
        time = day + rng.random(day.size)
    order = np.argsort(time, kind="stable")
    return time[order], day[order], counts


def _stays(
    x: FlowInputs, day: NDArray[np.int64], pathway: NDArray[np.int64], rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Stays to medically fit (shortened by schemes), downstream and virtual ward."""
    uniform, normal = rng.random((3, day.size)), rng.standard_normal((3, day.size))
    fit = np.zeros(day.size)
    for k, model in enumerate(x.pathway_stays):
        mine = pathway == k
        if model is not None and mine.any():
            fit[mine] = stays_from(model, uniform[0, mine], normal[0, mine])
            fit[mine] *= x.stay_factor[day[mine], k]
    service = np.asarray(x.pathway_service, dtype=np.int64)[pathway]
    onward = np.zeros(day.size)
    for s, model in enumerate(x.service_stays):
        mine = service == s
        onward[mine] = stays_from(model, uniform[1, mine], normal[1, mine])
    virtual = stays_from(x.vw_stay, uniform[2], normal[2]) if x.vw_stay else np.zeros(day.size)
    return fit, onward, virtual


def draw_patients(x: FlowInputs, seed: np.random.SeedSequence) -> Patients:
    """Arrivals and every patient's pathway, stays and scheme draws, from one seed.

    Three streams (arrivals, choices, stays) spawned from the replication's seed.
    """
    arrive, choose, stay = (np.random.default_rng(s) for s in seed.spawn(3))
    time, day, counts = _arrivals(x, arrive)
    u = choose.random((3, day.size))  # avoidance, virtual ward, pathway
    kept = u[0] >= x.avoided_share[day]
    pathway = np.minimum(np.searchsorted(np.cumsum(x.pathway_shares), u[2], side="right"), 3)
    fit, onward, virtual_stay = _stays(x, day, pathway, stay)
    service = np.asarray(x.pathway_service, dtype=np.int64)[pathway]
    virtual = u[1] < x.vw_share[day]
    avoided = np.bincount(day[~kept], minlength=x.total_days)
    return Patients(
        time[kept],
        day[kept],
        service[kept],
        fit[kept],
        onward[kept],
        virtual[kept],
        virtual_stay[kept],
        avoided,
        counts,
    )


def run_replication(x: FlowInputs, seed: np.random.SeedSequence) -> Replication:
    """Simulate one replication of ``x`` from ``seed``; daily series over the counted days."""
    patients = draw_patients(x, seed)
    ward, services = _Engine(x, patients).run()
    ward["avoided"] = patients.avoided_by_day.astype(np.float64)
    ward["arrivals"] = patients.arrivals_by_day.astype(np.float64)
    counted = slice(x.warm_up, None)
    return Replication(
        {k: np.asarray(v[counted]) for k, v in ward.items()},
        {k: np.asarray(v[:, counted]) for k, v in services.items()},
        int(patients.arrivals_by_day.sum()),
    )


class _Engine:
    """The event loop; state lives in locals of :meth:`run` because it is the hot path."""

    def __init__(self, x: FlowInputs, patients: Patients) -> None:
        self.x = x
        self.p = patients

    def run(self) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:  # noqa: C901
        x, p = self.x, self.p
        days, n_services = x.total_days, len(x.service_names)
        arr_t = p.time.tolist()
        fit = p.fit_stay.tolist()
        svc = p.service.tolist()
        slos = p.service_stay.tolist()
        virtual = p.virtual.tolist()
        vlos = p.virtual_stay.tolist()
        n = len(arr_t)
        beds_by_day = x.beds.tolist()
        dcap_by_day = x.discharge_cap.tolist()
        places_by_day = x.places.T.tolist()
        caps_by_day = x.start_cap.T.tolist()
        vw_by_day = x.vw_places.tolist()
        wait = x.wait_when_full
        census = x.census_hour / 24

        heap: list[tuple[float, int]] = []
        push, pop = heapq.heappush, heapq.heappop
        dta: deque[int] = deque()
        held: deque[int] = deque()
        queues: list[deque[int]] = [deque() for _ in range(n_services)]
        ins = [0] * n_services
        occ = vw_in = nctr = 0
        nctr_area = last = 0.0

        # daily counters and census snapshots
        z = [0.0] * days
        ward_arrivals, found_full, diverted = z[:], z[:], z[:]
        vw_admits, dta_admits, dta_wait = z[:], z[:], z[:]
        occupancy, dta_snap, nctr_snap, vw_snap, lost = z[:], z[:], z[:], z[:], z[:]
        svc_snap = np.zeros((4, n_services, days))

        k = 0
        beds, dleft, vw_cap = beds_by_day[0], dcap_by_day[0], vw_by_day[0]
        places, sleft = list(places_by_day[0]), list(caps_by_day[0])
        snap_t, mid_t = census, 1.0
        ai = 0
        ta = arr_t[0] if n else math.inf
        inf = math.inf

        while True:
            th = heap[0][0] if heap else inf
            tick = snap_t if snap_t <= mid_t else mid_t
            if ta <= th and ta < tick:
                # an arrival
                i = ai
                ai += 1
                t = ta
                ta = arr_t[ai] if ai < n else inf
                if virtual[i] and vw_in < vw_cap:
                    vw_in += 1
                    vw_admits[k] += 1
                    push(heap, (t + vlos[i], i * 4 + VIRTUAL_END))
                    continue
                ward_arrivals[k] += 1
                if occ < beds:
                    occ += 1
                    push(heap, (t + fit[i], i * 4))
                else:
                    found_full[k] += 1
                    if wait:
                        dta.append(i)
                    else:
                        diverted[k] += 1
                continue
            if th < tick:
                t, code = pop(heap)
                i = code >> 2
                kind = code & 3
                if kind == FIT:
                    if dleft == 0:  # weekend discharges used up: waits in the bed
                        held.append(i)
                        nctr_area += nctr * (t - last)
                        last = t
                        nctr += 1
                        continue
                    dleft -= 1  # -1 means unlimited, and stays non-zero
                    s = svc[i]
                    if s >= 0:
                        if ins[s] < places[s] and sleft[s] != 0:
                            ins[s] += 1
                            sleft[s] -= 1
                            push(heap, (t + slos[i], i * 4 + SERVICE_END))
                        else:
                            queues[s].append(i)
                            nctr_area += nctr * (t - last)
                            last = t
                            nctr += 1
                            continue
                elif kind == SERVICE_END:
                    s = svc[i]
                    ins[s] -= 1
                    q = queues[s]
                    if not (q and ins[s] < places[s] and sleft[s] != 0):
                        continue
                    j = q.popleft()
                    ins[s] += 1
                    sleft[s] -= 1
                    push(heap, (t + slos[j], j * 4 + SERVICE_END))
                    nctr_area += nctr * (t - last)
                    last = t
                    nctr -= 1
                else:
                    vw_in -= 1
                    continue
                # an acute bed frees: the longest DTA wait takes it
                occ -= 1
                if dta and occ < beds:
                    j = dta.popleft()
                    occ += 1
                    push(heap, (t + fit[j], j * 4))
                    dta_admits[k] += 1
                    dta_wait[k] += t - arr_t[j]
                continue
            if tick == inf:
                break
            if snap_t <= mid_t:
                occupancy[k], dta_snap[k], nctr_snap[k], vw_snap[k] = occ, len(dta), nctr, vw_in
                for s in range(n_services):
                    free = max(places[s] - ins[s], 0)
                    left = sleft[s]
                    svc_snap[0, s, k], svc_snap[1, s, k] = ins[s], len(queues[s])
                    svc_snap[2, s, k] = free
                    svc_snap[3, s, k] = free if left < 0 else min(free, left)
                snap_t = inf
                continue
            # midnight: close the day, open the next with its capacities
            t = mid_t
            nctr_area += nctr * (t - last)
            last = t
            lost[k] = nctr_area
            nctr_area = 0.0
            k += 1
            if k == days:
                break
            beds, dleft, vw_cap = beds_by_day[k], dcap_by_day[k], vw_by_day[k]
            places, sleft = list(places_by_day[k]), list(caps_by_day[k])
            snap_t, mid_t = k + census, k + 1.0
            # release patients held over the weekend, then fill free places and beds
            freed = 0
            while held and dleft != 0:
                i = held.popleft()
                dleft -= 1
                nctr -= 1
                s = svc[i]
                if s < 0:
                    freed += 1
                elif ins[s] < places[s] and sleft[s] != 0:
                    ins[s] += 1
                    sleft[s] -= 1
                    push(heap, (t + slos[i], i * 4 + SERVICE_END))
                    freed += 1
                else:
                    queues[s].append(i)
                    nctr += 1
            for s in range(n_services):
                q = queues[s]
                while q and ins[s] < places[s] and sleft[s] != 0:
                    j = q.popleft()
                    ins[s] += 1
                    sleft[s] -= 1
                    push(heap, (t + slos[j], j * 4 + SERVICE_END))
                    nctr -= 1
                    freed += 1
            occ -= freed
            while dta and occ < beds:
                j = dta.popleft()
                occ += 1
                push(heap, (t + fit[j], j * 4))
                dta_admits[k] += 1
                dta_wait[k] += t - arr_t[j]

        ward = {
            "occupancy": occupancy,
            "dta_waiting": dta_snap,
            "nctr_patients": nctr_snap,
            "bed_days_lost": lost,
            "ward_arrivals": ward_arrivals,
            "found_full": found_full,
            "diverted": diverted,
            "virtual_ward_admissions": vw_admits,
            "virtual_ward_occupancy": vw_snap,
            "dta_admissions": dta_admits,
            "dta_wait_days": dta_wait,
        }
        arrays = {name: np.asarray(v, dtype=np.float64) for name, v in ward.items()}
        services = {name: svc_snap[n] for n, name in enumerate(SERVICE_SERIES)}
        return arrays, services
