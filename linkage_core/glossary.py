"""Plain definitions of the words the findings use. Shipped in every bundle so the app can explain them."""

from linkage_core.schema import GlossaryEntry

TERMS: dict[str, str] = {
    "Proven reoffending": (
        "A new offence within a set time after release that a court or a caution later proved. "
        "It misses offences that were never proved."
    ),
    "P45 employment": (
        "Being on an employer's payroll, as HMRC sees it. It misses cash-in-hand work and some "
        "self-employment."
    ),
    "Matched comparison group": (
        "People who did not get the service or course, picked because they were like those who did: "
        "in age, sex, offence, sentence, past offences, qualifications and past work."
    ),
    "95% interval": (
        "The range the true figure most likely sits in. A wide range means the figure is less certain."
    ),
    "Suppression": (
        "Hiding a figure so no one can be picked out. [c] means hidden to protect people, [x] means not "
        "available, [z] means it does not apply."
    ),
    "Statistically significant": (
        "A difference so large it is unlikely to be down to chance alone. It does not prove a cause."
    ),
    "Linkage": (
        "Joining records about the same person from different services. Names and dates are used to join "
        "them, then removed. Some records join wrongly or not at all."
    ),
    "Rounding": (
        "Counts of people are rounded up or down to a multiple of 5, and a fixed random key decides which "
        "way, so small changes cannot reveal anyone."
    ),
    "Clear difference": (
        "A difference unlikely to be down to chance even after allowing for every comparison in the "
        "bundle: of the differences called clear, {rate} or fewer is expected to be chance. A row "
        "whose 95% interval leaves out zero can still be 'not clear'. Neither proves a cause."
    ),
    "Percentage points": (
        "The gap between two percentages: from 18% to 22% is 4 percentage points ('points' on screen). "
        "It is not the same as a 4% rise."
    ),
    "Propensity score matching": (
        "A way to build the comparison group: a model estimates how likely each person was to get the "
        "service or course from what the records show, and each person who got it is paired with one who "
        "did not but was about as likely to. It can only balance what the records hold."
    ),
    "Nearest-neighbour matching within 0.2 SD of the logit": (
        "Each person is paired with the one most like them on that likelihood, and only if the two are "
        "close (a standard rule of thumb for 'close enough'); people with no close match are left out."
    ),
    "Without replacement": "Each person in the comparison group is paired with at most one person.",
    "Balance (standardised mean difference)": (
        "A check that matching worked: for each measure, the gap between the groups in units of its "
        "spread. Under 0.1 counts as alike."
    ),
    "Wilson score interval": (
        "A standard way to work out the 95% interval for a rate, which stays sensible near 0% and 100%."
    ),
    "Newcombe interval": "The matching standard way to work out the 95% interval for a gap between two rates.",
    "Two-proportion z-test": "A standard test of whether two rates differ by more than chance would explain.",
    "t interval, Welch t-test": (
        "The usual 95% interval for an average, and the usual test of whether two averages differ, "
        "allowing the two groups to vary by different amounts."
    ),
    "Adjustment for many comparisons": (
        "When a pack makes many comparisons, a few look clear by chance alone; the verdict is made stricter "
        "so that fewer chance results are called clear."
    ),
    "Precision and recall (linkage)": (
        "Precision: of the records joined, the share joined to the right person. Recall: of the records "
        "that should have been joined, the share that were."
    ),
    "Secondary suppression": (
        "Hiding extra figures so that a hidden one cannot be worked out by subtraction from totals."
    ),
    "Cell key perturbation": (
        "Rounding each count up or down by a fixed random key, so the same people always give the same "
        "figure and comparing two tables reveals no one."
    ),
    "Dominance": "Hiding a money figure when one or two people make up most of the total.",
    "Attrition": "How many people were left at each step, from everyone released to those compared.",
    "Synthetic demo data": (
        "Made-up records from a computer model of the world. No real person is in them."
    ),
}


def chance_share(false_discovery_rate: float) -> str:
    """The false discovery rate a bundle was built with, as a reader says it: 0.05 is 'about 1 in 20'.

    The words come from the bundle's own rate, so a bundle built with another rate never says 1 in 20."""
    whole = round(1 / false_discovery_rate)
    if whole >= 2 and abs(1 / whole - false_discovery_rate) < 1e-9:
        return f"about 1 in {whole:,}"
    return f"about {false_discovery_rate:.0%}" if false_discovery_rate >= 0.01 else f"about {false_discovery_rate:.1%}"


def glossary(rounding: str | None = None, false_discovery_rate: float = 0.05) -> list[GlossaryEntry]:
    """The terms, with how counts were really rounded in this bundle when the builder says (its policy), and
    the false discovery rate its "clear" verdicts were decided at."""
    terms = TERMS | ({"Rounding": f"Counts of people are {rounding}, so small changes cannot reveal anyone."}
                     if rounding else {})
    terms["Clear difference"] = terms["Clear difference"].format(rate=chance_share(false_discovery_rate))
    return [GlossaryEntry(term=term, definition=text) for term, text in terms.items()]
