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
    "economy": {"nl": "Economie of blok", "en": "Economy or bloc"},
    "overview_no_io": {
        "nl": "De feiten bevatten de input-outputblootstelling van Nederland (OECD ICIO), niet "
        "van {economy}; de pagina Input-output rekent die voor elke economie uit een geladen "
        "tabel.",
        "en": "The facts hold the input-output exposure of the Netherlands (OECD ICIO), not of "
        "{economy}; the Input-output page computes it for any economy from a loaded table.",
    },
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
    "product_chart_note": {
        "nl": "Stippellijnen: de drempels van de EU-methode van 2021 (HHI van de leveranciers > "
        "{hhi}, aandeel van buiten > {share}, en invoer/uitvoer > {ratio}); gearceerde jaren "
        "zijn afhankelijk volgens EU 2021.",
        "en": "Dotted lines: the thresholds of the EU 2021 method (supplier HHI > {hhi}, "
        "external share > {share}, and imports/exports > {ratio}); shaded years are dependent "
        "under EU 2021.",
    },
    "product_supplier_hhi": {"nl": "HHI leveranciers", "en": "Supplier HHI"},
    "product_top_supplier_share": {
        "nl": "Aandeel grootste leverancier",
        "en": "Top supplier's share",
    },
    "product_threshold": {"nl": "drempel", "en": "threshold"},
    "product_dependent_years": {"nl": "afhankelijk (EU 2021)", "en": "dependent (EU 2021)"},
    "product_suppliers_note": {
        "nl": "Aandeel van elke leverancier in alle invoer, per jaar (zoals in de screening telt "
        "handel tussen EU-landen mee; leveranciers binnen de EU zijn gemarkeerd): de vijf "
        "grootste van elk jaar; wie nooit bij de drie grootste hoorde, valt onder overige.",
        "en": "Each supplier's share of all imports per year (as in the screening, trade between "
        "EU members counts; suppliers within the EU are marked): the five largest of each year; "
        "suppliers never among the three largest are counted as other.",
    },
    "product_other_suppliers": {"nl": "overige", "en": "other"},
    "product_within_eu": {"nl": "binnen EU", "en": "within EU"},
    "product_suppliers_table": {
        "nl": "Tabel per jaar en leverancier",
        "en": "Table per year and supplier",
    },
    "external_share": {"nl": "Aandeel van buiten", "en": "External share"},
    "world_export_hhi": {"nl": "HHI wereldexport", "en": "World export HHI"},
    "download_xlsx": {"nl": "Download Excel", "en": "Download Excel"},
    "full_baci_hint": {
        "nl": "Het startpakket bevat de 74 grondstofproducten uit BACI. Een volledige BACI-uitgave "
        "(alle ~5.000 producten) laadt u met `ketenradar data add baci BESTAND.zip` of "
        "`ketenradar data fetch baci` (met voortgang), of op de pagina",
        "en": "The starter pack holds the 74 raw-material products from BACI. Load a full BACI "
        "release (all ~5,000 products) with `ketenradar data add baci FILE.zip` or "
        "`ketenradar data fetch baci` (with progress), or on the page",
    },
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
    "save_name": {"nl": "Naam", "en": "Name"},
    "save_private": {
        "nl": "Privé (anders zien alle gebruikers het)",
        "en": "Private (otherwise every user can see it)",
    },
    "save_scenario": {"nl": "Scenario opslaan", "en": "Save scenario"},
    "saved_as": {"nl": "Opgeslagen als", "en": "Saved as"},
    "sign_in_to_save": {
        "nl": "Log in als analist om scenario's en stuklijsten op te slaan.",
        "en": "Sign in as an analyst to save scenarios and BOMs.",
    },
    "bom_save": {"nl": "Deze stuklijst opslaan", "en": "Save this BOM"},
    "shared": {"nl": "gedeeld", "en": "shared"},
    "delete": {"nl": "Verwijderen", "en": "Delete"},
    "opened_saved": {"nl": "Opgeslagen", "en": "Saved"},
    "by": {"nl": "door", "en": "by"},
    "document": {"nl": "document", "en": "document"},
    "kind": {"nl": "Soort", "en": "Kind"},
    "name": {"nl": "Naam", "en": "Name"},
    "owner": {"nl": "Eigenaar", "en": "Owner"},
    "private": {"nl": "Privé", "en": "Private"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "users": {"nl": "Gebruikers", "en": "Users"},
    "active": {"nl": "Actief", "en": "Active"},
    "add_user": {"nl": "Gebruiker toevoegen", "en": "Add user"},
    "change_role": {"nl": "Rol wijzigen", "en": "Change role"},
    "deactivate": {"nl": "Deactiveren", "en": "Deactivate"},
    "activate": {"nl": "Activeren", "en": "Activate"},
    "new_password": {"nl": "Nieuw wachtwoord", "en": "New password"},
    "reset_password": {"nl": "Wachtwoord instellen", "en": "Set password"},
    "sure": {"nl": "zeker", "en": "sure"},
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
    "cancel_job": {"nl": "Annuleren", "en": "Cancel"},
    "job_queued": {"nl": "in de wachtrij", "en": "queued"},
    "job_running": {"nl": "bezig", "en": "running"},
    "job_cancelling": {"nl": "wordt geannuleerd…", "en": "cancelling…"},
    "job_done": {"nl": "klaar", "en": "done"},
    "job_failed": {"nl": "mislukt", "en": "failed"},
    "job_cancelled": {
        "nl": "geannuleerd: de data zijn ongewijzigd",
        "en": "cancelled: the data are unchanged",
    },
    # --- io ---
    "io": {"nl": "Input-output", "en": "Input-output"},
    "io_intro": {
        "nl": "Hoe afhankelijk elke bedrijfstak is van het buitenland, voor goederen én diensten: "
        "het directe aandeel buitenlandse inputs in zijn intermediaire inputs en de buitenlandse "
        "toegevoegde waarde in zijn finale output (via alle schakels van de keten), uit "
        "inter-country input-outputtabellen.",
        "en": "How much each industry depends on other countries, for goods and services alike: "
        "the direct foreign share of its intermediate inputs and the foreign value added in its "
        "final output (through every link of the chain), from inter-country input-output "
        "tables.",
    },
    "io_from_starter": {
        "nl": "Startpakket: Nederland, OECD ICIO 2022 (werkt zonder geladen gegevens).",
        "en": "Starter pack: the Netherlands, OECD ICIO 2022 (works with nothing loaded).",
    },
    "io_from_store": {"nl": "Tabel uit uw gegevensopslag:", "en": "Table from your data store:"},
    "io_economy": {"nl": "Economie of blok", "en": "Economy or bloc"},
    "io_table": {"nl": "Tabel", "en": "Table"},
    "io_show": {"nl": "Toon", "en": "Show"},
    "io_back_to_starter": {"nl": "Terug naar het startpakket", "en": "Back to the starter pack"},
    "io_by_kind": {"nl": "Goederen en diensten", "en": "Goods and services"},
    "io_kind": {"nl": "Soort", "en": "Kind"},
    "io_goods": {"nl": "Goederen", "en": "Goods"},
    "io_services": {"nl": "Diensten", "en": "Services"},
    "io_all": {"nl": "Alle bedrijfstakken", "en": "All industries"},
    "io_industries_n": {"nl": "Bedrijfstakken", "en": "Industries"},
    "io_output": {"nl": "Productie (mln USD)", "en": "Output (USD million)"},
    "io_inputs": {
        "nl": "Intermediaire inputs (mln USD)",
        "en": "Intermediate inputs (USD million)",
    },
    "io_foreign_inputs": {
        "nl": "Buitenlandse inputs (mln USD)",
        "en": "Foreign inputs (USD million)",
    },
    "io_foreign_input_share": {
        "nl": "Direct buitenlands inputaandeel",
        "en": "Direct foreign input share",
    },
    "io_foreign_va_content": {
        "nl": "Buitenlandse toegevoegde waarde",
        "en": "Foreign value-added content",
    },
    "io_top_input_country": {
        "nl": "Grootste buitenlandse leverancier",
        "en": "Top foreign supplier",
    },
    "io_top_va_country": {
        "nl": "Grootste bron van buitenlandse TW",
        "en": "Top source of foreign VA",
    },
    "io_per_industry": {"nl": "Afhankelijkheid per bedrijfstak", "en": "Exposure per industry"},
    "io_industry": {"nl": "Bedrijfstak", "en": "Industry"},
    "io_region": {"nl": "Regio", "en": "Region"},
    "io_chart_note": {
        "nl": "Staven: het directe buitenlandse aandeel in de intermediaire inputs (goederen en "
        "diensten apart gekleurd); ruiten: de buitenlandse toegevoegde waarde per eenheid "
        "finale output (Leontief). Bedrijfstakken zonder productie zijn weggelaten.",
        "en": "Bars: the direct foreign share of intermediate inputs (goods and services "
        "coloured apart); diamonds: the foreign value added per unit of final output "
        "(Leontief). Industries without output are left out.",
    },
    "io_shock": {"nl": "Aanbodschok", "en": "Supply shock"},
    "io_shock_intro": {
        "nl": "Wat als de leveringen van een land (of alleen van sommige van zijn bedrijfstakken) "
        "met x % dalen? Aanbodmodel met vaste allocatiecoëfficiënten en zonder substitutie: "
        "de verliezen zijn bovengrenzen.",
        "en": "What if deliveries from a country (or only some of its industries) fall by x %? "
        "Supply-side model with fixed allocation coefficients and no substitution: the losses "
        "are upper bounds.",
    },
    "io_supplier": {"nl": "Leverancier (regio of groep)", "en": "Supplier (region or group)"},
    "io_shock_industries": {
        "nl": "Alleen deze bedrijfstakken (optioneel)",
        "en": "Only these industries (optional)",
    },
    "io_fall": {"nl": "Daling (%)", "en": "Fall (%)"},
    "io_to": {"nl": "Leveringen aan", "en": "Deliveries to"},
    "io_to_world": {"nl": "alle afnemers in de wereld", "en": "every buyer in the world"},
    "io_to_economy": {"nl": "alleen de economie zelf", "en": "the economy only"},
    "io_model": {"nl": "Model", "en": "Model"},
    "io_model_extraction": {
        "nl": "gedeeltelijke extractie (exact)",
        "en": "partial extraction (exact)",
    },
    "io_model_ghosh": {"nl": "Ghosh (eerste orde)", "en": "Ghosh (first order)"},
    "io_run": {"nl": "Bereken", "en": "Compute"},
    "io_running": {"nl": "Bezig met rekenen…", "en": "Computing…"},
    "io_output_loss": {"nl": "Productieverlies (mln USD)", "en": "Output loss (USD million)"},
    "io_output_loss_share": {"nl": "Productieverlies (aandeel)", "en": "Output loss (share)"},
    "io_va": {"nl": "Toegevoegde waarde (mln USD)", "en": "Value added (USD million)"},
    "io_va_loss": {"nl": "Verlies TW (mln USD)", "en": "Value-added loss (USD million)"},
    "io_va_loss_share": {"nl": "Verlies TW (aandeel)", "en": "Value-added loss (share)"},
    "io_codes": {
        "nl": "Codes van de bedrijfstakken in de geladen tabellen",
        "en": "Industry codes of the loaded tables",
    },
    "io_method": {"nl": "Methode", "en": "Method"},
    "io_notes": {"nl": "Kanttekeningen", "en": "Notes"},
    "io_command": {
        "nl": "Zelfde berekening op de opdrachtregel",
        "en": "Same computation on the command line",
    },
    "io_method_text": {
        "nl": "Blootstelling: Leontief-vraagmodel en toegevoegde waarde in finale vraag of "
        "output (Miller & Blair 2009, h. 2 en 6; Johnson & Noguera 2012; OECD TiVA). "
        "Schokken: Ghosh-aanbodmodel en gedeeltelijke hypothetische extractie (Ghosh 1958; "
        "Dietzenbacher, van der Linden & Steenge 1993; Miller & Blair 2009, h. 12). Goederen "
        "zijn ISIC-secties A–F, de rest is diensten. Zie docs/methods/input-output.md.",
        "en": "Exposure: Leontief demand-side model and value added in final demand or output "
        "(Miller & Blair 2009, ch. 2 and 6; Johnson & Noguera 2012; OECD TiVA). Shocks: Ghosh "
        "supply-side model and partial hypothetical extraction (Ghosh 1958; Dietzenbacher, "
        "van der Linden & Steenge 1993; Miller & Blair 2009, ch. 12). Goods are ISIC sections "
        "A–F, the rest is services. See docs/methods/input-output.md.",
    },
    # --- country ---
    "countries": {"nl": "Landen", "en": "Countries"},
    "country_map_title": {
        "nl": "Wereldkaart van afhankelijkheid",
        "en": "World map of dependence",
    },
    "country_map_intro": {
        "nl": "Per land: hoeveel de importeur afhangt van dat land (afhankelijke grondstof"
        "producten waarvan het de grootste leverancier van buiten is) en omgekeerd, of de "
        "toegevoegde waarde in beide richtingen. Klik op een land voor zijn pagina.",
        "en": "Per country: how much the importer depends on it (dependent raw-material "
        "products it is the top external supplier of) and the reverse, or the value added "
        "both ways. Click a country to open its page.",
    },
    "country_map_table": {"nl": "Landen op de kaart", "en": "Countries on the map"},
    "country_map_note": {
        "nl": "Grenzen: plotly.js world_110m (VN-geodata en Natural Earth); ze drukken geen "
        "standpunt uit. Kleine staten zonder vorm op deze schaal (zoals Singapore) en "
        "BACI-aggregaten staan alleen in de tabel.",
        "en": "Borders: plotly.js world_110m (UN geodata and Natural Earth); they imply no "
        "position. Small states without a shape at this scale (such as Singapore) and BACI "
        "aggregates are in the table only.",
    },
    "country_measure": {"nl": "Maat", "en": "Measure"},
    "country_show": {"nl": "Toon", "en": "Show"},
    "country_ratio_hint": {
        "nl": "boven 1 hangt het land meer van de importeur af dan andersom (kleur op "
        "log-schaal, 1/16 tot 16)",
        "en": "above 1 the country depends more on the importer than the reverse (colour on a "
        "log scale, 1/16 to 16)",
    },
    "country_map_hover_importer": {
        "nl": "importeur afhankelijk (producten)",
        "en": "importer dependent (products)",
    },
    "country_map_hover_partner": {
        "nl": "land afhankelijk (producten)",
        "en": "country dependent (products)",
    },
    "country_measure_importer_dependent_kusd": {
        "nl": "Afhankelijkheid van het land (duizend USD)",
        "en": "Dependence on the country (thousand USD)",
    },
    "country_measure_importer_dependent_products": {
        "nl": "Afhankelijkheid van het land (producten)",
        "en": "Dependence on the country (products)",
    },
    "country_measure_partner_dependent_kusd": {
        "nl": "Afhankelijkheid van het land van de importeur (duizend USD)",
        "en": "The country's dependence on the importer (thousand USD)",
    },
    "country_measure_partner_dependent_products": {
        "nl": "Afhankelijkheid van het land van de importeur (producten)",
        "en": "The country's dependence on the importer (products)",
    },
    "country_measure_balance_ratio_products": {
        "nl": "Balans (producten, land ÷ importeur)",
        "en": "Balance (products, country ÷ importer)",
    },
    "country_measure_balance_ratio_kusd": {
        "nl": "Balans (waarde, land ÷ importeur)",
        "en": "Balance (value, country ÷ importer)",
    },
    "country_measure_importer_dependent_va_musd": {
        "nl": "TW van het land in Nederlandse finale output (mln USD, ICIO 2022)",
        "en": "The country's VA in Dutch final output (USD million, ICIO 2022)",
    },
    "country_measure_partner_dependent_va_musd": {
        "nl": "Nederlandse TW in de finale output van het land (mln USD, ICIO 2022)",
        "en": "Dutch VA in the country's final output (USD million, ICIO 2022)",
    },
    "country_measure_balance_ratio_va": {
        "nl": "Balans toegevoegde waarde (land ÷ Nederland, ICIO 2022)",
        "en": "Value-added balance (country ÷ Netherlands, ICIO 2022)",
    },
    "country_col_value": {"nl": "Waarde op de kaart", "en": "Value on the map"},
    "country_col_importer_dependent_products": {
        "nl": "Importeur afhankelijk: producten",
        "en": "Importer dependent: products",
    },
    "country_col_importer_dependent_kusd": {
        "nl": "Importeur afhankelijk: duizend USD",
        "en": "Importer dependent: thousand USD",
    },
    "country_col_partner_dependent_products": {
        "nl": "Land afhankelijk: producten",
        "en": "Country dependent: products",
    },
    "country_col_partner_dependent_kusd": {
        "nl": "Land afhankelijk: duizend USD",
        "en": "Country dependent: thousand USD",
    },
    "country_col_importer_dependent_va_musd": {
        "nl": "TW van het land bij de importeur (mln USD)",
        "en": "Country's VA at the importer (USD million)",
    },
    "country_col_partner_dependent_va_musd": {
        "nl": "TW van de importeur bij het land (mln USD)",
        "en": "Importer's VA at the country (USD million)",
    },
    "country_col_direction": {"nl": "Richting", "en": "Direction"},
    "country_direction_mutual": {"nl": "wederzijds afhankelijk", "en": "mutually dependent"},
    "country_direction_importer_depends": {
        "nl": "alleen de importeur is afhankelijk",
        "en": "only the importer depends",
    },
    "country_direction_partner_depends": {
        "nl": "alleen het land is afhankelijk",
        "en": "only the country depends",
    },
    "country_direction_none": {"nl": "geen afhankelijkheid", "en": "no dependence"},
    "country_back_to_map": {"nl": "← Wereldkaart", "en": "← World map"},
    "country_count_importer_products": {
        "nl": "producten waarvoor {importer} afhangt van {partner}",
        "en": "products {importer} depends on {partner} for",
    },
    "country_count_partner_products": {
        "nl": "producten waarvoor {partner} afhangt van {importer}",
        "en": "products {partner} depends on {importer} for",
    },
    "country_balance_method": {
        "nl": "EU-methode 2021, grondstofproducten (BACI)",
        "en": "EU 2021 method, raw-material products (BACI)",
    },
    "country_we_depend_on": {
        "nl": "Afhankelijke producten van {importer} met {partner} als grootste leverancier",
        "en": "Dependent products of {importer} with {partner} as top supplier",
    },
    "country_we_import": {
        "nl": "Wat {importer} invoert uit {partner} (bij de vijf grootste leveranciers)",
        "en": "What {importer} imports from {partner} (among the five largest suppliers)",
    },
    "country_none_in_year": {"nl": "Geen in dit jaar.", "en": "None in this year."},
    "country_share_of_imports": {"nl": "Aandeel in de invoer", "en": "Share of imports"},
    "country_rank": {"nl": "Rang", "en": "Rank"},
    "country_they_depend_on": {
        "nl": "Wat {partner} nodig heeft van {importer}",
        "en": "What {partner} depends on from {importer}",
    },
    "country_they_depend_text": {
        "nl": "{partner} is voor {n} van zijn eigen afhankelijke grondstofproducten het meest "
        "aangewezen op {importer} (invoer {v} duizend USD).",
        "en": "For {n} of its own dependent raw-material products, {partner}'s top supplier is "
        "{importer} (imports of {v} thousand USD).",
    },
    "country_they_depend_none": {
        "nl": "In {year} is {importer} voor geen van de afhankelijke grondstofproducten van "
        "{partner} de grootste leverancier.",
        "en": "In {year}, {importer} is the top supplier of none of {partner}'s dependent "
        "raw-material products.",
    },
    "country_balance_over_time": {"nl": "De balans door de jaren", "en": "The balance over time"},
    "country_balance_table": {"nl": "Tabel per jaar", "en": "Table per year"},
    "country_balance_ratio_products": {
        "nl": "Balans (producten)",
        "en": "Balance (products)",
    },
    "country_balance_ratio_kusd": {"nl": "Balans (waarde)", "en": "Balance (value)"},
    "country_value_added_both_ways": {
        "nl": "Toegevoegde waarde in beide richtingen (OECD ICIO 2022)",
        "en": "Value added both ways (OECD ICIO 2022)",
    },
    "country_va_partner_in_importer": {
        "nl": "TW van {partner} in de finale output van {importer}",
        "en": "VA of {partner} in the final output of {importer}",
    },
    "country_va_importer_in_partner": {
        "nl": "TW van {importer} in de finale output van {partner}",
        "en": "VA of {importer} in the final output of {partner}",
    },
    "country_va_services_part": {
        "nl": "waarvan diensten (TW van het land)",
        "en": "of which services (the country's VA)",
    },
    "country_balance_ratio_va": {
        "nl": "Balans toegevoegde waarde (land ÷ importeur)",
        "en": "Value-added balance (country ÷ importer)",
    },
    "country_they_depend_share": {
        "nl": "Aandeel van {importer} in hun externe invoer",
        "en": "{importer}'s share of their external imports",
    },
    "their_imports_kusd": {
        "nl": "Hun invoer (duizend USD)",
        "en": "Their imports (thousand USD)",
    },
    "partner": {"nl": "Partner", "en": "Partner"},
    "product_balance": {
        "nl": "Plaats in de wederzijdse afhankelijkheid",
        "en": "Where it sits in the mutual-dependency balance",
    },
    "product_balance_intro": {
        "nl": "{year}, EU 2021-methode. Een product is blootstelling als {importer} ervan "
        "afhankelijk is van een partner, en hefboom als partners ervoor afhankelijk zijn van "
        "{importer}; de balans van elke partner zegt hoe dat product in de hele relatie past.",
        "en": "{year}, EU 2021 method. A product is exposure when {importer} depends on a "
        "partner for it, and leverage when partners depend on {importer} for it; each "
        "partner's balance shows how the product fits the whole relationship.",
    },
    "product_balance_importer_side": {
        "nl": "{importer} is afhankelijk van",
        "en": "{importer} depends on",
    },
    "product_balance_importer_none": {
        "nl": "In {year} is {importer} voor dit product niet afhankelijk.",
        "en": "In {year}, {importer} is not dependent for this product.",
    },
    "product_balance_partner_side": {
        "nl": "Partners die hiervoor afhankelijk zijn van {importer}",
        "en": "Partners that depend on {importer} for it",
    },
    "product_balance_partner_none": {
        "nl": "In {year} is geen partner voor dit product afhankelijk van {importer}.",
        "en": "In {year}, no partner depends on {importer} for this product.",
    },
    "product_balance_whole": {
        "nl": "Hele balans: {importer} → partner / partner → {importer} (producten)",
        "en": "Whole balance: {importer} → partner / partner → {importer} (products)",
    },
    "product_balance_over_time": {
        "nl": "De balans van dit product door de jaren",
        "en": "This product's balance over the years",
    },
    "product_balance_n_partners": {
        "nl": "Partners afhankelijk van {importer}",
        "en": "Partners depending on {importer}",
    },
    "country_note_va_nld_only": {
        "nl": "Toegevoegde waarde (OECD ICIO 2022) is alleen voor NLD berekend.",
        "en": "Value added (OECD ICIO 2022) is computed for NLD only.",
    },
    "country_note_va_not_in_icio": {
        "nl": "{partner} is geen afzonderlijke economie in OECD ICIO 2022 (valt onder de rest "
        "van de wereld): geen toegevoegde waarde in beide richtingen.",
        "en": "{partner} is not a separate economy in OECD ICIO 2022 (it is part of the rest "
        "of the world): no value added both ways.",
    },
    "country_note_va_same_territory": {
        "nl": "De toegevoegde waarde is die van {other} ({other_name}) in OECD ICIO.",
        "en": "Value added is OECD ICIO's {other} ({other_name}).",
    },
    "country_note_baci_alias": {
        "nl": "BACI rapporteert de handel van {partner} als {other} ({other_name}).",
        "en": "BACI reports the trade of {partner} as {other} ({other_name}).",
    },
    "country_note_historical": {
        "nl": "Tot en met {until} rapporteert BACI {partner} binnen {other} ({other_name}).",
        "en": "Until {until} BACI reports {partner} inside {other} ({other_name}).",
    },
    "country_share_external": {
        "nl": "Aandeel in de invoer van buiten",
        "en": "Share of external imports",
    },
    # --- materials ---
    "bom": {"nl": "Stuklijsten", "en": "Bills of materials"},
    "bom_link": {
        "nl": "Blootstelling van een systeem via zijn stuklijst →",
        "en": "A system's exposure through its bill of materials →",
    },
    "bom_intro": {
        "nl": "Welke grondstoffen zitten in één eenheid van een systeem (radar, scheepsromp, "
        "MRI-scanner), uit welke landen komen ze en hoe geconcentreerd is het aanbod? Kies een "
        "meegeleverde stuklijst of upload uw eigen YAML-bestand (formaat: docs/methods/bom.md).",
        "en": "Which raw materials are in one unit of a system (radar, ship hull, MRI scanner), "
        "which countries supply them and how concentrated is that supply? Choose a packaged "
        "bill of materials or upload your own YAML file (format: docs/methods/bom.md).",
    },
    "bom_packaged": {"nl": "Meegeleverde stuklijst", "en": "Packaged bill of materials"},
    "bom_system": {"nl": "Systeem", "en": "System"},
    "bom_supply": {"nl": "Aanbodgegevens", "en": "Supply data"},
    "bom_supply_eu_crm": {
        "nl": "EU CRM 2023: wereldaanbod per fase",
        "en": "EU CRM 2023: global supply per stage",
    },
    "bom_supply_usgs": {
        "nl": "USGS: wereldproductie (geladen dataset nodig)",
        "en": "USGS: world production (needs a loaded dataset)",
    },
    "bom_show": {"nl": "Toon", "en": "Show"},
    "bom_upload": {"nl": "Eigen stuklijst uploaden", "en": "Upload your own bill of materials"},
    "bom_file": {"nl": "Bestand", "en": "File"},
    "bom_compute": {"nl": "Bereken blootstelling", "en": "Compute exposure"},
    "bom_upload_hint": {
        "nl": "Het bestand wordt gecontroleerd en doorgerekend, niet bewaard.",
        "en": "The file is validated and computed on, not stored.",
    },
    "bom_rejected": {"nl": "Bestand afgewezen", "en": "File rejected"},
    "bom_nothing_stored": {"nl": "Er is niets opgeslagen.", "en": "Nothing was stored."},
    "bom_illustrative_note": {
        "nl": "Illustratief: ordes van grootte uit geciteerde bronnen, geen gemeten gegevens.",
        "en": "Illustrative: orders of magnitude from cited sources, not measured data.",
    },
    "bom_from_file": {"nl": "Uit het bestand", "en": "From the file"},
    "bom_n_materials": {"nl": "Grondstoffen", "en": "Materials"},
    "bom_n_critical": {
        "nl": "Kritieke grondstoffen (EU 2023)",
        "en": "Critical materials (EU 2023)",
    },
    "bom_critical_share": {"nl": "Aandeel kritiek", "en": "Critical share"},
    "bom_spof": {
        "nl": "Eén land boven 65 % (single point of failure)",
        "en": "One country above 65 % (single point of failure)",
    },
    "bom_top_country": {
        "nl": "Land met de grootste blootstelling (kritiek)",
        "en": "Country with the largest exposure (critical)",
    },
    "bom_country_hhi": {"nl": "HHI over landen (kritiek)", "en": "HHI over countries (critical)"},
    "bom_no_supply": {"nl": "Geen aanbodgegevens", "en": "No supply data"},
    "bom_per_material": {"nl": "Per grondstof", "en": "Per material"},
    "bom_per_country": {"nl": "Per leverend land", "en": "Per supplying country"},
    "bom_quantity": {"nl": "Hoeveelheid", "en": "Quantity"},
    "bom_exposure_critical": {"nl": "Blootstelling (kritiek)", "en": "Exposure (critical)"},
    "bom_exposure_all": {"nl": "Blootstelling (alle)", "en": "Exposure (all)"},
    "bom_critical_materials": {"nl": "Kritieke grondstoffen", "en": "Critical materials"},
    "bom_sources": {"nl": "Bronnen van de stuklijst", "en": "Sources of the bill of materials"},
    "bom_supply_used": {"nl": "Aanbodgegevens gebruikt", "en": "Supply data used"},
    "mat_illustrative": {"nl": "illustratief", "en": "illustrative"},
    "mat_line": {"nl": "regel", "en": "line"},
    "mat_field": {"nl": "veld", "en": "field"},
    "mat_note": {"nl": "Toelichting", "en": "Note"},
    "mat_crm_2023": {"nl": "Kritiek (EU-lijst 2023)", "en": "Critical (EU list 2023)"},
    "mat_strategic_2023": {"nl": "Strategisch (CRMA)", "en": "Strategic (CRMA)"},
    "mat_not_on_crm_list": {"nl": "Niet op de EU-lijst 2023", "en": "Not on the EU 2023 list"},
    "mat_parent_material": {"nl": "Valt onder", "en": "Part of"},
    "mat_child_materials": {"nl": "Omvat", "en": "Includes"},
    "mat_eu_crm_names": {"nl": "Namen in de EU-beoordeling", "en": "Names in the EU assessment"},
    "mat_reconciliation": {
        "nl": "Herberekening naast de gepubliceerde beoordeling",
        "en": "Recomputed next to the published assessment",
    },
    "mat_reconciliation_intro": {
        "nl": "SR en EI opnieuw berekend met de EU-methode uit de open gegevens, naast de "
        "gepubliceerde waarden van 2023. Factoren die niet in de open gegevens staan (IR, "
        "SI_SR, SI_EI) zijn de waarden die de publicatie impliceert.",
        "en": "SR and EI recomputed with the EU method from the open data, next to the "
        "published 2023 values. Factors the open data lack (IR, SI_SR, SI_EI) are shown as the "
        "values the publication implies.",
    },
    "mat_no_reconciliation": {
        "nl": "Deze grondstof is niet afzonderlijk beoordeeld in de EU-beoordeling van 2023.",
        "en": "This material is not assessed on its own in the EU 2023 assessment.",
    },
    "mat_bottleneck_stage": {"nl": "Knelpuntfase", "en": "Bottleneck stage"},
    "mat_global_supply": {"nl": "wereldaanbod", "en": "global supply"},
    "mat_eu_sourcing": {"nl": "EU-inkoop", "en": "EU sourcing"},
    "mat_world_production": {"nl": "wereldproductie (USGS)", "en": "world production (USGS)"},
    "mat_assumed": {"nl": "aangenomen", "en": "assumed"},
    "mat_implied": {"nl": "geïmpliceerd", "en": "implied"},
    "mat_implied_sr_factor": {"nl": "Geïmpliceerde SR-factor", "en": "Implied SR factor"},
    "mat_stage_extraction": {"nl": "winning", "en": "extraction"},
    "mat_stage_processing": {"nl": "verwerking", "en": "processing"},
    "mat_stage_concentration": {"nl": "Concentratie per fase", "en": "Concentration per stage"},
    "mat_stage_concentration_intro": {
        "nl": "Grootste leverancier, zijn aandeel en de HHI per fase: EU-beoordeling 2023 "
        "(wereldaanbod en EU-inkoop) en USGS-wereldproductie door de jaren.",
        "en": "Top supplier, its share and the HHI per stage: EU 2023 assessment (global "
        "supply and EU sourcing) and USGS world production over the years.",
    },
    "mat_no_concentration": {
        "nl": "Geen concentratiegegevens voor deze grondstof.",
        "en": "No concentration data for this material.",
    },
    "mat_basis": {"nl": "Basis", "en": "Basis"},
    "mat_top_country": {"nl": "Grootste land", "en": "Top country"},
    "mat_n_countries": {"nl": "Landen", "en": "Countries"},
    "mat_trend": {"nl": "Trend", "en": "Trend"},
    "mat_supply_shares_eu_crm": {
        "nl": "Grootste leveranciers (EU CRM 2023)",
        "en": "Largest suppliers (EU CRM 2023)",
    },
    "mat_crma_benchmarks": {"nl": "CRMA-benchmarks 2030", "en": "CRMA 2030 benchmarks"},
    "mat_crma_top_third_country": {
        "nl": "Grootste derde land (EU-inkoop)",
        "en": "Largest third country (EU sourcing)",
    },
    "mat_crma_eu_capacity": {"nl": "EU27-aandeel in EU-inkoop", "en": "EU27 share of EU sourcing"},
    "mat_crma_benchmark": {"nl": "Benchmark", "en": "Benchmark"},
    "mat_crma_meets": {"nl": "Gehaald", "en": "Met"},
    "mat_not_strategic": {
        "nl": "Geen strategische grondstof (CRMA bijlage I): de benchmarks gelden niet.",
        "en": "Not a strategic raw material (CRMA Annex I): the benchmarks do not apply.",
    },
    "whatif": {"nl": "Wat als…?", "en": "What if…?"},
    "whatif_intro": {
        "nl": "Verander een invoer van de EU-methode (een exportbeperking, een verschuiving van "
        "aanbod tussen landen, de governance van een land, de recycling van een grondstof) en "
        "zie hoe SR en EI veranderen en welke grondstoffen kritiek worden. Factoren die niet in "
        "de open gegevens staan blijven op de waarden die de basislijn impliceert.",
        "en": "Change an input of the EU method (an export restriction, a shift of supply "
        "between countries, a country's governance, a material's recycling) and see how SR and "
        "EI change and which materials become critical. Factors the open data lack stay at the "
        "values the baseline implies.",
    },
    "whatif_change_type": {"nl": "Soort verandering", "en": "Change"},
    "whatif_export_restriction": {"nl": "Exportbeperking (t)", "en": "Export restriction (t)"},
    "whatif_shift": {"nl": "Aanbod verschuift", "en": "Supply shifts"},
    "whatif_wgi": {"nl": "Governance (WGI)", "en": "Governance (WGI)"},
    "whatif_recycling": {"nl": "Recycling (EoL-RIR)", "en": "Recycling (EoL-RIR)"},
    "whatif_both_stages": {"nl": "beide fasen", "en": "both stages"},
    "whatif_from": {"nl": "Van", "en": "From"},
    "whatif_to": {"nl": "Naar", "en": "To"},
    "whatif_share": {"nl": "Aandeel", "en": "Share"},
    "whatif_wgi_estimate": {"nl": "WGI-schatting", "en": "WGI estimate"},
    "whatif_add": {"nl": "Voeg toe aan scenario", "en": "Add to scenario"},
    "whatif_run": {"nl": "Bereken", "en": "Run what-if"},
    "whatif_running": {"nl": "Bezig met rekenen…", "en": "Computing…"},
    "whatif_clear": {"nl": "Leegmaken", "en": "Clear"},
    "whatif_scenario_list": {
        "nl": "Scenario (deze veranderingen samen):",
        "en": "Scenario (these changes together):",
    },
    "whatif_result": {"nl": "Uitkomst", "en": "Result"},
    "whatif_scenario": {"nl": "scenario", "en": "scenario"},
    "whatif_scenario_points": {"nl": "Scenario", "en": "Scenario"},
    "whatif_becomes_critical": {"nl": "wordt kritiek", "en": "becomes critical"},
    "whatif_no_longer_critical": {"nl": "niet langer kritiek", "en": "no longer critical"},
    "whatif_no_status_change": {
        "nl": "Geen grondstof verandert van status.",
        "en": "No material changes critical status.",
    },
    "whatif_nothing_changed": {
        "nl": "Deze verandering raakt geen enkele grondstof.",
        "en": "This change affects no material.",
    },
    "whatif_inputs_starter": {
        "nl": "Invoer uit het startpakket",
        "en": "Inputs from the starter pack",
    },
    "whatif_inputs_store": {
        "nl": "Invoer uit uw gegevensopslag",
        "en": "Inputs from your data store",
    },
    "whatif_for_material": {
        "nl": "Wat-als voor deze grondstof →",
        "en": "What-if for this material →",
    },
    # --- live data ---
    "facts_origin_store": {"nl": "uit uw gegevens", "en": "from your data"},
    "facts_origin_starter": {"nl": "uit het startpakket", "en": "from the starter pack"},
}


def translator(lang: str):
    """``t(key)`` for one language (the key itself when a text is missing)."""
    return lambda key: TEXTS.get(key, {}).get(lang, key)
