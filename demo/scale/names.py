"""Small French name, place and wording lists: realistic enough for pages, lists
and searches (trigram search needs varied names), small enough to read."""

FIRST_NAMES = (  # noqa: SIM905 - a list read as prose
    "Camille Léa Manon Chloé Sarah Inès Julie Marion Laura Émilie Nathalie Sandrine Céline Audrey Mélanie "
    "Aurélie Karine Élodie Yasmina Samira Lina Océane Anaïs Justine Coralie Magali Fanny Sabrina Thomas "
    "Nicolas Maxime Kévin Romain Alexandre Mathieu Sébastien Jérémy Anthony Florian Guillaume Laurent "
    "Stéphane Fabrice Cédric Karim Mehdi Yanis Rayan Lucas Hugo Théo Enzo Nathan Louis Jules Paul Antoine "
    "Pierre Julien David Olivier Franck Bruno Patrick Sylvie Isabelle Christine Valérie Sophie Agnès Hélène"
).split()

LAST_NAMES = (  # noqa: SIM905 - a list read as prose
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre Leroy "
    "Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller "
    "Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia "
    "Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont "
    "Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard "
    "Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre "
    "Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet "
    "Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis "
    "Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier "
    "Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé "
    "Schneider Fernandez Legall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Cousin "
    "Germain Breton Besson Langlois Rémy Legoff Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal "
    "Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin Poulain "
    "Tessier Chevallier Collin Chauvin Dasilva Bouchet Gay Lemaître Bénard Marécha Gosselin Laine Benali "
    "Haddad Mansouri Belkacem Nguyen Tran Diallo Traoré Camara Diop Ferreira Pereira Rodrigues"
).split()

#: (town, postcode, latitude, longitude): where teams work; employers and job
#: seekers live within a few kilometres of their team's town.
TOWNS = (
    ("Paris", "75011", 48.8589, 2.3795),
    ("Marseille", "13001", 43.2999, 5.3841),
    ("Lyon", "69003", 45.7597, 4.8522),
    ("Toulouse", "31000", 43.6045, 1.4440),
    ("Nice", "06000", 43.7009, 7.2683),
    ("Nantes", "44000", 47.2184, -1.5536),
    ("Montpellier", "34000", 43.6108, 3.8767),
    ("Strasbourg", "67000", 48.5734, 7.7521),
    ("Bordeaux", "33000", 44.8378, -0.5792),
    ("Lille", "59000", 50.6292, 3.0573),
    ("Rennes", "35000", 48.1173, -1.6778),
    ("Reims", "51100", 49.2583, 4.0317),
    ("Toulon", "83000", 43.1242, 5.9280),
    ("Saint-Étienne", "42000", 45.4397, 4.3872),
    ("Le Havre", "76600", 49.4944, 0.1079),
    ("Grenoble", "38000", 45.1885, 5.7245),
    ("Dijon", "21000", 47.3220, 5.0415),
    ("Angers", "49100", 47.4784, -0.5632),
    ("Nîmes", "30000", 43.8367, 4.3601),
    ("Clermont-Ferrand", "63000", 45.7772, 3.0870),
    ("Le Mans", "72000", 48.0061, 0.1996),
    ("Aix-en-Provence", "13100", 43.5297, 5.4474),
    ("Brest", "29200", 48.3904, -4.4861),
    ("Tours", "37000", 47.3941, 0.6848),
    ("Amiens", "80000", 49.8941, 2.2958),
    ("Limoges", "87000", 45.8336, 1.2611),
    ("Perpignan", "66000", 42.6887, 2.8948),
    ("Metz", "57000", 49.1193, 6.1757),
    ("Besançon", "25000", 47.2378, 6.0241),
    ("Orléans", "45000", 47.9030, 1.9093),
    ("Rouen", "76000", 49.4432, 1.0999),
    ("Mulhouse", "68100", 47.7508, 7.3359),
    ("Caen", "14000", 49.1829, -0.3707),
    ("Nancy", "54000", 48.6921, 6.1844),
    ("Avignon", "84000", 43.9493, 4.8055),
    ("Poitiers", "86000", 46.5802, 0.3404),
    ("Pau", "64000", 43.2951, -0.3708),
    ("La Rochelle", "17000", 46.1603, -1.1511),
    ("Bayonne", "64100", 43.4929, -1.4748),
    ("Ajaccio", "20000", 41.9192, 8.7386),
)

STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue Pasteur",
    "place de la Mairie",
    "rue du Commerce",
    "avenue de la Gare",
    "rue des Écoles",
    "rue de la Liberté",
    "boulevard Carnot",
    "rue du Marché",
    "chemin des Vignes",
    "rue de Verdun",
    "avenue Foch",
    "rue des Lilas",
    "rue du Moulin",
    "zone artisanale des Près",
    "rue de l'Industrie",
    "avenue du Général de Gaulle",
)

#: (NACE section, NACE class, employer name prefixes). The job types an employer
#: hires for are those whose NACE codes its class falls under (crm.JobType.nace_codes).
SECTORS = (
    ("I", "56.10", ("Restaurant", "Brasserie", "Café", "Pizzeria")),
    ("I", "55.10", ("Hôtel", "Résidence hôtelière")),
    ("G", "47.11", ("Supérette", "Épicerie", "Supermarché")),
    ("G", "47.24", ("Boulangerie", "Pâtisserie")),
    ("N", "81.21", ("Nettoyage", "Propreté")),
    ("N", "81.30", ("Espaces verts", "Paysages")),
    ("N", "82.92", ("Conditionnement", "Emballages")),
    ("N", "82.20", ("Centre d'appels", "Relation clients")),
    ("N", "80.10", ("Sécurité", "Gardiennage")),
    ("H", "49.41", ("Transports", "Logistique")),
    ("H", "52.10", ("Entrepôt", "Plateforme")),
    ("H", "53.20", ("Livraison", "Coursiers")),
    ("Q", "87.10", ("EHPAD", "Résidence seniors")),
    ("Q", "88.10", ("Aide à domicile", "Services à la personne")),
    ("F", "43.99", ("Bâtiment", "Rénovation")),
    ("C", "10.71", ("Fournil", "Biscuiterie")),
    ("S", "96.02", ("Salon", "Coiffure")),
    ("G", "45.20", ("Garage", "Auto Services", "Lavage auto")),
    ("R", "93.11", ("Complexe sportif", "Piscine")),
    ("L", "68.32", ("Syndic", "Gestion immobilière")),
)

ROLES = ("Gérant", "Gérante", "Directrice", "Directeur", "Responsable RH", "Chef d'équipe", "Responsable de magasin")

RESULTS = (
    "Présentation du service, intérêt pour un profil motivé.",
    "Besoin en renfort le week-end, à rappeler.",
    "Entretien proposé pour la personne accompagnée.",
    "Pas de recrutement avant la rentrée.",
    "Rencontre avec la responsable, visite des lieux.",
    "CV transmis, retour attendu sous 15 jours.",
)
NEXT_STEPS = ("Rappeler la gérante", "Envoyer le CV", "Préparer l'entretien", "Repasser en magasin")
HIRING_NEEDS = ("Renfort en cuisine", "Agent d'entretien le matin", "Préparateur de commandes", "Employé polyvalent")
CANCEL_REASONS = ("Employeur indisponible", "Report à la demande de la personne", "Maladie")
OTHER_TASKS = (
    "Préparer le CV avec la personne",
    "Accompagner à l'entretien d'embauche",
    "Appeler le référent du centre médico-psychologique",
    "Point sur les transports",
    "Relancer l'employeur après l'entretien",
)
GOALS = (
    "Travailler en cuisine",
    "Un emploi à temps partiel près de chez moi",
    "Reprendre le travail dans la vente",
    "Travailler en extérieur",
    "Un poste en entrepôt",
)
