"""Reference taxonomies seeded by migration. Codes are stable: never renumber or reuse.

INDUSTRIES: the 21 sections of NACE Rev. 2 (EU statistical classification of economic
activities), with the official English and French short titles.
JOB_TYPES: the entry-level job types IPS teams see most, each mapped to its ISCO-08
unit group (International Standard Classification of Occupations, ILO 2008)."""

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


def seed_taxonomies(industry_model, job_type_model) -> None:
    """Create or refresh both taxonomies (idempotent). Takes the model classes so the
    data migration can pass its historical models."""
    for code, label_en, label_fr in INDUSTRIES:
        industry_model.objects.update_or_create(code=code, defaults={"label_en": label_en, "label_fr": label_fr})
    for code, isco_code, label_en, label_fr in JOB_TYPES:
        job_type_model.objects.update_or_create(
            code=code, defaults={"isco_code": isco_code, "label_en": label_en, "label_fr": label_fr}
        )
