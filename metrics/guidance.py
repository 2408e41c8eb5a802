"""What each metric means in plain English, what a council might do about it, and the sentences that
read a council's position among other councils (pure: no database).

The wording follows the sector's own documents: Norfolk County Council's action plan guidance (the
nine metrics, seeds/000), Brighton and Hove's action plan (objectives, actions and "what good looks
like" per metric, seeds/001) and Skills for Care's reports (seeds/002, 003). It is guidance, not a
prescription: each council chooses its own actions with its staff.
"""

from __future__ import annotations

from dataclasses import dataclass

from .indicators import Indicator


@dataclass(frozen=True)
class Guidance:
    """`meaning`: what the figure says, in a sentence; `actions`: what councils have done about it."""

    meaning: str
    actions: tuple[str, ...]


_M1 = Guidance(
    meaning=(
        "How many of the staff in this pay band are minority ethnic, beside the share across the whole "
        "workforce. If minority ethnic staff are a smaller share of the upper bands than of the workforce, "
        "they are not progressing as white staff do."
    ),
    actions=(
        "Look at who applies for and gets promotion, band by band, and where minority ethnic staff stop "
        "progressing.",
        "Offer development programmes, mentoring and shadowing for staff in lower bands who want to move "
        "into professional and management roles.",
        "Set out clear career pathways and make sure development opportunities reach staff who are not "
        "online every day.",
    ),
)

GUIDANCE: dict[str, Guidance] = {
    "m1": _M1,
    "m2": Guidance(
        meaning=(
            "Whether minority ethnic candidates who reach the shortlist are as likely to be appointed as "
            "white candidates. Below 1, fewer of them are appointed."
        ),
        actions=(
            "Use anonymised shortlisting and diverse interview panels for every social care post.",
            "Make equality and recruitment training required for every recruiting manager, and check "
            "it is done.",
            "Review interview questions and tests for bias towards internal or white British candidates.",
        ),
    ),
    "m3": Guidance(
        meaning=(
            "Whether minority ethnic staff are more likely than white staff to enter the formal "
            "disciplinary process. Above 1, they are."
        ),
        actions=(
            "Review each case before it becomes formal: could it have been resolved informally, as it "
            "would have been for a white colleague?",
            "Have someone independent of the line manager check decisions to start a formal process.",
            "Train managers in fair, consistent people management and in recognising bias.",
        ),
    ),
    "m4": Guidance(
        meaning=(
            "Whether minority ethnic registered professionals (such as social workers and occupational "
            "therapists) are more likely than white ones to be referred by the council to their "
            "regulator's fitness-to-practise process. Above 1, they are."
        ),
        actions=(
            "Check every referral with a senior colleague who was not involved before it is made.",
            "Compare referrals with the support each person had beforehand (supervision, training, "
            "reasonable adjustments).",
            "Work with Social Work England and other regulators on what a fair referral looks like.",
        ),
    ),
    "m5": Guidance(
        meaning=(
            "Whether minority ethnic staff are as likely as white staff to get funded training and "
            "development beyond what is mandatory. Below 1, fewer of them do."
        ),
        actions=(
            "Monitor who applies for and who gets funded development, and why requests are refused.",
            "Promote opportunities through staff networks, and remove barriers such as cover for release.",
            "Make sure the offer includes courses on race and racism and anti-racist practice.",
        ),
    ),
    "m6": Guidance(
        meaning=(
            "Whether minority ethnic staff report harassment, bullying or abuse from people who use "
            "services, their relatives or the public more often than white staff. Above 1, they do."
        ),
        actions=(
            "Set out a clear way to report racist abuse from the public, and what the council will do.",
            "Make sure managers support staff who experience it and record what happened.",
            "Tell people who use services and their families that racist abuse of staff is not accepted.",
        ),
    ),
    "m7a": Guidance(
        meaning=(
            "Whether minority ethnic staff report harassment, bullying or abuse from colleagues more often "
            "than white staff. Above 1, they do."
        ),
        actions=(
            "Give staff a safe way to report bullying by colleagues, including anonymously.",
            "Train teams to recognise racism and to challenge and report it when they see it.",
            "Support staff networks, such as a Black practitioners' group, and listen to what they find.",
        ),
    ),
    "m7b": Guidance(
        meaning=(
            "Whether minority ethnic staff report harassment, bullying or abuse from their managers more "
            "often than white staff. Above 1, they do."
        ),
        actions=(
            "Make sure staff can report a manager to someone outside their line of management.",
            "Check supervision and personal development plans for fairness across groups.",
            "Include race and anti-racist leadership in every management development programme.",
        ),
    ),
    "m8": Guidance(
        meaning=(
            "Whether minority ethnic staff are more likely than white staff to leave the council. Above 1, "
            "they are."
        ),
        actions=(
            "Hold exit interviews with everyone who leaves or moves internally, and look at the themes by "
            "ethnicity.",
            "Consider \u2018why I joined\u2019 and \u2018why I stay\u2019 conversations.",
            "Follow up what leavers say with the recruitment and retention working group.",
        ),
    ),
    "m9": Guidance(
        meaning=(
            "Whether minority ethnic staff are as likely as white staff to be senior managers, and how "
            "their share of senior managers compares with the workforce and the local population. Below 1, "
            "they are under-represented in senior management."
        ),
        actions=(
            "Use diverse panels, and job packs that set out accountability for a diverse workforce, for "
            "senior roles.",
            "Offer mentoring and leadership development for minority ethnic staff aiming for senior roles.",
            "Track the share of senior roles filled by minority ethnic staff each year.",
        ),
    ),
}


def guidance_for(indicator: Indicator) -> Guidance:
    return GUIDANCE["m1" if indicator.metric == "1" else indicator.code]


def quartile_reading(position: int | None, indicator: Indicator) -> str:
    """Where a council's figure sits among councils, and whether that is good for minority ethnic staff.

    Quarters are of the published national distribution (1 lowest, 4 highest). For an indicator where
    more is better for minority ethnic staff (appointment, CPD, senior management) the highest quarter
    is the best place; where more is worse (disciplinary, referrals, harassment, leaving) it is the
    worst. The metric 1 shares are not outcomes: a high share is neither good nor bad in itself.
    """
    if position is None:
        return ""
    where = {
        1: "in the lowest quarter of councils",
        2: "in the second quarter of councils (below the median)",
        3: "in the third quarter of councils (above the median)",
        4: "in the highest quarter of councils",
    }[position]
    if indicator.favourable is None:
        return (
            f"This council is {where} for the minority ethnic share of this pay band. That is neither good "
            "nor bad in itself: compare it with the share across your workforce and your local population."
        )
    better = position == 4 if indicator.favourable else position == 1
    worse = position == 1 if indicator.favourable else position == 4
    if better:
        verdict = (
            "That is among the better results: minority ethnic staff fare better here than in most councils."
        )
    elif worse:
        verdict = (
            "That is among the worse results: minority ethnic staff fare worse here than in most councils."
        )
    else:
        verdict = "That is neither among the best nor the worst results."
    direction = "higher" if indicator.favourable else "lower"
    return (
        f"This council is {where}. {verdict} For this metric a {direction} figure is better for minority "
        "ethnic staff (1 means equal to white staff)."
    )


def median_note(median: float | None, indicator: Indicator) -> str:
    """Why a published median of exactly 0 says little (metric 4 in particular).

    A council whose minority ethnic staff had none of the outcome has a relative likelihood of 0. For a
    rare outcome (a fitness-to-practise referral) most councils have none, so at least half the values
    are 0 and the median is 0.00, whatever the balance of referrals across the country. The pooled
    figure (every council's staff counted together) is the meaningful comparator then.
    """
    if median != 0 or indicator.kind == "share":
        return ""
    return (
        f"A median of 0.00 means that in at least half of the councils none of the minority ethnic "
        f"{indicator.population} {indicator.past_phrase}, so it says little about the balance between "
        "groups. Compare with England overall (every council's staff counted together) instead."
    )
