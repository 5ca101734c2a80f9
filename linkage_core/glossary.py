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
    "Rounding": "Counts of people are rounded to the nearest 5, so small changes cannot reveal anyone.",
    "Synthetic demo data": (
        "Made-up records from a computer model of the world. No real person is in them."
    ),
}


def glossary() -> list[GlossaryEntry]:
    return [GlossaryEntry(term=term, definition=text) for term, text in TERMS.items()]
