package nl.omzien.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.omzien.Omzien;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The body of {@code POST /v1/requests} (the contract's example, a ride with both places) checked by the JSON Schema
 * engine, by {@link BodyCheck}, and validated whole by {@link CachingRequestValidator} (parse and check), in
 * microseconds per body:
 * <pre>
 * mvn -q -B -Pbench test-compile exec:exec -Djmh.args="BodyValidation -f 1 -wi 2 -i 3 -w 2s -r 3s"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BodyValidationBenchmark {
  private Vertx vertx;
  private CachingRequestValidator caching;
  private Validator engine;
  private JsonSchema schema;
  private String json;
  private Object decoded;

  @Setup
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    OpenAPIContract contract = Contract.load(vertx, Omzien.CONTRACT).await(30, TimeUnit.SECONDS);
    caching = new CachingRequestValidator(vertx, contract);
    schema = contract.operation("createHelpRequest").getRequestBody().getContent().get("application/json").getSchema();
    engine = contract.getSchemaRepository().validator(schema);
    json = """
        {"kind":"transport","urgency":"normal",
         "timeWindows":[{"start":"2026-12-01T09:15:00+01:00","end":"2026-12-01T12:00:00+01:00"}],
         "note":"Graag iemand die rustig rijdt.",
         "transport":{"pickup":{"address":"Tigrisdreef 12, 3561 Utrecht","location":{"lat":52.1161,"lon":5.1132}},
           "destination":{"name":"UMC Utrecht","address":"Heidelberglaan 100, 3584 CX Utrecht",
             "location":{"lat":52.0873,"lon":5.1797}},
           "appointmentAt":"2026-12-01T10:00:00+01:00","returnTrip":true,"mobility":["walker"],
           "stayDuringAppointment":false}}""";
    decoded = Json.decodeValue(json);
    if (!engine.validate(decoded).getValid() || !caching.plainBody(schema, decoded)) {
      throw new IllegalStateException("the benchmark's body must be valid and plain");
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public boolean engine() {
    return engine.validate(decoded).getValid();
  }

  @Benchmark
  public boolean plain() {
    return caching.plainBody(schema, decoded);
  }

  @Benchmark
  public Object request() throws Exception {
    ValidatableRequest request = new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(),
        new RequestParameterImpl(Buffer.buffer(json)), "application/json");
    return caching.validate(request, "createHelpRequest").await();
  }
}
