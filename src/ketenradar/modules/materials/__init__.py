"""Critical raw materials: vocabulary, criticality (EU method), GeoPolRisk, concentration."""
