"""A clinic's own crisis contact, as the crisis-page tests configure it (fictional numbers)."""

CLINIC = {
    "CLINIC_NAME": "Northgate Wellbeing",
    "CLINIC_PHONE": "020 7946 0123",
    "CLINIC_HOURS": "Monday to Friday, 9:00 to 17:00",
    "CLINIC_OUT_OF_HOURS_NAME": "Northgate night line",
    "CLINIC_OUT_OF_HOURS_PHONE": "020 7946 0999",
}
