"""Hand-written name lists by background, and the spellings and nicknames people are recorded under.

The lists are modest on purpose: realistic repetition (many Smiths, many Mohammeds) is what makes
blocking and matching hard, and a short list in code keeps the generator free of downloads. British
surnames also get a long tail built from place-name parts (Ashworth, Thornley): in England and Wales the
commonest surname, Smith, is about 1.3% of people, and most people share their surname with few others.
Without the tail every person would share a surname with thousands, and no blocking rule could keep
comparisons near linear as the world grows. Names are
ASCII so the typo machinery can work on bytes. Every name is stored once in ``NAMES``; people and records
carry integer codes into it, so nicknames and spellings are swaps of codes, not string work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sample_db.world.profile import BACKGROUNDS

# Each entry: "Name" or "Name|Variant|Variant" (variants are nicknames or other spellings).
_FIRST_MALE: dict[str, str] = {
    "british": """James|Jim|Jamie John|Jon|Johnny David|Dave Michael|Mike|Mick Daniel|Dan|Danny Thomas|Tom|Tommy
        Christopher|Chris Matthew|Matt Andrew|Andy|Drew Paul Mark|Marc Richard|Rich|Richie Robert|Rob|Bob|Robbie
        William|Will|Bill|Billy Stephen|Steve|Steven Anthony|Tony|Ant Joseph|Joe Ryan Lee Craig Dean Wayne
        Gary Peter|Pete Kevin|Kev Shaun|Sean|Shawn Stuart|Stewart Philip|Phil|Phillip Jack Liam Connor|Conor
        Callum|Calum Kieran|Ciaran Jordan Nathan|Nate Lewis|Louis Jake|Jacob Jamie Luke Kyle Bradley|Brad
        Joshua|Josh Reece|Rhys|Reese Carl|Karl Martin|Marty Neil|Neal Darren Jason Simon Ian|Iain Scott Adam
        Aaron|Aron Samuel|Sam Benjamin|Ben Alexander|Alex Nicholas|Nick Edward|Ed|Eddie Charles|Charlie
        Oliver|Ollie George Harry Terry|Terence Barry Shane Keith Sean Declan Patrick|Pat|Paddy""",
    "caribbean": """Marcus Jermaine Tyrone Delroy Winston Leroy Clive Trevor Errol Dwayne|Duane Andre
        Kareem|Karim
        Jamal Ricardo Devon Curtis Lloyd Byron Kemar Michael|Mike Anthony|Tony Daniel|Danny Christopher|Chris
        Nathan Jordan Tyler Reuben Carlton Desmond|Des""",
    "west_african": """Oluwaseun|Seun Adebayo|Bayo Chinedu Emeka|Chukwuemeka Olumide|Mide Babatunde|Tunde
        Kwame Kofi Yaw Kwabena Samuel|Sam Emmanuel|Emma Daniel David Michael Joseph Ibrahim|Ibrahima
        Abdullahi|Abdulahi Olufemi|Femi Olusegun|Segun Obinna Kelechi Ifeanyi Oluwadamilare|Dami""",
    "south_asian": """Mohammed|Muhammad|Mohammad|Mohamed|Muhammed Ahmed|Ahmad Ali Hassan|Hasan Imran Adnan Bilal
        Usman|Osman Zubair|Zubayr Abdul Tariq|Tarik Asif|Aasif Sajid Shahid|Shaheed Amir|Aamir Faisal|Faysal
        Kamran Rizwan Nadeem|Nadim Waqas Harpreet Gurpreet Jaspreet Rajesh Sunil Anil Vijay Sanjay Arjun Rahul
        Amit Deepak Mohammed|Mohd""",
    "east_european": """Piotr|Peter Krzysztof|Krzystof Tomasz|Thomas Pawel|Paul Marcin Michal
        Lukasz|Lucas Jakub|Jacob
        Andrzej Mateusz Adrian Ionut Andrei|Andrey Alexandru|Alexander Mihai Florin Bogdan Gabriel
        Dariusz|Darius Vasile Marius Aleksandr|Alexander|Aleksander Dmitri|Dmitry|Dimitri Sergei|Sergey
        Arturas Tomas Mindaugas Janis""",
    "arabic": """Omar|Umar Yusuf|Yousef|Youssef Ibrahim Khalid|Khaled Ahmed|Ahmad Mahmoud|Mahmud Mustafa|Mostafa
        Hamza|Hamzah Karim|Kareem Samir|Sameer Walid|Waleed Abdullah|Abdallah Hussein|Hussain|Husain Ali
        Hassan|Hasan Tariq Nabil Adel|Adil Rami Ziad|Ziyad Mohamed|Mohammed|Muhammad Abdirahman|Abdi""",
}

_FIRST_FEMALE: dict[str, str] = {
    "british": """Sarah|Sara Rebecca|Becky|Becca Elizabeth|Liz|Beth|Lizzie Jennifer|Jen|Jenny
        Katherine|Kate|Kathryn|Catherine|Katie Emma Laura Lisa Michelle Nicola|Nikki|Nicole Samantha|Sam
        Victoria|Vicky|Tori Stephanie|Steph Jessica|Jess Charlotte|Charlie Amy|Aimee Hannah|Hanna
        Danielle|Dani Kelly Gemma|Jemma Leanne|Lianne Stacey|Stacy Natalie|Nat Donna Claire|Clare
        Joanne|Jo Louise|Lou Zoe|Zoey Chloe Jade Lauren Shannon Megan|Meg Sophie|Sophia Amber
        Kayleigh|Kayley|Kaylee Tracey|Tracy Karen Julie Amanda|Mandy Deborah|Debbie|Debra Susan|Sue
        Margaret|Maggie Helen""",
    "caribbean": """Shanice Tanisha Keisha|Keysha Marcia Sonia Paulette Jasmine|Jasmin Chantelle|Chantel
        Natasha|Tash
        Simone Latoya Monique Candice Althea Sharon Janet""",
    "west_african": """Adaeze|Ada Chioma Ngozi Funmilayo|Funmi Folasade|Sade Abimbola|Bimbo Blessing
        Grace Precious Esther
        Ama Akosua Abena Yetunde Temitope|Tope Oluwatoyin|Toyin""",
    "south_asian": """Fatima|Fatimah Aisha|Ayesha|Aysha Amina|Aminah Sana Nadia Saima Shazia Rubina
        Priya Anita Sunita
        Kiran Pooja|Puja Harjit Manjit Parveen|Parvin Yasmin|Yasmeen|Jasmine""",
    "east_european": """Anna|Ana Katarzyna|Kasia Agnieszka Magdalena|Magda Joanna Monika|Monica Ewa|Eva
        Maria Elena|Yelena
        Ioana Andreea|Andrea Alina Natalia|Natalya Olga Irina|Iryna Oksana""",
    "arabic": """Fatima|Fatma Mariam|Maryam|Miriam Layla|Leila|Laila Noor|Nour|Nur Huda Salma Rania
        Yasmin|Yasmine Amal
        Zainab|Zaynab Hana|Hanna Hodan Asha""",
}

_SURNAMES: dict[str, str] = {
    "british": """Smith Jones Williams Taylor Brown Davies|Davis Evans Wilson Thomas Johnson Roberts Robinson
        Thompson|Thomson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke|Clark Patel Jackson Wood
        Turner Martin Cooper Hill Ward Morris Moore Clark King Harrison Morgan Baker Allen|Allan James Scott
        Phillips|Philips Watson Davis Parker Price Bennett Young Griffiths|Griffith Mitchell Kelly Cook Carter
        Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis
        Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers|Rodgers Gray|Grey Mason Ali Hunt
        Hussain Campbell Matthews|Mathews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker
        Fisher Stevens|Stephens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson
        Howard Andrews Stewart|Stuart Elliott|Elliot Reynolds Saunders Payne Fox Ford Pearce Day Brooks
        West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton OBrien|O'Brien Watts Rose Booth
        Perry Ryan Grant Wells Armstrong Francis Rees|Reece Hayes Hart Hudson Newman Barrett Webster Hunter
        Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid|Reed Holland Hawkins Harding
        Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson
        Parry Burgess Bishop Walton Burns Nicholson Shepherd|Shepard Ross Cross Long Freeman Warren
        Nicholls|Nichols Hamilton Byrne Sutton McDonald|MacDonald Yates Hodgson Robson Curtis Hopkins OConnor|O'Connor
        Harper Coleman Watkins Moss McCarthy|MacCarthy Chambers ONeill|O'Neill Griffin Sharp Hardy Wheeler Potter
        Osborne Johnston|Johnstone Gordon Doyle Wallace George Jordan Hutchinson Rowe Burke May Pritchard Gilbert
        Willis Higgins Read|Reid Barlow Duffy McKenzie|Mackenzie""",
    "caribbean": """Campbell Brown Williams Clarke|Clark Thompson|Thomson Francis Grant Morgan
        Reid|Reed|Read Henry
        Stewart|Stuart Gordon Bailey Lewis Robinson Johnson Walker Edwards Bennett Richards Forbes Samuels
        McKenzie|Mackenzie Blake Powell Dixon Spencer Chambers Wright Daley|Daly Facey Gayle|Gail Hylton|Hilton
        Lindo Ricketts""",
    "west_african": """Adeyemi Okafor Okonkwo Mensah Boateng Owusu Asante Adebayo Ogunleye Olawale Eze
        Nwosu Okeke Obi Danso
        Appiah Osei Adeleke Babatunde Oyelaran Ibrahim Bello Abubakar Afolabi Akinola Nwachukwu Ojo Oyewole
        Ogundipe Ansah Ofori Agyeman|Agyemang""",
    "south_asian": """Khan Ahmed|Ahmad Hussain|Hussein|Husain Ali Shah Patel Begum Akhtar|Akhter Iqbal
        Mahmood|Mahmud|Mehmood Rahman|Rehman Singh Kaur Sharma Kumar Bibi Aziz Malik Qureshi|Kureshi
        Chaudhry|Choudhury|Chowdhury Butt Raza Hanif Rashid Uddin Miah|Mia Islam Karim|Kareem
        Siddiqui|Siddiqi Anwar Bashir|Basheer Javed|Javaid Mirza Gill Sandhu Dhillon Bains Sidhu""",
    "east_european": """Nowak Kowalski|Kowalsky Wisniewski|Wisnievski Wojcik Kaminski Lewandowski
        Zielinski Szymanski
        Wozniak|Vozniak Dabrowski Kozlowski Jankowski Mazur Popescu Ionescu Popa Stan Dumitru Stoica Constantin
        Gheorghe Rusu Petrov Ivanov|Ivanoff Smirnov Kovalenko Shevchenko|Shevchenco Kazlauskas Jankauskas
        Petrauskas Berzins""",
    "arabic": """AlSayed|Al-Sayed|El-Sayed|Elsayed Hassan|Hasan Hussein|Hussain Ali Mohamed|Mohammed
        Abdullah|Abdallah
        Ibrahim Mahmoud|Mahmud Mustafa|Mostafa Saleh|Salih Haddad Khalil Nasser|Nasir Farah Osman|Othman|Uthman
        Abdi Warsame Hersi Jama|Jamaa Aden|Adan Omar|Umar Yusuf|Yousef Karimi Hosseini|Husseini Rahimi Ahmadi
        Mohammadi Rezaei|Rezai""",
}

#: Parts of English place-name surnames, for the long tail (``_tail_surnames``).
_TAIL_HEADS = """Ash Black Brad Brook Bur Cal Chad Cliff Craw Dal Down East Fair Farn Gold Green Hal Hart Hay Heath
    Hol Hors Kings Lang Lin Mar Mid Moor New North Oak Ox Pen Rad Red Ridge Ros Shel Stan Stock Thorn Wal
    West Whit Win Wood Yar Brom Carl"""
_TAIL_TAILS = """ley ton worth field wood ford by ham well more stead bury croft hurst shaw dale wick land cott
    bridge stone hill thwaite den combe low ridge mere wright brook holme by gate lock ing burn sley"""
#: Share of British surnames drawn from the tail rather than the hand-written list.
TAIL_SHARE = 0.6

#: Middle names are drawn from the same background's first names of the same sex.
MAX_VARIANTS = 5


@dataclass(frozen=True)
class NameTables:
    """Codes into ``names``: what each background draws from, and each name's other spellings."""

    names: np.ndarray                          # unique names, dtype S
    first: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]  # (background, male) -> codes, probs
    surname: dict[int, tuple[np.ndarray, np.ndarray]]          # background -> codes, probs
    variants: np.ndarray                       # (len(names), MAX_VARIANTS) codes, -1 padded
    n_variants: np.ndarray                     # (len(names),)
    upper: np.ndarray                          # the same names in capitals, dtype S


def _entries(block: str) -> list[list[str]]:
    return [entry.split("|") for entry in block.split()]


def _zipf(n: int, exponent: float = 0.7) -> np.ndarray:
    # Names repeat: a handful are very common and many are rare, which is what makes linkage hard.
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


def _tail_surnames(taken: set[str]) -> list[str]:
    names = [h + t for h in _TAIL_HEADS.split() for t in _TAIL_TAILS.split()]
    return sorted(dict.fromkeys(n.capitalize() for n in names if n.capitalize() not in taken))


def build_tables() -> NameTables:
    code: dict[str, int] = {}
    alt: dict[int, set[int]] = {}

    def intern(name: str) -> int:
        if name not in code:
            code[name] = len(code)
        return code[name]

    def register(block: str) -> np.ndarray:
        codes: list[int] = []
        for group in _entries(block):
            ids = [intern(n) for n in group]
            for i in ids:
                alt.setdefault(i, set()).update(j for j in ids if j != i)
            if ids[0] not in codes:
                codes.append(ids[0])
        return np.array(codes, dtype=np.int32)

    first: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    surname: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for b, bg in enumerate(BACKGROUNDS):
        for male, table in ((1, _FIRST_MALE), (0, _FIRST_FEMALE)):
            codes = register(table[bg])
            first[(b, male)] = (codes, _zipf(len(codes)))
        codes = register(_SURNAMES[bg])
        probs = _zipf(len(codes))
        if bg == "british":
            tail = register(" ".join(_tail_surnames(set(code))))
            codes = np.concatenate([codes, tail])
            probs = np.concatenate([probs * (1 - TAIL_SHARE), _zipf(len(tail), 0.5) * TAIL_SHARE])
        surname[b] = (codes, probs)
    names = np.array(sorted(code, key=code.get), dtype="S")
    variants = np.full((len(names), MAX_VARIANTS), -1, dtype=np.int32)
    n_variants = np.zeros(len(names), dtype=np.int32)
    for i, others in alt.items():
        chosen = sorted(others)[:MAX_VARIANTS]
        variants[i, : len(chosen)] = chosen
        n_variants[i] = len(chosen)
    return NameTables(names, first, surname, variants, n_variants, np.strings.upper(names))
