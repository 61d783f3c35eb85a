package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("PushTemplates")
class PushTemplatesTest {

    /** Words that would mean a template asks for something personal. */
    private static final Pattern SENSITIVE = Pattern.compile(
            "name|naam|address|adres|street|straat|house|huis|postcode|zip|phone|telefoon|email|mail|health|gezond"
                    + "|medic|diagnos|birth|geboort|age|leeftijd|bsn|note|notitie|text|tekst|description|omschrijving",
            Pattern.CASE_INSENSITIVE);

    private final PushTemplates templates = PushTemplates.load();

    @ParameterizedTest(name = "{0}")
    @EnumSource(PushKind.class)
    @DisplayName("check (what the outbox runs on every push) accepts exactly the parameters with which the kind renders "
            + "in Dutch and in English, for each of the 32 combinations of present and missing parameters")
    void checkAgreesWithRendering(PushKind kind) {
        int rejected = 0;
        for (int mask = 0; mask < 32; mask++) {
            PushParams params = PushParams.NONE;
            params = (mask & 1) == 0 ? params : params.withHelpKind(Samples.PARAMS.helpKind());
            params = (mask & 2) == 0 ? params : params.withWhen(Samples.PARAMS.when());
            params = (mask & 4) == 0 ? params : params.withDistanceMeters(Samples.PARAMS.distanceMeters());
            params = (mask & 8) == 0 ? params : params.withCount(Samples.PARAMS.count());
            params = (mask & 16) == 0 ? params : params.withLead(Samples.PARAMS.lead());
            PushParams given = params;
            boolean renders = true;
            try {
                templates.render(kind, PushTemplates.NL, given);
                templates.render(kind, PushTemplates.EN, given);
            } catch (IllegalArgumentException e) {
                renders = false;
            }
            if (renders) {
                templates.check(kind, given);
            } else {
                rejected++;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> templates.check(kind, given), "mask " + mask);
                assertTrue(e.getMessage().startsWith(kind.wireName() + " text needs parameter "), e.getMessage());
            }
        }
        // A kind whose texts use k parameters renders with 2^(5-k) of the 32 combinations.
        assertEquals(32 - (32 >> kind.params().stream().filter(p -> usedBy(kind, p)).count()), rejected);
    }

    private boolean usedBy(PushKind kind, TemplateParam p) {
        for (Locale locale : List.of(PushTemplates.NL, PushTemplates.EN)) {
            for (String part : List.of("title", "body")) {
                if (PushTemplates.placeholders(templates.template(kind, locale, part)).contains(p.placeholder())) {
                    return true;
                }
            }
        }
        return false;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PushKind.class)
    @DisplayName("every kind has a title and a body in Dutch and in English, and they differ")
    void everyKindInBothLanguages(PushKind kind) {
        for (String part : List.of("title", "body")) {
            String nl = templates.template(kind, PushTemplates.NL, part);
            String en = templates.template(kind, PushTemplates.EN, part);
            assertNotNull(nl, kind + "." + part + " nl");
            assertNotNull(en, kind + "." + part + " en");
            assertNotEquals(nl, en, kind + "." + part + " is not translated");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PushKind.class)
    @DisplayName("no template has a placeholder for a name, address or anything personal; only the kind's own parameters")
    void noPersonalPlaceholders(PushKind kind) {
        for (Locale locale : PushTemplates.SUPPORTED) {
            for (String part : List.of("title", "body")) {
                String template = templates.template(kind, locale, part);
                for (String name : PushTemplates.placeholders(template)) {
                    assertFalse(SENSITIVE.matcher(name).find(), kind + " " + locale + " uses {" + name + "}");
                    TemplateParam p = TemplateParam.byPlaceholder(name);
                    assertNotNull(p, "unknown placeholder {" + name + "}");
                    assertTrue(kind.params().contains(p), kind + " may not use {" + name + "}");
                }
            }
        }
        for (TemplateParam p : TemplateParam.values()) {
            assertFalse(SENSITIVE.matcher(p.placeholder()).find(), "allowed placeholder " + p.placeholder());
        }
    }

    @Test
    @DisplayName("templates asking for a name, an address or another kind's parameter do not load")
    void badTemplatesAreRejectedAtLoad() throws Exception {
        for (String bad : List.of("Beste {residentName}", "Naar {address}", "{straat} {huisnummer}", "Binnen {distance}")) {
            java.util.Properties nl = bundle("nl");
            nl.setProperty("match_confirmed.body", bad);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> PushTemplates.of(nl, bundle("en")));
            assertTrue(e.getMessage().contains("match_confirmed.body"), e.getMessage());
        }
        java.util.Properties en = bundle("en");
        en.remove("offer_made.title");
        assertThrows(IllegalStateException.class, () -> PushTemplates.of(bundle("nl"), en));
        PushTemplates.of(bundle("nl"), bundle("en"));
    }

    private static java.util.Properties bundle(String lang) throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = PushTemplatesTest.class.getClassLoader().getResourceAsStream("push/templates_" + lang + ".properties")) {
            p.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    @DisplayName("Dutch is the default: no locale, Dutch, and unknown languages all render in Dutch")
    void dutchIsDefault() {
        String nl = templates.render(PushKind.MATCH_CONFIRMED, null, Samples.PARAMS).title();
        assertEquals("Er komt iemand helpen", nl);
        assertEquals(nl, templates.render(PushKind.MATCH_CONFIRMED, Locale.forLanguageTag("nl-NL"), Samples.PARAMS).title());
        assertEquals(nl, templates.render(PushKind.MATCH_CONFIRMED, Locale.forLanguageTag("tr"), Samples.PARAMS).title());
        assertEquals(nl, templates.render(PushKind.MATCH_CONFIRMED, Locale.GERMAN, Samples.PARAMS).title());
        assertEquals(PushTemplates.NL, templates.render(PushKind.MATCH_CONFIRMED, Locale.forLanguageTag("ar-MA"), Samples.PARAMS).locale());
    }

    @Test
    @DisplayName("English is used when asked for, also with a region")
    void englishWhenAsked() {
        PushTemplates.Rendered en = templates.render(PushKind.MATCH_CONFIRMED, Locale.forLanguageTag("en-GB"), Samples.PARAMS);
        assertEquals(PushTemplates.EN, en.locale());
        assertEquals("Someone is coming to help", en.title());
        assertEquals("A volunteer will help you with a ride on Tuesday 12 May at 10:30.", en.body());
    }

    @Test
    @DisplayName("parameters render as words, a Utrecht local time and a distance band")
    void parametersRender() {
        PushTemplates.Rendered nl = templates.render(PushKind.OFFER_MADE, PushTemplates.NL, Samples.PARAMS);
        assertEquals("Hulpvraag in de buurt: vervoer", nl.title());
        assertEquals("Iemand op 1-2 km zoekt hulp bij vervoer, dinsdag 12 mei om 10:30. Kun jij helpen?", nl.body());
        PushTemplates.Rendered reminder = templates.render(PushKind.APPOINTMENT_REMINDER, PushTemplates.NL,
                Samples.PARAMS.withHelpKind("groceries").withLead(ReminderLead.HOURS_24));
        assertEquals("Herinnering: boodschappen morgen", reminder.title());
    }

    @Test
    @DisplayName("an unknown help code renders as the generic word, never as the code itself")
    void unknownHelpCode() {
        PushTemplates.Rendered nl = templates.render(PushKind.FEEDBACK_REQUESTED, PushTemplates.NL,
                PushParams.NONE.withHelpKind("dialysis_ride"));
        assertEquals("Laat ons weten hoe de hulp bij hulp ging.", nl.body());
        assertFalse(nl.body().contains("dialysis"));
    }

    @Test
    @DisplayName("a help code cannot carry free text")
    void helpKindIsACode() {
        assertThrows(IllegalArgumentException.class, () -> PushParams.NONE.withHelpKind("Mevrouw de Vries"));
        assertThrows(IllegalArgumentException.class, () -> PushParams.NONE.withHelpKind("ride to Oudegracht 12"));
    }

    @Test
    @DisplayName("a missing parameter is an error, not an empty gap in the text")
    void missingParameter() {
        assertThrows(IllegalArgumentException.class,
                () -> templates.render(PushKind.OFFER_MADE, PushTemplates.NL, PushParams.NONE.withHelpKind("ride")));
    }

    @Test
    @DisplayName("distance bands cover every distance")
    void distanceBands() {
        assertEquals("< 500 m", PushTemplates.distanceBand(0));
        assertEquals("500 m - 1 km", PushTemplates.distanceBand(500));
        assertEquals("1-2 km", PushTemplates.distanceBand(1999));
        assertEquals("2-5 km", PushTemplates.distanceBand(2000));
        assertEquals("> 5 km", PushTemplates.distanceBand(12_000));
    }

    @Test
    @DisplayName("urgent is dropped for kinds that may not be urgent, kept for those that may")
    void urgentOnlyWhereAllowed() {
        PushMessage feedback = templates.message(UUID.randomUUID(), PushKind.FEEDBACK_REQUESTED, "t", PushTemplates.NL,
                true, Samples.ids(PushKind.FEEDBACK_REQUESTED), Samples.PARAMS);
        assertFalse(feedback.urgent());
        assertEquals("false", feedback.data().get("urgent"));
        PushMessage offer = templates.message(UUID.randomUUID(), PushKind.OFFER_MADE, "t", PushTemplates.NL,
                true, Samples.ids(PushKind.OFFER_MADE), Samples.PARAMS);
        assertTrue(offer.urgent());
        assertEquals("true", offer.data().get("urgent"));
    }

    @Test
    @DisplayName("the data payload holds messageId, kind, deep link, urgent and the kind's ids, nothing else")
    void dataPayload() {
        UUID id = UUID.randomUUID();
        PushMessage m = templates.message(id, PushKind.OFFER_MADE, "secret-device-token", PushTemplates.EN, false,
                Samples.ids(PushKind.OFFER_MADE), Samples.PARAMS);
        assertEquals(Set.of("messageId", "kind", "deepLink", "urgent", "offerId", "requestId"), m.data().keySet());
        assertEquals(id.toString(), m.data().get("messageId"));
        assertEquals("omzien://offers/" + Samples.OFFER, m.data().get("deepLink"));
        assertFalse(m.toString().contains("secret-device-token"), "toString hides the token");
        assertFalse(m.toString().contains(m.title()));
    }

    @Test
    @DisplayName("a message with an extra data field or missing ids is rejected")
    void rejectsForeignData() {
        UUID id = UUID.randomUUID();
        java.util.Map<String, String> data = new java.util.HashMap<>(
                PushMessage.dataPayload(id, PushKind.MATCH_CONFIRMED, false, Samples.ids(PushKind.MATCH_CONFIRMED)));
        data.put("residentName", "Johanna");
        assertThrows(IllegalArgumentException.class, () -> new PushMessage(id, PushKind.MATCH_CONFIRMED, "t",
                PushTemplates.NL, false, data, "x", "y"));
        assertThrows(IllegalArgumentException.class, () -> PushMessage.dataPayload(id, PushKind.OFFER_MADE, false,
                Samples.ids(PushKind.MATCH_CONFIRMED)));
    }
}
