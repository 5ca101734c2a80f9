"""The agency extracts BOLD links: who provides each, and what it holds, in plain words."""

from __future__ import annotations

DATASETS: dict[str, tuple[str, str]] = {
    "prison": ("Ministry of Justice / HM Prison and Probation Service",
               "Releases from prison: age, sex, region, offence type, sentence, risk and needs, courses taken."),
    "probation": ("Probation service", "Services people reached after release, and when."),
    "dfe": ("Department for Education",
            "Qualifications before prison; for children, school attendance, suspensions and attainment."),
    "dwp": ("Department for Work and Pensions", "Benefit claims and payments, and starts on work programmes."),
    "hmrc": ("HM Revenue & Customs", "Jobs on an employer's payroll (P45 records) and pay bands."),
    "local_authority": ("Local councils", "Family support for children: children in need and early help."),
    "reoffending": ("Ministry of Justice", "Proven reoffences after release."),
}


def organisation(dataset: str) -> str:
    return DATASETS.get(dataset, ("Unknown provider", ""))[0]


def description(dataset: str) -> str:
    return DATASETS.get(dataset, ("", "An extract provided for linkage."))[1]
