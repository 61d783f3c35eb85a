package nl.omzien.push;

/** How long before an appointment a reminder is sent. */
public enum ReminderLead {
    HOURS_24("24h"),
    HOUR_1("1h");

    private final String code;

    ReminderLead(String code) {
        this.code = code;
    }

    /** The code used as key suffix in the templates ({@code lead.24h}). */
    public String code() {
        return code;
    }
}
