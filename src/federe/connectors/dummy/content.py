"""Word pools for the dummy network: what a brand's community says, in French and English."""

from __future__ import annotations

REGULARS = [
    ("u-claire", "claire_b", "Claire Bernard", "fr"),
    ("u-mehdi", "mehdi.k", "Mehdi Kaci", "fr"),
    ("u-sophie", "sophie_l", "Sophie Laurent", "fr"),
    ("u-julien", "jul1en", "Julien Moreau", "fr"),
    ("u-emma", "emmaw", "Emma Walker", "en"),
    ("u-liam", "liam_o", "Liam O'Connor", "en"),
    ("u-priya", "priya.n", "Priya Nair", "en"),
    ("u-tom", "tomh", "Tom Hughes", "en"),
]
TROLL = ("u-grincheux", "Grincheux42", "Grincheux42", "fr")
SPAMMERS = [
    ("s-promo", "promo_gagnant", "Super Promo", "fr"),
    ("s-crypto", "crypto_king88", "Crypto King", "en"),
    ("s-follow", "free_followers", "Free Followers", "en"),
]
FIRST_NAMES = {
    "fr": ["Camille", "Lucas", "Chloé", "Hugo", "Léa", "Nathan", "Manon", "Théo", "Inès", "Louis", "Zoé", "Yanis"],
    "en": ["Olivia", "Noah", "Ava", "James", "Mia", "Ethan", "Grace", "Leo", "Ruby", "Jack", "Isla", "Sam"],
}
LAST_NAMES = {
    "fr": ["Martin", "Petit", "Durand", "Lefebvre", "Roux", "Fournier", "Girard", "Mercier", "Blanc", "Faure"],
    "en": ["Smith", "Brown", "Taylor", "Wilson", "Evans", "Clarke", "Wright", "Green", "Hall", "Baker"],
}
TOPICS = {
    "fr": [
        "la nouvelle recette",
        "la livraison",
        "l'appli mobile",
        "le programme fidélité",
        "la boutique de Lyon",
        "le café en grains",
        "l'abonnement mensuel",
        "le service client",
    ],
    "en": [
        "the new blend",
        "delivery",
        "the mobile app",
        "the loyalty programme",
        "the London shop",
        "the whole beans",
        "the monthly subscription",
        "customer service",
    ],
}
POSTS = {
    "fr": [
        "Qu'est-ce que vous pensez de {topic} chez {brand} ? Je suis curieuse d'avoir vos avis.",
        "Petite question : est-ce que {topic} est disponible en Belgique ?",
        "Je viens de tester {topic}, franchement c'est une belle réussite. Bravo {brand} !",
        "Déçu par {topic} cette semaine… quelqu'un d'autre a eu le même souci ?",
        "Astuce du jour : pour {topic}, pensez à vérifier vos notifications, ça change tout.",
    ],
    "en": [
        "What do you all think of {topic} from {brand}? Keen to hear your views.",
        "Quick question: is {topic} available in Ireland yet?",
        "Just tried {topic} and honestly it's brilliant. Well done {brand}!",
        "Disappointed with {topic} this week… anyone else had the same issue?",
        "Tip of the day: for {topic}, check your notification settings, it makes a real difference.",
    ],
}
REPLIES = {
    "fr": [
        "Pareil pour moi, {topic} m'a vraiment surpris.",
        "Merci pour l'info ! Je ne savais pas.",
        "Je ne suis pas d'accord, {topic} était mieux avant.",
        "Bonne question, j'attends aussi la réponse de {brand}.",
        "Chez moi ça marche très bien depuis la mise à jour.",
        "Vous pouvez contacter le support, ils m'ont répondu en une heure.",
    ],
    "en": [
        "Same here, {topic} really surprised me.",
        "Thanks for the heads-up! I had no idea.",
        "I disagree, {topic} was better before.",
        "Good question, I'm waiting for {brand} to answer too.",
        "Works fine for me since the update.",
        "You can contact support, they got back to me within an hour.",
    ],
}
TROLLING = [
    "Encore un produit nul de {brand}, vous êtes vraiment des incapables.",
    "Franchement qui achète encore ça ? Faut être idiot.",
    "LOL {brand} c'est une arnaque, tout le monde le sait.",
]
SPAM = {
    "fr": [
        'GAGNEZ un iPhone 17 GRATUIT !!! Cliquez ici 👉 <a href="http://promo-gagnant.example/win">promo-gagnant.example</a>',
        "Gagnez 500€ par jour depuis chez vous, contactez-moi au 06 12 34 56 78 !!!",
    ],
    "en": [
        'Make $5000/week from home!!! DM me or visit <a href="http://crypto-riches.example">crypto-riches.example</a>',
        'Get 10k FREE followers now ➡️ <a href="http://free-followers.example/get">free-followers.example</a>',
    ],
}
THREAD_TITLES = {
    "fr": ["Avis sur {topic}", "Question sur {topic}", "Nouveauté : {topic}", "Problème avec {topic}"],
    "en": ["Thoughts on {topic}", "Question about {topic}", "New: {topic}", "Problem with {topic}"],
}
