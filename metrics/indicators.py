"""The twelve SC-WRES indicators (spec section 3) and the words used to report and explain them.

Skills for Care's nine metrics (seeds/000, "WRES metrics") become twelve indicators: metric 1 is split
by pay band and metric 7 into (a) colleagues and (b) managers. Plain data, re-exported by
`metrics.calculations`, shown on the help pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from submissions.schema import PAY_BAND_LABELS, PAY_BANDS


@dataclass(frozen=True)
class Indicator:
    """One indicator: which counts it divides, which way is good, and how to say it.

    `favourable` is True when more is better for the group (appointment, CPD, senior management), False
    when more is worse, and None for the metric 1 shares, which are not outcomes. `kind` is "share"
    (metric 1), "rate" or "percentage" (the survey metrics). `template` is the result sentence, with
    `{rl}` (or the metric 1 shares) left to fill. `population` and `past_phrase` word the cases with no
    one to count ("None of the minority ethnic shortlisted candidates were appointed"); `of_phrase` names
    the outcome in "The relative likelihood of being appointed from shortlisting cannot be calculated".
    """

    code: str
    metric: str
    title: str
    numerator: str
    denominator: str
    favourable: bool | None
    kind: str
    template: str
    explanation: str
    population: str
    past_phrase: str = ""
    of_phrase: str = ""
    pay_band: str = ""

    @property
    def direction(self) -> str:
        return {True: "favourable", False: "unfavourable", None: ""}[self.favourable]


def _likely(to_phrase: str) -> str:
    return "Minority ethnic staff were {rl} times as likely as white staff to " + to_phrase + "."


_UNKNOWN_LEFT_OUT = "Staff whose ethnicity is unknown are left out of the rates and shown separately."
_PUBLIC = "people who use services, their relatives or the public"
_SURVEY = (
    "The rates are shown as percentages of survey respondents in each group. The relative likelihood is "
    "the minority ethnic percentage divided by the white percentage: above 1, minority ethnic staff "
    "reported it more often. " + _UNKNOWN_LEFT_OUT
)


def _pay_band(band: str) -> Indicator:
    return Indicator(
        code=f"m1_{band}",
        metric="1",
        title=f"Minority ethnic share of the {band} pay band",
        numerator="headcount_band",
        denominator="headcount",
        favourable=None,
        kind="share",
        template=(
            "Minority ethnic staff were {band_share} of the " + band + " pay band, against {workforce_share} "
            "of the workforce."
        ),
        explanation=(
            f"The {PAY_BAND_LABELS[band].lower()} pay band: the number of minority ethnic staff in the band "
            "divided by the number of staff in the band whose ethnicity is known (white plus minority "
            "ethnic), beside the same share for the whole workforce (headcount). Staff whose ethnicity is "
            "unknown are left out of both shares; the unknown share of the band (unknown over everyone in "
            "the band) is shown as a data-quality figure."
        ),
        population=f"staff in the {band} pay band",
        pay_band=band,
    )


INDICATORS: tuple[Indicator, ...] = (
    *(_pay_band(band) for band in PAY_BANDS),
    Indicator(
        code="m2",
        metric="2",
        title="Appointment from shortlisting",
        numerator="appointed",
        denominator="shortlisted",
        favourable=True,
        kind="rate",
        template=_likely("be appointed from shortlisting"),
        explanation=(
            "For each group, the number of shortlisted candidates who were appointed divided by the number "
            "shortlisted. The relative likelihood is the minority ethnic rate divided by the white rate: "
            "below 1, minority ethnic candidates were less likely to be appointed. NHS WRES divides the "
            "other way (white over minority ethnic), so that figure is shown too. " + _UNKNOWN_LEFT_OUT
        ),
        population="shortlisted candidates",
        past_phrase="were appointed",
        of_phrase="being appointed from shortlisting",
    ),
    Indicator(
        code="m3",
        metric="3",
        title="Entering the formal disciplinary process",
        numerator="disciplinary",
        denominator="headcount",
        favourable=False,
        kind="rate",
        template=_likely("enter the formal disciplinary process"),
        explanation=(
            "For each group, the number of staff who entered the formal disciplinary process divided by the "
            "headcount. The relative likelihood is the minority ethnic rate divided by the white rate: "
            "above 1, minority ethnic staff were more likely to enter the process. " + _UNKNOWN_LEFT_OUT
        ),
        population="staff",
        past_phrase="entered the formal disciplinary process",
        of_phrase="entering the formal disciplinary process",
    ),
    Indicator(
        code="m4",
        metric="4",
        title="Fitness-to-practise referral",
        numerator="ftp_referrals",
        denominator="regulated_headcount",
        favourable=False,
        kind="rate",
        template=_likely("be referred to the fitness-to-practise process"),
        explanation=(
            "For each group, the number of regulated professionals the council referred to the "
            "fitness-to-practise process divided by the number of regulated professionals. The relative "
            "likelihood is the minority ethnic rate divided by the white rate: above 1, minority ethnic "
            "professionals were more likely to be referred. " + _UNKNOWN_LEFT_OUT
        ),
        population="regulated professionals",
        past_phrase="were referred to the fitness-to-practise process",
        of_phrase="being referred to the fitness-to-practise process",
    ),
    Indicator(
        code="m5",
        metric="5",
        title="Funded non-mandatory CPD",
        numerator="cpd",
        denominator="headcount",
        favourable=True,
        kind="rate",
        template=_likely("access funded non-mandatory CPD"),
        explanation=(
            "For each group, the number of staff who accessed funded non-mandatory continuing professional "
            "development divided by the headcount. The relative likelihood is the minority ethnic rate "
            "divided by the white rate: below 1, minority ethnic staff were less likely to access it. The "
            "NHS WRES direction (white over minority ethnic) is shown too. " + _UNKNOWN_LEFT_OUT
        ),
        population="staff",
        past_phrase="accessed funded non-mandatory CPD",
        of_phrase="accessing funded non-mandatory CPD",
    ),
    Indicator(
        code="m6",
        metric="6",
        title="Harassment from people who use services, their relatives or the public",
        numerator="harassed_by_public",
        denominator="survey_respondents",
        favourable=False,
        kind="percentage",
        template=_likely(f"report harassment, bullying or abuse from {_PUBLIC}"),
        explanation=(
            "For each group, the number of survey respondents reporting harassment, bullying or abuse from "
            f"{_PUBLIC}, divided by the number of respondents. " + _SURVEY
        ),
        population="survey respondents",
        past_phrase=f"reported harassment, bullying or abuse from {_PUBLIC}",
        of_phrase=f"reporting harassment, bullying or abuse from {_PUBLIC}",
    ),
    Indicator(
        code="m7a",
        metric="7a",
        title="Harassment from colleagues",
        numerator="harassed_by_colleagues",
        denominator="survey_respondents",
        favourable=False,
        kind="percentage",
        template=_likely("report harassment, bullying or abuse from colleagues"),
        explanation=(
            "For each group, the number of survey respondents reporting harassment, bullying or abuse from "
            "colleagues, divided by the number of respondents. " + _SURVEY
        ),
        population="survey respondents",
        past_phrase="reported harassment, bullying or abuse from colleagues",
        of_phrase="reporting harassment, bullying or abuse from colleagues",
    ),
    Indicator(
        code="m7b",
        metric="7b",
        title="Harassment from managers",
        numerator="harassed_by_managers",
        denominator="survey_respondents",
        favourable=False,
        kind="percentage",
        template=_likely("report harassment, bullying or abuse from managers"),
        explanation=(
            "For each group, the number of survey respondents reporting harassment, bullying or abuse from "
            "managers, divided by the number of respondents. " + _SURVEY
        ),
        population="survey respondents",
        past_phrase="reported harassment, bullying or abuse from managers",
        of_phrase="reporting harassment, bullying or abuse from managers",
    ),
    Indicator(
        code="m8",
        metric="8",
        title="Leaving the council",
        numerator="leavers",
        denominator="headcount",
        favourable=False,
        kind="rate",
        template=_likely("leave the council"),
        explanation=(
            "For each group, the number of staff who left the council in the period divided by the "
            "headcount. The relative likelihood is the minority ethnic rate divided by the white rate: "
            "above 1, minority ethnic staff were more likely to leave. " + _UNKNOWN_LEFT_OUT
        ),
        population="staff",
        past_phrase="left the council",
        of_phrase="leaving the council",
    ),
    Indicator(
        code="m9",
        metric="9",
        title="Senior management",
        numerator="senior_managers",
        denominator="headcount",
        favourable=True,
        kind="rate",
        template=_likely("be senior managers"),
        explanation=(
            "For each group, the number of staff in senior management roles divided by the headcount; the "
            "relative likelihood is the minority ethnic rate divided by the white rate (below 1, minority "
            "ethnic staff were less likely to be senior managers). Beside it: the minority ethnic share "
            "(minority ethnic over white plus minority ethnic) of senior managers, of the whole workforce "
            "and of the local population (Census 2021), and the gaps in percentage points, senior "
            "managers' share minus the other share. " + _UNKNOWN_LEFT_OUT
        ),
        population="staff",
        past_phrase="were senior managers",
        of_phrase="being a senior manager",
    ),
)
INDICATORS_BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
#: Indicators that also offer the NHS WRES direction (white over minority ethnic), 1 / RL.
NHS_DIRECTION_INDICATORS = frozenset({"m2", "m5"})
#: The second sentence for metric 9.
M9_SHARES_TEMPLATE = (
    "They were {senior_share} of senior managers, against {workforce_share} of the workforce"
    "{population_clause}."
)
#: The sentence when no minority ethnic person had the outcome (RL is exactly 0).
NONE_HAD_OUTCOME_TEMPLATE = (
    "None of the minority ethnic {population} {past_phrase}, against {rate_white} of white {population}."
)
