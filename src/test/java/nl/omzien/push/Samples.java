package nl.omzien.push;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Test data: one plausible message per kind, built from ids and non-personal parameters only. */
final class Samples {

    static final UUID OFFER = UUID.fromString("5f0c6a52-8d0e-4c43-9a3e-2b7f1c9d4e61");
    static final UUID REQUEST = UUID.fromString("b8e2f7a4-1c3d-4e5f-8a9b-0c1d2e3f4a5b");
    static final UUID ACTIVITY = UUID.fromString("0d9c8b7a-6f5e-4d3c-b2a1-9f8e7d6c5b4a");
    static final Instant WHEN = Instant.parse("2026-05-12T08:30:00Z"); // Tuesday 10:30 in Utrecht
    static final PushParams PARAMS = PushParams.NONE
            .withHelpKind("ride").withWhen(WHEN).withDistanceMeters(1400).withCount(3).withLead(ReminderLead.HOUR_1);

    private Samples() {
    }

    static Map<PushRef, UUID> ids(PushKind kind) {
        Map<PushRef, UUID> ids = new EnumMap<>(PushRef.class);
        for (PushRef ref : kind.refs()) {
            ids.put(ref, switch (ref) {
                case OFFER -> OFFER;
                case REQUEST -> REQUEST;
                case ACTIVITY -> ACTIVITY;
            });
        }
        return ids;
    }

    static PushMessage message(PushTemplates templates, PushKind kind, String token) {
        return templates.message(UUID.randomUUID(), kind, token, Locale.forLanguageTag("nl"), kind.mayBeUrgent(),
                ids(kind), PARAMS);
    }

    static String token(int i) {
        return "device-token-" + i + "-" + "x".repeat(120);
    }
}
