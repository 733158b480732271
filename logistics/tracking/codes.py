"""Tracking state codes of the push aggregator (kuaidi100 shape) and the order of parcel states.

kuaidi100 ``state`` codes (of a whole track, and with ``resultv2=1`` of each node as ``status`` text or
``statusCode``) mapped to ``logistics.shipments.models.ParcelStatus``:

    0 在途 in transit       1 揽收 picked up     2 疑难 problem        3 签收 delivered
    4 退签 returned         5 派件 out for delivery   6 退回 returning   7 转投 in transit
    8–13 customs (清关…) in transit                14 拒签 refused

RANK is the order in which a parcel's status may move (it never moves to a lower rank):

    created 0 < picked_up 1 < in_transit 2 < out_for_delivery 3
      < problem 4 = returning 4 = refused 4        (exceptions: may replace one another)
      < delivered 5 = returned 5                   (TERMINAL: never left, not even for each other)

So a replayed or late push (an older track) never undoes a newer state; a 疑难 can still end as
签收, but a parcel in 疑难 does not go back to 在途 until it is delivered or returned.
"""

from __future__ import annotations

from logistics.shipments.models import ParcelStatus

S = ParcelStatus

KUAIDI100_STATES: dict[str, str] = {
    "0": S.IN_TRANSIT, "1": S.PICKED_UP, "2": S.PROBLEM, "3": S.DELIVERED, "4": S.RETURNED,
    "5": S.OUT_FOR_DELIVERY, "6": S.RETURNING, "7": S.IN_TRANSIT, "8": S.IN_TRANSIT, "9": S.IN_TRANSIT,
    "10": S.IN_TRANSIT, "11": S.IN_TRANSIT, "12": S.IN_TRANSIT, "13": S.IN_TRANSIT, "14": S.REFUSED,
}

# the node status names of resultv2 (Chinese), including the usual sub-states
KUAIDI100_NAMES: dict[str, str] = {
    "在途": S.IN_TRANSIT, "揽收": S.PICKED_UP, "疑难": S.PROBLEM, "签收": S.DELIVERED, "退签": S.RETURNED,
    "派件": S.OUT_FOR_DELIVERY, "退回": S.RETURNING, "转投": S.IN_TRANSIT, "转单": S.IN_TRANSIT,
    "清关": S.IN_TRANSIT, "待清关": S.IN_TRANSIT, "清关中": S.IN_TRANSIT, "已清关": S.IN_TRANSIT,
    "清关异常": S.IN_TRANSIT, "拒签": S.REFUSED,
}

RANK: dict[str, int] = {
    S.CREATED: 0, S.PICKED_UP: 1, S.IN_TRANSIT: 2, S.OUT_FOR_DELIVERY: 3,
    S.PROBLEM: 4, S.RETURNING: 4, S.REFUSED: 4,
    S.DELIVERED: 5, S.RETURNED: 5,
}

TERMINAL: frozenset[str] = frozenset({S.DELIVERED, S.RETURNED})

# the states that open a task for the clerk (ExceptionTask.Kind values)
EXCEPTION_KINDS: dict[str, str] = {S.PROBLEM: "problem", S.RETURNING: "returning", S.REFUSED: "refused"}


def status_from_kuaidi100(value) -> str:
    """A ParcelStatus value for a kuaidi100 state code (``3``, ``"3"``) or node status name (``"签收"``);
    "" when it is neither."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return ""
    value = value.strip()
    return KUAIDI100_STATES.get(value) or KUAIDI100_NAMES.get(value, "")


def status_advance(current: str, candidate: str) -> str:
    """The status a parcel in ``current`` takes when its newest event says ``candidate``: never out of a
    terminal state, never to a lower rank."""
    if not candidate or candidate not in RANK or current in TERMINAL:
        return current
    if RANK[candidate] < RANK.get(current, 0):
        return current
    return candidate
