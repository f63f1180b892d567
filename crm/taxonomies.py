"""Reference taxonomies seeded by migration. Codes are stable: never renumber or reuse.

INDUSTRIES: the 21 sections of NACE Rev. 2 (EU statistical classification of economic
activities), with the official English and French short titles.
JOB_TYPES: the entry-level job types IPS teams see most, each mapped to its ISCO-08
unit group (International Standard Classification of Occupations, ILO 2008).
JOB_TYPE_NACE_CODES: where each job type is mostly found, as NACE Rev. 2 divisions ("56")
or groups ("45.2"), for matching job types with employers' NACE codes (docs/matching.md).
NACE_DIVISIONS: the divisions of each section, to tell a code's section."""

INDUSTRIES = [
    ("A", "Agriculture, forestry and fishing", "Agriculture, sylviculture et pêche"),
    ("B", "Mining and quarrying", "Industries extractives"),
    ("C", "Manufacturing", "Industrie manufacturière"),
    (
        "D",
        "Electricity, gas, steam and air conditioning supply",
        "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    ),
    (
        "E",
        "Water supply, sewerage, waste management",
        "Production et distribution d'eau ; assainissement, gestion des déchets",
    ),
    ("F", "Construction", "Construction"),
    ("G", "Wholesale and retail trade, repair of vehicles", "Commerce ; réparation d'automobiles et de motocycles"),
    ("H", "Transportation and storage", "Transports et entreposage"),
    ("I", "Accommodation and food service", "Hébergement et restauration"),
    ("J", "Information and communication", "Information et communication"),
    ("K", "Financial and insurance activities", "Activités financières et d'assurance"),
    ("L", "Real estate activities", "Activités immobilières"),
    ("M", "Professional, scientific and technical activities", "Activités spécialisées, scientifiques et techniques"),
    ("N", "Administrative and support service activities", "Activités de services administratifs et de soutien"),
    ("O", "Public administration and defence", "Administration publique"),
    ("P", "Education", "Enseignement"),
    ("Q", "Human health and social work", "Santé humaine et action sociale"),
    ("R", "Arts, entertainment and recreation", "Arts, spectacles et activités récréatives"),
    ("S", "Other service activities", "Autres activités de services"),
    ("T", "Activities of households as employers", "Activités des ménages en tant qu'employeurs"),
    ("U", "Extraterritorial organisations", "Activités extra-territoriales"),
]

# (stable code, ISCO-08 unit group, English label, French label)
JOB_TYPES = [
    ("office_cleaner", "9112", "Cleaner (offices, hotels)", "Agent d'entretien (bureaux, hôtels)"),
    ("vehicle_cleaner", "9122", "Vehicle cleaner", "Laveur de véhicules"),
    ("kitchen_helper", "9412", "Kitchen helper", "Commis de cuisine / plongeur"),
    ("fast_food_preparer", "9411", "Fast-food preparer", "Équipier de restauration rapide"),
    ("cook", "5120", "Cook", "Cuisinier"),
    ("waiter", "5131", "Waiter", "Serveur"),
    ("bartender", "5132", "Bartender", "Barman"),
    ("food_counter_attendant", "5246", "Food service counter attendant", "Employé de comptoir / cafétéria"),
    ("baker", "7512", "Baker or pastry cook", "Boulanger ou pâtissier"),
    ("shop_sales_assistant", "5223", "Shop sales assistant", "Vendeur en magasin"),
    ("cashier", "5230", "Cashier", "Hôte de caisse"),
    ("shelf_filler", "9334", "Shelf filler", "Employé de mise en rayon"),
    ("stock_clerk", "4321", "Stock clerk", "Magasinier"),
    ("warehouse_handler", "9333", "Warehouse and freight handler", "Manutentionnaire"),
    ("hand_packer", "9321", "Hand packer", "Préparateur de commandes / emballeur"),
    ("manufacturing_labourer", "9329", "Manufacturing labourer", "Ouvrier de production"),
    ("food_machine_operator", "8160", "Food products machine operator", "Conducteur de machine agroalimentaire"),
    ("delivery_driver", "8322", "Delivery or van driver", "Chauffeur-livreur"),
    ("courier", "9621", "Courier or package deliverer", "Coursier / livreur"),
    ("mail_sorter", "4412", "Mail carrier or sorting clerk", "Facteur / agent de tri"),
    ("general_office_clerk", "4110", "General office clerk", "Employé administratif"),
    ("data_entry_clerk", "4132", "Data entry clerk", "Opérateur de saisie"),
    ("receptionist", "4226", "Receptionist", "Agent d'accueil"),
    ("contact_centre_agent", "4222", "Contact centre agent", "Téléconseiller"),
    ("bookkeeping_clerk", "4311", "Bookkeeping clerk", "Aide-comptable"),
    ("it_support_technician", "3512", "IT user support technician", "Technicien support informatique"),
    ("software_developer", "2512", "Software developer", "Développeur informatique"),
    ("graphic_designer", "2166", "Graphic designer", "Graphiste"),
    ("library_assistant", "3433", "Library or museum assistant", "Assistant de bibliothèque ou de musée"),
    ("gardener", "6113", "Gardener", "Jardinier / paysagiste"),
    ("garden_labourer", "9214", "Garden and horticultural labourer", "Ouvrier des espaces verts"),
    ("construction_labourer", "9313", "Building construction labourer", "Manœuvre du bâtiment"),
    ("carpenter", "7115", "Carpenter or joiner", "Menuisier"),
    ("electrician", "7411", "Electrician", "Électricien"),
    ("plumber", "7126", "Plumber", "Plombier"),
    ("vehicle_mechanic", "7231", "Motor vehicle mechanic", "Mécanicien automobile"),
    ("building_caretaker", "5153", "Building caretaker", "Gardien d'immeuble / agent technique"),
    ("security_guard", "5414", "Security guard", "Agent de sécurité"),
    ("care_assistant", "5321", "Health care assistant", "Aide-soignant"),
    ("home_care_worker", "5322", "Home care worker", "Aide à domicile"),
    ("child_care_worker", "5311", "Child care worker", "Auxiliaire de garde d'enfants"),
    ("animal_care_worker", "5164", "Animal care worker", "Soigneur animalier / toiletteur"),
    ("street_sweeper", "9613", "Street sweeper", "Agent de propreté urbaine"),
    ("fitness_instructor", "3423", "Fitness instructor", "Animateur sportif"),
]

# NACE Rev. 2 divisions (the first two digits of a NACE or French NAF/APE code) by section:
# (first, last) division.
NACE_DIVISIONS = {
    "A": (1, 3),
    "B": (5, 9),
    "C": (10, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "H": (49, 53),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}

# Where each job type is mostly found: NACE Rev. 2 divisions and groups (a class such as
# "88.91" where the group is wider than the job). A job type's codes are compared with an
# employer's NACE code by prefix: the employer's "45.20" is within "45.2" and "45".
JOB_TYPE_NACE_CODES = {
    "office_cleaner": ["81.2", "55.1"],  # cleaning activities; hotels
    "vehicle_cleaner": ["45.2"],  # maintenance and repair of motor vehicles (car washes are 45.20)
    "kitchen_helper": ["56", "55.1"],  # food and beverage service; hotels
    "fast_food_preparer": ["56.1"],  # restaurants and mobile food service
    "cook": ["56", "55.1"],
    "waiter": ["56.1", "56.3", "55.1"],  # restaurants; beverage serving; hotels
    "bartender": ["56.3", "55.1"],
    "food_counter_attendant": ["56"],  # cafeterias (56.10), contract catering (56.29)
    "baker": ["10.7", "47.24"],  # manufacture of bakery products; retail sale of bread
    "shop_sales_assistant": ["47"],  # retail trade
    "cashier": ["47"],
    "shelf_filler": ["47.1"],  # retail in non-specialised stores (supermarkets)
    "stock_clerk": ["52.1", "46", "47.1"],  # warehousing and storage; wholesale; supermarkets
    "warehouse_handler": ["52", "46"],  # warehousing and support activities for transportation
    "hand_packer": ["82.92", "52.1"],  # packaging activities; warehousing
    "manufacturing_labourer": [f"{division:02}" for division in range(10, 34)],  # every division of C
    "food_machine_operator": ["10", "11"],  # food products; beverages
    "delivery_driver": ["49.4", "53.2"],  # freight transport by road; courier activities
    "courier": ["53.2"],
    "mail_sorter": ["53"],  # postal and courier activities
    "general_office_clerk": ["82.1", "84.1"],  # office support; general public administration
    "data_entry_clerk": ["82.1", "63.1"],  # office support; data processing
    "receptionist": ["82.1", "86"],  # office support; health
    "contact_centre_agent": ["82.2"],  # call centres
    "bookkeeping_clerk": ["69.2"],  # accounting and bookkeeping
    "it_support_technician": ["62", "95.1"],  # computer programming and services; computer repair
    "software_developer": ["62"],
    "graphic_designer": ["74.1", "73.1", "58"],  # design; advertising; publishing
    "library_assistant": ["91"],  # libraries, archives, museums
    "gardener": ["81.3", "01.3"],  # landscape service activities; plant propagation
    "garden_labourer": ["81.3", "01.3"],
    "construction_labourer": ["41", "43"],  # construction of buildings; specialised construction
    "carpenter": ["43.3", "16.2"],  # building completion (joinery installation); builders' joinery
    "electrician": ["43.2"],  # electrical, plumbing and other installation
    "plumber": ["43.2"],
    "vehicle_mechanic": ["45.2", "45.4"],  # repair of motor vehicles; of motorcycles
    "building_caretaker": ["68.3", "81.1"],  # property management; combined facilities support
    "security_guard": ["80.1"],  # private security
    "care_assistant": ["86.1", "87"],  # hospitals; residential care
    "home_care_worker": ["88.1", "97"],  # social work for the elderly and disabled; households
    "child_care_worker": ["88.91", "97"],  # child day-care; households
    "animal_care_worker": ["96.09", "75"],  # other personal services (pet grooming); veterinary
    "street_sweeper": ["81.29", "38.1"],  # other cleaning activities; waste collection
    "fitness_instructor": ["93.1"],  # sports activities
}


def nace_section(code: str) -> str | None:
    """The section letter of a NACE code ("45.20" -> "G"), or None."""
    try:
        division = int((code or "")[:2])
    except ValueError:
        return None
    for section, (first, last) in NACE_DIVISIONS.items():
        if first <= division <= last:
            return section
    return None


def nace_codes_match(a: str, b: str) -> bool:
    """Whether two NACE codes (division "45", group "45.2" or class "45.20") overlap: one
    is a prefix of the other. The fixed format makes the prefix exact ("45" never
    matches "4" or "450")."""
    return bool(a) and bool(b) and (a.startswith(b) or b.startswith(a))


def seed_job_type_nace_codes(job_type_model) -> None:
    """Set the NACE codes of the job types (idempotent): migration crm 0012."""
    for code, nace_codes in JOB_TYPE_NACE_CODES.items():
        job_type_model.objects.filter(code=code).update(nace_codes=nace_codes)


def seed_taxonomies(industry_model, job_type_model) -> None:
    """Create or refresh both taxonomies (idempotent). Takes the model classes so the
    data migration can pass its historical models (before crm 0011, job types have no
    NACE codes)."""
    for code, label_en, label_fr in INDUSTRIES:
        industry_model.objects.update_or_create(code=code, defaults={"label_en": label_en, "label_fr": label_fr})
    for code, isco_code, label_en, label_fr in JOB_TYPES:
        job_type_model.objects.update_or_create(
            code=code, defaults={"isco_code": isco_code, "label_en": label_en, "label_fr": label_fr}
        )
    if any(field.name == "nace_codes" for field in job_type_model._meta.get_fields()):
        seed_job_type_nace_codes(job_type_model)
