package nl.omzien.push;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The push data-payload schemas in {@code mobile-contracts/push/}, loaded from the working tree. */
final class ContractSchemas {

    static final Path ROOT = Path.of("mobile-contracts", "push");
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private ContractSchemas() {
    }

    static Path schemaFile(PushKind kind) {
        return ROOT.resolve(kind.wireName() + ".schema.json");
    }

    static Path exampleFile(PushKind kind) {
        return ROOT.resolve("examples").resolve(kind.wireName() + ".json");
    }

    static Schema schema(PushKind kind) {
        return REGISTRY.getSchema(read(schemaFile(kind)), InputFormat.JSON);
    }

    static List<Error> validate(PushKind kind, String json) {
        return schema(kind).validate(json, InputFormat.JSON);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
