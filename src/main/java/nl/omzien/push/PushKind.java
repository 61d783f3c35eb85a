package nl.omzien.push;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kinds of push message Omzien sends. Each kind knows who it is for, whether it may be sent as
 * urgent, which ids travel in its data payload, which deep link it opens, which template parameters its
 * text may use, and how long it stays worth delivering (its time to live).
 *
 * <p>The wire name ({@link #wireName()}, e.g. {@code offer_made}) is the value of {@code kind} in the data
 * payload and the name of the JSON Schema in {@code mobile-contracts/push/}.
 */
public enum PushKind {
    /** To a volunteer: a nearby resident asks for help; open the offer to accept or decline. */
    OFFER_MADE("offer_made", "volunteer", true, "omzien://offers/{offerId}",
            EnumSet.of(PushRef.OFFER, PushRef.REQUEST),
            EnumSet.of(TemplateParam.HELP_KIND, TemplateParam.WHEN, TemplateParam.DISTANCE), Duration.ofHours(6)),
    /** To a volunteer who was offered a request that another volunteer has taken. */
    OFFER_FILLED("offer_filled", "volunteer", false, "omzien://offers/{offerId}",
            EnumSet.of(PushRef.OFFER, PushRef.REQUEST),
            EnumSet.of(TemplateParam.HELP_KIND), Duration.ofHours(24)),
    /** To a volunteer: the resident withdrew the request, the offer no longer stands. */
    OFFER_WITHDRAWN("offer_withdrawn", "volunteer", false, "omzien://offers/{offerId}",
            EnumSet.of(PushRef.OFFER, PushRef.REQUEST),
            EnumSet.of(TemplateParam.HELP_KIND, TemplateParam.WHEN), Duration.ofHours(24)),
    /** To the resident: a volunteer accepted the request. */
    MATCH_CONFIRMED("match_confirmed", "resident", true, "omzien://requests/{requestId}",
            EnumSet.of(PushRef.REQUEST),
            EnumSet.of(TemplateParam.HELP_KIND, TemplateParam.WHEN), Duration.ofDays(3)),
    /** To resident and volunteer: contact details are now visible in the app (never in the push). */
    VOLUNTEER_DETAILS_RELEASED("volunteer_details_released", "resident, volunteer", true,
            "omzien://requests/{requestId}/contact",
            EnumSet.of(PushRef.REQUEST),
            EnumSet.of(TemplateParam.HELP_KIND, TemplateParam.WHEN), Duration.ofDays(3)),
    /** To resident and volunteer: the appointment is in 24 hours or in 1 hour. */
    APPOINTMENT_REMINDER("appointment_reminder", "resident, volunteer", true, "omzien://requests/{requestId}",
            EnumSet.of(PushRef.REQUEST),
            EnumSet.of(TemplateParam.HELP_KIND, TemplateParam.WHEN, TemplateParam.LEAD), Duration.ofHours(1)),
    /** To the ambassadors of the resident's wijk: nobody took the request in time. */
    REQUEST_ESCALATED("request_escalated", "ambassador", true, "omzien://ambassador/queue/{requestId}",
            EnumSet.of(PushRef.REQUEST),
            EnumSet.of(TemplateParam.HELP_KIND, TemplateParam.WHEN, TemplateParam.COUNT), Duration.ofHours(12)),
    /** To participants: a neighbourhood activity is coming up. */
    ACTIVITY_REMINDER("activity_reminder", "resident, volunteer", false, "omzien://activities/{activityId}",
            EnumSet.of(PushRef.ACTIVITY),
            EnumSet.of(TemplateParam.WHEN), Duration.ofHours(12)),
    /** To participants: an activity was cancelled (urgent when it was due today, so nobody travels). */
    ACTIVITY_CANCELLED("activity_cancelled", "resident, volunteer", true, "omzien://activities/{activityId}",
            EnumSet.of(PushRef.ACTIVITY),
            EnumSet.of(TemplateParam.WHEN), Duration.ofHours(24)),
    /** To resident and volunteer after the help took place: how did it go? */
    FEEDBACK_REQUESTED("feedback_requested", "resident, volunteer", false, "omzien://requests/{requestId}/feedback",
            EnumSet.of(PushRef.REQUEST),
            EnumSet.of(TemplateParam.HELP_KIND), Duration.ofDays(7));

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

    private final String wireName;
    private final String audience;
    private final boolean mayBeUrgent;
    private final String deepLinkPattern;
    private final Set<PushRef> refs;
    private final Set<TemplateParam> params;
    private final Duration ttl;

    PushKind(String wireName, String audience, boolean mayBeUrgent, String deepLinkPattern, EnumSet<PushRef> refs,
             EnumSet<TemplateParam> params, Duration ttl) {
        this.wireName = wireName;
        this.audience = audience;
        this.mayBeUrgent = mayBeUrgent;
        this.deepLinkPattern = deepLinkPattern;
        this.refs = Collections.unmodifiableSet(refs);
        this.params = Collections.unmodifiableSet(params);
        this.ttl = ttl;
    }

    /** The value of {@code kind} in the data payload, e.g. {@code offer_made}. */
    public String wireName() {
        return wireName;
    }

    /** Who receives this kind, in words (for documentation). */
    public String audience() {
        return audience;
    }

    /** Whether this kind may be delivered with high priority; urgent is ignored for the others. */
    public boolean mayBeUrgent() {
        return mayBeUrgent;
    }

    /** The deep link with placeholders, e.g. {@code omzien://offers/{offerId}}. */
    public String deepLinkPattern() {
        return deepLinkPattern;
    }

    /** The ids this kind carries in its data payload; all are required. */
    public Set<PushRef> refs() {
        return refs;
    }

    /** The template parameters this kind's texts may use. */
    public Set<TemplateParam> params() {
        return params;
    }

    /** How long after sending the push is still worth delivering to an offline device. */
    public Duration ttl() {
        return ttl;
    }

    /**
     * Fills the deep-link pattern with ids.
     *
     * @throws IllegalArgumentException when an id the pattern needs is missing
     */
    public String deepLink(Map<PushRef, UUID> ids) {
        Matcher m = PLACEHOLDER.matcher(deepLinkPattern);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            PushRef ref = refForKey(m.group(1));
            UUID id = ids.get(ref);
            if (id == null) {
                throw new IllegalArgumentException(wireName + " needs " + ref.dataKey() + " for its deep link");
            }
            m.appendReplacement(out, id.toString());
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The kind for a wire name such as {@code offer_made}. */
    public static PushKind fromWireName(String wireName) {
        for (PushKind k : values()) {
            if (k.wireName.equals(wireName)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown push kind: " + wireName);
    }

    private PushRef refForKey(String key) {
        for (PushRef r : refs) {
            if (r.dataKey().equals(key)) {
                return r;
            }
        }
        throw new IllegalStateException(wireName + " deep link uses {" + key + "} which is not one of its refs");
    }
}
