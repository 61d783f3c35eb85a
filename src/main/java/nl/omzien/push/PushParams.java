package nl.omzien.push;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The values a push text may show. Every field is non-personal by its type: a help category code (turned
 * into words by the templates, unknown codes become "hulp"/"help"), an instant, a distance in metres
 * (shown only as a band), a count and a reminder lead. There is no field for free text, so a name or an
 * address cannot reach a notification through this type. All fields are optional; a template that needs
 * a missing one fails to render.
 *
 * @param helpKind       help category code such as {@code ride} or {@code groceries}; lower case, at most 32
 *                       characters
 * @param when           the moment of the help or activity (shown in Europe/Amsterdam time)
 * @param distanceMeters distance between volunteer and resident in metres, shown as a band
 * @param count          a non-negative count (e.g. requests waiting)
 * @param lead           for reminders: 24 hours or 1 hour ahead
 */
public record PushParams(String helpKind, Instant when, Integer distanceMeters, Integer count, ReminderLead lead) {

    private static final Pattern CODE = Pattern.compile("[a-z][a-z_]{0,31}");

    /** No parameters. */
    public static final PushParams NONE = new PushParams(null, null, null, null, null);

    public PushParams {
        if (helpKind != null && !CODE.matcher(helpKind).matches()) {
            throw new IllegalArgumentException("helpKind must be a lower-case code, got something else");
        }
        if (distanceMeters != null && distanceMeters < 0) {
            throw new IllegalArgumentException("distanceMeters must be >= 0");
        }
        if (count != null && count < 0) {
            throw new IllegalArgumentException("count must be >= 0");
        }
    }

    public PushParams withHelpKind(String code) {
        return new PushParams(code, when, distanceMeters, count, lead);
    }

    public PushParams withWhen(Instant instant) {
        return new PushParams(helpKind, instant, distanceMeters, count, lead);
    }

    public PushParams withDistanceMeters(int meters) {
        return new PushParams(helpKind, when, meters, count, lead);
    }

    public PushParams withCount(int n) {
        return new PushParams(helpKind, when, distanceMeters, n, lead);
    }

    public PushParams withLead(ReminderLead reminderLead) {
        return new PushParams(helpKind, when, distanceMeters, count, reminderLead);
    }

    /** Whether a value for this parameter is present. */
    public boolean has(TemplateParam p) {
        return switch (p) {
            case HELP_KIND -> helpKind != null;
            case WHEN -> when != null;
            case DISTANCE -> distanceMeters != null;
            case COUNT -> count != null;
            case LEAD -> lead != null;
        };
    }
}
