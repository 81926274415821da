"""The interface in Dutch and English: one dictionary per language, keys in English."""

from __future__ import annotations

LANGUAGES = ("nl", "en")

TEXTS: dict[str, dict[str, str]] = {
    "title": {"nl": "Ketenradar", "en": "Ketenradar"},
    "tagline": {
        "nl": "Hoe weerbaar zijn Nederlandse en Europese waardeketens?",
        "en": "How resilient are Dutch and European value chains?",
    },
    "overview": {"nl": "Overzicht", "en": "Overview"},
    "dependencies": {"nl": "Afhankelijkheden", "en": "Dependencies"},
    "products_screened": {"nl": "Producten gescreend", "en": "Products screened"},
    "dependent_eu2021": {"nl": "Afhankelijk (EU 2021)", "en": "Dependent (EU 2021)"},
    "dependent_geodep": {"nl": "Afhankelijk (GeoDep)", "en": "Dependent (GeoDep)"},
    "crma_65_exceeded": {
        "nl": "Strategische grondstoffen boven 65 % uit één land",
        "en": "Strategic raw materials above 65 % from one country",
    },
    "largest_dependencies": {
        "nl": "Grootste afhankelijkheden naar waarde",
        "en": "Largest dependencies by value",
    },
    "countries_depended_on": {
        "nl": "Landen waarvan we het meest afhangen",
        "en": "Countries depended on most",
    },
    "crma_flags": {"nl": "Grondstoffen gemarkeerd (CRMA)", "en": "Materials flagged (CRMA)"},
    "foreign_value_added": {
        "nl": "Grootste buitenlandse toegevoegde waarde (input-output)",
        "en": "Largest foreign value-added links (input-output)",
    },
    "product": {"nl": "Product", "en": "Product"},
    "description": {"nl": "Omschrijving", "en": "Description"},
    "value_kusd": {"nl": "Waarde (duizend USD)", "en": "Value (thousand USD)"},
    "top_supplier": {"nl": "Grootste leverancier", "en": "Top supplier"},
    "share": {"nl": "Aandeel", "en": "Share"},
    "country": {"nl": "Land", "en": "Country"},
    "products": {"nl": "Producten", "en": "Products"},
    "material": {"nl": "Grondstof", "en": "Material"},
    "stage": {"nl": "Fase", "en": "Stage"},
    "va_musd": {"nl": "Toegevoegde waarde (mln USD)", "en": "Value added (USD million)"},
    "data_method": {"nl": "Gegevens en methode", "en": "Data and method"},
    "language": {"nl": "English", "en": "Nederlands"},
    "filter": {"nl": "Filter", "en": "Filter"},
    "search": {"nl": "Zoek HS-code of omschrijving", "en": "Search HS code or description"},
    "download_csv": {"nl": "Download CSV (deze pagina)", "en": "Download CSV (this page)"},
    "page": {"nl": "Pagina", "en": "Page"},
    "of": {"nl": "van", "en": "of"},
    "results": {"nl": "resultaten", "en": "results"},
    "importer": {"nl": "Importeur", "en": "Importer"},
    "year": {"nl": "Jaar", "en": "Year"},
    "method": {"nl": "Methode", "en": "Method"},
    "supplier": {"nl": "Leverancier", "en": "Supplier"},
    "ecosystem": {"nl": "Ecosysteem", "en": "Ecosystem"},
    "previous": {"nl": "Vorige", "en": "Previous"},
    "next": {"nl": "Volgende", "en": "Next"},
    "error": {"nl": "Fout", "en": "Error"},
    "materials": {"nl": "Kritieke grondstoffen", "en": "Critical raw materials"},
    "materials_intro": {
        "nl": "Economisch belang (EI) en leveringsrisico (SR) per grondstof en fase, naar de "
        "EU-methode, naast de gepubliceerde beoordeling van 2023; kritiek bij EI ≥ 2,8 en "
        "SR ≥ 1,0.",
        "en": "Economic importance (EI) and supply risk (SR) per material and stage, following "
        "the EU method, next to the published 2023 assessment; critical when EI ≥ 2.8 and "
        "SR ≥ 1.0.",
    },
    "criticality_table": {"nl": "Herberekening en publicatie", "en": "Recomputed and published"},
    "critical": {"nl": "Kritiek", "en": "Critical"},
    "not_critical": {"nl": "Niet kritiek", "en": "Not critical"},
    "published": {"nl": "gepubliceerd", "en": "published"},
    "indicators_over_years": {"nl": "Indicatoren door de jaren", "en": "Indicators over the years"},
    "supplier_shares": {"nl": "Aandelen van leveranciers", "en": "Supplier shares"},
    "external_share": {"nl": "Aandeel van buiten", "en": "External share"},
    "world_export_hhi": {"nl": "HHI wereldexport", "en": "World export HHI"},
    # --- accounts ---
    "sign_in": {"nl": "Inloggen", "en": "Sign in"},
    "sign_out": {"nl": "Uitloggen", "en": "Sign out"},
    "sign_in_hint": {
        "nl": "Een beheerder maakt accounts aan (de eerste met `ketenradar users create-admin`).",
        "en": "An admin creates accounts (the first one with `ketenradar users create-admin`).",
    },
    "username": {"nl": "Gebruikersnaam", "en": "User name"},
    "password": {"nl": "Wachtwoord", "en": "Password"},
    "account": {"nl": "Account", "en": "Account"},
    "role": {"nl": "Rol", "en": "Role"},
    "saved_items": {
        "nl": "Opgeslagen scenario's en stuklijsten",
        "en": "Saved scenarios and bills of materials",
    },
    "no_saved_items": {"nl": "Nog niets opgeslagen.", "en": "Nothing saved yet."},
    "kind": {"nl": "Soort", "en": "Kind"},
    "name": {"nl": "Naam", "en": "Name"},
    "owner": {"nl": "Eigenaar", "en": "Owner"},
    "private": {"nl": "Privé", "en": "Private"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "users": {"nl": "Gebruikers", "en": "Users"},
    "active": {"nl": "Actief", "en": "Active"},
    "add_user": {"nl": "Gebruiker toevoegen", "en": "Add user"},
    "audit_log": {"nl": "Auditlog", "en": "Audit log"},
    "when": {"nl": "Wanneer", "en": "When"},
    "action": {"nl": "Actie", "en": "Action"},
    "target": {"nl": "Object", "en": "Target"},
    # --- data ---
    "data": {"nl": "Data", "en": "Data"},
    "data_intro": {
        "nl": "Welke data achter de monitor zitten: uitgave, licentie en de SHA-256 van elk "
        "invoerbestand.",
        "en": "The data behind the monitor: release, licence and the SHA-256 of every input file.",
    },
    "starter_pack": {"nl": "Startpakket (meegeleverd)", "en": "Starter pack (shipped)"},
    "dataset": {"nl": "Dataset", "en": "Dataset"},
    "release": {"nl": "Uitgave", "en": "Release"},
    "licence": {"nl": "Licentie", "en": "Licence"},
    "input_files": {"nl": "Invoerbestanden", "en": "Input files"},
    "fact_tables": {"nl": "Feitentabellen", "en": "Fact tables"},
    "table": {"nl": "Tabel", "en": "Table"},
    "rows": {"nl": "Rijen", "en": "Rows"},
    "origin": {"nl": "Herkomst", "en": "Origin"},
    "your_store": {"nl": "Uw eigen data", "en": "Your own data"},
    "store_empty": {
        "nl": "Nog geen eigen data geladen: de pagina's tonen het startpakket.",
        "en": "No data of your own loaded yet: the pages show the starter pack.",
    },
    "load_data": {"nl": "Data laden", "en": "Load data"},
    "load_data_cli": {
        "nl": "Een volledige BACI-uitgave laden kan vanaf de opdrachtregel, of hier (analist: "
        "bestanden uploaden; beheerder: ophalen bij CEPII, met voortgang).",
        "en": "Load a full BACI release from the command line, or here (analyst: upload files; "
        "admin: fetch from CEPII, with progress).",
    },
    "source": {"nl": "Bron", "en": "Source"},
    "files": {"nl": "Bestanden", "en": "Files"},
    "add_dataset": {"nl": "Dataset toevoegen", "en": "Add dataset"},
    "fetch_baci": {"nl": "BACI ophalen", "en": "Fetch BACI"},
    "data_need_role": {
        "nl": "Log in als analist of beheerder om data toe te voegen.",
        "en": "Sign in as an analyst or admin to add data.",
    },
}


def translator(lang: str):
    """``t(key)`` for one language (the key itself when a text is missing)."""
    return lambda key: TEXTS.get(key, {}).get(lang, key)
