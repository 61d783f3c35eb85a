package nl.omzien.push;

/**
 * The only placeholders a visible push text may use. Each is non-personal by construction: a help
 * category word, a moment, a distance band, a count or a reminder lead time. There is deliberately no
 * placeholder for a name, an address or a free text.
 */
public enum TemplateParam {
    /** The kind of help in words ("vervoer", "ride"), looked up from a code, never free text. */
    HELP_KIND("helpKind"),
    /** A day and time, formatted in Europe/Amsterdam for the message's language. */
    WHEN("when"),
    /** A distance band such as "1-2 km", derived from metres. */
    DISTANCE("distance"),
    /** A count, such as requests waiting in the ambassador queue. */
    COUNT("count"),
    /** How long before an appointment a reminder fires ("morgen"/"over een uur"). */
    LEAD("lead");

    private final String placeholder;

    TemplateParam(String placeholder) {
        this.placeholder = placeholder;
    }

    /** The name between braces in a template, e.g. {@code helpKind} for <code>{helpKind}</code>. */
    public String placeholder() {
        return placeholder;
    }

    /** The parameter for a placeholder name, or {@code null} when the name is not allowed. */
    public static TemplateParam byPlaceholder(String name) {
        for (TemplateParam p : values()) {
            if (p.placeholder.equals(name)) {
                return p;
            }
        }
        return null;
    }
}
