"""Fill an empty database with a realistic demo IPS program in Marseille.

    python manage.py seed_demo [--seed N]

One organisation, one team (a team leader, three employment specialists), a program
admin, about 40 job seekers with career profiles and job preferences, about 60
employers with sites and contact persons, several months of placements in every
state and what the live system would have recorded with them: milestones, follow-along
plans and contacts, workplace adjustments, benefits-counselling steps, job-end reports
and the support tasks the event handlers create (placements/handlers.py). Job
development too: sixteen weeks of employer contacts per specialist and the team leader
(visits on behalf of job seekers, relationship-building visits, calls, cancellations,
no-shows), the visits planned for this week and the next, the job openings learned of,
relationship stages and rapid-job-search clocks that agree with the contacts, and the
day-14/21 nudges the daily job would have sent (jobdev/handlers.py, jobdev/nudges.py).
The demo history predates the event log, so no OutboxEvent is written, and nothing is
left for the scheduler to catch up on: every milestone due is reached, every active
follow-along plan has its next contact planned and every nudge due has been sent.

The same seed gives the same data: every random choice comes from one
random.Random(seed), and dates are counted back from today. Running it again once
the program exists creates nothing and only prints the logins."""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import zip_longest
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from crm.models import (
    CareerProfile,
    Industry,
    JobPreference,
    JobSeeker,
    JobSeekerStatusChange,
    JobType,
    Organisation,
    Team,
    User,
)
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening
from jobdev.models import EmployerContact, JobSearchNudge
from jobdev.nudges import nudge_days
from placements.follow_along import next_due_date, next_due_on_or_after
from placements.models import (
    MILESTONE_DAYS,
    Accommodation,
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Milestone,
    Placement,
    PlacementMilestone,
    SupportTask,
)

DEFAULT_SEED = 2026
DEMO_PASSWORD = "ips-demo-2026"  # noqa: S105 - a published demo login, printed on purpose
DEMO_URL = "http://127.0.0.1:8000/"
CHANGE_REASON = "Demo data (seed_demo)"

ORGANISATION = {
    "name": "IPS Marseille — Emploi accompagné",
    "slug": "ips-marseille",
    "time_zone": "Europe/Paris",
    "town": "Marseille",
}
TEAM_NAME = "Équipe Vieux-Port"

# (username, first name, last name, role)
STAFF = [
    ("leader", "Claire", "Fabre", User.Role.TEAM_LEADER),
    ("specialist1", "Julien", "Santoni", User.Role.SPECIALIST),
    ("specialist2", "Nadia", "Benhamou", User.Role.SPECIALIST),
    ("specialist3", "Mathilde", "Giraud", User.Role.SPECIALIST),
    ("admin", "Olivier", "Mercier", User.Role.PROGRAM_ADMIN),
]

JOB_SEEKER_COUNT = 40
REFERRAL_WINDOW_DAYS = 300  # about ten months

# ---------------------------------------------------------------------------
# Places: (town, postcode, latitude, longitude, streets)
# ---------------------------------------------------------------------------
TOWNS = [
    ("Marseille", "13001", 43.2999, 5.3841, ["rue d'Aubagne", "cours Belsunce", "rue Longue des Capucins"]),
    ("Marseille", "13002", 43.3126, 5.3660, ["rue de la République", "boulevard des Dames", "rue de l'Évêché"]),
    ("Marseille", "13003", 43.3121, 5.3802, ["boulevard National", "rue de Crimée", "rue Félix Pyat"]),
    ("Marseille", "13004", 43.3065, 5.4008, ["boulevard de la Blancarde", "avenue des Chartreux", "rue Bénédit"]),
    ("Marseille", "13005", 43.2928, 5.3975, ["boulevard Baille", "boulevard Chave", "rue Saint-Pierre"]),
    ("Marseille", "13006", 43.2870, 5.3812, ["rue Paradis", "cours Julien", "rue de Lodi"]),
    ("Marseille", "13007", 43.2826, 5.3631, ["rue d'Endoume", "boulevard Charles Livon", "rue Sainte"]),
    ("Marseille", "13008", 43.2416, 5.3744, ["avenue de Mazargues", "boulevard Michelet", "avenue du Prado"]),
    (
        "Marseille",
        "13009",
        43.2343,
        5.4482,
        ["boulevard de Sainte-Marguerite", "avenue de la Jarre", "boulevard du Redon"],
    ),
    ("Marseille", "13010", 43.2760, 5.4262, ["boulevard Schloesing", "avenue de Toulon", "boulevard Rabatau"]),
    (
        "Marseille",
        "13011",
        43.2888,
        5.4840,
        ["avenue des Peintres Roux", "boulevard de Saint-Marcel", "boulevard de la Valbarelle"],
    ),
    (
        "Marseille",
        "13012",
        43.3078,
        5.4410,
        ["avenue de Saint-Julien", "boulevard de Montolivet", "avenue des Caillols"],
    ),
    (
        "Marseille",
        "13013",
        43.3493,
        5.4335,
        ["avenue de Château-Gombert", "avenue de Frais Vallon", "chemin de Palama"],
    ),
    (
        "Marseille",
        "13014",
        43.3449,
        5.3926,
        ["chemin de Sainte-Marthe", "boulevard Danielle Casanova", "avenue Salengro"],
    ),
    (
        "Marseille",
        "13015",
        43.3594,
        5.3638,
        ["avenue de Saint-Louis", "chemin de la Madrague-Ville", "boulevard Henri Barnier"],
    ),
    ("Marseille", "13016", 43.3640, 5.3140, ["plage de l'Estaque", "route du Rove", "boulevard Grawitz"]),
    ("Aubagne", "13400", 43.2927, 5.5708, ["cours Foch", "avenue Jeanne d'Arc", "boulevard Lakanal"]),
    (
        "La Ciotat",
        "13600",
        43.1748,
        5.6046,
        ["boulevard Anatole France", "avenue Émile Bodin", "quai François Mitterrand"],
    ),
    ("Aix-en-Provence", "13090", 43.5297, 5.4474, ["avenue de l'Europe", "route de Galice", "avenue Henri Mouret"]),
    ("Vitrolles", "13127", 43.4600, 5.2486, ["avenue de Marseille", "rue de l'Anjou", "boulevard Victor Hugo"]),
    ("Martigues", "13500", 43.4053, 5.0476, ["quai Brescon", "avenue Louis Sammut", "boulevard du 14 Juillet"]),
    ("Marignane", "13700", 43.4160, 5.2147, ["avenue Jean Mermoz", "cours Mirabeau", "boulevard Frédéric Mistral"]),
    ("Allauch", "13190", 43.3369, 5.4822, ["avenue Salvador Allende", "boulevard Frédéric Mistral"]),
    ("Gémenos", "13420", 43.2953, 5.6286, ["avenue de la Roque", "rue du Pic de Bertagne"]),
    ("Les Pennes-Mirabeau", "13170", 43.4103, 5.3097, ["avenue François Mitterrand", "chemin de la Commanderie"]),
    ("Cassis", "13260", 43.2147, 5.5396, ["avenue du Révestel", "rue Michel Arnaud"]),
]
TOWNS_BY_POSTCODE = {town[1]: town for town in TOWNS}
# Where job seekers live: mostly Marseille, some nearby towns.
HOME_POSTCODES = [postcode for postcode in TOWNS_BY_POSTCODE if postcode.startswith("130")] * 3 + [
    "13400",
    "13600",
    "13090",
    "13127",
    "13500",
    "13700",
    "13190",
]

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------
# Marseille names: French, Provençal, Italian-, Corsican-, Armenian- and Maghrebi-French.
FRENCH_FEMALE = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Sarah",
    "Inès",
    "Julie",
    "Marion",
    "Laura",
    "Émilie",
    "Nathalie",
    "Sandrine",
    "Céline",
    "Audrey",
    "Mélanie",
    "Aurélie",
    "Karine",
    "Élodie",
    "Yasmina",
    "Samira",
    "Lina",
    "Océane",
    "Anaïs",
    "Justine",
    "Coralie",
    "Magali",
    "Fanny",
    "Sabrina",
]
FRENCH_MALE = [
    "Thomas",
    "Nicolas",
    "Maxime",
    "Kévin",
    "Romain",
    "Alexandre",
    "Mathieu",
    "Sébastien",
    "Jérémy",
    "Anthony",
    "Florian",
    "Guillaume",
    "Laurent",
    "Stéphane",
    "Fabrice",
    "Cédric",
    "Karim",
    "Mehdi",
    "Sofiane",
    "Yanis",
    "Rachid",
    "Bilal",
    "Lucas",
    "Hugo",
    "Enzo",
    "Théo",
    "Loïc",
    "Grégory",
]
FRENCH_LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Lefebvre",
    "Moreau",
    "Simon",
    "Michel",
    "Garcia",
    "Martinez",
    "Roux",
    "Blanc",
    "Bonnet",
    "Fontaine",
    "Chevalier",
    "Arnaud",
    "Rey",
    "Fournier",
    "Lopez",
    "Sanchez",
    "Vidal",
    "Roche",
    "Gauthier",
    "Barbier",
    "Brun",
    "Faure",
    "Aubert",
    "Benali",
    "Haddad",
    "Mansouri",
    "Cherif",
    "Belkacem",
    "Orsini",
    "Castellani",
    "Peyrot",
    "Marchetti",
    "Colonna",
    "Agopian",
    "Papazian",
    "Baldacchino",
    "Ricard",
    "Jullien",
]
# (female first names, male first names, last names)
OTHER_EUROPEAN_NAMES = [
    (
        ["Emma", "Hannah", "Olivia", "Sophie"],
        ["James", "Daniel", "Oliver", "Jack"],
        ["Walsh", "Taylor", "Hughes", "Clarke", "Bennett", "Murphy"],
    ),
    (["Giulia", "Francesca", "Chiara"], ["Marco", "Luca", "Matteo"], ["Romano", "Esposito", "Ricci", "Conti"]),
    (["Lucía", "Carmen", "Elena"], ["Javier", "Pablo", "Sergio"], ["Fernández", "Navarro", "Romero", "Ortega"]),
    (["Ana", "Mariana", "Inês"], ["João", "Tiago", "Rui"], ["Pereira", "Ferreira", "Costa", "Oliveira"]),
    (["Anna", "Katrin"], ["Lukas", "Jonas"], ["Schneider", "Becker", "Hoffmann", "Wagner"]),
    (["Agnieszka", "Kasia"], ["Piotr", "Tomasz"], ["Nowak", "Wójcik", "Kaczmarek", "Mazur"]),
]
OTHER_EUROPEAN_SHARE = 0.2

# ---------------------------------------------------------------------------
# Employers: (name, NACE section, size, postcode, what they do, [(job title, job type code)])
# ---------------------------------------------------------------------------
EMPLOYERS = [
    (
        "Boulangerie Au Pain du Panier",
        "C",
        "micro",
        "13002",
        "Boulangerie-pâtisserie de quartier, ouverte 7 jours sur 7, livre aussi deux restaurants du Panier.",
        [("Vendeur en boulangerie", "shop_sales_assistant"), ("Aide-boulanger", "baker")],
    ),
    (
        "Boulangerie Maison Peyrot",
        "C",
        "small",
        "13005",
        "Trois boutiques entre la Plaine et la Blancarde ; fournil central, pâtisserie maison.",
        [("Vendeur en boulangerie", "shop_sales_assistant"), ("Commis pâtissier", "baker")],
    ),
    (
        "Le Fournil de la Plaine",
        "C",
        "micro",
        "13006",
        "Boulangerie bio au levain, clientèle d'habitués, petite équipe soudée.",
        [("Aide-boulanger", "baker"), ("Employé de comptoir", "food_counter_attendant")],
    ),
    (
        "Biscuiterie des Calanques",
        "C",
        "medium",
        "13600",
        "Fabrication de navettes et biscuits provençaux, vente en gros et boutique d'usine.",
        [("Conducteur de ligne de conditionnement", "food_machine_operator"), ("Emballeur", "hand_packer")],
    ),
    (
        "Conserverie Sud Provence",
        "C",
        "medium",
        "13420",
        "Conserves de légumes et sauces pour la grande distribution, travail en équipes.",
        [("Opérateur de production", "food_machine_operator"), ("Ouvrier de production", "manufacturing_labourer")],
    ),
    (
        "Savonnerie Artisanale du Vieux-Port",
        "C",
        "small",
        "13007",
        "Fabrication de savon de Marseille à l'ancienne, atelier ouvert aux visites.",
        [("Ouvrier savonnier", "manufacturing_labourer"), ("Préparateur de commandes", "hand_packer")],
    ),
    (
        "Menuiserie de l'Étoile",
        "C",
        "micro",
        "13013",
        "Menuiserie bois sur mesure : cuisines, placards, escaliers.",
        [("Aide-menuisier", "carpenter")],
    ),
    (
        "Supermarché Prado Frais",
        "G",
        "medium",
        "13008",
        "Supermarché de proximité, rayon frais important, ouvert le dimanche matin.",
        [("Hôte de caisse", "cashier"), ("Employé de mise en rayon", "shelf_filler")],
    ),
    (
        "Proxi Marché Vauban",
        "G",
        "small",
        "13006",
        "Supérette de quartier, livraisons à domicile pour les personnes âgées.",
        [("Employé polyvalent de magasin", "shelf_filler"), ("Hôte de caisse", "cashier")],
    ),
    (
        "Hyper Grand Littoral Distribution",
        "G",
        "large",
        "13015",
        "Hypermarché du centre commercial, plus de 300 salariés, recrute toute l'année.",
        [("Hôte de caisse", "cashier"), ("Employé de mise en rayon", "shelf_filler"), ("Magasinier", "stock_clerk")],
    ),
    (
        "Épicerie fine Les Délices du Vieux-Port",
        "G",
        "micro",
        "13001",
        "Produits provençaux et épices, clientèle touristique l'été.",
        [("Vendeur", "shop_sales_assistant")],
    ),
    (
        "Primeur Les Jardins de Saint-Loup",
        "G",
        "micro",
        "13010",
        "Fruits et légumes de producteurs locaux, ouverture à 7 h.",
        [("Vendeur primeur", "shop_sales_assistant"), ("Employé de mise en rayon", "shelf_filler")],
    ),
    (
        "Librairie La Plume du Cours",
        "G",
        "micro",
        "13006",
        "Librairie indépendante, rayon jeunesse et bande dessinée, rencontres d'auteurs.",
        [("Libraire vendeur", "shop_sales_assistant")],
    ),
    (
        "Librairie des Arcades",
        "G",
        "small",
        "13090",
        "Librairie généraliste du centre d'Aix, papeterie et jeux.",
        [("Vendeur en librairie", "shop_sales_assistant"), ("Réceptionnaire des commandes", "stock_clerk")],
    ),
    (
        "Jardinerie du Garlaban",
        "G",
        "small",
        "13400",
        "Jardinerie et animalerie, forte activité au printemps.",
        [("Vendeur jardinerie", "shop_sales_assistant"), ("Agent d'entretien des plantes", "garden_labourer")],
    ),
    (
        "Bricolage Sud Matériaux",
        "G",
        "medium",
        "13127",
        "Grande surface de bricolage et matériaux, cour de chargement pour les artisans.",
        [("Conseiller de vente", "shop_sales_assistant"), ("Magasinier cariste", "stock_clerk")],
    ),
    (
        "Garage Saint-Barnabé Auto",
        "G",
        "micro",
        "13012",
        "Garage toutes marques : entretien, pneus, petite carrosserie.",
        [("Aide-mécanicien", "vehicle_mechanic"), ("Préparateur de véhicules", "vehicle_cleaner")],
    ),
    (
        "Garage du Rove Automobiles",
        "G",
        "small",
        "13016",
        "Concession de véhicules d'occasion et atelier de réparation.",
        [("Mécanicien", "vehicle_mechanic"), ("Laveur de véhicules", "vehicle_cleaner")],
    ),
    (
        "Centre Auto Martigues Pneus",
        "G",
        "small",
        "13500",
        "Centre de montage de pneus et d'entretien rapide.",
        [("Monteur de pneus", "vehicle_mechanic")],
    ),
    (
        "Lavage Auto Éclat 13",
        "G",
        "micro",
        "13127",
        "Station de lavage manuel et nettoyage intérieur de véhicules.",
        [("Laveur de véhicules", "vehicle_cleaner")],
    ),
    (
        "Hôtel Belle Rade",
        "I",
        "small",
        "13007",
        "Hôtel 3 étoiles de 45 chambres face à l'anse des Catalans.",
        [("Femme ou valet de chambre", "office_cleaner"), ("Réceptionniste de nuit", "receptionist")],
    ),
    (
        "Hôtel Escale Joliette",
        "I",
        "medium",
        "13002",
        "Hôtel d'affaires près des Docks, 120 chambres, petit-déjeuner buffet.",
        [
            ("Agent d'entretien", "office_cleaner"),
            ("Employé de petit-déjeuner", "food_counter_attendant"),
            ("Agent d'accueil", "receptionist"),
        ],
    ),
    (
        "Hôtel Les Calanques Bleues",
        "I",
        "small",
        "13260",
        "Hôtel saisonnier avec piscine, ouvert d'avril à octobre.",
        [("Femme ou valet de chambre", "office_cleaner"), ("Serveur", "waiter")],
    ),
    (
        "Brasserie Le Phocéen",
        "I",
        "small",
        "13001",
        "Brasserie traditionnelle sur la Canebière, service continu.",
        [("Serveur", "waiter"), ("Plongeur", "kitchen_helper")],
    ),
    (
        "Restaurant Chez Mireille",
        "I",
        "micro",
        "13007",
        "Cuisine provençale familiale, 40 couverts, fermé le lundi.",
        [("Commis de cuisine", "kitchen_helper"), ("Cuisinier", "cook")],
    ),
    (
        "Pizzeria La Bonne Mère",
        "I",
        "micro",
        "13006",
        "Pizzas au feu de bois, sur place et à emporter, surtout le soir.",
        [("Pizzaïolo", "cook"), ("Serveur", "waiter")],
    ),
    (
        "Snack Burger Canebière",
        "I",
        "small",
        "13001",
        "Restauration rapide, horaires en coupure, beaucoup de jeunes dans l'équipe.",
        [("Équipier polyvalent", "fast_food_preparer")],
    ),
    (
        "Cafétéria Les Terrasses de la Valentine",
        "I",
        "small",
        "13011",
        "Cafétéria de centre commercial, service du midi surtout.",
        [("Employé de cafétéria", "food_counter_attendant"), ("Plongeur", "kitchen_helper")],
    ),
    (
        "Azur Repas Restauration collective",
        "I",
        "medium",
        "13014",
        "Cuisine centrale : repas pour cantines scolaires et EHPAD, horaires de jour.",
        [("Aide de cuisine", "kitchen_helper"), ("Agent de restauration", "food_counter_attendant")],
    ),
    (
        "Bar-Tabac Le Longchamp",
        "I",
        "micro",
        "13004",
        "Bar-tabac-PMU de quartier, ouvert dès 6 h 30.",
        [("Serveur au comptoir", "bartender")],
    ),
    (
        "Crêperie du Cours Mirabeau",
        "I",
        "micro",
        "13090",
        "Crêperie avec terrasse, forte affluence le week-end.",
        [("Serveur", "waiter"), ("Crêpier", "cook")],
    ),
    (
        "Glacier Le Cabanon",
        "I",
        "micro",
        "13600",
        "Glacier artisanal du port, saison de mai à septembre.",
        [("Vendeur glacier", "food_counter_attendant")],
    ),
    (
        "Logistique Provence Distribution",
        "H",
        "medium",
        "13127",
        "Entrepôt de distribution pour des enseignes de bricolage, deux équipes.",
        [("Préparateur de commandes", "hand_packer"), ("Manutentionnaire", "warehouse_handler")],
    ),
    (
        "Entrepôts du Grand Port",
        "H",
        "large",
        "13015",
        "Plateforme logistique portuaire : réception, stockage et expédition de conteneurs.",
        [("Manutentionnaire", "warehouse_handler"), ("Magasinier", "stock_clerk")],
    ),
    (
        "Messagerie Express 13",
        "H",
        "small",
        "13014",
        "Livraison de colis en ville, tournées le matin.",
        [("Chauffeur-livreur", "delivery_driver"), ("Agent de quai", "warehouse_handler")],
    ),
    (
        "Plateforme Colis Sud",
        "H",
        "medium",
        "13170",
        "Centre de tri de colis, activité forte avant les fêtes.",
        [("Agent de tri", "mail_sorter"), ("Emballeur", "hand_packer")],
    ),
    (
        "Transports Durance Frais",
        "H",
        "small",
        "13420",
        "Transport frigorifique régional pour les producteurs.",
        [("Chauffeur-livreur", "delivery_driver")],
    ),
    (
        "Vélo Coursiers Marseille",
        "H",
        "micro",
        "13005",
        "Coopérative de coursiers à vélo cargo, livraisons de commerces du centre.",
        [("Coursier à vélo", "courier")],
    ),
    (
        "Espaces Verts du Garlaban",
        "N",
        "small",
        "13400",
        "Entretien de parcs et de jardins de copropriétés, débroussaillage.",
        [("Ouvrier paysagiste", "garden_labourer"), ("Jardinier", "gardener")],
    ),
    (
        "Jardins et Paysages de l'Huveaune",
        "N",
        "small",
        "13011",
        "Création et entretien de jardins pour particuliers et collectivités.",
        [("Jardinier", "gardener"), ("Ouvrier des espaces verts", "garden_labourer")],
    ),
    (
        "Net'Azur Propreté",
        "N",
        "medium",
        "13010",
        "Nettoyage de bureaux et de parties communes, interventions tôt le matin ou en soirée.",
        [("Agent d'entretien", "office_cleaner")],
    ),
    (
        "Clean Services Méditerranée",
        "N",
        "medium",
        "13003",
        "Nettoyage industriel et de locaux commerciaux.",
        [("Agent de propreté", "office_cleaner"), ("Laveur de véhicules", "vehicle_cleaner")],
    ),
    (
        "Azur Contact Services",
        "N",
        "large",
        "13002",
        "Centre de relation client pour des fournisseurs d'énergie, plateau à Euroméditerranée.",
        [("Téléconseiller", "contact_centre_agent")],
    ),
    (
        "Provence Relation Client",
        "N",
        "medium",
        "13090",
        "Service client et saisie de dossiers pour des mutuelles.",
        [("Téléconseiller", "contact_centre_agent"), ("Opérateur de saisie", "data_entry_clerk")],
    ),
    (
        "Sécurité Massilia Gardiennage",
        "N",
        "medium",
        "13003",
        "Gardiennage de chantiers et de magasins, accueil en entreprise.",
        [("Agent de sécurité", "security_guard"), ("Agent d'accueil", "receptionist")],
    ),
    (
        "Entreprise adaptée Horizon Services",
        "N",
        "small",
        "13014",
        "Entreprise adaptée : entretien d'espaces verts et de locaux, postes réservés aux travailleurs handicapés.",
        [("Agent d'entretien", "office_cleaner"), ("Ouvrier des espaces verts", "garden_labourer")],
    ),
    (
        "Collecte et Recyclage Phocéen",
        "E",
        "medium",
        "13014",
        "Collecte sélective et centre de tri des déchets recyclables.",
        [("Agent de tri", "hand_packer"), ("Agent de propreté urbaine", "street_sweeper")],
    ),
    (
        "EHPAD Les Oliviers",
        "Q",
        "medium",
        "13012",
        "Maison de retraite médicalisée de 90 lits, équipe stable.",
        [
            ("Aide-soignant", "care_assistant"),
            ("Agent de service hospitalier", "office_cleaner"),
            ("Aide de cuisine", "kitchen_helper"),
        ],
    ),
    (
        "EHPAD Résidence des Collines",
        "Q",
        "medium",
        "13190",
        "EHPAD avec unité protégée, jardin thérapeutique.",
        [("Aide-soignant", "care_assistant"), ("Agent de service", "office_cleaner")],
    ),
    (
        "Aide à Domicile Marseille Est",
        "Q",
        "small",
        "13011",
        "Service d'aide à domicile pour personnes âgées, interventions dans les 11e et 12e.",
        [("Aide à domicile", "home_care_worker")],
    ),
    (
        "Crèche Les Petits Goélands",
        "Q",
        "small",
        "13007",
        "Crèche associative de 30 berceaux.",
        [("Auxiliaire de crèche", "child_care_worker"), ("Agent d'entretien", "office_cleaner")],
    ),
    (
        "Clinique Vétérinaire du Roucas",
        "M",
        "micro",
        "13007",
        "Cabinet vétérinaire pour chiens et chats, accueil et soins.",
        [("Auxiliaire vétérinaire", "animal_care_worker"), ("Agent d'accueil", "receptionist")],
    ),
    (
        "Cabinet Comptable Rostand & Associés",
        "M",
        "small",
        "13006",
        "Expertise comptable pour artisans et commerçants.",
        [("Aide-comptable", "bookkeeping_clerk"), ("Agent d'accueil", "receptionist")],
    ),
    (
        "Atelier Numérique Joliette",
        "J",
        "small",
        "13002",
        "Agence web : sites pour associations et commerces, maintenance informatique.",
        [
            ("Technicien support", "it_support_technician"),
            ("Développeur web", "software_developer"),
            ("Graphiste", "graphic_designer"),
        ],
    ),
    (
        "Agence Immobilière du Prado",
        "L",
        "micro",
        "13008",
        "Location et gestion de biens, accueil du public en agence.",
        [("Assistant administratif", "general_office_clerk"), ("Agent d'accueil", "receptionist")],
    ),
    (
        "Syndic Phocéen Gestion",
        "L",
        "small",
        "13004",
        "Gestion de copropriétés dans l'est de Marseille.",
        [("Gardien d'immeuble", "building_caretaker"), ("Employé administratif", "general_office_clerk")],
    ),
    (
        "Mutuelle Entraide Sud",
        "K",
        "medium",
        "13001",
        "Mutuelle santé régionale, agence d'accueil et service de gestion.",
        [("Gestionnaire de saisie", "data_entry_clerk"), ("Chargé d'accueil", "receptionist")],
    ),
    (
        "Bâtiment Provence Rénovation",
        "F",
        "small",
        "13013",
        "Rénovation d'appartements : plâtrerie, peinture, carrelage.",
        [("Manœuvre du bâtiment", "construction_labourer"), ("Aide-menuisier", "carpenter")],
    ),
    (
        "Plomberie Électricité Bonneveine",
        "F",
        "micro",
        "13008",
        "Dépannage plomberie et électricité chez les particuliers.",
        [("Aide-plombier", "plumber"), ("Aide-électricien", "electrician")],
    ),
    (
        "Cinéma L'Étoile du Cours",
        "R",
        "small",
        "13006",
        "Cinéma art et essai de quatre salles, café associé.",
        [("Agent d'accueil et de caisse", "receptionist"), ("Employé de comptoir", "food_counter_attendant")],
    ),
    (
        "Salle d'escalade Le Bloc Phocéen",
        "R",
        "small",
        "13010",
        "Salle de bloc ouverte tard le soir, cours pour enfants et adultes.",
        [("Animateur sportif", "fitness_instructor"), ("Agent d'accueil", "receptionist")],
    ),
    (
        "Bibliothèque associative Lire au Panier",
        "R",
        "micro",
        "13002",
        "Bibliothèque de quartier, ateliers lecture et aide aux devoirs.",
        [("Assistant de bibliothèque", "library_assistant")],
    ),
    (
        "Toilettage Chic Canin",
        "S",
        "micro",
        "13008",
        "Salon de toilettage pour chiens et chats.",
        [("Aide-toiletteur", "animal_care_worker")],
    ),
    (
        "Réparation Mobile Express",
        "S",
        "micro",
        "13001",
        "Réparation de téléphones et d'ordinateurs, vente de reconditionné.",
        [("Technicien réparateur", "it_support_technician"), ("Vendeur", "shop_sales_assistant")],
    ),
]
SHELTERED_EMPLOYER = "Entreprise adaptée Horizon Services"  # its jobs are not competitive (reserved posts)
SECOND_SITE_SHARE = 0.3
SITE_WITHOUT_COORDINATES_SHARE = 0.15
# (masculine, feminine) role titles
HIRING_ROLES_MICRO = [("Gérant", "Gérante"), ("Patron", "Patronne"), ("Co-gérant", "Co-gérante")]
HIRING_ROLES_LARGER = [
    ("Responsable des ressources humaines", "Responsable des ressources humaines"),
    ("Directeur d'exploitation", "Directrice d'exploitation"),
    ("Responsable de site", "Responsable de site"),
    ("Chargé de recrutement", "Chargée de recrutement"),
    ("Directeur", "Directrice"),
]
OTHER_ROLES = [
    ("Chef d'équipe", "Cheffe d'équipe"),
    ("Assistant de direction", "Assistante de direction"),
    ("Adjoint au responsable", "Adjointe au responsable"),
    ("Chef de rayon", "Cheffe de rayon"),
]
CONTACT_CHANNELS = [
    (ContactPerson.Channel.IN_PERSON, 40),
    (ContactPerson.Channel.PHONE, 35),
    (ContactPerson.Channel.EMAIL, 20),
    (ContactPerson.Channel.VIDEO, 5),
]

# ---------------------------------------------------------------------------
# Job seekers: profiles and preferences
# ---------------------------------------------------------------------------
REFERRAL_SOURCES = [
    (JobSeeker.ReferralSource.MENTAL_HEALTH_TEAM, 45),
    (JobSeeker.ReferralSource.SELF, 15),
    (JobSeeker.ReferralSource.FAMILY, 8),
    (JobSeeker.ReferralSource.SOCIAL_SERVICES, 12),
    (JobSeeker.ReferralSource.EMPLOYMENT_SERVICE, 14),
    (JobSeeker.ReferralSource.OTHER, 6),
]
BENEFITS = [(JobSeeker.Benefits.YES, 55), (JobSeeker.Benefits.NO, 25), (JobSeeker.Benefits.UNKNOWN, 20)]
DISCLOSURE = [
    (JobSeeker.Disclosure.UNDECIDED, 25),
    (JobSeeker.Disclosure.NONE, 25),
    (JobSeeker.Disclosure.PARTIAL, 30),
    (JobSeeker.Disclosure.FULL, 20),
]

# Each job seeker draws one archetype, so the goal, history and preferences agree.
ARCHETYPES = [
    {
        "job_types": ["shop_sales_assistant", "cashier", "shelf_filler"],
        "industries": ["G"],
        "goals": [
            "Travailler en magasin, au contact des clients, à temps partiel pour commencer.",
            "Retrouver un poste en supérette ou en supermarché près de chez moi.",
        ],
        "history": [
            "Trois ans en caisse dans un supermarché de quartier (2015-2018), arrêt pour raisons de santé.",
            "Vendeur saisonnier dans une boutique de souvenirs du Vieux-Port, étés 2019 et 2021.",
            "Mise en rayon en intérim chez plusieurs enseignes, missions de quelques semaines.",
        ],
        "education": ["CAP Employé de vente spécialisé.", "Bac pro Commerce, non obtenu.", "Brevet des collèges."],
        "skills": ["Encaissement, rendu de monnaie, accueil des clients.", "Mise en rayon, étiquetage, inventaire."],
    },
    {
        "job_types": ["kitchen_helper", "cook", "waiter", "fast_food_preparer"],
        "industries": ["I"],
        "goals": [
            "Travailler en cuisine, de préférence le midi, dans une petite équipe.",
            "Reprendre le service en salle dans une brasserie.",
        ],
        "history": [
            "Commis de cuisine dans une brasserie du cours Julien pendant deux ans.",
            "Plonge et préparation froide en restauration collective (CDD de 8 mois).",
            "Serveur en saison à Cassis, trois étés.",
        ],
        "education": [
            "CAP Cuisine (2012).",
            "CAP Commercialisation et services en HCR.",
            "Formation hygiène alimentaire HACCP (2 jours).",
        ],
        "skills": [
            "Préparations froides, plonge, respect des règles d'hygiène.",
            "Service en salle, prise de commande, encaissement.",
        ],
    },
    {
        "job_types": ["baker", "shop_sales_assistant", "food_counter_attendant"],
        "industries": ["C", "G"],
        "goals": [
            "Travailler dans une boulangerie, en fabrication ou en vente.",
            "Apprendre le métier de boulanger auprès d'un artisan.",
        ],
        "history": [
            "Vente en boulangerie le week-end pendant mes études.",
            "Apprentissage en pâtisserie interrompu en 2017.",
        ],
        "education": ["CAP Boulanger, première année.", "Bac général (2014)."],
        "skills": ["Façonnage simple, cuisson, vente au comptoir.", "Se lever tôt, travail soigné."],
    },
    {
        "job_types": ["warehouse_handler", "hand_packer", "stock_clerk", "delivery_driver"],
        "industries": ["H"],
        "goals": [
            "Un poste en entrepôt, au calme, avec des horaires de jour.",
            "Devenir chauffeur-livreur, j'aime conduire et être autonome.",
        ],
        "history": [
            "Préparateur de commandes en intérim à Vitrolles, missions de 2019 à 2021.",
            "Manutentionnaire sur le port, CDD d'un an.",
            "Livreur de repas à scooter, auto-entrepreneur pendant six mois.",
        ],
        "education": ["CACES 1, 3 et 5 (à renouveler).", "Permis B.", "CAP Opérateur logistique."],
        "skills": ["Préparation de commandes, lecture de bons, scanner.", "Conduite de chariot élévateur."],
    },
    {
        "job_types": ["gardener", "garden_labourer", "street_sweeper"],
        "industries": ["N", "A"],
        "goals": ["Travailler dehors, dans les espaces verts.", "Un emploi de jardinier dans une petite équipe."],
        "history": [
            "Chantier d'insertion en espaces verts (2020-2021).",
            "Aide au jardin chez des particuliers, non déclaré, plusieurs années.",
            "Ouvrier agricole saisonnier (vendanges, cueillette) dans le Var.",
        ],
        "education": ["CAPa Jardinier paysagiste, non terminé.", "Certificat phytosanitaire (Certiphyto)."],
        "skills": ["Taille, tonte, débroussaillage, arrosage.", "Connaissance des plantes méditerranéennes."],
    },
    {
        "job_types": ["office_cleaner", "vehicle_cleaner", "building_caretaker"],
        "industries": ["N"],
        "goals": [
            "Un poste d'agent d'entretien tôt le matin pour garder mes après-midis.",
            "Gardien d'immeuble ou agent technique dans une résidence.",
        ],
        "history": [
            "Agent d'entretien dans une société de nettoyage, 4 ans à temps partiel.",
            "Femme ou valet de chambre dans un hôtel de la Joliette.",
            "Entretien des parties communes pour un bailleur social.",
        ],
        "education": ["Aucun diplôme, formation aux produits d'entretien en entreprise.", "CAP Agent de propreté."],
        "skills": ["Utilisation d'une autolaveuse, respect des protocoles.", "Petits travaux de réparation."],
    },
    {
        "job_types": ["care_assistant", "home_care_worker", "child_care_worker"],
        "industries": ["Q"],
        "goals": [
            "Travailler auprès des personnes âgées, en EHPAD ou à domicile.",
            "Reprendre un emploi en crèche, à temps partiel.",
        ],
        "history": [
            "Aide à domicile pour une association, 3 ans.",
            "Agent de service hospitalier en remplacement à la Timone.",
            "Garde d'enfants à domicile pour deux familles.",
        ],
        "education": [
            "DEAES (diplôme d'accompagnant éducatif et social).",
            "CAP Accompagnant éducatif petite enfance.",
            "Bac pro ASSP.",
        ],
        "skills": ["Aide au repas et à la toilette, écoute.", "Patience, sens des responsabilités."],
    },
    {
        "job_types": ["general_office_clerk", "data_entry_clerk", "receptionist", "bookkeeping_clerk"],
        "industries": ["M", "N", "L"],
        "goals": [
            "Un emploi de bureau à mi-temps, au calme.",
            "Travailler à l'accueil d'une entreprise ou d'un cabinet.",
        ],
        "history": [
            "Secrétaire dans un cabinet d'assurance (2010-2016).",
            "Saisie de factures en intérim pour un grossiste.",
            "Agent d'accueil en mairie de secteur, contrat aidé de 2 ans.",
        ],
        "education": ["BTS Assistant de gestion PME-PMI.", "Bac STMG.", "Titre professionnel Secrétaire assistant."],
        "skills": ["Word, Excel, classement, standard téléphonique.", "Saisie rapide, rigueur."],
    },
    {
        "job_types": ["it_support_technician", "software_developer", "graphic_designer"],
        "industries": ["J"],
        "goals": [
            "Travailler dans l'informatique, en support ou en développement web.",
            "Un poste de graphiste, même à temps partiel.",
        ],
        "history": [
            "Développeur PHP dans une agence web pendant 3 ans, arrêt en 2020.",
            "Technicien de maintenance informatique en alternance.",
            "Projets personnels : sites pour des associations du quartier.",
        ],
        "education": ["BTS SIO.", "Licence informatique (deux années validées).", "Formation Adobe en ligne."],
        "skills": ["Python, HTML/CSS, dépannage de postes Windows.", "Illustrator, Photoshop, mise en page."],
    },
    {
        "job_types": ["vehicle_mechanic", "vehicle_cleaner"],
        "industries": ["G"],
        "goals": ["Retravailler dans un garage, même comme aide-mécanicien.", "Un poste de préparateur de véhicules."],
        "history": ["Mécanicien dans un garage de quartier, 5 ans.", "Montage de pneus en centre auto (CDD)."],
        "education": ["CAP Maintenance des véhicules.", "Permis B."],
        "skills": ["Vidange, freins, pneus, diagnostic simple.", "Soin du détail, nettoyage intérieur."],
    },
    {
        "job_types": ["construction_labourer", "carpenter", "electrician", "plumber"],
        "industries": ["F"],
        "goals": [
            "Travailler dans le bâtiment, en rénovation plutôt qu'en gros œuvre.",
            "Aide-menuisier dans un petit atelier.",
        ],
        "history": [
            "Manœuvre sur des chantiers de rénovation avec un oncle.",
            "Électricien en intérim (2016-2019).",
            "Menuiserie en chantier d'insertion.",
        ],
        "education": ["CAP Menuisier fabricant.", "Habilitation électrique B0 (à renouveler)."],
        "skills": ["Peinture, plâtrerie, petite menuiserie.", "Lecture de plans simples."],
    },
    {
        "job_types": ["contact_centre_agent", "receptionist"],
        "industries": ["N"],
        "goals": [
            "Un emploi au téléphone ou à l'accueil, je suis à l'aise à l'oral.",
            "Téléconseiller, en journée uniquement.",
        ],
        "history": [
            "Téléconseiller dans un centre d'appels pour un opérateur télécom, 18 mois.",
            "Hôte d'accueil en événementiel, missions ponctuelles.",
        ],
        "education": ["Bac pro Accueil relation clients.", "Bac ES, première année de BTS NDRC."],
        "skills": ["Écoute, reformulation, outils de gestion client.", "Bonne expression orale."],
    },
    {
        "job_types": ["library_assistant", "animal_care_worker", "fitness_instructor"],
        "industries": ["R", "S"],
        "goals": [
            "Travailler avec les animaux.",
            "Un poste en bibliothèque ou en médiathèque.",
            "Animer des activités sportives pour des enfants.",
        ],
        "history": [
            "Bénévole à la SPA de Marseille depuis deux ans.",
            "Service civique en médiathèque (8 mois).",
            "Animateur en centre aéré, étés 2018 à 2020.",
        ],
        "education": ["BAFA.", "Licence de lettres modernes.", "Certificat de toiletteur (en cours)."],
        "skills": ["Soins aux animaux, manipulation calme.", "Classement, accueil du public, animation."],
    },
    {
        "job_types": ["manufacturing_labourer", "food_machine_operator", "hand_packer"],
        "industries": ["C"],
        "goals": [
            "Travailler en production, sur une ligne, avec des consignes claires.",
            "Un poste en atelier, en horaires de journée.",
        ],
        "history": [
            "Opérateur de conditionnement en agroalimentaire à Gémenos, intérim.",
            "Ouvrier dans une savonnerie, 2 ans.",
        ],
        "education": ["CAP Conducteur d'installations de production.", "Aucun diplôme."],
        "skills": ["Respect des cadences et des consignes d'hygiène.", "Contrôle qualité visuel."],
    },
]
STRENGTHS = [
    "Ponctuel et fiable.",
    "Très bon contact avec les gens.",
    "Travailleur, ne compte pas ses efforts.",
    "Calme, patient.",
    "Curieux, apprend vite.",
    "Bon esprit d'équipe.",
    "Minutieux, soigne les détails.",
    "Sens de l'humour.",
    "Parle couramment arabe et français.",
    "Parle anglais et italien.",
    "Connaît très bien les quartiers nord.",
    "Sportif, endurant.",
    "Organisé.",
]
INTERESTS = [
    "Football (supporter de l'OM), marche dans les calanques.",
    "Cuisine, jardinage sur son balcon.",
    "Musique, joue de la guitare.",
    "Dessin et bande dessinée.",
    "Pêche au Frioul.",
    "Jeux vidéo, informatique.",
    "Lecture, cinéma.",
    "Randonnée, photographie.",
    "Bricolage, vélo.",
]
COPING_STRATEGIES = [
    "Marcher avant une journée chargée ; prévenir quand la fatigue monte.",
    "Écrire ses horaires et tâches sur un carnet.",
    "Faire des pauses courtes au calme ; appeler sa sœur en cas de stress.",
    "Garder un rythme de sommeil régulier ; éviter les horaires de nuit.",
    "En parler au conseiller ou à l'infirmier du CMP dès que ça ne va pas.",
    "Musique au casque dans les transports.",
]
NETWORKING_CONTACTS = [
    "Un cousin travaille dans la logistique à Vitrolles.",
    "L'ancienne patronne de la boulangerie, bonnes relations.",
    "Un voisin gérant de supérette.",
    "Le club de foot du quartier (entraîneur bénévole).",
    "Anciens collègues du centre d'appels.",
    "L'association de quartier où elle est bénévole.",
    "",
]
THINGS_TO_AVOID = [
    "Éviter les environnements très bruyants.",
    "Pas de port de charges lourdes (dos fragile).",
    "Préfère éviter les longs trajets en voiture.",
    "Éviter de travailler seul en fermeture.",
    "Pas de vente par téléphone.",
    "Éviter les horaires en coupure.",
]
# Job types people most often say they do not want.
OFTEN_AVOIDED_JOB_TYPES = [
    "security_guard",
    "contact_centre_agent",
    "street_sweeper",
    "delivery_driver",
    "bartender",
    "care_assistant",
    "construction_labourer",
    "fast_food_preparer",
    "office_cleaner",
]
DAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SHIFT_PATTERNS = [
    ["morning"],
    ["morning", "afternoon"],
    ["afternoon"],
    ["afternoon", "evening"],
    ["morning", "afternoon", "evening"],
    ["morning"],
    ["morning", "afternoon"],
    ["evening", "night"],
]
MIN_HOURS_CHOICES = [8, 10, 12, 15, 15, 18, 20, 20, 24, 28]
TRAVEL_MINUTES_CHOICES = [20, 30, 30, 40, 45, 45, 60]
MIN_HOURLY_PAY_CHOICES = ["11.88", "11.88", "11.88", "12.00", "12.50", "13.00", "13.50", "14.00"]
PLACES_TEMPLATES = [
    "{town} et alentours",
    "Près de chez moi ({town}), à pied ou en bus",
    "Accessible en métro ou en tramway",
    "Marseille centre et {town}",
    "Pas plus d'un changement de bus depuis {town}",
]

# ---------------------------------------------------------------------------
# Placement stories: what has happened to each job seeker with a job so far
# ---------------------------------------------------------------------------
# (story, minimum days since enrolment it needs). The remaining job seekers are searching.
STORIES = [
    ("ended_closed", 210),
    ("follow_along", 185),
    ("follow_along", 185),
    ("follow_along", 185),
    ("ended_searching", 180),
    ("ended_searching", 180),
    ("sheltered_then_searching", 180),  # left a reserved (non-competitive) job to look for an ordinary one
    ("better_job", 165),
    ("working", 60),
    ("working", 60),
    ("working", 60),
    ("working", 60),
    ("left_without_job", 60),
    ("left_without_job", 60),
    ("offer_accepted", 25),
    ("offer_accepted", 25),
    ("offer_accepted", 25),
]
FOLLOW_ALONG_AFTER_DAYS = 120  # an active worker moves to follow-along after about four months
END_REASONS_BACK_TO_SEARCH = [
    Placement.EndReason.TEMPORARY_ENDED,
    Placement.EndReason.FIRED,
    Placement.EndReason.LAID_OFF,
    Placement.EndReason.QUIT_HEALTH,
    Placement.EndReason.QUIT_OTHER,
]
HOURS_CHOICES = ["10", "12", "15", "17.5", "20", "20", "24", "25", "28", "30", "35"]
CLOSING_NOTES = [
    "Déménagement hors du département.",
    "Souhaite mettre sa recherche d'emploi en pause.",
    "Entrée en formation qualifiante (hors dispositif).",
    "Ne souhaite plus d'accompagnement pour le moment.",
]
COMPLETION_MODES = [
    (SupportTask.Mode.IN_PERSON, 65),
    (SupportTask.Mode.PHONE, 20),
    (SupportTask.Mode.VIDEO, 5),
    (SupportTask.Mode.MESSAGE, 10),
]
FOLLOW_ALONG_NOTES = [
    "Bonne intégration dans l'équipe, souhaite garder ses horaires.",
    "Un peu de fatigue en fin de semaine ; on en reparle la semaine prochaine.",
    "Rencontre avec la responsable : retours positifs, ponctualité appréciée.",
    "Questions sur la fiche de paie, vues ensemble.",
    "Souhaite augmenter ses heures dans quelques mois.",
    "Stress lié à un nouveau collègue, stratégies revues ensemble.",
    "Tout va bien, rencontre au café près du travail.",
    "A demandé un aménagement de planning, accepté par l'employeur.",
]
JOB_END_NOTES = [
    "Vu le lendemain de la fin du contrat ; veut reprendre la recherche rapidement.",
    "Rencontre au CMP avec l'infirmière ; déçu mais motivé pour un autre poste.",
    "Point sur ce qui a marché et ce qui a manqué ; préfère des horaires de jour.",
]
BETTER_JOB_END_NOTE = "Point sur le départ : content du nouveau poste, on garde le même rythme de suivi."
MILESTONE_HOUR = time(9, 0)  # the scheduler's morning run, in the program's time zone
# What the handler of a reached milestone plans: (kind, title, days after the milestone, mode).
MILESTONE_TASKS = {
    Milestone.DAY_30: (
        SupportTask.Kind.ACCOMMODATION,
        "Faire le point sur les aménagements après le premier mois",
        7,
        SupportTask.Mode.IN_PERSON,
    ),
    Milestone.DAY_90: (
        SupportTask.Kind.RETENTION_CHECK,
        "Toujours en poste à 13 semaines ?",
        7,
        SupportTask.Mode.PHONE,
    ),
    Milestone.DAY_365: (
        SupportTask.Kind.STEP_DOWN_REVIEW,
        "Un an dans le poste : faire le point sur le suivi et un éventuel relais",
        14,
        SupportTask.Mode.IN_PERSON,
    ),
}
MILESTONE_TASK_NOTES = {
    Milestone.DAY_30: "Pas d'autre aménagement nécessaire pour l'instant.",
    Milestone.DAY_90: "Toujours en poste, content de son travail.",
    Milestone.DAY_365: "Souhaite garder un point mensuel pour l'instant.",
}
MISSED_CONTACT_SHARE = 0.3  # a recent contact still open: a missed meeting to catch up on
MONTHLY_REASON_NOTE = "Tout se passe bien ; préfère une rencontre par mois plutôt que chaque semaine."
PAUSE_REASON = "Arrêt maladie de trois semaines ; reprise des rencontres à son retour."
PRE_START_NOTES = [
    "Trajet repéré ensemble, horaires et tenue du premier jour vus.",
    "Rencontre au café près du travail : un peu de stress, plan pour la première semaine.",
    "Documents d'embauche relus ensemble (contrat, mutuelle, RIB).",
]
ADJUSTMENT_TALK_NOTES = [
    "Pas de besoin particulier pour l'instant ; on en reparle après le premier mois.",
    "Besoin évoqué sur les horaires du lundi matin (rendez-vous au CMP).",
    "Préfère attendre de connaître l'équipe avant d'en parler.",
]
BENEFITS_NOTES = {
    BenefitsStep.Status.OFFERED: "Proposé à l'acceptation de l'offre ; rendez-vous à caler avant la prise de poste.",
    BenefitsStep.Status.REFERRED: "Orientation vers l'assistante sociale du CMP : simulation AAH et prime d'activité.",
    BenefitsStep.Status.SESSION_HELD: "Rendez-vous fait ; simulation à refaire avec les premiers bulletins de salaire.",
    BenefitsStep.Status.PLAN_IN_PLACE: "Simulation faite : AAH en partie maintenue, prime d'activité à demander.",
}
BENEFITS_REFERRAL_NOTE = "Rendez-vous pris avec l'assistante sociale du CMP."
BENEFITS_SESSION_NOTE = "Le rendez-vous a eu lieu ; prochain point avec le premier bulletin de salaire."
# (description, final status, note). Statuses from "requested" on need the worker's consent.
ACCOMMODATIONS = [
    (
        "Commencer à 10 h le lundi",
        Accommodation.Status.IN_PLACE,
        "Rendez-vous au CMP le lundi matin ; accepté par la responsable.",
    ),
    (
        "Poste de travail au calme",
        Accommodation.Status.AGREED,
        "Un poste à l'écart du passage, prévu au retour des congés.",
    ),
    (
        "Consignes écrites pour les nouvelles tâches",
        Accommodation.Status.REVIEWED,
        "Une fiche par tâche ; fonctionne bien.",
    ),
    ("Une pause de dix minutes en milieu de service", Accommodation.Status.REQUESTED, ""),
    (
        "Planning connu deux semaines à l'avance",
        Accommodation.Status.DISCUSSED,
        "Réfléchit encore à en parler à l'employeur.",
    ),
    ("Éviter la caisse les jours d'affluence", Accommodation.Status.DROPPED, "Préfère ne pas en parler à l'employeur."),
]
UPCOMING_ACCOMMODATION = ("Commencer à 10 h le lundi", "Rendez-vous au CMP le lundi matin.")
# What the accommodation handler plans when an adjustment reaches a status: (title, days).
ACCOMMODATION_FOLLOW_UPS = {
    Accommodation.Status.IDENTIFIED: ("Discuter de l'aménagement « {what} » avec {name}", 7),
    Accommodation.Status.REQUESTED: ("Vérifier la réponse de l'employeur sur « {what} »", 7),
    Accommodation.Status.IN_PLACE: ("Vérifier avec {name} que « {what} » fonctionne", 30),
}
ACCOMMODATION_DONE_NOTES = {
    Accommodation.Status.IDENTIFIED: "Vu ensemble ; d'accord pour en parler à l'employeur.",
    Accommodation.Status.REQUESTED: "L'employeur est d'accord.",
    Accommodation.Status.IN_PLACE: "Fonctionne bien, rien à changer.",
}
DISCLOSURE_NEXT_TIME = {
    JobSeeker.Disclosure.UNDECIDED: "À rediscuter avant le prochain entretien.",
    JobSeeker.Disclosure.NONE: "Ne pas parler de sa santé à l'employeur.",
    JobSeeker.Disclosure.PARTIAL: "Parler de ses besoins d'organisation, sans le diagnostic.",
    JobSeeker.Disclosure.FULL: "D'accord pour que la conseillère présente l'accompagnement à l'employeur.",
}
# The job-end report, by end reason.
JOB_END_REPORTS = {
    Placement.EndReason.TEMPORARY_ENDED: {
        "worker_perspective": "Content d'avoir tenu jusqu'au bout du contrat ; une expérience récente à valoriser.",
        "staff_perspective": "Début fatigant puis bon rythme ; les rencontres hebdomadaires du premier mois ont aidé.",
        "employer_perspective": "Satisfait du travail ; propose de le rappeler pour la prochaine saison.",
        "supports_given": "Suivi hebdomadaire puis mensuel, aide aux trajets, point avec le responsable à mi-contrat.",
        "what_worked": "Horaires du matin, tâches bien expliquées, un collègue référent.",
        "next_steps": "Reprendre la recherche dès la semaine prochaine ; recontacter deux employeurs du secteur.",
    },
    Placement.EndReason.FIRED: {
        "worker_perspective": "Trouve la décision injuste ; mal à l'aise avec les changements de planning tardifs.",
        "staff_perspective": "Retards répétés les lundis ; le sujet aurait dû être abordé plus tôt avec l'employeur.",
        "employer_perspective": "Bon contact avec les clients, mais trop d'absences pour confirmer la période d'essai.",
        "supports_given": "Rencontres hebdomadaires, réveil programmé et trajets revus ensemble.",
        "what_worked": "Le contact avec les clients ; les jours où le planning était connu à l'avance.",
        "next_steps": "Chercher un poste aux horaires fixes ; préparer ce qui sera dit de ce poste en entretien.",
    },
    Placement.EndReason.LAID_OFF: {
        "worker_perspective": "Déçu : le poste lui plaisait ; rassuré de savoir que ce n'était pas lié à son travail.",
        "staff_perspective": "Bonne intégration ; fin due à la baisse d'activité de l'entreprise.",
        "employer_perspective": "Regrette de devoir se séparer d'un salarié fiable ; prêt à donner une référence.",
        "supports_given": "Suivi hebdomadaire puis mensuel, aide pour les démarches France Travail après la fin.",
        "what_worked": "L'équipe, les horaires de journée, la proximité du domicile.",
        "next_steps": "Demander une lettre de recommandation ; cibler des entreprises du même secteur.",
    },
    Placement.EndReason.QUIT_HEALTH: {
        "worker_perspective": "Trop fatigant avec le traitement actuel ; veut retravailler plus tard, moins d'heures.",
        "staff_perspective": "Fatigue dès la troisième semaine ; lien pris avec le psychiatre, avec son accord.",
        "employer_perspective": "Compréhensif ; la porte reste ouverte.",
        "supports_given": "Rencontres rapprochées, lien avec l'équipe de soins, adaptation des horaires demandée.",
        "what_worked": "La relation avec la responsable, les tâches en autonomie.",
        "next_steps": "Faire le point avec l'équipe de soins ; viser un poste de 15 h par semaine.",
    },
    Placement.EndReason.QUIT_OTHER: {
        "worker_perspective": "Ne se sentait pas à sa place ; veut un emploi en milieu ordinaire.",
        "staff_perspective": "A pris confiance dans ce poste ; prêt pour un emploi en milieu ordinaire.",
        "employer_perspective": "Regrette son départ ; le décrit comme ponctuel et soigneux.",
        "supports_given": "Suivi mensuel, préparation du CV et des entretiens pendant le contrat.",
        "what_worked": "Les consignes claires et le travail en petite équipe.",
        "next_steps": "Recherche intensive en milieu ordinaire ; trois employeurs à rencontrer ce mois-ci.",
    },
    Placement.EndReason.QUIT_BETTER_JOB: {
        "worker_perspective": "Parti pour un poste avec plus d'heures, plus près de chez lui.",
        "staff_perspective": "Le premier poste a servi de tremplin ; démission préparée proprement, préavis respecté.",
        "employer_perspective": "Content pour lui ; aurait aimé le garder.",
        "supports_given": "Suivi hebdomadaire puis mensuel, aide pour la lettre de démission.",
        "what_worked": "Expérience récente et bonnes références pour convaincre le nouvel employeur.",
        "next_steps": "Continuer le suivi dans le nouveau poste.",
    },
}


# ---------------------------------------------------------------------------
# Job development: employer contacts, job openings, rapid-job-search nudges
# ---------------------------------------------------------------------------
CONTACT_WEEKS = 16  # weeks of employer contacts before the current one
# Face-to-face contacts on behalf of job seekers, drawn for each week (IPS target: 6 a week).
WEEKLY_VISITS = {
    "specialist1": [5, 5, 6, 6, 7, 7],
    "specialist2": [4, 5, 5, 6, 6],
    "specialist3": [3, 3, 4, 4, 5],
}
UPCOMING_VISITS = {"specialist1": 5, "specialist2": 4, "specialist3": 3}  # planned for next week
RELATIONSHIP_VISITS = [(0, 40), (1, 45), (2, 15)]  # a specialist's relationship-building visits a week
LEADER_RELATIONSHIP_VISITS = [(1, 60), (2, 40)]
CALL_MODES = [
    (EmployerContact.Mode.PHONE, 55),
    (EmployerContact.Mode.EMAIL, 35),
    (EmployerContact.Mode.VIDEO, 10),
]
JOB_SEEKER_MADE_CONTACT_SHARE = 0.12  # face-to-face contacts the job seeker made, prepared with the specialist
SECOND_JOB_SEEKER_SHARE = 0.3  # a visit on behalf of two job seekers
NEVER_CONTACTED_EMPLOYERS = 8
# Days in job search of the few with no face-to-face employer contact yet: past the
# day-14 nudge, past the day-21 nudge, past the IPS 30-day mark.
WAITING_BANDS = [(15, 19), (22, 28), (31, 38)]
NUDGE_HOUR = time(7, 30)  # the scheduler's daily rapid-search run
VISIT_STARTS = [
    time(9, 0),
    time(9, 30),
    time(10, 45),
    time(11, 0),
    time(14, 0),
    time(14, 30),
    time(15, 45),
    time(16, 0),
]
CALL_STARTS = [time(8, 45), time(12, 15), time(13, 30), time(17, 15), time(17, 30)]
VISIT_MINUTES = [30, 45, 45, 60, 60]
LOGGED_CALL_MINUTES = 15  # what the quick log records (jobdev.services.employer_contact_log)
JOB_OPENINGS = 25
OPENING_HOURS = [10, 15, 20, 20, 24, 28, 30, 35]
OPENING_SHIFTS = [
    ["morning"],
    ["morning"],
    ["afternoon"],
    ["morning", "afternoon"],
    ["evening"],
    ["afternoon", "evening"],
    ["night"],
]
SHIFT_WORDS = {"morning": "le matin", "afternoon": "l'après-midi", "evening": "en soirée", "night": "de nuit"}
OLDER_OPENING_STATUSES = [
    JobOpening.Status.CLOSED,
    JobOpening.Status.FILLED,
    JobOpening.Status.OPEN,
    JobOpening.Status.CLOSED,
    JobOpening.Status.FILLED,
]
RECENT_OPENING_STATUSES = [
    JobOpening.Status.OPEN,
    JobOpening.Status.OPEN,
    JobOpening.Status.FILLED,
    JobOpening.Status.OPEN,
]
OPENING_SOURCES = [
    (JobOpening.Source.EMPLOYER_CONTACT, 70),
    (JobOpening.Source.NETWORK, 10),
    (JobOpening.Source.JOB_SEEKER, 10),
    (JobOpening.Source.POSTING, 10),
]
HIRING_NEEDS = [
    "Cherche une personne pour un poste {de_job} à temps partiel d'ici un mois.",
    "Pas de recrutement immédiat ; des remplacements {de_job} à prévoir pendant les congés.",
    "Un poste {de_job} se libère après un départ à la retraite, début envisagé le mois prochain.",
    "Renforts prévus sur les postes {de_job} pour les fêtes de fin d'année.",
    "Équipe au complet pour l'instant, mais turn-over fréquent sur les postes {de_job}.",
    "Pourrait créer un poste {de_job} de 20 h par semaine si l'activité se confirme.",
    "Recrute surtout au printemps pour la saison ; postes {de_job} en CDD de six mois, souvent prolongés.",
]
OPENING_NEEDS = "Poste {de_job} à pourvoir : environ {hours} h par semaine, {shifts}."
HIRING_PROCESSES = [
    "CV déposé en main propre, puis entretien court avec {role}.",
    "Candidature par e-mail, entretien puis journée d'essai rémunérée.",
    "Entretien avec le responsable d'équipe, puis immersion de quelques jours (PMSMP) possible.",
    "Recrutement centralisé par le service RH : candidature en ligne, puis entretien sur site.",
    "Fonctionne beaucoup par recommandation ; un essai d'une demi-journée suffit.",
    "Passe par une agence d'intérim pour les premiers mois, puis embauche directe.",
]
BEST_TIMES = [
    "En milieu d'après-midi, après le service du midi.",
    "Tôt le matin, avant l'ouverture.",
    "Le mardi ou le jeudi, les jours les plus calmes.",
    "En début de mois, quand les plannings sont faits.",
    "Avant l'été (avril-mai) et à la rentrée de septembre.",
    "En fin de semaine, quand le responsable est sur place.",
]
ON_BEHALF_RESULTS = [
    "Présentation du profil de {names} ; la personne rencontrée est intéressée et garde le CV.",
    "CV de {names} laissé en main propre ; réponse promise sous huit jours.",
    "{names} a pu visiter les lieux et échanger avec l'équipe ; bonne impression des deux côtés.",
    "Échange sur les horaires possibles pour {names} ; un mi-temps le matin conviendrait.",
    "Pas de poste tout de suite pour {names}, mais la candidature sera prioritaire au prochain besoin.",
    "Entretien informel avec {names} ; une immersion d'une semaine est proposée.",
]
JOB_SEEKER_MADE_CONTACT_RESULTS = [
    "{names} a déposé sa candidature en main propre, après l'avoir préparée avec nous la veille.",
    "{names} a fait la démarche sans nous, comme souhaité ; débriefing ensemble le lendemain.",
]
OFFER_COMING_RESULT = (
    "Entretien de {names} pour le poste {de_job} ; retour très positif, une proposition devrait suivre."
)
FIRST_RELATIONSHIP_RESULTS = [
    "Premier contact : présentation de l'emploi accompagné et du soutien proposé après l'embauche.",
    "Découverte de l'entreprise et de ses métiers ; intérêt pour travailler avec nous.",
]
RELATIONSHIP_RESULTS = [
    "Point sur leurs besoins de l'année ; ils apprécient d'avoir un interlocuteur unique.",
    "Visite des locaux avec {person} ; meilleure idée des postes accessibles.",
    "Échange sur leurs difficultés de recrutement ; ils nous signaleront leurs prochains postes.",
    "Petit-déjeuner de présentation avec l'équipe d'encadrement ; bon accueil.",
]
CALL_RESULTS = {
    EmployerContact.Mode.PHONE: [
        "Appel pour présenter {names} ; rendez-vous proposé sur place.",
        "Point téléphonique sur la candidature de {names} ; décision attendue la semaine prochaine.",
    ],
    EmployerContact.Mode.EMAIL: [
        "CV de {names} envoyé avec un mot de présentation.",
        "Relance par e-mail pour la candidature de {names} ; accusé de réception.",
    ],
    EmployerContact.Mode.VIDEO: ["Visioconférence avec {person} pour présenter {names}."],
}
RELATIONSHIP_CALL_RESULTS = [
    "Appel pour convenir d'une première visite.",
    "Échange avec {person} sur leurs besoins à venir.",
    "Envoi de la plaquette du dispositif et de nos coordonnées.",
]
NO_SHOW_RESULTS = [
    "Personne pour nous recevoir : {person} n'était pas sur place ce jour-là.",
    "Rendez-vous oublié côté employeur ; à reprogrammer.",
]
CANCEL_REASONS = [
    "Le gérant a demandé à décaler : inventaire ce jour-là.",
    "Responsable du recrutement en congé, rendez-vous à reprogrammer.",
    "Grève des transports, visite reportée.",
    "Réunion d'équipe IPS déplacée sur ce créneau.",
    "La personne accompagnée avait un rendez-vous médical, visite décalée.",
]
ON_BEHALF_NEXT_STEPS = [
    ("Rappeler {person} pour avoir une réponse", 7),
    ("Revenir avec {name} pour un entretien", 10),
    ("Envoyer les disponibilités de {name}", 3),
    ("Proposer une immersion (PMSMP) pour {name}", 14),
    ("Déposer le CV mis à jour de {name}", 5),
    ("Repasser en fin de mois, quand les plannings sont faits", 21),
]
RELATIONSHIP_NEXT_STEPS = [
    ("Repasser présenter une candidature", 14),
    ("Envoyer la plaquette du dispositif", 3),
    ("Inviter au petit-déjeuner employeurs du trimestre", 21),
]
OFFER_COMING_NEXT_STEP = ("Faire le point avec {name} sur la proposition", 3)
NO_SHOW_NEXT_STEP = ("Reprogrammer la visite", 4)
PLANNED_NEXT_STEP = "Présenter la candidature de {names}"
OPENING_NOTES = {
    JobOpening.Status.OPEN: [
        "Déposer le CV en main propre et demander {person}.",
        "Candidature par e-mail ; préciser que nous accompagnons la personne après l'embauche.",
        "Possibilité de commencer par une immersion.",
    ],
    JobOpening.Status.FILLED: ["Pourvu par une candidature directe.", "Pourvu en interne."],
    JobOpening.Status.CLOSED: ["Recrutement suspendu par l'employeur.", "Offre retirée : budget non reconduit."],
}
OUR_HIRE_NOTE = "Pourvu par une personne accompagnée par l'équipe."
NUDGE_TITLE = "Jour {day} de recherche d'emploi pour {name} : pas encore de contact employeur en face à face"
NUDGE_CHECKED_NOTE = "Point avec {name} sur ses préférences ; visites d'employeurs à organiser."
NUDGE_DONE_NOTE = "Visite chez {employer} pour {name}."


@dataclass
class PlacementPlan:
    employer_index: int
    job_title: str
    job_type_code: str
    offer_date: date
    start_date: date | None = None
    end_date: date | None = None
    end_reason: str = ""
    expected_start_date: date | None = None
    hours_per_week: Decimal | None = None
    hourly_pay: Decimal | None = None
    is_competitive: bool = True

    def status(self, today: date) -> str:
        if self.end_date is not None:
            return Placement.Status.ENDED
        if self.start_date is not None and self.start_date <= today:
            return Placement.Status.ACTIVE
        return Placement.Status.OFFER_ACCEPTED


@dataclass
class JobSeekerPlan:
    first_name: str
    last_name: str
    female: bool
    town: tuple
    referral_date: date
    enrolment_date: date
    archetype: dict
    specialist_index: int = 0
    story: str = ""
    on_benefits: bool = False  # receives benefits for sure (an upcoming start with a benefits step)
    placements: list[PlacementPlan] = field(default_factory=list)
    # (date, status, note), oldest first; the first entry is the initial status.
    status_changes: list[tuple[date, str, str]] = field(default_factory=list)
    # Job preference (codes), drawn before the employer contacts that follow it.
    wanted_job_types: list[str] = field(default_factory=list)
    wanted_industries: list[str] = field(default_factory=list)
    avoided_job_types: list[str] = field(default_factory=list)
    disclosure: str = JobSeeker.Disclosure.UNDECIDED
    waiting: bool = False  # in job search with no face-to-face employer contact yet
    # Job-search stretch start -> day of the first visit planned for it.
    first_visits: dict[date, date] = field(default_factory=dict)
    first_employer_contact_on: date | None = None

    @property
    def status(self) -> str:
        return self.status_changes[-1][1]

    @property
    def job_search_since(self) -> date:
        """Enrolment, or the latest return to job search after a job end."""
        since = self.enrolment_date
        for day, status, _note in self.status_changes[1:]:
            if status == JobSeeker.Status.JOB_SEARCH:
                since = day
        return since

    def search_periods(self) -> list[tuple[date, date | None]]:
        """(start, left): each time in job search, and the day the person left it (None: still searching)."""
        periods = []
        for position, (day, status, _note) in enumerate(self.status_changes):
            if status == JobSeeker.Status.JOB_SEARCH:
                later = self.status_changes[position + 1 :]
                periods.append((day, later[0][0] if later else None))
        return periods

    def search_stretches(self) -> list[tuple[date, date | None]]:
        """(start, until): the job-search periods, each until the first offer accepted in it
        or the day the person left job search (None: still looking)."""
        stretches = []
        for start, left in self.search_periods():
            offers = [
                placement.offer_date
                for placement in self.placements
                if start <= placement.offer_date and (left is None or placement.offer_date < left)
            ]
            ends = [day for day in [left, *offers] if day is not None]
            stretches.append((start, min(ends) if ends else None))
        return stretches


@dataclass
class ContactPlan:
    """One employer contact, planned in memory before the job seekers exist."""

    specialist: User
    employer_index: int
    site: EmployerSite | None
    contact_person: ContactPerson | None
    starts_at: datetime
    ends_at: datetime
    mode: str = EmployerContact.Mode.IN_PERSON
    purpose: str = EmployerContact.Purpose.ON_BEHALF
    status: str = EmployerContact.Status.HELD
    job_seekers: list[int] = field(default_factory=list)  # indices of the job seeker plans
    placement: PlacementPlan | None = None  # a visit that led to this job
    offer_coming: bool = False  # the last visit before the offer
    cancel_reason: str = ""
    sequence: int = 1
    nature: str = EmployerContact.Nature.FIRST
    opening: dict | None = None  # the job opening learned of at this contact
    outcome: dict = field(default_factory=dict)
    learned_job_types: list[str] = field(default_factory=list)

    @property
    def day(self) -> date:
        return self.starts_at.date()  # starts_at is in the program's time zone

    @property
    def counts_for_rapid_search(self) -> bool:
        """Held, face to face, on behalf of job seekers: what starts the rapid-search clock."""
        return (
            self.status == EmployerContact.Status.HELD
            and self.mode in EmployerContact.FACE_TO_FACE_MODES
            and self.purpose == EmployerContact.Purpose.ON_BEHALF
        )


def weighted(rng: random.Random, choices: list[tuple]):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def ascii_slug(text: str, separator: str = ".") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return separator.join("".join(c if c.isalnum() else " " for c in plain).split())


def coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def weekday_on_or_before(day: date) -> date:
    """Move a Saturday or Sunday back to the Friday: nobody plans a visit at the weekend."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def weekday_on_or_after(day: date) -> date:
    """Move a Saturday or Sunday on to the Monday."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def of_job(title: str) -> str:
    """ "de serveur", "d'agent d'entretien": a job title after "de", elided before a vowel or a mute h."""
    title = lower_first(title)
    return ("d'" if title[:1] in "aâeéèêiîoôuyh" else "de ") + title


class Command(BaseCommand):
    help = (
        "Create a demo IPS program in Marseille (users, job seekers, employers, placements, employer contacts). "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only when the database holds no program yet (what `make run` uses).",
        )

    def handle(self, *args, seed, if_empty=False, **options):
        demo_exists = Organisation.objects.filter(slug=ORGANISATION["slug"]).exists()
        if if_empty and not demo_exists and Organisation.objects.exists():
            self.stdout.write("The database already holds a program: no demo data added.")
            return
        if demo_exists:
            self.stdout.write(self.style.WARNING("The demo program already exists: nothing was created."))
            self.print_logins()
            return
        taken = User.objects.filter(username__in=[username for username, *_rest in STAFF])
        if taken.exists():
            names = ", ".join(sorted(taken.values_list("username", flat=True)))
            raise CommandError(f"These usernames are already used outside the demo program: {names}.")

        with transaction.atomic():
            counts = DemoSeeder(seed=seed, today=timezone.localdate()).run()
        summary = ", ".join(f"{count} {label}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Created the demo program {ORGANISATION['name']!r}: {summary}."))
        self.print_logins()

    def print_logins(self):
        lines = [
            "",
            "Demo logins (all share one password):",
            f"  {'username':<13} {'role':<24} password",
        ]
        for username, _first, _last, role in STAFF:
            lines.append(f"  {username:<13} {str(role.label):<24} {DEMO_PASSWORD}")
        lines += ["", f"Open {DEMO_URL} and sign in.", ""]
        self.stdout.write("\n".join(lines))


class DemoSeeder:
    """Plans everything with one seeded Random, then writes it."""

    def __init__(self, *, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.zone = ZoneInfo(ORGANISATION["time_zone"])
        self.job_types = {job_type.code: job_type for job_type in JobType.objects.order_by("code")}
        self.industries = {industry.code: industry for industry in Industry.objects.order_by("code")}
        self.used_employers: set[int] = set()
        self.used_names: set[tuple[str, str]] = set()
        self.now = timezone.now()
        # Job development, planned in memory (see plan_employer_contacts).
        self.plans: list[JobSeekerPlan] = []
        self.contacts: list[ContactPlan] = []
        self.busy: dict[tuple[int, date], list[tuple[datetime, datetime, bool]]] = {}
        self.contact_counts: dict[int, int] = {}
        self.visited: set[tuple[int, int]] = set()  # (user pk, employer index)
        self.contact_days: dict[tuple[int, int], list[date]] = {}  # (user pk, employer index) -> days
        self.contacted: set[int] = set()  # employer indices
        self.prospects: list[int] = []  # employer indices open to job development
        self.employer_sites: dict[int, list[EmployerSite]] = {}
        self.employer_people: dict[int, list[ContactPerson]] = {}
        self.stretches: list[list[tuple[date, date | None]]] = []  # per job seeker plan
        self.caseloads: dict[int, list[int]] = {}  # specialist pk -> job seeker plan indices
        self.openings: list[dict] = []
        self.nudges: list[tuple[JobSearchNudge, date]] = []

    def run(self) -> dict[str, int]:
        organisation, specialists, leader = self.create_program()
        plans = self.plan_job_seekers()
        employers = self.create_employers(organisation, specialists, plans)
        self.plan_employer_contacts(plans, specialists, leader)
        job_seekers, placements = self.create_job_seekers(organisation, specialists, plans, employers)
        contacts = self.create_employer_contacts(organisation, employers, job_seekers)
        self.set_relationship_stages(employers)
        openings = self.create_job_openings(employers)
        support = self.create_support(organisation, job_seekers, placements, plans)
        nudges = self.create_nudges()
        return {
            "users": len(STAFF),
            "job seekers": len(job_seekers),
            "employers": len(employers),
            "placements": sum(len(items) for items in placements),
            **support,
            "employer contacts": contacts,
            "job openings": openings,
            "rapid-search nudges": nudges,
        }

    # -- dates and small draws ------------------------------------------------

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def moment(self, day: date) -> datetime:
        """A plausible office-hours time on `day`, in the program's time zone."""
        when = datetime.combine(day, time(self.rng.randint(9, 17), self.rng.choice([0, 15, 30, 45])), self.zone)
        return min(when, timezone.now())

    def phone(self, prefix: str) -> str:
        return prefix + " " + " ".join(f"{self.rng.randint(0, 99):02d}" for _ in range(4 - prefix.count(" ")))

    def person_name(self) -> tuple[str, str, bool]:
        """A first and last name not used yet, and whether the first name is female."""
        while True:
            female = self.rng.random() < 0.5
            if self.rng.random() < OTHER_EUROPEAN_SHARE:
                female_names, male_names, last_names = self.rng.choice(OTHER_EUROPEAN_NAMES)
            else:
                female_names, male_names, last_names = FRENCH_FEMALE, FRENCH_MALE, FRENCH_LAST
            name = (self.rng.choice(female_names if female else male_names), self.rng.choice(last_names))
            if name not in self.used_names:
                self.used_names.add(name)
                return name[0], name[1], female

    def address(self, town: tuple) -> str:
        return f"{self.rng.randint(1, 180)} {self.rng.choice(town[4])}"

    def near(self, value: float, spread: float = 0.008) -> Decimal:
        return coordinate(value + self.rng.uniform(-spread, spread))

    # -- program and staff ------------------------------------------------------

    def create_program(self) -> tuple[Organisation, list[User], User]:
        organisation = Organisation.objects.create(**ORGANISATION)
        team = Team.objects.create(organisation=organisation, name=TEAM_NAME)
        users = {}
        for username, first_name, last_name, role in STAFF:
            user = User(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@ips-marseille.example",
                organisation=organisation,
                role=role,
                team=team if role in (User.Role.SPECIALIST, User.Role.TEAM_LEADER) else None,
                is_staff=role == User.Role.PROGRAM_ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[username] = user
        team.leader = users["leader"]
        team.save(update_fields=["leader"])
        specialists = [user for user in users.values() if user.role == User.Role.SPECIALIST]
        return organisation, specialists, users["leader"]

    # -- planning job seekers and their jobs ----------------------------------

    def plan_job_seekers(self) -> list[JobSeekerPlan]:
        plans = []
        for index in range(JOB_SEEKER_COUNT):
            # Spread referrals evenly over the window so every story finds someone enrolled long enough.
            referred_days_ago = 5 + int((index + self.rng.random()) * REFERRAL_WINDOW_DAYS / JOB_SEEKER_COUNT)
            referral = self.days_ago(referred_days_ago)
            enrolment = referral + timedelta(days=self.rng.randint(0, min(20, referred_days_ago)))
            first_name, last_name, female = self.person_name()
            plans.append(
                JobSeekerPlan(
                    first_name=first_name,
                    last_name=last_name,
                    female=female,
                    town=TOWNS_BY_POSTCODE[self.rng.choice(HOME_POSTCODES)],
                    referral_date=referral,
                    enrolment_date=enrolment,
                    archetype=self.rng.choice(ARCHETYPES),
                )
            )
        # Caseloads: shuffle, then deal round-robin (14, 13, 13).
        order = list(range(len(plans)))
        self.rng.shuffle(order)
        for position, index in enumerate(order):
            plans[index].specialist_index = position % 3

        for story, minimum_days in STORIES:
            candidates = [
                plan for plan in plans if not plan.story and (self.today - plan.enrolment_date).days >= minimum_days
            ]
            if not candidates:
                raise CommandError(f"No job seeker has been enrolled long enough for the story {story!r}.")
            plan = self.rng.choice(candidates)
            plan.story = story
        self.choose_waiting(plans)
        for plan in plans:
            plan.status_changes = [(plan.enrolment_date, JobSeeker.Status.JOB_SEARCH, "")]
            getattr(self, f"story_{plan.story or 'searching'}")(plan)
        # Two upcoming starts, at least, come with work-incentives planning to show.
        for plan in [plan for plan in plans if plan.story == "offer_accepted"][:2]:
            plan.on_benefits = True
        for plan in plans:
            self.draw_preferences(plan)
        return plans

    def choose_waiting(self, plans: list[JobSeekerPlan]) -> None:
        """A few searching job seekers with no employer contact yet, one past each
        rapid-search mark: their enrolment is moved into the band if need be."""
        searching = [plan for plan in plans if not plan.story]
        for low, high in WAITING_BANDS:
            candidates = [plan for plan in searching if not plan.waiting]
            if not candidates:
                return

            def distance(plan, low=low, high=high):
                days = (self.today - plan.enrolment_date).days
                return max(low - days, days - high, 0)

            plan = min(candidates, key=lambda plan: (distance(plan), plan.enrolment_date))
            plan.waiting = True
            if distance(plan):
                plan.enrolment_date = self.days_ago(self.rng.randint(low, high))
                if plan.referral_date > plan.enrolment_date:
                    plan.referral_date = plan.enrolment_date - timedelta(days=self.rng.randint(0, 10))

    def draw_preferences(self, plan: JobSeekerPlan) -> None:
        """The job wanted and the disclosure preference: job development follows them."""
        plan.disclosure = weighted(self.rng, DISCLOSURE)
        archetype = plan.archetype
        drawn = self.rng.sample(archetype["job_types"], k=self.rng.randint(1, min(3, len(archetype["job_types"]))))
        # The jobs they got are jobs they wanted.
        plan.wanted_job_types = list(dict.fromkeys([placement.job_type_code for placement in plan.placements] + drawn))[
            :3
        ]
        industry_count = self.rng.randint(0, min(2, len(archetype["industries"])))
        plan.wanted_industries = self.rng.sample(archetype["industries"], k=industry_count)
        if self.rng.random() < 0.5:
            avoidable = [code for code in OFTEN_AVOIDED_JOB_TYPES if code not in plan.wanted_job_types]
            plan.avoided_job_types = self.rng.sample(avoidable, k=self.rng.randint(1, 2))

    def pick_job(self, plan: JobSeekerPlan, *, sheltered: bool = False) -> tuple[int, str, str]:
        """An employer (by index) not used yet, preferably with a job the person wants."""
        wanted = plan.archetype["job_types"]
        unused = [
            index
            for index, employer in enumerate(EMPLOYERS)
            if index not in self.used_employers and (employer[0] == SHELTERED_EMPLOYER) == sheltered
        ]
        matching = [index for index in unused if any(code in wanted for _title, code in EMPLOYERS[index][5])]
        index = self.rng.choice(matching or unused)
        self.used_employers.add(index)
        jobs = EMPLOYERS[index][5]
        title, code = self.rng.choice([job for job in jobs if job[1] in wanted] or jobs)
        return index, title, code

    def new_placement(self, plan: JobSeekerPlan, offer_date: date, start_date: date | None, **extra) -> PlacementPlan:
        employer_index, title, code = self.pick_job(plan, sheltered=not extra.get("is_competitive", True))
        if start_date is not None and "expected_start_date" not in extra:
            # The start date planned at the offer; now and then the start slipped by a few days.
            slipped = self.rng.random() < 0.25
            expected = start_date - timedelta(days=self.rng.randint(1, 4)) if slipped else start_date
            extra["expected_start_date"] = max(offer_date, expected)
        placement = PlacementPlan(
            employer_index=employer_index,
            job_title=title,
            job_type_code=code,
            offer_date=offer_date,
            start_date=start_date,
            hours_per_week=Decimal(self.rng.choice(HOURS_CHOICES)),
            hourly_pay=Decimal(self.rng.randint(1188, 1500)) / 100,
            **extra,
        )
        plan.placements.append(placement)
        return placement

    def start_and_maybe_follow_along(self, plan: JobSeekerPlan, placement: PlacementPlan) -> None:
        employer = EMPLOYERS[placement.employer_index][0]
        plan.status_changes.append((placement.start_date, JobSeeker.Status.WORKING, f"Début du poste chez {employer}."))
        if (self.today - placement.start_date).days >= FOLLOW_ALONG_AFTER_DAYS:
            moved_on = placement.start_date + timedelta(days=self.rng.randint(90, FOLLOW_ALONG_AFTER_DAYS))
            plan.status_changes.append(
                (moved_on, JobSeeker.Status.FOLLOW_ALONG, "Maintien dans l'emploi : rencontres plus espacées.")
            )

    def ended_job(self, plan: JobSeekerPlan, *, is_competitive: bool = True, reasons=None) -> PlacementPlan:
        offer = plan.enrolment_date + timedelta(days=self.rng.randint(15, 60))
        start = offer + timedelta(days=self.rng.randint(2, 10))
        placement = self.new_placement(
            plan,
            offer,
            start,
            end_date=start + timedelta(days=self.rng.randint(20, 100)),
            end_reason=self.rng.choice(reasons or END_REASONS_BACK_TO_SEARCH),
            is_competitive=is_competitive,
        )
        employer = EMPLOYERS[placement.employer_index][0]
        plan.status_changes.append((start, JobSeeker.Status.WORKING, f"Début du poste chez {employer}."))
        plan.status_changes.append(
            (placement.end_date, JobSeeker.Status.JOB_SEARCH, "Fin du poste, reprise de la recherche d'emploi.")
        )
        return placement

    def story_searching(self, plan: JobSeekerPlan) -> None:
        """Still looking: nothing more to plan."""

    def story_offer_accepted(self, plan: JobSeekerPlan) -> None:
        offer = self.days_ago(self.rng.randint(0, 10))
        # The start agreed with the employer, a few days to two weeks ahead: a demo user records it.
        expected = self.today + timedelta(days=self.rng.randint(3, 14))
        self.new_placement(plan, offer, None, expected_start_date=expected)

    def story_working(self, plan: JobSeekerPlan) -> None:
        tenure = (self.today - plan.enrolment_date).days
        start = self.days_ago(self.rng.randint(7, min(110, tenure - 25)))
        offer = start - timedelta(days=self.rng.randint(3, 14))
        self.start_and_maybe_follow_along(plan, self.new_placement(plan, offer, start))

    def story_follow_along(self, plan: JobSeekerPlan) -> None:
        offer = plan.enrolment_date + timedelta(days=self.rng.randint(20, 45))
        start = offer + timedelta(days=self.rng.randint(3, 14))
        self.start_and_maybe_follow_along(plan, self.new_placement(plan, offer, start))

    def story_ended_searching(self, plan: JobSeekerPlan) -> None:
        self.ended_job(plan)

    def story_sheltered_then_searching(self, plan: JobSeekerPlan) -> None:
        self.ended_job(plan, is_competitive=False, reasons=[Placement.EndReason.QUIT_OTHER])

    def story_ended_closed(self, plan: JobSeekerPlan) -> None:
        placement = self.ended_job(plan, reasons=[Placement.EndReason.TEMPORARY_ENDED, Placement.EndReason.QUIT_HEALTH])
        closed = placement.end_date + timedelta(days=self.rng.randint(7, 30))
        plan.status_changes.append((closed, JobSeeker.Status.CLOSED, self.rng.choice(CLOSING_NOTES)))

    def story_better_job(self, plan: JobSeekerPlan) -> None:
        offer = plan.enrolment_date + timedelta(days=self.rng.randint(20, 40))
        start = offer + timedelta(days=self.rng.randint(3, 10))
        first = self.new_placement(
            plan,
            offer,
            start,
            end_date=start + timedelta(days=self.rng.randint(40, 90)),
            end_reason=Placement.EndReason.QUIT_BETTER_JOB,
        )
        # The new offer came before the first job ended; no gap in work.
        second_offer = first.end_date - timedelta(days=self.rng.randint(3, 10))
        second = self.new_placement(plan, second_offer, first.end_date + timedelta(days=self.rng.randint(1, 7)))
        plan.status_changes.append(
            (start, JobSeeker.Status.WORKING, f"Début du poste chez {EMPLOYERS[first.employer_index][0]}.")
        )
        if (self.today - second.start_date).days >= FOLLOW_ALONG_AFTER_DAYS:
            moved_on = second.start_date + timedelta(days=self.rng.randint(90, FOLLOW_ALONG_AFTER_DAYS))
            plan.status_changes.append(
                (moved_on, JobSeeker.Status.FOLLOW_ALONG, "Nouveau poste stable, rencontres plus espacées.")
            )

    def story_left_without_job(self, plan: JobSeekerPlan) -> None:
        tenure = (self.today - plan.enrolment_date).days
        closed = plan.enrolment_date + timedelta(days=self.rng.randint(30, tenure - 3))
        plan.status_changes.append((closed, JobSeeker.Status.CLOSED, self.rng.choice(CLOSING_NOTES)))

    # -- employers --------------------------------------------------------------

    def create_employers(self, organisation, specialists, plans) -> list[Employer]:
        # An employer where a job has started has hired from us (placements/services.py);
        # the other stages follow the employer contacts (set_relationship_stages).
        hired = {
            placement.employer_index
            for plan in plans
            for placement in plan.placements
            if placement.status(self.today) != Placement.Status.OFFER_ACCEPTED
        }
        employers = []
        contacts = []
        for index, (name, section, size, postcode, description, _jobs) in enumerate(EMPLOYERS):
            employer = Employer.objects.create(
                organisation=organisation,
                name=name,
                industry=self.industries[section],
                size=size,
                relationship_stage=Employer.RelationshipStage.HAS_HIRED
                if index in hired
                else Employer.RelationshipStage.NOT_CONTACTED,
                description=description,
                created_by=self.rng.choice(specialists),
            )
            sites = [self.create_site(employer, TOWNS_BY_POSTCODE[postcode], main=True)]
            if self.rng.random() < SECOND_SITE_SHARE:
                other_town = self.rng.choice([town for town in TOWNS if town[1] != postcode])
                sites.append(self.create_site(employer, other_town, main=False))
            contacts += self.contact_persons(employer, sites)
            employers.append(employer)
            self.employer_sites[index] = sites
        ContactPerson.objects.bulk_create(contacts)
        positions = {employer.pk: index for index, employer in enumerate(employers)}
        for person in ContactPerson.objects.filter(employer__in=employers).order_by("id"):
            self.employer_people.setdefault(positions[person.employer_id], []).append(person)
        return employers

    def create_site(self, employer: Employer, town: tuple, *, main: bool) -> EmployerSite:
        located = self.rng.random() >= SITE_WITHOUT_COORDINATES_SHARE
        return EmployerSite.objects.create(
            employer=employer,
            name="" if main else f"Site de {town[0]}",
            address=self.address(town),
            postcode=town[1],
            town=town[0],
            latitude=self.near(town[2]) if located else None,
            longitude=self.near(town[3]) if located else None,
        )

    def contact_persons(self, employer: Employer, sites: list[EmployerSite]) -> list[ContactPerson]:
        roles = HIRING_ROLES_MICRO if employer.size == Employer.Size.MICRO else HIRING_ROLES_LARGER
        count = 1 if employer.size == Employer.Size.MICRO else self.rng.randint(1, 2)
        contacts = []
        for position in range(count):
            first_name, last_name, female = self.person_name()
            role = self.rng.choice(roles if position == 0 else OTHER_ROLES)[1 if female else 0]
            domain = ascii_slug(employer.name, "-")
            contacts.append(
                ContactPerson(
                    employer=employer,
                    site=sites[0] if position == 0 else self.rng.choice(sites),
                    name=f"{first_name} {last_name}",
                    role=role,
                    has_hiring_authority=position == 0 or self.rng.random() < 0.3,
                    preferred_channel=weighted(self.rng, CONTACT_CHANNELS),
                    phone=self.phone("04 91" if sites[0].town == "Marseille" else "04 42"),
                    email=f"{ascii_slug(first_name)}.{ascii_slug(last_name)}@{domain}.example"
                    if self.rng.random() < 0.7
                    else "",
                )
            )
        return contacts

    # -- job seekers, profiles, preferences, placements -------------------------

    def create_job_seekers(self, organisation, specialists, plans, employers):
        job_seekers, placements = [], []
        for plan in plans:
            specialist = specialists[plan.specialist_index]
            job_seeker = self.create_job_seeker(organisation, specialist, plan)
            self.create_status_changes(job_seeker, specialist, plan)
            self.create_career_profile(job_seeker, specialist, plan)
            self.create_job_preference(job_seeker, specialist, plan)
            placements.append(
                [
                    self.create_placement(organisation, job_seeker, specialist, placement, employers)
                    for placement in plan.placements
                ]
            )
            job_seekers.append(job_seeker)
        return job_seekers, placements

    def save_with_history(self, instance, author: User) -> None:
        # simple-history reads these to fill history_user and history_change_reason.
        instance._history_user = author
        instance._change_reason = CHANGE_REASON
        instance.save()

    def create_job_seeker(self, organisation, specialist, plan: JobSeekerPlan) -> JobSeeker:
        town = plan.town
        located = self.rng.random() < 0.6
        disclosure = plan.disclosure
        email = ""
        if self.rng.random() < 0.6:
            email = f"{ascii_slug(plan.first_name)}.{ascii_slug(plan.last_name)}{self.rng.randint(1, 99)}@example.org"
        job_seeker = JobSeeker(
            organisation=organisation,
            specialist=specialist,
            first_name=plan.first_name,
            last_name=plan.last_name,
            email=email,
            phone=self.phone(self.rng.choice(["06", "07"])),
            address=self.address(town),
            postcode=town[1],
            town=town[0],
            latitude=self.near(town[2], 0.01) if located else None,
            longitude=self.near(town[3], 0.01) if located else None,
            referral_date=plan.referral_date,
            enrolment_date=plan.enrolment_date,
            job_search_since=plan.job_search_since,
            first_employer_contact_on=plan.first_employer_contact_on,
            referral_source=weighted(self.rng, REFERRAL_SOURCES),
            status=plan.status,
            receives_benefits=self.receives_benefits(plan),
            disclosure_preference=disclosure,
        )
        self.save_with_history(job_seeker, specialist)
        return job_seeker

    def receives_benefits(self, plan: JobSeekerPlan) -> str:
        benefits = weighted(self.rng, BENEFITS)
        if plan.on_benefits and benefits == JobSeeker.Benefits.NO:
            return JobSeeker.Benefits.YES
        return benefits

    def create_status_changes(self, job_seeker, specialist, plan: JobSeekerPlan) -> None:
        changes = []
        previous = ""
        for day, status, note in plan.status_changes:
            changes.append(
                JobSeekerStatusChange(
                    job_seeker=job_seeker,
                    from_status=previous,
                    to_status=status,
                    changed_at=self.moment(day),
                    changed_by=specialist,
                    note=note,
                )
            )
            previous = status
        JobSeekerStatusChange.objects.bulk_create(changes)

    def create_career_profile(self, job_seeker, specialist, plan: JobSeekerPlan) -> None:
        archetype = plan.archetype
        history = self.rng.sample(archetype["history"], k=self.rng.randint(1, 2))
        profile = CareerProfile(
            job_seeker=job_seeker,
            work_goal=self.rng.choice(archetype["goals"]),
            work_history="\n".join(history),
            education=self.rng.choice(archetype["education"]),
            interests=self.rng.choice(INTERESTS),
            strengths=" ".join(self.rng.sample(STRENGTHS, k=self.rng.randint(2, 3))),
            skills=self.rng.choice(archetype["skills"]),
            coping_strategies=self.rng.choice(COPING_STRATEGIES) if self.rng.random() < 0.7 else "",
            networking_contacts=self.rng.choice(NETWORKING_CONTACTS),
        )
        self.save_with_history(profile, specialist)

    def create_job_preference(self, job_seeker, specialist, plan: JobSeekerPlan) -> None:
        wanted, industries, avoided = plan.wanted_job_types, plan.wanted_industries, plan.avoided_job_types
        min_hours = self.rng.choice(MIN_HOURS_CHOICES)
        max_hours = min(35, min_hours + self.rng.choice([0, 5, 10, 12, 15]))
        days = [day for day in DAY_CODES[:5] if self.rng.random() < 0.85] or ["mon", "tue", "thu"]
        days += [day for day, share in (("sat", 0.3), ("sun", 0.1)) if self.rng.random() < share]
        shifts = self.rng.choice(SHIFT_PATTERNS)
        preference = JobPreference(
            job_seeker=job_seeker,
            min_hours_per_week=min_hours,
            max_hours_per_week=max_hours,
            days=days,
            shifts=list(shifts),
            places=self.rng.choice(PLACES_TEMPLATES).format(town=plan.town[0]),
            max_travel_minutes=self.rng.choice(TRAVEL_MINUTES_CHOICES),
            max_distance_km=self.rng.choice([None, None, 10, 15, 20, 30]),
            min_hourly_pay=Decimal(self.rng.choice(MIN_HOURLY_PAY_CHOICES)),
            things_to_avoid=self.rng.choice(THINGS_TO_AVOID) if self.rng.random() < 0.4 else "",
        )
        self.save_with_history(preference, specialist)
        preference.job_types.set([self.job_types[code] for code in wanted])
        preference.industries.set([self.industries[code] for code in industries])
        preference.avoid_job_types.set([self.job_types[code] for code in avoided])

    def create_placement(self, organisation, job_seeker, specialist, plan: PlacementPlan, employers) -> Placement:
        employer = employers[plan.employer_index]
        placement = Placement(
            organisation=organisation,
            job_seeker=job_seeker,
            employer=employer,
            site=employer.sites.order_by("id").first(),
            job_title=plan.job_title,
            job_type=self.job_types[plan.job_type_code],
            hours_per_week=plan.hours_per_week,
            hourly_pay=plan.hourly_pay,
            is_competitive=plan.is_competitive,
            offer_date=plan.offer_date,
            expected_start_date=plan.expected_start_date,
            start_date=plan.start_date,
            end_date=plan.end_date,
            status=plan.status(self.today),
            end_reason=plan.end_reason,
        )
        self.save_with_history(placement, specialist)
        return placement

    # -- what the live system records with placements ----------------------------
    # Written directly, as placements/services.py and placements/handlers.py would have
    # left it: the demo history predates the event log, so no OutboxEvent.

    def create_support(self, organisation, job_seekers, placements, plans) -> dict[str, int]:
        tasks, milestones, follow_along_plans, reports = [], [], [], []
        started = [placement for items in placements for placement in items if placement.start_date]
        active = [placement for placement in started if placement.status == Placement.Status.ACTIVE]
        ended = [placement for placement in started if placement.status == Placement.Status.ENDED]
        # One worker moved to monthly contacts early on, another paused follow-along lately.
        rhythms = {}
        for rhythm, minimum_days in (("monthly", 40), ("paused", 20)):
            candidates = [
                placement
                for placement in active
                if placement.pk not in rhythms and (self.today - placement.start_date).days >= minimum_days
            ]
            if candidates:
                rhythms[self.rng.choice(candidates).pk] = rhythm
        # The latest job end has no report yet: the task is still to do.
        unreported = max(ended, key=lambda placement: (placement.end_date, placement.pk), default=None)
        steps = 0
        for job_seeker, job_placements, plan in zip(job_seekers, placements, plans, strict=True):
            task = self.task_adder(tasks, organisation, job_seeker)
            for position, placement in enumerate(job_placements):
                steps += self.offer_tasks(task, placement)
                if placement.start_date is None:
                    continue
                milestones += self.placement_milestones(task, placement)
                follow_along_plans.append(self.follow_along(task, placement, rhythm=rhythms.get(placement.pk, "")))
                if placement.end_date is not None:
                    later = job_placements[position + 1 :]
                    next_placement = later[0] if later else None
                    report = self.job_end(
                        task, placement, plan, next_placement=next_placement, written=placement != unreported
                    )
                    if report is not None:
                        reports.append(report)
            self.job_search_tasks(task, job_seeker, plan)
        accommodations = self.create_accommodations(tasks, organisation, active, placements)
        PlacementMilestone.objects.bulk_create(milestones)
        FollowAlongPlan.objects.bulk_create(follow_along_plans)
        JobEndReport.objects.bulk_create(reports)
        SupportTask.objects.bulk_create(tasks)
        return {
            "milestones": len(milestones),
            "follow-along plans": len(follow_along_plans),
            "workplace adjustments": accommodations,
            "benefits steps": steps,
            "job-end reports": len(reports),
            "support tasks": len(tasks),
        }

    @staticmethod
    def task_adder(tasks: list, organisation, job_seeker: JobSeeker):
        """A function that appends one of `job_seeker`'s tasks, owned by their specialist."""

        def task(kind, title, due, *, placement=None, done_on=None, mode="", note="", cancel_reason="", **links):
            if cancel_reason:
                status = SupportTask.Status.CANCELLED
            else:
                status = SupportTask.Status.DONE if done_on else SupportTask.Status.OPEN
            tasks.append(
                SupportTask(
                    organisation=organisation,
                    job_seeker=job_seeker,
                    placement=placement,
                    kind=kind,
                    title=title,
                    due_date=due,
                    owner=job_seeker.specialist,
                    status=status,
                    cancel_reason=cancel_reason[:300],
                    completed_on=done_on,
                    completion_mode=mode,
                    completion_note=note,
                    **links,
                )
            )

        return task

    def done_on(self, due: date, earliest: date, latest: date | None = None) -> date:
        """When a task due on `due` was done: around its due date, not before it was
        created (`earliest`), not after `latest` nor today."""
        day = max(earliest, weekday_on_or_before(due + timedelta(days=self.rng.randint(-1, 2))))
        return min(day, latest or self.today, self.today)

    @staticmethod
    def end_label(placement: Placement) -> str:
        with translation.override("fr"):
            return str(Placement.EndReason(placement.end_reason).label)

    def offer_tasks(self, task, placement: Placement) -> int:
        """What the offer acceptance planned (plan_steps_before_the_start): disclosure and
        adjustments talks, a contact before the start and, on benefits, work-incentives
        planning. Returns the number of benefits steps created."""
        job_seeker = placement.job_seeker
        offer, expected, start = placement.offer_date, placement.expected_start_date, placement.start_date
        before_start = max(offer, expected - timedelta(days=1)) if expected else offer + timedelta(days=7)
        soon = min(before_start, offer + timedelta(days=3))

        def step(kind, title, due, note, mode=SupportTask.Mode.IN_PERSON):
            if start is not None or (due < self.today and self.rng.random() < 0.8):
                done = self.done_on(due, offer, latest=start)
                task(kind, title, due, placement=placement, done_on=done, mode=mode, note=note)
            else:
                task(kind, title, due, placement=placement)

        with translation.override("fr"):
            preference = str(JobSeeker.Disclosure(job_seeker.disclosure_preference).label)
        step(
            SupportTask.Kind.DISCLOSURE_CONVERSATION,
            f"Parler de la divulgation avec {job_seeker.full_name} (préférence notée : {preference.lower()})",
            soon,
            "Préférence confirmée ensemble.",
        )
        step(
            SupportTask.Kind.ACCOMMODATION,
            f"Parler avec {job_seeker.full_name} des aménagements de poste utiles",
            before_start,
            self.rng.choice(ADJUSTMENT_TALK_NOTES),
        )
        pre_start = "Rencontre avant la prise de poste"
        if start is None:
            task(SupportTask.Kind.FOLLOW_ALONG, pre_start, before_start, placement=placement)
        elif self.rng.random() < 0.85:
            done = self.done_on(before_start, offer, latest=start)
            note = self.rng.choice(PRE_START_NOTES)
            mode = SupportTask.Mode.IN_PERSON
            task(
                SupportTask.Kind.FOLLOW_ALONG,
                pre_start,
                before_start,
                placement=placement,
                done_on=done,
                mode=mode,
                note=note,
            )
        else:  # the start handler cancels a pre-start contact still open
            task(
                SupportTask.Kind.FOLLOW_ALONG,
                pre_start,
                before_start,
                placement=placement,
                cancel_reason="Le poste a commencé.",
            )
        if job_seeker.receives_benefits not in (JobSeeker.Benefits.YES, JobSeeker.Benefits.UNKNOWN):
            return 0
        self.benefits_step(task, placement, due=before_start)
        return 1

    def benefits_step(self, task, placement: Placement, *, due: date) -> None:
        """Work-incentives planning before the start, with the tasks its handlers add."""
        job_seeker, offer = placement.job_seeker, placement.offer_date
        referred_on = min(self.today, offer + timedelta(days=self.rng.randint(1, 3)))
        session_on = min(self.today, referred_on + timedelta(days=self.rng.randint(5, 12)))
        if placement.start_date is None:
            recent = (self.today - offer).days < 2 or self.rng.random() < 0.4
            status = BenefitsStep.Status.OFFERED if recent else BenefitsStep.Status.REFERRED
        else:
            status = BenefitsStep.Status.PLAN_IN_PLACE if self.rng.random() < 0.8 else BenefitsStep.Status.SESSION_HELD
        step = BenefitsStep.objects.create(
            organisation_id=placement.organisation_id,
            job_seeker=job_seeker,
            placement=placement,
            reason=BenefitsStep.Reason.BEFORE_START,
            status=status,
            offered_on=offer,
            note=BENEFITS_NOTES[status],
        )
        title = f"Point sur les droits (AAH, prime d'activité) avant la prise de poste ({job_seeker.full_name})"
        if status == BenefitsStep.Status.OFFERED:
            task(SupportTask.Kind.BENEFITS_PLANNING, title, due, placement=placement, benefits_step=step)
            return
        mode = SupportTask.Mode.IN_PERSON
        task(
            SupportTask.Kind.BENEFITS_PLANNING,
            title,
            due,
            placement=placement,
            benefits_step=step,
            done_on=referred_on,
            mode=mode,
            note=BENEFITS_REFERRAL_NOTE,
        )
        check = f"Vérifier que le rendez-vous de conseil en droits a eu lieu ({job_seeker.full_name})"
        check_due = referred_on + timedelta(days=14)
        if status == BenefitsStep.Status.REFERRED:
            task(SupportTask.Kind.BENEFITS_PLANNING, check, check_due, placement=placement, benefits_step=step)
        else:
            mode = SupportTask.Mode.PHONE
            note = BENEFITS_SESSION_NOTE
            task(
                SupportTask.Kind.BENEFITS_PLANNING,
                check,
                check_due,
                placement=placement,
                benefits_step=step,
                done_on=session_on,
                mode=mode,
                note=note,
            )

    def placement_milestones(self, task, placement: Placement) -> list[PlacementMilestone]:
        """The six milestones stored at the start; those due while the job lasted were
        reached (by the scheduler's morning run), with the tasks their handler plans."""
        last_day = placement.end_date or self.today
        milestones = []
        for name, days in MILESTONE_DAYS.items():
            due = placement.start_date + timedelta(days=days)
            reached = due <= last_day
            milestones.append(
                PlacementMilestone(
                    placement=placement,
                    name=name,
                    due_date=due,
                    reached_at=min(datetime.combine(due, MILESTONE_HOUR, self.zone), timezone.now())
                    if reached
                    else None,
                    still_working=True if reached else None,
                )
            )
            if reached and name in MILESTONE_TASKS:
                kind, title, after_days, mode = MILESTONE_TASKS[name]
                task_due = due + timedelta(days=after_days)
                if placement.end_date is not None and task_due > placement.end_date:
                    task(kind, title, task_due, placement=placement, cancel_reason="Le poste a pris fin.")
                elif task_due < self.today:
                    done = self.done_on(task_due, due, latest=placement.end_date)
                    task(
                        kind,
                        title,
                        task_due,
                        placement=placement,
                        done_on=done,
                        mode=mode,
                        note=MILESTONE_TASK_NOTES[name],
                    )
                else:
                    task(kind, title, task_due, placement=placement)
        return milestones

    def follow_along(self, task, placement: Placement, *, rhythm: str = "") -> FollowAlongPlan:
        """The follow-along contacts as the live system plans them (placements/follow_along.py):
        the first when the job starts, each next one when the previous is done, a successor
        from the daily scheduler when one is missed; open ones are cancelled when the job
        ends or follow-along is paused. `rhythm`: "monthly" (changed after the first week)
        or "paused" (lately)."""
        start, end = placement.start_date, placement.end_date
        title = f"Rencontre de suivi avec {placement.job_seeker.full_name}"
        kind = SupportTask.Kind.FOLLOW_ALONG
        plan = FollowAlongPlan(placement=placement)
        if end is not None:
            plan.status, plan.status_reason = FollowAlongPlan.Status.ENDED, self.end_label(placement)
        frequency = FollowAlongPlan.Frequency.STANDARD
        due = next_due_date(program=placement.organisation, frequency=frequency, start_date=start, previous_due=None)
        created = start
        first, missed = True, False
        while True:
            if end is not None and due > end:  # still open when the job ended
                task(kind, title, due, placement=placement, cancel_reason=f"Fin du poste : {plan.status_reason}")
                return plan
            if end is None and due >= self.today:
                if rhythm == "paused":  # paused lately: the coming contact was cancelled
                    plan.status, plan.status_reason = FollowAlongPlan.Status.PAUSED, PAUSE_REASON
                    task(kind, title, due, placement=placement, cancel_reason=f"Suivi mis en pause : {PAUSE_REASON}")
                else:
                    task(kind, title, due, placement=placement)
                return plan
            recent = end is None and not first and not missed and (self.today - due).days < 10
            if recent and self.rng.random() < MISSED_CONTACT_SHARE:
                # Missed and still open; the scheduler planned a successor the next day.
                task(kind, title, due, placement=placement)
                missed = True
                created = due + timedelta(days=1)
                due = next_due_on_or_after(
                    program=placement.organisation,
                    frequency=frequency,
                    start_date=start,
                    previous_due=due,
                    earliest=created,
                )
                continue
            done = self.done_on(due, created, latest=end)
            mode = SupportTask.Mode.IN_PERSON if first else weighted(self.rng, COMPLETION_MODES)
            note = self.rng.choice(FOLLOW_ALONG_NOTES)
            task(kind, title, due, placement=placement, done_on=done, mode=mode, note=note)
            first = False
            previous, created = due, done + timedelta(days=1)
            due = next_due_on_or_after(
                program=placement.organisation,
                frequency=frequency,
                start_date=start,
                previous_due=previous,
                earliest=created,
            )
            if rhythm == "monthly" and frequency == FollowAlongPlan.Frequency.STANDARD and done >= start + timedelta(7):
                # Changed at this contact: the weekly one just planned is cancelled, the next is a month on.
                task(kind, title, due, placement=placement, cancel_reason="Rythme de suivi modifié.")
                frequency = plan.frequency = FollowAlongPlan.Frequency.MONTHLY
                due = next_due_on_or_after(
                    program=placement.organisation,
                    frequency=frequency,
                    start_date=start,
                    previous_due=previous,
                    earliest=done,
                )
            elif rhythm == "paused" and done >= self.today - timedelta(days=21):
                # Paused at this contact: the next one, already planned, is cancelled.
                plan.status, plan.status_reason = FollowAlongPlan.Status.PAUSED, PAUSE_REASON
                task(kind, title, due, placement=placement, cancel_reason=f"Suivi mis en pause : {PAUSE_REASON}")
                return plan

    def job_end(
        self, task, placement: Placement, plan: JobSeekerPlan, *, next_placement, written: bool
    ) -> JobEndReport | None:
        """The tasks the job-end handler plans and, if `written`, the report (its task done)."""
        job_seeker, end = placement.job_seeker, placement.end_date
        better_job = placement.end_reason == Placement.EndReason.QUIT_BETTER_JOB
        contact_day = min(self.today, weekday_on_or_before(end + timedelta(days=self.rng.randint(1, 3))))
        task(
            SupportTask.Kind.JOB_END_CONTACT,
            f"Voir {job_seeker.full_name} en face à face après la fin du poste",
            end + timedelta(days=3),
            placement=placement,
            done_on=max(end, contact_day),
            mode=SupportTask.Mode.IN_PERSON,
            note=BETTER_JOB_END_NOTE if better_job else self.rng.choice(JOB_END_NOTES),
        )
        written_on = min(
            self.today, max(contact_day, weekday_on_or_before(end + timedelta(days=self.rng.randint(4, 9))))
        )
        task(
            SupportTask.Kind.JOB_END_REPORT,
            f"Rédiger le bilan de fin de poste ({job_seeker.full_name})",
            end + timedelta(days=7),
            placement=placement,
            done_on=written_on if written else None,
            note="Bilan de fin de poste rédigé." if written else "",
        )
        if not written:
            return None
        closed = job_seeker.status == JobSeeker.Status.CLOSED
        if better_job and next_placement is not None:
            next_job = f"{next_placement.job_title} (déjà trouvé)"
        elif closed:
            next_job = ""
        else:
            next_job = self.job_types[self.rng.choice(plan.archetype["job_types"])].label_fr
        disclosure = job_seeker.disclosure_preference
        texts = dict(JOB_END_REPORTS[placement.end_reason])
        if closed:
            texts["next_steps"] = (
                "Ne souhaite pas reprendre de recherche pour l'instant ; lui proposer un point dans trois mois."
            )
        return JobEndReport(
            placement=placement,
            disclosed={JobSeeker.Disclosure.NONE: False, JobSeeker.Disclosure.UNDECIDED: None}.get(disclosure, True),
            face_to_face_contact_on=max(end, contact_day),
            wants_another_job=not closed,
            next_job_wanted=next_job,
            disclosure_next_time=DISCLOSURE_NEXT_TIME[disclosure],
            written_by=job_seeker.specialist,
            written_on=written_on,
            **texts,
        )

    def create_accommodations(self, tasks, organisation, active, placements) -> int:
        """A few workplace adjustments at every stage, with the tasks their handler plans.
        From "requested" on, only where the worker consented to disclosure."""
        consenting = [
            placement
            for placement in active
            if placement.job_seeker.disclosure_preference in (JobSeeker.Disclosure.PARTIAL, JobSeeker.Disclosure.FULL)
        ]
        used = set()
        count = 0
        for description, final, note in ACCOMMODATIONS:
            needs_consent = final not in (
                Accommodation.Status.IDENTIFIED,
                Accommodation.Status.DISCUSSED,
                Accommodation.Status.DROPPED,
            )
            candidates = [
                placement for placement in (consenting if needs_consent else active) if placement.pk not in used
            ]
            if not candidates:
                continue
            placement = self.rng.choice(candidates)
            used.add(placement.pk)
            if final == Accommodation.Status.DROPPED:
                path = [Accommodation.Status.IDENTIFIED, Accommodation.Status.DISCUSSED, final]
            else:
                path = Accommodation.ORDER[: Accommodation.ORDER.index(final) + 1]
            self.accommodation(tasks, organisation, placement, description, path, note, consents=needs_consent)
            count += 1
        upcoming = [
            placement
            for items in placements
            for placement in items
            if placement.status == Placement.Status.OFFER_ACCEPTED
        ]
        if upcoming:
            description, note = UPCOMING_ACCOMMODATION
            placement = self.rng.choice(upcoming)
            self.accommodation(
                tasks, organisation, placement, description, [Accommodation.Status.IDENTIFIED], note, consents=False
            )
            count += 1
        return count

    def accommodation(self, tasks, organisation, placement, description, path, note, *, consents: bool) -> None:
        gaps = [
            self.rng.randint(25, 35) if status == Accommodation.Status.REVIEWED else self.rng.randint(4, 12)
            for status in path[1:]
        ]
        last_day = self.today - timedelta(days=self.rng.randint(1, 6))
        first_day = max(placement.offer_date, last_day - timedelta(days=sum(gaps)))
        days = [first_day]
        for gap in gaps:
            days.append(min(self.today, days[-1] + timedelta(days=gap)))
        accommodation = Accommodation.objects.create(
            organisation=organisation,
            placement=placement,
            description=description,
            status=path[-1],
            worker_consents_to_disclosure=consents,
            note=note,
        )
        task = self.task_adder(tasks, organisation, placement.job_seeker)
        name = placement.job_seeker.first_name
        pending = None  # (status it follows up, title, due) of the open task
        for status, day in zip(path, days, strict=True):
            if pending is not None:
                followed, title, due = pending
                if status == Accommodation.Status.DROPPED:
                    reason = "L'aménagement n'est plus d'actualité."
                    task(
                        SupportTask.Kind.ACCOMMODATION,
                        title,
                        due,
                        placement=placement,
                        accommodation=accommodation,
                        cancel_reason=reason,
                    )
                else:
                    mode = (
                        SupportTask.Mode.PHONE
                        if followed == Accommodation.Status.REQUESTED
                        else SupportTask.Mode.IN_PERSON
                    )
                    task(
                        SupportTask.Kind.ACCOMMODATION,
                        title,
                        due,
                        placement=placement,
                        accommodation=accommodation,
                        done_on=day,
                        mode=mode,
                        note=ACCOMMODATION_DONE_NOTES[followed],
                    )
                pending = None
            if status in ACCOMMODATION_FOLLOW_UPS:
                title, days_after = ACCOMMODATION_FOLLOW_UPS[status]
                pending = (status, title.format(what=description, name=name), day + timedelta(days=days_after))
        if pending is not None:
            _followed, title, due = pending
            task(SupportTask.Kind.ACCOMMODATION, title, due, placement=placement, accommodation=accommodation)

    def job_search_tasks(self, task, job_seeker: JobSeeker, plan: JobSeekerPlan) -> None:
        self.rapid_search_nudges(task, job_seeker, plan)
        soon = self.today + timedelta(days=self.rng.randint(-2, 12))
        if job_seeker.status == JobSeeker.Status.CLOSED:
            due = plan.status_changes[-1][0]
            task(
                SupportTask.Kind.OTHER, "Relancer un employeur rencontré", due, cancel_reason="Accompagnement clôturé."
            )
            return
        if job_seeker.disclosure_preference == JobSeeker.Disclosure.UNDECIDED:
            task(SupportTask.Kind.DISCLOSURE_CONVERSATION, "Parler de la divulgation aux employeurs", soon)
        upcoming_job = any(placement.status(self.today) != Placement.Status.ENDED for placement in plan.placements)
        # With a job or an offer, work-incentives planning goes with the placement (a benefits step).
        if not upcoming_job and job_seeker.receives_benefits == JobSeeker.Benefits.YES and self.rng.random() < 0.5:
            task(
                SupportTask.Kind.BENEFITS_PLANNING,
                "Simulation de revenus (AAH / prime d'activité)",
                self.today + timedelta(days=self.rng.randint(0, 21)),
            )

    # -- job development: employer contacts ----------------------------------------
    # Planned in memory before the job seekers are written, so that each job seeker's
    # first face-to-face employer contact is known when they are created, and written
    # directly, as jobdev/services.py and jobdev/handlers.py would have left them.

    def plan_employer_contacts(self, plans: list[JobSeekerPlan], specialists: list[User], leader: User) -> None:
        self.plans = plans
        self.stretches = [plan.search_stretches() for plan in plans]
        self.caseloads = {
            specialist.pk: [index for index, plan in enumerate(plans) if plan.specialist_index == position]
            for position, specialist in enumerate(specialists)
        }
        with_placement = {placement.employer_index for plan in plans for placement in plan.placements}
        sheltered = {index for index, employer in enumerate(EMPLOYERS) if employer[0] == SHELTERED_EMPLOYER}
        others = [index for index in range(len(EMPLOYERS)) if index not in with_placement | sheltered]
        never = set(self.rng.sample(others, k=min(NEVER_CONTACTED_EMPLOYERS, len(others))))
        # Job development looks for ordinary jobs: not the sheltered employer's reserved posts.
        self.prospects = [index for index in range(len(EMPLOYERS)) if index not in never | sheltered]
        for index, plan in enumerate(plans):
            self.placement_visits(index, specialists[plan.specialist_index])
        for index, plan in enumerate(plans):
            self.first_visits(index, specialists[plan.specialist_index])
        self.weekly_contacts(specialists, leader)
        self.upcoming_contacts(specialists, leader)
        self.contacts.sort(key=lambda contact: contact.starts_at)  # stable: ties keep their planning order
        held: dict[int, int] = {}
        for contact in self.contacts:  # what suggested_nature proposes, from the held contacts before
            count = held.get(contact.employer_index, 0)
            contact.nature = [
                EmployerContact.Nature.FIRST,
                EmployerContact.Nature.SECOND,
                EmployerContact.Nature.ONGOING,
            ][min(count, 2)]
            if contact.status == EmployerContact.Status.HELD:
                held[contact.employer_index] = count + 1
        # Disclosure is discussed before any employer is approached on someone's behalf.
        for contact in self.contacts:
            if contact.status == EmployerContact.Status.PLANNED:
                continue
            for index in contact.job_seekers:
                if plans[index].disclosure == JobSeeker.Disclosure.UNDECIDED:
                    plans[index].disclosure = JobSeeker.Disclosure.PARTIAL
        self.choose_openings()
        for contact in self.contacts:
            self.fill_outcome(contact)
        for index, plan in enumerate(plans):
            first = self.first_face_to_face(index, plan.job_search_since)
            plan.first_employer_contact_on = first.day if first else None

    def first_face_to_face(self, index: int, since: date) -> ContactPlan | None:
        """The first held face-to-face contact on behalf of job seeker `index` on or after
        `since` (jobdev.handlers.start_the_rapid_search_clock)."""
        for contact in self.contacts:  # sorted by start
            if contact.counts_for_rapid_search and index in contact.job_seekers and contact.day >= since:
                return contact
        return None

    @staticmethod
    def weekdays(low: date, high: date) -> list[date]:
        days = (low + timedelta(days=offset) for offset in range((high - low).days + 1))
        return [day for day in days if day.weekday() < 5]

    def this_monday(self) -> date:
        return self.today - timedelta(days=self.today.weekday())

    def is_free(self, user: User, start: datetime, end: datetime, visit: bool) -> bool:
        """No overlap with the user's other contacts that day, with time to travel between visits."""
        for other_start, other_end, other_visit in self.busy.get((user.pk, start.date()), []):
            margin = timedelta(minutes=45 if visit and other_visit else 15)
            if start < other_end + margin and other_start < end + margin:
                return False
        return True

    def reserve(self, user: User, day: date, start_time: time, minutes: int, *, visit: bool):
        start = datetime.combine(day, start_time, self.zone)
        end = start + timedelta(minutes=minutes)
        self.busy.setdefault((user.pk, day), []).append((start, end, visit))
        return start, end

    def book(self, user: User, days: list[date], minutes: int, *, visit: bool, future: bool = False):
        """A free slot on the first of `days` that has one: over before now (a past
        contact) or starting an hour from now at least (a planned one)."""
        starts = VISIT_STARTS if visit else CALL_STARTS
        for day in days:
            for start_time in self.rng.sample(starts, k=len(starts)):
                start = datetime.combine(day, start_time, self.zone)
                end = start + timedelta(minutes=minutes)
                if (start < self.now + timedelta(hours=1)) if future else (end > self.now):
                    continue
                if self.is_free(user, start, end, visit):
                    return self.reserve(user, day, start_time, minutes, visit=visit)
        return None

    @staticmethod
    def nearest_first(days: list[date], day: date) -> list[date]:
        return sorted(days, key=lambda other: (abs((other - day).days), other))

    def fit(self, index: int, employer_index: int) -> int:
        """How well an employer's jobs fit job seeker `index`'s preference: 3 a wanted job
        type, 1 a wanted industry, 0 otherwise or when all its jobs are ones to avoid."""
        plan = self.plans[index]
        _name, section, _size, _postcode, _description, jobs = EMPLOYERS[employer_index]
        codes = {code for _title, code in jobs}
        if codes <= set(plan.avoided_job_types):
            return 0
        if codes & set(plan.wanted_job_types):
            return 3
        return 1 if section in plan.wanted_industries else 0

    def fitting_employer(
        self, user: User, indices: list[int], pool: list[int] | None = None, *, around: date | None = None
    ) -> int:
        """An employer whose jobs fit the job seekers, preferably one the user already knows,
        and not one the user sees within two days of `around` anyway."""
        pool = pool or self.prospects
        if around is not None:
            pool = [employer for employer in pool if not self.seen_around(user, employer, around)] or pool
        weights = [
            max((self.fit(index, employer) for index in indices), default=0)
            * (2 if (user.pk, employer) in self.visited else 1)
            for employer in pool
        ]
        if not any(weights):
            return self.rng.choice(pool)
        return self.rng.choices(pool, weights=weights)[0]

    def seen_around(self, user: User, employer: int, day: date) -> bool:
        return any(abs((other - day).days) <= 2 for other in self.contact_days.get((user.pk, employer), []))

    def in_job_search(self, index: int, day: date, *, held_visit: bool) -> bool:
        """Whether job development goes on for job seeker `index` on `day`: in job search
        for two days at least, no offer accepted yet. A held visit comes after the first
        visit planned for the stretch, and never for those still waiting for one."""
        plan = self.plans[index]
        if held_visit and plan.waiting:
            return False
        for start, until in self.stretches[index]:
            if start + timedelta(days=2) <= day and (until is None or day < until):
                first = plan.first_visits.get(start)
                return not held_visit or first is None or day > first
        return False

    def face_to_face_mode(self, index: int, *, held: bool = True) -> str:
        """Someone who does not want their condition disclosed meets employers themselves,
        prepared with the specialist; others now and then too."""
        if self.plans[index].disclosure == JobSeeker.Disclosure.NONE and self.rng.random() < 0.8:
            return EmployerContact.Mode.JOB_SEEKER
        if held and self.rng.random() < JOB_SEEKER_MADE_CONTACT_SHARE:
            return EmployerContact.Mode.JOB_SEEKER
        return EmployerContact.Mode.IN_PERSON

    def second_job_seeker(self, candidates: list[int], primary: int, employer: int, share: float) -> list[int]:
        """A visit on behalf of two job seekers whose wishes fit the employer, when both
        agree to the specialist speaking for them."""
        if self.rng.random() >= share:
            return [primary]
        others = [
            index
            for index in candidates
            if index != primary
            and self.fit(index, employer)
            and self.plans[index].disclosure != JobSeeker.Disclosure.NONE
        ]
        if not others or self.plans[primary].disclosure == JobSeeker.Disclosure.NONE:
            return [primary]
        return [primary, self.rng.choice(others)]

    def searching_now(self, index: int) -> bool:
        return self.plans[index].status == JobSeeker.Status.JOB_SEARCH and self.stretches[index][-1][1] is None

    def add_contact(
        self,
        user: User,
        employer_index: int,
        when: tuple[datetime, datetime],
        *,
        mode: str = EmployerContact.Mode.IN_PERSON,
        purpose: str = EmployerContact.Purpose.ON_BEHALF,
        status: str = EmployerContact.Status.HELD,
        job_seekers: list[int] | None = None,
        main_site: bool = False,
        **extra,
    ) -> ContactPlan:
        sites = self.employer_sites[employer_index]
        site = None  # a call or an email has no place
        if mode in EmployerContact.FACE_TO_FACE_MODES:
            site = sites[0] if main_site or len(sites) == 1 or self.rng.random() < 0.8 else sites[1]
        people = self.employer_people.get(employer_index, [])
        person = None
        if people and (mode != EmployerContact.Mode.JOB_SEEKER or self.rng.random() < 0.5):
            person = people[0] if len(people) == 1 or self.rng.random() < 0.7 else self.rng.choice(people[1:])
        if status == EmployerContact.Status.PLANNED:
            sequence = 1 if self.rng.random() < 0.15 else 0  # now and then rescheduled once
        else:
            sequence = 2 if mode == EmployerContact.Mode.IN_PERSON and self.rng.random() < 0.1 else 1
        contact = ContactPlan(
            specialist=user,
            employer_index=employer_index,
            site=site,
            contact_person=person,
            starts_at=when[0],
            ends_at=when[1],
            mode=mode,
            purpose=purpose,
            status=status,
            job_seekers=list(job_seekers or []),
            sequence=sequence,
            **extra,
        )
        if status == EmployerContact.Status.CANCELLED and not contact.cancel_reason:
            contact.cancel_reason = self.rng.choice(CANCEL_REASONS)
        self.contacts.append(contact)
        for index in contact.job_seekers:
            self.contact_counts[index] = self.contact_counts.get(index, 0) + 1
        self.visited.add((user.pk, employer_index))
        self.contacted.add(employer_index)
        self.contact_days.setdefault((user.pk, employer_index), []).append(contact.day)
        return contact

    def placement_visits(self, index: int, user: User) -> None:
        """One or two visits to the employer on the job seeker's behalf before each offer:
        no job without employer contacts."""
        plan = self.plans[index]
        yesterday = self.today - timedelta(days=1)
        for placement in plan.placements:
            offer = placement.offer_date
            stretch = next(
                (
                    start
                    for start, until in self.stretches[index]
                    if start <= offer and (until is None or offer <= until)
                ),
                None,
            )
            if stretch is not None:
                low = max(offer - timedelta(days=35), stretch + timedelta(days=1))
            else:  # a better job found while working
                started = [
                    other.start_date for other in plan.placements if other.start_date and other.start_date < offer
                ]
                low = max(offer - timedelta(days=35), max(started, default=offer) + timedelta(days=7))
            high = min(offer - timedelta(days=1), yesterday)
            days = self.weekdays(min(low, high), high) or [weekday_on_or_before(high)]
            count = 2 if len(days) >= 5 and self.rng.random() < 0.65 else 1
            chosen = sorted(self.rng.sample(days, k=count))
            for position, day in enumerate(chosen):
                when = self.book(user, self.nearest_first(days, day), self.rng.choice(VISIT_MINUTES), visit=True)
                if when is None:
                    continue
                self.add_contact(
                    user,
                    placement.employer_index,
                    when,
                    mode=self.face_to_face_mode(index),
                    job_seekers=[index],
                    main_site=True,
                    placement=placement,
                    offer_coming=position == count - 1,
                )

    def first_visits(self, index: int, user: User) -> None:
        """The first face-to-face employer contact of each job-search stretch: mostly
        within the IPS 30 days, now and then later for the specialist with less time."""
        plan = self.plans[index]
        if plan.waiting:
            return
        yesterday = self.today - timedelta(days=1)
        for start, until in self.stretches[index]:
            earlier = [
                contact.day
                for contact in self.contacts
                if index in contact.job_seekers
                and contact.counts_for_rapid_search
                and start <= contact.day
                and (until is None or contact.day < until)
            ]
            last = yesterday if until is None else min(until - timedelta(days=1), yesterday)
            if (last - start).days < 3:
                if earlier:
                    plan.first_visits[start] = min(earlier)
                continue
            late = user.username == "specialist3" and self.rng.random() < 0.3
            target = start + timedelta(days=self.rng.randint(25, 38) if late else self.rng.randint(4, 20))
            if target > last:
                target = start + timedelta(days=self.rng.randint(3, min(13, (last - start).days)))
            if earlier and min(earlier) <= target:  # a visit towards the job offered came first
                plan.first_visits[start] = min(earlier)
                continue
            days = self.weekdays(start + timedelta(days=2), last)
            when = self.book(user, self.nearest_first(days, target), self.rng.choice(VISIT_MINUTES), visit=True)
            if when is None:
                continue
            employer = self.fitting_employer(user, [index], around=when[0].date())
            contact = self.add_contact(user, employer, when, mode=self.face_to_face_mode(index), job_seekers=[index])
            plan.first_visits[start] = contact.day

    def weekly_contacts(self, specialists: list[User], leader: User) -> None:
        """Sixteen weeks and the current one, up to now; everyone takes a week off."""
        weeks = [self.this_monday() - timedelta(weeks=count) for count in range(CONTACT_WEEKS, -1, -1)]
        for user in [*specialists, leader]:
            week_off = self.rng.choice(weeks[1:-4])
            for monday in weeks:
                if monday == week_off:
                    continue
                days = [monday + timedelta(days=offset) for offset in range(5)]
                if user == leader:
                    self.leader_week(user, days)
                else:
                    self.specialist_week(user, days)

    def specialist_week(self, user: User, days: list[date]) -> None:
        target = self.rng.choice(WEEKLY_VISITS[user.username])
        already = sum(
            1
            for contact in self.contacts
            if contact.specialist == user and contact.counts_for_rapid_search and days[0] <= contact.day <= days[-1]
        )
        for _ in range(target - already):
            self.visit_on_behalf(user, self.rng.choice(days))
        for _ in range(weighted(self.rng, RELATIONSHIP_VISITS)):
            self.relationship_visit(user, self.rng.choice(days))
        for _ in range(self.rng.randint(1, 3)):
            self.call(user, self.rng.choice(days))
        if self.rng.random() < 0.3:
            self.visit_on_behalf(user, self.rng.choice(days), status=EmployerContact.Status.CANCELLED)
        if self.rng.random() < 0.12:
            self.visit_on_behalf(user, self.rng.choice(days), status=EmployerContact.Status.NO_SHOW)

    def leader_week(self, user: User, days: list[date]) -> None:
        """The team leader builds relationships with employers for the team."""
        for _ in range(weighted(self.rng, LEADER_RELATIONSHIP_VISITS)):
            self.relationship_visit(user, self.rng.choice(days))
        if self.rng.random() < 0.5:
            self.call(user, self.rng.choice(days))
        if self.rng.random() < 0.1:
            self.relationship_visit(user, self.rng.choice(days), status=EmployerContact.Status.CANCELLED)

    def visit_on_behalf(self, user: User, day: date, *, status: str = EmployerContact.Status.HELD) -> None:
        if day > self.today:
            return
        held = status == EmployerContact.Status.HELD
        eligible = [index for index in self.caseloads[user.pk] if self.in_job_search(index, day, held_visit=held)]
        if not eligible:
            return
        weights = [1 / (1 + self.contact_counts.get(index, 0)) for index in eligible]
        primary = self.rng.choices(eligible, weights=weights)[0]
        employer = self.fitting_employer(user, [primary], around=day)
        mode = self.face_to_face_mode(primary, held=held)
        job_seekers = [primary]
        if mode == EmployerContact.Mode.IN_PERSON:
            job_seekers = self.second_job_seeker(eligible, primary, employer, SECOND_JOB_SEEKER_SHARE)
        when = self.book(user, [day], self.rng.choice(VISIT_MINUTES), visit=True)
        if when is not None:
            self.add_contact(user, employer, when, mode=mode, status=status, job_seekers=job_seekers)

    def relationship_visit(self, user: User, day: date, *, status: str = EmployerContact.Status.HELD) -> None:
        if day > self.today:
            return
        new = [employer for employer in self.prospects if employer not in self.contacted]
        pool = new if new and self.rng.random() < 0.5 else self.prospects
        employer = self.rng.choice([other for other in pool if not self.seen_around(user, other, day)] or pool)
        when = self.book(user, [day], self.rng.choice(VISIT_MINUTES[1:]), visit=True)
        if when is None:
            return
        reason = self.rng.choice(CANCEL_REASONS[:-1]) if status == EmployerContact.Status.CANCELLED else ""
        self.add_contact(
            user, employer, when, purpose=EmployerContact.Purpose.RELATIONSHIP, status=status, cancel_reason=reason
        )

    def call(self, user: User, day: date) -> None:
        """A phone call, email or video call, logged after the fact (15 minutes)."""
        if day > self.today:
            return
        mode = weighted(self.rng, CALL_MODES)
        job_seekers = []
        if self.rng.random() < 0.55:
            eligible = [
                index
                for index in self.caseloads.get(user.pk, [])
                if self.in_job_search(index, day, held_visit=False)
                and self.plans[index].disclosure != JobSeeker.Disclosure.NONE
            ]
            if eligible:
                job_seekers = [self.rng.choice(eligible)]
        if job_seekers:
            known = [
                employer
                for employer in self.prospects
                if (user.pk, employer) in self.visited and self.fit(job_seekers[0], employer)
            ]
            employer = self.rng.choice(known) if known else self.fitting_employer(user, job_seekers)
        else:
            known = [employer for employer in self.prospects if employer in self.contacted]
            employer = self.rng.choice(known or self.prospects)
        when = self.book(user, [day], LOGGED_CALL_MINUTES, visit=False)
        if when is None:
            return
        purpose = EmployerContact.Purpose.ON_BEHALF if job_seekers else EmployerContact.Purpose.RELATIONSHIP
        self.add_contact(user, employer, when, mode=mode, purpose=purpose, job_seekers=job_seekers)

    def upcoming_contacts(self, specialists: list[User], leader: User) -> None:
        """What is planned for the rest of this week and the next: visits on behalf of the
        job seekers searching now (first those still waiting for one), a few
        relationship visits, one visit already cancelled."""
        next_monday = self.this_monday() + timedelta(weeks=1)
        days = self.weekdays(self.today, next_monday + timedelta(days=4))
        this_week = [day for day in days if day < next_monday]
        next_week = [day for day in days if day >= next_monday]
        self.planner_warnings(specialists[0], days)
        for position, user in enumerate(specialists):
            searching = [index for index in self.caseloads[user.pk] if self.searching_now(index)]
            if not searching:
                continue
            per_day = [(1, 2), (0, 2), (0, 1)][position]
            visit_days = [day for day in this_week for _ in range(self.rng.randint(*per_day))]
            coming = UPCOMING_VISITS[user.username] + self.rng.randint(-1, 1)
            visit_days += [self.rng.choice(next_week) for _ in range(coming)]
            waiting = [index for index in searching if self.plans[index].waiting]
            for count, day in enumerate(sorted(visit_days)):
                if count < len(waiting):
                    primary = waiting[count]
                else:
                    weights = [1 / (1 + self.contact_counts.get(index, 0)) for index in searching]
                    primary = self.rng.choices(searching, weights=weights)[0]
                employer = self.fitting_employer(user, [primary], around=day)
                mode = self.face_to_face_mode(primary, held=False)
                job_seekers = [primary]
                if mode == EmployerContact.Mode.IN_PERSON:
                    job_seekers = self.second_job_seeker(searching, primary, employer, 0.2)
                minutes = self.rng.choice(VISIT_MINUTES)
                when = self.book(user, self.nearest_first(days, day)[:3], minutes, visit=True, future=True)
                if when is not None:
                    self.add_contact(
                        user, employer, when, mode=mode, status=EmployerContact.Status.PLANNED, job_seekers=job_seekers
                    )
            if self.rng.random() < 0.5:
                self.planned_relationship_visit(user, next_week)
            if position == 1:  # the employer asked to move a visit; a new date is to be found
                weights = [1 / (1 + self.contact_counts.get(index, 0)) for index in searching]
                primary = self.rng.choices(searching, weights=weights)[0]
                when = self.book(user, next_week, 45, visit=True, future=True)
                if when is not None:
                    self.add_contact(
                        user,
                        self.fitting_employer(user, [primary]),
                        when,
                        status=EmployerContact.Status.CANCELLED,
                        job_seekers=[primary],
                        cancel_reason=CANCEL_REASONS[0],
                    )
        for day in this_week:
            if self.rng.random() < 0.3:
                self.planned_relationship_visit(leader, [day])
        for _ in range(2):
            self.planned_relationship_visit(leader, next_week)

    def planned_relationship_visit(self, user: User, days: list[date]) -> None:
        if not days:
            return
        new = [employer for employer in self.prospects if employer not in self.contacted]
        employer = self.rng.choice(new or self.prospects)
        when = self.book(user, self.rng.sample(days, k=len(days)), 60, visit=True, future=True)
        if when is not None and not self.seen_around(user, employer, when[0].date()):
            self.add_contact(
                user,
                employer,
                when,
                purpose=EmployerContact.Purpose.RELATIONSHIP,
                status=EmployerContact.Status.PLANNED,
            )

    def planner_warnings(self, user: User, days: list[date]) -> None:
        """Specialist 1's coming days show what the week planner warns about: two visits
        in different towns with too little time to travel between them, and an overlap."""
        soon = self.now + timedelta(hours=1)
        searching = [
            index
            for index in self.caseloads[user.pk]
            if self.searching_now(index) and self.plans[index].disclosure != JobSeeker.Disclosure.NONE
        ]
        in_town = [employer for employer in self.prospects if EMPLOYERS[employer][3].startswith("130")]
        out_of_town = [employer for employer in self.prospects if not EMPLOYERS[employer][3].startswith("130")]

        def visit(day, start, minutes, pool):
            job_seekers = [self.rng.choice(searching)] if searching else []
            employer = self.fitting_employer(user, job_seekers, pool, around=day)
            self.add_contact(
                user,
                employer,
                self.reserve(user, day, start, minutes, visit=True),
                purpose=EmployerContact.Purpose.ON_BEHALF if job_seekers else EmployerContact.Purpose.RELATIONSHIP,
                status=EmployerContact.Status.PLANNED,
                job_seekers=job_seekers,
                main_site=True,
            )

        mornings = [day for day in days if datetime.combine(day, time(9, 30), self.zone) >= soon]
        if not mornings:
            return
        travel_day = mornings[0]
        visit(travel_day, time(9, 30), 60, in_town)  # ends 10:30 in Marseille...
        visit(travel_day, time(10, 45), 45, out_of_town)  # ...15 minutes to reach another town
        afternoons = [day for day in days if day > travel_day and datetime.combine(day, time(14), self.zone) >= soon]
        if not afternoons:
            return
        overlap_day = afternoons[0]
        visit(overlap_day, time(14), 60, self.prospects)
        known = [
            employer
            for employer in self.prospects
            if employer in self.contacted and not self.seen_around(user, employer, overlap_day)
        ]
        self.add_contact(
            user,
            self.rng.choice(known or self.prospects),
            self.reserve(user, overlap_day, time(14, 30), 30, visit=False),
            mode=EmployerContact.Mode.VIDEO,
            purpose=EmployerContact.Purpose.RELATIONSHIP,
            status=EmployerContact.Status.PLANNED,
        )

    # -- what was learned at each contact ----------------------------------------

    def choose_openings(self) -> None:
        """About 25 job openings, each learned of at or after a held contact with the
        employer in the last sixteen weeks: the jobs our job seekers got (filled), and
        others, open, filled or closed."""
        window = self.this_monday() - timedelta(weeks=CONTACT_WEEKS)
        taken: set[int] = set()
        for contact in self.contacts:
            placement = contact.placement
            if (
                placement is None
                or not placement.is_competitive
                or contact.day < window
                or contact.status != EmployerContact.Status.HELD
                or contact.employer_index in taken
            ):
                continue
            taken.add(contact.employer_index)
            opening = {
                "employer_index": contact.employer_index,
                "specialist": contact.specialist,
                "title": placement.job_title,
                "code": placement.job_type_code,
                "hours": int(placement.hours_per_week),
                "shifts": self.rng.choice(OPENING_SHIFTS),
                "pay": placement.hourly_pay,
                "status": JobOpening.Status.FILLED,
                "source": JobOpening.Source.EMPLOYER_CONTACT,
                "learned_on": contact.day,
                "note": OUR_HIRE_NOTE,
            }
            contact.opening = opening
            self.openings.append(opening)
        candidates = [
            contact
            for contact in self.contacts
            if contact.status == EmployerContact.Status.HELD
            and contact.mode in EmployerContact.FACE_TO_FACE_MODES
            and contact.day >= window
            and contact.placement is None
        ]
        # Half of them learned of in the last six weeks, most still open.
        recent = [contact for contact in candidates if (self.today - contact.day).days <= 42]
        older = [contact for contact in candidates if (self.today - contact.day).days > 42]
        self.rng.shuffle(recent)
        self.rng.shuffle(older)
        candidates = [contact for pair in zip_longest(recent, older) for contact in pair if contact is not None]
        drawn = {True: 0, False: 0}  # openings drawn so far, older and recent
        for contact in candidates:
            if len(self.openings) >= JOB_OPENINGS:
                break
            if contact.employer_index in taken:
                continue
            taken.add(contact.employer_index)
            jobs = EMPLOYERS[contact.employer_index][5]
            wanted = {code for index in contact.job_seekers for code in self.plans[index].wanted_job_types}
            title, code = self.rng.choice([job for job in jobs if job[1] in wanted] or jobs)
            source = weighted(self.rng, OPENING_SOURCES)
            learned_on = contact.day
            if source != JobOpening.Source.EMPLOYER_CONTACT:  # heard of later, elsewhere
                learned_on = min(self.today, contact.day + timedelta(days=self.rng.randint(1, 10)))
            # Older ones were mostly closed or filled since; recent ones are mostly open.
            older = (self.today - learned_on).days > 42
            statuses = OLDER_OPENING_STATUSES if older else RECENT_OPENING_STATUSES
            status = statuses[drawn[older] % len(statuses)]
            drawn[older] += 1
            person = contact.contact_person.name if contact.contact_person else "la direction"
            opening = {
                "employer_index": contact.employer_index,
                "specialist": contact.specialist,
                "title": title,
                "code": code,
                "hours": self.rng.choice(OPENING_HOURS),
                "shifts": self.rng.choice(OPENING_SHIFTS),
                "pay": Decimal(self.rng.randint(1188, 1450)) / 100,
                "status": status,
                "source": source,
                "learned_on": learned_on,
                "note": self.rng.choice(OPENING_NOTES[status]).format(person=person),
            }
            if source == JobOpening.Source.EMPLOYER_CONTACT:
                contact.opening = opening
            self.openings.append(opening)

    def fill_outcome(self, contact: ContactPlan) -> None:
        """What the specialist recorded: the outcome of a held contact (hiring needs,
        process, best time to apply, result, next step), a no-show's, or the next step
        of a planned one."""
        rng = self.rng
        names = " et ".join(self.plans[index].first_name for index in contact.job_seekers)
        person = contact.contact_person.name if contact.contact_person else "la direction"
        jobs = EMPLOYERS[contact.employer_index][5]
        de_job = of_job(rng.choice(jobs)[0])
        outcome = {}
        if contact.status == EmployerContact.Status.PLANNED:
            if contact.job_seekers:
                outcome["next_step"] = PLANNED_NEXT_STEP.format(names=names)
        elif contact.status == EmployerContact.Status.NO_SHOW:
            step, days = NO_SHOW_NEXT_STEP
            outcome.update(
                result=rng.choice(NO_SHOW_RESULTS).format(person=person),
                next_step=step,
                next_step_on=weekday_on_or_after(contact.day + timedelta(days=days)),
            )
        elif contact.status == EmployerContact.Status.HELD:
            face_to_face = contact.mode in EmployerContact.FACE_TO_FACE_MODES
            on_behalf = contact.purpose == EmployerContact.Purpose.ON_BEHALF
            if contact.contact_person is not None:
                outcome["met_hiring_authority"] = contact.contact_person.has_hiring_authority
            opening = contact.opening
            if opening is not None:
                outcome["learned_hiring_needs"] = OPENING_NEEDS.format(
                    de_job=of_job(opening["title"]),
                    hours=opening["hours"],
                    shifts=" et ".join(SHIFT_WORDS[shift] for shift in opening["shifts"]),
                )
                contact.learned_job_types = [opening["code"]]
            elif face_to_face or rng.random() < 0.4:
                outcome["learned_hiring_needs"] = rng.choice(HIRING_NEEDS).format(de_job=de_job)
            if face_to_face and rng.random() < 0.4:
                codes = list(dict.fromkeys(code for _title, code in jobs))
                extra = rng.sample(codes, k=rng.randint(1, len(codes)))
                contact.learned_job_types = list(dict.fromkeys(contact.learned_job_types + extra))
            if face_to_face and rng.random() < 0.6:
                role = lower_first(contact.contact_person.role) if contact.contact_person else "la direction"
                outcome["learned_hiring_process"] = rng.choice(HIRING_PROCESSES).format(role=f"{person} ({role})")
            if face_to_face and rng.random() < 0.5:
                outcome["best_time_to_apply"] = rng.choice(BEST_TIMES)
            if contact.offer_coming:
                result = OFFER_COMING_RESULT.format(names=names, de_job=of_job(contact.placement.job_title))
            elif contact.mode == EmployerContact.Mode.JOB_SEEKER:
                result = rng.choice(JOB_SEEKER_MADE_CONTACT_RESULTS)
            elif contact.mode == EmployerContact.Mode.IN_PERSON and on_behalf:
                result = rng.choice(ON_BEHALF_RESULTS)
            elif contact.mode == EmployerContact.Mode.IN_PERSON:
                first = contact.nature == EmployerContact.Nature.FIRST
                result = rng.choice(FIRST_RELATIONSHIP_RESULTS if first else RELATIONSHIP_RESULTS)
            else:
                result = rng.choice(CALL_RESULTS[contact.mode] if on_behalf else RELATIONSHIP_CALL_RESULTS)
            outcome["result"] = result.format(names=names, person=person)
            step = None
            if contact.offer_coming:
                step = OFFER_COMING_NEXT_STEP
            elif rng.random() < 0.7:
                step = rng.choice(ON_BEHALF_NEXT_STEPS if on_behalf else RELATIONSHIP_NEXT_STEPS)
            if step is not None:
                text, days = step
                first_name = self.plans[contact.job_seekers[0]].first_name if contact.job_seekers else ""
                outcome["next_step"] = text.format(person=person, name=first_name)
                outcome["next_step_on"] = weekday_on_or_after(contact.day + timedelta(days=days))
        contact.outcome = outcome

    # -- writing it -----------------------------------------------------------------

    def create_employer_contacts(self, organisation, employers, job_seekers) -> int:
        rows = [
            EmployerContact(
                organisation=organisation,
                specialist=contact.specialist,
                employer=employers[contact.employer_index],
                site=contact.site,
                contact_person=contact.contact_person,
                status=contact.status,
                mode=contact.mode,
                nature=contact.nature,
                purpose=contact.purpose,
                starts_at=contact.starts_at,
                ends_at=contact.ends_at,
                cancel_reason=contact.cancel_reason,
                sequence=contact.sequence,
                **contact.outcome,
            )
            for contact in self.contacts
        ]
        EmployerContact.objects.bulk_create(rows)
        for_whom = EmployerContact.job_seekers.through
        learned = EmployerContact.learned_job_types.through
        for_whom.objects.bulk_create(
            [
                for_whom(employercontact_id=row.pk, jobseeker_id=job_seekers[index].pk)
                for row, contact in zip(rows, self.contacts, strict=True)
                for index in contact.job_seekers
            ]
        )
        learned.objects.bulk_create(
            [
                learned(employercontact_id=row.pk, jobtype_id=self.job_types[code].pk)
                for row, contact in zip(rows, self.contacts, strict=True)
                for code in contact.learned_job_types
            ]
        )
        return len(rows)

    def set_relationship_stages(self, employers: list[Employer]) -> None:
        """As jobdev.handlers.move_relationship_forward leaves them: introduced after a held
        contact, a relationship after two face-to-face ones; has hired stays."""
        held: dict[int, int] = {}
        face_to_face: dict[int, int] = {}
        for contact in self.contacts:
            if contact.status == EmployerContact.Status.HELD:
                held[contact.employer_index] = held.get(contact.employer_index, 0) + 1
                if contact.mode in EmployerContact.FACE_TO_FACE_MODES:
                    face_to_face[contact.employer_index] = face_to_face.get(contact.employer_index, 0) + 1
        stages: dict[str, list[int]] = {}
        for index, employer in enumerate(employers):
            if employer.relationship_stage == Employer.RelationshipStage.HAS_HIRED or not held.get(index):
                continue
            if face_to_face.get(index, 0) >= 2:
                employer.relationship_stage = Employer.RelationshipStage.RELATIONSHIP
            else:
                employer.relationship_stage = Employer.RelationshipStage.INTRODUCED
            stages.setdefault(employer.relationship_stage, []).append(employer.pk)
        for stage, pks in stages.items():
            Employer.objects.filter(pk__in=pks).update(relationship_stage=stage)

    def create_job_openings(self, employers: list[Employer]) -> int:
        openings = [
            JobOpening(
                employer=employers[opening["employer_index"]],
                site=self.employer_sites[opening["employer_index"]][0],
                title=opening["title"],
                job_type=self.job_types[opening["code"]],
                hours_per_week=opening["hours"],
                shifts=opening["shifts"],
                hourly_pay=opening["pay"],
                status=opening["status"],
                source=opening["source"],
                learned_on=opening["learned_on"],
                note=opening["note"],
                created_by=opening["specialist"],
            )
            for opening in self.openings
        ]
        JobOpening.objects.bulk_create(openings)
        return len(openings)

    # -- rapid job search --------------------------------------------------------------

    def rapid_search_nudges(self, task, job_seeker: JobSeeker, plan: JobSeekerPlan) -> None:
        """The nudges jobdev.nudges.rapid_search_nudge sent on day 14 and 21 of each time in
        job search without a face-to-face employer contact, with their tasks: done once
        the visit happened or the person checked in, still open for the latest."""
        index = next(position for position, other in enumerate(self.plans) if other is plan)
        marks = nudge_days(job_seeker.organisation)
        for start, left in plan.search_periods():
            first = self.first_face_to_face(index, start)
            due_marks = [
                mark
                for mark in marks
                if start + timedelta(days=mark) <= self.today
                and (left is None or start + timedelta(days=mark) < left)
                and (first is None or start + timedelta(days=mark) < first.day)
            ]
            for position, mark in enumerate(due_marks):
                due = start + timedelta(days=mark)
                self.nudges.append((JobSearchNudge(job_seeker=job_seeker, job_search_since=start, day=mark), due))
                title = NUDGE_TITLE.format(day=mark, name=job_seeker.full_name)
                kind = SupportTask.Kind.JOB_SEARCH_NUDGE
                if first is not None:
                    note = NUDGE_DONE_NOTE.format(employer=EMPLOYERS[first.employer_index][0], name=plan.first_name)
                    task(kind, title, due, done_on=first.day, mode=SupportTask.Mode.IN_PERSON, note=note)
                elif left is not None:
                    task(kind, title, due, cancel_reason="N'est plus en recherche d'emploi.")
                elif position < len(due_marks) - 1:
                    next_due = start + timedelta(days=due_marks[position + 1])
                    done = self.done_on(due, due, latest=next_due)
                    note = NUDGE_CHECKED_NOTE.format(name=plan.first_name)
                    task(kind, title, due, done_on=done, mode=SupportTask.Mode.IN_PERSON, note=note)
                else:
                    task(kind, title, due)

    def create_nudges(self) -> int:
        JobSearchNudge.objects.bulk_create([nudge for nudge, _due in self.nudges])
        for nudge, due in self.nudges:  # sent by the scheduler's morning run on the day
            sent = min(datetime.combine(due, NUDGE_HOUR, self.zone), self.now)
            JobSearchNudge.objects.filter(pk=nudge.pk).update(created_at=sent)
        return len(self.nudges)
