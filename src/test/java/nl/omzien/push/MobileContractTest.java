package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@DisplayName("mobile-contracts/push")
class MobileContractTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final PushTemplates templates = PushTemplates.load();

    @ParameterizedTest(name = "{0}")
    @EnumSource(PushKind.class)
    @DisplayName("every push kind has a schema with its own $id and an example that validates against it")
    void everyKindHasSchemaAndValidExample(PushKind kind) {
        assertTrue(Files.exists(ContractSchemas.schemaFile(kind)), "missing " + ContractSchemas.schemaFile(kind));
        assertTrue(Files.exists(ContractSchemas.exampleFile(kind)), "missing " + ContractSchemas.exampleFile(kind));
        JsonNode schema = JSON.readTree(ContractSchemas.read(ContractSchemas.schemaFile(kind)));
        assertEquals("https://omzien.nl/contracts/push/" + kind.wireName() + ".schema.json", schema.path("$id").asString());
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.path("$schema").asString());
        assertFalse(schema.path("additionalProperties").asBoolean(true), "additionalProperties must be false");

        String example = ContractSchemas.read(ContractSchemas.exampleFile(kind));
        assertEquals(java.util.List.of(), ContractSchemas.validate(kind, example));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PushKind.class)
    @DisplayName("the payload the server builds for a kind validates, and the example has exactly its fields")
    void serverPayloadMatchesSchema(PushKind kind) {
        PushMessage m = Samples.message(templates, kind, Samples.token(1));
        String payload = JSON.writeValueAsString(m.data());
        assertEquals(java.util.List.of(), ContractSchemas.validate(kind, payload));

        JsonNode example = JSON.readTree(ContractSchemas.read(ContractSchemas.exampleFile(kind)));
        java.util.Set<String> exampleKeys = new java.util.HashSet<>();
        example.propertyNames().forEach(exampleKeys::add);
        assertEquals(m.data().keySet(), exampleKeys);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PushKind.class)
    @DisplayName("a schema rejects a payload with a name or address added, a wrong kind, a non-string or a foreign deep link")
    void schemasRejectSensitiveOrMalformedPayloads(PushKind kind) {
        PushMessage m = Samples.message(templates, kind, Samples.token(1));
        java.util.Map<String, Object> withName = new java.util.LinkedHashMap<>(m.data());
        withName.put("residentName", "Johanna de Vries");
        assertFalse(ContractSchemas.validate(kind, JSON.writeValueAsString(withName)).isEmpty());

        java.util.Map<String, Object> wrongKind = new java.util.LinkedHashMap<>(m.data());
        wrongKind.put("kind", kind == PushKind.OFFER_MADE ? "offer_filled" : "offer_made");
        assertFalse(ContractSchemas.validate(kind, JSON.writeValueAsString(wrongKind)).isEmpty());

        java.util.Map<String, Object> booleanUrgent = new java.util.LinkedHashMap<>(m.data());
        booleanUrgent.put("urgent", Boolean.FALSE);
        assertFalse(ContractSchemas.validate(kind, JSON.writeValueAsString(booleanUrgent)).isEmpty());

        java.util.Map<String, Object> httpLink = new java.util.LinkedHashMap<>(m.data());
        httpLink.put("deepLink", "https://example.org/" + UUID.randomUUID());
        assertFalse(ContractSchemas.validate(kind, JSON.writeValueAsString(httpLink)).isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PushKind.class)
    @DisplayName("deeplinks.md documents the link pattern of every kind, and names the kind next to it")
    void deepLinksAreDocumented(PushKind kind) {
        String doc = ContractSchemas.read(ContractSchemas.ROOT.getParent().resolve("deeplinks.md"));
        String row = doc.lines()
                .filter(l -> l.startsWith("| `" + kind.deepLinkPattern() + "`"))
                .findFirst().orElse("");
        assertTrue(row.contains("`" + kind.wireName() + "`"),
                "deeplinks.md has no row for " + kind.deepLinkPattern() + " listing " + kind.wireName());
        assertTrue(kind.deepLinkPattern().toLowerCase(Locale.ROOT).startsWith("omzien://"));
    }
}
